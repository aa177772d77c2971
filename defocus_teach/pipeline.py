"""The whole method: defocus map, layers, blind deconvolution per layer, composition.

Section 3.2 of the paper ("Summarization of our approach") and its Fig. 5: estimate a defocus
map, threshold it into an in-focus layer alpha_0 and defocused layers alpha_1..alpha_L, run
Alg. 2 on every defocused layer and compose the all-in-focus image

    u_aif = sum_i alpha_i .* u_i,   with u_0 = f on the in-focus layer.

(The paper reuses the symbol f for this output; we call it u_aif.)  The chapter "The whole
method" of the book runs :func:`all_in_focus` on simulated and real photographs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from skimage.color import rgb2gray

from ._validation import as_float_image, as_mask
from .blind import blind_deconvolve
from .defocus_map import estimate_defocus_map
from .errors import LayerTooSmallError, NoTextureError
from .kernels import disk
from .segmentation import check_n_layers, layer_radii, segment_layers

__all__ = ["all_in_focus", "AllInFocusResult", "MIN_SIDE"]

#: Smallest image side accepted: the initial-kernel search needs a 32 x 32 square of a layer
#: (:mod:`defocus_teach.kernel_init`), and the default kernels are 31 x 31.
MIN_SIDE = 32


@dataclass(frozen=True)
class AllInFocusResult:
    """Result of :func:`all_in_focus`.

    Attributes
    ----------
    image : ndarray
        The all-in-focus image u_aif, same shape as the input (not clipped).
    masks : list of ndarray of bool
        Layer masks alpha_i; layer 0 is the sharpest (kept as it is).
    kernels : list of ndarray
        Kernel k_i of every layer (``[[1.0]]`` for layer 0).
    defocus_map : ndarray or None
        Per-pixel blur radius in pixels (None when ``masks`` were given without a map).
    layers : list of BlindResult or None
        The blind-deconvolution result of every layer (None for layer 0 and for a layer
        left as it is).
    status : list of str
        What was done to each layer: ``"in focus"`` (layer 0), ``"deblurred"``, ``"empty"``,
        or ``"kept: ..."`` with the reason the input was kept (e.g. a flat layer).
    """

    image: np.ndarray
    masks: list
    kernels: list
    defocus_map: np.ndarray | None
    layers: list
    status: list = field(default_factory=list)


def _reporter(progress) -> Callable[[str], object]:
    if callable(progress):
        return progress
    if progress:
        return lambda message: print(f"defocus_teach: {message}", file=sys.stderr, flush=True)
    return lambda message: None


def _check_masks(masks, shape) -> list[np.ndarray]:
    if isinstance(masks, np.ndarray) and masks.ndim == 3:
        masks = list(masks)
    if not isinstance(masks, Sequence) or len(masks) < 1:
        raise TypeError("masks must be a sequence of boolean (H, W) arrays, layer 0 in focus")
    checked = [as_mask(m, shape, f"masks[{i}]", allow_empty=True) for i, m in enumerate(masks)]
    coverage = np.sum(checked, axis=0)
    if np.any(coverage > 1):
        raise ValueError("masks overlap: every pixel must belong to exactly one layer")
    if np.any(coverage == 0):
        raise ValueError("masks leave pixels uncovered: they must partition the image")
    return checked


def all_in_focus(
    image: np.ndarray,
    n_layers: int | None = None,
    channel_axis: int | None = None,
    defocus_map: np.ndarray | None = None,
    masks: Sequence[np.ndarray] | None = None,
    progress: bool | Callable[[str], object] = False,
    *,
    defocus_estimator: Callable[[np.ndarray], np.ndarray] | None = None,
    **solver_options,
) -> AllInFocusResult:
    """Remove out-of-focus blur from a photograph with several depth layers.

    Parameters
    ----------
    image : ndarray
        Input photograph in [0, 1] (uint8 and uint16 are converted), greyscale (H, W) or
        colour with ``channel_axis``; at least :data:`MIN_SIDE` (32) pixels on each side.
    n_layers : int, optional
        Number of layers, the in-focus one included, at most
        :data:`~defocus_teach.segmentation.MAX_LAYERS` (6).  Default: chosen from the map.
    channel_axis : int, optional
        Colour axis.  Kernels are estimated on the luminance; every channel is deconvolved
        with its layer's kernel.
    defocus_map : ndarray, optional
        Per-pixel blur radius (H, W); default
        :func:`~defocus_teach.defocus_map.estimate_defocus_map` of the image.
    masks : sequence of ndarray of bool, optional
        Layer masks that partition the image, layer 0 in focus.  When given, the defocus
        map is not needed for segmentation.
    progress : bool or callable, optional
        True prints one line per step on stderr; a callable receives each message.
    defocus_estimator : callable, optional
        Replaces :func:`~defocus_teach.defocus_map.estimate_defocus_map`: called as
        ``defocus_estimator(grey_image)`` and must return an (H, W) map of blur radii in
        pixels.
    **solver_options
        Passed to :func:`~defocus_teach.blind.blind_deconvolve` for every defocused layer (e.g.
        ``n_iter``, ``lam1``, ``use_outliers``).

    Returns
    -------
    result : AllInFocusResult
        ``.image``, ``.masks``, ``.kernels``, ``.defocus_map``, ``.layers`` and
        ``.status``.

    Notes
    -----
    :math:`u_{aif} = \\sum_i \\alpha_i \\odot u_i` with :math:`u_0 = f`.  A layer too thin for
    the disk sweep starts from the disk whose radius is the layer's median defocus.  An image
    without edges, and a flat (constant) layer, carry no information about their blur: they
    are left as they are, and ``status`` says so.

    References
    ----------
    .. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
           arXiv:1808.09166 (2018), section 3.2 and Fig. 5.

    Examples
    --------
    >>> from defocus_teach import all_in_focus, data
    >>> scene = data.motorcycle_scene(scale=0.25)
    >>> masks = [scene.masks[j] for j in scene.order]  # sharpest first
    >>> result = all_in_focus(scene.blurred, masks=masks, n_iter=2)
    >>> result.image.shape == scene.blurred.shape, len(result.kernels)
    (True, 2)
    """
    image = as_float_image(image, "image", channel_axis=channel_axis)
    grey = image if channel_axis is None else rgb2gray(image, channel_axis=channel_axis)
    if min(grey.shape) < MIN_SIDE:
        raise ValueError(
            f"image is {grey.shape[0]} x {grey.shape[1]} pixels; all_in_focus needs at least "
            f"{MIN_SIDE} x {MIN_SIDE} to measure blur"
        )
    if n_layers is not None:
        check_n_layers(n_layers)
    report = _reporter(progress)
    try:
        masks, defocus_map = _layers(grey, n_layers, defocus_map, masks, defocus_estimator, report)
    except NoTextureError:
        report("no edges to measure blur on: the image is left as it is")
        whole = np.ones(grey.shape, dtype=bool)
        return AllInFocusResult(
            image.copy(), [whole], [np.ones((1, 1))], None, [None], ["kept: no edges"]
        )
    radii = layer_radii(defocus_map, masks) if defocus_map is not None else None
    if len(masks) == 1:
        report("the whole image is in focus: nothing to deblur")

    output = image.copy()
    spatial = output if channel_axis is None else np.moveaxis(output, channel_axis, -1)
    kernels, layers, status = [np.ones((1, 1))], [None], ["in focus"]
    for index, mask in enumerate(masks[1:], start=1):
        if not mask.any():
            kernels.append(np.ones((1, 1)))
            layers.append(None)
            status.append("empty")
            continue
        report(f"layer {index} of {len(masks) - 1}: blind deconvolution ({mask.mean():.0%})")
        radius = radii[index] if radii is not None else None
        try:
            result = _deblur_layer(
                image, mask, index, radius, channel_axis, progress, report, solver_options
            )
        except NoTextureError:
            report(f"layer {index} is flat: left as it is")
            kernels.append(np.ones((1, 1)))
            layers.append(None)
            status.append("kept: flat layer")
            continue
        layer_image = (
            result.image if channel_axis is None else np.moveaxis(result.image, channel_axis, -1)
        )
        spatial[mask] = layer_image[mask]  # u_aif = sum_i alpha_i .* u_i
        kernels.append(result.kernel)
        layers.append(result)
        status.append("deblurred")
    report("done")
    return AllInFocusResult(output, masks, kernels, defocus_map, layers, status)


def _layers(grey, n_layers, defocus_map, masks, defocus_estimator, report):
    """The layer masks (layer 0 in focus) and the defocus map they came from, if any."""
    if defocus_map is not None:
        defocus_map = np.asarray(defocus_map, dtype=np.float64)
        if defocus_map.shape != grey.shape:
            raise ValueError(f"defocus_map must have shape {grey.shape}, got {defocus_map.shape}")
    if masks is None:
        if defocus_map is None:
            report("estimating the defocus map")
            if defocus_estimator is None:
                defocus_map = estimate_defocus_map(grey)
            else:
                defocus_map = np.asarray(defocus_estimator(grey), dtype=np.float64)
                if defocus_map.shape != grey.shape:
                    raise ValueError(
                        f"defocus_estimator returned shape {defocus_map.shape}, "
                        f"expected {grey.shape}"
                    )
        report("segmenting into layers")
        masks = segment_layers(defocus_map, n_layers)
    return _check_masks(masks, grey.shape), defocus_map


def _deblur_layer(image, mask, index, radius, channel_axis, progress, report, solver_options):
    """Alg. 2 on one layer, with progress; a layer too thin to sweep starts from the map."""
    options = dict(solver_options)
    if progress and "callback" not in options:
        total = options.get("n_iter", 20)
        options["callback"] = lambda i, kernel, u: report(
            f"layer {index}: outer iteration {i + 1} of {total}"
        )
    try:
        return blind_deconvolve(image, mask, channel_axis=channel_axis, **options)
    except LayerTooSmallError:  # no square to sweep on: start from the map's radius
        radius = max(radius, 1.0) if radius is not None else 2.0
        report(f"layer {index} is thin: starting from a disk of radius {radius:.1f}")
        options["kernel_init"] = disk(radius)
        return blind_deconvolve(image, mask, channel_axis=channel_axis, **options)

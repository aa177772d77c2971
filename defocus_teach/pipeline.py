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
from dataclasses import dataclass

import numpy as np
from skimage.color import rgb2gray

from ._validation import as_float_image, as_mask
from .blind import blind_deconvolve
from .defocus_map import estimate_defocus_map
from .errors import LayerTooSmallError
from .kernels import disk
from .segmentation import layer_radii, segment_layers

__all__ = ["all_in_focus", "AllInFocusResult"]


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
        The blind-deconvolution result of every layer (None for layer 0).
    """

    image: np.ndarray
    masks: list
    kernels: list
    defocus_map: np.ndarray | None
    layers: list


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
        Input photograph in [0, 1] (integers are converted), greyscale (H, W) or colour
        with ``channel_axis``.
    n_layers : int, optional
        Number of layers, the in-focus one included (default: chosen from the map).
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
        ``.image``, ``.masks``, ``.kernels``, ``.defocus_map`` and ``.layers``.

    Notes
    -----
    :math:`u_{aif} = \\sum_i \\alpha_i \\odot u_i` with :math:`u_0 = f`.  A layer too thin for
    the disk sweep starts from the disk whose radius is the layer's median defocus.

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
    report = _reporter(progress)
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
    masks = _check_masks(masks, grey.shape)
    radii = layer_radii(defocus_map, masks) if defocus_map is not None else None

    output = image.copy()
    spatial = output if channel_axis is None else np.moveaxis(output, channel_axis, -1)
    kernels, layers = [np.ones((1, 1))], [None]
    for index, mask in enumerate(masks[1:], start=1):
        if not mask.any():
            kernels.append(np.ones((1, 1)))
            layers.append(None)
            continue
        report(f"layer {index} of {len(masks) - 1}: blind deconvolution ({mask.mean():.0%})")
        options = dict(solver_options)
        if progress and "callback" not in options:
            total = options.get("n_iter", 20)
            options["callback"] = lambda i, kernel, u, index=index, total=total: report(
                f"layer {index}: outer iteration {i + 1} of {total}"
            )
        try:
            result = blind_deconvolve(image, mask, channel_axis=channel_axis, **options)
        except LayerTooSmallError:  # no square to sweep on: start from the map's radius
            radius = max(radii[index], 1.0) if radii is not None else 2.0
            report(f"layer {index} is thin: starting from a disk of radius {radius:.1f}")
            options["kernel_init"] = disk(radius)
            result = blind_deconvolve(image, mask, channel_axis=channel_axis, **options)
        layer_image = (
            result.image if channel_axis is None else np.moveaxis(result.image, channel_axis, -1)
        )
        spatial[mask] = layer_image[mask]  # u_aif = sum_i alpha_i .* u_i
        kernels.append(result.kernel)
        layers.append(result)
    report("done")
    return AllInFocusResult(output, masks, kernels, defocus_map, layers)

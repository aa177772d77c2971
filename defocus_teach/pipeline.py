"""The whole method: defocus map, layers, blind deconvolution per layer, composition.

Section 3.2 of the paper ("Summarization of our approach") and its Fig. 5: estimate a defocus
map, threshold it into an in-focus layer alpha_0 and defocused layers alpha_1..alpha_L, run
Alg. 2 on every defocused layer and compose the all-in-focus image

    u_aif = sum_i alpha_i .* u_i,   with u_0 = f on the in-focus layer.

(The paper reuses the symbol f for this output; we call it u_aif.)  The chapter "The whole
method" of the book runs :func:`all_in_focus` on simulated and real photographs.
"""

from __future__ import annotations

import functools
import itertools
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from skimage.color import rgb2gray

from ._layer_blend import _blend, _compose, _failed, _Layer, _trusts
from ._validation import as_float_image, as_mask
from .blind import blind_deconvolve
from .defocus_map import estimate_defocus_map
from .errors import LayerTooSmallError, NoTextureError
from .kernel_init import initial_kernel
from .kernels import disk, kernel_error
from .layer_split import core_sweep, split_by_blur
from .safeguards import delta_check, evidence_check, map_check, noise_level
from .segmentation import IN_FOCUS_RADIUS, MAX_LAYERS, check_n_layers, segment_layers
from .u_step import deconvolve

__all__ = ["all_in_focus", "AllInFocusResult", "MIN_SIDE", "MERGE_ERROR", "FAST_OPTIONS"]

#: Smallest image side accepted: the initial-kernel search needs a 32 x 32 square of a layer
#: (:mod:`defocus_teach.kernel_init`), and the default kernels are 31 x 31.
MIN_SIDE = 32
#: Two deblurred layers whose kernels differ by less than this kernel error
#: (:func:`~defocus_teach.kernels.kernel_error`) are one depth plane: they are merged.
MERGE_ERROR = 0.25
#: The solver options of ``fast=True`` (:func:`~defocus_teach.blind.blind_deconvolve`'s
#: defaults are 20, 30 and 150): fewer outer iterations of Alg. 2, fewer ADMM iterations per
#: u-step.  What they cost on the benchmark is stated in the CLI's ``--help``.
FAST_OPTIONS = {"n_iter": 8, "inner_iter": 15, "final_iter": 60}


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
        that was not deconvolved).
    status : list of str
        What was done to each layer: ``"in focus"`` (layer 0, never altered),
        ``"deblurred"``, ``"empty"``, ``"merged into layer j"``, or ``"kept: ..."`` with the
        reason the input was kept: a flat layer, or the do-no-harm check that failed, its
        value and its limit (:mod:`defocus_teach.safeguards`).
    checks : list of tuple of LayerCheck
        The do-no-harm checks run on each layer (empty when none ran).
    """

    image: np.ndarray
    masks: list
    kernels: list
    defocus_map: np.ndarray | None
    layers: list
    status: list = field(default_factory=list)
    checks: list = field(default_factory=list)


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
    do_no_harm: bool = True,
    feather: bool = True,
    fit_trust: bool | None = None,
    fast: bool = False,
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
        :data:`~defocus_teach.segmentation.MAX_LAYERS` (6).  Default: chosen from the map,
        and each defocused layer split in two where its tiles, read one by one, fall into
        two clusters of blur that the sweep confirms
        (:func:`~defocus_teach.layer_split.split_by_blur`).
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
    do_no_harm : bool, optional
        Run the checks of :mod:`defocus_teach.safeguards` on every defocused layer and keep
        the input where one fails (default True).
    feather : bool, optional
        Blend the layers with :func:`~defocus_teach.compose.compose_layers` (default True)
        instead of pasting the binary masks.
    fit_trust : bool, optional
        Weight every deblurred layer, pixel by pixel, by how well its blur model fits the
        data (:func:`~defocus_teach.compose.misfit_trust`), by how far its estimate stays
        in [0, 1] (:func:`~defocus_teach.compose.range_trust`) and by the local evidence
        that the data are blurred by its kernel
        (:func:`~defocus_teach.compose.evidence_trust`).  Default: only when the
        layers were estimated from the image (``masks`` not given): estimated layers can
        hold whole regions of sharp content, given ones only thin bands that the c term
        absorbs.
    fast : bool, optional
        Trade iterations for speed: :data:`FAST_OPTIONS` (about 3 times faster), unless
        ``solver_options`` set them.
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
    The paper composes :math:`u_{aif} = \\sum_i \\alpha_i \\odot u_i` with :math:`u_0 = f`;
    [DEVIATION] the layers are blended over about one blur radius inside each deblurred
    layer (:func:`~defocus_teach.compose.compose_layers`), so the in-focus layer is never
    altered and no seam appears where the layers meet.  Every defocused layer goes through
    the do-no-harm checks (:mod:`defocus_teach.safeguards`): before the deconvolution, a
    likelihood test of "blurred" against "sharp" and the width of the initial kernel; after
    it, the width of the estimated kernel, the values outside [0, 1] and the ringing.  A
    layer that fails one keeps the input, and ``status`` names the check.  Deblurred layers
    whose kernels agree (kernel error below :data:`MERGE_ERROR`) are merged and deconvolved
    once more with one kernel.  An automatic layer split in two
    (:func:`~defocus_teach.layer_split.split_by_blur`) one half of which fails a check before
    its deconvolution is one layer after all: the half rejoins the other (status
    ``"merged into layer j"``) and keeps the input.  Layers estimated from the image
    (``masks`` not given) take their initial kernel from their core, away from the other
    layers, when the whole layer reads more blur
    (:func:`~defocus_teach.layer_split.core_sweep`), as its edge may hold sharp pixels of
    the in-focus layer.  A layer too thin for the disk sweep starts from the disk whose
    radius is the layer's median defocus.  An image without edges, and a flat
    (constant) layer, carry no information about their blur: they are left as they are.

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
    if not isinstance(fast, bool):
        raise TypeError(f"fast must be True or False, got {fast!r}")
    if fast:
        solver_options = {**FAST_OPTIONS, **solver_options}
    estimated = masks is None
    if fit_trust is None:
        fit_trust = estimated
    try:
        masks, defocus_map, splits = _layers(
            grey, n_layers, defocus_map, masks, defocus_estimator, report
        )
    except NoTextureError:
        report("no edges to measure blur on: the image is left as it is")
        whole = np.ones(grey.shape, dtype=bool)
        return AllInFocusResult(
            image.copy(), [whole], [np.ones((1, 1))], None, [None], ["kept: no edges"], [()]
        )
    radii = None
    if defocus_map is not None:  # the median blur of every non-empty layer
        radii = [float(np.median(defocus_map[m])) if m.any() else np.nan for m in masks]
    if len(masks) == 1:
        report("the whole image is in focus: nothing to deblur")

    layers = [
        _process_layer(image, grey, mask, index, len(masks) - 1, radii, channel_axis,
                       progress, report, do_no_harm, solver_options, estimated)
        if index > 0 else _Layer("in focus")
        for index, mask in enumerate(masks)
    ]  # fmt: skip
    masks, layers = _merge_agreeing(image, masks, layers, channel_axis, report)
    deblurred = any(layer.used for layer in layers)
    noise = noise_level(grey) if fit_trust and deblurred else None
    trusts = []  # the paste (feather=False) weighs nothing
    if feather:
        trusts = _trusts(grey, masks, layers, channel_axis=channel_axis, noise=noise)
    blend = functools.partial(
        _blend, image, masks, trusts=trusts, channel_axis=channel_axis, feather=feather
    )
    if deblurred:
        report("blending the layers")
    output, layers = _compose(image, masks, layers, channel_axis, do_no_harm, blend, report)
    masks, layers = _rejoin_unconfirmed(image, masks, layers, splits, channel_axis, report)
    for index, layer in enumerate(layers[1:], start=1):
        report(f"layer {index}: {layer.status}")
    report("done")
    return AllInFocusResult(
        output,
        masks,
        [layer.result.kernel if layer.result is not None else np.ones((1, 1)) for layer in layers],
        defocus_map,
        [layer.result for layer in layers],
        [layer.status for layer in layers],
        [layer.checks for layer in layers],
    )


def _process_layer(
    image,
    grey,
    mask,
    index,
    count,
    radii,
    channel_axis,
    progress,
    report,
    do_no_harm,
    options,
    estimated=False,
) -> _Layer:
    """Checks before, blind deconvolution, checks after: the fate of one defocused layer."""
    if not mask.any():
        return _Layer("empty")
    checks = []
    if do_no_harm or estimated:
        report(f"layer {index} of {count}: testing it for blur ({mask.mean():.0%} of the image)")
        try:
            sweep = core_sweep if estimated else _whole_layer_sweep
            start, region = sweep(grey, mask)
        except LayerTooSmallError:  # too thin to sweep or to test: go on
            start, region = None, mask
        except NoTextureError:
            report(f"layer {index} is flat: left as it is")
            return _Layer("kept: flat layer")
        if region is not mask:
            report(f"layer {index}: its core reads less blur than its edge: k(0) from the core")
            options = {**options, "sweep_mask": region}
        if start is not None and do_no_harm:
            checks = [
                evidence_check(grey, mask, start.kernel),
                delta_check(start.kernel),
            ]
            reason = _failed(checks)
            if reason is not None:
                return _Layer(reason, None, tuple(checks))
    report(f"layer {index} of {count}: blind deconvolution ({mask.mean():.0%})")
    radius = radii[index] if radii is not None else None
    try:
        result = _deblur_layer(image, mask, index, radius, channel_axis, progress, report, options)
    except NoTextureError:
        report(f"layer {index} is flat: left as it is")
        return _Layer("kept: flat layer")
    if do_no_harm and radius is not None and np.isfinite(radius):
        checks.append(map_check(result.kernel, radius))
    return _Layer(_failed(checks) or "deblurred", result, tuple(checks))


def _rejoin_unconfirmed(image, masks, layers, splits, channel_axis, report):
    """Undo a split whose one half was kept before its deconvolution: it shows no blur.

    The split was made on the tiles' evidence that the halves differ; a half that then
    fails a check of its own blur (the likelihood test, a kernel close to a delta, or no
    texture) does not confirm it, so it is counted in its sibling's layer and its pixels
    keep the input, as its test requires.  The output is the blend already made: the
    layers are relabelled after it.  Deblurring the union with the sibling's kernel before
    the blend instead cost 0.43 dB on one of 24 scenes of a second held-out draw (seed
    2027), and still 0.20 dB with the half's pixels left as the input, because the union's
    trust maps differ from the sibling's near the old boundary; it gained 0.10 dB on one
    other scene.
    """
    masks, layers = list(masks), list(layers)
    for pair in splits:
        unconfirmed = [
            (half, sibling)
            for half, sibling in (pair, pair[::-1])
            if layers[half].kept and layers[half].result is None  # kept untried
            and (layers[sibling].used or layers[sibling].kept)
        ]  # fmt: skip
        if not unconfirmed:
            continue
        half, sibling = unconfirmed[0]
        report(f"layer {half} shows no blur of its own: it rejoins layer {sibling}")
        own = masks[sibling]
        masks[sibling], masks[half] = own | masks[half], np.zeros_like(own)
        if layers[sibling].used:
            blind = layers[sibling].result
            own = own if channel_axis is None else np.expand_dims(own, channel_axis)
            result = replace(blind, image=np.where(own, blind.image, image))
            layers[sibling] = replace(layers[sibling], result=result)
        layers[half] = _Layer(f"merged into layer {sibling}", None, layers[half].checks)
    return masks, layers


def _merge_agreeing(image, masks, layers, channel_axis, report):
    """Merge deblurred layers whose kernels agree (kernel error below :data:`MERGE_ERROR`).

    The union is deconvolved once more, non-blind, with the kernel of the larger layer.
    """
    masks, layers = list(masks), list(layers)
    merged = True
    while merged:
        merged = False
        used = [i for i, layer in enumerate(layers) if layer.used]
        for a, b in itertools.combinations(used, 2):
            error = kernel_error(layers[a].result.kernel, layers[b].result.kernel)
            if error >= MERGE_ERROR:
                continue
            keep, drop = (a, b) if masks[a].sum() >= masks[b].sum() else (b, a)
            union = masks[a] | masks[b]
            kernel = layers[keep].result.kernel
            report(f"layers {a} and {b} have the same kernel (error {error:.2f}): merged")
            estimate = deconvolve(image, kernel, union, channel_axis=channel_axis)
            outliers = layers[a].result.outliers + layers[b].result.outliers
            result = replace(layers[keep].result, image=estimate, outliers=outliers)
            masks[keep], masks[drop] = union, np.zeros_like(union)
            layers[keep] = _Layer("deblurred", result, layers[keep].checks)
            layers[drop] = _Layer(f"merged into layer {keep}")
            merged = True
            break
    return masks, layers


def _layers(grey, n_layers, defocus_map, masks, defocus_estimator, report):
    """The layer masks (layer 0 in focus), the defocus map they came from, if any, and the
    pairs of layers split from one (:func:`_split_layers`)."""
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
        # n_layers fixes the count, not the sharp threshold: layer 0 is what reads sharp
        focus = IN_FOCUS_RADIUS if n_layers is not None and n_layers > 1 else None
        masks = segment_layers(defocus_map, n_layers, in_focus_threshold=focus)
        if n_layers is None:
            masks, splits = _split_layers(grey, masks, report)
            return _check_masks(masks, grey.shape), defocus_map, splits
    return _check_masks(masks, grey.shape), defocus_map, []


def _whole_layer_sweep(grey, mask):
    """k(0) of a given layer: the sweep over the whole of it."""
    return initial_kernel(grey, mask), mask


def _split_layers(grey, masks, report):
    """Automatic layers: each defocused one split in two where its halves' blurs differ.

    Returns the masks and the index pairs of the layers that came from one split.
    """
    if len(masks) > 1:
        report("reading the blur of each defocused layer's two halves")
    layers, splits = [masks[0]], []
    noise = noise_level(grey) if len(masks) > 1 else None  # once, not once per layer
    for index, mask in enumerate(masks[1:], start=1):
        room = len(layers) + len(masks) - index + 1 <= MAX_LAYERS  # one more layer fits
        parts = split_by_blur(grey, mask, noise=noise) if room and mask.any() else [mask]
        if len(parts) > 1:
            report(f"layer {index}: its two halves read different blurs: split in two")
            splits.append((len(layers), len(layers) + 1))
        layers.extend(parts)
    return layers, splits


def _deblur_layer(image, mask, index, radius, channel_axis, progress, report, solver_options):
    """Alg. 2 on one layer, with progress; a layer too thin to sweep starts from the map."""
    options = dict(solver_options)
    if progress and "callback" not in options:
        total = options.get("n_iter", 20)
        options["callback"] = lambda i, kernel, u: report(
            f"layer {index}: outer iteration {i + 1} of {total}"
        )
    if progress and "progress" not in options:
        options["progress"] = lambda message: report(f"layer {index}: {message}")
    try:
        return blind_deconvolve(image, mask, channel_axis=channel_axis, **options)
    except LayerTooSmallError:  # no square to sweep on: start from the map's radius
        radius = max(radius, 1.0) if radius is not None else 2.0
        report(f"layer {index} is thin: starting from a disk of radius {radius:.1f}")
        options["kernel_init"] = disk(radius)
        return blind_deconvolve(image, mask, channel_axis=channel_axis, **options)

"""Composing the layers into the all-in-focus image, without seams (eq. (1) of the paper).

The paper composes the all-in-focus image as :math:`u_{aif} = \\sum_i \\alpha_i \\odot u_i`
with binary masks ([1], section 3.2).  Pasting binary masks leaves a seam where two layers
meet: near its boundary a layer's estimate is least reliable (the layered model mixes both
layers there, and a mask that is a few pixels off puts sharp pixels into a blurred layer),
and the deconvolution rings there first.  :func:`feather_weights` and
:func:`compose_layers` replace the hard paste by a blend that leaves the input untouched at
the boundary of the in-focus layer and reaches the deblurred estimate about one blur radius
inside the defocused layer.  The chapter "The whole method" of the book shows the seam and
the blend at 100 %.

.. rubric:: References

1. Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
   arXiv:1808.09166 (2018).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi
from skimage.morphology import disk as disk_footprint

from ._validation import as_float_image, as_mask, check_nonnegative

__all__ = [
    "feather_weights",
    "compose_layers",
    "outlier_trust",
    "misfit_trust",
    "range_trust",
    "evidence_trust",
    "DISTRUST_DENSITY",
    "DISTRUST_MISFIT",
    "DISTRUST_RANGE",
    "DISTRUST_EVIDENCE",
]

#: Local densities of outliers (:math:`c \\ne 0`) between which :func:`outlier_trust` falls
#: from 1 to 0: a correct layer has 0 to 5 % of outliers, scattered; where a mask reaches into
#: another layer they cover 30 to 85 % of the pixels (measured on the benchmark's masks).
DISTRUST_DENSITY = (0.08, 0.25)
#: Local misfit, in units of the noise level, between which :func:`misfit_trust` falls from 1
#: to 0.  On two benchmark scenes with their automatic layers, truly defocused pixels had a
#: misfit of 0.6 to 1.6 (10th to 90th percentile), in-focus pixels put into a defocused
#: layer 1.2 to 50 (median 3.4 and 16).  Over the 12 scenes, (1.5, 3.0) kept 1.27 dB of the
#: gain but cost the in-focus layer up to 20 dB; (1.0, 1.8) keeps 1.04 dB and costs it at
#: most 6 dB, on two scenes.
DISTRUST_MISFIT = (1.0, 1.8)
#: Distance of an estimate outside [0, 1] between which :func:`range_trust` falls from 1 to 0.
#: On the 12 benchmark scenes with their automatic layers, 99 % of the truly defocused pixels
#: of a deblurred layer stay within 0.22 of [0, 1] (the median scene: 0.00); the in-focus
#: pixels that the map put into it reach 0.1 to 2.7 at their 90th percentile.  Against
#: (0.1, 0.3), these limits cut the worst loss of an in-focus layer from 1.9 to 1.4 dB and
#: cost the whole image at most 0.08 dB on a scene.  Their price is on black-and-white
#: content, whose deblurred edges overshoot: skimage's horse silhouette blurred by a disk of
#: radius 4 gains 7.0 dB instead of 7.8 (7.6 with (0.1, 0.3)).
DISTRUST_RANGE = (0.05, 0.2)
#: Local blur evidence (:func:`~defocus_teach.safeguards.blur_evidence_map`) between which
#: :func:`evidence_trust` falls from 1 to 0: from 0.1 in favour of the layer's kernel to 0.1
#: against it.  See :func:`evidence_trust` for the measurements.
DISTRUST_EVIDENCE = (0.1, -0.1)


def _check_layers(masks, widths, shape) -> tuple[list[np.ndarray], np.ndarray]:
    if isinstance(masks, np.ndarray) and masks.ndim == 2:
        raise TypeError("masks must be a sequence of 2-D masks; wrap a single mask in a list")
    if not isinstance(masks, (Sequence, np.ndarray)) or len(masks) < 1:
        raise TypeError(f"masks must be a non-empty sequence of boolean arrays, got {masks!r}")
    checked = [as_mask(m, shape, f"masks[{i}]", allow_empty=True) for i, m in enumerate(masks)]
    widths = np.asarray(widths, dtype=np.float64)
    if widths.shape != (len(checked),):
        raise ValueError(
            f"widths must give one value per mask ({len(checked)}), got shape {widths.shape}"
        )
    for i, width in enumerate(widths):
        check_nonnegative(float(width), f"widths[{i}]")
    return checked, widths


def _opened(region: np.ndarray, radius: int) -> np.ndarray:
    """Morphological opening of ``region`` by a disk of ``radius`` px (no change if 0)."""
    if radius < 1:
        return region
    padded = np.pad(region, radius, mode="edge")  # the image border is not a boundary
    opened = ndi.binary_opening(padded, disk_footprint(radius))
    return opened[radius:-radius, radius:-radius] & region


def feather_weights(
    masks: Sequence[np.ndarray], widths: Sequence[float], processed: Sequence[bool]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Blend weights: how much of each deblurred layer replaces the input at every pixel.

    Parameters
    ----------
    masks : sequence of ndarray of bool
        Layer masks :math:`\\alpha_i` that partition the image.
    widths : sequence of float
        Width :math:`w_i` of the blend into each layer, in pixels (about its blur radius).
    processed : sequence of bool
        Whether layer i has a deblurred estimate; the others (the in-focus layer, and layers
        kept by a do-no-harm check) keep the input.

    Returns
    -------
    ramp : ndarray (H, W)
        :math:`\\rho(x) \\in [0, 1]`: 0 on the layers that keep the input (and on strips of
        the processed ones thinner than about their width), rising to 1 at about
        :math:`w_i` pixels inside the processed layers.
    shares : list of ndarray (H, W)
        :math:`\\pi_i(x)`, the share of layer i among the processed layers (they sum to 1 on
        the processed layers; zero arrays for the others).

    Notes
    -----
    With :math:`D = \\bigcup_{i\\ \\mathrm{processed}} \\alpha_i` and :math:`d(x)` the
    Euclidean distance from x to the nearest pixel outside D,

    .. math::

        \\rho(x) = \\min\\left(1, \\frac{d(x)}{\\bar w(x)}\\right), \\qquad
        \\pi_i = \\frac{g_s \\otimes \\alpha_i}{\\sum_j g_s \\otimes \\alpha_j},

    where :math:`\\bar w = \\sum_i \\pi_i w_i` and :math:`g_s` is a Gaussian of standard
    deviation s, half the mean width, so that two processed layers blend into each other
    over a few pixels instead of meeting at a hard edge.  [DEVIATION] the paper pastes
    binary masks.  The ramp lies entirely inside D: the pixels of layers that keep the
    input are never altered.  Before d is measured, D is opened by a disk of radius s: a
    strip of D narrower than about one blur radius (a thin in-focus object that the defocus
    map called blurred, such as a tripod leg) holds no pixel whose blur is that of its layer
    alone, and its estimate is an extrapolation; it keeps the input.  On the benchmark scene
    camera-disk3 with its automatic layers this took the in-focus layer's loss from 2.1 to
    1.4 dB and changed no other scene by more than 0.02 dB.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.compose import feather_weights
    >>> right = np.zeros((8, 16), bool); right[:, 8:] = True
    >>> ramp, shares = feather_weights([~right, right], [0, 4], [False, True])
    >>> ramp[0, 6:14].round(2).tolist()
    [0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    """
    if not masks:
        raise TypeError("masks must be a non-empty sequence of boolean arrays")
    shape = np.shape(masks[0])
    masks, widths = _check_layers(masks, widths, shape)
    processed = [bool(p) for p in processed]
    if len(processed) != len(masks):
        raise ValueError(f"processed must give one flag per mask ({len(masks)})")
    active = [i for i, p in enumerate(processed) if p and masks[i].any()]
    shares = [np.zeros(shape) for _ in masks]
    if not active:
        return np.zeros(shape), shares
    region = np.any([masks[i] for i in active], axis=0)
    sigma = 0.5 * float(np.mean([max(widths[i], 1.0) for i in active]))
    smoothed = [ndi.gaussian_filter(masks[i].astype(np.float64), sigma) for i in active]
    total = np.sum(smoothed, axis=0)
    safe = np.where(total > 0, total, 1.0)
    for i, values in zip(active, smoothed, strict=True):
        shares[i] = np.where(region, values / safe, 0.0)
    width = np.maximum(sum(shares[i] * widths[i] for i in active), 1.0)
    # Pieces of D thinner than about one blur radius are dropped from the ramp.
    core = _opened(region, int(round(sigma)))
    distance = ndi.distance_transform_edt(core)  # 1 on the boundary pixels, 0 outside
    ramp = np.where(core, np.minimum(1.0, distance / width), 0.0)
    return ramp, shares


def outlier_trust(outliers: np.ndarray, radius: float) -> np.ndarray:
    """How far a layer's estimate can be trusted, from where its outlier term is dense.

    Parameters
    ----------
    outliers : ndarray (H, W)
        The layer's outlier term c (``outliers`` of :class:`~defocus_teach.blind.BlindResult`;
        for colour, reduce over the channels first: a pixel is an outlier if any channel is).
    radius : float
        The layer's blur radius R in pixels.

    Returns
    -------
    trust : ndarray (H, W)
        :math:`\\tau(x) \\in [0, 1]`, 1 where outliers are sparse.

    Notes
    -----
    The c term marks the pixels whose data the layer's blur does not explain (eq. (5) of
    the paper); scattered ones are noise and highlights, dense ones are pixels of another
    layer inside the mask: a segmentation error.  The estimate u is an extrapolation there,
    and the input is the better guess.  With the density
    :math:`\\delta = g_R \\otimes [c \\ne 0]`,

    .. math::

        \\tau = g_{R/2} \\otimes \\left(1 - \\max_{|y| \\le R}
        \\operatorname{clip}\\left(\\frac{\\delta(x + y) - \\delta_0}
        {\\delta_1 - \\delta_0}, 0, 1\\right)\\right),

    with :math:`(\\delta_0, \\delta_1)` = :data:`DISTRUST_DENSITY`; the maximum reaches
    the ring of width R around the error that the deconvolution spreads it over.
    [DEVIATION] the paper uses c only inside the solver.  On the benchmark scenes with 3
    and 6 px mask errors this raised the band PSNR by 0.5 to 2 dB.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.compose import outlier_trust
    >>> c = np.zeros((40, 40)); c[:, :10] = 0.1  # a dense strip of outliers
    >>> trust = outlier_trust(c, 2.0)
    >>> float(trust[20, 2].round(2)), float(trust[20, 30].round(2))
    (0.0, 1.0)
    """
    flagged = np.asarray(outliers) != 0
    if flagged.ndim != 2:
        raise ValueError(f"outliers must be 2-D (H, W), got shape {flagged.shape}")
    density = ndi.gaussian_filter(flagged.astype(np.float64), max(float(radius), 1.0))
    return _trust_from(density, DISTRUST_DENSITY, radius)


def _trust_from(measure: np.ndarray, limits: tuple[float, float], radius: float) -> np.ndarray:
    """Trust falling from 1 to 0 as ``measure`` goes from ``limits[0]`` to ``limits[1]``.

    The distrust :math:`\\operatorname{clip}((m - m_0) / (m_1 - m_0), 0, 1)` is spread over
    the ring of width R (a maximum filter) and smoothed by :math:`g_{R/2}`.
    """
    radius = max(float(radius), 1.0)
    low, high = limits
    distrust = np.clip((measure - low) / (high - low), 0.0, 1.0)
    distrust = ndi.maximum_filter(distrust, size=2 * int(round(radius)) + 1)
    return np.clip(ndi.gaussian_filter(1.0 - distrust, radius / 2), 0.0, 1.0)


def misfit_trust(residual: np.ndarray, noise: float, radius: float) -> np.ndarray:
    """How far a layer's estimate can be trusted, from its local data misfit.

    Parameters
    ----------
    residual : ndarray (H, W)
        :math:`r = f - k \\otimes u`, the misfit of the layer's estimate to the data (on
        the luminance).
    noise : float
        Noise standard deviation sigma of f.
    radius : float
        The layer's blur radius R in pixels.

    Returns
    -------
    trust : ndarray (H, W)
        1 where the layer's model explains the data to the noise level, 0 where it does
        not.

    Notes
    -----
    Where the layer really is blurred by k, the deconvolution explains f to about the
    noise, :math:`m(x) = (g_2 \\otimes r^2)^{1/2} / \\sigma \\approx 1`.  Where the mask
    holds sharp content, k u cannot reproduce its detail without a u that the sparsity prior
    forbids, and m is several times larger: these pixels are not blurred by k, whatever the
    defocus map said.  The distrust :math:`\\operatorname{clip}((m - m_0) / (m_1 - m_0), 0,
    1)`, with :math:`(m_0, m_1)` = :data:`DISTRUST_MISFIT`, is spread and smoothed as in
    :func:`outlier_trust`.  [DEVIATION] not in the paper, whose layers come from a trusted
    map.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.compose import misfit_trust
    >>> residual = np.random.default_rng(0).normal(0, 0.01, (40, 40))
    >>> residual[:, :10] *= 10  # the left strip is not explained
    >>> trust = misfit_trust(residual, 0.01, 2.0)
    >>> float(trust[20, 2].round(2)), float(trust[20, 30].round(2))
    (0.0, 1.0)
    """
    residual = np.asarray(residual, dtype=np.float64)
    if residual.ndim != 2:
        raise ValueError(f"residual must be 2-D (H, W), got shape {residual.shape}")
    if not noise > 0:
        raise ValueError(f"noise must be > 0, got {noise!r}")
    misfit = np.sqrt(ndi.gaussian_filter(residual**2, 2.0)) / noise
    return _trust_from(misfit, DISTRUST_MISFIT, radius)


def range_trust(
    estimate: np.ndarray, radius: float, *, channel_axis: int | None = None
) -> np.ndarray:
    """How far a layer's estimate can be trusted, from how far it leaves [0, 1].

    Parameters
    ----------
    estimate : ndarray
        The layer's deconvolution :math:`u_i`, greyscale (H, W) or colour with
        ``channel_axis``.
    radius : float
        The layer's blur radius R in pixels.
    channel_axis : int, optional
        Colour axis of ``estimate``; a pixel is as far out as its farthest channel.

    Returns
    -------
    trust : ndarray (H, W)
        1 where the estimate stays within 0.05 of [0, 1], 0 where it leaves it by 0.2 or
        more.

    Notes
    -----
    A sharp image lies in [0, 1], and so does a correct deconvolution, up to noise and
    faint rings.  Sharp content that a wrong mask puts into a defocused layer is another
    matter: the data term forces :math:`k \\otimes u = f`, which for detail finer than k
    needs a u that swings far outside the range (values of -2 and 2.7 next to a thin
    stripe, on one benchmark scene), while the data misfit stays small, so
    :func:`misfit_trust` does not see it.  With the excess
    :math:`e(x) = \\max(u(x) - 1, -u(x), 0)`, the distrust
    :math:`\\operatorname{clip}((e - e_0) / (e_1 - e_0), 0, 1)`, with :math:`(e_0, e_1)` =
    :data:`DISTRUST_RANGE`, is spread over the ring of width R and smoothed, as in
    :func:`outlier_trust`.  [DEVIATION] not in the paper.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.compose import range_trust
    >>> u = np.full((40, 40), 0.5); u[18:23, 3:8] = 2.5  # wild values on the left
    >>> trust = range_trust(u, 2.0)
    >>> float(trust[20, 5].round(2)), float(trust[20, 30].round(2))
    (0.0, 1.0)
    """
    u = as_float_image(estimate, "estimate", channel_axis=channel_axis, check_range=False)
    excess = np.maximum(np.maximum(u - 1.0, -u), 0.0)
    if channel_axis is not None:
        excess = np.moveaxis(excess, channel_axis, -1).max(axis=-1)
    return _trust_from(excess, DISTRUST_RANGE, radius)


def evidence_trust(evidence: np.ndarray, radius: float) -> np.ndarray:
    """How far a layer's estimate can be trusted, from the local evidence that it is blurred.

    Parameters
    ----------
    evidence : ndarray (H, W)
        E(x) of :func:`~defocus_teach.safeguards.blur_evidence_map` for the layer's kernel.
    radius : float
        The layer's blur radius R in pixels.

    Returns
    -------
    trust : ndarray (H, W)
        1 where E >= 0.1, 0 where E <= -0.1 (:data:`DISTRUST_EVIDENCE`), the distrust
        spread over the ring of width R and smoothed, as in :func:`outlier_trust`.

    Notes
    -----
    The defocus map measures blur at edges and fills the rest from them; a patch of fine,
    faint texture inside a defocused region (cloth, skin, an eyelid) has no edge of its
    own and joins the defocused layer.  Deconvolving it with the layer's kernel amplifies
    its texture several times (3 to 8 on the benchmark's camera-disk3 scene, where such a
    patch of 68 px held 79 % of the in-focus layer's loss), and neither the misfit nor the
    range of the estimate shows it: k u explains f there to 1.0 to 1.3 noise levels, and u
    stays in [0, 1].  The patch's own spectrum does show it, as negative evidence for the
    kernel.  On the 12 benchmark scenes with their automatic layers, this trust took the
    worst change of an in-focus layer from -1.51 dB to -0.15 dB, and on 16 held-out scenes
    from -0.95 to -0.06 dB.  It costs mean whole-image gain (1.43 to 1.18 dB, and 0.81 to
    0.63 dB held out), most of it in a ring next to the in-focus objects, where a tile
    holds part of them.  [DEVIATION] not in the paper.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.compose import evidence_trust
    >>> evidence = np.full((40, 40), 0.5); evidence[:, :10] = -0.3  # the left strip is sharp
    >>> trust = evidence_trust(evidence, 2.0)
    >>> float(trust[20, 2].round(2)), float(trust[20, 30].round(2))
    (0.0, 1.0)
    """
    evidence = np.asarray(evidence, dtype=np.float64)
    if evidence.ndim != 2:
        raise ValueError(f"evidence must be 2-D (H, W), got shape {evidence.shape}")
    trusted, distrusted = DISTRUST_EVIDENCE
    return _trust_from(-evidence, (-trusted, -distrusted), radius)


def compose_layers(
    f: np.ndarray,
    estimates: Sequence[np.ndarray | None],
    masks: Sequence[np.ndarray],
    widths: Sequence[float],
    *,
    trust: Sequence[np.ndarray | None] | None = None,
    channel_axis: int | None = None,
) -> np.ndarray:
    """All-in-focus image from the layers' estimates, blended without seams.

    Parameters
    ----------
    f : ndarray
        Observed image, greyscale (H, W) or colour with ``channel_axis``.
    estimates : sequence of ndarray or None
        The deblurred estimate :math:`u_i` of each layer, same shape as f, or None for a
        layer that keeps the input (the in-focus layer, a layer kept by a check).
    masks : sequence of ndarray of bool
        Layer masks that partition the image.
    widths : sequence of float
        Blend width of each layer in pixels (about its blur radius).
    trust : sequence of ndarray or None, optional
        Per layer, a map :math:`\\tau_i \\in [0, 1]` of how far its estimate can be
        trusted (e.g. :func:`outlier_trust`); None or omitted: 1 everywhere.
    channel_axis : int, optional
        Colour axis of f and of the estimates.

    Returns
    -------
    image : ndarray
        :math:`u_{aif} = f + \\rho \\odot \\sum_i \\pi_i \\tau_i \\odot (u_i - f)`,
        see :func:`feather_weights`; equal to f wherever :math:`\\rho = 0`.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.compose import compose_layers
    >>> f = np.zeros((8, 16)); right = np.zeros((8, 16), bool); right[:, 8:] = True
    >>> out = compose_layers(f, [None, np.ones((8, 16))], [~right, right], [0, 2])
    >>> out[0, 6:12].tolist()
    [0.0, 0.0, 0.5, 1.0, 1.0, 1.0]
    """
    f = as_float_image(f, "f", channel_axis=channel_axis)
    if len(estimates) != len(masks):
        raise ValueError(
            f"estimates ({len(estimates)}) and masks ({len(masks)}) must have the same length"
        )
    for i, estimate in enumerate(estimates):
        if estimate is not None and np.shape(estimate) != f.shape:
            raise ValueError(
                f"estimates[{i}] must have the shape of f {f.shape}, got {np.shape(estimate)}"
            )
    trust = [None] * len(estimates) if trust is None else list(trust)
    if len(trust) != len(estimates):
        raise ValueError(f"trust must give one map (or None) per layer ({len(estimates)})")
    ramp, shares = feather_weights(masks, widths, [e is not None for e in estimates])
    spatial = f if channel_axis is None else np.moveaxis(f, channel_axis, -1)
    change = np.zeros_like(spatial)
    for estimate, share, belief in zip(estimates, shares, trust, strict=True):
        if estimate is None:
            continue
        if belief is not None:
            share = share * np.asarray(belief, dtype=np.float64)
        moved = estimate if channel_axis is None else np.moveaxis(estimate, channel_axis, -1)
        weight = share if spatial.ndim == 2 else share[..., None]
        change += weight * (moved - spatial)
    ramp = ramp if spatial.ndim == 2 else ramp[..., None]
    output = spatial + ramp * change
    return output if channel_axis is None else np.moveaxis(output, -1, channel_axis)

"""Automatic layers checked by their blur: a core for the sweep, a split where halves disagree.

The segmentation (:mod:`defocus_teach.segmentation`) thresholds the defocus map, and the map
reads texture as well as blur: a defocused layer found this way reaches a few pixels into
the in-focus layer, and one layer can hold two depth planes whose blurs the map could not
tell apart.  The paper ([1], section 3.3) takes its layers from a map it trusts; ours are
checked once more with the likelihood sweep of the initial kernel
(:func:`~defocus_teach.kernel_init.initial_kernel`), which reads the blur from the spectra
of a layer's tiles:

* :func:`core_sweep`: a layer's blur read on the whole layer and on its *core*, the pixels
  farther than :data:`CORE_MARGIN` from the other layers.  When the whole layer reads a
  blur more than :data:`DISAGREE_RATIO` times its core's, the core's is used;
* :func:`split_by_blur`: a defocused layer cut in two where its tiles, read one by one
  (:func:`tile_readings`), fall into two clusters of blur (:func:`split_halves`), kept in
  two pieces only when the sweep reads a blur on the wider piece at least
  :data:`SPLIT_RATIO` times the other's.

Both are [DEVIATION]s from the paper, used by :func:`~defocus_teach.pipeline.all_in_focus`
on the layers it estimates itself (not on masks it is given).

.. rubric:: References

1. Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
   arXiv:1808.09166 (2018).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from ._validation import as_float_image, as_mask, check_nonnegative
from .errors import LayerTooSmallError, NoTextureError
from .kernel_init import InitialKernel, _likelihood, defocus_kernel, initial_kernel
from .safeguards import _bilinear, noise_level
from .tile_spectra import _box_sum, _filled, _summed_area, radial_spectra

__all__ = [
    "CORE_MARGIN",
    "DISAGREE_RATIO",
    "SPLIT_RATIO",
    "READ_TILE",
    "READ_STRIDE",
    "READ_COVERAGE",
    "READ_RANGE",
    "MIN_SHARE",
    "TileReadings",
    "layer_core",
    "core_sweep",
    "tile_readings",
    "split_halves",
    "split_by_blur",
]

#: Width (pixels) of the band along a layer's edge that the core leaves out.  Automatic
#: layers of the benchmark meet the true ones with an IoU of about 0.85: their edges are a
#: few pixels off.  Margins of 4 to 10 px gave the same initial kernels on its 8 one-layer
#: scenes, except for one 128-px scene where 10 px left too few tiles.
CORE_MARGIN = 6

#: The core's blur replaces the layer's when the layer reads more than this many times the
#: core's radius.  Sharp content near a layer's edge makes the sweep read too *much* blur
#: (the tiles chosen are the most textured, and a sharp patch in a blurred tile is fitted
#: as a wide kernel's side lobes): on 8 one-layer benchmark scenes with automatic layers,
#: radii of 7.5, 10.25 and 12.5 px for 5, 8 and 7; their cores read 5, 8 and 7.25.
DISAGREE_RATIO = 1.25

#: A defocused layer is split when the blur radius of its blurrier half is at least this
#: many times the other's.  On the 76 scenes (see :data:`MIN_SHARE`), 1.3 and 1.5 gave
#: the same count of right splits, 1.4 one fewer.
SPLIT_RATIO = 1.5

#: Side (pixels) of the tiles :func:`tile_readings` reads one by one: 64 px holds a disk
#: of radius 14 with room for its spectrum.
READ_TILE = 64

#: Spacing (pixels) of the tiles of :func:`tile_readings`: a layer of the benchmark
#: (192 x 192 scenes) gives 20 to 80 readings.
READ_STRIDE = 16

#: Share of a tile's pixels that must lie in the layer for it to be read (the rest is
#: filled smoothly, as for the sweep's tiles).
READ_COVERAGE = 0.75

#: Readings kept for a split (px, exclusive).  On the 76 scenes of the suite and three
#: held-out draws, a tile reading 1 to 1.5 px holds in-focus content or none, and one
#: reading 12 px or more is flat: both gathered into clusters of their own that split
#: layers of one blur.
READ_RANGE = (1.5, 12.0)

#: The less weighty cluster of tile readings must hold this share of their evidence.
#: Measured on the same 76 scenes, with their automatic layers: the split was right on 63
#: with 0.2, 62 with 0.15, 60 with 0.25 and 59 with none, against 53 with halves cut from
#: the smoothed defocus map.
MIN_SHARE = 0.2

_READ_RADII = np.arange(1.0, 14.01, 0.5)
_READ_APODISATIONS = (np.inf, 0.7)  # disks and pupils
_READ_MAX_TILES = 1024  # a larger layer is read on a sparser grid
_TOP_READING = 14.0  # a half read this wide fits no blur (the sweep stops at 15 px)
_MIN_PART = 0.1  # each half of a split holds at least this share of the layer


def layer_core(mask: np.ndarray, margin: float = CORE_MARGIN) -> np.ndarray:
    """The pixels of a layer farther than ``margin`` from every pixel outside it.

    Parameters
    ----------
    mask : ndarray of bool, 2-D
        The layer alpha_i.
    margin : float, optional
        Distance in pixels (default :data:`CORE_MARGIN`).  The image's border does not
        count as outside.

    Returns
    -------
    core : ndarray of bool
        A subset of ``mask`` (all of it if ``margin`` is 0 or the layer is the whole image).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.layer_split import layer_core
    >>> mask = np.zeros((40, 40), bool); mask[:, :20] = True
    >>> core = layer_core(mask, 6)
    >>> bool(core[:, :14].all()), bool(core[:, 14:].any())
    (True, False)
    """
    shape = np.shape(mask)
    if len(shape) != 2:
        raise ValueError(f"mask must be 2-D, got shape {shape}")
    mask = as_mask(mask, shape)
    check_nonnegative(margin, "margin")
    if mask.all():
        return mask.copy()
    return mask & (ndi.distance_transform_edt(mask) > margin)


def core_sweep(
    f: np.ndarray, mask: np.ndarray, *, margin: float = CORE_MARGIN, size: int = 31
) -> tuple[InitialKernel, np.ndarray]:
    """The initial kernel of an automatic layer, read on its core when the two disagree.

    Parameters
    ----------
    f : ndarray, 2-D
        Blurred image (the luminance) in [0, 1].
    mask : ndarray of bool
        The layer.
    margin : float, optional
        Width of the band the core leaves out (:func:`layer_core`).
    size : int, optional
        Odd side of the kernel (default 31).

    Returns
    -------
    start : InitialKernel
        :func:`~defocus_teach.kernel_init.initial_kernel` of the layer, or of its core.
    region : ndarray of bool
        The pixels it was read on: ``mask`` itself, or its core.

    Raises
    ------
    LayerTooSmallError, NoTextureError
        As :func:`~defocus_teach.kernel_init.initial_kernel` on the whole layer.  A core
        too small or flat to sweep is not an error: the layer's kernel is kept.

    Notes
    -----
    With :math:`S(\\alpha)` the radius the sweep reads on a region :math:`\\alpha` (the
    chapter's notation; the map itself is :math:`R(x)`), the core's kernel is used when
    :math:`S(\\alpha_i) > \\kappa S(\\mathcal{C}_i)`, :math:`\\kappa` = :data:`DISAGREE_RATIO`.
    The rule only ever picks the *smaller* blur: an initial kernel too small leaves some
    blur, one too large rings, and the sweep's errors on automatic layers are too large
    ones.  [DEVIATION] not in the paper.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from defocus_teach import kernels, operators
    >>> from defocus_teach.layer_split import core_sweep
    >>> f = operators.blur(data.camera()[:192, :192] / 255.0, kernels.disk(4))
    >>> start, region = core_sweep(f, np.ones(f.shape, bool))
    >>> start.radius, bool(region.all())
    (4.0, True)
    """
    f = as_float_image(f, "f")
    mask = as_mask(mask, f.shape)
    start = initial_kernel(f, mask, size=size)
    core = layer_core(mask, margin)
    if core.sum() == mask.sum():
        return start, mask
    try:
        inner = initial_kernel(f, core, size=size)
    except (LayerTooSmallError, NoTextureError):
        return start, mask
    if start.radius > DISAGREE_RATIO * inner.radius:
        return inner, core
    return start, mask


@dataclass(frozen=True)
class TileReadings:
    """The blur read on each tile of a layer, one by one (:func:`tile_readings`).

    Attributes
    ----------
    rows, cols : ndarray of int
        Centres of the grid of tiles (pixels); a tile is read when it lies inside the layer.
    radius : ndarray (len(rows), len(cols))
        The radius R of the best disk or pupil (apodisation 0.7) on each tile; NaN where
        no tile was read.
    evidence : ndarray (len(rows), len(cols))
        Its gain in log marginal likelihood per frequency sample over "not blurred"
        (as :func:`~defocus_teach.safeguards.blur_evidence`); NaN where no tile was read.
    """

    rows: np.ndarray
    cols: np.ndarray
    radius: np.ndarray
    evidence: np.ndarray


def _tile_grid(shape: tuple[int, int], area: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-left corners of the grid: every READ_STRIDE px, or sparser on a large layer."""
    stride = max(READ_STRIDE, int(np.ceil(np.sqrt(area / _READ_MAX_TILES))))
    return tuple(np.arange(0, n - READ_TILE + 1, stride) for n in shape)


def tile_readings(f: np.ndarray, mask: np.ndarray, noise: float | None = None) -> TileReadings:
    """The blur of a layer read tile by tile: a radius and its evidence per tile.

    Parameters
    ----------
    f : ndarray, 2-D
        Blurred image (the luminance) in [0, 1].
    mask : ndarray of bool
        The layer.
    noise : float, optional
        Noise level sigma of f (default :func:`~defocus_teach.safeguards.noise_level`).

    Returns
    -------
    readings : TileReadings
        On a grid of :data:`READ_TILE` px tiles every :data:`READ_STRIDE` px (sparser on
        a layer of more than 1024 tiles' worth of pixels), those with at least
        :data:`READ_COVERAGE` of their pixels in the layer.

    Notes
    -----
    Each tile is scored as in the initial-kernel sweep
    (:func:`~defocus_teach.kernel_init.initial_kernel`): the negative log marginal
    likelihood of its binned periodogram under disks and pupils of radius 1 to 14 px,
    the prior's amplitude and slope fitted per tile, the noise level fixed.  Each ring of
    frequencies is summarised by its median, not its mean (``statistic="median"`` of
    :func:`~defocus_teach.tile_spectra.radial_spectra`): one tile is too little to
    average out a texture of one orientation, whose few strong frequencies in a side lobe
    of a wide kernel are better fitted by a narrower one.  On the wood grain of
    coffee-disk9 (radius 9) the mean read 4.5 to 6 px on 7 tiles, the median 8 to 10 on 5
    of them.  A tile far from the layer's edge sees only the layer's blur; the sweep's
    tiles, the 8 most textured of a whole region, mix whatever blurs that region holds.
    [DEVIATION] not in the paper.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from defocus_teach import kernels, operators
    >>> from defocus_teach.layer_split import tile_readings
    >>> sharp = data.camera()[256:448, :256] / 255.0
    >>> noise = np.random.default_rng(0).normal(0, 0.005, sharp.shape)
    >>> readings = tile_readings(operators.blur(sharp, kernels.disk(4)) + noise,
    ...                          np.ones(sharp.shape, bool))
    >>> readings.radius.shape, float(np.nanmedian(readings.radius))
    ((9, 13), 4.5)
    """
    f = as_float_image(f, "f")
    mask = as_mask(mask, f.shape)
    if noise is None:
        noise = noise_level(f)
    tops, lefts = _tile_grid(f.shape, int(mask.sum()))
    radius = np.full((len(tops), len(lefts)), np.nan)
    evidence = radius.copy()
    side = READ_TILE
    inside = _box_sum(_summed_area(mask.astype(np.float64)), tops[:, None], lefts[None, :], side)
    cover = inside / side**2
    read = np.argwhere(cover >= READ_COVERAGE)
    result = TileReadings(tops + side // 2, lefts + side // 2, radius, evidence)
    if len(read) == 0:
        return result
    filled = _filled(f, mask)
    tiles = [filled[tops[i] : tops[i] + side, lefts[j] : lefts[j] + side] for i, j in read]
    spectra = radial_spectra(tiles, noise=noise, statistic="median")
    width = side - 1 | 1
    kernels = [np.ones((1, 1))] + [
        defocus_kernel(r, a, min(2 * int(np.ceil(r)) + 1, width))
        for a in _READ_APODISATIONS
        for r in _READ_RADII
    ]
    scores = _likelihood(spectra, np.array([spectra.transfer(k) for k in kernels]))
    best = np.argmin(scores[:, 1:], axis=1)
    radius[tuple(read.T)] = np.tile(_READ_RADII, len(_READ_APODISATIONS))[best]
    evidence[tuple(read.T)] = (scores[:, 0] - scores[:, 1:].min(axis=1)) / spectra.counts.sum()
    return result


def _otsu_threshold(values: np.ndarray, weights: np.ndarray) -> float | None:
    """Otsu's threshold of ``values`` weighted by ``weights`` (all > 0): the cut of largest
    between-class variance, or None if the values are all equal."""
    order = np.argsort(values)
    values, weights = values[order], weights[order]
    cuts = np.flatnonzero(np.diff(values) > 0)  # between values[cut] and values[cut + 1]
    if len(cuts) == 0:
        return None
    weight, moment = np.cumsum(weights), np.cumsum(weights * values)
    below, above = weight[cuts], weight[-1] - weight[cuts]
    gap = moment[cuts] / below - (moment[-1] - moment[cuts]) / above
    best = cuts[int(np.argmax(below * above * gap**2))]
    return float((values[best] + values[best + 1]) / 2)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def split_halves(
    f: np.ndarray, mask: np.ndarray, noise: float | None = None, *, margin: float = CORE_MARGIN
) -> tuple[np.ndarray, np.ndarray] | None:
    """A layer cut in two where its tiles read different blurs (the candidates of
    :func:`split_by_blur`).

    Parameters
    ----------
    f : ndarray, 2-D
        Blurred image (the luminance) in [0, 1].
    mask : ndarray of bool
        The layer.
    noise : float, optional
        Noise level sigma of f (default :func:`~defocus_teach.safeguards.noise_level`).
    margin : float, optional
        The tiles are read on the layer's core (:func:`layer_core` with this margin,
        default :data:`CORE_MARGIN`); the halves cover the whole layer.

    Returns
    -------
    halves : tuple of two ndarray of bool, or None
        The pixels nearer the tiles that read less blur, and the rest of the layer; None if
        fewer than 4 tiles read a blur, if the less weighty half of the readings holds less
        than :data:`MIN_SHARE` of their evidence, if the weighted medians of the two halves
        of the readings differ by less than :data:`SPLIT_RATIO` times, or if a half would
        hold less than 10 % of the layer.

    Notes
    -----
    The tiles are read on the core because a tile at the layer's edge holds content of the
    next layer: sharp texture left in the layer by the segmentation, or let in by the
    blurred alpha of an occlusion boundary.  On coffee-disk9 (one blur, radius 9) the
    tiles along the in-focus cup read 3 to 6 px, enough for a second cluster; on the core
    they do not.

    The readings of :func:`tile_readings` with a radius in :data:`READ_RANGE` and positive
    evidence are cut at Otsu's threshold of :math:`\\log R`, each weighted by its evidence.
    Every tile votes for its side with its evidence; the votes, smoothed by a Gaussian of
    one grid step and interpolated to every pixel, give each pixel of the layer its half.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from defocus_teach import kernels, operators
    >>> from defocus_teach.layer_split import split_halves
    >>> sharp = data.camera()[256:448, :256] / 255.0
    >>> f = operators.blur(sharp, kernels.disk(3))
    >>> f[:, 128:] = operators.blur(sharp, kernels.disk(8))[:, 128:]
    >>> f += np.random.default_rng(0).normal(0, 0.005, f.shape)
    >>> low, high = split_halves(f, np.ones(f.shape, bool))
    >>> float(low[:, :96].mean().round(2)), float(high[:, 160:].mean().round(2))
    (1.0, 1.0)
    """
    f = as_float_image(f, "f")
    mask = as_mask(mask, f.shape)
    readings = tile_readings(f, layer_core(mask, margin), noise)  # layer_core checks margin
    radius, evidence = readings.radius, readings.evidence
    low, high = READ_RANGE
    usable = np.isfinite(radius) & (radius > low) & (radius < high) & (evidence > 0)
    if usable.sum() < 4:
        return None
    level, weight = np.log(radius[usable]), evidence[usable]
    threshold = _otsu_threshold(level, weight)
    if threshold is None:
        return None
    below = level < threshold
    if min(weight[below].sum(), weight[~below].sum()) < MIN_SHARE * weight.sum():
        return None
    medians = [_weighted_median(level[side], weight[side]) for side in (below, ~below)]
    if medians[1] - medians[0] < np.log(SPLIT_RATIO):  # e.g. 4 against 4.5 px: one blur
        return None
    rows, cols = _bilinear(readings.rows, f.shape[0]), _bilinear(readings.cols, f.shape[1])
    votes = []
    for side in (below, ~below):
        grid = np.zeros(radius.shape)
        grid[tuple(np.argwhere(usable)[side].T)] = weight[side]
        votes.append(rows @ ndi.gaussian_filter(grid, 1.0, mode="constant") @ cols.T)
    less = mask & (votes[0] > votes[1])
    more = mask & ~less
    if min(less.sum(), more.sum()) < _MIN_PART * mask.sum():
        return None
    return less, more


def split_by_blur(
    f: np.ndarray, mask: np.ndarray, *, margin: float = CORE_MARGIN, noise: float | None = None
) -> list[np.ndarray]:
    """A defocused layer in one piece, or in two if its halves read clearly different blurs.

    Parameters
    ----------
    f : ndarray, 2-D
        Blurred image (the luminance) in [0, 1].
    mask : ndarray of bool
        The defocused layer.
    margin : float, optional
        Core margin of the tiles that :func:`split_halves` reads and of :func:`core_sweep`.
    noise : float, optional
        Noise level sigma of f (default :func:`~defocus_teach.safeguards.noise_level`).

    Returns
    -------
    layers : list of ndarray of bool
        ``[mask]``, or two masks that partition it, the less blurred first.

    Notes
    -----
    The tiles propose the cut (:func:`split_halves`); the sweep over each half decides.
    With :math:`\\hat S^-, \\hat S^+` the radii that :func:`core_sweep` reads on the
    halves, the layer is split when :math:`\\hat S^+ \\geq \\tau \\hat S^-`,
    :math:`\\tau` = :data:`SPLIT_RATIO`, and :math:`\\hat S^+` is below the top of the
    sweep's range (a reading of 14 px or more fits a flat half, not a blur).  [DEVIATION]
    the paper thresholds the defocus map.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from defocus_teach import kernels, operators
    >>> from defocus_teach.layer_split import split_by_blur
    >>> sharp = data.camera()[:192, :192] / 255.0
    >>> f = operators.blur(sharp, kernels.disk(4))
    >>> len(split_by_blur(f, np.ones(f.shape, bool)))
    1
    """
    f = as_float_image(f, "f")
    mask = as_mask(mask, f.shape)
    halves = split_halves(f, mask, noise, margin=margin)
    if halves is None:
        return [mask]
    try:
        radii = [core_sweep(f, half, margin=margin)[0].radius for half in halves]
    except (LayerTooSmallError, NoTextureError):
        return [mask]
    if SPLIT_RATIO * radii[0] <= radii[1] < _TOP_READING:
        return list(halves)
    return [mask]

"""Layer masks from a defocus map: the alpha_i of the paper's eq. (1) (section 3.3).

The paper thresholds a defocus map into an in-focus layer and L defocused layers, and
hands each layer's binary mask alpha_i to the blind deconvolution ([1], section 3.3 and
Fig. 5).  It does not say how the thresholds are chosen; we use an absolute in-focus threshold
and multi-level Otsu [2], followed by the removal of small components.  This module provides

* :func:`choose_thresholds`: blur values that split the map (multi-Otsu, or an automatic
  choice: an in-focus threshold, then one or two defocused layers);
* :func:`segment_layers`: the masks alpha_0, alpha_1, ... that partition the image, layer 0
  the sharpest, cleaned of small components;
* :func:`layer_radii`: the median blur radius of each layer, the initial disk of a layer
  too thin for the disk sweep.

The map comes from :func:`defocus_teach.defocus_map.estimate_defocus_map`.  The chapter
"Defocus map and segmentation" of the book explains and plots these steps.

.. rubric:: References

1. Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
   arXiv:1808.09166 (2018).
2. Liao, P.-S., Chen, T.-S., Chung, P.-C. "A fast algorithm for multilevel
   thresholding." Journal of Information Science and Engineering 17(5), 713-727 (2001).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi
from skimage import filters, measure

from ._validation import as_mask, check_nonnegative, check_positive

__all__ = [
    "CLEAR_SEPARATION",
    "IN_FOCUS_RADIUS",
    "MAX_LAYERS",
    "MERGE_RATIO",
    "choose_thresholds",
    "segment_layers",
    "layer_radii",
]

#: In the automatic choice, the defocused pixels are split in two layers only when Otsu's
#: two classes explain at least this fraction of their variance (Otsu's separability eta).
CLEAR_SEPARATION = 0.8

#: Blur radius (pixels) below which the automatic choice calls a pixel in focus.  Sharp
#: edges read 0 to 1 px in :func:`~defocus_teach.defocus_map.estimate_defocus_map`, a disk
#: of radius 3 (the smallest defocus worth a deconvolution here) about 2 to 3 px.
IN_FOCUS_RADIUS = 1.5

#: Two defocused classes are kept apart only if their median radii differ by this factor.
MERGE_RATIO = 1.3

_MIN_MODE_FRACTION = 0.1  # each defocused class holds at least this share of its pixels

#: Largest number of layers (in-focus one included).  Each defocused layer costs one blind
#: deconvolution, and a photograph rarely has more depth planes worth telling apart.
MAX_LAYERS = 6

# Histogram bins of the multi-level Otsu search.  Its cost grows as nbins ** (classes - 1):
# on a 512 x 512 map, 4 classes take 0.07 s at 256 bins, while 5 classes would take seconds
# and 6 minutes, so 5 and 6 classes use 64 bins (0.03 s and 0.12 s).
_NBINS = 256
_NBINS_MANY = 64

# Blur radii closer than this (px) count as one value.  A map that is constant up to
# rounding (every pixel at the top of the estimator's range, say) has two or more distinct
# floats but no histogram of 256 finite-sized bins: Otsu cannot split it, and nor should it.
_RADIUS_RESOLUTION = 1e-6


def _distinct_values(values: np.ndarray) -> int:
    """Number of distinct radii at :data:`_RADIUS_RESOLUTION`."""
    return int(np.unique(np.round(values / _RADIUS_RESOLUTION)).size)


def _as_defocus_map(defocus_map, name: str = "defocus_map") -> np.ndarray:
    """Return the map as a finite, non-negative 2-D float64 array."""
    if isinstance(defocus_map, (str, bytes)) or defocus_map is None:
        raise TypeError(f"{name} must be a 2-D numpy array, got {type(defocus_map).__name__}")
    array = np.asarray(defocus_map)
    if array.dtype.kind not in "uif":
        raise TypeError(f"{name} must have a numeric dtype, got dtype {array.dtype}")
    if array.ndim != 2 or min(array.shape) == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {array.shape}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if array.min() < 0:
        raise ValueError(f"{name} must be >= 0 (a blur radius), got minimum {array.min()!r}")
    return array


def _separability(values: np.ndarray, thresholds: np.ndarray) -> float:
    """Otsu's eta: between-class variance over total variance (1 = perfectly separated)."""
    total = values.var()
    if total == 0:
        return 0.0
    labels = np.digitize(values, thresholds)
    counts = np.bincount(labels, minlength=thresholds.size + 1)
    sums = np.bincount(labels, weights=values, minlength=thresholds.size + 1)
    full = counts > 0
    means = sums[full] / counts[full]
    between = np.sum(counts[full] * (means - values.mean()) ** 2) / values.size
    return float(between / total)


def _otsu(values: np.ndarray, classes: int, what: str) -> np.ndarray:
    if classes == 1:
        return np.empty(0)
    distinct = _distinct_values(values)
    if distinct < classes:
        raise ValueError(
            f"cannot split {what} into {classes} classes: it has only {distinct} distinct "
            f"value(s) {_RADIUS_RESOLUTION:g} px apart"
        )
    nbins = _NBINS if classes <= 4 else _NBINS_MANY
    centres = np.atleast_1d(filters.threshold_multiotsu(values, classes=classes, nbins=nbins))
    # Otsu splits a histogram: the threshold's whole bin belongs to the lower class.  Move
    # each threshold from the bin centre to the bin's upper edge, or digitize would cut it.
    return centres + (values.max() - values.min()) / (2 * nbins)


def check_n_layers(n_layers) -> int:
    """Return ``n_layers`` if it is an integer from 1 to :data:`MAX_LAYERS`."""
    check_positive(n_layers, "n_layers", integer=True)
    if n_layers > MAX_LAYERS:
        raise ValueError(f"n_layers must be at most {MAX_LAYERS}, got {n_layers!r}")
    return int(n_layers)


def choose_thresholds(
    defocus_map: np.ndarray,
    n_layers: int | None = None,
    *,
    in_focus_threshold: float | None = None,
) -> np.ndarray:
    """Increasing blur values that split a defocus map into layers.

    Parameters
    ----------
    defocus_map : ndarray, 2-D
        Blur radius per pixel (>= 0), e.g. from
        :func:`~defocus_teach.defocus_map.estimate_defocus_map`.
    n_layers : int, optional
        Number of layers, in-focus layer included, from 1 to :data:`MAX_LAYERS` (6).
        Default: automatic, see Notes.
    in_focus_threshold : float, optional
        The first threshold: pixels blurred less than this form layer 0, and only the
        others are split by Otsu's method.  Default: :data:`IN_FOCUS_RADIUS` (1.5 px) in
        the automatic choice, none (plain multi-Otsu) when ``n_layers`` is given.

    Returns
    -------
    thresholds : ndarray, 1-D
        Strictly increasing; layer k holds ``thresholds[k-1] <= d < thresholds[k]``.

    Notes
    -----
    Multi-level Otsu ([1]_, :func:`skimage.filters.threshold_multiotsu`) chooses the
    thresholds :math:`t_1 < \\dots < t_{n-1}` that maximise the between-class variance
    :math:`\\sigma_B^2`.  Its separability :math:`\\eta = \\sigma_B^2 / \\sigma_T^2` is the
    fraction of the map's variance that the split explains.

    Automatic rule (our choice; the paper does not give one).  Whether a pixel is in focus
    is an absolute question, so Otsu alone cannot answer it (it always finds two classes,
    even in a sharp or a uniformly blurred photograph): the first threshold is
    ``in_focus_threshold``, by default :data:`IN_FOCUS_RADIUS`.  The defocused pixels
    form one layer, or two when their Otsu split at :math:`t` is clear:
    :math:`\\eta \\ge` :data:`CLEAR_SEPARATION` (0.8), each class holds at least 10 % of
    them, and the class medians differ by at least :data:`MERGE_RATIO` (1.3).  The
    thresholds are then :math:`[t_0]` or :math:`[t_0, t]`; layers may come out empty
    (:func:`segment_layers` keeps an empty layer 0 and drops the others).

    References
    ----------
    .. [1] Liao, P.-S., Chen, T.-S., Chung, P.-C. "A fast algorithm for multilevel
           thresholding." Journal of Information Science and Engineering 17(5), 713-727
           (2001).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.segmentation import choose_thresholds
    >>> two_levels = np.repeat([[0.2, 4.0]], 8, axis=0).repeat(8, axis=1)
    >>> thresholds = choose_thresholds(two_levels)
    >>> thresholds.size, bool(0.2 < thresholds[0] < 4.0)
    (1, True)
    >>> thresholds = choose_thresholds(two_levels + 2.0)  # 2.2 and 6: all defocused
    >>> thresholds.size, float(thresholds[0]), bool(2.2 < thresholds[1] < 6.0)
    (2, 1.5, True)
    """
    values = _as_defocus_map(defocus_map).ravel()
    if n_layers is not None:
        check_n_layers(n_layers)
    if in_focus_threshold is not None:
        check_positive(in_focus_threshold, "in_focus_threshold")
        if n_layers == 1:
            raise ValueError("n_layers must be >= 2 when in_focus_threshold is given")
    if n_layers is None:
        return _automatic_thresholds(values, in_focus_threshold)
    first = np.empty(0)
    if in_focus_threshold is not None:
        first = np.array([float(in_focus_threshold)])
        values = values[values >= in_focus_threshold]
        if values.size == 0:  # nothing is defocused: only the in-focus layer
            return first
    what = "the defocused part of defocus_map" if first.size else "defocus_map"
    rest = _otsu(values, n_layers - first.size, what)
    thresholds = np.concatenate([first, rest])
    return thresholds[np.r_[True, np.diff(thresholds) > 0]] if thresholds.size else thresholds


def _automatic_thresholds(values: np.ndarray, in_focus_threshold: float | None) -> np.ndarray:
    """In-focus threshold, then a split of the defocused values only if clearly bimodal."""
    first = float(IN_FOCUS_RADIUS if in_focus_threshold is None else in_focus_threshold)
    blurred = values[values >= first]
    if _distinct_values(blurred) < 2:
        return np.array([first])
    cut = _otsu(blurred, 2, "the defocused part of defocus_map")
    low, high = blurred[blurred < cut[0]], blurred[blurred >= cut[0]]
    clear = (
        _separability(blurred, cut) >= CLEAR_SEPARATION
        and min(low.size, high.size) >= _MIN_MODE_FRACTION * blurred.size
        and np.median(high) >= MERGE_RATIO * np.median(low)
    )
    return np.array([first, cut[0]]) if clear and cut[0] > first else np.array([first])


def _check_thresholds(thresholds) -> np.ndarray:
    if isinstance(thresholds, numbers.Real):
        thresholds = [thresholds]
    if not isinstance(thresholds, (Sequence, np.ndarray)) or isinstance(thresholds, str):
        raise TypeError(f"thresholds must be a sequence of numbers, got {thresholds!r}")
    array = np.asarray(thresholds)
    if array.ndim != 1 or array.dtype.kind not in "uif":
        raise ValueError(f"thresholds must be a 1-D sequence of numbers, got {thresholds!r}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"thresholds must be finite, got {thresholds!r}")
    if np.any(np.diff(array) <= 0):
        raise ValueError(f"thresholds must be strictly increasing, got {thresholds!r}")
    return array


def _merge_small_components(labels: np.ndarray, min_size: int) -> np.ndarray:
    """Give every pixel of a component smaller than ``min_size`` its nearest kept label."""
    # Connected regions of equal label (4-connectivity); +1 so that label 0 is not background.
    components = measure.label(labels + 1, background=0, connectivity=1)
    sizes = np.bincount(components.ravel())
    small = sizes[components] < min_size
    if small.all():  # keep at least the largest component
        small = components != np.argmax(sizes)
    if not small.any():
        return labels
    _, (rows, cols) = ndi.distance_transform_edt(small, return_indices=True)
    return labels[rows, cols]


def segment_layers(
    defocus_map: np.ndarray,
    n_layers: int | None = None,
    thresholds: Sequence[float] | np.ndarray | None = None,
    *,
    min_size: int = 256,
    in_focus_threshold: float | None = None,
    min_fraction: float = 0.01,
) -> list[np.ndarray]:
    """Binary layer masks alpha_i from a defocus map, sharpest layer first.

    Parameters
    ----------
    defocus_map : ndarray, 2-D
        Blur radius per pixel (>= 0), e.g. from
        :func:`~defocus_teach.defocus_map.estimate_defocus_map`.
    n_layers : int, optional
        Number of layers (>= 1), thresholds by multi-level Otsu.  Not with ``thresholds``.
    thresholds : sequence of float, optional
        Strictly increasing blur values; layer k holds
        ``thresholds[k-1] <= d < thresholds[k]``.  Not with ``n_layers``.
    min_size : int, optional
        Connected pieces of a layer smaller than this many pixels are merged into the
        neighbouring layers (default 256, a 16 x 16 patch).
    in_focus_threshold : float, optional
        Fix the first threshold (see :func:`choose_thresholds`).  Not with ``thresholds``.
    min_fraction : float, optional
        Pieces smaller than this fraction of the image are merged too (default 0.01);
        the bound is the larger of the two.  ``min_size=0, min_fraction=0`` keeps
        everything.

    Returns
    -------
    masks : list of ndarray of bool
        Masks of the map's shape that partition the image (every pixel in exactly one),
        ordered by increasing blur: ``masks[0]`` is the in-focus layer.  All are
        non-empty, except that ``masks[0]`` is kept, empty, when an in-focus threshold was
        used (the automatic choice, or ``in_focus_threshold``) and no pixel is sharper
        than it: a uniformly defocused photograph has no in-focus layer.  A sharp
        photograph gives the single mask ``masks[0]``.

    Raises
    ------
    ValueError
        For invalid input, or if ``n_layers`` is given and fewer non-empty layers remain
        after the cleaning.  With ``thresholds`` or the automatic choice, empty layers
        are dropped instead.

    Notes
    -----
    With :math:`t_0 = 0 < t_1 < \\dots < t_{L} < t_{L+1} = \\infty` and the map
    :math:`R(x)`, the masks are :math:`\\alpha_i = [t_i \\le R < t_{i+1}]`,
    :math:`i = 0, \\dots, L`, so :math:`\\sum_i \\alpha_i = 1` as eq. (1)
    of [1]_ requires.  Then every connected piece (4-connectivity) of a layer with fewer
    than max(``min_size``, ``min_fraction`` H W) pixels is removed and its pixels take the
    label of the nearest remaining pixel (:func:`scipy.ndimage.distance_transform_edt`), so
    the result is still a partition.  Deconvolving a piece smaller than the kernel is
    hopeless, and the paper's outlier term c is meant for the few pixels assigned to the
    wrong layer.

    The automatic choice is tuned for the maps of
    :func:`~defocus_teach.defocus_map.estimate_defocus_map`: on the package's 12 synthetic
    benchmark scenes and the Middlebury motorcycle, the in-focus threshold of 1.5 px finds
    the defocused region with a mean IoU of 0.86; a second defocused layer is split off
    only when the map is clearly bimodal, which these maps rarely are.

    References
    ----------
    .. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
           arXiv:1808.09166 (2018), eq. (1) and section 3.3.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.segmentation import segment_layers
    >>> radius = np.zeros((32, 32))
    >>> radius[:, 16:] = 4.0
    >>> masks = segment_layers(radius, thresholds=[2.0])
    >>> len(masks), bool(masks[0][:, :16].all() and masks[1][:, 16:].all())
    (2, True)
    """
    radius = _as_defocus_map(defocus_map)
    check_nonnegative(min_size, "min_size", integer=True)
    check_nonnegative(min_fraction, "min_fraction")
    if min_fraction >= 1:
        raise ValueError(f"min_fraction must be < 1, got {min_fraction!r}")
    if thresholds is not None:
        if n_layers is not None:
            raise ValueError("give n_layers or thresholds, not both")
        if in_focus_threshold is not None:
            raise ValueError("give in_focus_threshold or thresholds, not both")
        cuts = _check_thresholds(thresholds)
    else:
        cuts = choose_thresholds(radius, n_layers, in_focus_threshold=in_focus_threshold)

    labels = np.digitize(radius, cuts)  # alpha_k = [t_k <= d < t_{k+1}]
    smallest = max(int(min_size), int(np.ceil(min_fraction * radius.size)))
    if smallest > 1:
        labels = _merge_small_components(labels, smallest)
    masks = [labels == k for k in range(cuts.size + 1)]
    # An in-focus threshold makes layer 0 "sharper than it": kept even when empty.
    keep_first = thresholds is None and (n_layers is None or in_focus_threshold is not None)
    masks = [mask for k, mask in enumerate(masks) if mask.any() or (k == 0 and keep_first)]
    if n_layers is not None and len(masks) < n_layers:
        raise ValueError(
            f"only {len(masks)} non-empty layer(s) remain of the n_layers={n_layers} "
            f"requested; ask for fewer layers or a smaller min_size (now {min_size})"
        )
    return masks


def layer_radii(defocus_map: np.ndarray, masks: Sequence[np.ndarray]) -> list[float]:
    """Median blur radius of each layer.

    Parameters
    ----------
    defocus_map : ndarray, 2-D
        Blur radius per pixel (>= 0).
    masks : sequence of ndarray of bool
        Non-empty masks of the map's shape, e.g. from :func:`segment_layers`.

    Returns
    -------
    radii : list of float
        :math:`\\operatorname{median}\\{d(x) : \\alpha_i(x) = 1\\}` for each mask.  The
        pipeline starts a layer's kernel from a disk of this radius when the layer is too thin
        for the disk sweep; the median is robust to the map's outliers.  An empty
        ``masks[0]`` (see :func:`segment_layers`) gives NaN; other masks must be non-empty.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.segmentation import layer_radii
    >>> radius = np.zeros((8, 8))
    >>> radius[:, 4:] = 3.0
    >>> layer_radii(radius, [radius < 1, radius >= 1])
    [0.0, 3.0]
    """
    radius = _as_defocus_map(defocus_map)
    if isinstance(masks, np.ndarray) and masks.ndim == 2:
        raise TypeError("masks must be a sequence of 2-D masks; wrap a single mask in a list")
    if isinstance(masks, (str, bytes)) or not isinstance(masks, (Sequence, np.ndarray)):
        raise TypeError(f"masks must be a sequence of boolean arrays, got {type(masks).__name__}")
    if len(masks) == 0:
        raise ValueError("masks must contain at least one mask")
    radii = []
    for i, mask in enumerate(masks):
        values = radius[as_mask(mask, radius.shape, f"masks[{i}]", allow_empty=(i == 0))]
        radii.append(float(np.median(values)) if values.size else float("nan"))
    return radii

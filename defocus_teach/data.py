"""Images and synthetic scenes for the book and the tests (no downloads).

Everything here is built from images that ship inside the scikit-image wheel, so the book
and the tests run offline and deterministically.

* :func:`motorcycle_scene`: a layered defocus scene with a known answer, made from the
  left view and the ground-truth disparity map of :func:`skimage.data.stereo_motorcycle`. The
  disparity is split into 2 or 3 depth layers, each layer gets a pillbox kernel whose radius
  follows the thin-lens rule, and :func:`defocus_teach.simulate.layered_defocus` composites
  them (the paper's eq. (1), with the occlusion of each layer by the ones in front of it).  The
  image pair is the "Motorcycle" scene of the Middlebury 2014 stereo benchmark [1],
  down-sampled 4x by scikit-image.  Its scikit-image docstring credits the Middlebury authors
  and states no licence (unlike the two photographs below); cite [1] whenever you show it.
* :func:`chelsea` and :func:`coffee`: two photographs with naturally defocused
  backgrounds, for the chapters that run the method on real blur.  Both are CC0 ("no
  copyright restrictions"): Chelsea the cat by Stefan van der Walt and the coffee cup by
  Rachel Michetti (courtesy of Pikolo Espresso Bar), according to their scikit-image
  docstrings.

The chapter "The forward model" of the book introduces the motorcycle scene.

.. rubric:: References

1. Scharstein, D., Hirschmueller, H., Kitajima, Y., Krathwohl, G., Nesic, N., Wang, X.,
   Westling, P. "High-resolution stereo datasets with subpixel-accurate ground truth."
   German Conference on Pattern Recognition (GCPR 2014).
   https://vision.middlebury.edu/stereo/data/scenes2014/
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi
from skimage import color, filters, morphology, transform
from skimage import data as skdata
from skimage.util import img_as_float

from . import kernels as _kernels
from ._validation import check_positive
from .simulate import layered_defocus

__all__ = ["Scene", "motorcycle_scene", "chelsea", "coffee"]

# Label cleaning at the full 500 x 741 resolution: an opening by a disk of this radius
# removes slivers (mostly the depth ramps along object outlines), then connected pieces
# smaller than this fraction of the image are given to the surrounding layer.
_OPENING_RADIUS = 3
_MIN_PIECE_FRACTION = 0.002


@dataclass(frozen=True, eq=False)
class Scene:
    """A synthetic defocused scene with its ground truth.

    Attributes
    ----------
    sharp : ndarray
        The all-in-focus image u (float64 in [0, 1]), (H, W) or colour.
    blurred : ndarray
        The observed image f, same shape as ``sharp`` (noise not clipped).
    masks : ndarray of bool, shape (J, H, W)
        The true layer masks alpha_j, in label order; they partition the image.
    kernels : list of ndarray
        The PSF k_j of each layer (``[[1.0]]`` for the in-focus layer).
    radii : tuple of float
        The blur radius R_j of each layer in pixels (0 for the in-focus layer).
    labels : ndarray of int, shape (H, W)
        The layer of each pixel; 0 is the farthest layer (smallest disparity).
    disparity : ndarray of float, shape (H, W)
        Ground-truth disparity in pixels of the (rescaled) image, with the pixels that have
        no ground truth filled from their nearest valid neighbour.
    """

    sharp: np.ndarray
    blurred: np.ndarray
    masks: np.ndarray
    kernels: list
    radii: tuple
    labels: np.ndarray
    disparity: np.ndarray

    @property
    def order(self) -> list[int]:
        """Layer indices from the sharpest to the most blurred (the pipeline's order)."""
        return sorted(range(len(self.radii)), key=lambda j: self.radii[j])


def _fill_invalid(disparity: np.ndarray) -> np.ndarray:
    """Replace non-finite disparities (no ground truth) by the nearest valid value."""
    invalid = ~np.isfinite(disparity)  # inf in skimage 0.26 (its docstring says NaN)
    if not invalid.any():
        return disparity.astype(np.float64)
    nearest = ndi.distance_transform_edt(invalid, return_distances=False, return_indices=True)
    return disparity[tuple(nearest)].astype(np.float64)


def _depth_layers(disparity: np.ndarray, n_layers: int) -> np.ndarray:
    """Quantise disparity into blob-like layers, 0 = smallest disparity (farthest)."""
    thresholds = filters.threshold_multiotsu(disparity, classes=n_layers)
    labels = np.digitize(disparity, thresholds)
    footprint = morphology.disk(_OPENING_RADIUS)
    min_size = _MIN_PIECE_FRACTION * labels.size
    keep = np.zeros(labels.shape, dtype=bool)
    for label in range(n_layers):
        opened = morphology.opening(labels == label, footprint)
        pieces, _ = ndi.label(opened)
        sizes = np.bincount(pieces.ravel())
        large = sizes >= min_size
        large[0] = False  # background of ndi.label
        keep |= large[pieces]
    # Every removed pixel takes the label of the nearest kept pixel.
    nearest = ndi.distance_transform_edt(~keep, return_distances=False, return_indices=True)
    return labels[tuple(nearest)]


def _focus_index(focus, n_layers: int) -> int:
    if focus == "near":
        return n_layers - 1
    if focus == "far":
        return 0
    if isinstance(focus, numbers.Integral) and not isinstance(focus, bool):
        if not 0 <= focus < n_layers:
            raise ValueError(f"focus must be a layer index in 0..{n_layers - 1}, got {focus}")
        return int(focus)
    raise ValueError(f'focus must be "near", "far" or a layer index, got {focus!r}')


def motorcycle_scene(
    n_layers: int = 2,
    max_radius: float = 6.0,
    focus: str | int = "near",
    noise_sigma: float = 0.005,
    channel_axis: int | None = None,
    scale: float = 0.5,
    rng: None | int | np.random.Generator = 0,
) -> Scene:
    """A layered defocus scene from a real image and its true depth (Middlebury Motorcycle).

    Parameters
    ----------
    n_layers : int, optional
        Number of depth layers J, 2 (default) or 3.
    max_radius : float, optional
        Blur radius in pixels of the most defocused layer (> 0, default 6), at the output
        resolution.
    focus : "near", "far" or int, optional
        The layer in focus: "near" (largest disparity, default), "far" (smallest) or a
        label index (0 is the farthest layer).
    noise_sigma : float, optional
        Standard deviation of the Gaussian noise (default 0.005; 0 for none).
    channel_axis : int, optional
        None (default) for a greyscale scene (:func:`skimage.color.rgb2gray`); an axis, e.g.
        -1, for a colour scene with the channels on that axis.
    scale : float, optional
        Rescaling factor in (0, 1] applied to the 500 x 741 images first (default 0.5,
        about 250 x 370), with anti-aliasing for the image and nearest-neighbour for labels.
    rng : None, int or numpy.random.Generator, optional
        Seed or generator for the noise (default 0: the same scene every call).

    Returns
    -------
    scene : Scene
        ``sharp``, ``blurred``, ``masks``, ``kernels``, ``radii``, ``labels``,
        ``disparity`` (see :class:`Scene`).

    Notes
    -----
    Disparity d is inversely proportional to depth z (:math:`d = f_c b / z` for focal
    length :math:`f_c` and baseline b).  For a thin lens focused at depth :math:`z_f`, the
    blur-circle radius is proportional to :math:`|1/z - 1/z_f|`, hence to
    :math:`|d - d_f|`.  Each layer i gets the median disparity :math:`d_i` of its pixels and
    the radius

    .. math:: R_i = R_{max} \\frac{|d_i - d_f|}{\\max_j |d_j - d_f|},

    with an anti-aliased pillbox kernel :func:`defocus_teach.kernels.disk` of that radius.
    Layers are found by multi-level Otsu thresholds on the disparity and cleaned
    morphologically, so they are blobs rather than noise; they quantise the real depth
    (the floor, a slanted plane, ends up in one layer).  The scene itself follows the
    layered model exactly, with the occlusion-aware compositing of
    :func:`defocus_teach.simulate.layered_defocus` (label 0, the farthest, at the back).
    Pixels of the disparity map without ground truth are filled from the nearest valid
    pixel.

    References
    ----------
    .. [1] Scharstein, D. et al. "High-resolution stereo datasets with subpixel-accurate
           ground truth." GCPR 2014.

    Examples
    --------
    >>> from defocus_teach.data import motorcycle_scene
    >>> scene = motorcycle_scene(scale=0.25)
    >>> scene.sharp.shape, scene.masks.shape, scene.radii
    ((125, 185), (2, 125, 185), (6.0, 0.0))
    """
    if isinstance(n_layers, bool) or n_layers not in (2, 3):
        raise ValueError(f"n_layers must be 2 or 3, got {n_layers!r}")
    check_positive(max_radius, "max_radius")
    check_positive(scale, "scale")
    if scale > 1:
        raise ValueError(f"scale must be in (0, 1], got {scale!r}")
    focus_index = _focus_index(focus, n_layers)
    if channel_axis is not None and (
        isinstance(channel_axis, bool)
        or not isinstance(channel_axis, numbers.Integral)
        or not -3 <= channel_axis <= 2
    ):
        raise ValueError(
            f"channel_axis must be None or an axis of a 3-D image, got {channel_axis!r}"
        )

    left, _, disparity = skdata.stereo_motorcycle()
    disparity = _fill_invalid(disparity)
    labels = _depth_layers(disparity, n_layers)
    layer_disparity = np.array([np.median(disparity[labels == j]) for j in range(n_layers)])

    image = img_as_float(left) if channel_axis is not None else color.rgb2gray(left)
    if scale != 1:
        # rescale clips to the input range (clip=True), so the image stays in [0, 1].
        image = transform.rescale(
            image, scale, anti_aliasing=True, channel_axis=None if image.ndim == 2 else -1
        )
        labels = transform.rescale(
            labels, scale, order=0, anti_aliasing=False, preserve_range=True
        ).astype(np.intp)
        disparity = scale * transform.rescale(disparity, scale, anti_aliasing=True)

    # Thin lens: R_j proportional to |d_j - d_focus| (disparity ~ inverse depth).
    offsets = np.abs(layer_disparity - layer_disparity[focus_index])
    radii = tuple(float(r) for r in max_radius * offsets / offsets.max())
    psfs = [_kernels.disk(radius) for radius in radii]

    blurred, masks = layered_defocus(
        image,
        labels,
        psfs,
        noise_sigma=noise_sigma,
        rng=rng,
        channel_axis=-1 if image.ndim == 3 else None,
    )
    if channel_axis is not None:
        image = np.moveaxis(image, -1, channel_axis)
        blurred = np.moveaxis(blurred, -1, channel_axis)
    return Scene(
        sharp=image,
        blurred=blurred,
        masks=masks,
        kernels=psfs,
        radii=radii,
        labels=labels,
        disparity=disparity,
    )


def chelsea(as_gray: bool = False) -> np.ndarray:
    """Chelsea the cat (:func:`skimage.data.chelsea`), float64 in [0, 1].

    The background of this 300 x 451 photograph is out of focus.  CC0, photograph by
    Stefan van der Walt.

    Parameters
    ----------
    as_gray : bool, optional
        Return the luminance (:func:`skimage.color.rgb2gray`) instead of RGB.

    Returns
    -------
    image : ndarray, (300, 451, 3) or (300, 451)

    Examples
    --------
    >>> from defocus_teach.data import chelsea
    >>> chelsea(as_gray=True).shape
    (300, 451)
    """
    return _photo(skdata.chelsea(), as_gray)


def coffee(as_gray: bool = False) -> np.ndarray:
    """A coffee cup (:func:`skimage.data.coffee`), float64 in [0, 1].

    The background of this 400 x 600 photograph is out of focus.  CC0, photograph by
    Rachel Michetti, courtesy of Pikolo Espresso Bar.

    Parameters
    ----------
    as_gray : bool, optional
        Return the luminance (:func:`skimage.color.rgb2gray`) instead of RGB.

    Returns
    -------
    image : ndarray, (400, 600, 3) or (400, 600)

    Examples
    --------
    >>> from defocus_teach.data import coffee
    >>> coffee().shape
    (400, 600, 3)
    """
    return _photo(skdata.coffee(), as_gray)


def _photo(rgb: np.ndarray, as_gray: bool) -> np.ndarray:
    if not isinstance(as_gray, (bool, np.bool_)):
        raise TypeError(f"as_gray must be True or False, got {as_gray!r}")
    image = color.rgb2gray(rgb) if as_gray else img_as_float(rgb)
    return image.astype(np.float64, copy=False)

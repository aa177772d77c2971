"""Synthetic defocused images: the layered forward model of the paper's eq. (1).

The paper models an out-of-focus photograph as depth-ordered layers, each blurred by its own
kernel and cut out by a binary mask (eq. (1) of [1]).  This module generates such images
from one all-in-focus picture and a label map, compositing the blurred layers from back to
front so that a defocused occluder has a soft, semi-transparent edge, and provides the
helpers the evaluation needs:

* :func:`layered_defocus`: blur each layer, composite back to front, add noise;
* :func:`boundary_band`: the pixels near an occlusion boundary, where the hard-mask model
  (1) and the real, composited image differ;
* :func:`perturb_mask`: grow or shrink a mask to imitate a segmentation error (the
  situation the outlier term c of eq. (6) is meant to absorb).

The chapter "The forward model" of the book explains and plots these functions.

.. rubric:: References

1. Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
   arXiv:1808.09166 (2018).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi
from skimage import morphology

from . import operators
from ._validation import as_float_image, as_kernel, as_mask, check_nonnegative, check_positive

__all__ = ["layered_defocus", "boundary_band", "perturb_mask"]


#: Boundary rule of every blur in the simulation (no wrap-around).
BOUNDARY = "symmetric"


def _check_labels(labels, shape: tuple, n_layers: int) -> np.ndarray:
    if isinstance(labels, (str, bytes)) or labels is None:
        raise TypeError(f"labels must be an integer numpy array, got {type(labels).__name__}")
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must have an integer dtype, got dtype {labels.dtype}")
    if labels.shape != tuple(shape):
        raise ValueError(
            f"labels must have the image's spatial shape {tuple(shape)}, got {labels.shape}"
        )
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= n_layers:
        raise ValueError(
            f"labels must take values in 0..{n_layers - 1} (one per kernel), "
            f"got values in {low}..{high}"
        )
    return labels


def _check_kernels(kernels, shape: tuple) -> list[np.ndarray]:
    if isinstance(kernels, np.ndarray) and kernels.ndim == 2:
        raise TypeError("kernels must be a sequence of 2-D kernels, one per layer, got one array")
    if not isinstance(kernels, (Sequence, np.ndarray)) or isinstance(kernels, (str, bytes)):
        raise TypeError(f"kernels must be a sequence of 2-D arrays, got {type(kernels).__name__}")
    if len(kernels) == 0:
        raise ValueError("kernels must hold at least one kernel")
    checked = []
    for j, kernel in enumerate(kernels):
        checked.append(as_kernel(kernel, f"kernels[{j}]", image_shape=shape, psf=True))
    return checked


def _check_order(order, n_layers: int) -> list[int]:
    if order is None:
        return list(range(n_layers))
    if isinstance(order, (str, bytes)):
        raise TypeError(f"order must be a sequence of labels, got {order!r}")
    order = list(order)
    if not all(isinstance(j, numbers.Integral) and not isinstance(j, bool) for j in order):
        raise TypeError(f"order must hold integer labels, got {order!r}")
    if sorted(int(j) for j in order) != list(range(n_layers)):
        raise ValueError(
            f"order must be a permutation of 0..{n_layers - 1} (back to front), got {order!r}"
        )
    return [int(j) for j in order]


def _composite(sharp: np.ndarray, labels: np.ndarray, kernels: list, order: list) -> np.ndarray:
    """Back-to-front premultiplied-alpha compositing of one 2-D channel."""
    back = order[0]
    composite = operators.blur(sharp, kernels[back], boundary=BOUNDARY)  # C_1 = k_1 * u
    for label in order[1:]:
        alpha = (labels == label).astype(np.float64)  # a_j, sharp-domain coverage
        kernel = kernels[label]
        blurred_alpha = operators.blur(alpha, kernel, boundary=BOUNDARY)  # k_j * a_j
        layer = operators.blur(alpha * sharp, kernel, boundary=BOUNDARY)  # k_j * (a_j u)
        composite = composite * (1.0 - blurred_alpha) + layer  # C_j
    return composite


def layered_defocus(
    sharp: np.ndarray,
    labels: np.ndarray,
    kernels: Sequence[np.ndarray],
    noise_sigma: float = 0.0,
    rng: None | int | np.random.Generator = None,
    channel_axis: int | None = None,
    order: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Blur an all-in-focus image layer by layer, with occlusion, and add noise (eq. (1)).

    Parameters
    ----------
    sharp : ndarray, (H, W) or (H, W, 3) with ``channel_axis``
        The all-in-focus image u, float in [0, 1] (integer images are converted as
        :func:`skimage.util.img_as_float` does).
    labels : ndarray of int, shape (H, W)
        The layer of each pixel of ``sharp``, values ``0..J-1``.
    kernels : sequence of J ndarrays
        The PSF k_j of each label: 2-D, odd sides, nonnegative, sum 1, not larger than the
        image.  ``[[1.0]]`` leaves a layer in focus.
    noise_sigma : float, optional
        Standard deviation of the additive white Gaussian noise n (>= 0, default 0).
    rng : None, int or numpy.random.Generator, optional
        Seed or generator for the noise, passed to :func:`numpy.random.default_rng`.
    channel_axis : int, optional
        Axis of the colour channels; every channel is blurred with the same kernels.
    order : sequence of int, optional
        The labels from back (farthest) to front.  Default ``range(J)``: label 0 is the
        farthest layer and the last label occludes all others.

    Returns
    -------
    blurred : ndarray, same shape as ``sharp``
        The observed image f.  The noise is **not** clipped, so values may leave [0, 1]
        slightly: clipping would bias the noise and break the model.
    masks : ndarray of bool, shape (J, H, W)
        The true visible masks :math:`\\alpha_j` in label order, ``masks[j] = labels == j``.
        They partition the image.

    Notes
    -----
    The paper's model (1) is the hard-mask sum

    .. math:: f = \\sum_{i=0}^{L} \\alpha_i \\odot (k_i \\otimes u_i) + n .

    A defocused occluder, however, spreads its own colour over the layer behind it and
    hides that layer with a blurred, semi-transparent silhouette.  We therefore composite
    with premultiplied alpha from back to front, as a camera would record the scene.  With
    the layers listed from the back as :math:`i_0, i_1, \\dots, i_L` (``order``),
    :math:`u_i = u` for every layer, the coverage :math:`a_i = 1[\\text{labels} = i]` of a
    front layer and :math:`a_{i_0} = 1` everywhere for the back layer:

    .. math::

        C_0 &= k_{i_0} \\otimes u , \\\\
        C_m &= C_{m-1} \\odot (1 - k_{i_m} \\otimes a_{i_m})
               + k_{i_m} \\otimes (a_{i_m} \\odot u) , \\quad m = 1, \\dots, L , \\\\
        f &= C_L + n .

    Away from the occlusion boundaries (farther than the kernel's radius) this equals
    model (1) exactly; in a band of about the blur radius around them it differs, and that
    mismatch is what the paper's outlier term c has to absorb.  Use :func:`boundary_band`
    to select that band.

    Boundary: every blur extends the image by mirror symmetry (``boundary="symmetric"`` of
    :func:`defocus_teach.operators.blur`), so no content wraps around from the opposite
    edge.  This is a simulation choice, not a claim about real cameras: pixels within a
    kernel radius of the image edge see a reflected scene.

    References
    ----------
    .. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
           arXiv:1808.09166 (2018), eq. (1).

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.simulate import layered_defocus
    >>> sharp = data.camera()[::4, ::4] / 255.0
    >>> labels = np.zeros(sharp.shape, dtype=int)
    >>> labels[40:90, 30:100] = 1  # a rectangle in front, in focus
    >>> blurred, masks = layered_defocus(sharp, labels, [disk(4), disk(0)], 0.005, rng=0)
    >>> blurred.shape, masks.shape, bool(np.all(masks.sum(axis=0) == 1))
    ((128, 128), (2, 128, 128), True)
    """
    sharp = as_float_image(sharp, "sharp", channel_axis=channel_axis)
    channels_last = sharp if channel_axis is None else np.moveaxis(sharp, channel_axis, -1)
    shape = channels_last.shape[:2]
    kernels = _check_kernels(kernels, shape)
    n_layers = len(kernels)
    labels = _check_labels(labels, shape, n_layers)
    check_nonnegative(noise_sigma, "noise_sigma")
    order = _check_order(order, n_layers)

    if channel_axis is None:
        blurred = _composite(sharp, labels, kernels, order)
    else:
        planes = [
            _composite(channels_last[..., c], labels, kernels, order)
            for c in range(channels_last.shape[-1])
        ]
        blurred = np.moveaxis(np.stack(planes, axis=-1), -1, channel_axis)
    if noise_sigma > 0:
        generator = np.random.default_rng(rng)
        blurred = blurred + noise_sigma * generator.standard_normal(blurred.shape)  # n
    masks = labels[None, :, :] == np.arange(n_layers)[:, None, None]
    return blurred, masks


def _labels_from(masks_or_labels) -> np.ndarray:
    """An integer label map from labels (H, W), one mask (H, W) or a partition (J, H, W)."""
    array = np.asarray(masks_or_labels)
    if array.ndim == 2:
        if array.dtype == bool:
            return array.astype(np.intp)
        if array.dtype.kind not in "iu":
            raise TypeError(
                f"masks_or_labels must be integer labels or boolean masks, got dtype {array.dtype}"
            )
        return array
    if array.ndim == 3:
        if array.dtype != bool:
            raise TypeError(
                f"masks_or_labels of shape {array.shape} must be boolean masks (J, H, W), "
                f"got dtype {array.dtype}"
            )
        counts = array.sum(axis=0)
        if not np.all(counts == 1):
            raise ValueError(
                "masks_or_labels must partition the image (exactly one True per pixel); "
                f"{int(np.count_nonzero(counts != 1))} pixels are covered 0 or >= 2 times"
            )
        return np.argmax(array, axis=0)
    raise ValueError(
        "masks_or_labels must be labels (H, W), a mask (H, W) or masks (J, H, W), "
        f"got shape {array.shape}"
    )


def boundary_band(masks_or_labels: np.ndarray, width: float) -> np.ndarray:
    """Pixels within ``width`` pixels of a boundary between two layers.

    Parameters
    ----------
    masks_or_labels : ndarray
        Integer labels (H, W), a single boolean mask (H, W) (two layers: the mask and the
        rest) or boolean masks (J, H, W) that partition the image.
    width : float
        Half-width w of the band in pixels (> 0).

    Returns
    -------
    band : ndarray of bool, shape (H, W)
        True where the Euclidean distance to the nearest pixel of another layer is at most
        ``width``.  Neighbouring pixels are 1 apart, so ``width=1`` selects the pixels on
        both sides of each boundary.  The image edge is not a boundary.

    Notes
    -----
    This is the set :math:`B_w = \\{x : \\operatorname{dist}(x, \\partial\\alpha) \\le w\\}`,
    computed with :func:`scipy.ndimage.distance_transform_edt`; scoring PSNR on it isolates
    the ringing and segmentation errors at layer boundaries.  With
    w equal to the blur radius it covers the pixels where the occlusion-aware image of
    :func:`layered_defocus` differs from the hard-mask model (1).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.simulate import boundary_band
    >>> labels = np.zeros((5, 8), dtype=int)
    >>> labels[:, 4:] = 1
    >>> boundary_band(labels, 2)[0].astype(int)
    array([0, 0, 1, 1, 1, 1, 0, 0])
    """
    labels = _labels_from(masks_or_labels)
    check_positive(width, "width")
    distance = np.full(labels.shape, np.inf)
    for label in np.unique(labels):
        inside = labels == label
        if inside.all():
            continue  # a single layer has no boundary
        # Distance from each pixel of this layer to the nearest pixel of any other layer.
        distance[inside] = ndi.distance_transform_edt(inside)[inside]
    return distance <= width


def perturb_mask(mask: np.ndarray, pixels: int) -> np.ndarray:
    """Grow or shrink a mask by a disk, to imitate a segmentation error.

    Parameters
    ----------
    mask : ndarray of bool, shape (H, W)
        The mask alpha (need not be connected; must select at least one pixel).
    pixels : int
        Radius of the disk footprint: dilate when > 0, erode when < 0, copy when 0.

    Returns
    -------
    perturbed : ndarray of bool, shape (H, W)
        The dilated or eroded mask (possibly empty after a large erosion).

    Notes
    -----
    Morphological dilation/erosion by :func:`skimage.morphology.disk` of radius
    ``abs(pixels)``.  Pixels outside the image do not take part (``mode="ignore"``), so an
    erosion does not eat the mask away from the image edge.  The difference
    ``perturbed ^ mask`` is the erroneous region :math:`\\delta\\alpha` of the paper's
    eq. (5), where the outlier term c should act; perturbing a true mask thus tests c.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.simulate import perturb_mask
    >>> mask = np.zeros((9, 9), dtype=bool)
    >>> mask[4, 4] = True
    >>> int(perturb_mask(mask, 1).sum()), int(perturb_mask(perturb_mask(mask, 2), -2).sum())
    (5, 1)
    """
    shape = np.shape(mask)
    if len(shape) != 2:
        raise ValueError(f"mask must be 2-D, got shape {shape}")
    mask = as_mask(mask, shape, "mask")
    if isinstance(pixels, bool) or not isinstance(pixels, numbers.Integral):
        raise TypeError(f"pixels must be an integer radius, got {pixels!r}")
    if pixels == 0:
        return mask.copy()
    footprint = morphology.disk(abs(int(pixels)), dtype=bool)
    if pixels > 0:
        return morphology.dilation(mask, footprint, mode="ignore")
    return morphology.erosion(mask, footprint, mode="ignore")

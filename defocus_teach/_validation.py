"""Input checks shared by the public functions of :mod:`defocus_teach`.

Every public entry point validates its arguments once, here, and raises a
``TypeError`` or ``ValueError`` whose message names the argument, the value it
got and what was expected.  Inner loops never re-validate.
"""

from __future__ import annotations

import numbers

import numpy as np
from skimage.util import img_as_float

__all__ = [
    "RANGE_TOLERANCE",
    "KERNEL_SUM_TOLERANCE",
    "as_float_image",
    "as_kernel",
    "as_mask",
    "check_channel_axis",
    "check_positive",
    "check_nonnegative",
    "check_odd_size",
]


def _describe(array: np.ndarray) -> str:
    return f"array of shape {array.shape} and dtype {array.dtype}"


#: Float images may stray this far outside [0, 1] (noise around black and white): a noisy
#: observation of a scene with saturated regions and noise sigma = 0.02 has 5-sigma excursions
#: of 0.1.  Anything further out is another convention (0..255, HDR) and is refused.
RANGE_TOLERANCE = 0.1

_CONVERTED_INTEGERS = (np.dtype(np.uint8), np.dtype(np.uint16))


def _check_integer_dtype(array: np.ndarray, name: str) -> None:
    """Only uint8 and uint16 have an agreed mapping to [0, 1] (255 and 65535 are white)."""
    if array.dtype in _CONVERTED_INTEGERS:
        return
    low, high = (int(array.min()), int(array.max())) if array.size else (0, 0)
    raise TypeError(
        f"{name} has integer dtype {array.dtype} (values {low}..{high}); only uint8 and "
        "uint16 images are converted to [0, 1] (by 255 and 65535).  Convert it yourself, e.g. "
        f"{name}.astype(float) / 255 for 8-bit values or / 65535 for 16-bit ones"
    )


def _check_range(array: np.ndarray, name: str) -> None:
    low, high = float(array.min()), float(array.max())
    if low < -RANGE_TOLERANCE or high > 1.0 + RANGE_TOLERANCE:
        raise ValueError(
            f"{name} has values in [{low:.4g}, {high:.4g}]; expected an image in [0, 1] "
            f"(up to {RANGE_TOLERANCE} outside, for noise).  Rescale it explicitly, e.g. "
            f"{name} / 255 for 8-bit values, or skimage.exposure.rescale_intensity({name}, "
            "out_range=(0.0, 1.0)) to stretch its range"
        )


def as_float_image(
    image,
    name: str = "image",
    *,
    channel_axis: int | None = None,
    allow_color: bool = True,
    check_range: bool = True,
) -> np.ndarray:
    """Return ``image`` as a finite float64 array, converting integers like skimage.

    uint8 and uint16 images are rescaled to [0, 1] exactly as
    :func:`skimage.util.img_as_float` does (by 255 and 65535); booleans become 0 and 1;
    any other integer type is refused with a ``TypeError`` that says how to convert it.
    Float images are kept as they are (never clipped or rescaled); they must be finite and,
    with ``check_range`` (default), lie in [0, 1] up to ``RANGE_TOLERANCE``.  With
    ``channel_axis`` the image must be 3-D with 3 channels on that axis; without it, 2-D.
    """
    if isinstance(image, (str, bytes)) or image is None:
        raise TypeError(f"{name} must be a numpy array, got {type(image).__name__}")
    try:
        array = np.asarray(image)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular array: {exc}") from None
    if array.dtype == bool:
        array = array.astype(np.float64)
    elif array.dtype.kind not in "uif":
        raise TypeError(f"{name} must have a numeric dtype, got {_describe(array)}")
    if channel_axis is None:
        if array.ndim != 2:
            hint = " (pass channel_axis=-1 for a colour image)" if array.ndim == 3 else ""
            raise ValueError(f"{name} must be a 2-D greyscale image, got {_describe(array)}{hint}")
    else:
        if not allow_color:
            raise ValueError(f"{name} must be greyscale here; channel_axis must be None")
        channel_axis = check_channel_axis(channel_axis)
        if array.ndim != 3:
            raise ValueError(
                f"{name} must be 3-D with channel_axis={channel_axis}, got {_describe(array)}"
            )
        n_channels = array.shape[channel_axis]
        if n_channels != 3:
            extra = " (drop the alpha channel of an RGBA image first)" if n_channels == 4 else ""
            raise ValueError(
                f"{name} must have 3 channels on axis {channel_axis}, got {n_channels}{extra}"
            )
    if min(array.shape) == 0:
        raise ValueError(f"{name} must not be empty, got {_describe(array)}")
    if array.dtype.kind in "ui":
        _check_integer_dtype(array, name)
    array = img_as_float(array).astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if check_range:
        _check_range(array, name)
    return array


def check_channel_axis(channel_axis) -> int:
    """Return ``channel_axis`` if it is an integer axis of a 3-D colour image (-3 to 2)."""
    if isinstance(channel_axis, bool) or not isinstance(channel_axis, numbers.Integral):
        raise TypeError(
            f"channel_axis must be an integer axis (e.g. -1) or None, got {channel_axis!r}"
        )
    if not -3 <= channel_axis <= 2:
        raise ValueError(
            f"channel_axis must be an axis of a 3-D colour image (-3 to 2) or None, "
            f"got {channel_axis!r}"
        )
    return int(channel_axis)


#: A blur kernel must sum to 1 within this tolerance (float32 round-off is far smaller).
KERNEL_SUM_TOLERANCE = 1e-4


def as_kernel(
    kernel, name: str = "kernel", *, image_shape: tuple | None = None, psf: bool = False
) -> np.ndarray:
    """Return ``kernel`` as a finite 2-D float64 array with odd sides.

    If ``image_shape`` is given the kernel may not be larger than the image.  With ``psf``
    the kernel must be a blur kernel (a point-spread function): nonnegative, not all zero
    and summing to 1 within ``KERNEL_SUM_TOLERANCE``.  It is never normalised silently:
    the error says how (``kernel / kernel.sum()``).
    """
    if isinstance(kernel, (str, bytes)) or kernel is None:
        raise TypeError(f"{name} must be a 2-D numpy array, got {type(kernel).__name__}")
    try:
        array = np.asarray(kernel)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular array: {exc}") from None
    if array.dtype.kind not in "uifb":
        raise TypeError(f"{name} must have a numeric dtype, got {_describe(array)}")
    array = array.astype(np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got {_describe(array)}")
    if array.shape[0] % 2 == 0 or array.shape[1] % 2 == 0:
        raise ValueError(f"{name} must have odd sides so that it has a centre, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if image_shape is not None and (
        array.shape[0] > image_shape[0] or array.shape[1] > image_shape[1]
    ):
        raise ValueError(
            f"{name} of shape {array.shape} is larger than the image of shape {tuple(image_shape)}"
        )
    if psf:
        _check_psf(array, name)
    return array


def _check_psf(array: np.ndarray, name: str) -> None:
    """A blur kernel: nonnegative, nonzero, unit sum."""
    if array.min() < 0:
        raise ValueError(
            f"{name} has negative entries (minimum {array.min():.4g}); a blur kernel is "
            "nonnegative (kernels.project_feasible gives the nearest one that is)"
        )
    total = float(array.sum())
    if total == 0:
        raise ValueError(f"{name} is all zeros; a blur kernel sums to 1 (e.g. kernels.disk(3))")
    if abs(total - 1.0) > KERNEL_SUM_TOLERANCE:
        raise ValueError(
            f"{name} sums to {total:.6g}; a blur kernel sums to 1 (pass {name} / {name}.sum())"
        )


def as_mask(mask, shape: tuple, name: str = "mask", *, allow_empty: bool = False) -> np.ndarray:
    """Return ``mask`` as a boolean array of ``shape`` (``None`` means all True)."""
    if mask is None:
        return np.ones(shape, dtype=bool)
    array = np.asarray(mask)
    if array.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {array.shape}")
    if array.dtype != bool:
        if array.dtype.kind not in "uif":
            raise TypeError(f"{name} must be boolean, got dtype {array.dtype}")
        values = np.unique(array)
        if not np.all(np.isin(values, (0, 1))):
            raise ValueError(f"{name} must be binary (0/1 or bool), got values {values[:5]}...")
        array = array.astype(bool)
    if not allow_empty and not array.any():
        raise ValueError(f"{name} is empty: it selects no pixel")
    return array


def check_positive(value, name: str, *, integer: bool = False):
    """Return ``value`` if it is a finite number > 0 (an int when ``integer``)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def check_nonnegative(value, name: str, *, integer: bool = False):
    """Return ``value`` if it is a finite number >= 0 (an int when ``integer``)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def check_odd_size(size, name: str = "size") -> int:
    """Return ``size`` if it is an odd positive integer."""
    check_positive(size, name, integer=True)
    if size % 2 == 0:
        raise ValueError(f"{name} must be odd so that the kernel has a centre, got {size}")
    return int(size)

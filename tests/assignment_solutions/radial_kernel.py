"""Reference solution of the assignment "radial" (not shipped to students)."""

from __future__ import annotations

import numbers

import numpy as np

from defocus_teach.kernels import project_simplex

__all__ = ["DEFAULT_WIDTH", "ring_labels", "radial_projection"]

DEFAULT_WIDTH = 0.5


def _check_width(width) -> float:
    if isinstance(width, bool) or not isinstance(width, numbers.Real) or not width > 0:
        raise ValueError(f"width must be a positive number, got {width!r}")
    return float(width)


def ring_labels(size: int, width: float = DEFAULT_WIDTH) -> np.ndarray:
    """Ring index rint(distance to the centre / width) of every pixel (see the starter)."""
    if (
        isinstance(size, bool)
        or not isinstance(size, numbers.Integral)
        or size < 1
        or size % 2 == 0
    ):
        raise ValueError(f"size must be a positive odd integer, got {size!r}")
    width = _check_width(width)
    centre = size // 2
    rows, cols = np.indices((size, size))
    return np.rint(np.hypot(rows - centre, cols - centre) / width).astype(np.intp)


def radial_projection(kernel: np.ndarray, width: float = DEFAULT_WIDTH) -> np.ndarray:
    """Projection onto kernels constant on rings, nonnegative, of sum 1 (see the starter)."""
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1] or kernel.shape[0] % 2 == 0:
        raise ValueError(f"kernel must be square with an odd side, got shape {kernel.shape}")
    if not np.all(np.isfinite(kernel)):
        raise ValueError("kernel contains NaN or infinite values")
    labels = ring_labels(kernel.shape[0], width)
    # Orthogonal projection onto R_w: the mean of every ring (labels made consecutive).
    _, ring = np.unique(labels, return_inverse=True)
    ring = ring.reshape(labels.shape)
    means = np.bincount(ring.ravel(), weights=kernel.ravel()) / np.bincount(ring.ravel())
    # The simplex projection max(k - tau, 0) keeps equal entries equal, so it stays in R_w
    # and is the projection onto the intersection.
    return project_simplex(means[ring])

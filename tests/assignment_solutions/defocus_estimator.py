"""Reference solution of the assignment "defocus" (not shipped to students).

Gradient ratio at Canny edges (Zhuo & Sim 2011), then a normalised Gaussian convolution to
spread the sparse estimates: a simpler propagation than the package's guided filter.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi
from skimage import feature

__all__ = ["estimate_blur_map"]

_GRADIENT_SIGMA = 1.0  # derivative-of-Gaussian scale of both gradients
_REBLUR_SIGMA = 1.0  # sigma_0 of the re-blur
_SPREAD_SIGMA = 8.0  # width of the normalised convolution, px
_DISK_PER_SIGMA = 1.25  # disk radius / measured Gaussian sigma, fitted on blurred steps


def estimate_blur_map(grey: np.ndarray, max_blur: float = 15.0) -> np.ndarray:
    grey = np.asarray(grey, dtype=np.float64)
    if grey.ndim != 2 or min(grey.shape) < 16:
        raise ValueError(f"grey must be a 2-D image of at least 16 x 16, got {grey.shape}")
    if not np.all(np.isfinite(grey)):
        raise ValueError("grey contains NaN or infinite values")
    if not max_blur > 0:
        raise ValueError(f"max_blur must be positive, got {max_blur!r}")

    edges = feature.canny(grey, sigma=1.0, low_threshold=0.02, high_threshold=0.05)
    if not edges.any():  # nothing to measure: call everything sharp
        return np.zeros(grey.shape)
    # Gradient ratio R = |grad f| / |grad (g_0 * f)| = sqrt(s^2 + s0^2) / s at an edge
    # of total Gaussian width s (image blur and gradient smoothing together).
    sharp = ndi.gaussian_gradient_magnitude(grey, _GRADIENT_SIGMA)
    soft = ndi.gaussian_gradient_magnitude(
        ndi.gaussian_filter(grey, _REBLUR_SIGMA), _GRADIENT_SIGMA
    )
    ratio = sharp[edges] / np.maximum(soft[edges], 1e-12)
    total = _REBLUR_SIGMA / np.sqrt(np.maximum(ratio**2 - 1.0, 1e-12))
    sigma = np.sqrt(np.maximum(total**2 - _GRADIENT_SIGMA**2, 0.0))
    radius = np.minimum(_DISK_PER_SIGMA * sigma, max_blur)

    # Normalised convolution: a Gaussian-weighted mean of the nearby edge estimates.
    values = np.zeros(grey.shape)
    values[edges] = radius
    weight = ndi.gaussian_filter(edges.astype(np.float64), _SPREAD_SIGMA, mode="reflect")
    spread = ndi.gaussian_filter(values, _SPREAD_SIGMA, mode="reflect")
    fallback = float(np.median(radius))  # far from every edge
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(weight > 1e-6, spread / weight, fallback)
    return np.clip(mean, 0.0, max_blur)

"""The k-step: kernel update by projected gradient, eq. (9) and Alg. 1 of the paper.

Given the sharp layer u_i and the outlier term c_i, the kernel solves

    min_k  1/2 || alpha .* (u * k) - alpha .* f - c ||^2 + lam2 ||k||_F^2   s.t.  k in Omega,

a quadratic over the feasible set Omega of eq. (4) (symmetric, low rank, nonnegative, sum 1).
Alg. 1 of the paper takes gradient steps followed by the projection P_Omega of eq. (10)
(:func:`defocus_teach.kernels.project_feasible`).  Its step-size rule eta_{n+1} = eta_n/(n+1)
shrinks factorially and freezes after a few steps, so we use a constant step 1/L with FISTA
momentum and adaptive restart instead (METHOD.md section 5, [DEVIATION]).

The chapter "Kernel update by projected gradient" of the book explains the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from scipy import fft

from ._validation import (
    as_float_image,
    as_kernel,
    as_mask,
    check_nonnegative,
    check_odd_size,
    check_positive,
)
from .kernels import RANK_RATIO, disk, pad_kernel, project_feasible
from .operators import psf2otf

__all__ = ["estimate_kernel", "default_lam2", "paper_lam2"]

_WORKERS = -1
_POWER_ITERATIONS = 20
_LIPSCHITZ_SAFETY = 1.05
_BETA = 0.05  # scale of the data-driven lam2 rule (METHOD.md section 7)


def paper_lam2(initial_kernel: np.ndarray) -> float:
    """The paper's rule lam2 = (-50 ||k0||_F + 15) * 1e5 (section 4.1), taken literally.

    Examples
    --------
    >>> from defocus_teach.kernels import disk
    >>> round(paper_lam2(disk(5)) / 1e5, 2)
    9.57
    """
    return (-50.0 * float(np.linalg.norm(initial_kernel)) + 15.0) * 1e5


def default_lam2(f: np.ndarray, mask: np.ndarray, initial_kernel: np.ndarray) -> float:
    """Data-scaled lam2 = beta * s(k0) * N_alpha * Var_alpha(f) (METHOD.md section 7).

    Parameters
    ----------
    f : ndarray, 2-D
        Observed image.
    mask : ndarray of bool
        The layer's region alpha.
    initial_kernel : ndarray
        The initial kernel k(0).

    Returns
    -------
    lam2 : float
        With :math:`s(k_0) = \\max(15 - 50\\|k_0\\|_F, 1) / 10` and :math:`\\beta = 0.05`.

    Notes
    -----
    The paper's formula :func:`paper_lam2` has no workable scale on [0, 1] images: it is
    100 to 1000 times too large, and negative for kernels smaller than about 2 px.  This
    rule keeps its monotone dependence on the blur size through s(k0) and scales with the
    size of the data term, N_alpha Var_alpha(f) [DEVIATION].

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> f = np.random.default_rng(0).random((64, 64))
    >>> default_lam2(f, np.ones((64, 64), bool), disk(5)) > 0
    True
    """
    strength = max(15.0 - 50.0 * float(np.linalg.norm(initial_kernel)), 1.0) / 10.0
    values = f[mask]
    return _BETA * strength * values.size * float(values.var())


def _blur_spectrum(kernel: np.ndarray, u_spectrum: np.ndarray, shape: tuple) -> np.ndarray:
    return fft.irfft2(u_spectrum * psf2otf(kernel, shape), s=shape, workers=_WORKERS)


def _correlate_window(residual: np.ndarray, u_spectrum: np.ndarray, size: int) -> np.ndarray:
    """sum_x residual(x) u(x - s) for s in the size x size window around lag 0."""
    spectrum = np.conj(u_spectrum) * fft.rfft2(residual, workers=_WORKERS)
    correlation = fft.irfft2(spectrum, s=residual.shape, workers=_WORKERS)
    half = size // 2
    rows = np.arange(-half, half + 1) % residual.shape[0]
    cols = np.arange(-half, half + 1) % residual.shape[1]
    return correlation[np.ix_(rows, cols)]


def _derivatives(image: np.ndarray) -> list[np.ndarray]:
    """Forward differences along both axes on the periodic grid."""
    return [np.roll(image, -1, axis=0) - image, np.roll(image, -1, axis=1) - image]


def _pair_weights(weight: np.ndarray) -> list[np.ndarray]:
    """A difference is data only where both of its pixels are."""
    return [weight * np.roll(weight, -1, axis=0), weight * np.roll(weight, -1, axis=1)]


def _data_channels(u, weight, target, domain):
    """(u, weight, target) triples whose squared residuals form the data term."""
    if domain == "intensity":
        return [(u, weight, target)]
    weights = _pair_weights(weight)
    targets = [w * d for w, d in zip(weights, _derivatives(target), strict=True)]
    return list(zip(_derivatives(u), weights, targets, strict=True))


def _lipschitz(channels, size: int, lam2: float, rng) -> float:
    """Largest curvature of the k-step objective along sum-zero kernel directions.

    Every iterate sums to one, so only directions v with sum(v) = 0 matter; along them
    v * u = v * (u - mean), which removes the huge DC eigenvalue (METHOD.md section 5).
    """
    spectra = []
    for u, weight, _ in channels:
        spectra.append((fft.rfft2(u - u[weight > 0].mean(), workers=_WORKERS), weight))
    shape = channels[0][0].shape
    v = rng.standard_normal((size, size))
    value = 0.0
    for _ in range(_POWER_ITERATIONS):
        v -= v.mean()
        v /= np.linalg.norm(v)
        hv = sum(
            _correlate_window(weight * _blur_spectrum(v, spectrum, shape), spectrum, size)
            for spectrum, weight in spectra
        )
        value = float(np.vdot(v, hv))
        v = hv
    return _LIPSCHITZ_SAFETY * value + 2.0 * lam2


def _kernel_fista(
    channels: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    kernel: np.ndarray,
    lam2: float,
    projection: Callable[[np.ndarray], np.ndarray],
    max_iter: int,
    tol: float,
    seed: int = 0,
) -> np.ndarray:
    """FISTA on eq. (9); each channel (u, alpha, alpha .* f + c) adds a data term."""
    size = kernel.shape[0]
    shape = channels[0][0].shape
    spectra = [(fft.rfft2(u, workers=_WORKERS), w, t) for u, w, t in channels]
    step = 1.0 / _lipschitz(channels, size, lam2, np.random.default_rng(seed))
    previous = kernel = projection(kernel)
    momentum = 1.0
    for _ in range(max_iter):
        next_momentum = (1.0 + np.sqrt(1.0 + 4.0 * momentum**2)) / 2.0
        point = kernel + ((momentum - 1.0) / next_momentum) * (kernel - previous)
        gradient = 2.0 * lam2 * point  # g(k) = sum_x r(x) u(x - s) + 2 lam2 k(s)
        otf = psf2otf(point, shape)
        for spectrum, weight, target in spectra:
            blurred = fft.irfft2(spectrum * otf, s=shape, workers=_WORKERS)
            gradient += _correlate_window(weight * blurred - target, spectrum, size)
        candidate = projection(point - step * gradient)  # Alg. 1: x = k - eta g(k); P_Omega
        if np.vdot(gradient, candidate - kernel) > 0:  # adaptive restart (O'Donoghue-Candes)
            next_momentum = 1.0
        previous, kernel, momentum = kernel, candidate, next_momentum
        change = np.linalg.norm(kernel - previous) / max(np.linalg.norm(previous), 1e-12)
        if change < tol:
            break
    return kernel


def make_projection(
    symmetric: bool = True, low_rank: bool = True, rank_ratio: float = RANK_RATIO
) -> Callable[[np.ndarray], np.ndarray]:
    """The projection P_Omega with the given constraints switched on or off."""
    return partial(project_feasible, ratio=rank_ratio, symmetric=symmetric, low_rank=low_rank)


def estimate_kernel(
    f: np.ndarray,
    u: np.ndarray,
    mask: np.ndarray | None = None,
    outliers: np.ndarray | None = None,
    lam: float | None = None,
    size: int = 31,
    init: np.ndarray | None = None,
    symmetric: bool = True,
    low_rank: bool = True,
    rank_ratio: float = RANK_RATIO,
    max_iter: int = 100,
    tol: float = 1e-4,
    *,
    projection: Callable[[np.ndarray], np.ndarray] | None = None,
    domain: str = "gradient",
) -> np.ndarray:
    """Estimate the defocus kernel from a blurred image and a sharp estimate: eq. (9).

    Parameters
    ----------
    f : ndarray, 2-D
        Blurred image in [0, 1].
    u : ndarray, 2-D
        Sharp estimate of the same shape.
    mask : ndarray of bool, optional
        Region alpha used as data (default: whole image).  Pixels closer than the kernel
        radius to the image border are left out, since k * u needs u beyond them.
    outliers : ndarray, optional
        Outlier term c; the data become alpha .* f + c.
    lam : float, optional
        Weight lam2 of ||k||_F^2.  Default :func:`default_lam2` with the initial kernel.
    size : int, optional
        Odd side of the kernel support (default 31, the paper's).
    init : ndarray, optional
        Initial kernel k(0) (padded to ``size``).  Default: a disk of radius size/4.
    symmetric, low_rank : bool, optional
        Constraints of Omega to enforce (both on by default; off for the ablations).
    rank_ratio : float, optional
        Singular-value ratio of the adaptive rank r0 (default 1/30).
    max_iter : int, optional
        Maximum number of projected-gradient iterations (default 100).
    tol : float, optional
        Stop when the relative change of k is below ``tol`` (default 1e-4).
    projection : callable, optional
        Replaces P_Omega: called as ``projection(kernel)`` and must return a kernel of the
        same shape.  ``symmetric``, ``low_rank`` and ``rank_ratio`` are then ignored.

    Returns
    -------
    kernel : ndarray of shape (size, size)
        The estimate, in Omega (or in the range of ``projection``).

    Notes
    -----
    Minimises

    .. math::

        \\Gamma(k) = \\tfrac12\\|\\alpha \\odot (u \\otimes k) - \\alpha \\odot f - c\\|^2
        + \\lambda_2 \\|k\\|_F^2

    over :math:`k \\in \\Omega` by Alg. 1 of the paper with two
    changes [DEVIATION]: the step is 1/L, where L is the largest curvature along sum-zero
    directions (20 power iterations), and FISTA momentum with adaptive restart speeds it up.
    The gradient is :math:`g(k)(s) = \\sum_x r(x)\\, u(x - s) + 2 \\lambda_2 k(s)` with the
    residual :math:`r = \\alpha \\odot (k \\otimes u) - \\alpha \\odot f - c`.

    References
    ----------
    .. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
           arXiv:1808.09166 (2018), eq. (9) and Alg. 1.
    .. [2] Beck, A., Teboulle, M. "A fast iterative shrinkage-thresholding algorithm for
           linear inverse problems." SIAM J. Imaging Sci. 2(1) (2009).
    .. [3] O'Donoghue, B., Candes, E. "Adaptive restart for accelerated gradient schemes."
           Found. Comput. Math. 15 (2015).

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from defocus_teach import estimate_kernel, kernels, operators
    >>> sharp = data.camera()[100:228, 200:328] / 255.0
    >>> blurred = operators.blur(sharp, kernels.disk(3))
    >>> k = estimate_kernel(blurred, sharp, size=15, init=kernels.disk(2))
    >>> bool(kernels.kernel_error(k, kernels.disk(3)) < 0.1)
    True
    """
    f = as_float_image(f, "f")
    u = as_float_image(u, "u")
    if u.shape != f.shape:
        raise ValueError(f"u must have the shape of f {f.shape}, got {u.shape}")
    size = check_odd_size(size, "size")
    if size > min(f.shape):
        raise ValueError(f"size {size} is larger than the image of shape {f.shape}")
    mask = as_mask(mask, f.shape)
    check_positive(max_iter, "max_iter", integer=True)
    check_positive(tol, "tol")
    init = disk(size / 4.0, size) if init is None else pad_kernel(as_kernel(init, "init"), size)
    # Leave out pixels whose neighbourhood k * u leaves the frame.
    half = size // 2
    inner = np.zeros_like(mask)
    inner[half : f.shape[0] - half, half : f.shape[1] - half] = True
    mask = mask & inner
    if not mask.any():
        raise ValueError("mask has no pixel farther than the kernel radius from the border")
    lam = default_lam2(f, mask, init) if lam is None else check_nonnegative(lam, "lam")
    if projection is None:
        projection = make_projection(symmetric, low_rank, rank_ratio)
    elif not callable(projection):
        raise TypeError(f"projection must be callable, got {type(projection).__name__}")
    target = np.where(mask, f + (0.0 if outliers is None else outliers), 0.0)
    channels = _data_channels(u, mask.astype(np.float64), target, domain)
    return _kernel_fista(channels, init, lam, projection, max_iter, tol)

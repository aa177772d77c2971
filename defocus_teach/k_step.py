"""The k-step: kernel update by projected gradient, eq. (9) and Alg. 1 of the paper.

Given the sharp layer u_i and the outlier term c_i, the kernel solves

    min_k  1/2 || alpha .* (u * k) - alpha .* f - c ||^2 + lam2 ||k||_F^2   s.t.  k in Omega,

a quadratic over the feasible set Omega of eq. (4) (symmetric, low rank, nonnegative, sum 1).
Alg. 1 of the paper takes gradient steps followed by the projection P_Omega of eq. (10)
(:func:`defocus_teach.kernels.project_feasible`).  Its step-size rule eta_{n+1} = eta_n/(n+1)
gives eta_n = eta_0 / n!, whose total length is at most e * eta_0, so the kernel freezes
after a few steps; we use a constant step 1/L with FISTA momentum and adaptive restart
instead [DEVIATION].

The chapter "Kernel update by projected gradient" of the book explains the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from ._threads import single_threaded_blas
from ._validation import (
    as_float_image,
    as_kernel,
    as_mask,
    check_nonnegative,
    check_odd_size,
    check_positive,
)
from .kernels import RANK_RATIO, disk, pad_kernel, project_feasible

__all__ = ["estimate_kernel", "default_lam2", "paper_lam2"]

_LIPSCHITZ_SAFETY = 1.05
_MAX_ROWS_SYMMETRIC = 40_000  # data pixels used for G in the 136-column orbit basis
_MAX_ROWS_PIXEL = 20_000  # ... and in the 961-column pixel basis (no symmetry)
_CHUNK = 4096  # rows of the design matrix built at once
_BETA = 0.01  # scale of the data-driven lam2 rule, tuned on synthetic scenes (the blind loop)


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
    """Data-scaled lam2 = beta * s(k0) * N_alpha * Var_alpha(f), our replacement for the paper's.

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
        With :math:`s(k_0) = \\max(15 - 50\\|k_0\\|_F, 1) / 10` and :math:`\\beta = 0.01`.

    Notes
    -----
    The paper's formula :func:`paper_lam2` has no workable scale on [0, 1] images: it is 100 to
    1000 times too large, and negative for kernels smaller than about 2 px.  This rule keeps
    its monotone dependence on the blur size through s(k0) and scales with the size of the data
    term, N_alpha Var_alpha(f) [DEVIATION; see the book's chapter *Where we depart from the
    paper*].

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


def _orbits(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Orbit index of every kernel pixel under D4, and each orbit's size m_j."""
    half = size // 2
    offsets = np.abs(np.arange(size) - half)
    low = np.minimum.outer(offsets, offsets)
    high = np.maximum.outer(offsets, offsets)
    _, index, counts = np.unique(low * size + high, return_inverse=True, return_counts=True)
    return index.reshape(size, size), counts.astype(np.float64)


@dataclass(frozen=True)
class _NormalEquations:
    """G = B^T B and b = B^T y of the k-step's least squares, in a kernel basis.

    Column j of B is u * (basis kernel j) sampled at the data pixels: a shifted copy of u
    (pixel basis) or the sum of the 8 (or fewer) shifted copies of one D4 orbit.
    """

    gram: np.ndarray
    rhs: np.ndarray
    orbit_index: np.ndarray | None  # None: pixel basis
    orbit_size: np.ndarray | None


def _fold(patches: np.ndarray, half: int) -> np.ndarray:
    """Sum every patch over D4 into its quadrant: out[a, b] = sum of the orbit of (a, b)."""
    rows = patches[:, half:, :].copy()
    rows[:, 1:, :] += patches[:, half - 1 :: -1, :]  # offsets -1..-h onto +1..+h
    quadrant = rows[:, :, half:].copy()
    quadrant[:, :, 1:] += rows[:, :, half - 1 :: -1]
    folded = quadrant + quadrant.transpose(0, 2, 1)  # the transpose; diagonal counted twice
    diagonal = np.arange(half + 1)
    folded[:, diagonal, diagonal] /= 2.0
    return folded


def _normal_equations(u, weight, target, size, symmetric, max_rows, seed=0):
    rows, cols = np.nonzero(weight)
    scale = 1.0
    if rows.size > max_rows:  # a seeded subsample of the data pixels keeps G cheap;
        scale = rows.size / max_rows  # rescaled, it estimates the full data term
        keep = np.sort(np.random.default_rng(seed).choice(rows.size, max_rows, replace=False))
        rows, cols = rows[keep], cols[keep]
    half = size // 2
    orbit_index, orbit_size = _orbits(size) if symmetric else (None, None)
    if symmetric:  # where each orbit (a <= b) sits in the folded quadrant
        upper_rows, upper_cols = np.triu_indices(half + 1)
        order = np.argsort(orbit_index[half + upper_rows, half + upper_cols])
        upper_rows, upper_cols = upper_rows[order], upper_cols[order]
    # Row x of B holds u(x - s) for every kernel offset s: the patch around x, flipped.
    windows = np.lib.stride_tricks.sliding_window_view(u, (size, size))
    n_columns = orbit_size.size if symmetric else size * size
    gram, rhs = np.zeros((n_columns, n_columns)), np.zeros(n_columns)
    for start in range(0, rows.size, _CHUNK):
        r, c = rows[start : start + _CHUNK], cols[start : start + _CHUNK]
        patches = windows[r - half, c - half][:, ::-1, ::-1]
        if symmetric:
            design = _fold(patches, half)[:, upper_rows, upper_cols]
        else:
            design = patches.reshape(r.size, -1)
        gram += design.T @ design
        rhs += design.T @ target[r, c]
    return _NormalEquations(scale * gram, scale * rhs, orbit_index, orbit_size)


def _lipschitz(system: _NormalEquations, lam2: float) -> float:
    """Largest curvature along kernel directions that keep the sum (exact, from G).

    Every iterate sums to one, so only sum-zero directions matter; leaving out the
    constant direction removes the huge DC eigenvalue, about 100 times the largest of the
    others for the 512 x 512 camera image and a 31 x 31 kernel in the pixel basis.
    """
    if system.orbit_size is None:
        hessian = system.gram
        constant = np.ones(hessian.shape[0])
    else:  # orthonormal orbit coordinates: theta_j * sqrt(m_j)
        scale = 1.0 / np.sqrt(system.orbit_size)
        hessian = system.gram * np.outer(scale, scale)
        constant = np.sqrt(system.orbit_size)
    constant /= np.linalg.norm(constant)
    complement = np.eye(hessian.shape[0]) - np.outer(constant, constant)
    largest = np.linalg.eigvalsh(complement @ hessian @ complement)[-1]
    return _LIPSCHITZ_SAFETY * float(largest) + 2.0 * lam2


def _data_gradient(system: _NormalEquations, kernel: np.ndarray) -> np.ndarray:
    """Gradient of 1/2 ||B k - y||^2 on the kernel grid (symmetrised in the orbit basis)."""
    if system.orbit_index is None:
        return (system.gram @ kernel.ravel() - system.rhs).reshape(kernel.shape)
    # k is symmetric: its orbit values theta are read at one pixel per orbit; the k-space
    # gradient projected onto O is theta-gradient / m_j, spread over each orbit.
    theta = np.bincount(system.orbit_index.ravel(), kernel.ravel()) / system.orbit_size
    gradient = (system.gram @ theta - system.rhs) / system.orbit_size
    return gradient[system.orbit_index]


def _kernel_pga(
    system: _NormalEquations,
    kernel: np.ndarray,
    lam2: float,
    projection: Callable[[np.ndarray], np.ndarray],
    max_iter: int,
    tol: float,
    anchor: np.ndarray | None = None,
) -> np.ndarray:
    """Alg. 1 with a 1/L step and FISTA momentum on the normal equations of eq. (9).

    With an ``anchor`` k_ref the energy prior is lam2 ||k - k_ref||^2 instead of lam2 ||k||^2.
    """
    step = 1.0 / _lipschitz(system, lam2)
    centre = 0.0 if anchor is None else anchor
    previous = kernel = projection(kernel)
    momentum = 1.0
    for _ in range(max_iter):
        next_momentum = (1.0 + np.sqrt(1.0 + 4.0 * momentum**2)) / 2.0
        point = kernel + ((momentum - 1.0) / next_momentum) * (kernel - previous)
        gradient = _data_gradient(system, point) + 2.0 * lam2 * (point - centre)  # g(k)
        candidate = projection(point - step * gradient)  # Alg. 1: x = k - eta g(k); P_Omega
        if np.vdot(gradient, candidate - kernel) > 0:  # adaptive restart (O'Donoghue-Candes)
            next_momentum = 1.0
        previous, kernel, momentum = kernel, candidate, next_momentum
        change = np.linalg.norm(kernel - previous) / max(np.linalg.norm(previous), 1e-12)
        if change < tol:
            break
    return kernel


def kernel_step(
    u, weight, target, kernel, lam2, projection, symmetric, max_iter, tol, anchor=None
):
    """The k-step on grid arrays (used by the blind loop): build G once, then iterate."""
    max_rows = _MAX_ROWS_SYMMETRIC if symmetric else _MAX_ROWS_PIXEL
    system = _normal_equations(u, weight, target, kernel.shape[0], symmetric, max_rows)
    return _kernel_pga(system, kernel, lam2, projection, max_iter, tol, anchor)


def make_projection(
    symmetric: bool = True, low_rank: bool = True, rank_ratio: float = RANK_RATIO
) -> Callable[[np.ndarray], np.ndarray]:
    """The projection P_Omega with the given constraints switched on or off."""
    return partial(project_feasible, ratio=rank_ratio, symmetric=symmetric, low_rank=low_rank)


@single_threaded_blas
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
    max_iter: int = 500,
    tol: float = 1e-6,
    *,
    projection: Callable[[np.ndarray], np.ndarray] | None = None,
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
        Initial kernel k(0), nonnegative and summing to 1 (padded to ``size``).  Default:
        a disk of radius size/4.
    symmetric, low_rank : bool, optional
        Constraints of Omega to enforce (both on by default; off for the ablations).
    rank_ratio : float, optional
        Singular-value ratio of the adaptive rank r0 (default 1/30).
    max_iter : int, optional
        Maximum number of projected-gradient iterations (default 500; each is cheap).
    tol : float, optional
        Stop when the relative change of k is below ``tol`` (default 1e-6).
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

    over :math:`k \\in \\Omega` by Alg. 1 of the paper with two changes [DEVIATION]:
    the step is :math:`1/\\gamma`, where :math:`\\gamma` is the largest curvature along
    sum-zero directions (the Lipschitz constant of the gradient), and FISTA
    momentum with adaptive restart speeds it up (the paper's step rule shrinks factorially
    and freezes after a few steps).  The gradient is
    :math:`g(k)(s) = \\sum_x r(x)\\, u(x - s) + 2 \\lambda_2 k(s)` with the residual
    :math:`r = \\alpha \\odot (k \\otimes u) - \\alpha \\odot f - c`.

    The data term is a least-squares problem :math:`\\tfrac12\\|B k - y\\|^2` whose columns
    are shifted copies of u; its normal equations :math:`G = B^T B`, :math:`B^T y` are built
    once, in the basis of the 136 D4 orbits of a 31 x 31 kernel when the kernel is symmetric
    (961 pixels otherwise, from a seeded subsample of at most 20,000 data pixels).  Each
    iteration then costs a small matrix product, so hundreds of iterations are cheap and L
    is computed exactly.

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
    u = as_float_image(u, "u", check_range=False)
    if u.shape != f.shape:
        raise ValueError(f"u must have the shape of f {f.shape}, got {u.shape}")
    size = check_odd_size(size, "size")
    if size > min(f.shape):
        raise ValueError(f"size {size} is larger than the image of shape {f.shape}")
    mask = as_mask(mask, f.shape)
    check_positive(max_iter, "max_iter", integer=True)
    check_positive(tol, "tol")
    init = (
        disk(size / 4.0, size)
        if init is None
        else pad_kernel(as_kernel(init, "init", psf=True), size)
    )
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
    elif callable(projection):
        symmetric = False  # a custom projection gets the general (pixel) basis
    else:
        raise TypeError(f"projection must be callable, got {type(projection).__name__}")
    target = np.where(mask, f + (0.0 if outliers is None else outliers), 0.0)
    return kernel_step(u, mask, target, init, lam, projection, symmetric, max_iter, tol)

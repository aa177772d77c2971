"""Defocus kernels and the kernel feasible set Omega (paper section 3.1, eqs. (4) and (10)).

The paper [1] constrains the defocus kernel k_i to the set

    Omega = {k : sum k = 1, k >= 0, rank(k) <= r0, k in O},

where O holds the matrices that are unchanged by transposition and by row and column flips
(the dihedral group D4 of the square).  This module provides

* the parametric kernels of the paper's Fig. 4: :func:`gaussian`, :func:`disk` (the pillbox)
  and :func:`gaussian_pupil`;
* the paper's rank rule, :func:`effective_rank` (singular values >= 1/30 of the largest) and the
  Eckart-Young truncation :func:`low_rank`;
* :func:`symmetrize`, the orthogonal projection onto O (the average over D4);
* :func:`project_simplex` (k >= 0, sum k = 1) and :func:`project_feasible`, the operator
  P_Omega of eq. (10): symmetry, then low rank, then the simplex, repeated until the
  rank holds;
* :func:`pad_kernel` and :func:`kernel_error`, to compare kernels of different sizes.

The chapters "Kernel rank" and "Symmetry" of the book explain these steps.

.. rubric:: References

1. Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
   arXiv:1808.09166 (2018).
"""

from __future__ import annotations

import numpy as np

from ._validation import as_kernel, check_nonnegative, check_odd_size, check_positive

__all__ = [
    "gaussian",
    "disk",
    "gaussian_pupil",
    "effective_rank",
    "low_rank",
    "symmetrize",
    "project_simplex",
    "project_feasible",
    "pad_kernel",
    "kernel_error",
]

#: The paper's rank rule: keep singular values >= 1/30 of the largest (footnote 2).
RANK_RATIO = 1.0 / 30.0

_SUPERSAMPLING = 64  # sub-pixels per side for the anti-aliased (area-weighted) disk
_MAX_ROUNDS = 20  # rounds of rank truncation + simplex projection in project_feasible


def _centred_coordinates(size: int) -> tuple[np.ndarray, np.ndarray]:
    centre = (size - 1) / 2
    offsets = np.arange(size) - centre
    return np.meshgrid(offsets, offsets, indexing="ij")


def _default_size(radius: float) -> int:
    return 2 * int(np.ceil(radius)) + 1


def gaussian(sigma: float, size: int) -> np.ndarray:
    """Isotropic Gaussian kernel, normalised to sum 1.

    Parameters
    ----------
    sigma : float
        Standard deviation in pixels (> 0).
    size : int
        Odd side length of the square kernel.

    Returns
    -------
    kernel : ndarray of shape (size, size)
        Nonnegative, sums to 1, centred at index ``(size // 2, size // 2)``.

    Notes
    -----
    The kernel is the outer product :math:`G = g g^T` of a sampled 1-D Gaussian, so its
    rank is exactly 1 (the paper's Fig. 4a).

    Examples
    --------
    >>> from defocus_teach.kernels import gaussian, effective_rank
    >>> kernel = gaussian(9, 27)
    >>> kernel.shape, float(round(kernel.sum(), 12)), effective_rank(kernel)
    ((27, 27), 1.0, 1)
    """
    check_positive(sigma, "sigma")
    size = check_odd_size(size, "size")
    offsets = np.arange(size) - (size - 1) / 2
    profile = np.exp(-(offsets**2) / (2.0 * sigma**2))
    kernel = np.outer(profile, profile)  # G = g g^T, rank 1
    return kernel / kernel.sum()


def _disk_support(radius: float, size: int, antialias: bool) -> np.ndarray:
    """Unnormalised disk: area fraction of each pixel inside the circle, or 0/1 at centres."""
    if not antialias:
        rows, cols = _centred_coordinates(size)
        return (rows**2 + cols**2 <= radius**2).astype(np.float64)
    # Area of the pixel square [x - 1/2, x + 1/2] x [y - 1/2, y + 1/2] inside the circle:
    # 1 or 0 for pixels wholly inside or outside, and for the pixels the circle crosses the
    # fraction of a regular 64 x 64 grid of sub-pixel centres that falls inside.
    rows, cols = _centred_coordinates(size)
    near = np.hypot(np.maximum(np.abs(rows) - 0.5, 0), np.maximum(np.abs(cols) - 0.5, 0))
    far = np.hypot(np.abs(rows) + 0.5, np.abs(cols) + 0.5)
    area = (far <= radius).astype(np.float64)
    crossed = (near < radius) & (far > radius)
    sub = (np.arange(_SUPERSAMPLING) + 0.5) / _SUPERSAMPLING - 0.5
    sub_rows = rows[crossed][:, None, None] + sub[None, :, None]
    sub_cols = cols[crossed][:, None, None] + sub[None, None, :]
    area[crossed] = np.mean(sub_rows**2 + sub_cols**2 <= radius**2, axis=(1, 2))
    return area


def _check_disk_fits(radius: float, size: int, antialias: bool) -> None:
    """Refuse a size that would cut the disk (the kernel would be a truncated, wrong one)."""
    # An area-weighted disk reaches the pixels whose square it enters (|x| - 1/2 < R); a
    # sampled one the pixel centres with |x| <= R.
    fits = radius <= size / 2 if antialias else radius < (size + 1) / 2
    if not fits:
        needed = _default_size(radius)
        raise ValueError(
            f"size {size} cuts off a disk of radius {radius:g}: it needs size >= {needed} "
            "(the default)"
        )


def disk(radius: float, size: int | None = None, antialias: bool = True) -> np.ndarray:
    """Pillbox (uniform disk) kernel: the geometric-optics model of defocus.

    Parameters
    ----------
    radius : float
        Radius R of the blur circle in pixels (>= 0).  ``radius=0`` gives the identity
        kernel ``[[1.0]]`` (in focus).
    size : int, optional
        Odd side length.  Default ``2 * ceil(radius) + 1``, the tight bounding box.  A
        size that would cut the disk off (``radius > size / 2``) raises ``ValueError``.
    antialias : bool, optional
        If True (default) each pixel holds the area of its square inside the circle
        (as MATLAB's ``fspecial('disk', R)``); if False the disk is sampled at pixel
        centres (1 where :math:`x^2 + y^2 \\le R^2`, else 0).

    Returns
    -------
    kernel : ndarray of shape (size, size)
        Nonnegative, sums to 1, exactly D4-symmetric.

    Notes
    -----
    :math:`K(x, y) \\propto 1[x^2 + y^2 \\le R^2]`.  The paper's Fig. 4b reports rank 8 for a
    23 x 23 pillbox without saying how it is sampled; the binary disk of radius 11, which
    spans the 23 pixel centres, reproduces it, while the area-weighted disk (MATLAB's
    ``fspecial('disk', 11)``) gives 7.

    Examples
    --------
    >>> from defocus_teach.kernels import disk, effective_rank
    >>> effective_rank(disk(11, 23, antialias=False))
    8
    """
    check_nonnegative(radius, "radius")
    size = _default_size(radius) if size is None else check_odd_size(size, "size")
    _check_disk_fits(radius, size, antialias)
    if radius == 0:
        kernel = np.zeros((size, size))
        kernel[size // 2, size // 2] = 1.0
        return kernel
    kernel = _disk_support(radius, size, antialias)
    if kernel.sum() == 0:  # only possible for binary disks smaller than a pixel
        kernel[size // 2, size // 2] = 1.0
    return kernel / kernel.sum()


def gaussian_pupil(
    radius: float, sigma: float, size: int | None = None, antialias: bool = True
) -> np.ndarray:
    """Gaussian-apodised pupil: a disk of radius R weighted by a Gaussian of std sigma.

    Parameters
    ----------
    radius : float
        Radius R of the blur circle in pixels (> 0).
    sigma : float
        Standard deviation of the Gaussian apodisation in pixels (> 0).
    size : int, optional
        Odd side length; default ``2 * ceil(radius) + 1``.  As in :func:`disk`, a size that
        would cut the disk off raises ``ValueError``.
    antialias : bool, optional
        Area-weighted disk (default) or disk sampled at pixel centres, as in :func:`disk`.

    Returns
    -------
    kernel : ndarray of shape (size, size)
        Nonnegative, sums to 1.

    Notes
    -----
    :math:`K(x, y) \\propto 1[x^2 + y^2 \\le R^2] \\exp(-(x^2 + y^2) / (2\\sigma^2))`.
    The paper gives no formula for its Fig. 4c; we take the geometric blur circle weighted
    by a Gaussian, a pupil whose rank matches the figure.  A radial
    Gaussian is separable, so the pupil has the same exact rank as its disk; only the
    relative 1/30 rule separates them (rank 7 for R = 11.5, sigma = 9 on 23 x 23).

    Examples
    --------
    >>> from defocus_teach.kernels import gaussian_pupil, effective_rank
    >>> effective_rank(gaussian_pupil(11.5, 9, 23, antialias=False))
    7
    """
    check_positive(radius, "radius")
    check_positive(sigma, "sigma")
    size = _default_size(radius) if size is None else check_odd_size(size, "size")
    _check_disk_fits(radius, size, antialias)
    rows, cols = _centred_coordinates(size)
    apodisation = np.exp(-(rows**2 + cols**2) / (2.0 * sigma**2))
    kernel = _disk_support(radius, size, antialias) * apodisation
    if kernel.sum() == 0:
        kernel[size // 2, size // 2] = 1.0
    return kernel / kernel.sum()


def _check_ratio(ratio) -> None:
    check_positive(ratio, "ratio")
    if ratio > 1:
        raise ValueError(
            f"ratio must be in (0, 1] (a fraction of the largest singular value), got {ratio!r}"
        )


def effective_rank(kernel: np.ndarray, ratio: float = RANK_RATIO) -> int:
    """Number of singular values at least ``ratio`` times the largest (the paper's r0 rule).

    Parameters
    ----------
    kernel : ndarray, 2-D
        The kernel k.
    ratio : float, optional
        Relative threshold in (0, 1], default 1/30 (footnote 2 of the paper).

    Returns
    -------
    rank : int
        :math:`\\#\\{j : s_j \\ge \\text{ratio} \\cdot s_1\\}`; 0 for the zero matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import effective_rank
    >>> effective_rank(np.eye(5))
    5
    """
    kernel = as_kernel(kernel)
    _check_ratio(ratio)
    singular_values = np.linalg.svd(kernel, compute_uv=False)
    if singular_values[0] == 0:
        return 0
    return int(np.count_nonzero(singular_values >= ratio * singular_values[0]))


def _truncate(kernel: np.ndarray, rank: int | None, ratio: float) -> np.ndarray:
    """Eckart-Young truncation keeping ``rank`` terms, or those with s_j >= ratio * s_1."""
    symmetric = np.array_equal(kernel, kernel.T)
    if symmetric:
        # For K = K^T the eigen-decomposition gives the SVD with |eigenvalues| as singular
        # values.  V_r diag V_r^T is symmetric by construction, and its eigenvectors lie in
        # the range of K, so it also keeps K's flip symmetries.
        eigenvalues, vectors = np.linalg.eigh(kernel)
        order = np.argsort(-np.abs(eigenvalues))
        eigenvalues, vectors = eigenvalues[order], vectors[:, order]
        magnitudes = np.abs(eigenvalues)
    else:
        left, magnitudes, right = np.linalg.svd(kernel)
    if magnitudes[0] == 0:
        return np.zeros_like(kernel)
    keep = rank if rank is not None else int(np.count_nonzero(magnitudes >= ratio * magnitudes[0]))
    if symmetric:
        return (vectors[:, :keep] * eigenvalues[:keep]) @ vectors[:, :keep].T
    return (left[:, :keep] * magnitudes[:keep]) @ right[:keep]


def low_rank(kernel: np.ndarray, rank: int) -> np.ndarray:
    """Best rank-``rank`` approximation of ``kernel`` in the Frobenius norm (Eckart-Young).

    Parameters
    ----------
    kernel : ndarray, 2-D
        The kernel k.
    rank : int
        Number r0 of singular values to keep (>= 1).

    Returns
    -------
    kernel_r : ndarray
        :math:`k_r = \\sum_{j \\le r_0} s_j u_j v_j^T`.  A symmetric input gives an exactly
        symmetric output.  The result is neither normalised nor nonnegative.

    Examples
    --------
    >>> from defocus_teach.kernels import disk, low_rank, effective_rank
    >>> effective_rank(low_rank(disk(5), 2))
    2
    """
    kernel = as_kernel(kernel)
    check_positive(rank, "rank", integer=True)
    return _truncate(kernel, int(rank), RANK_RATIO)


def _dihedral_images(kernel: np.ndarray) -> list[np.ndarray]:
    """The 8 images of a square matrix under D4: I, A, L, AL, T, AT, LT, ALT."""
    flipped_rows = kernel[::-1, :]  # M^a
    flipped_cols = kernel[:, ::-1]  # M^l
    both = kernel[::-1, ::-1]  # (M^a)^l, the 180-degree rotation
    transposed = kernel.T
    return [
        kernel,
        flipped_rows,
        flipped_cols,
        both,
        transposed,
        transposed[::-1, :],
        transposed[:, ::-1],
        transposed[::-1, ::-1],
    ]


def symmetrize(kernel: np.ndarray) -> np.ndarray:
    """Orthogonal projection onto the symmetric set O: the average over the 8 symmetries.

    Parameters
    ----------
    kernel : ndarray, square 2-D
        The kernel k.

    Returns
    -------
    kernel_sym : ndarray
        :math:`P_O(M) = \\tfrac18 \\sum_{g \\in D_4} g(M)`, equal to its transpose, row flip and
        column flip bit for bit, and ``symmetrize(symmetrize(k)) == symmetrize(k)`` exactly.

    Notes
    -----
    The set :math:`O = \\{M : M = M^T = M^a = M^l\\}` of the paper is the fixed-point space of
    the dihedral group D4 generated by transposition and the flips.  The paper's nested
    formula in eq. (10) adds 6 terms and divides by 5, so it scales the kernel by 1.2 and
    its output is not D4-invariant; we use the group average instead, the orthogonal
    projection onto O [DEVIATION; see the book's chapter *Where we depart from the paper*].

    The 8 values of each orbit are sorted before they are added in a fixed pairwise order,
    so every member of an orbit receives the same floating-point number; this makes the
    output exactly symmetric and the projection exactly idempotent.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import symmetrize
    >>> k = symmetrize(np.random.default_rng(0).random((5, 5)))
    >>> bool(np.array_equal(k, k.T) and np.array_equal(k, k[::-1]))
    True
    """
    kernel = as_kernel(kernel)
    if kernel.shape[0] != kernel.shape[1]:
        raise ValueError(f"kernel must be square to be symmetrised, got shape {kernel.shape}")
    terms = np.sort(np.stack(_dihedral_images(kernel)), axis=0)
    total = ((terms[0] + terms[1]) + (terms[2] + terms[3])) + (
        (terms[4] + terms[5]) + (terms[6] + terms[7])
    )
    return total / 8.0


def project_simplex(kernel: np.ndarray) -> np.ndarray:
    """Euclidean projection onto the simplex {k >= 0, sum k = 1}.

    Parameters
    ----------
    kernel : ndarray
        Any finite array.

    Returns
    -------
    projected : ndarray
        :math:`\\max(k - \\tau, 0)` with the scalar :math:`\\tau` chosen so the sum is 1.

    Notes
    -----
    The sort-based algorithm of Duchi et al. (2008).  It treats all entries alike, so a
    symmetric input stays exactly symmetric.

    References
    ----------
    .. [1] Duchi, J., Shalev-Shwartz, S., Singer, Y., Chandra, T. "Efficient projections
           onto the l1-ball for learning in high dimensions." ICML (2008).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import project_simplex
    >>> project_simplex(np.array([[0.5, 1.0, -0.2]]))
    array([[0.25, 0.75, 0.  ]])
    """
    values = np.asarray(kernel, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError("kernel contains NaN or infinite values")
    flat = np.sort(values, axis=None)[::-1]
    cumulative = np.cumsum(flat) - 1.0
    index = np.arange(1, flat.size + 1)
    last = np.nonzero(flat - cumulative / index > 0)[0][-1]
    tau = cumulative[last] / (last + 1)
    return np.maximum(values - tau, 0.0)


def project_feasible(
    kernel: np.ndarray,
    rank: int | None = None,
    ratio: float = RANK_RATIO,
    symmetric: bool = True,
    low_rank: bool = True,
) -> np.ndarray:
    """The paper's P_Omega (eq. (10)): symmetry, low rank, nonnegativity and unit sum.

    Parameters
    ----------
    kernel : ndarray, square 2-D
        The kernel iterate x^(n+1) of Alg. 1.
    rank : int, optional
        Fixed rank r0.  Default (None) is the paper's adaptive rule: keep singular values
        >= ``ratio`` times the largest.
    ratio : float, optional
        Relative singular-value threshold in (0, 1], default 1/30.
    symmetric : bool, optional
        Enforce k in O (default True).  False drops the symmetry constraint (ablation).
    low_rank : bool, optional
        Enforce the rank constraint (default True).  False drops it (ablation).

    Returns
    -------
    kernel : ndarray
        Sums to 1, is nonnegative and, when ``symmetric``, exactly invariant under
        transposition and both flips.

    Notes
    -----
    The steps run in the order :math:`k \\leftarrow P_O(k)`, then singular-value hard
    thresholding, then the simplex projection.  Both later steps preserve exact symmetry,
    whereas symmetrising a truncated kernel can raise its rank again.  The paper applies the
    rank truncation first and never enforces :math:`\\sum k = 1` [DEVIATION; see the book's
    chapter *Where we depart from the paper*].  Because the rank set is not convex this
    composition is not an exact projection onto Omega: a kernel already in Omega is returned
    unchanged, and the effective rank of the output is that of the truncation up to the (small)
    change made by clipping negatives.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk, project_feasible
    >>> noisy = disk(4, 15) + 0.01 * np.random.default_rng(0).standard_normal((15, 15))
    >>> k = project_feasible(noisy)
    >>> bool(np.isclose(k.sum(), 1) and k.min() >= 0 and np.array_equal(k, k.T))
    True
    """
    kernel = as_kernel(kernel)
    _check_ratio(ratio)
    if rank is not None:
        check_positive(rank, "rank", integer=True)
    if symmetric:
        kernel = symmetrize(kernel)
    if not low_rank:
        return project_simplex(kernel)
    if rank is None:
        rank = effective_rank(kernel, ratio)  # adaptive r0 (footnote 2)
    # Clipping negatives can add a small singular value above the threshold, so truncation
    # and the simplex projection alternate until the rank holds (alternating projections;
    # one round almost always suffices, three did in every case we tried).
    for _ in range(_MAX_ROUNDS):
        kernel = _truncate(kernel, rank, ratio)
        if symmetric:  # remove round-off asymmetry of the eigen-decomposition
            kernel = symmetrize(kernel)
        kernel = project_simplex(kernel)
        if effective_rank(kernel, ratio) <= rank:
            break
    return kernel


def pad_kernel(kernel: np.ndarray, size: int) -> np.ndarray:
    """Centre ``kernel`` in a ``size`` x ``size`` box of zeros.

    Parameters
    ----------
    kernel : ndarray, 2-D with odd sides
        The kernel.
    size : int
        Odd side length, at least the kernel's larger side.

    Returns
    -------
    padded : ndarray of shape (size, size)

    Examples
    --------
    >>> from defocus_teach.kernels import disk, pad_kernel
    >>> pad_kernel(disk(2), 9).shape
    (9, 9)
    """
    kernel = as_kernel(kernel)
    size = check_odd_size(size, "size")
    if size < max(kernel.shape):
        raise ValueError(
            f"size must be at least the kernel's side {max(kernel.shape)}, got {size}"
        )
    top = (size - kernel.shape[0]) // 2
    left = (size - kernel.shape[1]) // 2
    padded = np.zeros((size, size))
    padded[top : top + kernel.shape[0], left : left + kernel.shape[1]] = kernel
    return padded


def _centre_by_centroid(kernel: np.ndarray) -> np.ndarray:
    """Roll a zero-bordered kernel by whole pixels so its centroid is nearest the centre."""
    rows, cols = _centred_coordinates(kernel.shape[0])
    mass = kernel.sum()
    if mass == 0:
        return kernel
    shift_rows = -int(np.round((kernel * rows).sum() / mass))
    shift_cols = -int(np.round((kernel * cols).sum() / mass))
    return np.roll(kernel, (shift_rows, shift_cols), axis=(0, 1))


def kernel_error(estimate: np.ndarray, reference: np.ndarray, centre: bool = True) -> float:
    """Relative Frobenius error of a kernel estimate, after centring it.

    Parameters
    ----------
    estimate, reference : ndarray, 2-D with odd sides
        Kernels of any (odd) sizes; both are padded to a common size.
    centre : bool, optional
        If True (default) the estimate is first shifted by whole pixels so that its centroid
        is at the centre: a blind method recovers k only up to a translation.

    Returns
    -------
    error : float
        :math:`\\|k_{est} - k_{true}\\|_F / \\|k_{true}\\|_F`.

    Examples
    --------
    >>> from defocus_teach.kernels import disk, kernel_error
    >>> kernel_error(disk(3), disk(3))
    0.0
    """
    estimate = as_kernel(estimate, "estimate")
    reference = as_kernel(reference, "reference")
    size = max(*estimate.shape, *reference.shape)
    size += 2 * (size // 2)  # room to move the estimate without wrapping its support
    estimate = pad_kernel(estimate, size)
    reference = pad_kernel(reference, size)
    if centre:
        estimate = _centre_by_centroid(estimate)
    norm = np.linalg.norm(reference)
    if norm == 0:
        raise ValueError("reference kernel is all zeros")
    return float(np.linalg.norm(estimate - reference) / norm)

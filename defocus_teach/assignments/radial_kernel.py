"""Assignment "radial": a radially symmetric kernel projection (starter module).

The kernel update of Xu, Liu & Ji [1]_ (Alg. 1, eq. (10)) projects every iterate onto the
feasible set Omega of eq. (4), whose symmetry constraint is the set O of kernels invariant
under the 8 symmetries of the square.  A lens aperture is round, so a defocus kernel is in
fact invariant under every rotation.  This assignment replaces O by the set R of kernels
that are constant on rings of equal distance from the centre and plugs the new projection
into the blind solver::

    from defocus_teach import blind_deconvolve
    result = blind_deconvolve(f, kernel_projection=radial_projection, kernel_prior="energy")

Replace each ``raise NotImplementedError`` by your code; keep the names, the signatures and
the contracts of the docstrings.  The chapter "Assignment: a radially symmetric kernel"
(``book/assignment_radial.md``) states the task, the maths and the grading; grade your work
with ``python -m defocus_teach.assignments grade radial``.

References
----------
.. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
       arXiv:1808.09166 (2018), eqs. (4) and (10).
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_WIDTH", "ring_labels", "radial_projection"]

#: Default ring width in pixels.
DEFAULT_WIDTH = 0.5


def ring_labels(size: int, width: float = DEFAULT_WIDTH) -> np.ndarray:
    """Ring index of every pixel of a ``size`` x ``size`` kernel.

    Parameters
    ----------
    size : int
        Side m of the kernel: a positive odd integer.
    width : float, optional
        Width w of a ring in pixels (> 0), default 0.5.

    Returns
    -------
    labels : (size, size) ndarray of int
        The index :math:`\\rho(i, j)` of the ring of each pixel (see Notes): 0 at the
        centre pixel, equal for pixels at (nearly) the same distance from it.

    Raises
    ------
    ValueError
        If ``size`` is not a positive odd integer, or ``width`` is not positive.

    Notes
    -----
    With the centre :math:`c = \\lfloor m/2 \\rfloor` (rows and columns counted from 0),

    .. math::

        \\rho(i, j) = \\operatorname{rint}\\Big( \\sqrt{(i - c)^2 + (j - c)^2} \\,/\\, w \\Big),

    where rint rounds to the nearest integer as :func:`numpy.rint` does (halves go to the
    even integer).  Not every integer below the largest label needs to occur.

    Examples
    --------
    >>> ring_labels(3, width=1.0)  # doctest: +SKIP
    array([[1, 1, 1],
           [1, 0, 1],
           [1, 1, 1]])
    >>> ring_labels(5)[2]  # doctest: +SKIP
    array([4, 2, 0, 2, 4])
    """
    raise NotImplementedError("ring_labels: write it (see its docstring)")


def radial_projection(kernel: np.ndarray, width: float = DEFAULT_WIDTH) -> np.ndarray:
    """Closest kernel that is constant on rings, nonnegative and sums to 1.

    Parameters
    ----------
    kernel : (m, m) ndarray
        A kernel iterate: square, odd side m, finite real values (any sign, any sum).
    width : float, optional
        Ring width w in pixels, as in :func:`ring_labels` (default 0.5).

    Returns
    -------
    projected : (m, m) ndarray of float64
        The Euclidean projection of ``kernel`` onto :math:`R_w \\cap \\Delta` (see Notes):
        nonnegative, sums to 1, equal values on each ring of ``ring_labels(m, width)``,
        and no other such kernel is closer to ``kernel`` in the Frobenius norm.  The input
        is not modified.

    Raises
    ------
    ValueError
        If ``kernel`` is not a square 2-D array with an odd side, contains NaN or infinite
        values, or if ``width`` is not positive.

    Notes
    -----
    The constraint sets are the kernels constant on rings and the simplex,

    .. math::

        R_w = \\{k : \\rho(i, j) = \\rho(i', j') \\Rightarrow k[i, j] = k[i', j']\\} ,

        \\Delta = \\{k : k \\ge 0, \\textstyle\\sum k = 1\\} .

    The result replaces the paper's :math:`P_\\Omega` (eq. (10)) through
    ``blind_deconvolve(..., kernel_projection=radial_projection)``; it is used instead of
    :func:`defocus_teach.kernels.project_feasible`, with no rank constraint.  You may use
    :func:`defocus_teach.kernels.project_simplex`.

    Examples
    --------
    >>> from defocus_teach import kernels
    >>> k = radial_projection(kernels.disk(3, 15))  # doctest: +SKIP
    >>> bool(k.min() >= 0 and abs(k.sum() - 1) < 1e-12)  # doctest: +SKIP
    True
    """
    raise NotImplementedError("radial_projection: write it (see its docstring)")

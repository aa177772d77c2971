"""Assignment "transform": an undecimated Haar tight frame for the u-step (starter module).

The image update of Xu, Liu & Ji [1]_ (eq. (8)) penalises :math:`\\lambda_1 \\|W u\\|_1`
with the spline framelet W of :mod:`defocus_teach.framelet`.  The solver accepts any tight
frame that follows :class:`defocus_teach.framelet.TightFrame`; this assignment writes one
by hand, the undecimated (a trous) 2-D Haar frame, and plugs it in::

    from defocus_teach import deconvolve
    u = deconvolve(f, kernel, transform=HaarFrame(levels=1))

Replace each ``raise NotImplementedError`` by your code; keep the names, the signatures and
the contracts of the docstrings.  Use numpy only (no PyWavelets).  The chapter "Assignment:
a Haar tight frame for the image prior" (``book/assignment_transform.md``) states the task,
the maths and the grading; grade your work with
``python -m defocus_teach.assignments grade transform``.

References
----------
.. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
       arXiv:1808.09166 (2018), eq. (8).
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["HaarFrame"]


class HaarFrame:
    """Undecimated 2-D Haar frame with ``levels`` levels and periodic boundaries.

    Parameters
    ----------
    levels : int, optional
        Number of levels J (>= 1), default 1.

    Attributes
    ----------
    levels : int
        J.
    n_bands : int
        ``1 + 3 * levels``.
    required_multiple : int
        1: images of any size, odd sides included.

    Notes
    -----
    Level :math:`l = 1, \\dots, J` uses the step :math:`s = 2^{l-1}` and the 1-D filters,
    applied along one axis with periodic indices (:math:`n - s` taken modulo the length),

    .. math::

        (h_0 x)[n] = \\tfrac12 (x[n] + x[n - s]), \\qquad
        (h_1 x)[n] = \\tfrac12 (x[n] - x[n - s]) .

    Starting from :math:`a_0 = u`, level :math:`l` filters :math:`a_{l-1}` along axis 0
    and axis 1 and keeps four images: the low-pass :math:`a_l = h_{00}\\, a_{l-1}` and
    three details, in this order: :math:`h_{01}\\, a_{l-1}` (differences along axis 1),
    :math:`h_{10}\\, a_{l-1}` (differences along axis 0) and :math:`h_{11}\\, a_{l-1}`,
    where :math:`h_{ab}` applies :math:`h_a` along axis 0 and :math:`h_b` along axis 1
    (:math:`\\otimes` is kept for convolution, as in the book).

    ``analysis(u)`` stacks, in this order: band 0 = :math:`a_J`, the three details of
    level J, those of level J - 1, ..., those of level 1 (coarse to fine, as the protocol
    :class:`defocus_teach.framelet.TightFrame` asks).  ``synthesis`` is its adjoint
    :math:`W^T`; because :math:`h_0^T h_0 + h_1^T h_1 = I`, it is also a left inverse,
    :math:`W^T W = I`.

    Examples
    --------
    >>> import numpy as np
    >>> W = HaarFrame(levels=2)
    >>> W.n_bands
    7
    >>> u = np.random.default_rng(0).random((15, 22))
    >>> W.analysis(u).shape  # doctest: +SKIP
    (7, 15, 22)
    >>> bool(np.allclose(W.synthesis(W.analysis(u)), u))  # doctest: +SKIP
    True
    """

    required_multiple = 1

    def __init__(self, levels: int = 1):
        if isinstance(levels, bool) or not isinstance(levels, numbers.Integral) or levels < 1:
            raise ValueError(f"levels must be an integer >= 1, got {levels!r}")
        self.levels = int(levels)

    @property
    def n_bands(self) -> int:
        return 1 + 3 * self.levels

    def __repr__(self) -> str:
        return f"HaarFrame(levels={self.levels})"

    def analysis(self, u: np.ndarray) -> np.ndarray:
        """Return W u.

        Parameters
        ----------
        u : (H, W) ndarray
            Real 2-D array (an image or an iterate of the solver).  Not modified.

        Returns
        -------
        coeffs : (n_bands, H, W) ndarray of float64
            Band 0 is the coarsest low-pass band :math:`a_L`; then the details of levels
            L, L - 1, ..., 1, three per level (see the class Notes).

        Raises
        ------
        ValueError
            If ``u`` is not 2-D or contains NaN or infinite values.
        """
        raise NotImplementedError("HaarFrame.analysis: write it (see its docstring)")

    def synthesis(self, coeffs: np.ndarray) -> np.ndarray:
        """Return W^T coeffs, the adjoint of :meth:`analysis` (and its left inverse).

        Parameters
        ----------
        coeffs : (n_bands, H, W) ndarray
            Coefficients in the layout of :meth:`analysis`.  Not modified.

        Returns
        -------
        u : (H, W) ndarray of float64
            :math:`W^T c`; ``synthesis(analysis(u))`` equals ``u`` up to round-off.

        Raises
        ------
        ValueError
            If ``coeffs`` is not 3-D with ``n_bands`` bands, or contains NaN or infinite
            values.
        """
        raise NotImplementedError("HaarFrame.synthesis: write it (see its docstring)")

"""The c-step: the outlier term c that absorbs segmentation errors, eqs. (5)-(7).

Pixels that the mask alpha_i wrongly assigns to layer i were blurred by another kernel, so the
model alpha .* (k * u) = alpha .* f fails there.  Eq. (5) of the paper shows that the misfit is
a sparse, high-pass signal, and eq. (7) adds a variable c for it with a weighted l0 penalty:

    min_c  1/2 || alpha .* (k * u) - alpha .* f - c ||^2  +  lam3 sum_r Lambda[r] [c[r] != 0].

Its exact minimiser is a hard threshold of the residual (:func:`outlier_term`); the weights
Lambda come from the residual of a first pass (:func:`outlier_weights`).

The chapter "The c term" of the book illustrates both.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_image, as_kernel, as_mask, check_nonnegative, check_positive
from .operators import blur

__all__ = [
    "outlier_term",
    "outlier_weights",
    "outlier_weights_from_residual",
    "threshold_outliers",
    "C_RULES",
]

#: The paper's constant in ``Lambda = exp(-500 |residual|)``, for intensities in [0, 1].
WEIGHT_SCALE = 500.0

#: Thresholding rules of the c-step, in order: the exact minimiser of the weighted l0
#: problem (default), the paper's threshold lam3 * Lambda read literally, and soft
#: thresholding for a weighted l1.
C_RULES = ("hard_sqrt", "hard_paper", "soft_l1")


def threshold_outliers(
    residual: np.ndarray, lam: float, weights: np.ndarray | float = 1.0, rule: str = "hard_sqrt"
) -> np.ndarray:
    """Threshold a residual into the outlier term c (no validation; used in loops).

    ``rule="hard_sqrt"`` keeps ``residual`` where ``|residual| > sqrt(2 lam Lambda)``.
    """
    if rule == "hard_sqrt":
        return np.where(np.abs(residual) > np.sqrt(2.0 * lam * weights), residual, 0.0)
    if rule == "hard_paper":
        return np.where(np.abs(residual) > lam * weights, residual, 0.0)
    if rule == "soft_l1":
        return np.sign(residual) * np.maximum(np.abs(residual) - lam * weights, 0.0)
    raise ValueError(f"rule must be one of {C_RULES}, got {rule!r}")


def outlier_weights_from_residual(residual: np.ndarray, scale: float = WEIGHT_SCALE) -> np.ndarray:
    """``Lambda = exp(-scale |residual|)`` for a residual alpha .* (k * u - f) (no validation)."""
    return np.exp(-scale * np.abs(residual))


def _residual(f, u, kernel, mask):
    f = as_float_image(f, "f")
    u = as_float_image(u, "u", check_range=False)
    if u.shape != f.shape:
        raise ValueError(f"u must have the shape of f {f.shape}, got {u.shape}")
    kernel = as_kernel(kernel, image_shape=f.shape, psf=True)
    mask = as_mask(mask, f.shape)
    return np.where(mask, blur(u, kernel) - f, 0.0)  # alpha .* (k * u - f)


def outlier_weights(
    f: np.ndarray,
    u: np.ndarray,
    kernel: np.ndarray,
    mask: np.ndarray | None = None,
    scale: float = WEIGHT_SCALE,
) -> np.ndarray:
    """Weights Lambda of the l0 penalty from a first-pass estimate (k1, u1).

    Parameters
    ----------
    f : ndarray, 2-D
        Observed image in [0, 1].
    u : ndarray, 2-D
        First-pass sharp estimate u^(1).
    kernel : ndarray
        First-pass kernel k^(1).
    mask : ndarray of bool, optional
        Layer region alpha (default: whole image).
    scale : float, optional
        The paper's constant 500 (for intensities in [0, 1]).

    Returns
    -------
    weights : ndarray
        :math:`\\Lambda = \\exp(-500 |\\alpha \\odot (k_1 \\otimes u_1 - f)|)`, in (0, 1]; 1
        outside the mask.

    Notes
    -----
    The paper prints :math:`e^{-500 (\\alpha \\odot (k \\otimes u) - f)}` without the absolute
    value, which would make the weight explode for negative residuals; we use the absolute
    residual, so that residuals of both signs count alike.  A large residual gives a small
    weight, hence a low threshold: such pixels are likely outliers and are absorbed by c.  For
    this and the other readings of the paper's c-step, see the book's chapter *Where we depart
    from the paper*.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach import outlier_weights
    >>> from defocus_teach.kernels import disk
    >>> f = np.full((16, 16), 0.5)
    >>> bool(np.allclose(outlier_weights(f, f, disk(1)), 1.0))
    True
    """
    check_positive(scale, "scale")
    return outlier_weights_from_residual(_residual(f, u, kernel, mask), scale)


def outlier_term(
    f: np.ndarray,
    u: np.ndarray,
    kernel: np.ndarray,
    mask: np.ndarray | None = None,
    lam: float = 0.01,
    weights: np.ndarray | None = None,
    rule: str = "hard_sqrt",
) -> np.ndarray:
    """The outlier term c of eq. (7): a weighted hard threshold of the residual.

    Parameters
    ----------
    f : ndarray, 2-D
        Observed image in [0, 1].
    u : ndarray, 2-D
        Current sharp estimate u_i.
    kernel : ndarray
        Current kernel k_i.
    mask : ndarray of bool, optional
        Layer region alpha_i (default: whole image).  c is 0 outside it.
    lam : float, optional
        Weight lam3 of the l0 penalty (the paper's 0.01).
    weights : ndarray, optional
        Per-pixel weights Lambda (:func:`outlier_weights`); default all ones.
    rule : {"hard_sqrt", "hard_paper", "soft_l1"}, optional
        Thresholding rule; see Notes.

    Returns
    -------
    c : ndarray
        Outlier term c_i, same shape as ``f``.

    Notes
    -----
    With :math:`r = \\alpha \\odot (k \\otimes u - f)`, the problem

    .. math::

        \\min_c \\tfrac12 \\|r - c\\|^2 + \\lambda_3 \\sum_x \\Lambda(x)\\, [c(x) \\ne 0]

    separates per pixel, and its exact minimiser keeps :math:`r` where
    :math:`|r| > \\sqrt{2 \\lambda_3 \\Lambda}` ("hard_sqrt").  The paper writes the
    threshold as :math:`\\lambda_3 \\Lambda` ("hard_paper"), which is the right threshold
    only for soft thresholding of a weighted l1 norm ("soft_l1"), the norm its eq. (6)
    writes while calling it l0.  With :math:`\\lambda_3 = 0.01` and
    :math:`\\Lambda = e^{-500|r|}` the cut-offs are :math:`|r| > 0.0104` ("hard_sqrt") and
    0.0027 ("hard_paper"): at noise level 0.005 the paper's rule would put 59% of the
    pure-noise pixels into c, the exact one 4% (see the book's chapter *Where we depart from
    the paper*).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach import outlier_term
    >>> from defocus_teach.kernels import disk
    >>> u = np.zeros((16, 16))
    >>> f = u.copy(); f[8, 8] = 0.5  # one outlier
    >>> c = outlier_term(f, u, disk(1))
    >>> float(c[8, 8]), int(np.count_nonzero(c))
    (-0.5, 1)
    """
    check_nonnegative(lam, "lam")
    if rule not in C_RULES:
        raise ValueError(f"rule must be one of {C_RULES}, got {rule!r}")
    residual = _residual(f, u, kernel, mask)
    if weights is None:
        weights = np.ones_like(residual)
    else:
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != residual.shape:
            raise ValueError(f"weights must have shape {residual.shape}, got {weights.shape}")
        if not np.all(np.isfinite(weights)) or weights.min() < 0:
            raise ValueError("weights must be finite and nonnegative")
    return threshold_outliers(residual, lam, weights, rule)

"""Blind deconvolution of one defocus layer: the paper's Alg. 2 for problem (7).

For a layer with mask alpha_i, the paper alternates three updates of

    min_{u, k, c} 1/2 ||alpha .* (k * u) - alpha .* f - c||^2 + lam1 ||W u||_1
                  + lam2 ||k||_F^2 + lam3 sum_r Lambda[r] [c[r] != 0],   k in Omega,

the u-step (:mod:`defocus_teach.u_step`), the k-step (:mod:`defocus_teach.k_step`) and the
c-step (:mod:`defocus_teach.c_step`), starting from the disk of
:mod:`defocus_teach.kernel_init`.  :func:`blind_deconvolve` runs that loop on the layer's
bounding box, embedded in a periodic grid with a masked margin (METHOD.md section 10).

The chapter "The whole method" of the book runs it on simulated and real photographs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import fft
from skimage.color import rgb2gray
from skimage.restoration import estimate_sigma

from ._threads import single_threaded_blas
from ._validation import (
    as_float_image,
    as_kernel,
    as_mask,
    check_nonnegative,
    check_odd_size,
    check_positive,
)
from .c_step import outlier_weights_from_residual, threshold_outliers
from .framelet import get_transform
from .k_step import kernel_step, make_projection, paper_lam2
from .kernel_init import initial_disk_kernel
from .kernels import pad_kernel
from .operators import PeriodicGrid, psf2otf
from .u_step import PAPER_LAM1, _admm, _default_rho, _initial_state, _start_image

__all__ = ["blind_deconvolve", "BlindResult", "IterationRecord", "default_lam1", "PRESETS"]

_WORKERS = -1
#: Named parameter sets.  "default" is tuned on synthetic scenes, "paper" uses the paper's
#: literal lam1 = 0.005, lam2 rule and threshold lam3 * Lambda (section 4.1 of the paper).
PRESETS = ("default", "paper")
_LAM1_PER_SIGMA = 0.03  # lam1 = 0.03 * noise std, measured best on three images x 3 noises
_LAM1_FLOOR = 2e-5
_LAM2_BETA = 0.01  # lam2 = beta * s(k0) * N_alpha * Var_alpha(f), METHOD.md 7 (it has 0.05)


@dataclass(frozen=True)
class IterationRecord:
    """One outer iteration of Alg. 2: the objective (7), the kernel's change, seconds."""

    iteration: int
    objective: float
    kernel_change: float
    seconds: float


@dataclass(frozen=True)
class BlindResult:
    """Result of :func:`blind_deconvolve` (and of every method in :mod:`.baselines`).

    Attributes
    ----------
    image : ndarray
        Sharp estimate u_i, full size: deconvolved on the layer's bounding box (grown by
        the kernel radius), the input elsewhere.
    kernel : ndarray
        Estimated kernel k_i (odd square, sum 1).
    outliers : ndarray
        Outlier term c_i, full size (0 outside the mask).
    history : tuple of IterationRecord
        One record per outer iteration.
    initial_radius : float
        Radius of the initial disk k(0) (nan when a kernel was given).
    lam : tuple of float
        The (lam1, lam2, lam3) used.
    """

    image: np.ndarray
    kernel: np.ndarray
    outliers: np.ndarray
    history: tuple[IterationRecord, ...] = ()
    initial_radius: float = float("nan")
    lam: tuple[float, float, float] = (float("nan"),) * 3


def default_lam1(f: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Default lam1 of the u-step: proportional to the estimated noise level.

    Parameters
    ----------
    f : ndarray, 2-D
        Observed image in [0, 1].
    mask : ndarray of bool, optional
        Region whose noise is estimated (its bounding box is used).

    Returns
    -------
    lam1 : float
        :math:`0.03\\,\\hat\\sigma`, with :math:`\\hat\\sigma` from
        :func:`skimage.restoration.estimate_sigma` (at least 2e-5).

    Notes
    -----
    The best lam1 with the true kernel grew in proportion to the noise level on every
    image we tried (sigma = 0.002, 0.005, 0.01), so a fixed value suits only one noise
    level.  The paper's 0.005 over-smooths [0, 1] images (METHOD.md section 4).

    Examples
    --------
    >>> import numpy as np
    >>> f = 0.5 + 0.01 * np.random.default_rng(0).standard_normal((128, 128))
    >>> round(default_lam1(f), 4)
    0.0003
    """
    f = as_float_image(f, "f")
    if mask is not None:
        rows, cols = np.nonzero(as_mask(mask, f.shape))
        f = f[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    return max(_LAM1_PER_SIGMA * float(estimate_sigma(f)), _LAM1_FLOOR)


def _lam2_default(f: np.ndarray, mask: np.ndarray, kernel: np.ndarray) -> float:
    """Data-scaled lam2 = beta s(k0) N_alpha Var_alpha(f) (METHOD.md section 7)."""
    strength = max(15.0 - 50.0 * float(np.linalg.norm(kernel)), 1.0) / 10.0
    return _LAM2_BETA * strength * mask.sum() * float(f[mask].var())


def _bounding_box(mask: np.ndarray, grow: int) -> tuple[slice, slice]:
    rows, cols = np.nonzero(mask)
    top, bottom = max(rows.min() - grow, 0), min(rows.max() + grow + 1, mask.shape[0])
    left, right = max(cols.min() - grow, 0), min(cols.max() + grow + 1, mask.shape[1])
    return slice(top, bottom), slice(left, right)


def _objective(weight, blurred, target, coeffs, kernel, outliers, weights, lam):
    lam1, lam2, lam3 = lam
    residual = weight * blurred - target
    data = 0.5 * float(np.vdot(residual, residual))
    penalty = lam3 * float(np.sum(weights * (outliers != 0))) if weights is not None else 0.0
    return (
        data + lam1 * float(np.abs(coeffs[1:]).sum()) + lam2 * float(np.sum(kernel**2)) + penalty
    )


@single_threaded_blas
def blind_deconvolve(
    f: np.ndarray,
    mask: np.ndarray | None = None,
    kernel_size: int = 31,
    n_iter: int = 20,
    lam1: float | None = None,
    lam2: float | None = None,
    lam3: float = 0.01,
    use_symmetry: bool = True,
    use_low_rank: bool = True,
    use_outliers: bool = True,
    kernel_init: np.ndarray | None = None,
    callback: Callable[[int, np.ndarray, np.ndarray], object] | None = None,
    *,
    preset: str = "default",
    channel_axis: int | None = None,
    transform="framelet",
    levels: int = 1,
    inner_iter: int = 30,
    kernel_iter: int = 300,
    final_iter: int = 150,
    kernel_projection: Callable[[np.ndarray], np.ndarray] | None = None,
) -> BlindResult:
    """Blind deconvolution of one defocus layer: Alg. 2 of the paper.

    Parameters
    ----------
    f : ndarray
        Blurred image in [0, 1], greyscale (H, W) or colour with ``channel_axis``.
    mask : ndarray of bool, optional
        The layer's region alpha_i (default: the whole image).
    kernel_size : int, optional
        Odd side of the kernel support (default 31, the paper's).
    n_iter : int, optional
        Outer iterations N of Alg. 2 (default 20, the paper's).
    lam1 : float, optional
        Weight of the framelet prior.  Default :func:`default_lam1` (0.03 x noise level).
    lam2 : float, optional
        Weight of ||k||^2.  Default: data-scaled rule (METHOD.md section 7).
    lam3 : float, optional
        Weight of the l0 outlier penalty (default 0.01, the paper's).
    use_symmetry, use_low_rank : bool, optional
        Constraints of Omega (switch off for the ablations).
    use_outliers : bool, optional
        Use the c term (default True).
    kernel_init : ndarray, optional
        Initial kernel k(0).  Default: the disk sweep :func:`initial_disk_kernel`.
    callback : callable, optional
        Called after every outer iteration as ``callback(iteration, kernel, image)`` with the
        current kernel and the current sharp estimate on the bounding box (greyscale).
    preset : {"default", "paper"}, optional
        "paper" uses the paper's literal lam1 = 0.005, lam2 = (15 - 50 ||k0||) 1e5 and the
        threshold lam3 Lambda.
    channel_axis : int, optional
        Colour axis: the kernel and Lambda are estimated on the luminance, then every
        channel is deconvolved with that kernel.
    transform : str or TightFrame, optional
        The tight frame W of the prior (default: spline framelet); see
        :func:`defocus_teach.framelet.get_transform`.
    levels : int, optional
        Levels of a named transform (default 1).
    inner_iter, kernel_iter, final_iter : int, optional
        ADMM iterations per outer iteration (30), k-step iterations per outer iteration
        (300, cheap: see Notes), and ADMM iterations of the final u-step (150; at 100 the
        result was within 0.1 dB of 1000 iterations in our tests).
    kernel_projection : callable, optional
        Replaces P_Omega in the k-step: ``kernel_projection(kernel) -> kernel`` of the same
        shape.  It must return a nonnegative kernel of sum 1: a function that does not
        project (``lambda k: k``) lets the k-step diverge.  See the example below.

    Returns
    -------
    result : BlindResult
        ``.image``, ``.kernel``, ``.outliers``, ``.history`` and the parameters used.

    Notes
    -----
    Alg. 2 (METHOD.md section 10), with u initialised to f and c = 0; per outer iteration:

    1. u-step, eq. (8): ADMM, warm-started (:func:`defocus_teach.deconvolve`);
    2. k-step, eq. (9): projected gradient with FISTA on the normal equations, built once
       per iteration in the 136-dimensional basis of D4 orbits
       (:func:`defocus_teach.estimate_kernel`).  Its many cheap iterations reach the
       minimiser; with a few FFT-based iterations the kernel only crept towards it;
    3. c-step: after the first iteration the weights
       :math:`\\Lambda = \\exp(-500 |r|)`, :math:`r = \\alpha \\odot (k \\otimes u - f)`, are
       fixed; from the second on, :math:`c = \\mathrm{Th}(r; \\sqrt{2\\lambda_3\\Lambda})`.

    Defaults [DEVIATION, measured on synthetic scenes]: lam1 is 0.03 times the noise level
    (the paper's 0.005 over-smooths); lam2 = 0.01 s(k0) N_alpha Var_alpha(f), the data-scaled
    rule of METHOD.md section 7 with its beta tuned (the paper's formula flattens the kernel
    on [0, 1] images).  ``preset="paper"`` restores the paper's values.

    A final u-step of ``final_iter`` iterations gives the output.

    References
    ----------
    .. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
           arXiv:1808.09166 (2018), eq. (7), Alg. 2.

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from defocus_teach import blind_deconvolve, kernels, operators
    >>> sharp = data.camera()[64:192, 64:192] / 255.0
    >>> blurred = operators.blur(sharp, kernels.disk(3))
    >>> result = blind_deconvolve(blurred, kernel_size=15, n_iter=5, final_iter=100)
    >>> bool(kernels.kernel_error(result.kernel, kernels.disk(3)) < 0.3)
    True

    Any projection can replace P_Omega, e.g. symmetry and the simplex without low rank:

    >>> def symmetric_simplex(k):
    ...     return kernels.project_simplex(kernels.symmetrize(k))
    >>> result = blind_deconvolve(blurred, kernel_size=15, n_iter=3, final_iter=50,
    ...                           kernel_projection=symmetric_simplex)
    >>> bool(np.array_equal(result.kernel, result.kernel.T))
    True
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {PRESETS}, got {preset!r}")
    f = as_float_image(f, "f", channel_axis=channel_axis)
    grey = f if channel_axis is None else rgb2gray(np.moveaxis(f, channel_axis, -1))
    mask = as_mask(mask, grey.shape)
    kernel_size = check_odd_size(kernel_size, "kernel_size")
    if kernel_size > min(grey.shape):
        raise ValueError(f"kernel_size {kernel_size} is larger than the image {grey.shape}")
    for value, name in ((n_iter, "n_iter"), (inner_iter, "inner_iter")):
        check_positive(value, name, integer=True)
    check_positive(kernel_iter, "kernel_iter", integer=True)
    check_positive(final_iter, "final_iter", integer=True)
    check_nonnegative(lam3, "lam3")
    if kernel_projection is not None and not callable(kernel_projection):
        raise TypeError(f"kernel_projection must be callable, got {kernel_projection!r}")
    paper = preset == "paper"
    rule = "hard_paper" if paper else "hard_sqrt"
    transform = get_transform(transform, levels)

    # The layer's bounding box, in a periodic grid with a masked margin (METHOD.md 1.3).
    half = kernel_size // 2
    box = _bounding_box(mask, half + 1)
    f_box, mask_box = grey[box], mask[box]
    grid = PeriodicGrid.for_image(
        f_box.shape, half + 1, getattr(transform, "required_multiple", 1)
    )

    if kernel_init is None:
        radius, kernel = initial_disk_kernel(f_box, mask_box, size=kernel_size)
    else:
        radius, kernel = (
            float("nan"),
            pad_kernel(as_kernel(kernel_init, "kernel_init"), kernel_size),
        )
    if lam1 is None:
        lam1 = PAPER_LAM1 if paper else default_lam1(f_box, mask_box)
    check_positive(lam1, "lam1")
    if lam2 is None:
        lam2 = paper_lam2(kernel) if paper else _lam2_default(f_box, mask_box, kernel)
    check_nonnegative(lam2, "lam2")
    projection = kernel_projection or make_projection(use_symmetry, use_low_rank)
    symmetric = use_symmetry and kernel_projection is None
    kernel = projection(kernel)

    weight = grid.embed(mask_box.astype(np.float64))
    data = grid.embed(np.where(mask_box, f_box, 0.0))
    rho = _default_rho(lam1)
    otf = psf2otf(kernel, grid.shape)
    state = _initial_state(_start_image(f_box, mask_box, grid), otf, transform)
    outliers = np.zeros(grid.shape)
    weights = None
    history = []
    for iteration in range(n_iter):
        start = time.perf_counter()
        target = data + outliers
        state = _admm(state, target, weight, otf, transform, lam1, rho, inner_iter, 1e-5)  # (8)
        previous = kernel
        kernel = kernel_step(
            state.u, weight, target, kernel, lam2, projection, symmetric, kernel_iter, 1e-6
        )  # (9)
        otf = psf2otf(kernel, grid.shape)
        blurred = fft.irfft2(fft.rfft2(state.u, workers=_WORKERS) * otf, s=grid.shape)
        residual = weight * blurred - data  # alpha .* (k * u - f); data is alpha .* f
        if use_outliers:
            if weights is None:  # Lambda from the first pass (k1, u1), then fixed
                weights = outlier_weights_from_residual(residual)
            else:
                outliers = weight * threshold_outliers(residual, lam3, weights, rule)  # c-step
        objective = _objective(
            weight, blurred, data + outliers, transform.analysis(state.u), kernel,
            outliers, weights, (lam1, lam2, lam3),
        )  # fmt: skip
        change = float(np.linalg.norm(kernel - previous) / np.linalg.norm(previous))
        history.append(IterationRecord(iteration, objective, change, time.perf_counter() - start))
        if callback is not None:
            callback(iteration, kernel.copy(), grid.crop(state.u).copy())

    if channel_axis is None:
        state = _admm(state, data + outliers, weight, otf, transform, lam1, rho, final_iter, 1e-4)
        image = grey.copy()
        image[box] = grid.crop(state.u)
        full_outliers = np.zeros_like(grey)
        full_outliers[box] = grid.crop(outliers)
    else:
        colour = np.moveaxis(f, channel_axis, -1)
        image, full_outliers = colour.copy(), np.zeros_like(colour)
        for channel in range(colour.shape[-1]):
            f_channel = colour[box + (channel,)]
            data_channel = grid.embed(np.where(mask_box, f_channel, 0.0))
            c_channel = np.zeros(grid.shape)
            channel_state = _initial_state(_start_image(f_channel, mask_box, grid), otf, transform)
            if use_outliers and weights is not None:  # c per channel, with the same Lambda
                channel_state = _admm(
                    channel_state,
                    data_channel,
                    weight,
                    otf,
                    transform,
                    lam1,
                    rho,
                    inner_iter,
                    1e-5,
                )
                blurred = fft.irfft2(fft.rfft2(channel_state.u) * otf, s=grid.shape)
                residual = weight * blurred - data_channel
                c_channel = weight * threshold_outliers(residual, lam3, weights, rule)
            channel_state = _admm(
                channel_state, data_channel + c_channel, weight, otf, transform, lam1, rho,
                final_iter, 1e-4,
            )  # fmt: skip
            image[box + (channel,)] = grid.crop(channel_state.u)
            full_outliers[box + (channel,)] = grid.crop(c_channel)
        image = np.moveaxis(image, -1, channel_axis)
        full_outliers = np.moveaxis(full_outliers, -1, channel_axis)
    return BlindResult(
        image, kernel, full_outliers, tuple(history), radius, (float(lam1), float(lam2), lam3)
    )

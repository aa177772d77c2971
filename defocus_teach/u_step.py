"""The u-step: non-blind deconvolution with a tight-frame l1 prior, eq. (8), by ADMM.

Given the kernel k_i and the outlier term c_i, the paper updates the sharp layer u_i by

    min_u  1/2 || alpha .* (k * u) - alpha .* f - c ||^2  +  lam1 || W u ||_1 ,

with W the spline framelet (section 3.2 of the paper, which only names ADMM as the solver).
This module implements that solver, with our own choices where the paper is silent (one
framelet level, the splitting below, the penalties and stopping rule), and exposes it on its
own as :func:`deconvolve`, the non-blind (oracle) deconvolution.

The splitting z = k * u, d = W u turns every step into either a pixelwise formula or a linear
system that is diagonal under the FFT, because the image is embedded in a periodic grid with a
masked margin (:class:`~defocus_teach.operators.PeriodicGrid`): the unknown image in the
margin is filled in by the prior alone, so the frame's border never enters the data.

The chapter "Image update by ADMM" of the book derives these steps.  The iteration itself
lives in ``defocus_teach._u_admm``, which solves stacks of images (the colour channels of
:func:`deconvolve`) in one go and keeps its element-wise work to few passes over memory.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from skimage.color import rgb2gray
from skimage.restoration import estimate_sigma

from ._threads import single_threaded_blas
from ._u_admm import _WORKERS, _admm, _initial_state, _State  # noqa: F401 (blind, speed)
from ._validation import as_float_image, as_kernel, as_mask, check_positive
from .framelet import TightFrame, get_transform
from .operators import PeriodicGrid, psf2otf

__all__ = ["deconvolve", "default_lam1", "PAPER_LAM1"]

#: The paper's value (section 4.1), available as ``lam=PAPER_LAM1``.
PAPER_LAM1 = 0.005
_LAM1_PER_SIGMA = 0.03  # lam1 = 0.03 * noise std, measured best on three images x 3 noises
_LAM1_FLOOR = 2e-5

#: Precision of the ADMM in :func:`deconvolve` (its result is float64 either way).  In
#: float32 the benchmark suite's PSNR moved by at most 6e-5 dB from float64 on its 12
#: scenes, and the iteration costs about half as much.
_ADMM_DTYPE = np.float32


def default_lam1(f: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Default weight lam1 of the image prior: proportional to the estimated noise level.

    Every solver of the package that takes lam1 (:func:`deconvolve`,
    :func:`~defocus_teach.blind.blind_deconvolve`,
    :func:`~defocus_teach.pipeline.all_in_focus`, the baselines and the benchmark's oracle)
    uses this rule when lam1 is not given.

    Parameters
    ----------
    f : ndarray, 2-D
        Observed image in [0, 1] (for colour, its luminance).
    mask : ndarray of bool, optional
        Region whose noise is estimated.  The estimate is made on the mask's bounding box,
        so it also sees the pixels of the box outside the mask (for a layer, those of its
        neighbours).

    Returns
    -------
    lam1 : float
        :math:`\\lambda_1 = 0.03\\,\\hat\\sigma`, with :math:`\\hat\\sigma` from
        :func:`skimage.restoration.estimate_sigma`, at least 2e-5 (also the value for an
        image without any noise, such as a constant one).

    Notes
    -----
    The best lam1 with the true kernel grew in proportion to the noise level on every
    image we tried (sigma = 0.002, 0.005, 0.01; three images), so a fixed value suits only
    one noise level.  At noise levels 0.002 to 0.01 the rule gives 6e-5 to 3e-4; the
    paper's 0.005 (section 4.1) is 17 to 80 times larger and over-smooths [0, 1] images;
    it stays available as :data:`PAPER_LAM1` and as ``preset="paper"`` of
    :func:`~defocus_teach.blind.blind_deconvolve`.  For the measurement behind this
    departure, see the book's chapter *Where we depart from the paper*.

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
    with warnings.catch_warnings():  # a flat f has no nonzero coefficient: nan, handled
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
        sigma = float(estimate_sigma(f))
    return max(_LAM1_PER_SIGMA * sigma, _LAM1_FLOOR) if np.isfinite(sigma) else _LAM1_FLOOR


def _default_rho(lam: float) -> tuple[float, float]:
    """Penalty parameters (rho1, rho2) of the two splittings.

    rho2 = 10 lam1 keeps the soft threshold lam1 / rho2 at 0.1 whatever lam1 is.  The problem
    is convex, so these values set only how fast ADMM converges, not the minimiser.
    """
    return 0.1, 10.0 * lam


def _start_image(data: np.ndarray, mask: np.ndarray, grid: PeriodicGrid) -> np.ndarray:
    """A start that depends on the data only: alpha .* f + c, the data mean elsewhere,
    extended into the grid's margin by mirroring."""
    filled = np.where(mask, data, data[mask].mean())
    (top, left), (rows, cols) = grid.offset, data.shape
    pads = ((top, grid.shape[0] - rows - top), (left, grid.shape[1] - cols - left))
    return np.pad(filled, pads, mode="symmetric")


@single_threaded_blas
def deconvolve(
    f: np.ndarray,
    kernel: np.ndarray,
    mask: np.ndarray | None = None,
    outliers: np.ndarray | None = None,
    lam: float | None = None,
    transform: str | TightFrame = "framelet",
    levels: int = 1,
    max_iter: int = 300,
    tol: float = 1e-4,
    *,
    channel_axis: int | None = None,
    rho: tuple[float, float] | None = None,
    callback: Callable[[int, float], object] | None = None,
) -> np.ndarray:
    """Non-blind deconvolution with a tight-frame l1 prior: the paper's u-step, eq. (8).

    Parameters
    ----------
    f : ndarray
        Blurred image in [0, 1] (up to 0.1 outside, for noise; uint8 and uint16 are
        converted), greyscale (H, W) or colour with ``channel_axis``.
    kernel : ndarray, 2-D with odd sides
        Point-spread function k: nonnegative, summing to 1 (within 1e-4; it is not
        normalised for you).
    mask : ndarray of bool, optional
        Region alpha whose pixels are data (default: the whole image).  Outside it the
        result is filled in by the prior alone.
    outliers : ndarray, optional
        Outlier term c of eq. (7), same shape as ``f``; the data become alpha .* f + c.
    lam : float, optional
        Weight lam1 of the l1 prior.  Default :func:`default_lam1` of ``f`` (of its
        luminance for colour) on the bounding box of ``mask``: 0.03 times the estimated
        noise level, the same rule as :func:`~defocus_teach.blind.blind_deconvolve`.  The
        paper's value is :data:`PAPER_LAM1` (0.005).
    transform : {"framelet", "wavelet", "wavelet:NAME"} or TightFrame, optional
        The tight frame W (default: the paper's piecewise-linear spline framelet).
    levels : int, optional
        Number of levels of a named transform (default 1).
    max_iter : int, optional
        Maximum number of ADMM iterations (default 300).
    tol : float, optional
        Stop when ``||u_new - u|| / ||u|| < tol`` (default 1e-4).
    channel_axis : int, optional
        Axis of the colour channels; each channel is deconvolved with the same kernel.  The
        channels are solved as one stack (one FFT call per step for all of them), each
        stopping on its own tolerance, so the result equals channel-by-channel solves.
    rho : tuple of float, optional
        ADMM penalties (rho1, rho2) of the splits z = k * u and d = W u.
        Default ``(0.1, 10 * lam)``.
    callback : callable, optional
        Called as ``callback(iteration, objective)`` after every iteration with the value
        of eq. (8) at the current u (greyscale only).

    Returns
    -------
    u : ndarray
        The sharp estimate, same shape as ``f``.  Values are not clipped to [0, 1].

    Notes
    -----
    Solves

    .. math::

        \\min_u \\tfrac12 \\|\\alpha \\odot (k \\otimes u) - \\alpha \\odot f - c\\|_2^2
        + \\lambda_1 \\|W_h u\\|_1

    where :math:`W_h` is the high-pass part of the frame (the low-pass band is not
    penalised).  The paper's eq. (8) omits the 1/2 of its model (7); we keep it in every
    sub-problem, so our lam1 is half of the paper's.  ADMM with the splits
    :math:`z = k \\otimes u` and :math:`d = W u` (scaled duals b1, b2):

    .. math::

        u &\\leftarrow (\\rho_1 K^T K + \\rho_2 I)^{-1}
             (\\rho_1 K^T (z - b_1) + \\rho_2 W^T (d - b_2)) \\\\
        z &\\leftarrow (\\alpha \\odot \\tilde f + \\rho_1 (K u + b_1)) / (\\alpha + \\rho_1) \\\\
        d &\\leftarrow \\operatorname{soft}(W u + b_2, \\lambda_1 / \\rho_2)
             \\quad \\text{(high-pass bands only)}

    The first solve is diagonal under the FFT because :math:`W^T W = I`.  The iteration runs
    in float32 (the result is returned in float64): against float64 the difference stays
    around 1e-6 of the image's range.  The image sits in a
    periodic grid with a masked margin of at least the kernel radius, which is the exact
    "unknown boundary" formulation of Almeida & Figueiredo [2]_; the paper does not say how
    it treats borders (see the book's chapter *Where we depart from the paper*).

    References
    ----------
    .. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
           arXiv:1808.09166 (2018), eq. (8).
    .. [2] Almeida, M. S. C., Figueiredo, M. A. T. "Deconvolving images with unknown
           boundaries using the alternating direction method of multipliers."
           IEEE Trans. Image Process. 22(8) (2013).
    .. [3] Boyd, S. et al. "Distributed optimization and statistical learning via the
           alternating direction method of multipliers." FTML 3(1) (2011).

    Examples
    --------
    >>> import numpy as np
    >>> from skimage import data
    >>> from defocus_teach import deconvolve, kernels, operators
    >>> sharp = data.camera()[100:228, 200:328] / 255.0
    >>> blurred = operators.blur(sharp, kernels.disk(4))
    >>> u = deconvolve(blurred, kernels.disk(4), max_iter=100)
    >>> bool(np.abs(u - sharp).mean() < np.abs(blurred - sharp).mean())
    True
    """
    f = as_float_image(f, "f", channel_axis=channel_axis)
    spatial_shape = f.shape if channel_axis is None else np.delete(f.shape, channel_axis)
    spatial_shape = tuple(int(n) for n in spatial_shape)
    kernel = as_kernel(kernel, image_shape=spatial_shape, psf=True)
    mask = as_mask(mask, spatial_shape)
    if lam is None:
        luminance = f if channel_axis is None else rgb2gray(f, channel_axis=channel_axis)
        lam = default_lam1(luminance, mask)
    lam = check_positive(lam, "lam")
    check_positive(max_iter, "max_iter", integer=True)
    check_positive(tol, "tol")
    rho = _default_rho(lam) if rho is None else tuple(check_positive(r, "rho") for r in rho)
    if outliers is not None:
        outliers = np.asarray(outliers, dtype=np.float64)
        if outliers.shape != f.shape:
            raise ValueError(f"outliers must have the shape of f {f.shape}, got {outliers.shape}")
        if not np.all(np.isfinite(outliers)):
            raise ValueError("outliers contains NaN or infinite values")

    def channels_first(array: np.ndarray) -> np.ndarray:  # (C, H, W), C = 1 for greyscale
        return array[np.newaxis] if channel_axis is None else np.moveaxis(array, channel_axis, 0)

    transform = get_transform(transform, levels)
    margin = max(kernel.shape) // 2 + 1
    multiple = getattr(transform, "required_multiple", 1)
    grid = PeriodicGrid.for_image(spatial_shape, margin, multiple)
    weight = grid.embed(mask.astype(np.float64))
    terms = 0.0 if outliers is None else channels_first(outliers)
    data = np.where(mask, channels_first(f) + terms, 0.0)  # alpha .* f + c, per channel
    # All channels in one stack: one FFT call per step, each channel stops on its own.
    target = np.stack([grid.embed(image) for image in data])
    start = np.stack([_start_image(image, mask, grid) for image in data])
    if channel_axis is None:
        target, start = target[0], start[0]
    else:
        callback = None  # the objective is for greyscale only
    otf = psf2otf(kernel, grid.shape)
    state = _initial_state(start.astype(_ADMM_DTYPE), otf, transform)
    state = _admm(state, target, weight, otf, transform, lam, rho, max_iter, tol, callback)
    u = state.u.astype(np.float64).reshape((-1, *grid.shape))
    restored = np.stack([grid.crop(image) for image in u])
    return restored[0] if channel_axis is None else np.moveaxis(restored, 0, channel_axis)

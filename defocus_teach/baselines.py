"""Baselines the paper argues against, with the same inputs and outputs as the method.

Every function takes ``(f, mask=None, ...)`` like :func:`~defocus_teach.blind.blind_deconvolve` and
returns the same :class:`~defocus_teach.blind.BlindResult` (full-size ``.image`` and
``.kernel``), so the benchmark and the chapters can swap methods in one line:

* :func:`gaussian_deblur`: a Gaussian kernel chosen by the same sweep as the initial disk,
  then the same u-step (the Dai & Wu / Shen et al. style of method; the paper's Fig. 3);
* :func:`motion_style_kernel`: the same blind loop with the motion-deblurring kernel prior,
  nonnegativity and unit sum only, no symmetry and no low rank (the paper's Fig. 9);
* :func:`richardson_lucy` and :func:`wiener`: scikit-image's classic non-blind methods with
  the initial disk of the sweep.

The chapter "The whole method" compares them; the benchmark measures them.
"""

from __future__ import annotations

import numpy as np
from skimage import restoration
from skimage.color import rgb2gray

from ._validation import as_float_image, as_kernel, as_mask, check_odd_size, check_positive
from .blind import BlindResult, blind_deconvolve
from .kernel_init import initial_kernel, sweep_scores
from .kernels import gaussian, pad_kernel, project_simplex
from .u_step import deconvolve, default_lam1

__all__ = ["gaussian_deblur", "motion_style_kernel", "richardson_lucy", "wiener"]

#: Gaussian standard deviations tried by :func:`gaussian_deblur`, in pixels.
GAUSSIAN_SIGMAS = np.arange(0.5, 8.01, 0.25)


def _prepare(f, mask, channel_axis):
    f = as_float_image(f, "f", channel_axis=channel_axis)
    grey = f if channel_axis is None else rgb2gray(f, channel_axis=channel_axis)
    return f, grey, as_mask(mask, grey.shape)


def _paste(f, estimate, mask, channel_axis):
    """The estimate on the mask's pixels, the input elsewhere (full size)."""
    if channel_axis is None:
        return np.where(mask, estimate, f)
    return np.where(np.expand_dims(mask, channel_axis), estimate, f)


def _per_channel(function, f, channel_axis):
    if channel_axis is None:
        return function(f)
    channels = np.moveaxis(f, channel_axis, -1)
    result = np.stack([function(channels[..., c]) for c in range(channels.shape[-1])], -1)
    return np.moveaxis(result, -1, channel_axis)


def _initial_kernel(grey, mask, kernel, size):
    if kernel is not None:
        return float("nan"), as_kernel(kernel, psf=True)
    found = initial_kernel(grey, mask, size=size)
    return found.radius, found.kernel


def _classic(f, mask, kernel, kernel_size, channel_axis, restore) -> BlindResult:
    """A non-blind scikit-image method on every channel, with the swept kernel by default."""
    f, grey, mask = _prepare(f, mask, channel_axis)
    radius, kernel = _initial_kernel(grey, mask, kernel, check_odd_size(kernel_size))
    estimate = _per_channel(lambda channel: restore(channel, kernel), f, channel_axis)
    image = _paste(f, estimate, mask, channel_axis)
    return BlindResult(image, kernel, np.zeros_like(f), (), radius, (0.0, 0.0, 0.0))


def gaussian_deblur(
    f: np.ndarray,
    mask: np.ndarray | None = None,
    sigmas: np.ndarray | None = None,
    kernel_size: int = 31,
    lam1: float | None = None,
    max_iter: int = 300,
    *,
    channel_axis: int | None = None,
) -> BlindResult:
    """Deblur with the best Gaussian kernel: the parametric model the paper argues against.

    Parameters
    ----------
    f : ndarray
        Blurred image in [0, 1].
    mask : ndarray of bool, optional
        Layer region (default: whole image).
    sigmas : array_like, optional
        Standard deviations to try (default 0.5 to 8 px in steps of 0.25).
    kernel_size : int, optional
        Odd side of the kernel (default 31).
    lam1 : float, optional
        Weight of the u-step's prior (default :func:`~defocus_teach.u_step.default_lam1`).
    max_iter : int, optional
        ADMM iterations of the u-step (default 300).
    channel_axis : int, optional
        Colour axis.

    Returns
    -------
    result : BlindResult
        ``.kernel`` is the chosen Gaussian; ``.initial_radius`` holds its sigma.

    Notes
    -----
    The Gaussian's sigma minimises the same marginal-likelihood score as the disk sweep
    (:func:`defocus_teach.kernel_init.sweep_scores` with ``family="gaussian"``), then
    :func:`~defocus_teach.u_step.deconvolve` (eq. (8)) deblurs the layer: the same pipeline as the
    method except for the kernel model, in the spirit of Dai & Wu (2009) and Shen et al.
    (2012).

    Examples
    --------
    >>> from skimage import data
    >>> from defocus_teach import baselines, kernels, operators
    >>> blurred = operators.blur(data.camera()[:128, :128] / 255.0, kernels.disk(3))
    >>> result = baselines.gaussian_deblur(blurred, max_iter=50)
    >>> result.kernel.shape
    (31, 31)
    """
    f, grey, mask = _prepare(f, mask, channel_axis)
    kernel_size = check_odd_size(kernel_size, "kernel_size")
    sigmas = GAUSSIAN_SIGMAS if sigmas is None else np.asarray(sigmas, dtype=np.float64)
    values, scores = sweep_scores(grey, mask, sigmas, family="gaussian")
    sigma = float(values[int(np.argmin(scores))])
    kernel = pad_kernel(
        gaussian(sigma, min(2 * int(np.ceil(3 * sigma)) + 1, kernel_size)), kernel_size
    )
    lam1 = default_lam1(grey, mask) if lam1 is None else check_positive(lam1, "lam1")
    estimate = deconvolve(f, kernel, mask, lam=lam1, max_iter=max_iter, channel_axis=channel_axis)
    image = _paste(f, estimate, mask, channel_axis)
    return BlindResult(image, kernel, np.zeros_like(f), (), sigma, (lam1, 0.0, 0.0))


def motion_style_kernel(f: np.ndarray, mask: np.ndarray | None = None, **options) -> BlindResult:
    """The blind loop with a motion-deblurring kernel prior (the paper's Fig. 9).

    Parameters
    ----------
    f : ndarray
        Blurred image in [0, 1].
    mask : ndarray of bool, optional
        Layer region (default: whole image).
    **options
        Passed to :func:`~defocus_teach.blind.blind_deconvolve`.

    Returns
    -------
    result : BlindResult

    Notes
    -----
    Identical to :func:`~defocus_teach.blind.blind_deconvolve` except that the feasible set is only
    :math:`\\{k \\ge 0, \\sum k = 1\\}` (:func:`defocus_teach.kernels.project_simplex`): no
    symmetry, no low rank, as in blind motion deblurring.

    Examples
    --------
    >>> from skimage import data
    >>> from defocus_teach import baselines, kernels, operators
    >>> blurred = operators.blur(data.camera()[:96, :96] / 255.0, kernels.disk(2))
    >>> baselines.motion_style_kernel(blurred, kernel_size=9, n_iter=2).kernel.shape
    (9, 9)
    """
    return blind_deconvolve(f, mask, kernel_projection=project_simplex, **options)


def richardson_lucy(
    f: np.ndarray,
    mask: np.ndarray | None = None,
    kernel: np.ndarray | None = None,
    num_iter: int = 30,
    kernel_size: int = 31,
    *,
    channel_axis: int | None = None,
) -> BlindResult:
    """Richardson-Lucy deconvolution (scikit-image) with the swept kernel.

    Parameters
    ----------
    f : ndarray
        Blurred image in [0, 1].
    mask : ndarray of bool, optional
        Layer region: used for the sweep and to paste the result (default: whole image).
    kernel : ndarray, optional
        Kernel to use; default the apodised disk of
        :func:`~defocus_teach.kernel_init.initial_kernel`, the blind method's k(0).
    num_iter : int, optional
        Richardson-Lucy iterations (default 30).
    kernel_size : int, optional
        Odd side of the swept kernel (default 31).
    channel_axis : int, optional
        Colour axis.

    Returns
    -------
    result : BlindResult

    Notes
    -----
    A thin wrapper of :func:`skimage.restoration.richardson_lucy` (``clip=False``); the
    whole image is deconvolved and the layer's pixels are kept.

    Examples
    --------
    >>> from skimage import data
    >>> from defocus_teach import baselines, kernels, operators
    >>> blurred = operators.blur(data.camera()[:128, :128] / 255.0, kernels.disk(3))
    >>> baselines.richardson_lucy(blurred, kernel=kernels.disk(3)).image.shape
    (128, 128)
    """
    check_positive(num_iter, "num_iter", integer=True)

    def restore(image, psf):
        positive = np.clip(image, 1e-6, None)  # RL multiplies by ratios: it needs f > 0
        return restoration.richardson_lucy(positive, psf, num_iter=num_iter, clip=False)

    return _classic(f, mask, kernel, kernel_size, channel_axis, restore)


def wiener(
    f: np.ndarray,
    mask: np.ndarray | None = None,
    kernel: np.ndarray | None = None,
    balance: float = 0.01,
    kernel_size: int = 31,
    *,
    channel_axis: int | None = None,
) -> BlindResult:
    """Wiener-Hunt deconvolution (scikit-image) with the swept kernel.

    Parameters
    ----------
    f : ndarray
        Blurred image in [0, 1].
    mask : ndarray of bool, optional
        Layer region: used for the sweep and to paste the result (default: whole image).
    kernel : ndarray, optional
        Kernel to use; default the apodised disk of
        :func:`~defocus_teach.kernel_init.initial_kernel`, the blind method's k(0).
    balance : float, optional
        Regularisation weight of :func:`skimage.restoration.wiener` (default 0.01).
    kernel_size : int, optional
        Odd side of the swept kernel (default 31).
    channel_axis : int, optional
        Colour axis.

    Returns
    -------
    result : BlindResult

    Notes
    -----
    A thin wrapper of :func:`skimage.restoration.wiener` (``clip=False``, Laplacian
    regulariser); the whole image is deconvolved and the layer's pixels are kept.

    Examples
    --------
    >>> from skimage import data
    >>> from defocus_teach import baselines, kernels, operators
    >>> blurred = operators.blur(data.camera()[:128, :128] / 255.0, kernels.disk(3))
    >>> baselines.wiener(blurred, kernel=kernels.disk(3)).image.shape
    (128, 128)
    """
    check_positive(balance, "balance")

    def restore(image, psf):
        return restoration.wiener(image, psf, balance, clip=False)

    return _classic(f, mask, kernel, kernel_size, channel_axis, restore)

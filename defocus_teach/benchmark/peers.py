"""Peer methods from other libraries, run layer by layer like the baselines.

* :func:`deepinv_blind_rl`: blind Richardson-Lucy with a total-variation prior,
  ``deepinv.optim.BlindRL`` from deepinv [1], started from the same initial disk as
  the method (:func:`~defocus_teach.kernel_init.initial_kernel`).

A peer needs a library that the package does not depend on (deepinv brings torch): the
optional extra ``peers`` (``pip install ".[peers]"`` in a clone).  The library is imported
on the first call, so this module imports without it; the benchmark registers a peer in
``METHODS`` only when its library is installed.

.. rubric:: References

1. Tachella, J. et al. "DeepInverse: A Python package for solving imaging inverse problems
   with deep learning." Journal of Open Source Software 10(115), 8923 (2025),
   doi:10.21105/joss.08923.
"""

from __future__ import annotations

import importlib

import numpy as np
from scipy import fft
from skimage.color import rgb2gray

from .._layer_grid import _bounding_box
from .._validation import (
    as_float_image,
    as_mask,
    check_nonnegative,
    check_odd_size,
    check_positive,
)
from ..blind import BlindResult
from ..kernel_init import initial_kernel

__all__ = ["deepinv_blind_rl", "BLIND_RL_ITERATIONS", "BLIND_RL_TV_WEIGHT"]

#: Iterations of :func:`deepinv_blind_rl`, chosen on the suite (``benchmarks/tune_peers.py``).
BLIND_RL_ITERATIONS = 30
#: Weight of the TV prior of :func:`deepinv_blind_rl`, chosen with the iterations.
BLIND_RL_TV_WEIGHT = 0.003
#: Richardson-Lucy divides by the data and the estimate: both are kept above this.
_FLOOR = 1e-6


def _import_deepinv():
    """``(torch, deepinv)``, or an ImportError that says how to install them."""
    try:
        return importlib.import_module("torch"), importlib.import_module("deepinv")
    except ImportError as error:
        raise ImportError(
            "deepinv_blind_rl needs deepinv and torch: pip install deepinv torch (the extra "
            '"peers" of defocus-teach: pip install ".[peers]" in a clone)'
        ) from error


def _start_kernel(luminance_box: np.ndarray, mask_box: np.ndarray, kernel_size: int) -> np.ndarray:
    """The initial kernel k(0), the same as the method's: the swept kernel on the layer's box."""
    return initial_kernel(luminance_box, mask_box, size=kernel_size).kernel


def _pad_widths(shape: tuple[int, int], kernel_size: int) -> list[tuple[int, int]]:
    """Reflection margins: a kernel's width each side, then up to a fast FFT length."""
    widths = []
    for n in shape:
        total = fft.next_fast_len(n + 2 * kernel_size, real=True)
        widths.append((kernel_size, total - n - kernel_size))
    return widths + [(0, 0)]


def _to_tensor(torch, array: np.ndarray):
    """(H, W, C) or (H, W) float array -> torch tensor (1, C, H, W), float32."""
    array = array[None] if array.ndim == 2 else np.moveaxis(array, -1, 0)
    return torch.from_numpy(np.ascontiguousarray(array[None], dtype=np.float32))


def _run_blind_rl(modules, data: np.ndarray, kernel: np.ndarray, n_iter: int, tv_weight: float):
    """BlindRL on ``data`` (H, W, C) from ``(data, kernel)``: the image and the kernel."""
    torch, deepinv = modules
    y = _to_tensor(torch, data)
    prior = deepinv.optim.TVPrior() if tv_weight > 0 else None
    solver = deepinv.optim.BlindRL(
        x_prior=prior,
        lambda_reg_x=float(tv_weight),
        max_iter=int(n_iter),
        use_fft=True,  # the kernel is 31 x 31: FFT convolutions are far faster
        early_stop=False,
        eps=_FLOOR,
        init=(y.clone(), _to_tensor(torch, kernel)),
    )
    with torch.no_grad():
        image, found = solver(y)
    image = np.moveaxis(image[0].numpy(), 0, -1).astype(np.float64)
    found = found[0, 0].numpy().astype(np.float64)
    return image, found / found.sum()


def deepinv_blind_rl(
    f: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    channel_axis: int | None = None,
    kernel_size: int = 31,
    n_iter: int = BLIND_RL_ITERATIONS,
    tv_weight: float = BLIND_RL_TV_WEIGHT,
) -> BlindResult:
    """Blind Richardson-Lucy with a TV prior (deepinv's ``BlindRL``) on one layer.

    Parameters
    ----------
    f : ndarray
        Blurred image in [0, 1].
    mask : ndarray of bool, optional
        Layer region (default: whole image): it sets the box that is deconvolved, the start
        kernel and the pixels pasted back.
    channel_axis : int, optional
        Colour axis.
    kernel_size : int, optional
        Odd side of the kernel (default 31).
    n_iter : int, optional
        Alternating iterations (one kernel and one image update each), default
        ``BLIND_RL_ITERATIONS``.
    tv_weight : float, optional
        Weight :math:`\\lambda_x` of the TV prior (0: plain blind RL), default
        ``BLIND_RL_TV_WEIGHT``.

    Returns
    -------
    result : BlindResult
        ``.image`` is the estimate on the mask's pixels and ``f`` elsewhere; ``.kernel`` the
        estimated kernel; ``.lam`` is ``(tv_weight, 0, 0)``.

    Raises
    ------
    ImportError
        If deepinv or torch is not installed (the extra ``peers``).

    Notes
    -----
    ``deepinv.optim.BlindRL`` (deepinv 0.5) alternates the multiplicative updates of
    Richardson-Lucy for the kernel and the image under the model
    :math:`y \\sim \\mathrm{Poisson}(k * x)`, the kernel kept nonnegative with unit sum, the
    TV prior ``deepinv.optim.TVPrior`` entering the image update by Green's
    one-step-late rule.  Around it:

    * the box: the layer's bounding box grown by the kernel's radius (as in
      :func:`~defocus_teach.blind.blind_deconvolve`), mirrored outwards by the kernel's side
      (``numpy.pad``, ``"reflect"``) and up to a fast FFT length, because BlindRL convolves
      circularly: without the margin its wrap-around seams drive the kernel and ring into
      the image (on the first quick scene, 14.7 dB against the blurred input's 22.1);
    * the start: :math:`(x_0, k_0) = (f, k^{(0)})` with :math:`k^{(0)}` the swept disk of
      :func:`~defocus_teach.kernel_init.initial_kernel` on the box's luminance, the
      method's own start; the data are floored at 1e-6 (Richardson-Lucy divides by them);
    * no mask: BlindRL fits every pixel of the box, so the other layers' pixels in it drive
      the kernel too (unlike the method's masked data term); only the mask's pixels are
      pasted back;
    * colour: one kernel for all channels, fitted on all three at once (BlindRL shares the
      kernel over the channels), TV per channel; grey images are one channel;
    * float32 on the CPU, no model weights, nothing random: two runs give the same result.

    The defaults were chosen on the whole suite (``benchmarks/tune_peers.py``, table in
    ``benchmarks/results/peers_tuning.md``): the best mean PSNR of the defocused layers over
    the 12 scenes among 10, 30 and 100 iterations and TV weights 0, 0.003, 0.01 and 0.03.
    30 iterations with weight 0.003 gave 22.78 dB (worst scene 18.61 dB; weight 0.01 tied
    within 0.01 dB), against 21.92 dB for the blurred input and 23.72 dB for the full method
    in the committed results; about 3 s per scene on one thread.  More iterations lose: 100
    without TV gave 21.89 dB, below the input, as Richardson-Lucy amplifies the noise and the
    kernel drifts from the start; 10 iterations gave 22.70 to 22.74 dB.  The gain is large on
    the mildly blurred scenes (+2.8 and +3.9 dB with disks of radius 3 and 5) and within
    0.13 dB of the input on the one-layer scenes of radius 7 to 9.

    Examples
    --------
    >>> from skimage import data
    >>> from defocus_teach import kernels, operators
    >>> from defocus_teach.benchmark import deepinv_blind_rl
    >>> blurred = operators.blur(data.camera()[:96, :96] / 255.0, kernels.disk(3))
    >>> deepinv_blind_rl(blurred).kernel.shape  # doctest: +SKIP
    (31, 31)
    """
    modules = _import_deepinv()  # before any work: fail fast without it
    f = as_float_image(f, "f", channel_axis=channel_axis)
    channels = f[..., None] if channel_axis is None else np.moveaxis(f, channel_axis, -1)
    luminance = channels[..., 0] if channel_axis is None else rgb2gray(channels)
    mask = as_mask(mask, luminance.shape)
    kernel_size = check_odd_size(kernel_size, "kernel_size")
    check_positive(n_iter, "n_iter", integer=True)
    check_nonnegative(tv_weight, "tv_weight")
    box = _bounding_box(mask, kernel_size // 2 + 1)
    kernel = _start_kernel(luminance[box], mask[box], kernel_size)
    widths = _pad_widths(luminance[box].shape, kernel_size)
    data = np.pad(np.clip(channels[box], _FLOOR, None), widths, mode="reflect")
    estimate, kernel = _run_blind_rl(modules, data, kernel, n_iter, tv_weight)
    crop = tuple(slice(w, w + n) for (w, _), n in zip(widths[:2], mask[box].shape, strict=True))
    image = channels.copy()
    np.copyto(image[box], estimate[crop], where=mask[box][..., None])
    image = image[..., 0] if channel_axis is None else np.moveaxis(image, -1, channel_axis)
    return BlindResult(image, kernel, np.zeros_like(f), (), float("nan"), (tv_weight, 0.0, 0.0))

"""Figures and sliders of the chapter "Kernel rank" (the paper's Fig. 4).

* :func:`plot_singular_values`: kernels and their singular values, with the effective rank of
  :func:`defocus_teach.kernels.effective_rank`;
* :func:`plot_low_rank_deblur`: rank-r0 approximations of a kernel and the images deblurred
  with them, and its slider :func:`interactive_low_rank_deblur`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import kernels as _kernels
from ..u_step import deconvolve
from ._common import (
    MAX_WIDTH,
    as_values,
    book_style,
    int_slider,
    interactive_plot,
    new_figure,
    psnr,
    show_image,
    show_kernel,
)

__all__ = ["plot_singular_values", "plot_low_rank_deblur", "interactive_low_rank_deblur"]


@book_style
def plot_singular_values(kernels: Mapping[str, np.ndarray], ratio: float = _kernels.RANK_RATIO):
    """Kernels and their singular values relative to the largest, on a log scale.

    Parameters
    ----------
    kernels : mapping of str to ndarray
        Kernels by name.
    ratio : float, optional
        The rank threshold drawn as a horizontal line (default 1/30, the paper's rule).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per kernel (top row, titled with its effective rank) and one axes with
        :math:`s_j / s_1` against j; values below 1e-4 (numerically zero) are off the scale.

    Examples
    --------
    >>> from defocus_teach.kernels import disk, gaussian
    >>> from defocus_teach.viz import plot_singular_values
    >>> len(plot_singular_values({"disk": disk(5), "Gaussian": gaussian(2, 11)}).axes)
    3
    """
    names = list(kernels)
    fig = new_figure(MAX_WIDTH, 6.0)
    grid = fig.add_gridspec(2, len(names), height_ratios=[1, 1.3])
    longest = 1
    ax_sv = fig.add_subplot(grid[1, :])
    for index, name in enumerate(names):
        kernel = np.asarray(kernels[name], dtype=np.float64)
        rank = _kernels.effective_rank(kernel, ratio)
        show_kernel(
            fig.add_subplot(grid[0, index]),
            kernel,
            f"{name}\n{kernel.shape[0]} x {kernel.shape[1]}, rank {rank}",
        )
        values = np.linalg.svd(kernel, compute_uv=False)
        values = values / values[0]
        longest = max(longest, values.size)
        index_j = np.arange(1, values.size + 1)
        ax_sv.semilogy(
            index_j, values, "o-", color=f"C{index}", markersize=4, label=f"{name}: rank {rank}"
        )
    ax_sv.axhline(
        ratio, color="k", linestyle="--", linewidth=1, label=f"threshold $s_1$/{1 / ratio:g}"
    )
    ax_sv.set_ylim(1e-4, 2)
    ax_sv.set_xlim(0.5, min(longest, 16) + 0.5)
    ax_sv.set_xlabel("index $j$")
    ax_sv.set_ylabel("$s_j / s_1$")
    ax_sv.grid(alpha=0.3)
    ax_sv.legend(fontsize="small", loc="upper right")
    return fig


@book_style
def plot_low_rank_deblur(
    rank: int | Sequence[int],
    f: np.ndarray,
    sharp: np.ndarray,
    kernel: np.ndarray,
    max_iter: int = 60,
    lam: float | None = None,
):
    """Rank-r0 approximations of a kernel and the images deblurred with them.

    Each approximation is the truncated SVD made a blur kernel again (negative lobes
    clipped, unit sum) by :func:`defocus_teach.kernels.project_feasible`, as in the kernel
    step.

    Parameters
    ----------
    rank : int or sequence of int
        The rank(s) r0 kept by :func:`defocus_teach.kernels.project_feasible`.
    f : ndarray, 2-D
        The blurred image.
    sharp : ndarray, 2-D
        The sharp image, to measure PSNR.
    kernel : ndarray
        The true kernel, which blurred ``f``.
    max_iter : int, optional
        ADMM iterations of :func:`defocus_teach.u_step.deconvolve` (default 60).
    lam : float, optional
        Prior weight passed to :func:`~defocus_teach.u_step.deconvolve`.

    Returns
    -------
    fig : matplotlib.figure.Figure
        For each rank a kernel axes (on the true kernel's colour scale, titled with the
        relative error to the true kernel) and an image axes (titled with the PSNR).  Several
        ranks: kernels on the top row, results below.  One rank: side by side.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.operators import blur
    >>> from defocus_teach.viz import plot_low_rank_deblur
    >>> sharp = np.random.default_rng(0).random((40, 40))
    >>> fig = plot_low_rank_deblur([1, 2], blur(sharp, disk(3)), sharp, disk(3), max_iter=5)
    >>> len(fig.axes)
    4
    """
    ranks = as_values(rank)
    kernel = np.asarray(kernel, dtype=np.float64)
    vmax = float(np.abs(kernel).max())
    norm = np.linalg.norm(kernel)
    columns = []
    for value in ranks:
        # The truncation has small negative lobes and does not sum to 1: deconvolve the
        # nearest blur kernel of that rank, as P_Omega would give it (eq. (10)).
        approx = _kernels.project_feasible(kernel, rank=int(value), symmetric=False)
        result = deconvolve(f, approx, lam=lam, max_iter=max_iter)
        columns.append((int(value), approx, result))
    single = len(ranks) == 1
    aspect = f.shape[0] / f.shape[1]
    if single:
        fig = new_figure(7.0, 3.5 * aspect + 0.6)
        axes = fig.subplots(1, 2, squeeze=False).T
    else:
        panel = min(3.0, MAX_WIDTH / len(ranks))
        fig = new_figure(panel * len(ranks), panel * (1 + aspect) + 1.0)
        axes = fig.subplots(2, len(ranks), squeeze=False)
    for col, (value, approx, result) in enumerate(columns):
        error = np.linalg.norm(approx - kernel) / norm
        show_kernel(axes[0, col], approx, f"rank {value} kernel\nerror {error:.2f}", vmax=vmax)
        show_image(axes[1, col], result, f"deblurred: {psnr(sharp, result):.1f} dB")
    return fig


def interactive_low_rank_deblur(
    f: np.ndarray, sharp: np.ndarray, kernel: np.ndarray, max_iter: int = 60
):
    """Slider: rank r0 -> rank-r0 kernel and deblurred image (:func:`plot_low_rank_deblur`).

    Returns
    -------
    widget : ipywidgets.interactive
        A ``rank`` slider from 1 to (n + 1) / 2 for an n x n kernel (the largest rank of a
        D4-symmetric kernel), starting at 2, and the figure.
    """
    top = (min(np.shape(kernel)) + 1) // 2
    return interactive_plot(
        plot_low_rank_deblur,
        {"rank": int_slider("rank r0", min(2, top), 1, top)},
        f=f,
        sharp=sharp,
        kernel=kernel,
        max_iter=max_iter,
    )

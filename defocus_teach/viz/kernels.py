"""Figures and sliders about the defocus kernel: chapters "Why a Gaussian kernel is not
enough", "Kernel rank" and "Symmetry" (the paper's Figs. 3, 4 and 6, eqs. (4) and (10)).

Gaussian chapter
    :func:`plot_psnr_vs_sigma`, :func:`plot_spectra`, :func:`plot_gaussian_deblur` and its
    slider :func:`interactive_gaussian_deblur`.
Rank chapter
    :func:`plot_singular_values`, :func:`plot_low_rank_deblur` and its slider
    :func:`interactive_low_rank_deblur`.
Symmetry chapter
    :func:`plot_dihedral_images`, :func:`plot_symmetrize` and its slider
    :func:`interactive_symmetrize`, :func:`plot_kernel_errors`.

Functions named ``plot_*`` that take a parameter first accept one value or a sequence of
values: a sequence gives the small multiples of the book's static figures, one value the
figure of its slider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import LogNorm
from scipy import fft
from skimage.metrics import peak_signal_noise_ratio

from .. import kernels as _kernels
from .._validation import as_kernel
from ..u_step import deconvolve
from ._common import (
    MAX_WIDTH,
    as_values,
    book_style,
    float_slider,
    int_slider,
    interactive_plot,
    new_figure,
    show_image,
    show_kernel,
)

__all__ = [
    "GAUSSIAN_SIZE",
    "psnr",
    "plot_psnr_vs_sigma",
    "plot_spectra",
    "plot_gaussian_deblur",
    "interactive_gaussian_deblur",
    "plot_singular_values",
    "plot_low_rank_deblur",
    "interactive_low_rank_deblur",
    "DIHEDRAL_NAMES",
    "plot_dihedral_images",
    "plot_symmetrize",
    "interactive_symmetrize",
    "plot_kernel_errors",
]

#: The side of the Gaussian kernels tried in place of the true one (the paper's 31 x 31
#: kernel support).
GAUSSIAN_SIZE = 31

#: The names of the 8 symmetries of the square, in the order of the images drawn by
#: :func:`plot_dihedral_images` (a is the row flip, l the column flip, T the transpose).
DIHEDRAL_NAMES = (
    "$M$",
    "$M^a$",
    "$M^l$",
    "$(M^a)^l$",
    "$M^T$",
    "$(M^T)^a$",
    "$(M^T)^l$",
    "$((M^T)^a)^l$",
)


def psnr(sharp: np.ndarray, estimate: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB of ``estimate`` against ``sharp``, for images in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import psnr
    >>> round(psnr(np.zeros((4, 4)), np.full((4, 4), 0.1)), 6)
    20.0
    """
    return float(peak_signal_noise_ratio(sharp, estimate, data_range=1.0))


def _inset_kernel(ax, kernel: np.ndarray, vmax: float | None = None) -> None:
    """A small kernel picture in the top-right corner of an image axes."""
    inset = ax.inset_axes((0.68, 0.68, 0.3, 0.3))
    show_kernel(inset, kernel, vmax=vmax)
    for spine in inset.spines.values():
        spine.set_visible(True)


# --------------------------------------------------------------------------------------------
# Chapter "Why a Gaussian kernel is not enough" (Fig. 3)


@book_style
def plot_psnr_vs_sigma(
    sigmas: Sequence[float],
    psnrs: Sequence[float],
    reference_psnr: float,
    blurred_psnr: float | None = None,
):
    """PSNR of the deblurred image against the sigma of the Gaussian kernel used.

    Parameters
    ----------
    sigmas : sequence of float
        Standard deviations of the Gaussian kernels tried.
    psnrs : sequence of float
        PSNR (dB) of the result obtained with each Gaussian.
    reference_psnr : float
        PSNR obtained with the true kernel, drawn as a horizontal line.
    blurred_psnr : float, optional
        PSNR of the blurred input, drawn as a dotted line.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes: PSNR against sigma with the best sigma marked.

    Examples
    --------
    >>> from defocus_teach.viz import plot_psnr_vs_sigma
    >>> len(plot_psnr_vs_sigma([1, 2, 3], [20, 24, 22], 27).axes)
    1
    """
    sigmas, psnrs = np.asarray(sigmas, dtype=float), np.asarray(psnrs, dtype=float)
    if sigmas.shape != psnrs.shape:
        raise ValueError(
            f"sigmas and psnrs must have the same length, got {sigmas.shape}, {psnrs.shape}"
        )
    fig = new_figure(6.5, 3.6)
    ax = fig.add_subplot()
    ax.plot(sigmas, psnrs, "o-", color="C0", label="Gaussian kernel of std $\\sigma$")
    best = int(np.argmax(psnrs))
    ax.plot(
        sigmas[best],
        psnrs[best],
        "*",
        color="C0",
        markersize=14,
        label=f"best Gaussian: $\\sigma$ = {sigmas[best]:g} ({psnrs[best]:.1f} dB)",
    )
    ax.axhline(reference_psnr, color="C3", label=f"true disk kernel ({reference_psnr:.1f} dB)")
    if blurred_psnr is not None:
        ax.axhline(
            blurred_psnr,
            color="0.4",
            linestyle=":",
            label=f"blurred input ({blurred_psnr:.1f} dB)",
        )
    ax.set_xlabel("$\\sigma$ of the Gaussian kernel (pixels)")
    ax.set_ylabel("PSNR of the result (dB)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize="small")
    return fig


def _spectrum(kernel: np.ndarray, size: int) -> np.ndarray:
    """Magnitude of the transfer function on a size x size grid, zero frequency at the centre."""
    padded = _kernels.pad_kernel(kernel, size)
    return np.abs(fft.fftshift(fft.fft2(fft.ifftshift(padded))))


@book_style
def plot_spectra(kernels: Mapping[str, np.ndarray], size: int = 127, floor: float = 1e-4):
    """Transfer functions of kernels, in magnitude: 2-D maps and a horizontal cross-section.

    Parameters
    ----------
    kernels : mapping of str to ndarray
        Kernels (odd sides, sum 1) by name, e.g. the true disk and the best Gaussian.
    size : int, optional
        Odd side of the frequency grid (default 127).
    floor : float, optional
        Smallest magnitude shown on the logarithmic scales (default 1e-4).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per kernel with :math:`\\log |K(\\omega)|` over the frequency plane, a
        colorbar, and one axes with :math:`|K(\\omega_x, 0)|` for
        :math:`0 \\le \\omega_x \\le \\pi` on a log scale, where the zeros of the disk's
        transfer function show as deep notches.

    Examples
    --------
    >>> from defocus_teach.kernels import disk, gaussian
    >>> from defocus_teach.viz import plot_spectra
    >>> len(plot_spectra({"disk": disk(5), "Gaussian": gaussian(3, 31)}).axes)
    4
    """
    names = list(kernels)
    spectra = [_spectrum(kernels[name], size) for name in names]
    centre = size // 2
    fig = new_figure(MAX_WIDTH, 3.2)
    grid = fig.add_gridspec(1, len(names) + 1, width_ratios=[1] * len(names) + [1.8])
    norm = LogNorm(vmin=floor, vmax=1.0)
    extent = (-np.pi, np.pi, -np.pi, np.pi)
    for index, (name, spectrum) in enumerate(zip(names, spectra, strict=True)):
        ax = fig.add_subplot(grid[0, index])
        artist = ax.imshow(
            np.maximum(spectrum, floor), cmap="magma", norm=norm, extent=extent, origin="lower"
        )
        ax.set_title(name)
        ax.set_xticks([-np.pi, 0, np.pi], ["$-\\pi$", "0", "$\\pi$"])
        ax.set_yticks([-np.pi, 0, np.pi], ["$-\\pi$", "0", "$\\pi$"])
        ax.set_xlabel("$\\omega_x$")
        if index == 0:
            ax.set_ylabel("$\\omega_y$")
    fig.colorbar(artist, ax=fig.axes, shrink=0.8, label="$|K(\\omega)|$")
    ax = fig.add_subplot(grid[0, -1])
    omega = 2 * np.pi * np.arange(size - centre) / size
    for index, (name, spectrum) in enumerate(zip(names, spectra, strict=True)):
        ax.semilogy(
            omega,
            np.maximum(spectrum[centre, centre:], floor),
            color=f"C{3 * (index == 0)}",
            label=name,
        )
    ax.set_ylim(floor, 1.5)
    ax.set_xlim(0, np.pi)
    ax.set_xticks([0, np.pi / 2, np.pi], ["0", "$\\pi/2$", "$\\pi$"])
    ax.set_xlabel("$\\omega_x$ (with $\\omega_y = 0$)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title("cross-section $|K(\\omega_x, 0)|$")
    return fig


def _grid_shape(count: int) -> tuple[int, int]:
    ncols = min(count, 3)
    return -(-count // ncols), ncols


@book_style
def plot_gaussian_deblur(
    sigma: float | Sequence[float],
    f: np.ndarray,
    sharp: np.ndarray,
    true_kernel: np.ndarray,
    max_iter: int = 60,
    lam: float | None = None,
):
    """Non-blind deblurring of ``f`` with Gaussian kernels, next to the true kernel's result.

    Parameters
    ----------
    sigma : float or sequence of float
        Standard deviation(s) of the Gaussian kernel(s), on a 31 x 31 support
        (:data:`~defocus_teach.viz.kernels.GAUSSIAN_SIZE`).
    f : ndarray, 2-D
        The blurred image.
    sharp : ndarray, 2-D
        The sharp image, to measure PSNR.
    true_kernel : ndarray
        The kernel that blurred ``f``.
    max_iter : int, optional
        ADMM iterations of :func:`defocus_teach.u_step.deconvolve` (default 60).
    lam : float, optional
        Prior weight passed to :func:`~defocus_teach.u_step.deconvolve`.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Panels, at most 3 per row: the blurred input, one result per sigma and the result
        with the true kernel, each titled with its PSNR and showing its kernel in an inset
        axes (a child of the image axes, not listed in ``fig.axes``).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.operators import blur
    >>> from defocus_teach.viz import plot_gaussian_deblur
    >>> sharp = np.random.default_rng(0).random((40, 40))
    >>> fig = plot_gaussian_deblur(2.0, blur(sharp, disk(3)), sharp, disk(3), max_iter=5)
    >>> len(fig.axes)
    3
    """
    sigmas = as_values(sigma)
    panels = [("blurred input $f$", f, None)]
    for value in sigmas:
        kernel = _kernels.gaussian(value, GAUSSIAN_SIZE)
        result = deconvolve(f, kernel, lam=lam, max_iter=max_iter)
        panels.append((f"Gaussian $\\sigma$ = {value:g}", result, kernel))
    result = deconvolve(f, true_kernel, lam=lam, max_iter=max_iter)
    panels.append(("true kernel", result, true_kernel))
    nrows, ncols = _grid_shape(len(panels))
    panel = MAX_WIDTH / 3
    fig = new_figure(panel * ncols, nrows * (panel * f.shape[0] / f.shape[1] + 0.4))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    size = max(GAUSSIAN_SIZE, true_kernel.shape[0])
    for ax, (title, image, kernel) in zip(axes.flat, panels, strict=False):
        show_image(ax, image, f"{title}: {psnr(sharp, image):.1f} dB")
        if kernel is not None:
            _inset_kernel(ax, _kernels.pad_kernel(kernel, size))
    for ax in axes.flat[len(panels) :]:
        ax.remove()
    return fig


def interactive_gaussian_deblur(
    f: np.ndarray, sharp: np.ndarray, true_kernel: np.ndarray, max_iter: int = 60
):
    """Slider: sigma of the Gaussian kernel -> deblurred result (:func:`plot_gaussian_deblur`).

    Returns
    -------
    widget : ipywidgets.interactive
        A ``sigma`` slider from 1 to 7 pixels in steps of 0.5, and the figure.
    """
    return interactive_plot(
        plot_gaussian_deblur,
        {"sigma": float_slider("sigma (px)", 3.0, 1.0, 7.0, 0.5)},
        f=f,
        sharp=sharp,
        true_kernel=true_kernel,
        max_iter=max_iter,
    )


# --------------------------------------------------------------------------------------------
# Chapter "Kernel rank" (Fig. 4)


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

    Parameters
    ----------
    rank : int or sequence of int
        The rank(s) r0 kept by :func:`defocus_teach.kernels.low_rank`.
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
        approx = _kernels.low_rank(kernel, int(value))
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


# --------------------------------------------------------------------------------------------
# Chapter "Symmetry" (eqs. (4) and (10), Fig. 6)


@book_style
def plot_dihedral_images(kernel: np.ndarray):
    """The 8 images of a square kernel under the symmetries of the square (the group D4).

    Parameters
    ----------
    kernel : ndarray, shape (m, m)
        The kernel M.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Eight kernel axes on two rows, titled with
        :data:`~defocus_teach.viz.kernels.DIHEDRAL_NAMES`; the images are those averaged by
        :func:`defocus_teach.kernels.symmetrize`.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_dihedral_images
    >>> len(plot_dihedral_images(np.arange(9.0).reshape(3, 3)).axes)
    8
    """
    kernel = as_kernel(kernel)
    if kernel.shape[0] != kernel.shape[1]:
        raise ValueError(f"kernel must be square, got shape {kernel.shape}")
    images = _kernels._dihedral_images(kernel)
    vmax = float(np.abs(kernel).max()) or 1.0
    fig = new_figure(MAX_WIDTH, 4.6)
    axes = fig.subplots(2, 4)
    for ax, image, name in zip(axes.flat, images, DIHEDRAL_NAMES, strict=True):
        show_kernel(ax, image, name, vmax=vmax)
    return fig


@book_style
def plot_symmetrize(
    noise: float | Sequence[float],
    kernel: np.ndarray,
    rng: None | int | np.random.Generator = 0,
):
    """A noisy kernel estimate, its symmetrisation P_O and the full projection P_Omega.

    Parameters
    ----------
    noise : float or sequence of float
        Noise standard deviation(s) relative to the kernel's largest entry; one row each.
    kernel : ndarray, shape (m, m)
        The true kernel (e.g. a disk).
    rng : None, int or numpy.random.Generator, optional
        Seed of the noise (default 0).  One noise pattern is drawn and scaled to each level.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Per noise level four kernel axes: the truth, the noisy estimate,
        :func:`~defocus_teach.kernels.symmetrize` of it and
        :func:`~defocus_teach.kernels.project_feasible` of it, titled with the relative error
        to the truth (:func:`~defocus_teach.kernels.kernel_error`, without re-centring).

    Examples
    --------
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.viz import plot_symmetrize
    >>> len(plot_symmetrize([0.1, 0.5], disk(4, 15)).axes)
    8
    """
    levels = as_values(noise)
    kernel = as_kernel(kernel)
    pattern = np.random.default_rng(rng).standard_normal(kernel.shape)
    peak = float(kernel.max())
    fig = new_figure(MAX_WIDTH, len(levels) * 2.5)
    axes = fig.subplots(len(levels), 4, squeeze=False)
    for row, level in enumerate(levels):
        noisy = kernel + level * peak * pattern
        panels = [
            ("truth", kernel),
            (f"noisy, noise {level:g}", noisy),
            ("symmetrize", _kernels.symmetrize(noisy)),
            ("project_feasible", _kernels.project_feasible(noisy)),
        ]
        for col, (name, estimate) in enumerate(panels):
            title = name
            if col > 0:
                error = _kernels.kernel_error(estimate, kernel, centre=False)
                title = f"{name}\nerror {error:.2f}"
            show_kernel(axes[row, col], estimate, title, vmax=1.5 * peak)
    return fig


def interactive_symmetrize(kernel: np.ndarray, rng: None | int | np.random.Generator = 0):
    """Slider: noise level -> estimate, symmetrised and projected (:func:`plot_symmetrize`).

    Returns
    -------
    widget : ipywidgets.interactive
        A ``noise`` slider from 0 to 1 (relative to the kernel's peak) and the figure.
    """
    return interactive_plot(
        plot_symmetrize,
        {"noise": float_slider("noise level", 0.3, 0.0, 1.0, 0.05)},
        kernel=kernel,
        rng=rng,
    )


@book_style
def plot_kernel_errors(noise_levels: Sequence[float], errors: Mapping[str, Sequence[float]]):
    """Kernel error against noise level, one line per estimate.

    Parameters
    ----------
    noise_levels : sequence of float
        The noise levels (x axis).
    errors : mapping of str to sequence of float
        Relative kernel errors at each level, by name of the estimate.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes.

    Examples
    --------
    >>> from defocus_teach.viz import plot_kernel_errors
    >>> len(plot_kernel_errors([0.1, 0.2], {"noisy": [0.3, 0.6]}).axes)
    1
    """
    levels = np.asarray(noise_levels, dtype=float)
    fig = new_figure(6.5, 3.6)
    ax = fig.add_subplot()
    for name, values in errors.items():
        values = np.asarray(values, dtype=float)
        if values.shape != levels.shape:
            raise ValueError(
                f"errors[{name!r}] must have one value per noise level "
                f"({levels.size}), got {values.size}"
            )
        ax.plot(levels, values, "o-", label=name)
    ax.set_xlabel("noise level (std relative to the kernel's peak)")
    ax.set_ylabel("relative error to the true kernel")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig

"""Figures and sliders of the chapter "Why a Gaussian kernel is not enough" (the paper's
Fig. 3).

* :func:`plot_psnr_vs_sigma`: PSNR of non-blind deblurring with Gaussian kernels of growing
  width, against the true kernel's;
* :func:`plot_spectra`: the transfer functions of the disk and of the best Gaussian;
* :func:`plot_gaussian_deblur`: the deblurred images themselves, and its slider
  :func:`interactive_gaussian_deblur`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import LogNorm
from scipy import fft

from .. import kernels as _kernels
from ..u_step import deconvolve
from ._common import (
    MAX_WIDTH,
    as_values,
    book_style,
    float_slider,
    interactive_plot,
    new_figure,
    pad_kernels,
    panel_grid,
    psnr,
    show_image,
    show_kernel,
)

__all__ = [
    "GAUSSIAN_SIZE",
    "plot_psnr_vs_sigma",
    "plot_spectra",
    "plot_gaussian_deblur",
    "interactive_gaussian_deblur",
]

#: The side of the Gaussian kernels tried in place of the true one (the paper's 31 x 31
#: kernel support).
GAUSSIAN_SIZE = 31


def _inset_kernel(ax, kernel: np.ndarray, vmax: float | None = None) -> None:
    """A small kernel picture in the top-right corner of an image axes."""
    inset = ax.inset_axes((0.68, 0.68, 0.3, 0.3))
    show_kernel(inset, kernel, vmax=vmax)
    for spine in inset.spines.values():
        spine.set_visible(True)


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
        (:data:`~defocus_teach.viz.gaussian.GAUSSIAN_SIZE`).
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
    aspect = f.shape[0] / f.shape[1]
    fig, axes = panel_grid(len(panels), min(len(panels), 3), MAX_WIDTH / 3, aspect)
    size = max(GAUSSIAN_SIZE, true_kernel.shape[0])
    insets = [None] + pad_kernels([kernel for _, _, kernel in panels[1:]], size)
    for ax, (title, image, _), inset in zip(axes, panels, insets, strict=True):
        show_image(ax, image, f"{title}: {psnr(sharp, image):.1f} dB")
        if inset is not None:
            _inset_kernel(ax, inset)
    return fig


def interactive_gaussian_deblur(
    f: np.ndarray,
    sharp: np.ndarray,
    true_kernel: np.ndarray,
    max_iter: int = 60,
    lam: float | None = None,
):
    """Slider: sigma of the Gaussian kernel -> deblurred result (:func:`plot_gaussian_deblur`).

    ``f``, ``sharp``, ``true_kernel``, ``max_iter`` and ``lam`` are passed to
    :func:`plot_gaussian_deblur`.

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
        lam=lam,
    )

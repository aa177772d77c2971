"""Figures and sliders of the chapter "Image update by ADMM with spline framelets" (the
paper's eq. (8)).

* :func:`plot_framelet_filters`: the 9 filters of the spline framelet and the tight-frame
  condition;
* :func:`plot_framelet_bands`: the framelet coefficients of an image, band by band;
* :func:`plot_convergence`: the objective of ADMM against the iteration;
* :func:`plot_lam1_deblur`: non-blind deconvolution for several weights lam1 of the prior, and
  its slider :func:`interactive_lam1_deblur`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import framelet as _framelet
from .._validation import as_float_image
from ..u_step import deconvolve
from ._common import (
    MAX_WIDTH,
    as_values,
    book_style,
    image_grid,
    interactive_plot,
    log_slider,
    new_figure,
    panel_grid,
    psnr,
    show_image,
    show_kernel,
)

__all__ = [
    "FRAMELET_NAMES",
    "plot_framelet_filters",
    "plot_framelet_bands",
    "plot_convergence",
    "plot_lam1_deblur",
    "interactive_lam1_deblur",
]

#: Names of the 9 bands of a one-level spline framelet, in the order of
#: :func:`defocus_teach.framelet.analysis`: band ``3 i + j`` filters with :math:`h_i` along
#: the rows (axis 0) and :math:`h_j` along the columns (axis 1).
FRAMELET_NAMES = tuple(f"$h_{i} h_{j}^T$" for i in range(3) for j in range(3))


def _framelet_filters() -> np.ndarray:
    """The 9 2-D filters of the one-level framelet: the response of W to a centred delta."""
    delta = np.zeros((5, 5))
    delta[2, 2] = 1.0
    return _framelet.analysis(delta)[:, 1:4, 1:4]


@book_style
def plot_framelet_filters():
    """The 9 filters of the spline framelet W and the frequency responses of its 1-D taps.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Nine 3 x 3 filter axes, band ``3 i + j`` at row i and column j (:math:`h_i` along
        the rows, :math:`h_j` along the columns), computed by applying
        :func:`defocus_teach.framelet.analysis` to a centred delta, on one colour scale;
        then one axes with :math:`|\\hat h_i(\\omega)|^2` for the three 1-D taps and their
        sum, which is 1 at every frequency (the tight-frame condition).

    Examples
    --------
    >>> from defocus_teach.viz import plot_framelet_filters
    >>> len(plot_framelet_filters().axes)
    10
    """
    filters = _framelet_filters()
    vmax = float(np.abs(filters).max())
    fig = new_figure(MAX_WIDTH, 3.9)
    outer = fig.add_gridspec(1, 2, width_ratios=[1, 1.25])
    cells = outer[0, 0].subgridspec(3, 3)
    for band, (name, kernel) in enumerate(zip(FRAMELET_NAMES, filters, strict=True)):
        ax = fig.add_subplot(cells[band // 3, band % 3])
        show_kernel(ax, kernel, name, vmax)
    ax = fig.add_subplot(outer[0, 1])
    omega = np.linspace(0.0, np.pi, 201)
    offsets = np.arange(-1, 2)
    responses = [
        np.abs(np.exp(-1j * np.outer(omega, offsets)) @ taps) ** 2
        for taps in _framelet.SPLINE_TAPS
    ]
    for index, response in enumerate(responses):
        ax.plot(omega, response, color=f"C{index}", label=f"$|\\hat h_{index}(\\omega)|^2$")
    ax.plot(omega, np.sum(responses, axis=0), "k--", label="sum")
    ax.set_xticks([0, np.pi / 2, np.pi], ["0", "$\\pi/2$", "$\\pi$"])
    ax.set_xlabel("frequency $\\omega$")
    ax.set_ylim(0, 1.1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="center right")
    return fig


@book_style
def plot_framelet_bands(image: np.ndarray, levels: int = 1, small: float = 0.01):
    """The framelet coefficients W u of an image, one panel per band.

    Parameters
    ----------
    image : ndarray, 2-D
        The image u, in [0, 1].
    levels : int, optional
        Levels of the framelet (default 1: 9 bands).
    small : float, optional
        Coefficients with absolute value below ``small`` are counted as near zero in the
        titles (default 0.01, i.e. 2.5 grey levels).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per band, 3 per row: band 0 (the low-pass band, not penalised by the prior)
        in grey, the high-pass bands on one diverging scale, each titled with the share of
        near-zero coefficients.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_framelet_bands
    >>> len(plot_framelet_bands(np.random.default_rng(0).random((16, 16))).axes)
    9
    """
    image = as_float_image(image, "image", check_range=False)
    coeffs = _framelet.analysis(image, levels)
    high = coeffs[1:]
    vmax = float(np.percentile(np.abs(high), 99.5)) or 1.0
    aspect = image.shape[0] / image.shape[1]
    fig, axes = panel_grid(coeffs.shape[0], 3, 2.2, aspect, title_height=0.45)
    for band, ax in enumerate(axes):
        name = FRAMELET_NAMES[band] if levels == 1 else f"band {band}"
        if band == 0:
            show_image(ax, coeffs[0], f"{name}: low-pass")
        else:
            near_zero = float(np.mean(np.abs(coeffs[band]) < small))
            show_kernel(ax, coeffs[band], f"{name}: {100 * near_zero:.0f} % near 0", vmax)
    return fig


@book_style
def plot_convergence(objectives: Mapping[str, Sequence[float]], reference: float | None = None):
    """Convergence of iterative solvers: relative gap of the objective to its best value.

    Parameters
    ----------
    objectives : mapping of str to sequence of float
        The objective after iterations 1, 2, ... of each run, by name.
    reference : float, optional
        The optimal value F*; default the smallest value of all runs.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes with :math:`(F_t - F^*) / F^*` against the iteration t on a logarithmic
        scale (points at or below F* are left out).

    Examples
    --------
    >>> from defocus_teach.viz import plot_convergence
    >>> len(plot_convergence({"ADMM": [3.0, 2.0, 1.5, 1.0]}).axes)
    1
    """
    if reference is None:
        reference = min(float(np.min(values)) for values in objectives.values())
    fig = new_figure(6.5, 3.6)
    ax = fig.add_subplot()
    for index, (name, values) in enumerate(objectives.items()):
        values = np.asarray(values, dtype=float)
        gap = (values - reference) / abs(reference)
        iterations = np.arange(1, values.size + 1)
        keep = gap > 0
        ax.semilogy(iterations[keep], gap[keep], color=f"C{index}", label=name)
    ax.set_xlabel("ADMM iteration $t$")
    ax.set_ylabel("$(F_t - F^*) / F^*$")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    return fig


@book_style
def plot_lam1_deblur(
    lam1: float | Sequence[float],
    f: np.ndarray,
    sharp: np.ndarray,
    kernel: np.ndarray,
    max_iter: int = 100,
):
    """Non-blind deconvolution (the u-step alone) for given values of lam1.

    Parameters
    ----------
    lam1 : float or sequence of float
        Weight(s) :math:`\\lambda_1` of the framelet prior.
    f : ndarray, 2-D
        The blurred image.
    sharp : ndarray, 2-D
        The sharp image, shown first and used to measure PSNR.
    kernel : ndarray
        The kernel that blurred ``f`` (the u-step gets the true kernel here).
    max_iter : int, optional
        ADMM iterations of :func:`~defocus_teach.u_step.deconvolve` (default 100).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Image axes, 3 per row: the sharp image, the blurred input and one result per lam1,
        titled with its PSNR.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.operators import blur
    >>> from defocus_teach.viz import plot_lam1_deblur
    >>> u = np.random.default_rng(0).random((32, 32))
    >>> len(plot_lam1_deblur([1e-4, 1e-2], blur(u, disk(2)), u, disk(2), max_iter=5).axes)
    4
    """
    values = as_values(lam1)
    panels = [("sharp $u$", sharp), (f"blurred $f$: {psnr(sharp, f):.1f} dB", f)]
    for value in values:
        result = deconvolve(f, kernel, lam=value, max_iter=max_iter)
        panels.append((f"$\\lambda_1$ = {value:.1e}: {psnr(sharp, result):.1f} dB", result))
    titles, images = zip(*panels, strict=True)
    return image_grid(images, titles, ncols=3, panel_width=MAX_WIDTH / 3)


def interactive_lam1_deblur(
    f: np.ndarray, sharp: np.ndarray, kernel: np.ndarray, max_iter: int = 100
):
    """Slider: lam1 -> the deconvolved image (:func:`plot_lam1_deblur`).

    Returns
    -------
    widget : ipywidgets.interactive
        A logarithmic ``lam1`` slider from 1e-6 to 1e-1 and the figure.
    """
    return interactive_plot(
        plot_lam1_deblur,
        {"lam1": log_slider("lam1", 1e-4, -6.0, -1.0, 0.25)},
        f=f,
        sharp=sharp,
        kernel=kernel,
        max_iter=max_iter,
    )

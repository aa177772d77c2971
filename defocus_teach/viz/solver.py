"""Figures and sliders of the solver's three updates: chapters "Kernel update by projected
gradient" (eq. (9), Alg. 1), "Image update by ADMM with spline framelets" (eq. (8)) and
"The c term" (eqs. (5)-(7), the paper's Fig. 8).

Kernel-step chapter
    :func:`plot_outer_iterations`, :func:`plot_step_rules`, :func:`plot_sweep_scores`,
    :func:`plot_kernel_lam2` and its slider :func:`interactive_kernel_lam2`.
Image-step chapter
    :func:`plot_framelet_filters`, :func:`plot_framelet_bands`, :func:`plot_convergence`,
    :func:`plot_lam1_deblur` and its slider :func:`interactive_lam1_deblur`.
c-term chapter
    :func:`plot_mask_error`, :func:`plot_threshold_rules`, :func:`plot_outlier_weights`,
    :func:`plot_outlier_results`, :func:`plot_outlier_deblur` and its slider
    :func:`interactive_outlier_deblur`.

As in :mod:`defocus_teach.viz.kernels`, a ``plot_*`` function whose first parameter is the
slider's parameter accepts one value or a sequence of values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.patches import Patch, Rectangle

from .. import framelet as _framelet
from .. import kernels as _kernels
from .._validation import as_float_image, as_kernel, as_mask
from ..blind import BlindResult, blind_deconvolve
from ..c_step import C_RULES, WEIGHT_SCALE, threshold_outliers
from ..k_step import estimate_kernel
from ..simulate import boundary_band, perturb_mask
from ..u_step import deconvolve
from ._common import (
    MAX_WIDTH,
    as_values,
    book_style,
    int_slider,
    interactive_plot,
    new_figure,
    show_image,
    show_kernel,
)
from .kernels import psnr

__all__ = [
    "plot_outer_iterations",
    "plot_step_rules",
    "plot_sweep_scores",
    "plot_kernel_lam2",
    "interactive_kernel_lam2",
    "FRAMELET_NAMES",
    "plot_framelet_filters",
    "plot_framelet_bands",
    "plot_convergence",
    "plot_lam1_deblur",
    "interactive_lam1_deblur",
    "MASK_ERROR_COLORS",
    "plot_mask_error",
    "plot_threshold_rules",
    "plot_outlier_weights",
    "plot_outlier_results",
    "plot_outlier_deblur",
    "interactive_outlier_deblur",
]

#: Names of the 9 bands of a one-level spline framelet, in the order of
#: :func:`defocus_teach.framelet.analysis`: band ``3 i + j`` filters with :math:`h_i` along
#: the rows (axis 0) and :math:`h_j` along the columns (axis 1).
FRAMELET_NAMES = tuple(f"$h_{i} h_{j}^T$" for i in range(3) for j in range(3))

#: Colours of a segmentation error, for the true layer boundary, the pixels wrongly added to
#: the layer and the pixels wrongly left out.
MASK_ERROR_COLORS = {"boundary": "#55a868", "added": "#d62728", "missing": "#1f77b4"}


def _log_slider(description: str, value: float, low: float, high: float, step: float):
    """An ipywidgets ``FloatLogSlider`` from 10**low to 10**high (exponent step ``step``)."""
    import ipywidgets

    return ipywidgets.FloatLogSlider(
        value=value,
        base=10,
        min=low,
        max=high,
        step=step,
        description=description,
        readout_format=".1e",
        continuous_update=False,
        style={"description_width": "initial"},
    )


def _common_size(kernel_list: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Kernels padded to the largest (odd) side among them."""
    size = max(k.shape[0] for k in kernel_list)
    return [_kernels.pad_kernel(k, size) for k in kernel_list]


# --------------------------------------------------------------------------------------------
# Chapter "Kernel update by projected gradient" (eq. (9), Alg. 1)


@book_style
def plot_outer_iterations(
    iterates: Sequence[np.ndarray],
    reference: np.ndarray,
    initial: np.ndarray | None = None,
    shown: Sequence[int] | None = None,
):
    """The kernel after each outer iteration of the blind loop, and its error.

    Parameters
    ----------
    iterates : sequence of ndarray
        The kernel after outer iterations 1, 2, ..., N (as collected by the ``callback`` of
        :func:`defocus_teach.blind_deconvolve`).
    reference : ndarray
        The true kernel.
    initial : ndarray, optional
        The initial kernel :math:`k^{(0)}`, drawn first and as iteration 0 of the curve.
    shown : sequence of int, optional
        The iterations (1 to N) drawn as kernels; default up to 4 spread from 1 to N.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Top row: one kernel axes per drawn kernel (the initial one, the ``shown`` iterates,
        then the truth), on one colour scale and titled with the relative error
        (:func:`~defocus_teach.kernels.kernel_error`, after centring).  Bottom: one axes with
        the error against the outer iteration.

    Examples
    --------
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.viz import plot_outer_iterations
    >>> fig = plot_outer_iterations([disk(3, 11), disk(4, 11)], disk(4, 11), disk(2, 11))
    >>> len(fig.axes)
    5
    """
    iterates = [as_kernel(k, f"iterates[{n}]") for n, k in enumerate(iterates)]
    if not iterates:
        raise ValueError("iterates must hold at least one kernel")
    reference = as_kernel(reference, "reference")
    count = len(iterates)
    if shown is None:
        shown = sorted({int(n) for n in np.linspace(1, count, min(count, 4)).round()})
    shown = [int(n) for n in as_values(shown)]
    if any(n < 1 or n > count for n in shown):
        raise ValueError(f"shown must hold iterations between 1 and {count}, got {shown}")
    panels = [] if initial is None else [("$k^{(0)}$", as_kernel(initial, "initial"))]
    panels += [(f"$k^{{({n})}}$", iterates[n - 1]) for n in shown]
    padded = _common_size([k for _, k in panels] + [reference])
    truth = padded[-1]
    vmax = max(float(k.max()) for k in padded)
    fig = new_figure(MAX_WIDTH, 5.2)
    grid = fig.add_gridspec(2, len(padded), height_ratios=[1, 1.1])
    for index, ((name, _), kernel) in enumerate(zip(panels, padded, strict=False)):
        error = _kernels.kernel_error(kernel, truth)
        show_kernel(fig.add_subplot(grid[0, index]), kernel, f"{name}\nerror {error:.2f}", vmax)
    show_kernel(fig.add_subplot(grid[0, -1]), truth, "true kernel", vmax)
    ax = fig.add_subplot(grid[1, :])
    numbers = list(range(1, count + 1))
    sized = _common_size(iterates + [reference])
    errors = [_kernels.kernel_error(k, sized[-1]) for k in sized[:-1]]
    if initial is not None:
        numbers.insert(0, 0)
        errors.insert(0, _kernels.kernel_error(*_common_size([panels[0][1], reference])))
    ax.plot(numbers, errors, "o-", color="C0")
    ax.set_xlabel("outer iteration $n$ of Alg. 2")
    ax.set_ylabel("relative kernel error")
    ax.set_xticks(numbers)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    return fig


@book_style
def plot_step_rules(
    errors: Mapping[str, Sequence[float]],
    steps: Mapping[str, Sequence[float]] | None = None,
    reference: float | None = None,
    reference_label: str = "package (estimate_kernel)",
):
    """Kernel error of projected-gradient iterates for several step-size rules.

    Parameters
    ----------
    errors : mapping of str to sequence of float
        Relative kernel error after iterations 1, 2, ... of each rule, by name.
    steps : mapping of str to sequence of float, optional
        The step size :math:`\\eta_n` of each rule at iterations 1, 2, ... (same names);
        drawn on a second axes with a logarithmic scale.
    reference : float, optional
        An error drawn as a horizontal line (e.g. the package's k-step).
    reference_label : str, optional
        Legend entry of ``reference``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes (error against the iteration, logarithmic iteration axis), or two with
        ``steps``.

    Examples
    --------
    >>> from defocus_teach.viz import plot_step_rules
    >>> fig = plot_step_rules({"a": [0.5, 0.4]}, steps={"a": [1.0, 0.5]}, reference=0.1)
    >>> len(fig.axes)
    2
    """
    fig = new_figure(MAX_WIDTH, 3.6)
    axes = fig.subplots(1, 2 if steps is not None else 1, squeeze=False)[0]
    for index, (name, values) in enumerate(errors.items()):
        values = np.asarray(values, dtype=float)
        axes[0].semilogx(np.arange(1, values.size + 1), values, color=f"C{index}", label=name)
    if reference is not None:
        axes[0].axhline(reference, color="k", linestyle="--", linewidth=1, label=reference_label)
    axes[0].set_xlabel("iteration $n$ of Alg. 1")
    axes[0].set_ylabel("relative kernel error")
    axes[0].set_ylim(bottom=0)
    axes[0].grid(alpha=0.3)
    axes[0].legend(fontsize="small")
    if steps is not None:
        names = list(errors)
        largest = 0.0
        for name, values in steps.items():
            if name not in errors:
                raise ValueError(f"steps has a rule {name!r} that errors does not have")
            values = np.asarray(values, dtype=float)
            largest = max(largest, float(values.max()))
            color = f"C{names.index(name)}"
            axes[1].semilogy(np.arange(1, values.size + 1), values, color=color, label=name)
        axes[1].set_ylim(largest * 1e-8, largest * 3)
        axes[1].set_xscale("log")
        axes[1].set_xlabel("iteration $n$ of Alg. 1")
        axes[1].set_ylabel("step size $\\eta_n$")
        axes[1].grid(alpha=0.3)
    return fig


@book_style
def plot_sweep_scores(
    radii: Sequence[float],
    scores: Mapping[str, Sequence[float]],
    true_radius: float | None = None,
):
    """Scores of the initial-disk sweep against the disk radius, one axes per criterion.

    Parameters
    ----------
    radii : sequence of float
        The radii tried (as returned by :func:`defocus_teach.kernel_init.sweep_scores`).
    scores : mapping of str to sequence of float
        The score of every radius (lower is better), by criterion name.
    true_radius : float, optional
        Drawn as a dashed vertical line.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per criterion: the score minus its minimum, with the chosen radius starred
        and named in the title.  When a few radii score far worse than the rest, the axis is
        linear up to the median difference and logarithmic above (``symlog``).

    Examples
    --------
    >>> from defocus_teach.viz import plot_sweep_scores
    >>> fig = plot_sweep_scores([1, 2, 3], {"a": [3, 1, 2], "b": [0, 1, 2]}, true_radius=2)
    >>> len(fig.axes), fig.axes[0].get_title()
    (2, 'a: picks $R$ = 2')
    """
    radii = np.asarray(radii, dtype=float)
    fig = new_figure(MAX_WIDTH, 3.4)
    axes = fig.subplots(1, len(scores), squeeze=False)[0]
    for index, (ax, (name, values)) in enumerate(zip(axes, scores.items(), strict=True)):
        values = np.asarray(values, dtype=float)
        if values.shape != radii.shape:
            raise ValueError(
                f"scores[{name!r}] must have one value per radius ({radii.size}), "
                f"got {values.size}"
            )
        best = int(np.argmin(values))
        ax.plot(radii, values - values[best], "o-", color=f"C{index}", markersize=3)
        ax.plot(radii[best], 0.0, "*", color=f"C{index}", markersize=14)
        if true_radius is not None:
            ax.axvline(true_radius, color="k", linestyle="--", linewidth=1, label="true radius")
            ax.legend(fontsize="small", loc="upper center")
        differences = np.sort(values - values[best])[1:]
        if differences.size and differences[-1] > 10 * np.median(differences):
            # a few large spikes: keep the region around the minimum readable
            linear = float(np.median(differences))
            ax.set_yscale("symlog", linthresh=linear)
            ax.set_ylim(bottom=-0.1 * linear)
        ax.set_title(f"{name}: picks $R$ = {radii[best]:g}")
        ax.set_xlabel("disk radius $R$ (px)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("score $-$ its minimum")
    return fig


def _profile(kernel: np.ndarray) -> np.ndarray:
    return kernel[kernel.shape[0] // 2]


@book_style
def plot_kernel_lam2(
    lam2: float | Sequence[float],
    f: np.ndarray,
    u: np.ndarray,
    true_kernel: np.ndarray,
    init: np.ndarray | None = None,
    size: int | None = None,
    mask: np.ndarray | None = None,
    max_iter: int = 500,
):
    """The k-step's kernel for given values of lam2, with a fixed sharp image u.

    Parameters
    ----------
    lam2 : float or sequence of float
        Weight(s) :math:`\\lambda_2` of :math:`\\|k\\|_F^2`.
    f : ndarray, 2-D
        The blurred image.
    u : ndarray, 2-D
        The sharp image held fixed (e.g. the true one).
    true_kernel : ndarray
        The kernel that blurred ``f``.
    init : ndarray, optional
        Initial kernel of the k-step (passed to :func:`defocus_teach.estimate_kernel`).
    size : int, optional
        Side of the estimated kernel (default: the true kernel's).
    mask : ndarray of bool, optional
        The region alpha used as data.
    max_iter : int, optional
        Iterations of the k-step (default 500).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Top row: a kernel axes for the truth and one per lam2 (titled with the relative
        error and the effective rank), on one colour scale.  Below: one axes with the
        central rows of all of them.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.operators import blur
    >>> from defocus_teach.viz import plot_kernel_lam2
    >>> u = np.random.default_rng(0).random((48, 48))
    >>> len(plot_kernel_lam2([0.1, 100], blur(u, disk(2)), u, disk(2, 9)).axes)
    4
    """
    values = as_values(lam2)
    true_kernel = as_kernel(true_kernel, "true_kernel")
    size = true_kernel.shape[0] if size is None else size
    estimates = [
        estimate_kernel(f, u, mask, lam=value, size=size, init=init, max_iter=max_iter)
        for value in values
    ]
    truth, *estimates = _common_size([true_kernel, *estimates])
    vmax = max(float(k.max()) for k in [truth, *estimates])
    ncols = max(len(values) + 1, 3)
    fig = new_figure(MAX_WIDTH, 5.0)
    grid = fig.add_gridspec(2, ncols, height_ratios=[1, 1.1])
    show_kernel(fig.add_subplot(grid[0, 0]), truth, "true kernel", vmax)
    for index, (value, kernel) in enumerate(zip(values, estimates, strict=True)):
        error = _kernels.kernel_error(kernel, truth)
        rank = _kernels.effective_rank(kernel)
        title = f"$\\lambda_2$ = {value:.3g}\nerror {error:.2f}, rank {rank}"
        show_kernel(fig.add_subplot(grid[0, index + 1]), kernel, title, vmax)
    profile_ax = fig.add_subplot(grid[1, :])
    offsets = np.arange(truth.shape[0]) - truth.shape[0] // 2
    profile_ax.plot(offsets, _profile(truth), "k--", label="true kernel")
    for index, (value, kernel) in enumerate(zip(values, estimates, strict=True)):
        label = f"$\\lambda_2$ = {value:.3g}"
        profile_ax.plot(offsets, _profile(kernel), color=f"C{index}", label=label)
    profile_ax.set_xlabel("column offset from the centre (px)")
    profile_ax.set_ylabel("central row of $k$")
    profile_ax.grid(alpha=0.3)
    profile_ax.legend(fontsize="small")
    return fig


def interactive_kernel_lam2(
    f: np.ndarray,
    u: np.ndarray,
    true_kernel: np.ndarray,
    init: np.ndarray | None = None,
    size: int | None = None,
    max_iter: int = 500,
):
    """Slider: lam2 -> the k-step's kernel with u fixed (:func:`plot_kernel_lam2`).

    Returns
    -------
    widget : ipywidgets.interactive
        A logarithmic ``lam2`` slider from 0.1 to 1e5 and the figure.
    """
    return interactive_plot(
        plot_kernel_lam2,
        {"lam2": _log_slider("lam2", 10.0, -1.0, 5.0, 0.5)},
        f=f,
        u=u,
        true_kernel=true_kernel,
        init=init,
        size=size,
        max_iter=max_iter,
    )


# --------------------------------------------------------------------------------------------
# Chapter "Image update by ADMM with spline framelets" (eq. (8))


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
    image = as_float_image(image, "image")
    coeffs = _framelet.analysis(image, levels)
    high = coeffs[1:]
    vmax = float(np.percentile(np.abs(high), 99.5)) or 1.0
    nrows = -(-coeffs.shape[0] // 3)
    panel = 2.2
    fig = new_figure(3 * panel, nrows * (panel * image.shape[0] / image.shape[1] + 0.45))
    axes = fig.subplots(nrows, 3, squeeze=False)
    for band, ax in enumerate(axes.flat):
        if band >= coeffs.shape[0]:
            ax.remove()
            continue
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
        ADMM iterations of :func:`defocus_teach.deconvolve` (default 100).

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
    ncols = 3
    nrows = -(-len(panels) // ncols)
    panel = MAX_WIDTH / ncols
    fig = new_figure(MAX_WIDTH, nrows * (panel * f.shape[0] / f.shape[1] + 0.4))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, (title, image) in zip(axes.flat, panels, strict=False):
        show_image(ax, image, title)
    for ax in axes.flat[len(panels) :]:
        ax.remove()
    return fig


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
        {"lam1": _log_slider("lam1", 1e-4, -6.0, -1.0, 0.25)},
        f=f,
        sharp=sharp,
        kernel=kernel,
        max_iter=max_iter,
    )


# --------------------------------------------------------------------------------------------
# Chapter "The c term" (eqs. (5)-(7), Fig. 8)


def _draw_mask_error(ax, true_mask: np.ndarray, wrong_mask: np.ndarray) -> None:
    """Overlay a segmentation error on an image axes: the true boundary as a contour, the
    pixels wrongly added to the layer and those wrongly left out as translucent colours."""
    overlay = np.zeros((*true_mask.shape, 4))
    for region, name in ((wrong_mask & ~true_mask, "added"), (true_mask & ~wrong_mask, "missing")):
        rgb = np.array([int(MASK_ERROR_COLORS[name][k : k + 2], 16) for k in (1, 3, 5)]) / 255
        overlay[region] = (*rgb, 0.55)
    ax.imshow(overlay, interpolation="nearest")
    if true_mask.any() and not true_mask.all():
        ax.contour(
            true_mask.astype(float),
            levels=[0.5],
            colors=MASK_ERROR_COLORS["boundary"],
            linewidths=1,
        )


def _mask_error_legend(fig) -> None:
    handles = [
        Patch(color=MASK_ERROR_COLORS["boundary"], label="true layer boundary"),
        Patch(color=MASK_ERROR_COLORS["added"], label="wrongly added to the layer"),
        Patch(color=MASK_ERROR_COLORS["missing"], label="wrongly left out"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)


@book_style
def plot_mask_error(
    f: np.ndarray,
    true_mask: np.ndarray,
    wrong_mask: np.ndarray,
    sharp: np.ndarray | None = None,
):
    """A layer's true mask and a wrong one, over the observed image (the paper's Fig. 8b).

    Parameters
    ----------
    f : ndarray, 2-D
        The observed image.
    true_mask, wrong_mask : ndarray of bool
        The layer's true region alpha and the segmentation given to the solver.
    sharp : ndarray, 2-D, optional
        The sharp image, drawn first.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One image axes (two with ``sharp``): ``f`` with the true boundary as a contour and
        the wrongly added and wrongly left-out pixels in colour, and a legend.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_mask_error
    >>> mask = np.zeros((20, 20), dtype=bool); mask[:, :10] = True
    >>> len(plot_mask_error(np.zeros((20, 20)), mask, mask, sharp=np.ones((20, 20))).axes)
    2
    """
    f = np.asarray(f, dtype=float)
    true_mask = as_mask(true_mask, f.shape, "true_mask")
    wrong_mask = as_mask(wrong_mask, f.shape, "wrong_mask")
    images = ([] if sharp is None else [("sharp $u$", sharp)]) + [("observed $f$", f)]
    width = min(MAX_WIDTH, 3.6 * len(images))
    fig = new_figure(width, width / len(images) * f.shape[0] / f.shape[1] + 0.8)
    axes = fig.subplots(1, len(images), squeeze=False)[0]
    for ax, (title, image) in zip(axes, images, strict=True):
        show_image(ax, image, title)
    _draw_mask_error(axes[-1], true_mask, wrong_mask)
    axes[-1].set_title("$f$ and the mask given to the solver")
    _mask_error_legend(fig)
    return fig


def _cut_off(radii: np.ndarray, thresholds: np.ndarray) -> float:
    """The smallest |r| above its own threshold (the residual at which c switches on)."""
    above = np.nonzero(radii > thresholds)[0]
    return float(radii[above[0]]) if above.size else float("nan")


@book_style
def plot_threshold_rules(
    lam3: float = 0.01, weight: float = 1.0, scale: float = WEIGHT_SCALE, max_residual=0.04
):
    """The three thresholding rules of the c-step and where they switch on.

    Parameters
    ----------
    lam3 : float, optional
        Weight :math:`\\lambda_3` of the outlier penalty (default 0.01, the paper's).
    weight : float, optional
        The weight :math:`\\Lambda` of the left panel (default 1).
    scale : float, optional
        The constant of :math:`\\Lambda = e^{-\\text{scale}\\,|r|}` (default 500).
    max_residual : float, optional
        Largest :math:`|r|` of the right panel (default 0.04).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two axes.  Left: c against the residual r for the rules of
        :func:`defocus_teach.c_step.threshold_outliers` ("hard_sqrt", "hard_paper",
        "soft_l1") at :math:`\\Lambda` = ``weight``.  Right: each rule's threshold against
        :math:`|r|` when :math:`\\Lambda` comes from the same residual, with the line
        :math:`|r|`; a pixel goes into c where its residual is above the threshold, and the
        legend gives the cut-off.

    Examples
    --------
    >>> from defocus_teach.viz import plot_threshold_rules
    >>> len(plot_threshold_rules().axes)
    2
    """
    fig = new_figure(MAX_WIDTH, 3.6)
    left, right = fig.subplots(1, 2)
    largest = 2.5 * np.sqrt(2 * lam3 * weight)
    residual = np.linspace(-largest, largest, 1001)
    styles = {"hard_sqrt": "-", "hard_paper": "--", "soft_l1": ":"}
    for index, rule in enumerate(C_RULES):
        c = threshold_outliers(residual, lam3, weight, rule)
        left.plot(residual, c, styles[rule], color=f"C{index}", label=rule)
    left.set_xlabel("residual $r$")
    left.set_ylabel("$c$")
    left.set_title(f"$\\lambda_3$ = {lam3:g}, $\\Lambda$ = {weight:g}")
    left.grid(alpha=0.3)
    left.legend(fontsize="small")
    magnitude = np.linspace(0.0, max_residual, 4001)
    weights = np.exp(-scale * magnitude)
    thresholds = {
        "hard_sqrt": np.sqrt(2 * lam3 * weights),
        "hard_paper": lam3 * weights,
        "soft_l1": lam3 * weights,
    }
    right.plot(magnitude, magnitude, color="0.3", linewidth=1, label="$|r|$")
    for index, rule in enumerate(C_RULES[:2]):
        cut = _cut_off(magnitude, thresholds[rule])
        label = f"{rule}: cut-off {cut:.4f}"
        right.plot(magnitude, thresholds[rule], styles[rule], color=f"C{index}", label=label)
        right.axvline(cut, color=f"C{index}", linewidth=0.8, alpha=0.6)
    right.set_ylim(0, 2 * max_residual)
    right.set_xlabel("$|r|$")
    right.set_ylabel("threshold")
    right.set_title(f"$\\Lambda = e^{{-{scale:g}|r|}}$")
    right.grid(alpha=0.3)
    right.legend(fontsize="small", loc="upper right")
    return fig


@book_style
def plot_outlier_weights(
    residual: np.ndarray, weights: np.ndarray, erroneous: np.ndarray | None = None
):
    """The residual of a first pass and the weights Lambda computed from it.

    Parameters
    ----------
    residual : ndarray, 2-D
        :math:`r = \\alpha \\odot (k \\otimes u - f)` of a first pass.
    weights : ndarray, 2-D
        :math:`\\Lambda` (:func:`defocus_teach.outlier_weights`).
    erroneous : ndarray of bool, optional
        The wrongly segmented pixels, outlined in red.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two image axes, :math:`|r|` and :math:`\\Lambda`, each with a colorbar (4 axes).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_outlier_weights
    >>> r = np.random.default_rng(0).normal(0, 0.01, (16, 16))
    >>> len(plot_outlier_weights(r, np.exp(-500 * np.abs(r))).axes)
    4
    """
    residual = np.abs(np.asarray(residual, dtype=float))
    weights = np.asarray(weights, dtype=float)
    fig = new_figure(MAX_WIDTH, MAX_WIDTH / 2 * residual.shape[0] / residual.shape[1] + 0.4)
    left, right = fig.subplots(1, 2)
    vmax = float(np.percentile(residual, 99.5)) or 1.0
    artist = left.imshow(residual, cmap="magma", vmin=0, vmax=vmax, interpolation="nearest")
    fig.colorbar(artist, ax=left, shrink=0.85)
    left.set_title("$|r|$, first pass")
    artist = show_image(right, weights, "$\\Lambda = e^{-500|r|}$")
    fig.colorbar(artist, ax=right, shrink=0.85)
    left.set_axis_off()
    if erroneous is not None:
        erroneous = as_mask(erroneous, residual.shape, "erroneous")
        for ax in (left, right):
            ax.contour(
                erroneous.astype(float),
                levels=[0.5],
                colors=MASK_ERROR_COLORS["added"],
                linewidths=0.8,
            )
    return fig


def _band(true_mask: np.ndarray, width: float) -> np.ndarray:
    """The correctly labelled pixels of the layer within ``width`` of its true boundary."""
    return boundary_band(true_mask, width) & true_mask


@book_style
def plot_outlier_results(
    f: np.ndarray,
    sharp: np.ndarray,
    true_mask: np.ndarray,
    runs: Mapping[str, tuple[np.ndarray, BlindResult, BlindResult]],
    band_width: float = 10.0,
    window: tuple[slice, slice] | None = None,
):
    """Blind deconvolution of a layer with a wrong mask, without and with the c term.

    Parameters
    ----------
    f : ndarray, 2-D
        The observed image.
    sharp : ndarray, 2-D
        The sharp image, to measure PSNR.
    true_mask : ndarray of bool
        The layer's true region.
    runs : mapping of str to tuple
        One row per entry, by label, each a tuple ``(wrong_mask, without_c, with_c)``: the
        mask given to the solver and the
        :class:`~defocus_teach.BlindResult` of :func:`defocus_teach.blind_deconvolve` with
        ``use_outliers=False`` and with ``use_outliers=True``.
    band_width : float, optional
        Width in pixels of the band along the true boundary where PSNR is measured
        (default 10).
    window : tuple of slice, optional
        A region (e.g. ``np.s_[80:140, 20:80]``) to enlarge: the results and c are drawn for
        this region only, and it is outlined in yellow on ``f``.  PSNR is still measured on
        the whole band.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Four axes per row: ``f`` with the mask error, the result without c, the result with
        c (titled with the PSNR in the band: correctly labelled pixels of the layer within
        ``band_width`` of the true boundary), and c (colour scale saturated at the 90th
        percentile of its nonzero magnitudes).  Results are shown on the layer's true region,
        with ``f`` elsewhere, so that the ringing that spreads into correctly labelled pixels
        is what differs between them.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach import BlindResult
    >>> from defocus_teach.viz import plot_outlier_results
    >>> f = np.full((20, 20), 0.5); mask = np.zeros((20, 20), bool); mask[:, :12] = True
    >>> run = BlindResult(f, np.ones((1, 1)), np.zeros_like(f))
    >>> len(plot_outlier_results(f, f + 0.1, mask, {"exact": (mask, run, run)}, 3).axes)
    4
    """
    f = np.asarray(f, dtype=float)
    true_mask = as_mask(true_mask, f.shape, "true_mask")
    band = _band(true_mask, band_width)
    nonzero = np.concatenate(
        [np.abs(run[2].outliers[run[2].outliers != 0]) for run in runs.values()]
    )
    vmax = float(np.percentile(nonzero, 90)) if nonzero.size else 1.0
    panel = MAX_WIDTH / 4
    height = len(runs) * (panel * f.shape[0] / f.shape[1] + 0.45) + 0.35
    fig = new_figure(MAX_WIDTH, height)
    axes = fig.subplots(len(runs), 4, squeeze=False)
    region = (slice(None), slice(None)) if window is None else window
    for row, (label, (wrong_mask, without, with_c)) in zip(axes, runs.items(), strict=True):
        wrong_mask = as_mask(wrong_mask, f.shape, "wrong_mask")
        show_image(row[0], f, label)
        _draw_mask_error(row[0], true_mask, wrong_mask)
        if window is not None:
            _draw_window(row[0], window, f.shape)
        for ax, name, result in ((row[1], "without $c$", without), (row[2], "with $c$", with_c)):
            shown = np.where(true_mask, result.image, f)
            show_image(ax, shown[region], f"{name}: {psnr(sharp[band], shown[band]):.1f} dB")
        count = np.count_nonzero(with_c.outliers)
        show_kernel(row[3], with_c.outliers[region], f"$c$ ({count} px)", vmax)
    _mask_error_legend(fig)
    return fig


def _draw_window(ax, window: tuple[slice, slice], shape: tuple[int, int]) -> None:
    """Outline an enlarged region on an image axes."""
    top, left = window[0].start or 0, window[1].start or 0
    bottom, right = window[0].stop or shape[0], window[1].stop or shape[1]
    ax.add_patch(
        Rectangle(
            (left - 0.5, top - 0.5),
            right - left,
            bottom - top,
            fill=False,
            edgecolor="yellow",
            linewidth=1.2,
        )
    )


def _outlier_runs(pixels, lam3, f, true_mask, kernel_init, kernel_size, n_iter, final_iter):
    runs = {}
    for value in pixels:
        wrong = perturb_mask(true_mask, int(value))
        options = dict(
            kernel_size=kernel_size,
            n_iter=n_iter,
            final_iter=final_iter,
            kernel_init=kernel_init,
            lam3=lam3,
        )
        without = blind_deconvolve(f, wrong, use_outliers=False, **options)
        with_c = blind_deconvolve(f, wrong, use_outliers=True, **options)
        runs[f"mask error {int(value):+d} px"] = (wrong, without, with_c)
    return runs


@book_style
def plot_outlier_deblur(
    pixels: int | Sequence[int],
    f: np.ndarray,
    sharp: np.ndarray,
    true_mask: np.ndarray,
    kernel_init: np.ndarray,
    lam3: float = 0.01,
    band_width: float = 10.0,
    kernel_size: int = 21,
    n_iter: int = 4,
    final_iter: int = 100,
    window: tuple[slice, slice] | None = None,
):
    """Grow a layer's mask by ``pixels``, deblur without and with c, and compare.

    Parameters
    ----------
    pixels : int or sequence of int
        Mask error(s): the true mask is dilated (> 0) or eroded (< 0) by a disk of this
        radius (:func:`defocus_teach.simulate.perturb_mask`).
    f, sharp, true_mask
        As in :func:`plot_outlier_results`.
    kernel_init : ndarray
        Initial kernel of :func:`defocus_teach.blind_deconvolve` (no radius sweep).
    lam3 : float, optional
        Weight of the outlier penalty (default 0.01).
    band_width : float, optional
        Width of the band where PSNR is measured (default 10).
    kernel_size, n_iter, final_iter : int, optional
        Passed to :func:`~defocus_teach.blind_deconvolve` (defaults 21, 4 and 100: small
        and fast, for the book).
    window : tuple of slice, optional
        Region to enlarge, as in :func:`plot_outlier_results`.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure of :func:`plot_outlier_results`, one row per mask error.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.viz import plot_outlier_deblur
    >>> u = np.random.default_rng(0).random((48, 48))
    >>> mask = np.zeros((48, 48), bool); mask[:, :30] = True
    >>> fig = plot_outlier_deblur(2, u, u, mask, disk(1), kernel_size=5, n_iter=1,
    ...                           final_iter=5)
    >>> len(fig.axes)
    4
    """
    runs = _outlier_runs(
        as_values(pixels), lam3, f, true_mask, kernel_init, kernel_size, n_iter, final_iter
    )
    return plot_outlier_results(f, sharp, true_mask, runs, band_width, window)


def interactive_outlier_deblur(
    f: np.ndarray,
    sharp: np.ndarray,
    true_mask: np.ndarray,
    kernel_init: np.ndarray,
    band_width: float = 10.0,
    kernel_size: int = 21,
    n_iter: int = 4,
    final_iter: int = 100,
    window: tuple[slice, slice] | None = None,
):
    """Sliders: mask error and lam3 -> results without and with c (:func:`plot_outlier_deblur`).

    Returns
    -------
    widget : ipywidgets.interactive
        A ``pixels`` slider from -4 to 10 (negative: the mask is eroded), a logarithmic
        ``lam3`` slider from 1e-4 to 1, and the figure.
    """
    return interactive_plot(
        plot_outlier_deblur,
        {
            "pixels": int_slider("mask error (px)", 6, -4, 10),
            "lam3": _log_slider("lam3", 0.01, -4.0, 0.0, 0.5),
        },
        f=f,
        sharp=sharp,
        true_mask=true_mask,
        kernel_init=kernel_init,
        band_width=band_width,
        kernel_size=kernel_size,
        n_iter=n_iter,
        final_iter=final_iter,
        window=window,
    )

"""Figures and sliders of the chapter "Kernel update by projected gradient" (the paper's
eq. (9) and Alg. 1).

* :func:`plot_outer_iterations`: the kernel after each outer iteration of the blind loop;
* :func:`plot_step_rules`: the kernel error of Alg. 1 under several step-size rules;
* :func:`plot_sweep_scores`: the scores of the initial-disk sweep;
* :func:`plot_sweep_map`: the scores of the two-parameter sweep (radius, apodisation);
* :func:`plot_drift`: the kernel error over the outer iterations of several blind loops;
* :func:`plot_kernel_lam2`: the k-step's kernel for several weights lam2, and its slider
  :func:`interactive_kernel_lam2`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import kernels as _kernels
from .._validation import as_kernel
from ..k_step import estimate_kernel
from ._common import (
    MAX_WIDTH,
    as_values,
    book_style,
    interactive_plot,
    log_slider,
    new_figure,
    pad_kernels,
    show_kernel,
)

__all__ = [
    "plot_outer_iterations",
    "plot_step_rules",
    "plot_sweep_scores",
    "plot_sweep_map",
    "plot_drift",
    "plot_kernel_lam2",
    "interactive_kernel_lam2",
]


def _kernels_over_axes(panels, height: float, ncols: int | None = None):
    """A row of kernels on one colour scale above one wide axes.

    ``panels`` holds ``(title, kernel)`` pairs of one size; the kernels fill the first cells
    of a top row of ``ncols`` (default ``len(panels)``) cells, and the bottom axes spans the
    row.  Returns the figure and the bottom axes.
    """
    vmax = max(float(kernel.max()) for _, kernel in panels)
    fig = new_figure(MAX_WIDTH, height)
    grid = fig.add_gridspec(2, ncols or len(panels), height_ratios=[1, 1.1])
    for index, (title, kernel) in enumerate(panels):
        show_kernel(fig.add_subplot(grid[0, index]), kernel, title, vmax)
    return fig, fig.add_subplot(grid[1, :])


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
        :func:`~defocus_teach.blind.blind_deconvolve`).
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
    *padded, truth = pad_kernels([k for _, k in panels] + [reference])
    titled = [
        (f"{name}\nerror {_kernels.kernel_error(kernel, truth):.2f}", kernel)
        for (name, _), kernel in zip(panels, padded, strict=True)
    ]
    fig, ax = _kernels_over_axes([*titled, ("true kernel", truth)], 5.2)
    numbers = list(range(1, count + 1))
    sized = pad_kernels(iterates + [reference])
    errors = [_kernels.kernel_error(k, sized[-1]) for k in sized[:-1]]
    if initial is not None:
        numbers.insert(0, 0)
        errors.insert(0, _kernels.kernel_error(*pad_kernels([panels[0][1], reference])))
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


@book_style
def plot_sweep_map(found, true: tuple[float, float] | None = None):
    """Scores of :func:`~defocus_teach.kernel_init.initial_kernel` over radius and apodisation.

    Parameters
    ----------
    found : InitialKernel
        The sweep's result (its ``candidates`` and ``scores``).
    true : (float, float), optional
        True radius and apodisation a = sigma / R (``inf`` for a disk), drawn as a circle.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Left: the score minus its minimum (log colour scale, darker is better) with the chosen
        kernel starred; right: that kernel.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from defocus_teach.kernels import disk
    >>> grid = np.array([(r, a) for a in (np.inf, 1.0) for r in (1.0, 2.0, 3.0)])
    >>> found = SimpleNamespace(candidates=grid, scores=np.arange(6.0), radius=1.0,
    ...                         apodisation=np.inf, kernel=disk(1.0, 7))
    >>> len(plot_sweep_map(found, true=(2.0, 1.0)).axes)
    3
    """
    candidates = np.asarray(found.candidates, dtype=float)
    radii = np.unique(candidates[:, 0])
    apodisations = list(dict.fromkeys(candidates[:, 1]))  # in the sweep's order
    scores = np.asarray(found.scores, dtype=float).reshape(len(apodisations), radii.size)
    labels = ["disk" if np.isinf(a) else f"{a:g}" for a in apodisations]
    fig = new_figure(MAX_WIDTH, 3.2)
    grid = fig.add_gridspec(1, 2, width_ratios=[3.2, 1])
    ax = fig.add_subplot(grid[0, 0])
    excess = scores - scores.min() + 1.0
    image = ax.imshow(
        np.log10(excess), aspect="auto", cmap="viridis_r", interpolation="nearest",
        extent=(radii[0], radii[-1], len(apodisations) - 0.5, -0.5),
    )  # fmt: skip
    fig.colorbar(image, ax=ax, label="log10(score $-$ min + 1)")
    row = apodisations.index(found.apodisation)
    ax.plot(found.radius, row, "*", color="w", markersize=14, markeredgecolor="k")
    if true is not None:
        nearest = int(
            np.argmin(
                [
                    abs(a - true[1]) if np.isfinite(a) else (0 if np.isinf(true[1]) else np.inf)
                    for a in apodisations
                ]
            )
        )
        ax.plot(true[0], nearest, "o", markerfacecolor="none", markeredgecolor="r",
                markersize=12, label="true kernel")  # fmt: skip
        ax.legend(fontsize="small", loc="lower right")
    ax.set_yticks(range(len(apodisations)), labels)
    ax.set_xlabel("radius $R$ (px)")
    ax.set_ylabel("apodisation $a = \\sigma / R$")
    ax.set_title(f"picks $R$ = {found.radius:g}, $a$ = {labels[row]}")
    show_kernel(fig.add_subplot(grid[0, 1]), _crop(found.kernel), "chosen $k^{(0)}$")
    return fig


def _crop(kernel: np.ndarray) -> np.ndarray:
    """The kernel without its all-zero border."""
    rows, cols = np.nonzero(kernel)
    half = max(abs(rows - kernel.shape[0] // 2).max(), abs(cols - kernel.shape[1] // 2).max())
    centre = kernel.shape[0] // 2
    return kernel[centre - half - 1 : centre + half + 2, centre - half - 1 : centre + half + 2]


@book_style
def plot_drift(errors: Mapping[str, Sequence[float]], threshold: float | None = None):
    """Kernel error after every outer iteration, one line per blind loop.

    Parameters
    ----------
    errors : mapping of str to sequence of float
        Label -> the kernel error at the start (iteration 0) and after each iteration.
    threshold : float, optional
        Drawn as a dotted horizontal line (e.g. an acceptance bound).

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_drift({"a": [0.0, 0.1, 0.2], "b": [0.0, 0.05, 0.05]}, threshold=0.15)
    >>> len(fig.axes[0].lines)
    3
    """
    fig = new_figure(MAX_WIDTH, 3.0)
    ax = fig.add_subplot()
    for index, (label, values) in enumerate(errors.items()):
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(values.size), values, "o-", color=f"C{index}", markersize=3,
                label=f"{label}: ends at {values[-1]:.2f}")  # fmt: skip
    if threshold is not None:
        ax.axhline(threshold, color="k", linestyle=":", linewidth=1)
    ax.set_xlabel("outer iteration")
    ax.set_ylabel("kernel error")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
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
        Initial kernel of the k-step (passed to :func:`~defocus_teach.k_step.estimate_kernel`).
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
    truth, *estimates = pad_kernels([true_kernel, *estimates])
    panels = [("true kernel", truth)]
    for value, kernel in zip(values, estimates, strict=True):
        error = _kernels.kernel_error(kernel, truth)
        rank = _kernels.effective_rank(kernel)
        panels.append((f"$\\lambda_2$ = {value:.3g}\nerror {error:.2f}, rank {rank}", kernel))
    fig, profile_ax = _kernels_over_axes(panels, 5.0, ncols=max(len(values) + 1, 3))
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
        {"lam2": log_slider("lam2", 10.0, -1.0, 5.0, 0.5)},
        f=f,
        u=u,
        true_kernel=true_kernel,
        init=init,
        size=size,
        max_iter=max_iter,
    )

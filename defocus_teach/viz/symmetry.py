"""Figures and sliders of the chapter "Symmetry" (the paper's eqs. (4) and (10), Fig. 6).

* :func:`plot_dihedral_images`: the 8 images of a kernel under the symmetries of the square;
* :func:`plot_symmetrize`: a noisy kernel, its symmetrisation and its projection onto the
  feasible set, and its slider :func:`interactive_symmetrize`;
* :func:`plot_kernel_errors`: the error of each estimate against the noise level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .. import kernels as _kernels
from .._validation import as_kernel
from ._common import (
    MAX_WIDTH,
    as_values,
    book_style,
    float_slider,
    interactive_plot,
    new_figure,
    show_kernel,
)

__all__ = [
    "DIHEDRAL_NAMES",
    "plot_dihedral_images",
    "plot_symmetrize",
    "interactive_symmetrize",
    "plot_kernel_errors",
]

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
        :data:`~defocus_teach.viz.symmetry.DIHEDRAL_NAMES`; the images are those averaged by
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

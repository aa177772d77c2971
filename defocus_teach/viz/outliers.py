"""Figures and sliders of the chapter "The c term" (the paper's eqs. (5)-(7) and Fig. 8).

* :func:`plot_mask_error`: a layer's true mask and a wrong one;
* :func:`plot_threshold_rules`: the thresholding rules of the c-step and where they switch on;
* :func:`plot_outlier_weights`: the residual of a first pass and the weights computed from it;
* :func:`plot_outlier_results`: blind deconvolution with a wrong mask, without and with c;
* :func:`plot_outlier_deblur`: the same from a mask error in pixels, and its slider
  :func:`interactive_outlier_deblur`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.patches import Patch

from .._validation import as_mask
from ..blind import BlindResult, blind_deconvolve
from ..c_step import C_RULES, WEIGHT_SCALE, threshold_outliers
from ..simulate import boundary_band, perturb_mask
from ._common import (
    MAX_WIDTH,
    as_values,
    book_style,
    int_slider,
    interactive_plot,
    log_slider,
    new_figure,
    outline_region,
    psnr,
    show_image,
    show_kernel,
)

__all__ = [
    "MASK_ERROR_COLORS",
    "plot_mask_error",
    "plot_threshold_rules",
    "plot_outlier_weights",
    "plot_outlier_results",
    "plot_outlier_deblur",
    "interactive_outlier_deblur",
]

#: Colours of a segmentation error, for the true layer boundary, the pixels wrongly added to
#: the layer and the pixels wrongly left out.
MASK_ERROR_COLORS = {"boundary": "#55a868", "added": "#d62728", "missing": "#1f77b4"}


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
        :math:`\\Lambda` (:func:`~defocus_teach.c_step.outlier_weights`).
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
        One row per entry, by label, each a tuple ``(wrong_mask, without_c, with_c)``: the mask
        given to the solver and the :class:`~defocus_teach.blind.BlindResult` of
        :func:`~defocus_teach.blind.blind_deconvolve` with ``use_outliers=False`` and with
        ``use_outliers=True``.
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
            outline_region(row[0], window, f.shape)
        for ax, name, result in ((row[1], "without $c$", without), (row[2], "with $c$", with_c)):
            shown = np.where(true_mask, result.image, f)
            show_image(ax, shown[region], f"{name}: {psnr(sharp[band], shown[band]):.1f} dB")
        count = np.count_nonzero(with_c.outliers)
        show_kernel(row[3], with_c.outliers[region], f"$c$ ({count} px)", vmax)
    _mask_error_legend(fig)
    return fig


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
        Initial kernel of :func:`~defocus_teach.blind.blind_deconvolve` (no radius sweep).
    lam3 : float, optional
        Weight of the outlier penalty (default 0.01).
    band_width : float, optional
        Width of the band where PSNR is measured (default 10).
    kernel_size, n_iter, final_iter : int, optional
        Passed to :func:`~defocus_teach.blind.blind_deconvolve` (defaults 21, 4 and 100: small
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
            "lam3": log_slider("lam3", 0.01, -4.0, 0.0, 0.5),
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

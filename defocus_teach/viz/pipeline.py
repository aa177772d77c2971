"""Figures and sliders of the whole method: the introduction, "Defocus map and segmentation"
and "The whole method" (the paper's Fig. 5 and section 3.3).

Defocus map
    :func:`plot_edge_estimates` (the sparse edge estimates of Zhuo & Sim and their
    propagation), :func:`plot_calibration` (the Gaussian-to-disk table),
    :func:`plot_segmentation` and its slider :func:`interactive_segmentation`.
The whole method
    :func:`plot_pipeline` (Fig. 5 drawn from a real run of
    :func:`defocus_teach.all_in_focus`), :func:`plot_layer_comparison`,
    :func:`plot_kernel_pairs`, :func:`plot_layer_lam1` (the final u-step of one layer) and
    its slider :func:`interactive_layer_lam1`.
Measures
    :func:`mask_iou` and :func:`layer_psnr`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import ConnectionPatch, Patch

from ..kernels import kernel_error, pad_kernel
from ..segmentation import choose_thresholds, segment_layers
from ..u_step import deconvolve
from ._common import (
    MAX_WIDTH,
    as_values,
    book_style,
    float_slider,
    interactive_plot,
    new_figure,
    show_image,
    show_kernel,
)
from .kernels import psnr
from .layers import LAYER_COLORS

__all__ = [
    "DEFOCUS_CMAP",
    "mask_iou",
    "layer_psnr",
    "plot_pipeline",
    "plot_edge_estimates",
    "plot_calibration",
    "plot_segmentation",
    "interactive_segmentation",
    "plot_layer_comparison",
    "plot_kernel_pairs",
    "plot_layer_lam1",
    "interactive_layer_lam1",
]

#: The colormap of every defocus map (blur radius in pixels; dark is sharp).
DEFOCUS_CMAP = "viridis"


def mask_iou(estimated: np.ndarray, true: np.ndarray) -> float:
    """Intersection over union of two boolean masks (1 when equal, 0 when disjoint).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import mask_iou
    >>> a = np.zeros((4, 4), bool)
    >>> a[:, :2] = True
    >>> mask_iou(a, a), mask_iou(a, ~a), mask_iou(a, np.ones((4, 4), bool))
    (1.0, 0.0, 0.5)
    """
    estimated, true = np.asarray(estimated, dtype=bool), np.asarray(true, dtype=bool)
    union = np.count_nonzero(estimated | true)
    return float(np.count_nonzero(estimated & true) / union) if union else 1.0


def layer_psnr(
    sharp: np.ndarray, image: np.ndarray, masks: Sequence[np.ndarray], channel_axis=None
) -> list[float]:
    """PSNR in dB of ``image`` against ``sharp`` on the pixels of each mask.

    Parameters
    ----------
    sharp, image : ndarray
        Ground truth and estimate in [0, 1], same shape.
    masks : sequence of ndarray of bool
        Layer masks alpha_i of the image's (H, W) shape.
    channel_axis : int, optional
        Colour axis of ``sharp`` and ``image``; all channels of a pixel count.

    Returns
    -------
    psnrs : list of float
        One value per mask.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import layer_psnr
    >>> sharp = np.zeros((4, 4))
    >>> left = np.zeros((4, 4), bool)
    >>> left[:, :2] = True
    >>> image = np.where(left, 0.01, 0.1)
    >>> [round(value, 6) for value in layer_psnr(sharp, image, [left, ~left])]
    [40.0, 20.0]
    """
    if channel_axis is not None:
        sharp, image = np.moveaxis(sharp, channel_axis, -1), np.moveaxis(image, channel_axis, -1)
    return [psnr(sharp[np.asarray(mask, bool)], image[np.asarray(mask, bool)]) for mask in masks]


def _labels(masks: Sequence[np.ndarray]) -> np.ndarray:
    """The index of the mask that holds each pixel."""
    return np.argmax(np.stack([np.asarray(mask, bool) for mask in masks]), axis=0)


def _show_layers(ax, masks, title=None, legend=True):
    """Layer masks in the book's layer colours (layer 0, the sharpest, first)."""
    n_layers = len(masks)
    colours = ListedColormap([LAYER_COLORS[i % len(LAYER_COLORS)] for i in range(n_layers)])
    ax.imshow(_labels(masks), cmap=colours, vmin=-0.5, vmax=n_layers - 0.5)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    if legend:
        handles = [
            Patch(color=colours(i), label=f"$\\alpha_{i}$" + (" (sharp)" if i == 0 else ""))
            for i in range(n_layers)
        ]
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=min(n_layers, 3),
            fontsize=9,
            frameon=False,
            handlelength=1.0,
            columnspacing=0.8,
        )


def _show_photo(ax, image, title=None, channel_axis=None):
    """A grey image with :func:`show_image`, or a colour image clipped to [0, 1] for display."""
    if channel_axis is None:
        return show_image(ax, image, title)
    rgb = np.clip(np.moveaxis(image, channel_axis, -1), 0.0, 1.0)
    ax.imshow(rgb, interpolation="nearest")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax.images[-1]


def _support_size(kernels, floor: float = 0.01) -> int:
    """Odd side of the smallest centred box holding every entry above ``floor`` x the peak."""
    half = 1
    for kernel in kernels:
        kernel = np.asarray(kernel)
        rows, cols = np.nonzero(np.abs(kernel) > floor * np.abs(kernel).max())
        centre = kernel.shape[0] // 2
        if rows.size:
            half = max(half, int(np.abs(rows - centre).max()), int(np.abs(cols - centre).max()))
    return 2 * half + 3


def _crop_kernel(kernel, size):
    """``kernel`` centred in (padded to, or cut to) a ``size`` x ``size`` box."""
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.shape[0] <= size:
        return pad_kernel(kernel, size)
    start = (kernel.shape[0] - size) // 2
    return kernel[start : start + size, start : start + size]


def _arrow(fig, ax_from, ax_to, level: float):
    """A level arrow at figure height ``level`` (a fraction) from one axes to the next."""
    start = ax_from.get_position().x1 + 0.004
    end = ax_to.get_position().x0 - 0.004
    fig.add_artist(
        ConnectionPatch(
            xyA=(start, level),
            coordsA=fig.transFigure,
            xyB=(end, level),
            coordsB=fig.transFigure,
            arrowstyle="-|>",
            mutation_scale=14,
            color="0.3",
            linewidth=1.5,
        )
    )


@book_style
def plot_pipeline(image: np.ndarray, result, channel_axis: int | None = None):
    """The whole method at a glance (the paper's Fig. 5), drawn from a real run.

    Parameters
    ----------
    image : ndarray
        The input photograph f, greyscale or colour with ``channel_axis``.
    result : AllInFocusResult
        What :func:`defocus_teach.all_in_focus` returned for ``image``.
    channel_axis : int, optional
        Colour axis of ``image`` and ``result.image``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One row joined by arrows: the input f, the defocus map R(x) (left out when the run
        was given masks instead of a map), the layers alpha_i, the kernel k_i of each
        defocused layer (one small axes per layer, cropped to a common box around their
        support) and the all-in-focus output u_aif.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach import AllInFocusResult
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.viz import plot_pipeline
    >>> f = np.random.default_rng(0).random((32, 48))
    >>> left = np.zeros(f.shape, bool)
    >>> left[:, :24] = True
    >>> result = AllInFocusResult(f, [left, ~left], [np.ones((1, 1)), disk(3)], None, [])
    >>> len(plot_pipeline(f, result).axes)  # f, layers, one kernel, output
    4
    """
    image = np.asarray(image)
    has_map = result.defocus_map is not None
    defocused = list(result.kernels[1:])
    height, width = np.shape(result.masks[0])
    # Manual layout (inches), so that every panel sits on one line and the arrows are level.
    gap, side, top, bottom = 0.32, 0.1, 0.35, 0.6
    widths = [1.0] * (2 + has_map) + [0.45, 1.0]  # in units of one image panel
    panel = (MAX_WIDTH - 2 * side - gap * (len(widths) - 1)) / sum(widths)
    fig_height = top + panel * height / width + bottom
    fig = new_figure(MAX_WIDTH, fig_height)
    fig.set_layout_engine("none")
    lefts = side + np.cumsum([0.0] + [w * panel + gap for w in widths[:-1]])

    def axes_at(column, height_in, offset=0.0):
        box = (lefts[column], bottom + offset, widths[column] * panel, height_in)
        scale = (MAX_WIDTH, fig_height, MAX_WIDTH, fig_height)
        return fig.add_axes([a / b for a, b in zip(box, scale, strict=True)])

    image_height = panel * height / width
    ax_input = axes_at(0, image_height)
    _show_photo(ax_input, image, "input $f$", channel_axis)
    steps = [ax_input]
    if has_map:
        ax_map = axes_at(1, image_height)
        artist = ax_map.imshow(result.defocus_map, cmap=DEFOCUS_CMAP, vmin=0)
        ax_map.set_axis_off()
        ax_map.set_title("defocus map $R(x)$")
        colorbar = fig.colorbar(
            artist, cax=ax_map.inset_axes((0.1, -0.2, 0.8, 0.07)), orientation="horizontal"
        )
        colorbar.set_label("blur radius (px)", fontsize=9)
        colorbar.ax.tick_params(labelsize=8)
        steps.append(ax_map)
    ax_layers = axes_at(1 + has_map, image_height)
    _show_layers(ax_layers, result.masks, r"layers $\alpha_i$")
    steps.append(ax_layers)
    count = max(len(defocused), 1)
    kernel_side = min(widths[2 + has_map] * panel, (image_height - 0.3 * (count - 1)) / count)
    size = _support_size(defocused) if defocused else 3
    for index, kernel in enumerate(defocused):
        offset = image_height / 2 + (count / 2 - index - 1) * kernel_side
        offset += (count - 1) / 2 * 0.3 - index * 0.3
        ax = axes_at(2 + has_map, kernel_side, offset)
        ax.set_box_aspect(1)
        show_kernel(ax, _crop_kernel(kernel, size), f"$k_{index + 1}$")
        if index == (count - 1) // 2:  # the arrows pass through the middle kernel
            steps.append(ax)
    ax_output = axes_at(len(widths) - 1, image_height)
    _show_photo(ax_output, result.image, r"output $u_{aif}$", channel_axis)
    steps.append(ax_output)
    level = (bottom + image_height / 2) / fig_height
    for ax_from, ax_to in zip(steps, steps[1:], strict=False):
        _arrow(fig, ax_from, ax_to, level)
    return fig


@book_style
def plot_edge_estimates(
    image: np.ndarray, defocus_map: np.ndarray, edge_radius: np.ndarray, vmax: float | None = None
):
    """The two stages of the defocus map: sparse estimates at edges, then everywhere.

    Parameters
    ----------
    image : ndarray, 2-D
        The greyscale image f the map was estimated from.
    defocus_map : ndarray, 2-D
        The propagated map R(x) (first output of
        ``estimate_defocus_map(..., return_edges=True)``).
    edge_radius : ndarray, 2-D
        The cleaned estimates at the Canny edges, NaN elsewhere (its second output).
    vmax : float, optional
        Radius shown in the brightest colour, larger ones saturate (default: the largest
        value of the propagated map or the 95th percentile of the edge estimates).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Three axes and a shared colour bar: f, one dot per edge pixel coloured by its
        estimate over a faded f, and the propagated map.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_edge_estimates
    >>> edges = np.full((8, 8), np.nan)
    >>> edges[4, 2:6] = 1.5
    >>> fig = plot_edge_estimates(np.zeros((8, 8)), np.full((8, 8), 1.5), edges)
    >>> len(fig.axes[1].collections[0].get_offsets())  # one dot per edge pixel
    4
    """
    edge_radius = np.asarray(edge_radius, dtype=np.float64)
    rows, cols = np.nonzero(np.isfinite(edge_radius))
    values = edge_radius[rows, cols]
    if vmax is None:  # edges read as max_blur (ratio <= 1) would squash the colour scale
        high = float(np.percentile(values, 95)) if values.size else 0.0
        vmax = max(float(np.max(defocus_map)), high) or 1.0
    height, width = np.shape(image)
    fig = new_figure(MAX_WIDTH, MAX_WIDTH / 3 * height / width + 1.1)
    axes = fig.subplots(1, 3)
    show_image(axes[0], image, "input $f$")
    axes[1].imshow(image, cmap="gray", vmin=0, vmax=1, alpha=0.35)
    dots = axes[1].scatter(
        cols, rows, c=values, s=1.5, cmap=DEFOCUS_CMAP, vmin=0, vmax=vmax, linewidths=0
    )
    axes[1].set_xlim(-0.5, width - 0.5)
    axes[1].set_ylim(height - 0.5, -0.5)
    axes[1].set_aspect("equal")
    axes[1].set_axis_off()
    axes[1].set_title(f"at {values.size} edge pixels")
    axes[2].imshow(defocus_map, cmap=DEFOCUS_CMAP, vmin=0, vmax=vmax)
    axes[2].set_axis_off()
    axes[2].set_title("propagated $R(x)$")
    colorbar = fig.colorbar(dots, ax=axes, location="bottom", shrink=0.5, pad=0.03)
    colorbar.set_label("blur radius $R$ (px)")
    return fig


@book_style
def plot_calibration(sigmas: np.ndarray, radii: np.ndarray):
    """The Gaussian width that the edge estimator reads for a disk of each radius.

    Parameters
    ----------
    sigmas, radii : ndarray
        The table of :func:`defocus_teach.defocus_map.disk_calibration`.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes: the measured table, and the two textbook conversions sigma = R / 2
        (equal second moments) and sigma = R sqrt(pi / 8) (equal edge slopes).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_calibration
    >>> fig = plot_calibration(np.array([0.5, 1.0, 2.0]), np.array([0.0, 1.5, 3.0]))
    >>> [line.get_label() for line in fig.axes[0].get_lines()][0]
    'measured (disk_calibration)'
    """
    radii, sigmas = np.asarray(radii, dtype=np.float64), np.asarray(sigmas, dtype=np.float64)
    fig = new_figure(5.5, 3.6)
    ax = fig.add_subplot()
    ax.plot(radii, sigmas, "o-", color="k", markersize=4, label="measured (disk_calibration)")
    line = np.linspace(0.0, radii.max(), 50)
    ax.plot(line, line / 2, "--", color="C0", label=r"$\sigma = R/2$ (second moments)")
    ax.plot(line, line * np.sqrt(np.pi / 8), ":", color="C1", label=r"$\sigma = R\sqrt{\pi/8}$")
    ax.set_xlabel("disk radius $R$ (px)")
    ax.set_ylabel(r"edge width $\sigma$ read (px)")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


@book_style
def plot_segmentation(
    threshold: float | Sequence[float],
    image: np.ndarray,
    defocus_map: np.ndarray,
    true_masks: Sequence[np.ndarray] | None = None,
    min_size: int = 256,
):
    """Two layers from a threshold on the defocus map, compared with the true layers if known.

    Parameters
    ----------
    threshold : float or sequence of float
        Blur radius (px) that splits the map into an in-focus and a defocused layer, passed
        to :func:`defocus_teach.segment_layers` as ``thresholds=[threshold]``.  A sequence
        gives one row of the figure per value.
    image : ndarray, 2-D
        The greyscale image (shown under the errors).
    defocus_map : ndarray, 2-D
        Blur radius per pixel.
    true_masks : sequence of ndarray of bool, optional
        The true layers, sharpest first (e.g. ``[scene.masks[j] for j in scene.order]``).
    min_size : int, optional
        Passed to :func:`~defocus_teach.segment_layers` (default 256).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One row per threshold: the histogram of the map with the threshold, the layers and,
        with ``true_masks``, the pixels put in the wrong layer (red) titled with their
        fraction and the IoU (:func:`mask_iou`) of every layer.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_segmentation
    >>> radius = np.zeros((32, 32))
    >>> radius[:, 16:] = 4.0
    >>> truth = [radius < 2, radius >= 2]
    >>> plot_segmentation(2.0, np.zeros((32, 32)), radius, truth).axes[2].get_title()
    'wrong layer: 0.0%\\nIoU 1.00, 1.00'
    """
    thresholds = [float(value) for value in as_values(threshold)]
    height, width = np.shape(defocus_map)
    columns = 2 if true_masks is None else 3
    panel = MAX_WIDTH / columns
    row_height = max(panel * height / width, 1.6) + 0.9
    fig = new_figure(MAX_WIDTH, row_height * len(thresholds))
    axes = fig.subplots(len(thresholds), columns, squeeze=False)
    values = np.ravel(defocus_map)
    for row, value in zip(axes, thresholds, strict=True):
        masks = segment_layers(defocus_map, thresholds=[value], min_size=min_size)
        row[0].hist(values, bins=60, color="0.5")
        row[0].axvline(value, color="C3", linewidth=2)
        row[0].set_yscale("log")
        row[0].set_xlabel("blur radius $R$ (px)")
        row[0].set_ylabel("pixels")
        row[0].set_title(f"threshold {value:.2f} px")
        _show_layers(row[1], masks, f"{len(masks)} layer{'s' * (len(masks) > 1)}")
        if true_masks is not None:
            wrong = _labels(masks) != _labels(true_masks)
            ious = [mask_iou(a, b) for a, b in zip(masks, true_masks, strict=False)]
            show_image(row[2], image)
            overlay = np.zeros((height, width, 4))
            overlay[wrong] = (0.85, 0.1, 0.1, 0.8)
            row[2].imshow(overlay, interpolation="nearest")
            iou_text = ", ".join(f"{iou:.2f}" for iou in ious)
            row[2].set_title(f"wrong layer: {wrong.mean():.1%}\nIoU {iou_text}")
    return fig


def interactive_segmentation(
    image: np.ndarray,
    defocus_map: np.ndarray,
    true_masks: Sequence[np.ndarray] | None = None,
    min_size: int = 256,
):
    """Slider: one threshold on the defocus map -> two layers (:func:`plot_segmentation`).

    Returns
    -------
    widget : ipywidgets.interactive
        A ``threshold`` slider over the range of the map, starting at Otsu's threshold
        (:func:`defocus_teach.segmentation.choose_thresholds` with two layers), and the figure.
    """
    low, high = float(np.min(defocus_map)), float(np.max(defocus_map))
    step = max((high - low) / 100, 0.01)
    start = float(choose_thresholds(defocus_map, 2)[0])
    return interactive_plot(
        plot_segmentation,
        {"threshold": float_slider("threshold (px)", start, low + step, high, step)},
        image=image,
        defocus_map=defocus_map,
        true_masks=true_masks,
        min_size=min_size,
    )


@book_style
def plot_layer_comparison(
    sharp: np.ndarray | None,
    images: Mapping[str, np.ndarray],
    masks: Sequence[np.ndarray] | None = None,
    crop: tuple[slice, slice] | None = None,
    ncols: int = 3,
    channel_axis: int | None = None,
):
    """Results of several methods side by side, titled with their PSNR on every layer.

    Parameters
    ----------
    sharp : ndarray or None
        The true all-in-focus image, or None for a photograph without ground truth (the
        titles are then the names only).
    images : mapping of str to ndarray
        Method name -> its output (include the blurred input to show where it started).
    masks : sequence of ndarray of bool, optional
        Layers alpha_0, alpha_1, ... on which the PSNR is measured (whole image).
    crop : tuple of slice, optional
        Rows and columns to show (the PSNRs are always of the whole layers).
    ncols : int, optional
        Panels per row (default 3).
    channel_axis : int, optional
        Colour axis of the images (colour is clipped to [0, 1] for display only).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per method, titled with its name and, with ``sharp`` and ``masks``, its
        PSNR on each layer in dB (:func:`layer_psnr`).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_layer_comparison
    >>> sharp = np.zeros((8, 8))
    >>> fig = plot_layer_comparison(sharp, {"a": sharp + 0.1}, [sharp == 0])
    >>> fig.axes[0].get_title()
    'a\\n20.0 dB'
    """
    crop = tuple(crop) if crop is not None else (slice(None), slice(None))
    names = list(images)
    ncols = min(ncols, len(names))
    nrows = -(-len(names) // ncols)

    def spatial(image):  # the (H, W[, C]) view of an image, cropped
        image = np.asarray(image)
        image = image if channel_axis is None else np.moveaxis(image, channel_axis, -1)
        return image[crop]

    height, width = spatial(images[names[0]]).shape[:2]
    panel = MAX_WIDTH / ncols
    fig = new_figure(MAX_WIDTH, nrows * (panel * height / width + 0.55))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        title = name
        if sharp is not None and masks is not None:
            values = layer_psnr(sharp, images[name], masks, channel_axis)
            title = f"{name}\n" + " / ".join(f"{value:.1f}" for value in values) + " dB"
        _show_photo(ax, spatial(images[name]), title, None if channel_axis is None else -1)
    for ax in axes.flat[len(names) :]:
        ax.remove()
    return fig


@book_style
def plot_kernel_pairs(true_kernels: Sequence[np.ndarray], estimates: Mapping[str, Sequence]):
    """Estimated kernels next to the true ones, one row per defocused layer.

    Parameters
    ----------
    true_kernels : sequence of ndarray
        The true kernel of every defocused layer.
    estimates : mapping of str to sequence of ndarray
        Method name -> its kernel for every defocused layer, in the same order.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Rows of axes: the true kernel, then each method's kernel titled with its relative
        error (:func:`defocus_teach.kernels.kernel_error`); one colour scale per row, all
        kernels cropped to a common box around their support.

    Examples
    --------
    >>> from defocus_teach.kernels import disk, gaussian
    >>> from defocus_teach.viz import plot_kernel_pairs
    >>> fig = plot_kernel_pairs([disk(3)], {"disk": [disk(3)], "Gaussian": [gaussian(1.5, 7)]})
    >>> [ax.get_title() for ax in fig.axes][:2]
    ['true $k_1$', 'disk\\nerror 0.00']
    """
    names = list(estimates)
    columns = 1 + len(names)
    rows = len(true_kernels)
    everything = list(true_kernels) + [k for name in names for k in estimates[name]]
    size = _support_size(everything)
    panel = min(MAX_WIDTH / columns, 1.9)
    fig = new_figure(panel * columns, rows * (panel + 0.45))
    axes = fig.subplots(rows, columns, squeeze=False)
    for row, true in enumerate(true_kernels):
        vmax = float(np.max(true))
        show_kernel(axes[row, 0], _crop_kernel(true, size), f"true $k_{row + 1}$", vmax=vmax)
        for column, name in enumerate(names, start=1):
            kernel = estimates[name][row]
            error = kernel_error(kernel, true)
            title = f"{name}\nerror {error:.2f}"
            show_kernel(axes[row, column], _crop_kernel(kernel, size), title, vmax=vmax)
    return fig


@book_style
def plot_layer_lam1(
    lam1: float | Sequence[float],
    f: np.ndarray,
    kernel: np.ndarray,
    mask: np.ndarray | None = None,
    sharp: np.ndarray | None = None,
    max_iter: int = 100,
):
    """The u-step's output for one or several weights lam1 of the framelet prior.

    Parameters
    ----------
    lam1 : float or sequence of float
        Weight(s) of the l1 prior, passed to :func:`defocus_teach.deconvolve` as ``lam``.
    f : ndarray, 2-D
        The blurred image (a crop, so that the slider stays fast).
    kernel : ndarray
        The kernel to deconvolve with (e.g. one estimated by the blind method).
    mask : ndarray of bool, optional
        The layer alpha (default: the whole image).
    sharp : ndarray, 2-D, optional
        The true sharp image: titles then give the PSNR on the mask.
    max_iter : int, optional
        ADMM iterations (default 100).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The input and one result per value (the layer's pixels deconvolved, the input
        elsewhere), at most 4 panels per row.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.kernels import disk
    >>> from defocus_teach.viz import plot_layer_lam1
    >>> f = np.random.default_rng(0).random((32, 32))
    >>> len(plot_layer_lam1([1e-4, 1e-3], f, disk(2), max_iter=5).axes)
    3
    """
    values = as_values(lam1)
    region = np.ones(np.shape(f), bool) if mask is None else np.asarray(mask, bool)

    def title(name, image):
        if sharp is None:
            return name
        return f"{name}: {psnr(sharp[region], image[region]):.1f} dB"

    panels = [(title("input $f$", f), f)]
    for value in values:
        result = deconvolve(f, kernel, mask, lam=value, max_iter=max_iter)
        result = np.where(region, result, f)  # the layer's pixels, the input elsewhere
        panels.append((title(f"$\\lambda_1$ = {value:.1e}", result), result))
    ncols = min(len(panels), 4)
    nrows = -(-len(panels) // ncols)
    height, width = np.shape(f)
    panel = MAX_WIDTH / ncols
    fig = new_figure(MAX_WIDTH, nrows * (panel * height / width + 0.35))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, (name, image) in zip(axes.flat, panels, strict=False):
        show_image(ax, image, name)
    for ax in axes.flat[len(panels) :]:
        ax.remove()
    return fig


def interactive_layer_lam1(
    f: np.ndarray,
    kernel: np.ndarray,
    mask: np.ndarray | None = None,
    sharp: np.ndarray | None = None,
    max_iter: int = 100,
):
    """Slider: lam1 on a logarithmic scale -> the u-step's output (:func:`plot_layer_lam1`).

    Returns
    -------
    widget : ipywidgets.interactive
        A ``lam1`` slider from 1e-5 to 1e-2 (logarithmic, starting at 3e-4) and the figure.
    """
    import ipywidgets

    slider = ipywidgets.FloatLogSlider(
        value=3e-4,
        base=10,
        min=-5,
        max=-2,
        step=0.25,
        description="lam1",
        readout_format=".1e",
        continuous_update=False,
        style={"description_width": "initial"},
    )
    return interactive_plot(
        plot_layer_lam1,
        {"lam1": slider},
        f=f,
        kernel=kernel,
        mask=mask,
        sharp=sharp,
        max_iter=max_iter,
    )

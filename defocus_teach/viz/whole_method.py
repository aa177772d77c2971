"""Figures and sliders of the whole method: the introduction and the chapter "The whole
method" (the paper's section 3.2 and Fig. 5).

* :func:`plot_pipeline`: Fig. 5 drawn from a real run of
  :func:`~defocus_teach.pipeline.all_in_focus` (also the introduction's figure);
* :func:`plot_layer_comparison`: the results of several methods, with their PSNR per layer;
* :func:`plot_kernel_pairs`: estimated kernels next to the true ones;
* :func:`plot_layer_lam1`: the final u-step of one layer for several weights lam1, and its
  slider :func:`interactive_layer_lam1`;
* :func:`plot_boundary_crops`: 100 % crops of the places where layers meet, one row per
  place and one column per image, every image pixel drawn as a block of screen pixels.

The measures of the titles, :func:`~defocus_teach.viz._common.layer_psnr` and
:func:`~defocus_teach.viz._common.mask_iou`, are shared helpers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import ConnectionPatch

from ..kernels import kernel_error, pad_kernel
from ..u_step import deconvolve
from ._common import (
    BOOK_STYLE,
    DEFOCUS_CMAP,
    IMAGE_CMAP,
    MAX_WIDTH,
    as_values,
    book_style,
    interactive_plot,
    layer_psnr,
    log_slider,
    new_figure,
    panel_grid,
    psnr,
    show_image,
    show_kernel,
    show_layers,
)

__all__ = [
    "plot_pipeline",
    "plot_layer_comparison",
    "plot_kernel_pairs",
    "plot_layer_lam1",
    "interactive_layer_lam1",
    "plot_boundary_crops",
]


def _show_photo(ax, image, title=None, channel_axis=None):
    """A grey image with :func:`show_image`, or a colour image clipped to [0, 1] for display."""
    if channel_axis is None:
        return show_image(ax, image, title)
    rgb = np.clip(np.moveaxis(image, channel_axis, -1), 0.0, 1.0)
    artist = ax.imshow(rgb, interpolation="nearest")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return artist


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
        What :func:`~defocus_teach.pipeline.all_in_focus` returned for ``image``.
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
    show_layers(ax_layers, result.masks, r"layers $\alpha_i$")
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
        PSNR on each layer in dB (:func:`~defocus_teach.viz._common.layer_psnr`).

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

    def spatial(image):  # the (H, W[, C]) view of an image, cropped
        image = np.asarray(image)
        image = image if channel_axis is None else np.moveaxis(image, channel_axis, -1)
        return image[crop]

    height, width = spatial(images[names[0]]).shape[:2]
    fig, axes = panel_grid(len(names), ncols, MAX_WIDTH / ncols, height / width, 0.55, MAX_WIDTH)
    for ax, name in zip(axes, names, strict=True):
        title = name
        if sharp is not None and masks is not None:
            values = layer_psnr(sharp, images[name], masks, channel_axis)
            title = f"{name}\n" + " / ".join(f"{value:.1f}" for value in values) + " dB"
        _show_photo(ax, spatial(images[name]), title, None if channel_axis is None else -1)
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
        Weight(s) of the l1 prior, passed to :func:`~defocus_teach.u_step.deconvolve` as ``lam``.
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
    height, width = np.shape(f)
    fig, axes = panel_grid(len(panels), ncols, MAX_WIDTH / ncols, height / width, 0.35, MAX_WIDTH)
    for ax, (name, image) in zip(axes, panels, strict=True):
        show_image(ax, image, name)
    return fig


def interactive_layer_lam1(
    f: np.ndarray,
    kernel: np.ndarray,
    mask: np.ndarray | None = None,
    sharp: np.ndarray | None = None,
    max_iter: int = 100,
    initial: float = 3e-4,
):
    """Slider: lam1 on a logarithmic scale -> the u-step's output (:func:`plot_layer_lam1`).

    Parameters
    ----------
    f, kernel, mask, sharp, max_iter
        As for :func:`plot_layer_lam1`.
    initial : float, optional
        The slider's starting value of lam1 (default 3e-4), e.g. the default weight of the
        blind run, :func:`~defocus_teach.u_step.default_lam1`.

    Returns
    -------
    widget : ipywidgets.interactive
        A ``lam1`` slider from 1e-5 to 1e-2 (logarithmic, starting at ``initial``) and the
        figure.
    """
    return interactive_plot(
        plot_layer_lam1,
        {"lam1": log_slider("lam1", initial, -5.0, -2.0, 0.25)},
        f=f,
        kernel=kernel,
        mask=mask,
        sharp=sharp,
        max_iter=max_iter,
    )


@book_style
def plot_boundary_crops(
    images: Mapping[str, np.ndarray],
    windows: Sequence[tuple[slice, slice]],
    boundary: np.ndarray | None = None,
    zoom: int = 1,
    channel_axis: int | None = None,
):
    """Crops at 100 %: one row per window, one column per image, nothing resampled.

    Parameters
    ----------
    images : mapping of str to ndarray
        Column title -> image (e.g. the input f and the output u_aif), all of one shape,
        greyscale or colour with ``channel_axis`` (colour is clipped to [0, 1] for display).
    windows : sequence of tuple of slice
        Rows and columns of each crop (e.g. ``np.s_[40:136, 200:328]``), with explicit
        starts and stops; every crop of a row has the window's size.
    boundary : ndarray of bool, optional
        A layer mask (H, W), e.g. ``result.masks[0]``: its boundary is drawn as a thin
        white line on the first column only, so that the other columns show the pixels
        unobstructed.
    zoom : int, optional
        Every image pixel becomes ``zoom`` x ``zoom`` figure pixels (default 1: at the
        figure's 100 dpi, one image pixel is one screen pixel).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Axes laid out in whole figure pixels, so that each crop is drawn with nearest-
        neighbour interpolation at exactly ``zoom`` figure pixels per image pixel; the
        first row's axes carry the column titles and each row's first axes its window
        (rows and columns) as a label.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_boundary_crops
    >>> f = np.random.default_rng(0).random((64, 80))
    >>> fig = plot_boundary_crops({"f": f, "2f": 2 * f}, [np.s_[0:16, 0:32], np.s_[40:56, 8:40]])
    >>> len(fig.axes), fig.axes[1].get_images()[0].get_array().shape
    (4, (16, 32))
    """
    names = list(images)
    if not names:
        raise ValueError("images must hold at least one image")
    if int(zoom) != zoom or zoom < 1:
        raise ValueError(f"zoom must be a positive integer, got {zoom!r}")
    zoom = int(zoom)

    def spatial(image):  # the (H, W[, C]) view of an image
        image = np.asarray(image, dtype=np.float64)
        return image if channel_axis is None else np.moveaxis(image, channel_axis, -1)

    views = {name: spatial(images[name]) for name in names}
    shape = views[names[0]].shape[:2]
    for name, view in views.items():
        if view.shape != views[names[0]].shape:
            raise ValueError(
                f"images[{name!r}] has shape {view.shape}, not {views[names[0]].shape}"
            )
    boxes = []
    for window in windows:
        rows, cols = window
        box = (rows.start, rows.stop, cols.start, cols.stop)
        if None in box or not (
            0 <= box[0] < box[1] <= shape[0] and 0 <= box[2] < box[3] <= shape[1]
        ):
            raise ValueError(f"window {window!r} must have explicit bounds inside {shape}")
        boxes.append(box)
    if not boxes:
        raise ValueError("windows must hold at least one window")
    dpi = BOOK_STYLE["figure.dpi"]
    gap, title, label, margin = 12, 24 * max(name.count("\n") + 1 for name in names), 18, 4
    width = max(b[3] - b[2] for b in boxes) * zoom
    fig_width = 2 * margin + len(names) * width + (len(names) - 1) * gap
    heights = [(b[1] - b[0]) * zoom for b in boxes]
    fig_height = title + sum(heights) + len(boxes) * label + 2 * margin
    fig = Figure(figsize=(fig_width / dpi, fig_height / dpi), dpi=dpi)
    top = fig_height - margin - title
    for row, (box, height) in enumerate(zip(boxes, heights, strict=True)):
        top -= label
        crop_width = (box[3] - box[2]) * zoom
        for column, name in enumerate(names):
            left = margin + column * (width + gap)
            ax = fig.add_axes(
                [left / fig_width, (top - height) / fig_height, crop_width / fig_width,
                 height / fig_height]
            )  # fmt: skip
            crop = views[name][box[0] : box[1], box[2] : box[3]]
            if crop.ndim == 2:
                ax.imshow(crop, cmap=IMAGE_CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
            else:
                ax.imshow(np.clip(crop, 0.0, 1.0), interpolation="nearest")
            ax.set_axis_off()
            if row == 0:  # the column's title, above the first row's label
                fig.text(left / fig_width, (top + label) / fig_height, name, va="bottom",
                         ha="left", fontsize=10)  # fmt: skip
            if column == 0:
                where = f"rows {box[0]}-{box[1]}, columns {box[2]}-{box[3]}"
                fig.text(left / fig_width, (top + 2) / fig_height, where, va="bottom",
                         ha="left", fontsize=8, color="0.3")  # fmt: skip
                if boundary is not None:
                    part = np.asarray(boundary, dtype=np.float64)[box[0] : box[1], box[2] : box[3]]
                    if 0 < part.mean() < 1:
                        ax.contour(part, levels=[0.5], colors="white", linewidths=0.8)
                        ax.set_xlim(-0.5, part.shape[1] - 0.5)
                        ax.set_ylim(part.shape[0] - 0.5, -0.5)
        top -= height
    return fig

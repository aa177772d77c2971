"""Figures and sliders of the chapter "Defocus map and segmentation" (the first stage of the
whole method, the paper's section 3.3).

* :func:`plot_edge_estimates`: the sparse edge estimates of Zhuo & Sim and their propagation;
* :func:`plot_calibration`: the table that turns a Gaussian edge width into a disk radius;
* :func:`plot_segmentation`: layers from a threshold on the defocus map, and its slider
  :func:`interactive_segmentation`.

The measure :func:`~defocus_teach.viz._common.mask_iou` of the segmentation's titles is one of
the shared helpers.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.colors
import numpy as np

from ..segmentation import choose_thresholds, segment_layers
from ._common import (
    DEFOCUS_CMAP,
    MAX_WIDTH,
    as_values,
    book_style,
    float_slider,
    interactive_plot,
    layer_labels,
    mask_iou,
    new_figure,
    show_image,
    show_layers,
)

__all__ = [
    "plot_edge_estimates",
    "plot_calibration",
    "plot_segmentation",
    "interactive_segmentation",
    "plot_layer_split",
]


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
        Blur radius (px) that splits the map into an in-focus and a defocused layer, passed to
        :func:`~defocus_teach.segmentation.segment_layers` as ``thresholds=[threshold]``.  A
        sequence gives one row of the figure per value.
    image : ndarray, 2-D
        The greyscale image (shown under the errors).
    defocus_map : ndarray, 2-D
        Blur radius per pixel.
    true_masks : sequence of ndarray of bool, optional
        The true layers, sharpest first (e.g. ``[scene.masks[j] for j in scene.order]``).
    min_size : int, optional
        Passed to :func:`~defocus_teach.segmentation.segment_layers` (default 256).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One row per threshold: the histogram of the map with the threshold, the layers and,
        with ``true_masks``, the pixels put in the wrong layer (red) titled with their
        fraction and the IoU (:func:`~defocus_teach.viz._common.mask_iou`) of every layer.

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
        show_layers(row[1], masks, f"{len(masks)} layer{'s' * (len(masks) > 1)}")
        if true_masks is not None:
            wrong = layer_labels(masks) != layer_labels(true_masks)
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
def plot_layer_split(
    image: np.ndarray,
    masks: Sequence[np.ndarray],
    halves: Sequence[np.ndarray],
    radii: Sequence[float],
    true_masks: Sequence[np.ndarray] | None = None,
):
    """A defocused layer, its two halves and the blur the sweep reads on each.

    Parameters
    ----------
    image : ndarray, 2-D
        The greyscale image (shown under the halves).
    masks : sequence of ndarray of bool
        The layers from the map, sharpest first; the last one is the layer that was cut.
    halves : sequence of two ndarray of bool
        Its halves, less blurred first
        (:func:`~defocus_teach.layer_split.split_halves`).
    radii : sequence of two float
        The radius R (px) of the initial kernel read on each half
        (:func:`~defocus_teach.layer_split.core_sweep`).
    true_masks : sequence of ndarray of bool, optional
        The true layers, sharpest first: a third panel, titled with the IoU of each half
        with its true layer.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The layers from the map, the halves over the image titled with their radii and,
        with ``true_masks``, the true layers.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_layer_split
    >>> left = np.zeros((32, 32), bool); left[:, :16] = True
    >>> fig = plot_layer_split(np.zeros((32, 32)), [left, ~left], [~left & (np.arange(32) < 24),
    ...                        ~left & (np.arange(32) >= 24)], [3.0, 7.0])
    >>> fig.axes[1].get_title()
    'halves read R = 3.0 and 7.0 px'
    """
    masks, halves = list(masks), list(halves)
    height, width = np.shape(image)
    columns = 2 if true_masks is None else 3
    panel = MAX_WIDTH / columns
    fig = new_figure(MAX_WIDTH, max(panel * height / width, 1.6) + 1.2)
    axes = fig.subplots(1, columns, squeeze=False)[0]
    show_layers(axes[0], masks, f"{len(masks)} layers from the map")
    show_image(axes[1], image)
    for half, colour in zip(halves, ("C0", "C3"), strict=True):
        overlay = np.zeros((height, width, 4))
        overlay[half] = (*matplotlib.colors.to_rgb(colour), 0.45)
        axes[1].imshow(overlay, interpolation="nearest")
    axes[1].set_title(f"halves read R = {radii[0]:.1f} and {radii[1]:.1f} px")
    if true_masks is not None:
        truth = list(true_masks)
        ious = [max(mask_iou(half, t) for t in truth[1:]) for half in halves]
        show_layers(axes[2], truth, f"true layers (IoU {ious[0]:.2f}, {ious[1]:.2f})")
    return fig

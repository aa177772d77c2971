"""Shared building blocks of the book's figures and sliders.

Every figure of :mod:`defocus_teach.viz` is drawn with these helpers so that the chapters look
alike: images in grey from 0 (black) to 1 (white) without axes, kernels on a diverging map
centred at zero (white is 0, red positive, blue negative), and small multiples laid out on one
grid with a constrained layout.

Figures are :class:`matplotlib.figure.Figure` objects that are *not* registered with pyplot,
so nothing is kept in global state and nothing needs closing.  In a notebook a figure shows
when it is the value of the cell's last line (with the inline backend, ``%matplotlib
inline``); in a script, save it with ``fig.savefig("name.png")``.

The sliders are thin wrappers: :func:`interactive_plot` ties ipywidgets controls to a
``plot_*`` function and shows the figure it returns, so a slider and the static figure next to
it run the same code.  ipywidgets is an optional dependency (``pip install
defocus-teach[widgets]``), imported only when a slider is made.

Display
    :func:`new_figure`, :func:`show_image`, :func:`show_kernel`, :func:`show_layers` (with
    :func:`layer_labels`), :func:`outline_region`, :func:`pad_kernels`.
Small multiples
    :func:`panel_grid` (the empty grid) and :func:`image_grid` (a grid of images).
Sliders
    :func:`float_slider`, :func:`int_slider`, :func:`log_slider`, :func:`interactive_plot`.
Measures
    :func:`psnr`, :func:`layer_psnr` and :func:`mask_iou`, used in the figures' titles and in
    the chapters.
Numbers and tables in the text
    :func:`glue` hands a computed number to the book's prose (myst-nb's ``glue``), so that no
    measured number is typed by hand; :class:`Table` shows a small table as HTML in a
    notebook and in the book.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from skimage.metrics import peak_signal_noise_ratio

from ..kernels import pad_kernel

__all__ = [
    "IMAGE_CMAP",
    "KERNEL_CMAP",
    "DEFOCUS_CMAP",
    "LAYER_COLORS",
    "MAX_WIDTH",
    "BOOK_STYLE",
    "book_style",
    "new_figure",
    "show_image",
    "show_kernel",
    "show_layers",
    "layer_labels",
    "outline_region",
    "pad_kernels",
    "panel_grid",
    "image_grid",
    "as_values",
    "float_slider",
    "int_slider",
    "log_slider",
    "interactive_plot",
    "psnr",
    "layer_psnr",
    "mask_iou",
    "glue",
    "Table",
]

#: The colormap of every image (intensity 0 is black and 1 is white).
IMAGE_CMAP = "gray"
#: The colormap of every kernel, diverging so that white is exactly 0 and negative entries
#: (which truncated or noisy kernels have) show in blue.
KERNEL_CMAP = "RdBu_r"
#: The colormap of every defocus map (blur radius in pixels; dark is sharp).
DEFOCUS_CMAP = "viridis"
#: One colour per depth layer, from the farthest (label 0) to the nearest.
LAYER_COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52")
#: The widest figure, in inches, that fits the book's content column.
MAX_WIDTH = 8.0
#: The matplotlib settings of every figure of the book (applied by :func:`book_style`).
BOOK_STYLE = {
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "figure.dpi": 100,
    "image.interpolation": "nearest",
}


def book_style(plot_function: Callable[..., Figure]) -> Callable[..., Figure]:
    """Decorator: draw with :data:`BOOK_STYLE` (restores matplotlib's settings afterwards).

    Examples
    --------
    >>> import matplotlib
    >>> from defocus_teach.viz import book_style
    >>> @book_style
    ... def font_size():
    ...     return matplotlib.rcParams["font.size"]
    >>> font_size()
    11.0
    """

    @functools.wraps(plot_function)
    def styled(*args, **kwargs):
        with matplotlib.rc_context(BOOK_STYLE):
            return plot_function(*args, **kwargs)

    return styled


def new_figure(width: float, height: float) -> Figure:
    """A figure with a constrained layout, not wider than the book's content column.

    Parameters
    ----------
    width, height : float
        Requested size in inches; a width above
        :data:`~defocus_teach.viz._common.MAX_WIDTH` is scaled down together with the
        height, so the aspect ratio is kept.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> from defocus_teach.viz import new_figure
    >>> [float(x) for x in new_figure(16, 4).get_size_inches()]
    [8.0, 2.0]
    """
    if width > MAX_WIDTH:
        height *= MAX_WIDTH / width
        width = MAX_WIDTH
    return Figure(figsize=(width, height), layout="constrained")


def _finish_axes(ax, title: str | None) -> None:
    """No axis lines, ticks or labels, and ``title`` if given: every picture panel."""
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)


def show_image(ax, image: np.ndarray, title: str | None = None, vmin=0.0, vmax=1.0):
    """Draw a greyscale image on ``ax`` with the book's colormap and no axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    image : ndarray, 2-D
        The image, values in [``vmin``, ``vmax``] (values outside are shown saturated).
    title : str, optional
        Axes title.
    vmin, vmax : float, optional
        Intensities shown black and white (default 0 and 1; ``None`` stretches to the data).

    Returns
    -------
    artist : matplotlib.image.AxesImage

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import new_figure, show_image
    >>> ax = new_figure(3, 3).add_subplot()
    >>> show_image(ax, np.eye(4)).get_array().shape
    (4, 4)
    """
    artist = ax.imshow(image, cmap=IMAGE_CMAP, vmin=vmin, vmax=vmax, interpolation="nearest")
    _finish_axes(ax, title)
    return artist


def show_kernel(ax, kernel: np.ndarray, title: str | None = None, vmax: float | None = None):
    """Draw a kernel on ``ax``: diverging colormap centred at 0, no axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    kernel : ndarray, 2-D
        The kernel k (any sign).
    title : str, optional
        Axes title.
    vmax : float, optional
        Value shown in full red (and ``-vmax`` in full blue).  Default: the largest absolute
        entry of ``kernel``.  Pass the same value to panels that should be compared.

    Returns
    -------
    artist : matplotlib.image.AxesImage

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import new_figure, show_kernel
    >>> artist = show_kernel(new_figure(3, 3).add_subplot(), np.array([[0.0, -1.0, 2.0]]))
    >>> [float(value) for value in artist.get_clim()]
    [-2.0, 2.0]
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    if vmax is None:
        vmax = float(np.abs(kernel).max()) or 1.0
    artist = ax.imshow(kernel, cmap=KERNEL_CMAP, vmin=-vmax, vmax=vmax, interpolation="nearest")
    _finish_axes(ax, title)
    return artist


def layer_labels(masks: Sequence[np.ndarray]) -> np.ndarray:
    """The index of the mask that holds each pixel.

    Parameters
    ----------
    masks : sequence of ndarray of bool
        Layer masks alpha_0, alpha_1, ..., all of one shape.

    Returns
    -------
    labels : ndarray of int
        At each pixel, the index of the first mask that is True there (0 where none is).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import layer_labels
    >>> left = np.array([[True, False, False]])
    >>> layer_labels([left, ~left]).tolist()
    [[0, 1, 1]]
    """
    return np.argmax(np.stack([np.asarray(mask, bool) for mask in masks]), axis=0)


def show_layers(ax, masks: Sequence[np.ndarray], title: str | None = None, legend: bool = True):
    """Draw layer masks on ``ax`` in the book's layer colours (layer 0, the sharpest, first).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    masks : sequence of ndarray of bool
        Layer masks alpha_0, alpha_1, ..., sharpest first; colour i is
        ``LAYER_COLORS[i % len(LAYER_COLORS)]``.
    title : str, optional
        Axes title.
    legend : bool, optional
        Name every layer in a legend below the axes (default True).

    Returns
    -------
    artist : matplotlib.image.AxesImage
        The image of :func:`layer_labels`.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import new_figure, show_layers
    >>> left = np.zeros((4, 6), bool)
    >>> left[:, :3] = True
    >>> ax = new_figure(3, 3).add_subplot()
    >>> int(show_layers(ax, [left, ~left]).get_array().max())
    1
    """
    n_layers = len(masks)
    colours = ListedColormap([LAYER_COLORS[i % len(LAYER_COLORS)] for i in range(n_layers)])
    artist = ax.imshow(layer_labels(masks), cmap=colours, vmin=-0.5, vmax=n_layers - 0.5)
    _finish_axes(ax, title)
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
    return artist


def outline_region(ax, window: tuple[slice, slice], shape: tuple[int, int]) -> None:
    """Outline in yellow, on an image axes, a region that another panel shows enlarged.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        An axes showing an image of ``shape``.
    window : tuple of slice
        Rows and columns of the region (e.g. ``np.s_[10:40, 20:60]``; an open end is the
        image's edge).
    shape : tuple of int
        The (H, W) shape of the image.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import new_figure, outline_region
    >>> ax = new_figure(3, 3).add_subplot()
    >>> outline_region(ax, np.s_[2:5, :4], (8, 8))
    >>> ax.patches[0].get_width(), ax.patches[0].get_height()
    (4, 3)
    """
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


def pad_kernels(kernels: Sequence[np.ndarray], size: int | None = None) -> list[np.ndarray]:
    """Kernels zero-padded, centred, to one common side, so that panels line up.

    Parameters
    ----------
    kernels : sequence of ndarray
        Square kernels with odd sides.
    size : int, optional
        The common odd side (default: the largest side among ``kernels``).

    Returns
    -------
    padded : list of ndarray
        One ``size`` x ``size`` kernel per input (:func:`defocus_teach.kernels.pad_kernel`).

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import pad_kernels
    >>> [k.shape for k in pad_kernels([np.ones((3, 3)), np.ones((5, 5))])]
    [(5, 5), (5, 5)]
    """
    kernels = list(kernels)
    if size is None:
        size = max(np.shape(k)[0] for k in kernels)
    return [pad_kernel(k, size) for k in kernels]


@book_style
def panel_grid(
    count: int,
    ncols: int,
    panel_width: float,
    aspect: float,
    title_height: float = 0.4,
    width: float | None = None,
) -> tuple[Figure, list]:
    """An empty grid of ``count`` equal panels, row by row: the frame of small multiples.

    Parameters
    ----------
    count : int
        Number of panels (at least 1).
    ncols : int
        Number of columns; the grid has ``ceil(count / ncols)`` rows.
    panel_width : float
        Width of one panel in inches.
    aspect : float
        Height over width of what a panel shows (e.g. ``image.shape[0] / image.shape[1]``).
    title_height : float, optional
        Height in inches added to every row for the panels' titles (default 0.4).
    width : float, optional
        Width of the figure (default ``ncols * panel_width``); the row height is
        ``panel_width * aspect + title_height`` either way.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Made by :func:`new_figure` (so scaled down to
        :data:`~defocus_teach.viz._common.MAX_WIDTH` if wider).
    axes : list of matplotlib.axes.Axes
        The ``count`` panels, row by row; the unused cells of the last row are removed.

    Examples
    --------
    >>> from defocus_teach.viz import panel_grid
    >>> fig, axes = panel_grid(5, 3, panel_width=2.0, aspect=0.5)
    >>> len(axes), len(fig.axes), [float(x) for x in fig.get_size_inches()]
    (5, 5, [6.0, 2.8])
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    nrows = -(-count // ncols)
    width = panel_width * ncols if width is None else width
    fig = new_figure(width, nrows * (panel_width * aspect + title_height))
    axes = list(fig.subplots(nrows, ncols, squeeze=False).flat)
    for ax in axes[count:]:
        ax.remove()
    return fig, axes[:count]


@book_style
def image_grid(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    ncols: int | None = None,
    panel_width: float = 3.0,
    suptitle: str | None = None,
    vmin=0.0,
    vmax=1.0,
) -> Figure:
    """Small multiples: greyscale images on a grid, row by row.

    Parameters
    ----------
    images : sequence of 2-D ndarrays
        The panels, all drawn with :func:`show_image`.
    titles : sequence of str, optional
        One title per image.
    ncols : int, optional
        Number of columns (default: all images on one row, at most 4).
    panel_width : float, optional
        Width of one panel in inches (reduced so that the figure fits
        :data:`~defocus_teach.viz._common.MAX_WIDTH`).
    suptitle : str, optional
        Title of the whole figure.
    vmin, vmax : float, optional
        Passed to :func:`show_image`.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per image (laid out by :func:`panel_grid`); unused grid cells are removed.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import image_grid
    >>> fig = image_grid([np.zeros((8, 8))] * 5, ncols=3)
    >>> len(fig.axes)
    5
    """
    images = list(images)
    if not images:
        raise ValueError("images must hold at least one image")
    if titles is not None and len(titles) != len(images):
        raise ValueError(
            f"titles must have one entry per image ({len(images)}), got {len(titles)}"
        )
    ncols = min(len(images), 4) if ncols is None else int(ncols)
    height, width = np.shape(images[0])[:2]
    fig, axes = panel_grid(len(images), ncols, panel_width, height / width)
    for index, (ax, image) in enumerate(zip(axes, images, strict=True)):
        show_image(ax, image, None if titles is None else titles[index], vmin=vmin, vmax=vmax)
    if suptitle is not None:
        fig.suptitle(suptitle)
    return fig


def as_values(value) -> tuple:
    """A scalar as a 1-tuple, a sequence as a tuple: plot functions accept both.

    Examples
    --------
    >>> from defocus_teach.viz import as_values
    >>> as_values(3), as_values([1, 2])
    ((3,), (1, 2))
    """
    if isinstance(value, (str, bytes)) or np.ndim(value) == 0:
        return (value,)
    return tuple(value)


def _slider(kind: str, description: str, **options):
    """An ipywidgets slider of class ``kind`` that updates only when released."""
    import ipywidgets

    return getattr(ipywidgets, kind)(
        description=description,
        continuous_update=False,
        style={"description_width": "initial"},
        **options,
    )


def float_slider(description: str, value: float, low: float, high: float, step: float):
    """An ipywidgets ``FloatSlider`` from ``low`` to ``high`` that updates only when released."""
    return _slider("FloatSlider", description, value=value, min=low, max=high, step=step)


def int_slider(description: str, value: int, low: int, high: int):
    """An ipywidgets ``IntSlider`` from ``low`` to ``high`` that updates only when released."""
    return _slider("IntSlider", description, value=value, min=low, max=high, step=1)


def log_slider(description: str, value: float, low: float, high: float, step: float):
    """An ipywidgets ``FloatLogSlider`` from 10**low to 10**high that updates when released.

    Parameters
    ----------
    description : str
        The slider's label.
    value : float
        The initial value (not its exponent).
    low, high : float
        Exponents (base 10) of the smallest and largest value.
    step : float
        Step of the exponent.

    Returns
    -------
    slider : ipywidgets.FloatLogSlider
        Shows its value in scientific notation (``.1e``).
    """
    return _slider(
        "FloatLogSlider",
        description,
        value=value,
        base=10,
        min=low,
        max=high,
        step=step,
        readout_format=".1e",
    )


def interactive_plot(plot_function: Callable[..., Figure], controls: Mapping, **fixed):
    """Tie ipywidgets controls to a plot function: the book's thin slider wrapper.

    Parameters
    ----------
    plot_function : callable
        A ``plot_*`` function of :mod:`defocus_teach.viz` that returns a Figure.
    controls : mapping of str to ipywidgets.ValueWidget
        One widget per keyword argument of ``plot_function`` that the reader may change.
    **fixed
        The other keyword arguments of ``plot_function``, passed unchanged on every call.

    Returns
    -------
    widget : ipywidgets.interactive
        A VBox whose children are the controls and an Output that shows the figure.  The
        figure for the initial values is drawn when the widget is made; it is redrawn when
        a control is released (sliders made with :func:`float_slider` or :func:`int_slider`
        do not update while dragging).
    """
    import ipywidgets
    from IPython.display import display

    def show(**values):
        display(plot_function(**values, **fixed))

    return ipywidgets.interactive(show, **dict(controls))


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


def plain_value(value):
    """A numpy scalar as the Python number it holds (other values unchanged)."""
    return value.item() if isinstance(value, np.generic) else value


def glue(name: str, value) -> None:
    """Hand a computed value to the book's text, without showing it in the cell's output.

    The book's prose and captions quote measured numbers with myst-nb's role, e.g.
    ``{glue:text}`gain:.1f``` for the value glued as ``"gain"``, so that the text always
    agrees with the run.  Numpy scalars are stored as plain Python numbers
    (``plain_value``), whose text a format spec such as ``.1f`` can read (numpy 2 shows
    them as ``np.float64(...)``).  Where myst-nb is not installed (Colab) nothing happens.
    Nothing is returned, so a cell that ends with a ``glue`` prints nothing.

    Parameters
    ----------
    name : str
        The key used in the text; unique within a chapter.
    value : object
        Usually a number or a short string.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import glue
    >>> glue("half", np.float64(0.5))
    """
    value = plain_value(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # the book's tools are not installed: nothing to hand over
        return
    myst_glue(name, value, display=False)


#: A cell that is a number, a signed difference, a percentage or a count "a / b / c".
_NUMBER = re.compile(r"|[-+]?[\d.,]+(e[-+]?\d+)?( ?%)?( / [-+]?[\d.,]+)*")


def _breakable(title: str) -> str:
    """A header, HTML-escaped, that may wrap after an underscore (``no_<wbr>symmetry``)."""
    return html.escape(title).replace("_", "_<wbr>")


class Table:
    """A small table that a notebook and the book show as HTML, and a terminal as text.

    myst-nb renders an ``IPython.display.Markdown`` output as CommonMark, which has no
    tables, so the book's tables are HTML.  A cell is a string, or a tuple of strings shown
    on separate lines within the cell (the first as the value, the others smaller, e.g. a
    mean above its worst case).

    Parameters
    ----------
    header : sequence of str
        Column titles.
    rows : sequence of sequence
        One sequence of cells per row, as many as ``header``.
    caption : str, optional
        Shown above the table.

    Examples
    --------
    >>> from defocus_teach.viz import Table
    >>> table = Table(["method", "PSNR"], [["full", ("25.2", "18.0")]], caption="Mean, worst")
    >>> print(table)
    Mean, worst
    method  PSNR
    full    25.2 / 18.0
    >>> '<td>25.2<br><span class="dt-sub">18.0</span></td>' in table._repr_html_()
    True
    """

    def __init__(self, header, rows, caption: str | None = None):
        self.header = [str(title) for title in header]
        self.rows = [list(row) for row in rows]
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(
                    f"every row must have {len(self.header)} cells (one per header entry), "
                    f"got {len(row)}: {row!r}"
                )
        self.caption = caption

    @staticmethod
    def _html_cell(cell) -> str:
        parts = cell if isinstance(cell, tuple) else (cell,)
        first, *rest = (html.escape(str(part)) for part in parts)
        return "<br>".join([first] + [f'<span class="dt-sub">{part}</span>' for part in rest])

    def _text_columns(self) -> list[bool]:
        """Columns that hold words rather than numbers (shown left-aligned)."""

        def numeric(cell) -> bool:
            parts = cell if isinstance(cell, tuple) else (cell,)
            return all(_NUMBER.fullmatch(str(part).strip()) for part in parts)

        return [not all(numeric(row[i]) for row in self.rows) for i in range(len(self.header))]

    def _repr_html_(self) -> str:
        text = self._text_columns()
        left = [' class="dt-text"' if t else "" for t in text]
        head = "".join(
            f"<th{c}>{_breakable(title)}</th>" for c, title in zip(left, self.header, strict=True)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td{c}>{self._html_cell(cell)}</td>" for c, cell in zip(left, row, strict=True)
            )
            + "</tr>"
            for row in self.rows
        )
        caption = "" if self.caption is None else f"<caption>{html.escape(self.caption)}</caption>"
        return (
            f'<div class="dt-table-wrap"><table class="dt-table">{caption}'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )

    def __repr__(self) -> str:
        def text(cell):
            return " / ".join(cell) if isinstance(cell, tuple) else str(cell)

        lines = [self.header] + [[text(cell) for cell in row] for row in self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.header))]
        out = [] if self.caption is None else [self.caption]
        out += [
            "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
            for line in lines
        ]
        return "\n".join(out)

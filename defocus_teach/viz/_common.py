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
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "IMAGE_CMAP",
    "KERNEL_CMAP",
    "MAX_WIDTH",
    "BOOK_STYLE",
    "book_style",
    "new_figure",
    "show_image",
    "show_kernel",
    "image_grid",
    "as_values",
    "float_slider",
    "int_slider",
    "interactive_plot",
]

#: The colormap of every image (intensity 0 is black and 1 is white).
IMAGE_CMAP = "gray"
#: The colormap of every kernel, diverging so that white is exactly 0 and negative entries
#: (which truncated or noisy kernels have) show in blue.
KERNEL_CMAP = "RdBu_r"
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
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
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
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return artist


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
        One axes per image; unused grid cells are removed.

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
    nrows = -(-len(images) // ncols)
    height, width = np.shape(images[0])[:2]
    fig = new_figure(panel_width * ncols, panel_width * nrows * height / width + 0.4 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index >= len(images):
            ax.remove()
            continue
        title = None if titles is None else titles[index]
        show_image(ax, images[index], title, vmin=vmin, vmax=vmax)
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


def float_slider(description: str, value: float, low: float, high: float, step: float):
    """An ipywidgets ``FloatSlider`` from ``low`` to ``high`` that updates only when released."""
    import ipywidgets

    return ipywidgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=False,
        style={"description_width": "initial"},
    )


def int_slider(description: str, value: int, low: int, high: int):
    """An ipywidgets ``IntSlider`` from ``low`` to ``high`` that updates only when released."""
    import ipywidgets

    return ipywidgets.IntSlider(
        value=value,
        min=low,
        max=high,
        step=1,
        description=description,
        continuous_update=False,
        style={"description_width": "initial"},
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

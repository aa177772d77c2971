"""Figures and sliders of the chapter "The layer model" (the paper's eq. (1)).

* :func:`plot_scene`: a layered scene at a glance: the sharp image, its depth layers with their
  blur radii, and the simulated defocused image;
* :func:`plot_defocus`: the simulated image for one or several focus depths and apertures
  (:func:`defocus_teach.data.motorcycle_scene`), and its slider :func:`interactive_defocus`;
* :func:`plot_occlusion`: where the occlusion-aware image and the hard-mask model (1) differ,
  next to the boundary band of :func:`defocus_teach.simulate.boundary_band`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from ..data import Scene, motorcycle_scene
from ._common import (
    LAYER_COLORS,
    MAX_WIDTH,
    as_values,
    book_style,
    float_slider,
    interactive_plot,
    new_figure,
    outline_region,
    panel_grid,
    show_image,
)

__all__ = ["plot_scene", "plot_defocus", "interactive_defocus", "plot_occlusion"]


def _layer_names(n_layers: int) -> list[str]:
    """Plain names of the layers from back to front."""
    if n_layers == 2:
        return ["far", "near"]
    if n_layers == 3:
        return ["far", "middle", "near"]
    return [f"layer {j}" for j in range(n_layers)]


def _aspect(image: np.ndarray) -> float:
    return image.shape[0] / image.shape[1]


@book_style
def plot_scene(scene: Scene):
    """The layered scene: sharp image u, the layers alpha_j with their radii, and f.

    Parameters
    ----------
    scene : defocus_teach.data.Scene
        A scene from :func:`defocus_teach.data.motorcycle_scene` (greyscale).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Three axes: ``scene.sharp``, ``scene.labels`` (one colour per layer, with a legend
        giving each layer's blur radius) and ``scene.blurred``.

    Examples
    --------
    >>> from defocus_teach.data import motorcycle_scene
    >>> from defocus_teach.viz import plot_scene
    >>> len(plot_scene(motorcycle_scene(scale=0.25)).axes)
    3
    """
    n_layers = len(scene.kernels)
    fig = new_figure(MAX_WIDTH, MAX_WIDTH / 3 * _aspect(scene.sharp) + 0.7)
    axes = fig.subplots(1, 3)
    show_image(axes[0], scene.sharp, "sharp image $u$")
    colors = ListedColormap(LAYER_COLORS[:n_layers])
    axes[1].imshow(scene.labels, cmap=colors, vmin=-0.5, vmax=n_layers - 0.5)
    axes[1].set_axis_off()
    axes[1].set_title(r"layers $\alpha_j$")
    names = _layer_names(n_layers)
    handles = [
        Patch(color=LAYER_COLORS[j], label=f"{names[j]}: $R$ = {scene.radii[j]:.1f} px")
        for j in range(n_layers)
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=n_layers, frameon=False)
    show_image(axes[2], scene.blurred, "simulated image $f$")
    return fig


@book_style
def plot_defocus(
    focus: str | int | Sequence = "near",
    max_radius: float | Sequence[float] = 6.0,
    n_layers: int = 3,
    noise_sigma: float = 0.005,
    scale: float = 0.5,
):
    """The simulated defocused motorcycle scene for given focus depths and apertures.

    Parameters
    ----------
    focus : str, int or sequence
        Layer in focus, "near", "middle", "far" or a layer index (see
        :func:`defocus_teach.data.motorcycle_scene`; "middle" is layer 1 of 3), or a sequence
        of these, one column each.
    max_radius : float or sequence of float
        Blur radius in pixels of the most defocused layer, which grows with the aperture;
        one row each.
    n_layers : int, optional
        Number of depth layers, 2 or 3 (default 3).
    noise_sigma : float, optional
        Noise standard deviation (default 0.005, seeded).
    scale : float, optional
        Image scale passed to :func:`~defocus_teach.data.motorcycle_scene` (default 0.5).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes per (max_radius, focus) pair, showing ``scene.blurred``; the title gives
        the blur radius of every layer, from far to near.

    Examples
    --------
    >>> from defocus_teach.viz import plot_defocus
    >>> fig = plot_defocus(focus=["far", "near"], max_radius=[2, 6], scale=0.25)
    >>> len(fig.axes)
    4
    """
    names = _layer_names(n_layers)
    # "middle" (3 layers) is a name of this figure, motorcycle_scene takes the index.
    focuses = [names.index(f) if f == "middle" else f for f in as_values(focus)]
    radii = as_values(max_radius)
    scenes = [
        [
            motorcycle_scene(
                n_layers=n_layers,
                max_radius=radius,
                focus=layer,
                noise_sigma=noise_sigma,
                scale=scale,
            )
            for layer in focuses
        ]
        for radius in radii
    ]
    ncols, nrows = len(focuses), len(radii)
    panel = min(4.0, MAX_WIDTH / ncols)
    aspect = _aspect(scenes[0][0].sharp)
    fig, axes = panel_grid(nrows * ncols, ncols, panel, aspect, title_height=0.7)
    for ax, scene in zip(axes, [scene for row in scenes for scene in row], strict=True):
        in_focus = names[int(np.argmin(scene.radii))]
        listed = ", ".join(f"{r:.1f}" for r in scene.radii)
        show_image(ax, scene.blurred, f"focus: {in_focus}\n$R_j$ = {listed} px")
    return fig


def interactive_defocus(n_layers: int = 3, noise_sigma: float = 0.005, scale: float = 0.5):
    """Slider: focus depth and aperture -> the simulated image (:func:`plot_defocus`).

    Parameters
    ----------
    n_layers, noise_sigma, scale
        Passed to :func:`plot_defocus`.

    Returns
    -------
    widget : ipywidgets.interactive
        A focus slider over the layers (far to near), a ``max_radius`` slider from 1 to 10
        pixels, and the figure.
    """
    import ipywidgets

    focus = ipywidgets.SelectionSlider(
        options=[(name, j) for j, name in enumerate(_layer_names(n_layers))],
        value=n_layers - 1,
        description="focus",
        continuous_update=False,
    )
    return interactive_plot(
        plot_defocus,
        {"focus": focus, "max_radius": float_slider("max_radius (px)", 6.0, 1.0, 10.0, 0.5)},
        n_layers=n_layers,
        noise_sigma=noise_sigma,
        scale=scale,
    )


@book_style
def plot_occlusion(
    composite: np.ndarray,
    hard_mask: np.ndarray,
    band: np.ndarray,
    window: tuple[slice, slice] | None = None,
):
    """Where occlusion breaks the hard-mask model: both images and their difference.

    Parameters
    ----------
    composite : ndarray, 2-D
        The occlusion-aware image of :func:`defocus_teach.simulate.layered_defocus`.
    hard_mask : ndarray, 2-D
        The hard-mask model (1), :math:`\\sum_j \\alpha_j \\odot (k_j \\otimes u)`.
    band : ndarray of bool, 2-D
        Pixels near a layer boundary (:func:`defocus_teach.simulate.boundary_band`); its
        outline is drawn over the difference.
    window : tuple of slice, optional
        A region to magnify: it is outlined on the top row and shown enlarged below.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Three image axes (composite, hard-mask model, absolute difference) and the
        difference's colorbar; with ``window``, three more axes with the enlarged region.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz import plot_occlusion
    >>> image = np.zeros((20, 30))
    >>> len(plot_occlusion(image, image, image > 0).axes)
    4
    >>> len(plot_occlusion(image, image, image > 0, window=np.s_[2:10, 5:20]).axes)
    7
    """
    composite, hard_mask = np.asarray(composite), np.asarray(hard_mask)
    band = np.asarray(band, dtype=bool)
    difference = np.abs(composite - hard_mask)
    peak = float(difference.max()) or 1.0
    nrows = 1 if window is None else 2
    aspect = _aspect(difference)
    panel = MAX_WIDTH / 3.15  # three panels and a colorbar
    height = panel * aspect + 0.45
    if window is not None:
        height += panel * _aspect(difference[window]) + 0.45
    fig = new_figure(MAX_WIDTH, height)
    grid = fig.add_gridspec(nrows, 3)
    titles = (
        "with occlusion (simulated $f$)",
        "hard-mask model (1)",
        "|difference|, band in cyan",
    )
    rows = [(slice(None), slice(None))] + ([] if window is None else [window])
    for row, region in enumerate(rows):
        axes = [fig.add_subplot(grid[row, col]) for col in range(3)]
        suffix = "" if row == 0 else " (enlarged)"
        show_image(axes[0], composite[region], titles[0] + suffix if row == 0 else "enlarged")
        show_image(axes[1], hard_mask[region], titles[1] if row == 0 else "enlarged")
        artist = axes[2].imshow(difference[region], cmap="magma", vmin=0, vmax=peak)
        axes[2].contour(band[region], levels=[0.5], colors="cyan", linewidths=0.8)
        axes[2].set_axis_off()
        axes[2].set_title(titles[2] if row == 0 else "enlarged")
        if row == 0:
            fig.colorbar(artist, ax=axes[2], shrink=0.8)
            if window is not None:
                for ax in axes:
                    outline_region(ax, window, difference.shape)
    return fig

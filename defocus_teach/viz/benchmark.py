"""Figures of the chapter "Does it work? Measured": the benchmark's scenes and results.

The figures read benchmark rows (:func:`defocus_teach.benchmark.load_results`) or rebuild
scenes (:func:`defocus_teach.benchmark.make_scene`, nothing is solved); the computation lives
in :mod:`defocus_teach.benchmark`, which re-exports these four functions.

* :func:`summary_figure`: per-scene PSNR gains over the input and kernel errors, per method;
* :func:`plot_scenes`: small multiples of scenes, observed image over layers and masks;
* :func:`plot_scene_results`: the gains of every method on one scene;
* :func:`plot_kernel_errors`: kernel error against the true radius, per kernel family.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..benchmark.report import mean_kernel_error, methods_in_order, paired_differences
from ..benchmark.scenes import BAND_WIDTH, SceneSpec, make_scene
from ._common import book_style, new_figure, show_image

__all__ = ["summary_figure", "plot_scenes", "plot_scene_results", "plot_kernel_errors"]


def summary_figure(rows: Sequence[dict]):
    """One figure: per-scene PSNR gains over the input, and kernel errors, per method.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Three panels: gain in PSNR over the input on the defocused layers and in the
        boundary band (one dot per scene, a bar for the mean), and the kernel error (mean
        over the layers of a scene; one dot per scene, a bar for the median, log scale).
    """

    @book_style
    def draw():
        methods = [m for m in methods_in_order(rows) if m != "input"]
        fig = new_figure(10, 0.42 * len(methods) + 1.4)
        axes = fig.subplots(1, 3, sharey=True)
        positions = np.arange(len(methods))[::-1]
        panels = [
            ("defocused_psnr", "PSNR gain over the input\non the defocused layers (dB)"),
            ("band_psnr", f"PSNR gain over the input\nin the {BAND_WIDTH} px band (dB)"),
        ]
        for ax, (column, title) in zip(axes[:2], panels, strict=False):
            gains = paired_differences(rows, column, reference="input")
            for y, method in zip(positions, methods, strict=True):
                values = -gains[method]  # method - input
                ax.barh(y, values.mean(), color="#9ecae1" if method != "full" else "#3182bd")
                ax.plot(values, np.full(values.size, y), "k.", markersize=3)
            ax.axvline(0, color="0.3", linewidth=0.8)
            ax.set_xlabel(title)
        errors = {m: [mean_kernel_error(r) for r in rows if r["method"] == m] for m in methods}
        for y, method in zip(positions, methods, strict=True):
            values = np.array([v for v in errors[method] if not math.isnan(v)])
            if values.size:
                axes[2].barh(y, np.median(values), color="#fdae6b")
                axes[2].plot(values, np.full(values.size, y), "k.", markersize=3)
        axes[2].set_xscale("log")
        axes[2].set_xlabel("kernel error, median\n(relative Frobenius)")
        axes[0].set_yticks(positions, methods)
        return fig

    return draw()


def plot_scenes(specs: Sequence[SceneSpec]):
    """Small multiples of scenes: the observed image above its layers, band and given mask.

    Parameters
    ----------
    specs : sequence of defocus_teach.benchmark.SceneSpec
        The scenes to draw (each is rebuilt with
        :func:`~defocus_teach.benchmark.make_scene`; this takes well under a second per
        scene, nothing is solved).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Top row: the observed images f.  Bottom row: the true layers (darkest in focus,
        lighter more defocused), the boundary band (yellow) and the outline of the
        perturbed mask given to the methods (red).

    Examples
    --------
    >>> from defocus_teach.benchmark import SCENES
    >>> from defocus_teach.viz.benchmark import plot_scenes
    >>> len(plot_scenes(SCENES[:2]).axes)
    4
    """

    @book_style
    def draw():
        fig = new_figure(2.0 * len(specs), 4.6)
        axes = fig.subplots(2, len(specs), squeeze=False)
        for column, spec in enumerate(specs):
            scene = make_scene(spec)
            show_image(axes[0, column], np.clip(scene.blurred, 0, 1), spec.name)
            axes[0, column].title.set_fontsize(8)
            layers = sum(i * m for i, m in enumerate(scene.true_masks)) / len(scene.masks)
            shown = np.where(scene.band, 0.0, 0.25 + 0.75 * layers)
            axes[1, column].imshow(shown, cmap="viridis", vmin=0, vmax=1)
            axes[1, column].contour(scene.masks[1], [0.5], colors="red", linewidths=1)
            axes[1, column].set_axis_off()
            radii = "+".join(f"{r:g}" for r in spec.radii)
            axes[1, column].set_title(
                f"{spec.family} R={radii}\nnoise {spec.noise:g}, error {spec.seg_error:+d} px",
                fontsize=8,
            )
        return fig

    return draw()


def plot_scene_results(rows: Sequence[dict], scene: str | int = 0):
    """PSNR gain over the input of every method on one scene of the results.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.
    scene : str or int, optional
        Scene name, or its index in the order of the rows.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Bars of the gain on the defocused layers and in the boundary band, per method.

    Examples
    --------
    >>> from defocus_teach.benchmark import COLUMNS
    >>> from defocus_teach.viz.benchmark import plot_scene_results
    >>> rows = [dict.fromkeys(COLUMNS, 0.0) | {"scene": "s", "method": m, "radii": "5"}
    ...         for m in ("input", "full")]
    >>> len(plot_scene_results(rows, "s").axes)
    1
    """
    names = list(dict.fromkeys(row["scene"] for row in rows))
    name = names[scene] if isinstance(scene, int) else scene
    if name not in names:
        raise ValueError(f"scene must be one of {names} or an index, got {scene!r}")
    mine = {row["method"]: row for row in rows if row["scene"] == name}

    @book_style
    def draw():
        methods = [m for m in methods_in_order(list(mine.values())) if m != "input"]
        fig = new_figure(7, 0.3 * len(methods) + 1.5)
        ax = fig.subplots()
        positions = np.arange(len(methods))[::-1]
        for offset, column, colour in (
            (0.2, "defocused_psnr", "#3182bd"),
            (-0.2, "band_psnr", "#fd8d3c"),
        ):
            gains = [mine[m][column] - mine["input"][column] for m in methods]
            label = "defocused layers" if column == "defocused_psnr" else "boundary band"
            ax.barh(positions + offset, gains, height=0.4, color=colour, label=label)
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.set_yticks(positions, methods)
        ax.set_xlabel("PSNR gain over the input (dB)")
        row = mine["input"]
        ax.set_title(
            f"{name}: input {row['defocused_psnr']:.1f} dB on the defocused layers", fontsize=10
        )
        ax.legend(loc="lower right", fontsize=8)
        return fig

    return draw()


def plot_kernel_errors(rows: Sequence[dict], methods: Sequence[str] = ("full", "gaussian")):
    """Kernel error of every defocused layer against its true radius, per kernel family.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.
    methods : sequence of str, optional
        One panel per method (default the full method and the Gaussian baseline).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One dot per defocused layer: disks in blue, Gaussian pupils in orange; log scale.

    Examples
    --------
    >>> from defocus_teach.benchmark import COLUMNS
    >>> from defocus_teach.viz.benchmark import plot_kernel_errors
    >>> row = dict.fromkeys(COLUMNS, float("nan")) | {
    ...     "scene": "s", "method": "full", "radii": "3+7", "kernel": "disk",
    ...     "kernel_error1": 0.1, "kernel_error2": 0.9}
    >>> len(plot_kernel_errors([row], ["full"]).axes)
    1
    """

    @book_style
    def draw():
        fig = new_figure(3.6 * len(methods), 3.2)
        axes = fig.subplots(1, len(methods), sharey=True, squeeze=False)[0]
        for ax, method in zip(axes, methods, strict=True):
            for family, colour, label in (
                ("disk", "#3182bd", "disk"),
                ("pupil", "#e6550d", "Gaussian pupil"),
            ):
                radii, errors = [], []
                for row in rows:
                    if row["method"] != method or row["kernel"] != family:
                        continue
                    for i, radius in enumerate(row["radii"].split("+"), start=1):
                        radii.append(float(radius))
                        errors.append(row[f"kernel_error{i}"])
                ax.plot(radii, errors, "o", color=colour, label=label, alpha=0.8)
            ax.set_yscale("log")
            ax.set_xlabel("true radius R (px)")
            ax.set_title(method)
            ax.grid(True, alpha=0.3)
        axes[0].set_ylabel("kernel error")
        axes[0].legend(fontsize=8)
        return fig

    return draw()

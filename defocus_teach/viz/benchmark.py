"""Figures and tables of the chapter "Does it work? Measured": the benchmark's results.

The figures read benchmark rows (:func:`defocus_teach.benchmark.load_results`) or rebuild
scenes (:func:`defocus_teach.benchmark.make_scene`, nothing is solved); the computation lives
in :mod:`defocus_teach.benchmark`, which re-exports the four figure functions.

* :func:`summary_figure`: per-scene PSNR gains over the input and kernel errors, per method;
* :func:`plot_scenes`: small multiples of scenes, observed image over layers and masks;
* :func:`plot_scene_results`: the gains of every method on one scene;
* :func:`plot_kernel_errors`: kernel error against the true radius, per kernel family.

The tables are :class:`~defocus_teach.viz._common.Table` objects, shown as HTML in a notebook
and in the book (the same numbers as :func:`defocus_teach.benchmark.summary_markdown`, whose
Markdown tables the book cannot render):

* :func:`method_table`: mean and worst value of every metric, per method;
* :func:`paired_table`: the full method minus every other method, scene by scene;
* :func:`group_table`: mean PSNR on the defocused layers per scene group;
* :func:`claims_table` with :func:`claim_verdict`: one row per claim of the paper;
* :func:`scene_table`: the full method's gain, gap to the oracle and kernel errors per scene.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..benchmark.report import (
    GROUPS,
    mean_kernel_error,
    methods_in_order,
    paired_differences,
    paired_interval,
    summarize,
)
from ..benchmark.scenes import BAND_WIDTH, SceneSpec, make_scene
from ._common import Table, book_style, new_figure, show_image

__all__ = [
    "summary_figure",
    "plot_scenes",
    "plot_scene_results",
    "plot_kernel_errors",
    "method_table",
    "paired_table",
    "group_table",
    "claim_verdict",
    "claims_table",
    "scene_table",
    "automatic_table",
    "TIE_DB",
]

#: Columns of :func:`method_table`: title, row key (or "kernel_error"), decimals.
_METHOD_COLUMNS = (
    ("PSNR, whole image", "psnr", 2),
    ("PSNR, defocused", "defocused_psnr", 2),
    ("SSIM, defocused", "defocused_ssim", 3),
    ("PSNR, band", "band_psnr", 2),
    ("SSIM, band", "band_ssim", 3),
    ("kernel error", "kernel_error", 3),
    ("seconds", "seconds", 1),
)
#: A paired difference within this many dB of zero counts as a tie.
TIE_DB = 0.1


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


def _number(value: float, digits: int) -> str:
    return "" if math.isnan(value) else f"{value:.{digits}f}"


def method_table(rows: Sequence[dict]) -> Table:
    """Mean and worst value over the scenes of every metric, one row per method.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.

    Returns
    -------
    table : defocus_teach.viz.Table
        Each cell holds the mean and, below it, the worst value over the scenes (lowest PSNR
        and SSIM, highest kernel error and time).  The kernel error of a scene is the mean
        over its defocused layers; its median over the scenes is a column of its own, as a
        few failed kernels dominate the mean.

    Examples
    --------
    >>> from defocus_teach.viz.benchmark import method_table
    >>> rows = [{"method": "full", "scene": s, "psnr": p, "defocused_psnr": p,
    ...          "defocused_ssim": 0.5, "band_psnr": p, "band_ssim": 0.5, "seconds": 2.0,
    ...          "kernel_error1": 0.1, "kernel_error2": float("nan")}
    ...         for s, p in (("a", 20.0), ("b", 30.0))]
    >>> method_table(rows).rows[0][:2]
    ['full', ('25.00', '20.00')]
    """
    summaries = {key: summarize(rows, key) for _, key, _ in _METHOD_COLUMNS}
    header = ["method"] + [title for title, _, _ in _METHOD_COLUMNS]
    header.insert(-1, "kernel error, median")
    table = []
    for method in methods_in_order(rows):
        cells = []
        for _, key, digits in _METHOD_COLUMNS:
            mean, worst, _ = summaries[key][method]
            cells.append(
                "" if math.isnan(mean) else (_number(mean, digits), _number(worst, digits))
            )
        errors = [mean_kernel_error(r) for r in rows if r["method"] == method]
        errors = [e for e in errors if not math.isnan(e)]
        cells.insert(-1, _number(float(np.median(errors)), 3) if errors else "")
        table.append([method, *cells])
    scenes = len({row["scene"] for row in rows})
    caption = (
        f"Mean over the {scenes} scenes, and below it the worst scene. PSNR in dB; band: "
        f"pixels within {BAND_WIDTH} px of a true layer boundary; kernel error: relative "
        "Frobenius error, mean over a scene's defocused layers; seconds: wall time."
    )
    return Table(header, table, caption=caption)


def _paired_with_scenes(rows, column, reference="full"):
    """method -> (scenes, reference - method), in the order of the reference's rows."""
    table = {(row["method"], row["scene"]): row[column] for row in rows}
    scenes = [row["scene"] for row in rows if row["method"] == reference]
    paired = {}
    for method in methods_in_order(rows):
        if method != reference:
            common = [s for s in scenes if (method, s) in table]
            values = np.array([table[reference, s] - table[method, s] for s in common])
            paired[method] = (common, values)
    return paired


def paired_table(rows: Sequence[dict]) -> Table:
    """The full method minus every other method, scene by scene: mean, worst and where.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.

    Returns
    -------
    table : defocus_teach.viz.Table
        Per method: the mean and the smallest (worst) paired difference of the PSNR on the
        defocused layers and in the band, in dB (positive: the full method is better), and
        the scene of the worst difference on the defocused layers.

    Examples
    --------
    >>> from defocus_teach.viz.benchmark import paired_table
    >>> rows = [{"method": m, "scene": "s", "defocused_psnr": p, "band_psnr": p}
    ...         for m, p in (("full", 25.0), ("input", 21.5))]
    >>> paired_table(rows).rows
    [['input', ('+3.50', '+3.50'), ('+3.50', '+3.50'), 's']]
    """
    band = paired_differences(rows, "band_psnr")
    table = []
    for method, (scenes, values) in _paired_with_scenes(rows, "defocused_psnr").items():
        if values.size:
            worst = int(np.argmin(values))
            layers = (f"{values.mean():+.2f}", f"{values.min():+.2f}")
            in_band = (f"{band[method].mean():+.2f}", f"{band[method].min():+.2f}")
            table.append([method, layers, in_band, scenes[worst]])
    caption = (
        "Full method minus each method, per scene (dB; positive: the full method is "
        "better): the mean, and below it the worst (smallest) difference."
    )
    header = ["method", "PSNR, defocused", "PSNR, band", "worst scene (defocused)"]
    return Table(header, table, caption=caption)


def group_table(rows: Sequence[dict], methods: Sequence[str] | None = None) -> Table:
    """Mean PSNR on the defocused layers per scene group (dB), one column per method.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.
    methods : sequence of str, optional
        The columns (default every method of the rows; ten columns are too many for a phone,
        or for the book's page).

    Returns
    -------
    table : defocus_teach.viz.Table
        One row per group of :data:`defocus_teach.benchmark.GROUPS` that has scenes.

    Examples
    --------
    >>> from defocus_teach.viz.benchmark import group_table
    >>> rows = [{"method": "full", "scene": "s", "defocused_psnr": 25.0, "kernel": "disk",
    ...          "defocused_layers": 1, "colour": False, "noise": 0.005, "seg_error": 0}]
    >>> group_table(rows).rows[0]
    ['all scenes', '1', '25.00']
    """
    methods = methods_in_order(rows) if methods is None else list(methods)
    table = []
    for group, predicate in GROUPS.items():
        members = [row for row in rows if predicate(row)]
        if members:
            means = summarize(members, "defocused_psnr")
            count = len({row["scene"] for row in members})
            table.append([group, str(count)] + [_number(means[m][0], 2) for m in methods])
    caption = "Mean PSNR on the defocused layers (dB) per group of scenes."
    return Table(["group", "scenes", *methods], table, caption=caption)


def claim_verdict(differences: np.ndarray) -> str:
    """The verdict on a claim from the paired differences ``full - method`` (dB).

    *no effect* when the mean is within :data:`TIE_DB` of zero, *contradicted* when it is
    negative, *supported* when it is positive and no scene is worse by more than
    :data:`TIE_DB`, *mixed* otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from defocus_teach.viz.benchmark import claim_verdict
    >>> [claim_verdict(np.array(d)) for d in ([0.05, -0.05], [1.0, 0.5], [2.0, -0.5], [-1.0])]
    ['no effect', 'supported', 'mixed', 'contradicted']
    """
    mean = float(np.mean(differences))
    if abs(mean) < TIE_DB:
        return "no effect"
    if mean < 0:
        return "contradicted"
    return "supported" if np.all(differences >= -TIE_DB) else "mixed"


def _interval(differences: np.ndarray) -> str:
    low, high = paired_interval(differences)
    return "" if np.isnan(low) else f"[{low:+.2f}, {high:+.2f}]"


def claims_table(rows: Sequence[dict], claims: dict[str, str]) -> Table:
    """One row per claim: the full method against the method that lacks what it is about.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.
    claims : dict
        method -> the claim that comparing the full method with it tests.

    Returns
    -------
    table : defocus_teach.viz.Table
        Per claim, the paired differences ``full - method`` of the PSNR on the defocused
        layers (mean, its 95% confidence interval and the worst), their mean in the band,
        the counts of scenes better, tied
        (within :data:`TIE_DB` dB) and worse, and :func:`claim_verdict`; a last row gives
        the gap to the oracle.

    Examples
    --------
    >>> from defocus_teach.viz.benchmark import claims_table
    >>> rows = [{"method": m, "scene": "s", "defocused_psnr": p, "band_psnr": p}
    ...         for m, p in (("full", 25.0), ("input", 21.5), ("oracle", 26.0))]
    >>> claims_table(rows, {"input": "deblurring helps"}).rows[0][-2:]
    ['1 / 0 / 0', 'supported']
    >>> claims_table(rows, {"input": "deblurring helps"}).rows[0][3] == ""  # one scene
    True
    """
    layers = paired_differences(rows, "defocused_psnr")
    band = paired_differences(rows, "band_psnr")
    table = []
    for method, claim in claims.items():
        d = layers[method]
        counts = (np.sum(d > TIE_DB), np.sum(abs(d) <= TIE_DB), np.sum(d < -TIE_DB))
        table.append(
            [claim, method, f"{d.mean():+.2f}", _interval(d), f"{d.min():+.2f}"]
            + [f"{band[method].mean():+.2f}", " / ".join(str(int(c)) for c in counts)]
            + [claim_verdict(d)]
        )
    if "oracle" in layers:
        gap = layers["oracle"]
        table.append(
            ["(gap to the oracle)", "oracle", f"{gap.mean():+.2f}", _interval(gap)]
            + [f"{gap.min():+.2f}", f"{band['oracle'].mean():+.2f}", "", ""]
        )
    header = ["claim", "full minus", "mean (dB)", "95% interval", "worst", "band (dB)"]
    header += ["better / tie / worse", "verdict"]
    return Table(header, table)


def scene_table(rows: Sequence[dict]) -> Table:
    """The full method scene by scene: gain over the input, gap to the oracle, kernel errors.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows with the methods "input", "full" and "oracle".

    Returns
    -------
    table : defocus_teach.viz.Table
        One row per scene: PSNR gain of the full method over the input and gap to the
        oracle on the defocused layers (dB), and the kernel error of each defocused layer.

    Examples
    --------
    >>> from defocus_teach.viz.benchmark import scene_table
    >>> nan = float("nan")
    >>> rows = [{"method": m, "scene": "s", "defocused_psnr": p, "kernel_error1": 0.2,
    ...          "kernel_error2": nan} for m, p in (("input", 20.0), ("full", 24.0),
    ...                                           ("oracle", 25.0))]
    >>> scene_table(rows).rows
    [['s', '+4.00', '1.00', '0.20']]
    """
    psnr = {(r["scene"], r["method"]): r["defocused_psnr"] for r in rows}
    table = []
    for row in rows:
        if row["method"] != "full":
            continue
        name = row["scene"]
        gain = psnr[name, "full"] - psnr[name, "input"]
        gap = psnr[name, "oracle"] - psnr[name, "full"]
        errors = [row[f"kernel_error{i}"] for i in (1, 2)]
        found = ", ".join(f"{e:.2f}" for e in errors if not math.isnan(e))
        table.append([name, f"{gain:+.2f}", f"{gap:.2f}", found])
    header = ["scene", "gain over the input (dB)", "gap to the oracle (dB)", "kernel error"]
    return Table(header, table)


def automatic_table(rows: Sequence[dict], method: str = "full_auto") -> Table:
    """A method that finds its own layers, scene by scene: layers, IoU, map error, gains.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows with the method and "input".
    method : str, optional
        Default "full_auto".

    Returns
    -------
    table : defocus_teach.viz.Table
        One row per scene: the layers found (and the true count), the IoU of the pixels
        called defocused with the truly defocused ones, the mean absolute error of the
        defocus map (px), and the PSNR gain over the input on the whole image, the in-focus
        layer and the band (dB).

    Examples
    --------
    >>> from defocus_teach.viz.benchmark import automatic_table
    >>> base = {"scene": "s", "defocused_layers": 1, "psnr": 20.0, "infocus_psnr": 40.0,
    ...         "band_psnr": 22.0}
    >>> rows = [dict(base, method="input"),
    ...         dict(base, method="full_auto", psnr=21.5, infocus_psnr=39.9, band_psnr=22.1,
    ...              layers_found=2.0, iou=0.9, map_error=1.25)]
    >>> automatic_table(rows).rows
    [['s', '2 (2)', '0.90', '1.25', '+1.50', '-0.10', '+0.10']]
    """
    inputs = {r["scene"]: r for r in rows if r["method"] == "input"}
    table = []
    for row in rows:
        if row["method"] != method:
            continue
        base = inputs[row["scene"]]
        gains = [f"{row[k] - base[k]:+.2f}" for k in ("psnr", "infocus_psnr", "band_psnr")]
        layers = f"{row['layers_found']:.0f} ({row['defocused_layers'] + 1})"
        table.append(
            [row["scene"], layers, f"{row['iou']:.2f}", _number(row["map_error"], 2), *gains]
        )
    header = ["scene", "layers (true)", "IoU", "map error (px)", "whole", "in focus", "band"]
    return Table(header, table, caption=f"{method}: PSNR gains over the input in dB")

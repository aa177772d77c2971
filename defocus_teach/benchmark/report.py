"""Summaries of benchmark rows: per-method statistics, paired differences, markdown tables.

Scenes differ by several dB in difficulty, more than the methods differ, so besides the
mean and worst value per method (:func:`summarize`) the rows are compared in pairs, scene by
scene (:func:`paired_differences`).  :func:`summary_markdown` writes both as markdown tables,
with the means per scene group (:data:`GROUPS`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

from .methods import METHODS
from .scenes import BAND_WIDTH

__all__ = [
    "GROUPS",
    "methods_in_order",
    "mean_kernel_error",
    "summarize",
    "paired_differences",
    "paired_interval",
    "summary_markdown",
]


def methods_in_order(rows: Sequence[dict]) -> list[str]:
    """The methods present in the rows: those of :data:`METHODS` in table order, then others.

    Examples
    --------
    >>> from defocus_teach.benchmark.report import methods_in_order
    >>> methods_in_order([{"method": "mine"}, {"method": "full"}, {"method": "input"}])
    ['input', 'full', 'mine']
    """
    present = {row["method"] for row in rows}
    return [m for m in METHODS if m in present] + sorted(present - set(METHODS))


def mean_kernel_error(row: dict) -> float:
    """Kernel error of a row's scene: the mean over its defocused layers (nan if none).

    Examples
    --------
    >>> from defocus_teach.benchmark.report import mean_kernel_error
    >>> mean_kernel_error({"kernel_error1": 0.25, "kernel_error2": float("nan")})
    0.25
    """
    values = [row[f"kernel_error{i}"] for i in (1, 2) if not math.isnan(row[f"kernel_error{i}"])]
    return float(np.mean(values)) if values else math.nan


def summarize(rows: Sequence[dict], column: str) -> dict[str, tuple[float, float, str]]:
    """Mean and worst value of a column per method.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows.
    column : str
        A column of :data:`COLUMNS`, or "kernel_error" (mean over the defocused layers).

    Returns
    -------
    summary : dict
        method -> (mean, worst, scene of the worst).  The worst is the minimum, except for
        "kernel_error" and "seconds" where it is the maximum.

    Examples
    --------
    >>> rows = [{"method": "a", "scene": "s1", "psnr": 20.0},
    ...         {"method": "a", "scene": "s2", "psnr": 30.0}]
    >>> summarize(rows, "psnr")
    {'a': (25.0, 20.0, 's1')}
    """
    larger_is_worse = column.startswith("kernel_error") or column == "seconds"
    summary = {}
    for method in methods_in_order(rows):
        pairs = []
        for row in rows:
            if row["method"] != method:
                continue
            value = mean_kernel_error(row) if column == "kernel_error" else row[column]
            if not math.isnan(value):
                pairs.append((value, row["scene"]))
        if not pairs:
            summary[method] = (math.nan, math.nan, "")
            continue
        values = np.array([v for v, _ in pairs])
        worst = int(np.argmax(values) if larger_is_worse else np.argmin(values))
        summary[method] = (float(values.mean()), float(values[worst]), pairs[worst][1])
    return summary


def _paired(rows, column, reference):
    table = {(row["method"], row["scene"]): row[column] for row in rows}
    scenes = [row["scene"] for row in rows if row["method"] == reference]
    paired = {}
    for method in methods_in_order(rows):
        if method != reference:
            common = [s for s in scenes if (method, s) in table]
            values = [table[reference, s] - table[method, s] for s in common]
            paired[method] = (common, np.array(values, dtype=np.float64))
    return paired


def paired_differences(
    rows: Sequence[dict], column: str = "defocused_psnr", reference: str = "full"
) -> dict[str, np.ndarray]:
    """Per-scene difference ``reference - method`` of a column, for every other method.

    Parameters
    ----------
    rows : sequence of dict
    column : str, optional
        Default "defocused_psnr".
    reference : str, optional
        Default "full".

    Returns
    -------
    differences : dict
        method -> array of differences over the scenes both methods ran on, in the order of
        the reference's rows (positive: the reference is better when larger is better).

    Examples
    --------
    >>> rows = [{"method": "full", "scene": "s", "psnr": 25.0},
    ...         {"method": "input", "scene": "s", "psnr": 21.5}]
    >>> paired_differences(rows, "psnr")
    {'input': array([3.5])}
    """
    return {m: values for m, (_, values) in _paired(rows, column, reference).items()}


def paired_interval(differences, level: float = 0.95) -> tuple[float, float]:
    """Student-t confidence interval for the mean of paired differences over the scenes.

    Parameters
    ----------
    differences : array_like
        One difference per scene (e.g. from :func:`paired_differences`).
    level : float, optional
        Confidence level (default 0.95).

    Returns
    -------
    low, high : float
        :math:`\\bar d \\pm t_{n-1} s / \\sqrt{n}`; nan for fewer than two scenes.

    Notes
    -----
    The scenes are few (12) and their differences far from normal when one scene fails, so
    the interval is a guide to the size of the scatter, not an exact test.

    Examples
    --------
    >>> low, high = paired_interval([1.0, 2.0, 3.0])
    >>> round(low, 2), round(high, 2)
    (-0.48, 4.48)
    """
    values = np.asarray(differences, dtype=np.float64)
    if values.size < 2:
        return float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1)
    half /= np.sqrt(values.size)
    return float(values.mean() - half), float(values.mean() + half)


#: Scene groups of the per-group table: name -> predicate on a row.
GROUPS: dict[str, Callable[[dict], bool]] = {
    "all scenes": lambda row: True,
    "one defocused layer": lambda row: row["defocused_layers"] == 1,
    "two defocused layers": lambda row: row["defocused_layers"] == 2,
    "grey": lambda row: not row["colour"],
    "colour": lambda row: row["colour"],
    "disk kernel": lambda row: row["kernel"] == "disk",
    "pupil kernel": lambda row: row["kernel"] == "pupil",
    "noise 0.002": lambda row: row["noise"] == 0.002,
    "noise 0.005": lambda row: row["noise"] == 0.005,
    "noise 0.01": lambda row: row["noise"] == 0.01,
    "segmentation error 0": lambda row: row["seg_error"] == 0,
    "segmentation error 3 px": lambda row: abs(row["seg_error"]) == 3,
    "segmentation error 6 px": lambda row: abs(row["seg_error"]) == 6,
}


def _number(value: float, digits: int = 2) -> str:
    return "" if math.isnan(value) else f"{value:.{digits}f}"


def _segmentation_markdown(rows: Sequence[dict]) -> str:
    """Per scene, for the methods that found their own layers: layers, IoU, map error, gains."""
    automatic = [row for row in rows if not math.isnan(row.get("iou", math.nan))]
    if not automatic:
        return ""
    inputs = {row["scene"]: row for row in rows if row["method"] == "input"}
    out = io.StringIO()
    out.write(
        "\nMethods that find their own layers, per scene: layers found (true), IoU of the "
        "pixels called defocused with the truly defocused ones, mean absolute error of the "
        "defocus map (px), and the PSNR gain over the input (dB) on the whole image, the "
        "in-focus layer and the band.\n\n"
    )
    out.write("| method | scene | layers | IoU | map error | whole | in focus | band |\n")
    out.write("|---|---|---|---|---|---|---|---|\n")
    for row in automatic:
        base = inputs.get(row["scene"])
        gains = [
            f"{row[key] - base[key]:+.2f}" if base else ""
            for key in ("psnr", "infocus_psnr", "band_psnr")
        ]
        out.write(
            f"| {row['method']} | {row['scene']} | {row['layers_found']:.0f} "
            f"({row['defocused_layers'] + 1}) | {row['iou']:.2f} | "
            f"{_number(row['map_error'])} | " + " | ".join(gains) + " |\n"
        )
    return out.getvalue()


def summary_markdown(rows: Sequence[dict]) -> str:
    """Markdown tables: mean and worst per method, paired gains, and means per scene group.

    Parameters
    ----------
    rows : sequence of dict
        Benchmark rows (e.g. from :func:`load_results`).

    Returns
    -------
    text : str
        Three markdown tables (four when a method found its own layers).  PSNR in dB;
        "worst" is the lowest PSNR/SSIM and the highest kernel error or time over the
        scenes.  The kernel error of a scene is the mean over
        its defocused layers; its median over the scenes is also given, as a few failed
        kernels dominate the mean.
    """
    methods = methods_in_order(rows)
    scenes = sorted({row["scene"] for row in rows})
    out = io.StringIO()
    out.write(
        f"{len(scenes)} scenes x {len(methods)} methods. PSNR in dB (data range 1), "
        f"SSIM, band = pixels within {BAND_WIDTH} px of a true layer boundary, kernel "
        "error = relative Frobenius error (mean over the defocused layers), seconds = wall "
        "time of the method on the scene. Each cell: mean / worst over the scenes.\n\n"
    )
    columns = [
        ("PSNR", "psnr", 2),
        ("PSNR in focus", "infocus_psnr", 2),
        ("PSNR defocused", "defocused_psnr", 2),
        ("SSIM defocused", "defocused_ssim", 3),
        ("PSNR band", "band_psnr", 2),
        ("SSIM band", "band_ssim", 3),
        ("kernel error", "kernel_error", 3),
        ("seconds", "seconds", 1),
    ]
    summaries = {key: summarize(rows, key) for _, key, _ in columns}
    titles = [title for title, _, _ in columns]
    titles.insert(-1, "kernel error median")
    out.write("| method | " + " | ".join(titles) + " |\n")
    out.write("|---" * (len(titles) + 1) + "|\n")
    for method in methods:
        cells = []
        for _, key, digits in columns:
            mean, worst, _ = summaries[key][method]
            cells.append(
                "" if math.isnan(mean) else f"{_number(mean, digits)} / {_number(worst, digits)}"
            )
        errors = [mean_kernel_error(row) for row in rows if row["method"] == method]
        errors = [e for e in errors if not math.isnan(e)]
        cells.insert(-1, _number(float(np.median(errors)), 3) if errors else "")
        out.write(f"| {method} | " + " | ".join(cells) + " |\n")

    out.write(
        "\nPaired differences, full method minus each method, per scene (dB; positive: the "
        "full method is better). Mean / worst (smallest) / scene of the worst, and the "
        "95% confidence interval of the mean (Student t over the scenes).\n\n"
    )
    out.write("| method | PSNR defocused | 95% interval | PSNR band | worst scene (defocused) |\n")
    out.write("|---|---|---|---|---|\n")
    band = paired_differences(rows, "band_psnr")
    for method, (scenes_of, values) in _paired(rows, "defocused_psnr", "full").items():
        if values.size == 0:
            continue
        worst = int(np.argmin(values))
        low, high = paired_interval(values)
        out.write(
            f"| {method} | {values.mean():+.2f} / {values.min():+.2f} | "
            f"[{low:+.2f}, {high:+.2f}] | "
            f"{band[method].mean():+.2f} / {band[method].min():+.2f} | {scenes_of[worst]} |\n"
        )

    out.write(_segmentation_markdown(rows))
    out.write("\nMean PSNR on the defocused layers (dB) per scene group.\n\n")
    out.write("| group | scenes | " + " | ".join(methods) + " |\n")
    out.write("|---" * (len(methods) + 2) + "|\n")
    for group, predicate in GROUPS.items():
        members = [row for row in rows if predicate(row)]
        if not members:
            continue
        count = len({row["scene"] for row in members})
        means = summarize(members, "defocused_psnr")
        cells = [_number(means[m][0]) if m in means else "" for m in methods]
        out.write(f"| {group} | {count} | " + " | ".join(cells) + " |\n")
    return out.getvalue()

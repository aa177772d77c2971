"""The benchmark's results on disk: CSV columns, writing and reading, the committed files.

One row per scene and method, columns :data:`COLUMNS`.  The full suite writes
``benchmarks/results/quality.csv`` in the repository (:data:`REPO_RESULTS`) and a copy
shipped inside the package (:data:`PACKAGED_CSV`, ``defocus_teach/benchmark_results.csv``),
which :func:`load_results` reads when the repository is not there (e.g. on Colab).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

__all__ = ["COLUMNS", "REPO_RESULTS", "PACKAGED_CSV", "write_csv", "read_csv", "load_results"]

#: The repository's results folder, and the copy of the CSV shipped inside the package.
REPO_RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"
PACKAGED_CSV = Path(__file__).resolve().parents[1] / "benchmark_results.csv"

#: CSV columns and their types.  Per-layer columns of a missing second layer are empty, and
#: so are the segmentation columns (``layers_found``, ``iou``, ``map_error``) of the methods
#: that are given the masks.
COLUMNS: dict[str, type] = {
    "scene": str,
    "method": str,
    "quick": bool,
    "image": str,
    "colour": bool,
    "kernel": str,
    "radii": str,
    "defocused_layers": int,
    "noise": float,
    "seg_error": int,
    "psnr": float,
    "ssim": float,
    "infocus_psnr": float,
    "defocused_psnr": float,
    "defocused_ssim": float,
    "layer1_psnr": float,
    "layer1_ssim": float,
    "layer2_psnr": float,
    "layer2_ssim": float,
    "band_psnr": float,
    "band_ssim": float,
    "kernel_error1": float,
    "kernel_error2": float,
    "layers_found": float,
    "iou": float,
    "map_error": float,
    "seconds": float,
}


def _format(value) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6f}"
    return str(value)


def _parse(text: str, kind: type):
    if kind is bool:
        return text.strip() in ("1", "True", "true")
    if kind is float:
        return math.nan if text == "" else float(text)
    return kind(text)


def write_csv(rows: Sequence[dict], path) -> Path:
    """Write rows to a CSV file (columns :data:`COLUMNS`, floats with 6 decimals, nan empty)."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(_format(row[column]) for column in COLUMNS)
    return path


def read_csv(path) -> list[dict]:
    """Read rows written by :func:`write_csv`, with the types of :data:`COLUMNS`."""
    with Path(path).open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path} is not a benchmark CSV: columns {sorted(missing)} missing")
        return [{k: _parse(row[k], kind) for k, kind in COLUMNS.items()} for row in reader]


def load_results(path=None) -> list[dict]:
    """The committed benchmark results.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV written by :func:`write_csv`.  Default: ``benchmarks/results/quality.csv`` of
        the repository when the package runs from a clone, else the copy shipped inside the
        package (``defocus_teach/benchmark_results.csv``, e.g. on Colab).

    Returns
    -------
    rows : list of dict

    Examples
    --------
    >>> from defocus_teach.benchmark import load_results
    >>> rows = load_results()
    >>> [m for m in ("input", "oracle", "full") if m in {row["method"] for row in rows}]
    ['input', 'oracle', 'full']
    """
    if path is None:
        repo = REPO_RESULTS / "quality.csv"
        path = repo if repo.exists() else PACKAGED_CSV
    return read_csv(path)

"""The benchmark's command line: ``python -m defocus_teach.benchmark [--quick] ...``.

:func:`main` runs the suite (or the scenes and methods asked for), prints the summary tables
and writes ``quality.csv``, ``quality.md`` and ``quality.png``; ``benchmarks/quality.py`` in
the repository is the same command.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .methods import run_suite
from .report import summary_markdown
from .results import PACKAGED_CSV, REPO_RESULTS, read_csv, write_csv
from .scenes import SCENES

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m defocus_teach.benchmark",
        description="Run the benchmark suite and write quality.csv, quality.md and quality.png.",
    )
    parser.add_argument("--quick", action="store_true", help="only the quick scenes")
    parser.add_argument(
        "--output",
        metavar="DIR",
        help="folder for the results (default: the repository's benchmarks/results for the "
        "full suite; nothing is written for --quick without --output)",
    )
    parser.add_argument("--scenes", nargs="+", metavar="NAME", help="only these scenes")
    parser.add_argument("--methods", nargs="+", metavar="NAME", help="only these methods")
    parser.add_argument(
        "--package-copy",
        action="store_true",
        help="also copy the CSV to defocus_teach/benchmark_results.csv (what Colab reads)",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="keep the other methods' rows of the output folder's quality.csv and replace "
        "only the rows of the methods run (e.g. a peer added after the full run)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="run the scenes in N worker processes, one scene per task, each with one "
        "BLAS thread (default 1: one after the other in this process); the rows and "
        "their order do not depend on N",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def _merged(folder: Path, rows: list[dict]) -> list[dict]:
    """The rows of ``folder/quality.csv`` with those of the methods in ``rows`` replaced.

    A replaced row keeps its place; new rows go after the last row of their scene (or at
    the end), so the file stays in the suite's order, scene by scene.
    """
    path = folder / "quality.csv"
    new = {(row["scene"], row["method"]): row for row in rows}
    merged = [new.pop((row["scene"], row["method"]), row) for row in read_csv(path)]
    for key, row in new.items():
        last = max((i for i, old in enumerate(merged) if old["scene"] == key[0]), default=None)
        merged.insert(len(merged) if last is None else last + 1, row)
    return merged


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m defocus_teach.benchmark [--quick] ...``.

    Raises
    ------
    ValueError
        For ``--jobs`` below 1 (before anything runs).
    SystemExit
        For an unknown scene, or ``--update`` without an existing ``quality.csv``.
    """
    args = _parser().parse_args(argv)
    if args.jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {args.jobs}")
    scenes = list(SCENES)
    if args.scenes:
        known = {s.name: s for s in SCENES}
        unknown = [name for name in args.scenes if name not in known]
        if unknown:
            raise SystemExit(f"unknown scenes {unknown}; choose from {list(known)}")
        scenes = [known[name] for name in args.scenes]
    say = (lambda message: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    if args.update and (args.output is None or not (Path(args.output) / "quality.csv").exists()):
        raise SystemExit(f"--update needs an existing quality.csv in --output, got {args.output}")
    start = time.perf_counter()
    rows = run_suite(scenes, args.methods, quick=args.quick, progress=say, jobs=args.jobs)
    total = time.perf_counter() - start
    print(f"total: {total:.0f} s for {len(rows)} runs")
    output = args.output
    if output is None and not args.quick:
        output = REPO_RESULTS if REPO_RESULTS.parent.exists() else Path("benchmark_results")
    if args.update:
        rows = _merged(Path(output), rows)
        total = sum(row["seconds"] for row in rows)
    table = summary_markdown(rows)
    print(table)
    if output is not None:
        csv_path = _write_results(Path(output), rows, table, total, args.quick, args.jobs, say)
        if args.package_copy:
            PACKAGED_CSV.write_bytes(csv_path.read_bytes())
            say(f"copied the CSV to {PACKAGED_CSV}")
    return 0


def _write_results(
    folder: Path, rows: list, table: str, total: float, quick: bool, jobs: int, say
) -> Path:
    """Write ``quality.csv``, ``quality.md`` (with how it was run) and ``quality.png``.

    Returns the path of the CSV.
    """
    from ..viz.benchmark import summary_figure  # imported here: the figures import this package

    folder.mkdir(parents=True, exist_ok=True)
    csv_path = write_csv(rows, folder / "quality.csv")
    command = "python -m defocus_teach.benchmark" + (" --quick" if quick else "")
    command += f" --jobs {jobs}" if jobs > 1 else ""
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    (folder / "quality.md").write_text(
        f"# Benchmark results\n\nWritten by `{command}` in {total:.0f} s on "
        f"{os.cpu_count()} cores (OPENBLAS_NUM_THREADS={threads}, load average {load} at "
        f"the end).\n\n{table}",
        encoding="utf-8",
    )
    summary_figure(rows).savefig(folder / "quality.png", dpi=120)
    say(f"wrote {csv_path}, quality.md and quality.png in {folder}")
    return csv_path

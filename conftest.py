"""Project-wide pytest hooks.

* With ``--nbval-lax`` (set in ``pyproject.toml``) nbval would collect every ``.ipynb`` below
  the test paths; only the chapters, ``book/*.ipynb``, are meant to run.
* nbval reports one test per code cell; a per-notebook wall time is printed at the end of the
  run so that slow chapters are easy to spot in CI.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

BOOK_DIR = Path(__file__).resolve().parent / "book"

_notebook_seconds: dict[str, float] = defaultdict(float)
_notebook_cells: dict[str, int] = defaultdict(int)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip notebooks that are not chapters directly in ``book/``."""
    if collection_path.suffix == ".ipynb" and collection_path.resolve().parent != BOOK_DIR:
        return True
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::", 1)[0]
    if not path.endswith(".ipynb"):
        return
    _notebook_seconds[path] += report.duration  # setup (kernel start), call and teardown
    if report.when == "call":
        _notebook_cells[path] += 1


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not _notebook_seconds:
        return
    terminalreporter.section("notebook timings")
    for path, seconds in sorted(_notebook_seconds.items(), key=lambda item: -item[1]):
        cells = _notebook_cells[path]
        terminalreporter.write_line(f"{seconds:8.1f}s  {path}  ({cells} code cells)")

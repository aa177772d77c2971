"""``run_suite(..., jobs=N)`` and ``--jobs N``: the scenes in worker processes, same rows.

The cheap methods ``input`` and ``oracle`` on the two quick scenes keep the file at about
half a minute on two cores (each worker pool spawns fresh interpreters).
"""

import math
from dataclasses import replace

import pytest

from defocus_teach.benchmark import SCENES, run_suite
from defocus_teach.benchmark.cli import main
from defocus_teach.benchmark.results import read_csv

CHEAP = ["input", "oracle"]
QUICK_NAMES = [s.name for s in SCENES if s.quick]


def _without_seconds(rows):
    """The rows without ``seconds``, nan replaced by a marker (nan != nan)."""
    return [
        {
            k: ("nan" if isinstance(v, float) and math.isnan(v) else v)
            for k, v in row.items()
            if k != "seconds"
        }
        for row in rows
    ]


def _keys(rows):
    return [(row["scene"], row["method"]) for row in rows]


@pytest.fixture(scope="module")
def serial_rows():
    return run_suite(methods=CHEAP, quick=True, jobs=1)


def test_two_jobs_give_the_rows_of_one_in_the_suite_order(serial_rows):
    messages = []
    parallel = run_suite(methods=CHEAP, quick=True, jobs=2, progress=messages.append)
    assert _keys(parallel) == [(scene, method) for scene in QUICK_NAMES for method in CHEAP]
    assert _without_seconds(parallel) == _without_seconds(serial_rows)
    assert all(row["seconds"] >= 0 for row in parallel)
    # one progress line per scene and method, each naming its scene
    assert len(messages) == len(parallel)
    assert sorted(m.split()[1] for m in messages) == sorted(r["scene"] for r in parallel)


@pytest.mark.parametrize("jobs", [0, -2, 1.5, True])
def test_jobs_below_one_or_not_an_integer_is_rejected(jobs):
    with pytest.raises(ValueError, match="jobs"):
        run_suite(methods=["input"], quick=True, jobs=jobs)


def test_the_command_line_rejects_jobs_below_one_before_running(tmp_path):
    with pytest.raises(ValueError, match="--jobs"):
        main(["--quick", "--methods", "input", "--jobs", "0", "--output", str(tmp_path)])
    assert not any(tmp_path.iterdir())


def test_update_with_jobs_replaces_rows_in_place(tmp_path, serial_rows):
    common = ["--scenes", *QUICK_NAMES, "--output", str(tmp_path), "--quiet", "--jobs", "2"]
    assert main([*common, "--methods", *CHEAP]) == 0
    first = read_csv(tmp_path / "quality.csv")
    assert _keys(first) == _keys(serial_rows)
    assert main([*common, "--methods", "input", "--update"]) == 0
    again = read_csv(tmp_path / "quality.csv")
    assert _keys(again) == _keys(first)
    oracle = [r for r in first if r["method"] == "oracle"]
    assert [r for r in again if r["method"] == "oracle"] == oracle  # kept as they were
    assert _without_seconds(again) == _without_seconds(first)  # input rows recomputed alike
    assert "--jobs 2" in (tmp_path / "quality.md").read_text()


def test_a_scene_that_fails_in_a_worker_raises_its_error_here():
    bad = replace(SCENES[0], name="off-the-image", origin=(10_000, 0))
    with pytest.raises(ValueError, match="leaves the camera image"):
        run_suite([bad, SCENES[1]], methods=["input"], jobs=2)

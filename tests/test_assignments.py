"""The assignments' autograder passes the reference solutions and fails the starters.

The autograder (``defocus_teach.assignments.grading``) runs in a subprocess, as a student
runs it: once against the reference solutions of ``tests/assignment_solutions/`` (every
test must pass: this is where CI grades them), once against the untouched starters (every
test must fail).  The instructor tool ``make_student`` is tested on a temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from defocus_teach.assignments import ASSIGNMENTS, ENV_VAR, make_student
from defocus_teach.assignments.grading import describe_tests, load_target, target_name

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SOLUTIONS = TESTS / "assignment_solutions"
_OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR) \S*test_(\w+)\.py::(\w+)", re.MULTILINE)


def _env(solution: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != ENV_VAR}
    if solution is not None:
        env[ENV_VAR] = solution
    paths = [str(TESTS), str(ROOT), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
    env["MPLBACKEND"] = "Agg"
    return env


def _run(args: list[str], solution: str | None, cwd: Path = ROOT):
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=_env(solution),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _grade_all(solution: str | None) -> tuple[int, dict[str, list[str]], str]:
    """Run every grading module in one pytest process; outcomes per assignment."""
    modules = [assignment.tests for assignment in ASSIGNMENTS.values()]
    process = _run(["-m", "pytest", "--pyargs", *modules, "-q", "-rA"], solution)
    outcomes: dict[str, list[str]] = {}
    for outcome, assignment, _ in _OUTCOME.findall(process.stdout):
        outcomes.setdefault(assignment, []).append(outcome)
    return process.returncode, outcomes, process.stdout + process.stderr


@pytest.fixture(scope="module")
def reference_run():
    return _grade_all("assignment_solutions")


@pytest.fixture(scope="module")
def starter_run():
    return _grade_all(None)


def test_reference_solutions_pass_every_grading_test(reference_run):
    code, outcomes, log = reference_run
    assert code == 0, log[-3000:]
    assert sorted(outcomes) == sorted(ASSIGNMENTS), log[-3000:]
    for assignment, results in outcomes.items():
        expected = len(describe_tests(assignment))
        assert len(results) >= expected, f"{assignment}: {len(results)} tests ran"
        assert set(results) == {"PASSED"}, f"{assignment}: {results}"


def test_starters_fail_every_grading_test(starter_run):
    code, outcomes, log = starter_run
    assert code == 1, log[-3000:]  # 1: tests ran and failed (not a usage or import error)
    assert sorted(outcomes) == sorted(ASSIGNMENTS), log[-3000:]
    for assignment, results in outcomes.items():
        assert set(results) == {"FAILED"}, f"{assignment}: {results}"
    assert "NotImplementedError" in log


def test_grade_command_exit_code_follows_the_grade():
    command = ["-m", "defocus_teach.assignments", "grade", "transform", "-q"]
    graded = _run([*command, "--solution", "assignment_solutions"], None)
    assert graded.returncode == 0, graded.stdout[-3000:]
    assert "grading assignment_solutions" in graded.stdout
    starter = _run(command, None)
    assert starter.returncode == 1, starter.stdout[-3000:]
    assert "grading defocus_teach.assignments.tight_frame" in starter.stdout


def test_target_is_the_starter_unless_the_variable_names_a_module(monkeypatch):
    monkeypatch.syspath_prepend(str(TESTS))
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert target_name("radial") == "defocus_teach.assignments.radial_kernel"
    assert load_target("radial").__name__ == "defocus_teach.assignments.radial_kernel"
    monkeypatch.setenv(ENV_VAR, "assignment_solutions")  # a package: its submodule
    assert load_target("transform").__name__ == "assignment_solutions.tight_frame"
    monkeypatch.setenv(ENV_VAR, "assignment_solutions.defocus_estimator")  # a module
    assert load_target("defocus").__name__ == "assignment_solutions.defocus_estimator"
    with pytest.raises(ValueError, match="assignment must be one of"):
        load_target("fourier")


def test_every_starter_task_is_a_stub_and_every_solution_fills_it():
    for assignment in ASSIGNMENTS.values():
        starter = ROOT / "defocus_teach" / "assignments" / f"{assignment.module}.py"
        solution = SOLUTIONS / f"{assignment.module}.py"
        assert make_student.stub_problems(starter, assignment.tasks) == []
        problems = make_student.stub_problems(solution, assignment.tasks)
        assert len(problems) == len(assignment.tasks)
        assert all("is not a stub" in problem for problem in problems)


def test_describe_tests_lists_the_grading_tests_with_summaries():
    tests = describe_tests("radial")
    assert tests[0][0] == "test_ring_labels_are_rounded_distances"
    assert len(tests) >= 8 and all(summary for _, summary in tests)


def test_make_student_writes_starters_and_tests_only(tmp_path):
    outdir = tmp_path / "hand-out"
    written = make_student.make_student(outdir)
    names = sorted(path.relative_to(outdir).as_posix() for path in written)
    expected = ["README.md", "conftest.py", "student/__init__.py"]
    for name, assignment in ASSIGNMENTS.items():
        expected += [f"student/{assignment.module}.py", f"tests/test_{name}.py"]
    assert names == sorted(expected)
    assert make_student.check_student_copy(outdir) == []
    for assignment in ASSIGNMENTS.values():
        copied = (outdir / "student" / f"{assignment.module}.py").read_text()
        solution = (SOLUTIONS / f"{assignment.module}.py").read_text()
        starter = ROOT / "defocus_teach" / "assignments" / f"{assignment.module}.py"
        assert copied == starter.read_text() and copied != solution
    readme = (outdir / "README.md").read_text()
    assert all(f"python -m pytest tests/test_{name}.py" in readme for name in ASSIGNMENTS)
    with pytest.raises(FileExistsError):
        make_student.make_student(outdir)


def test_check_student_copy_reports_a_solution_and_extra_files(tmp_path):
    make_student.make_student(tmp_path, ["radial"])
    shutil.copy(SOLUTIONS / "radial_kernel.py", tmp_path / "student" / "radial_kernel.py")
    (tmp_path / "tests" / "notes.txt").write_text("answers")
    problems = make_student.check_student_copy(tmp_path, ["radial"])
    assert "unexpected file tests/notes.txt" in problems
    assert any("radial_projection is not a stub" in problem for problem in problems)
    assert len(problems) == 3


def test_make_student_refuses_a_filled_in_starter(tmp_path, monkeypatch):
    package = tmp_path / "package"
    shutil.copytree(ROOT / "defocus_teach" / "assignments", package)
    shutil.copy(SOLUTIONS / "tight_frame.py", package / "tight_frame.py")
    monkeypatch.setattr(make_student, "_HERE", package)
    with pytest.raises(ValueError, match="HaarFrame.analysis is not a stub"):
        make_student.make_student(tmp_path / "out", ["transform"])
    assert not (tmp_path / "out").exists()
    make_student.make_student(tmp_path / "out", ["radial"])  # the other starters are fine
    assert make_student.main([str(tmp_path / "more"), "--assignment", "transform"]) == 1


def test_student_copy_grades_the_student_package(tmp_path):
    make_student.make_student(tmp_path, ["transform"])
    untouched = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider"], None, cwd=tmp_path)
    assert untouched.returncode == 1, untouched.stdout[-3000:]
    count = len(describe_tests("transform"))
    assert f"{count} failed" in untouched.stdout
    shutil.copy(SOLUTIONS / "tight_frame.py", tmp_path / "student" / "tight_frame.py")
    answered = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider"], None, cwd=tmp_path)
    assert answered.returncode == 0, answered.stdout[-3000:]
    assert f"{count} passed" in answered.stdout

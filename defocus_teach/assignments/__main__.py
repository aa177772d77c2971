"""Command line of the assignments: ``python -m defocus_teach.assignments``.

::

    python -m defocus_teach.assignments list
    python -m defocus_teach.assignments grade NAME [--solution MODULE] [PYTEST_ARGS ...]
    python -m defocus_teach.assignments make-student OUTDIR [--assignment NAME ...]

``grade`` runs the autograder of one assignment (``radial``, ``transform``, ``defocus``) or of
``all`` with pytest and exits with pytest's exit code (0 when every test passed).  It grades
the starter module of the package unless ``--solution`` (or the environment variable
``DEFOCUS_TEACH_SOLUTION``) names another module or package.  Arguments it does not know are
passed to pytest (``-x``, ``-v``, ``-k NAME``).  ``make-student`` is
:mod:`defocus_teach.assignments.make_student`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import ASSIGNMENTS, ENV_VAR


def _list() -> int:
    for assignment in ASSIGNMENTS.values():
        tasks = ", ".join(assignment.tasks)
        print(f"{assignment.name:10s} {assignment.title}")
        print(f"{'':10s} write {tasks} in {assignment.starter}")
        print(f"{'':10s} plugged in as {assignment.hook}; chapter {assignment.chapter}")
    return 0


def grade(names: list[str], solution: str | None = None, pytest_args: list[str] = ()) -> int:
    """Run the autograder of the assignments ``names``; return pytest's exit code."""
    import pytest  # only the autograder needs pytest

    from . import grading
    from .grading import target_name

    if solution:
        os.environ[ENV_VAR] = solution
    for name in names:
        print(f"grading {target_name(name)} with {ASSIGNMENTS[name].tests}", flush=True)
    modules = [ASSIGNMENTS[name].tests for name in names]
    # The tests' folder as rootdir: test ids read "test_radial.py::test_..." from anywhere.
    rootdir = f"--rootdir={Path(grading.__file__).resolve().parent}"
    options = ["--pyargs", "-p", "no:cacheprovider", rootdir]
    return int(pytest.main([*options, *modules, *pytest_args]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m defocus_teach.assignments",
        description="List, grade and hand out the course assignments of defocus_teach.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the assignments")
    grader = commands.add_parser("grade", help="run the autograder of an assignment")
    grader.add_argument("name", choices=[*ASSIGNMENTS, "all"], help="assignment, or all")
    grader.add_argument(
        "--solution",
        metavar="MODULE",
        help=f"module or package to grade (default: ${ENV_VAR}, else the starter)",
    )
    student = commands.add_parser("make-student", help="write the student version to OUTDIR")
    student.add_argument("outdir")
    student.add_argument("--assignment", action="append", choices=list(ASSIGNMENTS))
    args, extra = parser.parse_known_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "grade":
        names = list(ASSIGNMENTS) if args.name == "all" else [args.name]
        return grade(names, args.solution, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    from .make_student import main as make_student_main

    forwarded = [args.outdir]
    for name in args.assignment or ():
        forwarded += ["--assignment", name]
    return make_student_main(forwarded)


if __name__ == "__main__":
    sys.exit(main())

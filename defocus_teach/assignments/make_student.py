"""Instructor tool: write the student version of the assignments to a folder.

::

    python -m defocus_teach.assignments.make_student OUTDIR [--assignment NAME ...]

writes (for every assignment, or only the ones named)::

    OUTDIR/README.md                  the task, the files to edit, how to grade
    OUTDIR/conftest.py                points the autograder at the student/ package
    OUTDIR/student/__init__.py
    OUTDIR/student/<module>.py        the starter module: stubs that raise NotImplementedError
    OUTDIR/tests/test_<name>.py       the autograder's tests

Students edit ``student/<module>.py`` and run ``python -m pytest`` in OUTDIR (with
``defocus-teach`` installed from its repository: ``INSTALL_COMMAND``).  The files are copied
from this installed package, which holds no reference solution (those live in the
repository's ``tests/assignment_solutions/``).  The tool then checks what it wrote with
:func:`check_student_copy`: the folder holds exactly the files above, and every function the
student must write is still a stub, so a starter that an instructor filled in by mistake is
never handed out.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from defocus_teach.assignments.make_student import check_student_copy, make_student
>>> folder = tempfile.TemporaryDirectory()
>>> outdir = Path(folder.name) / "hand-out"
>>> sorted(p.relative_to(outdir).as_posix() for p in make_student(outdir, ["radial"]))
['README.md', 'conftest.py', 'student/__init__.py', 'student/radial_kernel.py',
 'tests/test_radial.py']
>>> check_student_copy(outdir, ["radial"])
[]
>>> folder.cleanup()
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Sequence
from pathlib import Path

from . import ASSIGNMENTS, ENV_VAR

__all__ = [
    "make_student",
    "check_student_copy",
    "stub_problems",
    "main",
    "REPOSITORY_URL",
    "INSTALL_COMMAND",
]

#: The repository of the project, as ``_config.yml`` of the book names it (``repository:
#: url:``; ``tests/test_install_instructions.py`` checks that the two agree).  The package is
#: not on PyPI: students install it from here.
REPOSITORY_URL = "https://github.com/defocus-teach/defocus-teach"

#: How a student installs the package and the test runner, said in this one place: the README
#: written by :func:`make_student` uses it, the instructors' page of the book repeats it (a
#: test checks that it does).
INSTALL_COMMAND = f'pip install "defocus-teach @ git+{REPOSITORY_URL}" pytest'

_HERE = Path(__file__).resolve().parent
_PACKAGE = "student"

_CONFTEST = f'''\
"""Make the autograder grade the modules in student/ (set {ENV_VAR} to grade others)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("{ENV_VAR}", "{_PACKAGE}")
'''


def _manifest(names: Sequence[str]) -> dict[str, Path | None]:
    """Relative path in OUTDIR -> source file in the package (None: generated)."""
    files: dict[str, Path | None] = {
        "README.md": None,
        "conftest.py": None,
        f"{_PACKAGE}/__init__.py": None,
    }
    for name in names:
        assignment = ASSIGNMENTS[name]
        files[f"{_PACKAGE}/{assignment.module}.py"] = _HERE / f"{assignment.module}.py"
        files[f"tests/test_{name}.py"] = _HERE / "grading" / f"test_{name}.py"
    return files


def _readme(names: Sequence[str]) -> str:
    lines = [
        "# defocus-teach assignments",
        "",
        "Each assignment replaces one step of the method of Xu, Liu & Ji, *Removing",
        "out-of-focus blur from a single image* (arXiv:1808.09166), by your own code. Its",
        "chapter in the defocus-teach book states the task, the maths and the grading.",
        "",
        f"Setup (Python >= 3.10, with git): `{INSTALL_COMMAND}`.",
        "",
        "Write your code in the files of `student/`, in place of the",
        "`raise NotImplementedError` lines; keep the names, signatures and docstrings.",
        "Grade your work in this folder with",
        "",
        "    python -m pytest                        # every assignment",
        "    python -m pytest tests/test_NAME.py     # one assignment",
        "",
        "A test passes when your code meets the contract of its docstring; the test's own",
        "docstring says what it checks. Do not edit `tests/` or `conftest.py`: the grade",
        "comes from the original tests.",
        "",
    ]
    for name in names:
        assignment = ASSIGNMENTS[name]
        lines += [
            f"## {assignment.title}",
            "",
            f"- Chapter: `{assignment.chapter}` of the book.",
            f"- Edit: `{_PACKAGE}/{assignment.module}.py`; write "
            + ", ".join(f"`{task}`" for task in assignment.tasks)
            + ".",
            f"- Plugged into the package as `{assignment.hook}`.",
            f"- Grade: `python -m pytest tests/test_{name}.py`.",
            "",
        ]
    return "\n".join(lines)


def _is_stub(body: list[ast.stmt]) -> bool:
    """A docstring (optional) followed by ``raise NotImplementedError[(...)]``, nothing else."""
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def stub_problems(path: str | Path, tasks: Sequence[str]) -> list[str]:
    """What is wrong with the stubs of a starter module (empty list: all tasks are stubs).

    Parameters
    ----------
    path : str or Path
        A Python file.
    tasks : sequence of str
        Functions (``"name"``) or methods (``"Class.name"``) that must be stubs.

    Returns
    -------
    problems : list of str
        One message per task that is missing or has a body other than an optional docstring
        and ``raise NotImplementedError``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "starter.py"
    >>> _ = path.write_text("def f(x):\\n    raise NotImplementedError\\n")
    >>> stub_problems(path, ["f"])
    []
    >>> _ = path.write_text("def f(x):\\n    return x\\n")
    >>> stub_problems(path, ["f", "g"])  # doctest: +NORMALIZE_WHITESPACE
    ['starter.py: f is not a stub (it must only raise NotImplementedError)',
     'starter.py: g is missing']
    >>> folder.cleanup()
    """
    path = Path(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    definitions: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            definitions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    definitions[f"{node.name}.{item.name}"] = item
    problems = []
    for task in tasks:
        node = definitions.get(task)
        if node is None:
            problems.append(f"{path.name}: {task} is missing")
        elif not _is_stub(node.body):
            problems.append(
                f"{path.name}: {task} is not a stub (it must only raise NotImplementedError)"
            )
    return problems


def _names(assignments: Sequence[str] | None) -> list[str]:
    names = list(ASSIGNMENTS) if not assignments else list(dict.fromkeys(assignments))
    unknown = [name for name in names if name not in ASSIGNMENTS]
    if unknown:
        raise ValueError(f"assignments must be among {sorted(ASSIGNMENTS)}, got {unknown}")
    return names


def check_student_copy(outdir: str | Path, assignments: Sequence[str] | None = None) -> list[str]:
    """Check a student folder: exactly the expected files, and every task still a stub.

    Parameters
    ----------
    outdir : str or Path
        A folder written by :func:`make_student`.
    assignments : sequence of str, optional
        The assignments it was made for (default: all).

    Returns
    -------
    problems : list of str
        Empty when the folder is fit to hand out.
    """
    outdir = Path(outdir)
    names = _names(assignments)
    expected = set(_manifest(names))
    found = {
        path.relative_to(outdir).as_posix()
        for path in outdir.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    problems = [f"unexpected file {name}" for name in sorted(found - expected)]
    problems += [f"missing file {name}" for name in sorted(expected - found)]
    for name in names:
        assignment = ASSIGNMENTS[name]
        starter = outdir / _PACKAGE / f"{assignment.module}.py"
        if starter.is_file():
            problems += stub_problems(starter, assignment.tasks)
    return problems


def make_student(outdir: str | Path, assignments: Sequence[str] | None = None) -> list[Path]:
    """Write the student version of the assignments to ``outdir`` and check it.

    Parameters
    ----------
    outdir : str or Path
        Destination folder; created if needed, and it must be empty.
    assignments : sequence of str, optional
        Names of the assignments to include (default: all).

    Returns
    -------
    written : list of Path
        The files written.

    Raises
    ------
    FileExistsError
        If ``outdir`` exists and is not an empty folder.
    ValueError
        For an unknown assignment, or if the check of the written folder fails (a starter
        that is not a stub: a solution would be handed out).
    """
    outdir = Path(outdir)
    names = _names(assignments)
    if outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())):
        raise FileExistsError(f"outdir must be a new or empty folder, got {str(outdir)!r}")
    # Check the sources before writing anything.
    problems = []
    for name in names:
        assignment = ASSIGNMENTS[name]
        problems += stub_problems(_HERE / f"{assignment.module}.py", assignment.tasks)
    if problems:
        raise ValueError("the starters are not stubs:\n  " + "\n  ".join(problems))
    written = []
    for relative, source in _manifest(names).items():
        target = outdir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is not None:
            text = source.read_text(encoding="utf-8")
        elif relative == "README.md":
            text = _readme(names)
        elif relative == "conftest.py":
            text = _CONFTEST
        else:
            text = '"""Your answers to the defocus-teach assignments."""\n'
        target.write_text(text, encoding="utf-8")
        written.append(target)
    problems = check_student_copy(outdir, names)
    if problems:
        raise ValueError(f"{outdir} is not fit to hand out:\n  " + "\n  ".join(problems))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m defocus_teach.assignments.make_student OUTDIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m defocus_teach.assignments.make_student",
        description="Write the student version of the assignments (no solutions) to OUTDIR.",
    )
    parser.add_argument("outdir", help="new or empty folder")
    parser.add_argument(
        "--assignment",
        action="append",
        choices=list(ASSIGNMENTS),
        help="include only this assignment (repeatable; default: all)",
    )
    args = parser.parse_args(argv)
    try:
        written = make_student(args.outdir, args.assignment)
    except (FileExistsError, ValueError) as error:
        print(f"make_student: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    print(f"checked: {len(written)} files, every task is a stub, no other file", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

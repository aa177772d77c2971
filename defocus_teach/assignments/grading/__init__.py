"""Autograder of the assignments: one pytest module per assignment.

=================  ==========================================================================
module             grades
=================  ==========================================================================
``test_radial``    ``ring_labels`` and ``radial_projection`` (module ``radial_kernel``)
``test_transform`` ``HaarFrame`` (module ``tight_frame``)
``test_defocus``   ``estimate_blur_map`` (module ``defocus_estimator``)
=================  ==========================================================================

Run one with ``python -m defocus_teach.assignments grade NAME`` or, equivalently,
``python -m pytest --pyargs defocus_teach.assignments.grading.test_NAME``.  Every test takes
the graded module from :func:`load_target`: the starter in :mod:`defocus_teach.assignments`
by default, or the module named by the environment variable ``DEFOCUS_TEACH_SOLUTION``.
The tests run in a few seconds each on small synthetic images (the test's docstring says
what it checks and at which tolerance).

Examples
--------
>>> from defocus_teach.assignments.grading import describe_tests
>>> name, summary = describe_tests("transform")[0]
>>> name.startswith("test_")
True
"""

from __future__ import annotations

import importlib
import inspect
import os
from types import ModuleType

from .. import ASSIGNMENTS, ENV_VAR

__all__ = ["load_target", "target_name", "describe_tests"]


def _assignment(name: str):
    if name not in ASSIGNMENTS:
        raise ValueError(f"assignment must be one of {sorted(ASSIGNMENTS)}, got {name!r}")
    return ASSIGNMENTS[name]


def target_name(assignment: str) -> str:
    """Import path of the module that the autograder grades for ``assignment``.

    Parameters
    ----------
    assignment : str
        ``"radial"``, ``"transform"`` or ``"defocus"``.

    Returns
    -------
    name : str
        The value of ``DEFOCUS_TEACH_SOLUTION`` if it is set and not empty, else the
        starter module (``defocus_teach.assignments.<module>``).  A package named by the
        variable is resolved by :func:`load_target`.

    Examples
    --------
    >>> target_name("radial")  # with DEFOCUS_TEACH_SOLUTION unset
    'defocus_teach.assignments.radial_kernel'
    """
    spec = _assignment(assignment)
    return os.environ.get(ENV_VAR, "").strip() or spec.starter


def load_target(assignment: str) -> ModuleType:
    """Import the module that holds the implementation to grade.

    Parameters
    ----------
    assignment : str
        ``"radial"``, ``"transform"`` or ``"defocus"``.

    Returns
    -------
    module : module
        The module named by :func:`target_name`; if that is a package, its submodule named
        like the starter (``<package>.radial_kernel`` for ``"radial"``), so that one
        variable can point at the answers to every assignment.

    Examples
    --------
    >>> load_target("defocus").__name__  # with DEFOCUS_TEACH_SOLUTION unset
    'defocus_teach.assignments.defocus_estimator'
    """
    spec = _assignment(assignment)
    name = target_name(assignment)
    module = importlib.import_module(name)
    if hasattr(module, "__path__"):  # a package: use its submodule named like the starter
        module = importlib.import_module(f"{name}.{spec.module}")
    return module


def describe_tests(assignment: str) -> list[tuple[str, str]]:
    """The grading tests of an assignment and the first line of their docstrings.

    Parameters
    ----------
    assignment : str
        ``"radial"``, ``"transform"`` or ``"defocus"``.

    Returns
    -------
    tests : list of (str, str)
        ``(test name, summary)`` in the order of the test module (importing it needs
        pytest).
    """
    module = importlib.import_module(_assignment(assignment).tests)
    tests = [
        (name, inspect.getdoc(function).splitlines()[0] if function.__doc__ else "")
        for name, function in vars(module).items()
        if name.startswith("test_") and inspect.isfunction(function)
    ]
    return sorted(tests, key=lambda item: inspect.getsourcelines(getattr(module, item[0]))[1])

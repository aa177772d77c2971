"""Course assignments that extend the package through its public extension points.

Each assignment replaces one building block of the method of Xu, Liu & Ji [1]_ by the
student's own code, plugged in through a keyword argument of the public API:

=============  ======================  =====================================================
assignment     starter module          extension point
=============  ======================  =====================================================
``radial``     ``radial_kernel``       ``blind_deconvolve(..., kernel_projection=...)``
``transform``  ``tight_frame``         ``deconvolve(..., transform=...)``
``defocus``    ``defocus_estimator``   ``all_in_focus(..., defocus_estimator=...)``
=============  ======================  =====================================================

Every assignment has a chapter of the book (``book/assignment_<name>.md``) that states the
task, the maths and the grading; a starter module in this package whose functions raise
``NotImplementedError`` and whose docstrings give the contract; and autograder tests in
:mod:`defocus_teach.assignments.grading`.

Grading.  One command per assignment::

    python -m defocus_teach.assignments grade radial

runs ``python -m pytest --pyargs defocus_teach.assignments.grading.test_radial`` on the
starter module ``defocus_teach.assignments.radial_kernel``.  To grade code elsewhere, name
its module in the environment variable ``DEFOCUS_TEACH_SOLUTION`` (or pass ``--solution``):
a module is graded as it is, a package through its submodule named like the starter
(``DEFOCUS_TEACH_SOLUTION=my_answers`` grades ``my_answers.radial_kernel``).

Instructors.  ``python -m defocus_teach.assignments.make_student OUTDIR`` writes the student
version of the assignments (starters, grading tests and instructions, no solutions) to OUTDIR;
see :mod:`defocus_teach.assignments.make_student` and the book's page for instructors.

References
----------
.. [1] Xu, G., Liu, C., Ji, H. "Removing out-of-focus blur from a single image."
       arXiv:1808.09166 (2018).

Examples
--------
>>> from defocus_teach.assignments import ASSIGNMENTS
>>> sorted(ASSIGNMENTS)
['defocus', 'radial', 'transform']
>>> ASSIGNMENTS["radial"].starter
'defocus_teach.assignments.radial_kernel'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Assignment", "ASSIGNMENTS", "ENV_VAR"]

#: Environment variable naming the module (or package) that the autograder grades.
ENV_VAR = "DEFOCUS_TEACH_SOLUTION"


@dataclass(frozen=True)
class Assignment:
    """One assignment: where its starter, its tests and its chapter are.

    Attributes
    ----------
    name : str
        Short name used on the command line (``grade NAME``).
    title : str
        Title of the book chapter.
    module : str
        Name of the starter module in this package (and of the student's module).
    tasks : tuple of str
        The functions (``"name"``) or methods (``"Class.name"``) the student writes; in the
        starter each of them only raises ``NotImplementedError``.
    hook : str
        The public keyword argument through which the student's code is plugged in.
    """

    name: str
    title: str
    module: str
    tasks: tuple[str, ...]
    hook: str

    @property
    def starter(self) -> str:
        """Import path of the starter module."""
        return f"{__name__}.{self.module}"

    @property
    def tests(self) -> str:
        """Import path of the autograder's test module."""
        return f"{__name__}.grading.test_{self.name}"

    @property
    def chapter(self) -> str:
        """Path of the book chapter, relative to the repository."""
        return f"book/assignment_{self.name}.md"


ASSIGNMENTS: dict[str, Assignment] = {
    assignment.name: assignment
    for assignment in (
        Assignment(
            name="radial",
            title="Assignment: a radially symmetric kernel",
            module="radial_kernel",
            tasks=("ring_labels", "radial_projection"),
            hook="blind_deconvolve(..., kernel_projection=radial_projection)",
        ),
        Assignment(
            name="transform",
            title="Assignment: a Haar tight frame for the image prior",
            module="tight_frame",
            tasks=("HaarFrame.analysis", "HaarFrame.synthesis"),
            hook="deconvolve(..., transform=HaarFrame())",
        ),
        Assignment(
            name="defocus",
            title="Assignment: your own defocus map",
            module="defocus_estimator",
            tasks=("estimate_blur_map",),
            hook="all_in_focus(..., defocus_estimator=estimate_blur_map)",
        ),
    )
}

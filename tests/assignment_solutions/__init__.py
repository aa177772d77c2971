"""Reference solutions of the assignments in :mod:`defocus_teach.assignments`.

NOT shipped to students: this package lives in ``tests/`` (outside the installed package and
outside the book).  ``tests/test_assignments.py`` runs the autograder against it with
``DEFOCUS_TEACH_SOLUTION=assignment_solutions`` (and ``tests/`` on ``PYTHONPATH``); each
module has the name of its starter module.
"""

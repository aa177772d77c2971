"""Every Examples block in the package's docstrings runs and prints what it claims."""

import doctest
import importlib
import pkgutil

import pytest

import defocus_teach

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(defocus_teach.__path__, prefix="defocus_teach.")
    if info.name.rsplit(".", 1)[-1] != "__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_every_module_is_covered():
    assert "defocus_teach.kernels" in MODULES and len(MODULES) >= 10

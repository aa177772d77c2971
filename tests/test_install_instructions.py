"""Students and instructors are told to install the package from the repository that the book
names, with one command kept in one place: ``make_student.INSTALL_COMMAND``.

The package is not published on PyPI, so ``pip install defocus-teach`` fails; the command
installs it from ``_config.yml``'s ``repository: url:`` with git.  The instructors' page, the
README that ``make_student`` writes and the Colab install cell of every chapter say the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from defocus_teach.assignments import make_student

ROOT = Path(__file__).resolve().parent.parent
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
CHAPTERS = sorted(
    path
    for path in (ROOT / "book").glob("*.md")
    if re.search(r"^jupytext:", path.read_text(encoding="utf-8")[:2000], re.MULTILINE)
)


def test_repository_url_is_the_one_config_names():
    assert make_student.REPOSITORY_URL == CONFIG["repository"]["url"].rstrip("/")


def test_install_command_installs_from_git_with_pytest():
    url = CONFIG["repository"]["url"].rstrip("/")
    assert make_student.INSTALL_COMMAND == f'pip install "defocus-teach @ git+{url}" pytest'


def test_no_instruction_installs_an_unpublished_package():
    assignments = ROOT / "defocus_teach" / "assignments"
    for path in [ROOT / "book" / "instructors.md", *assignments.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"pip install defocus-teach\b", text), path


def test_instructors_page_gives_the_command():
    page = (ROOT / "book" / "instructors.md").read_text(encoding="utf-8")
    assert make_student.INSTALL_COMMAND in page


def test_students_readme_gives_the_command(tmp_path):
    make_student.make_student(tmp_path / "out", ["radial"])
    readme = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert f"`{make_student.INSTALL_COMMAND}`" in readme


@pytest.mark.parametrize("md_path", CHAPTERS, ids=lambda path: path.name)
def test_colab_cell_installs_from_the_repository(md_path):
    text = md_path.read_text(encoding="utf-8")
    specs = re.findall(r'%pip install -q "([^"]+)"', text)
    assert specs == [f"defocus-teach @ git+{make_student.REPOSITORY_URL}"], md_path.name

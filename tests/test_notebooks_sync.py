"""Every chapter's MyST source (book/*.md) and its paired notebook (book/*.ipynb) agree.

The .md file is what authors edit and what the book builds from; the .ipynb is what Binder,
Colab and nbval run.  After editing a chapter, run ``jupytext --sync book/<chapter>.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

BOOK = Path(__file__).resolve().parent.parent / "book"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def has_jupytext_header(md_path: Path) -> bool:
    """True when the YAML front matter of ``md_path`` has a top-level ``jupytext:`` key."""
    match = _FRONT_MATTER.match(md_path.read_text(encoding="utf-8"))
    return bool(match and re.search(r"^jupytext:", match.group(1), re.MULTILINE))


def _cell_summary(cell) -> tuple[str, str, list[str]]:
    return cell.cell_type, cell.source, list(cell.get("metadata", {}).get("tags", []))


def pairing_problems(md_path: Path) -> list[str]:
    """Differences between a MyST notebook and its paired .ipynb, as readable messages.

    Checks that the .ipynb exists, stores no outputs and no execution counts, and has the same
    cells (type, source and tags, in order) as ``jupytext.read(md_path)``.
    """
    ipynb_path = md_path.with_suffix(".ipynb")
    if not ipynb_path.exists():
        return [f"{ipynb_path.name} is missing: run `jupytext --sync {md_path.name}`"]
    problems = []
    notebook = nbformat.read(ipynb_path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} of {ipynb_path.name} has stored outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} of {ipynb_path.name} has an execution count")
    expected = [_cell_summary(cell) for cell in jupytext.read(md_path).cells]
    actual = [_cell_summary(cell) for cell in notebook.cells]
    if len(expected) != len(actual):
        problems.append(
            f"{md_path.name} has {len(expected)} cells but {ipynb_path.name} has {len(actual)}"
        )
    for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if want != got:
            problems.append(f"cell {index} differs: {md_path.name} {want!r} != ipynb {got!r}")
    return problems


CHAPTERS = sorted(path for path in BOOK.glob("*.md") if has_jupytext_header(path))
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


def test_book_has_paired_chapters():
    assert CHAPTERS, "no book/*.md with a jupytext header was found"


@pytest.mark.parametrize("md_path", CHAPTERS, ids=lambda path: path.name)
def test_paired_notebook_matches_markdown_and_has_no_outputs(md_path):
    assert pairing_problems(md_path) == []


@pytest.mark.parametrize("ipynb_path", NOTEBOOKS, ids=lambda path: path.name)
def test_every_notebook_has_a_markdown_source(ipynb_path):
    md_path = ipynb_path.with_suffix(".md")
    assert md_path.exists(), f"{ipynb_path.name} has no {md_path.name}"
    assert has_jupytext_header(md_path), f"{md_path.name} has no jupytext header"


_SAMPLE = """\
---
jupytext:
  formats: ipynb,md:myst
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A chapter

```{code-cell} ipython3
:tags: [remove-cell]

x = 1
```

```{code-cell} ipython3
x + 1
```
"""


@pytest.fixture
def paired_sample(tmp_path):
    md_path = tmp_path / "chapter.md"
    md_path.write_text(_SAMPLE, encoding="utf-8")
    jupytext.write(jupytext.read(md_path), md_path.with_suffix(".ipynb"))
    return md_path


def test_pairing_check_accepts_a_freshly_synced_pair(paired_sample):
    assert has_jupytext_header(paired_sample)
    assert pairing_problems(paired_sample) == []


def test_pairing_check_reports_missing_notebook(paired_sample):
    paired_sample.with_suffix(".ipynb").unlink()
    (problem,) = pairing_problems(paired_sample)
    assert "chapter.ipynb is missing" in problem


def test_pairing_check_reports_edited_source_outputs_and_counts(paired_sample):
    ipynb_path = paired_sample.with_suffix(".ipynb")
    notebook = nbformat.read(ipynb_path, as_version=4)
    code = notebook.cells[2]
    code.source = "x + 2"
    code.execution_count = 3
    code.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "3"})]
    nbformat.write(notebook, ipynb_path)
    problems = pairing_problems(paired_sample)
    assert len(problems) == 3
    assert "has stored outputs" in problems[0]
    assert "has an execution count" in problems[1]
    assert "cell 2 differs" in problems[2]


def test_pairing_check_reports_lost_tag_and_extra_cell(paired_sample):
    ipynb_path = paired_sample.with_suffix(".ipynb")
    notebook = nbformat.read(ipynb_path, as_version=4)
    notebook.cells[1].metadata.pop("tags")
    notebook.cells.append(nbformat.v4.new_markdown_cell("extra"))
    nbformat.write(notebook, ipynb_path)
    problems = pairing_problems(paired_sample)
    assert problems[0] == "chapter.md has 3 cells but chapter.ipynb has 4"
    assert problems[1].startswith("cell 1 differs")
    assert len(problems) == 2


def test_header_detection_ignores_plain_markdown(tmp_path):
    plain = tmp_path / "plain.md"
    plain.write_text("# Title\n\njupytext: not front matter\n", encoding="utf-8")
    assert not has_jupytext_header(plain)

"""The notebooks that Colab and Binder open, ``book/colab/*.ipynb``, read well and run.

They are made from the chapters by ``.ci/make_notebooks.py`` (see its docstring): MyST roles
and directives turned into plain Markdown, solutions collapsed, code cells copied from the
paired notebook.  After editing a chapter: ``jupytext --sync book/<chapter>.md`` and then
``python .ci/make_notebooks.py``.

Checked here: the committed notebooks are what the script makes now; no MyST markup is left
in their Markdown; every solution is collapsed; the code cells are the paired notebook's (so
nbval's run of ``book/<chapter>.ipynb`` shows that they run); one notebook runs end to end,
from its own folder as in Binder; the conversion on a small made-up book; the launch buttons.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "make_notebooks.py"
EXECUTED = "rank"  # the chapter run end to end: one of the cheapest (about 5 s)


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_notebooks", module)
    spec.loader.exec_module(module)
    return module


mn = _load_generator()
CHAPTERS = mn.chapters(ROOT)
REGENERATE = f"run `python {mn.GENERATOR}` (after `jupytext --sync` of the edited chapters)"

# MyST markup that must not reach a Markdown cell: roles, directive fences, targets, comments
_LEFTOVERS = {
    "role": re.compile(r"\{[A-Za-z][\w.:+-]*\}`"),
    "directive": re.compile(r"^ {0,3}(`{3,}|~{3,}|:{3,})\s*\{", re.MULTILINE),
    "colon fence": re.compile(r"^ {0,3}:{3,}", re.MULTILINE),
    "target": re.compile(r"^\s*\([^()\s]+\)=\s*$", re.MULTILINE),
    "substitution": re.compile(r"\{\{[^}]*\}\}"),
}
_HIDDEN = {"jupyter": {"source_hidden": True}, "cellView": "form"}


@pytest.fixture(scope="module")
def generated() -> dict[Path, str]:
    return mn.generate(ROOT)


def _notebook(text: str):
    return nbformat.reads(text, as_version=4)


def _markdown_without_fences(source: str) -> str:
    """Markdown with its fenced code blocks removed (their content is not markup)."""
    return re.sub(r"^ {0,3}(`{3,})[^\n]*\n.*?^ {0,3}\1\s*$", "", source, flags=re.S | re.M)


def test_every_chapter_has_a_notebook_and_nothing_else(generated):
    assert len(CHAPTERS) >= 10
    committed = set((ROOT / mn.OUT_DIR).glob("*.ipynb"))
    assert committed == set(generated), REGENERATE


@pytest.mark.parametrize("md_path", CHAPTERS, ids=lambda path: path.stem)
def test_committed_notebook_is_up_to_date(md_path, generated):
    path = mn.output_path(md_path, ROOT)
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: {REGENERATE}"
    assert path.read_text(encoding="utf-8") == generated[path], (
        f"{path.relative_to(ROOT)} is out of date: {REGENERATE}"
    )


@pytest.mark.parametrize("md_path", CHAPTERS, ids=lambda path: path.stem)
def test_no_myst_markup_in_markdown_cells(md_path, generated):
    notebook = _notebook(generated[mn.output_path(md_path, ROOT)])
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        text = _markdown_without_fences(cell.source)
        text = re.sub(r"(`+).+?\1", "", text, flags=re.S)  # inline code is not markup
        for kind, pattern in _LEFTOVERS.items():
            found += [f"cell {index}: {kind} {m.group(0)!r}" for m in pattern.finditer(text)]
    assert found == []


@pytest.mark.parametrize("md_path", CHAPTERS, ids=lambda path: path.stem)
def test_code_cells_are_the_paired_notebooks(md_path, generated):
    paired = nbformat.read(md_path.with_suffix(".ipynb"), as_version=4)
    notebook = _notebook(generated[mn.output_path(md_path, ROOT)])
    want = [cell for cell in paired.cells if cell.cell_type != "markdown"]
    got = [cell for cell in notebook.cells if cell.cell_type != "markdown"]
    assert [(c.id, c.cell_type, c.source) for c in got] == [
        (c.id, c.cell_type, c.source) for c in want
    ]
    for new, old in zip(got, want, strict=True):
        metadata = {key: value for key, value in new.metadata.items() if key != "cellView"}
        jupyter = {k: v for k, v in metadata.pop("jupyter", {}).items() if k != "source_hidden"}
        if jupyter:
            metadata["jupyter"] = jupyter
        assert metadata == old.metadata, f"cell {new.id}: only solutions' cells may differ"
        if new.cell_type == "code":
            assert new.outputs == [] and new.execution_count is None
    assert "jupytext" not in notebook.metadata
    assert notebook.metadata["kernelspec"] == paired.metadata["kernelspec"]


def _solution_parts(paired) -> tuple[int, list[str], list[str]]:
    """From a paired notebook: the number of solutions, the ids of the code cells inside
    solutions and the beginnings of the paragraphs of their Markdown."""
    count, code_ids, prose = 0, [], []
    inside = False
    for cell in paired.cells:
        if cell.cell_type == "code":
            if inside:
                code_ids.append(cell.id)
            continue
        source = cell.source
        for block in re.split(
            r"(^ {0,3}(?:`{3,}|:{3,})\s*\{solution(?:-start|-end)?\}.*$)", source, flags=re.M
        ):
            if re.match(r"^ {0,3}(`{3,}|:{3,})\s*\{solution(-start)?\}", block):
                count += 1
                inside = True
                continue
            if re.match(r"^ {0,3}(`{3,}|:{3,})\s*\{solution-end\}", block):
                inside = False
                continue
            if inside:
                for paragraph in re.split(r"\n\s*\n", _markdown_without_fences(block)):
                    words = paragraph.strip()
                    if len(words) > 20 and not re.match(r"^(`{3,}|:{3,}|:\w)", words):
                        prose.append(words[:20])
    return count, code_ids, prose


@pytest.mark.parametrize("md_path", CHAPTERS, ids=lambda path: path.stem)
def test_solutions_are_collapsed(md_path, generated):
    paired = nbformat.read(md_path.with_suffix(".ipynb"), as_version=4)
    notebook = _notebook(generated[mn.output_path(md_path, ROOT)])
    count, code_ids, prose = _solution_parts(paired)
    markdown = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    firsts = re.findall(r"Solution to Exercise \d+\b(?!, continued)", markdown)
    assert len(firsts) == count
    for cell in notebook.cells:
        if cell.cell_type == "code":
            hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
            assert hidden == (cell.id in code_ids), f"code cell {cell.id}"
            assert (cell.metadata.get("cellView") == "form") == (cell.id in code_ids)
    outside = re.sub(r"<details>.*?</details>", "", markdown, flags=re.S)
    inside = "".join(re.findall(r"<details>.*?</details>", markdown, flags=re.S))
    for start in prose:
        assert start not in outside, f"solution text outside <details>: {start!r}"
        assert start in inside


def test_one_notebook_runs_from_its_folder():
    nbclient = pytest.importorskip("nbclient")
    path = ROOT / mn.OUT_DIR / f"{EXECUTED}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": path.parent}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # figures were drawn


# ---------------------------------------------------------------------------------------------
# the conversion on a small made-up book

_CONFIG = """\
title: A small book
repository:
  url: https://github.com/someone/small-book
  branch: main
bibtex_bibfiles:
  - book/references.bib
"""
_TOC = """\
format: jb-book
root: book/one
chapters:
  - file: book/two
  - file: api
"""
_BIB = """\
@article{doe2020,
  author = {Doe, Jane and Roe, Richard and Poe, Edgar},
  title = {A title},
  journal = {A Journal},
  year = {2020},
}
@book{solo1999,
  author = {Solo, Han},
  title = {Alone},
  year = {1999},
}
"""
_HEADER = """\
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
"""
_ONE = (
    _HEADER
    + """
# Chapter one

Intro {cite:p}`doe2020`, as {cite:t}`solo1999` says; see {doc}`two` and {ref}`sec-later`.

```{math}
:label: eq-one
a = b
```

(sec-later)=
## Later

Equation {eq}`eq-one`, {eq}`eq-two` of the next page and {numref}`fig-two`; a value
{glue:text}`gain:.2f` dB; the function {py:func}`~pkg.mod.f`. `{doc}` in code stays.

% a comment

:::{note}
Be careful with {math}`x`.
:::

```{code-cell} ipython3
---
mystnb:
  figure:
    caption: A caption with {eq}`eq-one`.
    name: fig-one
---
x = 1
```

```{exercise-start} Try it
:label: ex-one
```

Do something.

```{exercise-end}
```

```{solution-start} ex-one
:class: dropdown
```

```{code-cell} ipython3
y = 2
```

It works.

```{solution-end}
```

After the solution.

$$
g = h
$$ (eq-dollar)

:::{admonition} A title
:class: dropdown
Hidden, see {ref}`the later part <sec-later>`.
:::

See [two](two.md#chapter-two), {numref}`Figure %s <fig-two>` and {eq}`eq-dollar`.
"""
)
_TWO = (
    _HEADER
    + """
# Chapter two

```{math}
:label: eq-two
c = d \\\\ e = f
```

:::{figure} images/pic.png
:name: fig-two
The picture.
:::

```{code-cell} ipython3
z = 3
```
"""
)


@pytest.fixture
def small_book(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "_config.yml").write_text(_CONFIG)
    (tmp_path / "_toc.yml").write_text(_TOC)
    (tmp_path / "book" / "references.bib").write_text(_BIB)
    for name, text in {"one": _ONE, "two": _TWO}.items():
        md_path = tmp_path / "book" / f"{name}.md"
        md_path.write_text(text)
        jupytext.write(jupytext.read(md_path), md_path.with_suffix(".ipynb"))
    (tmp_path / "api.rst").write_text("API\n===\n\n.. automodule:: pkg.mod\n")
    return tmp_path


def test_conversion_of_a_small_book(small_book):
    notebooks = {path.stem: _notebook(text) for path, text in mn.generate(small_book).items()}
    one, two = notebooks["one"], notebooks["two"]
    base = "https://someone.github.io/small-book/book"
    markdown = [cell.source for cell in one.cells if cell.cell_type == "markdown"]
    first = markdown[0]
    assert first.startswith("# Chapter one\n\n> This notebook is the chapter [Chapter one]")
    assert "Intro (Doe et al. 2020), as Solo (1999) says" in first
    assert f"see [Chapter two]({base}/two.html) and [Later]({base}/one.html#sec-later)" in first
    assert "$$\na = b\n\\tag{1}\n$$" in first
    assert "(sec-later)=" not in first and "a comment" not in first
    assert f"Equation (1), [(3)]({base}/two.html#equation-eq-two) of the next page" in first
    assert f"[Fig. 2]({base}/two.html#fig-two)" in first
    assert "a value\n`gain` dB" in first
    assert "`{doc}` in code stays" in first
    assert "> **Note**\n>\n> Be careful with $x$." in first
    code = [cell for cell in one.cells if cell.cell_type == "code"]
    assert [cell.source for cell in code] == ["x = 1", "y = 2"]
    caption = one.cells[one.cells.index(code[0]) + 1]
    assert caption.source == "**Fig. 1:** A caption with (1)."
    assert code[1].metadata["jupyter"] == {"source_hidden": True}
    assert code[1].metadata["cellView"] == "form"
    assert "## Exercise 1 (Try it)" in markdown[2]
    assert "**Solution to Exercise 1 (Try it)**" in markdown[2]
    assert markdown[3].startswith(
        "<details>\n<summary>Solution to Exercise 1, continued</summary>\n\nIt works."
    )
    assert "</details>\n\nAfter the solution.\n\n$$\ng = h\n\\tag{2}\n$$" in markdown[3]
    assert (
        "<details>\n<summary>A title</summary>\n\n"
        f"Hidden, see [the later part]({base}/one.html#sec-later).\n\n</details>"
    ) in markdown[3]
    assert (
        f"See [two]({base}/two.html#chapter-two), [Figure 2]({base}/two.html#fig-two) and (2)."
        in markdown[3]
    )
    assert markdown[-1].startswith("## References\n\n- Doe, J., Roe, R. and Poe, E. (2020).")
    assert "- Solo, H. (1999). *Alone*." in markdown[-1]
    two_md = "\n".join(cell.source for cell in two.cells if cell.cell_type == "markdown")
    assert "\\begin{aligned}\nc = d \\\\ e = f\n\\end{aligned}\n\\tag{3}" in two_md
    raw = "https://raw.githubusercontent.com/someone/small-book/main/book/images/pic.png"
    assert f"![]({raw})\n\n**Fig. 2:** The picture." in two_md
    assert one.metadata["defocus_teach"]["source"] == "book/one.md"


def test_py_role_links_to_the_api_page(small_book):
    book = mn.load_book(small_book)
    converter = mn.Converter(book)
    state = mn.State("book/one", [])
    text = converter.inline("{py:func}`~pkg.mod.f` and {py:class}`other.Thing`", state)
    url = "https://someone.github.io/small-book/api.html#pkg.mod.f"
    assert text == f"[`f()`]({url}) and `other.Thing`"


def test_unknown_markup_is_an_error(small_book):
    md_path = small_book / "book" / "two.md"
    md_path.write_text(md_path.read_text() + "\n{weird}`x`\n")
    jupytext.write(jupytext.read(md_path), md_path.with_suffix(".ipynb"))
    with pytest.raises(ValueError, match=r"the role \{weird\} is not known"):
        mn.generate(small_book)


def test_unsynced_pair_is_an_error(small_book):
    md_path = small_book / "book" / "two.md"
    md_path.write_text(md_path.read_text() + "\nA new paragraph.\n")
    with pytest.raises(ValueError, match="not in sync"):
        mn.generate(small_book)


def test_check_mode_reports_a_stale_notebook(small_book, monkeypatch, capsys):
    monkeypatch.setattr(mn, "ROOT", small_book)
    assert mn.main(["--check"]) == 1
    assert mn.main([]) == 0
    assert mn.main(["--check"]) == 0
    notebook = small_book / mn.OUT_DIR / "one.ipynb"
    data = json.loads(notebook.read_text())
    data["cells"][0]["source"] = "edited by hand"
    notebook.write_text(json.dumps(data))
    assert mn.main(["--check"]) == 1
    assert "out of date: book/colab/one.ipynb" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# the launch buttons


def _context(pagename: str) -> dict:
    binder = "https://mybinder.org/v2/gh/o/r/main?urlpath=tree/"
    colab = "https://colab.research.google.com/github/o/r/blob/main/"
    return {
        "header_buttons": [
            {"label": "download-buttons", "buttons": [{"url": f"_sources/{pagename}.ipynb"}]},
            {
                "label": "launch-buttons",
                "buttons": [
                    {"text": "Binder", "url": f"{binder}{pagename}.ipynb"},
                    {"text": "Colab", "url": f"{colab}{pagename}.ipynb"},
                ],
            },
        ]
    }


def _app(srcdir: Path):
    return SimpleNamespace(
        srcdir=str(srcdir),
        env=SimpleNamespace(doc2path=lambda name: str(srcdir / f"{name}.md")),
        config=SimpleNamespace(html_theme_options={"path_to_docs": ""}),
    )


def test_launch_buttons_open_the_colab_notebook():
    context = _context("book/rank")
    mn.retarget_launch_buttons(_app(ROOT), "book/rank", "page.html", context, None)
    download, launch = context["header_buttons"]
    assert download["buttons"][0]["url"] == "_sources/book/rank.ipynb"
    assert [button["url"] for button in launch["buttons"]] == [
        "https://mybinder.org/v2/gh/o/r/main?urlpath=tree/book/colab/rank.ipynb",
        "https://colab.research.google.com/github/o/r/blob/main/book/colab/rank.ipynb",
    ]


def test_launch_buttons_warn_without_a_colab_notebook(tmp_path, monkeypatch):
    warnings = []
    logger = SimpleNamespace(warning=lambda message, **kwargs: warnings.append(message))
    monkeypatch.setattr("sphinx.util.logging.getLogger", lambda name: logger)
    context = _context("book/new")
    mn.retarget_launch_buttons(_app(tmp_path), "book/new", "page.html", context, None)
    assert warnings and "book/colab/new.ipynb is missing" in warnings[0]
    assert context["header_buttons"][1]["buttons"][0]["url"].endswith("tree/book/new.ipynb")

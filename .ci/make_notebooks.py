#!/usr/bin/env python3
"""Make the notebooks that Colab and Binder open: the chapters in plain Jupyter Markdown.

Usage (from the repository root)::

    python .ci/make_notebooks.py            # (re)write book/colab/<chapter>.ipynb
    python .ci/make_notebooks.py --check    # exit 1 if a committed notebook is out of date

Why
---
A chapter is a MyST notebook, ``book/<chapter>.md``, paired by jupytext with
``book/<chapter>.ipynb``; the pair is what the book builds and what ``pytest --nbval-lax``
runs.  Jupyter and Colab render the paired notebook's Markdown as CommonMark, so a reader
there sees the MyST markup raw (``{cite:p}``, ``{doc}``, ``{eq}``, exercise and solution
fences, ``(label)=`` targets) and the solutions in plain sight.  This script writes, for every
chapter, ``book/colab/<chapter>.ipynb``:

* **code cells** copied from the paired notebook unchanged (id, source, tags, metadata), so
  nbval's run of the paired notebook also proves that these run; the only addition is, for a
  code cell of a solution, the metadata that collapses its source (``jupyter.source_hidden``
  for JupyterLab and Notebook 7, ``cellView: form`` for Colab);
* **Markdown cells** converted:

  - ``{cite:p}`` / ``{cite:t}`` become "(Xu et al. 2018)" / "Xu et al. (2018)", from
    ``book/references.bib``, and a "References" list ends the notebook;
  - ``{doc}``, ``{ref}``, ``{numref}``, ``{eq}``, ``{py:func}`` (and the other ``py`` roles)
    become links to the published book (the URL is derived from ``_config.yml``'s repository:
    ``https://<owner>.github.io/<repo>/<docname>.html``), with the numbers the book gives
    (equations, figures, tables and exercises are numbered through the whole book in the
    order of ``_toc.yml``, as Sphinx does); an ``{eq}`` or ``{numref}`` to something on the
    same page is the plain number;
  - ``{glue}`` roles (numbers from the run) become the glued name in code font: the code
    cells compute it;
  - ``{math}`` blocks become ``$$ ... \\tag{N} $$``; figures become images (from
    raw.githubusercontent.com) with "Fig. N" captions; a code cell with a myst-nb figure
    caption is followed by a Markdown cell with that caption;
  - exercises become headings "Exercise N (title)"; solutions are collapsed in
    ``<details><summary>Solution to Exercise N ...</summary>``; admonitions become
    blockquotes; ``eval-rst`` autodoc blocks become a link to the documentation;
  - ``(label)=`` targets and ``%`` comments are dropped.

  A role or directive that the script does not know is an error, so that a new one is
  noticed (add it here).

* a short note under the chapter's title with the link to the page of the book.

The notebooks carry no outputs and no jupytext metadata (they are not paired).  They live in
``book/colab/``: Sphinx does not read them (``exclude_patterns``) and pytest does not collect
them (``conftest.py`` collects the notebooks directly in ``book/`` only).
``tests/test_colab_notebooks.py`` regenerates them in memory and compares, checks that no
MyST markup is left and that the solutions are collapsed, and runs one of them.

The launch buttons
------------------
This file is also a Sphinx extension (``sphinx: local_extensions`` in ``_config.yml``):
sphinx-book-theme points its Binder and Colab buttons at ``book/<chapter>.ipynb``, the paired
notebook; :func:`retarget_launch_buttons` points them at ``book/colab/<chapter>.ipynb``
instead, and warns (so ``jupyter-book build -W`` fails) when that notebook is missing.

After editing a chapter: ``jupytext --sync book/<chapter>.md``, then this script.
"""

from __future__ import annotations

import argparse
import copy
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = "book/colab"  # relative to the repository root
GENERATOR = ".ci/make_notebooks.py"

# ---------------------------------------------------------------------------------------------
# the book: configuration, table of contents, bibliography


@dataclass
class Book:
    """What the conversion needs to know about the whole book."""

    root: Path
    title: str
    repository: str  # https://github.com/<owner>/<repo>
    branch: str
    base_url: str  # the published book, ending with "/"
    docs: list[str]  # docnames in the order of _toc.yml ("book/intro", ...)
    bib: dict[str, dict]
    index: Index = None  # type: ignore[assignment]

    @property
    def owner_repo(self) -> str:
        return self.repository.removeprefix("https://github.com/").strip("/")

    def page_url(self, docname: str, anchor: str = "") -> str:
        return f"{self.base_url}{docname}.html" + (f"#{anchor}" if anchor else "")

    def raw_url(self, path: str) -> str:
        return f"https://raw.githubusercontent.com/{self.owner_repo}/{self.branch}/{path}"

    def blob_url(self, path: str) -> str:
        return f"{self.repository}/blob/{self.branch}/{path}"


def pages_url(repository: str) -> str:
    """The GitHub Pages address of a GitHub repository, ending with "/".

    >>> pages_url("https://github.com/defocus-teach/defocus-teach")
    'https://defocus-teach.github.io/defocus-teach/'
    >>> pages_url("https://github.com/someone/someone.github.io")
    'https://someone.github.io/'
    """
    owner, repo = repository.removeprefix("https://github.com/").strip("/").split("/")[:2]
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if repo.lower() == host else f"https://{host}/{repo}/"


def _toc_docs(toc: dict) -> list[str]:
    docs = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                docs.append(entry["file"])
            walk(entry.get("sections"))
            for part in entry.get("parts", []):
                walk(part.get("chapters"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [posixpath.splitext(doc)[0] for doc in docs]


def _plain_latex(text: str) -> str:
    """BibTeX text without braces and the simplest accents."""
    try:
        import latexcodec  # noqa: F401  (registers the "ulatex" codec; pybtex needs it)

        text = text.encode("utf-8").decode("ulatex")
    except Exception:
        pass
    return re.sub(r"[{}]", "", text).strip()


def read_bib(path: Path) -> dict[str, dict]:
    """Entries of a .bib file: key -> {"authors": [last names], "year", "title", ...}."""
    if not path.exists():
        return {}
    from pybtex.database import parse_file

    entries = {}
    for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        fields = {name.lower(): _plain_latex(value) for name, value in entry.fields.items()}
        entries[key] = {
            "authors": [_plain_latex(" ".join(p.last_names)) for p in people],
            "full_authors": [
                _plain_latex(" ".join(p.last_names))
                + (", " + " ".join(f"{n[0]}." for n in p.first_names + p.middle_names if n))
                for p in people
            ],
            "type": entry.type,
            **fields,
        }
    return entries


def load_book(root: Path = ROOT) -> Book:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    repository = config["repository"]["url"].rstrip("/")
    base_url = (config.get("html") or {}).get("baseurl") or pages_url(repository)
    bib: dict[str, dict] = {}
    for bibfile in config.get("bibtex_bibfiles", []):
        bib.update(read_bib(root / bibfile))
    book = Book(
        root=root,
        title=str(config.get("title", "")),
        repository=repository,
        branch=config["repository"].get("branch", "main"),
        base_url=base_url.rstrip("/") + "/",
        docs=_toc_docs(toc),
        bib=bib,
    )
    book.index = build_index(book)
    return book


def chapters(root: Path = ROOT) -> list[Path]:
    """The MyST notebooks of the book: ``book/*.md`` with a jupytext header."""
    front = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
    found = []
    for path in sorted((root / "book").glob("*.md")):
        match = front.match(path.read_text(encoding="utf-8"))
        if match and re.search(r"^jupytext:", match.group(1), re.MULTILINE):
            found.append(path)
    return found


def output_path(md_path: Path, root: Path = ROOT) -> Path:
    return root / OUT_DIR / md_path.with_suffix(".ipynb").name


# ---------------------------------------------------------------------------------------------
# Markdown blocks: text and fenced directives

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE_INFO = re.compile(r"^\s*\{(?P<name>[A-Za-z][\w:.-]*)\}\s*(?P<arg>.*?)\s*$")


@dataclass
class Block:
    kind: str  # "text", "code" (a plain fenced code block) or "directive"
    text: str = ""  # text, or the whole fenced block for "code"
    name: str = ""
    argument: str = ""
    options: dict = field(default_factory=dict)
    body: str = ""


def split_blocks(text: str) -> list[Block]:
    """Split Markdown into text, fenced code blocks and directives (bodies unparsed)."""
    lines = text.split("\n")
    blocks: list[Block] = []
    buffer: list[str] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            buffer.append(lines[i])
            i += 1
            continue
        fence = match.group("fence")
        char, size = fence[0], len(fence)
        closing = re.compile(rf"^ {{0,3}}{re.escape(char)}{{{size},}}\s*$")
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            j += 1
        inner = lines[i + 1 : j]
        if buffer:
            blocks.append(Block("text", "\n".join(buffer)))
            buffer = []
        directive = _DIRECTIVE_INFO.match(match.group("info"))
        if directive is None or (char == "~"):
            if char == ":":  # a colon fence is always a directive
                raise ValueError(f"colon fence without a directive name: {lines[i]!r}")
            blocks.append(Block("code", "\n".join(lines[i : j + 1])))
        else:
            options, body = _options(inner)
            blocks.append(
                Block(
                    "directive",
                    name=directive.group("name"),
                    argument=directive.group("arg"),
                    options=options,
                    body=body,
                )
            )
        i = j + 1
    if buffer:
        blocks.append(Block("text", "\n".join(buffer)))
    return blocks


def _options(lines: list[str]) -> tuple[dict, str]:
    """A directive's options (``:key: value`` lines or a ``---`` YAML block) and its body."""
    options: dict = {}
    if lines and lines[0].strip() == "---":
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
        if end is not None:
            options = yaml.safe_load("\n".join(lines[1:end])) or {}
            return options, "\n".join(lines[end + 1 :]).strip("\n")
    k = 0
    while k < len(lines):
        match = re.match(r"^\s*:([\w-]+):\s*(.*?)\s*$", lines[k])
        if not match:
            break
        options[match.group(1)] = match.group(2)
        k += 1
    return options, "\n".join(lines[k:]).strip("\n")


# ---------------------------------------------------------------------------------------------
# the index of the whole book: titles, labels and numbers

_TARGET = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
_DOLLAR_LABEL = re.compile(r"^\s*\$\$\s*\((?P<label>[^()\s]+)\)\s*$")
_ADMONITIONS = {
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
}
_BOXES = {"margin", "sidebar", "aside", "epigraph", "pull-quote", "topic", "admonition"}
GATED = {"exercise-start", "exercise-end", "solution-start", "solution-end"}
_FIGTYPES = {"figure": "Fig.", "table": "Table", "exercise": "Exercise", "code": "Listing"}


@dataclass
class Target:
    docname: str
    anchor: str
    kind: str  # "section", "equation", "figure", "table", "exercise", "code"
    title: str = ""
    number: int | None = None


@dataclass
class Index:
    titles: dict[str, str] = field(default_factory=dict)  # docname -> title
    labels: dict[str, Target] = field(default_factory=dict)
    # per docname, the numbered things in order: (kind, label or "", number)
    numbered: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    autodoc: dict[str, str] = field(default_factory=dict)  # object name -> docname
    automodules: dict[str, str] = field(default_factory=dict)  # module -> docname


def _doc_source(book: Book, docname: str) -> Path | None:
    for suffix in (".md", ".ipynb", ".rst"):
        path = book.root / f"{docname}{suffix}"
        if path.exists():
            return path
    return None


def _doc_cells(path: Path) -> list[dict]:
    """The cells of a chapter: the paired notebook's, or one Markdown cell for a plain page."""
    paired = path.with_suffix(".ipynb")
    if path.suffix == ".md" and paired.exists():
        return nbformat.read(paired, as_version=4).cells
    if path.suffix == ".ipynb":
        return nbformat.read(path, as_version=4).cells
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\A---\s*\n.*?\n---\s*\n", "", text, flags=re.DOTALL)
    return [nbformat.v4.new_markdown_cell(text)]


def build_index(book: Book) -> Index:
    """Number equations, figures, tables and exercises through the book, in toc order."""
    index = Index()
    counters = dict.fromkeys(("equation", "figure", "table", "exercise", "code"), 0)

    for docname in book.docs:
        path = _doc_source(book, docname)
        numbered: list[tuple[str, str, int]] = []
        index.numbered[docname] = numbered
        if path is None:
            continue

        def number(kind: str, label: str, title: str = "", *, doc=docname, seq=numbered) -> None:
            counters[kind] += 1
            seq.append((kind, label, counters[kind]))
            if label:
                anchor = f"equation-{label}" if kind == "equation" else label
                index.labels[label] = Target(doc, anchor, kind, title, counters[kind])

        if path.suffix == ".rst":
            _index_rst(index, docname, path.read_text(encoding="utf-8"))
            continue
        pending: list[str] = []

        def register_pending(*, doc=docname, pending=pending) -> None:
            """Targets before a paragraph or a directive: a {ref} to them needs a text."""
            for label in pending:
                index.labels.setdefault(label, Target(doc, label, "section"))
            pending.clear()

        def scan(
            text: str,
            *,
            doc=docname,
            pending=pending,
            number=number,
            register_pending=register_pending,
        ) -> None:
            for block in split_blocks(text):
                if block.kind == "text":
                    lines = block.text.split("\n")
                    for k, line in enumerate(lines):
                        if target := _TARGET.match(line):
                            pending.append(target.group("label"))
                        elif heading := _HEADING.match(line):
                            title = heading.group("title")
                            if doc not in index.titles:
                                index.titles[doc] = _strip_inline(title)
                            for label in pending:
                                index.labels[label] = Target(
                                    doc, label, "section", _strip_inline(title)
                                )
                            pending.clear()
                        elif line.strip():
                            register_pending()
                        if _DOLLAR_LABEL.match(line) and k > 0:
                            number("equation", _DOLLAR_LABEL.match(line).group("label"))
                    continue
                register_pending()
                if block.kind == "code":
                    continue
                name, options = block.name, block.options
                label = str(options.get("label") or options.get("name") or "")
                if name in {"math", "glue:math"} and options.get("label"):
                    number("equation", label)
                elif name in {"figure", "glue:figure"} and block.body.strip() and label:
                    number("figure", label, _strip_inline(block.body.split("\n\n")[0]))
                elif name in {"table", "list-table", "csv-table"} and block.argument and label:
                    number("table", label, _strip_inline(block.argument))
                elif name in {"exercise", "exercise-start"} and "nonumber" not in options:
                    number("exercise", label, _strip_inline(block.argument))
                elif name in {"code-block", "code"} and options.get("caption") and label:
                    number("code", label, options["caption"])
                elif name == "eval-rst":
                    _index_rst(index, doc, block.body)
                if block.body and name not in {"math", "eval-rst", "code-block", "code"}:
                    scan(block.body)

        for cell in _doc_cells(path):
            if cell.cell_type == "markdown":
                scan(cell.source)
            elif cell.cell_type == "code":
                register_pending()
                figure = (cell.metadata.get("mystnb") or {}).get("figure") or {}
                if figure.get("caption") and figure.get("name"):
                    number("figure", figure["name"], _strip_inline(figure["caption"]))
        index.titles.setdefault(docname, posixpath.basename(docname))
    return index


def _index_rst(index: Index, docname: str, text: str) -> None:
    for match in re.finditer(r"^\s*\.\. auto(\w+)::\s*(\S+)", text, re.MULTILINE):
        kind, name = match.groups()
        if kind == "module":
            index.automodules.setdefault(name, docname)
        else:
            index.autodoc.setdefault(name, docname)
    if docname not in index.titles:
        lines = text.strip().split("\n")
        if len(lines) > 1 and re.fullmatch(r"[=#*~-]{3,}", lines[1].strip()):
            index.titles[docname] = lines[0].strip()


def _strip_inline(text: str) -> str:
    """A title or caption as plain text: roles reduced to their text, one line."""
    text = re.sub(r"\{[\w:.-]+\}`([^`<]*?)\s*(<[^`>]*>)?`", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------------------------------------
# the conversion of one chapter


@dataclass
class State:
    """Where the conversion is in a chapter (it spans cells: gated exercises, solutions)."""

    docname: str
    numbered: list[tuple[str, str, int]]
    counts: dict[str, int] = field(default_factory=dict)
    heading_level: int = 1
    solution: dict | None = None  # {"label", "title", "parts"}
    exercises: dict[str, tuple[int | None, str]] = field(default_factory=dict)
    cited: list[str] = field(default_factory=list)
    has_bibliography: bool = False

    def next_number(self, kind: str, label: str = "") -> int | None:
        """The number of the next numbered ``kind`` of this page (as the index counted)."""
        seen = self.counts.get(kind, 0)
        of_kind = [entry for entry in self.numbered if entry[0] == kind]
        if seen < len(of_kind):
            self.counts[kind] = seen + 1
            return of_kind[seen][2]
        return None


class Converter:
    def __init__(self, book: Book):
        self.book = book

    # -- inline -------------------------------------------------------------------------------

    _INLINE = re.compile(
        r"(?P<role>\{(?P<name>[A-Za-z][\w.:+-]*)\}(?P<t1>`+)(?P<content>.+?)(?P=t1))"
        r"|(?P<code>(?P<t2>`+).+?(?P=t2))"
        r"|(?P<link>(?P<bang>!?)\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\((?P<target>[^()\s]*)"
        r"(?P<title>\s+\"[^\"]*\")?\))",
        re.DOTALL,
    )

    def inline(self, text: str, state: State) -> str:
        def replace(match: re.Match) -> str:
            if match.group("role"):
                return self.role(match.group("name"), match.group("content"), state)
            if match.group("code"):
                return match.group(0)
            return self.link(match, state)

        return self._INLINE.sub(replace, text)

    @staticmethod
    def _title_target(content: str) -> tuple[str, str]:
        match = re.fullmatch(r"(?P<title>.*?)\s*<(?P<target>[^<>]+)>", content.strip(), re.DOTALL)
        if match and match.group("title"):
            return re.sub(r"\s+", " ", match.group("title")), match.group("target").strip()
        target = match.group("target").strip() if match else content.strip()
        return "", target

    def _docname(self, target: str, state: State) -> str:
        target = posixpath.splitext(target)[0] if target.endswith((".md", ".ipynb")) else target
        if target.startswith("/"):
            return posixpath.normpath(target.lstrip("/"))
        return posixpath.normpath(posixpath.join(posixpath.dirname(state.docname), target))

    def _number_text(self, target: Target) -> str:
        if target.kind == "equation":
            return f"({target.number})"
        return f"{_FIGTYPES[target.kind]} {target.number}"

    def _label(self, label: str, role: str, state: State) -> Target:
        target = self.book.index.labels.get(label)
        if target is None:
            raise ValueError(f"{state.docname}: {{{role}}} to an unknown label {label!r}")
        return target

    def role(self, name: str, content: str, state: State) -> str:
        book = self.book
        if name in {"cite", "cite:p", "cite:ps", "cite:t", "cite:ts", "cite:alp", "cite:alt"}:
            keys = [key.strip() for key in content.split(",") if key.strip()]
            for key in keys:
                if key not in book.bib:
                    raise ValueError(f"{state.docname}: unknown citation key {key!r}")
                if key not in state.cited:
                    state.cited.append(key)
            if name in {"cite:t", "cite:ts", "cite:alt"}:
                return "; ".join(
                    f"{_authors(book.bib[key])} ({book.bib[key].get('year', 'n.d.')})"
                    for key in keys
                )
            text = "; ".join(
                f"{_authors(book.bib[key])} {book.bib[key].get('year', 'n.d.')}" for key in keys
            )
            return text if name == "cite:alp" else f"({text})"
        if name in {"cite:year", "cite:yearpar", "cite:author", "cite:authorpar"}:
            keys = [key.strip() for key in content.split(",")]
            state.cited.extend(key for key in keys if key not in state.cited)
            field_ = "year" if "year" in name else None
            items = [
                book.bib[key].get("year", "") if field_ else _authors(book.bib[key])
                for key in keys
            ]
            text = "; ".join(items)
            return f"({text})" if name.endswith("par") else text
        if name == "doc":
            title, target = self._title_target(content)
            docname = self._docname(target, state)
            if docname not in book.index.titles:
                raise ValueError(f"{state.docname}: {{doc}} to an unknown page {target!r}")
            return f"[{_escape(title or book.index.titles[docname])}]({book.page_url(docname)})"
        if name in {"ref", "numref", "eq"}:
            title, label = self._title_target(content)
            target = self._label(label, name, state)
            number = self._number_text(target) if target.number is not None else ""
            if name == "ref":
                text = title or (number if target.kind != "section" else target.title)
                text = text or target.title or label
            elif name == "numref":
                if not number:
                    raise ValueError(f"{state.docname}: {{numref}} to an unnumbered {label!r}")
                text = number
                if title:
                    text = title.replace("%s", str(target.number))
                    text = text.replace("{number}", str(target.number))
                    text = text.replace("{name}", target.title)
            else:  # eq
                if target.kind != "equation":
                    raise ValueError(f"{state.docname}: {{eq}} to {label!r}, not an equation")
                text = title or number
            if target.docname == state.docname and name in {"eq", "numref"}:
                return text
            return f"[{_escape(text)}]({book.page_url(target.docname, target.anchor)})"
        if name.startswith("py:") or name in {"func", "class", "meth", "mod", "attr", "obj"}:
            kind = name.split(":")[-1]
            title, target = self._title_target(content)
            short = target.lstrip("~.")
            display = title or (short.rsplit(".", 1)[-1] if target.startswith("~") else short)
            if kind in {"func", "meth"} and not title:
                display += "()"
            url = self._api_url(short, kind)
            code = f"`{display}`"
            return f"[{code}]({url})" if url else code
        if name == "math":
            return f"${content}$"
        if name.startswith("glue"):
            key = content.split(":", 1)[0].strip() if name != "glue:math" else content.strip()
            return f"`{key}`"
        if name in {"sub", "sup", "kbd", "abbr"}:
            if name == "abbr":
                return re.sub(r"\s*\(.*\)\s*$", "", content)
            return f"<{name}>{content}</{name}>"
        if name in {"term", "index"}:
            return self._title_target(content)[0] or self._title_target(content)[1]
        if name == "download":
            title, target = self._title_target(content)
            path = posixpath.normpath(posixpath.join(posixpath.dirname(state.docname), target))
            return f"[{_escape(title or posixpath.basename(target))}]({book.blob_url(path)})"
        raise ValueError(
            f"{state.docname}: the role {{{name}}} is not known to {GENERATOR}: add it there"
        )

    def _api_url(self, name: str, kind: str) -> str:
        index = self.book.index
        anchor = f"module-{name}" if kind == "mod" else name
        if name in index.autodoc:
            return self.book.page_url(index.autodoc[name], anchor)
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if prefix in index.autodoc:  # a method of a documented class
                return self.book.page_url(index.autodoc[prefix], anchor)
            if prefix in index.automodules and (end < len(parts) or kind == "mod"):
                return self.book.page_url(index.automodules[prefix], anchor)
        return ""

    def link(self, match: re.Match, state: State) -> str:
        bang, text, target = match.group("bang"), match.group("text"), match.group("target")
        title = match.group("title") or ""
        text = self.inline(text, state) if not bang else text
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
            return f"{bang}[{text}]({target}{title})"
        path, _, anchor = target.partition("#")
        here = posixpath.dirname(state.docname)
        if not path:
            url = self.book.page_url(state.docname, anchor)
        else:
            resolved = posixpath.normpath(posixpath.join(here, path))
            stem, suffix = posixpath.splitext(resolved)
            if bang:
                url = self.book.raw_url(resolved)
            elif suffix in {".md", ".ipynb", ".rst", ""} and stem in self.book.index.titles:
                url = self.book.page_url(stem, anchor)
                if not text:
                    text = _escape(self.book.index.titles[stem])
            else:
                url = self.book.blob_url(resolved) + (f"#{anchor}" if anchor else "")
        return f"{bang}[{text}]({url}{title})"

    # -- blocks -------------------------------------------------------------------------------

    def markdown(self, text: str, state: State, top: bool = False) -> str:
        """Convert Markdown: a cell (``top``) or a directive's body.

        In a cell, gated exercises and solutions (``exercise-start`` ... ``solution-end``)
        update ``state``, which carries them over to the next cells.
        """
        parts: list[str] = []
        solution_text: list[str] = []

        def emit(chunk: str) -> None:
            in_solution = top and state.solution is not None
            (solution_text if in_solution else parts).append(chunk)

        for block in split_blocks(text):
            if block.kind == "text":
                emit(self.text(block.text, state))
            elif block.kind == "code":
                emit(block.text)
            elif block.name in GATED and not top:
                raise ValueError(f"{state.docname}: {{{block.name}}} inside another directive")
            elif block.name == "solution-start":
                state.solution = self._solution(block, state)
            elif block.name == "solution-end":
                if state.solution is None:
                    raise ValueError(f"{state.docname}: solution-end without solution-start")
                if "".join(solution_text).strip():
                    parts.append(self._details(state, "\n\n".join(solution_text)))
                solution_text = []
                state.solution = None
            elif block.name == "exercise-end":
                pass
            else:
                emit(self.directive(block, state))
        if state.solution is not None and top:
            if "".join(solution_text).strip():
                parts.append(self._details(state, "\n\n".join(solution_text)))
            elif not state.solution["parts"]:
                parts.append(
                    f"**{self._solution_summary(state)}**: in the collapsed code below (expand "
                    "the hidden cells to see it)."
                )
                state.solution["parts"] += 1
        return _tidy("\n\n".join(part.strip("\n") for part in parts if part.strip()))

    def text(self, text: str, state: State) -> str:
        out = []
        for line in text.split("\n"):
            if _TARGET.match(line) or re.match(r"^\s*%", line):
                continue
            if heading := _HEADING.match(line):
                state.heading_level = len(heading.group("hashes"))
            if _DOLLAR_LABEL.match(line):
                number = state.next_number("equation")
                out.append(f"\\tag{{{number}}}" if number is not None else "")
                out.append("$$")
                continue
            out.append(line)
        return self.inline("\n".join(out), state)

    def _solution(self, block: Block, state: State) -> dict:
        label = block.argument.strip()
        return {"label": label, "parts": 0}

    def _solution_summary(self, state: State) -> str:
        label = state.solution["label"]
        number, title = state.exercises.get(label, (None, ""))
        if number is None and label in self.book.index.labels:
            target = self.book.index.labels[label]
            number, title = target.number, target.title
        text = f"Solution to Exercise {number}" if number is not None else "Solution"
        if state.solution["parts"]:
            return text + ", continued"
        return text + (f" ({title})" if title else "")

    def _details(self, state: State, body: str) -> str:
        summary = self._solution_summary(state)
        state.solution["parts"] += 1
        return f"<details>\n<summary>{summary}</summary>\n\n{body.strip()}\n\n</details>"

    def directive(self, block: Block, state: State) -> str:
        name, options = block.name, block.options
        label = str(options.get("label") or options.get("name") or "")
        if name == "math":
            return self.math(block.body, label, state, nowrap="nowrap" in options)
        if name in {"exercise", "exercise-start"}:
            number = None if "nonumber" in options else state.next_number("exercise")
            title = self.inline(block.argument, state)
            if label:
                state.exercises[label] = (number, _strip_inline(block.argument))
            level = min(state.heading_level + 1, 6)
            heading = "Exercise" + (f" {number}" if number is not None else "")
            heading += f" ({title})" if title else ""
            body = self.markdown(block.body, state) if name == "exercise" else ""
            return f"{'#' * level} {heading}" + (f"\n\n{body}" if body else "")
        if name == "solution":
            saved = state.solution
            state.solution = {"label": block.argument.strip(), "parts": 0}
            text = self._details(state, self.markdown(block.body, state))
            state.solution = saved
            return text
        if name in {"figure", "glue:figure"}:
            number = state.next_number("figure") if block.body.strip() and label else None
            caption = self.inline(block.body, state).strip()
            if name == "figure":
                image = self._image(block.argument, options.get("alt", ""), state)
            else:
                image = (
                    f"*(The figure is the output of the code cell that glues `{block.argument}`.)*"
                )
            if not caption:
                return image
            prefix = f"**Fig. {number}:** " if number is not None else ""
            return f"{image}\n\n{prefix}{caption}"
        if name in {"image"}:
            return self._image(block.argument, options.get("alt", ""), state)
        if name in {"table", "list-table", "csv-table"}:
            number = state.next_number("table") if block.argument and label else None
            caption = self.inline(block.argument, state)
            body = (
                self._list_table(block.body, options, state)
                if name == "list-table"
                else self.markdown(block.body, state)
                if name == "table"
                else None
            )
            if body is None:
                raise ValueError(f"{state.docname}: {{csv-table}} is not supported")
            prefix = f"**Table {number}:** " if number is not None else ""
            return (f"{prefix}{caption}\n\n" if caption else "") + body
        if name in _ADMONITIONS or name in _BOXES:
            title = _ADMONITIONS.get(name) or ""
            if name in {"admonition", "topic", "sidebar"} or (name in _BOXES and block.argument):
                title = block.argument
            elif block.argument:  # e.g. {note} with content on the first line
                block.body = block.argument + "\n" + block.body
            body = self.markdown(block.body, state)
            title = self.inline(title, state)
            if "dropdown" in str(options.get("class", "")):
                return f"<details>\n<summary>{title}</summary>\n\n{body}\n\n</details>"
            return _blockquote((f"**{title}**\n\n" if title else "") + body)
        if name == "dropdown":
            body = self.markdown(block.body, state)
            title = self.inline(block.argument, state) or "Details"
            return f"<details>\n<summary>{title}</summary>\n\n{body}\n\n</details>"
        if name in {"code-block", "code", "sourcecode"}:
            return f"```{block.argument}\n{block.body}\n```"
        if name == "eval-rst":
            return self.eval_rst(block.body, state)
        if name == "bibliography":
            state.has_bibliography = True
            keys = list(dict.fromkeys(state.cited + self._all_cited()))
            return self.references(keys)
        if name in {"raw"} and block.argument.strip() == "html":
            return block.body
        if name in {"only"}:
            return self.markdown(block.body, state) if "html" in block.argument else ""
        if name in {"index", "tableofcontents", "toctree"}:
            return ""
        if name == "glue:math":
            number = state.next_number("equation") if label else None
            where = f"Equation ({number}) is" if number is not None else "An equation is"
            return f"*{where} computed by the code cells: `{block.argument}`.*"
        if name in {"glue", "glue:any", "glue:md"}:
            return f"*(computed by the code cells: `{block.argument}`)*"
        raise ValueError(
            f"{state.docname}: the directive {{{name}}} is not known to {GENERATOR}: add it there"
        )

    def math(self, body: str, label: str, state: State, nowrap: bool = False) -> str:
        """Display math as ``$$ ... $$``, wrapped like Sphinx's MathJax output."""
        if nowrap:
            return f"$$\n{body.strip()}\n$$"
        parts = [part.strip() for part in body.split("\n\n") if part.strip()]
        wrapped = [
            f"\\begin{{aligned}}\n{part}\n\\end{{aligned}}" if "\\\\" in part else part
            for part in parts
        ]
        tex = (
            wrapped[0]
            if len(wrapped) == 1
            else ("\\begin{aligned}\n" + " \\\\\n".join(wrapped) + "\n\\end{aligned}")
        )
        number = state.next_number("equation") if label else None
        tag = f"\n\\tag{{{number}}}" if number is not None else ""
        return f"$$\n{tex}{tag}\n$$"

    def _image(self, path: str, alt: str, state: State) -> str:
        if not re.match(r"^[a-z][a-z0-9+.-]*:", path):
            path = self.book.raw_url(
                posixpath.normpath(posixpath.join(posixpath.dirname(state.docname), path))
            )
        return f"![{alt}]({path})"

    def _list_table(self, body: str, options: dict, state: State) -> str:
        rows: list[list[str]] = []
        for line in body.split("\n"):
            if re.match(r"^\*\s+-", line):
                rows.append([line.split("-", 1)[1].strip()])
            elif re.match(r"^\s+-\s", line) and rows:
                rows[-1].append(line.strip()[1:].strip())
            elif line.strip() and rows:
                rows[-1][-1] += " " + line.strip()
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        rows = [
            [self.inline(cell, state) for cell in row] + [""] * (width - len(row)) for row in rows
        ]
        header_rows = int(options.get("header-rows", 0) or 0)
        header = rows[0] if header_rows else [""] * width
        lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1 if header_rows else 0 :]]
        return "\n".join(lines)

    def eval_rst(self, body: str, state: State) -> str:
        names = re.findall(r"^\s*\.\. auto\w+::\s*(\S+)", body, re.MULTILINE)
        if not names:
            url = self.book.page_url(state.docname)
            return _blockquote(
                f"This part of the chapter is written for the book: [read it there]({url})."
            )
        lines = []
        for name in names:
            short = name.rsplit(".", 1)[-1]
            url = self.book.page_url(self.book.index.autodoc.get(name, state.docname), name)
            lines.append(
                f"**`{name}`**: its docstring states the contract; read it "
                f"[in the book]({url}) or with `help({short})` in a code cell."
            )
        return _blockquote("\n\n".join(lines))

    def _all_cited(self) -> list[str]:
        keys = []
        for docname in self.book.docs:
            path = _doc_source(self.book, docname)
            if path is None or path.suffix == ".ipynb":
                continue
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"[{:]cite(?::\w+)?[}:]`([^`]+)`", text):
                keys += [key.strip() for key in match.group(1).split(",")]
        return [key for key in dict.fromkeys(keys) if key in self.book.bib]

    def references(self, keys: list[str]) -> str:
        bib = self.book.bib
        items = []
        for key in sorted(keys, key=lambda k: (_authors(bib[k]), bib[k].get("year", ""))):
            entry = bib[key]
            names = entry["full_authors"]
            authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            text = f"- {authors} ({entry.get('year', 'n.d.')}). *{entry.get('title', key)}*."
            venue = entry.get("journal") or entry.get("booktitle") or ""
            if entry.get("archiveprefix", "").lower() == "arxiv" and entry.get("eprint"):
                venue = venue or f"arXiv:{entry['eprint']}"
            if venue:
                text += f" {venue}."
            if entry.get("doi"):
                text += f" <https://doi.org/{entry['doi']}>"
            elif entry.get("url"):
                text += f" <{entry['url']}>"
            items.append(text)
        return "\n".join(items)

    # -- a whole chapter ----------------------------------------------------------------------

    def notebook(self, md_path: Path) -> nbformat.NotebookNode:
        book = self.book
        docname = md_path.relative_to(book.root).with_suffix("").as_posix()
        paired_path = md_path.with_suffix(".ipynb")
        paired = nbformat.read(paired_path, as_version=4)
        _check_paired(md_path, paired)
        state = State(docname, book.index.numbered.get(docname, []))
        cells = []
        for cell in paired.cells:
            if cell.cell_type == "markdown":
                source = self.markdown(cell.source, state, top=True)
                if not cells:
                    source = self._banner(source, docname, "{glue" in md_path.read_text())
                new = nbformat.v4.new_markdown_cell(source)
                new.id = cell.get("id", new.id)
                cells.append(new)
                continue
            new = copy.deepcopy(cell)
            if cell.cell_type == "code":
                new.outputs = []
                new.execution_count = None
                if state.solution is not None:
                    new.metadata.setdefault("jupyter", {})["source_hidden"] = True
                    new.metadata["cellView"] = "form"
                    if not state.solution["parts"]:
                        state.solution["parts"] += 1
            cells.append(new)
            figure = (cell.metadata.get("mystnb") or {}).get("figure") or {}
            if cell.cell_type == "code" and figure.get("caption"):
                number = state.next_number("figure") if figure.get("name") else None
                prefix = f"**Fig. {number}:** " if number is not None else ""
                caption = nbformat.v4.new_markdown_cell(
                    prefix + self.inline(str(figure["caption"]), state)
                )
                caption.id = f"{cell.get('id', 'cell')}-caption"
                cells.append(caption)
        if state.solution is not None:
            raise ValueError(f"{docname}: a solution-start has no solution-end")
        if state.cited and not state.has_bibliography:
            references = nbformat.v4.new_markdown_cell(
                "## References\n\n" + self.references(state.cited)
            )
            references.id = "references"
            cells.append(references)
        metadata = {
            key: value for key, value in paired.metadata.items() if key not in {"jupytext"}
        }
        metadata["defocus_teach"] = {
            "source": md_path.relative_to(book.root).as_posix(),
            "generator": GENERATOR,
            "note": "generated: edit the source and run the generator, not this notebook",
        }
        notebook = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
        notebook.nbformat, notebook.nbformat_minor = paired.nbformat, paired.nbformat_minor
        return notebook

    def _banner(self, source: str, docname: str, glue: bool) -> str:
        url = self.book.page_url(docname)
        title = _escape(self.book.index.titles[docname])
        note = (
            f"This notebook is the chapter [{title}]({url}) of the book *{self.book.title}*. "
            "Run the cells in order: in Colab, the first code cell installs the package "
            "`defocus_teach` from GitHub. Links and equation numbers refer to the book; "
            "the solutions of the exercises are collapsed."
        )
        if glue:
            note += (
                " Where the book prints a number from the run, this notebook names the value "
                "in `code font`: the code cells compute it."
            )
        note = _blockquote(note)
        lines = source.split("\n")
        if lines and _HEADING.match(lines[0]):
            return "\n".join([lines[0], "", note, *lines[1:]])
        return note + "\n\n" + source


def _check_paired(md_path: Path, paired) -> None:
    """The paired notebook must have the Markdown source's cells (``jupytext --sync``)."""
    import jupytext

    expected = [(c.cell_type, c.source) for c in jupytext.read(md_path).cells]
    actual = [(c.cell_type, c.source) for c in paired.cells]
    if expected != actual:
        raise ValueError(
            f"{md_path.with_suffix('.ipynb').name} is not in sync with {md_path.name}: "
            f"run `jupytext --sync book/{md_path.name}` first"
        )


def _authors(entry: dict) -> str:
    names = entry.get("authors") or ["Anon."]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def _escape(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def _blockquote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().split("\n"))


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


# ---------------------------------------------------------------------------------------------
# writing and checking


def render(notebook) -> str:
    """The notebook as the text written to disk (nbformat's JSON, one newline at the end)."""
    return nbformat.writes(notebook) + "\n"


def generate(root: Path = ROOT) -> dict[Path, str]:
    """Every chapter's converted notebook: output path -> file content."""
    book = load_book(root)
    converter = Converter(book)
    return {output_path(md, root): render(converter.notebook(md)) for md in chapters(root)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    wanted = generate(ROOT)
    out_dir = ROOT / OUT_DIR
    stale = [
        path
        for path, text in wanted.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    extra = sorted(set(out_dir.glob("*.ipynb")) - set(wanted)) if out_dir.exists() else []
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        for path in extra:
            print(f"no chapter for: {path.relative_to(ROOT)}")
        if stale or extra:
            print(f"run `python {GENERATOR}`")
            return 1
        print(f"{len(wanted)} notebooks in {OUT_DIR} are up to date")
        return 0
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    for path in extra:
        path.unlink()
        print(f"removed {path.relative_to(ROOT)}")
    print(f"{len(wanted)} notebooks in {OUT_DIR}, {len(stale)} rewritten")
    return 0


# ---------------------------------------------------------------------------------------------
# the Sphinx extension: launch buttons that open book/colab/<chapter>.ipynb


def retarget_launch_buttons(app, pagename, templatename, context, doctree) -> None:
    """Point the Binder and Colab buttons of a chapter at its notebook in ``book/colab/``."""
    groups = [
        button
        for button in context.get("header_buttons", [])
        if isinstance(button, dict) and button.get("label") == "launch-buttons"
    ]
    if not groups:
        return
    source = Path(app.env.doc2path(pagename))
    prefix = (app.config.html_theme_options.get("path_to_docs") or "").strip("/")
    old = posixpath.join(prefix, f"{pagename}.ipynb") if prefix else f"{pagename}.ipynb"
    new_file = output_path(source, Path(app.srcdir))
    new = new_file.relative_to(Path(app.srcdir)).as_posix()
    if not new_file.exists():
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            f"{new} is missing: the launch buttons of {pagename} would open the raw MyST "
            f"notebook; run `python {GENERATOR}`",
            location=pagename,
        )
        return
    for group in groups:
        for button in group.get("buttons", []):
            url = button.get("url", "")
            if url.endswith(
                "/" + old
            ):  # Binder: ...?urlpath=tree/<old>; Colab: .../blob/main/<old>
                button["url"] = url[: -len(old)] + new


def setup(app):
    app.connect("html-page-context", retarget_launch_buttons, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.exit(main())

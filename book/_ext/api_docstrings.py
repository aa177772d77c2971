"""Sphinx extension for the book's API reference (book/api.md): numpydoc habits, no warnings.

Two habits of numpydoc docstrings that Sphinx's napoleon does not handle on a page that holds
many docstrings:

* **Local references.** Every docstring numbers its References from ``[1]``.  In
  reStructuredText ``.. [1]`` is a footnote whose name must be unique on the page, so the
  second function citing ``[1]`` gives "Duplicate explicit target name" (and MyST, which
  hosts the page, warns about footnotes it did not define).  Before napoleon runs, every
  reference ``.. [1] text`` of a docstring becomes a paragraph ``[1] text`` behind a target
  private to that object, and every ``[1]_`` that cites it an anonymous link to that target's
  anchor (not a ``:ref:``: MyST registers only the top-level labels of an ``eval-rst``
  block), so the page shows the numbers of the docstring.  A citation of a label that the
  docstring does not define links to the module docstring's reference of that label.
* **Re-exported names.** Docstrings write ``:func:`deconvolve``` or
  ``:func:`defocus_teach.blind_deconvolve``` for functions documented under their defining
  module (``defocus_teach.u_step.deconvolve``).  A Python cross-reference that Sphinx cannot
  resolve is looked up by its last components among the documented objects of the package
  and linked when exactly one object matches.  Anything else stays a (nitpicky) warning.
"""

from __future__ import annotations

import re
import sys

from sphinx.util.nodes import make_refnode

_DEFINITION = re.compile(r"^(\s*)\.\.\s+\[([^\]#*\s]+)\]\s+(.*)$")
_CITATION = re.compile(r"\[([^\]#*\s]+)\]_")
_PACKAGE = "defocus_teach"


def _target(name: str, label: str) -> str:
    """A page-wide unique, lower-case reference label for footnote ``label`` of ``name``."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{name}-{label}").strip("-").lower()
    return f"ref-{slug}"


def _labels(text: str | None) -> set[str]:
    lines = (text or "").splitlines()
    return {match.group(2) for match in map(_DEFINITION.match, lines) if match}


def _rewrite_definitions(lines: list[str], name: str) -> list[str]:
    """``.. [1] text`` (with its indented continuation) -> a label and a ``[1] text`` paragraph."""
    out, index = [], 0
    while index < len(lines):
        match = _DEFINITION.match(lines[index])
        if not match:
            out.append(lines[index])
            index += 1
            continue
        indent, label, first = match.groups()
        body = [f"{indent}[{label}] {first}"]
        index += 1
        while index < len(lines) and len(lines[index]) - len(lines[index].lstrip()) > len(indent):
            body.append(indent + lines[index].strip())
            index += 1
        out += ["", f"{indent}.. _{_target(name, label)}:", "", *body, ""]
    return out


def localise_references(app, what, name, obj, options, lines) -> None:
    """Make the numbered references of one docstring private to it (``lines`` in place)."""
    if not name.startswith(_PACKAGE):
        return
    own = _labels("\n".join(lines))
    module_name = name if what == "module" else getattr(obj, "__module__", None) or ""
    module = sys.modules.get(module_name)
    from_module = _labels(getattr(module, "__doc__", None)) if what != "module" else set()

    def cite(match: re.Match) -> str:
        label = match.group(1)
        if label in own:
            return f"`[{label}] <#{_target(name, label)}>`__"
        if label in from_module:
            return f"`[{label}] <#{_target(module_name, label)}>`__"
        return match.group(0)

    lines[:] = [_CITATION.sub(cite, line) for line in _rewrite_definitions(lines, name)]


def resolve_reexports(app, env, node, contnode):
    """Link an unresolved Python reference to the one package object whose name ends alike."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip(".~")
    parts = target.split(".")
    if parts[0] == _PACKAGE:  # defocus_teach.X for a re-export of defocus_teach.module.X
        parts = parts[1:]
    if not parts:
        return None
    suffix = "." + ".".join(parts)
    domain = env.get_domain("py")
    matches = [
        (name, entry)
        for name, entry in domain.objects.items()
        if name.startswith(_PACKAGE + ".") and name.endswith(suffix) and not entry.aliased
    ]
    if len(matches) != 1:
        return None
    name, entry = matches[0]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, name)


def setup(app):
    # Before napoleon (priority 500), which turns the References section into a rubric.
    app.connect("autodoc-process-docstring", localise_references, priority=400)
    app.connect("missing-reference", resolve_reexports)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

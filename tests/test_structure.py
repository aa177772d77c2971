"""The package's shape: small modules and functions, and no decision read from a message.

Lines of code are counted without docstrings, comments and blank lines: a long docstring
with the maths is welcome; a long body is a sign of several jobs in one place.
"""

import ast
import io
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "defocus_teach"
SOURCES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 110


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        if isinstance(node, kinds) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):
                    lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def code_lines(source: str) -> set[int]:
    """Line numbers that hold code: not blank, not only a comment, not a docstring."""
    docstrings = _docstring_lines(ast.parse(source))
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in skip or token.type == tokenize.ENDMARKER:
            continue
        lines.update(n for n in range(token.start[0], token.end[0] + 1) if n not in docstrings)
    return lines


def test_the_counter_skips_docstrings_comments_and_blank_lines():
    source = '"""Module."""\n\n# a comment\ndef f(x):\n    """Doc\n    string."""\n    return x\n'
    assert code_lines(source) == {4, 7}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_are_small(path):
    source = path.read_text()
    lines = code_lines(source)
    assert len(lines) <= MAX_MODULE_LINES, f"{path.name}: {len(lines)} lines of code"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = [n for n in lines if node.lineno <= n <= node.end_lineno]
            assert len(body) <= MAX_FUNCTION_LINES, f"{node.name}: {len(body)} lines of code"


def _reads_the_message(handler: ast.ExceptHandler) -> bool:
    """Does an `if` in this handler test ``str(error)`` or ``error.args``?"""
    for statement in ast.walk(handler):
        if not isinstance(statement, ast.If | ast.While | ast.Assert):  # decisions, not text
            continue
        for node in ast.walk(statement.test):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("str", "repr")
                and any(isinstance(a, ast.Name) and a.id == handler.name for a in node.args)
            ):
                return True
            if isinstance(node, ast.Attribute) and node.attr == "args":
                if isinstance(node.value, ast.Name) and node.value.id == handler.name:
                    return True
    return False


def test_the_check_finds_a_decision_read_from_a_message():
    bad = "try:\n    f()\nexcept ValueError as error:\n    if 'thin' in str(error):\n        g()\n"
    good = "try:\n    f()\nexcept LayerTooSmallError:\n    g()\n"
    assert _reads_the_message(ast.parse(bad).body[0].handlers[0])
    assert not _reads_the_message(ast.parse(good).body[0].handlers[0])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_control_flow_reads_an_exception_message(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ExceptHandler) and node.name:
            assert not _reads_the_message(node), f"{path.name}, line {node.lineno}"

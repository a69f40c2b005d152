"""The README's security promises, kept by tests that read the source.

* No code is built from spec data: nothing in validator/ calls ``eval``, ``exec``,
  ``compile`` or ``__import__`` (``re.compile`` of a spec pattern is data, not code).
* No network access outside ``validator/integrations``, which only wraps the user's
  own client: no module imports a networking library. One exception, named in the
  README: ``validator/drift/_fetch.py`` GETs the URL given to ``capspec drift`` with the
  standard library's ``urllib`` and nothing else.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "validator"
SOURCES = sorted(PACKAGE.rglob("*.py"))
CODE_BUILDERS = frozenset({"eval", "exec", "compile", "__import__"})
NETWORK = frozenset(
    {"socket", "ssl", "urllib", "http", "httpx", "requests", "aiohttp", "together", "ftplib"}
)


def code_builders(source: str) -> list[tuple[int, str]]:
    """Calls of eval/exec/compile/__import__ in Python source, comments and strings ignored.

    A name followed by ``(`` counts, whatever precedes it (``builtins.eval(`` too),
    except ``re.compile(``.
    """
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE}
    ]
    found = []
    for i, token in enumerate(tokens[:-1]):
        if token.type != tokenize.NAME or token.string not in CODE_BUILDERS:
            continue
        if tokens[i + 1].string != "(":
            continue
        after_dot = i >= 2 and tokens[i - 1].string == "."
        if token.string == "compile" and after_dot and tokens[i - 2].string == "re":
            continue
        found.append((token.start[0], token.string))
    return found


def imported_modules(source: str) -> set[str]:
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = eval(text)\n", [(1, "eval")]),
        ("exec (code)\n", [(1, "exec")]),
        ("import builtins\nbuiltins.compile(s, 'f', 'exec')\n", [(2, "compile")]),
        ("m = __import__(name)\n", [(1, "__import__")]),
        ("regex.compile(p)\n", [(1, "compile")]),
        ("import re\nr = re.compile(p)\n", []),
        ("# eval(x) in a comment\n", []),
        ("s = 'exec(x) in a string'\n", []),
        ("evaluate(x)\nexecutor(y)\n", []),
    ],
)
def test_the_detector_finds_code_builders(source, expected):
    assert code_builders(source) == expected


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_code_is_built_from_strings(path):
    assert code_builders(path.read_text(encoding="utf-8")) == []


#: The one module outside the integrations that may connect (``capspec drift URL``).
FETCH = PACKAGE / "drift" / "_fetch.py"


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if "integrations" not in p.relative_to(PACKAGE).parts and p != FETCH],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_network_library_outside_the_integrations(path):
    assert imported_modules(path.read_text(encoding="utf-8")) & NETWORK == set()


def test_the_fetcher_uses_urllib_only():
    assert imported_modules(FETCH.read_text(encoding="utf-8")) & NETWORK == {"urllib"}


def _names_the_fetcher(source: str) -> bool:
    """Whether code (not a comment or docstring) imports the fetcher module."""
    import ast

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.endswith("_fetch") or any(a.name == "_fetch" for a in node.names):
                return True
        elif isinstance(node, ast.Import) and any(a.name.endswith("_fetch") for a in node.names):
            return True
    return False


def test_the_fetcher_test_sees_imports_not_prose():
    assert _names_the_fetcher("from validator.drift import _drift, _fetch\n")
    assert _names_the_fetcher("import validator.drift._fetch\n")
    assert not _names_the_fetcher('"""The one module that connects (``_fetch``)."""\n')


def test_only_the_drift_command_imports_the_fetcher():
    importers = sorted(
        str(p.relative_to(PACKAGE))
        for p in SOURCES
        if p != FETCH and _names_the_fetcher(p.read_text(encoding="utf-8"))
    )
    assert importers == ["cli/_drift.py"]


def test_the_sources_are_found():
    names = {p.name for p in SOURCES}
    assert {"_checker.py", "_spec.py", "_yaml.py", "_normalize.py"} <= names

"""libyaml and PyYAML's pure-Python parser give capspec the same documents and errors.

capspec parses with libyaml when PyYAML has it (ten times faster) and falls back
to the pure-Python parser otherwise; every YAML file the tests hold must load
identically under both, positions and error locations included. libyaml's error
wording is terser, so on a syntax error capspec asks PyYAML for its words.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from validator.files import _yaml

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    {
        ROOT / "capabilities.yaml",
        *ROOT.glob("examples/**/*.yaml"),
        *ROOT.glob("tests/**/*.yaml"),
        *ROOT.glob("tests/**/*.yml"),
    }
    - set(ROOT.glob("tests/ajv/**/*"))
)
EXTRA = {
    "control-after-accents": 'prompt: "été \x01 cat"\n',
    "tab-indent": "a:\n\tb: 1\n",
    "unclosed-quote": 'a: "x\n',
    "two-docs": "a: 16:9\n---\n- no\n- 0o17\n- .inf\n",
    "bad-alias": "a: *nope\n",
    "bom": "\ufeffa: 1\n",
}


def load(text: str, parser: object, *, strict: bool) -> object:
    """What one parser makes of a text; errors by position (the wording differs)."""
    try:
        docs = list(_yaml._load(parser, text, strict, _yaml.MAX_DEPTH, _yaml.MAX_NODES))
    except _yaml.YamlError as exc:
        return ("error", exc.line, exc.column)
    return [(_canon(d.value), d.line, d.column, d.keys, d.values, d.duplicates) for d in docs]


def _canon(value: object) -> object:
    """NaN != NaN; compare it by name."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return {k: _canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canon(v) for v in value]
    return value


def test_libyaml_is_in_use_where_pyyaml_has_it():
    assert _yaml._CParser is not None, "PyYAML without libyaml: the fast path is off"
    assert _yaml._Parser is _yaml._CParser


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "payload"])
@pytest.mark.parametrize(
    "text",
    [*(p.read_bytes().decode("utf-8", "replace") for p in FILES), *EXTRA.values()],
    ids=[*(str(p.relative_to(ROOT)) for p in FILES), *EXTRA],
)
def test_both_parsers_agree(text, strict):
    assert load(text, _yaml._CParser, strict=strict) == load(text, _yaml._PyParser, strict=strict)


def test_syntax_errors_carry_pyyaml_wording_at_libyaml_speed():
    with pytest.raises(_yaml.YamlError) as raised:
        list(_yaml.load_documents("a:\n\tb: 1\n"))
    assert (raised.value.line, raised.value.column) == (2, 1)
    assert raised.value.message == "found character '\\t' that cannot start any token"


def _deep(shape, depth):
    if shape == "flow":
        return "[" * depth + "]" * depth
    if shape == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    if shape == "block":
        return "".join("  " * i + "- \n" for i in range(depth)) + "  " * depth + "x\n"
    if shape == "block-then-flow":
        return "a:\n  - " + "{b: [" * depth + "]}" * depth + "\n"
    assert shape == "second-document"
    return "model: m\n---\n" + "[" * depth + "]" * depth + "\n"


def _outcome(text, parser, max_depth=_yaml.MAX_DEPTH):
    try:
        docs = list(_yaml._load(parser, text, False, max_depth, _yaml.MAX_NODES))
    except _yaml.YamlError as error:
        return (error.message, error.line, error.column)
    return [doc.value for doc in docs]


SHAPES = ["flow", "flow-map", "block", "block-then-flow", "second-document"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("depth", [257, 999, 1_001, 1_500])
def test_nesting_error_is_the_same_whatever_libyaml_limits(shape, depth, monkeypatch):
    # libyaml 0.2.6 (PyYAML 6.0.3+ wheels) stops at 1,000 levels of its own, and on
    # flows before any event reaches capspec; older libyaml and the pure-Python
    # parser have no limit. Either way the error is capspec's, at the 257th level.
    expected = _outcome(_deep(shape, depth), _yaml._PyParser)
    assert expected[0] == "nesting deeper than 256 levels"

    def refuse(*args):
        raise AssertionError("parsed again with the pure-Python parser")

    monkeypatch.setattr(_yaml, "_PyParser", refuse)
    with pytest.raises(_yaml.YamlError) as raised:
        list(_yaml.load_documents(_deep(shape, depth)))
    assert (raised.value.message, raised.value.line, raised.value.column) == expected


def test_limit_errors_are_not_parsed_twice(monkeypatch):
    # The pure-Python parser takes seconds on deep flows; only syntax errors use it.
    def refuse(*args):
        raise AssertionError("parsed again with the pure-Python parser")

    monkeypatch.setattr(_yaml, "_PyParser", refuse)
    with pytest.raises(_yaml.YamlError, match="nesting deeper than 256 levels") as raised:
        list(_yaml.load_documents("[" * 100_000 + "]" * 100_000))
    assert (raised.value.line, raised.value.column) == (1, 257)


def _depth(value):
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    return depth + isinstance(value, list)


def test_libyaml_limit_stands_when_capspecs_is_higher():
    text = _deep("flow", 1_200)
    outcome = _outcome(text, _yaml._CParser, max_depth=5_000)
    if isinstance(outcome, list):  # a libyaml without a limit (0.2.5 and older) parses it
        assert _depth(outcome[0]) == 1_200
        return
    with pytest.raises(_yaml.YamlError) as raised:
        list(_yaml.load_documents(text, max_depth=5_000))
    assert raised.value.message == "nesting deeper than the YAML parser allows"
    assert raised.value.line == 1


def test_offset_counts_characters_per_line():
    text = "é\nab\ncd"
    assert _yaml._offset(text, 1, 1) == 0
    assert _yaml._offset(text, 2, 2) == 3
    assert text[_yaml._offset(text, 3, 2)] == "d"
    assert _yaml._offset(text, 9, 1) == len(text)

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

from validator import _yaml

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
    return [
        (_canon(d.value), d.line, d.column, d.keys, d.values, d.duplicates) for d in docs
    ]


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


def test_limit_errors_are_not_parsed_twice(monkeypatch):
    # The pure-Python parser takes seconds on deep flows; only syntax errors use it.
    def refuse(*args):
        raise AssertionError("parsed again with the pure-Python parser")

    monkeypatch.setattr(_yaml, "_PyParser", refuse)
    with pytest.raises(_yaml.YamlError, match="nesting deeper than 256 levels"):
        list(_yaml.load_documents("[" * 10_000 + "]" * 10_000))

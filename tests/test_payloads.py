"""The payload corpus under tests/payloads/, picked up by directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import validator

PAYLOADS = Path(__file__).resolve().parent / "payloads"
VALID = sorted((PAYLOADS / "valid").glob("*.json"))
INVALID = sorted((PAYLOADS / "invalid").glob("*.json"))


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_corpus_is_not_empty():
    assert len(VALID) >= 10
    assert len(INVALID) >= 20
    assert all(p.with_suffix(".expected").is_file() for p in INVALID)


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_a_valid_payload_has_no_errors(path):
    request = _load(path)
    assert [str(p) for p in validator.validate(request) if p.severity == "error"] == []
    assert validator.normalize(request).ok


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_an_invalid_payload_has_exactly_the_expected_errors(path):
    expected = sorted(
        tuple(line.split())
        for line in path.with_suffix(".expected").read_text().splitlines()
        if line.strip()
    )
    problems = [p for p in validator.validate(_load(path)) if p.severity == "error"]
    found = sorted((p.code, p.param or "-") for p in problems)
    assert found == expected, [str(p) for p in problems]
    with pytest.raises(validator.RequestError) as caught:
        validator.preflight(_load(path))
    assert (
        sorted((p.code, p.param or "-") for p in caught.value.problems if p.severity == "error")
        == expected
    )

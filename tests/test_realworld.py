"""The real-world corpus (tests/realworld/): its format, and the table the README cites.

The corpus holds request bodies taken from public code with the verdict a correct
validator gives; tests/realworld/README.md explains the format. How capspec fares on
it is measured by ``python tests/realworld/corpus.py``.
"""

from __future__ import annotations

import pytest
from realworld.corpus import CASES, format_problems, load_case, load_cases, main, table

from validator._yaml import YamlError

PATHS = sorted(CASES.glob("*.yaml"))


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_a_case_is_well_formed(path):
    assert format_problems(load_case(path)) == []


def test_only_case_files_sit_in_the_cases_directory():
    assert sorted(p.name for p in CASES.iterdir()) == [p.name for p in PATHS]


def test_the_format_check_catches_what_it_promises(tmp_path):
    good = PATHS[0].read_text(encoding="utf-8")
    bad = {
        "no-commit": good.replace("  commit: ", "  commit: abc #"),
        "secret": good.replace("body:\n", "body:\n  api_key: tgp_v1_abcdefghijklmnop\n", 1),
        "confidence": good.replace("confidence: high", "confidence: sure"),
        "code": good.replace("errors: []", "errors: [{code: not_a_code, param: width}]"),
        "ambiguous": good.replace("body:\n", "body:\n  aspect_ratio: 16:9\n", 1),
    }
    stem = PATHS[0].stem
    for name, text in bad.items():
        assert text != good, name
        path = tmp_path / f"{stem}.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            problems = format_problems(load_case(path))
        except YamlError:  # the ambiguous scalar is refused by the loader itself
            problems = ["refused"]
        assert problems, name


def test_the_corpus_is_large_and_varied():
    cases = load_cases()
    assert len(cases) >= 60
    assert len({case.repo for case in cases}) >= 20
    # Both endpoints are represented, and both verdicts (accepted and refused).
    assert {case.endpoint for case in cases} == {"images", "videos"}
    assert any(case.errors for case in cases)
    assert any(not case.errors for case in cases)
    # Most cases are sure enough to hold capspec to.
    assert sum(case.sure for case in cases) >= len(cases) * 2 // 3


def test_the_agreement_table_counts_every_case(capsys):
    cases = load_cases()
    text = table(cases)
    assert f"| all | {len(cases)} | {sum(c.sure for c in cases)} |" in text
    assert main([]) == 0
    assert "| all |" in capsys.readouterr().out

"""The real-world corpus (tests/realworld/): its format, and the table the README cites.

The corpus holds request bodies taken from public code with the verdict a correct
validator gives; tests/realworld/README.md explains the format. How capspec fares on
it is measured by ``python tests/realworld/corpus.py``.
"""

from __future__ import annotations

import pytest
from realworld.corpus import (
    CASES,
    README_END,
    README_START,
    format_problems,
    load_case,
    load_cases,
    main,
    table,
    write_readme,
)

from validator.files._yaml import YamlError

PATHS = sorted(CASES.glob("*.yaml"))


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_a_case_is_well_formed(path):
    assert format_problems(load_case(path)) == []


def test_only_case_files_sit_in_the_cases_directory():
    assert sorted(p.name for p in CASES.iterdir()) == [p.name for p in PATHS]


GOOD = """\
source:
  repo: Example/app
  path: src/generate.py
  commit: 0123456789abcdef0123456789abcdef01234567
  how: Legacy Python SDK images.generate with its n, width and height defaults.
endpoint: images
body:
  model: black-forest-labs/FLUX.2-pro
  prompt: a lighthouse at dusk
expect:
  errors: []
evidence: Every parameter is in the FLUX.2 Pro column of the compatibility table.
confidence: high
"""


def test_the_format_check_catches_what_it_promises(tmp_path):
    path = tmp_path / "example-app--check.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert format_problems(load_case(path)) == []
    bad = {
        "short commit": GOOD.replace("0123456789abcdef0123456789abcdef01234567", "abc123"),
        "secret": GOOD.replace("body:\n", "body:\n  api_key: tgp_v1_abcdefghijklmnop\n"),
        "confidence": GOOD.replace("confidence: high", "confidence: sure"),
        "code": GOOD.replace("errors: []", "errors: [{code: not_a_code, param: width}]"),
        "url in how": GOOD.replace("Legacy Python", "https://example.com Legacy Python"),
        "file name": GOOD.replace("repo: Example/app", "repo: Other/app"),
        "no evidence": GOOD.replace("evidence: Every", "evidence: \n  x: Every"),
    }
    for name, text in bad.items():
        assert text != GOOD, name
        path.write_text(text, encoding="utf-8")
        assert format_problems(load_case(path)), name
    # A plain 16:9 is read as sexagesimal by YAML 1.1 parsers: the loader refuses it.
    path.write_text(GOOD.replace("body:\n", "body:\n  aspect_ratio: 16:9\n"), encoding="utf-8")
    with pytest.raises(YamlError):
        load_case(path)


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


def test_the_readme_block_is_written_between_its_markers_only(tmp_path):
    cases = load_cases()
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{README_START}\nold\n{README_END}\n\nAfter.\n", encoding="utf-8")
    assert write_readme(readme, cases) is True
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n") and text.endswith("\n\nAfter.\n")
    assert table(cases) in text and "old" not in text
    assert write_readme(readme, cases) is False  # idempotent
    assert readme.read_text(encoding="utf-8") == text
    readme.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no <!-- realworld:table -->"):
        write_readme(readme, cases)

"""The real-world corpus: request bodies from public code, with the verdict a correct validator gives.

Each ``cases/*.yaml`` file is one request body taken from a public repository (see
README.md in this directory for the format and how verdicts are decided). This module
loads the cases, checks their format, compares capspec's verdict with the expected one,
and prints the agreement table the README cites::

    python tests/realworld/corpus.py                     # the table
    python tests/realworld/corpus.py --details           # plus every disagreement
    python tests/realworld/corpus.py --readme README.md  # rewrite the README's block
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"

ENDPOINTS = ("images", "videos")
CONFIDENCES = ("high", "medium", "low")
TOP_KEYS = ("source", "endpoint", "body", "expect", "evidence", "confidence")
SOURCE_KEYS = {"repo", "path", "commit", "line", "how"}
EXPECT_KEYS = {"errors", "warnings", "undecided"}

_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_CODE = re.compile(r"^[a-z][a-z_]*$")
# What a secret or an unshortened payload looks like: none may reach the corpus.
_SECRET = re.compile(r"(tgp_v1_|sk-[A-Za-z0-9]{16}|hf_[A-Za-z0-9]{20}|Bearer [A-Za-z0-9]{16})")
MAX_STRING = 2_000


@dataclass(frozen=True)
class Expected:
    """One expected error: ``param`` with any of ``codes``."""

    param: str | None
    codes: tuple[str, ...]

    def matches(self, code: str, param: str | None) -> bool:
        return param == self.param and code in self.codes


@dataclass
class Case:
    """One corpus case, as loaded from its file."""

    id: str
    path: Path
    data: dict[str, Any]
    errors: list[Expected] = field(default_factory=list)
    undecided: list[Expected] = field(default_factory=list)

    @property
    def repo(self) -> str:
        return str(self.data["source"]["repo"])

    @property
    def body(self) -> Any:
        return self.data["body"]

    @property
    def endpoint(self) -> str:
        return str(self.data["endpoint"])

    @property
    def sure(self) -> bool:
        return self.data["confidence"] == "high"


@dataclass
class Verdict:
    """capspec's verdict on a case compared with the expected one."""

    case: Case
    missing: list[Expected]
    unexpected: list[tuple[str, str | None, str]]  # code, param, message

    @property
    def agrees(self) -> bool:
        return not self.missing and not self.unexpected

    def describe(self) -> str:
        lines = [f"{self.case.id} ({self.case.data['confidence']}):"]
        lines += [
            f"  missing error {'|'.join(e.codes)} on {e.param}: capspec reports no such error"
            for e in self.missing
        ]
        lines += [
            f"  unexpected error {code} on {param}: {message}"
            for code, param, message in self.unexpected
        ]
        return "\n".join(lines)


def _codes(entry: dict[str, Any]) -> tuple[str, ...]:
    raw = entry.get("codes", entry.get("code"))
    return tuple(raw) if isinstance(raw, list) else (str(raw),)


def load_case(path: Path) -> Case:
    """Load one case file (YAML 1.2, strict: an ambiguous plain scalar is an error)."""
    from validator.files._yaml import load_one

    document = load_one(path.read_text(encoding="utf-8"), strict=True)
    if document.duplicates:
        key, (line, _) = document.duplicates[0]
        raise ValueError(f"{path.name}:{line}: duplicate key {key!r}")
    data = document.value
    if not isinstance(data, dict):
        raise TypeError(f"{path.name}: a case is a mapping")
    expect = data.get("expect") if isinstance(data.get("expect"), dict) else {}
    case = Case(id=path.stem, path=path, data=data)
    for entry in expect.get("errors") or []:
        if isinstance(entry, dict):
            case.errors.append(Expected(entry.get("param"), _codes(entry)))
    for entry in expect.get("undecided") or []:
        if isinstance(entry, dict):
            case.undecided.append(Expected(entry.get("param"), _codes(entry)))
    return case


def load_cases(directory: Path = CASES) -> list[Case]:
    """Every case, in file-name order."""
    return [load_case(path) for path in sorted(directory.glob("*.yaml"))]


def slug(repo: str) -> str:
    """The file-name prefix of a repository's cases: ``Owner/Name`` -> ``owner-name``."""
    return repo.lower().replace("/", "-")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _check_entries(
    entries: Any, section: str, *, keys: set[str], error_codes: set[str] | None
) -> list[str]:
    import validator

    if not isinstance(entries, list):
        return [f"expect.{section} must be a list"]
    known = set(validator.CODES)
    problems = []
    for index, entry in enumerate(entries):
        where = f"expect.{section}[{index}]"
        if not isinstance(entry, dict) or "param" not in entry:
            problems.append(f"{where} must be a mapping with a param")
            continue
        if set(entry) - keys:
            problems.append(f"{where} has unknown keys {sorted(set(entry) - keys)}")
        if entry["param"] is not None and not isinstance(entry["param"], str):
            problems.append(f"{where}.param must be a string or null")
        codes = _codes(entry)
        if not codes or not all(isinstance(c, str) and _CODE.match(c) for c in codes):
            problems.append(f"{where} needs a code (or a list of codes) in snake_case")
        elif error_codes is not None and not (set(codes) <= known and set(codes) & error_codes):
            problems.append(f"{where}: {list(codes)} must be capspec codes, one an error code")
    return problems


def format_problems(case: Case) -> list[str]:
    """Everything wrong with a case's format ([] when it is well-formed)."""
    import validator

    data = case.data
    problems = []
    if set(data) != set(TOP_KEYS):
        return [f"keys must be exactly {list(TOP_KEYS)}, found {sorted(data)}"]
    source = data["source"]
    if not isinstance(source, dict) or not {"repo", "path", "how"} <= set(source):
        problems.append("source needs repo, path and how")
    else:
        if set(source) - SOURCE_KEYS:
            problems.append(f"source has unknown keys {sorted(set(source) - SOURCE_KEYS)}")
        if not isinstance(source["repo"], str) or not _REPO.match(source["repo"]):
            problems.append("source.repo must be owner/name")
        elif not case.id.startswith(slug(source["repo"]) + "--"):
            problems.append(f"file name must start with {slug(source['repo'])}--")
        if not isinstance(source["path"], str) or not source["path"]:
            problems.append("source.path must be a path")
        if "commit" in source and not (
            isinstance(source["commit"], str) and _COMMIT.match(source["commit"])
        ):
            problems.append("source.commit must be 40 lowercase hex digits")
        if "line" in source and not (isinstance(source["line"], int) and source["line"] > 0):
            problems.append("source.line must be a positive integer")
        how = source["how"]
        if not isinstance(how, str) or len(how.strip()) < 20:
            problems.append("source.how must describe how the body is built")
        elif re.search(r"https?://", how):
            problems.append("source.how must not contain URLs")
    if data["endpoint"] not in ENDPOINTS:
        problems.append(f"endpoint must be one of {ENDPOINTS}")
    body = data["body"]
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        problems.append("body must be a JSON object with a model")
    else:
        for text in _strings(body):
            if len(text) > MAX_STRING:
                problems.append(f"body holds a {len(text):,}-character string: use a placeholder")
            if _SECRET.search(text):
                problems.append("body holds what looks like a secret")
    expect = data["expect"]
    if not isinstance(expect, dict) or "errors" not in expect:
        problems.append("expect needs errors (an empty list when the API accepts the body)")
    else:
        if set(expect) - EXPECT_KEYS:
            problems.append(f"expect has unknown keys {sorted(set(expect) - EXPECT_KEYS)}")
        problems += _check_entries(
            expect["errors"],
            "errors",
            keys={"code", "param"},
            error_codes=set(validator.ERROR_CODES),
        )
        problems += _check_entries(
            expect.get("warnings", []), "warnings", keys={"code", "param"}, error_codes=None
        )
        problems += _check_entries(
            expect.get("undecided", []),
            "undecided",
            keys={"codes", "param", "why"},
            error_codes=None,
        )
    if not isinstance(data["evidence"], str) or len(data["evidence"].strip()) < 40:
        problems.append("evidence must say why the verdict holds")
    if data["confidence"] not in CONFIDENCES:
        problems.append(f"confidence must be one of {CONFIDENCES}")
    return problems


def judge(case: Case) -> Verdict:
    """capspec's errors on the body against the expected ones (warnings never count)."""
    import validator

    errors = [p for p in validator.validate(case.body) if p.severity == "error"]
    missing = [e for e in case.errors if not any(e.matches(p.code, p.param) for p in errors)]
    expected_params = {e.param for e in case.errors}
    unexpected = [
        (p.code, p.param, p.message)
        for p in errors
        if p.param not in expected_params
        and not any(u.matches(p.code, p.param) for u in case.undecided)
    ]
    return Verdict(case, missing, unexpected)


def table(cases: list[Case]) -> str:
    """The agreement table: cases, sure cases, agreement, per endpoint and overall."""
    verdicts = [judge(case) for case in cases]
    rows = [
        ("| | cases | sure (high) | sure and agreed | all agreed |"),
        "|---|---:|---:|---:|---:|",
    ]
    for label, subset in (
        *(
            (endpoint, [v for v in verdicts if v.case.endpoint == endpoint])
            for endpoint in ENDPOINTS
        ),
        ("all", verdicts),
    ):
        sure = [v for v in subset if v.case.sure]
        rows.append(
            f"| {label} | {len(subset)} | {len(sure)} | {sum(v.agrees for v in sure)} "
            f"| {sum(v.agrees for v in subset)} |"
        )
    repos = Counter(case.repo for case in cases)
    rows.append("")
    rows.append(f"{len(cases)} cases from {len(repos)} repositories.")
    return "\n".join(rows)


README_START = "<!-- realworld:table -->"
README_END = "<!-- /realworld:table -->"


def readme_block(cases: list[Case]) -> str:
    """The README's block: the table, the counts and the sure cases capspec gets wrong."""
    wrong = [case.id for case in cases if case.sure and not judge(case).agrees]
    listed = ", ".join(f"`{case_id}`" for case_id in wrong) if wrong else "none"
    return (
        f"{README_START}\n{table(cases)}\n\nSure cases capspec gets wrong: {listed}.\n{README_END}"
    )


def write_readme(path: Path, cases: list[Case]) -> bool:
    """Replace the block between the markers; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"{path}: no {README_START} ... {README_END} block")
    new = text[:start] + readme_block(cases) + text[end + len(README_END) :]
    if new == text:
        return False
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(new, encoding="utf-8")
    temporary.replace(path)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--details", action="store_true", help="list every disagreement")
    parser.add_argument("--all", action="store_true", help="with --details: medium and low too")
    parser.add_argument("--readme", type=Path, help="rewrite the table block of this README")
    args = parser.parse_args(argv)
    cases = load_cases()
    broken = {case.id: format_problems(case) for case in cases}
    for case_id, problems in broken.items():
        for problem in problems:
            print(f"{case_id}: {problem}", file=sys.stderr)
    if args.readme is not None:
        changed = write_readme(args.readme, cases)
        print(f"{args.readme}: {'updated' if changed else 'up to date'}")
        return 1 if any(broken.values()) else 0
    print(table(cases))
    if args.details:
        for case in cases:
            verdict = judge(case)
            if not verdict.agrees and (case.sure or args.all):
                print()
                print(verdict.describe())
    return 1 if any(broken.values()) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    try:
        sys.exit(main())
    except BrokenPipeError:  # `corpus.py | head`: the reader left, nothing to report
        sys.stdout = open(os.devnull, "w")  # noqa: PTH123, SIM115 - silence the exit flush
        sys.exit(0)

"""Linting payload files: read each source, check each request, locate what is wrong.

The library does the checking (``validate``, or ``normalize`` under a policy);
this module only ties problems to files, requests, lines and columns. Positions
are computed for requests that have problems, never for clean ones.
"""

from __future__ import annotations

from operator import itemgetter

from validator._problem import Problem, json_path, quote
from validator.check._validate import validate
from validator.files._decode import Broken
from validator.files._payloads import Item, Request, read
from validator.files._sources import DEFAULT_MAX_SIZE
from validator.render._report import Finding, Summary

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import IO, Any

    from validator.check._normalize import Normalized, Policy
    from validator.files._config import RuleFilter
    from validator.files._locate import Path
    from validator.files._sources import Source
    from validator.spec._spec import Spec


def model_of(value: Any) -> str | None:
    """The request's model id, when it names one."""
    if type(value) is dict:
        model = value.get("model")
        if type(model) is str:
            return model
    return None


def duplicate_problem(path: Path) -> Problem:
    """The problem of a key repeated within one object."""
    key = path[-1] if path else ""
    return Problem(
        "duplicate_key",
        "error",
        str(path[0]) if path else None,
        json_path(path),
        f"key {quote(str(key))} appears more than once in the same object; "
        "parsers disagree on which value wins, and capspec checked the last one",
        "keep one of them",
    )


def broken_finding(name: str, broken: Broken) -> Finding:
    """A problem of the file itself, as a finding."""
    problem = Problem(broken.code, "error", None, "$", broken.message, broken.hint)
    return Finding(name, broken.document, broken.line, broken.column, problem, None)


def locate(name: str, request: Request, problems: list[Problem]) -> list[Finding]:
    """Tie each problem of a request (and any key it repeats) to a line and column."""
    document, value, origin = request
    model = value.get("model") if type(value) is dict else None
    if type(model) is not str:
        model = None
    out = (
        [
            Finding(name, document, line, column, duplicate_problem(path), model)
            for path, (line, column) in origin.duplicates()
        ]
        if origin.repeated
        else []
    )
    where = origin.locate
    paths = _PATHS
    for problem in problems:
        path = problem.path
        line, column = where(paths[path] if path in paths else _parse_path(path), problem.param)
        out.append(_new(Finding, (name, document, line, column, problem, model)))
    if len(out) > 1:  # in file order: requests come in file order, so the whole file is
        out.sort(key=_POSITION)
    return out


_PATHS: dict[str, Path | None] = {}
_new = tuple.__new__  # a Finding from its fields, without NamedTuple's Python-level __new__


def _parse_path(path: str) -> Path | None:
    """``parse_path``, remembered: the same few paths come back request after request."""
    from validator.files._locate import parse_path  # noqa: PLC0415 - clean runs never need it

    parts = parse_path(path)
    if len(_PATHS) < 4096 and len(path) <= 200:
        _PATHS[path] = parts
    return parts


_POSITION = itemgetter(2, 3)  # a Finding's line and column


class Linter:
    """Lints sources one after another and keeps the counts for the summary."""

    def __init__(
        self,
        spec: Spec,
        *,
        policy: Policy = "strict",
        warnings_as_errors: bool = False,
        max_size: int = DEFAULT_MAX_SIZE,
        rewrite: Callable[[Any], Normalized] | None = None,
        rules: RuleFilter | None = None,
    ) -> None:
        self.spec = spec
        self.rules = None if rules is None or rules.everything else rules
        self.not_requests = 0  # files found in walks that hold no request, not checked
        self._names: frozenset[str] | None = None
        self.policy = policy
        self.rewrite = rewrite  # instead of the policy: a preview (lint --migrate-to)
        self.warnings_as_errors = warnings_as_errors
        self.max_size = max_size
        self.files = 0
        self.skipped = 0  # directory entries that are not regular files
        self.requests = 0
        self.errors = 0
        self.warnings = 0

    def check(self, value: Any) -> list[Problem]:
        """The problems of one request under the policy (or after the rewrite)."""
        if self.rewrite is not None:
            return self.rewrite(value).problems
        if self.policy == "strict":
            return validate(value, spec=self.spec)
        from validator.check._normalize import normalize  # noqa: PLC0415 - not on the default policy

        return normalize(value, policy=self.policy, spec=self.spec).problems

    def lint(self, source: Source, *, stdin: IO[bytes] | None = None) -> Iterator[Finding]:
        """Every finding of one source, in file order.

        A source marked ``sniff`` that holds no request (``validator.lint._documents``)
        yields nothing and is counted in ``not_requests``, not in ``files``. Codes
        the rules leave out are neither reported nor counted.
        """
        items = read(source, stdin=stdin, max_size=self.max_size)
        if source.sniff:
            from validator.lint._documents import request_names, requests_in  # noqa: PLC0415

            if self._names is None:
                self._names = request_names(self.spec)
            held = requests_in(items, source, self._names)
            if held is None:
                self.not_requests += 1
                return
            items = held
        self.files += 1
        if self.rules is None:
            yield from self._lint(source, items)
            return
        from validator.files._ignore import absolute  # noqa: PLC0415

        codes = self.rules.for_file(None if source.path is None else absolute(source.path))
        yield from self._lint(source, items, codes)

    def _lint(
        self, source: Source, items: Iterator[Item], codes: frozenset[str] | None = None
    ) -> Iterator[Finding]:
        check = self.check
        name = source.name
        # The hot loop of a big JSONL file: a clean request costs one fast check.
        fast = self.policy == "strict" and self.rewrite is None
        checkers = self.spec._checkers if fast else {}  # noqa: SLF001
        requests = 0  # added to self.requests before each finding and at the end
        try:
            for item in items:
                if type(item) is not Request:
                    assert isinstance(item, Broken)
                    if codes is not None and item.code not in codes:
                        continue
                    finding = broken_finding(name, item)
                    self.errors += 1
                    self.requests += requests
                    requests = 0
                    yield finding
                    continue
                requests += 1
                _, value, origin = item
                checker = None
                if type(value) is dict:
                    model = value.get("model")
                    if type(model) is str:
                        checker = checkers.get(model)
                if checker is None:
                    problems = check(value)  # compiles the model's checker on first sight
                elif checker.is_clean(value):
                    # Clean, but perhaps for the model's lifecycle (deprecated, retired):
                    # the same problems for every request of that model, not explained.
                    if not checker.base and not origin.repeated:
                        continue
                    problems = [*checker.base]
                else:
                    problems = checker.problems(value)
                if codes is not None:
                    problems = [p for p in problems if p.code in codes]
                if problems or origin.repeated:
                    found = locate(name, item, problems)
                    if codes is not None and "duplicate_key" not in codes:
                        found = [f for f in found if f.problem.code != "duplicate_key"]
                    self.count(found)
                    self.requests += requests
                    requests = 0
                    yield from found
        finally:
            self.requests += requests

    def count(self, findings: list[Finding]) -> None:
        """Add findings to the error and warning counts."""
        for finding in findings:
            if finding.problem.severity == "error":
                self.errors += 1
            else:
                self.warnings += 1

    def summary(self) -> Summary:
        """The counts so far, and whether the run passes."""
        ok = not self.errors and not (self.warnings_as_errors and self.warnings)
        return Summary(
            self.files,
            self.requests,
            self.errors,
            self.warnings,
            ok,
            self.skipped,
            self.not_requests,
        )

"""Reporters: located problems rendered as text, JSON, GitHub workflow commands or SARIF.

Each reporter is fed one finding at a time and closed with the summary. Text and
GitHub output stream; JSON and SARIF spool findings to a temporary file (memory
first, disk past a megabyte) so a huge run never holds its problems in memory.
"""

from __future__ import annotations

import json
import os

from validator._problem import CODES, ERROR_CODES, WARNING_CODES
from validator._tuples import NamedTuple
from validator._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO, Any, ClassVar, Final

    from validator._problem import Problem


class Finding(NamedTuple):
    """A problem located in a file: which file, which request, which line and column."""

    file: str
    document: int | None
    line: int
    column: int
    problem: Problem
    model: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: location, then the problem's fields, then the model."""
        p = self.problem
        return {
            "file": self.file,
            "document": self.document,
            "line": self.line,
            "column": self.column,
            "severity": p.severity,
            "code": p.code,
            "param": p.param,
            "path": p.path,
            "message": p.message,
            "hint": p.hint,
            "model": self.model,
        }


class Summary(NamedTuple):
    """What a run looked at and found."""

    files: int
    requests: int
    errors: int
    warnings: int
    ok: bool
    skipped: int = 0  # directory entries that are not regular files, never opened
    not_requests: int = 0  # files found in walks that hold no request, not checked


class Reporter:
    """Base reporter: receives findings one by one, then the summary."""

    name: ClassVar[str] = ""

    def __init__(self, out: IO[str], *, color: bool = False, quiet: bool = False) -> None:
        self.out = out
        self.color = color
        self.quiet = quiet

    def report(self, finding: Finding) -> None:
        """Render one finding."""
        raise NotImplementedError

    def close(self, summary: Summary) -> None:
        """Finish the output once every finding has been reported."""


#: Findings of one problem repeat (a retired model's warning on every request of it), so
#: reporters render the part of a finding that depends on the problem alone once; the
#: caches are emptied when full, so a run of all-different problems stays in constant memory.
_CACHE_SIZE: Final = 4096


def _cached(cache: dict[Any, str], key: Any, render: Callable[[Any], str]) -> str:
    """``render(key)``, remembered in ``cache`` (an unhashable key is rendered each time)."""
    try:
        return cache[key]
    except KeyError:
        pass
    except TypeError:
        return render(key)
    text = render(key)
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = text
    return text


# --- text ---------------------------------------------------------------------------

_RESET: Final = "\x1b[0m"
_STYLE: Final = {
    "file": "\x1b[1m",
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "code": "\x1b[36m",
    "hint": "\x1b[2m",
}


class TextReporter(Reporter):
    """``file:line:col: severity code message (hint: ...)``, one line each, as ruff prints."""

    name = "text"

    def paint(self, text: str, style: str) -> str:
        """Colour ``text`` when writing to a terminal."""
        return f"{_STYLE[style]}{text}{_RESET}" if self.color else text

    def __init__(self, out: IO[str], *, color: bool = False, quiet: bool = False) -> None:
        super().__init__(out, color=color, quiet=quiet)
        self._tails: dict[Problem, str] = {}

    def report(self, finding: Finding) -> None:
        p = finding.problem
        tail = _cached(self._tails, p, self.tail)
        if self.color:
            where = self.paint(f"{finding.file}:{finding.line}:{finding.column}:", "file")
            self.out.write(f"{where}{tail}")
        else:
            self.out.write(f"{finding.file}:{finding.line}:{finding.column}:{tail}")

    def tail(self, p: Problem) -> str:
        """What follows ``file:line:col:`` for a problem, the same wherever it is found."""
        severity = self.paint(p.severity, p.severity)
        hint = self.paint(f" (hint: {p.hint})", "hint") if p.hint else ""
        return f" {severity} {self.paint(p.code, 'code')} {p.message}{hint}\n"

    def close(self, summary: Summary) -> None:
        if self.quiet:
            return
        self.out.write(summary_line(summary) + "\n")


def summary_line(summary: Summary) -> str:
    """One sentence: what was checked, what was found."""
    files = _count(summary.files, "file")
    if summary.skipped:
        files += f"; {summary.skipped:,} skipped: not a regular file"
    if summary.not_requests:
        files += f"; {summary.not_requests:,} skipped: no requests"
    requests = _count(summary.requests, "request")
    if not summary.errors and not summary.warnings:
        return f"capspec: no problems in {requests} ({files})"
    found = [_count(summary.errors, "error")] if summary.errors else []
    if summary.warnings:
        found.append(_count(summary.warnings, "warning"))
    return f"capspec: {' and '.join(found)} in {requests} ({files})"


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


# --- GitHub workflow commands -------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    """Workflow commands: ``::error file=F,line=L,col=C,title=CODE::message``.

    GitHub turns them into annotations on the pull request's diff.
    """

    name = "github"

    def __init__(self, out: IO[str], *, color: bool = False, quiet: bool = False) -> None:
        super().__init__(out, color=color, quiet=quiet)
        self._files: dict[str, str] = {}
        self._tails: dict[Problem, str] = {}

    def report(self, finding: Finding) -> None:
        p = finding.problem
        file = _cached(self._files, finding.file, _escape_property)
        tail = _cached(self._tails, p, _github_tail)
        self.out.write(
            f"::{p.severity} file={file},line={finding.line},col={finding.column},{tail}"
        )


def _github_tail(p: Problem) -> str:
    """``title=CODE::message``, the end of a workflow command, for a problem."""
    message = f"{p.message} (hint: {p.hint})" if p.hint else p.message
    return f"title={_escape_property(p.code)}::{_escape_data(message)}\n"


# --- spooled reports: JSON and SARIF ------------------------------------------------


class _Spooled(Reporter):
    """Findings are serialised as they come and kept in a spool until the summary is known."""

    #: Findings are rendered into a batch, and the batch is spooled this many at a time.
    BATCH: ClassVar[int] = 256

    def __init__(self, out: IO[str], *, color: bool = False, quiet: bool = False) -> None:
        super().__init__(out, color=color, quiet=quiet)
        self.spool: IO[str] | None = None
        self.count = 0
        self.batch: list[str] = []

    def item(self, finding: Finding) -> str:
        """One finding as a line of JSON (without the trailing comma)."""
        raise NotImplementedError

    def report(self, finding: Finding) -> None:
        batch = self.batch
        batch.append(self.item(finding))
        self.count += 1
        if len(batch) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Spool the batch of rendered findings."""
        if not self.batch:
            return
        if self.spool is None:
            import tempfile  # noqa: PLC0415 - only when there is something to spool

            self.spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed in close()
                max_size=1 << 20,
                mode="w+",
                encoding="utf-8",
                errors="backslashreplace",
                newline="\n",
            )
        elif self.count > len(self.batch):  # findings spooled before this batch
            self.spool.write(",\n")
        self.spool.write(",\n".join(self.batch))
        self.batch = []

    def items(self, indent: str) -> None:
        """Copy the spooled findings to the output, indented."""
        self.flush()
        if self.spool is None:
            return
        spool = self.spool
        spool.seek(0)
        for line in spool:
            self.out.write(indent + line)
        self.out.write("\n")
        spool.close()
        self.spool = None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _problem_fields(p: Problem) -> str:
    """``"severity": ..., "hint": ...``: a problem's part of a finding's JSON form."""
    fields = (
        ("severity", p.severity),
        ("code", p.code),
        ("param", p.param),
        ("path", p.path),
        ("message", p.message),
        ("hint", p.hint),
    )
    return ", ".join(f'"{key}": {_dumps(value)}' for key, value in fields)


class JsonReporter(_Spooled):
    """``{"ok", "summary": {...}, "problems": [...]}``, one problem per line."""

    name = "json"

    def __init__(self, out: IO[str], *, color: bool = False, quiet: bool = False) -> None:
        super().__init__(out, color=color, quiet=quiet)
        self._strings: dict[str | None, str] = {}
        self._problems: dict[Problem, str] = {}

    def item(self, finding: Finding) -> str:
        # ``_dumps(finding.to_dict())``, assembled from pieces rendered once each: the
        # file and model names, and the problem's fields (severity to hint). The numbers
        # are ints, which an f-string writes as JSON does.
        file, document, line, column, problem, model = finding
        strings = self._strings
        problems = self._problems
        return (
            f'{{"file": {strings.get(file) or _cached(strings, file, _dumps)}, '
            f'"document": {"null" if document is None else document}, '
            f'"line": {line}, "column": {column}, '
            f"{problems.get(problem) or _cached(problems, problem, _problem_fields)}, "
            f'"model": {strings.get(model) or _cached(strings, model, _dumps)}}}'
        )

    def close(self, summary: Summary) -> None:
        counts = {
            "files": summary.files,
            "requests": summary.requests,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "skipped": summary.skipped,
            "not_requests": summary.not_requests,
        }
        self.out.write(f'{{\n  "ok": {_dumps(summary.ok)},\n  "summary": {_dumps(counts)},\n')
        if not self.count:
            self.out.write('  "problems": []\n}\n')
            return
        self.out.write('  "problems": [\n')
        self.items("    ")
        self.out.write("  ]\n}\n")


#: Every code is a SARIF rule, in a fixed order, so rule indexes never move.
RULES: Final = tuple(CODES)
_RULE_INDEX: Final = {code: index for index, code in enumerate(RULES)}


def _level(code: str) -> str:
    return "warning" if code in WARNING_CODES else "error"


_URI_SAFE: Final = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/:._-~"
)


SRCROOT: Final = "%SRCROOT%"


def _source_root() -> str:
    """What SARIF locations are relative to: the repository holding the current folder."""
    from validator.files._ignore import absolute, repository_root  # noqa: PLC0415

    here = absolute(os.getcwd())
    return repository_root(here) or here


def _artifact(file: str, root: str) -> dict[str, str]:
    """``{"uri", "uriBaseId"}`` for a file under ``root``; an absolute file URI otherwise."""
    from validator.files._ignore import absolute  # noqa: PLC0415
    from validator.files._paths import relative_to  # noqa: PLC0415

    if file == "<stdin>":
        return {"uri": "stdin"}
    path = absolute(file)
    relative = relative_to(path, root)
    if relative is None:
        return {"uri": "file://" + _uri(path)}  # _uri writes a backslash as /, as as_posix() did
    return {"uri": _uri(relative), "uriBaseId": SRCROOT}


def _uri(file: str) -> str:
    """A relative URI reference for a file name: unreserved characters kept, others %XX."""
    raw = file.replace("\\", "/").encode("utf-8", "surrogateescape")
    return "".join(chr(b) if b in _URI_SAFE else f"%{b:02X}" for b in raw)


class SarifReporter(_Spooled):
    """SARIF 2.1.0: one rule per problem code, ``ruleId`` = code, a region per result.

    Locations are URIs relative to ``%SRCROOT%`` (the repository holding the current
    folder, or the current folder), so a report made in CI matches the code scanning
    checkout. ``partialFingerprints`` let code scanning follow a problem across
    commits: a hash of the file, the code, the JSON path and the request's model,
    never the line, with a count for repeats of the same problem in one file.
    """

    name = "sarif"

    def __init__(self, out: IO[str], *, color: bool = False, quiet: bool = False) -> None:
        super().__init__(out, color=color, quiet=quiet)
        from hashlib import sha256  # noqa: PLC0415 - start-up: OpenSSL, for SARIF only

        self.sha256 = sha256
        self.root = _source_root()
        self.seen: dict[str, int] = {}
        self._artifacts: dict[str, dict[str, str]] = {}

    def item(self, finding: Finding) -> str:
        p = finding.problem
        message = f"{p.message} (hint: {p.hint})" if p.hint else p.message
        artifact = self._artifacts.get(finding.file)
        if artifact is None:
            if len(self._artifacts) >= _CACHE_SIZE:
                self._artifacts.clear()
            artifact = self._artifacts[finding.file] = _artifact(finding.file, self.root)
        key = "\0".join((artifact["uri"], p.code, p.path, finding.model or ""))
        digest = self.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        self.seen[digest] = count = self.seen.get(digest, 0) + 1
        result: dict[str, Any] = {
            "ruleId": p.code,
            "ruleIndex": _RULE_INDEX.get(p.code, 0),
            "level": p.severity,
            "message": {"text": message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact,
                        "region": {"startLine": finding.line, "startColumn": finding.column},
                    },
                    "logicalLocations": [{"fullyQualifiedName": p.path, "kind": "member"}],
                }
            ],
            "partialFingerprints": {"capspecProblem/v1": f"{digest}:{count}"},
            "properties": {
                "document": finding.document,
                "param": p.param,
                "path": p.path,
                "model": finding.model,
            },
        }
        return _dumps(result)

    def close(self, summary: Summary) -> None:
        from validator.render._rules import RULES as RULES_TEXT  # noqa: PLC0415 - SARIF only
        from validator.render._rules import help_markdown, help_text, rule_url  # noqa: PLC0415

        rules = [
            {
                "id": code,
                "name": code,
                "shortDescription": {"text": CODES[code]},
                "fullDescription": {"text": RULES_TEXT[code].explanation},
                "help": {"text": help_text(code), "markdown": help_markdown(code)},
                "helpUri": rule_url(code),
                "defaultConfiguration": {"level": _level(code)},
                "properties": {
                    "kind": "request" if code in ERROR_CODES or code in WARNING_CODES else "file",
                },
            }
            for code in RULES
        ]
        driver = {
            "name": "capspec",
            "version": __version__,
            "informationUri": "https://github.com/capspec/capspec",
            "rules": rules,
        }
        head = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
        }
        out = self.out
        out.write("{\n")
        for key, value in head.items():
            out.write(f"  {_dumps(key)}: {_dumps(value)},\n")
        out.write('  "runs": [\n    {\n')
        out.write(f'      "tool": {{"driver": {_dumps(driver)}}},\n')
        from pathlib import Path  # noqa: PLC0415 - SARIF only: not on the plain lint path

        base = {SRCROOT: {"uri": Path(self.root).as_uri() + "/"}}
        out.write(f'      "originalUriBaseIds": {_dumps(base)},\n')
        invocation = {"executionSuccessful": True, "exitCode": 0 if summary.ok else 1}
        out.write(f'      "invocations": [{_dumps(invocation)}],\n')
        if not self.count:
            out.write('      "results": []\n    }\n  ]\n}\n')
            return
        out.write('      "results": [\n')
        self.items("        ")
        out.write("      ]\n    }\n  ]\n}\n")


#: Reporters by ``--format`` name: a new format needs no change to the command line.
REPORTERS: Final[dict[str, type[Reporter]]] = {
    r.name: r for r in (TextReporter, JsonReporter, GithubReporter, SarifReporter)
}

"""``capspec lint`` and ``capspec normalize``: payload files in, reports or requests out."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import IO, TYPE_CHECKING, Any

import click

from validator.cli._common import EXIT_OK, EXIT_PROBLEMS, SPEC_HELP, load_spec_or_exit

if TYPE_CHECKING:
    from collections.abc import Iterator

    from validator._files import AtomicWriter
    from validator._payloads import Source
    from validator._report import Finding, Reporter
    from validator._spec import Spec

_FORMATS = ["text", "json", "github", "sarif"]
_POLICIES = ["strict", "drop", "fix"]
_POLICY_HELP = (
    "strict: report every problem; drop: remove parameters the model does not take "
    "(each a warning); fix: drop, and repair what has one clear repair (each a warning)."
)


def _stream(name: str) -> IO[str]:
    """Standard output or error as UTF-8 text that never fails on an odd character."""
    stream: IO[str] = getattr(sys, name)
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(encoding="utf-8", errors="backslashreplace")
    return stream


def _stdin() -> IO[bytes]:
    """Standard input as bytes: payloads are decoded (and checked) as UTF-8 by capspec."""
    buffer: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer
    import io  # noqa: PLC0415

    return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))


def _use_color(stream: IO[str]) -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org); FORCE_COLOR forces."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def _spec(spec_path: str | None) -> Spec:
    return load_spec_or_exit(spec_path)


@contextlib.contextmanager
def _closed_pipe() -> Iterator[None]:
    """``capspec lint ... | head``: a reader that stops early is not an error of ours."""
    try:
        yield
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_PROBLEMS)


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(_FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for programs, github for workflow annotations, "
    "sarif for code scanning.",
)
@click.option(
    "--policy", type=click.Choice(_POLICIES), default="strict", show_default=True, help=_POLICY_HELP
)
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP)
@click.option("--warnings-as-errors", is_flag=True, help="Exit 1 when there are warnings, too.")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="text and github: print only errors (and warnings with --warnings-as-errors), "
    "no summary line. json and sarif always hold everything.",
)
def lint(  # noqa: PLR0917 - click passes each option as an argument
    paths: tuple[str, ...],
    fmt: str,
    policy: str,
    spec_path: str | None,
    warnings_as_errors: bool,
    quiet: bool,
) -> None:
    """Check request payload files against the capability spec.

    PATH is a file, a directory (searched recursively for *.json, *.jsonl,
    *.ndjson, *.yaml and *.yml; hidden directories are skipped) or - for
    standard input (JSON, JSONL or YAML, told apart by content).

    \b
    A .json file holds one request or an array of requests; .jsonl and .ndjson
    one request per line (streamed: any size, constant memory); YAML one or more
    documents, each a request or a list of requests, read as YAML 1.2
    (aspect_ratio: 16:9 is the string "16:9"). Every problem is located by file,
    line and column, and by document: the 0-based index of the request in its file.

    \b
    A file that cannot be used is a problem of that file, and the other files are
    still checked: invalid_json, invalid_yaml, invalid_encoding (not UTF-8),
    empty_file, duplicate_key (a key repeated in one object), unreadable_file.

    \b
    Examples:
      capspec lint request.json
      capspec lint payloads/ --format github      # annotations in GitHub Actions
      capspec lint batch.jsonl --format json | jq '.problems[] | select(.severity == "error")'
      capspec lint --policy drop payloads/        # what would still fail after dropping
      cat request.json | capspec lint -

    \b
    Exit codes: 0 no errors, 1 errors (or warnings with --warnings-as-errors),
    2 usage error.
    """
    from validator._linter import Linter  # noqa: PLC0415
    from validator._payloads import collect  # noqa: PLC0415
    from validator._report import REPORTERS  # noqa: PLC0415

    spec = _spec(spec_path)
    linter = Linter(spec, policy=policy, warnings_as_errors=warnings_as_errors)  # type: ignore[arg-type]
    out = _stream("stdout")
    reporter = REPORTERS[fmt](out, color=fmt == "text" and _use_color(out), quiet=quiet)
    hide_warnings = quiet and not warnings_as_errors and fmt in {"text", "github"}
    stdin = _stdin()
    with _closed_pipe():
        for source in collect(paths):
            for finding in linter.lint(source, stdin=stdin):
                if hide_warnings and finding.problem.severity == "warning":
                    continue
                reporter.report(finding)
        summary = linter.summary()
        reporter.close(summary)
        out.flush()
    if summary.files == 0 and not quiet:
        click.echo(
            "capspec: no payload files (*.json, *.jsonl, *.ndjson, *.yaml, *.yml) found", err=True
        )
    sys.exit(EXIT_OK if summary.ok else EXIT_PROBLEMS)


# --- normalize --------------------------------------------------------------------------


def _dump_json(value: Any, *, indent: int | None) -> str | None:
    """JSON text of a value; None when it has no JSON form (a huge integer from YAML)."""
    import json  # noqa: PLC0415

    try:
        text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: only an escape can carry it
            text = json.dumps(value, indent=indent, ensure_ascii=True, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return None
    return text


class _Normalizer:
    """Normalizes the requests of one source and renders them in the source's shape."""

    def __init__(self, spec: Spec, policy: str, problems: Reporter, *, quiet: bool) -> None:
        self.spec = spec
        self.policy = policy
        self.problems = problems
        self.quiet = quiet
        self.errors = 0
        self.files = 0
        self.requests = 0
        self.warnings = 0

    def emit(self, findings: list[Finding]) -> bool:
        """Report findings on standard error; True when one is an error."""
        error = False
        for finding in findings:
            if finding.problem.severity == "error":
                error = True
                self.errors += 1
            else:
                self.warnings += 1
                if self.quiet:
                    continue
            self.problems.report(finding)
        return error

    def requests_of(self, source: Source, stdin: IO[bytes]) -> Iterator[tuple[Any, Any, bool]]:
        """(item, normalized value, has errors) for each request; (broken, None, True) else."""
        from validator import normalize  # noqa: PLC0415
        from validator._linter import broken_finding, locate  # noqa: PLC0415
        from validator._payloads import Broken, Request, read  # noqa: PLC0415

        self.files += 1
        for item in read(source, stdin=stdin):
            if isinstance(item, Broken):
                self.emit([broken_finding(source.name, item)])
                yield item, None, True
                continue
            assert isinstance(item, Request)
            self.requests += 1
            result = normalize(item.value, policy=self.policy, spec=self.spec)  # type: ignore[arg-type]
            found = locate(source.name, item, result.problems)
            error = self.emit(found)
            value = result.request if type(item.value) is dict else item.value
            yield item, value, error

    def run(self, source: Source, out: IO[str], stdin: IO[bytes], *, write: bool) -> None:
        """Normalize one source: print it, or rewrite it in place when nothing is wrong."""
        if source.kind == "jsonl":
            self.jsonl(source, out, write=write)
            return
        from validator._payloads import Broken  # noqa: PLC0415

        groups: dict[int, Any] = {}
        failed = False
        unwritable = False
        for item, value, error in self.requests_of(source, stdin):
            failed = failed or error
            if isinstance(item, Broken):
                continue
            origin = item.origin
            if origin.kind == "jsonl":  # JSONL on standard input: printed line by line
                line = _dump_json(value, indent=None)
                if line is not None:
                    out.write(line + "\n")
                continue
            if origin.prefix:
                groups.setdefault(origin.group, []).append(value)
            else:
                groups[origin.group] = value
        if source.kind in {"yaml", "auto"}:
            shown = self.yaml_as_json(groups)
        else:
            shown = _dump_json(groups[0], indent=2) if 0 in groups else None
        if shown is None and groups:
            unwritable = True
            self.emit([self._unwritable(source)])
        if not write or source.path is None:
            if shown is not None:
                out.write(shown + "\n")
            return
        if failed or unwritable or not groups:
            self._not_written(source)
            return
        text = self.yaml_text(source, groups) if source.kind == "yaml" else f"{shown}\n"
        if text is None:
            self.emit([self._unwritable(source)])
            return
        self._replace(source, text)

    @staticmethod
    def yaml_as_json(groups: dict[int, Any]) -> str | None:
        """YAML input is printed as JSON: one object, or an array of every request."""
        if not groups:
            return None
        if len(groups) == 1:
            (only,) = groups.values()
            return _dump_json(only, indent=2)
        flat: list[Any] = []
        for value in groups.values():
            if isinstance(value, list):
                flat.extend(value)
            else:
                flat.append(value)
        return _dump_json(flat, indent=2)

    @staticmethod
    def yaml_text(source: Source, groups: dict[int, Any]) -> str | None:
        """YAML documents again, in their shape; the file's leading comment block is kept."""
        import yaml  # noqa: PLC0415

        assert source.path is not None
        header = []
        for line in source.path.read_text(encoding="utf-8-sig").splitlines():
            if not line.startswith("#"):
                break
            header.append(line + "\n")
        try:
            body = yaml.safe_dump_all(
                list(groups.values()),
                sort_keys=False,
                allow_unicode=True,
                default_flow_style=False,
                explicit_start=len(groups) > 1,
                width=1 << 30,
            )
        except (yaml.YAMLError, ValueError, TypeError, RecursionError):
            return None
        return "".join(header) + body

    def jsonl(self, source: Source, out: IO[str], *, write: bool) -> None:
        """JSONL: streamed, one normalized line per request line."""
        from validator._payloads import Broken  # noqa: PLC0415

        writer = None
        if write and source.path is not None and source.error is None:
            writer = self._writer(source)
            if writer is None:
                return
        target: Any = writer if writer is not None else out
        failed = False
        changed = False
        try:
            for item, value, error in self.requests_of(source, _stdin()):
                failed = failed or error
                if isinstance(item, Broken):
                    continue
                line = _dump_json(value, indent=None)
                if line is None:
                    failed = True
                    self.emit([self._unwritable(source)])
                    continue
                changed = changed or line != getattr(item.origin, "text", "").rstrip("\r\n")
                target.write(line + "\n")
        except OSError as exc:
            if writer is None:
                raise
            writer.abort()
            self._write_failed(source, exc)
            return
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        if writer is None:
            return
        if failed:
            writer.abort()
            self._not_written(source)
        elif not changed:
            writer.abort()
        else:
            self._commit(source, writer)

    def _writer(self, source: Source) -> AtomicWriter | None:
        """A writer beside the file, or None (reported) when the directory is not writable."""
        from validator._files import AtomicWriter  # noqa: PLC0415

        assert source.path is not None
        try:
            return AtomicWriter(source.path)
        except OSError as exc:
            self._write_failed(source, exc)
            return None

    def _commit(self, source: Source, writer: AtomicWriter) -> None:
        try:
            writer.commit()
        except OSError as exc:  # the original is intact: commit renames only a complete file
            self._write_failed(source, exc)

    def _write_failed(self, source: Source, exc: OSError) -> None:
        from validator._problem import Problem  # noqa: PLC0415
        from validator._report import Finding  # noqa: PLC0415

        why = (exc.strerror or str(exc)).lower()
        problem = Problem(
            "unreadable_file", "error", None, "$", f"cannot rewrite {source.name}: {why}"
        )
        self.emit([Finding(source.name, None, 1, 1, problem, None)])
        click.echo(f"capspec: {source.name} not rewritten: it is unchanged", err=True)

    def _replace(self, source: Source, text: str) -> None:
        assert source.path is not None
        try:
            if source.path.read_text(encoding="utf-8-sig") == text:
                return
        except (OSError, UnicodeDecodeError):
            pass
        writer = self._writer(source)
        if writer is None:
            return
        try:
            writer.write(text)
        except OSError as exc:
            writer.abort()
            self._write_failed(source, exc)
            return
        except BaseException:
            writer.abort()
            raise
        self._commit(source, writer)

    def _not_written(self, source: Source) -> None:
        if source.path is not None:
            click.echo(f"capspec: {source.name} not rewritten: errors remain", err=True)

    @staticmethod
    def _unwritable(source: Source) -> Finding:
        from validator._problem import Problem  # noqa: PLC0415
        from validator._report import Finding  # noqa: PLC0415

        problem = Problem(
            "invalid_value",
            "error",
            None,
            "$",
            "the normalized request has no JSON form (a number too large, NaN or infinity)",
        )
        return Finding(source.name, None, 1, 1, problem, None)


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--policy", type=click.Choice(_POLICIES), default="strict", show_default=True, help=_POLICY_HELP
)
@click.option(
    "--write",
    "-w",
    is_flag=True,
    help="Rewrite each file in place (atomically) instead of printing; a file with "
    "errors, or that cannot be parsed, is never rewritten.",
)
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP)
@click.option("--quiet", "-q", is_flag=True, help="Print errors only on standard error.")
def normalize(
    paths: tuple[str, ...], policy: str, write: bool, spec_path: str | None, quiet: bool
) -> None:
    """Print requests as they should be sent: defaults filled, and the policy applied.

    The output has the input's shape: one JSON object for a .json file holding one
    request, an array for an array, one line per request for .jsonl. YAML input is
    printed as JSON (one object, or an array of all its requests); with --write a
    YAML file is rewritten as YAML, in its shape, keeping its leading comment lines
    (other comments are lost).

    Problems go to standard error in the format of `capspec lint`. Without --write,
    give one PATH (or - for standard input).

    \b
    Examples:
      capspec normalize request.json
      capspec normalize --policy fix request.json > fixed.json
      capspec normalize --policy drop --write payloads/
      capspec normalize batch.jsonl | head -1

    \b
    Exit codes: 0 no errors remain, 1 errors remain (files with errors are not
    rewritten), 2 usage error.
    """
    from validator._payloads import collect  # noqa: PLC0415
    from validator._report import TextReporter  # noqa: PLC0415

    sources = list(collect(paths))
    if not write and (len(paths) != 1 or len(sources) > 1):
        raise click.UsageError(
            "without --write, normalize takes one file (or -); use --write for several"
        )
    if write and any(p == "-" for p in paths):
        raise click.UsageError("--write rewrites files; standard input (-) cannot be rewritten")
    spec = _spec(spec_path)
    err = _stream("stderr")
    out = _stream("stdout")
    runner = _Normalizer(spec, policy, TextReporter(err, color=_use_color(err)), quiet=quiet)
    stdin = _stdin()
    with _closed_pipe():
        for source in sources:
            runner.run(source, out, stdin, write=write)
        out.flush()
        err.flush()
    sys.exit(EXIT_PROBLEMS if runner.errors else EXIT_OK)

"""``capspec lint`` and ``capspec normalize``: payload files in, reports or requests out."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import IO, TYPE_CHECKING, Any

import click

from validator._sources import DEFAULT_MAX_SIZE, format_size
from validator.cli._common import EXIT_OK, EXIT_PROBLEMS, SPEC_HELP, load_spec_or_exit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from validator._spec import Spec

_FORMATS = ["text", "json", "github", "sarif"]
_POLICIES: list[str] = ["strict", "drop", "fix"]
_POLICY_HELP = (
    "strict: report every problem; drop: remove parameters the model does not take "
    "(each a warning); fix: drop, and repair what has one clear repair (each a warning)."
)
_MAX_SIZE_HELP = (
    "The most payload text read at once: a whole .json or YAML file, or one JSONL line "
    "(64MiB, 500KB, 1048576; default 64MiB). Larger ones are too_large problems, found "
    "without reading them."
)


def _size(ctx: click.Context, param: click.Parameter, value: Any) -> int:
    """--max-size: bytes from 65536, 64MiB or 64M (2**20), 64MB (10**6)."""
    if isinstance(value, int):
        return value
    from validator._sources import parse_size  # noqa: PLC0415

    try:
        return parse_size(str(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


_max_size_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--max-size",
    metavar="SIZE",
    callback=_size,
    default=format_size(DEFAULT_MAX_SIZE).replace(" ", ""),
    envvar="CAPSPEC_MAX_SIZE",
    show_envvar=True,
    help=_MAX_SIZE_HELP,
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
@_max_size_option
def lint(  # noqa: PLR0917 - click passes each option as an argument
    paths: tuple[str, ...],
    fmt: str,
    policy: str,
    spec_path: str | None,
    warnings_as_errors: bool,
    quiet: bool,
    max_size: int,
) -> None:
    """Check request payload files against the capability spec.

    PATH is a file, a directory (searched recursively for *.json, *.jsonl,
    *.ndjson, *.yaml and *.yml; hidden directories are skipped) or - for
    standard input (JSON, JSONL or YAML, told apart by content). Only regular
    files are read: a FIFO, socket or device named as PATH is an unreadable_file
    problem; one met in a directory is skipped, never opened, and counted in the
    summary. A file reached twice (named twice, or by name and by directory) is
    checked once. Problems are printed by file, line and column.

    \b
    A .json file holds one request or an array of requests; .jsonl and .ndjson
    one request per line (streamed: any size, constant memory); YAML one or more
    documents, each a request or a list of requests, read as YAML 1.2
    (aspect_ratio: 16:9 is the string "16:9"). Every problem is located by file,
    line and column, and by document: the 0-based index of the request in its file.

    \b
    A file that cannot be used is a problem of that file, and the other files are
    still checked: invalid_json, invalid_yaml, invalid_encoding (not UTF-8),
    empty_file, duplicate_key (a key repeated in one object), unreadable_file,
    too_large (a file, or one JSONL line, over --max-size).

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
    from validator._report import REPORTERS  # noqa: PLC0415
    from validator._sources import collect  # noqa: PLC0415

    spec = _spec(spec_path)
    linter = Linter(
        spec,
        policy=policy,  # type: ignore[arg-type]
        warnings_as_errors=warnings_as_errors,
        max_size=max_size,
    )
    out = _stream("stdout")
    reporter = REPORTERS[fmt](out, color=fmt == "text" and _use_color(out), quiet=quiet)
    hide_warnings = quiet and not warnings_as_errors and fmt in {"text", "github"}
    stdin = _stdin()
    collected = collect(paths)
    linter.skipped = collected.skipped
    with _closed_pipe():
        for source in collected.sources:
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

"""``capspec lint``: payload files in, located problems out."""

from __future__ import annotations

import sys

import click

from validator.cli._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    POLICIES,
    POLICY_HELP,
    SPEC_HELP,
    closed_pipe,
    load_spec_or_exit,
    max_size_option,
    migration,
    stdin_bytes,
    stream,
    use_color,
)

_FORMATS = ["text", "json", "github", "sarif"]


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
    "--policy", type=click.Choice(POLICIES), default="strict", show_default=True, help=POLICY_HELP
)
@click.option(
    "--migrate-to",
    metavar="MODEL",
    help="Preview a migration: report what `capspec migrate --to MODEL` would change and "
    "what would still fail on MODEL, rewriting nothing. 'successor' moves each request "
    "to its recorded successor.",
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
@max_size_option
def lint(  # noqa: PLR0917 - click passes each option as an argument
    paths: tuple[str, ...],
    fmt: str,
    policy: str,
    migrate_to: str | None,
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
      capspec lint --migrate-to successor payloads/   # what would fail after migrating
      cat request.json | capspec lint -

    \b
    Exit codes: 0 no errors, 1 errors (or warnings with --warnings-as-errors),
    2 usage error.
    """
    from validator._linter import Linter  # noqa: PLC0415
    from validator._report import REPORTERS  # noqa: PLC0415
    from validator._sources import collect  # noqa: PLC0415

    if migrate_to is not None and policy != "strict":
        raise click.UsageError("--migrate-to previews a migration; use it without --policy")
    spec = load_spec_or_exit(spec_path)
    rewrite = None
    if migrate_to is not None:
        to = None if migrate_to == "successor" else migrate_to
        rewrite = migration(spec, to, "--migrate-to")
    linter = Linter(
        spec,
        policy=policy,  # type: ignore[arg-type]
        warnings_as_errors=warnings_as_errors,
        max_size=max_size,
        rewrite=rewrite,
    )
    out = stream("stdout")
    reporter = REPORTERS[fmt](out, color=fmt == "text" and use_color(out), quiet=quiet)
    hide_warnings = quiet and not warnings_as_errors and fmt in {"text", "github"}
    stdin = stdin_bytes()
    collected = collect(paths)
    linter.skipped = collected.skipped
    with closed_pipe():
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

"""``capspec lint``: payload files in, located problems out."""

from __future__ import annotations

import click

from validator.cli._common import (
    POLICIES,
    POLICY_HELP,
    SPEC_HELP,
    codes_option,
    config_options,
    format_option,
    max_size_option,
)

_JOBS_ALLOWED = "a number of processes (1 or more), or 0 or auto for one per CPU"


def jobs_option(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """``--jobs N``: N >= 1, or 0 / auto (one per CPU, resolved later); None when not given."""
    if value is None:
        return None
    text = value.strip().lower()
    if text == "auto":
        return 0
    try:
        jobs = int(text, 10)
    except ValueError:
        jobs = -1
    if jobs < 0:
        from validator._problem import quote  # noqa: PLC0415

        raise click.BadParameter(f"{quote(value)} is not {_JOBS_ALLOWED}", ctx, param)
    return jobs


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@format_option("text", "json", "github", "sarif")
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    help=f"{POLICY_HELP} [default: strict, or the configuration's]",
)
@click.option(
    "--migrate-to",
    metavar="MODEL",
    help="Preview a migration: report what `capspec migrate --to MODEL` would change and "
    "what would still fail on MODEL, rewriting nothing. 'successor' moves each request "
    "to its recorded successor.",
)
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP)
@click.option(
    "--warnings-as-errors/--no-warnings-as-errors",
    default=None,
    help="Exit 1 when there are warnings, too.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="text and github: print only errors (and warnings with --warnings-as-errors), "
    "no summary line. json and sarif always hold everything.",
)
@max_size_option
@click.option(
    "--select",
    "cli_select",
    multiple=True,
    metavar="CODES",
    callback=codes_option,
    help="Report only these problem codes (comma-separated, repeatable; ALL for all).",
)
@click.option(
    "--ignore",
    "cli_ignore",
    multiple=True,
    metavar="CODES",
    callback=codes_option,
    help="Do not report these problem codes (comma-separated, repeatable).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option(
    "--statistics",
    is_flag=True,
    help="text: print how many problems of each code, not each problem.",
)
@click.option(
    "--output-file",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=False),
    help="Write the report to this file (replaced whole when done, never half-written).",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Judge files named on the command line as files found in a folder: "
    "leave out excluded and git-ignored ones, and those holding no request "
    "(for pre-commit).",
)
@config_options
@click.option(
    "--jobs",
    "-j",
    metavar="N",
    callback=jobs_option,
    help="Lint in N processes: big JSONL files are cut into ranges, other files shared "
    "out; the report is the same as one process's. 0 or auto: one per CPU. "
    "[default: 1, or the configuration's]",
)
def lint(  # noqa: PLR0917 - click passes each option as an argument
    paths: tuple[str, ...],
    fmt: str,
    policy: str | None,
    migrate_to: str | None,
    spec_path: str | None,
    warnings_as_errors: bool | None,
    quiet: bool,
    max_size: int,
    cli_select: tuple[str, ...] | None,
    cli_ignore: tuple[str, ...] | None,
    exit_zero: bool,
    statistics: bool,
    output_file: str | None,
    force_exclude: bool,
    config_path: str | None,
    isolated: bool,
    jobs: int | None,
) -> None:
    """Check request payload files against the capability spec.

    With no PATH, the current folder is checked (as `capspec lint .`).
    PATH is a file, a directory (searched recursively for *.json, *.jsonl,
    *.ndjson, *.yaml and *.yml; hidden directories are skipped) or - for
    standard input (JSON, JSONL or YAML, told apart by content). Only regular
    files are read: a FIFO, socket or device named as PATH is an unreadable_file
    problem; one met in a directory is skipped, never opened, and counted in the
    summary. A file reached twice (named twice, or by name and by directory) is
    checked once. Problems are printed by file, line and column.

    \b
    A file found in a directory (or named under --force-exclude) is checked only
    when it holds requests: an object, or a list of objects, with a model key (or
    with prompt and another image parameter), or a path matched by include.
    package.json, tsconfig.json, workflows and the like are skipped and counted.
    .gitignore and exclude leave files out of the walk.

    \b
    Settings come from capspec.toml or [tool.capspec] in pyproject.toml (the
    nearest above the current folder; capspec.toml first): select, ignore,
    per-file-ignores, include, exclude, policy, warnings-as-errors, spec, jobs.
    The command line wins. A bad setting exits 2 naming the file and line.

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
      capspec lint . --ignore not_recommended --statistics
      capspec lint -j auto logs/requests.jsonl    # a big log on every CPU

    \b
    Exit codes: 0 no errors (or --exit-zero), 1 errors (or warnings with
    --warnings-as-errors), 2 usage or configuration error.
    """
    from validator.cli._lintmain import lint_paths  # noqa: PLC0415

    lint_paths(
        paths,
        fmt=fmt,
        policy=policy,
        migrate_to=migrate_to,
        spec_path=spec_path,
        warnings_as_errors=warnings_as_errors,
        quiet=quiet,
        max_size=max_size,
        cli_select=cli_select,
        cli_ignore=cli_ignore,
        exit_zero=exit_zero,
        statistics=statistics,
        output_file=output_file,
        force_exclude=force_exclude,
        config_path=config_path,
        isolated=isolated,
        jobs=jobs,
    )

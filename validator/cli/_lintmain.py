"""``capspec lint`` with its options settled: the command's work, without click.

The click command (``_lint.py``) parses the options and calls :func:`lint_paths`;
so does the plain ``capspec lint FILE...`` (``validator/cli/_fast.py``), which
starts without importing click. Each keyword's default is the option's default,
and a test holds the two equal.
"""

from __future__ import annotations

import sys

from validator.cli._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    echo,
    fail,
    filters,
    load_config_or_exit,
    load_spec_or_exit,
    migration,
)
from validator.files._sources import DEFAULT_MAX_SIZE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn


def lint_paths(  # noqa: PLR0917 - the command's options, one each
    paths: tuple[str, ...],
    fmt: str = "text",
    policy: str | None = None,
    migrate_to: str | None = None,
    spec_path: str | None = None,
    warnings_as_errors: bool | None = None,
    quiet: bool = False,
    max_size: int = DEFAULT_MAX_SIZE,
    cli_select: tuple[str, ...] | None = None,
    cli_ignore: tuple[str, ...] | None = None,
    exit_zero: bool = False,
    statistics: bool = False,
    output_file: str | None = None,
    force_exclude: bool = False,
    config_path: str | None = None,
    isolated: bool = False,
    jobs: int | None = None,
) -> NoReturn:
    """Lint ``paths`` and exit 0, 1 or 2 (see ``capspec lint --help``)."""
    from validator.cli._lintrun import report_to, run  # noqa: PLC0415
    from validator.files._config import RuleFilter  # noqa: PLC0415
    from validator.files._sources import collect  # noqa: PLC0415
    from validator.lint._linter import Linter  # noqa: PLC0415

    if statistics and fmt != "text":
        fail("--statistics counts problems in text; leave out --format, or --statistics")
    if migrate_to is not None and policy not in {None, "strict"}:
        import click  # noqa: PLC0415 - only on this usage error

        raise click.UsageError("--migrate-to previews a migration; use it without --policy")
    paths = paths or (".",)
    config = load_config_or_exit(config_path, isolated=isolated)
    spec = load_spec_or_exit(spec_path or config.spec)
    rewrite = None
    if migrate_to is not None:
        to = None if migrate_to == "successor" else migrate_to
        rewrite = migration(spec, to, "--migrate-to")
        policy = "strict"
    select = cli_select if cli_select is not None else config.select
    ignore = {*config.ignore} - {*(cli_select or ())} | {*(cli_ignore or ())}
    rules = RuleFilter(config.base, select, tuple(sorted(ignore)), config.per_file_ignores)
    if warnings_as_errors is None:
        warnings_as_errors = bool(config.warnings_as_errors)
    linter = Linter(
        spec,
        policy=policy or config.policy or "strict",  # type: ignore[arg-type]
        warnings_as_errors=warnings_as_errors,
        max_size=max_size,
        rewrite=rewrite,
        rules=rules,
    )
    collected = collect(paths, filters(config, force_exclude=force_exclude))
    linter.skipped = collected.skipped
    with report_to(output_file) as out:
        summary = run(
            linter,
            collected.sources,
            out,
            fmt,
            quiet=quiet,
            statistics=statistics,
            jobs=resolve_jobs(jobs if jobs is not None else config.jobs),
        )
    if summary.files == 0 and not quiet:
        skipped = ""
        if summary.not_requests:
            skipped = f" ({summary.not_requests:,} holding no request skipped)"
        echo(
            "capspec: no payload files (*.json, *.jsonl, *.ndjson, *.yaml, *.yml) found" + skipped,
            err=True,
        )
    sys.exit(EXIT_OK if summary.ok or exit_zero else EXIT_PROBLEMS)


def resolve_jobs(jobs: int | None) -> int:
    """How many processes: 0 means one per CPU; None (not set anywhere) means one."""
    if jobs is None:
        return 1
    if jobs == 0:
        from validator.lint._parallel import cpu_count  # noqa: PLC0415

        return cpu_count()
    return jobs

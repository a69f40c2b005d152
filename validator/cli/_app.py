"""The click application: options become plain arguments; the library does the work.

Exit codes, for every command: 0 clean; 1 findings (problems found, or stale output);
2 usage or configuration error (see ``validator/cli/_common.py``).
"""

from __future__ import annotations

from pathlib import Path

import click

from validator._version import __version__
from validator.cli._common import (
    EXIT_PROBLEMS,
    SPEC_HELP,
    fail,
    load_spec_or_exit,
    stale_message,
)

# The other commands live in their own modules, imported when a command line names one
# (or when --help lists them all): `capspec lint --format json x` imports no other
# command's module.
_LAZY: dict[str, str] = {
    "docs": "validator.cli._docs",  # models, explain, table, docs: the spec for people
    "drift": "validator.cli._drift",  # the spec against Together's listing and OpenAPI
    "explain": "validator.cli._docs",
    "lint": "validator.cli._lint",
    "migrate": "validator.cli._migrate",
    "models": "validator.cli._docs",
    "normalize": "validator.cli._normalize",
    "rule": "validator.cli._rule",  # a problem code explained (render/_rules.py)
    "table": "validator.cli._docs",
}


class _LazyGroup(click.Group):
    """click's lazily loading group (its documentation's ``LazyGroup`` pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY:
            self._load(cmd_name)
        command = super().get_command(ctx, cmd_name)
        if command is None:  # a name of no command: click's "did you mean" looks at them all
            for name in _LAZY:
                self._load(name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """click's, but an unknown command is answered with the near ones on every click.

        click suggests a near command itself only from 8.4 (``NoSuchCommand``); the
        floor is 8.2, so the suggestion is made here, worded as click 8.4 words it.
        """
        name = click.utils.make_str(args[0])
        if (
            name[:1].isalnum()  # click reparses an option-like name (``--help``) itself
            and not ctx.resilient_parsing
            and ctx.token_normalize_func is None
            and self.get_command(ctx, name) is None
        ):
            raise click.UsageError(_no_such_command(name, self.list_commands(ctx)), ctx)
        return super().resolve_command(ctx, args)

    def _load(self, cmd_name: str) -> None:
        if cmd_name not in self.commands:
            from importlib import import_module  # noqa: PLC0415

            command = getattr(import_module(_LAZY[cmd_name]), cmd_name)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)


def _no_such_command(name: str, commands: list[str]) -> str:
    """``No such command 'lnt'. Did you mean 'lint'?``, as click 8.4 and later say it."""
    from difflib import get_close_matches  # noqa: PLC0415 - only for a mistyped command

    from validator._problem import quote  # noqa: PLC0415 - cut to a readable length

    message = f"No such command {quote(name)}."
    near = sorted(get_close_matches(name, commands))
    if not near:
        return message
    listed = ", ".join(quote(n) for n in near)
    if len(near) == 1:
        return f"{message} Did you mean {listed}?"
    return f"{message} (Did you mean one of: {listed}?)"


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="capspec")
def cli() -> None:
    """Check Together AI image-generation requests before you send them.

    capspec knows, model by model, which parameters the API takes, their types,
    bounds and defaults (the capability spec). Lint request payloads in CI,
    normalize them, move them off retired models (migrate), or generate schemas
    and documentation from the same data.

    \b
    Exit codes, for every command:
      0  clean
      1  findings: problems in the requests, or generated files that are stale
      2  usage or configuration error: a bad option, a spec that cannot be
         loaded, an unknown model name, output that cannot be written
    """


@cli.command()
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="schemas",
    show_default=True,
    help="Directory to write the schemas to.",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 and name the files that are stale."
)
def schemas(spec_path: str | None, out_dir: str, check: bool) -> None:
    """Generate one JSON Schema (draft 2020-12) per model, and an index schema.

    \b
    Examples:
      capspec schemas                     # regenerate ./schemas from the bundled spec
      capspec schemas --spec capabilities.yaml --out schemas --check
    """
    from validator._problem import plural  # noqa: PLC0415
    from validator.render import _schemagen  # noqa: PLC0415

    spec = load_spec_or_exit(spec_path)
    out = Path(out_dir)
    if check:
        stale = _schemagen.stale(spec, out)
        for name, why in stale:
            click.echo(f"{out / name}: {why}", err=True)
        if stale:
            message = stale_message(len(stale), len(spec.models) + 1, "schema file")
            fail(f"{message}; run `capspec schemas --out {out}`", EXIT_PROBLEMS)
        click.echo(f"{out}: all {plural(len(spec.models) + 1, 'schema')} are up to date")
        return
    try:
        changed = _schemagen.write(spec, out)
    except OSError as exc:
        fail(f"cannot write {exc.filename or out}: {exc.strerror or exc}")
    click.echo(
        f"{out}: {plural(len(changed), 'file')} written or removed, "
        f"{len(spec.models) + 1} schemas in all"
    )

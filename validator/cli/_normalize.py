"""``capspec normalize``: requests as they should be sent, printed, rewritten or checked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from validator.cli._common import POLICIES, POLICY_HELP, rewrite_options
from validator.cli._rewrite import run

if TYPE_CHECKING:
    from collections.abc import Callable

    from validator.check._normalize import Normalized
    from validator.files._config import Config
    from validator.spec._spec import Spec


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--policy",
    type=click.Choice(POLICIES),
    help=f"{POLICY_HELP} [default: strict, or the configuration's]",
)
@rewrite_options
def normalize(paths: tuple[str, ...], policy: str | None, **options: Any) -> None:
    """Print requests as they should be sent: defaults filled, and the policy applied.

    The output has the input's shape: one JSON object for a .json file holding one
    request, an array for an array, one line per line for .jsonl (a blank line, an
    unchanged request or a line that cannot be normalized is printed as it is, so
    line numbers match the input). YAML input is printed as JSON (one object, or an
    array of all its requests); with --write a YAML file is rewritten as YAML, in
    its shape, keeping its leading comment lines (other comments are lost).

    \b
    --write, --check and --diff take files and directories, like `capspec lint`.
    A file is rewritten only when a request's value changes (a filled default, a
    dropped or repaired parameter), never for formatting alone: a file already
    normalized is left byte for byte, and in JSONL only changed lines are
    replaced. Each rewritten file is named on standard error ("rewrote X"; with
    --check, "would rewrite X"), then a summary line.

    Like `capspec lint`, it reads capspec.toml or [tool.capspec] (spec, policy,
    include, exclude) and honours .gitignore; a file found in a folder is
    rewritten only when it holds requests (package.json is skipped and counted).

    Problems go to standard error in the format of `capspec lint`. Without --write,
    --check or --diff, give one PATH (or - for standard input).

    \b
    Examples:
      capspec normalize request.json
      capspec normalize --policy fix request.json > fixed.json
      capspec normalize --policy drop --write payloads/
      capspec normalize --check payloads/       # in CI: is everything normalized?
      capspec normalize --diff batch.jsonl      # what --write would change
      capspec normalize batch.jsonl | head -1

    \b
    Exit codes: 0 no errors remain (and, with --check or --diff, nothing to
    rewrite), 1 errors remain (files with errors are not rewritten) or, with
    --check or --diff, a file would be rewritten, 2 usage error.
    """
    from functools import partial  # noqa: PLC0415

    from validator import normalize as normalize_request  # noqa: PLC0415

    def rewrite_for(spec: Spec, config: Config) -> Callable[[Any], Normalized]:
        chosen = policy or config.policy or "strict"
        return partial(normalize_request, policy=chosen, spec=spec)  # type: ignore[arg-type]

    run(paths, rewrite_for, command="normalize", done="normalized", **options)

"""``capspec migrate``: requests moved off retired models, printed, rewritten or checked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from validator.cli._common import migration, rewrite_options
from validator.cli._rewrite import run

if TYPE_CHECKING:
    from collections.abc import Callable

    from validator.check._normalize import Normalized
    from validator.files._config import Config
    from validator.spec._spec import Spec


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--to",
    "to",
    metavar="MODEL",
    help="Move every request to this model id. Default: each request's recorded "
    "successor (a request on a model without one is left as it is).",
)
@rewrite_options
def migrate(paths: tuple[str, ...], to: str | None, **options: Any) -> None:
    """Rewrite requests for another model: off retired models, onto their successors.

    Each request moves to --to MODEL, or to its model's recorded successor
    (`capspec explain MODEL` shows it). The parameters come along by the
    migration rules of the capability spec, each change a warning that names its
    rule: old names renamed; image_url and reference_images swapped for a model
    that takes the other; a source model's default steps not carried; width and
    height to the nearest aspect_ratio and back, onto a size menu or into a
    pixel-area window; numbers clamped; parameters the target refuses dropped,
    parameters it ignores kept (a warning). The target's defaults are filled.

    Input and output are those of `capspec normalize`: one JSON object or an
    array, JSONL (streamed, one line per line), YAML (printed as JSON, rewritten
    as YAML), or - for standard input. To see what would fail on a model without
    rewriting anything, use `capspec lint --migrate-to MODEL`.

    Like `capspec lint`, it reads capspec.toml or [tool.capspec] (spec, include,
    exclude) and honours .gitignore; a file found in a folder is rewritten only
    when it holds requests.

    \b
    Examples:
      capspec migrate request.json                      # onto its successor
      capspec migrate --to black-forest-labs/FLUX.2-pro batch.jsonl > moved.jsonl
      capspec migrate --diff payloads/                  # what --write would change
      capspec migrate --write payloads/

    \b
    Exit codes: 0 every request is valid on its target (and, with --check or
    --diff, nothing to rewrite), 1 errors remain (files with errors are not
    rewritten) or, with --check or --diff, a file would be rewritten, 2 usage
    error (an unknown --to model).
    """

    def rewrite_for(spec: Spec, config: Config) -> Callable[[Any], Normalized]:
        del config  # migrate reads only the spec and the walk's filters from it
        return migration(spec, to, "--to")

    run(paths, rewrite_for, command="migrate", done="migrated", **options)

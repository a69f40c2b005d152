"""``capspec models``, ``explain``, ``table`` and ``docs``: the spec for people to read.

Each command turns its options into plain arguments, asks the library modules
(``_describe``, ``_tables``, ``_docsgen``) for data or text, and decides one exit code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from validator.cli._common import (
    EXIT_PROBLEMS,
    SPEC_HELP,
    fail,
    load_spec_or_exit,
    stale_message,
)

if TYPE_CHECKING:
    from validator.spec._spec import Model, Spec

_STATUSES = ("active", "deprecated", "retired")
_ENDPOINTS = ("images", "videos")


def _spec(path: str | None) -> Spec:
    return load_spec_or_exit(path)


# --- models --------------------------------------------------------------------------


@click.command()
@click.argument("search", required=False)
@click.option(
    "--family",
    "families",
    multiple=True,
    metavar="NAME",
    help="Only this family (repeatable; case-insensitive), e.g. 'FLUX.2'.",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(_STATUSES),
    help="Only models with this lifecycle status (repeatable).",
)
@click.option(
    "--endpoint",
    "endpoints",
    multiple=True,
    type=click.Choice(_ENDPOINTS),
    help="Only models served by this API (repeatable).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help='Aligned columns, or JSON: {"models": [{id, name, short_name, family, ...}]}.',
)
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP)
def models(  # noqa: PLR0917 - click passes every option positionally
    search: str | None,
    families: tuple[str, ...],
    statuses: tuple[str, ...],
    endpoints: tuple[str, ...],
    output_format: str,
    spec_path: str | None,
) -> None:
    """List the models in the spec: id, display name, family, endpoint and lifecycle status.

    SEARCH, when given, keeps the models whose id or display name contains it
    (ignoring case). Filters combine; models come in the spec's order. Nothing
    matching is not an error: an empty list, exit 0.

    \b
    Examples:
      capspec models
      capspec models kontext
      capspec models --family FLUX.2 --status active
      capspec models --endpoint videos --format json
    """
    from validator.render import _describe  # noqa: PLC0415

    spec = _spec(spec_path)
    known = {m.family.lower(): m.family for m in spec.models.values()}
    for family in families:
        if family.lower() not in known:
            from validator._problem import quote  # noqa: PLC0415
            from validator.spec._values import did_you_mean  # noqa: PLC0415

            hint = did_you_mean(family, sorted(known.values()))
            families_list = ", ".join(sorted(set(known.values())))
            raise click.BadParameter(
                f"no family {quote(family)}"
                + (f"; {hint}" if hint else "")
                + f" (families: {families_list})",
                param_hint="'--family'",
            )
    found = _describe.select(
        spec, families=families, statuses=statuses, endpoints=endpoints, search=search
    )
    if output_format == "json":
        click.echo(_describe.render_catalogue_json(found), nl=False)
        return
    if not found:
        click.echo("capspec: no model matches", err=True)
        return
    click.echo(_describe.render_catalogue_text(found), nl=False)


# --- explain -------------------------------------------------------------------------


@click.command()
@click.argument("model")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Plain text for people, or JSON (every fact, with the sources' titles and URLs).",
)
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP)
def explain(model: str, output_format: str, spec_path: str | None) -> None:
    """Everything the spec says about one MODEL.

    Its parameters (type, bounds, default, whether required, allowed values,
    advice that only warns, old names), the parameters it does not take and why,
    cross-field rules, lifecycle and sources. MODEL is the exact model id, or the
    exact display name ("FLUX.2 Pro", "Kontext Max").

    An unknown MODEL is a usage error (exit 2), with the closest ids.

    \b
    Examples:
      capspec explain black-forest-labs/FLUX.1-schnell
      capspec explain "Kontext Pro"
      capspec explain google/gemini-3-pro-image --format json
    """
    from validator.render import _describe  # noqa: PLC0415

    spec = _spec(spec_path)
    found = _describe.find_model(spec, model)
    if found is None:
        raise click.BadParameter(_describe.unknown_model_message(spec, model), param_hint="'MODEL'")
    render = (
        _describe.render_explain_json if output_format == "json" else _describe.render_explain_text
    )
    click.echo(render(spec, found), nl=False)


# --- table ---------------------------------------------------------------------------


def _pick(spec: Spec, models_option: str | None) -> list[Model]:
    """The models ``--models`` names, in its order, once each; usage error for unknown ones."""
    from validator.render import _describe  # noqa: PLC0415

    if models_option is None:
        return list(spec.models.values())
    names = [n.strip() for n in models_option.split(",") if n.strip()]
    if not names:
        raise click.BadParameter("no model given", param_hint="'--models'")
    picked: dict[str, Model] = {}
    unknown: list[str] = []
    for name in names:
        found = _describe.find_model(spec, name)
        if found is None:
            unknown.append(_describe.unknown_model_message(spec, name))
        else:
            picked.setdefault(found.id, found)
    if unknown:
        raise click.BadParameter("; ".join(unknown), param_hint="'--models'")
    return list(picked.values())


@click.command()
@click.option(
    "--models",
    "models_option",
    metavar="ID,ID,...",
    help="Columns: model ids (or display names), comma-separated, in this order. "
    "Default: every model in the spec.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "csv", "json"]),
    default="markdown",
    show_default=True,
    help="A GitHub table laid out as the seed's, CSV, or JSON (columns with their model ids).",
)
@click.option(
    "--merge/--no-merge",
    default=True,
    show_default=True,
    help="Let consecutive models with identical columns share one ('Kontext Pro/Max').",
)
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP)
def table(
    models_option: str | None, output_format: str, merge: bool, spec_path: str | None
) -> None:
    """Print the compatibility matrix in the notation of Together's parameter docs.

    \b
    Cells: Required; ✓ taken; ✓ (default N) taken, with this model's own
    default; — not taken. Rows: the seed table's twelve, in its order,
    `width` / `height` on one row; then any other parameter a column's model
    takes, in capabilities.yaml's order. For the seed's seven models the
    first twelve rows are the seed's table, cell for cell.

    An unknown id in --models is a usage error (exit 2), with the closest ids.

    \b
    Examples:
      capspec table
      capspec table --models black-forest-labs/FLUX.1-schnell,black-forest-labs/FLUX.2-pro
      capspec table --models "FLUX.2 Pro,FLUX.2 Dev" --format csv
    """
    from validator.render import _tables  # noqa: PLC0415

    spec = _spec(spec_path)
    chosen = _pick(spec, models_option)
    matrix = _tables.build(spec, chosen, merge=merge)
    click.echo(_tables.RENDERERS[output_format](matrix), nl=False)


def register(group: click.Group) -> None:
    """Add this module's commands to the ``capspec`` group."""
    for command in (models, explain, table, docs):
        group.add_command(command)


# --- docs ----------------------------------------------------------------------------


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="docs",
    show_default=True,
    help="Directory for index.md, matrix.md and models/<id>.md.",
)
@click.option(
    "--readme",
    type=click.Path(dir_okay=False),
    default="README.md",
    show_default=True,
    help="File whose table between the capspec:table markers is regenerated.",
)
@click.option("--no-readme", is_flag=True, help="Leave the README alone.")
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 and name the files that are stale."
)
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP)
def docs(out_dir: str, readme: str, no_readme: bool, check: bool, spec_path: str | None) -> None:
    """Generate the reference docs and the README's compatibility table from the spec.

    \b
    Writes, under --out:
      index.md           every model, linked to its page
      matrix.md          the compatibility matrix, one table per family
      models/<id>.md     one page per model ('/' in the id becomes '__')
    and, in --readme, the table of the seed's seven models between the lines
    <!-- capspec:table:start --> and <!-- capspec:table:end -->.

    Every generated file starts with a "Generated by `capspec docs`" comment.
    Only such files are overwritten, or removed when their model is gone; a
    hand-written file (docs/decisions.md) is never touched, and one standing
    where a generated file goes stops the run before anything is written.
    Files are written atomically; the output depends on the spec alone.

    \b
    Examples:
      capspec docs
      capspec docs --check                  # in CI: exit 1 if anything is stale
      capspec docs --out site/docs --no-readme
    """
    from validator._problem import plural  # noqa: PLC0415
    from validator.render import _docsgen  # noqa: PLC0415

    spec = _spec(spec_path)
    out = Path(out_dir)
    readme_path = None if no_readme else Path(readme)
    total = len(spec.models) + len(_docsgen.FIXED) + (readme_path is not None)
    try:
        if check:
            stale = _docsgen.changes(spec, out, readme_path)
            for change in stale:
                click.echo(f"{change.path}: {change.why}", err=True)
            if stale:
                fail(
                    f"{stale_message(len(stale), total, 'docs file')}; run `capspec docs`",
                    EXIT_PROBLEMS,
                )
            click.echo(f"{out}: all {plural(total, 'docs file')} are up to date")
            return
        changed = _docsgen.write(spec, out, readme_path)
    except _docsgen.DocsError as exc:
        click.echo(str(exc), err=True)
        fail("nothing written")
    except OSError as exc:
        fail(f"cannot write {exc.filename or out}: {exc.strerror or exc}")
    for change in changed:
        verb = "removed" if change.text is None else "wrote"
        click.echo(f"{verb} {change.path}")
    click.echo(f"{out}: {plural(len(changed), 'file')} written or removed, {total} in all")

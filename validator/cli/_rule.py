"""``capspec rule CODE``: a problem code explained, with an example and the fix."""

from __future__ import annotations

import json

import click

from validator.cli._common import fail, format_option


@click.command()
@click.argument("code", required=False)
@click.option("--all", "all_codes", is_flag=True, help="Explain every problem code.")
@format_option("text", "json")
def rule(code: str | None, all_codes: bool, fmt: str) -> None:
    """Explain a problem code: what it means, an example, and the fix.

    \b
    Examples:
      capspec rule out_of_range
      capspec rule --all
      capspec rule --all --format json | jq -r '.[] | select(.severity == "warning") | .code'

    An unknown code exits 2 with the closest codes.
    """
    from validator._problem import CODES, quote  # noqa: PLC0415
    from validator.render._rules import RULES, help_text, kind, severity  # noqa: PLC0415

    if all_codes == (code is not None):
        fail("give one problem code, or --all (see capspec rule --help)")
    if code is not None and code not in RULES:
        import difflib  # noqa: PLC0415

        close = difflib.get_close_matches(code, list(CODES), n=3, cutoff=0.5)
        more = f"; did you mean {' or '.join(map(quote, close))}?" if close else ""
        fail(f"unknown problem code {quote(code)}{more} (capspec rule --all lists them)")
    codes = list(RULES) if code is None else [code]
    if fmt == "json":
        rows = [
            {
                "code": c,
                "severity": severity(c),
                "kind": kind(c),
                "summary": CODES[c],
                **RULES[c]._asdict(),
            }
            for c in codes
        ]
        click.echo(json.dumps(rows if code is None else rows[0], indent=2, ensure_ascii=False))
        return
    blocks = [f"{c} ({severity(c)}, a problem of a {kind(c)}): {help_text(c)}" for c in codes]
    click.echo("\n\n".join(blocks))

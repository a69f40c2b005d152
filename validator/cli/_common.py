"""What every command shares: exit codes, the ``--spec`` help, and loading the spec.

The command modules (``_app``, ``_docs``, ``_lint``, ``_normalize``) import this one;
it imports none of them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from validator.errors import SpecError

if TYPE_CHECKING:
    from validator._spec import Spec

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

SPEC_HELP = "Capability spec to use (default: the spec bundled with capspec)."


def load_spec_or_exit(path: str | None) -> Spec:
    """Load the spec; a bad spec is reported with file:line:col and exits 1, never a traceback."""
    from validator import load_spec  # noqa: PLC0415

    try:
        return load_spec(path)
    except SpecError as exc:
        click.echo(str(exc), err=True)
        unreadable = any(issue.line == 0 for issue in exc.issues)
        what = "cannot be read" if unreadable else "is invalid"
        click.echo(f"capspec: the capability spec {exc.path} {what}", err=True)
        sys.exit(EXIT_PROBLEMS)

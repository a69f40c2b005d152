"""The capspec command line: a thin click layer over the library.

Heavy modules are imported inside each command, so ``capspec lint`` starts fast;
the plain ``capspec lint FILE...`` (paths, no option) starts without click at all
(``_fast.py``), and does exactly what the click command does with those arguments.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``capspec`` console script)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if _plain_lint(args):
        from validator.cli._fast import lint  # noqa: PLC0415 - the common case, without click

        lint(tuple(args[1:]), hard_exit=argv is None)
    from validator.cli._app import cli  # noqa: PLC0415 - keep `import validator.cli` cheap

    cli.main(args=argv, prog_name="capspec")


def _plain_lint(args: list[str]) -> bool:
    """``capspec lint [PATH]...``: every argument a path, nothing click would do otherwise.

    Any option (an argument starting with ``-``, but ``-`` itself, standard input),
    ``--``, a ``CAPSPEC_MAX_SIZE`` setting or a shell-completion request goes to
    click, as does Windows, where click expands wildcards in ``sys.argv``.
    """
    return (
        len(args) > 0
        and args[0] == "lint"
        and all(arg == "-" or not arg.startswith("-") for arg in args[1:])
        and "CAPSPEC_MAX_SIZE" not in os.environ
        and "_CAPSPEC_COMPLETE" not in os.environ
        and os.name != "nt"
    )

"""The capspec command line: a thin click layer over the library.

Heavy modules are imported inside each command, so ``capspec lint`` starts fast.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``capspec`` console script)."""
    from validator.cli._app import cli  # noqa: PLC0415 - keep `import validator.cli` cheap

    cli.main(args=argv, prog_name="capspec")

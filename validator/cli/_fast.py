"""``capspec lint PATH...`` without click: the common case, started in less time.

Importing click (and the standard modules it imports: inspect, datetime, uuid,
gettext) takes about as long as the rest of a lint of one file. With no option
given, click would only collect the paths and call the command's body with the
options' defaults; :func:`lint` calls the same body (``_lintmain.lint_paths``)
the same way, and hands any exception to click to report as click's own
``main`` would (``Aborted!`` for an interrupt, a closed pipe, a traceback).
``tests/test_cli_fast.py`` runs a matrix of arguments both ways and compares
the output and exit codes byte for byte.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn


def lint(paths: tuple[str, ...], *, hard_exit: bool = False) -> NoReturn:
    """Run ``capspec lint`` on ``paths`` with every option at its default; exit.

    ``hard_exit`` (the console script): exit without the interpreter's teardown.
    """
    try:
        from validator.cli._lintmain import lint_paths  # noqa: PLC0415

        lint_paths(paths)
    except SystemExit as exc:
        if hard_exit:
            exit_now(exc.code)
        raise
    except BaseException as exc:  # noqa: BLE001 - handed to click, as the command's would be
        _report_as_click(exc, paths)
    sys.exit(0)  # click's ctx.exit() after a command that returns


def exit_now(code: object) -> None:
    """Exit with ``code`` at once, without the interpreter's teardown; return if unsafe.

    Tearing down (freeing every module, three garbage collections) cost a tenth of a
    ``capspec lint`` of one file, for a process about to end; mypy skips it the same
    way. Standard output and error are flushed first. Returns, for the ordinary exit,
    when the code is not an int, when a flush fails (a closed pipe: the ordinary exit
    reports it as it always has), or when something may still need the teardown: an
    ``atexit`` handler (coverage, multiprocessing) or a thread.
    """
    import atexit  # noqa: PLC0415 - built in
    import os  # noqa: PLC0415

    if type(code) is not int or "threading" in sys.modules:
        return
    if getattr(atexit, "_ncallbacks", lambda: 1)() != 0:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def _report_as_click(exc: BaseException, paths: tuple[str, ...]) -> NoReturn:
    """Let click's ``main`` handle ``exc``, raised from ``capspec lint``, as it would have.

    A usage error raised without a context gets the one click would have given it
    (``capspec lint``'s), so its usage line and hint read the same.
    """
    import click  # noqa: PLC0415 - only when something went wrong

    if isinstance(exc, click.UsageError) and exc.ctx is None:
        from validator.cli._app import cli  # noqa: PLC0415

        group = cli.make_context("capspec", ["lint", *paths])
        command = cli.get_command(group, "lint")
        assert command is not None
        exc.ctx = command.make_context("lint", list(paths), parent=group)

    def fail() -> NoReturn:
        raise exc

    click.Command("lint", callback=fail).main(args=[], prog_name="capspec")
    sys.exit(1)  # not reached: main exits

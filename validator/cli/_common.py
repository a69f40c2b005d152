"""What the commands share: exit codes, the ``--spec`` help, loading the spec, and more.

The payload commands (lint, normalize) also share policies, --max-size, streams and colour.

The command modules (``_app``, ``_docs``, ``_lint``, ``_normalize``) import this one;
it imports none of them.

click is imported where it is used, not here: ``capspec lint FILE...`` runs without
it (``validator/cli/__init__.py``), and prints through :func:`echo`, which is
``click.echo`` imported when a message is printed.

Exit codes, for every command: 0 clean; 1 findings (problems in the requests, or
stale generated files); 2 the command could not do its job: a usage error, a spec
that cannot be loaded, an unknown model name, output that cannot be written.
"""

from __future__ import annotations

import os
import sys

from validator.errors import SpecError
from validator.files._sources import DEFAULT_MAX_SIZE, format_size

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO, Any, NoReturn

    import click

    from validator.check._normalize import Normalized
    from validator.files._config import Config
    from validator.files._sources import Filters
    from validator.spec._spec import Spec

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

SPEC_HELP = "Capability spec to use (default: the spec bundled with capspec)."


def echo(message: str, *, err: bool = False) -> None:
    """``click.echo``, with click imported only when something is printed."""
    import click  # noqa: PLC0415 - the plain lint path runs without click

    click.echo(message, err=err)


def load_spec_or_exit(path: str | None) -> Spec:
    """Load the spec; a bad spec is reported with file:line:col and exits 2, never a traceback.

    A spec is configuration: when it cannot be loaded nothing was checked, which a
    script must be able to tell from "problems found" (1).
    """
    from validator.spec._specload import load_spec  # noqa: PLC0415

    try:
        return load_spec(path)
    except SpecError as exc:
        echo(str(exc), err=True)
        unreadable = any(issue.line == 0 for issue in exc.issues)
        what = "cannot be read" if unreadable else "is invalid"
        echo(f"capspec: the capability spec {exc.path} {what}", err=True)
        sys.exit(EXIT_USAGE)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``capspec: message`` on standard error and exit (2 unless told otherwise)."""
    echo(f"capspec: {message}", err=True)
    sys.exit(code)


def stale_message(count: int, total: int, noun: str) -> str:
    """``1 of 48 schema files is stale``, ``all 50 docs files are stale``."""
    from validator._problem import plural  # noqa: PLC0415

    if count == total:
        every = "the" if total == 1 else "all"
        return f"{every} {plural(total, noun)} {'is' if total == 1 else 'are'} stale"
    return f"{count:,} of {plural(total, noun)} {'is' if count == 1 else 'are'} stale"


#: Who each report format is for, as ``--format``'s help says it.
_FORMAT_READERS = {
    "text": "people",
    "json": "programs",
    "github": "workflow annotations",
    "sarif": "code scanning",
}


def format_option(*formats: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format/-f`` among ``formats`` (text the default), passed to the command as ``fmt``.

    The help names who each format is for: ``text for people, json for programs.``
    """
    import click  # noqa: PLC0415 - see echo

    readers = ", ".join(f"{name} for {_FORMAT_READERS[name]}" for name in formats)
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(formats),
        default="text",
        show_default=True,
        help=f"{readers}.",
    )


# --- what the payload commands (lint, normalize) share -----------------------------------

POLICIES: list[str] = ["strict", "drop", "fix"]
POLICY_HELP = (
    "strict: report every problem; drop: remove parameters the model does not take "
    "(each a warning); fix: drop, and repair what has one clear repair (each a warning)."
)
_MAX_SIZE_HELP = (
    "The most payload text read at once: a whole .json or YAML file, or one JSONL line "
    "(64MiB, 500KB, 1048576; default 64MiB). Larger ones are too_large problems, found "
    "without reading them."
)


def _size(ctx: click.Context, param: click.Parameter, value: Any) -> int:
    """--max-size: bytes from 65536, 64MiB or 64M (2**20), 64MB (10**6)."""
    if isinstance(value, int):
        return value
    import click  # noqa: PLC0415 - see echo

    from validator.files._sources import parse_size  # noqa: PLC0415

    try:
        return parse_size(str(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


#: What ``--max-size`` is when neither the option nor ``CAPSPEC_MAX_SIZE`` is given.
MAX_SIZE_DEFAULT = format_size(DEFAULT_MAX_SIZE).replace(" ", "")


def max_size_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--max-size`` option (``CAPSPEC_MAX_SIZE``), as a click decorator."""
    import click  # noqa: PLC0415 - see echo

    return click.option(
        "--max-size",
        metavar="SIZE",
        callback=_size,
        default=MAX_SIZE_DEFAULT,
        envvar="CAPSPEC_MAX_SIZE",
        show_envvar=True,
        help=_MAX_SIZE_HELP,
    )(function)


def stream(name: str) -> IO[str]:
    """Standard output or error as UTF-8 text that never fails on an odd character."""
    stream: IO[str] = getattr(sys, name)
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(encoding="utf-8", errors="backslashreplace")
        except (ValueError, OSError):
            pass
    return stream


def stdin_bytes() -> IO[bytes]:
    """Standard input as bytes: payloads are decoded (and checked) as UTF-8 by capspec."""
    buffer: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer
    import io  # noqa: PLC0415

    return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))


def use_color(stream: IO[str]) -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org); FORCE_COLOR forces."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def closed_pipe() -> ClosedPipe:
    """``capspec lint ... | head``: a reader that stops early is not an error of ours."""
    return ClosedPipe()


class ClosedPipe:
    """``with closed_pipe():`` exits 1, quietly, when the reader of standard output is gone."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, traceback: object) -> None:
        if isinstance(exc, BrokenPipeError):
            pipe_closed()


def pipe_closed() -> NoReturn:
    """Standard output's reader is gone: send what is still buffered nowhere, exit 1."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    sys.exit(EXIT_PROBLEMS)


def migration(spec: Spec, to: str | None, option: str) -> Callable[[Any], Normalized]:
    """``migrate`` bound to the spec and a target (None: each successor), for migrate and lint.

    An unknown target, or a spec without migration rules, is a usage error of ``option``.
    """
    from functools import partial  # noqa: PLC0415

    import click  # noqa: PLC0415 - see echo

    from validator.check._migrate import migrate, target_model  # noqa: PLC0415

    if not spec.migrations:
        raise click.UsageError(f"the capability spec {spec.path} defines no migrations")
    if to is not None:
        try:
            target_model(spec, to)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=f"'{option}'") from None
    return partial(migrate, to=to, spec=spec)


# --- configuration (lint): capspec.toml or [tool.capspec], and the rule options ----------


def load_config_or_exit(config_path: str | None, *, isolated: bool = False) -> Config:
    """The configuration that applies here, or the one named; exit 2 naming file and line."""
    from validator.files._config import Config, ConfigError, find_config, load_config  # noqa: PLC0415
    from validator.files._ignore import absolute  # noqa: PLC0415

    here = absolute(os.getcwd())
    if isolated:
        return Config(base=here)
    path = config_path if config_path is not None else find_config(here)
    if path is None:
        return Config(base=here)
    try:
        config = load_config(absolute(path))
    except ConfigError as exc:
        fail(f"{exc.path}:{exc.line}: {exc.message}")
    return config


def filters(config: Config, *, force_exclude: bool) -> Filters:
    """The walk's filters: the config's exclude and include, and .gitignore."""
    from validator.files._ignore import PatternSet  # noqa: PLC0415
    from validator.files._sources import Filters  # noqa: PLC0415

    exclude = PatternSet(config.base, config.exclude)
    include = PatternSet(config.base, config.include)
    return Filters(
        exclude=exclude or None,
        include=include or None,
        gitignore=True,
        force_exclude=force_exclude,
    )


def config_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--config FILE and --isolated, as every command that reads the configuration has."""
    import click  # noqa: PLC0415 - see echo

    command = click.option("--isolated", is_flag=True, help="Read no configuration file.")(command)
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, exists=True),
        help="Read this configuration file instead of searching for one.",
    )(command)


def codes_option(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[str, ...] | None:
    """``--select a,b --select c``: problem codes, each known; None when not given."""
    if not value:
        return None
    import click  # noqa: PLC0415 - see echo

    from validator.files._config import check_codes  # noqa: PLC0415

    codes = tuple(code.strip() for item in value for code in item.split(",") if code.strip())

    def bad(code: str, message: str) -> click.BadParameter:
        del code
        return click.BadParameter(message, ctx, param)

    return check_codes(codes, all_ok=param.name == "cli_select", fail=bad)


def rewrite_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--write, --check, --diff, --spec, --quiet, --max-size, --config and --isolated.

    The options of the commands that rewrite files (normalize, migrate).
    """
    import click  # noqa: PLC0415 - see echo

    options: list[Callable[[Any], Any]] = [
        click.option(
            "--write",
            "-w",
            is_flag=True,
            help="Rewrite files in place (atomically; through a symbolic link to its target) "
            "instead of printing, when a request's value changes; a file with errors, or that "
            "cannot be parsed, is never rewritten.",
        ),
        click.option(
            "--check",
            is_flag=True,
            help="Write nothing; name the files --write would rewrite, and exit 1 if there "
            "are any.",
        ),
        click.option(
            "--diff",
            is_flag=True,
            help="Write nothing; print a unified diff of what --write would change, and exit 1 "
            "if there is any.",
        ),
        click.option("--spec", "spec_path", type=click.Path(dir_okay=False), help=SPEC_HELP),
        click.option(
            "--quiet",
            "-q",
            is_flag=True,
            help="Print only errors, and the files --check would rewrite, on standard error.",
        ),
        max_size_option,
        config_options,
    ]
    decorated: Any = command
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]

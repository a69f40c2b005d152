"""``capspec lint PATH...`` without click (validator/cli/_fast.py) does what click does.

The plain case (paths, no option) skips importing click. Each argument list below
runs twice in its own process: through ``validator.cli.main`` (the console script,
which takes the fast path when it can) and through the click group alone. Standard
output, standard error and the exit code must be the same, byte for byte: for the
plain cases, which take the fast path, and for the near misses (an option, ``--``,
no path, a setting in the environment), which must go to click.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from validator.cli import _plain_lint
from validator.cli._lint import lint
from validator.cli._lintmain import lint_paths

if TYPE_CHECKING:
    from pathlib import Path

FAST = "from validator.cli import main\nmain()"
CLICK = "from validator.cli._app import cli\ncli.main(prog_name='capspec')"

OK = {"model": "black-forest-labs/FLUX.2-dev", "prompt": "a lighthouse", "steps": 28}
BAD = {"model": "black-forest-labs/FLUX.2-dev", "prompt": "a", "steps": 0, "colour": "red"}
RETIRED = {"model": "black-forest-labs/FLUX.1-schnell", "prompt": "a fox"}
ESCAPE = "esc\x1b[31m.json"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fast")
    (root / "ok.json").write_text(json.dumps(OK))
    (root / "bad.json").write_text(json.dumps(BAD, indent=2))
    (root / "retired.json").write_text(json.dumps(RETIRED))
    (root / "broken.json").write_text('{"model": ')
    (root / "both.jsonl").write_text(json.dumps(OK) + "\n" + json.dumps(BAD) + "\n")
    # Findings far beyond a pipe's buffer (64 KiB) and stdout's (8 KiB).
    (root / "many.jsonl").write_text((json.dumps(BAD) + "\n") * 3000)
    (root / "one.yaml").write_text("model: black-forest-labs/FLUX.2-dev\nprompt: a\nsteps: 0\n")
    (root / "ünï code.json").write_text(json.dumps(BAD))
    (root / ESCAPE).write_text(json.dumps(BAD))
    (root / "tree" / "deeper").mkdir(parents=True)
    (root / "tree" / "a.json").write_text(json.dumps(OK))
    (root / "tree" / "deeper" / "b.json").write_text(json.dumps(BAD))
    (root / "tree" / "package.json").write_text('{"name": "x"}')
    (root / "notes").mkdir()
    (root / "notes" / "package.json").write_text('{"name": "x"}')
    (root / "empty").mkdir()
    # Folders with a configuration: a working one, one with a bad key, one with a bad spec.
    (root / "configured").mkdir()
    (root / "configured" / "capspec.toml").write_text('ignore = ["unknown_parameter"]\n')
    (root / "configured" / "bad.json").write_text(json.dumps(BAD))
    (root / "misconfigured").mkdir()
    (root / "misconfigured" / "capspec.toml").write_text("selec = []\n")
    (root / "badspec").mkdir()
    (root / "badspec" / "capspec.toml").write_text('spec = "spec.yaml"\n')
    (root / "badspec" / "spec.yaml").write_text("title: [\n")
    return root


def run(code: str, argv: list[str], cwd: Path, env: dict[str, str], stdin: bytes):
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


# argv, the folder to run in (under the fixture's), extra environment, standard input
CASES: list[tuple[list[str], str, dict[str, str], bytes]] = [
    (["lint", "ok.json"], ".", {}, b""),
    (["lint", "bad.json"], ".", {}, b""),
    (["lint", "retired.json"], ".", {}, b""),
    (["lint", "ok.json", "bad.json", "ok.json", "retired.json"], ".", {}, b""),
    (["lint", "both.jsonl", "one.yaml"], ".", {}, b""),
    (["lint", "many.jsonl", "ok.json"], ".", {}, b""),
    (["lint", "broken.json"], ".", {}, b""),
    (["lint", "missing.json"], ".", {}, b""),
    (["lint", "tree"], ".", {}, b""),
    (["lint", "notes"], ".", {}, b""),
    (["lint", "empty"], ".", {}, b""),
    (["lint", "ünï code.json", ESCAPE], ".", {}, b""),
    (["lint", ""], ".", {}, b""),
    (["lint", "lint"], ".", {}, b""),
    (["lint"], ".", {}, b""),
    (["lint"], "tree", {}, b""),
    (["lint", "-"], ".", {}, json.dumps(BAD).encode()),
    (["lint", "-"], ".", {}, b"not json"),
    (["lint", "bad.json"], ".", {"FORCE_COLOR": "1"}, b""),
    (["lint", "bad.json"], "configured", {}, b""),
    (["lint", "../bad.json"], "misconfigured", {}, b""),
    (["lint", "../bad.json"], "badspec", {}, b""),
    # Near misses: click's own.
    (["lint", "bad.json"], ".", {"CAPSPEC_MAX_SIZE": "10"}, b""),
    (["lint", "bad.json"], ".", {"CAPSPEC_MAX_SIZE": "ten"}, b""),
    ([], ".", {}, b""),
    (["lint", "--bogus", "ok.json"], ".", {}, b""),
    (["lint", "ok.json", "-q"], ".", {}, b""),
    (["lint", "bad.json", "--format=json"], ".", {}, b""),
    (["lint", "--format", "xml", "ok.json"], ".", {}, b""),
    (["lint", "--", "bad.json"], ".", {}, b""),
    (["lint", "-x"], ".", {}, b""),
    (["lint", "-h"], ".", {}, b""),
    (["--help"], ".", {}, b""),
    (["-V"], ".", {}, b""),
    (["lnt", "ok.json"], ".", {}, b""),
    (["LINT", "ok.json"], ".", {}, b""),
]


@pytest.mark.parametrize(("argv", "where", "extra", "stdin"), CASES, ids=repr)
def test_the_console_script_and_click_agree_byte_for_byte(folder, argv, where, extra, stdin):
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR"}}
    env.pop("CAPSPEC_MAX_SIZE", None)
    env.update(extra)
    cwd = folder / where
    fast = run(FAST, argv, cwd, env, stdin)
    slow = run(CLICK, argv, cwd, env, stdin)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )
    assert b"Traceback" not in fast.stderr
    assert fast.returncode in {0, 1, 2}


def test_the_cases_cover_both_paths():
    env_free = [argv for argv, _, extra, _ in CASES if not extra]
    fast = [argv for argv in env_free if _plain_lint(argv)]
    assert len(fast) >= 15
    assert len(env_free) - len(fast) >= 10


@pytest.mark.parametrize(
    ("argv", "plain"),
    [
        (["lint", "a.json"], True),
        (["lint", "a.json", "b", "-"], True),
        (["lint", "-"], True),
        (["lint", ""], True),
        (["lint"], True),
        ([], False),
        (["lint", "a.json", "-q"], False),
        (["lint", "--", "a.json"], False),
        (["lint", "--format=json", "a.json"], False),
        (["lint", "-h"], False),
        (["normalize", "a.json"], False),
        (["--help", "lint", "a.json"], False),
    ],
)
def test_which_arguments_take_the_fast_path(monkeypatch, argv, plain):
    monkeypatch.delenv("CAPSPEC_MAX_SIZE", raising=False)
    monkeypatch.delenv("_CAPSPEC_COMPLETE", raising=False)
    assert _plain_lint(argv) is plain
    if plain:
        monkeypatch.setenv("CAPSPEC_MAX_SIZE", "1MB")
        assert not _plain_lint(argv)
        monkeypatch.delenv("CAPSPEC_MAX_SIZE")
        monkeypatch.setenv("_CAPSPEC_COMPLETE", "bash_complete")
        assert not _plain_lint(argv)


def test_the_body_takes_each_option_and_defaults_to_what_click_gives(monkeypatch):
    # The fast path calls lint_paths(paths) alone: each keyword's default must be the value
    # click passes when the option is not given, and every option must be a keyword.
    monkeypatch.delenv("CAPSPEC_MAX_SIZE", raising=False)
    given = lint.make_context("lint", ["x.json"]).params
    defaults = {
        name: p.default
        for name, p in inspect.signature(lint_paths).parameters.items()
        if name != "paths"
    }
    assert set(given) - {"paths"} == set(defaults)
    assert {k: v for k, v in given.items() if k != "paths"} == defaults
    assert given["paths"] == ("x.json",)
    assert lint.make_context("lint", []).params["paths"] == ()


INJECT = (
    "import sys\nimport validator.cli._lintmain as body\n"
    "def boom(paths, **options):\n"
    "    sys.stdout.write('started\\n')\n"
    "    {raise_}\n"
    "body.lint_paths = boom\n"
)


@pytest.mark.parametrize(
    "raise_",
    [
        "raise KeyboardInterrupt",
        "raise EOFError",
        "import errno; raise OSError(errno.EPIPE, 'Broken pipe')",
        "import click; raise click.UsageError('no good')",
        "import click; raise click.BadParameter('no good', param_hint=\"'--x'\")",
        "import click; raise click.ClickException('no good')",
        "return None",
    ],
)
def test_an_exception_from_the_command_is_reported_as_click_would(folder, raise_):
    code = INJECT.replace("{raise_}", raise_)
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CAPSPEC_MAX_SIZE", None)
    fast = run(code + FAST, ["lint", "ok.json"], folder, env, b"")
    slow = run(code + CLICK, ["lint", "ok.json"], folder, env, b"")
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )
    assert fast.stdout == b"started\n"


def test_a_mistyped_command_is_still_told_the_near_one(folder):
    # Commands are loaded when named (validator/cli/_app.py); click's suggestion needs all.
    env = {**os.environ, "NO_COLOR": "1"}
    for code in (FAST, CLICK):
        process = run(code, ["lnt", "ok.json"], folder, env, b"")
        assert process.returncode == 2
        assert b"Error: No such command 'lnt'. Did you mean 'lint'?" in process.stderr


# --- the console script's exit: no teardown, unless something needs it ------------------

TEARDOWN = (
    "import builtins, sys\n"
    "class Late:\n"
    "    def __del__(self):\n"
    "        sys.__stderr__.write('torn down\\n')\n"
    "builtins.late = Late()  # freed by the interpreter's teardown, if there is one\n"
)
ATEXIT = "import atexit, sys\natexit.register(lambda: sys.__stderr__.write('at exit\\n'))\n"


@pytest.mark.parametrize("name", ["ok.json", "bad.json", "missing.json"])
def test_the_console_script_exits_without_the_teardown(folder, name):
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CAPSPEC_MAX_SIZE", None)
    cwd = folder
    argv = ["lint", name]
    # Once first: a start that fills the spec cache imports threading (and exits as usual).
    run(FAST, ["lint", "ok.json"], folder, env, b"")
    fast = run(TEARDOWN + FAST, argv, cwd, env, b"")
    slow = run(TEARDOWN + CLICK, argv, cwd, env, b"")
    assert fast.returncode == slow.returncode == (0 if name == "ok.json" else 1)
    assert fast.stdout == slow.stdout
    assert fast.stderr + b"torn down\n" == slow.stderr
    # An atexit handler (coverage, say) gets the ordinary exit, teardown and all.
    fast = run(ATEXIT + TEARDOWN + FAST, argv, cwd, env, b"")
    assert fast.stderr == slow.stderr.replace(b"torn down\n", b"at exit\ntorn down\n")
    # Called with arguments (as tests and embedders do), main() raises SystemExit.
    code = "from validator.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    print('exit', e.code)"
    inside = run("import sys\n" + code, argv, cwd, env, b"")
    assert inside.stdout.endswith(f"exit {slow.returncode}\n".encode())


def test_a_reader_that_stops_early_ends_the_lint_as_with_click(folder):
    # capspec lint many.jsonl | head -c 100: the rest of the report has nowhere to go.
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CAPSPEC_MAX_SIZE", None)
    results = []
    for code in (FAST, CLICK):
        with subprocess.Popen(
            [sys.executable, "-c", code, "lint", "many.jsonl"],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as process:
            assert process.stdout is not None
            assert process.stderr is not None
            head = process.stdout.read(100)
            process.stdout.close()
            error = process.stderr.read()
            results.append((process.wait(timeout=120), head, error))
    assert results[0] == results[1]
    assert results[0][0] == 1
    assert results[0][2] == b""

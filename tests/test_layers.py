"""No import runs back up (the command modules share ``cli/_common``, never ``cli/_app``),
and a test run leaves nothing behind."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import validator.cli

CLI = Path(validator.cli.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_command_modules_do_not_import_the_app():
    for name in ("_common", "_docs", "_lint", "_normalize", "_migrate", "_rewrite"):
        assert "validator.cli._app" not in _imports(CLI / f"{name}.py"), name


def test_the_shared_module_imports_no_command_module():
    cli_modules = {n for n in _imports(CLI / "_common.py") if n.startswith("validator.cli")}
    assert cli_modules == set()


def test_the_rewrite_machinery_imports_no_command_module():
    cli_modules = {n for n in _imports(CLI / "_rewrite.py") if n.startswith("validator.cli")}
    assert cli_modules == {"validator.cli._common"} | {
        n for n in cli_modules if n.startswith("validator.cli._common.")
    }


def test_only_the_app_assembles_the_commands():
    commands = {
        "validator.cli._docs",
        "validator.cli._lint",
        "validator.cli._normalize",
        "validator.cli._migrate",
    }
    importers = sorted(
        path.name
        for path in CLI.glob("*.py")
        if path.name not in {"__init__.py", "_app.py"} and commands & _imports(path)
    )
    assert importers == []


def test_a_test_run_leaves_no_cache_folder_behind(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CAPSPEC_CACHE_DIR"}
    env["TMPDIR"] = str(tmp_path)
    tests = Path(__file__).parent
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "command_modules",
            str(tests / "test_layers.py"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("capspec-")) == []

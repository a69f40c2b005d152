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


PACKAGE = CLI.parent

# The layers, lowest first: a module may import its own layer and the layers with a
# lower rank, never a sibling of the same rank or anything above (validator/*/__init__.py
# says what each layer holds).
RANKS = {
    "core": 0,  # validator._problem, validator._tuples, validator._version, validator.errors
    "files": 1,
    "spec": 2,
    "check": 3,
    "render": 4,
    "drift": 4,
    "lint": 5,
    "integrations": 6,
    "cli": 7,
}


def _layer(module: str) -> str | None:
    """The layer of a ``validator`` module name, or None for the package itself."""
    parts = module.split(".")
    if parts[0] != "validator" or len(parts) == 1 or parts[1] in {"__init__", "__main__"}:
        return None
    return parts[1] if parts[1] in RANKS else "core"


def test_the_folders_are_the_layers():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(RANKS) - {"core"}
    core = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert core == ["__init__", "__main__", "_problem", "_tuples", "_version", "errors"]


def _violations(module: str, imported: set[str]) -> list[str]:
    """The imports of ``module`` that run up or across the layers."""
    here = _layer(module)
    wrong = []
    for name in sorted(imported):
        there = _layer(name)
        if here is None or there is None or there == here:
            continue
        if RANKS[there] >= RANKS[here]:
            wrong.append(f"{module} ({here}) imports {name} ({there})")
    return wrong


def test_no_import_runs_up_or_across_the_layers():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        wrong += _violations(module, _imports(path))
    assert wrong == []


def test_the_layer_rule_catches_imports_up_and_across():
    assert _violations("validator.spec._spec", {"validator.lint._linter"}) != []
    assert _violations("validator.drift._drift", {"validator.render._report"}) != []
    assert _violations("validator.files._yaml", {"validator.errors"}) == []
    assert _violations("validator.cli._lint", {"validator.lint._linter"}) == []


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

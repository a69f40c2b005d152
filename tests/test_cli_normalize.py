"""``capspec normalize``: output in the input's shape, problems on stderr, atomic --write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from validator.cli._app import cli

if TYPE_CHECKING:
    from pathlib import Path

SCHNELL = {"model": "black-forest-labs/FLUX.1-schnell", "prompt": "a cat"}
FLUX2 = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "steps": 20}
GOOD = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a dog"}


def run(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def write(path: Path, value) -> Path:
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
    return path


def test_one_request_prints_one_object_with_defaults(tmp_path):
    result = run("normalize", str(write(tmp_path / "r.json", GOOD)))
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["model"] == GOOD["model"]
    assert out["n"] == 1
    assert list(out)[:2] == ["model", "prompt"]
    assert result.stdout.startswith("{\n  ")


def test_an_array_prints_an_array(tmp_path):
    result = run("normalize", str(write(tmp_path / "r.json", [GOOD, SCHNELL])))
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert isinstance(out, list)
    assert [o["model"] for o in out] == [GOOD["model"], SCHNELL["model"]]
    assert out[1]["steps"] == 4
    assert "retired_model" in result.stderr


def test_jsonl_prints_one_line_per_request(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps(SCHNELL) + "\n")
    result = run("normalize", str(path))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [json.loads(line)["model"] for line in lines] == [GOOD["model"], SCHNELL["model"]]


def test_yaml_prints_json(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(
        "model: black-forest-labs/FLUX.1-kontext-pro\nprompt: a\naspect_ratio: 16:9\n---\n"
        "model: black-forest-labs/FLUX.1-kontext-pro\nprompt: b\n"
    )
    result = run("normalize", str(path))
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert [o["prompt"] for o in out] == ["a", "b"]
    assert out[0]["aspect_ratio"] == "16:9"


def test_policy_drop_and_problems_on_stderr(tmp_path):
    path = write(tmp_path / "r.json", FLUX2)
    strict = run("normalize", str(path))
    assert strict.exit_code == 1
    assert f"{path}:4:3: error unsupported_parameter" in strict.stderr
    dropped = run("normalize", "--policy", "drop", str(path))
    assert dropped.exit_code == 0
    assert "steps" not in json.loads(dropped.stdout)
    assert f"{path}:4:3: warning parameter_dropped" in dropped.stderr


def test_standard_input(tmp_path):
    result = run("normalize", "--policy", "fix", "-", stdin=json.dumps(FLUX2))
    assert result.exit_code == 0
    assert "steps" not in json.loads(result.stdout)
    jsonl = run("normalize", "-", stdin=json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n")
    assert len(jsonl.stdout.splitlines()) == 2


def test_a_broken_file_prints_nothing_and_fails(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("{")
    result = run("normalize", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "invalid_json" in result.stderr


@pytest.mark.parametrize(
    "args",
    [[], ["a.json", "b.json"], ["--write", "-"], ["--policy", "lenient", "a.json"]],
    ids=["no-path", "two-paths-without-write", "write-stdin", "bad-policy"],
)
def test_usage_errors_exit_2(args):
    assert run("normalize", *args).exit_code == 2


def test_help_teaches_with_examples():
    result = run("normalize", "--help")
    assert "Examples:" in result.stdout
    assert "YAML input is printed as JSON" in " ".join(result.stdout.split())


# --- --write ------------------------------------------------------------------------------


def test_write_rewrites_clean_files_and_never_ones_with_errors(tmp_path):
    clean = write(tmp_path / "clean.json", FLUX2)
    bad = write(tmp_path / "bad.json", {"model": "black-forest-labs/FLUX.2-pro"})
    broken = tmp_path / "broken.json"
    broken.write_text('{"model": ')
    lines = tmp_path / "lines.jsonl"
    lines.write_text(json.dumps(FLUX2) + "\n" + json.dumps(GOOD) + "\n")
    before = {p: p.read_bytes() for p in (bad, broken)}
    result = run("normalize", "--write", "--policy", "drop", str(tmp_path))
    assert result.exit_code == 1
    assert {p: p.read_bytes() for p in (bad, broken)} == before
    assert f"{bad} not rewritten" in result.stderr
    assert f"{broken} not rewritten" in result.stderr
    rewritten = json.loads(clean.read_text())
    assert "steps" not in rewritten
    assert rewritten["n"] == 1
    assert [json.loads(line).get("steps") for line in lines.read_text().splitlines()] == [
        None,
        None,
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.json",
        "broken.json",
        "clean.json",
        "lines.jsonl",
    ]
    assert result.stdout == ""


def test_write_is_idempotent_and_leaves_unchanged_files_alone(tmp_path):
    path = write(tmp_path / "r.json", GOOD)
    assert run("normalize", "--write", str(path)).exit_code == 0
    first = path.read_text()
    stamp = path.stat().st_mtime_ns
    assert run("normalize", "--write", str(path)).exit_code == 0
    assert path.read_text() == first
    assert path.stat().st_mtime_ns == stamp


def test_write_keeps_permissions(tmp_path):
    path = write(tmp_path / "r.json", GOOD)
    path.chmod(0o640)
    run("normalize", "--write", str(path))
    assert "n" in json.loads(path.read_text())
    assert path.stat().st_mode & 0o777 == 0o640


def test_write_rewrites_yaml_as_yaml_keeping_the_header(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(
        "# edits\nmodel: black-forest-labs/FLUX.1-kontext-pro\nprompt: no\naspect_ratio: 16:9\n"
        "---\n- model: black-forest-labs/FLUX.1-kontext-pro\n  prompt: b\n"
    )
    result = run("normalize", "--write", str(path))
    assert result.exit_code == 0
    text = path.read_text()
    assert text.startswith("# edits\n---\n")
    from validator._yaml import load_documents

    docs = [d.value for d in load_documents(text)]
    assert docs[0]["aspect_ratio"] == "16:9"
    assert docs[0]["prompt"] == "no"
    assert isinstance(docs[1], list)
    assert docs[1][0]["steps"] == 28
    assert run("lint", str(path)).exit_code == 0


def test_a_failure_while_writing_leaves_the_original_intact(tmp_path, monkeypatch):
    path = write(tmp_path / "r.json", FLUX2)
    original = path.read_bytes()

    def fail(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    result = run("normalize", "--write", "--policy", "drop", str(path))
    assert result.exit_code == 1
    assert "cannot rewrite" in result.stderr
    assert "no space left on device" in result.stderr
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_an_unwritable_directory_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    import tempfile

    path = write(tmp_path / "r.jsonl", FLUX2)
    path.write_text(json.dumps(FLUX2) + "\n")
    original = path.read_bytes()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    for target in (path, write(tmp_path / "r.json", FLUX2)):
        result = run("normalize", "--write", "--policy", "drop", str(target))
        assert result.exit_code == 1
        assert f"cannot rewrite {target}: permission denied" in result.stderr
    assert path.read_bytes() == original
    missing = run("normalize", "--write", str(tmp_path / "no" / "such.jsonl"))
    assert missing.exit_code == 1
    assert "unreadable_file" in missing.stderr


def test_a_run_killed_midway_leaves_the_original_intact(tmp_path):
    """SIGKILL at the worst moment: the new content is written, not yet renamed."""
    path = tmp_path / "big.jsonl"
    path.write_text((json.dumps(FLUX2) + "\n") * 2000)
    original = path.read_bytes()
    code = (
        "import os, signal, sys\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from validator.cli import main\n"
        "main(['normalize', '--write', '--policy', 'drop', sys.argv[1]])\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, check=False, timeout=60
    )
    assert process.returncode == -signal.SIGKILL
    assert path.read_bytes() == original
    # Only the abandoned temporary file is left beside it, hidden, never the original's name.
    assert all(p.name.startswith(".big.jsonl.") for p in tmp_path.iterdir() if p != path)

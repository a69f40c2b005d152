"""``capspec normalize``: output in the input's shape, problems on stderr, atomic --write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_diff import apply_unified

from validator.cli._app import cli

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


def test_jsonl_prints_one_line_per_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps(SCHNELL) + "\n")
    result = run("normalize", str(path))
    assert result.exit_code == 0
    first, blank, last = result.stdout.split("\n")[:-1]
    assert blank == ""
    assert [json.loads(line)["model"] for line in (first, last)] == [
        GOOD["model"],
        SCHNELL["model"],
    ]


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
    from validator.files._yaml import load_documents

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


# --- what --write rewrites, --check and --diff (issue 11) ------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_write_goes_through_a_symbolic_link_to_its_target(tmp_path):
    target = write(tmp_path / "target.json", FLUX2)
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    result = run("normalize", "--write", "--policy", "drop", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert str(link.readlink()) == "target.json"
    rewritten = json.loads(target.read_text())
    assert "steps" not in rewritten
    assert rewritten["n"] == 1
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "target.json"]
    assert f"capspec: rewrote {link}\n" in result.stderr


def test_a_file_whose_values_do_not_change_is_left_byte_for_byte(tmp_path):
    # The example holds every default already, in its own layout: nothing to rewrite.
    path = tmp_path / "kling-keyframes.json"
    path.write_bytes((ROOT / "examples" / "kling-keyframes.json").read_bytes())
    compact = tmp_path / "compact.json"
    normal = json.loads(run("normalize", str(write(compact, GOOD))).stdout)
    compact.write_text(json.dumps(normal, separators=(",", ":")))  # no newline, no spaces
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (path, compact)}
    result = run("normalize", "--write", str(path), str(compact))
    assert result.exit_code == 0
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (path, compact)} == before
    assert "rewrote" not in result.stderr
    assert result.stderr == "capspec: 0 files rewritten, 2 files left unchanged\n"


def test_an_integral_float_becoming_an_integer_is_a_change(tmp_path):
    normal = json.loads(run("normalize", str(write(tmp_path / "r.json", GOOD))).stdout)
    path = write(tmp_path / "r.json", {**normal, "n": 1.0})  # == 1 in Python, not the same JSON
    result = run("normalize", "--write", str(path))
    assert result.exit_code == 0
    assert '"n": 1,' in path.read_text()
    assert f"rewrote {path}" in result.stderr


def test_check_names_the_files_to_rewrite_and_writes_nothing(tmp_path):
    due = write(tmp_path / "due.json", GOOD)
    done = tmp_path / "done.json"
    done.write_text(run("normalize", str(write(done, GOOD))).stdout)
    before = {p: p.read_bytes() for p in (due, done)}
    result = run("normalize", "--check", str(tmp_path))
    assert result.exit_code == 1
    assert {p: p.read_bytes() for p in (due, done)} == before
    assert result.stderr == (
        f"capspec: would rewrite {due}\n"
        "capspec: 1 file would be rewritten, 1 file already normalized\n"
    )
    assert result.stdout == ""
    quiet = run("normalize", "--check", "--quiet", str(tmp_path))
    assert quiet.exit_code == 1
    assert quiet.stderr == f"capspec: would rewrite {due}\n"
    clean = run("normalize", "--check", str(done))
    assert clean.exit_code == 0
    assert clean.stderr == "capspec: 0 files would be rewritten, 1 file already normalized\n"


def test_check_fails_on_errors_without_naming_the_file_as_due(tmp_path):
    bad = write(tmp_path / "bad.json", FLUX2)
    result = run("normalize", "--check", str(bad))
    assert result.exit_code == 1
    assert "unsupported_parameter" in result.stderr
    assert "would rewrite" not in result.stderr


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "steps": 3}')
    before = path.read_bytes()
    result = run("normalize", "--diff", "--policy", "drop", str(path))
    assert result.exit_code == 1
    assert path.read_bytes() == before
    assert result.stdout == (
        f"--- {path}\n+++ {path}\n@@ -1 +1,10 @@\n"
        '-{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "steps": 3}\n'
        "\\ No newline at end of file\n"
        "+{\n"
        '+  "model": "black-forest-labs/FLUX.2-pro",\n'
        '+  "prompt": "a",\n'
        '+  "n": 1,\n'
        '+  "response_format": "url",\n'
        '+  "output_format": "jpeg",\n'
        '+  "disable_safety_checker": false,\n'
        '+  "width": 1024,\n'
        '+  "height": 1024\n'
        "+}\n"
    )
    assert "parameter_dropped" in result.stderr
    assert result.stderr.endswith(
        f"capspec: would rewrite {path}\n"
        "capspec: 1 file would be rewritten, 0 files already normalized\n"
    )
    assert run("normalize", "--diff", "--check", "--policy", "drop", str(path)).exit_code == 1


def _normal_line(request: dict) -> str:
    return json.dumps(json.loads(run("normalize", "-", stdin=json.dumps(request)).stdout))


def test_jsonl_diff_has_hunks_with_context_that_patch_applies(tmp_path):
    done = _normal_line(GOOD)
    lines = [done] * 20
    lines[1] = json.dumps(GOOD)
    lines[17] = json.dumps(GOOD)
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = run("normalize", "--diff", str(path))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[:3] == [f"--- {path}", f"+++ {path}", "@@ -1,5 +1,5 @@"]
    assert out[3:9] == [" " + done, "-" + json.dumps(GOOD), "+" + done, *[" " + done] * 3]
    assert out[9] == "@@ -15,6 +15,6 @@"
    assert len(out) == 10 + 7
    # What patch would make of it is what --write makes.
    expected = tmp_path / "expected.jsonl"
    expected.write_text("\n".join([done] * 20) + "\n")
    assert apply_unified(path.read_text(), result.stdout) == expected.read_text()
    assert run("normalize", "--write", str(path)).exit_code == 0
    assert path.read_text() == expected.read_text()


def test_jsonl_keeps_every_line_and_rewrites_only_changed_ones(tmp_path):
    done = _normal_line(GOOD)
    path = tmp_path / "batch.jsonl"
    raw = (done + "\r\n\n" + json.dumps(GOOD) + "\r\n" + done).encode()  # CRLF, no last newline
    path.write_bytes(raw)
    result = run("normalize", "--write", str(path))
    assert result.exit_code == 0
    assert path.read_bytes() == (done + "\r\n\n" + done + "\r\n" + done).encode()
    assert f"rewrote {path}" in result.stderr


def test_normalize_jsonl_prints_every_line_so_line_numbers_match(tmp_path):
    path = tmp_path / "batch.jsonl"
    lines = [json.dumps(GOOD), "", "{not json", json.dumps(FLUX2), '"a string"', json.dumps(GOOD)]
    path.write_text("\n".join(lines) + "\n")
    result = run("normalize", str(path))
    assert result.exit_code == 1
    out = result.stdout.split("\n")[:-1]
    assert len(out) == len(lines)
    assert out[1:5] == lines[1:5]  # blank, broken, with errors, not an object: as they were
    assert json.loads(out[0])["n"] == 1
    assert json.loads(out[5])["n"] == 1
    assert f"{path}:3:2: error invalid_json" in result.stderr
    from_stdin = run("normalize", "-", stdin="\n".join(lines) + "\n")
    assert from_stdin.stdout == result.stdout


@pytest.mark.parametrize(
    "args",
    [["--write", "--check", "a.json"], ["--write", "--diff", "a.json"], ["--check", "-"]],
    ids=["write-check", "write-diff", "check-stdin"],
)
def test_check_and_diff_usage_errors(args):
    result = run("normalize", *args)
    assert result.exit_code == 2


def test_write_quiet_prints_only_what_is_wrong(tmp_path):
    write(tmp_path / "due.json", GOOD)
    bad = write(tmp_path / "bad.json", FLUX2)
    result = run("normalize", "--write", "--quiet", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:4:3: error unsupported_parameter "
        + result.stderr.split(" error unsupported_parameter ", 1)[1].splitlines()[0],
        f"capspec: {bad} not rewritten: errors remain",
    ]
    assert json.loads((tmp_path / "due.json").read_text())["n"] == 1

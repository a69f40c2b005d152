"""``capspec migrate`` and ``capspec lint --migrate-to``: the shapes and flags of normalize."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from click.testing import CliRunner
from test_migrate import _schnell_request

from validator.cli._app import cli

if TYPE_CHECKING:
    from pathlib import Path

SCHNELL = "black-forest-labs/FLUX.1-schnell"
FLUX2_PRO = "black-forest-labs/FLUX.2-pro"
KONTEXT_PRO = "black-forest-labs/FLUX.1-kontext-pro"
REQUEST = _schnell_request()
SERVED = {"model": FLUX2_PRO, "prompt": "a dog"}


def run(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def jsonl(path: Path, *values) -> Path:
    path.write_text("".join(json.dumps(v) + "\n" if v else "\n" for v in values))
    return path


def test_jsonl_with_to_moves_every_line_and_keeps_blank_lines(tmp_path):
    path = jsonl(tmp_path / "batch.jsonl", REQUEST, None, SERVED)
    result = run("migrate", "--to", FLUX2_PRO, str(path))
    assert result.exit_code == 0, result.stderr
    first, blank, last = result.stdout.split("\n")[:-1]
    assert blank == ""
    moved = json.loads(first)
    assert moved["model"] == FLUX2_PRO
    assert "negative_prompt" not in moved and "steps" not in moved
    assert (moved["prompt"], moved["seed"], moved["n"]) == ("a lighthouse at dusk", 42, 2)
    assert json.loads(last)["model"] == FLUX2_PRO
    # Every change is reported on standard error, located, with its rule.
    assert f"{path}:1:" in result.stderr
    assert "dropped negative_prompt" in result.stderr
    assert "(migration rule refused)" in result.stderr
    assert path.read_text() == json.dumps(REQUEST) + "\n\n" + json.dumps(SERVED) + "\n"


def test_jsonl_without_to_moves_each_request_to_its_successor(tmp_path):
    path = jsonl(tmp_path / "batch.jsonl", REQUEST, SERVED)
    result = run("migrate", str(path))
    first, last = (json.loads(line) for line in result.stdout.splitlines())
    assert first["model"] == "black-forest-labs/FLUX.2-dev"  # the successor Schnell records
    assert "steps" not in first and "negative_prompt" not in first
    assert "its recorded successor" in result.stderr
    # A served model without a successor: the line comes back as it was, byte for byte.
    assert result.stdout.splitlines()[1] == json.dumps(SERVED)
    assert last == SERVED
    assert result.exit_code == 0, result.stderr


def test_an_unknown_to_is_a_usage_error_with_a_did_you_mean(tmp_path):
    path = jsonl(tmp_path / "batch.jsonl", REQUEST)
    result = run("migrate", "--to", "black-forest-labs/flux.2-pro", str(path))
    assert result.exit_code == 2
    assert "Invalid value for '--to'" in result.stderr
    assert "unknown model 'black-forest-labs/flux.2-pro'" in result.stderr
    assert FLUX2_PRO in result.stderr
    assert result.stdout == ""


def test_kontext_gets_16_9_from_a_json_file(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(REQUEST, indent=2) + "\n")
    result = run("migrate", "--to", KONTEXT_PRO, str(path))
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["aspect_ratio"] == "16:9" and out["steps"] == 28
    assert "width" not in out


def test_write_check_and_diff(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps([REQUEST, SERVED], indent=2) + "\n")
    before = path.read_text()
    checked = run("migrate", "--to", FLUX2_PRO, "--check", str(path))
    assert checked.exit_code == 1
    assert f"would rewrite {path}" in checked.stderr
    assert "already migrated" in checked.stderr
    diffed = run("migrate", "--to", FLUX2_PRO, "--diff", str(path))
    assert diffed.exit_code == 1
    assert f'-    "model": "{SCHNELL}",' in diffed.stdout
    assert path.read_text() == before
    written = run("migrate", "--to", FLUX2_PRO, "--write", str(path))
    assert written.exit_code == 0
    assert f"rewrote {path}" in written.stderr
    assert [r["model"] for r in json.loads(path.read_text())] == [FLUX2_PRO, FLUX2_PRO]
    again = run("migrate", "--to", FLUX2_PRO, "--check", str(path))
    assert again.exit_code == 0
    after = path.read_text()
    assert run("migrate", "--to", FLUX2_PRO, "--write", str(path)).exit_code == 0
    assert path.read_text() == after  # idempotent: nothing to rewrite


def test_yaml_is_rewritten_as_yaml(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text(f"# keep me\nmodel: {KONTEXT_PRO}\nprompt: a\naspect_ratio: '16:9'\n")
    result = run("migrate", "--to", FLUX2_PRO, "--write", str(path))
    assert result.exit_code == 0, result.stderr
    text = path.read_text()
    assert text.startswith("# keep me\n")
    assert "aspect_ratio" not in text and "width: " in text and "height: " in text


def test_standard_input(tmp_path):
    result = run("migrate", "--to", FLUX2_PRO, "-", stdin=json.dumps(REQUEST))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["model"] == FLUX2_PRO


def test_errors_that_remain_exit_1_and_the_file_is_not_rewritten(tmp_path):
    bad = {**REQUEST, "prompt": ""}
    path = jsonl(tmp_path / "batch.jsonl", bad)
    before = path.read_text()
    result = run("migrate", "--to", FLUX2_PRO, "--write", str(path))
    assert result.exit_code == 1
    assert "not rewritten: errors remain" in result.stderr
    assert path.read_text() == before


def test_write_with_check_is_a_usage_error(tmp_path):
    path = jsonl(tmp_path / "batch.jsonl", REQUEST)
    result = run("migrate", "--write", "--check", str(path))
    assert result.exit_code == 2


# --- capspec lint --migrate-to: the preview ----------------------------------------------------


def test_lint_previews_a_migration_without_rewriting(tmp_path):
    path = jsonl(tmp_path / "batch.jsonl", REQUEST, {**REQUEST, "prompt": ""})
    before = path.read_text()
    result = run("lint", "--migrate-to", FLUX2_PRO, str(path))
    assert result.exit_code == 1  # the empty prompt still fails on FLUX.2 Pro
    assert f"{path}:2:" in result.stdout and "prompt" in result.stdout
    assert "dropped negative_prompt" in result.stdout
    assert "retired_model" not in result.stdout  # the request would no longer be on Schnell
    assert path.read_text() == before
    json_report = json.loads(run("lint", "-f", "json", "--migrate-to", FLUX2_PRO, str(path)).stdout)
    assert json_report["summary"]["errors"] == 1


def test_lint_preview_to_the_successor_and_its_usage_errors(tmp_path):
    path = jsonl(tmp_path / "batch.jsonl", SERVED)
    result = run("lint", "--migrate-to", "successor", str(path))
    assert result.exit_code == 0
    unknown = run("lint", "--migrate-to", "acme/none", str(path))
    assert unknown.exit_code == 2
    assert "unknown model 'acme/none'" in unknown.stderr
    mixed = run("lint", "--migrate-to", FLUX2_PRO, "--policy", "fix", str(path))
    assert mixed.exit_code == 2

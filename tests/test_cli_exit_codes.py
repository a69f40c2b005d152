"""Exit codes scripts can rely on, for every command: 0 clean, 1 findings, 2 nothing checked.

2 covers a usage error, a spec that cannot be loaded (missing, a directory, invalid,
not a spec at all), an unknown model name and output that cannot be written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import validator
from validator import load_spec
from validator.cli._app import cli
from validator.render import _docsgen

ROOT = Path(__file__).resolve().parent.parent
CLEAN = '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat"}'
BAD = '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "steps": 20}'


def run(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def fresh(tmp_path):
    """Up-to-date schemas, docs and README to check, and request files."""
    run("schemas", "--out", str(tmp_path / "schemas"))
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / "clean.json").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "bad.json").write_text(BAD, encoding="utf-8")
    # Together's model listing as the spec expects it: every served model, nothing else.
    served = [
        {"id": m.id, "type": "image" if m.endpoint == "images" else "video"}
        for m in load_spec().models.values()
        if m.lifecycle.status != "retired"
    ]
    (tmp_path / "listing.json").write_text(json.dumps(served), encoding="utf-8")
    (tmp_path / "empty-listing.json").write_text("[]", encoding="utf-8")
    return tmp_path


def commands(tmp: Path) -> dict[str, list[str]]:
    """Each command in a form that succeeds; ``--spec`` goes after."""
    return {
        "lint": ["lint", str(tmp / "clean.json")],
        "normalize": ["normalize", str(tmp / "clean.json")],
        "migrate": ["migrate", str(tmp / "clean.json")],
        "schemas": ["schemas", "--out", str(tmp / "schemas"), "--check"],
        "docs": ["docs", "--out", str(tmp / "docs"), "--readme", str(tmp / "README.md"), "--check"],
        "models": ["models"],
        "explain": ["explain", "black-forest-labs/FLUX.2-pro"],
        "table": ["table", "--models", "FLUX.2 Pro"],
        "drift": ["drift", "--models", str(tmp / "listing.json")],
    }


#: One schema per model and the index; the generated docs pages and the README's table.
SCHEMAS = len(load_spec().models) + 1
DOCS = len(_docsgen.generate(load_spec())) + 1

NAMES = ["lint", "normalize", "migrate", "schemas", "docs", "models", "explain", "table", "drift"]


@pytest.mark.parametrize("name", NAMES)
def test_clean_exits_0(name, fresh):
    result = run(*commands(fresh)[name])
    assert result.exit_code == 0, result.output


def test_up_to_date_and_written_counts_read_as_english(fresh):
    schemas = run(*commands(fresh)["schemas"])
    assert schemas.stdout == f"{fresh / 'schemas'}: all {SCHEMAS} schemas are up to date\n"
    docs = run(*commands(fresh)["docs"])
    assert docs.stdout == f"{fresh / 'docs'}: all {DOCS} docs files are up to date\n"
    again = run("schemas", "--out", str(fresh / "schemas"))
    assert (
        again.stdout
        == f"{fresh / 'schemas'}: 0 files written or removed, {SCHEMAS} schemas in all\n"
    )
    (fresh / "schemas" / "index.json").unlink()
    one = run("schemas", "--out", str(fresh / "schemas"))
    assert (
        one.stdout == f"{fresh / 'schemas'}: 1 file written or removed, {SCHEMAS} schemas in all\n"
    )


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_option_exits_2(name, fresh):
    result = run(*commands(fresh)[name], "--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.stderr


@pytest.mark.parametrize("name", NAMES)
def test_a_spec_that_is_missing_a_directory_invalid_or_not_a_spec_exits_2(name, fresh):
    (fresh / "invalid.yaml").write_text("capspec: 1\nmodels: [\n", encoding="utf-8")
    (fresh / "text.yaml").write_text("x" * 100_000, encoding="utf-8")
    for spec in ("/nonexistent/capabilities.yaml", str(fresh), "invalid.yaml", "text.yaml"):
        result = run(*commands(fresh)[name], "--spec", str(fresh / spec))
        assert result.exit_code == 2, (spec, result.output)
        assert result.stdout == ""


def test_findings_exit_1(fresh):
    assert run("lint", str(fresh / "bad.json")).exit_code == 1
    assert run("normalize", str(fresh / "bad.json")).exit_code == 1
    assert run("migrate", str(fresh / "bad.json")).exit_code == 1
    (fresh / "schemas" / "index.json").unlink()
    schemas = run(*commands(fresh)["schemas"])
    assert schemas.exit_code == 1
    models = len(validator.load_spec().models)
    assert f"1 of {models + 1} schema files is stale" in schemas.stderr  # and index.json
    (fresh / "docs" / "matrix.md").unlink()
    docs = run(*commands(fresh)["docs"])
    assert docs.exit_code == 1
    pages = len(_docsgen.generate(validator.load_spec())) + 1  # and the README
    assert f"1 of {pages} docs files is stale" in docs.stderr


def test_an_unknown_model_is_the_same_usage_error_in_explain_and_table():
    explain = run("explain", "black-forest-labs/flux.2-pro")
    table = run("table", "--models", "black-forest-labs/flux.2-pro")
    for result, where in ((explain, "'MODEL'"), (table, "'--models'")):
        assert result.exit_code == 2
        assert f"Invalid value for {where}: 'black-forest-labs/flux.2-pro' is not a model" in (
            result.stderr
        )
        assert "did you mean 'black-forest-labs/FLUX.2-pro'?" in result.stderr


@pytest.mark.parametrize("name", ["schemas", "docs"])
def test_output_that_cannot_be_written_exits_2(name, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run(name, "--out", str(blocker / "out"), *(["--no-readme"] if name == "docs" else []))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"capspec: cannot write {blocker / 'out'}")


def test_a_file_that_is_no_spec_is_quoted_short(tmp_path):
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n" * 200, encoding="utf-8")
    result = run("lint", "--spec", str(passwd), "-", stdin=CLEAN)
    assert result.exit_code == 2
    first, second = result.stderr.splitlines()
    assert first.startswith(
        f"{passwd}:1:1: a capability spec is a mapping (capspec:, parameters:, models:, ...), "
        "but this file holds the string 'root:x:0:0:root:/root:/bin/bash root:x:0:0:root:/root:/bi"
    )
    assert first.endswith("...' (6,399 characters)")
    assert len(first) - len(str(passwd)) < 200
    assert second == f"capspec: the capability spec {passwd} is invalid"

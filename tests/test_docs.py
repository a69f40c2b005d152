"""`capspec docs`: the committed docs are current; only generated files are ever touched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import validator
from validator.cli._app import cli
from validator.render import _docsgen, _tables

from seedtable import load as load_seed_table

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def tree(tmp_path):
    """A copy of the committed docs and README, to edit freely."""
    shutil.copytree(DOCS, tmp_path / "docs")
    shutil.copy(README, tmp_path / "README.md")
    return tmp_path


def docs_args(tree: Path, *extra: str) -> list[str]:
    return ["docs", "--out", str(tree / "docs"), "--readme", str(tree / "README.md"), *extra]


def test_the_committed_docs_and_readme_table_are_what_the_spec_generates(spec):
    stale = [f"{c.path}: {c.why}" for c in _docsgen.changes(spec, DOCS, README)]
    assert stale == [], "run `capspec docs` and commit the result"


def test_the_check_command_passes_on_the_committed_docs():
    result = run("docs", "--out", str(DOCS), "--readme", str(README), "--check")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout


def test_every_model_has_a_page_and_every_generated_file_carries_the_marker(spec):
    files = _docsgen.generate(spec)
    pages = {_docsgen.page_name(m) for m in spec.models}
    assert set(files) == {"index.md", "matrix.md", "rules.md", "migrations.md"} | pages
    for name, text in files.items():
        marker = _docsgen.MARKER if name != "rules.md" else _docsgen.GENERATED
        assert text.startswith(marker), name
        assert text.split("\n", 1)[0].endswith("do not edit by hand. -->"), name
        assert text.endswith("\n") and not text.endswith("\n\n"), name


def test_generation_is_deterministic(spec):
    assert _docsgen.generate(spec) == _docsgen.generate(spec)


def test_the_readme_table_is_the_seed_table_for_the_seven_models():
    text = README.read_text(encoding="utf-8")
    start = text.index(_docsgen.README_START)
    end = text.index(_docsgen.README_END)
    block = text[start:end]
    assert _docsgen.MARKER in block
    table = [line for line in block.splitlines() if line.startswith("|")]
    seed = load_seed_table()
    header = [c.strip() for c in table[0].strip("|").split("|")]
    assert header[1:] == seed.columns
    for index, row in enumerate(seed.text):
        assert [c.strip() for c in table[2 + index].strip("|").split("|")] == row


def test_the_index_links_every_page_and_the_matrix_covers_every_model(spec):
    files = _docsgen.generate(spec)
    for model in spec.models.values():
        assert f"]({_docsgen.page_name(model.id)})" in files["index.md"]
        assert f"(`{model.id}`)" in files["matrix.md"]
    assert "| Kontext Pro/Max/Dev |" in files["matrix.md"]


def test_a_model_page_has_every_section(spec):
    page = _docsgen.generate(spec)[_docsgen.page_name("Wan-AI/Wan2.6-image")]
    for heading in (
        "# Wan 2.6 Image",
        "## Parameters",
        "## Not taken",
        "## Cross-field rules",
        "## Sources",
    ):
        assert f"\n{heading}\n" in page
    assert "`pixel_area`: width x height 1600225 to 2073600 pixels" in page
    assert "| `steps` | Together answers 400" in page
    assert "`schemas/Wan-AI__Wan2.6-image.json`" in page


# --- staleness and safety, in a copy --------------------------------------------------


def test_a_hand_edit_is_stale_and_named_then_rewritten(tree):
    page = tree / "docs" / "models" / "black-forest-labs__FLUX.2-pro.md"
    page.write_text(page.read_text(encoding="utf-8").replace("1 to 4", "1 to 5"), encoding="utf-8")
    (tree / "docs" / "matrix.md").unlink()
    result = run(*docs_args(tree, "--check"))
    assert result.exit_code == 1
    assert f"{page}: differs from what the spec generates" in result.stderr
    assert f"{tree / 'docs' / 'matrix.md'}: missing" in result.stderr
    pages = len(_docsgen.generate(validator.load_spec())) + 1  # and the README
    assert f"2 of {pages} docs files are stale" in result.stderr
    assert "1 to 5" in page.read_text(encoding="utf-8"), "--check writes nothing"
    written = run(*docs_args(tree))
    assert written.exit_code == 0, written.output
    assert f"wrote {page}" in written.stdout
    assert run(*docs_args(tree, "--check")).exit_code == 0


def test_a_stale_readme_table_is_named_and_the_rest_of_the_readme_kept(tree):
    readme = tree / "README.md"
    original = readme.read_text(encoding="utf-8")
    readme.write_text(original.replace("✓ (default 28)", "✓ (default 30)"), encoding="utf-8")
    result = run(*docs_args(tree, "--check"))
    assert result.exit_code == 1
    assert f"{readme}: its table differs" in result.stderr
    assert run(*docs_args(tree)).exit_code == 0
    assert readme.read_text(encoding="utf-8") == original


def test_hand_written_files_are_never_touched_and_old_generated_pages_are_removed(tree):
    decisions = tree / "docs" / "decisions.md"
    before = decisions.read_text(encoding="utf-8")
    notes = tree / "docs" / "models" / "notes.md"
    notes.write_text("# my notes\n", encoding="utf-8")
    gone = tree / "docs" / "models" / "acme__gone.md"
    gone.write_text(_docsgen.MARKER + "\n\n# Gone\n", encoding="utf-8")
    check = run(*docs_args(tree, "--check"))
    assert check.exit_code == 1
    assert f"{gone}: generated for a model the spec no longer has" in check.stderr
    assert "notes.md" not in check.stderr
    assert "decisions.md" not in check.stderr
    result = run(*docs_args(tree))
    assert result.exit_code == 0
    assert f"removed {gone}" in result.stdout
    assert not gone.exists()
    assert notes.read_text(encoding="utf-8") == "# my notes\n"
    assert decisions.read_text(encoding="utf-8") == before


def test_a_hand_written_file_where_a_page_goes_stops_the_run_before_any_write(tree):
    page = tree / "docs" / "models" / "black-forest-labs__FLUX.2-dev.md"
    page.write_text("# hand-written\n", encoding="utf-8")
    matrix = tree / "docs" / "matrix.md"
    matrix.write_text(matrix.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    result = run(*docs_args(tree))
    assert result.exit_code == 2
    assert f"{page}: exists but was not generated by capspec docs" in result.stderr
    assert "nothing written" in result.stderr
    assert page.read_text(encoding="utf-8") == "# hand-written\n"
    assert matrix.read_text(encoding="utf-8").endswith("edited\n")
    check = run(*docs_args(tree, "--check"))
    assert check.exit_code == 1
    assert str(page) in check.stderr


def test_a_readme_without_markers_is_an_error_and_is_left_alone(tree):
    readme = tree / "README.md"
    readme.write_text("# mine\n", encoding="utf-8")
    result = run(*docs_args(tree))
    assert result.exit_code == 2
    assert _docsgen.README_START in result.stderr
    assert readme.read_text(encoding="utf-8") == "# mine\n"
    missing = run("docs", "--out", str(tree / "docs"), "--readme", str(tree / "nope.md"))
    assert missing.exit_code == 2
    assert "--no-readme" in missing.stderr


def test_no_readme_writes_only_the_docs(tmp_path, spec):
    result = run("docs", "--out", str(tmp_path / "site"), "--no-readme")
    assert result.exit_code == 0, result.output
    written = sorted(
        p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*.md")
    )
    assert written == sorted(_docsgen.generate(spec))
    assert f"{len(spec.models) + len(_docsgen.FIXED)} files written" in result.stdout
    again = run("docs", "--out", str(tmp_path / "site"), "--no-readme")
    assert "0 files written" in again.stdout


def test_splice_replaces_only_between_the_markers():
    readme = f"# Title\n\nintro\n\n{_docsgen.README_START}\nold\n{_docsgen.README_END}\n\ntail\n"
    spliced = _docsgen.splice(readme, "NEW\n", "README.md")
    assert (
        spliced
        == f"# Title\n\nintro\n\n{_docsgen.README_START}\nNEW\n{_docsgen.README_END}\n\ntail\n"
    )
    assert _docsgen.splice(spliced, "NEW\n", "README.md") == spliced
    with pytest.raises(_docsgen.DocsError):
        _docsgen.splice(f"{_docsgen.README_END}\n{_docsgen.README_START}\n", "x", "README.md")
    with pytest.raises(_docsgen.DocsError):
        _docsgen.splice(readme + readme, "x", "README.md")


def test_the_readme_block_links_the_matrix_relative_to_the_readme(spec):
    block = _docsgen.readme_block(spec, "docs/matrix.md")
    assert block.startswith(_docsgen.MARKER + "\n")
    assert "[docs/matrix.md](docs/matrix.md)" in block
    assert (
        _tables.render_markdown(_tables.build(spec, [spec.models[i] for i in _tables.SEED_MODELS]))
        in block
    )


def test_an_unwritable_out_dir_exits_2_without_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run("docs", "--out", str(blocker / "docs"), "--no-readme")
    assert result.exit_code == 2
    assert "capspec: cannot write" in result.stderr
    assert "Traceback" not in result.output


def test_a_bad_spec_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("capspec: 2\n", encoding="utf-8")
    result = run("docs", "--spec", str(bad), "--out", str(tmp_path / "d"), "--no-readme")
    assert result.exit_code == 2
    assert "is invalid" in result.stderr
    assert not (tmp_path / "d").exists()


def test_docs_help_has_examples():
    result = run("docs", "--help")
    assert result.exit_code == 0
    assert "capspec docs --check" in result.stdout


def test_a_custom_spec_without_the_seed_models_gets_all_its_models_in_the_readme(tmp_path):
    minimal = ROOT / "tests" / "specs" / "minimal.yaml"
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# Mine\n\n{_docsgen.README_START}\n{_docsgen.README_END}\n", encoding="utf-8"
    )
    args = [
        "docs",
        "--spec",
        str(minimal),
        "--out",
        str(tmp_path / "docs"),
        "--readme",
        str(readme),
    ]
    result = run(*args)
    assert result.exit_code == 0, result.output
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Mine\n")
    assert "| Parameter                |    One   |" in text
    assert "Every model in the spec" in text
    assert (tmp_path / "docs" / "models" / "acme__one.md").exists()
    assert run(*args, "--check").exit_code == 0


def test_the_rules_page_has_a_section_and_a_row_for_every_code(spec):
    page = _docsgen.generate(spec)["rules.md"]
    assert _docsgen.is_generated(page)
    for code, meaning in validator.CODES.items():
        assert f"| [`{code}`](#{code}) |" in page, code
        assert f"\n## `{code}`\n" in page, code
        assert meaning in page
    # Errors first, then warnings: the table's order is the sections' order.
    rows = [line.split("`")[1] for line in page.splitlines() if line.startswith("| [`")]
    sections = [line.split("`")[1] for line in page.splitlines() if line.startswith("## `")]
    assert rows == sections
    assert rows.index("too_large") < rows.index("deprecated_model")


def test_the_readme_problem_codes_section_names_every_request_code():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Problem codes", 1)[1].split("\n## ", 1)[0]
    request_codes = set(validator.ERROR_CODES) | set(validator.WARNING_CODES)
    missing = sorted(code for code in request_codes if f"`{code}`" not in section)
    assert missing == []
    assert "(docs/rules.md)" in section


def test_the_migrations_page_names_every_successor_and_rule(spec):
    page = _docsgen.generate(spec)["migrations.md"]
    for model in spec.models.values():
        successor = model.lifecycle.replaced_by
        row = f"| {_docsgen._link(model)} |"
        lines = [x for x in page.splitlines() if x.startswith(row)]
        if model.lifecycle.status == "active" and successor is None:
            assert lines == [], model.id
            continue
        (line,) = lines
        if successor is not None:
            assert _docsgen.page_name(successor.model) in line, model.id
    rules = [
        x.split("`")[1] for x in page.split("## Rules", 1)[1].splitlines() if x.startswith("| `")
    ]
    assert rules == list(spec.migrations)
    assert "FLUX.1 Schnell" in page and "[FLUX.2 Dev]" in page

"""`capspec models`, `explain` and `table`: behaviour, exit codes, golden outputs, the seed's table.

Golden files live in tests/golden/. After an intended change of output, regenerate them with

    CAPSPEC_UPDATE_GOLDEN=1 python -m pytest tests/test_cli_docs.py

and review the diff before committing.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.cli._app import cli
from validator.render import _tables

from seedtable import SEED, column_names, models_for
from seedtable import load as load_seed_table

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("CAPSPEC_UPDATE_GOLDEN") == "1"
SEED_TABLE = load_seed_table()
SEVEN = ",".join(_tables.SEED_MODELS)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.read_text(encoding="utf-8") == text, f"{name} differs; see the module docstring"


def seed_lines() -> list[str]:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Model compatibility")
    table = [line for line in lines[start:] if line.startswith("|")]
    return table[: 2 + len(SEED_TABLE.rows)]


def parse_markdown(text: str) -> tuple[list[str], dict[tuple[str, str], str], list[str]]:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()]
    header, body = rows[0], rows[2:]
    cells = {
        (row[0], column): value
        for row in body
        for column, value in zip(header[1:], row[1:], strict=True)
    }
    return header[1:], cells, [row[0] for row in body]


# --- table: the seed's table, cell for cell -----------------------------------------


def test_the_seven_seed_models_reproduce_the_seed_table_cell_for_cell():
    result = run("table", "--models", SEVEN)
    assert result.exit_code == 0, result.output
    columns, cells, rows = parse_markdown(result.stdout)
    assert columns == SEED_TABLE.columns
    assert rows[: len(SEED_TABLE.rows)] == SEED_TABLE.rows
    for row_index, row in enumerate(SEED_TABLE.rows):
        for column_index, column in enumerate(SEED_TABLE.columns):
            assert cells[(row, column)] == SEED_TABLE.text[row_index][column_index + 1], (
                row,
                column,
            )


def test_the_seed_rows_are_the_seed_table_byte_for_byte():
    """Same padding and centring as the seed: the seed's lines are a prefix of the output."""
    lines = run("table", "--models", SEVEN).stdout.splitlines()
    assert lines[: len(seed_lines())] == seed_lines()


def test_parameters_beyond_the_seed_follow_in_spec_order(spec):
    _, cells, rows = parse_markdown(run("table", "--models", SEVEN).stdout)
    extra = rows[len(SEED_TABLE.rows) :]
    assert extra == ["`image_url`", "`reference_images`", "`image_loras`"]
    order = list(spec.parameters)
    assert [order.index(r.strip("`")) for r in extra] == sorted(
        order.index(r.strip("`")) for r in extra
    )
    assert cells[("`reference_images`", "FLUX.2 Dev")] == "✓"
    assert cells[("`image_url`", "FLUX.2 Dev")] == "—"


def test_the_seed_columns_name_the_seed_models(spec):
    ids = [i for column in SEED_TABLE.columns for i in models_for(column, spec)]
    assert tuple(ids) == _tables.SEED_MODELS
    names = [n for column in SEED_TABLE.columns for n in column_names(column)]
    assert [spec.models[i].short_name for i in ids] == names


def test_without_merging_kontext_pro_and_max_get_a_column_each():
    columns, cells, _ = parse_markdown(run("table", "--models", SEVEN, "--no-merge").stdout)
    assert columns[-2:] == ["Kontext Pro", "Kontext Max"]
    assert cells[("`steps`", "Kontext Max")] == "✓ (default 28)"


def test_only_consecutive_identical_columns_merge():
    ids = "black-forest-labs/FLUX.1-kontext-pro,black-forest-labs/FLUX.2-pro,black-forest-labs/FLUX.1-kontext-max"
    columns, _, _ = parse_markdown(run("table", "--models", ids).stdout)
    assert columns == ["Kontext Pro", "FLUX.2 Pro", "Kontext Max"]


def test_identical_columns_with_unrelated_names_stay_apart():
    ids = "Qwen/Qwen-Image,ideogram/ideogram-3.0"
    columns, _, _ = parse_markdown(run("table", "--models", ids).stdout)
    assert columns == ["Qwen Image", "Ideogram 3.0"]


def test_a_differing_width_and_height_pair_shows_both_cells(spec):
    model = spec.models["black-forest-labs/FLUX.2-pro"]
    lopsided = model._replace(params={k: v for k, v in model.params.items() if k != "height"})
    matrix = _tables.build(spec, [lopsided])
    row = next(r for r in matrix.rows if r.params == ("width", "height"))
    assert row.cells == ("✓ / —",)


def test_display_names_select_columns_and_duplicates_count_once():
    result = run("table", "--models", "FLUX.2 Pro, black-forest-labs/FLUX.2-pro,FLUX.2 Dev")
    columns, _, _ = parse_markdown(result.stdout)
    assert columns == ["FLUX.2 Pro", "FLUX.2 Dev"]


def test_the_default_table_covers_every_model(spec):
    data = json.loads(run("table", "--format", "json").stdout)
    covered = [m for column in data["columns"] for m in column["models"]]
    assert covered == list(spec.models)
    assert any(c["header"] == "Kontext Pro/Max/Dev" for c in data["columns"])
    # The video API's own names come after the image API's.
    assert [r["parameter"] for r in data["rows"]][-3:] == [
        "generate_audio",
        "media",
        "frame_images",
    ]


def test_csv_has_the_same_cells_as_markdown():
    rows = list(csv.reader(io.StringIO(run("table", "--models", SEVEN, "--format", "csv").stdout)))
    assert rows[0] == ["parameter", *SEED_TABLE.columns]
    assert rows[2] == ["width / height", "✓", "✓", "✓", "✓", "✓", "—"]
    assert rows[4][1] == "✓ (default 4)"


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json"])
def test_table_golden(fmt):
    result = run("table", "--models", SEVEN, "--format", fmt)
    assert result.exit_code == 0
    assert_golden(f"table-seed.{ {'markdown': 'md'}.get(fmt, fmt) }", result.stdout)


def test_an_unknown_model_in_models_is_a_usage_error_with_did_you_mean():
    result = run("table", "--models", "black-forest-labs/FLUX.2-pro,black-forest-labs/flux.2-dev")
    assert result.exit_code == 2
    assert "'black-forest-labs/flux.2-dev' is not a model" in result.stderr
    assert "did you mean 'black-forest-labs/FLUX.2-dev'?" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_an_empty_models_option_is_a_usage_error():
    result = run("table", "--models", " , ")
    assert result.exit_code == 2
    assert "no model given" in result.stderr


# --- models ---------------------------------------------------------------------------


def test_models_lists_every_model_in_spec_order(spec):
    lines = run("models").stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "FAMILY", "ENDPOINT", "STATUS"]
    assert [line.split()[0] for line in lines[1:]] == list(spec.models)


def test_models_json_carries_every_field(spec):
    data = json.loads(run("models", "--format", "json").stdout)
    assert [m["id"] for m in data["models"]] == list(spec.models)
    schnell = data["models"][0]
    assert schnell == {
        "id": "black-forest-labs/FLUX.1-schnell",
        "name": "FLUX.1 Schnell",
        "short_name": "FLUX.1 Schnell",
        "family": "FLUX.1",
        "endpoint": "images",
        "status": "retired",
        "since": "2026-10-07",
        "replaced_by": "black-forest-labs/FLUX.2-dev",
    }


def test_models_filters_combine(spec):
    data = json.loads(
        run("models", "--family", "flux.2", "--status", "active", "--format", "json").stdout
    )
    assert [m["id"] for m in data["models"]] == [
        m.id
        for m in spec.models.values()
        if m.family == "FLUX.2" and m.lifecycle.status == "active"
    ]
    videos = json.loads(run("models", "--endpoint", "videos", "--format", "json").stdout)
    assert {m["family"] for m in videos["models"]} == {"Kling"}
    both = json.loads(
        run("models", "--status", "deprecated", "--status", "retired", "--format", "json").stdout
    )
    assert {m["status"] for m in both["models"]} == {"deprecated", "retired"}


def test_models_search_matches_id_or_name_ignoring_case():
    data = json.loads(run("models", "KONTEXT", "--format", "json").stdout)
    assert [m["short_name"] for m in data["models"]] == [
        "Kontext Pro",
        "Kontext Max",
        "Kontext Dev",
    ]
    by_name = json.loads(run("models", "schnell free", "--format", "json").stdout)
    assert [m["id"] for m in by_name["models"]] == ["black-forest-labs/FLUX.1-schnell-Free"]


def test_models_with_no_match_is_empty_not_an_error():
    result = run("models", "no-such-model")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no model matches" in result.stderr
    assert json.loads(run("models", "zzz", "--format", "json").stdout) == {"models": []}


def test_an_unknown_family_is_a_usage_error_with_did_you_mean():
    result = run("models", "--family", "flux2")
    assert result.exit_code == 2
    assert "did you mean 'FLUX.2'?" in result.stderr


def test_an_unknown_status_is_a_usage_error():
    assert run("models", "--status", "gone").exit_code == 2


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_models_golden(fmt):
    result = run("models", "--family", "FLUX.2", "--family", "FLUX.1 Kontext", "--format", fmt)
    assert_golden(f"models-flux2-kontext.{'txt' if fmt == 'text' else 'json'}", result.stdout)


# --- explain --------------------------------------------------------------------------


def explain_json(model: str) -> dict:
    result = run("explain", model, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_explain_gives_every_parameter_with_its_facts(spec):
    data = explain_json("black-forest-labs/FLUX.1-schnell")
    model = spec.models["black-forest-labs/FLUX.1-schnell"]
    assert {p["name"] for p in data["parameters"]} == set(model.params)
    steps = next(p for p in data["parameters"] if p["name"] == "steps")
    assert steps["default"] == 4
    assert steps["model_default"] is True
    assert steps["schema"]["minimum"] == 1
    assert steps["schema"]["maximum"] == 50
    width = next(p for p in data["parameters"] if p["name"] == "width")
    assert width["schema"]["multiple_of"] == 8
    assert width["model_default"] is False
    prompt = next(p for p in data["parameters"] if p["name"] == "prompt")
    assert prompt["required"] is True
    assert data["required"] == ["model", "prompt"]
    assert data["lifecycle"] == {
        "status": "retired",
        "since": "2026-10-07",
        "announced": None,
        "removed": None,
        "last_seen": "2026-08-18",
        "unlisted_by": "2026-10-07",
        "refused": False,
        "replaced_by": {
            "model": "black-forest-labs/FLUX.2-dev",
            "note": model.lifecycle.replaced_by.note,
            "sources": list(model.lifecycle.replaced_by.sources),
        },
        "note": model.lifecycle.note,
        "sources": list(model.lifecycle.sources),
    }


def test_explain_lists_what_the_model_does_not_take_and_what_to_use_instead(spec):
    data = explain_json("black-forest-labs/FLUX.1-kontext-pro")
    model = spec.models[data["id"]]
    not_taken = {u["name"]: u for u in data["unsupported"]}
    ignored = {u["name"]: u for u in data["ignored"]}
    assert set(not_taken) == set(spec.parameters) - set(model.params) - set(model.ignored)
    assert set(ignored) == {"width", "height"}
    assert ignored["width"]["instead"] == ["aspect_ratio"]
    assert "aspect_ratio" in ignored["width"]["note"]
    assert not_taken["negative_prompt"]["sources"] == ["seed-parameters"]


def test_explain_shows_the_evidence_for_each_cell_and_bound():
    kontext = explain_json("black-forest-labs/FLUX.1-kontext-pro")
    width = next(u for u in kontext["ignored"] if u["name"] == "width")
    assert all(set(e) == {"fact", "source", "shows", "says"} for e in width["evidence"])
    shows = {(e["fact"], e["source"], e["shows"]) for e in width["evidence"]}
    assert ("state", "docs-quickstart-kontext", "accepted") in shows
    assert ("state", "seed-parameters", "undocumented") in shows
    negative = next(u for u in kontext["unsupported"] if u["name"] == "negative_prompt")
    assert [(e["fact"], e["shows"]) for e in negative["evidence"]] == [("state", "undocumented")]
    flux2 = explain_json("black-forest-labs/FLUX.2-pro")
    side = next(p for p in flux2["parameters"] if p["name"] == "width")
    assert ("minimum", "live-errors", "refused") in {
        (e["fact"], e["source"], e["shows"]) for e in side["evidence"]
    }
    text = run("explain", "black-forest-labs/FLUX.2-pro").stdout
    assert "evidence minimum: refused [live-errors] 400 Invalid value for 'width'" in text
    seedream = explain_json("ByteDance/Seedream-5.0-lite")
    area = next(r for r in seedream["rules"] if r["kind"] == "pixel_area")
    assert {e["fact"] for e in area["evidence"]} == {"minimum", "maximum"}


def test_explain_gives_aliases_advice_and_enums():
    data = explain_json("black-forest-labs/FLUX.2-flex")
    params = {p["name"]: p for p in data["parameters"]}
    assert params["guidance_scale"]["aliases"] == ["guidance"]
    assert params["guidance_scale"]["schema"]["advice"]["minimum"] == 1.5
    assert params["response_format"]["schema"]["enum"] == ["url", "base64"]
    assert params["width"]["schema"]["advice"]["multiple_of"] == 16


def test_explain_gives_rules_and_source_references(spec):
    data = explain_json("Wan-AI/Wan2.6-image")
    kinds = [r["kind"] for r in data["rules"]]
    assert kinds == ["pixel_area", "aspect_ratio"]
    area = data["rules"][0]
    assert area["minimum"] == 1600225
    assert "1600225 to 2073600 pixels" in area["text"]
    for rule in data["rules"]:
        for source in rule["sources"]:
            assert data["references"][source]["url"] == spec.sources[source].url
    menu = explain_json("google/gemini-3-pro-image")["rules"][0]
    assert menu["kind"] == "size_menu"
    assert "1024x1024" in menu["sizes"]


def test_explain_accepts_a_display_name():
    assert explain_json("Kontext Max")["id"] == "black-forest-labs/FLUX.1-kontext-max"


def test_explain_text_names_the_key_facts():
    text = run("explain", "black-forest-labs/FLUX.1-schnell").stdout
    assert text.startswith("FLUX.1 Schnell (black-forest-labs/FLUX.1-schnell)\n")
    assert "retired (last seen 2026-08-18, unlisted by 2026-10-07)" in text
    assert "a warning, not an error; use black-forest-labs/FLUX.2-dev instead" in text
    assert "integer, optional, default 4 (this model's own)" in text
    assert "aspect_ratio:" in text
    assert "Sources\n" in text


def test_explain_describes_nested_items():
    text = run("explain", "kwaivgI/kling-2.1-pro").stdout
    assert "input_image (string, required, at least 1 character)" in text
    assert 'frame (number (at least 0) or string (one of "first", "last"))' in text


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_explain_golden(fmt):
    result = run("explain", "black-forest-labs/FLUX.2-flex", "--format", fmt)
    assert_golden(f"explain-flux2-flex.{'txt' if fmt == 'text' else 'json'}", result.stdout)


def test_explain_an_unknown_model_is_a_usage_error_with_did_you_mean():
    result = run("explain", "black-forest-labs/flux.1-schnell")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "did you mean 'black-forest-labs/FLUX.1-schnell'?" in result.stderr
    assert "Traceback" not in result.output
    assert "Invalid value for 'MODEL'" in result.stderr
    tail = run("explain", "FLUX.2-pro")
    assert tail.exit_code == 2
    assert "did you mean 'black-forest-labs/FLUX.2-pro'?" in tail.stderr


def test_explain_without_a_model_is_a_usage_error():
    assert run("explain").exit_code == 2


# --- a bad spec is reported, never a traceback -----------------------------------------


@pytest.mark.parametrize(
    "args",
    [["models"], ["explain", "black-forest-labs/FLUX.2-pro"], ["table"]],
    ids=["models", "explain", "table"],
)
def test_a_bad_spec_exits_2_with_its_location(args, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("capspec: 1\nmodels: [\n", encoding="utf-8")
    result = run(*args, "--spec", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr
    assert "is invalid" in result.stderr
    assert "Traceback" not in result.output
    missing = run(*args, "--spec", str(tmp_path / "missing.yaml"))
    assert missing.exit_code == 2
    assert "cannot read the spec" in missing.stderr
    # A file that cannot be read has no line to point at, and is not "invalid".
    assert missing.stderr.splitlines() == [
        f"{tmp_path / 'missing.yaml'}: cannot read the spec: no such file or directory",
        f"capspec: the capability spec {tmp_path / 'missing.yaml'} cannot be read",
    ]


@pytest.mark.parametrize("command", ["models", "explain", "table"])
def test_help_has_examples(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"capspec {command}" in result.stdout


# --- the matrix over every model: cells mean what the legend says ------------------------


def test_every_cell_of_the_full_matrix_agrees_with_the_spec(spec):
    models = list(spec.models.values())
    matrix = _tables.build(spec, models, merge=False)
    assert [c.models for c in matrix.columns] == [(m.id,) for m in models]
    for row in matrix.rows:
        for model, text in zip(models, row.cells, strict=True):
            parts = text.split(" / ") if " / " in text else [text] * len(row.params)
            for param, part in zip(row.params, parts, strict=True):
                taken = model.params.get(param)
                if taken is None:
                    assert part == "—", (model.id, param, text)
                elif taken.required:
                    assert part == "Required", (model.id, param, text)
                elif taken.model_default:
                    default = _tables.literal(taken.default)
                    assert part == f"✓ (default {default})", (model.id, param)
                else:
                    assert part == "✓", (model.id, param, text)


def test_merged_columns_stand_for_models_with_identical_columns(spec):
    models = list(spec.models.values())
    merged = _tables.build(spec, models)
    single = _tables.build(spec, models, merge=False)
    index = {c.models[0]: i for i, c in enumerate(single.columns)}
    assert len(merged.columns) < len(single.columns)
    for position, column in enumerate(merged.columns):
        assert column_names(column.header) == [spec.models[m].short_name for m in column.models]
        for row, full in zip(merged.rows, single.rows, strict=True):
            assert {full.cells[index[m]] for m in column.models} == {row.cells[position]}

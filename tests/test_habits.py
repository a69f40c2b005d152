"""``--policy fix`` repairs habits from other image APIs (``repairs`` in capabilities.yaml).

Each repair is reported, and a repaired value meets the model's advice as well as
its bounds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import validator
from validator.cli._app import cli
from validator.errors import SpecError

ROOT = Path(__file__).resolve().parent.parent
DEV = "black-forest-labs/FLUX.2-dev"
HABITS = {
    "model": DEV,
    "prompt": "a lighthouse",
    "size": "512x768",
    "num_inference_steps": 20,
    "response_format": "b64_json",
    "seed": "42",
}


def changes(result: validator.Normalized) -> list[tuple[str, str | None]]:
    return [(p.code, p.param) for p in result.problems]


def test_the_issue_request_is_repaired_and_every_repair_reported(spec):
    # Under strict, each habit is an error.
    strict = {p.code for p in validator.validate(HABITS, spec=spec)}
    assert {"unknown_parameter", "invalid_value", "invalid_type"} <= strict
    result = validator.normalize(HABITS, policy="fix", spec=spec)
    sent = result.request
    assert (sent["width"], sent["height"], sent["steps"]) == (512, 768, 20)
    assert sent["response_format"] == "base64"
    assert sent["seed"] == 42
    assert type(sent["seed"]) is int
    assert "size" not in sent
    assert "num_inference_steps" not in sent
    assert changes(result) == [
        ("value_changed", "size"),
        ("value_changed", "num_inference_steps"),
        ("value_changed", "response_format"),
        ("value_changed", "seed"),
    ]
    messages = [p.message for p in result.problems]
    assert messages == [
        "size '512x768' split into width 512 and height 768",
        "num_inference_steps (another API's name) renamed to steps",
        "response_format 'b64_json' changed to 'base64'",
        "seed '42' changed to 42",
    ]
    assert result.ok
    assert validator.find_errors(sent, spec=spec) == []
    # Idempotent: the repaired request needs no more repairs.
    assert validator.normalize(sent, policy="fix", spec=spec).problems == []


def test_the_issue_request_through_lint(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps(HABITS))
    runner = CliRunner()
    strict = runner.invoke(cli, ["lint", "--format", "json", str(tmp_path / "r.json")])
    assert strict.exit_code == 1
    fixed = runner.invoke(
        cli, ["lint", "--format", "json", "--policy", "fix", str(tmp_path / "r.json")]
    )
    assert fixed.exit_code == 0
    codes = [p["code"] for p in json.loads(fixed.stdout)["problems"]]
    assert codes == ["value_changed"] * 4


@pytest.mark.parametrize(
    ("habit", "target"),
    [("num_images", "n"), ("num_outputs", "n"), ("num_images_per_prompt", "n")],
)
def test_counts_become_n(spec, habit, target):
    result = validator.normalize({"model": DEV, "prompt": "a", habit: 2}, policy="fix", spec=spec)
    assert result.request[target] == 2
    assert habit not in result.request
    assert changes(result) == [("value_changed", habit)]


def test_a_habit_beside_the_real_name_is_dropped(spec):
    request = {"model": DEV, "prompt": "a", "n": 1, "num_images": 3}
    result = validator.normalize(request, policy="fix", spec=spec)
    assert result.request["n"] == 1
    assert [p.message for p in result.problems] == ["dropped num_images: n is also given"]


def test_a_habit_for_a_parameter_the_model_lacks_is_dropped_and_says_why(spec):
    request = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "num_inference_steps": 4}
    result = validator.normalize(request, policy="fix", spec=spec)
    assert "steps" not in result.request
    assert [p.message for p in result.problems] == [
        (
            "dropped num_inference_steps: black-forest-labs/FLUX.2-pro does not take steps "
            "(num_inference_steps is another API's name for it)"
        )
    ]


def test_a_size_on_an_aspect_ratio_model_becomes_the_nearest_ratio(spec):
    request = {"model": "black-forest-labs/FLUX.1-kontext-pro", "prompt": "a", "size": "1024x576"}
    result = validator.normalize(request, policy="fix", spec=spec)
    assert result.request["aspect_ratio"] == "16:9"
    assert "width" not in result.request
    assert result.ok


@pytest.mark.parametrize("size", ["big", "1024", "1024x", "0x-5", "1024x768x2"])
def test_a_size_that_is_not_width_x_height_is_dropped(spec, size):
    result = validator.normalize(
        {"model": DEV, "prompt": "a", "size": size}, policy="fix", spec=spec
    )
    assert "size" not in result.request
    assert result.problems[0].code == "parameter_dropped"
    assert "WIDTHxHEIGHT" in result.problems[0].message


def test_strict_and_drop_repair_nothing(spec):
    strict = validator.normalize(HABITS, policy="strict", spec=spec)
    assert strict.request["seed"] == "42"
    assert "size" in strict.request
    drop = validator.normalize(HABITS, policy="drop", spec=spec)
    assert "size" not in drop.request
    assert "steps" not in drop.request
    assert drop.request["response_format"] == "b64_json"
    assert not drop.ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42", 42), (" 7 ", 7), ("-3", -3), ("4.0", 4), ("4.5", "4.5"), ("4e2", "4e2"), ("", "")],
)
def test_numeric_strings_for_integers(spec, text, expected):
    request = {"model": DEV, "prompt": "a", "seed": text}
    result = validator.normalize(request, policy="fix", spec=spec)
    assert result.request["seed"] == expected
    assert type(result.request["seed"]) is type(expected)


def test_a_repair_meets_the_advice_as_well_as_the_bounds(spec):
    """FLUX.2 width: hard multiple of 8, advised multiple of 16 and at most 1920."""
    width = spec.models["black-forest-labs/FLUX.2-pro"].params["width"].schema
    assert (width.multiple_of, width.advice.multiple_of, width.advice.maximum) == (8, 16, 1920)
    request = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "width": 1001}
    result = validator.normalize(request, policy="fix", spec=spec)
    assert result.request["width"] == 1008  # 1000 would break the multiple-of-16 advice
    assert [p.code for p in result.problems] == ["value_changed"]
    # a value within the bounds is never moved for advice alone
    fine = validator.normalize({**request, "width": 2000}, policy="fix", spec=spec)
    assert fine.request["width"] == 2000
    assert [p.code for p in fine.problems] == ["not_recommended"]
    # above the hard maximum: the nearest advised value
    over = validator.normalize({**request, "width": 5000}, policy="fix", spec=spec)
    assert over.request["width"] == 1920


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_repaired_widths_never_warn(value):
    spec = validator.load_spec()
    request = {"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "width": value}
    result = validator.normalize(request, policy="fix", spec=spec)
    changed = any(p.code == "value_changed" for p in result.problems)
    after = validator.validate(result.request, spec=spec)
    assert not validator.find_errors(result.request, spec=spec)
    if changed:
        assert [p.code for p in after] == []


def _spec_with(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load((ROOT / "capabilities.yaml").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["repairs"]["names"].update(widht="width"), "'widht' is not in foreign_names"),
        (lambda d: d["repairs"]["names"].update(num_images="count"), "'count' is not a parameter"),
        (
            lambda d: d["repairs"]["values"]["response_format"].update(b64_json="b64"),
            "'b64' is not a value response_format takes",
        ),
        (
            lambda d: d["repairs"]["values"]["output_format"].update(gif="png"),
            "'gif' is not in foreign_values.output_format",
        ),
    ],
)
def test_the_spec_refuses_a_repair_that_leads_nowhere(tmp_path, edit, message):
    path = _spec_with(tmp_path, edit)
    with pytest.raises(SpecError) as caught:
        validator.load_spec(path)
    assert message in str(caught.value)


def test_the_bundled_repairs_load(tmp_path):
    shutil.copy(ROOT / "capabilities.yaml", tmp_path / "c.yaml")
    repairs = validator.load_spec(tmp_path / "c.yaml").repairs
    assert repairs.names["num_inference_steps"] == "steps"
    assert repairs.values["response_format"]["b64_json"] == "base64"

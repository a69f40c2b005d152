"""Three states per cell (takes, ignores, refuses) on evidence, bounds on evidence, and hints
for habits from other APIs (issue 12)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import validator
from validator import SpecError, load_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = Path(__file__).resolve().parent / "specs"
SPEC = load_spec()

KONTEXT = "black-forest-labs/FLUX.1-kontext-pro"
FLUX1_DEV = "black-forest-labs/FLUX.1-dev"
FLUX11_PRO = "black-forest-labs/FLUX.1.1-pro"
FLUX2_PRO = "black-forest-labs/FLUX.2-pro"
LORA = "black-forest-labs/FLUX.1-dev-lora"
GEMINI = "google/flash-image-2.5"
SEEDREAM5 = "ByteDance/Seedream-5.0-lite"


def codes(problems, severity=None):
    return [(p.code, p.param) for p in problems if severity in (None, p.severity)]


# --- the bundled spec stands on its evidence -------------------------------------------


def test_every_refused_cell_the_spec_names_cites_its_evidence():
    for model in SPEC.models.values():
        for name, cell in model.unsupported.items():
            shows = {e.shows for e in cell.evidence if e.fact == "state"}
            assert shows & {"refused", "undocumented"}, (model.id, name)
            assert "accepted" not in shows, (model.id, name)


def test_every_ignored_cell_cites_evidence_of_acceptance():
    assert SPEC.models[KONTEXT].ignored
    for model in SPEC.models.values():
        for name, cell in model.ignored.items():
            assert "accepted" in {e.shows for e in cell.evidence if e.fact == "state"}, (
                model.id,
                name,
            )
            assert all(e.source in SPEC.sources for e in cell.evidence)


def test_the_decided_cells():
    assert set(SPEC.models[KONTEXT].ignored) == {"width", "height"}
    assert SPEC.models[KONTEXT].ignored["width"].instead == ("aspect_ratio",)
    assert "image_url" in SPEC.models[FLUX1_DEV].ignored
    assert "steps" in SPEC.models[FLUX11_PRO].ignored
    for model_id in ("google/flash-image-2.5", "google/gemini-3-pro-image"):
        assert "temperature" in SPEC.models[model_id].ignored
    assert "temperature" in SPEC.parameters
    assert "reference_images" in SPEC.models[SEEDREAM5].params


# --- ignored: a warning naming what to use instead --------------------------------------


def test_kontext_width_and_height_are_a_warning_naming_aspect_ratio():
    problems = validator.validate(
        {"model": KONTEXT, "prompt": "x", "width": 1536, "height": 1024, "image_url": "https://a"}
    )
    assert codes(problems, "error") == []
    assert codes(problems) == [("ignored_parameter", "width"), ("ignored_parameter", "height")]
    assert "aspect_ratio" in problems[0].hint
    assert KONTEXT in problems[0].message


def test_an_ignored_parameter_without_a_replacement_names_the_models_that_use_it():
    problems = validator.validate({"model": FLUX1_DEV, "prompt": "x", "image_url": "https://a"})
    # FLUX.1 Dev itself is retired and refused; the cell is not an error.
    assert codes(problems, "error") == [("retired_model", "model")]
    (problem,) = [p for p in problems if p.code == "ignored_parameter"]
    assert problem.severity == "warning"
    assert problem.hint.startswith("remove image_url; models that use it: ")
    assert "Kontext" in problem.hint


def test_an_ignored_parameter_keeps_its_type_check():
    problems = validator.validate({"model": GEMINI, "prompt": "x", "temperature": "hot"})
    assert codes(problems) == [
        ("ignored_parameter", "temperature"),
        ("invalid_type", "temperature"),
    ]


def test_the_v1_sdks_steps_on_flux11_pro_is_a_warning():
    # The v1 Python SDK sent n, width, height and steps=20 on every call until 1.5.28.
    body = {"model": FLUX11_PRO, "prompt": "x", "n": 1, "width": 1024, "height": 1024, "steps": 20}
    assert codes(validator.validate(body)) == [("ignored_parameter", "steps")]


def test_drop_removes_ignored_parameters_and_reports_each():
    result = validator.normalize(
        {"model": KONTEXT, "prompt": "x", "width": 1536, "height": 1024}, policy="drop"
    )
    assert "width" not in result.request and "height" not in result.request
    dropped = [p for p in result.problems if p.code == "parameter_dropped"]
    assert [p.param for p in dropped] == ["width", "height"]
    assert "ignores it" in dropped[0].message
    assert result.ok and validator.validate(result.request) == []


def test_strict_keeps_ignored_parameters_with_their_warning():
    result = validator.normalize({"model": KONTEXT, "prompt": "x", "width": 1536})
    assert result.ok
    assert result.request["width"] == 1536
    assert codes(result.problems) == [("ignored_parameter", "width")]


def test_the_schema_accepts_an_ignored_parameter_and_says_why():
    schema = json.loads(
        (ROOT / "schemas" / "black-forest-labs__FLUX.1-kontext-pro.json").read_text()
    )
    assert schema["properties"]["width"]["description"].startswith("Ignored by this model")
    assert "JSON Schema cannot warn" in schema["description"]
    assert "default" not in schema["properties"]["width"]


# --- bounds: the error bound is what the API refuses ------------------------------------


def test_flux2_sides_below_256_are_refused():
    problems = validator.validate({"model": FLUX2_PRO, "prompt": "x", "width": 248, "height": 1024})
    assert codes(problems, "error") == [("out_of_range", "width")]
    assert (
        validator.validate({"model": FLUX2_PRO, "prompt": "x", "width": 256, "height": 256}) == []
    )


def test_a_negative_lora_scale_from_togethers_cookbook_is_not_an_error():
    lora = [{"path": "https://huggingface.co/XLabs-AI/flux-RealismLora", "scale": -0.8}]
    problems = validator.validate({"model": LORA, "prompt": "x", "image_loras": lora})
    # FLUX.1 Dev LoRA itself is retired and refused; the scale is not an error.
    assert codes(problems, "error") == [("retired_model", "model")]
    assert ("not_recommended", "image_loras") in codes(problems, "warning")  # advice 0.3-1.2


def test_seedream5_takes_sizes_inside_its_pixel_window_and_above_2048():
    ok = {"model": SEEDREAM5, "prompt": "x", "width": 2560, "height": 3840}
    assert validator.validate({**ok, "reference_images": ["https://a/b.png"]}) == []
    small = validator.validate({**ok, "width": 1024, "height": 1024})
    assert codes(small, "error") == [("conflicting_parameters", "width")]
    huge = validator.validate({**ok, "width": 4096, "height": 4096})
    assert codes(huge, "error") == [("conflicting_parameters", "width")]


def test_normalize_fills_a_seedream5_size_inside_its_window():
    result = validator.normalize({"model": SEEDREAM5, "prompt": "x"})
    assert result.ok
    width, height = result.request["width"], result.request["height"]
    assert 3_686_400 <= width * height <= 10_404_496


# --- habits from other APIs -------------------------------------------------------------


def test_b64_json_is_an_error_whose_hint_names_base64():
    problems = validator.validate(
        {"model": FLUX2_PRO, "prompt": "x", "response_format": "b64_json"}
    )
    assert codes(problems) == [("invalid_value", "response_format")]
    assert '"base64"' in problems[0].hint


def test_foreign_names_and_values_name_the_together_way():
    problems = validator.validate(
        {"model": FLUX2_PRO, "prompt": "x", "format": "png", "output_format": "jpg"}
    )
    hints = {p.param: p.hint for p in problems}
    assert "output_format" in hints["format"]
    assert hints["output_format"] == 'use "jpeg"'


# --- the spec format ---------------------------------------------------------------------


def test_foreign_values_must_belong_to_a_parameter(tmp_path):
    path = tmp_path / "spec.yaml"
    shutil.copy(SPECS / "minimal.yaml", path)
    path.write_text(path.read_text() + "foreign_values:\n  nope:\n    x: y\n")
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    assert any("unknown parameter 'nope'" in i.message for i in raised.value.issues)


def test_a_bound_that_refuses_a_value_shown_accepted_is_a_spec_error(tmp_path):
    text = (ROOT / "capabilities.yaml").read_text()
    assert "          minimum: -10\n" in text
    path = tmp_path / "capabilities.yaml"
    path.write_text(text.replace("          minimum: -10\n", "          minimum: 0\n", 1))
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    messages = [i.message for i in raised.value.issues]
    assert any(
        "-0.8 is shown accepted (together-cookbook-lora) but is an error here" in m
        for m in messages
    ), messages


def test_a_refused_cell_with_evidence_of_acceptance_is_a_spec_error(tmp_path):
    text = (ROOT / "capabilities.yaml").read_text()
    old = "      width:\n        state: ignores\n        note: Kontext sets"
    assert old in text
    path = tmp_path / "capabilities.yaml"
    path.write_text(text.replace(old, old.replace("ignores", "refuses"), 1))
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    assert any("evidence of acceptance makes it ignores" in i.message for i in raised.value.issues)


@pytest.mark.parametrize(
    ("model_id", "size"),
    [
        (SEEDREAM5, (1024, 1024)),
        (SEEDREAM5, (1024, 768)),
        (SEEDREAM5, (4096, 4096)),
        ("Wan-AI/Wan2.6-image", (1024, 1536)),
    ],
)
def test_fix_scales_a_size_into_the_pixel_window_keeping_its_ratio(model_id, size):
    width, height = size
    result = validator.normalize(
        {"model": model_id, "prompt": "x", "width": width, "height": height}, policy="fix"
    )
    assert result.ok, [str(p) for p in result.problems]
    new = result.request["width"], result.request["height"]
    assert new != size
    assert abs(new[0] / new[1] - width / height) < 0.01
    assert [p.code for p in result.problems if p.param == "width"] == ["value_changed"]
    again = validator.normalize(result.request, policy="fix")
    assert again.request == result.request  # idempotent


def test_fix_leaves_a_size_inside_the_window_alone():
    body = {"model": SEEDREAM5, "prompt": "x", "width": 2560, "height": 1440}
    assert validator.normalize(body, policy="fix").request == {**validator.normalize(body).request}

"""The generated JSON Schemas: valid 2020-12, current, flat, and faithful to the seed's table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from validator.render import _schemagen

from seedtable import load as load_seed_table
from seedtable import models_for

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
SEED = load_seed_table()


def committed() -> dict[str, dict]:
    return {
        p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))
    }


def schema_of(model_id: str) -> dict:
    return json.loads((SCHEMAS / _schemagen.file_name(model_id)).read_text(encoding="utf-8"))


def test_the_committed_schemas_are_what_the_spec_generates(spec):
    assert _schemagen.stale(spec, SCHEMAS) == []


def test_every_model_has_a_schema_and_the_index_names_them_all(spec):
    names = set(committed())
    assert names == {_schemagen.file_name(m) for m in spec.models} | {"index.json"}
    index = committed()["index.json"]
    assert index["properties"]["model"]["enum"] == list(spec.models)


@pytest.mark.parametrize("name", sorted(p.name for p in SCHEMAS.glob("*.json")))
def test_every_schema_passes_the_2020_12_metaschema(name):
    document = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"].endswith("/" + name)
    assert document["title"] and document["description"]


@pytest.mark.parametrize(
    "model_id",
    [
        "black-forest-labs/FLUX.1-schnell",
        "black-forest-labs/FLUX.2-dev",
        "google/gemini-3-pro-image",
        "Wan-AI/Wan2.6-image",
        "kwaivgI/kling-2.1-pro",
        "black-forest-labs/FLUX.1-dev-lora",
    ],
)
def test_schemas_are_flat_with_descriptions_on_every_property(spec, model_id):
    schema = schema_of(model_id)
    assert schema["additionalProperties"] is False
    assert schema["type"] == "object"
    composed = {"allOf", "anyOf", "oneOf", "not", "if", "$ref"} & set(schema)
    if any(r.kind == "one_of_required" for r in spec.models[model_id].rules):
        # The only composition at the top level: "one of these, possibly nested".
        assert composed == {"anyOf"}
    else:
        assert not composed
    expected = {"const": model_id, "description": schema["properties"]["model"]["description"]}
    if spec.models[model_id].lifecycle.status != "active":
        expected["deprecated"] = True  # an annotation; the verdict is capspec's
    assert schema["properties"]["model"] == expected
    for name, prop in schema["properties"].items():
        assert prop.get("description"), name


def test_generation_is_deterministic(spec):
    first = {k: _schemagen.render(v) for k, v in _schemagen.generate(spec).items()}
    second = {k: _schemagen.render(v) for k, v in _schemagen.generate(spec).items()}
    assert first == second
    assert all(text.endswith("}\n") for text in first.values())


def test_a_hand_edit_is_reported_as_stale(spec, tmp_path):
    copy = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, copy)
    edited = copy / "black-forest-labs__FLUX.2-pro.json"
    edited.write_text(edited.read_text().replace('"maximum": 4', '"maximum": 5'))
    (copy / "google__imagen-4.0-fast.json").unlink()
    (copy / "acme__gone.json").write_text(json.dumps({"$comment": _schemagen.MARKER}))
    (copy / "notes.json").write_text("{}")  # not ours: left alone
    assert sorted(name for name, _ in _schemagen.stale(spec, copy)) == [
        "acme__gone.json",
        "black-forest-labs__FLUX.2-pro.json",
        "google__imagen-4.0-fast.json",
    ]
    changed = _schemagen.write(spec, copy)
    assert sorted(changed) == [
        "acme__gone.json",
        "black-forest-labs__FLUX.2-pro.json",
        "google__imagen-4.0-fast.json",
    ]
    assert _schemagen.stale(spec, copy) == []
    assert (copy / "notes.json").exists()


# --- the seed's compatibility table, cell by cell --------------------------------

CELLS = [(row, column) for row in SEED.rows for column in SEED.columns]


@pytest.mark.parametrize(("row", "column"), CELLS, ids=[f"{r}|{c}" for r, c in CELLS])
def test_every_cell_of_the_seed_table_holds_in_the_generated_schemas(spec, row, column):
    cell = SEED.cells[(row, column)]
    for model_id in models_for(column, spec):
        schema = schema_of(model_id)
        for param in SEED.params(row):
            prop = schema["properties"].get(param)
            if not cell.supported:
                # "—": refused (absent from the schema), or ignored (accepted, flagged).
                if param in spec.models[model_id].ignored:
                    assert prop["description"].startswith("Ignored by this model"), model_id
                    assert "default" not in prop, (model_id, param)
                else:
                    assert prop is None, f"{model_id} should not take {param}"
                continue
            assert prop is not None, f"{model_id} should take {param}"
            assert (param in schema["required"]) == cell.required, (model_id, param)
            if cell.default is not None:
                assert prop.get("default") == cell.default, (model_id, param)


def test_the_seed_table_parses_as_expected():
    assert SEED.columns == [
        "FLUX.1 Schnell",
        "FLUX.1.1 Pro",
        "FLUX.2 Pro",
        "FLUX.2 Dev",
        "FLUX.2 Flex",
        "Kontext Pro/Max",
    ]
    assert len(SEED.rows) == 12
    assert SEED.cells[("`steps`", "Kontext Pro/Max")].default == 28


# --- seed-wide facts wherever a parameter is supported -------------------------

SEED_DEFAULTS = {
    "n": 1,
    "guidance_scale": 3.5,
    "response_format": "url",
    "output_format": "jpeg",
    "disable_safety_checker": False,
    "width": 1024,
    "height": 1024,
}


# Where a model-specific source contradicts the seed-wide default, none is filled.
CONTESTED_DEFAULTS = {
    ("black-forest-labs/FLUX.2-dev", "guidance_scale"),  # skills: 3; OpenAPI: 3.5
    ("black-forest-labs/FLUX.2-flex", "guidance_scale"),
}

# Skills video models: "No prompt required: Kling 2.1 Standard/Pro, Kling 1.6 Pro".
PROMPT_OPTIONAL = {
    "kwaivgI/kling-2.1-standard",
    "kwaivgI/kling-2.1-pro",
    "kwaivgI/kling-1.6-pro",
}


def _default_breaks_a_pair_rule(model, name) -> bool:
    """1024 x 1024 outside a model's area rule cannot be a default (it would fail validation)."""
    for rule in model.rules:
        if rule.kind == "pixel_area" and name in {"width", "height"}:
            return not (rule.minimum or 0) <= 1024 * 1024 <= (rule.maximum or 1 << 62)
    return False


def test_seed_wide_defaults_hold_wherever_the_parameter_is_taken(spec):
    # The seed documents the image API; the video API has its own namespace.
    for model in (m for m in spec.models.values() if m.endpoint == "images"):
        schema = schema_of(model.id)
        for name, default in SEED_DEFAULTS.items():
            prop = schema["properties"].get(name)
            if prop is None or name in model.ignored:
                continue
            if (model.id, name) in CONTESTED_DEFAULTS:
                assert "default" not in prop, (model.id, name)
                continue
            if _default_breaks_a_pair_rule(model, name):
                assert prop.get("default") != default, (model.id, name)
                continue
            assert prop.get("default") == default, (model.id, name)
            assert type(prop["default"]) is type(default), (model.id, name)


def test_seed_wide_types_and_bounds(spec):
    for model in (m for m in spec.models.values() if m.endpoint == "images"):
        props = schema_of(model.id)["properties"]
        if "n" in props:
            assert (props["n"]["type"], props["n"]["minimum"], props["n"]["maximum"]) == (
                "integer",
                1,
                4,
            )
        if "steps" in props:
            assert props["steps"]["type"] == "integer"
            assert props["steps"]["minimum"] >= 1 and props["steps"]["maximum"] <= 50
        for side in ("width", "height"):
            if side in props:
                assert props[side]["type"] == "integer"
                assert props[side].get("multipleOf") == 8 or "enum" in props[side]
                assert "maximum" in props[side], (model.id, side)
        if "seed" in props:
            assert props["seed"]["type"] == "integer" and "default" not in props["seed"]
        if "prompt" in props:
            assert props["prompt"]["minLength"] == 1
            assert ("prompt" in schema_of(model.id)["required"]) == (
                model.id not in PROMPT_OPTIONAL
            ), model.id


def test_video_bodies_follow_create_video_body(spec):
    kling = [m for m in spec.models.values() if m.family == "Kling"]
    assert kling and all(m.endpoint == "videos" for m in kling)
    for model in kling:
        schema = schema_of(model.id)
        props = schema["properties"]
        assert ("prompt" in schema["required"]) == (model.id not in PROMPT_OPTIONAL), model.id
        # The video API's own definitions, not the image API's.
        assert props["output_format"]["enum"] == ["MP4", "WEBM"]
        assert props["guidance_scale"]["type"] == "integer"
        assert (props["steps"]["minimum"], props["steps"]["maximum"]) == (10, 50)
        assert props["fps"]["type"] == "integer"
        frames = props["media"]["properties"]["frame_images"]
        assert frames["items"]["required"] == ["input_image"]
        assert frames["items"]["properties"]["frame"]["anyOf"][1]["enum"] == ["first", "last"]
        assert props["frame_images"]["deprecated"] is True
        if model.id in PROMPT_OPTIONAL:  # image-to-video: a keyframe either way
            assert schema["anyOf"] == [
                {
                    "required": ["media"],
                    "properties": {
                        "media": {
                            "type": "object",
                            "required": ["frame_images"],
                            "properties": {"frame_images": {}},
                        }
                    },
                },
                {"required": ["frame_images"], "properties": {"frame_images": {}}},
            ]
        else:
            assert "anyOf" not in schema


def test_steps_defaults_follow_the_seed(spec):
    assert schema_of("black-forest-labs/FLUX.1-schnell")["properties"]["steps"]["default"] == 4
    for kontext in ("pro", "max", "dev"):
        assert (
            schema_of(f"black-forest-labs/FLUX.1-kontext-{kontext}")["properties"]["steps"][
                "default"
            ]
            == 28
        )


def _warned(model, name) -> bool:
    advice = model.params[name].schema.advice
    return advice is not None and advice.avoid


def test_image_inputs_only_where_the_reference_sheet_documents_them(spec):
    # Taken without a warning only where a source documents them; elsewhere on
    # partner models without docs they are taken with a warning (no source refuses).
    takes = {
        p: {
            m.id
            for m in spec.models.values()
            # FLUX.1 Canny/Depth/Redux take what the code that called them sent.
            if p in m.params and not _warned(m, p) and "flux1-tools" not in m.extends
        }
        for p in ("image_url", "reference_images")
    }
    takes["image_loras"] = {m.id for m in spec.models.values() if "image_loras" in m.params}
    assert takes["image_url"] == {
        "black-forest-labs/FLUX.1-kontext-pro",
        "black-forest-labs/FLUX.1-kontext-max",
        "black-forest-labs/FLUX.1-kontext-dev",
        "black-forest-labs/FLUX.2-pro",
        "black-forest-labs/FLUX.2-flex",
        "openai/gpt-image-2",  # Together's pick for image-to-image (skills models page)
    }
    assert takes["reference_images"] == {
        "ByteDance/Seedream-5.0-lite",
        "black-forest-labs/FLUX.2-pro",
        "black-forest-labs/FLUX.2-dev",
        "black-forest-labs/FLUX.2-flex",
        "black-forest-labs/FLUX.2-max",
        "google/gemini-3-pro-image",
        "google/flash-image-2.5",
        "google/flash-image-3.1",
        "google/flash-image-3.1-lite",
        "openai/gpt-image-2",
    }
    assert takes["image_loras"] == {
        "black-forest-labs/FLUX.1-dev-lora",
        "black-forest-labs/FLUX.2-dev",
    }


# --- the index schema --------------------------------------------------------------


def _index_validator():
    registry = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc)) for doc in committed().values()
    )
    return jsonschema.Draft202012Validator(committed()["index.json"], registry=registry)


@pytest.mark.parametrize(
    ("request_", "valid"),
    [
        ({"model": "black-forest-labs/FLUX.1-schnell", "prompt": "x", "steps": 4}, True),
        ({"model": "black-forest-labs/FLUX.2-pro", "prompt": "x", "steps": 4}, False),
        # Ignored (accepted by the API, a warning in capspec): JSON Schema accepts it.
        ({"model": "black-forest-labs/FLUX.1.1-pro", "prompt": "x", "steps": 4}, True),
        (
            {
                "model": "black-forest-labs/FLUX.1-kontext-pro",
                "prompt": "x",
                "aspect_ratio": "16:9",
            },
            True,
        ),
        ({"model": "black-forest-labs/FLUX.1-kontext-pro", "prompt": "x", "width": 1024}, True),
        ({"model": "black-forest-labs/FLUX.1-kontext-pro", "prompt": "x", "seconds": "5"}, False),
        ({"model": "kwaivgI/kling-2.1-pro", "frame_images": [{"input_image": "u"}]}, True),
        ({"model": "acme/unknown", "prompt": "x"}, False),
        ({"prompt": "x"}, False),
    ],
)
def test_the_index_selects_the_schema_by_model(request_, valid):
    assert _index_validator().is_valid(request_) is valid

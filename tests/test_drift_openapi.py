"""``capspec drift --openapi``: the spec's parameters against OpenAPI request bodies.

tests/data/drift/spec.yaml and openapi.yaml are made for each other: every
property of the document disagrees with the spec in one known way, or agrees.
tests/data/drift/together-openapi-excerpt.yaml is Together's own document,
trimmed to the two request bodies (its header says where it comes from).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import validator
from validator.cli._app import cli
from validator.drift._drift import KINDS, compare_openapi, envelope
from validator.drift._openapi import OpenApiError, Shape, load, request_bodies

DATA = Path(__file__).resolve().parent / "data" / "drift"
SPEC = DATA / "spec.yaml"
DOC = DATA / "openapi.yaml"
EXCERPT = DATA / "together-openapi-excerpt.yaml"


def run(*args: str):
    result = CliRunner().invoke(cli, ["drift", *args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def small_spec():
    return validator.load_spec(str(SPEC))


def variant(spec, **models):
    """A copy of the spec with models replaced or added (id=Model), the others kept."""
    clone = copy.copy(spec)
    clone.models = {**spec.models, **{m.id: m for m in models.values()}}
    return clone


def with_status(model, status, new_id=None):
    life = model.lifecycle._replace(status=status)
    return model._replace(id=new_id or model.id, lifecycle=life)


def drifts(spec, doc):
    return [(d.kind, d.subject) for d in compare_openapi(spec, doc, "doc")]


def test_each_disagreement_is_found_once(small_spec):
    doc = load(DOC.read_bytes(), "doc")
    assert drifts(small_spec, doc) == [
        ("bound_differs", "images.prompt"),
        ("deprecated_parameter", "images.steps"),
        ("enum_differs", "images.output_format"),
        ("type_differs", "images.guidance_scale"),
        ("new_parameter", "images.negative_prompt"),
        ("new_parameter", "images.image_loras[].weight_name"),
        ("missing_parameter", "images.seed"),
        ("type_differs", "videos.seconds"),
        ("new_parameter", "videos.fps"),
    ]


def test_the_messages_say_what_each_side_says(small_spec):
    found = {d.subject: d for d in compare_openapi(small_spec, load(DOC.read_bytes(), "d"), "d")}
    assert found["images.prompt"].message == (
        "images.prompt: max_length: the OpenAPI document says 4,000; the spec says 32,000 "
        "(the widest of its images models)"
    )
    assert found["images.output_format"].message == (
        'images.output_format: the OpenAPI document allows only "jpeg", "png", "webp"; '
        'the spec allows only "jpeg", "png"'
    )
    assert found["images.guidance_scale"].message == (
        "images.guidance_scale: the OpenAPI document says integer; the spec says number"
    )
    assert found["images.steps"].message == (
        "images.steps: POST /v1/images/generations deprecates it (Deprecated. Use quality "
        "instead); in the spec, acme/active and acme/narrow take it"
    )
    assert found["images.seed"].param == "seed"
    assert found["images.seed"].endpoint == "images"


def test_retired_models_do_not_count_and_deprecated_ones_do(small_spec):
    doc = load(DOC.read_bytes(), "d")
    active = small_spec.models["acme/active"]
    steps = active.params["steps"]
    wide = active._replace(
        params={**active.params, "steps": steps._replace(schema=steps.schema._replace(maximum=99))}
    )
    expected = drifts(small_spec, doc)
    # Served (active or deprecated), its steps maximum of 99 is the widest: a bound drift.
    for status in ("active", "deprecated"):
        found = drifts(variant(small_spec, old=with_status(wide, status, "acme/old")), doc)
        assert ("bound_differs", "images.steps") in found
    # Retired, it is history: nothing changes.
    retired = variant(small_spec, old=with_status(wide, "retired", "acme/old"))
    assert drifts(retired, doc) == expected


def test_an_endpoint_whose_models_are_all_retired_is_not_expected(small_spec):
    video = small_spec.models["acme/video"]
    doc = {"paths": {"/images/generations": {"post": _body({"type": "object"})}}}
    assert ("missing_endpoint", "videos") in drifts(small_spec, doc)
    retired = variant(small_spec, video=with_status(video, "retired"))
    assert ("missing_endpoint", "videos") not in drifts(retired, doc)


def test_a_document_that_agrees_is_no_drift(small_spec, tmp_path):
    image = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "prompt": {"type": "string", "maxLength": 32000},
            "steps": {"type": "integer", "minimum": 1, "maximum": 50},
            "output_format": {"type": "string", "enum": ["png", "jpeg"]},
            "guidance_scale": {"type": "number"},
            "seed": {"type": "integer"},
            "image_loras": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"path": {"type": "string"}, "scale": {"type": "number"}},
                },
            },
        },
    }
    video = {
        "type": "object",
        "properties": {
            "prompt": {"type": "string", "minLength": 1},
            "steps": {"type": "integer", "minimum": 10},
            "seconds": {"type": "string"},
        },
    }
    doc = {
        "openapi": "3.1.0",
        "paths": {
            "/images/generations": {"post": _body(image)},
            "/videos": {"post": _body(video)},
        },
    }
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(doc))
    result = run("--spec", str(SPEC), "--openapi", str(path))
    assert result.exit_code == 0, result.output
    assert result.output == f"capspec: no drift between the spec (3 served models) and {path}\n"


def _body(schema):
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


def test_an_endpoint_the_document_lacks(small_spec):
    doc = {"paths": {"/images/generations": {"post": _body({"type": "object"})}}}
    found = compare_openapi(small_spec, doc, "d")
    assert ("missing_endpoint", "videos") in [(d.kind, d.subject) for d in found]


def test_the_cli_reports_every_kind_in_json(tmp_path):
    result = run("--spec", str(SPEC), "--openapi", str(DOC), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["summary"]["drifts"] == 9
    assert report["inputs"] == {"models": None, "openapi": str(DOC)}
    assert {d["kind"] for d in report["drift"]} <= set(KINDS)


def test_the_github_format_points_at_the_parameter(tmp_path, monkeypatch):
    monkeypatch.chdir(DATA)
    result = run("--spec", "spec.yaml", "--openapi", "openapi.yaml", "--format", "github")
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "images.guidance_scale" in x)
    number = int(line.split("line=")[1].split(",")[0])
    assert SPEC.read_text().splitlines()[number - 1] == "  guidance_scale:"
    assert line.startswith("::warning file=spec.yaml,")


# --- Together's own document -------------------------------------------------------------


def test_the_stored_document_runs_without_a_traceback(spec):
    result = run("--openapi", str(EXCERPT), "--format", "json")
    assert result.exit_code in {0, 1}
    report = json.loads(result.output)
    assert report["ok"] is (result.exit_code == 0)
    for item in report["drift"]:
        assert item["kind"] in KINDS
        assert item["endpoint"] in {"images", "videos"}
        assert item["subject"].startswith(f"{item['endpoint']}.")


def test_the_stored_document_has_both_bodies():
    bodies = request_bodies(load(EXCERPT.read_bytes(), "x"), ["images", "videos"])
    images, videos = bodies["images"], bodies["videos"]
    assert images is not None
    assert videos is not None
    assert {"prompt", "width", "height", "steps", "image_loras"} <= set(images.properties)
    frames = videos.properties["frame_images"]
    assert frames.deprecated == (
        "Deprecated: use media.frame_images instead. Array of images to guide video "
        "generation, similar to keyframes."
    )
    assert frames.items is not None
    frame = frames.items.properties["frame"]
    assert frame.types == {"number", "string"}
    assert frame.enum == {"first", "last"}
    assert videos.properties["steps"].bounds == {"minimum": 10, "maximum": 50}


def test_what_the_bundled_spec_and_the_stored_document_agree_on(spec):
    """Facts the spec takes from the document (source oas/oas-video) are not drift."""
    found = {d.subject for d in compare_openapi(spec, load(EXCERPT.read_bytes(), "x"), "x")}
    for agreed in ("videos.prompt", "videos.steps", "images.prompt", "images.response_format"):
        assert agreed not in found


# --- reading documents ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"openapi: 3.1.0\n", "not an OpenAPI document (no 'paths' mapping)"),
        (b"[]", "not an OpenAPI document"),
        (b"{not json", "not valid JSON"),
        (b"a: [1,\n", "doc:"),
        (b"\xff", "not UTF-8"),
        (b"a: !!python/object:os.system x\n", "doc:1:"),
    ],
)
def test_an_unreadable_document(content, message):
    with pytest.raises(OpenApiError, match=r"^doc") as caught:
        load(content, "doc")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("other.yaml#/X", "points outside the document"),
        ("#/components/schemas/Nope", "does not resolve"),
        ("#/components/schemas/Loop", "deeper than 64"),
    ],
)
def test_references_that_cannot_be_followed(small_spec, ref, message):
    doc = {
        "paths": {"/images/generations": {"post": _body({"$ref": ref})}},
        "components": {"schemas": {"Loop": {"$ref": "#/components/schemas/Loop"}}},
    }
    with pytest.raises(OpenApiError, match=message):
        compare_openapi(small_spec, doc, "d")


def test_a_reference_cycle_through_properties_is_an_error_not_a_crash(small_spec):
    node = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}}
    doc = {
        "paths": {"/images/generations": {"post": _body({"$ref": "#/components/schemas/Node"})}},
        "components": {"schemas": {"Node": node}},
    }
    with pytest.raises(OpenApiError, match="deeper than 64"):
        compare_openapi(small_spec, doc, "d")


def test_an_unreadable_document_exits_2(tmp_path):
    path = tmp_path / "openapi.yaml"
    path.write_text("openapi: 3.1.0\ninfo: {}\n")
    result = run("--openapi", str(path))
    assert result.exit_code == 2
    assert result.output == f"capspec: {path}: not an OpenAPI document (no 'paths' mapping)\n"


def test_the_envelope_is_the_widest():
    narrow = Shape(frozenset({"integer"}), None, {"minimum": 10, "maximum": 30})
    wide = Shape(frozenset({"integer"}), None, {"minimum": 1, "maximum": 50})
    open_ended = Shape(frozenset({"integer"}), None, {"minimum": 5})
    assert envelope([narrow, wide]).bounds == {"minimum": 1, "maximum": 50}
    assert envelope([narrow, open_ended]).bounds == {"minimum": 5}
    menu = Shape(frozenset({"integer"}), frozenset({512, 1024}))
    assert envelope([menu, Shape(frozenset({"integer"}), frozenset({2048}))]).enum == {
        512,
        1024,
        2048,
    }
    assert envelope([menu, wide]).enum is None

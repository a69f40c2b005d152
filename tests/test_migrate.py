"""validator.migrate: a request moved to another model, every change reported."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import validator
from validator import load_spec, migrate, validate
from validator.check._migrate import successor

from strategies import any_json, valid_request

SPEC = load_spec()
SPEC_DIR = Path(__file__).parent / "specs"
SCHNELL = "black-forest-labs/FLUX.1-schnell"
KONTEXT_PRO = "black-forest-labs/FLUX.1-kontext-pro"
FLUX2_PRO = "black-forest-labs/FLUX.2-pro"
FLUX2_DEV = "black-forest-labs/FLUX.2-dev"
IMAGES = [m for m in SPEC.models.values() if m.endpoint == "images"]
SERVED = [m for m in IMAGES if m.lifecycle.status != "retired"]
# Lifecycle problems belong to the source model; a request is "valid" without them.
LIFECYCLE = {"retired_model", "deprecated_model"}


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


def _schnell_request():
    return {
        "model": SCHNELL,
        "prompt": "a lighthouse at dusk",
        "width": 1344,
        "height": 768,
        "steps": 4,
        "negative_prompt": "blurry",
        "n": 2,
        "seed": 42,
    }


def _changes(result):
    """The warnings migrate made (the codes of its changes), by parameter."""
    codes = {"value_changed", "parameter_dropped", "renamed_parameter"}
    return {p.param: p for p in result.problems if p.code in codes}


# --- How it will be checked (issue 13) ---------------------------------------------------


@pytest.mark.parametrize("to", [None, KONTEXT_PRO, FLUX2_PRO])
def test_a_schnell_request_migrated_is_valid_kept_reported_idempotent_and_untouched(to):
    request = _schnell_request()
    before = copy.deepcopy(request)
    result = migrate(request, to)
    assert request == before  # input untouched
    assert result.request is not request
    assert result.ok
    assert _errors(validate(result.request)) == []
    out = result.request
    assert out["model"] == (to or FLUX2_DEV)
    assert out["prompt"] == request["prompt"]
    assert out["seed"] == 42
    assert out["n"] == 2
    # Every key that went or changed has a warning naming it.
    changes = _changes(result)
    for key, value in request.items():
        if out.get(key, object()) != value and key not in {"width", "height"}:
            assert key in changes, (key, result.problems)
    assert changes["negative_prompt"].code == "parameter_dropped"
    # Idempotent on its target.
    again = migrate(out, to)
    assert again.request == out
    assert _changes(again) == {}
    again = migrate(out, out["model"])
    assert again.request == out
    assert _changes(again) == {}


def test_schnell_to_kontext_turns_1344x768_into_16_9_and_its_steps_into_kontext_default():
    result = migrate(_schnell_request(), KONTEXT_PRO)
    out = result.request
    assert out["aspect_ratio"] == "16:9"
    assert "width" not in out and "height" not in out
    assert out["steps"] == 28  # Schnell's default 4 is not carried; Kontext's is 28
    changes = _changes(result)
    assert "size_to_ratio" in changes["aspect_ratio"].message
    assert "1344x768" in changes["aspect_ratio"].message
    assert "model_defaults" in changes["steps"].message
    assert "negative_prompt" in changes and "refused" in changes["negative_prompt"].message


def test_schnell_to_its_successor_drops_the_schnell_default_steps_and_says_why():
    result = migrate(_schnell_request())
    out = result.request
    assert out["model"] == FLUX2_DEV
    assert (out["width"], out["height"]) == (1344, 768)
    assert "steps" not in out  # FLUX.2 Dev has no default of its own: the API applies one
    changes = _changes(result)
    assert changes["model"].message == (
        f"model '{SCHNELL}' changed to '{FLUX2_DEV}', its recorded successor (lifecycle.replaced_by)"
    )
    assert changes["steps"].message == (
        f"dropped steps 4, the default of {SCHNELL}: {FLUX2_DEV} has no default of its own; "
        "the API applies one (migration rule model_defaults)"
    )


def test_schnell_to_flux2_pro_drops_steps_and_negative_prompt_and_keeps_the_size():
    result = migrate(_schnell_request(), FLUX2_PRO)
    out = result.request
    assert (out["width"], out["height"]) == (1344, 768)
    assert "steps" not in out and "negative_prompt" not in out
    changes = _changes(result)
    assert changes["steps"].code == changes["negative_prompt"].code == "parameter_dropped"
    assert changes["model"].message.endswith("as asked")


@pytest.mark.parametrize(
    "model", [m.id for m in IMAGES if "negative_prompt" in m.params and m.id != FLUX2_PRO]
)
def test_anything_to_flux2_pro_drops_negative_prompt_and_says_so(model):
    result = migrate({"model": model, "prompt": "a cat", "negative_prompt": "dogs"}, FLUX2_PRO)
    assert "negative_prompt" not in result.request
    dropped = _changes(result)["negative_prompt"]
    assert dropped.code == "parameter_dropped"
    assert dropped.message == (
        f"dropped negative_prompt: {FLUX2_PRO} does not take it (migration rule refused)"
    )
    assert result.ok


# --- Properties over the matrix ------------------------------------------------------------


def _usable(request) -> bool:
    """Valid on its own model, lifecycle aside."""
    return not [p for p in _errors(validate(request)) if p.code not in LIFECYCLE]


@pytest.mark.parametrize("source", [m.id for m in IMAGES])
@settings(max_examples=40, suppress_health_check=list(HealthCheck), deadline=None)
@given(data=st.data())
def test_valid_requests_migrate_to_valid_requests_on_every_served_image_model(source, data):
    request = data.draw(valid_request(SPEC.models[source]))
    if not _usable(request):
        return
    target = SPEC.models[data.draw(st.sampled_from([m.id for m in SERVED]))]
    before = copy.deepcopy(request)
    result = migrate(request, target.id)
    assert request == before
    assert result.request["model"] == target.id
    # The one thing migrate does not repair: more list items than the target takes
    # (which LoRAs or images to leave out is the user's choice). It stays an error.
    left = [
        p
        for p in _errors(result.problems)
        if not (p.code == "out_of_range" and isinstance(result.request.get(p.param), list))
    ]
    assert left == [], (request, result.request)
    assert _errors(validate(result.request)) == _errors(result.problems)
    assert migrate(result.request, target.id).request == result.request
    for key in ("prompt", "seed"):  # kept, or changed with a warning (a seed clamped)
        if key in request and key in target.params:
            assert result.request[key] == request[key] or key in _changes(result)


def _successor_pairs():
    return [
        (m.id, found.id) for m in SPEC.models.values() if (found := successor(SPEC, m)) is not None
    ]


def test_every_retired_or_deprecated_model_has_a_served_successor_to_migrate_to():
    pairs = dict(_successor_pairs())
    for model in SPEC.models.values():
        if model.lifecycle.status != "active":
            assert model.id in pairs, model.id
            assert SPEC.models[pairs[model.id]].lifecycle.served
        else:
            assert model.id not in pairs


@pytest.mark.parametrize(("source", "target"), _successor_pairs())
@settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
@given(data=st.data())
def test_every_model_with_a_successor_migrates_valid_requests_to_valid_ones(source, target, data):
    request = data.draw(valid_request(SPEC.models[source]))
    if not _usable(request):
        return
    result = migrate(request)
    assert result.request["model"] == target
    assert result.ok, (request, result.problems)
    assert _errors(validate(result.request)) == []
    assert migrate(result.request).request == result.request


# --- The rules, one by one ----------------------------------------------------------------


def test_a_served_model_without_a_successor_comes_back_unchanged():
    request = {"model": FLUX2_PRO, "prompt": "a cat", "steps": 20}
    result = migrate(request)
    assert result.request == request and result.request is not request
    assert result.defaults_filled == ()
    assert [p.code for p in result.problems] == [p.code for p in validate(request)]


def test_an_unknown_model_without_to_comes_back_unchanged_with_its_error():
    result = migrate({"model": "acme/nope", "prompt": "x"})
    assert result.request == {"model": "acme/nope", "prompt": "x"}
    assert [p.code for p in result.problems] == ["unknown_model"]


def test_an_unknown_model_with_to_is_moved_there():
    result = migrate({"model": "black-forest-labs/FLUX.1-canny-old", "prompt": "x"}, FLUX2_PRO)
    assert result.request["model"] == FLUX2_PRO
    assert result.ok
    assert _changes(result)["model"].message.startswith(
        "model 'black-forest-labs/FLUX.1-canny-old' changed to"
    )


def test_a_request_without_a_model_gets_the_target_first():
    result = migrate({"prompt": "x"}, FLUX2_PRO)
    assert next(iter(result.request)) == "model"
    assert result.ok


def test_an_unknown_target_is_a_value_error_with_a_did_you_mean():
    with pytest.raises(
        ValueError, match=r"unknown model 'black-forest-labs/flux.2-pro'.*FLUX\.2-pro"
    ):
        migrate({"model": SCHNELL, "prompt": "x"}, "black-forest-labs/flux.2-pro")


def test_a_target_on_another_api_is_an_error_and_the_request_is_unchanged():
    video = next(m for m in SPEC.models.values() if m.endpoint != "images")
    request = {"model": SCHNELL, "prompt": "x"}
    result = migrate(request, video.id)
    assert result.request == request
    assert result.problems[0].code == "invalid_value"
    assert "cannot migrate" in result.problems[0].message


def test_a_non_object_comes_back_as_it_was():
    result = migrate(["not", "a", "request"], FLUX2_PRO)
    assert result.request == ["not", "a", "request"]
    assert not result.ok


def test_image_url_becomes_a_list_of_one_for_a_target_that_takes_only_reference_images():
    request = {"model": KONTEXT_PRO, "prompt": "x", "image_url": "https://e.x/a.png"}
    result = migrate(request, "black-forest-labs/FLUX.2-dev")
    assert result.request["reference_images"] == ["https://e.x/a.png"]
    assert "image_url" not in result.request
    assert "image_inputs" in _changes(result)["image_url"].message
    assert result.ok


def test_reference_images_become_image_url_for_a_target_that_takes_only_image_url():
    request = {
        "model": "google/flash-image-2.5",
        "prompt": "x",
        "reference_images": ["https://e.x/a.png", "https://e.x/b.png"],
    }
    result = migrate(request, KONTEXT_PRO)
    assert result.request["image_url"] == "https://e.x/a.png"
    message = _changes(result)["reference_images"].message
    assert "first item" in message and message.endswith(
        "; the other image is not sent (migration rule image_inputs)"
    )
    assert result.ok


def test_aspect_ratio_becomes_width_and_height_at_the_targets_default_area():
    request = {"model": KONTEXT_PRO, "prompt": "x", "aspect_ratio": "16:9"}
    result = migrate(request, FLUX2_PRO)
    width, height = result.request["width"], result.request["height"]
    assert "aspect_ratio" not in result.request
    assert width % 8 == 0 and height % 8 == 0
    assert abs(width / height - 16 / 9) < 0.02
    assert abs(width * height - 1024 * 1024) < 0.05 * 1024 * 1024
    assert "ratio_to_size" in _changes(result)["aspect_ratio"].message
    assert result.ok


def test_a_size_outside_a_pixel_area_window_is_scaled_into_it_keeping_the_ratio():
    request = {"model": FLUX2_PRO, "prompt": "x", "width": 1024, "height": 512}
    result = migrate(request, "Wan-AI/Wan2.6-image")
    width, height = result.request["width"], result.request["height"]
    assert 1265 * 1265 <= width * height <= 1440 * 1440
    assert math.isclose(width / height, 2, rel_tol=0.02)
    assert "pixel_area" in _changes(result)["width"].message
    assert result.ok


def test_a_size_off_the_targets_menu_becomes_the_nearest_menu_size():
    request = {"model": FLUX2_PRO, "prompt": "x", "width": 1024, "height": 576}
    result = migrate(request, "google/gemini-3-pro-image")
    size = (result.request["width"], result.request["height"])
    menu = next(r for r in SPEC.models["google/gemini-3-pro-image"].rules if r.kind == "size_menu")
    assert size in menu.sizes
    assert result.ok


def test_a_value_that_is_not_the_source_default_is_carried_and_clamped():
    request = {"model": "black-forest-labs/FLUX.1-dev", "prompt": "x", "steps": 50}
    result = migrate(request, "black-forest-labs/FLUX.1-kontext-max")
    assert result.request["steps"] == 50  # not Dev's default: the user's choice, kept
    request = {"model": SCHNELL, "prompt": "x", "guidance": 150}
    result = migrate(request, "black-forest-labs/FLUX.2-flex")
    # A repaired value meets the advice as well as the bounds (issue 15): Flex's
    # guidance_scale is at most 100, advised at most 10.
    assert result.request["guidance_scale"] == 10
    assert "rename" in _changes(result)["guidance"].message
    assert "nearest_value" in _changes(result)["guidance_scale"].message


def test_a_parameter_the_target_ignores_is_kept_with_a_warning():
    request = {"model": KONTEXT_PRO, "prompt": "x", "steps": 20}
    result = migrate(request, "black-forest-labs/FLUX.1.1-pro")
    assert result.request["steps"] == 20
    assert [p.code for p in result.problems if p.param == "steps"] == ["ignored_parameter"]


def test_every_change_names_a_rule_of_the_spec():
    for to in (KONTEXT_PRO, FLUX2_PRO, "Wan-AI/Wan2.6-image", "google/flash-image-2.5"):
        request = {**_schnell_request(), "guidance": 3, "image_url": "https://e.x/a.png"}
        for problem in _changes(migrate(request, to)).values():
            if problem.param == "model":
                continue
            rule = problem.message.rsplit("(migration rule ", 1)[1].rstrip(")")
            assert rule in SPEC.migrations, problem


def test_no_message_nests_parentheses_or_writes_s_in_parentheses():
    from test_messages import _depth

    images = ["https://e.x/a.png", "https://e.x/b.png", "https://e.x/c.png"]
    requests = [
        {**_schnell_request(), "guidance": 3, "image_url": "https://e.x/a.png"},
        {"model": KONTEXT_PRO, "prompt": "x", "aspect_ratio": "21:9", "steps": 28},
        {"model": "google/flash-image-2.5", "prompt": "x", "reference_images": images},
    ]
    seen = set()
    for request in requests:
        for target in SERVED:
            for problem in migrate(request, target.id).problems:
                text = (
                    f"{problem.message} (hint: {problem.hint})" if problem.hint else problem.message
                )
                if _depth(text) > 1 or "(s)" in text:
                    seen.add(text)
    assert sorted(seen)[:5] == []


def test_a_spec_without_migrations_cannot_migrate(tmp_path):
    minimal = load_spec(SPEC_DIR / "minimal.yaml")
    with pytest.raises(ValueError, match="defines no migrations"):
        migrate({"model": "acme/one", "prompt": "x"}, spec=minimal)


def test_migrate_is_exported():
    assert validator.migrate is migrate


def _readme_examples():
    text = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("## Migrating off retired models", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[1].startswith("`{"):
            rule, before, to, after = (c.strip("`") for c in cells)
            rows.append((rule, json.loads(before), None if to.startswith("(") else to, after))
    return rows


def test_the_readme_has_an_example_of_every_rule():
    assert {rule for rule, *_ in _readme_examples()} == set(SPEC.migrations)


@pytest.mark.parametrize(("rule", "before", "to", "after"), _readme_examples())
def test_each_readme_example_is_what_migrate_gives(rule, before, to, after):
    result = migrate(before, to)
    shown = {k: v for k, v in result.request.items() if k not in result.defaults_filled}
    assert json.dumps(shown) == after
    assert result.ok
    rules = {p.message.rsplit("(migration rule ", 1)[-1].rstrip(")") for p in result.problems}
    if rule == "ignored":  # kept: the warning is validate's, not a change
        assert "ignored_parameter" in {p.code for p in result.problems}
    else:
        assert rule in rules, [str(p) for p in result.problems]


def _corpus_on_retired_models():
    from realworld.corpus import load_cases

    bodies = [case.body for case in load_cases()]
    return [
        b
        for b in bodies
        if isinstance(b, dict)
        and isinstance(b.get("model"), str)
        and b["model"] in SPEC.models
        and successor(SPEC, SPEC.models[b["model"]]) is not None
    ]


def test_real_world_requests_on_retired_models_move_to_their_successor_without_new_errors():
    bodies = _corpus_on_retired_models()
    assert len(bodies) >= 20  # the corpus: most public code names retired models
    for body in bodies:
        before = {(p.code, p.param) for p in _errors(validate(body)) if p.code not in LIFECYCLE}
        result = migrate(body)
        assert result.request["model"] == successor(SPEC, SPEC.models[body["model"]]).id
        assert {(p.code, p.param) for p in _errors(result.problems)} <= before, body


_NAMES = st.sampled_from([*SPEC.parameters, "guidance", "size", "model"])


@settings(max_examples=300, suppress_health_check=list(HealthCheck), deadline=None)
@given(
    model=st.sampled_from([*SPEC.models, "acme/nope", 7]),
    extra=st.dictionaries(_NAMES, any_json(max_leaves=4), max_size=6),
    to=st.sampled_from([None, *(m.id for m in SERVED)]),
)
def test_any_json_request_migrates_without_raising_or_mutating(model, extra, to):
    request = {"model": model, "prompt": "x", **extra}
    before = copy.deepcopy(request)
    result = migrate(request, to)
    assert request == before
    if result.ok:
        assert _errors(validate(result.request)) == []
    if result.ok:  # idempotent on its target
        assert migrate(result.request, to).request == result.request

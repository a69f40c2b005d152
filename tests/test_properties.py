"""Properties over the whole compatibility matrix (every model x every parameter)."""

from __future__ import annotations

import copy
import json
import math
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import validator
from validator.check import _validate
from validator.check._fastpath import clean_value
from validator.render import _schemagen

from strategies import any_json, takes_the_fast_path, valid_request, valid_value

SPEC = validator.load_spec()
MODELS = list(SPEC.models.values())
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

SUPPORTED = [(m.id, name) for m in MODELS for name in m.params]
UNSUPPORTED = [
    (m.id, name)
    for m in MODELS
    for name in SPEC.parameters_of(m.endpoint)
    if name not in m.params and name not in m.ignored
]
IGNORED = [(m.id, name) for m in MODELS for name in m.ignored]


def minimal(model) -> dict:
    """The smallest valid request for a model: its required parameters only."""
    request = {"model": model.id}
    if "prompt" in model.required:
        request["prompt"] = "a lighthouse at dusk"
    if "frame_images" in model.required:
        request["frame_images"] = [{"input_image": "https://example.com/first.jpeg"}]
    for rule in model.rules:
        if rule.kind == "one_of_required" and rule.params[0] == "media.frame_images":
            # The current shape; top-level frame_images is deprecated (a warning).
            frames = [{"input_image": "https://example.com/first.jpeg"}]
            request["media"] = {"frame_images": frames}
    return request


def errors(problems):
    """Errors about the request's values; a refused retired model is checked elsewhere."""
    return [p for p in problems if p.severity == "error" and p.code != "retired_model"]


@cache
def reference(model_id: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / _schemagen.file_name(model_id)).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("model_id", list(SPEC.models))
def test_every_default_is_valid_against_its_own_schema_and_the_generated_one(model_id):
    model = SPEC.models[model_id]
    request = {**minimal(model), **model.defaults}
    lifecycle = {"deprecated_model", "retired_model"}
    assert [str(p) for p in validator.validate(request) if p.code not in lifecycle] == []
    assert reference(model_id).is_valid(request)


@pytest.mark.parametrize("model_id", list(SPEC.models))
def test_every_required_parameter_is_supported(model_id):
    model = SPEC.models[model_id]
    schema = reference(model_id).schema
    for name in model.required:
        assert name in model.params
        assert name in schema["properties"]
        assert name in schema["required"]


def test_the_minimal_request_of_every_model_is_valid():
    for model in MODELS:
        assert errors(validator.validate(minimal(model))) == [], model.id


# --- supported cells accept every valid value --------------------------------------


@pytest.mark.parametrize(("model_id", "param"), SUPPORTED, ids=[f"{m}|{p}" for m, p in SUPPORTED])
@settings(max_examples=15)
@given(data=st.data())
def test_a_supported_cell_accepts_generated_valid_values(model_id, param, data):
    model = SPEC.models[model_id]
    value = data.draw(valid_value(model.params[param].schema))
    base = minimal(model)
    if param == "media" and "media" in base and "frame_images" not in value:
        value = {**value, "frame_images": base["media"]["frame_images"]}  # the required keyframe
    request = {**base, param: value}
    assert errors(validator.validate(request)) == []
    assert reference(model_id).is_valid(request)


# --- unsupported cells are rejected --------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "param"), UNSUPPORTED, ids=[f"{m}|{p}" for m, p in UNSUPPORTED]
)
def test_an_unsupported_cell_is_rejected(model_id, param):
    model = SPEC.models[model_id]
    definition = SPEC.parameters[param]
    value = definition.default if definition.has_default else _example(definition.schema)
    problems = validator.validate({**minimal(model), param: value})
    assert [(p.code, p.param) for p in errors(problems)] == [("unsupported_parameter", param)]
    problem = errors(problems)[0]
    assert model_id in problem.message
    assert problem.path == f"$.{param}"
    assert not reference(model_id).is_valid({**minimal(model), param: value})


# --- ignored cells are a warning, and the schemas accept them ------------------------


def test_some_cells_are_ignored():
    assert ("black-forest-labs/FLUX.1-kontext-pro", "width") in IGNORED


@pytest.mark.parametrize(("model_id", "param"), IGNORED, ids=[f"{m}|{p}" for m, p in IGNORED])
def test_an_ignored_cell_is_a_warning_naming_what_to_do_instead(model_id, param):
    model = SPEC.models[model_id]
    definition = SPEC.parameters[param]
    value = definition.default if definition.has_default else _example(definition.schema)
    problems = validator.validate({**minimal(model), param: value})
    assert errors(problems) == []
    warned = [p for p in problems if p.code == "ignored_parameter"]
    assert [(p.param, p.path) for p in warned] == [(param, f"$.{param}")]
    assert model_id in warned[0].message
    assert warned[0].hint
    for other in model.ignored[param].instead:
        assert other in warned[0].hint
    assert reference(model_id).is_valid({**minimal(model), param: value})


@pytest.mark.parametrize(("model_id", "param"), IGNORED, ids=[f"{m}|{p}" for m, p in IGNORED])
def test_an_ignored_cell_still_checks_the_value_type(model_id, param):
    model = SPEC.models[model_id]
    numeric = SPEC.parameters[param].schema.type in {"integer", "number"}
    wrong = "big" if numeric else 5
    request = {**minimal(model), param: wrong}
    assert [p.code for p in errors(validator.validate(request))] == ["invalid_type"]
    assert not reference(model_id).is_valid(request)


_EXAMPLES = {"string": "x", "integer": 8, "number": 1.5, "boolean": True, "array": [], "object": {}}


def _example(schema):
    """A value of the parameter's own type (its validity for the model is beside the point)."""
    return _EXAMPLES.get(schema.type, "x")


def test_old_names_are_accepted_where_the_new_name_is_and_rejected_elsewhere():
    for model in MODELS:
        problems = validator.validate({**minimal(model), "guidance": 4})
        if model.endpoint != "images":
            # Old names belong to the image API's namespace.
            assert [(p.code, p.param) for p in errors(problems)] == [
                ("unknown_parameter", "guidance")
            ]
        elif "guidance_scale" in model.params:
            assert errors(problems) == [], model.id
            assert [p.code for p in problems if p.param == "guidance"] == ["renamed_parameter"]
        else:
            assert [(p.code, p.param) for p in errors(problems)] == [
                ("unsupported_parameter", "guidance")
            ]


# --- both sides of every bound -------------------------------------------------------


def _bound_cases():
    cases = []
    for model in MODELS:
        for name, param in model.params.items():
            schema = param.schema
            if schema.type in {"integer", "number"} and schema.enum is None:
                step = schema.multiple_of or 1
                if schema.minimum is not None:
                    cases.append((model.id, name, schema.minimum, None))
                    cases.append((model.id, name, schema.minimum - step, "out_of_range"))
                if schema.maximum is not None:
                    cases.append((model.id, name, schema.maximum, None))
                    cases.append((model.id, name, schema.maximum + step, "out_of_range"))
                if schema.multiple_of is not None and schema.minimum is not None:
                    cases.append((model.id, name, schema.minimum + 1, "not_multiple_of"))
            if schema.type == "string" and schema.pattern is None:
                if schema.min_length:
                    cases.append((model.id, name, "x" * schema.min_length, None))
                    cases.append((model.id, name, "x" * (schema.min_length - 1), "out_of_range"))
                if schema.max_length is not None:
                    cases.append((model.id, name, "x" * schema.max_length, None))
                    cases.append((model.id, name, "x" * (schema.max_length + 1), "out_of_range"))
            if (
                schema.type == "array"
                and schema.items is not None
                and schema.items.type == "string"
            ) and schema.max_items is not None:
                cases.append((model.id, name, ["https://e.x/a"] * schema.max_items, None))
                cases.append(
                    (model.id, name, ["https://e.x/a"] * (schema.max_items + 1), "out_of_range")
                )
            if schema.type == "array" and schema.min_items:
                cases.append((model.id, name, [], "out_of_range"))
    return cases


BOUNDS = _bound_cases()


@pytest.mark.parametrize(
    ("model_id", "param", "value", "code"),
    BOUNDS,
    ids=[f"{m}|{p}|{c or 'ok'}" for m, p, _, c in BOUNDS],
)
def test_both_sides_of_every_bound(model_id, param, value, code):
    model = SPEC.models[model_id]
    request = {**minimal(model), param: value}
    if param in {"width", "height"} and model.rules:
        other = "height" if param == "width" else "width"
        request.pop(other, None)  # judge one side alone; pairs are tested with the rules
    found = [(p.code, p.param) for p in errors(validator.validate(request))]
    assert found == ([] if code is None else [(code, param)])
    assert reference(model_id).is_valid(request) is (code is None)


def test_there_are_bound_cases_for_every_bounded_seed_parameter():
    names = {(m, p) for m, p, _, _ in BOUNDS}
    for param in ("width", "height", "steps", "n", "prompt", "seed", "guidance_scale"):
        assert any(p == param for _, p in names), param


# --- wrong types give exactly one invalid_type ------------------------------------------

WRONG = {
    "string": [42, 1.5, True, None, [], {}],
    "integer": ["42", 1.5, True, False, None, [], {}],
    "number": ["1.5", True, None, [], {}],
    "boolean": ["true", 0, 1, 1.0, None, [], {}],
    "array": ["x", 1, True, None, {}],
    "object": ["x", 1, True, None, []],
}


@pytest.mark.parametrize(("model_id", "param"), SUPPORTED, ids=[f"{m}|{p}" for m, p in SUPPORTED])
def test_wrong_types_give_one_invalid_type_and_nothing_else(model_id, param):
    model = SPEC.models[model_id]
    schema = model.params[param].schema
    kinds = {alt.type for alt in schema.any_of} if schema.any_of else {schema.type}
    for kind in kinds:
        for value in WRONG[kind]:
            if any(_type_ok(k, value) for k in kinds):
                continue
            problems = [
                p
                for p in validator.validate({**minimal(model), param: value})
                if p.param == param and p.code != "deprecated_parameter"
            ]
            assert [(p.code, p.path) for p in problems] == [("invalid_type", f"$.{param}")], value


def _type_ok(kind, value):
    from validator.spec._values import type_matches

    return type_matches(kind, value)


def test_booleans_are_not_numbers_and_integral_floats_are_integers():
    schnell = "black-forest-labs/FLUX.1-schnell"
    assert [
        p.code for p in errors(validator.validate({"model": schnell, "prompt": "x", "n": True}))
    ] == ["invalid_type"]
    assert (
        errors(validator.validate({"model": schnell, "prompt": "x", "width": 1024.0, "n": 2.0}))
        == []
    )
    assert [
        p.code for p in errors(validator.validate({"model": schnell, "prompt": "x", "n": 2.5}))
    ] == ["invalid_type"]


# --- normalize: idempotent, valid, no mutation --------------------------------------------


@settings(max_examples=150)
@given(data=st.data())
def test_normalize_is_idempotent_and_its_output_valid(data):
    model = data.draw(st.sampled_from(MODELS))
    request = data.draw(valid_request(model))
    policy = data.draw(st.sampled_from(validator.POLICIES))
    before = copy.deepcopy(request)
    result = validator.normalize(request, policy=policy)
    assert request == before, "normalize mutated its input"
    assert result.ok or model.lifecycle.refused
    assert errors(result.problems) == []
    assert errors(validator.validate(result.request)) == []
    again = validator.normalize(result.request, policy=policy)
    assert again.request == result.request
    assert again.defaults_filled == ()
    for name in result.defaults_filled:
        assert name not in request
        assert result.request[name] == model.params[name].default
    for name, param in model.params.items():
        if (
            param.has_default
            and name not in request
            and not (model.rules and name in {"width", "height"})
        ):
            assert name in result.request, name


# --- the compiled checker and the generated JSON Schema agree ------------------------------


@st.composite
def mutated_request(draw):
    model = draw(st.sampled_from(MODELS))
    request = draw(valid_request(model))
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["delete", "add_known", "add_unknown", "replace", "perturb"]))
        keys = [k for k in request if k != "model"]
        if action == "delete" and keys:
            del request[draw(st.sampled_from(keys))]
        elif action == "add_known":
            name = draw(st.sampled_from(sorted(SPEC.parameters)))
            request[name] = draw(valid_value(SPEC.parameters[name].schema))
        elif action == "add_unknown":
            request[draw(st.sampled_from(["widht", "size", "foo", "guidance", "Steps"]))] = draw(
                any_json()
            )
        elif action == "replace" and keys:
            request[draw(st.sampled_from(keys))] = draw(any_json())
        elif action == "perturb" and keys:
            key = draw(st.sampled_from(keys))
            if isinstance(request[key], int) and not isinstance(request[key], bool):
                request[key] += draw(st.sampled_from([-8, -1, 1, 8, 10_000]))
    return model, request


@settings(max_examples=400)
@given(mutated_request())
def test_the_compiled_checker_and_the_generated_schema_agree(case):
    model, request = case
    ours = not errors(validator.validate(request))
    theirs = reference(model.id).is_valid(request)
    assert ours == theirs, [str(p) for p in validator.validate(request)]


@settings(max_examples=400)
@given(mutated_request(), st.randoms())
def test_normalize_s_fast_path_accepts_exactly_what_is_clean_accepts(case, rng):
    """normalize works out per key tuple what is_clean looks up per key: in any key
    order, after any other key tuples, the two agree."""
    model, request = case
    checker = _validate.checker_for(SPEC, model.id)
    items = list(request.items())
    rng.shuffle(items)
    for each in (request, dict(items), request):
        assert takes_the_fast_path(each) == checker.is_clean(each)


@settings(max_examples=400)
@given(mutated_request())
def test_the_fast_path_never_accepts_what_the_detailed_path_rejects(case):
    model, request = case
    checker = _validate.checker_for(SPEC, model.id)
    if checker.is_clean(request):
        detailed = checker.problems(request)
        assert [p for p in detailed if p.code not in {"deprecated_model", "retired_model"}] == []


def _bound_probes():
    """Each number or wide integer range the fast path judges by two comparisons, with
    values at, inside and just outside its bounds."""
    cases = []
    for model in MODELS:
        checker = _validate.checker_for(SPEC, model.id)
        for name, (expected, container, bounds) in checker.clean.items():
            if container is not None or expected is str:
                continue
            lo, hi = bounds
            probes = [lo, hi, lo - 1, hi + 1, (lo + hi) // 2 if expected is int else (lo + hi) / 2]
            probes += [float(lo), float(hi), True, math.nan, math.inf, -math.inf, -0.0, 0]
            if expected is float:
                probes += [math.ceil(lo), math.floor(hi), math.nextafter(hi, math.inf)]
            cases += [(model.id, name, value) for value in probes]
    return cases


@pytest.mark.parametrize(("model_id", "name", "value"), _bound_probes())
def test_the_fast_path_s_two_comparisons_judge_as_the_range_or_interval_did(model_id, name, value):
    """A range or interval turned into (least, most) for is_clean and normalize's fast
    path gives the verdict the parameter's own fast-path entry gives, and no problem
    where it accepts."""
    model = SPEC.models[model_id]
    base = minimal(model)
    request = {**base, name: value}
    checker = _validate.checker_for(SPEC, model_id)
    clean = checker.is_clean(request)
    assert clean == (checker.is_clean(base) and clean_value(checker.fast[name], value))
    assert clean == takes_the_fast_path(request)
    if clean:
        detailed = checker.problems(request)
        assert [p for p in detailed if p.code not in {"deprecated_model", "retired_model"}] == []

"""The fast path for arrays (Kling's frame_images, reference images): never cleaner than the detail."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

import validator
from validator.check import _validate

from strategies import SCALARS

SPEC = validator.load_spec()
ARRAY_MODELS = sorted(
    (model_id, name)
    for model_id, model in SPEC.models.items()
    for name, param in model.params.items()
    if param.schema.type == "array"
)
ITEMS = st.one_of(
    SCALARS,
    st.dictionaries(st.sampled_from(["input_image", "frame", "x", "image"]), SCALARS, max_size=3),
)


def test_some_array_parameters_have_a_fast_entry():
    assert ("kwaivgI/kling-2.1-pro", "frame_images") in ARRAY_MODELS
    checker = _validate.checker_for(SPEC, "kwaivgI/kling-2.1-pro")
    assert checker.fast["frame_images"][0] is list


@given(case=st.sampled_from(ARRAY_MODELS), items=st.lists(ITEMS, max_size=4))
@example(case=("kwaivgI/kling-2.1-pro", "frame_images"), items=[{"input_image": "a", "frame": 2.5}])
@example(
    case=("kwaivgI/kling-2.1-pro", "frame_images"), items=[{"input_image": "a", "frame": True}]
)
def test_a_clean_array_has_no_problem_and_normalize_copies_it(case, items):
    model_id, name = case
    assert_clean_agrees_and_is_copied(model_id, name, items, [{"input_image": "a"}])


def assert_clean_agrees_and_is_copied(model_id: str, name: str, value: object, filler: object):
    """The fast path's "clean" implies no problem; normalize copies the value, never shares it.

    ``filler`` stands in for each other required parameter but ``prompt``.
    """
    request = {"model": model_id, name: value}
    for required in SPEC.models[model_id].required:
        request.setdefault(required, "a prompt" if required == "prompt" else filler)
    checker = _validate.checker_for(SPEC, model_id)
    detailed = [
        p for p in checker.problems(request) if p.code not in {"deprecated_model", "retired_model"}
    ]
    if checker.is_clean(request):
        assert detailed == []
        result = validator.normalize(request)
        assert result.request[name] == request[name]
        assert result.request[name] is not request[name]

"""Fuzzing the API: arbitrary JSON and mutated valid requests.

Invariants, for every input and every policy:

* ``validate`` and ``normalize`` never raise; ``preflight`` raises only ``RequestError``;
* a request ``validate`` finds no error in normalizes to one it finds no error in,
  and so does any request whose normalization is ``ok``;
* ``normalize`` is idempotent: normalizing its result changes nothing more.

Shrunk failures are kept as ``@example`` regressions beside each property. The
example counts come from the hypothesis profile (100 by default); a long hunt is
``HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py`` (5,000 each).
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

import validator

from strategies import JSON_SAFE, TEXT, any_json, valid_request, valid_value

SPEC = validator.load_spec()
MODELS = list(SPEC.models.values())
SCHNELL = "black-forest-labs/FLUX.1-schnell"
KONTEXT = "black-forest-labs/FLUX.1-kontext-pro"
KLING = "kwaivgI/kling-2.1-pro"

# Scalars a JSON parser can hand over (or Python callers pass) that sit at the edges.
EDGES = st.sampled_from(
    [
        math.nan,
        math.inf,
        -math.inf,
        2**53,
        2**64,
        -(2**64),
        10**30,
        0.5,
        -0.0,
        1e308,
        "",
        "\ud800",
        "16:9\n",
        "x" * 300,
        True,
        None,
    ]
)
HOSTILE = st.one_of(any_json(), EDGES, st.lists(EDGES, max_size=3))
KEYS = st.one_of(
    st.sampled_from(sorted({*SPEC.parameters, *SPEC.aliases, "widht", "size", "Steps", "model"})),
    TEXT,
    st.sampled_from([1, None, True, 2.5, "\udc00"]),
)


@st.composite
def mutated(draw) -> dict[Any, Any]:
    """A valid request of a random model, then up to four random edits."""
    model = draw(st.sampled_from(MODELS))
    request: dict[Any, Any] = draw(valid_request(model))
    for _ in range(draw(st.integers(0, 4))):
        keys = [k for k in request if k != "model"]
        action = draw(
            st.sampled_from(
                ["delete", "add", "add_known", "replace", "perturb", "float", "model", "wrap"]
            )
        )
        if action == "delete" and keys:
            del request[draw(st.sampled_from(keys))]
        elif action == "add":
            request[draw(KEYS)] = draw(HOSTILE)
        elif action == "add_known":
            name = draw(st.sampled_from(sorted(SPEC.parameters)))
            request[name] = draw(valid_value(SPEC.parameters[name].schema))
        elif action == "replace" and keys:
            request[draw(st.sampled_from(keys))] = draw(HOSTILE)
        elif action == "perturb" and keys:
            key = draw(st.sampled_from(keys))
            if type(request[key]) is int:
                request[key] += draw(st.sampled_from([-64, -8, -1, 1, 7, 8, 64, 10_000, JSON_SAFE]))
        elif action == "float" and keys:
            key = draw(st.sampled_from(keys))
            if type(request[key]) is int:
                request[key] = float(request[key]) + draw(st.sampled_from([0.0, 0.5]))
        elif action == "model":
            request["model"] = draw(
                st.one_of(
                    st.just(model.id.swapcase()),
                    st.just(model.id.lower()),
                    st.sampled_from(list(SPEC.models)),
                    HOSTILE,
                )
            )
        elif action == "wrap" and keys:
            key = draw(st.sampled_from(keys))
            request[key] = [request[key]]
    return request


def has_errors(problems: list[validator.Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def same(a: Any, b: Any) -> bool:
    """Equality, with NaN equal to itself and types compared (``1 == 1.0 == True`` is not)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def check_invariants(request: Any) -> None:
    problems = validator.validate(request)
    assert all(p.code in validator.CODES and p.path.startswith("$") for p in problems)
    for policy in validator.POLICIES:
        result = validator.normalize(request, policy=policy)
        assert all(p.code in validator.CODES for p in result.problems)
        outcome: Any
        try:
            outcome = validator.preflight(request, policy=policy)
        except validator.RequestError as error:
            outcome = error
        if isinstance(outcome, validator.RequestError):
            assert not result.ok
            assert outcome.problems == result.problems
        else:
            assert result.ok
            assert same(outcome, result.request)
        if not has_errors(problems) or result.ok:
            assert not has_errors(validator.validate(result.request)), (policy, result)
        again = validator.normalize(result.request, policy=policy)
        assert same(again.request, result.request), (policy, result.request, again.request)
        assert again.defaults_filled == ()
        assert not {"parameter_dropped", "value_changed"} & {p.code for p in again.problems}


@given(any_json(max_leaves=12))
@example(None)
@example([])
@example({"model": None})
@example({"model": SCHNELL, "": 0})
def test_arbitrary_json_never_breaks_the_api(request):
    check_invariants(request)


@given(st.dictionaries(KEYS, HOSTILE, max_size=6).map(lambda d: {"model": SCHNELL, **d}))
@example({"model": SCHNELL, "prompt": "x", 1: math.nan})
@example({"model": SCHNELL, "prompt": "\ud800", "width": 2**64})
def test_arbitrary_objects_with_a_known_model_never_break_the_api(request):
    check_invariants(request)


@given(mutated())
# Regressions and edges kept from fuzzing runs.
@example({"model": SCHNELL, "prompt": math.nan})  # fix reported "NaN changed to NaN", twice
@example({"model": SCHNELL, "prompt": "0", 1: math.nan})
@example({"model": KONTEXT, "prompt": "x", "aspect_ratio": "16:9\n"})
@example({"model": KONTEXT, "prompt": "x", "width": 1024, "height": 0})
@example({"model": KONTEXT, "prompt": "x", "width": 1024.0, "height": 768.5})
@example({"model": KONTEXT, "prompt": "x", "guidance": 3, "guidance_scale": 3})
@example({"model": SCHNELL.lower(), "prompt": "x", "steps": 4.0})
@example({"model": SCHNELL, "prompt": "x", "width": 1001, "height": 2**64})
@example({"model": KLING, "frame_images": [{"input_image": "u", "frame": -(2**64)}]})
@example({"model": KLING, "frame_images": [[{"input_image": "u"}]]})
@example({"model": "Wan-AI/Wan2.6-image", "prompt": "x", "width": 4096, "height": 256})
def test_mutated_requests_keep_the_invariants(request):
    check_invariants(request)

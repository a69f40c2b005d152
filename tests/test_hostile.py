"""Hostile inputs through the API: ``validate``, ``normalize`` and ``preflight`` never raise.

The catalogue is data: each case names a request (built on demand, some are large)
and the (code, path) pairs ``validate`` must report for it. Every case goes through
``validate``, ``normalize`` under all three policies and ``preflight`` (which may
raise only ``RequestError``), under a recursion limit far below the nesting depth
of the deep cases, so a recursive walk anywhere would fail here rather than in a
user's process.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
import tracemalloc
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

import validator
from validator import RequestError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SPEC = validator.load_spec()
SCHNELL = "black-forest-labs/FLUX.1-schnell"
KLING = "kwaivgI/kling-2.1-pro"
DEPTH = 50_000


class Case(NamedTuple):
    id: str
    build: Callable[[], Any]
    expect: tuple[tuple[str, str], ...]  # (code, path) pairs validate must report


class Opaque:
    """A value no JSON parser produces, whose repr and str raise."""

    def __repr__(self) -> str:
        raise RuntimeError("repr must never be called on request data")

    __str__ = __repr__


def deep_list(depth: int = DEPTH, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def deep_dict(depth: int = DEPTH, key: str = "a", leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(depth):
        value = {key: value}
    return value


def req(model: str = SCHNELL, **params: Any) -> dict[str, Any]:
    return {"model": model, "prompt": "a cat", **params}


def taker(param: str) -> str:
    """An active model that takes ``param`` (its checks apply, no lifecycle warning)."""
    return next(
        m.id for m in SPEC.models.values() if param in m.params and m.lifecycle.status == "active"
    )


def _numeric_fields() -> dict[str, tuple[str, Any, Callable[[Any], Any]]]:
    """Every numeric field in the spec, at any depth, read from the data.

    By JSON path (``$.width``, ``$.image_loras[0].scale``): an active model taking
    it, its value shape, and a function placing a value there in a request that is
    otherwise valid.
    """
    found: dict[str, tuple[str, Any, Callable[[Any], Any]]] = {}

    def minimal(schema: Any) -> Any:
        if schema.enum is not None:
            return schema.enum[0]
        if schema.type == "string":
            return "u" * max(1, schema.min_length or 0)
        return {n: minimal(schema.properties[n]) for n in schema.required}

    def walk(schema: Any, path: str, wrap: Callable[[Any], Any], model: str) -> None:
        for alternative in schema.any_of or (schema,):
            kind = alternative.type
            if kind in {"integer", "number"}:
                found.setdefault(path, (model, alternative, wrap))
            elif kind == "array" and alternative.items is not None:
                walk(alternative.items, f"{path}[0]", lambda v, w=wrap: w([v]), model)
            elif kind == "object":
                for name, prop in alternative.properties.items():
                    base = {n: minimal(alternative.properties[n]) for n in alternative.required}
                    walk(
                        prop,
                        f"{path}.{name}",
                        lambda v, w=wrap, b=base, n=name: w({**b, n: v}),
                        model,
                    )

    for model in SPEC.models.values():
        if model.lifecycle.status != "active":
            continue
        for name, param in model.params.items():
            walk(param.schema, f"$.{name}", lambda v, m=model.id, n=name: _place(m, n, v), model.id)
    return found


def _place(model: str, name: str, value: Any) -> dict[str, Any]:
    request = {"model": model, **({} if name == "prompt" else {"prompt": "a cat"})}
    if SPEC.models[model].family == "Kling" and name != "frame_images":
        request["frame_images"] = [{"input_image": "u"}]
    request[name] = value
    return request


NUMERIC = _numeric_fields()


def _numeric_cases() -> Iterator[Case]:
    huge = (("10**400", 10**400), ("2**64", 2**64), ("-2**64", -(2**64)))
    not_numbers = (("nan", math.nan), ("inf", math.inf), ("-inf", -math.inf))
    for path, (_, schema, place) in NUMERIC.items():
        for label, value in huge:
            # Out of range where there is a bound on that side; else valid, as in JSON Schema.
            bound = schema.maximum if value > 0 else schema.minimum
            yield Case(
                f"{path}={label}",
                lambda p=place, v=value: p(v),
                (("out_of_range", path),) if bound is not None else (),
            )
        for label, value in not_numbers:
            yield Case(f"{path}={label}", lambda p=place, v=value: p(v), (("invalid_type", path),))
        yield Case(f"{path}=deep", lambda p=place: p(deep_list()), (("invalid_type", path),))


def test_every_numeric_field_is_in_the_catalogue():
    assert {"$.n", "$.seed", "$.width", "$.height", "$.steps", "$.guidance_scale"} <= set(NUMERIC)
    assert {"$.image_loras[0].scale", "$.frame_images[0].frame"} <= set(NUMERIC)
    for path, (_, schema, place) in NUMERIC.items():
        if schema.enum is not None:
            value = schema.enum[0]  # a documented value (Kling's frame rates)
        else:
            value = schema.minimum if schema.minimum is not None else 0
        request = place(value)
        assert not [p for p in validator.validate(request) if p.severity == "error"], path


def _cyclic_list() -> list[Any]:
    cycle: list[Any] = []
    cycle.append(cycle)
    return cycle


def _cyclic_request() -> dict[str, Any]:
    request = req()
    request["zz"] = request
    return request


NOT_OBJECTS = (None, [], "model", 3, 3.5, True, b"{}", {1, 2}, ("model",), Opaque())

CATALOGUE: tuple[Case, ...] = (
    # Not an object at all.
    *(
        Case(f"request={type(v).__name__}", lambda v=v: v, (("invalid_type", "$"),))
        for v in NOT_OBJECTS
    ),
    Case("request=deep-list", deep_list, (("invalid_type", "$"),)),
    # Keys that are not strings: named as JSON would write them, or by their type.
    Case("key=int", lambda: {**req(), 1: 2}, (("unknown_parameter", "$['1']"),)),
    Case("key=None", lambda: {**req(), None: 2}, (("unknown_parameter", "$.null"),)),
    Case("key=True", lambda: {**req(), True: 2}, (("unknown_parameter", "$.true"),)),
    Case("key=nan", lambda: {**req(), math.nan: 2}, (("unknown_parameter", "$.NaN"),)),
    Case(
        "key=tuple",
        lambda: {**req(), (1, 2): 2},
        (("unknown_parameter", "$['an array of 2 items']"),),
    ),
    Case(
        "key=10**5000",
        lambda: {**req(), 10**5000: 2},
        (("unknown_parameter", "$['an integer of 5,001 digits']"),),
    ),
    Case(
        "key=opaque",
        lambda: {**req(), Opaque(): 2},
        (("unknown_parameter", "$['a Python Opaque object']"),),
    ),
    Case(
        "key=int-in-frame",
        lambda: {"model": KLING, "frame_images": [{"input_image": "u", 7: 1}]},
        (("unknown_parameter", "$.frame_images[0]['7']"),),
    ),
    *_numeric_cases(),
    # Lone surrogates: cannot be sent as UTF-8.
    Case(
        "prompt=surrogate", lambda: req(prompt="a \ud800 cat"), (("invalid_unicode", "$.prompt"),)
    ),
    Case("key=surrogate", lambda: {**req(), "\udc00": 1}, (("unknown_parameter", "$['\\udc00']"),)),
    Case(
        "model=surrogate",
        lambda: {"model": "black-forest-labs/FLUX.1-\ud800", "prompt": "x"},
        (("invalid_unicode", "$.model"),),
    ),
    Case(
        "input_image=surrogate",
        lambda: {"model": KLING, "frame_images": [{"input_image": "\udfff"}]},
        (("invalid_unicode", "$.frame_images[0].input_image"),),
    ),
    # Size.
    Case("prompt=5MB", lambda: req(prompt="x" * 5_000_000), (("out_of_range", "$.prompt"),)),
    Case(
        "key=1MB",
        lambda: {**req(), "k" * 1_000_000: 1},
        (("unknown_parameter", "$." + "k" * 1_000_000),),
    ),
    Case(
        "frame_images=20k",
        lambda: {"model": KLING, "frame_images": [{"input_image": "u"}] * 20_000},
        (("not_recommended", "$.frame_images"),),
    ),
    Case(
        "reference_images=100k",
        lambda: req(taker("reference_images"), reference_images=["u"] * 100_000),
        (("out_of_range", "$.reference_images"),),
    ),
    # Nesting 50,000 levels deep, in every kind of place.
    Case("prompt=deep-list", lambda: req(prompt=deep_list()), (("invalid_type", "$.prompt"),)),
    Case("prompt=deep-dict", lambda: req(prompt=deep_dict()), (("invalid_type", "$.prompt"),)),
    Case(
        "model=deep", lambda: {"model": deep_list(), "prompt": "x"}, (("invalid_type", "$.model"),)
    ),
    Case("unknown=deep", lambda: {**req(), "zz": deep_dict()}, (("unknown_parameter", "$.zz"),)),
    Case(
        "unsupported=deep",
        lambda: req(negative_prompt=deep_list(), model=taker("prompt_upsampling")),
        (("unsupported_parameter", "$.negative_prompt"),),
    ),
    Case(
        "frame_images=deep-list",
        lambda: {"model": KLING, "frame_images": deep_list()},
        (("invalid_type", "$.frame_images[0]"),),
    ),
    Case(
        "frame_images[0]=deep-dict",
        lambda: {"model": KLING, "frame_images": [deep_dict()]},
        (
            ("missing_required", "$.frame_images[0].input_image"),
            ("unknown_parameter", "$.frame_images[0].a"),
        ),
    ),
    Case(
        "input_image=deep",
        lambda: {"model": KLING, "frame_images": [{"input_image": deep_dict()}]},
        (("invalid_type", "$.frame_images[0].input_image"),),
    ),
    Case(
        "frame=deep",
        lambda: {"model": KLING, "frame_images": [{"input_image": "u", "frame": deep_list()}]},
        (("invalid_type", "$.frame_images[0].frame"),),
    ),
    Case(
        "image_loras=deep",
        lambda: req(taker("image_loras"), image_loras=[deep_dict(key="path")]),
        (("invalid_type", "$.image_loras[0].path"),),
    ),
    # Cycles: not JSON, but a Python caller can build them; nothing walks them forever.
    Case("request=cycle", _cyclic_list, (("invalid_type", "$"),)),
    Case("unknown=cycle", _cyclic_request, (("unknown_parameter", "$.zz"),)),
    Case(
        "frame_images=cycle",
        lambda: {"model": KLING, "frame_images": _cyclic_list()},
        (("invalid_type", "$.frame_images[0]"),),
    ),
    # Wrong shapes inside arrays.
    Case(
        "frame_images=not-objects",
        lambda: {"model": KLING, "frame_images": [1, "x", None, [], b"u"]},
        tuple(("invalid_type", f"$.frame_images[{i}]") for i in range(5)),
    ),
    Case(
        "frame_images=no-input_image",
        lambda: {"model": KLING, "frame_images": [{}, {"frame": "first"}]},
        (
            ("missing_required", "$.frame_images[0].input_image"),
            ("missing_required", "$.frame_images[1].input_image"),
        ),
    ),
    Case(
        "frame_images=object",
        lambda: {"model": KLING, "frame_images": {"input_image": "u"}},
        (("invalid_type", "$.frame_images"),),
    ),
    Case(
        "frame_images=empty",
        lambda: {"model": KLING, "frame_images": []},
        (("out_of_range", "$.frame_images"),),
    ),
    # Values no JSON parser produces.
    Case("prompt=bytes", lambda: req(prompt=b"a cat"), (("invalid_type", "$.prompt"),)),
    Case("prompt=set", lambda: req(prompt={"a"}), (("invalid_type", "$.prompt"),)),
    Case("prompt=opaque", lambda: req(prompt=Opaque()), (("invalid_type", "$.prompt"),)),
    Case("steps=opaque", lambda: req(steps=Opaque()), (("invalid_type", "$.steps"),)),
    Case("model=opaque", lambda: {"model": Opaque()}, (("invalid_type", "$.model"),)),
    Case("model=bytes", lambda: {"model": SCHNELL.encode()}, (("invalid_type", "$.model"),)),
    Case(
        "input_image=bytes",
        lambda: {"model": KLING, "frame_images": [{"input_image": b"u"}]},
        (("invalid_type", "$.frame_images[0].input_image"),),
    ),
    Case("width=complex", lambda: req(width=1j), (("invalid_type", "$.width"),)),
)


@contextlib.contextmanager
def shallow_stack(headroom: int = 250) -> Iterator[None]:
    """Allow only ``headroom`` frames beyond the caller's: deep input must not recurse."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + headroom)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def run_everything(request: Any) -> dict[str, Any]:
    """Every entry point on one request; anything raised but RequestError fails the test."""
    results: dict[str, Any] = {"validate": validator.validate(request)}
    for policy in validator.POLICIES:
        results[policy] = validator.normalize(request, policy=policy)
    # preflight is normalize plus a raise; once is enough (the policy that does most).
    try:
        results["preflight"] = validator.preflight(request, policy="fix")
    except RequestError as error:
        results["preflight"] = error
    return results


def pairs(problems: list[validator.Problem]) -> set[tuple[str, str]]:
    return {(p.code, p.path) for p in problems}


def errors(problems: list[validator.Problem]) -> list[validator.Problem]:
    return [p for p in problems if p.severity == "error"]


def test_the_catalogue_has_no_duplicate_ids():
    ids = [case.id for case in CATALOGUE]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda case: case.id)
def test_hostile_input_gives_problems_not_exceptions(case):
    request = case.build()
    started = time.perf_counter()
    with shallow_stack():
        results = run_everything(request)
    # Generous: the slowest case takes well under a second on a slow machine.
    assert time.perf_counter() - started < 30
    problems = results["validate"]
    assert set(case.expect) <= pairs(problems), [(p.code, p.path) for p in problems]
    for problem in problems:
        assert problem.code in validator.CODES
        assert problem.path.startswith("$")
        assert len(problem.message) < 2_000  # huge values are summarised, never echoed
    for policy in validator.POLICIES:
        result = results[policy]
        for problem in result.problems:
            assert problem.code in validator.CODES and problem.path.startswith("$")
    outcome = results["preflight"]
    if results["fix"].ok:
        assert isinstance(outcome, dict)
    else:
        assert isinstance(outcome, RequestError)
        assert outcome.problems == results["fix"].problems
    # Strict normalization reports exactly the errors validate found.
    assert pairs(errors(results["strict"].problems)) == pairs(errors(problems))
    if case.expect and any(code in validator.ERROR_CODES for code, _ in case.expect):
        assert not results["strict"].ok


@pytest.mark.parametrize("request_", NOT_OBJECTS, ids=lambda v: type(v).__name__)
def test_normalize_of_a_non_object_returns_it_unchanged(request_):
    for policy in validator.POLICIES:
        result = validator.normalize(request_, policy=policy)
        assert not result.ok
        assert [(p.code, p.path) for p in result.problems] == [("invalid_type", "$")]
        assert result.defaults_filled == ()
        if isinstance(request_, list | tuple):
            assert result.request == list(request_)
            assert result.request is not request_
        else:
            assert result.request is request_  # immutable or opaque: nothing to copy
        # Idempotent, problems included (an invented {} would report a missing model).
        again = validator.normalize(result.request, policy=policy)
        assert again.problems == result.problems


def test_deep_input_is_copied_not_shared_and_not_mutated():
    inner = deep_dict(1_000)
    request = req(negative_prompt="x", zz=inner)
    result = validator.normalize(request, policy="strict")
    assert result.request["zz"] is not inner
    assert request["zz"] is inner


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (10**24 - 1, "999999999999999999999999"),
        (10**24, "an integer of 25 digits"),
        (10**25 - 1, "an integer of 25 digits"),
        (10**4999, "an integer of 5,000 digits"),
        (10**5000 - 1, "an integer of 5,000 digits"),
        (-(10**5000), "a negative integer of 5,001 digits"),
        (2**64, "18446744073709551616"),
        (2**1_000_000, "an integer of about 301,030 digits"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_describe_counts_the_digits_of_huge_integers(value, text):
    from validator._problem import describe

    assert describe(value) == text


def test_huge_integers_are_described_exactly_in_messages():
    (problem,) = [p for p in validator.validate(req(width=10**4999)) if p.code == "out_of_range"]
    assert "an integer of 5,000 digits" in problem.message


def test_memory_stays_bounded_on_the_largest_inputs():
    """Checking allocates little beyond the input: no copies of a 5 MB prompt, no per-level frames."""
    for build in (lambda: req(prompt="x" * 5_000_000), lambda: req(prompt=deep_list())):
        request = build()
        tracemalloc.start()
        try:
            validator.validate(request)
            validator.normalize(request, policy="fix")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # The deep list's normalized copy is ~56 bytes a level (2.8 MB); a copy of the
        # prompt would be 5 MB more. 16 MB is generous and still catches a blow-up.
        assert peak < 16 * 2**20, peak

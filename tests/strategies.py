"""Hypothesis strategies for values and requests, derived from the spec's value shapes.

They are written from the data (bounds, steps, enums, patterns), not from the
checker, so property tests compare two independent readings of the spec.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

import validator

JSON_SAFE = 2**53 - 1  # integers JavaScript and JSON parsers keep exact

# Any JSON scalar a fast path must judge as the long way does: odd numbers, empty and
# near-miss strings, a lone surrogate.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "first", "last", "middle", "https://e.x/a.png", "\ud800"]),
)

# Text that is valid Unicode (no surrogates), as JSON carries it.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=0, max_size=20)


def valid_value(schema, *, respect_advice: bool = False) -> st.SearchStrategy[Any]:
    """Values the schema accepts (no errors). With respect_advice, no warnings either."""
    if schema.any_of:
        return st.one_of([valid_value(alt, respect_advice=respect_advice) for alt in schema.any_of])
    advice = schema.advice if respect_advice else None
    kind = schema.type
    if schema.enum is not None:
        values = list(schema.enum)
        if advice is not None and advice.enum is not None:
            values = [v for v in values if v in advice.enum]
        return st.sampled_from(values)
    if kind == "boolean":
        if advice is not None and advice.enum is not None:
            return st.sampled_from(list(advice.enum))
        return st.booleans()
    if kind == "integer":
        lo, hi, step = _int_bounds(schema, advice)
        first = math.ceil(lo / step)
        last = math.floor(hi / step)
        return st.integers(first, last).map(lambda k: k * step)
    if kind == "number":
        lo = schema.minimum if schema.minimum is not None else -1e6
        hi = schema.maximum if schema.maximum is not None else 1e6
        if advice is not None:
            lo = max(lo, advice.minimum) if advice.minimum is not None else lo
            hi = min(hi, advice.maximum) if advice.maximum is not None else hi
        return st.one_of(
            st.integers(math.ceil(lo), math.floor(hi)),
            st.floats(lo, hi, allow_nan=False, allow_infinity=False),
        )
    if kind == "string":
        if schema.pattern is not None:
            base = st.from_regex(schema.pattern, fullmatch=True).filter(
                lambda s: all(not 0xD800 <= ord(c) <= 0xDFFF for c in s)
            )
            if schema.suggested and respect_advice:
                return st.sampled_from([str(s) for s in schema.suggested])
            return base.filter(lambda s: _length_ok(schema, s))
        lo = schema.min_length or 0
        hi = min(schema.max_length if schema.max_length is not None else 40, lo + 40)
        if advice is not None:
            lo = max(lo, advice.min_length or 0)
            hi = min(hi, advice.max_length) if advice.max_length is not None else hi
        return st.text(st.characters(exclude_categories=("Cs",)), min_size=lo, max_size=hi)
    if kind == "array":
        lo = schema.min_items or 0
        hi = schema.max_items if schema.max_items is not None else lo + 3
        if advice is not None:
            lo = max(lo, advice.min_items or 0)
            hi = min(hi, advice.max_items) if advice.max_items is not None else hi
        return st.lists(
            valid_value(schema.items, respect_advice=respect_advice),
            min_size=lo,
            max_size=min(hi, lo + 3),
        )
    if kind == "object":
        required = {
            name: valid_value(prop, respect_advice=respect_advice)
            for name, prop in schema.properties.items()
            if name in schema.required
        }
        optional = {
            name: valid_value(prop, respect_advice=respect_advice)
            for name, prop in schema.properties.items()
            if name not in schema.required
        }
        return st.fixed_dictionaries(required, optional=optional)
    raise AssertionError(f"no strategy for {kind!r}")


def _int_bounds(schema, advice) -> tuple[int, int, int]:
    step = schema.multiple_of or 1
    lo = schema.minimum if schema.minimum is not None else -JSON_SAFE
    hi = schema.maximum if schema.maximum is not None else JSON_SAFE
    if advice is not None:
        lo = max(lo, advice.minimum) if advice.minimum is not None else lo
        hi = min(hi, advice.maximum) if advice.maximum is not None else hi
        if advice.multiple_of:
            step = math.lcm(step, int(advice.multiple_of))
    return int(lo), int(hi), step


def _length_ok(schema, text: str) -> bool:
    return (schema.min_length is None or len(text) >= schema.min_length) and (
        schema.max_length is None or len(text) <= schema.max_length
    )


def pair_ok(model, width: int, height: int) -> bool:
    """The model's width x height rules, read from the data (independently of the checker)."""
    for rule in model.rules:
        if rule.kind == "size_menu" and (width, height) not in rule.sizes:
            return False
        if rule.kind == "pixel_area" and not (
            (rule.minimum or 0) <= width * height <= (rule.maximum or math.inf)
        ):
            return False
        if rule.kind == "aspect_ratio":
            lo = Fraction(*map(int, rule.minimum.split(":"))) if rule.minimum else None
            hi = Fraction(*map(int, rule.maximum.split(":"))) if rule.maximum else None
            value = Fraction(width, height)
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                return False
    return True


@st.composite
def valid_request(draw, model, *, respect_advice: bool = False) -> dict[str, Any]:
    """A request the model accepts: its required parameters and a random subset of the rest."""
    request: dict[str, Any] = {"model": model.id}
    for name, param in model.params.items():
        if param.required or draw(st.booleans()):
            request[name] = draw(valid_value(param.schema, respect_advice=respect_advice))
    if (
        "width" in request
        and "height" in request
        and not pair_ok(model, request["width"], request["height"])
    ):
        menus = [r for r in model.rules if r.kind == "size_menu"]
        if menus:
            request["width"], request["height"] = draw(st.sampled_from(list(menus[0].sizes)))
        else:
            # Area and ratio rules: choose the height from the width's allowed range.
            width = request["width"]
            heights = [
                h
                for h in range(
                    int(model.params["height"].schema.minimum),
                    int(model.params["height"].schema.maximum) + 1,
                    8,
                )
                if pair_ok(model, width, h)
            ]
            if heights:
                request["height"] = draw(st.sampled_from(heights))
            else:
                del request["height"]
    for rule in model.rules:
        # "One of these, possibly nested, is required" (Kling's keyframes): settle it.
        if rule.kind == "one_of_required" and not any(
            _present(request, path) for path in rule.params
        ):
            first, *rest = rule.params[0].split(".")
            frames = [{"input_image": "https://example.com/first.jpeg"}]
            if rest:
                media = request.get(first) if isinstance(request.get(first), dict) else {}
                request[first] = {**media, rest[0]: frames}
            else:
                request[first] = frames
    return request


def _present(request: dict[str, Any], path: str) -> bool:
    node: Any = request
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def any_json(*, max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Arbitrary JSON values (finite numbers, valid Unicode)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-JSON_SAFE, JSON_SAFE),
        st.floats(allow_nan=False, allow_infinity=False),
        TEXT,
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def takes_the_fast_path(request) -> bool:
    """Whether normalize answers without its slow path (_Normalizer.run)."""
    from validator.check import _normalize

    original = _normalize._Normalizer.run
    slow = []

    def run(self, request):
        slow.append(request)
        return original(self, request)

    _normalize._Normalizer.run = run
    try:
        validator.normalize(request)
    finally:
        _normalize._Normalizer.run = original
    return not slow

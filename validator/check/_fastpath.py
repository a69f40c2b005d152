"""The fast path: per-parameter tests that accept a clean value in a few C-level lookups.

A value is clean when it has no error and no warning. ``ModelChecker.is_clean`` runs
these tests and inlines ``clean_value``; anything they cannot accept takes the
detailed path, which finds and explains every problem.
"""

from __future__ import annotations

import math
from functools import partial

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any, Final

    from validator.spec._spec import ModelParameter
    from validator.spec._values import ValueSchema

# A fast-path entry is (exact type, container, length range):
# * ints, enumerations and booleans: ``type(value) is T and value in container``,
#   where the container is a ``frozenset`` (a small integer range too: a hash lookup
#   costs less than ``range``'s arithmetic), a ``range`` or a tuple;
# * free text: no container, ``len(value) in lengths`` and valid Unicode;
# * numbers: a float ``in`` an interval; an int ``in`` the third slot, the integers
#   inside the interval (a frozenset when few, else a range);
# * patterns: a small container whose test is a regex.
# The exact-type test comes first, so ``True`` never meets ``range(1, 5)`` and a
# float never reaches a ``range`` (whose ``in`` would then scan element by element).


_FLOAT_MAX: Final = 1.7976931348623157e308
#: Integer ranges up to this size become a frozenset in a fast-path entry.
_SMALL_RANGE: Final = 4096


class Interval:
    """``value in Interval(lo, hi)``: a closed interval of numbers (NaN is outside)."""

    __slots__ = ("hi", "lo")

    def __init__(self, lo: float, hi: float) -> None:
        self.lo = lo
        self.hi = hi

    def __contains__(self, value: float) -> bool:
        return self.lo <= value <= self.hi


class _Matching:
    """``text in _Matching(regex, lengths)``: a pattern and a length range."""

    __slots__ = ("lengths", "regex")

    def __init__(self, regex: re.Pattern[str], lengths: range) -> None:
        self.regex = regex
        self.lengths = lengths

    def __contains__(self, text: str) -> bool:
        return len(text) in self.lengths and self.regex.search(text) is not None


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate, which UTF-8 (and so the API) cannot carry.

    UTF-8 refuses exactly the code points U+D800 to U+DFFF; encoding is the test (a
    regex for that class takes longer to compile than this module to import).
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def clean_value(entry: tuple[Any, Any, Any], value: Any) -> bool:
    """One fast-path test: the value has no error and no warning (``is_clean`` inlines it)."""
    expected, container, lengths = entry
    kind = type(value)
    if kind is not expected:
        return kind is int and expected is float and value in lengths
    if container is not None:
        return value in container
    return len(value) in lengths and (value.isascii() or not has_surrogate(value))


def holds_any(request: dict[Any, Any], paths: tuple[tuple[str, ...], ...]) -> bool:
    """Whether one of ``paths`` (``("media", "frame_images")``) is in the request.

    As ``is_present`` in ``_crossrules`` for ``media.frame_images``: each step an object
    holding the next.
    """
    for path in paths:
        node: Any = request
        for part in path:
            if type(node) is not dict or part not in node:
                break
            node = node[part]
        else:
            return True
    return False


class _Each:
    """``items in _Each(test, counts)``: a list of an allowed size whose every item is clean."""

    __slots__ = ("counts", "test")

    def __init__(self, test: Callable[[Any], bool], counts: range) -> None:
        self.test = test
        self.counts = counts

    def __contains__(self, items: list[Any]) -> bool:
        if len(items) not in self.counts:
            return False
        return all(map(self.test, items))


class _Object:
    """An object is clean when its required keys are there and every key's value is clean.

    ``entries`` holds a fast-path entry per property it can judge (a key without one is
    never clean here); ``(_ALTERNATIVES, {type: entry}, None)`` stands for an ``anyOf``
    whose alternatives have distinct types. The tests are inlined, as in ``is_clean``.
    Also a fast-path container (``value in _Object(...)``) for a parameter that is an object.
    """

    __slots__ = ("entries", "required")

    def __init__(self, entries: dict[str, tuple[Any, ...]], required: frozenset[str]) -> None:
        self.entries = entries
        self.required = required

    def __call__(self, value: Any) -> bool:
        if type(value) is not dict or not self.required <= value.keys():
            return False
        entries = self.entries
        for key, item in value.items():
            entry = entries.get(key)
            if entry is None:
                return False
            expected, container, lengths = entry
            kind = type(item)
            if expected is _ALTERNATIVES:
                entry = container.get(kind)
                if entry is None:
                    return False
                expected, container, lengths = entry
            if kind is not expected and not (kind is int and expected is float):
                return False
            if container is not None:
                if item not in container:
                    return False
            elif len(item) not in lengths or not (item.isascii() or not has_surrogate(item)):
                return False
        return True

    __contains__ = __call__


#: The type slot of an ``anyOf`` entry in an ``_Object``: the entry to use goes by type.
_ALTERNATIVES: Final = object()


def _item_test(schema: ValueSchema) -> Callable[[Any], bool] | None:
    """A clean-or-not test for an array item; None: always explain."""
    entry = _property_entry(schema)
    if entry is None:
        return None
    expected, container, _ = entry
    if expected is dict:
        return container  # type: ignore[no-any-return] # an _Object
    if expected is _ALTERNATIVES:

        def alternatives(value: Any) -> bool:
            found = container.get(type(value))
            return found is not None and clean_value(found, value)

        return alternatives
    return partial(clean_value, entry)


def _property_entry(schema: ValueSchema) -> tuple[Any, ...] | None:
    """The fast-path entry of an array item or an object property; None: always explain."""
    if schema.type == "array" and not schema.any_of:
        # Advice on the item count alone (Kling's two keyframes) is judged by the entry.
        return _fast_schema(schema)
    if schema.advice is not None:
        return None
    if schema.any_of:
        entries = [_fast_schema(alt) for alt in schema.any_of]
        kinds = [entry[0] for entry in entries if entry is not None]
        # The explainer takes the first alternative whose type matches; exact, distinct
        # types (never int beside float) make that the only one this test can accept.
        if len(kinds) != len(entries) or len(set(kinds)) != len(kinds) or {int, float} <= {*kinds}:
            return None
        by_type = {entry[0]: entry for entry in entries if entry is not None}
        if float in by_type:
            by_type[int] = by_type[float]  # an int where a number goes: as clean_value
        return (_ALTERNATIVES, by_type, None)
    return _fast_schema(schema)


def _object_test(schema: ValueSchema) -> _Object:
    """An object's test: a property the fast path cannot judge is never clean."""
    entries = {}
    for name, prop in schema.properties.items():
        entry = _property_entry(prop)
        if entry is not None:
            entries[name] = entry
    return _Object(entries, frozenset(schema.required))


def fast_entry(param: ModelParameter) -> tuple[Any, ...] | None:
    """The fast-path test for one parameter, or None to always take the detailed path."""
    return _fast_schema(param.schema)


def _fast_schema(schema: ValueSchema) -> tuple[Any, ...] | None:
    """The fast-path test for one value shape, or None to always take the detailed path."""
    advice = schema.advice
    kind = schema.type
    if kind == "integer":
        if schema.enum is not None:
            return None
        lo = schema.minimum if schema.minimum is not None else -(2**63)
        hi = schema.maximum if schema.maximum is not None else 2**63
        step = schema.multiple_of or 1
        if advice is not None:
            if advice.enum is not None or advice.avoid:
                return None
            lo = max(lo, advice.minimum) if advice.minimum is not None else lo
            hi = min(hi, advice.maximum) if advice.maximum is not None else hi
            if advice.multiple_of:
                step = math.lcm(step, int(advice.multiple_of))
        first = math.ceil(lo / step) * step
        steps = range(int(first), math.floor(hi) + 1, step)
        small = (steps.stop - steps.start) // step <= _SMALL_RANGE  # len() can overflow
        return (int, frozenset(steps) if small else steps, None)
    if kind == "number":
        if advice is not None or schema.enum is not None:
            return None
        lo = schema.minimum if schema.minimum is not None else -_FLOAT_MAX
        hi = schema.maximum if schema.maximum is not None else _FLOAT_MAX
        whole = range(math.ceil(lo), math.floor(hi) + 1)
        small = whole.stop - whole.start <= _SMALL_RANGE
        return (float, Interval(lo, hi), frozenset(whole) if small else whole)
    if kind == "boolean":
        if advice is not None and (advice.avoid or advice.enum is None):
            return None
        allowed = (
            tuple(advice.enum) if advice is not None and advice.enum is not None else (True, False)
        )
        return (bool, allowed, None)
    if kind == "string":
        if schema.enum is not None:
            values = [
                v for v in schema.enum if advice is None or advice.enum is None or v in advice.enum
            ]
            return (str, frozenset(values), None)
        if advice is not None:
            # Only the documented examples are known to be clean; the rest take the
            # detailed path, which also checks the advice.
            return (
                (str, frozenset(str(s) for s in schema.suggested), None)
                if schema.suggested
                else None
            )
        lengths = range(
            schema.min_length or 0,
            (schema.max_length if schema.max_length is not None else 2**63) + 1,
        )
        if schema.regex is not None:
            return (str, _Matching(schema.regex, lengths), None)
        return (str, None, lengths)
    if kind == "object" and schema.enum is None and advice is None and not schema.any_of:
        # Kling's media: clean when every key it holds is a clean property.
        return (dict, _object_test(schema), None)
    if kind == "array" and schema.enum is None:
        lo = schema.min_items or 0
        hi = schema.max_items if schema.max_items is not None else 2**63
        if advice is not None:
            # Advice on the item count only (Kling's two keyframes) narrows the clean sizes.
            only_counts = (
                advice._replace(min_items=None, max_items=None, note=None, sources=())
                == type(advice)()
            )
            if not only_counts:
                return None
            lo = max(lo, advice.min_items) if advice.min_items is not None else lo
            hi = min(hi, advice.max_items) if advice.max_items is not None else hi
        test = _item_test(schema.items) if schema.items is not None else (lambda _: True)
        if test is None:
            return None
        return (list, _Each(test, range(lo, hi + 1)), None)
    return None

"""Value shapes from the spec, the JSON type tests, ratios, patterns and did-you-mean.

The detailed check that explains what is wrong with a value is ``_explain``.
"""

from __future__ import annotations

import math
import re

from validator._problem import (
    number,
    quote,
)
from validator._tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from fractions import Fraction
    from typing import Any, TypeGuard

_ARTICLE = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
}


def ratio(text: str) -> Fraction:
    """Parse ``W:H`` into an exact fraction."""
    from fractions import Fraction  # noqa: PLC0415 - fractions imports decimal; rare path

    width, height = text.split(":")
    return Fraction(int(width), int(height))


def nearest_ratio(width: float, height: float, ratios: Iterable[str]) -> str:
    """The ``W:H`` among ``ratios`` nearest to ``width/height``.

    Distance is on a log scale, so 2:1 and 1:2 are as far from 1:1.
    """
    target = math.log(width / height)
    return min(ratios, key=lambda r: abs(math.log(ratio(r)) - target))


def ecma_regex(pattern: str) -> re.Pattern[str]:
    """Compile a JSON Schema ``pattern`` so it matches as ECMA-262 (JSON Schema's dialect).

    Two things differ from Python's ``re`` in the patterns a spec uses: ``$`` also
    matches before a final newline in Python (``'16:9\\n'`` would pass
    ``^[1-9]+:[1-9]+$``), and ``.`` matches ``\\r``, U+2028 and U+2029. Outside
    character classes, ``$`` becomes ``\\Z`` and ``.`` excludes every line
    terminator, so capspec, ajv and jsonschema-rs agree.
    """
    out: list[str] = []
    in_class = False
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            out.append(char + next(chars, ""))
        elif in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            following = next(chars, "")  # a ']' right after '[' or '[^' is literal
            if following == "^":
                out.append(following)
                following = next(chars, "")
            if following == "\\":
                following += next(chars, "")
            out.append(following)
        elif char == "$":
            out.append(r"\Z")
        elif char == ".":
            out.append(r"[^\n\r\u2028\u2029]")
        else:
            out.append(char)
    return re.compile("".join(out))


class Advice(NamedTuple):
    """Stricter documented guidance; values outside it are warnings, not errors."""

    minimum: float | None = None
    maximum: float | None = None
    multiple_of: int | None = None
    enum: tuple[Any, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    ratio_min: str | None = None
    ratio_max: str | None = None
    avoid: bool = False
    note: str | None = None
    sources: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Advice | None:
        """Build from the resolved spec form."""
        if not data:
            return None
        values = dict(data)
        if "enum" in values:
            values["enum"] = tuple(values["enum"])
        values["sources"] = tuple(values.get("sources", ()))
        return cls(**values)


class ValueSchema(NamedTuple):
    """The shape one value must have: a parameter, an array item or an object property."""

    type: str | None = None
    any_of: tuple[ValueSchema, ...] = ()
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    multiple_of: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    items: ValueSchema | None = None
    properties: Mapping[str, ValueSchema] = {}
    required: tuple[str, ...] = ()
    advice: Advice | None = None
    suggested: tuple[Any, ...] = ()
    description: str = ""
    regex: re.Pattern[str] | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ValueSchema:
        """Build from the resolved spec form (plain JSON data)."""
        pattern = data.get("pattern")
        items = data.get("items")
        return cls(
            type=data.get("type"),
            any_of=tuple(cls.from_dict(alt) for alt in data.get("any_of", ())),
            enum=tuple(data["enum"]) if "enum" in data else None,
            pattern=pattern,
            minimum=data.get("minimum"),
            maximum=data.get("maximum"),
            multiple_of=data.get("multiple_of"),
            min_length=data.get("min_length"),
            max_length=data.get("max_length"),
            min_items=data.get("min_items"),
            max_items=data.get("max_items"),
            items=cls.from_dict(items) if items is not None else None,
            properties={k: cls.from_dict(v) for k, v in data.get("properties", {}).items()},
            required=tuple(data.get("required", ())),
            advice=Advice.from_dict(data.get("advice")),
            suggested=tuple(data.get("suggested", ())),
            description=data.get("description", ""),
            regex=ecma_regex(pattern) if pattern else None,
        )

    def expected(self) -> str:
        """What the value should be, for a message: ``an integer``, ``a number or 'first'``."""
        if self.any_of:
            return " or ".join(alt.expected() for alt in self.any_of)
        if self.enum is not None and self.type == "string":
            return "one of " + ", ".join(quote(str(v)) for v in self.enum)
        return _ARTICLE.get(self.type or "", "a value")

    def bounds(self) -> str:
        """The allowed range in words, for messages and docs (empty when unbounded)."""
        parts: list[str] = []
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            parts.append(f"{number(lo)} to {number(hi)}")
        elif lo is not None:
            parts.append(f"at least {number(lo)}")
        elif hi is not None:
            parts.append(f"at most {number(hi)}")
        if self.multiple_of is not None:
            parts.append(f"multiples of {self.multiple_of}")
        return ", ".join(parts)


# --- type tests shared with the compiled checker ---------------------------


def is_integer(value: Any) -> TypeGuard[int | float]:
    """JSON Schema's integer: an int that is not a bool, or a float with no fraction."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def is_number(value: Any) -> TypeGuard[int | float]:
    """A finite JSON number (booleans are not numbers)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def type_matches(kind: str | None, value: Any) -> bool:
    """Whether the value has the JSON type ``kind``."""
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return is_integer(value)
    if kind == "number":
        return is_number(value)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list | tuple)
    if kind == "object":
        return isinstance(value, dict)
    return False


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON sees it: ``1 == 1.0`` but ``true != 1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    return bool(a == b)


_INDEXES: dict[tuple[str, ...], dict[str, list[str]]] = {}
#: The lengths of each candidate list: two words one edit apart differ by at most one.
_LENGTHS: dict[tuple[str, ...], frozenset[int]] = {}


def _deletes(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _index(candidates: tuple[str, ...]) -> dict[str, list[str]]:
    """Symmetric-delete index: each candidate under itself and its one-letter deletions."""
    index = _INDEXES.get(candidates)
    if index is None:
        index = {}
        for candidate in candidates:
            for variant in _deletes(candidate.lower()):
                index.setdefault(variant, []).append(candidate)
        if len(_INDEXES) > 256:
            _INDEXES.clear()
            _LENGTHS.clear()
        _INDEXES[candidates] = index
        _LENGTHS[candidates] = frozenset(len(c.lower()) for c in candidates)
    return index


#: Answers already given, by (name, candidates): the same typo recurs across requests.
_ANSWERS: dict[tuple[str, tuple[str, ...]], str | None] = {}
_NO_ANSWER: Any = object()


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """``did you mean 'width'?`` for the closest candidate, or None.

    Matches ignoring case first, then within one deletion on either side (which
    covers one insertion, deletion, substitution or transposition), using an
    index built once per candidate list: a handful of dict lookups per call.
    Answers are remembered (a bounded cache: a typo recurs across requests).
    """
    if len(name) > 64:
        return None
    key = candidates if type(candidates) is tuple else tuple(candidates)
    if type(name) is not str:
        return _closest(name, key)  # a str subclass's own hashing is never trusted to a cache
    asked = (name, key)
    answer = _ANSWERS.get(asked, _NO_ANSWER)
    if answer is _NO_ANSWER:
        answer = _closest(name, key)
        if len(_ANSWERS) >= 4096:
            _ANSWERS.clear()
        _ANSWERS[asked] = answer
    return answer  # type: ignore[no-any-return]


def _closest(name: str, key: tuple[str, ...]) -> str | None:
    """``did_you_mean`` without the cache."""
    index = _index(key)
    lowered = name.lower()
    exact = [c for c in index.get(lowered, ()) if c.lower() == lowered]
    if exact:
        return f"did you mean {quote(exact[0])}?" if exact[0] != name else None
    size = len(lowered)
    if _LENGTHS[key].isdisjoint((size - 1, size, size + 1)):
        return None  # nothing is within one edit: skip the deletions
    scores: dict[str, int] = {}
    for variant in _deletes(lowered):
        for candidate in index.get(variant, ()):
            scores[candidate] = scores.get(candidate, 0) + 1
    if not scores:
        return None
    best = max(scores, key=lambda c: (scores[c], -abs(len(c) - len(name))))
    return f"did you mean {quote(best)}?"

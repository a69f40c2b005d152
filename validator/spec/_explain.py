"""The detailed check: what is wrong with a value, compiled once per model from its shape.

Each explainer appends a located, worded Problem for everything wrong with a value;
the compiled checker (``_checker``) runs one only when its fast path cannot accept.
"""

from __future__ import annotations

import math
import re

from validator._problem import (
    Problem,
    describe,
    got,
    json_path,
    key_name,
    number,
    plural,
    quote,
)
from validator.spec._values import (
    Advice,
    ValueSchema,
    did_you_mean,
    is_integer,
    is_number,
    json_equal,
    ratio,
    type_matches,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeAlias

    #: ``explain(value, parts, param, out)``: append a Problem for everything wrong with
    #: ``value`` (found at ``parts``, under top-level key ``param``) to ``out``.
    Explainer: TypeAlias = Callable[[Any, tuple[Any, ...], str | None, list[Problem]], None]

_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n", "true", "false"}
_new = tuple.__new__  # a Problem from its six fields, without NamedTuple's Python-level __new__
_SMALL = 10**15
_SURROGATE = re.compile("[\ud800-\udfff]")


def unicode_problem(text: str, parts: tuple[Any, ...], param: str | None) -> Problem | None:
    """An error for a string that cannot be encoded as UTF-8, naming the first bad code point.

    A lone surrogate (U+D800 to U+DFFF) is not a character: Python strings can hold
    one (from ``errors="surrogateescape"``, or a UTF-16 pair never joined), but no
    JSON body sent as UTF-8 can, so the HTTP client would fail when it encodes.
    """
    if text.isascii():
        return None
    found = _SURROGATE.search(text)
    if found is None:
        return None
    at = found.start()
    first = ord(text[at])
    count = len(_SURROGATE.findall(text))
    path, subject = _WHERE.get(parts) or _where(parts)
    nxt = ord(text[at + 1]) if at + 1 < len(text) else 0
    if 0xD800 <= first <= 0xDBFF and 0xDC00 <= nxt <= 0xDFFF:
        joined = 0x10000 + ((first - 0xD800) << 10) + (nxt - 0xDC00)
        message = (
            f"{subject} has a UTF-16 surrogate pair U+{first:04X} U+{nxt:04X} at index {at}, "
            f"two code points that should be the one character U+{joined:04X}; "
            "as they are, the string cannot be encoded as UTF-8"
        )
        hint = "join each pair into the one character it encodes, or remove them"
    else:
        if count == 1:
            message = (
                f"{subject} has a lone surrogate U+{first:04X} at index {at}, "
                "which cannot be encoded as UTF-8"
            )
        else:
            message = (
                f"{subject} has {count:,} lone surrogates, the first U+{first:04X} at index "
                f"{at}; they cannot be encoded as UTF-8"
            )
        hint = "remove it or replace it with U+FFFD, the replacement character"
    return Problem("invalid_unicode", "error", param, path, message, hint)


# --- the detailed check, compiled once per model -------------------------------


def compile_value(schema: ValueSchema, model: str) -> Explainer:
    """Compile a value shape into an explainer with its message fragments pre-rendered.

    Built from data only (bounds, sets, compiled patterns); never from code text.
    """
    if schema.any_of:
        return _compile_any_of(schema, model)
    kind = schema.type
    if kind in {"integer", "number"}:
        return _compile_number(schema, model)
    if kind == "string":
        return _compile_string(schema, model)
    if kind == "boolean":
        return _compile_boolean(schema, model)
    if kind == "array":
        return _compile_array(schema, model)
    return _compile_object(schema, model)


def _type_problem(
    schema: ValueSchema, model: str
) -> Callable[[Any, tuple[Any, ...], str | None], Problem]:
    must = f" must be {schema.expected()} for {model}, got "
    kind = schema.type

    def problem(value: Any, parts: tuple[Any, ...], param: str | None) -> Problem:
        path, subject = _WHERE.get(parts) or _where(parts)
        message = f"{subject}{must}{got(value)}"
        hint = _type_hint(kind, value)
        return _new(Problem, ("invalid_type", "error", param, path, message, hint))

    return problem


def _compile_any_of(schema: ValueSchema, model: str) -> Explainer:
    alternatives = [(alt.type, compile_value(alt, model)) for alt in schema.any_of]
    bad_type = _type_problem(schema, model)

    def explain(value: Any, parts: tuple[Any, ...], param: str | None, out: list[Problem]) -> None:
        for kind, alternative in alternatives:
            if type_matches(kind, value):
                alternative(value, parts, param, out)
                return
        out.append(bad_type(value, parts, param))

    return explain


def _compile_number(schema: ValueSchema, model: str) -> Explainer:
    integer = schema.type == "integer"
    lo, hi, step = schema.minimum, schema.maximum, schema.multiple_of
    allowed = f" for {model} (allowed: {schema.bounds()})"
    below = f" below the minimum {number(lo)}{allowed}" if lo is not None else ""
    above = f" above the maximum {number(hi)}{allowed}" if hi is not None else ""
    not_step = f" not a multiple of {step} for {model}"
    enum = schema.enum
    enum_text = ", ".join(describe(v) for v in enum) if enum is not None else ""
    advise = _compile_advice(schema, model)
    bad_type = _type_problem(schema, model)

    def explain(value: Any, parts: tuple[Any, ...], param: str | None, out: list[Problem]) -> None:
        kind = type(value)
        if kind is not int and (
            kind is str or not (is_integer(value) if integer else is_number(value))
        ):
            out.append(bad_type(value, parts, param))
            return
        count = len(out)
        side = None  # the bound's wording, when the value is outside it
        if lo is not None and value < lo:
            side = below
        elif hi is not None and value > hi:
            side = above
        if side is not None:
            path, subject = _WHERE.get(parts) or _where(parts)
            message = (
                f"{subject} {value} is{side}"
                if kind is int and -_SMALL < value < _SMALL
                else f"{_value_is(subject, value)}{side}"
            )
            out.append(_new(Problem, ("out_of_range", "error", param, path, message, None)))
        if step is not None and (kind is int or is_integer(value)) and int(value) % step:
            whole = int(value)
            lower = whole - whole % step
            upper = lower + step
            fits_lower = (lo is None or lower >= lo) and (hi is None or lower <= hi)
            fits_upper = (lo is None or upper >= lo) and (hi is None or upper <= hi)
            if fits_lower:
                hint: str | None = f"use {lower} or {upper}" if fits_upper else f"use {lower}"
            else:
                hint = f"use {upper}" if fits_upper else None
            path, subject = _WHERE.get(parts) or _where(parts)
            message = (
                f"{subject} {value} is{not_step}"
                if kind is int and -_SMALL < value < _SMALL
                else f"{_value_is(subject, value)}{not_step}"
            )
            out.append(_new(Problem, ("not_multiple_of", "error", param, path, message, hint)))
        if enum is not None and not any(json_equal(value, v) for v in enum):
            path, subject = _WHERE.get(parts) or _where(parts)
            message = f"{_value_is(subject, value)} not one of {enum_text} for {model}"
            out.append(_new(Problem, ("invalid_value", "error", param, path, message, None)))
        if advise is not None and len(out) == count:
            advise(value, parts, param, out)

    return explain


def _value_is(subject: str, value: Any) -> str:
    """``width 5000 is``; a value too big to show reads ``width is an integer of 401 digits,``."""
    if type(value) is int and -_SMALL < value < _SMALL:
        return f"{subject} {value} is"  # describe's common case
    shown = describe(value)
    if shown.startswith(("a ", "an ")):
        return f"{subject} is {shown},"
    return f"{subject} {shown} is"


def _compile_string(schema: ValueSchema, model: str) -> Explainer:
    enum = frozenset(schema.enum) if schema.enum is not None else None
    enum_names = tuple(str(v) for v in schema.enum) if schema.enum is not None else ()
    not_one_of = " is not one of " + ", ".join(quote(v) for v in enum_names) + f" for {model}"
    regex = schema.regex
    no_match = f" does not match the pattern {schema.pattern} for {model}"
    example = f"for example {quote(str(schema.suggested[0]))}" if schema.suggested else None
    lo, hi = schema.min_length, schema.max_length
    too_short = f"; {model} needs at least {plural(lo, 'character')}" if lo is not None else ""
    too_long = f"; {model} allows at most {hi:,}" if hi is not None else ""
    advise = _compile_advice(schema, model)
    bad_type = _type_problem(schema, model)

    def explain(value: Any, parts: tuple[Any, ...], param: str | None, out: list[Problem]) -> None:
        if not isinstance(value, str):
            out.append(bad_type(value, parts, param))
            return
        count = len(out)
        unsendable = None if value.isascii() else unicode_problem(value, parts, param)
        if unsendable is not None:
            # Length is still worth knowing; a menu or pattern verdict on unsendable text is not.
            out.append(unsendable)
        elif enum is not None and value not in enum:
            path, subject = _WHERE.get(parts) or _where(parts)
            if len(value) <= 60 and value.isprintable() and "'" not in value and "\\" not in value:
                message = f"{subject} '{value}'{not_one_of}"  # quote's common case
            else:
                message = f"{subject} {quote(value)}{not_one_of}"
            hint = did_you_mean(value, enum_names)
            out.append(_new(Problem, ("invalid_value", "error", param, path, message, hint)))
            return
        if unsendable is None and regex is not None and not regex.search(value):
            path, subject = _WHERE.get(parts) or _where(parts)
            out.append(
                Problem(
                    "invalid_value",
                    "error",
                    param,
                    path,
                    f"{subject} {quote(value)}{no_match}",
                    example,
                )
            )
        length = len(value)
        if lo is not None and length < lo:
            path, subject = _WHERE.get(parts) or _where(parts)
            what = "is empty" if length == 0 else f"is {plural(length, 'character')} long"
            out.append(
                Problem("out_of_range", "error", param, path, f"{subject} {what}{too_short}")
            )
        elif hi is not None and length > hi:
            path, subject = _WHERE.get(parts) or _where(parts)
            message = f"{subject} is {plural(length, 'character')} long{too_long}"
            out.append(Problem("out_of_range", "error", param, path, message))
        if advise is not None and len(out) == count:
            advise(value, parts, param, out)

    return explain


def _compile_boolean(schema: ValueSchema, model: str) -> Explainer:
    advise = _compile_advice(schema, model)
    bad_type = _type_problem(schema, model)

    def explain(value: Any, parts: tuple[Any, ...], param: str | None, out: list[Problem]) -> None:
        if not isinstance(value, bool):
            out.append(bad_type(value, parts, param))
        elif advise is not None:
            advise(value, parts, param, out)

    return explain


def _compile_array(schema: ValueSchema, model: str) -> Explainer:
    lo, hi = schema.min_items, schema.max_items
    items = compile_value(schema.items, model) if schema.items is not None else None
    advise = _compile_advice(schema, model)
    bad_type = _type_problem(schema, model)

    def explain(value: Any, parts: tuple[Any, ...], param: str | None, out: list[Problem]) -> None:
        if not isinstance(value, list | tuple):
            out.append(bad_type(value, parts, param))
            return
        count = len(out)
        size = len(value)
        if lo is not None and size < lo:
            path, subject = _WHERE.get(parts) or _where(parts)
            message = f"{subject} has {plural(size, 'item')}; {model} needs at least {lo}"
            out.append(Problem("out_of_range", "error", param, path, message))
        if hi is not None and size > hi:
            path, subject = _WHERE.get(parts) or _where(parts)
            message = f"{subject} has {plural(size, 'item')}; {model} allows at most {hi}"
            out.append(Problem("out_of_range", "error", param, path, message))
        if items is not None:
            for index, item in enumerate(value):
                items(item, (*parts, index), param, out)
        if advise is not None and len(out) == count:
            advise(value, parts, param, out)

    return explain


def _compile_object(schema: ValueSchema, model: str) -> Explainer:
    properties = {name: compile_value(prop, model) for name, prop in schema.properties.items()}
    names = tuple(schema.properties)
    takes = ", ".join(quote(k) for k in names)
    required = schema.required
    bad_type = _type_problem(schema, model)

    def explain(value: Any, parts: tuple[Any, ...], param: str | None, out: list[Problem]) -> None:
        if not isinstance(value, dict):
            out.append(bad_type(value, parts, param))
            return
        for name in required:
            if name not in value:
                message = f"{_where(parts)[1]} needs {quote(name)} for {model}"
                out.append(
                    Problem("missing_required", "error", param, _path((*parts, name)), message)
                )
        for key, item in value.items():
            check = properties.get(key) if isinstance(key, str) else None
            if check is None:
                name = key_name(key)
                message = f"{_where(parts)[1]} has no key {quote(name)}; it takes {takes}"
                out.append(
                    Problem(
                        "unknown_parameter",
                        "error",
                        param,
                        _path((*parts, name)),
                        message,
                        did_you_mean(name, names),
                    )
                )
                continue
            check(item, (*parts, key), param, out)

    return explain


def _compile_advice(schema: ValueSchema, model: str) -> Explainer | None:
    """Warnings for values inside the hard bounds but outside the documented advice."""
    advice = schema.advice
    if advice is None:
        return None
    why = f" for {model}" + (f" ({advice.note})" if advice.note else "")
    hint = _advice_hint(schema, advice)
    ratio_lo = ratio(advice.ratio_min) if advice.ratio_min else None
    ratio_hi = ratio(advice.ratio_max) if advice.ratio_max else None
    advised_enum = ", ".join(describe(v) for v in advice.enum) if advice.enum is not None else ""

    def explain(value: Any, parts: tuple[Any, ...], param: str | None, out: list[Problem]) -> None:
        if advice.avoid:
            path, subject = _WHERE.get(parts) or _where(parts)
            out.append(
                Problem(
                    "not_recommended",
                    "warning",
                    param,
                    path,
                    f"{subject} is not recommended{why}",
                )
            )
            return
        notes: list[str] = []
        if is_number(value):
            if advice.minimum is not None and value < advice.minimum:
                notes.append(f"below the advised minimum {number(advice.minimum)}")
            if advice.maximum is not None and value > advice.maximum:
                notes.append(f"above the advised maximum {number(advice.maximum)}")
            if (
                advice.multiple_of is not None
                and is_integer(value)
                and int(value) % advice.multiple_of
            ):
                notes.append(f"not a multiple of {advice.multiple_of} as advised")
        if advice.enum is not None and not any(json_equal(value, v) for v in advice.enum):
            notes.append(f"not one of the advised values {advised_enum}")
        if isinstance(value, str):
            if advice.min_length is not None and len(value) < advice.min_length:
                notes.append(f"shorter than the advised {plural(advice.min_length, 'character')}")
            if advice.max_length is not None and len(value) > advice.max_length:
                notes.append(f"longer than the advised {plural(advice.max_length, 'character')}")
            if ratio_lo is not None or ratio_hi is not None:
                try:
                    value_ratio = ratio(value)
                except (ValueError, ZeroDivisionError):
                    value_ratio = None
                if value_ratio is not None and ratio_lo is not None and value_ratio < ratio_lo:
                    notes.append(f"narrower than the advised {advice.ratio_min}")
                if value_ratio is not None and ratio_hi is not None and value_ratio > ratio_hi:
                    notes.append(f"wider than the advised {advice.ratio_max}")
        if isinstance(value, list | tuple):
            if advice.min_items is not None and len(value) < advice.min_items:
                notes.append(f"fewer than the advised {plural(advice.min_items, 'item')}")
            if advice.max_items is not None and len(value) > advice.max_items:
                notes.append(f"more than the advised {plural(advice.max_items, 'item')}")
        if notes:
            path, subject = _WHERE.get(parts) or _where(parts)
            shown = f"({describe(value)})" if isinstance(value, list | tuple) else describe(value)
            message = f"{subject} {shown} is {' and '.join(notes)}{why}"
            out.append(Problem("not_recommended", "warning", param, path, message, hint))

    return explain


def _advice_hint(schema: ValueSchema, advice: Advice) -> str | None:
    parts: list[str] = []
    if advice.minimum is not None or advice.maximum is not None:
        lo = number(advice.minimum) if advice.minimum is not None else number(schema.minimum or 0)
        hi = number(advice.maximum) if advice.maximum is not None else None
        parts.append(f"{lo} to {hi}" if hi is not None else f"at least {lo}")
    if advice.multiple_of is not None:
        parts.append(f"multiples of {advice.multiple_of}")
    if advice.ratio_min or advice.ratio_max:
        parts.append(f"ratios from {advice.ratio_min or 'any'} to {advice.ratio_max or 'any'}")
    if not parts:
        return None
    sources = f"; sources: {', '.join(advice.sources)}" if advice.sources else ""
    return f"advised: {', '.join(parts)}{sources}"


_WHERE: dict[tuple[Any, ...], tuple[str, str]] = {}


def _where(parts: tuple[Any, ...]) -> tuple[str, str]:
    """The JSON path of ``parts`` and its subject for messages (the path without ``$.``).

    Top-level keys repeat across requests, so their pair is cached (explainers look
    in ``_WHERE`` first and call this on a miss).
    """
    found = _WHERE.get(parts)
    if found is not None:
        return found
    path = json_path(parts)
    where = (path, path.removeprefix("$."))
    if len(parts) == 1 and type(parts[0]) is str and len(_WHERE) < 4096 and len(parts[0]) <= 64:
        _WHERE[parts] = where
    return where


def _path(parts: tuple[Any, ...]) -> str:
    """JSON path of ``parts``."""
    return _where(parts)[0]


def _type_hint(kind: str | None, value: Any) -> str | None:
    if isinstance(value, str):
        text = value.strip()
        if kind == "boolean" and text.lower() in _YAML11_BOOLS:
            return "write true or false without quotes"
        if kind in {"integer", "number"}:
            try:
                float(text)
            except ValueError:
                return None
            return f"write {text} without quotes"
    if kind == "integer" and isinstance(value, float) and math.isfinite(value):
        return "use a whole number"
    if kind == "array" and isinstance(value, str):
        return "wrap the value in a list: [" + quote(value, limit=30) + "]"
    return None

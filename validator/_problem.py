"""The Problem record, the stable codes, and safe formatting of arbitrary values."""

from __future__ import annotations

import math

from validator._tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final, Literal, Self, TypeAlias

    Severity: TypeAlias = Literal["error", "warning"]

#: Every code capspec reports, with a one-line meaning. Codes are stable API;
#: message wording is not.
ERROR_CODES: Final[dict[str, str]] = {
    "unknown_model": "The model id is not in the capability spec.",
    "missing_required": "A parameter the model requires is absent.",
    "unsupported_parameter": "An API parameter this model does not take.",
    "unknown_parameter": "Not a parameter of the API at all.",
    "invalid_type": "The value has the wrong JSON type.",
    "out_of_range": "A number, length or item count is outside its bounds.",
    "not_multiple_of": "A number is not a multiple of the required step.",
    "invalid_value": "A value outside an enumeration, a pattern or a size menu.",
    "conflicting_parameters": "Parameters that cannot be combined, or a cross-field bound.",
    "invalid_unicode": "A string with a lone surrogate, which cannot be encoded as UTF-8.",
}
WARNING_CODES: Final[dict[str, str]] = {
    "deprecated_model": "The model is deprecated and may be removed; the hint names its successor.",
    "retired_model": (
        "The model is retired: an error where Together removed it (the API refuses it), a "
        "warning where it is only no longer listed; the hint names its successor."
    ),
    "renamed_parameter": "An old parameter name; the current name is given.",
    "deprecated_parameter": "Still taken, but deprecated upstream; the replacement is given.",
    "ignored_parameter": "Accepted by the API but without documented effect on this model.",
    "not_recommended": "Allowed, but outside the stricter documented advice.",
    "parameter_dropped": "Removed by the drop or fix policy.",
    "value_changed": "Repaired by the fix policy.",
}
#: Problems of a payload file rather than of a request (reported by the CLI).
FILE_CODES: Final[dict[str, str]] = {
    "invalid_json": "The file is not valid JSON.",
    "invalid_yaml": "The file is not valid YAML (or breaks a safety limit).",
    "invalid_encoding": "The file is not UTF-8.",
    "empty_file": "The file holds no request.",
    "duplicate_key": "A key repeated within one object; parsers disagree on which value wins.",
    "unreadable_file": "The path is missing, a directory, or cannot be read.",
    "too_large": "A file, or one JSONL line, is larger than the size limit (--max-size).",
}
CODES: Final[dict[str, str]] = {**ERROR_CODES, **WARNING_CODES, **FILE_CODES}


class Problem(NamedTuple):
    """One thing wrong with a request (error) or worth knowing about it (warning).

    Attributes:
        code: Stable identifier, one of ``validator.CODES``.
        severity: ``"error"`` (the API would reject it) or ``"warning"``.
        param: The top-level request key concerned, or None.
        path: JSON path of the value concerned, such as ``$.frame_images[0].input_image``.
        message: For a person: names the model, the value and what is allowed.
        hint: A did-you-mean or the fix, when there is one.
    """

    code: str
    severity: Severity
    param: str | None
    path: str
    message: str
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        """True for an error (the API would refuse the request), False for a warning."""
        return self.severity == "error"

    def to_dict(self) -> dict[str, str | None]:
        """Return the problem as a JSON-ready dict."""
        return {
            "code": self.code,
            "severity": self.severity,
            "param": self.param,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        text = f"{self.severity} {self.code} {self.path}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


def json_path(parts: tuple[Any, ...]) -> str:
    """Render a path of keys and indexes as a JSON path: ``$.a[0].b``, ``$['odd key']``."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            out.append(f"[{part}]")
        elif isinstance(part, str) and part.isascii() and part.isidentifier():
            out.append(f".{part}")
        else:
            out.append(f"[{quote(str(part), limit=40)}]")
    return "".join(out)


def key_path(key: str) -> str:
    """JSON path of a top-level key."""
    return json_path((key,))


def quote(text: str, *, limit: int = 60) -> str:
    """Quote a string for a message: escape what cannot be shown, truncate long strings."""
    if len(text) <= limit and text.isprintable() and "'" not in text and "\\" not in text:
        return f"'{text}'"  # the common case: nothing to escape
    shown = text if len(text) <= limit else text[:limit]
    body = "".join(_escape(c) for c in shown)
    if len(text) > limit:
        return f"'{body}...' ({len(text):,} characters)"
    return f"'{body}'"


def _escape(char: str) -> str:
    if char in "'\\":
        return "\\" + char
    if char.isprintable():
        return char
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


class Overflow(float):
    """A JSON number too large for a 64-bit float (``1e400``): infinite, with its text kept.

    JSON allows the literal; Python (and the API's parser) cannot hold it. Messages
    show what the file says, not ``Infinity``.
    """

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> Self:
        made = super().__new__(cls, text)
        made.text = text if len(text) <= _MAX_DIGITS else f"{text[:_MAX_DIGITS]}..."
        return made


_MAX_DIGITS = 24
_SMALL = 10**15
_LOG10_2 = math.log10(2)
# Up to this size the digit count is exact (one power of ten, well under a
# millisecond); above it the count is an estimate, off by at most one.
_EXACT_BITS = 330_000


def _digits(magnitude: int) -> tuple[int, bool]:
    """The number of decimal digits of a non-negative int, and whether it is exact.

    ``str()`` is refused above 4,300 digits, so the count comes from the bit length:
    a number of ``b`` bits has the digits of ``2**(b-1)`` or one more.
    """
    bits = magnitude.bit_length()
    digits = int((bits - 1) * _LOG10_2) + 1 if bits else 1
    if bits > _EXACT_BITS:
        return digits, False
    return digits + (magnitude >= 10**digits), True


def describe(value: Any) -> str:
    """Show a request value in a message without ever failing or recursing.

    JSON vocabulary is used (``true``, ``null``, ``an array of 3 items``), huge
    integers are summarised rather than converted to text, and long strings are
    truncated.
    """
    kind = type(value)
    if kind is int and -_SMALL < value < _SMALL:
        return str(value)
    if kind is str:
        return quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        whole = int.__index__(value)  # an int subclass's own methods are never called
        digits, exact = _digits(abs(whole))
        if digits > _MAX_DIGITS:
            sign = "a negative" if whole < 0 else "an"
            return f"{sign} integer of {'' if exact else 'about '}{digits:,} digits"
        return int.__repr__(whole)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            if isinstance(value, Overflow):
                return value.text
            return "-Infinity" if value < 0 else "Infinity"
        return float.__repr__(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list | tuple):
        return f"an array of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return f"an object with {len(value)} key{'s' if len(value) != 1 else ''}"
    return _python(value)


def _python(value: Any) -> str:
    """``a Python set object``; never the value's own ``repr``."""
    name = type(value).__name__
    return "a Python object" if name == "object" else f"a Python {name} object"


def key_name(key: Any) -> str:
    """A request key as text: a string as it is, any other key described (never ``repr``).

    JSON object keys are strings; Python callers can pass others. ``None``, booleans
    and numbers read as JSON would write them (``null``, ``true``, ``1``); anything
    else is named by its type, so a key's own ``__repr__`` is never run and a huge
    integer is never converted to text.
    """
    return key if isinstance(key, str) else describe(key)


def json_type(value: Any) -> str:
    """The JSON type name of a Python value, with an article, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"{_python(value)}, which is not JSON"


def got(value: Any) -> str:
    """What a value is, in one phrase, for "must be X, got ...": ``the string '42'``, ``null``.

    The type is named once: a value that describes itself (``null``, ``true``, ``an
    array of 2 items``) is not followed by its type, nor a type by a repeat of itself.
    """
    kind = type(value)
    if kind is str:  # the common cases first, by exact type
        if len(value) <= 60 and value.isprintable() and "'" not in value and "\\" not in value:
            return f"the string '{value}'"  # quote's common case
        return f"the string {quote(value)}"
    if kind is int and -_SMALL < value < _SMALL:
        return f"the integer {value}"
    if value is None or isinstance(value, bool | list | tuple | dict):
        return describe(value)
    if isinstance(value, str):
        return f"the string {quote(value)}"
    if isinstance(value, float):
        if isinstance(value, Overflow):
            return f"{value.text}, outside the range of a 64-bit float (about ±1.8e308)"
        if not math.isfinite(value):
            return f"{describe(value)}, which is not a JSON number"
        return f"the number {describe(value)}"
    if isinstance(value, int):
        shown = describe(value)
        return shown if shown.startswith(("an ", "a ")) else f"the integer {shown}"
    return json_type(value)


def number(value: float) -> str:
    """Format a bound from the spec: integral floats without the trailing ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def plural(count: int, word: str) -> str:
    """``1 item``, ``2 items``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def listing(items: list[str], *, limit: int = 6) -> str:
    """Join names for a message, shortening long lists: ``a, b, c and 4 more``."""
    if len(items) <= limit:
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"

"""Decoding payload text: the JSON decoder capspec reads with, and what broken text becomes.

A text that cannot be used becomes a ``Broken`` value (through ``PayloadError``),
located by line and column and worded as a sentence (``json_message``).
"""

from __future__ import annotations

import json
import math

from validator._problem import Overflow
from validator._tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Final


class Broken(NamedTuple):
    """A problem of the file itself (unreadable, not parseable, empty)."""

    code: str
    message: str
    line: int
    column: int
    document: int | None = None
    hint: str | None = None


class _NotJsonError(ValueError):
    """A literal Python's decoder accepts but JSON does not (NaN, Infinity)."""


def _constant(name: str) -> Any:
    raise _NotJsonError(name)


def _float(text: str) -> float:
    """A JSON number with a fraction or exponent; ``1e400`` keeps its text (see Overflow)."""
    value = float(text)
    return Overflow(text) if math.isinf(value) else value


class Decoder:
    """The standard library's C decoder, counting objects that repeat a key.

    Checking for repeated keys costs one small call per object; finding *which*
    key and where is left to ``scan_json``, for the rare request that has one.
    """

    __slots__ = ("_decode", "repeats", "scan")

    def __init__(self) -> None:
        self.repeats = 0

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            made = dict(items)
            if len(made) != len(items):
                self.repeats += 1
            return made

        decoder = json.JSONDecoder(
            object_pairs_hook=pairs, parse_constant=_constant, parse_float=_float
        )
        self._decode: Callable[[str], Any] = decoder.decode
        #: The C scanner itself: (value, end) from an index, without the checks of decode.
        self.scan: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]

    def decode(self, text: str, line: int = 1) -> Any:
        """Decode one JSON text; raise ``PayloadError`` with a position if it is not JSON."""
        try:
            return self._decode(text)
        except json.JSONDecodeError as exc:
            hint = None
            if exc.msg == "Extra data":
                hint = "a .json file holds one request or an array; use .jsonl for one per line"
            at_line, column = json_position(exc)
            raise PayloadError(
                "invalid_json", json_message(exc), at_line + line - 1, column, hint
            ) from None
        except (ValueError, RecursionError, MemoryError) as exc:
            from validator.files._locate import offender  # noqa: PLC0415 - only for broken files

            found = offender(text)
            if found is None:
                message = "nesting too deep" if isinstance(exc, RecursionError) else str(exc)
                raise PayloadError("invalid_json", f"not valid JSON: {message}", line, 1) from None
            at_line, column, message = found
            raise PayloadError("invalid_json", message, at_line + line - 1, column) from None


_CONTROL_ESCAPES: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def json_position(exc: json.JSONDecodeError) -> tuple[int, int]:
    """Line and column of the decoder's complaint, the same on every Python.

    Python 3.13 places a trailing comma's error at the comma; earlier versions at the
    bracket after it, where capspec has always placed it.
    """
    if not exc.msg.startswith("Illegal trailing comma"):
        return exc.lineno, exc.colno
    doc = exc.doc
    pos = exc.pos + 1
    while pos < len(doc) and doc[pos] in " \t\r\n":
        pos += 1
    return doc.count("\n", 0, pos) + 1, pos - doc.rfind("\n", 0, pos)


def json_message(exc: json.JSONDecodeError) -> str:
    """The decoder's complaint as a sentence: two of its messages end in a dangling "at"."""
    if exc.msg == "Invalid control character at":
        char = exc.doc[exc.pos] if exc.pos < len(exc.doc) else ""
        escape = _CONTROL_ESCAPES.get(char, f"\\u{ord(char or ' '):04x}")
        return (
            f"not valid JSON: a control character (U+{ord(char or ' '):04X}) inside a string; "
            f"JSON strings carry it escaped, as {escape}"
        )
    if exc.msg == "Unterminated string starting at":
        return "not valid JSON: the string that starts here has no closing quote"
    before = exc.doc[: exc.pos].rstrip()[-1:]
    here = exc.doc[exc.pos : exc.pos + 1]
    if exc.msg.startswith("Expecting") and not exc.doc[exc.pos :].strip():
        if exc.msg == "Expecting value":
            return "not valid JSON: the text ends where a value should be"
        return "not valid JSON: the text ends before the closing bracket"
    # Python 3.13 names it itself ("Illegal trailing comma before end of array"), at the comma.
    if exc.msg.startswith("Illegal trailing comma") or (
        exc.msg.startswith(("Expecting value", "Expecting property name")) and before == ","
    ):
        return "not valid JSON: a comma before a closing bracket (JSON allows no trailing comma)"
    if exc.msg.startswith("Expecting property name") and here == "'":
        return "not valid JSON: keys and strings take double quotes, not single quotes"
    return f"not valid JSON: {_JSON_MESSAGES.get(exc.msg, exc.msg)}"


_JSON_MESSAGES: Final = {
    "Expecting value": "expected a value: a string, number, object, array, true, false or null",
    "Expecting property name enclosed in double quotes": "expected a key in double quotes",
    "Expecting ':' delimiter": "expected ':' after the key",
    "Expecting ',' delimiter": "expected ',' before the next item, or the closing bracket",
    "Invalid \\escape": 'an unknown escape: after a backslash JSON allows " \\ / b f n r t u',
    "Invalid \\uXXXX escape": "a \\u escape needs four hexadecimal digits",
    "Extra data": "more text after the end of the JSON value",
}


class PayloadError(Exception):
    """A payload text that cannot be used; becomes a ``Broken`` value."""

    def __init__(
        self, code: str, message: str, line: int, column: int, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.broken = Broken(code, message, line, column, None, hint)

"""Where things sit in JSON text: key and value positions, repeated keys, hostile literals.

Nothing here runs on a clean request. Payloads are parsed with the standard
library's C decoder; only a request that has problems (or a file that fails to
parse) is scanned again here, in Python, to turn JSON paths into line and column.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any, TypeAlias

    Path: TypeAlias = tuple[Any, ...]
    Position: TypeAlias = tuple[int, int]  # 1-based line and column

# One JSON token: a string, a structural character, whitespace, or a bare word
# (number, true, false, null, and the NaN / Infinity that JSON does not allow).
# Strings are matched with possessive repeats (Python 3.11+): the regex engine
# keeps no backtracking state per character or escape, so a 5 MB string costs time
# linear in its length and no memory (a plain ``(?:...)*`` once took 750 MB).
_TOKEN = re.compile(r'"(?:[^"\\\n]++|\\.)*+"?|[{}\[\]:,]|\s+|[^\s{}\[\]:,"]+')
_BARE_NOT_JSON = frozenset({"NaN", "Infinity", "-Infinity", "+Infinity", "-NaN"})
#: Python's default limit on the digits of an int read from text (sys.int_info).
INT_DIGITS = 4300
#: Nesting beyond this is reported rather than parsed: the C decoder recurses.
MAX_DEPTH = 1000


class Positions:
    """Where each key and value of a parsed text starts, and the keys seen twice."""

    __slots__ = ("duplicates", "keys", "values")

    def __init__(self) -> None:
        self.keys: dict[Path, Position] = {}
        self.values: dict[Path, Position] = {}
        self.duplicates: list[tuple[Path, Position]] = []


class _Frame:
    __slots__ = ("index", "is_object", "key", "path", "seen")

    def __init__(self, path: Path, *, is_object: bool) -> None:
        self.path = path
        self.is_object = is_object
        self.index = 0
        self.key: Any = None
        self.seen: set[str] = set()


def _key_text(token: str) -> str:
    body = token[1:-1]
    if "\\" not in body:
        return body
    import json  # noqa: PLC0415 - only for keys with escapes

    try:
        decoded: str = json.loads(token)
    except ValueError:
        return body
    return decoded


def _tokens(text: str, line: int = 1, column: int = 1) -> Iterator[tuple[str, Position]]:
    """Each token of a JSON text but whitespace, with its line and column."""
    line_no = line
    line_start = -column + 1  # offset whose column is 1 on the first line
    for match in _TOKEN.finditer(text):
        token = match.group()
        start = match.start()
        if token[0].isspace():
            newlines = token.count("\n")
            if newlines:
                line_no += newlines
                line_start = start + token.rfind("\n") + 1
            continue
        yield token, (line_no, start - line_start + 1)


def scan_json(text: str, *, line: int = 1, column: int = 1) -> Positions:
    """Positions of every key and value in JSON text that the decoder accepted.

    ``line`` and ``column`` are where ``text`` starts in its file (for a JSONL
    line, the line number). Iterative, so any nesting depth is fine.
    """
    out = Positions()
    for _ in _scan(text, line, column, out):
        pass
    return out


def _scan(text: str, line: int, column: int, out: Positions) -> Iterator[Path]:
    """Record each key and value of ``text`` in ``out``, yielding its path as it is recorded.

    A key is recorded (and yielded) before its value, so a caller looking for one
    path can stop at the first time it is yielded.
    """
    stack: list[_Frame] = []
    expect_key = False
    keys = out.keys
    values = out.values
    for token, pos in _tokens(text, line, column):
        first = token[0]
        if first in ",:":
            continue
        if first in "]}":
            if stack:
                stack.pop()
            expect_key = bool(stack) and stack[-1].is_object
            continue
        top = stack[-1] if stack else None
        if top is not None and top.is_object and expect_key:
            key = _key_text(token) if first == '"' else token
            path = (*top.path, key)
            if key in top.seen:
                out.duplicates.append((path, pos))
            else:
                top.seen.add(key)
            keys[path] = pos
            top.key = key
            expect_key = False
            yield path
            continue
        if top is None:
            path = ()
        elif top.is_object:
            path = (*top.path, top.key)
        else:
            path = (*top.path, top.index)
            top.index += 1
        values[path] = pos
        if first in "{[":
            stack.append(_Frame(path, is_object=first == "{"))
            expect_key = first == "{"
        else:
            expect_key = top is not None and top.is_object
        yield path


# The opening of an object; one member of it (a key, then a scalar value and the comma
# after it, or nothing more where an object or array value begins); a comma between members.
_OPEN = re.compile(r"[ \t\r\n]*+\{[ \t\r\n]*+")
_MEMBER = re.compile(
    r'"((?:[^"\\]++|\\.)*+)"[ \t\r\n]*+:[ \t\r\n]*+'
    r'(?:("(?:[^"\\]++|\\.)*+"|[-+.0-9A-Za-z]++)[ \t\r\n]*+,?[ \t\r\n]*+)?'
)
_COMMA = re.compile(r"[ \t\r\n]*+,[ \t\r\n]*+")
# The opening of an object and the members before a key, none of them an object or array.
_SCALAR_MEMBERS = (
    r'[ \t\r\n]*+\{[ \t\r\n]*+(?:"(?:[^"\\]++|\\.)*+"[ \t\r\n]*+:[ \t\r\n]*+'
    r'(?:"(?:[^"\\]++|\\.)*+"|[-+.0-9A-Za-z]++)[ \t\r\n]*+,[ \t\r\n]*+)*?'
)
_KEY_AFTER_SCALARS: dict[str, re.Pattern[str]] = {}


def top_level_key(text: str, key: Any) -> int:
    """Where ``key`` sits among the top-level keys of the object ``text`` holds: 0 if not there.

    Returns the 0-based offset of the key's opening quote. Members with a scalar value
    are read by one regular expression, a match each; an object or array value is
    skipped by the standard library's C scanner in one call. For a text that decoded
    as JSON and repeats no key, this is the key's position as ``scan_json`` has it (on
    one line, its column is the offset plus one).
    """
    global _scan_value, _scan_string
    if _scan_value is None:
        import json  # noqa: PLC0415 - only when locating

        _scan_value = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
        _scan_string = json.decoder.scanstring  # type: ignore[attr-defined]
    if type(key) is not str:
        return 0
    # The common case in one match: only scalar values before the key, written plainly.
    pattern = _KEY_AFTER_SCALARS.get(key)
    if pattern is None:
        pattern = re.compile(f'{_SCALAR_MEMBERS}"{re.escape(key)}"')
        if len(_KEY_AFTER_SCALARS) < 1024:
            _KEY_AFTER_SCALARS[key] = pattern
    found = pattern.match(text)
    if found is not None:
        return found.end() - len(key) - 2
    opened = _OPEN.match(text)
    if opened is None:
        return 0
    at = opened.end()
    while True:
        members = _MEMBER.scanner(text, at)  # type: ignore[attr-defined] # matches run on
        for member in iter(members.match, None):
            name = member[1]
            if name == key or ("\\" in name and _scan_string(text, member.start() + 1)[0] == key):
                return int(member.start())
            if member.lastindex == 1:  # an object or array begins here
                at = member.end()
                break
        else:
            return 0  # the end of the object: no such key
        try:
            _, end = _scan_value(text, at)
        except (ValueError, StopIteration, RecursionError):
            return 0  # the full scan says what it can
        comma = _COMMA.match(text, end)
        if comma is None:
            return 0
        at = comma.end()


_scan_value: Any = None
_scan_string: Any = None


class LazyPositions:
    """The positions of one JSON text, scanned only as far as the questions asked need.

    A problem is usually near the start of its request (the model key comes first in
    most logs), so a request with one warning costs a few tokens, not its whole text.
    What was scanned is kept: later questions resume where the last one stopped.
    """

    __slots__ = ("_steps", "found")

    def __init__(self, text: str, line: int = 1, column: int = 1) -> None:
        self.found = Positions()
        self._steps: Iterator[Path] | None = _scan(text, line, column, self.found)

    def complete(self) -> Positions:
        """Every position of the text (scanning the rest of it, if need be)."""
        steps = self._steps
        if steps is not None:
            for _ in steps:
                pass
            self._steps = None
        return self.found

    def find(
        self, prefix: Path, path: Path | None, param: str | None, *, last: bool = False
    ) -> Position | None:
        """What ``find`` answers on the whole text, scanning no further than needed.

        ``last``: a key may be repeated in the text, and its last position counts; the
        text is then scanned whole, as ``find`` needs.
        """
        found = self.found
        steps = self._steps
        if steps is not None and not last:
            full = (*prefix, *(path if path is not None else (param,) if param is not None else ()))
            hit = found.keys.get(full) or found.values.get(full)
            if hit is not None:
                return hit
            for recorded in steps:
                if recorded == full:
                    # A key is recorded before its value; a value path is never a key's.
                    return found.keys.get(full) or found.values[full]
            self._steps = None
        else:
            found = self.complete()
        return find(found.keys, found.values, prefix, path, param)


def offender(text: str) -> tuple[int, int, str] | None:
    """Find what the decoder refused without a position: returns (line, column, message).

    The standard decoder reports ``NaN``/``Infinity`` literals, integers too long
    for Python's digit limit and excessive nesting without saying where; this
    finds the first of them, scanning iteratively.
    """
    depth = 0
    for token, where in _tokens(text):
        first = token[0]
        if first in "{[":
            depth += 1
            if depth > MAX_DEPTH:
                return (
                    *where,
                    f"nesting deeper than {MAX_DEPTH:,} levels (capspec does not read it)",
                )
        elif first in "]}":
            depth -= 1
        elif first != '"' and first not in ",:":
            if token in _BARE_NOT_JSON:
                return (*where, f"{token} is not JSON (JSON has no NaN or infinite numbers)")
            digits = len(token.lstrip("+-").split(".", 1)[0].split("e", 1)[0].split("E", 1)[0])
            if digits > INT_DIGITS:
                return (
                    *where,
                    f"a number with {digits:,} digits; capspec reads at most {INT_DIGITS:,}",
                )
    return None


# --- JSON paths back into keys -------------------------------------------------------

_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]++|\\.)*+)'\]")


def parse_path(path: str) -> Path | None:
    """Turn a Problem's JSON path (``$.a[0]['odd key']``) back into keys and indexes.

    Returns None when the path cannot be read back (a key shortened for display).
    """
    if not path.startswith("$"):
        return None
    parts: list[Any] = []
    at = 1
    while at < len(path):
        match = _PATH_PART.match(path, at)
        if match is None:
            return None
        name, index, quoted = match.groups()
        if name is not None:
            parts.append(name)
        elif index is not None:
            parts.append(int(index))
        else:
            try:
                parts.append(quoted.encode("latin-1", "backslashreplace").decode("unicode_escape"))
            except UnicodeDecodeError:
                return None
        at = match.end()
    return tuple(parts)


def find(
    keys: dict[Path, Position],
    values: dict[Path, Position],
    prefix: Path,
    path: Path | None,
    param: str | None,
) -> Position | None:
    """The position of the offending key (or value) for a problem at ``path``.

    ``prefix`` is where the request sits in its file (``(3,)`` for the fourth
    request of an array). Falls back to the nearest enclosing value that exists
    (a missing parameter is reported at its object), then to ``param``.
    """
    if path is None:
        path = (param,) if param is not None else ()
    full = (*prefix, *path)
    while len(full) >= len(prefix):
        found = keys.get(full) or values.get(full)
        if found is not None:
            return found
        if not full:
            break
        full = full[:-1]
    return None

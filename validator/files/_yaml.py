"""Safe YAML loading with YAML 1.2 core-schema scalars, source positions and resource limits."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from yaml import events as ev

from validator._problem import Overflow, describe

if TYPE_CHECKING:
    from collections.abc import Iterator

Path = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line and column


class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python event parser: the fallback, and the tests' reference."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


# The C parser (libyaml, in PyYAML's wheels) is ten times faster; both produce the
# same events (a test holds them to it). It lives in yaml.cyaml: ``yaml.CParser``
# is not exported.
try:
    from yaml import cyaml
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser: Any = None
else:
    _CParser = getattr(cyaml, "CParser", None)
_Parser: Any = _CParser or _PyParser

MAX_DEPTH = 256
MAX_NODES = 1_000_000

_TAG = "tag:yaml.org,2002:"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
_OCTAL_11 = re.compile(r"^[-+]?0[0-7_]+$")
_RESOLVER_11 = yaml.resolver.Resolver()

# Digits Python will turn into an int without tripping its 4300-digit guard.
_INT_CHUNK = 4000
MAX_INT_DIGITS = 100_000


class YamlError(Exception):
    """A YAML document that cannot be loaded; carries the 1-based position."""

    #: Raised by the YAML parser itself (syntax), not by one of capspec's limits.
    from_parser = False
    #: Raised by libyaml's own nesting limit (0.2.6 and newer), not by capspec's.
    libyaml_too_deep = False

    def __init__(self, message: str, line: int, column: int, path: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


@dataclass
class Document:
    """One YAML document: its value and where each key and value sits in the text."""

    value: Any
    line: int
    column: int
    keys: dict[Path, Position] = field(default_factory=dict)
    values: dict[Path, Position] = field(default_factory=dict)
    duplicates: list[tuple[Path, Position]] = field(default_factory=list)


def big_int(text: str) -> int:
    """Parse a decimal integer of any length below MAX_INT_DIGITS.

    Python refuses int() on strings longer than 4300 digits (a guard against
    quadratic conversion); payloads may still hold such numbers, and they must
    become problems, not tracebacks.
    """
    sign = -1 if text[:1] == "-" else 1
    digits = text.lstrip("+-")
    if len(digits) <= _INT_CHUNK:
        return sign * int(digits)
    if len(digits) > MAX_INT_DIGITS:
        raise ValueError(f"integer literal with {len(digits)} digits is too long")
    value = 0
    for start in range(0, len(digits), _INT_CHUNK):
        chunk = digits[start : start + _INT_CHUNK]
        value = value * 10 ** len(chunk) + int(chunk)
    return sign * value


def resolve_plain(value: str) -> Any:
    """Resolve an untagged plain scalar with the YAML 1.2 core schema."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT10.match(value):
        return big_int(value)
    if _INT8.match(value):
        return int(value, 0)
    if _INT16.match(value):
        return int(value, 0)
    if _FLOAT.match(value):
        number = float(value)
        return Overflow(value) if math.isinf(number) else number  # 1e400 keeps its text
    if _INF.match(value):
        return -math.inf if value[0] == "-" else math.inf
    if _NAN.match(value):
        return math.nan
    return value


def _tag_12(value: Any) -> str:
    if value is None:
        return _TAG + "null"
    if isinstance(value, bool):
        return _TAG + "bool"
    if isinstance(value, int):
        return _TAG + "int"
    if isinstance(value, float):
        return _TAG + "float"
    return _TAG + "str"


def ambiguity(raw: str, resolved: Any) -> str | None:
    """Say how YAML 1.1 (PyYAML's default) would read a plain scalar differently, if it would."""
    tag_11: str = _RESOLVER_11.resolve(yaml.ScalarNode, raw, (True, False))  # type: ignore[no-untyped-call]
    tag_12 = _tag_12(resolved)
    if tag_11 != tag_12:
        kind_11 = tag_11.removeprefix(_TAG)
        if kind_11 == "int" and ":" in raw:
            kind_11 = "a base-60 integer"
        kind_12 = "a string" if isinstance(resolved, str) else f"a {tag_12.removeprefix(_TAG)}"
        return f"YAML 1.1 reads {describe(raw)} as {kind_11}, YAML 1.2 as {kind_12}"
    if tag_12 == _TAG + "int" and _OCTAL_11.match(raw) and raw.strip("+-") != "0":
        return f"YAML 1.1 reads {describe(raw)} as an octal number, YAML 1.2 as a decimal one"
    return None


def _scalar(event: ev.ScalarEvent, *, strict: bool) -> Any:
    tag = event.tag
    raw = event.value
    plain = event.style is None or event.style == ""
    if tag is None or tag == "!":
        if not (plain and tag is None):
            return raw
        try:
            value = resolve_plain(raw)
        except ValueError as exc:
            raise _error(str(exc), event) from None
        if strict:
            why = ambiguity(raw, value)
            if why is not None:
                raise _error(f"ambiguous plain scalar: {why}; quote it", event)
        return value
    kind = tag.removeprefix(_TAG)
    try:
        if kind == "str":
            return raw
        if kind == "null" and _NULL.match(raw):
            return None
        if kind == "bool" and raw in _BOOL:
            return _BOOL[raw]
        if kind in {"int", "float"}:
            value = resolve_plain(raw)
            if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
                return value
            if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
                return value if isinstance(value, float) else float(value)
    except (ValueError, OverflowError) as exc:
        raise _error(str(exc), event) from None
    if kind in {"null", "bool", "int", "float"}:
        raise _error(f"{describe(raw)} is not a valid !!{kind}", event)
    raise _error(
        f"tag {describe(tag)} is not allowed: capspec loads YAML safely, plain data only", event
    )


def _pos(event: ev.Event) -> Position:
    """The 1-based line and column where an event starts."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _error(message: str, event: ev.Event) -> YamlError:
    return YamlError(message, *_pos(event))


class _Frame:
    __slots__ = ("anchor", "container", "key", "key_pos", "path", "size", "start")

    def __init__(
        self, container: dict[Any, Any] | list[Any], path: Path, start: ev.CollectionStartEvent
    ) -> None:
        self.container = container
        self.path = path
        self.start = start
        self.anchor: str | None = start.anchor
        self.key: Any = _NO_KEY
        self.key_pos: Position = (0, 0)
        self.size = 1


_NO_KEY: Any = object()
_IN_PROGRESS: Any = object()


def load_documents(
    text: str,
    *,
    strict: bool = False,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> Iterator[Document]:
    """Yield each document of a YAML stream with the positions of its keys and values.

    Scalars follow the YAML 1.2 core schema (``16:9`` and ``no`` are strings).
    Only plain data is built: any tag beyond the core ones is an error. Anchors
    are shared, never copied, and the expanded size of the document is bounded
    by ``max_nodes``, so alias bombs fail fast instead of exhausting memory.
    In ``strict`` mode (the capability spec), a key repeated within one mapping
    and a plain scalar that YAML 1.1 would read differently are errors too.

    Raises:
        YamlError: the text is not valid YAML or breaks one of the limits.
    """
    given = 0
    try:
        for doc in _load(_Parser, text, strict, max_depth, max_nodes):
            given += 1
            yield doc
    except YamlError as error:
        if error.libyaml_too_deep:
            raise _too_deep(text, error, strict, max_depth, max_nodes) from None
        if _Parser is _PyParser or not error.from_parser:
            raise
        # libyaml found the error; PyYAML's parser, at the same place, says what it
        # found in more words ("found character '\t'", "but got ':'"). Errors are
        # rare, so reading the text again for them costs nothing on valid files.
        for index, _ in enumerate(_load(_PyParser, text, strict, max_depth, max_nodes)):
            if index >= given:  # pragma: no cover - the parsers disagree: keep libyaml's word
                break
        raise error from None


def _load(
    parser_class: Any, text: str, strict: bool, max_depth: int, max_nodes: int
) -> Iterator[Document]:
    try:
        parser = parser_class(text)
    except yaml.reader.ReaderError as exc:  # the pure-Python reader checks characters up front
        raise _reader_error(exc, text, in_bytes=parser_class is _CParser) from None
    try:
        yield from _build(parser, strict=strict, max_depth=max_depth, max_nodes=max_nodes)
    except yaml.reader.ReaderError as exc:  # libyaml checks characters as it reads
        raise _reader_error(exc, text, in_bytes=parser_class is _CParser) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if problem == _LIBYAML_TOO_DEEP and parser_class is _CParser:
            error = YamlError("nesting deeper than the YAML parser allows", line, column)
            error.libyaml_too_deep = True
            raise error from None
        context = exc.context_mark
        if exc.context and context is not None and context is not mark and context.line + 1 != line:
            problem += f" ({exc.context} at line {context.line + 1}, column {context.column + 1})"
        error = YamlError(problem, line, column)
        error.from_parser = True
        raise error from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc), 1, 1) from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


# libyaml 0.2.6 (PyYAML 6.0.3's wheels and newer) stops at 1,000 levels of its own,
# and its scanner reads flow collections ahead of the events: "[" * 10_000 fails
# there before capspec has seen the 257th level.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"


def _too_deep(
    text: str, error: YamlError, strict: bool, max_depth: int, max_nodes: int
) -> YamlError:
    """Capspec's own nesting error where libyaml's limit got there first.

    Everything capspec needs to place its error (the first level past
    ``max_depth``) lies before the point where libyaml gave up, so parsing the
    text up to that point, with libyaml again, finds it: the same error at the
    same place as a libyaml without the limit, in time linear in the text.
    """
    end = _offset(text, error.line, error.column)
    try:
        for _ in _load(_CParser, text[:end], strict, max_depth, max_nodes):
            pass
    except YamlError as found:
        if not (found.from_parser or found.libyaml_too_deep):
            return found
    return error  # capspec's limit is at least libyaml's: libyaml's error stands


def _offset(text: str, line: int, column: int) -> int:
    """The index in ``text`` of a 1-based line and column (libyaml counts characters)."""
    at = 0
    for _ in range(line - 1):
        found = text.find("\n", at)
        if found < 0:
            return len(text)
        at = found + 1
    return min(at + column - 1, len(text))


def _reader_error(exc: yaml.reader.ReaderError, text: str, *, in_bytes: bool) -> YamlError:
    """A character YAML forbids, located; libyaml counts UTF-8 bytes, PyYAML characters."""
    at = exc.position
    if in_bytes:
        at = len(text.encode("utf-8", "surrogatepass")[:at].decode("utf-8", "ignore"))
    at = max(0, min(at, len(text)))
    line = text.count("\n", 0, at) + 1
    column = at - text.rfind("\n", 0, at)
    return YamlError(f"character U+{exc.character:04X} is not allowed in YAML", line, column)


def _build(parser: Any, *, strict: bool, max_depth: int, max_nodes: int) -> Iterator[Document]:
    doc: Document | None = None
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    total = 0

    def place(value: Any, size: int, event: ev.Event) -> None:
        """Attach a finished value to its parent (or make it the document root)."""
        nonlocal doc
        assert doc is not None
        pos = _pos(event)
        if not stack:
            doc.value = value
            doc.line, doc.column = pos
            doc.values[()] = pos
            return
        top = stack[-1]
        top.size += size
        if isinstance(top.container, list):
            path = (*top.path, len(top.container))
            top.container.append(value)
            doc.values.setdefault(path, pos)
            return
        if top.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise _error("a mapping key must be a scalar, not a collection", event)
            top.key = value
            top.key_pos = pos
            return
        key = top.key
        top.key = _NO_KEY
        path = (*top.path, key)
        if key in top.container:
            if strict:
                line, column = top.key_pos
                raise YamlError(
                    f"key {describe(key)} is repeated in this mapping", line, column, path
                )
            doc.duplicates.append((path, top.key_pos))
        top.container[key] = value
        doc.keys[path] = top.key_pos
        doc.values[path] = pos

    def child_path() -> Path:
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        if top.key is _NO_KEY:
            return top.path
        return (*top.path, top.key)

    while parser.check_event():
        event = parser.get_event()
        if isinstance(event, ev.DocumentStartEvent):
            doc = Document(None, *_pos(event))
            stack.clear()
            anchors.clear()
            total = 0
        elif isinstance(event, ev.DocumentEndEvent):
            assert doc is not None
            yield doc
            doc = None
        elif isinstance(event, ev.ScalarEvent):
            total += 1
            value = _scalar(event, strict=strict)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            place(value, 1, event)
        elif isinstance(event, ev.MappingStartEvent | ev.SequenceStartEvent):
            total += 1
            if len(stack) >= max_depth:
                raise _error(f"nesting deeper than {max_depth} levels", event)
            if event.tag is not None and event.tag not in {_TAG + "map", _TAG + "seq", "!"}:
                raise _error(
                    f"tag {describe(event.tag)} is not allowed: "
                    "capspec loads YAML safely, plain data only",
                    event,
                )
            container: dict[Any, Any] | list[Any] = (
                {} if isinstance(event, ev.MappingStartEvent) else []
            )
            if stack and isinstance(stack[-1].container, dict) and stack[-1].key is _NO_KEY:
                raise _error("a mapping key must be a scalar, not a collection", event)
            if event.anchor is not None:
                anchors[event.anchor] = (_IN_PROGRESS, 0)
            stack.append(_Frame(container, child_path(), event))
        elif isinstance(event, ev.MappingEndEvent | ev.SequenceEndEvent):
            frame = stack.pop()
            if frame.anchor is not None:
                anchors[frame.anchor] = (frame.container, frame.size)
            place(frame.container, frame.size, frame.start)
        elif isinstance(event, ev.AliasEvent):
            value, size = anchors.get(event.anchor or "", (None, -1))
            if size < 0:
                raise _error(f"alias *{event.anchor} names no anchor", event)
            if value is _IN_PROGRESS:
                raise _error(
                    f"alias *{event.anchor} refers to a collection that contains it", event
                )
            total += size
            if total > max_nodes:
                raise _error(
                    f"aliases expand this document past {max_nodes:,} nodes (an alias bomb?)", event
                )
            place(value, size, event)


def load_one(text: str, *, strict: bool = False) -> Document:
    """Load a stream that must hold exactly one document."""
    docs = list(load_documents(text, strict=strict))
    if len(docs) != 1:
        line = docs[1].line if len(docs) > 1 else 1
        raise YamlError(f"expected one YAML document, found {len(docs)}", line, 1)
    return docs[0]

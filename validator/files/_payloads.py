"""Reading payload files: JSON, JSONL (streamed) and YAML, into requests or file problems.

A file that cannot be read or parsed becomes a ``Broken`` value beside the
requests, never an exception. Requests carry an origin that can say, lazily,
where a key sits in the text: clean requests never pay for positions.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from operator import itemgetter

from validator._tuples import NamedTuple
from validator.files._decode import Broken, Decoder, PayloadError
from validator.files._sources import (
    DEFAULT_MAX_SIZE,
    NOT_REGULAR_HINT,
    FileTooLargeError,
    NotRegularFileError,
    Source,
    format_size,
    open_regular,
    read_file,
    read_upto,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType
    from typing import IO, Any, Final, Protocol

    from validator.files._locate import LazyPositions, Path, Position
    from validator.files._yaml import Document

    class LineReader(Protocol):
        """Anything with ``readline(size)``: a binary file, standard input, ``io.BytesIO``."""

        def readline(self, size: int = -1, /) -> bytes:
            """At most ``size`` bytes, up to and including the next newline."""
            ...


_BOM: Final = b"\xef\xbb\xbf"
#: Called with the raw bytes of each JSONL line that holds no request (blank, broken,
#: too long: then in pieces), in file order, so a caller can copy them unchanged.
Passthrough = Callable[[bytes], object]
# A line found too long is skipped in pieces of this size.
_SKIP_CHUNK: Final = 1 << 16


class Request(NamedTuple):
    """One request found in a file; ``origin`` locates its keys on demand."""

    document: int
    value: Any
    origin: Origin


# --- where a request came from ----------------------------------------------------


class Origin:
    """Where a request sits in its file; computes positions only when asked."""

    __slots__ = ()

    kind: str = "json"
    group: int = 0  # the YAML document holding it (0 for JSON)
    prefix: Path = ()  # its path within that document: () or (index,)
    repeated: bool = False  # the decoder saw a key twice in it (or in its file)

    def positions(self) -> tuple[dict[Path, Position], dict[Path, Position], list[Any]]:
        """Keys, values and repeated keys of the text holding the request."""
        raise NotImplementedError

    def locate(self, path: Path | None, param: str | None) -> Position:
        """Line and column of the key (or value) at ``path`` within the request."""
        from validator.files._locate import find  # noqa: PLC0415 - only for requests with problems

        keys, values, _ = self.positions()
        found = find(keys, values, self.prefix, path, param)
        return found if found is not None else (1, 1)

    def duplicates(self) -> list[tuple[Path, Position]]:
        """Keys repeated within one object of this request: (path in the request, position)."""
        if not self.repeated:
            return []
        _, _, repeats = self.positions()
        size = len(self.prefix)
        return [(path[size:], pos) for path, pos in repeats if path[:size] == self.prefix]


class _LineOrigin(tuple, Origin):  # type: ignore[type-arg]
    """A JSONL line: ``(text, line, repeated, raw)``, made in C for every line read.

    The fields are read through ``itemgetter`` properties (C calls too): a clean line
    costs no Python-level call for its origin.
    """

    __slots__ = ()

    kind = "jsonl"
    text: str = property(itemgetter(0))  # type: ignore[assignment]
    line: int = property(itemgetter(1))  # type: ignore[assignment]
    repeated: bool = property(itemgetter(2))  # type: ignore[assignment]
    raw: bytes = property(itemgetter(3))  # type: ignore[assignment] # the line as read, line end included

    def _scanner(self) -> LazyPositions:
        # The one line being located is remembered: its problems are located one after another.
        global _last_scanned
        last = _last_scanned
        if last[0] is self:
            return last[1]  # type: ignore[no-any-return]
        scanner: LazyPositions = (_locate or _scanning()).LazyPositions(self[0], self[1])
        _last_scanned = (self, scanner)
        return scanner

    def positions(self) -> tuple[dict[Path, Position], dict[Path, Position], list[Any]]:
        found = self._scanner().complete()
        return found.keys, found.values, found.duplicates

    def locate(self, path: Path | None, param: str | None) -> Position:
        text, line, repeated, _ = self
        if path is not None and len(path) == 1 and not repeated and len(text) <= _SHORT_LINE:
            # A top-level key (the model, a parameter): found without scanning tokens. A
            # long line is scanned once instead, and the scan kept for its other problems.
            at = (_locate or _scanning()).top_level_key(text, path[0])
            if at:
                return line, at + 1
        found = self._scanner().find((), path, param, last=repeated)
        return found if found is not None else (1, 1)


_last_scanned: tuple[Any, Any] = (None, None)
#: Lines up to this length locate a top-level key by matching from their start each time.
_SHORT_LINE: Final = 1 << 14
_new = tuple.__new__  # a tuple subclass's instance made in C, without a Python-level call
_locate: ModuleType | None = None


def _scanning() -> ModuleType:
    """``validator.files._locate``, imported on first use: clean runs never need it."""
    global _locate
    if _locate is None:
        from validator.files import _locate as module  # noqa: PLC0415

        _locate = module
    return _locate


class _SharedText:
    """A JSON file's text, scanned (as far as needed) once for every request in it."""

    __slots__ = ("_cache", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._cache: LazyPositions | None = None

    def scanner(self) -> LazyPositions:
        if self._cache is None:
            from validator.files._locate import LazyPositions  # noqa: PLC0415 - only when needed

            self._cache = LazyPositions(self.text)
        return self._cache


class _TextOrigin(Origin):
    """A request in a .json file: the whole file, or one item of its top-level array."""

    __slots__ = ("prefix", "repeated", "shared")

    def __init__(self, shared: _SharedText, prefix: Path, repeated: bool) -> None:
        self.shared = shared
        self.prefix = prefix
        self.repeated = repeated

    def positions(self) -> tuple[dict[Path, Position], dict[Path, Position], list[Any]]:
        found = self.shared.scanner().complete()
        return found.keys, found.values, found.duplicates

    def locate(self, path: Path | None, param: str | None) -> Position:
        found = self.shared.scanner().find(self.prefix, path, param, last=self.repeated)
        return found if found is not None else (1, 1)


class _YamlOrigin(Origin):
    """A request in a YAML document: the document, or one item of its top-level list."""

    kind = "yaml"

    __slots__ = ("doc", "group", "prefix", "repeated")

    def __init__(self, doc: Document, group: int, prefix: Path) -> None:
        self.doc = doc
        self.group = group
        self.prefix = prefix
        self.repeated = bool(doc.duplicates)

    def positions(self) -> tuple[dict[Path, Position], dict[Path, Position], list[Any]]:
        return self.doc.keys, self.doc.values, self.doc.duplicates


# --- reading ----------------------------------------------------------------------------

Item = Request | Broken


def read(
    source: Source,
    *,
    stdin: IO[bytes] | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    passthrough: Passthrough | None = None,
) -> Iterator[Item]:
    """Yield the requests of one payload source, and its problems as ``Broken`` values.

    ``max_size`` bounds what is held at once: a whole .json or YAML file, or one
    JSONL line. ``passthrough`` receives JSONL lines that hold no request.
    """
    if source.error is not None:
        yield _source_error(source)
        return
    if source.path is None:
        if stdin is None:
            yield from _read_auto(b"", max_size, passthrough)
        else:
            yield from _read_stdin(stdin, max_size, passthrough)
        return
    if source.kind == "jsonl":
        try:
            with open_regular(source.path) as handle:
                yield from read_jsonl(handle, max_line=max_size, passthrough=passthrough)
        except OSError as exc:
            yield _unreadable(source, exc, max_size)
        return
    data = read_whole(source, max_size)
    if isinstance(data, Broken):
        yield data
    else:
        yield from parse(source.kind, data)


def read_with_lines(source: Source, max_size: int) -> Iterator[Item | bytes]:
    """A JSONL file's items, each line that holds no request (bytes) in its place.

    What :func:`read` gives ``passthrough``, in the stream itself, for a caller that
    reads ahead before it knows where those lines go (``capspec normalize``).
    """
    lines: list[bytes] = []
    items = read(source, max_size=max_size, passthrough=lines.append)
    try:
        for item in items:
            if lines:
                yield from lines
                lines.clear()
            yield item
    finally:
        items.close()  # type: ignore[attr-defined] # a generator: the file is closed now
    yield from lines


def read_whole(source: Source, max_size: int) -> bytes | Broken:
    """The bytes of a .json or YAML file (at most ``max_size``), or why they cannot be read.

    With :func:`parse`, what :func:`read` does for such a file, for a caller that
    needs the text as well as the requests (``capspec normalize --write`` keeps the
    file's comments): the file is read once.
    """
    assert source.path is not None, "standard input is read by read()"
    if source.error is not None:
        return _source_error(source)
    try:
        return read_file(source.path, max_size)
    except OSError as exc:
        return _unreadable(source, exc, max_size)


def parse(kind: str, data: bytes) -> Iterator[Item]:
    """The requests of a whole .json or YAML file's bytes, and its problems."""
    return read_yaml(data) if kind == "yaml" else read_json(data)


def _source_error(source: Source) -> Broken:
    """What was found wrong with a source when it was collected (a missing file, ...)."""
    message = f"cannot read {source.name}: {source.error}"
    return Broken("unreadable_file", message, 1, 1, None, source.hint)


def _unreadable(source: Source, exc: OSError, max_size: int) -> Broken:
    """Why a file could not be read: too large, not a regular file, or the system's reason."""
    if isinstance(exc, FileTooLargeError):
        return too_large("the file", max_size)
    if isinstance(exc, NotRegularFileError):
        message = f"cannot read {source.name}: {exc.what}, not a regular file"
        return Broken("unreadable_file", message, 1, 1, None, NOT_REGULAR_HINT)
    why = "is a directory" if isinstance(exc, IsADirectoryError) else exc.strerror or str(exc)
    return Broken("unreadable_file", f"cannot read {source.name}: {why.lower()}", 1, 1)


def too_large(what: str, limit: int, line: int = 1, document: int | None = None) -> Broken:
    """The problem of a file (or line) above the size limit; ``what`` says which."""
    done = "skipped" if what.startswith("line") else "not read"
    return Broken(
        "too_large",
        f"{what} is over the size limit of {format_size(limit)}, so it was {done}",
        line,
        1,
        document,
        "if it is meant to be this big, raise the limit with --max-size or CAPSPEC_MAX_SIZE",
    )


def _text(data: bytes) -> str | Broken:
    """Decode UTF-8 (a byte-order mark is allowed); a Broken value if it is not UTF-8."""
    data = data.removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _bad_encoding(data, exc)
    if not text.strip():
        return Broken("empty_file", "the file is empty: it holds no request", 1, 1)
    return text


def _bad_encoding(data: bytes, exc: UnicodeDecodeError, line: int = 1) -> Broken:
    start = exc.start
    line_start = data.rfind(b"\n", 0, start) + 1
    return Broken(
        "invalid_encoding",
        f"not UTF-8: byte 0x{data[start]:02x} cannot start or continue a character",
        line + data.count(b"\n", 0, start),
        start - line_start + 1,
        None,
        "save the file as UTF-8",
    )


def read_json(data: bytes) -> Iterator[Item]:
    """A .json file: one request, or an array of requests."""
    text = _text(data)
    if isinstance(text, Broken):
        yield text
        return
    decoder = Decoder()
    try:
        value = decoder.decode(text)
    except PayloadError as exc:
        yield exc.broken
        return
    shared = _SharedText(text)
    repeated = decoder.repeats > 0
    if isinstance(value, list):
        if not value:
            yield Broken("empty_file", "the file holds an empty array: no request", 1, 1)
        for index, item in enumerate(value):
            yield Request(index, item, _TextOrigin(shared, (index,), repeated))
        return
    yield Request(0, value, _TextOrigin(shared, (), repeated))


def read_jsonl(
    handle: LineReader,
    *,
    max_line: int = DEFAULT_MAX_SIZE,
    passthrough: Passthrough | None = None,
) -> Iterator[Item]:
    """A JSONL file, line by line in constant memory: one request per non-blank line.

    A line longer than ``max_line`` bytes is a ``too_large`` problem of that line;
    it is skipped in pieces, never held whole, and reading goes on at the next.
    """
    decoder = Decoder()
    scan = decoder.scan
    readline = handle.readline
    limit = max_line + 1
    document = -1
    line = 0
    while raw := readline(limit):
        line += 1
        if len(raw) == limit and raw[-1:] != b"\n":
            document += 1
            while True:
                if passthrough is not None:
                    passthrough(raw)
                if raw[-1:] == b"\n":
                    break
                raw = readline(_SKIP_CHUNK)
                if not raw:
                    break
            yield too_large(f"line {line}", max_line, line, document)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            document += 1
            if passthrough is not None:
                passthrough(raw)
            yield _bad_encoding(raw, exc, line)._replace(document=document)
            continue
        before = decoder.repeats
        if text[:1] == "{":
            # The common case, at C speed: an object from the first character to the end.
            try:
                value, end = scan(text, 0)
            except (StopIteration, ValueError, RecursionError):
                pass  # the slow path below says what is wrong, and where
            else:
                if end == len(text) or text[end:] == "\n" or text[end:].isspace():
                    document += 1
                    origin = _new(_LineOrigin, (text, line, decoder.repeats != before, raw))
                    yield _new(Request, (document, value, origin))
                    continue
            decoder.repeats = before
        if line == 1 and text.startswith("\ufeff"):
            text = text[1:]
        if text[-1:] == "\n":  # positions in messages are those of this line, not the next
            text = text[:-2] if text[-2:] == "\r\n" else text[:-1]
        if text.isspace() or not text:
            if passthrough is not None:
                passthrough(raw)
            continue
        document += 1
        try:
            value = decoder.decode(text, line)
        except PayloadError as exc:
            if passthrough is not None:
                passthrough(raw)
            yield exc.broken._replace(document=document)
            continue
        origin = _new(_LineOrigin, (text, line, decoder.repeats != before, raw))
        yield Request(document, value, origin)
    if document < 0:
        yield Broken("empty_file", "the file is empty: it holds no request", 1, 1)


def read_yaml(data: bytes) -> Iterator[Item]:
    """A YAML file: one or more documents, each a request or a list of requests."""
    text = _text(data)
    if isinstance(text, Broken):
        yield text
        return
    import yaml  # noqa: PLC0415 - YAML only when needed

    from validator.files._yaml import YamlError, load_documents  # noqa: PLC0415

    document = 0
    try:
        for group, doc in enumerate(load_documents(text)):
            if doc.value is None:
                continue  # an empty document (a trailing ---) holds no request
            if isinstance(doc.value, list):
                for index, item in enumerate(doc.value):
                    yield Request(document, item, _YamlOrigin(doc, group, (index,)))
                    document += 1
                continue
            yield Request(document, doc.value, _YamlOrigin(doc, group, ()))
            document += 1
    except YamlError as exc:
        yield Broken("invalid_yaml", f"not valid YAML: {exc.message}", exc.line, exc.column)
        return
    except RecursionError:
        yield Broken("invalid_yaml", "not valid YAML: nesting too deep", 1, 1)
        return
    except yaml.YAMLError as exc:  # raised before parsing starts: a character YAML forbids
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        line, column = _yaml_mark(exc)
        yield Broken("invalid_yaml", f"not valid YAML: {problem}", line, column)
        return
    if document == 0:
        yield Broken("empty_file", "the file holds no request", 1, 1)


def _yaml_mark(exc: Exception) -> tuple[int, int]:
    """Line and column of a PyYAML reader error (which gives a character offset)."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return mark.line + 1, mark.column + 1
    return 1, 1


class _Prefixed:
    """Lines already read from a stream, then the rest of the stream."""

    def __init__(self, lines: list[bytes], rest: IO[bytes]) -> None:
        self.lines = lines
        self.rest = rest

    def readline(self, size: int = -1, /) -> bytes:
        if self.lines:
            return self.lines.pop(0)
        return self.rest.readline(size)


def _read_stdin(stdin: IO[bytes], max_size: int, passthrough: Passthrough | None) -> Iterator[Item]:
    """Standard input: JSONL is streamed (its first line is a whole object); the rest is read."""
    first = stdin.readline(max_size + 1)
    if first.removeprefix(_BOM)[:1] == b"{" and len(first) <= max_size:
        try:
            json.loads(first.removeprefix(_BOM))
        except (ValueError, RecursionError):
            pass  # a pretty-printed object, or a broken line: read it all
        else:
            second = stdin.readline(max_size + 1)
            if second:
                lines = _Prefixed([first, second], stdin)
                yield from read_jsonl(lines, max_line=max_size, passthrough=passthrough)
                return
    data = first + read_upto(stdin, max_size - len(first))
    if len(data) > max_size:
        yield too_large("standard input", max_size)
        return
    yield from _read_auto(data, max_size, passthrough)


def _read_auto(data: bytes, max_size: int, passthrough: Passthrough | None) -> Iterator[Item]:
    """Standard input: JSON, JSONL or YAML, told apart by content."""
    text = _text(data)
    if isinstance(text, Broken):
        yield text
        return
    if text.lstrip("\ufeff \t\r\n")[:1] in {"{", "["}:
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data" and "\n" in text.strip():
                yield from read_jsonl(io.BytesIO(data), max_line=max_size, passthrough=passthrough)
                return
            # Not JSON, but maybe YAML in flow style ({model: x}); else the JSON error stands.
            as_yaml = list(read_yaml(data))
            if not any(isinstance(item, Broken) for item in as_yaml):
                yield from as_yaml
                return
        except (ValueError, RecursionError):
            pass
        yield from read_json(data)
        return
    yield from read_yaml(data)

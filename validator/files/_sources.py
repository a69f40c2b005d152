"""Finding payload files and opening them: regular files only, each once, read bounded.

A path named on the command line that is not a regular file (a device, a FIFO, a
socket) becomes a source with an ``error``, reported like a missing file; in a
directory walk such entries are skipped without being opened (opening a FIFO
blocks) and counted. A file reached twice (named twice, through a link, or by a
directory and by name) is one source. Nothing is ever read whole to find out it
is too big: the size is checked first, then at most ``max_size + 1`` bytes read.
"""

from __future__ import annotations

import os
import re
import stat

from validator._problem import quote
from validator._tuples import NamedTuple
from validator.files._ignore import GitIgnore, PatternSet, absolute
from validator.files._paths import pure, suffix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import IO, Final

#: File name endings linted when a directory is walked, and how each is read.
KINDS: Final[dict[str, str]] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
}
STDIN: Final = "-"
STDIN_NAME: Final = "<stdin>"
#: The most payload text held at once: one whole .json or YAML file, or one JSONL line.
#: Requests may carry images as base64 data URLs (several MB each); 64 MiB holds a
#: handful of them with room to spare, and is far below what a machine can hold.
DEFAULT_MAX_SIZE: Final = 64 << 20
NOT_REGULAR_HINT: Final = (
    "capspec reads regular files only; to check a stream, pipe it in and give - as the path"
)
# Directories never walked into: tools' caches and environments, not payloads.
_SKIPPED_DIRS: Final = frozenset({"node_modules", "__pycache__", "site-packages"})
_CHUNK: Final = 1 << 20
_OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the check must not block open()
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class Source(NamedTuple):
    """One payload file to read: the name shown in reports, and how to read it."""

    name: str
    #: What is opened: ``name`` spelled as pathlib spells it (``./a//b.json/`` is
    #: ``a/b.json``); None for standard input.
    path: str | None
    kind: str  # "json", "jsonl", "yaml", or "auto" (standard input)
    error: str | None = None  # why it cannot be read, found while collecting
    hint: str | None = None  # what to do about ``error``
    #: Checked only if it holds requests (found in a directory, or named under
    #: ``force_exclude``, and not matched by ``include``): see ``validator.lint._linter``.
    sniff: bool = False


class Filters(NamedTuple):
    """Which files a walk (and, with ``force_exclude``, the named files) leaves out.

    ``exclude`` and ``.gitignore`` leave files out unread; ``include`` marks files
    that are request documents whatever they hold. Hidden entries and tool folders
    (node_modules) are never walked into.
    """

    exclude: PatternSet | None = None
    include: PatternSet | None = None
    gitignore: bool = True
    force_exclude: bool = False

    def left_out(self, path: str, *, is_dir: bool, git: GitIgnore | None) -> bool:
        """Whether ``path`` (absolute) is excluded or ignored by git."""
        if self.exclude is not None and self.exclude.match(path, is_dir=is_dir):
            return True
        return git is not None and git.ignored(path, is_dir=is_dir)

    def sniffed(self, path: str) -> bool:
        """Whether a file must hold requests to be checked: not matched by ``include``."""
        return self.include is None or not self.include.match(path)


class Collected(NamedTuple):
    """The sources to read, sorted by name, and how many directory entries were skipped."""

    sources: list[Source]
    skipped: int  # FIFOs, sockets and devices met in directory walks, never opened


class NotRegularFileError(OSError):
    """The path opened is not a regular file; ``what`` says what it is."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}, not a regular file")
        self.what = what


def file_type(mode: int) -> str:
    """What a non-regular file is, in words: 'a named pipe (FIFO)', 'a socket', ..."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def _not_regular(mode: int) -> str:
    what = file_type(mode)
    return what if what == "not a regular file" else f"{what}, not a regular file"


# --- sizes ------------------------------------------------------------------------------

_UNITS: Final = {
    "": 1,
    "b": 1,
    "k": 1 << 10,
    "kib": 1 << 10,
    "kb": 1000,
    "m": 1 << 20,
    "mib": 1 << 20,
    "mb": 1000**2,
    "g": 1 << 30,
    "gib": 1 << 30,
    "gb": 1000**3,
}
_SIZE: Final = r"\s*(\d+)\s*([a-zA-Z]*)\s*"  # compiled on first use, by re's cache


def parse_size(text: str) -> int:
    """Bytes from '65536', '64MiB', '64M' (both 2**20), '64MB' (10**6); ValueError else."""
    match = re.fullmatch(_SIZE, text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS or len(match.group(1)) > 30:
        raise ValueError(
            f"{quote(text)} is not a size: give bytes, or a number with KiB, MiB or GiB "
            "(K, M, G mean the same; KB, MB, GB are powers of 1000)"
        )
    size = int(match.group(1)) * _UNITS[unit]
    if size < 1:
        raise ValueError("the size must be at least 1 byte")
    return size


def format_size(size: int) -> str:
    """'64 MiB', '1 KiB', '1,000 bytes': exact, in the largest binary unit that divides it."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor:,} {unit}"
    return f"{size:,} byte{'' if size == 1 else 's'}"


# --- collecting files -------------------------------------------------------------------


def _missing(path: str) -> str:
    return "no such file" if not os.path.islink(path) else "a broken symbolic link"


def _why(exc: Exception) -> str:
    """An OS error in words: 'permission denied', 'too many levels of symbolic links'."""
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return why.lower()


def collect(paths: Iterable[str], filters: Filters | None = None) -> Collected:
    """Expand command-line paths: files as named, directories walked for payload files.

    Names are kept as given (and joined under directories); the sources come back
    sorted by name so reports are stable. Missing paths, directories named like a
    payload file and paths that are not regular files come back as sources with an
    ``error``. A file reached more than once is read once, under its first name.
    ``filters`` leaves files out of walks (``exclude``, ``.gitignore``) and marks
    those that must hold requests to be checked; with ``force_exclude`` the named
    files are treated alike (what a pre-commit hook needs).
    """
    filters = filters or Filters(gitignore=False)
    gits: dict[str, GitIgnore] = {}
    named: list[Source] = []
    seen_names: set[str] = set()
    seen_files: set[tuple[int, int]] = set()
    skipped = 0
    for given in paths:
        if given in seen_names:
            continue
        seen_names.add(given)
        if given == STDIN:
            named.append(Source(STDIN_NAME, None, "auto"))
            continue
        path = pure(given)
        ending = suffix(path).lower()
        kind = KINDS.get(ending, "json")
        try:
            info = os.stat(path)
        except FileNotFoundError:
            named.append(Source(given, path, kind, _missing(path)))
            continue
        except (OSError, ValueError) as exc:  # a loop of links, no permission, a NUL byte
            named.append(Source(given, path, kind, _why(exc)))
            continue
        if stat.S_ISDIR(info.st_mode):
            if ending in KINDS:
                named.append(Source(given, path, kind, "is a directory, not a payload file"))
                continue
            git = _git(gits, absolute(path)) if filters.gitignore else None
            skipped += _walk(given, named, seen_files, filters, git)
            continue
        if not stat.S_ISREG(info.st_mode):
            why = _not_regular(info.st_mode)
            named.append(Source(given, path, kind, why, NOT_REGULAR_HINT))
            continue
        identity = (info.st_dev, info.st_ino)
        if identity in seen_files:
            continue
        sniff = False
        if filters.force_exclude:
            full = absolute(path)
            git = _git(gits, os.path.dirname(full)) if filters.gitignore else None
            if filters.left_out(full, is_dir=False, git=git):
                continue
            sniff = filters.sniffed(full)
        seen_files.add(identity)
        named.append(Source(given, path, kind, sniff=sniff))
    named.sort(key=lambda source: source.name)
    # A path that cannot be read, named and met in a directory too: once, by absolute path.
    unreadable: set[str] = set()
    unique = []
    for source in named:
        if source.error is not None and source.path is not None:
            where = os.path.abspath(source.path)  # no need to resolve links
            if where in unreadable:
                continue
            unreadable.add(where)
        unique.append(source)
    return Collected(unique, skipped)


def _git(cache: dict[str, GitIgnore], folder: str) -> GitIgnore:
    """The .gitignore rules for a folder: one reader per repository."""
    from validator.files._ignore import repository_root  # noqa: PLC0415

    root = repository_root(folder) or folder
    if root not in cache:
        cache[root] = GitIgnore(folder)
    return cache[root]


def _walk(
    root: str,
    out: list[Source],
    seen: set[tuple[int, int]],
    filters: Filters,
    git: GitIgnore | None,
) -> int:
    """Append the payload files under ``root`` to ``out``; return how many were skipped.

    Hidden entries, tool directories, symbolic links to directories, and what
    ``filters`` excludes (or git ignores) are not walked into. Entries that are not
    regular files are counted, never opened. Files found are marked ``sniff``
    unless ``include`` matches them.
    """
    base = absolute(root)
    filtering = filters.exclude is not None or git is not None
    skipped = 0
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as exc:
            where = exc.filename or folder
            out.append(Source(str(where), pure(where), "json", _why(exc)))
            continue
        for entry in listed:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if name not in _SKIPPED_DIRS and not (
                    filtering
                    and filters.left_out(_under(base, root, entry.path), is_dir=True, git=git)
                ):
                    folders.append(entry.path)
                continue
            kind = KINDS.get(os.path.splitext(name)[1].lower())
            if kind is None:
                continue
            where = _under(base, root, entry.path)
            if filtering and filters.left_out(where, is_dir=False, git=git):
                continue
            try:
                info = entry.stat()  # follows a link: what would be read
            except OSError as exc:  # a broken link or a loop: a problem, like a missing file
                path = pure(entry.path)
                why = _missing(path) if isinstance(exc, FileNotFoundError) else _why(exc)
                out.append(Source(entry.path, path, kind, why))
                continue
            if stat.S_ISDIR(info.st_mode):
                continue  # a link to a directory: not followed
            if not stat.S_ISREG(info.st_mode):
                skipped += 1
                continue
            identity = (info.st_dev, info.st_ino)
            if identity in seen:
                continue
            seen.add(identity)
            shown = entry.path.removeprefix("./")  # as ruff shows it
            out.append(Source(shown, pure(entry.path), kind, sniff=filters.sniffed(where)))
    return skipped


def _under(base: str, root: str, path: str) -> str:
    """The absolute form of ``path``, a path found under ``root`` (which is ``base``)."""
    return os.path.join(base, os.path.relpath(path, root))


# --- opening and reading, bounded ---------------------------------------------------------


def open_regular(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open a file for reading, never blocking; ``NotRegularFileError`` unless regular.

    The check is made on what was opened (``fstat``), so a FIFO or device swapped
    in after ``collect`` looked is refused too, and never read.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode):
            if _OPEN_FLAGS & getattr(os, "O_NONBLOCK", 0):
                os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    raise NotRegularFileError(file_type(mode))


def read_upto(handle: IO[bytes], limit: int, *, expected: int | None = None) -> bytes:
    """At most ``limit + 1`` bytes: more than ``limit`` means the content is too big.

    ``expected`` (the size ``stat`` gave) is read in one call; a file that grew,
    or reports no size (/proc), is read on in chunks, never past the limit.
    """
    parts: list[bytes] = []
    total = 0
    if expected is not None:
        first = handle.read(min(expected, limit) + 1)
        if len(first) <= expected:
            return first
        parts.append(first)
        total = len(first)
    while total <= limit:
        chunk = handle.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


class FileTooLargeError(OSError):
    """A file whose size, from ``stat`` or as read, is above the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {format_size(limit)}")
        self.limit = limit


def read_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """A regular file's bytes; ``FileTooLargeError`` past ``limit``, found without reading it."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise FileTooLargeError(limit)
        data = read_upto(handle, limit, expected=size)
    if len(data) > limit:  # it grew while being read, or reported no size
        raise FileTooLargeError(limit)
    return data

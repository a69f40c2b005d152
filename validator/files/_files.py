"""Writing files so that a reader sees the old content or the new one, never a part."""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path


@functools.cache
def _new_file_mode() -> int:
    """The mode ``open()`` gives a new file, 0o666 less the umask (mkstemp gives 0o600)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


class AtomicWriter:
    """Stream text into a temporary file beside ``path``; ``commit`` renames it into place.

    Until ``commit``, the original file is untouched; ``abort`` (or a crash, or a
    kill) leaves it as it was. The new file keeps the original's permissions, or
    gets those of any newly created file (the umask's) when there was none. A
    symbolic link is written through: its target gets the new content, and the
    link stays a link.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        path = Path(os.path.realpath(path))
        self.path = path
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self.tmp = Path(tmp)
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = _new_file_mode()
        with contextlib.suppress(OSError):
            os.fchmod(fd, mode)
        self.handle = os.fdopen(fd, "wb")

    def write(self, text: str) -> None:
        """Append text, as UTF-8 (newlines as given), to the new content."""
        self.handle.write(text.encode("utf-8"))

    def write_bytes(self, data: bytes) -> None:
        """Append bytes to the new content."""
        self.handle.write(data)

    def commit(self) -> None:
        """Flush to disk and replace the original with the new content."""
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            self.tmp.replace(self.path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop the new content; the original stays as it was."""
        with contextlib.suppress(OSError):
            self.handle.close()
        with contextlib.suppress(OSError):
            self.tmp.unlink()


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory, then rename.

    A crash or a kill at any moment leaves either the old file or the new one.
    """
    writer = AtomicWriter(path)
    try:
        writer.write(text)
    except BaseException:
        writer.abort()
        raise
    writer.commit()

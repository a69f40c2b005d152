"""File system paths as strings, spelled and compared as ``pathlib`` spells and compares them.

``capspec lint FILE`` does without pathlib: importing it imports urllib.parse
(which builds some twenty named tuples), ipaddress, fnmatch and ntpath, about a
tenth of the whole command (docs/decisions.md, Start-up). The modules on that
path hold paths as ``str`` and use these helpers where pathlib's spelling is
seen or relied on: ``PurePath("./a//b/")`` is ``a/b``, and a path read through
pathlib has its trailing slash dropped. On Windows, whose spellings are many
(drives, UNC shares, both slashes, case), each helper asks pathlib itself: the
click-free start (the reason for all this) is POSIX only.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Final

_POSIX: Final = os.name != "nt"


def pure(path: str | os.PathLike[str]) -> str:
    """``str(PurePath(path))``: no ``.`` segment, no repeated or trailing slash; ``.`` if empty.

    POSIX keeps a leading ``//`` (exactly two slashes), as pathlib does.
    """
    text = os.fspath(path)
    if not _POSIX:
        from pathlib import PurePath  # noqa: PLC0415 - Windows only

        return str(PurePath(text))
    if (
        text
        and "//" not in text
        and "/./" not in text
        and not text.startswith("./")
        and not text.endswith(("/", "/."))
    ):
        return text  # the usual case: already as pathlib spells it
    root = ""
    if text.startswith("/"):
        root = "//" if text.startswith("//") and not text.startswith("///") else "/"
    return root + "/".join(part for part in text.split("/") if part not in {"", "."}) or "."


def _anchor(path: str) -> str:
    if path.startswith("//"):
        return "//"
    return "/" if path.startswith("/") else ""


def relative_to(path: str, base: str) -> str | None:
    """``PurePath(path).relative_to(base).as_posix()``, or None where that raises ValueError.

    Both are spelled as :func:`pure` spells them; ``path`` equal to ``base`` gives ``.``.
    """
    if not _POSIX:
        from pathlib import PurePath  # noqa: PLC0415 - Windows only

        try:
            return PurePath(path).relative_to(base).as_posix()
        except ValueError:
            return None
    if path == base:
        return "."
    anchor = _anchor(path)
    if anchor != _anchor(base):
        return None
    if base in {anchor, "."}:
        return path[len(anchor) :] or "."
    if path.startswith(base) and path[len(base)] == "/":
        return path[len(base) + 1 :]
    return None


def lineage(path: str) -> Iterator[str]:
    """``path`` then each folder above it: ``(path, *PurePath(path).parents)``, as strings.

    ``path`` is spelled as :func:`pure` spells it.
    """
    if not _POSIX:
        from pathlib import PurePath  # noqa: PLC0415 - Windows only

        pure_path = PurePath(path)
        yield str(pure_path)
        yield from map(str, pure_path.parents)
        return
    while True:
        yield path
        parent = os.path.dirname(path) or "."
        if parent == path:
            return
        path = parent


def join(base: str, *parts: str) -> str:
    """``str(PurePath(base, *parts))``: a part that is absolute starts over."""
    return pure(os.path.join(base, *parts))


def suffix(path: str) -> str:
    """``PurePath(path).suffix``: ``.json`` for ``a.json/`` and ``..json``; none for ``.json``."""
    if not _POSIX:
        from pathlib import PurePath  # noqa: PLC0415 - Windows only

        return PurePath(path).suffix
    name = pure(path).rpartition("/")[2]
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""

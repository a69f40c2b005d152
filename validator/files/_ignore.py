"""Path patterns as ``.gitignore`` writes them, and the ``.gitignore`` files of a walk.

One syntax serves ``exclude``, ``include`` and ``per-file-ignores`` in the
configuration and the ``.gitignore`` files themselves:

* a pattern without a slash matches a name at any depth (``*.lock.json``,
  ``fixtures``); one with a slash is anchored at its base folder (``/build``,
  ``requests/*.json``);
* ``*`` and ``?`` stay within one path segment, ``**`` crosses them
  (``requests/**``, ``**/golden``), ``[abc]`` and ``[!abc]`` are classes;
* a trailing ``/`` matches folders only; ``!`` re-includes; the last pattern
  that matches wins; a matched folder covers everything below it.
"""

from __future__ import annotations

import os
import re

from validator._problem import quote
from validator._tuples import NamedTuple
from validator.files._paths import lineage, pure, relative_to

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Final


class Pattern(NamedTuple):
    """One compiled pattern: what it was, its regex, whether it negates, folders only."""

    text: str
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


# Compiled on first use (re caches it), not at import: most lint runs translate no pattern.
_SPECIAL: Final = r"\*\*/|/\*\*$|\*\*|\*|\?|\[!?[^\]/]*\]|\\.|."


def _translate(body: str) -> str:
    out: list[str] = []
    for match in re.finditer(_SPECIAL, body, re.DOTALL):
        glob = match.group()
        if glob == "**/":
            out.append("(?:.*/)?")
        elif glob == "/**":
            out.append("/.*")
        elif glob == "**":
            out.append(".*")
        elif glob == "*":
            out.append("[^/]*")
        elif glob == "?":
            out.append("[^/]")
        elif glob.startswith("[") and len(glob) > 2:
            inner = glob[1:-1]
            inner = "^" + inner[1:] if inner.startswith("!") else inner
            out.append(f"[{inner.replace(chr(92), chr(92) * 2)}]")
        elif glob.startswith("\\") and len(glob) == 2:
            out.append(re.escape(glob[1]))
        else:
            out.append(re.escape(glob))
    return "".join(out)


def compile_pattern(text: str) -> Pattern | None:
    """A pattern, or None for a blank line or a comment; ValueError when it cannot match."""
    line = text.rstrip("\n").rstrip("\r")
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and stripped != line:  # "foo\ " keeps its space
        stripped += " "
    if not stripped or stripped.startswith("#"):
        return None
    negate = stripped.startswith("!")
    body = stripped[1:] if negate else stripped
    body = body.removeprefix("\\")  # "\#file", "\!file"
    dir_only = body.endswith("/")
    body = body.rstrip("/")
    if not body:
        raise ValueError(f"the pattern {quote(text)} matches nothing")
    anchored = "/" in body
    body = body.lstrip("/")
    regex = _translate(body)
    if not anchored:
        regex = "(?:.*/)?" + regex
    return Pattern(stripped, re.compile(regex + r"\Z", re.DOTALL), negate, dir_only)


class PatternSet:
    """Patterns relative to one base folder; ``match`` gives the last verdict, or None.

    Paths are strings (absolute, as :func:`absolute` makes them) or path objects.
    """

    def __init__(
        self, base: str | os.PathLike[str], patterns: Iterable[str], *, strict: bool = True
    ) -> None:
        self.base = pure(base)
        self.patterns: list[Pattern] = []
        for text in patterns:
            try:
                pattern = compile_pattern(text)
            except ValueError:
                if strict:
                    raise
                continue  # git ignores a pattern that matches nothing; so do we
            if pattern is not None:
                self.patterns.append(pattern)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def relative(self, path: str | os.PathLike[str]) -> str | None:
        """``path`` (absolute) relative to the base with forward slashes; None if outside."""
        return relative_to(pure(path), self.base)

    def match(self, path: str | os.PathLike[str], *, is_dir: bool = False) -> bool | None:
        """True: matched; False: re-included by a ``!`` pattern; None: no pattern matched.

        A folder above ``path`` that matches covers ``path`` too, as in git.
        """
        rel = self.relative(path)
        if rel is None or rel in {"", "."}:
            return None
        parts = rel.split("/")
        for depth in range(1, len(parts)):  # an ancestor folder matched: the path is under it
            if self.verdict("/".join(parts[:depth]), is_dir=True):
                return True
        return self.verdict(rel, is_dir=is_dir)

    def verdict(self, rel: str, *, is_dir: bool) -> bool | None:
        """The last verdict of the patterns on ``rel`` itself (no ancestor folders)."""
        verdict: bool | None = None
        for pattern in self.patterns:
            if pattern.dir_only and not is_dir:
                continue
            if pattern.regex.match(rel):
                verdict = not pattern.negate
        return verdict


def repository_root(start: str | os.PathLike[str]) -> str | None:
    """The nearest folder at or above ``start`` holding ``.git`` (a folder or a file)."""
    for folder in lineage(pure(start)):
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
    return None


class GitIgnore:
    """The ``.gitignore`` files of a repository (and ``.git/info/exclude``), read once each.

    Outside a repository, the ``.gitignore`` files from the walked folder down count.
    """

    def __init__(self, top: str | os.PathLike[str]) -> None:
        top = pure(top)
        root = repository_root(top)
        self.root = root if root is not None else top
        self.sets: dict[str, PatternSet | None] = {}
        if root is not None:
            exclude = os.path.join(root, ".git", "info", "exclude")
            self.info = PatternSet(root, _lines(exclude), strict=False)
        else:
            self.info = PatternSet(top, [])

    def _set(self, folder: str) -> PatternSet | None:
        if folder not in self.sets:
            lines = _lines(os.path.join(folder, ".gitignore"))
            self.sets[folder] = PatternSet(folder, lines, strict=False) if lines else None
        return self.sets[folder]

    def ignored(self, path: str | os.PathLike[str], *, is_dir: bool = False) -> bool:
        """Whether git ignores ``path`` (absolute), or a folder it is in."""
        rel = relative_to(pure(path), self.root)
        if rel is None:
            return False
        parts = () if rel == "." else tuple(rel.split("/"))
        for depth in range(1, len(parts) + 1):
            here_is_dir = is_dir or depth < len(parts)
            if self._ignored_here(parts[:depth], is_dir=here_is_dir):
                return True
        return False

    def _ignored_here(self, parts: tuple[str, ...], *, is_dir: bool) -> bool:
        verdict = self.info.verdict("/".join(parts), is_dir=is_dir)
        for depth in range(len(parts)):
            patterns = self._set(os.path.join(self.root, *parts[:depth]))
            if patterns is None:
                continue
            rel = "/".join(parts[depth:])
            found = patterns.verdict(rel, is_dir=is_dir)
            if found is not None:
                verdict = found
        return bool(verdict)


def _lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(1 << 20).splitlines()
    except OSError:
        return []


def absolute(path: str | os.PathLike[str]) -> str:
    """An absolute path without resolving links (what a user typed, made absolute).

    Spelled as pathlib spells it: ``os.path.abspath`` drops ``.``, repeated and
    trailing slashes (and folds ``..``, as ``Path(os.path.abspath(path))`` did).
    """
    return os.path.abspath(path)

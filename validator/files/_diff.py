"""Comparing and diffing what ``capspec normalize`` would write.

``same_value`` says whether a rewrite is due at all (formatting never makes one);
``AlignedDiff`` streams a unified diff of a file whose lines map one to one (JSONL),
holding at most one hunk; ``no_newline`` adds diff's marker to a last line without one.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_CONTEXT: Final = 3  # lines of context in a diff, as diff -u
_HUNK_LINES: Final = 4096  # a longer run of changes is cut into hunks: --diff never holds more


def same_value(a: Any, b: Any) -> bool:
    """True when two parsed values are the same JSON: types, keys (in order) and values.

    ``1``, ``1.0`` and ``true`` differ (``==`` says they are equal), so an integral
    float that normalizing turns into an integer is a change.
    """
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if type(x) is dict:
            if list(x) != list(y):
                return False
            stack.extend(zip(x.values(), y.values(), strict=True))
        elif type(x) is list:
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif x != y and (x == x or y == y):  # noqa: PLR0124 - NaN is the same as NaN here
            return False
    return True


def no_newline(lines: Iterator[str]) -> Iterator[str]:
    """Diff lines, with diff's marker after a last line that has no newline."""
    for line in lines:
        if line.endswith("\n"):
            yield line
        else:
            yield line + "\n"
            yield "\\ No newline at end of file\n"


class AlignedDiff:
    """A unified diff of a file whose lines map one to one (JSONL), streamed.

    Holds three lines of context and at most one hunk of ``_HUNK_LINES`` lines.
    """

    def __init__(self, name: str, write: Callable[[str], object]) -> None:
        self.name = name
        self.write = write
        self.line = 0  # lines seen so far
        self.before: deque[str] = deque(maxlen=_CONTEXT)
        self.hunk: list[str] | None = None
        self.start = 0
        self.pending: list[str] = []  # unchanged lines after the hunk's last change
        self.headed = False

    def same(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace")
        self.line += 1
        if self.hunk is None:
            self.before.append(text)
            return
        self.pending.append(text)
        if len(self.pending) > 2 * _CONTEXT:
            self._close()

    def changed(self, old: bytes, new: bytes) -> None:
        if self.hunk is None:
            self.hunk = [" " + line for line in self.before]
            self.start = self.line - len(self.before) + 1
            self.before.clear()
        else:
            self.hunk.extend(" " + line for line in self.pending)
            self.pending = []
        self.hunk.append("-" + old.decode("utf-8", "replace"))
        self.hunk.append("+" + new.decode("utf-8", "replace"))
        self.line += 1
        if len(self.hunk) >= _HUNK_LINES:
            self._close()

    def _close(self) -> None:
        assert self.hunk is not None
        tail = self.pending[:_CONTEXT]
        self.before.extend(self.pending[_CONTEXT:])
        lines = [*self.hunk, *(" " + line for line in tail)]
        self.hunk = None
        self.pending = []
        count = sum(1 for line in lines if line[0] != "+")
        if not self.headed:
            self.write(f"--- {self.name}\n+++ {self.name}\n")
            self.headed = True
        self.write(f"@@ -{self.start},{count} +{self.start},{count} @@\n")
        self.write("".join(no_newline(iter(lines))))

    def close(self) -> None:
        if self.hunk is not None:
            self._close()

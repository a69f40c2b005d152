"""``validator._tuples.NamedTuple`` builds the class ``typing.NamedTuple`` builds.

It skips only typing's run-time check of each annotation (which compiles string
annotations; the first compile of a process costs a tenth of a ``capspec lint``
start). Everything a caller can see is compared here with typing's own.
"""

from __future__ import annotations

import pickle
import re
import typing
from pathlib import Path

import pytest

from validator._tuples import NamedTuple as Fast


class Slow(typing.NamedTuple):
    """A point, with a label."""

    x: int
    y: int = 0
    label: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def norm(self) -> int:
        """Manhattan."""
        return abs(self.x) + abs(self.y)

    def moved(self, dx: int) -> Slow:
        return self._replace(x=self.x + dx)

    @classmethod
    def origin(cls) -> Slow:
        return cls(0)


class Quick(Fast):
    """A point, with a label."""

    x: int
    y: int = 0
    label: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def norm(self) -> int:
        """Manhattan."""
        return abs(self.x) + abs(self.y)

    def moved(self, dx: int) -> Quick:
        return self._replace(x=self.x + dx)

    @classmethod
    def origin(cls) -> Quick:
        return cls(0)


def test_the_class_is_the_same_as_typings():
    for attribute in ("_fields", "_field_defaults", "__doc__", "__module__"):
        assert getattr(Quick, attribute) == getattr(Slow, attribute), attribute
    assert Quick.__qualname__ == "Quick"
    assert Quick.__bases__ == Slow.__bases__ == (tuple,)
    assert list(Quick.__annotations__) == list(Slow.__annotations__)
    assert Quick.__annotations__["tags"] == "tuple[str, ...]"  # as written: not compiled
    assert Quick.norm.__doc__ == "Manhattan."
    assert set(vars(Slow)) - set(vars(Quick)) <= {"__orig_bases__"}
    assert set(vars(Quick)) <= set(vars(Slow))


def test_instances_behave_the_same():
    for cls in (Slow, Quick):
        point = cls(3, -4, tags=("a",))
        assert point == (3, -4, None, ("a",))
        assert hash(point) == hash((3, -4, None, ("a",)))
        assert point.norm == 7
        assert point.moved(1) == cls(4, -4, None, ("a",))
        assert cls.origin() == cls(0, 0)
        assert point._asdict() == {"x": 3, "y": -4, "label": None, "tags": ("a",)}
        assert cls._make([1, 2, "b", ()]).label == "b"
        assert repr(point) == f"{cls.__name__}(x=3, y=-4, label=None, tags=('a',))"
        assert pickle.loads(pickle.dumps(point)) == point
        assert type(pickle.loads(pickle.dumps(point))) is cls
        x, y, *_ = point
        assert (x, y) == (3, -4)
        with pytest.raises(TypeError):
            cls()
        with pytest.raises(AttributeError):
            point.x = 1  # type: ignore[misc]


def test_what_typing_refuses_is_refused():
    with pytest.raises(TypeError):

        class Late(Fast):
            a: int = 0
            b: int

    with pytest.raises(AttributeError):

        class Clash(Fast):
            a: int
            _fields = ("b",)

    with pytest.raises(TypeError):

        class Mixed(Fast, dict):  # type: ignore[misc]
            a: int


def test_every_named_tuple_of_capspec_is_built_by_the_fast_one():
    package = Path(__file__).resolve().parent.parent / "validator"
    offenders = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if path.name != "_tuples.py"
        and re.search(r"^from typing import [^\n]*\bNamedTuple\b", path.read_text(), re.MULTILINE)
    ]
    assert offenders == []

"""``validator._tuples.NamedTuple`` builds the class ``typing.NamedTuple`` builds.

It skips typing's run-time check of each annotation (which compiles string
annotations; the first compile of a process costs a tenth of a ``capspec lint``
start), and gives each class a ``__new__`` renamed from one written per number of
fields instead of one compiled with ``eval``. Everything a caller can see is
compared here with typing's own: methods, signatures, errors, every size.
"""

from __future__ import annotations

import inspect
import pickle
import re
import typing
from pathlib import Path

import pytest

from validator._tuples import NamedTuple as Fast

if typing.TYPE_CHECKING:
    from collections.abc import Callable


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


def _methods(cls: type) -> dict[str, tuple[object, ...]]:
    """What each generated method shows of itself, with the class's name made neutral."""
    shown = {}
    for name in ("__new__", "_make", "_replace", "__repr__", "_asdict", "__getnewargs__"):
        method = getattr(cls, name)
        method = getattr(method, "__func__", method)
        shown[name] = tuple(
            str(value).replace(cls.__name__, "T")
            for value in (method.__name__, method.__qualname__, method.__doc__)
        )
    return shown


def _signature(cls: type) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(cls.__new__).parameters.values()]


def test_the_generated_methods_are_the_same_as_typings():
    assert _methods(Quick) == _methods(Slow)
    assert _signature(Quick) == _signature(Slow)
    assert Quick.__new__.__defaults__ == Slow.__new__.__defaults__ == (0, None, ())
    assert Quick.__match_args__ == Slow.__match_args__ == ("x", "y", "label", "tags")
    for field in Quick._fields:
        assert getattr(Quick, field).__doc__ == getattr(Slow, field).__doc__


def _error(call: Callable[[], object]) -> str:
    try:
        call()
    except (TypeError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}".replace("Quick", "T").replace("Slow", "T")
    raise AssertionError("no error")


def test_a_wrong_call_gets_typings_error():
    for make in (
        lambda cls: cls(),
        lambda cls: cls(1, 2, 3, 4, 5),
        lambda cls: cls(1, z=2),
        lambda cls: cls(1, x=2),
        lambda cls: cls._make([1]),
        lambda cls: cls(1)._replace(z=3),
    ):
        assert _error(lambda m=make: m(Quick)) == _error(lambda m=make: m(Slow))


def test_every_size_is_built_as_typing_builds_it():
    # One field (its doc has a trailing comma), each size with a __new__ of its own,
    # and more fields than that (collections.namedtuple itself).
    for size in (1, 2, 7, 18, 19, 25):
        names = [f"f{i}" for i in range(size)]
        annotations = dict.fromkeys(names, "int")
        quick = type(Fast)(
            "Many", (Fast,), {"__module__": __name__, "__annotations__": annotations}
        )
        slow = typing.NamedTuple("Many", [(n, int) for n in names])
        assert quick._fields == slow._fields
        assert quick.__doc__ == slow.__doc__
        assert _methods(quick) == _methods(slow)
        assert _signature(quick) == _signature(slow)
        values = list(range(size))
        assert quick(*values) == slow(*values) == tuple(values)
        assert quick(**dict(zip(names, values, strict=True))) == tuple(values)
        assert repr(quick(*values)) == repr(slow(*values))
        assert _error(lambda q=quick: q()) == _error(lambda s=slow: s())


def test_a_field_starting_with_an_underscore_is_refused_as_typing_refuses_it():
    annotations = {"_x": "int"}
    with pytest.raises(ValueError, match=r"^Field names cannot start with an underscore: '_x'$"):
        type(Fast)("Under", (Fast,), {"__module__": __name__, "__annotations__": annotations})
    with pytest.raises(ValueError, match=r"^Field names cannot start with an underscore: '_x'$"):
        typing.NamedTuple("Under", [("_x", int)])

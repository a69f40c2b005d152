"""``NamedTuple`` for capspec's own types, without typing's run-time check of annotations.

``typing.NamedTuple`` passes each field's annotation through ``typing._type_check``,
which compiles every string annotation (all of them, in a module with ``from
__future__ import annotations``) into a ``ForwardRef``; the first ``compile()`` of
a process builds Python's AST types, a tenth of a ``capspec lint`` start. mypy
reads ``typing.NamedTuple`` here (the ``TYPE_CHECKING`` branch); at run time this
builds the class typing would (``collections.namedtuple`` with the defaults, then
the body's methods, properties and docstring), keeping each annotation as written.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    import collections

    # As typing has them: names a body may not set, and names that stay the tuple's own.
    _PROHIBITED = frozenset(
        {
            "__new__",
            "__init__",
            "__slots__",
            "__getnewargs__",
            "_fields",
            "_field_defaults",
            "_make",
            "_replace",
            "_asdict",
            "_source",
        }
    )
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        def __new__(cls, name: str, bases: tuple[type, ...], ns: dict[str, object]) -> type:
            if bases != (NamedTuple,):
                raise TypeError("a NamedTuple class can have no other base")
            annotations = ns.get("__annotations__", {})
            defaults = []
            for field in annotations:
                if field in ns:
                    defaults.append(ns[field])
                elif defaults:
                    raise TypeError(f"field {field} without a default follows one with a default")
            made = collections.namedtuple(  # noqa: PYI024 - this is typing.NamedTuple's own step
                name, annotations, defaults=defaults, module=ns["__module__"]
            )
            made.__annotations__ = made.__new__.__annotations__ = dict(annotations)
            for key, value in ns.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
                if key not in _SPECIAL and key not in made._fields:
                    setattr(made, key, value)
            return made

    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})

__all__ = ["NamedTuple"]

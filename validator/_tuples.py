"""``NamedTuple`` for capspec's own types, built without compiling any code at run time.

``typing.NamedTuple`` passes each field's annotation through ``typing._type_check``,
which compiles every string annotation (all of them, in a module with ``from
__future__ import annotations``) into a ``ForwardRef``; the first ``compile()`` of
a process builds Python's AST types, a tenth of a ``capspec lint`` start. And
``collections.namedtuple``, under it, compiles each class's ``__new__`` from source
with ``eval``: another twentieth of a start for the 25 classes on the lint path.

mypy reads ``typing.NamedTuple`` here (the ``TYPE_CHECKING`` branch). At run time
this builds the class typing would, as ``collections.namedtuple`` does it, but for
``__new__``: one is written below for each number of fields, and a class gets a copy
with its field names (``CodeType.replace``), so its signature, keywords, defaults
and error messages are the ones ``eval`` would have given. Then come the body's
methods, properties and docstring, with each annotation kept as written.
``tests/test_tuples.py`` compares the classes and their instances with typing's.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    import collections
    import sys
    from types import FunctionType

    # Python 3.13's namedtuple: ``_replace`` raises TypeError, and is ``__replace__`` too
    # (``copy.replace``); before, ValueError.
    _PY313 = sys.version_info >= (3, 13)
    _REPLACE_ERROR = TypeError if _PY313 else ValueError
    _tuplegetter = collections._tuplegetter  # noqa: SLF001 - the fields' C descriptor, as namedtuple
    _tuple_new = tuple.__new__

    # ``__new__`` for 1 to 18 fields: what collections.namedtuple compiles per class.
    _NEW = (
        lambda _cls, a: _tuple_new(_cls, (a,)),
        lambda _cls, a, b: _tuple_new(_cls, (a, b)),
        lambda _cls, a, b, c: _tuple_new(_cls, (a, b, c)),
        lambda _cls, a, b, c, d: _tuple_new(_cls, (a, b, c, d)),
        lambda _cls, a, b, c, d, e: _tuple_new(_cls, (a, b, c, d, e)),
        lambda _cls, a, b, c, d, e, f: _tuple_new(_cls, (a, b, c, d, e, f)),
        lambda _cls, a, b, c, d, e, f, g: _tuple_new(_cls, (a, b, c, d, e, f, g)),
        lambda _cls, a, b, c, d, e, f, g, h: _tuple_new(_cls, (a, b, c, d, e, f, g, h)),
        lambda _cls, a, b, c, d, e, f, g, h, i: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i)),
        lambda _cls, a, b, c, d, e, f, g, h, i, j: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j)),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k: _tuple_new(
            _cls, (a, b, c, d, e, f, g, h, i, j, k)
        ),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, m: _tuple_new(
            _cls, (a, b, c, d, e, f, g, h, i, j, k, m)
        ),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, m, n: _tuple_new(
            _cls, (a, b, c, d, e, f, g, h, i, j, k, m, n)
        ),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, m, n, o: _tuple_new(
            _cls, (a, b, c, d, e, f, g, h, i, j, k, m, n, o)
        ),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, m, n, o, p: _tuple_new(
            _cls, (a, b, c, d, e, f, g, h, i, j, k, m, n, o, p)
        ),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, m, n, o, p, q: _tuple_new(
            _cls, (a, b, c, d, e, f, g, h, i, j, k, m, n, o, p, q)
        ),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, m, n, o, p, q, r: _tuple_new(
            _cls, (a, b, c, d, e, f, g, h, i, j, k, m, n, o, p, q, r)
        ),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, m, n, o, p, q, r, s: _tuple_new(
            _cls, (a, b, c, d, e, f, g, h, i, j, k, m, n, o, p, q, r, s)
        ),
    )

    def _namedtuple(
        typename: str, field_names: list[str], defaults: list[object], module: str
    ) -> type:
        """``collections.namedtuple(typename, field_names, defaults=defaults, module=module)``.

        The same steps, in the same order, but for ``__new__`` (see the module's
        docstring) and the checks of the field names, which typing has made already
        (annotations are identifiers; a field starting with ``_`` is refused below).
        """
        num_fields = len(field_names)
        if num_fields == 0 or num_fields > len(_NEW):
            return collections.namedtuple(  # noqa: PYI024 - typing.NamedTuple's own step
                typename, field_names, defaults=defaults, module=module
            )
        for name in field_names:
            if name.startswith("_"):
                raise ValueError(f"Field names cannot start with an underscore: '{name}'")
        field_names_tuple = tuple(map(sys.intern, field_names))
        field_defaults = dict(
            zip(field_names_tuple[num_fields - len(defaults) :], defaults, strict=True)
        )
        arg_list = ", ".join(field_names_tuple)
        if num_fields == 1:
            arg_list += ","
        repr_fmt = "(" + ", ".join(f"{name}=%r" for name in field_names_tuple) + ")"
        tuple_new = _tuple_new
        _dict, _tuple, _len, _map, _zip = dict, tuple, len, map, zip

        namespace = {
            "_tuple_new": tuple_new,
            "__builtins__": {},
            "__name__": f"namedtuple_{typename}",
        }
        code = _NEW[num_fields - 1].__code__
        __new__ = FunctionType(code.replace(co_varnames=("_cls", *field_names_tuple)), namespace)
        __new__.__name__ = "__new__"
        __new__.__doc__ = f"Create new instance of {typename}({arg_list})"
        __new__.__defaults__ = tuple(defaults)

        @classmethod
        def _make(cls: type, iterable: object) -> tuple[object, ...]:
            result = tuple_new(cls, iterable)
            if _len(result) != num_fields:
                raise TypeError(f"Expected {num_fields} arguments, got {len(result)}")
            return result

        _make.__func__.__doc__ = f"Make a new {typename} object from a sequence or iterable"

        def _replace(self: tuple[object, ...], /, **kwds: object) -> tuple[object, ...]:
            result = self._make(_map(kwds.pop, field_names_tuple, self))
            if kwds:  # list's str is its repr
                raise _REPLACE_ERROR(f"Got unexpected field names: {list(kwds)}")
            return result

        _replace.__doc__ = (
            f"Return a new {typename} object replacing specified fields with new values"
        )

        def __repr__(self: tuple[object, ...]) -> str:  # noqa: N807 - named as namedtuple names it
            return self.__class__.__name__ + repr_fmt % self

        def _asdict(self: tuple[object, ...]) -> dict[str, object]:
            return _dict(_zip(self._fields, self))

        def __getnewargs__(self: tuple[object, ...]) -> tuple[object, ...]:  # noqa: N807 - as __repr__
            return _tuple(self)

        __repr__.__doc__ = "Return a nicely formatted representation string"
        _asdict.__doc__ = "Return a new dict which maps field names to their values."
        __getnewargs__.__doc__ = "Return self as a plain tuple.  Used by copy and pickle."

        for method in (__new__, _make.__func__, _replace, __repr__, _asdict, __getnewargs__):
            method.__qualname__ = f"{typename}.{method.__name__}"

        class_namespace = {
            "__doc__": f"{typename}({arg_list})",
            "__slots__": (),
            "_fields": field_names_tuple,
            "_field_defaults": field_defaults,
            "__new__": __new__,
            "_make": _make,
            **({"__replace__": _replace} if _PY313 else {}),
            "_replace": _replace,
            "__repr__": __repr__,
            "_asdict": _asdict,
            "__getnewargs__": __getnewargs__,
            "__match_args__": field_names_tuple,
        }
        for index, name in enumerate(field_names_tuple):
            doc = sys.intern(f"Alias for field number {index}")
            class_namespace[name] = _tuplegetter(index, doc)
        result = type(typename, (tuple,), class_namespace)
        result.__module__ = module
        return result

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
            made = _namedtuple(name, list(annotations), defaults, ns["__module__"])
            made.__annotations__ = made.__new__.__annotations__ = dict(annotations)
            for key, value in ns.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"cannot overwrite NamedTuple attribute {key}")
                if key not in _SPECIAL and key not in made._fields:
                    setattr(made, key, value)
            return made

    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})

__all__ = ["NamedTuple"]

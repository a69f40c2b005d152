"""What a capability spec is: the resolved data types, built from the resolved form."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from types import MappingProxyType

from validator._tuples import NamedTuple
from validator.spec._values import ValueSchema, ratio

TYPE_CHECKING = False
if TYPE_CHECKING:
    from fractions import Fraction
    from typing import Any, TypeVar

    _V = TypeVar("_V")
else:
    _V = object  # the value type in ``Mapping[str, _V]``, a base class: any type does at run time

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class Source(NamedTuple):
    """Where a fact comes from."""

    id: str
    title: str
    url: str
    checked: str
    as_of: str | None = None
    kind: str | None = None
    note: str | None = None


class Parameter(NamedTuple):
    """An API parameter as the spec defines it once, for every model."""

    name: str
    description: str
    schema: ValueSchema
    default: Any = None
    has_default: bool = False
    aliases: tuple[str, ...] = ()
    instead: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    endpoint: str = "images"
    deprecated: Deprecation | None = None


class Deprecation(NamedTuple):
    """A parameter the API still takes but deprecates, and what to send instead."""

    use: str
    sources: tuple[str, ...] = ()


class Evidence(NamedTuple):
    """One piece of evidence for one fact: a cell's state, a bound, a default.

    Attributes:
        fact: What it supports: ``state`` (the cell), a constraint such as
            ``minimum``, ``advice.maximum``, ``items.properties.scale.minimum``,
            or, on a rule, ``minimum``/``maximum``/``sizes``.
        source: The id of a source in the spec's catalogue.
        shows: ``refused`` (the API answers 400, or an official statement says it
            does), ``accepted`` (official examples send it, or a live app relies on
            it, and the API answers), ``documented`` (the docs state it) or
            ``undocumented`` (the docs give it no effect on this model: a seed "—").
        says: The evidence itself, quoted or summarised.
        value: For accepted evidence on a bound, the value the API accepted (None if
            not given); the loader checks it passes the error bound.
    """

    fact: str
    source: str
    shows: str
    says: str
    value: Any = None


class ModelParameter(NamedTuple):
    """A parameter as one model takes it, with that model's bounds and default."""

    name: str
    schema: ValueSchema
    required: bool = False
    default: Any = None
    has_default: bool = False
    model_default: bool = False
    sources: tuple[str, ...] = ()
    note: str | None = None
    evidence: tuple[Evidence, ...] = ()


class Unsupported(NamedTuple):
    """A parameter a model refuses (the API answers 400): an unsupported_parameter error."""

    name: str
    note: str | None = None
    sources: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


class Ignored(NamedTuple):
    """A parameter the API accepts for a model but that has no documented effect there.

    Sending it is an ``ignored_parameter`` warning that names what to use instead.
    """

    name: str
    note: str | None = None
    instead: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


class Rule(NamedTuple):
    """A cross-field rule: exclusive, one_of_required, size_menu, pixel_area or aspect_ratio."""

    kind: str
    params: tuple[str, ...] = ()
    severity: str = "error"
    sizes: tuple[tuple[int, int], ...] = ()
    advised: tuple[tuple[int, int], ...] = ()
    minimum: Any = None
    maximum: Any = None
    note: str | None = None
    sources: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    @property
    def ratio_bounds(self) -> tuple[Fraction | None, Fraction | None]:
        """For an aspect_ratio rule: the bounds as exact fractions."""
        lo = ratio(self.minimum) if self.minimum is not None else None
        hi = ratio(self.maximum) if self.maximum is not None else None
        return lo, hi

    def admits_size(self, width: int, height: int) -> bool:
        """Whether a size rule (menu, pixel area, aspect ratio) lets width x height pass.

        Rules of other kinds say nothing about sizes: they always do.
        """
        if self.kind == "size_menu":
            return (width, height) in self.sizes
        if self.kind == "pixel_area":
            area = width * height
            return (self.minimum is None or area >= self.minimum) and (
                self.maximum is None or area <= self.maximum
            )
        if self.kind == "aspect_ratio":
            from fractions import Fraction  # noqa: PLC0415 - start-up: rarely needed

            lo, hi = self.ratio_bounds
            value = Fraction(width, height)
            return (lo is None or value >= lo) and (hi is None or value <= hi)
        return True


class Successor(NamedTuple):
    """The model to use instead of a deprecated or retired one, and who says so."""

    model: str
    note: str | None = None
    sources: tuple[str, ...] = ()


class Lifecycle(NamedTuple):
    """Whether a model is served; for one that is not, when, on what evidence, and what next.

    Dates are what the sources say, never more: ``removed`` is a removal a source
    dates; ``unlisted_by`` is only the first complete model list that omits the model.
    """

    status: str
    note: str | None = None
    sources: tuple[str, ...] = ()
    announced: str | None = None
    removed: str | None = None
    last_seen: str | None = None
    unlisted_by: str | None = None
    refused: bool = False
    replaced_by: Successor | None = None

    @property
    def since(self) -> str | None:
        """The date the status is known to hold from: removed, announced or unlisted_by."""
        return self.removed or self.announced or self.unlisted_by

    @property
    def served(self) -> bool:
        """Active or deprecated: the API serves the model."""
        return self.status != "retired"


class Model(NamedTuple):
    """One model id and everything it takes."""

    id: str
    name: str
    short_name: str
    family: str
    endpoint: str
    lifecycle: Lifecycle
    params: Mapping[str, ModelParameter]
    unsupported: Mapping[str, Unsupported]
    rules: tuple[Rule, ...]
    sources: tuple[str, ...]
    extends: tuple[str, ...] = ()
    note: str | None = None
    ignored: Mapping[str, Ignored] = _EMPTY

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the parameters this model requires (besides ``model``)."""
        return tuple(p.name for p in self.params.values() if p.required)

    @property
    def defaults(self) -> dict[str, Any]:
        """The defaults this model declares, by parameter name."""
        return {p.name: p.default for p in self.params.values() if p.has_default}


class Repairs(NamedTuple):
    """What the fix policy repairs of other image APIs' habits (``repairs`` in the spec)."""

    names: Mapping[str, str] = _EMPTY  # a foreign name -> Together's name
    sizes: tuple[str, ...] = ()  # names whose "WxH" string becomes width and height
    values: Mapping[str, Mapping[str, str]] = _EMPTY  # parameter -> foreign value -> Together's

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Repairs:
        """From the spec's ``repairs`` table."""
        return cls(
            names=dict(data.get("names", {})),
            sizes=tuple(data.get("sizes", ())),
            values={k: dict(v) for k, v in data.get("values", {}).items()},
        )


class Spec:
    """A loaded, checked capability spec. Build it with ``validator.load_spec``.

    Attributes:
        path: Where the spec was read from.
        digest: SHA-256 of the spec file (and the capspec version).
        title: The spec's title.
        checked: When its sources were last reviewed as a whole.
        sources: Every source, by id.
        parameters: Every image API parameter, by name (the ``images`` namespace).
        namespaces: Every endpoint's parameters, by endpoint then name: ``images``
            (the same mapping as ``parameters``) and ``videos``.
        models: Every model, by exact id, in spec order.
        foreign_names: Names from other APIs, with what to use instead.
        foreign_values: Values from other APIs, by parameter, with what to send instead.
        aliases: Old parameter names, mapped to the current ones.
        migrations: The migration rules by name (``migrations:`` in the spec), each
            as its spec entry; empty when the spec defines none.
        repairs: What the fix policy repairs of other APIs' habits.
    """

    __slots__ = (
        "_checkers",
        "_folded",
        "_takers",
        "aliases",
        "checked",
        "digest",
        "foreign_names",
        "foreign_values",
        "migrations",
        "models",
        "namespaces",
        "parameters",
        "path",
        "repairs",
        "sources",
        "title",
    )

    def __init__(
        self,
        *,
        path: str,
        digest: str,
        title: str,
        checked: str,
        sources: Mapping[str, Source],
        parameters: Mapping[str, Parameter],
        models: Mapping[str, Model],
        foreign_names: Mapping[str, str],
        foreign_values: Mapping[str, Mapping[str, str]] | None = None,
        aliases: Mapping[str, str],
        migrations: Mapping[str, Mapping[str, Any]] = _EMPTY,
        namespaces: Mapping[str, Mapping[str, Parameter]] | None = None,
        repairs: Repairs | None = None,
    ) -> None:
        self.path = path
        self.digest = digest
        self.title = title
        self.checked = checked
        self.sources = sources
        self.parameters = parameters
        self.models = models
        self.foreign_names = foreign_names
        self.foreign_values = foreign_values or {}
        self.aliases = aliases
        self.migrations = migrations
        self.namespaces = {"images": parameters, **(namespaces or {})}
        self.repairs = repairs or Repairs()
        self._checkers: dict[str, Any] = {}
        self._takers: dict[str, tuple[str, ...]] = {}
        self._folded: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<Spec {self.path!r}: {len(self.models)} models, {len(self.parameters)} parameters>"

    def model(self, model_id: str) -> Model | None:
        """The model with this exact id, or None."""
        return self.models.get(model_id)

    def parameters_of(self, endpoint: str) -> Mapping[str, Parameter]:
        """The parameter namespace of an endpoint (``images``, ``videos``)."""
        return self.namespaces.get(endpoint, {})

    def takers(self, param: str, endpoint: str = "images") -> tuple[str, ...]:
        """Ids of the models on ``endpoint`` that take ``param``, in spec order."""
        key = f"{endpoint}\0{param}"
        found = self._takers.get(key)
        if found is None:
            found = tuple(
                m.id for m in self.models.values() if m.endpoint == endpoint and param in m.params
            )
            self._takers[key] = found
        return found

    def fold(self, model_id: str) -> str | None:
        """The id that matches ``model_id`` ignoring case, if there is exactly one."""
        if not self._folded:
            self._folded.update({m.lower(): m for m in self.models})
        return self._folded.get(model_id.lower())

    @classmethod
    def from_resolved(cls, data: Mapping[str, Any], path: str, digest: str) -> Spec:
        """Build a Spec from the resolved (cacheable) form."""
        parameters = Lazy(data["parameters"], _image_parameter)
        namespaces = {
            endpoint: Lazy(e["parameters"], partial(_parameter, endpoint=endpoint))
            for endpoint, e in data.get("endpoints", {}).items()
        }
        models = Lazy(data["models"], _model)
        aliases = {a: name for name, p in data["parameters"].items() for a in p.get("aliases", ())}
        return cls(
            path=path,
            digest=digest,
            title=data["title"],
            checked=data["checked"],
            sources=Lazy(data["sources"], _source),
            parameters=parameters,
            models=models,
            foreign_names=dict(data.get("foreign_names", {})),
            foreign_values={k: dict(v) for k, v in data.get("foreign_values", {}).items()},
            aliases=aliases,
            migrations=MappingProxyType(dict(data.get("migrations", {}))),
            namespaces=namespaces,
            repairs=Repairs.from_dict(data.get("repairs", {})),
        )


class Lazy(Mapping[str, _V]):
    """A read-only mapping, in spec order, whose values are built when first used.

    ``Spec.models``, ``parameters``, each namespace and ``sources`` are these: a
    request names one model and a few parameters, and building all of them would be
    most of a ``capspec lint`` start. Iterating over the values builds them all.
    """

    __slots__ = ("_build", "_built", "_resolved")

    def __init__(self, resolved: Mapping[str, Any], build: Callable[[str, Any], _V]) -> None:
        self._resolved = resolved
        self._build = build
        self._built: dict[str, _V] = {}

    def __getitem__(self, key: str) -> _V:
        try:
            return self._built[key]
        except KeyError:
            value = self._built[key] = self._build(key, self._resolved[key])
            return value

    def __contains__(self, key: object) -> bool:
        return key in self._resolved

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolved)

    def __len__(self) -> int:
        return len(self._resolved)

    def __repr__(self) -> str:
        return f"<{len(self)} built when used: {', '.join(self._resolved)}>"


def _source(source_id: str, s: Mapping[str, Any]) -> Source:
    return Source(id=source_id, **s)


def _parameter(name: str, p: Mapping[str, Any], endpoint: str) -> Parameter:
    return Parameter(
        name=name,
        description=p["description"],
        schema=ValueSchema.from_dict(p["schema"]),
        default=p.get("default"),
        has_default="default" in p,
        aliases=tuple(p.get("aliases", ())),
        instead=tuple(p.get("instead", ())),
        sources=tuple(p["sources"]),
        evidence=_evidence(p),
        endpoint=endpoint,
        deprecated=Deprecation(
            use=p["deprecated"]["use"], sources=tuple(p["deprecated"]["sources"])
        )
        if "deprecated" in p
        else None,
    )


def _image_parameter(name: str, p: Mapping[str, Any]) -> Parameter:
    return _parameter(name, p, "images")


def _model(model_id: str, m: Mapping[str, Any]) -> Model:
    params = {
        name: ModelParameter(
            name=name,
            schema=ValueSchema.from_dict(p["schema"]),
            required=p.get("required", False),
            default=p.get("default"),
            has_default="default" in p,
            model_default=p.get("model_default", False),
            sources=tuple(p.get("sources", ())),
            note=p.get("note"),
            evidence=_evidence(p),
        )
        for name, p in m["params"].items()
    }
    unsupported = {
        name: Unsupported(
            name=name,
            note=u.get("note"),
            sources=tuple(u.get("sources", ())),
            evidence=_evidence(u),
        )
        for name, u in m["unsupported"].items()
    }
    ignored = {
        name: Ignored(
            name=name,
            note=u.get("note"),
            instead=tuple(u.get("instead", ())),
            sources=tuple(u.get("sources", ())),
            evidence=_evidence(u),
        )
        for name, u in m.get("ignored", {}).items()
    }
    rules = tuple(
        Rule(
            kind=r["kind"],
            params=tuple(r.get("params", ())),
            severity=r.get("severity", "error"),
            sizes=tuple(parse_size(s) for s in r.get("sizes", ())),
            advised=tuple(parse_size(s) for s in r.get("advised", ())),
            minimum=r.get("minimum"),
            maximum=r.get("maximum"),
            note=r.get("note"),
            sources=tuple(r.get("sources", ())),
            evidence=_evidence(r),
        )
        for r in m["rules"]
    )
    life = m["lifecycle"]
    return Model(
        id=model_id,
        name=m["name"],
        short_name=m.get("short_name", m["name"]),
        family=m["family"],
        endpoint=m["endpoint"],
        lifecycle=_lifecycle(life),
        params=params,
        unsupported=unsupported,
        rules=rules,
        sources=tuple(m["sources"]),
        extends=tuple(m.get("extends", ())),
        note=m.get("note"),
        ignored=ignored,
    )


def _evidence(node: Mapping[str, Any]) -> tuple[Evidence, ...]:
    """The resolved evidence list of a cell or rule: ``[{fact, source, shows, says}]``."""
    return tuple(Evidence(**e) for e in node.get("evidence", ()))


def _lifecycle(life: Mapping[str, Any]) -> Lifecycle:
    successor = life.get("replaced_by")
    return Lifecycle(
        status=life["status"],
        note=life.get("note"),
        sources=tuple(life.get("sources", ())),
        announced=life.get("announced"),
        removed=life.get("removed"),
        last_seen=life.get("last_seen"),
        unlisted_by=life.get("unlisted_by"),
        refused=life.get("refused", False),
        replaced_by=Successor(
            model=successor["model"],
            note=successor.get("note"),
            sources=tuple(successor.get("sources", ())),
        )
        if successor
        else None,
    )


def parse_size(text: str) -> tuple[int, int]:
    width, height = text.split("x")
    return int(width), int(height)

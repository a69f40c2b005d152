"""Drift: where the capability spec and Together's live API part ways.

Two comparisons, each a list of ``Drift`` (empty when nothing drifted):

* ``compare_listing``: the spec's models against Together's model listing (the
  answer of ``GET /v1/models``). Only image and video models count; chat and
  every other type are ignored unless the spec has the id.
* ``compare_openapi``: the spec's parameters against the request bodies of an
  OpenAPI document (``POST /images/generations``, ``POST /videos``).

The spec is read through its public types (``Spec.models``, ``Model.endpoint``,
``Model.lifecycle``, ``Model.params``), never as a file.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from validator._problem import describe
from validator._tuples import NamedTuple
from validator.drift._openapi import BOUNDS, Shape, pooled_enum, request_bodies
from validator.files._decode import json_message, json_position

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from validator.drift._openapi import Body
    from validator.spec._spec import Model, Spec
    from validator.spec._values import ValueSchema


#: Every kind of drift, with what it means (``capspec drift --help`` lists them).
KINDS: Final = {
    "new_model": "listed as an image or video model; the spec does not have it",
    "unlisted_model": "the spec says it is served (active or deprecated); the listing "
    "does not have it: a candidate for retirement",
    "relisted_model": "the spec says it is retired; the listing has it again",
    "type_mismatch": "listed under another type than the spec's endpoint for it",
    "missing_endpoint": "the spec has models on an endpoint the OpenAPI document has no "
    "request body for",
    "new_parameter": "the OpenAPI request body has a parameter no model of that endpoint "
    "takes, ignores or refuses in the spec",
    "missing_parameter": "the spec cites the OpenAPI document for a parameter its request "
    "body no longer has",
    "type_differs": "the OpenAPI document and the spec give a parameter different types",
    "enum_differs": "the OpenAPI document and the spec allow different values",
    "bound_differs": "the OpenAPI document bounds a parameter otherwise than the spec",
    "deprecated_parameter": "the OpenAPI document deprecates a parameter served models take",
}

#: Model types in the listing, by spec endpoint.
LISTING_TYPES: Final = {"images": "image", "videos": "video"}


class ListingError(Exception):
    """A model listing that cannot be used; the message says why."""


class Drift(NamedTuple):
    """One way the spec and the API disagree.

    Attributes:
        kind: One of ``KINDS``.
        subject: What it is about: a model id, or ``endpoint.parameter`` (with
            ``[]`` for array items and ``.name`` for object properties).
        message: What disagrees, in a sentence.
        hint: What to do about it, or None.
        source: The input that showed it (a file name or URL).
        model: The model id, for model drifts.
        param: The parameter path, for parameter drifts.
        endpoint: The endpoint (``images``, ``videos``), when known.
    """

    kind: str
    subject: str
    message: str
    hint: str | None
    source: str
    model: str | None = None
    param: str | None = None
    endpoint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return self._asdict()


# --- the model listing -------------------------------------------------------------


class Listed(NamedTuple):
    """One model of the listing: its id and type (``image``, ``video``, ``chat``...)."""

    id: str
    type: str | None
    display_name: str | None = None


def parse_listing(content: bytes, name: str) -> list[Listed]:
    """Read ``GET /v1/models``: a JSON array of model objects (or ``{"data": [...]}``).

    Raises:
        ListingError: not UTF-8 JSON, not an array of objects, or an object without
            a string ``id``.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListingError(f"{name}: not UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise ListingError(
            f"{name}: empty: expected a model listing (the JSON answer of GET /v1/models)"
        )
    try:
        data = json.loads(text)
    except RecursionError:
        raise ListingError(f"{name}: JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        # The same sentence capspec lint gives for a broken request file.
        at_line, column = json_position(exc)
        raise ListingError(f"{name}:{at_line}:{column}: {json_message(exc)}") from None
    except ValueError as exc:
        raise ListingError(f"{name}: not valid JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise ListingError(
            f"{name}: not a model listing: expected a JSON array of models "
            f"(the answer of GET /v1/models), found {_json_type(data)}"
        )
    listed: list[Listed] = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise ListingError(
                f"{name}: model {index}: expected an object, found {_json_type(item)}"
            )
        model_id = item.get("id")
        if not isinstance(model_id, str) or not model_id:
            raise ListingError(f"{name}: model {index}: no 'id' string")
        kind = item.get("type")
        display = item.get("display_name")
        listed.append(
            Listed(
                model_id,
                kind if isinstance(kind, str) else None,
                display if isinstance(display, str) else None,
            )
        )
    return listed


def _article(word: str) -> str:
    return "an" if word[:1].lower() in set("aeiou") else "a"


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def listing_type(model: Model) -> str:
    """The listing's ``type`` for a spec model's endpoint (``images`` -> ``image``)."""
    return LISTING_TYPES.get(model.endpoint, model.endpoint.removesuffix("s"))


def compare_listing(spec: Spec, listed: list[Listed], source: str) -> list[Drift]:
    """The spec's models against Together's listing, in spec order, then new models.

    Reports image and video models listed but absent from the spec, models the
    spec says are served that are not listed, retired models listed again, and
    models listed under another type than their endpoint.
    """
    watched = frozenset(LISTING_TYPES.values()) | {listing_type(m) for m in spec.models.values()}
    by_id: dict[str, list[Listed]] = {}
    for item in listed:
        by_id.setdefault(item.id, []).append(item)
    found: list[Drift] = []
    for model in spec.models.values():
        entries = by_id.get(model.id, [])
        life = model.lifecycle
        expected = listing_type(model)
        types = sorted({e.type or "(none)" for e in entries})
        if not entries:
            if life.served:
                found.append(_unlisted(model, listed, source))
            continue
        if not life.served:
            successor = life.replaced_by.model if life.replaced_by else None
            instead = f"; its successor is {successor}" if successor else ""
            found.append(
                Drift(
                    "relisted_model",
                    model.id,
                    f"{model.id}: the spec says {_status(model)}{instead}; the listing has it "
                    f"again (type {', '.join(types)})",
                    "check that it answers, then make its lifecycle active in the spec",
                    source,
                    model=model.id,
                    endpoint=model.endpoint,
                )
            )
        if expected not in types:
            found.append(
                Drift(
                    "type_mismatch",
                    model.id,
                    f"{model.id}: listed as type {', '.join(types)}; the spec serves it on "
                    f"the {model.endpoint} endpoint (type {expected})",
                    "check which API serves it and correct its endpoint in the spec",
                    source,
                    model=model.id,
                    endpoint=model.endpoint,
                )
            )
    reported: set[str] = set()
    for item in listed:
        if item.type not in watched or item.id in spec.models or item.id in reported:
            continue
        reported.add(item.id)
        found.append(_new(spec, item, source))
    return found


def _status(model: Model) -> str:
    """The lifecycle in words: ``retired (removed 2026-02-27; the API refuses it)``."""
    life = model.lifecycle
    dates = []
    if life.removed:
        dates.append(f"removed {life.removed}")
    elif life.unlisted_by:
        dates.append(f"absent from model lists since {life.unlisted_by}")
    elif life.announced:
        dates.append(f"deprecation announced {life.announced}")
    if life.refused:
        dates.append("the API refuses it")
    return f"{life.status} ({'; '.join(dates)})" if dates else life.status


def _unlisted(model: Model, listed: list[Listed], source: str) -> Drift:
    cased = [i.id for i in listed if i.id.lower() == model.id.lower()]
    successor = model.lifecycle.replaced_by.model if model.lifecycle.replaced_by else None
    if cased:
        hint = f"the listing has {describe(cased[0])}, which differs only in case"
    elif successor:
        hint = f"if Together no longer serves it, retire it in the spec (successor: {successor})"
    else:
        hint = "if Together no longer serves it, make its lifecycle retired in the spec"
    return Drift(
        "unlisted_model",
        model.id,
        f"{model.id}: the spec says {_status(model)}; the listing does not have it "
        "(a candidate for retirement)",
        hint,
        source,
        model=model.id,
        endpoint=model.endpoint,
    )


def _new(spec: Spec, item: Listed, source: str) -> Drift:
    named = f" ({item.display_name})" if item.display_name else ""
    folded = spec.fold(item.id)
    hint = (
        f"the spec has {describe(folded)}, which differs only in case"
        if folded
        else "add it to capabilities.yaml with what it takes, and its sources"
    )
    return Drift(
        "new_model",
        item.id,
        f"{item.id}{named}: listed as {_article(item.type or '')} {item.type} model; "
        "the spec does not have it",
        hint,
        source,
        model=item.id,
    )


# --- the OpenAPI document -----------------------------------------------------------


def compare_openapi(spec: Spec, doc: Mapping[str, Any], source: str) -> list[Drift]:
    """The spec's parameters, endpoint by endpoint, against the OpenAPI request bodies.

    Raises:
        validator.drift._openapi.OpenApiError: a reference in a request body cannot be resolved.
    """
    endpoints = list(dict.fromkeys(m.endpoint for m in spec.models.values()))
    bodies = request_bodies(doc, endpoints)
    found: list[Drift] = []
    for endpoint in endpoints:
        body = bodies[endpoint]
        models = [m for m in spec.models.values() if m.endpoint == endpoint]
        if body is None:
            if any(m.lifecycle.served for m in models):
                found.append(
                    Drift(
                        "missing_endpoint",
                        endpoint,
                        f"{endpoint}: the OpenAPI document has no JSON request body for "
                        f"POST ...{_tail(endpoint)}, where the spec's {endpoint} models are served",
                        "check whether Together moved or retired the endpoint",
                        source,
                        endpoint=endpoint,
                    )
                )
            continue
        found.extend(_EndpointCheck(spec, endpoint, models, body, source).run())
    return found


def _tail(endpoint: str) -> str:
    from validator.drift._openapi import ENDPOINT_PATHS  # noqa: PLC0415

    return ENDPOINT_PATHS.get(endpoint, f"/{endpoint}")


def _is_openapi_source(spec: Spec, source_id: str) -> bool:
    source = spec.sources.get(source_id)
    if source is None:
        return False
    return "openapi" in f"{source.title} {source.url}".lower()


class _EndpointCheck:
    """One endpoint: the OpenAPI body against the models the spec serves there."""

    def __init__(
        self, spec: Spec, endpoint: str, models: list[Model], body: Body, source: str
    ) -> None:
        self.spec = spec
        self.endpoint = endpoint
        self.models = models
        self.served = [m for m in models if m.lifecycle.served]
        self.body = body
        self.source = source

    def drift(self, kind: str, param: str, message: str, hint: str | None) -> Drift:
        subject = f"{self.endpoint}.{param}"
        return Drift(
            kind,
            subject,
            f"{subject}: {message}",
            hint,
            self.source,
            param=param,
            endpoint=self.endpoint,
        )

    def known(self, name: str) -> bool:
        """Whether any model of the endpoint takes, ignores or refuses ``name``."""
        return any(
            name in m.params or name in m.unsupported or name in m.ignored for m in self.models
        )

    def cited(self, name: str) -> bool:
        """Whether the spec cites an OpenAPI source for ``name`` on this endpoint."""
        ids: set[str] = set()
        parameter = self.spec.parameters.get(name)
        if parameter is not None:
            ids.update(parameter.sources)
        for model in self.served:
            taken = model.params.get(name)
            if taken is not None:
                ids.update(taken.sources)
        return any(_is_openapi_source(self.spec, i) for i in ids)

    def run(self) -> Iterator[Drift]:
        where = self.body.where
        for name, shape in self.body.properties.items():
            if name == "model":
                continue
            takers = [(m.id, m.params[name].schema) for m in self.served if name in m.params]
            if not self.known(name):
                yield self.drift(
                    "new_parameter",
                    name,
                    f"{where} has it ({_describe(shape)}); no {self.endpoint} model in the "
                    "spec takes, ignores or refuses it",
                    "find out which models take it, and add it to the spec",
                )
                continue
            if shape.deprecated and takers:
                yield self.drift(
                    "deprecated_parameter",
                    name,
                    f"{where} deprecates it ({_sentence(shape.deprecated)}); "
                    f"in the spec, {_models(m for m, _ in takers)} take it",
                    "check whether those models still take it, and what replaces it",
                )
            if takers:
                yield from self.compare(name, shape, envelope([flatten(s) for _, s in takers]))
        for name in self.taken_names():
            if name not in self.body.properties and self.cited(name):
                yield self.drift(
                    "missing_parameter",
                    name,
                    f"the spec cites the OpenAPI document for it, but {where} no longer has it",
                    "check whether Together still takes it, and update its sources or the spec",
                )

    def taken_names(self) -> list[str]:
        names: dict[str, None] = {}
        for model in self.served:
            names.update(dict.fromkeys(model.params))
        return list(names)

    def compare(self, path: str, oas: Shape, ours: Shape) -> Iterator[Drift]:
        """Types, enumerations and bounds at one place, then items and properties.

        ``ours`` is the envelope of the served models (``envelope``): a model may
        narrow what the endpoint takes, so only the widest the spec allows anywhere
        is held against the document.
        """
        if oas.types and oas.types != ours.types:
            yield self.drift(
                "type_differs",
                path,
                f"the OpenAPI document says {_type_words(oas.types)}; "
                f"the spec says {_type_words(ours.types)}",
                "check which values the API accepts, and correct the type",
            )
        if oas.enum != ours.enum:
            yield self.drift(
                "enum_differs",
                path,
                f"the OpenAPI document allows {_enum_words(oas.enum)}; "
                f"the spec allows {_enum_words(ours.enum)}",
                "check which values the API accepts, and correct the enumeration",
            )
        for name, theirs in oas.bounds.items():
            if _number(theirs) != _number(ours.bounds.get(name)):
                yield self.drift(
                    "bound_differs",
                    path,
                    f"{name}: the OpenAPI document says {_number(theirs)}; the spec says "
                    f"{_number(ours.bounds.get(name))} (the widest of its {self.endpoint} models)",
                    "check the bound against the API, and correct the spec or its advice",
                )
        if oas.items is not None and ours.items is not None:
            yield from self.compare(f"{path}[]", oas.items, ours.items)
        if not (oas.properties and ours.properties):
            return
        for name, sub in oas.properties.items():
            if name in ours.properties:
                yield from self.compare(f"{path}.{name}", sub, ours.properties[name])
            else:
                yield self.drift(
                    "new_parameter",
                    f"{path}.{name}",
                    f"{self.body.where} has it ({_describe(sub)}); the spec does not",
                    "find out what it does, and add the property to the spec",
                )
        for name in ours.properties:
            if name not in oas.properties:
                yield self.drift(
                    "missing_parameter",
                    f"{path}.{name}",
                    f"the spec has it; {self.body.where} does not",
                    "check whether Together still takes it",
                )


def envelope(shapes: list[Shape]) -> Shape:
    """The widest of several shapes: what at least one of them allows.

    Types and enumerations are pooled (one open enumeration opens them all); a
    bound is the loosest given, and none when one shape has none.
    """
    if not shapes:
        return Shape()
    types = frozenset().union(*(s.types for s in shapes))
    enum: frozenset[Any] | None = frozenset()
    for shape in shapes:
        enum = None if enum is None or shape.enum is None else enum | shape.enum
    bounds: dict[str, Any] = {}
    for name in BOUNDS.values():
        values = [s.bounds[name] for s in shapes if s.bounds.get(name) is not None]
        if len(values) < len(shapes):
            continue
        if name.startswith("min"):
            bounds[name] = min(values)
        elif name.startswith("max"):
            bounds[name] = max(values)
        elif len(set(values)) == 1:  # multiple_of: only when they all agree
            bounds[name] = values[0]
    items = [s.items for s in shapes if s.items is not None]
    names = dict.fromkeys(name for s in shapes for name in s.properties)
    properties = {
        name: envelope([s.properties[name] for s in shapes if name in s.properties])
        for name in names
    }
    return Shape(types, enum, bounds, envelope(items) if items else None, properties)


def flatten(schema: ValueSchema) -> Shape:
    """A spec value schema as a Shape, comparable with the OpenAPI document's."""
    if schema.any_of:
        alternatives = [flatten(alt) for alt in schema.any_of]
        types = frozenset().union(*(a.types for a in alternatives))
        return Shape(types=types, enum=pooled_enum(alternatives))
    bounds = {
        name: getattr(schema, name)
        for name in BOUNDS.values()
        if getattr(schema, name, None) is not None
    }
    return Shape(
        types=frozenset({schema.type}) if schema.type else frozenset(),
        enum=frozenset(schema.enum) if schema.enum is not None else None,
        bounds=bounds,
        items=flatten(schema.items) if schema.items is not None else None,
        properties={name: flatten(sub) for name, sub in schema.properties.items()},
    )


def _models(ids: Iterable[str]) -> str:
    names = list(ids)
    if len(names) > 4:
        return f"{', '.join(names[:4])} and {len(names) - 4} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _type_words(types: frozenset[str]) -> str:
    return " or ".join(sorted(types)) if types else "any type"


def _enum_words(enum: frozenset[Any] | None) -> str:
    if enum is None:
        return "any value of its type"
    return "only " + ", ".join(sorted(json.dumps(v) for v in enum))


def _number(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _describe(shape: Shape) -> str:
    words = _type_words(shape.types)
    if shape.enum is not None:
        words += ", " + _enum_words(shape.enum)
    return words


def _sentence(text: str) -> str:
    text = text.rstrip(".")
    return text if len(text) <= 120 else text[:117] + "..."

"""Read the request bodies of an OpenAPI document as plain shapes, for ``capspec drift``.

Only what drift compares is kept: types, enumerations, bounds, items,
properties and ``deprecated``. Local ``$ref`` (``#/components/...``) are
resolved, ``allOf`` is merged, ``anyOf``/``oneOf`` alternatives are pooled.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from validator._problem import describe
from validator._tuples import NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Where Together serves each spec endpoint (the path's tail, after any /v1 or /v2).
ENDPOINT_PATHS: Final = {"images": "/images/generations", "videos": "/videos"}

#: OpenAPI bound keywords and the spec's names for them.
BOUNDS: Final = {
    "minimum": "minimum",
    "maximum": "maximum",
    "multipleOf": "multiple_of",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
}
_MAX_DEPTH: Final = 64


class OpenApiError(Exception):
    """A document that is not a usable OpenAPI document; the message says why."""


class Shape(NamedTuple):
    """What a value may be: its types, enumeration, bounds, items and properties.

    ``enum`` is None when any value of the types is allowed. Bounds use the spec's
    names (``min_length``). ``deprecated`` holds the deprecation note, or None.
    """

    types: frozenset[str] = frozenset()
    enum: frozenset[Any] | None = None
    bounds: Mapping[str, Any] = {}
    items: Shape | None = None
    properties: Mapping[str, Shape] = {}
    deprecated: str | None = None


class Body(NamedTuple):
    """One request body: the endpoint it belongs to, where it is, and its properties."""

    endpoint: str
    where: str
    properties: Mapping[str, Shape]


def load(content: bytes, name: str) -> dict[str, Any]:
    """Parse an OpenAPI document, JSON or YAML (safe loader, capspec's limits).

    Raises:
        OpenApiError: not UTF-8, not JSON or YAML, or not an OpenAPI document.
    """
    from validator.files._yaml import YamlError, load_one  # noqa: PLC0415

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OpenApiError(f"{name}: not UTF-8 (byte {exc.start})") from None
    data: Any
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise OpenApiError(f"{name}: not valid JSON: {exc}") from None
        except RecursionError:
            raise OpenApiError(f"{name}: JSON nested too deeply") from None
    else:
        try:
            data = load_one(text).value
        except YamlError as exc:
            raise OpenApiError(f"{name}:{exc.line}:{exc.column}: {exc.message}") from None
    if not isinstance(data, dict) or not isinstance(data.get("paths"), dict):
        raise OpenApiError(f"{name}: not an OpenAPI document (no 'paths' mapping)")
    return data


def request_bodies(doc: Mapping[str, Any], endpoints: list[str]) -> dict[str, Body | None]:
    """The JSON request body of ``POST`` for each endpoint, or None when the document has none.

    Raises:
        OpenApiError: a ``$ref`` that cannot be resolved, or a cycle too deep.
    """
    paths: Mapping[str, Any] = doc["paths"]
    found: dict[str, Body | None] = {}
    for endpoint in endpoints:
        tail = ENDPOINT_PATHS.get(endpoint, f"/{endpoint}")
        found[endpoint] = None
        for path, item in paths.items():
            if not (isinstance(path, str) and path.rstrip("/").endswith(tail)):
                continue
            schema = _json_schema(item)
            if schema is None:
                continue
            where = f"paths.{path}.post.requestBody"
            shape = _Reader(doc).shape(schema, where, 0)
            found[endpoint] = Body(endpoint, f"POST {path}", shape.properties)
            break
    return found


def _json_schema(item: Any) -> Any:
    post = item.get("post") if isinstance(item, dict) else None
    body = post.get("requestBody") if isinstance(post, dict) else None
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return None
    for media, entry in content.items():
        if isinstance(media, str) and "json" in media and isinstance(entry, dict):
            return entry.get("schema")
    return None


class _Reader:
    """Turns schema objects into Shapes, following local references."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc

    def deref(self, schema: Any, where: str, depth: int) -> tuple[Any, str, str | None]:
        """Follow ``$ref`` chains; returns the schema, where it is, and a sibling deprecation."""
        deprecated = _deprecation(schema) if isinstance(schema, dict) else None
        while isinstance(schema, dict) and "$ref" in schema:
            if depth > _MAX_DEPTH:
                raise OpenApiError(f"{where}: $ref chain deeper than {_MAX_DEPTH} (a cycle?)")
            ref = schema["$ref"]
            schema, where = self.resolve(ref, where), str(ref)
            deprecated = deprecated or (_deprecation(schema) if isinstance(schema, dict) else None)
            depth += 1
        return schema, where, deprecated

    def resolve(self, ref: Any, where: str) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise OpenApiError(f"{where}: $ref {describe(ref)} points outside the document")
        node: Any = self.doc
        for raw in ref[1:].split("/")[1:]:
            key = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise OpenApiError(f"{where}: $ref {describe(ref)} does not resolve")
        return node

    def shape(self, schema: Any, where: str, depth: int) -> Shape:
        if depth > _MAX_DEPTH:
            raise OpenApiError(f"{where}: schema nested deeper than {_MAX_DEPTH} (a cycle?)")
        schema, where, deprecated = self.deref(schema, where, depth)
        if not isinstance(schema, dict):
            return Shape(deprecated=deprecated)
        parts = [self._own(schema, where, depth)]
        parts.extend(
            self.shape(sub, f"{where}.allOf[{i}]", depth + 1)
            for i, sub in enumerate(_list(schema.get("allOf")))
        )
        merged = _merge(parts)
        alternatives = [
            self.shape(sub, f"{where}.{key}[{i}]", depth + 1)
            for key in ("anyOf", "oneOf")
            for i, sub in enumerate(_list(schema.get(key)))
        ]
        if alternatives:
            merged = _merge([merged, _pool(alternatives)])
        return merged._replace(deprecated=deprecated or merged.deprecated)

    def _own(self, schema: dict[str, Any], where: str, depth: int) -> Shape:
        raw = schema.get("type")
        types = {raw} if isinstance(raw, str) else {t for t in _list(raw) if isinstance(t, str)}
        types.discard("null")
        enum: frozenset[Any] | None = None
        if isinstance(schema.get("enum"), list):
            enum = frozenset(_hashable(v) for v in schema["enum"] if v is not None)
        elif "const" in schema:
            enum = frozenset({_hashable(schema["const"])})
        bounds = {
            name: schema[key]
            for key, name in BOUNDS.items()
            if isinstance(schema.get(key), (int, float)) and not isinstance(schema[key], bool)
        }
        items = None
        if "items" in schema:
            items = self.shape(schema["items"], f"{where}.items", depth + 1)
        props = schema.get("properties")
        properties = (
            {
                str(name): self.shape(sub, f"{where}.properties.{name}", depth + 1)
                for name, sub in props.items()
            }
            if isinstance(props, dict)
            else {}
        )
        return Shape(frozenset(types), enum, bounds, items, properties, _deprecation(schema))


def _deprecation(schema: dict[str, Any]) -> str | None:
    if schema.get("deprecated") is not True:
        return None
    description = schema.get("description")
    text = " ".join(description.split()) if isinstance(description, str) else ""
    return text or "deprecated"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _hashable(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def _merge(parts: list[Shape]) -> Shape:
    """``allOf``: every part applies; the first that says something wins."""
    types: frozenset[str] = frozenset()
    enum: frozenset[Any] | None = None
    bounds: dict[str, Any] = {}
    items: Shape | None = None
    properties: dict[str, Shape] = {}
    deprecated: str | None = None
    for part in parts:
        types = types or part.types
        enum = enum if enum is not None else part.enum
        for key, value in part.bounds.items():
            bounds.setdefault(key, value)
        items = items or part.items
        for key, value in part.properties.items():
            properties.setdefault(key, value)
        deprecated = deprecated or part.deprecated
    return Shape(types, enum, bounds, items, properties, deprecated)


def _pool(alternatives: list[Shape]) -> Shape:
    """``anyOf``/``oneOf``: a value may be any alternative; bounds stay with their type."""
    types = frozenset().union(*(a.types for a in alternatives))
    bounds: dict[str, Any] = {}
    for alt in alternatives:
        for key, value in alt.bounds.items():
            bounds.setdefault(key, value)
    items = next((a.items for a in alternatives if a.items is not None), None)
    properties: dict[str, Shape] = {}
    for alt in alternatives:
        for key, value in alt.properties.items():
            properties.setdefault(key, value)
    deprecated = next((a.deprecated for a in alternatives if a.deprecated), None)
    return Shape(types, pooled_enum(alternatives), bounds, items, properties, deprecated)


def pooled_enum(alternatives: list[Shape]) -> frozenset[Any] | None:
    """The values a choice of alternatives is limited to, or None when one is open.

    ``anyOf: [{type: number}, {type: string, enum: [first, last]}]`` is limited to
    ``first`` and ``last`` among strings (numbers are another type); adding an open
    ``{type: string}`` alternative makes it any string.
    """
    enumerated = [a for a in alternatives if a.enum is not None]
    if not enumerated:
        return None
    enum_types = frozenset().union(*(a.types for a in enumerated))
    for alt in alternatives:
        if alt.enum is None and (not alt.types or alt.types & enum_types):
            return None
    return frozenset().union(*(a.enum for a in enumerated if a.enum is not None))

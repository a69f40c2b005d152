"""Load, check and resolve capabilities.yaml into a Spec; cache the resolved form."""

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from validator import _resources
from validator._problem import Problem
from validator._values import ValueSchema, compile_value, ratio
from validator._version import __version__
from validator.errors import SpecError, SpecIssue

if TYPE_CHECKING:
    from fractions import Fraction

    from validator._yaml import Document

_FORMAT: Final = 1
_CACHE_FORMAT: Final = 2
_CONSTRAINTS: Final = (
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "multiple_of",
    "min_length",
    "max_length",
    "min_items",
    "max_items",
)
_APPLIES: Final[dict[str, set[str]]] = {
    "pattern": {"string"},
    "min_length": {"string"},
    "max_length": {"string"},
    "minimum": {"integer", "number"},
    "maximum": {"integer", "number"},
    "multiple_of": {"integer"},
    "min_items": {"array"},
    "max_items": {"array"},
    "ratio_min": {"string"},
    "ratio_max": {"string"},
}


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


class Unsupported(NamedTuple):
    """A parameter the spec explicitly marks as not taken by a model, with why."""

    name: str
    note: str | None = None
    sources: tuple[str, ...] = ()


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

    @property
    def ratio_bounds(self) -> "tuple[Fraction | None, Fraction | None]":
        """For an aspect_ratio rule: the bounds as exact fractions."""
        lo = ratio(self.minimum) if self.minimum is not None else None
        hi = ratio(self.maximum) if self.maximum is not None else None
        return lo, hi


class Lifecycle(NamedTuple):
    """Whether a model is active, deprecated or retired, since when, and who says so."""

    status: str
    since: str | None = None
    note: str | None = None
    sources: tuple[str, ...] = ()


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

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the parameters this model requires (besides ``model``)."""
        return tuple(p.name for p in self.params.values() if p.required)

    @property
    def defaults(self) -> dict[str, Any]:
        """The defaults this model declares, by parameter name."""
        return {p.name: p.default for p in self.params.values() if p.has_default}


class Spec:
    """A loaded, checked capability spec. Build it with ``validator.load_spec``.

    Attributes:
        path: Where the spec was read from.
        digest: SHA-256 of the spec file (and the capspec version).
        title: The spec's title.
        checked: When its sources were last reviewed as a whole.
        sources: Every source, by id.
        parameters: Every API parameter, by name.
        models: Every model, by exact id, in spec order.
        foreign_names: Names from other APIs, with what to use instead.
        aliases: Old parameter names, mapped to the current ones.
    """

    __slots__ = (
        "_checkers",
        "_folded",
        "_takers",
        "aliases",
        "checked",
        "digest",
        "foreign_names",
        "models",
        "parameters",
        "path",
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
        aliases: Mapping[str, str],
    ) -> None:
        self.path = path
        self.digest = digest
        self.title = title
        self.checked = checked
        self.sources = sources
        self.parameters = parameters
        self.models = models
        self.foreign_names = foreign_names
        self.aliases = aliases
        self._checkers: dict[str, Any] = {}
        self._takers: dict[str, tuple[str, ...]] = {}
        self._folded: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<Spec {self.path!r}: {len(self.models)} models, {len(self.parameters)} parameters>"

    def model(self, model_id: str) -> Model | None:
        """The model with this exact id, or None."""
        return self.models.get(model_id)

    def takers(self, param: str) -> tuple[str, ...]:
        """Ids of the models that take ``param``, in spec order."""
        found = self._takers.get(param)
        if found is None:
            found = tuple(m.id for m in self.models.values() if param in m.params)
            self._takers[param] = found
        return found

    def fold(self, model_id: str) -> str | None:
        """The id that matches ``model_id`` ignoring case, if there is exactly one."""
        if not self._folded:
            self._folded.update({m.lower(): m for m in self.models})
        return self._folded.get(model_id.lower())

    @classmethod
    def from_resolved(cls, data: Mapping[str, Any], path: str, digest: str) -> "Spec":
        """Build a Spec from the resolved (cacheable) form."""
        parameters = {
            name: Parameter(
                name=name,
                description=p["description"],
                schema=ValueSchema.from_dict(p["schema"]),
                default=p.get("default"),
                has_default="default" in p,
                aliases=tuple(p.get("aliases", ())),
                instead=tuple(p.get("instead", ())),
                sources=tuple(p["sources"]),
            )
            for name, p in data["parameters"].items()
        }
        models = {model_id: _model(model_id, m) for model_id, m in data["models"].items()}
        aliases = {a: name for name, p in parameters.items() for a in p.aliases}
        return cls(
            path=path,
            digest=digest,
            title=data["title"],
            checked=data["checked"],
            sources={k: Source(id=k, **v) for k, v in data["sources"].items()},
            parameters=parameters,
            models=models,
            foreign_names=dict(data.get("foreign_names", {})),
            aliases=aliases,
        )


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
        )
        for name, p in m["params"].items()
    }
    unsupported = {
        name: Unsupported(name=name, note=u.get("note"), sources=tuple(u.get("sources", ())))
        for name, u in m["unsupported"].items()
    }
    rules = tuple(
        Rule(
            kind=r["kind"],
            params=tuple(r.get("params", ())),
            severity=r.get("severity", "error"),
            sizes=tuple(_size(s) for s in r.get("sizes", ())),
            advised=tuple(_size(s) for s in r.get("advised", ())),
            minimum=r.get("minimum"),
            maximum=r.get("maximum"),
            note=r.get("note"),
            sources=tuple(r.get("sources", ())),
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
        lifecycle=Lifecycle(
            status=life["status"],
            since=life.get("since"),
            note=life.get("note"),
            sources=tuple(life.get("sources", ())),
        ),
        params=params,
        unsupported=unsupported,
        rules=rules,
        sources=tuple(m["sources"]),
        extends=tuple(m.get("extends", ())),
        note=m.get("note"),
    )


def _size(text: str) -> tuple[int, int]:
    width, height = text.split("x")
    return int(width), int(height)


# --- loading -----------------------------------------------------------------

_memo: dict[tuple[str, str], Spec] = {}


def load_spec(path: str | os.PathLike[str] | None = None) -> Spec:
    """Load a capability spec: the bundled one by default.

    The resolved form is cached by content hash (see ``CAPSPEC_CACHE_DIR``), so a
    spec file is parsed and checked once, not on every start.

    Args:
        path: A capabilities.yaml file; None for the spec bundled with capspec.

    Returns:
        The checked, resolved spec.

    Raises:
        SpecError: the file cannot be read, is not valid YAML, or breaks the spec
            format or its semantic checks; ``issues`` locates each problem.
    """
    spec_path = Path(path) if path is not None else _resources.spec_path()
    shown = str(path) if path is not None else str(spec_path)
    try:
        raw = spec_path.read_bytes()
    except OSError as exc:
        reason = "is a directory" if spec_path.is_dir() else (exc.strerror or str(exc)).lower()
        raise SpecError(shown, [SpecIssue(f"cannot read the spec: {reason}", 0, 0, "")]) from None
    from hashlib import sha256  # noqa: PLC0415 - 2 ms of OpenSSL start-up, only when loading

    digest = sha256(raw + f"\0{__version__}\0{_CACHE_FORMAT}".encode()).hexdigest()
    memo = _memo.get((shown, digest))
    if memo is not None:
        return memo
    resolved = _cache_read(digest)
    if resolved is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            issue = SpecIssue(f"not UTF-8 (byte {exc.start})", 1, 1, "")
            raise SpecError(shown, [issue]) from None
        resolved = resolve_text(text, shown)
        _cache_write(digest, resolved)
    spec = Spec.from_resolved(resolved, shown, digest)
    if len(_memo) > 16:
        _memo.clear()
    _memo[(shown, digest)] = spec
    return spec


def _cache_dir() -> Path | None:
    if os.environ.get("CAPSPEC_NO_CACHE"):
        return None
    configured = os.environ.get("CAPSPEC_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "capspec"


def _cache_read(digest: str) -> dict[str, Any] | None:
    folder = _cache_dir()
    if folder is None:
        return None
    try:
        with (folder / f"spec-{digest}.json").open(encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("digest") != digest:
        return None
    resolved = data.get("resolved")
    return resolved if isinstance(resolved, dict) else None


def _cache_write(digest: str, resolved: dict[str, Any]) -> None:
    folder = _cache_dir()
    if folder is None:
        return
    from validator._files import write_atomic  # noqa: PLC0415 - only when writing the cache

    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        entry = json.dumps({"digest": digest, "resolved": resolved})
        write_atomic(folder / f"spec-{digest}.json", entry)


def resolve_text(text: str, shown: str) -> dict[str, Any]:
    """Parse, check and resolve spec text; raise SpecError listing every issue."""
    from validator._yaml import YamlError, load_one  # noqa: PLC0415 - not needed on cached starts

    try:
        doc = load_one(text, strict=True)
    except YamlError as exc:
        key = ".".join(str(p) for p in exc.path)
        raise SpecError(shown, [SpecIssue(exc.message, exc.line, exc.column, key)]) from None
    issues = _schema_issues(doc)
    if issues:
        raise SpecError(shown, issues)
    resolver = _Resolver(doc)
    resolved = resolver.resolve()
    if resolver.issues:
        unique = {(i.line, i.column, i.key, i.message): i for i in resolver.issues}
        raise SpecError(shown, sorted(unique.values(), key=lambda i: (i.line, i.column)))
    return resolved


def _position(doc: "Document", path: tuple[Any, ...]) -> tuple[int, int]:
    """Where the key at ``path`` (or its nearest located ancestor) is written."""
    for end in range(len(path), 0, -1):
        found = doc.keys.get(path[:end]) or doc.values.get(path[:end])
        if found:
            return found
    return (doc.line, doc.column)


def _issue(doc: "Document", path: tuple[Any, ...], message: str) -> SpecIssue:
    line, column = _position(doc, path)
    return SpecIssue(message, line, column, ".".join(str(p) for p in path))


def _schema_issues(doc: "Document") -> list[SpecIssue]:
    import jsonschema  # noqa: PLC0415 - only when a spec is (re)checked, never on cached starts

    schema = json.loads(_resources.spec_schema_path().read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = [_deepest(e) for e in validator.iter_errors(doc.value)]
    issues: list[SpecIssue] = []
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator in {"additionalProperties", "unevaluatedProperties"}:
            # When a composed definition fails, its keys look "unevaluated" too:
            # report the real failure, not the echo.
            if any(o is not error and tuple(o.absolute_path)[: len(path)] == path for o in errors):
                continue
            issues.extend(
                _issue(doc, (*path, key), f"unknown key {key!r}")
                for key in re.findall(r"'([^']*)'", error.message)
            )
            continue
        issues.append(_issue(doc, path, _schema_message(error)))
    issues.sort(key=lambda i: (i.line, i.column))
    return issues


def _deepest(error: Any) -> Any:
    """The most specific cause of a schema error (jsonschema's own ranking)."""
    import jsonschema  # noqa: PLC0415

    while error.context:
        error = jsonschema.exceptions.best_match(error.context)  # type: ignore[no-untyped-call]
    return error


def _schema_message(error: Any) -> str:
    instance = error.instance
    if (
        error.validator == "type"
        and isinstance(instance, int | float)
        and not isinstance(instance, bool)
    ):
        # The classic YAML 1.1 trap: 16:9 read as 969. The strict loader already
        # rejects such scalars; this catches the same mistake from JSON or !!int.
        return f"{error.message} (quote the value if it is text)"
    return str(error.message)


class _Resolver:
    """Applies profiles and overrides, and runs the semantic checks."""

    def __init__(self, doc: "Document") -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.value
        self.issues: list[SpecIssue] = []
        self.source_ids = set(self.data["sources"])

    def fail(self, path: tuple[Any, ...], message: str) -> None:
        self.issues.append(_issue(self.doc, path, message))

    # -- top level --------------------------------------------------------------

    def resolve(self) -> dict[str, Any]:
        data = self.data
        self.check_dates()
        self.check_source_refs(data, ())
        parameters = {name: self.parameter(name, p) for name, p in data["parameters"].items()}
        self.check_names(parameters)
        profiles = data.get("profiles", {})
        for name in profiles:
            self.expand(name, profiles, ())
        models: dict[str, Any] = {}
        folded: dict[str, str] = {}
        for model_id, m in data["models"].items():
            other = folded.setdefault(model_id.lower(), model_id)
            if other != model_id:
                self.fail(("models", model_id), f"id differs only in case from {other!r}")
            models[model_id] = self.model(model_id, m, parameters, profiles)
        return {
            "capspec": _FORMAT,
            "title": data["title"],
            "checked": data["checked"],
            "sources": data["sources"],
            "parameters": parameters,
            "foreign_names": data.get("foreign_names", {}),
            "models": models,
        }

    def check_dates(self) -> None:
        def visit(node: Any, path: tuple[Any, ...]) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in {"checked", "as_of", "since"} and isinstance(value, str):
                        try:
                            dt.date.fromisoformat(value)
                        except ValueError:
                            self.fail(
                                (*path, key), f"{value!r} is not a calendar date (YYYY-MM-DD)"
                            )
                    else:
                        visit(value, (*path, key))
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    visit(value, (*path, index))

        visit(self.data, ())

    def check_source_refs(self, node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "sources" and isinstance(value, list) and path != ():
                    for index, ref in enumerate(value):
                        if ref not in self.source_ids:
                            self.fail((*path, key, index), f"unknown source {ref!r}")
                elif not (path == () and key == "sources"):
                    self.check_source_refs(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self.check_source_refs(value, (*path, index))

    def check_names(self, parameters: dict[str, Any]) -> None:
        seen: dict[str, str] = {}
        foreign = self.data.get("foreign_names", {})
        for name, p in parameters.items():
            for index, alias in enumerate(p.get("aliases", ())):
                path = ("parameters", name, "aliases", index)
                if alias in parameters:
                    self.fail(path, f"alias {alias!r} is also a parameter")
                elif alias in seen:
                    self.fail(path, f"alias {alias!r} is already an alias of {seen[alias]!r}")
                elif alias in foreign:
                    self.fail(path, f"alias {alias!r} is also listed in foreign_names")
                seen[alias] = name
        for name, p in parameters.items():
            for index, other in enumerate(p.get("instead", ())):
                if other not in parameters or other == name:
                    self.fail(
                        ("parameters", name, "instead", index),
                        f"{other!r} is not another parameter",
                    )
        for name in foreign:
            if name in parameters:
                self.fail(("foreign_names", name), f"{name!r} is a parameter, not a foreign name")

    # -- parameters -------------------------------------------------------------

    def parameter(self, name: str, p: dict[str, Any]) -> dict[str, Any]:
        path = ("parameters", name)
        schema = self.value_schema(p, path)
        out: dict[str, Any] = {
            "description": p["description"],
            "schema": schema,
            "sources": list(p["sources"]),
        }
        for key in ("aliases", "instead"):
            if p.get(key):
                out[key] = list(p[key])
        if "default" in p:
            out["default"] = p["default"]
            self.check_default(schema, p["default"], (*path, "default"), "(every model)")
        return out

    def value_schema(self, node: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
        """Turn a spec value node into the resolved schema form, checking it as we go."""
        out: dict[str, Any] = {}
        kind = node.get("type")
        if kind is not None:
            out["type"] = kind
        if "any_of" in node:
            out["any_of"] = [
                self.value_schema(alt, (*path, "any_of", i)) for i, alt in enumerate(node["any_of"])
            ]
        for key in (*_CONSTRAINTS, "description"):
            if key in node:
                out[key] = node[key]
        self.check_applicable(kind, out, path)
        if "items" in node:
            out["items"] = self.value_schema(node["items"], (*path, "items"))
        if "properties" in node:
            out["properties"] = {
                k: self.value_schema(v, (*path, "properties", k))
                for k, v in node["properties"].items()
            }
            required = [k for k, v in node["properties"].items() if v.get("required")]
            if required:
                out["required"] = required
        if "advice" in node:
            out["advice"] = self.advice(kind, node["advice"], (*path, "advice"))
        if "suggested" in node:
            out["suggested"] = node["suggested"]
        self.check_consistent(out, path)
        return out

    def advice(
        self, kind: str | None, advice: dict[str, Any], path: tuple[Any, ...]
    ) -> dict[str, Any]:
        self.check_applicable(kind, advice, path)
        lo, hi = advice.get("ratio_min"), advice.get("ratio_max")
        if lo and hi and ratio(lo) > ratio(hi):
            self.fail(path, f"ratio_min {lo} is wider than ratio_max {hi}")
        return dict(advice)

    def check_applicable(
        self, kind: str | None, node: Mapping[str, Any], path: tuple[Any, ...]
    ) -> None:
        if kind is None:
            return
        for key, kinds in _APPLIES.items():
            if key in node and kind not in kinds:
                self.fail((*path, key), f"{key} does not apply to a parameter of type {kind}")
        if "enum" in node and kind is not None:
            for index, value in enumerate(node["enum"]):
                if not _type_ok(kind, value):
                    self.fail((*path, "enum", index), f"{value!r} is not of type {kind}")

    def check_consistent(self, schema: dict[str, Any], path: tuple[Any, ...]) -> None:
        for lo_key, hi_key in (
            ("minimum", "maximum"),
            ("min_length", "max_length"),
            ("min_items", "max_items"),
        ):
            lo, hi = schema.get(lo_key), schema.get(hi_key)
            if lo is not None and hi is not None and lo > hi:
                self.fail((*path, lo_key), f"{lo_key} {lo} is greater than {hi_key} {hi}")
        if "pattern" in schema:
            try:
                re.compile(schema["pattern"])
            except re.error as exc:
                self.fail((*path, "pattern"), f"pattern does not compile: {exc}")
        if "suggested" in schema:
            for index, value in enumerate(schema["suggested"]):
                self.check_default(
                    schema,
                    value,
                    (*path, "suggested", index),
                    "(a suggested value)",
                    allow_warnings=True,
                )

    def check_default(
        self,
        schema: dict[str, Any],
        value: Any,
        path: tuple[Any, ...],
        where: str,
        *,
        allow_warnings: bool = False,
    ) -> list[Problem]:
        """A default (or suggested value) must satisfy its own constraints and advice."""
        try:
            compiled = ValueSchema.from_dict(schema)
        except re.error:
            return []
        problems: list[Problem] = []
        subject = next(
            (
                str(p)
                for p in reversed(path)
                if p not in {"default", "suggested"} and not isinstance(p, int)
            ),
            "",
        )
        compile_value(compiled, where)(value, (subject,), subject, problems)
        for problem in problems:
            if problem.severity == "error" or not allow_warnings:
                self.fail(path, f"{value!r} breaks its own constraints: {problem.message}")
        return problems

    # -- profiles and models ----------------------------------------------------

    def expand(
        self, name: str, profiles: dict[str, Any], trail: tuple[str, ...]
    ) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """The layers a profile applies, base first, as (path, layer) pairs."""
        if name in trail:
            cycle = " -> ".join((*trail, name))
            self.fail(
                ("profiles", trail[-1], "extends"),
                f"profiles extend each other in a cycle: {cycle}",
            )
            return []
        profile = profiles[name]
        layers: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        for index, parent in enumerate(profile.get("extends", ())):
            if parent not in profiles:
                self.fail(("profiles", name, "extends", index), f"unknown profile {parent!r}")
                continue
            layers.extend(self.expand(parent, profiles, (*trail, name)))
        layers.append((("profiles", name), profile))
        return layers

    def model(
        self, model_id: str, m: dict[str, Any], parameters: dict[str, Any], profiles: dict[str, Any]
    ) -> dict[str, Any]:
        base = ("models", model_id)
        layers: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        for index, name in enumerate(m.get("extends", ())):
            if name not in profiles:
                self.fail((*base, "extends", index), f"unknown profile {name!r}")
                continue
            layers.extend(self.expand(name, profiles, ()))
        layers.append((base, m))
        seen_layers: set[tuple[Any, ...]] = set()
        params: dict[str, dict[str, Any]] = {}
        unsupported: dict[str, dict[str, Any]] = {}
        where: dict[str, tuple[Any, ...]] = {}
        rules: list[dict[str, Any]] = []
        rule_paths: list[tuple[Any, ...]] = []
        for layer_path, layer in layers:
            if layer_path in seen_layers:
                continue
            seen_layers.add(layer_path)
            for name, override in layer.get("params", {}).items():
                path = (*layer_path, "params", name)
                if name not in parameters:
                    self.fail(path, f"unknown parameter {name!r}")
                    continue
                where[name] = path
                if override.get("supported", True) is False:
                    clash = [
                        k for k in ("default", "required", *_CONSTRAINTS, "advice") if k in override
                    ]
                    if clash:
                        self.fail(path, f"marked unsupported but also sets {', '.join(clash)}")
                    params.pop(name, None)
                    unsupported[name] = {
                        k: override[k] for k in ("note", "sources") if k in override
                    }
                    continue
                unsupported.pop(name, None)
                params[name] = self.merge(params.get(name), parameters[name], override, path)
            for index, rule in enumerate(layer.get("rules", ())):
                rules.append(rule)
                rule_paths.append((*layer_path, "rules", index))
        for rule in rules:
            if rule["kind"] == "size_menu":
                self.menu_enums(rule, params)
        resolved_params = {
            name: self.finish(model_id, p, parameters[name], where[name])
            for name, p in params.items()
        }
        for rule, path in zip(rules, rule_paths, strict=True):
            self.check_rule(model_id, rule, resolved_params, path)
        self.check_rule_defaults(
            model_id, list(zip(rules, rule_paths, strict=True)), resolved_params
        )
        if not any(p.get("required") for p in resolved_params.values()):
            self.fail(base, "the model requires no parameter at all (not even prompt)")
        out = {
            "name": m["name"],
            "family": m["family"],
            "endpoint": m["endpoint"],
            "lifecycle": m["lifecycle"],
            "sources": m["sources"],
            "extends": list(m.get("extends", ())),
            "params": resolved_params,
            "unsupported": unsupported,
            "rules": rules,
        }
        for key in ("short_name", "note"):
            if key in m:
                out[key] = m[key]
        return out

    def merge(
        self,
        current: dict[str, Any] | None,
        parameter: dict[str, Any],
        override: dict[str, Any],
        path: tuple[Any, ...],
    ) -> dict[str, Any]:
        """Apply one layer's override on top of what earlier layers gave."""
        merged: dict[str, Any] = (
            dict(current) if current else {"schema": _copy(parameter["schema"])}
        )
        if "default" in parameter and "default" not in merged:
            merged["default"] = parameter["default"]
        merged["schema"] = self.tighten(parameter["schema"], merged["schema"], override, path)
        if "default" in override:
            if override["default"] is None:
                merged.pop("default", None)
            else:
                merged["default"] = override["default"]
        if "required" in override:
            merged["required"] = override["required"]
        if "note" in override:
            merged["note"] = override["note"]
        merged["sources"] = _union(
            merged.get("sources", parameter["sources"]), override.get("sources", ())
        )
        return merged

    def tighten(
        self,
        definition: dict[str, Any],
        current: dict[str, Any],
        override: dict[str, Any],
        path: tuple[Any, ...],
    ) -> dict[str, Any]:
        """Apply constraint overrides; they may narrow the definition, never widen it."""
        out = dict(current)
        kind = definition.get("type")
        self.check_applicable(kind, override, path)
        for key in _CONSTRAINTS:
            if key not in override:
                continue
            value, base = override[key], definition.get(key)
            loose = _loosens(key, value, base)
            if loose:
                self.fail((*path, key), f"{key} {value!r} {loose} the parameter's own {base!r}")
            out[key] = value
        if "advice" in override:
            advice = self.advice(kind, override["advice"], (*path, "advice"))
            previous = out.get("advice", {})
            out["advice"] = {
                **previous,
                **advice,
                "sources": _union(previous.get("sources", ()), advice["sources"]),
            }
        if "suggested" in override:
            out["suggested"] = override["suggested"]
        if "description" in override:
            out["description"] = override["description"]
        if "items" in override:
            if "items" not in definition:
                self.fail((*path, "items"), "items applies to array parameters only")
            else:
                out["items"] = self.tighten(
                    definition["items"],
                    out.get("items", definition["items"]),
                    override["items"],
                    (*path, "items"),
                )
        if "properties" in override:
            props = dict(out.get("properties", {}))
            for name, sub in override["properties"].items():
                base_prop = definition.get("properties", {}).get(name)
                if base_prop is None:
                    self.fail((*path, "properties", name), f"unknown property {name!r}")
                    continue
                props[name] = self.tighten(
                    base_prop, props.get(name, base_prop), sub, (*path, "properties", name)
                )
            out["properties"] = props
        self.check_consistent(out, path)
        return out

    def finish(
        self,
        model_id: str,
        p: dict[str, Any],
        parameter: dict[str, Any],
        path: tuple[Any, ...],
    ) -> dict[str, Any]:
        out = {"schema": p["schema"], "sources": p["sources"]}
        if p.get("required"):
            out["required"] = True
            if "default" in p:
                self.fail(path, "required and defaulted at once: a default would never apply")
        if "default" in p:
            out["default"] = p["default"]
            out["model_default"] = p["default"] != parameter.get("default") or (
                type(p["default"]) is not type(parameter.get("default"))
            )
            self.check_default(p["schema"], p["default"], (*path, "default"), model_id)
        if "note" in p:
            out["note"] = p["note"]
        return out

    def check_rule(
        self, model_id: str, rule: dict[str, Any], params: dict[str, Any], path: tuple[Any, ...]
    ) -> None:
        kind = rule["kind"]
        names = rule.get("params") or ["width", "height"]
        for name in names:
            if name not in params:
                self.fail(path, f"the {kind} rule names {name!r}, which {model_id} does not take")
                return
            if kind == "exclusive" and "default" in params[name]:
                self.fail(
                    path,
                    f"{name!r} has a default, so it cannot be exclusive with another parameter",
                )
        if kind == "size_menu":
            sizes = set(rule["sizes"])
            for index, size in enumerate(rule.get("advised", ())):
                if size not in sizes:
                    self.fail((*path, "advised", index), f"advised size {size} is not in sizes")
            for index, size in enumerate(rule["sizes"]):
                width, height = _size(size)
                for dim, value in (("width", width), ("height", height)):
                    problems: list[Problem] = []
                    schema = ValueSchema.from_dict(params[dim]["schema"])
                    compile_value(schema, model_id)(value, (dim,), dim, problems)
                    errors = [p.message for p in problems if p.severity == "error"]
                    if errors:
                        self.fail(
                            (*path, "sizes", index), f"size {size} can never be sent: {errors[0]}"
                        )
        lo, hi = rule.get("minimum"), rule.get("maximum")
        if kind == "pixel_area" and lo is not None and hi is not None and lo > hi:
            self.fail(path, f"minimum {lo} is greater than maximum {hi}")
        if kind == "aspect_ratio" and lo is not None and hi is not None and ratio(lo) > ratio(hi):
            self.fail(path, f"minimum {lo} is wider than maximum {hi}")

    @staticmethod
    def menu_enums(rule: dict[str, Any], params: dict[str, dict[str, Any]]) -> None:
        """A size menu also limits each side on its own: derive the per-side enums."""
        sizes = [_size(s) for s in rule["sizes"]]
        for index, name in enumerate(("width", "height")):
            if name not in params:
                continue
            values = sorted({size[index] for size in sizes})
            schema = params[name]["schema"]
            if "enum" in schema:
                values = [v for v in schema["enum"] if v in values]
            schema["enum"] = values

    def check_rule_defaults(
        self,
        model_id: str,
        rules: list[tuple[dict[str, Any], tuple[Any, ...]]],
        params: dict[str, Any],
    ) -> None:
        """Defaults filled together must satisfy the cross-field rules."""
        width = params.get("width", {}).get("default")
        height = params.get("height", {}).get("default")
        if width is None or height is None:
            return
        for rule, path in rules:
            kind = rule["kind"]
            from fractions import Fraction  # noqa: PLC0415

            broken = (
                (kind == "size_menu" and f"{width}x{height}" not in rule["sizes"])
                or (
                    kind == "pixel_area"
                    and not _in(width * height, rule.get("minimum"), rule.get("maximum"))
                )
                or (
                    kind == "aspect_ratio"
                    and not _in(
                        Fraction(width, height),
                        ratio(rule["minimum"]) if "minimum" in rule else None,
                        ratio(rule["maximum"]) if "maximum" in rule else None,
                    )
                )
            )
            if broken:
                self.fail(
                    path, f"the default size {width}x{height} breaks {model_id}'s {kind} rule"
                )


def _in(value: Any, lo: Any, hi: Any) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return True


def _loosens(key: str, value: Any, base: Any) -> str | None:
    if base is None:
        return None
    if key in {"minimum", "min_length", "min_items"} and value < base:
        return "is below"
    if key in {"maximum", "max_length", "max_items"} and value > base:
        return "is above"
    if key == "multiple_of" and (value % base):
        return "is not a multiple of"
    if key == "enum" and not set(value) <= set(base):
        return "adds values to"
    if key == "pattern" and value != base:
        return "replaces"
    return None


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _copy(schema: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(schema))
    return copied


_bundled: Spec | None = None


def bundled() -> Spec:
    """The spec shipped with capspec, loaded once per process."""
    global _bundled
    if _bundled is None:
        _bundled = load_spec()
    return _bundled

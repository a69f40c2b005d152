"""Check a spec document's meaning: what the meta-schema cannot say.

Sources and successors that exist, aliases that do not collide, bounds that only
tighten, defaults inside their own bounds, dates that are dates. Every check reports
a located SpecIssue (file, line, column, key path); the meta-schema check comes first
(``_specschema``), and nothing here resolves profiles or builds the resolved form
(that is ``_specresolve``).
"""

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from validator._problem import Problem, describe
from validator.spec._explain import compile_value
from validator.spec._spec import parse_size
from validator.spec._specschema import article as _article
from validator.spec._specschema import issue as _issue
from validator.spec._values import ValueSchema, ratio

if TYPE_CHECKING:
    from validator.errors import SpecIssue
    from validator.files._yaml import Document

CONSTRAINTS: Final = (
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


_DATE_KEYS: Final = frozenset(
    {"checked", "as_of", "announced", "removed", "last_seen", "unlisted_by"}
)


class Checks:
    """The semantic checks, collecting located issues; the resolver builds on them."""

    def __init__(self, doc: "Document") -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.value
        self.issues: list[SpecIssue] = []
        self.source_ids = set(self.data["sources"])

    def fail(self, path: tuple[Any, ...], message: str) -> None:
        self.issues.append(_issue(self.doc, path, message))

    # -- the document as a whole ------------------------------------------------

    def check_dates(self) -> None:
        def visit(node: Any, path: tuple[Any, ...]) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in _DATE_KEYS and isinstance(value, str):
                        try:
                            dt.date.fromisoformat(value)
                        except ValueError:
                            self.fail(
                                (*path, key),
                                f"{describe(value)} is not a calendar date (YYYY-MM-DD)",
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
                            self.fail((*path, key, index), f"unknown source {describe(ref)}")
                elif not (path == () and key == "sources"):
                    self.check_source_refs(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self.check_source_refs(value, (*path, index))

    def check_lifecycles(self) -> None:
        """Dates in order; a successor that exists, is served and is on the same endpoint."""
        models = self.data["models"]
        for model_id, m in models.items():
            life = m["lifecycle"]
            path = ("models", model_id, "lifecycle")
            order = [k for k in ("last_seen", "unlisted_by") if k in life]
            if len(order) == 2 and life["last_seen"] >= life["unlisted_by"]:
                self.fail(
                    (*path, "unlisted_by"),
                    f"unlisted_by {life['unlisted_by']} is not after last_seen {life['last_seen']}",
                )
            if "announced" in life and "removed" in life and life["announced"] > life["removed"]:
                self.fail(
                    (*path, "removed"),
                    f"removed {life['removed']} is before announced {life['announced']}",
                )
            if life.get("refused") and life["status"] != "retired":
                self.fail((*path, "refused"), "only a retired model can be refused")
            successor = life.get("replaced_by")
            if not successor:
                continue
            target = successor["model"]
            where = (*path, "replaced_by", "model")
            other = models.get(target)
            if target == model_id:
                self.fail(where, "a model cannot replace itself")
            elif other is None:
                self.fail(where, f"{describe(target)} is not a model in the spec")
            elif other["lifecycle"]["status"] == "retired":
                self.fail(where, f"{describe(target)} is retired itself; name a served model")
            elif other["endpoint"] != m["endpoint"]:
                self.fail(
                    where,
                    f"{describe(target)} is a {other['endpoint']} model, {model_id} "
                    f"a {m['endpoint']} one",
                )

    def check_deprecations(self, parameters: dict[str, Any], base: tuple[Any, ...]) -> None:
        """A deprecated parameter's replacement exists in the same namespace."""
        for name, p in parameters.items():
            use = p.get("deprecated", {}).get("use")
            if use is not None and nested_schema(parameters, use) is None:
                self.fail(
                    (*base, name, "deprecated", "use"),
                    f"{describe(use)} is not a parameter (or a property of one) of this endpoint",
                )

    def check_names(
        self,
        parameters: dict[str, Any],
        base: tuple[Any, ...] = ("parameters",),
        *,
        foreign: bool = True,
    ) -> None:
        seen: dict[str, str] = {}
        foreign_names = self.data.get("foreign_names", {}) if foreign else {}
        for name, p in parameters.items():
            for index, alias in enumerate(p.get("aliases", ())):
                path = (*base, name, "aliases", index)
                if alias in parameters:
                    self.fail(path, f"alias {describe(alias)} is also a parameter")
                elif alias in seen:
                    self.fail(
                        path,
                        f"alias {describe(alias)} is already an alias of {describe(seen[alias])}",
                    )
                elif alias in foreign_names:
                    self.fail(path, f"alias {describe(alias)} is also listed in foreign_names")
                seen[alias] = name
        for name, p in parameters.items():
            for index, other in enumerate(p.get("instead", ())):
                if other not in parameters or other == name:
                    self.fail(
                        (*base, name, "instead", index),
                        f"{describe(other)} is not another parameter",
                    )
        for name in foreign_names:
            if name in parameters:
                self.fail(
                    ("foreign_names", name), f"{describe(name)} is a parameter, not a foreign name"
                )
        for name, values in (self.data.get("foreign_values", {}) if foreign else {}).items():
            if name not in parameters:
                self.fail(("foreign_values", name), f"unknown parameter {describe(name)}")
                continue
            schema = parameters[name]["schema"]
            allowed = schema.get("advice", {}).get("enum") or schema.get("enum", ())
            for value in values:
                if value in allowed:
                    self.fail(
                        ("foreign_values", name, value),
                        f"{describe(value)} is a value {name} is documented to take, "
                        "not a foreign one",
                    )
        if foreign:  # the images namespace: where other image APIs' habits are repaired
            self.check_repairs(parameters, foreign_names)

    def check_repairs(self, parameters: dict[str, Any], foreign: dict[str, Any]) -> None:
        """Each repair starts from a listed habit and ends at something the API takes."""
        repairs = self.data.get("repairs", {})
        for name, target in repairs.get("names", {}).items():
            path = ("repairs", "names", name)
            if name not in foreign:
                self.fail(path, f"{describe(name)} is not in foreign_names")
            if target not in parameters:
                self.fail(path, f"{describe(target)} is not a parameter")
        for index, name in enumerate(repairs.get("sizes", ())):
            if name not in foreign:
                self.fail(("repairs", "sizes", index), f"{describe(name)} is not in foreign_names")
        listed = self.data.get("foreign_values", {})
        for name, values in repairs.get("values", {}).items():
            if name not in parameters:
                self.fail(("repairs", "values", name), f"unknown parameter {describe(name)}")
                continue
            allowed = parameters[name]["schema"].get("enum", ())
            for value, target in values.items():
                where = ("repairs", "values", name, value)
                if value not in listed.get(name, {}):
                    self.fail(where, f"{describe(value)} is not in foreign_values.{name}")
                if allowed and target not in allowed:
                    self.fail(where, f"{describe(target)} is not a value {name} takes")

    def check_migrations(self, rules: dict[str, Any], parameters: dict[str, Any]) -> None:
        """The migration rules name parameters of the right types."""

        def need(path: tuple[Any, ...], name: str, kinds: set[str]) -> None:
            found = parameters.get(name)
            if found is None:
                self.fail(path, f"{describe(name)} is not a parameter")
            elif found["schema"].get("type") not in kinds:
                wanted = " or ".join(_article(k) for k in sorted(kinds))
                self.fail(path, f"{describe(name)} is not {wanted} parameter")

        base = ("migrations",)
        inputs = rules["image_inputs"]
        need((*base, "image_inputs", "one"), inputs["one"], {"string"})
        need((*base, "image_inputs", "many"), inputs["many"], {"array"})
        for index, name in enumerate(rules["model_defaults"]["params"]):
            need((*base, "model_defaults", "params", index), name, {"integer", "number"})
        for rule in ("size_to_ratio", "ratio_to_size"):
            for name, kinds in (("width", {"integer"}), ("height", {"integer"})):
                need((*base, rule), name, kinds)
            need((*base, rule), "aspect_ratio", {"string"})

    def check_state(
        self,
        name: str,
        cell: dict[str, Any],
        evidence: list[dict[str, Any]],
        taken: Mapping[str, Any],
    ) -> None:
        """An ignored or refused cell must stand on its evidence.

        ``ignores`` needs evidence that the API accepts the parameter. ``refuses``
        (an error) must not contradict evidence of acceptance, and, when it cites
        evidence, needs a refusal or an undocumented cell (a seed "—").
        """
        path, state = cell["path"], cell["state"]
        shows = {e["shows"] for e in evidence}
        if state == "ignores" and "accepted" not in shows:
            self.fail(
                path,
                f"{name} is marked ignores without evidence that the API accepts it "
                "(evidence.state with shows: accepted)",
            )
        if state == "refuses" and "accepted" in shows:
            self.fail(
                path,
                f"{name} is marked refuses, but its evidence shows the API accepts it: "
                "evidence of acceptance makes it ignores at most",
            )
        elif state == "refuses" and shows and not shows & {"refused", "undocumented"}:
            self.fail(
                path,
                f"{name} is marked refuses without evidence of refusal "
                "(shows: refused, or undocumented for a seed table's —)",
            )
        for index, other in enumerate(cell.get("instead", ())):
            if other not in taken:
                self.fail(
                    (*path, "instead", index),
                    f"{describe(other)} is not a parameter this model takes",
                )

    # -- values -----------------------------------------------------------------

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
                    self.fail((*path, "enum", index), f"{describe(value)} is not {_article(kind)}")

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
                self.fail(path, f"{describe(value)} breaks its own constraints: {problem.message}")
        return problems

    def check_accepted(
        self,
        schema: dict[str, Any],
        evidence: list[dict[str, Any]],
        path: tuple[Any, ...],
        where: str,
    ) -> None:
        """A value shown accepted must pass the error bounds of the fact it supports.

        Evidence with ``shows: accepted`` and a ``value`` (LoRA scale -0.8 in Together's
        cookbook) is never an error: the loader says so when a bound contradicts it.
        """
        for item in evidence:
            if item.get("shows") != "accepted" or "value" not in item:
                continue
            node: dict[str, Any] | None = schema
            steps = item["fact"].split(".")[:-1]
            while steps and node is not None:
                step = steps.pop(0)
                if step == "properties" and steps:
                    node = node.get("properties", {}).get(steps.pop(0))
                elif step == "items":
                    node = node.get("items")
                else:  # advice.*: advice is never an error
                    node = None
            if node is None:
                continue
            try:
                compiled = ValueSchema.from_dict(node)
            except re.error:
                continue
            problems: list[Problem] = []
            compile_value(compiled, where)(item["value"], ("value",), "value", problems)
            errors = [p.message for p in problems if p.severity == "error"]
            if errors:
                self.fail(
                    (*path, "evidence"),
                    f"{describe(item['value'])} is shown accepted ({item['source']}) "
                    f"but is an error here: {errors[0]}",
                )

    # -- rules ------------------------------------------------------------------

    def check_rule(
        self, model_id: str, rule: dict[str, Any], params: dict[str, Any], path: tuple[Any, ...]
    ) -> None:
        kind = rule["kind"]
        names = rule.get("params") or ["width", "height"]
        for name in names:
            if nested_schema(params, name) is None:
                self.fail(
                    path, f"the {kind} rule names {describe(name)}, which {model_id} does not take"
                )
                return
            if kind == "exclusive" and "default" in params.get(name, {}):
                self.fail(
                    path,
                    f"{describe(name)} has a default, so it cannot be exclusive "
                    "with another parameter",
                )
        if kind == "size_menu":
            sizes = set(rule["sizes"])
            for index, size in enumerate(rule.get("advised", ())):
                if size not in sizes:
                    self.fail((*path, "advised", index), f"advised size {size} is not in sizes")
            for index, size in enumerate(rule["sizes"]):
                width, height = parse_size(size)
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
        sizes = [parse_size(s) for s in rule["sizes"]]
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
                    and not within(width * height, rule.get("minimum"), rule.get("maximum"))
                )
                or (
                    kind == "aspect_ratio"
                    and not within(
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


def within(value: Any, lo: Any, hi: Any) -> bool:
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


def loosens(key: str, value: Any, base: Any) -> str | None:
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


def nested_schema(params: Mapping[str, Any], dotted: str) -> dict[str, Any] | None:
    """The resolved schema at ``media.frame_images`` (a parameter, then properties)."""
    first, *rest = dotted.split(".")
    entry = params.get(first)
    if entry is None:
        return None
    schema: dict[str, Any] | None = entry["schema"]
    for part in rest:
        schema = (schema or {}).get("properties", {}).get(part)
        if schema is None:
            return None
    return schema

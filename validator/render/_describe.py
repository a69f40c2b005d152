"""Models as data for people: the catalogue (`capspec models`) and one model in full (`explain`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from validator._problem import number, quote
from validator.check._checker import dates_text, successor_hint
from validator.render._tables import literal
from validator.spec._spec import Unsupported

if TYPE_CHECKING:
    from collections.abc import Mapping

    from validator.spec._spec import Evidence, Model, Parameter, Rule, Spec
    from validator.spec._values import Advice, ValueSchema

ENDPOINTS: Final = {
    "images": "POST https://api.together.ai/v1/images/generations",
    "videos": "POST https://api.together.ai/v2/videos",
}
STATUSES: Final = ("active", "deprecated", "retired")


# --- finding models ----------------------------------------------------------------


def find_model(spec: Spec, text: str) -> Model | None:
    """The model named by ``text``: its exact id, else its exact display or short name."""
    found = spec.models.get(text)
    if found is not None:
        return found
    named = [m for m in spec.models.values() if text in {m.name, m.short_name}]
    return named[0] if len(named) == 1 else None


def suggest(spec: Spec, text: str) -> str | None:
    """``did you mean 'black-forest-labs/FLUX.2-pro'?`` for a name that is no model."""
    from validator.check._validate import model_hint  # noqa: PLC0415 - only for a mistyped model

    lowered = text.lower()
    by_name = {m.name.lower(): m.id for m in spec.models.values()}
    by_name.update({m.short_name.lower(): m.id for m in spec.models.values()})
    if lowered in by_name:  # a display name in another case names one model
        return f"did you mean {quote(by_name[lowered])}?"
    return model_hint(text, spec)


def unknown_model_message(spec: Spec, text: str) -> str:
    """The one-line complaint about a name that is no model, with did-you-mean."""
    message = f"{quote(text)} is not a model in the capability spec ({len(spec.models)} models)"
    hint = suggest(spec, text)
    return f"{message}; {hint}" if hint else f"{message}; `capspec models` lists them"


# --- the catalogue -----------------------------------------------------------------


def status_text(model: Model) -> str:
    """``active``, ``retired since 2026-02-27``, ``retired (unlisted by 2025-11-08)``."""
    return model.lifecycle.status + dates_text(model)


def lifecycle_text(model: Model) -> str:
    """The status, its note, whether the API refuses it, and what to use instead."""
    life = model.lifecycle
    text = status_text(model)
    if life.note:
        text += f": {life.note}"
    if life.status == "retired":
        text += "; the API refuses it (an error)" if life.refused else "; a warning, not an error"
    hint = successor_hint(model)
    if hint:
        text += f"; {hint}"
    return text


def lifecycle_data(model: Model) -> dict[str, Any]:
    """The lifecycle as JSON: status, dates, refusal, successor, sources."""
    life = model.lifecycle
    successor = life.replaced_by
    return {
        "status": life.status,
        "since": life.since,
        "announced": life.announced,
        "removed": life.removed,
        "last_seen": life.last_seen,
        "unlisted_by": life.unlisted_by,
        "refused": life.refused,
        "replaced_by": None
        if successor is None
        else {
            "model": successor.model,
            "note": successor.note,
            "sources": list(successor.sources),
        },
        "note": life.note,
        "sources": list(life.sources),
    }


def summary(model: Model) -> dict[str, Any]:
    """One model's catalogue entry: id, names, family, endpoint, lifecycle."""
    return {
        "id": model.id,
        "name": model.name,
        "short_name": model.short_name,
        "family": model.family,
        "endpoint": model.endpoint,
        "status": model.lifecycle.status,
        "since": model.lifecycle.since,
        "replaced_by": (model.lifecycle.replaced_by.model if model.lifecycle.replaced_by else None),
    }


def select(
    spec: Spec,
    *,
    families: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    endpoints: tuple[str, ...] = (),
    search: str | None = None,
) -> list[Model]:
    """The models that pass every filter given, in spec order.

    Families match ignoring case; ``search`` is a case-insensitive substring of
    the id or the display name.
    """
    wanted_families = {f.lower() for f in families}
    needle = search.lower() if search else None
    return [
        m
        for m in spec.models.values()
        if (not wanted_families or m.family.lower() in wanted_families)
        and (not statuses or m.lifecycle.status in statuses)
        and (not endpoints or m.endpoint in endpoints)
        and (needle is None or needle in m.id.lower() or needle in m.name.lower())
    ]


def render_catalogue_text(models: list[Model]) -> str:
    """Aligned columns: ID, NAME, FAMILY, ENDPOINT, STATUS."""
    header = ("ID", "NAME", "FAMILY", "ENDPOINT", "STATUS")
    rows = [(m.id, m.name, m.family, m.endpoint, status_text(m)) for m in models]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = [
        "  ".join(text.ljust(widths[i]) for i, text in enumerate(row[:-1])) + "  " + row[-1]
        for row in [header, *rows]
    ]
    return "\n".join(lines) + "\n"


def render_catalogue_json(models: list[Model]) -> str:
    """``{"models": [summary, ...]}``."""
    return json.dumps({"models": [summary(m) for m in models]}, indent=2, ensure_ascii=False) + "\n"


# --- one model in full -------------------------------------------------------------


def _value_data(schema: ValueSchema) -> dict[str, Any]:
    """A value shape as JSON data, in the spec's own (snake_case) words."""
    out: dict[str, Any] = {}
    if schema.any_of:
        out["any_of"] = [_value_data(alt) for alt in schema.any_of]
    if schema.type is not None:
        out["type"] = schema.type
    for key in (
        "minimum",
        "maximum",
        "multiple_of",
        "min_length",
        "max_length",
        "min_items",
        "max_items",
        "pattern",
    ):
        value = getattr(schema, key)
        if value is not None:
            out[key] = value
    if schema.enum is not None:
        out["enum"] = list(schema.enum)
    if schema.suggested:
        out["suggested"] = list(schema.suggested)
    if schema.items is not None:
        out["items"] = _value_data(schema.items)
    if schema.properties:
        out["properties"] = {k: _value_data(v) for k, v in schema.properties.items()}
        out["required"] = list(schema.required)
    if schema.description:
        out["description"] = schema.description
    if schema.advice is not None:
        out["advice"] = _advice_data(schema.advice)
    return out


def _advice_data(advice: Advice) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in advice._asdict().items():
        if value is None or value == () or value is False:
            continue
        out[key] = list(value) if isinstance(value, tuple) else value
    out["sources"] = list(advice.sources)
    return out


def namespace_of(spec: Spec, model: Model) -> Mapping[str, Parameter]:
    """The parameters of the model's endpoint (the image API's when it defines none)."""
    return spec.parameters_of(model.endpoint) or spec.parameters


def _not_taken(spec: Spec, model: Model) -> list[dict[str, Any]]:
    """Every parameter the model does not take, in spec order, with why where the spec says."""
    namespace = namespace_of(spec, model)
    names = [n for n in namespace if n not in model.params and n not in model.ignored]
    names += sorted(n for n in model.unsupported if n not in namespace)
    out = []
    for name in names:
        item = model.unsupported.get(name, Unsupported(name))
        definition = namespace.get(name)
        instead = [i for i in (definition.instead if definition else ()) if i in model.params]
        out.append(
            {
                "name": name,
                "note": item.note,
                "instead": instead,
                "sources": list(item.sources),
                "evidence": evidence_data(item.evidence),
            }
        )
    return out


def _ignored(spec: Spec, model: Model) -> list[dict[str, Any]]:
    """The parameters the API accepts for this model without documented effect, in spec order."""
    names = [n for n in namespace_of(spec, model) if n in model.ignored]
    return [
        {
            "name": name,
            "note": model.ignored[name].note,
            "instead": list(model.ignored[name].instead),
            "sources": list(model.ignored[name].sources),
            "evidence": evidence_data(model.ignored[name].evidence),
        }
        for name in names
    ]


def evidence_data(evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    """Evidence as plain JSON data: ``[{fact, source, shows, says}]``."""
    return [
        {k: v for k, v in e._asdict().items() if k != "value" or v is not None} for e in evidence
    ]


def evidence_lines(items: list[dict[str, Any]]) -> list[str]:
    """One line per piece of evidence: ``state: accepted [source] what it says``."""
    return [f"{e['fact']}: {e['shows']} [{e['source']}] {e['says']}" for e in items]


def _rule_data(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": rule.kind,
        "severity": rule.severity,
        "params": list(rule.params) or ["width", "height"],
    }
    if rule.sizes:
        out["sizes"] = [f"{w}x{h}" for w, h in rule.sizes]
    if rule.advised:
        out["advised"] = [f"{w}x{h}" for w, h in rule.advised]
    if rule.minimum is not None:
        out["minimum"] = rule.minimum
    if rule.maximum is not None:
        out["maximum"] = rule.maximum
    if rule.kind in {"exclusive", "one_of_required"}:
        out["params"] = list(rule.params)
    out["note"] = rule.note
    out["text"] = rule_text(rule)
    out["sources"] = list(rule.sources)
    out["evidence"] = evidence_data(rule.evidence)
    return out


def cited(spec: Spec, model: Model) -> list[str]:
    """Every source id the model's facts cite, in the spec's catalogue order."""
    ids: set[str] = set(model.sources) | set(model.lifecycle.sources)
    if model.lifecycle.replaced_by is not None:
        ids.update(model.lifecycle.replaced_by.sources)
    for param in model.params.values():
        ids.update(param.sources)
        advice = param.schema.advice
        if advice is not None:
            ids.update(advice.sources)
    for item in model.unsupported.values():
        ids.update(item.sources)
        ids.update(e.source for e in item.evidence)
    for ignored in model.ignored.values():
        ids.update(ignored.sources)
        ids.update(e.source for e in ignored.evidence)
    for param in model.params.values():
        ids.update(e.source for e in param.evidence)
    for rule in model.rules:
        ids.update(rule.sources)
        ids.update(e.source for e in rule.evidence)
    return [s for s in spec.sources if s in ids]


def describe(spec: Spec, model: Model) -> dict[str, Any]:
    """Everything the spec says about one model, as plain JSON data.

    Parameters come in the order capabilities.yaml defines them; each carries its
    type and bounds (``schema``), whether it is required, its default (and whether
    the default is this model's own), aliases, what to use instead, notes and sources.
    """
    parameters = []
    namespace = namespace_of(spec, model)
    for name in namespace:
        param = model.params.get(name)
        if param is None:
            continue
        definition = namespace[name]
        entry: dict[str, Any] = {
            "name": name,
            "description": definition.description,
            "required": param.required,
            "schema": _value_data(param.schema),
        }
        entry["schema"].pop("description", None)
        if param.has_default:
            entry["default"] = param.default
            entry["model_default"] = param.model_default
        entry["aliases"] = list(definition.aliases)
        if definition.deprecated is not None:
            entry["deprecated"] = {
                "use": definition.deprecated.use,
                "sources": list(definition.deprecated.sources),
            }
        entry["note"] = param.note
        entry["sources"] = list(param.sources)
        entry["evidence"] = evidence_data(param.evidence)
        parameters.append(entry)
    return {
        "id": model.id,
        "name": model.name,
        "short_name": model.short_name,
        "family": model.family,
        "endpoint": model.endpoint,
        "request": ENDPOINTS.get(model.endpoint, model.endpoint),
        "lifecycle": lifecycle_data(model),
        "note": model.note,
        "profiles": list(model.extends),
        "required": ["model", *model.required],
        "parameters": parameters,
        "unsupported": _not_taken(spec, model),
        "ignored": _ignored(spec, model),
        "rules": [_rule_data(r) for r in model.rules],
        "sources": list(model.sources),
        "references": {
            sid: {
                k: v for k, v in spec.sources[sid]._asdict().items() if v is not None and k != "id"
            }
            for sid in cited(spec, model)
        },
    }


# --- words -------------------------------------------------------------------------


def type_text(schema: ValueSchema) -> str:
    """``integer``, ``array of string``, ``number or string``."""
    if schema.any_of:
        return " or ".join(type_text(alt) for alt in schema.any_of)
    if schema.type == "array" and schema.items is not None:
        return f"array of {type_text(schema.items)}"
    return schema.type or "any"


def _range(lo: float | None, hi: float | None, unit: str = "") -> str | None:
    def suffix(count: float) -> str:
        if not unit:
            return ""
        return f" {unit}" if count == 1 else f" {unit}s"

    if lo is not None and hi is not None:
        return f"{number(lo)} to {number(hi)}{suffix(hi)}"
    if lo is not None:
        return f"at least {number(lo)}{suffix(lo)}"
    if hi is not None:
        return f"at most {number(hi)}{suffix(hi)}"
    return None


def constraint_texts(schema: ValueSchema) -> list[str]:
    """The hard constraints in words: ``1 to 50``, ``multiples of 8``, ``one of "url"``."""
    if schema.any_of:
        alternatives = []
        for alt in schema.any_of:
            words = constraint_texts(alt)
            alternatives.append(type_text(alt) + (f" ({', '.join(words)})" if words else ""))
        return [" or ".join(alternatives)]
    parts: list[str] = []
    if schema.enum is not None:
        parts.append("one of " + ", ".join(literal(v) for v in schema.enum))
    bounds = _range(schema.minimum, schema.maximum)
    if bounds is not None and schema.enum is None:
        parts.append(bounds)
    if schema.multiple_of is not None and schema.enum is None:
        parts.append(f"multiples of {schema.multiple_of}")
    length = _range(schema.min_length, schema.max_length, "character")
    if length is not None:
        parts.append(length)
    if schema.pattern is not None:
        parts.append(f"matching `{schema.pattern}`")
    items = _range(schema.min_items, schema.max_items, "item")
    if items is not None:
        parts.append(items)
    if schema.items is not None:
        inner = constraint_texts(schema.items)
        if schema.items.properties:
            parts.append("each item " + _object_text(schema.items))
        elif inner:
            parts.append("each item " + ", ".join(inner))
    elif schema.properties:
        parts.append(_object_text(schema))
    return parts


def _object_text(schema: ValueSchema) -> str:
    fields = []
    for name, prop in schema.properties.items():
        words = [] if prop.any_of else [type_text(prop)]
        if name in schema.required:
            words.append("required")
        words.extend(constraint_texts(prop))
        fields.append(f"{name} ({', '.join(words)})")
    return "an object with " + "; ".join(fields)


def advice_text(advice: Advice) -> str:
    """Stricter guidance in words, without its sources: ``256 to 1920, multiples of 16``."""
    parts: list[str] = []
    bounds = _range(advice.minimum, advice.maximum)
    if bounds is not None:
        parts.append(bounds)
    if advice.multiple_of is not None:
        parts.append(f"multiples of {advice.multiple_of}")
    if advice.enum is not None:
        parts.append("one of " + ", ".join(literal(v) for v in advice.enum))
    length = _range(advice.min_length, advice.max_length, "character")
    if length is not None:
        parts.append(length)
    items = _range(advice.min_items, advice.max_items, "item")
    if items is not None:
        parts.append(items)
    if advice.ratio_min or advice.ratio_max:
        parts.append(f"ratios {advice.ratio_min or 'any'} to {advice.ratio_max or 'any'}")
    if advice.avoid:
        parts.append("better not set")
    text = ", ".join(parts)
    if advice.note:
        text = f"{text} ({advice.note})" if text else advice.note
    return text


def rule_text(rule: Rule) -> str:
    """A cross-field rule in one sentence."""
    names = " and ".join(rule.params)
    if rule.kind == "exclusive":
        text = f"at most one of {names}"
    elif rule.kind == "one_of_required":
        text = f"at least one of {names}"
    elif rule.kind == "size_menu":
        text = f"width x height must be one of {len(rule.sizes)} sizes: " + ", ".join(
            f"{w}x{h}" for w, h in rule.sizes
        )
        if rule.advised:
            text += "; advised: " + ", ".join(f"{w}x{h}" for w, h in rule.advised)
    elif rule.kind == "pixel_area":
        bounds = _range(rule.minimum, rule.maximum, "pixel")
        text = f"width x height {bounds}"
    elif rule.kind == "aspect_ratio":
        lo = rule.minimum or "any"
        hi = rule.maximum or "any"
        text = f"width:height from {lo} to {hi}"
    else:
        text = rule.kind
    if rule.severity != "error":
        text += f" ({rule.severity} only)"
    if rule.note:
        text += f" ({rule.note})"
    return text


def parameter_lines(entry: dict[str, Any], spec: Spec, model: Model) -> list[str]:
    """The facts about one parameter of a model, one short phrase each."""
    param = model.params[entry["name"]]
    schema = param.schema
    head = [type_text(schema), "required" if param.required else "optional"]
    if param.has_default:
        own = " (this model's own)" if param.model_default else ""
        head.append(f"default {literal(param.default)}{own}")
    lines = [", ".join(head)]
    constraints = constraint_texts(schema)
    if constraints:
        lines.append("allowed: " + "; ".join(constraints))
    if schema.suggested:
        lines.append("documented values: " + ", ".join(literal(v) for v in schema.suggested))
    if schema.advice is not None:
        sources = ", ".join(schema.advice.sources)
        lines.append(f"advised (a warning otherwise): {advice_text(schema.advice)} [{sources}]")
    definition = namespace_of(spec, model)[entry["name"]]
    if definition.deprecated is not None:
        use = definition.deprecated.use
        lines.append(f"deprecated upstream: use {use} (a deprecated_parameter warning)")
    if definition.aliases:
        aliases = ", ".join(definition.aliases)
        lines.append(f"old name: {aliases} (a renamed_parameter warning; never send both)")
    alternatives = [i for i in definition.instead if i in model.params]
    if alternatives:
        lines.append("alternative: " + ", ".join(alternatives))
    if param.note:
        lines.append(f"note: {param.note}")
    lines.append("sources: " + ", ".join(param.sources))
    lines.extend("evidence " + line for line in evidence_lines(entry.get("evidence", [])))
    return lines


def render_explain_text(spec: Spec, model: Model) -> str:
    """``capspec explain`` for a terminal: plain text, one fact per line."""
    data = describe(spec, model)
    out = [f"{model.name} ({model.id})", ""]
    facts = [
        ("family", model.family),
        ("endpoint", data["request"]),
        ("status", lifecycle_text(model)),
        ("required", ", ".join(data["required"])),
        ("sources", ", ".join(model.sources)),
    ]
    if model.note:
        facts.append(("note", model.note))
    out.extend(f"  {label:<9} {text}" for label, text in facts)
    out += ["", "Parameters"]
    for entry in data["parameters"]:
        out.append(f"  {entry['name']}")
        out.extend(f"      {line}" for line in parameter_lines(entry, spec, model))
    if data["ignored"]:
        out += ["", "Ignored (an ignored_parameter warning: accepted, no documented effect)"]
        for item in data["ignored"]:
            out.append(f"  {item['name']}: {_unsupported_text(item)}")
            out.extend(f"      evidence {line}" for line in evidence_lines(item["evidence"]))
    if data["unsupported"]:
        out += ["", "Not taken (an unsupported_parameter error)"]
        for item in data["unsupported"]:
            out.append(f"  {item['name']}: {_unsupported_text(item)}")
            out.extend(f"      evidence {line}" for line in evidence_lines(item["evidence"]))
    out += ["", "Cross-field rules"]
    if data["rules"]:
        for r in data["rules"]:
            out.append(f"  {r['kind']}: {r['text']} [{', '.join(r['sources'])}]")
            out.extend(f"      evidence {line}" for line in evidence_lines(r["evidence"]))
    else:
        out.append("  none")
    out += ["", "Sources"]
    for sid, ref in data["references"].items():
        line = f"  {sid}: {ref['title']}, {ref['url']} (checked {ref['checked']}"
        line += f", as of {ref['as_of']})" if ref.get("as_of") else ")"
        out.append(line)
    return "\n".join(out) + "\n"


def _unsupported_text(item: dict[str, Any]) -> str:
    words = [item["note"] or "not taken"]
    if item["instead"]:
        words.append("use " + " and ".join(item["instead"]) + " instead")
    text = "; ".join(words)
    if item["sources"]:
        text += f" [{', '.join(item['sources'])}]"
    return text


def unsupported_text(item: dict[str, Any]) -> str:
    """Why a model does not take a parameter, and what to use instead."""
    return _unsupported_text(item)


def render_explain_json(spec: Spec, model: Model) -> str:
    """``capspec explain --format json``: :func:`describe` as JSON."""
    return json.dumps(describe(spec, model), indent=2, ensure_ascii=False) + "\n"

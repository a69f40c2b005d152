"""Resolve a checked spec document: apply profiles and overrides into the resolved form."""

import json
from collections.abc import Iterable
from typing import Any, Final

from validator._problem import describe
from validator.spec._speccheck import CONSTRAINTS, Checks, loosens
from validator.spec._values import ratio

_FORMAT: Final = 1


class Resolver(Checks):
    """Applies profiles and overrides, running the semantic checks as it goes."""

    def resolve(self) -> dict[str, Any]:
        data = self.data
        self.check_dates()
        self.check_source_refs(data, ())
        self.check_lifecycles()
        parameters = {name: self.parameter(name, p) for name, p in data["parameters"].items()}
        self.check_names(parameters)
        # Each endpoint besides the image API defines its own parameters; a spec that
        # defines none for an endpoint resolves its models against `parameters`.
        endpoints: dict[str, Any] = {}
        for endpoint, e in data.get("endpoints", {}).items():
            base = ("endpoints", endpoint, "parameters")
            endpoints[endpoint] = {
                name: self.parameter(name, p, base) for name, p in e["parameters"].items()
            }
            self.check_names(endpoints[endpoint], base, foreign=False)
        self.check_deprecations(parameters, ("parameters",))
        for endpoint, namespace in endpoints.items():
            self.check_deprecations(namespace, ("endpoints", endpoint, "parameters"))
        profiles = data.get("profiles", {})
        for name in profiles:
            self.expand(name, profiles, ())
        models: dict[str, Any] = {}
        folded: dict[str, str] = {}
        for model_id, m in data["models"].items():
            other = folded.setdefault(model_id.lower(), model_id)
            if other != model_id:
                self.fail(("models", model_id), f"id differs only in case from {describe(other)}")
            namespace = endpoints.get(m["endpoint"], parameters)
            models[model_id] = self.model(model_id, m, namespace, profiles)
        migrations = data.get("migrations")
        if migrations is not None:
            self.check_migrations(migrations, parameters)
        return {
            "capspec": _FORMAT,
            "title": data["title"],
            "checked": data["checked"],
            "sources": data["sources"],
            "parameters": parameters,
            "endpoints": {
                endpoint: {
                    "description": data["endpoints"][endpoint]["description"],
                    "parameters": p,
                }
                for endpoint, p in endpoints.items()
            },
            "foreign_names": data.get("foreign_names", {}),
            "foreign_values": data.get("foreign_values", {}),
            "repairs": data.get("repairs", {}),
            "models": models,
            **({"migrations": migrations} if migrations is not None else {}),
        }

    # -- parameters -------------------------------------------------------------

    def parameter(
        self, name: str, p: dict[str, Any], base: tuple[Any, ...] = ("parameters",)
    ) -> dict[str, Any]:
        path = (*base, name)
        schema = self.value_schema(p, path)
        out: dict[str, Any] = {
            "description": p["description"],
            "schema": schema,
            "sources": list(p["sources"]),
        }
        for key in ("aliases", "instead"):
            if p.get(key):
                out[key] = list(p[key])
        if "deprecated" in p:
            out["deprecated"] = dict(p["deprecated"])
        found = collect_evidence(p)
        if found:
            out["evidence"] = found
            self.check_accepted(schema, found, path, "(every model)")
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
        for key in (*CONSTRAINTS, "description"):
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
        return {k: v for k, v in advice.items() if k != "evidence"}

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
                self.fail(
                    ("profiles", name, "extends", index), f"unknown profile {describe(parent)}"
                )
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
                self.fail((*base, "extends", index), f"unknown profile {describe(name)}")
                continue
            layers.extend(self.expand(name, profiles, ()))
        layers.append((base, m))
        seen_layers: set[tuple[Any, ...]] = set()
        params: dict[str, dict[str, Any]] = {}
        not_taken: dict[str, dict[str, Any]] = {}
        where: dict[str, tuple[Any, ...]] = {}
        # Evidence per parameter, per fact; a later layer's word on a fact replaces an
        # earlier one's, and a changed state drops the evidence for the old state.
        evidence: dict[str, dict[str, list[dict[str, Any]]]] = {}
        rules: list[dict[str, Any]] = []
        rule_paths: list[tuple[Any, ...]] = []
        for layer_path, layer in layers:
            if layer_path in seen_layers:
                continue
            seen_layers.add(layer_path)
            for name, override in layer.get("params", {}).items():
                path = (*layer_path, "params", name)
                if name not in parameters:
                    self.fail(path, f"unknown parameter {describe(name)}")
                    continue
                where[name] = path
                state = override.get("state", "takes")
                before = not_taken[name]["state"] if name in not_taken else "takes"
                facts = evidence.setdefault(name, _facts(parameters[name].get("evidence", ())))
                if state != before:
                    facts.pop("state", None)
                facts.update(_facts(collect_evidence(override)))
                if state != "takes":
                    clash = [
                        k for k in ("default", "required", *CONSTRAINTS, "advice") if k in override
                    ]
                    if clash:
                        self.fail(path, f"marked {state} but also sets {', '.join(clash)}")
                    params.pop(name, None)
                    not_taken[name] = {
                        "state": state,
                        "path": path,
                        **{k: override[k] for k in ("note", "sources", "instead") if k in override},
                    }
                    continue
                if "instead" in override:
                    self.fail((*path, "instead"), "instead applies to ignored or refused cells")
                not_taken.pop(name, None)
                params[name] = self.merge(params.get(name), parameters[name], override, path)
            for index, rule in enumerate(layer.get("rules", ())):
                resolved_rule = {k: v for k, v in rule.items() if k != "evidence"}
                resolved_rule["evidence"] = collect_evidence(rule)
                rules.append(resolved_rule)
                rule_paths.append((*layer_path, "rules", index))
        unsupported: dict[str, dict[str, Any]] = {}
        ignored: dict[str, dict[str, Any]] = {}
        for name, cell in not_taken.items():
            facts = evidence.get(name, {})
            self.check_state(name, cell, facts.get("state", []), params)
            out_cell: dict[str, Any] = {k: cell[k] for k in ("note", "sources") if k in cell}
            out_cell["evidence"] = [e for items in facts.values() for e in items]
            if cell["state"] == "ignores":
                instead = cell.get("instead") or parameters[name].get("instead", [])
                out_cell["instead"] = [i for i in instead if i in params]
                ignored[name] = out_cell
            else:
                unsupported[name] = out_cell
        for rule in rules:
            # An error menu also limits each side; a warning menu (advice) only the pair.
            if rule["kind"] == "size_menu" and rule.get("severity", "error") == "error":
                self.menu_enums(rule, params)
        resolved_params = {
            name: self.finish(model_id, p, parameters[name], where[name])
            for name, p in params.items()
        }
        for name, p in resolved_params.items():
            p["evidence"] = [e for items in evidence.get(name, {}).values() for e in items]
            self.check_accepted(p["schema"], p["evidence"], where[name], model_id)
        for rule, path in zip(rules, rule_paths, strict=True):
            self.check_rule(model_id, rule, resolved_params, path)
        self.check_rule_defaults(
            model_id, list(zip(rules, rule_paths, strict=True)), resolved_params
        )
        if not any(p.get("required") for p in resolved_params.values()) and not any(
            r["kind"] == "one_of_required" for r in rules
        ):
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
            "ignored": ignored,
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
        if "default" in parameter and current is None:
            # The first layer starts from the definition's default; a later layer keeps
            # what the earlier ones made of it (a `default: null` stays removed).
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
        for key in CONSTRAINTS:
            if key not in override:
                continue
            value, base = override[key], definition.get(key)
            loose = loosens(key, value, base)
            if loose:
                self.fail(
                    (*path, key),
                    f"{key} {describe(value)} {loose} the parameter's own {describe(base)}",
                )
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
                    self.fail((*path, "properties", name), f"unknown property {describe(name)}")
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


def collect_evidence(node: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """A node's evidence, and that of its advice, items and properties, as a flat list.

    Each item gains its ``fact``: ``minimum``, ``advice.maximum``,
    ``items.properties.scale.minimum``, ``state``...
    """
    out = [
        {"fact": prefix + fact, **item}
        for fact, items in node.get("evidence", {}).items()
        for item in items
    ]
    if isinstance(node.get("advice"), dict):
        out += collect_evidence(node["advice"], prefix + "advice.")
    if isinstance(node.get("items"), dict):
        out += collect_evidence(node["items"], prefix + "items.")
    for name, sub in (node.get("properties") or {}).items():
        if isinstance(sub, dict):
            out += collect_evidence(sub, f"{prefix}properties.{name}.")
    return out


def _facts(items: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        grouped.setdefault(item["fact"], []).append(item)
    return grouped


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _copy(schema: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(schema))
    return copied

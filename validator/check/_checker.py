"""Per-model checkers, compiled from the spec once (``validate``, in ``_validate.py``, runs them).

Each model gets a ``ModelChecker`` built from plain data (ranges, sets, compiled
regular expressions): no code is ever generated from spec text, because a spec
file can come from a user. Checking has two paths:

* ``is_clean`` accepts a request only when every value is of the exact expected
  type and inside both the hard bounds and the advice. It is a handful of C-level
  set and range lookups per parameter, and it never explains anything.
* ``problems`` is the detailed path: it finds and describes every problem. It
  runs whenever the fast path cannot accept, so the two can never disagree on
  anything but speed (the property tests hold them to that).
"""

from __future__ import annotations

import sys

from validator._problem import Problem, describe, key_name, key_path, listing, quote
from validator.check._crossrules import check_rule, required_hint
from validator.check._fastpath import Interval, fast_entry, has_surrogate, holds_any
from validator.spec._values import did_you_mean, is_integer, nearest_ratio

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, Final

    from validator.spec._explain import Explainer
    from validator.spec._spec import Model, Spec

_STATUS_RANK: Final = {"active": 0, "deprecated": 1, "retired": 2}
#: The codes whose hint a foreign value's replaces (``foreign_value``).
_HINTED: Final = frozenset({"invalid_value", "not_recommended"})
#: Table keys are interned: a request written in Python has its keys interned (they are
#: identifiers), so each lookup matches on identity before comparing any text.
_intern = sys.intern
_new = tuple.__new__  # a Problem from its six fields, without NamedTuple's Python-level __new__


class ModelChecker:
    """Everything needed to check requests for one model, compiled once."""

    __slots__ = (
        "_names",
        "base",
        "clean",
        "defaults",
        "defaults_aliases",
        "deprecated",
        "explain",
        "fast",
        "fixed",
        "ignored",
        "integers",
        "missing",
        "model",
        "namespace",
        "nested",
        "one_of",
        "pair_rules",
        "params",
        "plan",
        "ratios",
        "required",
        "rule_keys",
        "shapes",
        "spec",
    )

    def __init__(self, spec: Spec, model: Model) -> None:
        self.spec = spec
        self.model = model
        self.params = model.params
        # The parameters of the model's own endpoint: a name is known, or not, there.
        self.namespace = spec.parameters_of(model.endpoint) or spec.parameters
        # Deprecated upstream, still taken: a warning naming the replacement.
        self.deprecated = {
            name: self.namespace[name].deprecated.use  # type: ignore[union-attr]
            for name in model.params
            if name in self.namespace and self.namespace[name].deprecated is not None
        }
        # "One of these, possibly nested, is required": the top-level names that settle
        # it on the fast path at a glance, then the nested ones (``media.frame_images``).
        self.one_of = tuple(
            (
                frozenset(p for p in rule.params if "." not in p),
                tuple(tuple(p.split(".")) for p in rule.params if "." in p),
            )
            for rule in model.rules
            if rule.kind == "one_of_required"
        )
        self.required = frozenset(map(_intern, model.required))
        self.defaults = model.defaults
        # normalize's slow path: each default with the old names that stand for it.
        self.defaults_aliases = tuple(
            (
                name,
                value,
                spec.parameters[name].aliases if name in spec.parameters else (),
            )
            for name, value in model.defaults.items()
        )
        # Integer parameters: normalize turns their integral floats into ints.
        self.integers = tuple(
            name for name, param in model.params.items() if param.schema.type == "integer"
        )
        self.base = tuple(_lifecycle(model))
        self.rule_keys = frozenset(
            name.split(".")[0]
            for rule in model.rules
            if rule.kind != "one_of_required"
            for name in (rule.params or ("width", "height"))
        )
        self.pair_rules = any(
            r.kind in {"size_menu", "pixel_area", "aspect_ratio"} for r in model.rules
        )
        fast: dict[str, tuple[Any, ...]] = {"model": (str, frozenset([model.id]), None)}
        for name, param in model.params.items():
            entry = fast_entry(param)
            if entry is not None:
                fast[name] = entry
        self.fast = fast
        # The fast path's table: a deprecated parameter (a warning) or one a cross-field
        # rule relates is never clean, so is_clean finds no entry for it.
        # Ranges become (least, most) pairs where they can (``_bounds``): two comparisons
        # cost less than a range's arithmetic or an interval's call.
        self.clean = {
            _intern(name): _bounds(entry)
            for name, entry in fast.items()
            if name not in self.deprecated and name not in self.rule_keys
        }
        # Parameters whose clean values are arrays or objects: normalize copies them,
        # never shares them.
        self.nested = tuple(name for name, entry in fast.items() if entry[0] in {list, dict})
        # normalize's fast path: what depends on the request's keys alone, by key tuple
        # (``shape``).
        self.shapes: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        # The detailed path's explainers and plan: compiled by the first request that is
        # not clean (``compile_detail``), so a clean run never imports ``spec._explain``.
        self.explain: dict[str, Explainer] = {}
        self.plan: dict[str, tuple[Any, ...]] | None = None
        self.ignored: dict[str, tuple[Problem, Explainer]] = {}
        # Problems that depend only on the key (unsupported, unknown), made once.
        self.fixed: dict[str, Problem] = {}
        # Aspect-ratio models: the documented ratios a width x height is matched to.
        ratio_param = model.params.get("aspect_ratio")
        self.ratios = (
            tuple(str(s) for s in ratio_param.schema.suggested) if ratio_param is not None else ()
        )
        self.missing = tuple(
            (
                name,
                Problem(
                    "missing_required",
                    "error",
                    name,
                    key_path(name),
                    f"{model.id} requires {name}",
                    required_hint(name),
                ),
            )
            for name in model.required
        )
        self._names: tuple[str, ...] | None = None

    # -- fast path --------------------------------------------------------------

    def is_clean(self, request: dict[Any, Any]) -> bool:
        """True only if the request has no error and no value-level warning.

        The loop inlines ``clean_value`` (a call per key would cost a third more). A
        deprecated parameter (a warning) or one a cross-field rule relates has no entry
        in ``self.clean``, so it is never clean here: the subscript raises KeyError. The
        try holds the whole loop (entering one per key costs two instructions a key); no
        test inside raises KeyError (a value reaches a container only once its type is
        the exact expected one).
        """
        table = self.clean
        try:
            for key, value in request.items():
                expected, container, lengths = table[key]
                if type(value) is not expected:
                    if type(value) is not int or expected is not float:
                        return False
                    least, most = lengths  # an int where a number goes: its interval
                    if not least <= value <= most:
                        return False
                elif container is None:  # (least, most): a length for text, else the value
                    least, most = lengths
                    if expected is str:
                        if not least <= len(value) <= most:
                            return False
                        if not value.isascii() and has_surrogate(value):
                            return False
                    elif not least <= value <= most:
                        return False
                elif value not in container:
                    return False
        except KeyError:
            return False
        if not self.required <= request.keys():
            return False
        if self.one_of:
            for names, nested in self.one_of:
                if names.isdisjoint(request) and not holds_any(request, nested):
                    return False
        return True

    def shape(self, keys: tuple[Any, ...]) -> tuple[Any, ...]:
        """What normalize's fast path needs of a key tuple; () when no request with it is clean.

        (the fast-path entries in key order but for a leading ``model`` and whether there is
        one (its value found this checker: it is clean), the nested one-of paths left to
        look for,
        the defaults to fill (names, then name to value), the names whose values are
        copied (arrays and objects, never shared), the model-level problems).
        Remembered, up to 256 key tuples at a time.
        """
        table = self.clean
        shape: tuple[Any, ...] = ()
        if all(key in table for key in keys) and self.required.issubset(keys):
            given = set(keys)
            nested = tuple(paths for names, paths in self.one_of if names.isdisjoint(given))
            if all(nested):  # a group with no nested path left cannot be satisfied
                filled = tuple(name for name in self.defaults if name not in given)
                extra = {name: self.defaults[name] for name in filled}
                copied = [name for name in self.nested if name in given]
                copied += [name for name in filled if isinstance(extra[name], dict | list)]
                entries = tuple(table[key] for key in keys)
                lead = int(keys[0] == "model")
                shape = (entries[lead:], lead, nested, filled, extra, tuple(copied), self.base)
        if len(self.shapes) >= 256:
            self.shapes.clear()
        self.shapes[keys] = shape
        return shape

    # -- detailed path ----------------------------------------------------------

    def compile_detail(self) -> dict[str, tuple[Any, ...]]:
        """Compile the detailed path: the explainers, the plan, the ignored parameters."""
        from validator.spec._explain import compile_value  # noqa: PLC0415 - see __init__

        model, spec = self.model, self.spec
        self.explain = {name: compile_value(p.schema, model.id) for name, p in model.params.items()}
        # Ignored parameters: a warning each, and the value still checked against the
        # parameter's own definition (the API accepts it, so it parses it).
        self.ignored = {
            name: (
                self.ignored_problem(name),
                compile_value(self.namespace[name].schema, model.id),
            )
            for name in model.ignored
            if name in self.namespace
        }
        # The plan for a parameter of the model: (explainer, the fast-path entry's type,
        # container and length range, the key's path parts, its path and the values other
        # APIs use where one may need a hint (else None), the deprecated_parameter warning
        # or None). One lookup and one unpacking a key. A parameter without a fast-path
        # entry, or deprecated (a warning whatever its value), has the type no value has:
        # its explainer always runs, and adds nothing for a value the fast path accepts.
        fast = self.fast
        plan = self.plan = {
            _intern(name): (
                check,
                *(
                    (_Never, None, None)
                    if name not in fast or name in self.deprecated
                    else fast[name]
                ),
                (name,),
                (key_path(name), spec.foreign_values[name])
                if name in spec.foreign_values
                else None,
                self.deprecated_problem(name) if name in self.deprecated else None,
            )
            for name, check in self.explain.items()
        }
        return plan

    def problems(self, request: dict[Any, Any]) -> list[Problem]:
        """Every problem with a request for this model, errors and warnings."""
        out = list(self.base)
        plan = self.plan
        if plan is None:
            plan = self.compile_detail()
        fixed = self.fixed
        spec = self.spec
        for key, value in request.items():
            step = plan.get(key)
            if step is not None:
                check, expected, container, lengths, parts, foreign, deprecated = step
                # The fast-path test, inlined (as in is_clean): a clean value has nothing
                # to report.
                if type(value) is expected:
                    if container is not None:
                        if value in container:
                            continue
                    elif len(value) in lengths and (value.isascii() or not has_surrogate(value)):
                        continue
                elif type(value) is int and expected is float and value in lengths:
                    continue
                if foreign is None:
                    check(value, parts, key, out)
                else:
                    start = len(out)
                    check(value, parts, key, out)
                    if len(out) > start and isinstance(value, str):
                        foreign_value(value, out, start, foreign)
                if deprecated is not None:
                    out.append(deprecated)
                continue
            if key == "model":
                continue
            ignored = self.ignored.get(key) if type(key) is str else None
            if ignored is not None:
                out.append(ignored[0])
                ignored[1](value, (key,), key, out)
                continue
            if not isinstance(key, str):
                name = key_name(key)
                out.append(
                    Problem(
                        "unknown_parameter",
                        "error",
                        name,
                        key_path(name),
                        f"key {describe(key)} is not a parameter: request keys must be strings",
                    )
                )
                continue
            known = fixed.get(key)
            if known is not None:
                out.append(known)
                continue
            canonical = spec.aliases.get(key) if self.namespace is spec.parameters else None
            if canonical is not None:
                self.alias(key, canonical, value, request, out)
                continue
            known = self.unsupported(key) if key in self.namespace else self.unknown(key)
            if len(fixed) < 1024 and len(key) <= 64:
                fixed[key] = known
            out.append(known)
        for name, problem in self.missing:
            if name not in request:
                out.append(problem)
        for rule in self.model.rules:
            check_rule(self.model, rule, request, out)
        if self.ratios and "aspect_ratio" not in request:
            self.ratio_hint(request, out)
        return out

    def deprecated_problem(self, key: str) -> Problem:
        """Deprecated upstream, still taken: a warning naming the replacement."""
        use = self.deprecated[key]
        return Problem(
            "deprecated_parameter",
            "warning",
            key,
            key_path(key),
            f"{key} is deprecated upstream in favour of {use}",
            f"use {use} instead",
        )

    def ratio_hint(self, request: dict[Any, Any], out: list[Problem]) -> None:
        """On an aspect-ratio model, name the ratio ``fix`` would put for this width x height."""
        default = self.spec.parameters["width"].default or 1024
        width, height = request.get("width", default), request.get("height", default)
        if not (is_integer(width) and is_integer(height) and width > 0 and height > 0):
            return
        best = nearest_ratio(width, height, self.ratios)
        size = f"{describe(width)}x{describe(height)}"
        hint = f"use aspect_ratio {quote(best)} instead, the nearest documented ratio to {size}"
        for index, problem in enumerate(out):
            if problem.param in {"width", "height"} and (problem.hint or "").startswith(
                "use aspect_ratio instead"
            ):
                out[index] = problem._replace(hint=hint)

    def alias(
        self, key: str, canonical: str, value: Any, request: dict[Any, Any], out: list[Problem]
    ) -> None:
        """An old parameter name: a warning where the model takes the new one."""
        model_id = self.model.id
        check = self.explain.get(canonical)
        ignored = self.ignored.get(canonical)
        if ignored is not None:
            out.append(
                ignored[0]._replace(
                    param=key,
                    path=key_path(key),
                    message=f"{key} (the old name of {canonical}): {ignored[0].message}",
                )
            )
            ignored[1](value, (key,), key, out)
            return
        if check is None:
            problem = self.unsupported(canonical)
            out.append(
                problem._replace(
                    param=key,
                    path=key_path(key),
                    message=f"{key} (the old name of {canonical}): {problem.message}",
                )
            )
            return
        if canonical in request:
            out.append(
                Problem(
                    "conflicting_parameters",
                    "error",
                    key,
                    key_path(key),
                    f"{key} is the old name of {canonical}; {model_id} got both",
                    f"remove {key}",
                )
            )
            return
        out.append(
            Problem(
                "renamed_parameter",
                "warning",
                key,
                key_path(key),
                f"{key} is the old name of {canonical}",
                f"rename it to {canonical}",
            )
        )
        check(value, (key,), key, out)

    def unsupported(self, key: str) -> Problem:
        """An API parameter this model does not take, naming the models that do."""
        spec = self.spec
        # Active models on the same endpoint that take it without a warning first: they
        # are the alternatives worth naming.
        endpoint = self.model.endpoint
        takers = sorted(
            spec.takers(key, endpoint),
            key=lambda t: (
                _discouraged(spec.models[t], key),
                _STATUS_RANK[spec.models[t].lifecycle.status],
            ),
        )
        names = [spec.models[t].name for t in takers]
        who = f"models that take it: {listing(names)}" if names else "no model in the spec takes it"
        entry = self.model.unsupported.get(key)
        reason = f" ({entry.note})" if entry and entry.note else ""
        message = f"{self.model.id} does not take {key}{reason}; {who}"
        hint = None
        definition = self.namespace.get(key)
        if definition is not None:
            alternatives = [p for p in definition.instead if p in self.params]
            if alternatives:
                hint = f"use {' and '.join(alternatives)} instead"
                suggested = self.params[alternatives[0]].schema.suggested
                if suggested:
                    hint += f", for example {quote(str(suggested[0]))}"
        return Problem("unsupported_parameter", "error", key, key_path(key), message, hint)

    def ignored_problem(self, key: str) -> Problem:
        """A parameter the API accepts for this model without documented effect: a warning."""
        entry = self.model.ignored[key]
        reason = f" ({entry.note})" if entry.note else ""
        message = (
            f"{self.model.id} ignores {key}{reason}: the API accepts it, "
            "but it has no documented effect on this model"
        )
        if entry.instead:
            hint = f"use {' and '.join(entry.instead)} instead"
            suggested = self.params[entry.instead[0]].schema.suggested
            if suggested:
                hint += f", for example {quote(str(suggested[0]))}"
        else:
            spec = self.spec
            takers = [
                spec.models[t].name
                for t in spec.takers(key, self.model.endpoint)
                if spec.models[t].lifecycle.status == "active"
            ]
            hint = f"remove {key}"
            if takers:
                shown = listing(takers) if len(takers) <= 3 else ", ".join(takers[:3]) + ", ..."
                hint += f"; models that use it: {shown}"
        return Problem("ignored_parameter", "warning", key, key_path(key), message, hint)

    def known_names(self) -> tuple[str, ...]:
        """Parameter names a typo may be near: this model's first, then the API's."""
        names = self._names
        if names is None:
            spec = self.spec
            aliases = spec.aliases if self.namespace is spec.parameters else {}
            names = self._names = tuple(dict.fromkeys([*self.params, *self.namespace, *aliases]))
        return names

    def unknown(self, key: str) -> Problem:
        """Not an API parameter at all: suggest the nearest one, or what other APIs call it."""
        spec = self.spec
        hint = did_you_mean(key, self.known_names())
        if hint is None:
            foreign = spec.foreign_names.get(key) or spec.foreign_names.get(key.lower())
            hint = foreign
        return Problem(
            "unknown_parameter",
            "error",
            key,
            key_path(key),
            f"{quote(key)} is not a parameter of the Together API"
            if self.namespace is spec.parameters
            else f"{quote(key)} is not a parameter of Together's {self.model.endpoint} API",
            hint,
        )


def foreign_value(
    value: str, out: list[Problem], start: int, foreign: tuple[str, Mapping[str, str]]
) -> None:
    """A value other APIs use (``b64_json``): its problem at the path names the Together way.

    ``foreign`` is the parameter's path and the values other APIs use, with the hints.
    """
    path, known = foreign
    hint = known.get(value)
    if hint is None:
        hint = known.get(value.lower())
        if hint is None:
            return
    for index in range(start, len(out)):
        found = out[index]
        if found.code in _HINTED and found.path == path:
            out[index] = _new(Problem, (*found[:5], hint))


class _Never:
    """The type no value has: a parameter whose explainer ``problems`` always runs."""


def _bounds(entry: tuple[Any, ...]) -> tuple[Any, ...]:
    """A fast-path entry for ``is_clean``: a range as a (least, most) pair where it can be.

    Free text's length range and a range of integers in steps of one (too wide for a
    set) become (type, None, (least, most)); a number's interval becomes (float, None,
    (lo, hi)), which also judges an int where the number goes (the integers inside the
    interval, the entry's third part, are those with lo <= value <= hi). Two comparisons,
    where ``in`` a range subtracts and divides and ``in`` an interval calls Python.
    Other entries stay as they are.
    """
    expected, container, lengths = entry
    if container is None:
        return (expected, None, (lengths.start, lengths.stop - 1))
    if expected is int and type(container) is range and container.step == 1 and container:
        return (expected, None, (container.start, container.stop - 1))
    if expected is float and type(container) is Interval:
        return (expected, None, (container.lo, container.hi))
    return entry


def _discouraged(model: Model, name: str) -> bool:
    """The model takes ``name`` but advises against any use of it (a warning)."""
    advice = model.params[name].schema.advice
    return advice is not None and advice.avoid


def _lifecycle(model: Model) -> list[Problem]:
    """The model-level problem of a deprecated or retired model, naming its successor."""
    life = model.lifecycle
    if life.status == "active":
        return []
    since = f" since {life.removed}" if life.removed else ""
    dates = [
        f"{label} {date}"
        for label, date in (
            ("announced", life.announced),
            ("last seen", None if life.removed else life.last_seen),
            ("unlisted by", life.unlisted_by),
        )
        if date
    ]
    clauses = [c for c in (life.note, ", ".join(dates)) if c]
    message = f"{model.id} is {life.status}{since}"
    if clauses:
        message += ": " + "; ".join(clauses)
    code, severity = "deprecated_model", "warning"
    if life.status == "retired":
        code = "retired_model"
        severity = "error" if life.refused else "warning"
        message += "; the API refuses it" if life.refused else "; the API may still answer it"
    hint = successor_hint(model)
    if hint is not None:  # the way there: migrate rewrites the request (issue 13)
        hint += "; capspec migrate rewrites the request for it"
    return [Problem(code, severity, "model", "$.model", message, hint)]  # type: ignore[arg-type]


def dates_text(model: Model) -> str:
    """`` since 2026-02-27``, `` (last seen 2026-08-18, unlisted by 2026-10-07)``: what is known."""
    life = model.lifecycle
    if life.removed:
        return f" since {life.removed}"
    parts = []
    if life.announced:
        parts.append(f"announced {life.announced}")
    if life.last_seen:
        parts.append(f"last seen {life.last_seen}")
    if life.unlisted_by:
        parts.append(f"unlisted by {life.unlisted_by}")
    return f" ({', '.join(parts)})" if parts else ""


def successor_hint(model: Model) -> str | None:
    """``use black-forest-labs/FLUX.2-dev instead``: where to go from a model not served."""
    successor = model.lifecycle.replaced_by
    if successor is None:
        return None
    return f"use {successor.model} instead"

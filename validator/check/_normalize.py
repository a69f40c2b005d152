"""``normalize`` and ``preflight``: fill defaults, apply a policy, report every change."""

import math
from typing import Any, Final, Literal

from validator._problem import Problem, describe, key_name, key_path, quote
from validator._tuples import NamedTuple
from validator.check._checker import ModelChecker
from validator.check._fastpath import has_surrogate, holds_any
from validator.check._habits import advised, apply_habits, numeric_string
from validator.check._validate import BUNDLED, checker_for, resolve_spec, validate
from validator.errors import RequestError
from validator.spec._spec import Model, Spec
from validator.spec._values import is_integer, nearest_ratio

Policy = Literal["strict", "drop", "fix"]
POLICIES: Final = ("strict", "drop", "fix")
_POLICIES: Final = frozenset(POLICIES)
_make = tuple.__new__


class Normalized(NamedTuple):
    """What ``normalize`` returns.

    Attributes:
        request: The request to send: a new dict with the model's defaults filled
            (and, per policy, parameters dropped or repaired). Never the input object.
            When the input is not a JSON object there is nothing to send: ``request``
            is then a copy of the input, unchanged (nothing is invented, so writing it
            back loses nothing), and ``ok`` is False.
        problems: Everything left to report: errors that remain, warnings, and one
            warning per change the policy made.
        defaults_filled: Names of the parameters whose defaults were filled, in order.
    """

    request: Any  # a dict, except for a non-object input (see above)
    problems: list[Problem]
    defaults_filled: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when no error remains (warnings allowed)."""
        return not any(p.severity == "error" for p in self.problems)


def normalize(
    request: Any, *, policy: Policy = "strict", spec: Spec | str | None = None
) -> Normalized:
    """Return the request as it should be sent, with its problems.

    Defaults the model declares are filled (and nothing it does not take);
    integral floats become ints for integer parameters. Policies:

    * ``strict``: nothing else changes; errors stay errors.
    * ``drop``: parameters the model does not take, and unknown ones, are removed,
      each reported as a ``parameter_dropped`` warning.
    * ``fix``: ``drop``, plus repairs that each follow one rule and are each
      reported (``value_changed`` or ``renamed_parameter``): the model id's case
      is corrected; ``guidance`` becomes ``guidance_scale``; on aspect-ratio
      models, ``width``/``height`` become the nearest documented ``aspect_ratio``;
      numbers outside their range are clamped into it; integers move to the
      nearest allowed multiple (or menu size); a size outside a model's pixel-area
      window is scaled into it, its aspect ratio kept; enumeration values are
      matched ignoring case.

    Normalizing is idempotent and never mutates its input; when the result has no
    errors, ``validate(result.request)`` has none either.

    Args:
        request: The JSON body you would POST, as Python data.
        policy: ``"strict"``, ``"drop"`` or ``"fix"``.
        spec: A Spec from ``load_spec``, a path to a spec file, or None (bundled).

    Returns:
        A ``Normalized``: ``.request``, ``.problems``, ``.ok``, ``.defaults_filled``.

    Raises:
        ValueError: ``policy`` is not one of the three policies.
        SpecError: ``spec`` is a path to a spec that cannot be loaded.
    """
    resolved = BUNDLED[0] if spec is None and BUNDLED else resolve_spec(spec)
    if type(request) is dict and (policy == "strict" or policy in _POLICIES):
        model_id = request.get("model")
        if type(model_id) is str:
            checker = resolved._checkers.get(model_id) or checker_for(resolved, model_id)  # noqa: SLF001
            if checker is not None:
                # The fast path, for a request clean exactly as ``is_clean`` judges (the
                # property tests hold the two to that). What depends on the keys alone is
                # worked out once per key tuple (``checker.shape``): each key's fast-path
                # entry in order (the model's value is clean: it found the checker), the
                # required and top-level one-of names, the defaults to fill. The loop is
                # is_clean's, inlined (a call costs a fortieth of this path), each value
                # taken with its entry without a lookup.
                keys = tuple(request)
                shape = checker.shapes.get(keys)
                if shape is None:
                    shape = checker.shape(keys)
                if shape:
                    entries, lead, nested, filled, extra, copied, base = shape
                    values = iter(request.values())
                    if lead:
                        next(values)  # the model, whose value found this checker
                    for expected, container, lengths in entries:
                        value = next(values)
                        if type(value) is not expected:
                            if type(value) is not int or expected is not float:
                                break
                            least, most = lengths  # an int where a number goes
                            if not least <= value <= most:
                                break
                        elif container is None:  # (least, most): text's length, or the value
                            least, most = lengths
                            if expected is str:
                                if not least <= len(value) <= most:
                                    break
                                if not value.isascii() and has_surrogate(value):
                                    break
                            elif not least <= value <= most:
                                break
                        elif value not in container:
                            break
                    else:
                        if not nested or all(holds_any(request, paths) for paths in nested):
                            # Request keys first, then the missing defaults in spec order;
                            # the request's values win.
                            out = request | extra  # a copy, then the defaults: one C call
                            if copied:
                                for name in copied:
                                    out[name] = copy_json(out[name])
                            return _make(Normalized, (out, [*base] if base else [], filled))
    if policy not in _POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {describe(policy)}")
    return _Normalizer(resolved, policy).run(request)


def preflight(
    request: Any, *, policy: Policy = "strict", spec: Spec | str | None = None
) -> dict[str, Any]:
    """Normalize a request and return it ready to send, or raise if errors remain.

    Args:
        request: The JSON body you would POST, as Python data.
        policy: ``"strict"``, ``"drop"`` or ``"fix"`` (see ``normalize``).
        spec: A Spec from ``load_spec``, a path to a spec file, or None (bundled).

    Returns:
        The normalized request (a new dict).

    Raises:
        RequestError: errors remain; ``.problems`` holds every problem found.
        ValueError: ``policy`` is not one of the three policies.
        SpecError: ``spec`` is a path to a spec that cannot be loaded.
    """
    result = normalize(request, policy=policy, spec=spec)
    if not result.ok:
        raise RequestError(result.problems)
    body: dict[str, Any] = result.request  # ok, so the input was an object
    return body


_NESTING: Final = (dict, list, tuple)
_SCALARS: Final = frozenset({str, int, float, bool, type(None)})
#: Types of values that are not floats (nor a float subclass): no integral float to turn.
_FLOATLESS: Final = frozenset({str, int, bool, type(None), list, dict})


def copy_json(value: Any) -> Any:
    """Copy every list and dict in a value, iteratively (any depth, shared parts copied once)."""
    if not isinstance(value, _NESTING):
        return value
    if type(value) is dict and _SCALARS.issuperset(map(type, value.values())):
        return value.copy()  # an object of scalars (most requests): one C-level copy
    memo: dict[int, Any] = {}
    root = _empty(value)
    memo[id(value)] = root
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in pairs:
            if isinstance(item, dict | list | tuple):
                copied = memo.get(id(item))
                if copied is None:
                    copied = memo[id(item)] = _empty(item)
                    stack.append((item, copied))
                if isinstance(target, dict):
                    target[key] = copied
                else:
                    target.append(copied)
                continue
            if isinstance(target, dict):
                target[key] = item
            else:
                target.append(item)
    return root


def _empty(value: Any) -> Any:
    return {} if isinstance(value, dict) else []


class _Normalizer:
    """The slow path: copies the request, applies the policy, fills defaults, re-checks."""

    #: Parameters the model ignores are kept (a warning) rather than dropped (migrate).
    keep_ignored = False

    def __init__(self, spec: Spec, policy: Policy) -> None:
        self.spec = spec
        self.policy = policy
        self.changes: list[Problem] = []

    def change(self, code: str, param: str | None, message: str, kind: str) -> None:
        """Report one change; ``kind`` names the rule that made it (migrate shows it)."""
        del kind
        self.changes.append(Problem(code, "warning", param, key_path(param or ""), message))

    def run(self, request: Any) -> Normalized:
        if not isinstance(request, dict):
            # Nothing to normalize: the input comes back as it was (copied), with its
            # invalid_type error; an invented {} would read as a request to send.
            return Normalized(copy_json(request), validate(request, spec=self.spec), ())
        out: dict[Any, Any] = copy_json(request)
        model_id = out.get("model")
        checker = (
            (self.spec._checkers.get(model_id) or checker_for(self.spec, model_id))  # noqa: SLF001
            if isinstance(model_id, str)
            else None
        )
        if checker is None and self.policy == "fix" and isinstance(model_id, str):
            folded = self.spec.fold(model_id)
            if folded is not None:
                out["model"] = folded
                self.change(
                    "value_changed",
                    "model",
                    f"model {quote(model_id)} corrected to {quote(folded)}",
                    "model_case",
                )
                checker = checker_for(self.spec, folded)
        if checker is None:
            return Normalized(out, self.changes + validate(out, spec=self.spec), ())
        if self.policy == "strict":
            # Strict changes nothing but integral floats of integer parameters (in the
            # copy, in place: the order stays); what apply_policy does for it. Most
            # requests hold no float at all (one C-level pass over the types says so).
            if not _FLOATLESS.issuperset(map(type, out.values())):
                for name in checker.integers:
                    value = out.get(name)
                    if isinstance(value, float) and value.is_integer():
                        out[name] = int(value)
        else:
            out = self.apply_policy(out, checker.model)
        filled = self.fill_defaults(out, checker)
        # validate(out) without its fast path, which problems() always agrees with.
        return _make(Normalized, (out, self.changes + checker.problems(out), filled))

    def apply_policy(self, out: dict[Any, Any], model: Model) -> dict[Any, Any]:
        """Integral floats to ints, then drops and repairs; returns the new dict (order kept)."""
        spec = self.spec
        if self.policy == "fix" and spec.repairs.names.keys() | spec.repairs.sizes & out.keys():
            out = self.habits(out, model)
        result: dict[Any, Any] = {}
        sizes: dict[str, Any] = {}
        for key, value in out.items():
            if key == "model":
                result[key] = value
                continue
            param = model.params.get(key) if isinstance(key, str) else None
            if param is not None:
                if (
                    param.schema.type == "integer"
                    and isinstance(value, float)
                    and value.is_integer()
                ):
                    value = int(value)  # noqa: PLW2901 - the normalized value replaces it
                if self.policy == "fix":
                    value = self.repair(key, value, model)  # noqa: PLW2901
                result[key] = value
                continue
            canonical = spec.aliases.get(key) if isinstance(key, str) else None
            if canonical is not None and canonical in model.params:
                if self.policy != "fix":
                    result[key] = value
                elif canonical in out:
                    self.change(
                        "parameter_dropped",
                        key,
                        f"dropped {key}: {canonical} is also given",
                        "rename",
                    )
                else:
                    self.change(
                        "renamed_parameter",
                        key,
                        f"renamed {key} (the old name) to {canonical}",
                        "rename",
                    )
                    result[canonical] = self.repair(canonical, value, model)
                continue
            if self.policy == "strict":
                result[key] = value
                continue
            if (
                self.policy == "fix"
                and key in {"width", "height"}
                and "aspect_ratio" in model.params
            ):
                sizes[key] = value
                continue
            name = key_name(key)
            if self.keep_ignored and name in model.ignored:
                result[key] = value  # validate reports it: ignored_parameter
                continue
            habit = spec.repairs.names.get(name)
            if name in spec.repairs.sizes and self.policy == "fix":
                why = f"{describe(value)} is not a WIDTHxHEIGHT size; use width and height"
            elif habit is not None and self.policy == "fix":
                why = (
                    f"{model.id} does not take {habit} ({name} is another API's name for it)"
                    if habit not in out
                    else f"{habit} is also given"
                )
            elif canonical is not None:
                why = f"{model.id} does not take {canonical} (of which {name} is the old name)"
            elif name in model.ignored:
                why = f"{model.id} ignores it (accepted, but without documented effect)"
            elif name in (spec.parameters_of(model.endpoint) or spec.parameters):
                why = f"{model.id} does not take it"
            else:
                why = "not a parameter of the API"
            self.change("parameter_dropped", name, f"dropped {name}: {why}", "refused")
        if sizes:
            self.sizes_to_ratio(sizes, result, model)
        if self.policy == "fix":
            self.snap_to_menu(result, model, (out.get("width"), out.get("height")))
            self.fit_area(result, model, (out.get("width"), out.get("height")))
        return result

    def habits(self, out: dict[Any, Any], model: Model) -> dict[Any, Any]:
        """Other image APIs' names become Together's (``repairs`` in the spec)."""
        return apply_habits(out, model, self.spec.repairs, self.change)

    def snap_to_menu(self, result: dict[Any, Any], model: Model, given: tuple[Any, Any]) -> None:
        """On size-menu models, a width x height pair not on the menu becomes the nearest size."""
        raw_width, raw_height = result.get("width"), result.get("height")
        if not (is_integer(raw_width) and is_integer(raw_height)):
            return
        width, height = int(raw_width), int(raw_height)
        if width <= 0 or height <= 0:
            return
        for rule in model.rules:
            if rule.kind != "size_menu" or (width, height) in rule.sizes:
                continue
            # The size asked for, before a side moved to a menu width or height.
            wanted = given if all(is_integer(g) and g > 0 for g in given) else (width, height)
            target = math.log(int(wanted[0]) / int(wanted[1]))
            area = int(wanted[0]) * int(wanted[1])
            best = min(
                rule.sizes,
                key=lambda s: (abs(math.log(s[0] / s[1]) - target), abs(s[0] * s[1] - area)),
            )
            self.resize(result, given, best, f"the nearest size {model.id} offers", "size_menu")
            width, height = best

    def fit_area(self, result: dict[Any, Any], model: Model, given: tuple[Any, Any]) -> None:
        """A size outside a pixel-area window or aspect-ratio range is moved into it.

        The new size is the allowed one nearest in aspect ratio to the size given
        (before any side was clamped), then nearest in area, on the sides' multiples
        and within their bounds; nothing changes when no size satisfies every rule.
        """
        rules = [
            r
            for r in model.rules
            if r.kind in {"pixel_area", "aspect_ratio"} and r.severity == "error"
        ]
        width, height = result.get("width"), result.get("height")
        if not rules or not (is_integer(width) and is_integer(height)):
            return
        width, height = int(width), int(height)
        if width <= 0 or height <= 0 or _sizes_ok(model, width, height):
            return
        if all(is_integer(g) and g > 0 for g in given):
            width, height = int(given[0]), int(given[1])
        best = _fit(model, width, height)
        if best is not None:
            why = f"the size nearest in aspect ratio that the size rules of {model.id} allow"
            self.resize(result, given, best, why, "pixel_area")

    def resize(
        self,
        out: dict[Any, Any],
        given: tuple[Any, Any],
        size: tuple[int, int],
        why: str,
        kind: str,
    ) -> None:
        """Set width x height; one change replaces those reported for either side."""
        self.changes = [c for c in self.changes if c.param not in {"width", "height"}]
        out["width"], out["height"] = size
        self.change(
            "value_changed",
            "width",
            f"size {describe(given[0])}x{describe(given[1])} changed to {size[0]}x{size[1]}, {why}",
            kind,
        )

    def repair(self, key: str, value: Any, model: Model) -> Any:
        """Clamp numbers, move integers to the nearest allowed value, fix enum case."""
        schema = model.params[key].schema
        original = value
        if schema.type in {"integer", "number"} and isinstance(value, str):
            value = numeric_string(value, integer=schema.type == "integer")
        habit = self.spec.repairs.values.get(key)
        if habit is not None and isinstance(value, str) and value in habit:
            value = habit[value]
        fixed = value
        if (
            schema.type in {"integer", "number"}
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            if isinstance(value, float) and not math.isfinite(value):
                return value
            if schema.type == "integer" and not is_integer(value):
                return value
            fixed = _nearest_number(
                value, schema.minimum, schema.maximum, schema.multiple_of, schema.enum
            )
            if fixed != value and schema.advice is not None:
                fixed = advised(value, fixed, schema, _nearest_number)
        elif (
            schema.type == "string"
            and isinstance(value, str)
            and schema.enum is not None
            and value not in schema.enum
        ):
            matches = [v for v in schema.enum if isinstance(v, str) and v.lower() == value.lower()]
            fixed = matches[0] if len(matches) == 1 else value
        # "is not" first: NaN != NaN, and a value left alone is no change.
        if fixed is not original and (fixed != original or type(fixed) is not type(original)):
            self.change(
                "value_changed",
                key,
                f"{key} {describe(original)} changed to {describe(fixed)}",
                "habit" if value is not original else "nearest_value",
            )
        return fixed

    def sizes_to_ratio(self, sizes: dict[str, Any], result: dict[Any, Any], model: Model) -> None:
        """On aspect-ratio models, width/height become the nearest documented ratio."""
        names = " and ".join(sizes)
        them = "them" if len(sizes) > 1 else "it"
        suggested = [str(s) for s in model.params["aspect_ratio"].schema.suggested]
        if "aspect_ratio" in result or not suggested:
            self.change(
                "parameter_dropped",
                next(iter(sizes)),
                f"dropped {names}: {model.id} does not take {them}",
                "size_to_ratio",
            )
            return
        default = self.spec.parameters["width"].default or 1024
        width, height = sizes.get("width", default), sizes.get("height", default)
        if not (is_integer(width) and is_integer(height) and width > 0 and height > 0):
            self.change(
                "parameter_dropped",
                next(iter(sizes)),
                f"dropped {names}: {model.id} does not take {them}",
                "size_to_ratio",
            )
            return
        best = nearest_ratio(width, height, suggested)
        result["aspect_ratio"] = best
        shown = f"{describe(width)}x{describe(height)}"
        self.change(
            "value_changed",
            "aspect_ratio",
            f"{names} ({shown}) replaced by aspect_ratio {quote(best)}, "
            f"the nearest ratio {model.id} documents",
            "size_to_ratio",
        )

    def fill_defaults(self, out: dict[Any, Any], checker: ModelChecker) -> tuple[str, ...]:
        """Add the model's defaults for what is absent.

        On models with width x height rules, width and height are filled only as a
        pair (when both are absent), so a default never completes an invalid size.
        """
        filled = []
        paired = checker.pair_rules and ("width" in out or "height" in out)
        for name, value, aliases in checker.defaults_aliases:
            if name in out or (paired and name in {"width", "height"}):
                continue
            if aliases and not out.keys().isdisjoint(aliases):
                continue
            out[name] = copy_json(value) if isinstance(value, _NESTING) else value
            filled.append(name)
        return tuple(filled)


def _fit(model: Model, width: int, height: int) -> tuple[int, int] | None:
    """The allowed width x height nearest in ratio (then area) to the given one, or None."""
    from fractions import Fraction  # noqa: PLC0415 - fix policy only

    area_lo, area_hi = 0.0, math.inf
    ratio_lo: Fraction | None = None
    ratio_hi: Fraction | None = None
    for rule in model.rules:
        if rule.severity != "error":
            continue
        if rule.kind == "pixel_area":
            area_lo = max(area_lo, rule.minimum or 0)
            area_hi = min(area_hi, rule.maximum if rule.maximum is not None else math.inf)
        elif rule.kind == "aspect_ratio":
            ratio_lo, ratio_hi = rule.ratio_bounds
    wide, high = model.params["width"].schema, model.params["height"].schema
    step_w, step_h = wide.multiple_of or 1, high.multiple_of or 1
    goal = Fraction(width, height)
    if ratio_lo is not None:
        goal = max(goal, ratio_lo)
    if ratio_hi is not None:
        goal = min(goal, ratio_hi)
    goal_area = min(max(width * height, area_lo), area_hi)
    best: tuple[float, float, int, int] | None = None
    low_w = math.ceil((wide.minimum or step_w) / step_w) * step_w
    for w in range(int(low_w), int(wide.maximum or 8192) + 1, step_w):
        lo = max(float(high.minimum or step_h), area_lo / w)
        hi = min(float(high.maximum) if high.maximum is not None else math.inf, area_hi / w)
        if ratio_hi is not None:
            lo = max(lo, float(w / ratio_hi))
        if ratio_lo is not None:
            hi = min(hi, float(w / ratio_lo))
        first, last = math.ceil(lo / step_h) * step_h, math.floor(hi / step_h) * step_h
        if first > last:
            continue
        h = min(max(round(w / goal / step_h) * step_h, first), last)
        if not _sizes_ok(model, w, int(h)):
            continue
        score = (abs(math.log(w / h) - math.log(goal)), abs(w * h - goal_area))
        if best is None or score < best[:2]:
            best = (*score, w, int(h))
    return None if best is None else (best[2], best[3])


def _sizes_ok(model: Model, width: int, height: int) -> bool:
    """Whether width x height passes each side's own bounds and every size rule."""
    for name, side in (("width", width), ("height", height)):
        schema = model.params[name].schema
        if (schema.minimum is not None and side < schema.minimum) or (
            schema.maximum is not None and side > schema.maximum
        ):
            return False
        if schema.multiple_of and side % schema.multiple_of:
            return False
        if schema.enum is not None and side not in schema.enum:
            return False
    return all(rule.admits_size(width, height) for rule in model.rules if rule.severity == "error")


def _nearest_number(
    value: float, lo: float | None, hi: float | None, step: int | None, enum: tuple[Any, ...] | None
) -> Any:
    """The allowed value nearest to ``value``: clamped, on a multiple, or from the menu."""
    if enum is not None:
        numbers = [v for v in enum if isinstance(v, int | float) and not isinstance(v, bool)]
        return min(numbers, key=lambda v: (abs(v - value), v)) if numbers else value
    result: Any = value
    if step:
        from fractions import Fraction  # noqa: PLC0415 - fix policy only

        whole = Fraction(value)
        lower = (whole // step) * step
        result = int(lower + step if whole - lower >= step / 2 else lower)
        if lo is not None and result < lo:
            result = int(-(-Fraction(lo) // step) * step)
        if hi is not None and result > hi:
            result = int((Fraction(hi) // step) * step)
        return result
    if lo is not None and result < lo:
        result = lo
    if hi is not None and result > hi:
        result = hi
    return result

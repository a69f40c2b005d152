"""``migrate``: a request rewritten for another model, by default its recorded successor.

The rules are data (``migrations:`` in the spec, one entry per rule); this module is
how each rule is applied. Most of the work is ``normalize``'s fix policy run for the
target model (renames, drops, clamps, the nearest aspect ratio or menu size); what
only a move between models needs is here: the image-input swap, the source model's
defaults, aspect ratio back to width and height, and the pixel-area window.
"""

import math
from typing import Any

from validator._problem import Problem, describe, key_path, quote
from validator.check._checker import ModelChecker
from validator.check._normalize import Normalized, _Normalizer, copy_json
from validator.check._validate import checker_for, model_hint, resolve_spec, validate
from validator.spec._spec import Model, Spec
from validator.spec._values import is_integer, ratio


def migrate(request: Any, to: str | None = None, *, spec: Spec | str | None = None) -> Normalized:
    """Return the request rewritten for model ``to`` (default: its recorded successor).

    The model id changes, and the rules of the spec's ``migrations:`` section carry
    the parameters across: old names renamed, ``image_url`` and ``reference_images``
    swapped for a target that takes the other, the source model's default steps not
    carried, ``width``/``height`` to the nearest ``aspect_ratio`` and back, onto the
    target's size menu or into its pixel-area window, numbers clamped into range,
    parameters the target refuses dropped, parameters it ignores kept (a warning).
    The target's defaults are then filled. Every change is a warning
    (``value_changed``, ``renamed_parameter``, ``parameter_dropped``) whose message
    names the rule that made it; the remaining problems are ``validate``'s.

    With ``to=None`` the target is the model's ``lifecycle.replaced_by`` (the
    spec checks that it names a model the API serves). A request on a model with no
    successor, or on a model the spec does not know, comes back unchanged (a
    copy), with its problems.

    Migrating never mutates its input and is idempotent on its target: migrating
    the result again (to the same model) changes nothing. When the result has no
    errors, ``validate(result.request)`` has none either.

    Args:
        request: The JSON body you would POST, as Python data.
        to: The id of the model to move to, or None for the recorded successor.
        spec: A Spec from ``load_spec``, a path to a spec file, or None (bundled).

    Returns:
        A ``Normalized``: ``.request``, ``.problems``, ``.ok``, ``.defaults_filled``.

    Raises:
        ValueError: ``to`` is not a model of the spec, or the spec has no
            ``migrations:`` section.
    """
    resolved = resolve_spec(spec)
    if not resolved.migrations:
        raise ValueError(f"the capability spec {resolved.path} defines no migrations")
    target = target_model(resolved, to) if to is not None else None
    if type(request) is not dict:
        return Normalized(copy_json(request), validate(request, spec=resolved), ())
    model_id = request.get("model")
    source = None
    if isinstance(model_id, str):
        source = resolved.models.get(model_id) or resolved.models.get(resolved.fold(model_id) or "")
    if target is None:
        target = successor(resolved, source) if source is not None else None
        if target is None:
            unchanged = copy_json(request)
            return Normalized(unchanged, validate(unchanged, spec=resolved), ())
    if source is not None and source.endpoint != target.endpoint:
        unchanged = copy_json(request)
        problem = Problem(
            "invalid_value",
            "error",
            "model",
            "$.model",
            f"cannot migrate a request for {source.id} (the {source.endpoint} API) to "
            f"{target.id} (the {target.endpoint} API)",
            f"choose a model of the {source.endpoint} API",
        )
        return Normalized(unchanged, [problem, *validate(unchanged, spec=resolved)], ())
    return _Migrator(resolved, source, target).run(request, asked=to is not None)


def target_model(spec: Spec, model_id: str) -> Model:
    """The model ``--to`` names; ValueError with a did-you-mean when there is none."""
    found = spec.models.get(model_id)
    if found is None:
        hint = model_hint(model_id, spec)
        raise ValueError(f"unknown model {quote(model_id)}" + (f"; {hint}" if hint else ""))
    return found


def successor(spec: Spec, model: Model) -> Model | None:
    """The model to move to from ``model``: its ``lifecycle.replaced_by`` (a served model)."""
    named = model.lifecycle.replaced_by
    return spec.models.get(named.model) if named is not None else None


def _replace_key(out: dict[Any, Any], old: Any, new: dict[Any, Any]) -> None:
    """Replace key ``old`` by the items of ``new``, where ``old`` stood."""
    items = list(out.items())
    out.clear()
    for key, value in items:
        if key == old:
            out.update(new)
        elif key not in new:
            out[key] = value


class _Migrator(_Normalizer):
    """The fix policy for the target model, plus the rules only a move needs."""

    keep_ignored = True

    def __init__(self, spec: Spec, source: Model | None, target: Model) -> None:
        super().__init__(spec, "fix")
        self.source = source
        self.target = target
        self.rules = spec.migrations

    def change(self, code: str, param: str | None, message: str, kind: str) -> None:
        if kind in self.rules:
            message += f" (migration rule {kind})"
        self.changes.append(Problem(code, "warning", param, key_path(param or ""), message))

    def run(self, request: Any, *, asked: bool = False) -> Normalized:
        target = self.target
        out: dict[Any, Any] = copy_json(request)
        old = out.get("model")
        if old != target.id:
            why = "as asked" if asked else "its recorded successor (lifecycle.replaced_by)"
            if "model" in out:
                message = f"model {describe(old)} changed to {quote(target.id)}, {why}"
                out["model"] = target.id
            else:
                message = f"model set to {quote(target.id)}, {why}"
                out = {"model": target.id, **out}
            self.change("value_changed", "model", message, "model")
        self.image_inputs(out)
        self.model_defaults(out)
        self.ratio_to_size(out)
        out = self.apply_policy(out, target)
        checker = checker_for(self.spec, target.id)
        assert isinstance(checker, ModelChecker)  # target is a model of the spec
        filled = self.fill_defaults(out, checker)
        return Normalized(out, self.changes + validate(out, spec=self.spec), filled)

    def image_inputs(self, out: dict[Any, Any]) -> None:
        """image_url to a one-item reference_images, and back, for a target taking the other."""
        rule = self.rules["image_inputs"]
        one, many = rule["one"], rule["many"]
        takes = self.target.params
        if one in out and one not in takes and many in takes and many not in out:
            value = out[one]
            _replace_key(out, one, {many: [value]})
            self.change(
                "renamed_parameter",
                one,
                f"{one} became {many} (a list of one): {self.target.id} takes {many}, not {one}",
                "image_inputs",
            )
        elif many in out and many not in takes and one in takes and one not in out:
            items = out[many]
            if not isinstance(items, list) or not items:
                return  # nothing to carry: the refused rule drops it
            _replace_key(out, many, {one: items[0]})
            message = f"{many} became {one} (its first item): {self.target.id} takes one {one}"
            if len(items) == 2:
                message += "; the other image is not sent"
            elif len(items) > 2:
                message += f"; the other {len(items) - 1} images are not sent"
            self.change("renamed_parameter", many, message, "image_inputs")

    def model_defaults(self, out: dict[Any, Any]) -> None:
        """A value equal to the source model's default becomes the target's (or is dropped)."""
        source, target = self.source, self.target
        if source is None or source.id == target.id:
            return
        for name in self.rules["model_defaults"]["params"]:
            value = out.get(name)
            mine, theirs = source.params.get(name), target.params.get(name)
            if (
                mine is None
                or theirs is None
                or mine.default is None
                or isinstance(value, bool)
                or not isinstance(value, int | float)
                or value != mine.default
            ):
                continue
            was = f"{name} {describe(value)}, the default of {source.id}"
            if theirs.default is None:
                del out[name]
                self.change(
                    "parameter_dropped",
                    name,
                    f"dropped {was}: {target.id} has no default of its own; the API applies one",
                    "model_defaults",
                )
            elif theirs.default != value:
                out[name] = copy_json(theirs.default)
                self.change(
                    "value_changed",
                    name,
                    f"{was}, changed to {describe(theirs.default)}, the default of {target.id}",
                    "model_defaults",
                )

    def ratio_to_size(self, out: dict[Any, Any]) -> None:
        """aspect_ratio to width and height, for a target that takes those and not it."""
        takes = self.target.params
        text = out.get("aspect_ratio")
        if (
            not isinstance(text, str)
            or "aspect_ratio" in takes
            or "width" not in takes
            or "height" not in takes
            or "width" in out
            or "height" in out
        ):
            return
        try:
            wanted = ratio(text)
        except (ValueError, ZeroDivisionError):
            return  # not W:H: the refused rule drops it
        if wanted <= 0:
            return
        width_param, height_param = takes["width"], takes["height"]
        if is_integer(width_param.default) and is_integer(height_param.default):
            area = int(width_param.default) * int(height_param.default)
        else:
            area = int(self.rules["ratio_to_size"]["area"])
        width = _side(math.sqrt(area * wanted), width_param.schema)
        height = _side(math.sqrt(area / wanted), height_param.schema)
        _replace_key(out, "aspect_ratio", {"width": width, "height": height})
        self.change(
            "value_changed",
            "aspect_ratio",
            f"aspect_ratio {quote(text)} replaced by width {width} and height {height}: "
            f"{self.target.id} takes width and height, not aspect_ratio",
            "ratio_to_size",
        )


def _side(ideal: float, schema: Any) -> int:
    """A side length near ``ideal``: a multiple of the step (and the advised one), in bounds."""
    step = schema.multiple_of or 1
    if schema.advice is not None and schema.advice.multiple_of:
        step = math.lcm(step, int(schema.advice.multiple_of))
    value = max(step, round(ideal / step) * step)
    if schema.minimum is not None and value < schema.minimum:
        value = math.ceil(schema.minimum / step) * step
    if schema.maximum is not None and value > schema.maximum:
        value = math.floor(schema.maximum / step) * step
    return int(value)

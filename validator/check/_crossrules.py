"""Cross-field rules checked on a request, and explained.

Exclusive and one-of-required parameters, size menus, pixel-area windows and
aspect-ratio bounds: the rules that relate two or more parameters.
"""

from __future__ import annotations

import math

from validator._problem import Problem, key_path
from validator.spec._values import is_integer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from validator.spec._spec import Model, ModelParameter, Rule


def is_present(request: dict[Any, Any], dotted: str) -> bool:
    """``media.frame_images`` is in the request (each step an object holding the next)."""
    node: Any = request
    for part in dotted.split("."):
        if type(node) is not dict or part not in node:
            return False
        node = node[part]
    return True


def required_hint(name: str) -> str | None:
    """How to add a required parameter, where a template helps."""
    if name == "prompt":
        return "add a prompt describing the image"
    if name == "frame_images":
        return 'add frame_images: [{"input_image": "<url>", "frame": "first"}]'
    if name == "media.frame_images":
        return 'add media: {"frame_images": [{"input_image": "<url>", "frame": "first"}]}'
    return None


def check_rule(model: Model, rule: Rule, request: dict[Any, Any], out: list[Problem]) -> None:
    """Check one cross-field rule of ``model`` on a request; append what breaks it."""
    kind = rule.kind
    model_id = model.id
    note = f" ({rule.note})" if rule.note else ""
    if kind == "exclusive":
        present = [p for p in rule.params if p in request]
        if len(present) > 1:
            out.append(
                Problem(
                    "conflicting_parameters",
                    rule.severity,  # type: ignore[arg-type]
                    present[-1],
                    key_path(present[-1]),
                    f"{' and '.join(present)} cannot be combined for {model_id}{note}",
                    f"send only one of {', '.join(rule.params)}",
                )
            )
        return
    if kind == "one_of_required":
        if not any(is_present(request, p) for p in rule.params):
            out.append(
                Problem(
                    "missing_required",
                    rule.severity,  # type: ignore[arg-type]
                    None,
                    "$",
                    f"{model_id} requires one of {', '.join(rule.params)}{note}",
                    required_hint(rule.params[0]),
                )
            )
        return
    width, height = (
        _valid_side(model.params.get("width"), request.get("width")),
        _valid_side(model.params.get("height"), request.get("height")),
    )
    if width is None or height is None:
        return
    size = f"{width}x{height}"
    if kind == "size_menu":
        menu = set(rule.sizes)
        if (width, height) not in menu:
            shown = ", ".join(f"{w}x{h}" for w, h in rule.sizes[:12])
            more = f" and {len(rule.sizes) - 12} more" if len(rule.sizes) > 12 else ""
            nearest = min(
                rule.sizes,
                key=lambda s: (
                    abs(math.log(s[0] / s[1]) - math.log(width / height))
                    + abs(s[0] * s[1] - width * height) / 1e7
                ),
            )
            refused = rule.severity == "error"  # else advice: a menu no refusal is known for
            out.append(
                Problem(
                    "invalid_value" if refused else "not_recommended",
                    rule.severity,  # type: ignore[arg-type]
                    "width",
                    key_path("width"),
                    f"{size} is not a size {model_id} offers; sizes: {shown}{more}"
                    if refused
                    else f"{size} is not among the sizes listed for {model_id}: {shown}{more}",
                    f"the nearest is {nearest[0]}x{nearest[1]}",
                )
            )
        elif rule.advised and (width, height) not in set(rule.advised):
            out.append(
                Problem(
                    "not_recommended",
                    "warning",
                    "width",
                    key_path("width"),
                    f"{size} is in an older size list for {model_id}, not the current one",
                    "current sizes: "
                    + ", ".join(f"{w}x{h}" for w, h in rule.advised[:10])
                    + ", ...",
                )
            )
    elif kind == "pixel_area":
        area = width * height
        lo, hi = rule.minimum, rule.maximum
        if (lo is not None and area < lo) or (hi is not None and area > hi):
            side = "below the minimum" if lo is not None and area < lo else "above the maximum"
            bound = lo if side == "below the minimum" else hi
            out.append(
                Problem(
                    "conflicting_parameters",
                    rule.severity,  # type: ignore[arg-type]
                    "width",
                    key_path("width"),
                    f"{size} is {area:,} pixels, {side} area "
                    f"{bound:,}{_square(bound)} for {model_id}",
                    f"allowed area: {_area_range(lo, hi)}",
                )
            )
    elif kind == "aspect_ratio":
        from fractions import Fraction  # noqa: PLC0415 - rare path

        lo_ratio, hi_ratio = rule.ratio_bounds
        value = Fraction(width, height)
        if (lo_ratio is not None and value < lo_ratio) or (
            hi_ratio is not None and value > hi_ratio
        ):
            out.append(
                Problem(
                    "conflicting_parameters",
                    rule.severity,  # type: ignore[arg-type]
                    "width",
                    key_path("width"),
                    f"{size} has aspect ratio {_ratio_text(value)}, outside "
                    f"{rule.minimum or 'any'} to {rule.maximum or 'any'} for {model_id}",
                )
            )


def _square(bound: int) -> str:
    root = math.isqrt(bound)
    return f" ({root}x{root})" if root * root == bound else ""


def _area_range(lo: int | None, hi: int | None) -> str:
    """``1,600,225 to 2,073,600 pixels, that is 1265x1265 to 1440x1440``.

    No parentheses: this is a hint, and reports print hints in parentheses.
    """
    if lo is not None and hi is not None:
        text = f"{lo:,} to {hi:,} pixels"
        squares = [_square(lo), _square(hi)]
        if all(squares):
            text += f", that is {squares[0].strip(' ()')} to {squares[1].strip(' ()')}"
        return text
    return f"at least {lo:,} pixels" if lo is not None else f"at most {hi:,} pixels"


def _ratio_text(value: Any) -> str:
    return (
        f"{value.numerator}:{value.denominator}"
        if value.numerator < 1000
        else f"{float(value):.3f}"
    )


def _valid_side(param: ModelParameter | None, value: Any) -> int | None:
    """A width or height that passed its own checks, as an int; else None (already reported)."""
    if param is None or not is_integer(value):
        return None
    side = int(value)
    schema = param.schema
    if (schema.minimum is not None and side < schema.minimum) or (
        schema.maximum is not None and side > schema.maximum
    ):
        return None
    if schema.enum is not None and side not in schema.enum:
        return None
    if schema.multiple_of and side % schema.multiple_of:
        return None
    return side

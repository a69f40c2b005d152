"""The fix policy's repairs of habits from other image APIs, and advice-aware numbers.

What is repaired is data: ``repairs`` in capabilities.yaml (foreign names renamed,
``"WxH"`` size strings split, foreign values replaced). Numeric strings for number
parameters (``seed: "42"``) are converted by rule. ``validator.check._normalize`` calls
these; each change is reported through its ``change`` callback.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Final

from validator._problem import quote
from validator.spec._values import is_integer

if TYPE_CHECKING:
    from collections.abc import Callable

    from validator.spec._spec import Model, Repairs
    from validator.spec._values import ValueSchema

    Change = Callable[[str, str | None, str, str], None]
    Nearest = Callable[[float, float | None, float | None, int | None, tuple[Any, ...] | None], Any]

_SIZE: Final = re.compile(r"\s*(\d{1,6})\s*[xX*\u00d7]\s*(\d{1,6})\s*")
_NUMERIC: Final = re.compile(r"\s*[-+]?\d{1,30}(?:\.\d{0,30})?\s*")


def apply_habits(
    out: dict[Any, Any], model: Model, repairs: Repairs, change: Change
) -> dict[Any, Any]:
    """``out`` with foreign names renamed and size strings split, in place of the originals.

    A foreign name whose Together name is also given, or that this model does not
    take, is left as it is: the drop that follows removes it and says why.
    """
    result: dict[Any, Any] = {}
    for key, value in out.items():
        target = repairs.names.get(key) if isinstance(key, str) else None
        if target is not None and target not in out and target in model.params:
            result[target] = value
            change("value_changed", key, f"{key} (another API's name) renamed to {target}", "habit")
            continue
        if isinstance(key, str) and key in repairs.sizes and isinstance(value, str):
            size = _SIZE.fullmatch(value)
            if (
                size is not None
                and "width" not in out
                and "height" not in out
                and ("width" in model.params or "aspect_ratio" in model.params)
            ):
                width, height = int(size.group(1)), int(size.group(2))
                result["width"], result["height"] = width, height
                change(
                    "value_changed",
                    key,
                    f"{key} {quote(value)} split into width {width} and height {height}",
                    "habit",
                )
                continue
        result[key] = value
    return result


def numeric_string(text: str, *, integer: bool) -> Any:
    """A numeric string as its number ("42" -> 42, "7.5" -> 7.5); anything else unchanged.

    For an integer parameter only whole numbers convert ("4.0" -> 4, "4.5" stays).
    Exponents, hex and the like are not numbers here: they stay strings (errors).
    """
    if _NUMERIC.fullmatch(text) is None:
        return text
    if "." not in text:
        return int(text)
    number = float(text)
    if integer:
        return int(number) if number.is_integer() else text
    return number


def advised(value: float, fixed: Any, schema: ValueSchema, nearest: Nearest) -> Any:
    """A repair that also meets the advice (FLUX.2 width 1001 -> 1008: a multiple of 16).

    Only values that needed repairing are moved further; when the advice cannot be
    met inside the hard bounds, the hard repair stands.
    """
    advice = schema.advice
    if advice is None:
        return fixed
    step = schema.multiple_of
    if advice.multiple_of and is_integer(advice.multiple_of):
        step = math.lcm(step, int(advice.multiple_of)) if step else int(advice.multiple_of)
    lo = _tighter(schema.minimum, advice.minimum, max)
    hi = _tighter(schema.maximum, advice.maximum, min)
    if lo is not None and hi is not None and lo > hi:
        return fixed
    result = nearest(value, lo, hi, step, schema.enum)
    inside = (schema.minimum is None or result >= schema.minimum) and (
        schema.maximum is None or result <= schema.maximum
    )
    return result if inside else fixed


def _tighter(
    hard: float | None, advice: float | None, pick: Callable[[float, float], float]
) -> float | None:
    if advice is None:
        return hard
    return advice if hard is None else pick(hard, advice)

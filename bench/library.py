"""One library figure of bench/run.py, measured in a process of its own.

Usage (bench/run.py runs it with the benchmark venv's Python):
    python bench/library.py FIGURE --schemas DIR [--rounds N] [--budget SECONDS]

FIGURE is e, f, g or h (issue 16's table). Prints one JSON object: per-call seconds
(wall and this thread's CPU time) of every contender in every round, which contender
is the anchor, where validator was imported from, and the versions of the contenders.

Before anything is timed, every contender's verdict is checked against capspec's on
the measured requests and on probes of each constraint of FLUX.2 Dev (bounds,
multiples, enums, lengths, forbidden extras, the guidance/guidance_scale pair), and
the filled-in requests of the normalizing contenders are checked to equal capspec's
normalize: a contender that disagrees is not timed, the run fails.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import json
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NotRequired

import jsonschema
import jsonschema_rs
import msgspec
import pydantic
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator, with_config
from rounds import interleave
from typing_extensions import TypedDict
from workload import FLUX2_DEV

import validator

if TYPE_CHECKING:
    from collections.abc import Callable

MODEL = "black-forest-labs/FLUX.2-dev"
# The valid nine-key FLUX.2 Dev request of figures (e) and (f).
VALID: dict[str, Any] = dict(FLUX2_DEV)
# The invalid request of (g) and (h): a type error, a non-multiple, a range, an enum.
INVALID: dict[str, Any] = {
    **VALID,
    "width": "1024",
    "height": 1020,
    "steps": 80,
    "output_format": "webp",
}
INVALID_PARAMS = {"width", "height", "steps", "output_format"}
SAFE = 9007199254740991

# Probes of each constraint: (what, request). The verdict of every contender must
# equal capspec's (an error or not) on each.
PROBES: list[tuple[str, dict[str, Any]]] = [
    ("minimal", {"model": MODEL, "prompt": "a cat"}),
    (
        "every parameter",
        {
            **VALID,
            "response_format": "base64",
            "disable_safety_checker": True,
            "reference_images": ["https://e.x/a.png"],
            "image_loras": [{"path": "https://e.x/l.safetensors", "scale": -0.8}],
        },
    ),
    ("guidance alone (old name)", {"model": MODEL, "prompt": "a cat", "guidance": 3.5}),
    ("guidance and guidance_scale", {**VALID, "guidance": 3}),
    ("extra key", {**VALID, "negative_prompt": "blurry"}),
    ("misspelt key", {**VALID, "widht": 1024}),
    ("no prompt", {"model": MODEL}),
    ("empty prompt", {**VALID, "prompt": ""}),
    ("other model", {**VALID, "model": "black-forest-labs/FLUX.2-pro-x"}),
    ("width above 2048", {**VALID, "width": 2056}),
    ("width below 256", {**VALID, "width": 248}),
    ("height not a multiple of 8", {**VALID, "height": 772}),
    ("width a fraction", {**VALID, "width": 1024.5}),
    ("width a whole float", {**VALID, "width": 1024.0}),
    ("steps a fraction", {**VALID, "steps": 28.5}),
    ("seed a whole float", {**VALID, "seed": 7.0}),
    ("width a bool", {**VALID, "width": True}),
    ("steps 0", {**VALID, "steps": 0}),
    ("steps 50", {**VALID, "steps": 50}),
    ("n 5", {**VALID, "n": 5}),
    ("n null", {**VALID, "n": None}),
    ("seed beyond 2**53 - 1", {**VALID, "seed": SAFE + 1}),
    ("seed at -(2**53 - 1)", {**VALID, "seed": -SAFE}),
    ("guidance_scale 100.5", {**VALID, "guidance_scale": 100.5}),
    ("guidance_scale a string", {**VALID, "guidance_scale": "4"}),
    ("output_format PNG", {**VALID, "output_format": "PNG"}),
    ("response_format b64_json", {**VALID, "response_format": "b64_json"}),
    ("disable_safety_checker 'no'", {**VALID, "disable_safety_checker": "no"}),
    ("11 reference images", {**VALID, "reference_images": ["https://e.x/a.png"] * 11}),
    ("an empty reference image", {**VALID, "reference_images": [""]}),
    ("no LoRA in image_loras", {**VALID, "image_loras": []}),
    ("a LoRA scale of 11", {**VALID, "image_loras": [{"path": "p", "scale": 11}]}),
    ("a LoRA without a path", {**VALID, "image_loras": [{"scale": 1}]}),
    ("a LoRA scale true", {**VALID, "image_loras": [{"path": "p", "scale": True}]}),
    ("disable_safety_checker 0", {**VALID, "disable_safety_checker": 0}),
    ("a prompt of 32000 characters", {**VALID, "prompt": "x" * 32000}),
    ("a prompt of 32001 characters", {**VALID, "prompt": "x" * 32001}),
    ("a prompt of 32000 astral characters", {**VALID, "prompt": "\U0001f98a" * 32000}),
    ("reference_images a string", {**VALID, "reference_images": "https://e.x/a.png"}),
    ("a LoRA with an extra key", {**VALID, "image_loras": [{"path": "p", "scale": 1, "x": 1}]}),
    ("INVALID", INVALID),
    ("VALID", VALID),
]


# --- faithful models of FLUX.2 Dev ---------------------------------------------------
# Written from `capspec explain black-forest-labs/FLUX.2-dev`: the error bounds (not
# the advice, which only warns), defaults, enums and forbidden extras. Types strict as
# JSON's: no "1024" for 1024, no true for 1; an integer is JSON's, so 1024.0 is one (as
# for capspec and JSON Schema) and 1024.5 is not. An optional parameter without a
# default is absent, not null: pydantic's fields say default=None without admitting
# None (a default is not validated), msgspec's use UNSET; both leave it out of the
# filled-in request.


def integer(low: int, high: int, step: int = 1) -> Any:
    """pydantic: JSON's integer from low to high, a multiple of step (1024 or 1024.0)."""
    bounds = {"ge": low, "le": high, "multiple_of": step}
    return Annotated[int, Field(**bounds)] | Annotated[float, Field(**bounds)]


def minteger(low: int, high: int, step: int = 1) -> Any:
    """msgspec: the same."""
    meta = msgspec.Meta(ge=low, le=high, multiple_of=step)
    return Annotated[int, meta] | Annotated[float, meta]


Side = integer(256, 2048, 8)
Steps = integer(1, 50)
Count = integer(1, 4)
Seed = integer(-SAFE, SAFE)
Guidance = Annotated[float, Field(ge=0, le=100)]
Url = Annotated[str, Field(min_length=1)]


class PydanticLora(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    path: Url
    scale: Annotated[float, Field(ge=-10, le=10)]


class PydanticFlux2Dev(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    model: Literal["black-forest-labs/FLUX.2-dev"]
    prompt: Annotated[str, Field(min_length=1, max_length=32000)]
    width: Side = 1024
    height: Side = 1024
    steps: Steps = None
    guidance_scale: Guidance = None  # type: ignore[assignment]
    guidance: Guidance = None  # type: ignore[assignment]
    n: Count = 1
    seed: Seed = None
    response_format: Literal["url", "base64"] = "url"
    output_format: Literal["jpeg", "png"] = "jpeg"
    disable_safety_checker: bool = False
    reference_images: Annotated[list[Url], Field(max_length=10)] = None  # type: ignore[assignment]
    image_loras: Annotated[list[PydanticLora], Field(min_length=1)] = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def _one_guidance(self) -> PydanticFlux2Dev:
        if self.guidance is not None and self.guidance_scale is not None:
            raise ValueError("send guidance_scale or its old name guidance, not both")
        return self


@with_config(ConfigDict(extra="forbid", strict=True))
class _LoraDict(TypedDict):
    path: Url
    scale: Annotated[float, Field(ge=-10, le=10)]


@with_config(ConfigDict(extra="forbid", strict=True))
class _Flux2DevDict(TypedDict):
    model: Literal["black-forest-labs/FLUX.2-dev"]
    prompt: Annotated[str, Field(min_length=1, max_length=32000)]
    width: NotRequired[Side]
    height: NotRequired[Side]
    steps: NotRequired[Steps]
    guidance_scale: NotRequired[Guidance]
    guidance: NotRequired[Guidance]
    n: NotRequired[Count]
    seed: NotRequired[Seed]
    response_format: NotRequired[Literal["url", "base64"]]
    output_format: NotRequired[Literal["jpeg", "png"]]
    disable_safety_checker: NotRequired[bool]
    reference_images: NotRequired[Annotated[list[Url], Field(max_length=10)]]
    image_loras: NotRequired[Annotated[list[_LoraDict], Field(min_length=1)]]


def _one_guidance_dict(request: _Flux2DevDict) -> _Flux2DevDict:
    if "guidance" in request and "guidance_scale" in request:
        raise ValueError("send guidance_scale or its old name guidance, not both")
    return request


PYDANTIC_DICT = pydantic.TypeAdapter(Annotated[_Flux2DevDict, AfterValidator(_one_guidance_dict)])

MSide = minteger(256, 2048, 8)
MGuidance = Annotated[float, msgspec.Meta(ge=0, le=100)]
MUrl = Annotated[str, msgspec.Meta(min_length=1)]
Unset = msgspec.UnsetType


class MsgspecLora(msgspec.Struct, forbid_unknown_fields=True):
    path: MUrl
    scale: Annotated[float, msgspec.Meta(ge=-10, le=10)]


class MsgspecFlux2Dev(msgspec.Struct, forbid_unknown_fields=True):
    model: Literal["black-forest-labs/FLUX.2-dev"]
    prompt: Annotated[str, msgspec.Meta(min_length=1, max_length=32000)]
    width: MSide = 1024
    height: MSide = 1024
    steps: minteger(1, 50) | Unset = msgspec.UNSET
    guidance_scale: MGuidance | Unset = msgspec.UNSET
    guidance: MGuidance | Unset = msgspec.UNSET
    n: minteger(1, 4) = 1
    seed: minteger(-SAFE, SAFE) | Unset = msgspec.UNSET
    response_format: Literal["url", "base64"] = "url"
    output_format: Literal["jpeg", "png"] = "jpeg"
    disable_safety_checker: bool = False
    reference_images: Annotated[list[MUrl], msgspec.Meta(max_length=10)] | Unset = msgspec.UNSET
    image_loras: Annotated[list[MsgspecLora], msgspec.Meta(min_length=1)] | Unset = msgspec.UNSET

    def __post_init__(self) -> None:
        if self.guidance is not msgspec.UNSET and self.guidance_scale is not msgspec.UNSET:
            raise ValueError("send guidance_scale or its old name guidance, not both")


# --- verdicts and fills -----------------------------------------------------------


def capspec_errors(request: dict[str, Any]) -> list[Any]:
    return [p for p in validator.validate(request) if p.severity == "error"]


def _raises(func: Callable[[], object], *errors: type[BaseException]) -> bool:
    try:
        func()
    except errors:
        return False
    return True


def verdicts(schema: dict[str, Any]) -> dict[str, Callable[[dict[str, Any]], bool]]:
    """Each contender's valid/invalid verdict on a request."""
    rs = jsonschema_rs.validator_for(schema)
    py = jsonschema.Draft202012Validator(schema)
    return {
        "capspec validate": lambda r: not capspec_errors(r),
        "capspec normalize": lambda r: (
            not [p for p in validator.normalize(r).problems if p.severity == "error"]
        ),
        "jsonschema-rs": rs.is_valid,
        "python-jsonschema": py.is_valid,
        "pydantic model": lambda r: _raises(
            lambda: PydanticFlux2Dev.model_validate(r), pydantic.ValidationError
        ),
        "pydantic TypedDict": lambda r: _raises(
            lambda: PYDANTIC_DICT.validate_python(r), pydantic.ValidationError
        ),
        "msgspec": lambda r: _raises(
            lambda: msgspec.convert(r, MsgspecFlux2Dev), msgspec.ValidationError
        ),
    }


def pydantic_fill(request: dict[str, Any]) -> dict[str, Any]:
    return PydanticFlux2Dev.model_validate(request).model_dump(exclude_none=True)


def msgspec_fill(request: dict[str, Any]) -> dict[str, Any]:
    filled: dict[str, Any] = msgspec.to_builtins(msgspec.convert(request, MsgspecFlux2Dev))
    return filled


def agreement(schema: dict[str, Any]) -> list[str]:
    """Check every contender against capspec; return what was checked (raise on a miss)."""
    judges = verdicts(schema)
    misses = []
    for what, request in PROBES:
        expected = not capspec_errors(request)
        misses += [
            f"{name} says {'valid' if verdict(request) else 'invalid'} on {what!r}, capspec "
            f"{'valid' if expected else 'invalid'}"
            for name, verdict in judges.items()
            if verdict(request) != expected
        ]
    filled = validator.normalize(VALID).request
    for name, fill in (("pydantic", pydantic_fill), ("msgspec", msgspec_fill)):
        if fill(VALID) != filled:
            misses.append(f"{name} fills the valid request as {fill(VALID)}, capspec {filled}")
    # (g) and (h) time all of the invalid request's problems: every contender that
    # reports all must find the same four parameters.
    found = {
        "capspec validate": {p.param for p in capspec_errors(INVALID)},
        "capspec normalize": {
            p.param for p in validator.normalize(INVALID).problems if p.severity == "error"
        },
        "jsonschema-rs iter_errors": {
            str(next(iter(e.instance_path), "")) for e in judges_rs(schema).iter_errors(INVALID)
        },
        "pydantic errors()": {str(e["loc"][0]) for e in _pydantic_errors(INVALID)},
    }
    misses += [
        f"{name} finds problems in {sorted(params)}, expected {sorted(INVALID_PARAMS)}"
        for name, params in found.items()
        if params != INVALID_PARAMS
    ]
    if misses:
        raise SystemExit("bench: contenders disagree:\n  " + "\n  ".join(misses))
    return [
        (
            f"{len(judges)} contenders agree with capspec on {len(PROBES)} requests "
            f"({len(PROBES) - 2} constraint probes and the two measured requests)"
        ),
        "pydantic and msgspec fill the valid request exactly as capspec normalize does",
        "capspec, jsonschema-rs and pydantic each find the invalid request's four problems",
    ]


def judges_rs(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(schema)


def _pydantic_errors(request: dict[str, Any]) -> list[Any]:
    try:
        PydanticFlux2Dev.model_validate(request)
    except pydantic.ValidationError as error:
        return error.errors()
    return []


def _msgspec_first_error(request: dict[str, Any]) -> None:
    with contextlib.suppress(msgspec.ValidationError):
        msgspec.convert(request, MsgspecFlux2Dev)


# --- the figures --------------------------------------------------------------------


def figure(name: str, schema: dict[str, Any]) -> tuple[str, dict[str, Callable[[], object]]]:
    """The anchor and the contenders (anchor first) of figure name."""
    rs = jsonschema_rs.validator_for(schema)
    valid, invalid = dict(VALID), dict(INVALID)
    if name == "e":
        return "jsonschema-rs is_valid", {
            "jsonschema-rs is_valid": lambda: rs.is_valid(valid),
            "capspec validate": lambda: validator.validate(valid),
            "msgspec convert": lambda: msgspec.convert(valid, MsgspecFlux2Dev),
            "pydantic TypeAdapter(TypedDict)": lambda: PYDANTIC_DICT.validate_python(valid),
            "pydantic model_validate": lambda: PydanticFlux2Dev.model_validate(valid),
        }
    if name == "f":
        return "jsonschema-rs is_valid", {
            "jsonschema-rs is_valid": lambda: rs.is_valid(valid),
            "capspec normalize": lambda: validator.normalize(valid),
            "msgspec convert + to_builtins": lambda: msgspec_fill(valid),
            "pydantic model_validate + model_dump": lambda: pydantic_fill(valid),
        }
    if name == "g":
        py = jsonschema.Draft202012Validator(schema)
        return "jsonschema-rs iter_errors", {
            "jsonschema-rs iter_errors": lambda: list(rs.iter_errors(invalid)),
            "capspec validate": lambda: validator.validate(invalid),
            "pydantic model_validate + errors()": lambda: _pydantic_errors(invalid),
            "msgspec convert (first error only)": lambda: _msgspec_first_error(invalid),
            "python-jsonschema iter_errors": lambda: list(py.iter_errors(invalid)),
        }
    if name == "h":
        return "capspec validate", {
            "capspec validate": lambda: validator.validate(invalid),
            "capspec normalize": lambda: validator.normalize(invalid),
        }
    raise SystemExit(f"bench: no figure {name!r}")


def per_call(
    func: Callable[[], object], budget: float, repeat: int
) -> Callable[[], tuple[float, float]]:
    """A measurement of func: (wall, CPU) seconds per call, the least of repeat batches.

    Each batch takes about budget / repeat; the least of a few back-to-back batches
    drops the one a neighbour interrupted (timeit's advice). CPU time is this thread's
    (time.thread_time). The garbage collector is off during a batch, as in timeit.
    """

    def batch(number: int) -> tuple[float, float]:
        calls = itertools.repeat(None, number)
        enabled = gc.isenabled()
        gc.disable()
        try:
            wall, cpu = time.perf_counter(), time.thread_time()
            for _ in calls:
                func()
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        finally:
            if enabled:
                gc.enable()
        return wall, cpu

    share = budget / repeat
    number = 1
    while (elapsed := batch(number)[1]) < share / 10:
        number *= 4
    number = max(1, round(number * share / elapsed))

    def measure() -> tuple[float, float]:
        batches = [batch(number) for _ in range(repeat)]
        return min(w for w, _ in batches) / number, min(c for _, c in batches) / number

    return measure


def load_schema(folder: Path, model: str) -> dict[str, Any]:
    for path in sorted(folder.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if schema.get("properties", {}).get("model", {}).get("const") == model:
            return dict(schema)
    raise SystemExit(f"bench: no schema for {model} in {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("figure", choices=["e", "f", "g", "h"])
    parser.add_argument("--schemas", type=Path, required=True, help="capspec schemas --out DIR")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument(
        "--budget", type=float, default=0.006, help="CPU seconds per contender per round"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="batches per contender per round (the least counts)"
    )
    args = parser.parse_args()
    schema = load_schema(args.schemas, MODEL)
    checks = agreement(schema)
    anchor, contenders = figure(args.figure, schema)
    timers = {name: per_call(func, args.budget, args.repeat) for name, func in contenders.items()}
    values = interleave(timers, args.rounds)
    wall = {name: [w for w, _ in pairs] for name, pairs in values.items()}
    cpu = {name: [c for _, c in pairs] for name, pairs in values.items()}
    versions = {}
    for dist in ("capspec", "jsonschema-rs", "jsonschema", "pydantic", "msgspec"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    json.dump(
        {
            "figure": args.figure,
            "anchor": anchor,
            "wall": wall,
            "cpu": cpu,
            "validator_file": validator.__file__,
            "python": sys.executable,
            "versions": versions,
            "checks": checks,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()

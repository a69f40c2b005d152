"""The requests and JSONL files bench/ measures: the same everywhere, standard library only.

FLUX2_DEV is the valid nine-key request of issue 16's figures (a), (e) and (f);
ACTIVE holds one clean request per kind of active model (no problem, no warning);
RETIRED one on a retired model that Together still answers (one retired_model
warning). make_jsonl writes a file of them, seeds varied line by line, and says
how many errors and warnings capspec must report; check_report holds capspec's JSON
report to that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

FLUX2_DEV = {
    "model": "black-forest-labs/FLUX.2-dev",
    "prompt": "a lighthouse at dusk, volumetric light",
    "width": 1024,
    "height": 768,
    "steps": 28,
    "guidance_scale": 4,
    "n": 2,
    "seed": 7,
    "output_format": "jpeg",
}
# Active models, each request clean (no warning).
ACTIVE = [
    {
        "model": "black-forest-labs/FLUX.1.1-pro",
        "prompt": "a red fox in fresh snow, golden hour",
        "width": 1024,
        "height": 768,
        "n": 1,
        "seed": 42,
        "response_format": "url",
        "output_format": "png",
        "disable_safety_checker": False,
    },
    FLUX2_DEV,
    {
        "model": "black-forest-labs/FLUX.1-kontext-pro",
        "prompt": "make his shirt yellow",
        "aspect_ratio": "16:9",
        "steps": 28,
        "n": 1,
        "seed": 3,
        "response_format": "url",
        "output_format": "png",
        "image_url": "https://github.com/nutlope.png",
    },
    {
        "model": "kwaivgI/kling-2.1-pro",
        "prompt": "the camera pulls back",
        "media": {"frame_images": [{"input_image": "https://e.x/a.jpeg", "frame": "first"}]},
        "seed": 5,
    },
]
# Retired, still answered: one retired_model warning, nothing else.
RETIRED = {
    "model": "black-forest-labs/FLUX.1-schnell",
    "prompt": "a paper boat on a pond",
    "width": 1024,
    "height": 768,
    "steps": 4,
    "n": 1,
    "seed": 0,
}


def _template(request: dict[str, object], **changes: object) -> str:
    """A one-line JSON template with the seed as a %d slot: json.dumps, only faster."""
    return json.dumps({**request, **changes, "seed": 0}).replace('"seed": 0', '"seed": %d')


@dataclass(frozen=True)
class Jsonl:
    path: Path
    lines: int
    errors: int
    warnings: int


def make_jsonl(path: Path, count: int, *, retired: bool = False, broken: bool = False) -> Jsonl:
    """count requests, one in fifty invalid (n = 9); with retired, a quarter on a retired model.

    The retired lines are lines 2 and 7 of every eight, so every active model stays in.
    With broken, one invalid line in ten is cut short (not JSON) instead.
    """
    good = [_template(r) for r in ACTIVE]
    worse = [_template(r, n=9) for r in ACTIVE]
    old = _template(RETIRED)
    errors = warnings = 0
    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            if index % 50 == 49:
                line = worse[index % len(worse)] % index
                if broken and index % 500 == 499:
                    line = line[:-9]
                errors += 1
            elif retired and index % 8 in {2, 7}:
                line = old % index
                warnings += 1
            else:
                line = good[index % len(good)] % index
            handle.write(line + "\n")
    return Jsonl(path, count, errors, warnings)


def check_report(output: Path, expected: Jsonl) -> None:
    """capspec's JSON report of a generated file says exactly what was put in it."""
    report = json.loads(output.read_bytes())
    summary = report["summary"]
    got = (summary["requests"], summary["errors"], summary["warnings"])
    want = (expected.lines, expected.errors, expected.warnings)
    if got != want:
        raise SystemExit(
            f"bench: {expected.path.name}: capspec counted {got} (requests, errors, "
            f"warnings), expected {want}"
        )
    codes = {(p["severity"], p["code"]) for p in report["problems"]}
    allowed = {
        ("error", "out_of_range"),
        ("error", "unknown_parameter"),
        ("warning", "retired_model"),
    }
    if not codes <= allowed:
        raise SystemExit(
            f"bench: {expected.path.name}: unexpected problems {sorted(codes - allowed)}"
        )

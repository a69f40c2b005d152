"""capspec benchmarks: every figure beside its anchor, measured in the same run.

Usage:
    python bench/run.py [--quick] [--out docs/benchmarks.md]

Contenders, on the same requests and capspec's own generated schemas:
  library   capspec validate / normalize against python-jsonschema (a reused
            validator's iter_errors and is_valid, and the plain
            jsonschema.validate most code calls), fastjsonschema (compiled) and
            jsonschema-rs (validator_for(...).is_valid; the anchor of normalize).
  start-up  capspec lint one.json against check-jsonschema --schemafile S one.json.
  JSONL     capspec lint --format json on 10k/100k/400k(/1M) requests, 2% invalid,
            against parsing the same file line by line with the standard
            library's json; peak memory (max RSS) of each run.

Timings are medians over repeated runs; every figure is also given as a ratio to
its anchor measured in the same run, so machines can be compared by ratio only.
Needs the bench extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fastjsonschema  # noqa: E402
import jsonschema  # noqa: E402
import jsonschema_rs  # noqa: E402

import validator  # noqa: E402
from validator.files._files import write_atomic  # noqa: E402
from validator.render._schemagen import file_name  # noqa: E402

SCHEMAS = ROOT / "schemas"

# Requests per family: a valid nine-parameter one and invalid ones with 1, 4 and 9 problems.
VALID = {
    "FLUX.1.1 Pro": {
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
    "FLUX.2 Dev": {
        "model": "black-forest-labs/FLUX.2-dev",
        "prompt": "a lighthouse at dusk, volumetric light",
        "width": 1024,
        "height": 768,
        "steps": 28,
        "guidance_scale": 4,
        "n": 2,
        "seed": 7,
        "output_format": "jpeg",
    },
    "Kontext Pro": {
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
    "Kling 2.1 Pro": {
        "model": "kwaivgI/kling-2.1-pro",
        "prompt": "the camera pulls back",
        "frame_images": [{"input_image": "https://e.x/a.jpeg", "frame": "first"}],
        "seed": 5,
    },
}
INVALID = {
    "1 problem (FLUX.2 Pro)": {
        "model": "black-forest-labs/FLUX.2-pro",
        "prompt": "a cat",
        "negative_prompt": "blurry",
        "width": 1024,
        "height": 768,
    },
    "4 problems (FLUX.1.1 Pro)": {
        "model": "black-forest-labs/FLUX.1.1-pro",
        "prompt": "a cat",
        "steps": 20,
        "n": 9,
        "output_format": "PNG",
        "widht": 1024,
    },
    "9 problems (FLUX.1.1 Pro)": {
        "model": "black-forest-labs/FLUX.1.1-pro",
        "prompt": "",
        "width": 1000,
        "height": 5000,
        "n": 9,
        "steps": 20,
        "seed": "42",
        "response_format": "b64_json",
        "output_format": "PNG",
        "widht": 3,
    },
    "Kling, bad keyframes": {
        "model": "kwaivgI/kling-2.1-pro",
        "frame_images": [{"frame": "middle"}, "https://e.x/b.jpeg"],
    },
}


def schema_of(model_id: str) -> dict:
    return json.loads((SCHEMAS / file_name(model_id)).read_text(encoding="utf-8"))


def per_call(func, *, quick: bool) -> float:
    """Median seconds per call over repeated batches sized to a time budget."""
    timer = timeit.Timer(func)
    probe = 1
    while (elapsed := timer.timeit(probe)) < 0.005:
        probe *= 4
    budget = 0.02 if quick else 0.1  # seconds per batch
    number = max(1, int(probe * budget / elapsed))
    runs = timer.repeat(repeat=3 if quick else 11, number=number)
    return statistics.median(runs) / number


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.2f} µs"


def ratio(value: float, anchor: float) -> str:
    return f"{value / anchor:,.2f}x"


# --- the library -------------------------------------------------------------------


def library(quick: bool) -> list[str]:
    lines = ["## Library: one request, in process", ""]
    lines += [
        "Median time per call. jsonschema-rs `validator_for(schema).is_valid` is the anchor for",
        "valid requests (goal: `normalize` at most 2x); python-jsonschema `iter_errors` on a",
        "reused validator is the anchor for invalid ones (goal: `validate` at least 15x faster).",
        "fastjsonschema is compiled with `use_default=False` (its default fills and mutates the",
        "input). Every contender's verdict is checked to agree before it is timed.",
        "",
        "### Valid requests",
        "",
        "| Request | jsonschema-rs is_valid (anchor) | capspec validate | capspec normalize | fastjsonschema | jsonschema is_valid (reused) | jsonschema.validate (plain) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    goals: list[str] = []
    for name, request in VALID.items():
        schema = schema_of(request["model"])
        rs = jsonschema_rs.validator_for(schema)
        py = jsonschema.Draft202012Validator(schema)
        fast = fastjsonschema.compile(schema, use_default=False)
        assert rs.is_valid(request) and py.is_valid(request), name
        assert not [p for p in validator.validate(request) if p.severity == "error"], name
        fast(request)
        anchor = per_call(lambda r=request, v=rs: v.is_valid(r), quick=quick)
        ours_v = per_call(lambda r=request: validator.validate(r), quick=quick)
        ours_n = per_call(lambda r=request: validator.normalize(r), quick=quick)
        fjs = per_call(lambda r=request, f=fast: f(r), quick=quick)
        pyv = per_call(lambda r=request, v=py: v.is_valid(r), quick=quick)
        # jsonschema.validate checks and compiles the schema on every call: always quick.
        plain = per_call(lambda r=request, s=schema: jsonschema.validate(r, s), quick=True)
        lines.append(
            f"| {name} ({len(request)} params) | {us(anchor)} | {us(ours_v)} ({ratio(ours_v, anchor)}) "
            f"| {us(ours_n)} ({ratio(ours_n, anchor)}) | {us(fjs)} ({ratio(fjs, anchor)}) "
            f"| {us(pyv)} ({ratio(pyv, anchor)}) | {us(plain)} ({ratio(plain, anchor)}) |"
        )
        if name == "FLUX.1.1 Pro":
            met = "met" if ours_n / anchor <= 2 else "NOT met"
            goals.append(
                f"* normalize of a valid nine-parameter request: {ratio(ours_n, anchor)} the time of "
                f"jsonschema-rs is_valid (goal at most 2x: **{met}**)."
            )
    lines += [
        "",
        "### Invalid requests (all problems built)",
        "",
        "| Request | jsonschema iter_errors (anchor) | capspec validate | speed-up | jsonschema-rs iter_errors | fastjsonschema (first error) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, request in INVALID.items():
        schema = schema_of(request["model"])
        rs = jsonschema_rs.validator_for(schema)
        py = jsonschema.Draft202012Validator(schema)
        fast = fastjsonschema.compile(schema, use_default=False)
        assert not rs.is_valid(request) and not py.is_valid(request), name
        problems = validator.validate(request)
        assert any(p.severity == "error" for p in problems), name
        anchor = per_call(lambda r=request, v=py: list(v.iter_errors(r)), quick=quick)
        ours = per_call(lambda r=request: validator.validate(r), quick=quick)
        rse = per_call(lambda r=request, v=rs: list(v.iter_errors(r)), quick=quick)

        def first_error(r=request, f=fast) -> None:
            with contextlib.suppress(fastjsonschema.JsonSchemaException):
                f(r)

        fjs = per_call(first_error, quick=quick)
        count = len(list(py.iter_errors(request)))
        lines.append(
            f"| {name}: capspec {len(problems)}, jsonschema {count} | {us(anchor)} | {us(ours)} "
            f"| {anchor / ours:,.1f}x | {us(rse)} | {us(fjs)} |"
        )
        speed = anchor / ours
        met = "met" if speed >= 15 else "NOT met"
        goals.append(
            f"* validate, {name}: {speed:,.1f}x faster than iter_errors (goal at least 15x: **{met}**)."
        )
    return [*lines, "", "### Library goals", "", *goals, ""]


# --- command-line start-up -------------------------------------------------------------


def _bin(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise SystemExit(f"bench: {name} is not installed; run: pip install -e '.[bench]'")
    return found


def wall(command: list[str], *, runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup(quick: bool, work: Path, env: dict[str, str]) -> list[str]:
    one = work / "one.json"
    one.write_text(json.dumps(VALID["FLUX.1.1 Pro"], indent=2) + "\n", encoding="utf-8")
    schema = SCHEMAS / file_name(VALID["FLUX.1.1 Pro"]["model"])
    capspec = [_bin("capspec"), "lint", str(one)]
    check = [_bin("check-jsonschema"), "--schemafile", str(schema), str(one)]
    for command in (capspec, check):  # warm caches (bytecode, the spec cache) once
        subprocess.run(command, capture_output=True, check=False, env=env)
    runs = 5 if quick else 21
    anchor = wall(check, runs=runs, env=env)
    ours = wall(capspec, runs=runs, env=env)
    bare = wall([sys.executable, "-c", "pass"], runs=runs, env=env)
    met = "met" if ours / anchor <= 0.35 else "NOT met"
    return [
        "## Command-line start-up: one file",
        "",
        f"Median wall time over {runs} runs, caches warm (bytecode compiled, as after pip install).",
        "",
        "| Command | Wall time | Ratio to anchor |",
        "|---|---:|---:|",
        f"| `check-jsonschema --schemafile S one.json` (anchor) | {anchor * 1e3:,.1f} ms | 1.00x |",
        f"| `capspec lint one.json` | {ours * 1e3:,.1f} ms | {ratio(ours, anchor)} |",
        f"| `python -c pass` (the floor) | {bare * 1e3:,.1f} ms | {ratio(bare, anchor)} |",
        "",
        f"Goal: capspec lint at most 0.35x the anchor: **{met}**.",
        "",
    ]


# --- JSONL throughput and memory -------------------------------------------------------

_PARSE = "import json, sys\nwith open(sys.argv[1], 'rb') as f:\n    for line in f:\n        json.loads(line)\n"


def make_jsonl(path: Path, count: int) -> int:
    """count requests, one in fifty invalid; returns how many are invalid."""
    # One template per model, the seed filled in per line: as if json.dumps'ed, only faster.
    good = [
        json.dumps({**request, "seed": 0}).replace('"seed": 0', '"seed": %d')
        for request in VALID.values()
    ]
    worse = [
        json.dumps({**request, "seed": 0, "n": 9}).replace('"seed": 0', '"seed": %d')
        for request in VALID.values()
    ]
    bad = 0
    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            templates = good
            if index % 50 == 49:
                templates = worse
                bad += 1
            handle.write(templates[index % len(templates)] % index + "\n")
    return bad


def rss_run(command: list[str], env: dict[str, str]) -> tuple[float, int, bytes]:
    """Run a command under a tiny wrapper that reports the child's own peak RSS."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
        "dt = time.perf_counter() - t\n"
        "sys.stderr.write(f'{dt} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
        "sys.stdout.buffer.write(p.stdout)\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", wrapper, *command], capture_output=True, check=False, env=env
    )
    seconds, rss = process.stderr.decode().split()
    return float(seconds), int(rss), process.stdout


def throughput(quick: bool, work: Path, env: dict[str, str]) -> list[str]:
    # --quick keeps what the goals need: 100k against its anchor, 400k for memory growth.
    sizes = [100_000, 400_000] if quick else [10_000, 100_000, 400_000, 1_000_000]
    capspec = _bin("capspec")
    lines = [
        "## JSONL lint throughput and memory",
        "",
        "`capspec lint --format json FILE` against parsing the same file line by line with the",
        "standard library (`for line in f: json.loads(line)`), each in its own process; one request",
        "in fifty is invalid (n = 9). Peak memory is the process's max RSS.",
        "",
        "| Requests | File | json.loads loop (anchor) | capspec lint | Ratio | Errors found | Peak RSS json | Peak RSS capspec |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    peaks: dict[int, int] = {}
    ratios: dict[int, float] = {}
    for size in sizes:
        path = work / f"requests-{size}.jsonl"
        expected = make_jsonl(path, size)
        anchored = not quick or size == 100_000
        if anchored:
            parse_s, parse_rss, _ = rss_run([sys.executable, "-c", _PARSE, str(path)], env)
        lint_s, lint_rss, out = rss_run([capspec, "lint", "--format", "json", str(path)], env)
        report = json.loads(out)
        errors = report["summary"]["errors"]
        assert errors == expected, f"{size}: capspec found {errors} errors, expected {expected}"
        # n = 9 is out of range where a model takes n, unsupported where it does not (Kling).
        assert {
            (p["document"] % 50, p["param"]) for p in report["problems"] if p["severity"] == "error"
        } == {(49, "n")}
        assert {p["code"] for p in report["problems"] if p["severity"] == "error"} <= {
            "out_of_range",
            "unsupported_parameter",
        }
        peaks[size] = lint_rss
        if anchored:
            ratios[size] = lint_s / parse_s
            anchor_cells = (
                f"{parse_s:,.2f} s",
                f"{lint_s / parse_s:,.2f}x",
                f"{parse_rss / 1024:,.0f} MiB",
            )
        else:
            anchor_cells = "not run (--quick)", "", ""
        lines.append(
            f"| {size:,} | {path.stat().st_size / 1e6:,.1f} MB | {anchor_cells[0]} | {lint_s:,.2f} s "
            f"| {anchor_cells[1]} | {errors:,} | {anchor_cells[2]} | {lint_rss / 1024:,.0f} MiB |"
        )
        path.unlink()
    growth = peaks[400_000] / peaks[100_000]
    met_time = "met" if ratios[100_000] <= 3 else "NOT met"
    met_mem = "met" if growth <= 1.3 else "NOT met"
    return [
        *lines,
        "",
        f"Goals: lint of 100k requests at most 3x the stdlib parse: {ratios[100000]:,.2f}x, **{met_time}**. Peak memory from 100k to 400k requests at most 1.3x: {growth:,.2f}x, **{met_mem}**.",
        "",
    ]


# --- the report ------------------------------------------------------------------------


def versions() -> list[str]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return [
        "## Machine and versions",
        "",
        f"* {platform.system()} {platform.release()}, {platform.machine()}, {os.cpu_count()} CPUs{', ' + cpu if cpu else ''}",
        f"* Python {platform.python_version()} ({platform.python_implementation()})",
        *(
            f"* {name} {version(name)}"
            for name in (
                "capspec",
                "jsonschema",
                "jsonschema-rs",
                "fastjsonschema",
                "check-jsonschema",
                "click",
                "PyYAML",
            )
        ),
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and sizes (about 30 s)")
    parser.add_argument(
        "--out", default=str(ROOT / "docs" / "benchmarks.md"), help="report to write"
    )
    parser.add_argument("--only", choices=["library", "startup", "throughput"], help="run one part")
    args = parser.parse_args()
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "validator")], check=True, env=env
    )
    sections = [
        "# Benchmarks",
        "",
        "Written by `python bench/run.py`"
        + (" --quick" if args.quick else "")
        + " on "
        + time.strftime("%Y-%m-%d")
        + "; do not edit by hand.",
        "Compare machines by the ratios, not the absolute times.",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="capspec-bench-") as tmp:
        work = Path(tmp)
        env["CAPSPEC_CACHE_DIR"] = str(work / "cache")
        if args.only in (None, "library"):
            sections += library(args.quick)
            print("\n".join(sections[-12:]), flush=True)
        if args.only in (None, "startup"):
            sections += startup(args.quick, work, env)
            print("\n".join(sections[-8:]), flush=True)
        if args.only in (None, "throughput"):
            sections += throughput(args.quick, work, env)
            print("\n".join(sections[-8:]), flush=True)
    sections += versions()
    sections.append(f"Total benchmark time: {time.perf_counter() - started:,.1f} s.")
    text = "\n".join(sections) + "\n"
    if args.only is None:
        write_atomic(Path(args.out), text)
        print(f"wrote {args.out}")
    else:
        print(text)


if __name__ == "__main__":
    main()

"""capspec benchmarks: issue 16's figures, each a per-round ratio to its anchor.

Usage:
    python bench/run.py [--quick] [--only PART ...] [--clock wall|cpu]
                        [--out docs/benchmarks.md] [--readme README.md]

Every figure is measured on a NON-editable install: a venv of its own (default
/tmp/capspec-bench-venv-<checkout folder>, or --venv DIR) into which this tree is
installed with `pip install .` plus the bench extra, so start-up, bytecode and the
bundled data are what a user gets. Commands run as that venv's `capspec`; each
library figure runs in that venv's Python in a process of its own (bench/library.py)
and reports where validator was imported from (never this tree).

The contenders of a figure are interleaved: each round runs every contender once,
in an order rotated from round to round, and the ratio to the anchor is taken
within the round (bench/rounds.py). A figure is the median of its per-round ratios,
with their range and interquartile range, on wall time (--clock cpu: on CPU time,
which a busy neighbour inflates less); the other clock is reported beside it.

Parts (--only): library (e-h), startup (a, b), throughput (c, d), scale (peak RSS
from 100k to 1M lines, and `capspec lint --jobs 2` against `--jobs 1` when lint has
--jobs). The orchestrator needs only the standard library; the venv gets the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rounds import interleave, per_round, spread
from workload import FLUX2_DEV, check_report, make_jsonl

if TYPE_CHECKING:
    from collections.abc import Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
README_START = "<!-- bench/run.py: speed start -->"
README_END = "<!-- bench/run.py: speed end -->"
PARTS = ("library", "startup", "throughput", "scale")


@dataclass(frozen=True)
class Goal:
    """One row of issue 16's table: what is measured against what, and the goal."""

    key: str
    figure: str
    contender: str
    anchor: str
    goal: float
    higher_is_better: bool = False

    def met(self, value: float) -> bool:
        """Whether value meets the goal, at the precision the report shows (0.01x)."""
        shown = round(value, 2)
        return shown >= self.goal if self.higher_is_better else shown <= self.goal

    def goal_text(self) -> str:
        return f"{'>=' if self.higher_is_better else '<='} {self.goal:g}x"


GOALS = {
    goal.key: goal
    for goal in (
        Goal(
            "a",
            "`capspec lint one.json` vs `check-jsonschema --schemafile S one.json`",
            "capspec lint",
            "check-jsonschema",
            0.15,
        ),
        Goal(
            "b",
            "`capspec lint one.json` vs `python -c pass`",
            "capspec lint",
            "python -c pass",
            3.5,
        ),
        Goal(
            "c",
            "100k JSONL, 2% invalid, active models: `capspec lint --format json` vs a stdlib `json.loads` loop",
            "capspec lint (active)",
            "json.loads loop (active)",
            2.0,
        ),
        Goal(
            "d",
            "same, 25% of lines on a retired model (a warning each)",
            "capspec lint (25% retired)",
            "json.loads loop (25% retired)",
            2.5,
        ),
        Goal(
            "e",
            "`validate` of a valid 9-key FLUX.2 Dev request vs jsonschema-rs `is_valid`",
            "capspec validate",
            "jsonschema-rs is_valid",
            3.0,
        ),
        Goal(
            "f",
            "`normalize` of the same vs jsonschema-rs `is_valid`",
            "capspec normalize",
            "jsonschema-rs is_valid",
            4.0,
        ),
        Goal(
            "g",
            "`validate` of an invalid request (type, multiple, range, enum) vs jsonschema-rs `iter_errors`",
            "capspec validate",
            "jsonschema-rs iter_errors",
            1.0,
        ),
        Goal(
            "h",
            "`normalize` of that invalid request vs `validate` of it",
            "capspec normalize",
            "capspec validate",
            2.0,
        ),
        Goal(
            "jobs",
            "`capspec lint --jobs 2` speed-up over `--jobs 1`, large JSONL file (time of 1 / time of 2)",
            "--jobs 1",
            "--jobs 2",
            1.4,
            higher_is_better=True,
        ),
        Goal(
            "memory",
            "peak RSS of `capspec lint --format json`, 1M lines (300k with --quick) vs 100k",
            "large",
            "100k",
            1.3,
        ),
    )
}


@dataclass
class Figure:
    """A measured figure: its per-round ratios and the table rows behind it."""

    goal: Goal
    ratios: list[float]
    clock: str  # what the ratios are of: "cpu", "wall" or "peak RSS"
    other: list[float] | None = None  # the same figure on the other clock


@dataclass
class Report:
    figures: dict[str, Figure] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    origins: set[str] = field(default_factory=set)
    clock: str = "wall"


# --- the non-editable install --------------------------------------------------------


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def bin(self, name: str) -> str:
        found = self.path / "bin" / name
        if not found.exists():
            raise SystemExit(f"bench: {found} is missing; install the bench extra into {self.path}")
        return str(found)


def quiet(command: list[str], **kwargs: object) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return str(done.stdout)


def prepare_venv(path: Path, tree: Path, *, install: bool) -> Venv:
    """The venv, with tree installed as a wheel (not editable) when install."""
    venv = Venv(path)
    if install:
        if not Path(venv.python).exists():
            print(f"bench: creating {path}", flush=True)
            quiet([sys.executable, "-m", "venv", str(path)])
        print(f"bench: pip install {tree}[bench] into {path} (not editable)", flush=True)
        # The bench extra as this bench needs it, whatever tree's pyproject says.
        quiet([venv.python, "-m", "pip", "install", "-q", f"{tree}", *bench_extra()])
        # The same version number would leave an older build in place: always reinstall.
        quiet(
            [venv.python, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(tree)]
        )
    return venv


def bench_extra() -> list[str]:
    """The requirements of this checkout's bench extra (pyproject.toml)."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["project"]["optional-dependencies"]["bench"])


def environment(work: Path) -> dict[str, str]:
    """The environment of every measured process: nothing that reaches this tree."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONHOME", "VIRTUAL_ENV"}
    }
    env["CAPSPEC_CACHE_DIR"] = str(work / "cache")
    return env


def origin(venv: Venv, work: Path, env: dict[str, str], tree: Path) -> str:
    """Where the venv imports validator from; refuses a source tree (an editable install)."""
    found = quiet(
        [venv.python, "-c", "import validator; print(validator.__file__)"], cwd=work, env=env
    ).strip()
    if any(Path(found).resolve().is_relative_to(source) for source in {ROOT, tree}):
        raise SystemExit(
            f"bench: {venv.path} imports validator from a source tree ({found}); "
            "the figures need a non-editable install"
        )
    return found


# --- measuring commands ----------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    max_rss_kib: int
    exit_code: int


# A parent's peak RSS carries over into a child it forks, even across exec (Linux keeps
# the high-water mark): the orchestrator, grown by parsing reports, would lift every
# child's figure. So each command runs under this small launcher, which times it and
# reads its CPU time and peak RSS (RUSAGE_CHILDREN); the launcher's start-up is not timed.
_LAUNCH = """\
import os, resource, sys, time
out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
null = os.open(os.devnull, os.O_WRONLY)
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ, file_actions=[
    (os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
_, status = os.waitpid(pid, 0)
wall = time.perf_counter() - start
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, used.ru_utime + used.ru_stime, used.ru_maxrss, os.waitstatus_to_exitcode(status),
      file=sys.stderr)
"""


@dataclass(frozen=True)
class Bench:
    """What every part needs: the venv, a scratch folder, the environment, the settings."""

    venv: Venv
    work: Path
    env: dict[str, str]
    quick: bool
    clock: str  # "cpu" or "wall": which time the figures are judged on

    def run_once(self, command: list[str], stdout: Path | None = None) -> Run:
        """Run a command to completion: wall time, CPU time (user + system), peak RSS."""
        done = subprocess.run(
            [self.venv.python, "-I", "-S", "-c", _LAUNCH, str(stdout or os.devnull), *command],
            capture_output=True,
            env=self.env,
            cwd=self.work,
            check=False,
            text=True,
        )
        try:
            wall, cpu, rss, code = done.stderr.split()
        except ValueError:
            raise SystemExit(f"bench: could not run {command}: {done.stderr}") from None
        return Run(float(wall), float(cpu), int(rss), int(code))

    def rounds(self, commands: dict[str, Command], rounds: int, label: str) -> dict[str, list[Run]]:
        """Interleave whole commands round by round; every run of each."""

        def once(name: str) -> Callable[[], Run]:
            def run() -> Run:
                command = commands[name]
                done = self.run_once(command.argv, command.stdout)
                if done.exit_code != command.exit_code:
                    raise SystemExit(
                        f"bench: {name} exited {done.exit_code}, expected {command.exit_code}"
                    )
                return done

            return run

        def progress(index: int, runs: dict[str, Run]) -> None:
            times = ", ".join(f"{name} {run.wall:.3f} s" for name, run in runs.items())
            load = os.getloadavg()[0]
            print(f"  {label} round {index + 1}/{rounds}: {times} (load {load:.1f})", flush=True)

        return interleave({name: once(name) for name in commands}, rounds, after_round=progress)

    def capspec(self, *args: str) -> str:
        return quiet([self.venv.bin("capspec"), *args], cwd=self.work, env=self.env)


@dataclass(frozen=True)
class Command:
    argv: list[str]
    stdout: Path | None = None
    exit_code: int = 0


def clocks(runs: dict[str, list[Run]]) -> dict[str, dict[str, list[float]]]:
    """The runs' times by clock: {"cpu": {name: [...]}, "wall": {name: [...]}}."""
    return {
        "cpu": {name: [run.cpu for run in each] for name, each in runs.items()},
        "wall": {name: [run.wall for run in each] for name, each in runs.items()},
    }


_PARSE = "import json, sys\nwith open(sys.argv[1], 'rb') as f:\n    for line in f:\n        json.loads(line)\n"


# --- the parts ---------------------------------------------------------------------------


def judge(
    report: Report,
    key: str,
    times: dict[str, dict[str, list[float]]],
    clock: str,
    *,
    other_clock: bool = True,
) -> None:
    """Record figure key from the per-round times of its contender and anchor."""
    goal = GOALS[key]
    other = "wall" if clock == "cpu" else "cpu"
    report.figures[key] = Figure(
        goal,
        per_round(times[clock][goal.contender], times[clock][goal.anchor]),
        clock,
        per_round(times[other][goal.contender], times[other][goal.anchor]) if other_clock else None,
    )


def ratio_cell(values: list[float], anchor: list[float], is_anchor: bool) -> str:
    return "1 (anchor)" if is_anchor else spread(per_round(values, anchor)).text()


def library(report: Report, bench: Bench) -> None:
    schemas = bench.work / "schemas"
    if not schemas.exists():
        bench.capspec("schemas", "--out", str(schemas))
    rounds = 15 if bench.quick else 61
    budget = 0.003 if bench.quick else 0.006
    lines = [
        "## Library: one request, in process (e-h)",
        "",
        f"Each figure in a process of its own (`bench/library.py`), {rounds} rounds; in each",
        f"round every contender runs three batches of calls, {budget * 1e3 / 3:g} ms of CPU each,",
        "in an order rotated per round; its time per call (the least of its three batches) is",
        "divided by the anchor's in that round. Medians of those per-round ratios, with min-max",
        "and IQR, on wall time and on this thread's CPU time (`time.thread_time`). Before timing, every contender's",
        "verdict is checked to equal capspec's on the measured requests and on probes of each",
        "FLUX.2 Dev constraint; pydantic and msgspec are strict models of the same bounds,",
        'multiples, enums, defaults and forbidden extras, with JSON\'s types (no "1024" for 1024,',
        "no true for 1; 1024.0 is an integer, as for capspec) (`bench/library.py`).",
        "",
    ]
    for key in ("e", "f", "g", "h"):
        print(f"bench: library figure ({key})", flush=True)
        argv = [bench.venv.python, str(BENCH / "library.py"), key, "--schemas", str(schemas)]
        argv += ["--rounds", str(rounds), "--budget", str(budget)]
        result = json.loads(quiet(argv, cwd=bench.work, env=bench.env))
        report.origins.add(result["validator_file"])
        times = {"cpu": result["cpu"], "wall": result["wall"]}
        anchor = result["anchor"]
        goal = GOALS[key]
        judge(report, key, times, bench.clock)
        lines += [
            f"### ({key}) {goal.figure}",
            "",
            "| Contender | Median CPU time per call | Ratio to the anchor (CPU) | Ratio (wall) |",
            "|---|---:|---:|---:|",
        ]
        for name in times["cpu"]:
            marker = " **(the figure)**" if name == goal.contender and name != anchor else ""
            cpu, wall = times["cpu"][name], times["wall"][name]
            lines.append(
                f"| {name}{marker} | {spread(cpu).median * 1e6:,.2f} µs "
                f"| {ratio_cell(cpu, times['cpu'][anchor], name == anchor)} "
                f"| {ratio_cell(wall, times['wall'][anchor], name == anchor)} |"
            )
        lines += ["", *(f"* {check}" for check in result["checks"])] if key == "e" else []
        lines.append("")
    lines += [
        "fastjsonschema is not a contender: it implements drafts 4-7 and ignores the schema's",
        "`dependentSchemas` (guidance and guidance_scale together), so it disagrees on a probe.",
        "msgspec stops at the first error: its (g) time is not all errors materialised.",
        "",
    ]
    report.sections += lines


def command_table(
    runs: dict[str, list[Run]], shown: dict[str, str], anchors: dict[str, str] | str
) -> list[str]:
    """A row a command; its ratios to anchors[command], or to the one anchor named."""
    times = clocks(runs)
    rows = [
        (
            "| Command | Median wall time | Median CPU time | Ratio to the anchor (CPU) "
            "| Ratio (wall) | Peak RSS |"
        ),
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, each in runs.items():
        anchor = anchors if isinstance(anchors, str) else anchors.get(name, name)
        rows.append(
            f"| {shown.get(name, name)} | {spread(times['wall'][name]).median * 1e3:,.0f} ms "
            f"| {spread(times['cpu'][name]).median * 1e3:,.0f} ms "
            f"| {ratio_cell(times['cpu'][name], times['cpu'][anchor], name == anchor)} "
            f"| {ratio_cell(times['wall'][name], times['wall'][anchor], name == anchor)} "
            f"| {max(run.max_rss_kib for run in each) / 1024:,.0f} MiB |"
        )
    return rows


def startup(report: Report, bench: Bench) -> None:
    one = bench.work / "one.json"
    one.write_text(json.dumps(FLUX2_DEV, indent=2) + "\n", encoding="utf-8")
    schema = bench.work / "flux2-dev.schema.json"
    schema.write_text(json.dumps(_schema(bench, FLUX2_DEV["model"])), encoding="utf-8")
    venv = bench.venv
    commands = {
        "check-jsonschema": Command(
            [venv.bin("check-jsonschema"), "--schemafile", str(schema), str(one)]
        ),
        "capspec lint": Command([venv.bin("capspec"), "lint", str(one)]),
        "python -c pass": Command([venv.python, "-c", "pass"]),
    }
    # Warm once: bytecode written, the spec cache filled (as after the first use).
    bench.rounds(commands, 1, "start-up warm-up")
    rounds = 9 if bench.quick else 41
    runs = bench.rounds(commands, rounds, "start-up")
    for key in ("a", "b"):
        judge(report, key, clocks(runs), bench.clock)
    report.sections += [
        "## Command-line start-up: one file (a, b)",
        "",
        f"Whole commands, {rounds} interleaved rounds after one warm-up round; one.json is the",
        "valid FLUX.2 Dev request of (e), S its schema as `capspec schemas` writes it. CPU time",
        "is the process's user + system time (getrusage of the child).",
        "",
        *command_table(
            runs,
            {
                "check-jsonschema": "`check-jsonschema --schemafile S one.json`",
                "capspec lint": "`capspec lint one.json`",
                "python -c pass": "`python -c pass`",
            },
            "check-jsonschema",
        ),
        "",
    ]


def _schema(bench: Bench, model: str) -> dict[str, object]:
    schemas = bench.work / "schemas"
    if not schemas.exists():
        bench.capspec("schemas", "--out", str(schemas))
    for path in sorted(schemas.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if schema.get("properties", {}).get("model", {}).get("const") == model:
            return dict(schema)
    raise SystemExit(f"bench: capspec schemas wrote no schema for {model}")


def throughput(report: Report, bench: Bench) -> None:
    size = 100_000
    work = bench.work
    active = make_jsonl(work / "active.jsonl", size)
    retired = make_jsonl(work / "retired.jsonl", size, retired=True)
    capspec, python = bench.venv.bin("capspec"), bench.venv.python
    lint = [capspec, "lint", "--format", "json"]
    commands = {
        "json.loads loop (active)": Command([python, "-c", _PARSE, str(active.path)]),
        "capspec lint (active)": Command([*lint, str(active.path)], work / "active.out.json", 1),
        "json.loads loop (25% retired)": Command([python, "-c", _PARSE, str(retired.path)]),
        "capspec lint (25% retired)": Command(
            [*lint, str(retired.path)], work / "retired.out.json", 1
        ),
    }
    rounds = 3 if bench.quick else 9
    runs = bench.rounds(commands, rounds, "JSONL 100k")
    check_report(work / "active.out.json", active)
    check_report(work / "retired.out.json", retired)
    for key in ("c", "d"):
        judge(report, key, clocks(runs), bench.clock)
    report.sections += [
        "## JSONL throughput (c, d)",
        "",
        (
            f"Whole commands on {size:,}-line files ({active.path.stat().st_size / 1e6:,.1f} and "
            f"{retired.path.stat().st_size / 1e6:,.1f} MB), {rounds} interleaved rounds. One request"
        ),
        f"in fifty is invalid (n = 9); in the second file, {retired.warnings:,} lines (a quarter)",
        "are FLUX.1 Schnell requests (retired, still answered: one `retired_model` warning each).",
        "The anchor parses the same file with `for line in f: json.loads(line)` in the same",
        "Python. capspec's JSON report goes to a file, checked for the expected counts; each",
        "capspec row's ratios are to the loop over the same file.",
        "",
        *command_table(
            runs,
            {},
            {
                "capspec lint (active)": "json.loads loop (active)",
                "capspec lint (25% retired)": "json.loads loop (25% retired)",
            },
        ),
        "",
    ]


def scale(report: Report, bench: Bench) -> None:
    size = 300_000 if bench.quick else 1_000_000
    work = bench.work
    big = make_jsonl(work / "big.jsonl", size)
    small = make_jsonl(work / "small.jsonl", 100_000)
    lint = [bench.venv.bin("capspec"), "lint", "--format", "json"]
    lines = [f"## Large files: memory and --jobs ({size:,} lines)", ""]
    commands = {
        "100k": Command([*lint, str(small.path)], work / "small.out.json", 1),
        "large": Command([*lint, str(big.path)], work / "big.out.json", 1),
    }
    rounds = 1 if bench.quick else 2
    runs = bench.rounds(commands, rounds, "memory")
    check_report(work / "big.out.json", big)
    rss = {name: [run.max_rss_kib for run in each] for name, each in runs.items()}
    report.figures["memory"] = Figure(
        GOALS["memory"], per_round(rss["large"], rss["100k"]), "peak RSS"
    )
    lines += [
        (
            f"Peak RSS of `capspec lint --format json`: {spread(rss['100k']).median / 1024:,.0f} MiB "
            f"on 100k lines, {spread(rss['large']).median / 1024:,.0f} MiB on {size:,} lines "
            f"({spread([run.wall for run in runs['large']]).median:,.1f} s)."
        ),
        "",
    ]
    if "--jobs" in bench.capspec("lint", "--help"):
        jobs = {
            "--jobs 1": Command([*lint, "--jobs", "1", str(big.path)], work / "jobs1.out.json", 1),
            "--jobs 2": Command([*lint, "--jobs", "2", str(big.path)], work / "jobs2.out.json", 1),
        }
        rounds = 1 if bench.quick else 3
        load = os.getloadavg()[0]
        runs = bench.rounds(jobs, rounds, "--jobs")
        load = max(load, os.getloadavg()[0])
        cpus = os.cpu_count() or 1
        # The load average counts the bench's own lint (about 1): the rest is the neighbours'.
        if load - 1 >= cpus - 0.5:
            report.notes.append(
                f"(jobs) was measured at a load average of {load:.1f} on {cpus} CPUs, the bench's "
                "own process included: with no free core, two processes cannot beat one, and the "
                "figure says little."
            )
        if (work / "jobs1.out.json").read_bytes() != (work / "jobs2.out.json").read_bytes():
            raise SystemExit("bench: capspec lint --jobs 2 wrote a different report from --jobs 1")
        # A speed-up is wall time: the CPU time of two processes adds up.
        judge(report, "jobs", clocks(runs), "wall", other_clock=False)
        lines += [
            f"`--jobs` on {os.cpu_count()} CPUs, {rounds} interleaved rounds; the two JSON reports",
            "are byte for byte the same:",
            "",
            *command_table(runs, {}, "--jobs 1"),
            "",
        ]
    else:
        note = "`capspec lint --help` shows no --jobs: the --jobs figure is not measured."
        print(f"bench: {note}", flush=True)
        report.notes.append(note)
        lines += [note, ""]
    report.sections += lines
    for path in (big.path, small.path):
        path.unlink()


# --- the report ------------------------------------------------------------------------


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = ", " + line.split(":", 1)[1].strip()
                break
    return f"{platform.system()} {platform.release()}, {platform.machine()}, {os.cpu_count()} CPUs{cpu}"


def venv_versions(venv: Venv, work: Path, env: dict[str, str]) -> dict[str, str]:
    names = [
        "capspec",
        "jsonschema",
        "jsonschema-rs",
        "check-jsonschema",
        "pydantic",
        "msgspec",
        "click",
        "PyYAML",
    ]
    script = (
        "import json, platform, sys\nfrom importlib import metadata\nv = {}\n"
        "for n in sys.argv[1:]:\n    try: v[n] = metadata.version(n)\n    except Exception: v[n] = 'not installed'\n"
        "v['Python'] = platform.python_version() + ' (' + platform.python_implementation() + ')'\n"
        "print(json.dumps(v))\n"
    )
    return dict(json.loads(quiet([venv.python, "-c", script, *names], cwd=work, env=env)))


def git_head(tree: Path) -> str:
    """The checkout's commit, and whether its work tree had changes."""

    def git(*args: str) -> str:
        command = ["git", "-C", str(tree), *args]
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()

    head = git("log", "-1", "--format=%h") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"commit {head}{' with uncommitted changes' if dirty else ''}"


def write_atomic(path: Path, text: str) -> None:
    """Write text to path through a temporary file beside it: never half-written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def verdict(figure: Figure) -> str:
    return "met" if figure.goal.met(spread(figure.ratios).median) else "NOT met"


def summary_table(report: Report) -> list[str]:
    rows = [
        "| Figure | Median ratio over rounds (min-max, IQR) | On | Other clock | Goal | |",
        "|---|---:|---|---:|---:|---|",
    ]
    for key in (k for k in GOALS if k in report.figures):
        figure = report.figures[key]
        other = f"{spread(figure.other).median:.2f}x" if figure.other else ""
        rows.append(
            f"| ({key}) {figure.goal.figure} | {spread(figure.ratios).text()} | {figure.clock} "
            f"| {other} | {figure.goal.goal_text()} | **{verdict(figure)}** |"
        )
    return rows


def readme_block(report: Report, command: str, stamp: str) -> str:
    lines = [
        README_START,
        f"From the last full run (`{command}`, {stamp}; the load on the shared machine is in",
        "[docs/benchmarks.md](docs/benchmarks.md)): each figure the median of its per-round",
        f"ratios to the anchor, on {report.clock} time unless said otherwise.",
        "",
        "| Figure | Ratio | Goal | |",
        "|---|---:|---:|---|",
    ]
    for key in (k for k in GOALS if k in report.figures):
        figure = report.figures[key]
        clock = "" if figure.clock == report.clock else f" ({figure.clock})"
        lines.append(
            f"| ({key}) {figure.goal.figure} | {spread(figure.ratios).median:.2f}x{clock} "
            f"| {figure.goal.goal_text()} | {verdict(figure)} |"
        )
    return "\n".join([*lines, README_END])


def update_readme(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"bench: {path} has no {README_START} ... {README_END} markers")
    write_atomic(path, text[:start] + block + text[end + len(README_END) :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer rounds, a 300k-line large file (under a minute)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=PARTS, help="run these parts only (writes no file)"
    )
    parser.add_argument("--out", type=Path, help="write the report here (docs/benchmarks.md)")
    parser.add_argument(
        "--readme", type=Path, help="rewrite the Speed figures between the markers of this README"
    )
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="judge the figures on wall time (default: what a user waits for) or on CPU time "
        "(user + system; a busy neighbour inflates it less); the other is reported beside it",
    )
    parser.add_argument(
        "--venv",
        type=Path,
        help=f"the benchmark venv (default {tempfile.gettempdir()}/capspec-bench-venv-<checkout "
        "folder>: one per checkout, so two never reinstall under each other)",
    )
    parser.add_argument(
        "--tree",
        type=Path,
        default=ROOT,
        help="the capspec checkout to install and measure (default: this one); "
        "the bench itself is always this checkout's",
    )
    parser.add_argument(
        "--no-install", action="store_true", help="use --venv as it is: install nothing into it"
    )
    args = parser.parse_args()
    if args.only and (args.out or args.readme):
        parser.error("--out and --readme need every part: leave out --only")
    if args.quick and args.readme:
        parser.error("the README states the last full run: leave out --quick")
    parts = args.only or list(PARTS)
    started = time.perf_counter()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()
    tree = args.tree.resolve()
    venv_path = args.venv or Path(tempfile.gettempdir()) / f"capspec-bench-venv-{tree.name}"
    venv = prepare_venv(venv_path.resolve(), tree, install=not args.no_install)
    report = Report(clock=args.clock)
    with tempfile.TemporaryDirectory(prefix="capspec-bench-") as tmp:
        work = Path(tmp)
        env = environment(work)
        where = origin(venv, work, env, tree)
        print(f"bench: validator imported from {where}", flush=True)
        versions = venv_versions(venv, work, env)
        bench = Bench(venv, work, env, args.quick, args.clock)
        for part, run in (
            ("library", library),
            ("startup", startup),
            ("throughput", throughput),
            ("scale", scale),
        ):
            if part in parts:
                run(report, bench)
                print("\n".join(summary_table(report)), flush=True)
    load_after = os.getloadavg()
    if report.origins - {where}:
        raise SystemExit(f"bench: the library figures imported validator from {report.origins}")
    command = "python bench/run.py" + (" --quick" if args.quick else "")
    command += "" if args.clock == "wall" else f" --clock {args.clock}"
    elapsed = time.perf_counter() - started
    loads = " / ".join(" ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after))
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            f"Written by `{command}` on {stamp}; do not edit by hand.",
            "",
            "Each figure of issue 16 is a ratio to its anchor measured side by side: every round",
            "runs every contender once, in an order rotated per round, and the ratio is taken",
            "within the round (bench/rounds.py); the figure is the median over the rounds, with",
            f"min-max and IQR. Figures are judged on {args.clock} time (`--clock`), the other",
            "clock's median beside it; a verdict compares the median as shown (0.01x) with the",
            "goal. Compare machines by the ratios, not the absolute times.",
            "",
            "## Issue 16's figures",
            "",
            *summary_table(report),
            "",
            *(f"* {note}" for note in report.notes),
            "",
            *report.sections,
            "## Machine, load and versions",
            "",
            f"* {machine()}",
            f"* load average (1, 5, 15 min): {loads} at the start / end; the machine was shared",
            (
                f"* capspec installed from {'this tree' if tree == ROOT else tree} with `pip install .` "
                f"(not editable, {git_head(tree)}) into {venv.path};"
            ),
            f"  validator imported from `{where}`",
            *(f"* {name} {version}" for name, version in versions.items()),
            "",
            f"Total benchmark time: {elapsed:,.0f} s.",
            "",
        ]
    )
    if args.out:
        write_atomic(args.out, text)
        print(f"bench: wrote {args.out}")
    if args.readme:
        update_readme(args.readme, readme_block(report, command, stamp))
        print(f"bench: rewrote the Speed figures in {args.readme}")
    if not args.out:
        print(text)


if __name__ == "__main__":
    main()

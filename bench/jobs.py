"""``capspec lint -j N`` against ``-j 1`` on one big JSONL file: interleaved rounds.

Usage:
    python bench/jobs.py [--lines 1000000] [--rounds 5] [--jobs 2] [--format text]

The file is made as bench/run.py makes its logs (2% invalid). Each round runs
``-j 1`` and ``-j N`` one after the other (which goes first alternates) and
gives the ratio of their wall times, so load that comes and goes hits both
alike; the CPU time of each run (user + sys, workers included) shows what the
split costs. The load average at the start of each round is printed with it:
on a shared machine, read the rounds run while it was low.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import make_jsonl


def timed(command: list[str]) -> tuple[float, float, bytes]:
    """Wall time, CPU time (user + sys of the command and its workers), output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in {0, 1}:
        sys.exit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()}")
    return wall, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--format", default="text")
    args = parser.parse_args()
    capspec = shutil.which("capspec") or sys.exit("capspec is not on PATH")
    work = Path(tempfile.mkdtemp(prefix="capspec-jobs-"))
    try:
        log = work / "log.jsonl"
        make_jsonl(log, args.lines)
        size = log.stat().st_size / 1e6
        print(f"{args.lines:,} lines, {size:.0f} MB, {os.cpu_count()} CPUs, --format {args.format}")
        base = [capspec, "lint", "--isolated", "--format", args.format, str(log)]
        ratios = []
        for number in range(args.rounds):
            load = os.getloadavg()[0]
            order = [1, args.jobs] if number % 2 == 0 else [args.jobs, 1]
            runs = {}
            for jobs in order:
                runs[jobs] = timed([*base, "--jobs", str(jobs)])
            if runs[1][2] != runs[args.jobs][2]:
                sys.exit(f"round {number + 1}: -j {args.jobs} printed another report than -j 1")
            (w1, c1, _), (wn, cn, _) = runs[1], runs[args.jobs]
            ratios.append(w1 / wn)
            print(
                f"round {number + 1}: load {load:.2f}  -j1 {w1:.2f} s (cpu {c1:.2f})  "
                f"-j{args.jobs} {wn:.2f} s (cpu {cn:.2f})  speed-up {w1 / wn:.2f}x",
                flush=True,
            )
        print(
            f"speed-up -j{args.jobs}/-j1: median {statistics.median(ratios):.2f}x, "
            f"best {max(ratios):.2f}x, worst {min(ratios):.2f}x"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

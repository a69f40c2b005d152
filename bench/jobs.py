"""``capspec lint -j N`` against ``-j 1`` on one big JSONL file: interleaved rounds.

Usage:
    python bench/jobs.py [--lines 1000000] [--rounds 5] [--jobs 2] [--format text]

The file is made as bench/run.py makes its logs (bench/workload.py, 2% invalid).
Each round runs ``-j 1`` and ``-j N`` one after the other (which goes first
alternates: bench/rounds.py) and gives the ratio of their wall times, so load that
comes and goes hits both alike; the CPU time of each run (user + sys, workers
included) shows what the split costs. The load average at the start of each round
is printed with it: on a shared machine, read the rounds run while it was low.
bench/run.py measures the same figure on a non-editable install; this script runs
the ``capspec`` on PATH, with any --format.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rounds import interleave, per_round, spread
from workload import make_jsonl


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
        one, many = "-j1", f"-j{args.jobs}"
        load = [os.getloadavg()[0]]

        def report(number: int, runs: dict[str, tuple[float, float, bytes]]) -> None:
            if runs[one][2] != runs[many][2]:
                sys.exit(f"round {number + 1}: {many} printed another report than {one}")
            (w1, c1, _), (wn, cn, _) = runs[one], runs[many]
            print(
                f"round {number + 1}: load {load[-1]:.2f}  {one} {w1:.2f} s (cpu {c1:.2f})  "
                f"{many} {wn:.2f} s (cpu {cn:.2f})  speed-up {w1 / wn:.2f}x",
                flush=True,
            )
            load.append(os.getloadavg()[0])

        runs = interleave(
            {
                one: lambda: timed([*base, "--jobs", "1"]),
                many: lambda: timed([*base, "--jobs", str(args.jobs)]),
            },
            args.rounds,
            after_round=report,
        )
        ratios = per_round([w for w, _, _ in runs[one]], [w for w, _, _ in runs[many]])
        print(f"speed-up {many}/{one}: median {spread(ratios).text()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""validator.integrations.spark on a local session against capspec lint on one core.

Usage:
    python bench/spark.py [--requests 400000] [--rounds 5] [--cores 2]

Both contenders read the same JSONL file (2% of its requests invalid, a tenth of
those not JSON) and write every problem: ``capspec lint --format json FILE``
pinned to one core (taskset) writes its JSON report to /dev/null; the Spark job
reads the file as text on ``local[CORES]``, runs ``lint(df, "request")`` and
writes the problems as Parquet (what examples/spark_lint.py does). The session is
started, and both contenders run once, before timing: a cluster's session is
long-lived, and its start-up (tens of seconds) is not per-row work.

The rounds interleave the contenders, alternating which goes first, so a busy
neighbour on a shared machine slows both alike; each round gives the ratio of
Spark's rows per second per core to capspec lint's rows per second, and the
figures reported are medians with the range over the rounds. Needs the spark
extra: pip install -e '.[spark]'.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyspark.sql import SparkSession  # noqa: E402
from rounds import interleave, per_round, spread  # noqa: E402
from workload import make_jsonl  # noqa: E402

from validator.integrations.spark import lint  # noqa: E402


def cli_seconds(path: Path) -> float:
    capspec = shutil.which("capspec") or str(Path(sys.executable).with_name("capspec"))
    command = [capspec, "lint", "--format", "json", str(path)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    start = time.perf_counter()
    with Path(os.devnull).open("wb") as sink:
        done = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    assert done.returncode == 1, done.stderr  # the file has errors
    return seconds


def spark_seconds(spark: SparkSession, path: Path, out: Path) -> float:
    start = time.perf_counter()
    requests = spark.read.text(str(path)).withColumnRenamed("value", "request")
    lint(requests, "request").write.mode("overwrite").parquet(str(out))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="capspec-bench-spark-"))
    try:
        path = work / "requests.jsonl"
        bad = make_jsonl(path, args.requests, broken=True).errors
        size = path.stat().st_size
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = (
            SparkSession.builder.master(f"local[{args.cores}]")
            .appName("capspec-bench")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(args.cores))
            # Four input splits per core, whatever the file's size.
            .config("spark.sql.files.maxPartitionBytes", str(size // (4 * args.cores) + 1))
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        try:
            out = work / "problems"
            spark_seconds(spark, path, out)  # warm-up: workers started, checker built
            cli_seconds(path)
            problems = spark.read.parquet(str(out)).count()

            def report(index: int, values: dict[str, float]) -> None:
                print(
                    f"round {index + 1}: capspec lint {args.requests / values['lint']:,.0f} rows/s; "
                    f"spark {args.requests / values['spark'] / args.cores:,.0f} rows/s/core "
                    f"(load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )

            seconds = interleave(
                {
                    "spark": lambda: spark_seconds(spark, path, out),
                    "lint": lambda: cli_seconds(path),
                },
                args.rounds,
                after_round=report,
            )
        finally:
            spark.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    cli_rate = [args.requests / cli for cli in seconds["lint"]]
    core_rate = [args.requests / spark / args.cores for spark in seconds["spark"]]
    ratios = per_round(core_rate, cli_rate)
    speedup = per_round(seconds["lint"], seconds["spark"])
    print()
    print(
        f"{args.requests:,} requests ({size / 2**20:.0f} MiB, {bad:,} invalid, {problems:,} problems), "
        f"{args.rounds} interleaved rounds, local[{args.cores}] on {os.cpu_count()} CPUs; "
        "median (min-max):"
    )
    print(f"  capspec lint, one core:    {spread(cli_rate).text(',.0f', ' rows/s')}")
    print(f"  spark local[{args.cores}], per core: {spread(core_rate).text(',.0f', ' rows/s')}")
    print(f"  per-core ratio spark/lint: {spread(ratios).text()}")
    print(f"  wall-clock speed-up of local[{args.cores}] over lint: {spread(speedup).text()}")


if __name__ == "__main__":
    main()

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
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyspark.sql import SparkSession  # noqa: E402

from validator.integrations.spark import lint  # noqa: E402

TEMPLATES = [
    {
        "model": "black-forest-labs/FLUX.1.1-pro",
        "prompt": "a red fox in fresh snow, golden hour",
        "width": 1024,
        "height": 768,
        "n": 1,
        "response_format": "url",
        "output_format": "png",
    },
    {
        "model": "black-forest-labs/FLUX.2-dev",
        "prompt": "a lighthouse at dusk, volumetric light",
        "width": 1024,
        "height": 768,
        "steps": 28,
        "guidance_scale": 4,
        "n": 2,
        "output_format": "jpeg",
    },
    {
        "model": "black-forest-labs/FLUX.1-kontext-pro",
        "prompt": "make his shirt yellow",
        "aspect_ratio": "16:9",
        "steps": 28,
        "n": 1,
        "image_url": "https://github.com/nutlope.png",
    },
    {
        "model": "kwaivgI/kling-2.1-pro",
        "prompt": "the camera pulls back",
        "frame_images": [{"input_image": "https://e.x/a.jpeg", "frame": "first"}],
    },
]


def make_jsonl(path: Path, count: int) -> int:
    """count requests, one in fifty invalid (one in five hundred not JSON); returns invalid."""
    good = [json.dumps({**t, "seed": 0}).replace('"seed": 0', '"seed": %d') for t in TEMPLATES]
    worse = [
        json.dumps({**t, "seed": 0, "n": 9}).replace('"seed": 0', '"seed": %d') for t in TEMPLATES
    ]
    bad = 0
    with path.open("w", encoding="utf-8") as handle:
        for index in range(count):
            line = good[index % len(good)] % index
            if index % 50 == 49:
                bad += 1
                line = line[:-9] if index % 500 == 499 else worse[index % len(worse)] % index
            handle.write(line + "\n")
    return bad


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
        bad = make_jsonl(path, args.requests)
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
            rounds = []
            for index in range(args.rounds):
                if index % 2:
                    cli = cli_seconds(path)
                    distributed = spark_seconds(spark, path, out)
                else:
                    distributed = spark_seconds(spark, path, out)
                    cli = cli_seconds(path)
                rounds.append((cli, distributed))
                print(
                    f"round {index + 1}: capspec lint {args.requests / cli:,.0f} rows/s; "
                    f"spark {args.requests / distributed / args.cores:,.0f} rows/s/core "
                    f"(load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        finally:
            spark.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    cli_rate = [args.requests / cli for cli, _ in rounds]
    core_rate = [args.requests / spark / args.cores for _, spark in rounds]
    ratios = [core / one for core, one in zip(core_rate, cli_rate, strict=True)]
    speedup = [cli / spark for cli, spark in rounds]

    def span(values: list[float], fmt: str) -> str:
        return f"{format(statistics.median(values), fmt)} ({format(min(values), fmt)}-{format(max(values), fmt)})"

    print()
    print(
        f"{args.requests:,} requests ({size / 2**20:.0f} MiB, {bad:,} invalid, {problems:,} problems), "
        f"{args.rounds} interleaved rounds, local[{args.cores}] on {os.cpu_count()} CPUs; "
        "median (min-max):"
    )
    print(f"  capspec lint, one core:    {span(cli_rate, ',.0f')} rows/s")
    print(f"  spark local[{args.cores}], per core: {span(core_rate, ',.0f')} rows/s")
    print(f"  per-core ratio spark/lint: {span(ratios, '.2f')}")
    print(f"  wall-clock speed-up of local[{args.cores}] over lint: {span(speedup, '.2f')}")


if __name__ == "__main__":
    main()

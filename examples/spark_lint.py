"""Lint a folder of logged requests (JSONL or Parquet) with Spark; write the problems as Parquet.

Runs with spark-submit on a cluster, or as a plain script on a local session:

    spark-submit examples/spark_lint.py s3://logs/images/2026-12/ s3://lint/2026-12/
    python examples/spark_lint.py logs/ problems/ --master 'local[2]'

JSONL logs are read as text, one request per line, so a line that is not JSON
is an ``invalid_json`` problem of that line rather than a lost record; each
problem keeps the file it came from. Parquet logs name the request column
(``--column``, JSON text or a struct) and the columns to keep (``--keep``).
The problems are written as Parquet to OUT (which must not exist yet), then
counted by model, code and severity. Exit status: 0 when no request has an
error, 1 when some have, 2 for a usage error.

Needs ``pip install 'capspec[spark]'`` (and Java 17) where the driver runs and
capspec on the executors; ``--spec`` is read on the driver and shipped with the job.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from validator import SpecError
from validator.integrations.spark import lint, summary

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="spark_lint.py",
        description="Lint logged Together image requests with Spark; write the problems as Parquet.",
    )
    parser.add_argument("logs", help="a folder (or file, or glob) of .jsonl or .parquet logs")
    parser.add_argument("out", help="where to write the problems, as Parquet; must not exist")
    parser.add_argument(
        "--format",
        choices=["auto", "jsonl", "parquet"],
        default="auto",
        help="how the logs are stored (default: parquet if LOGS names .parquet files, else jsonl)",
    )
    parser.add_argument(
        "--column", default="request", help="Parquet: the request column (default: request)"
    )
    parser.add_argument(
        "--keep", default="", help="Parquet: comma-separated columns to keep in each problem row"
    )
    parser.add_argument("--policy", choices=["strict", "drop", "fix"], default="strict")
    parser.add_argument("--spec", help="a capabilities.yaml to check against (default: bundled)")
    parser.add_argument(
        "--master",
        help="Spark master for a plain python run (default: spark-submit's, or local[*])",
    )
    return parser.parse_args(argv)


def storage(args: argparse.Namespace) -> str:
    if args.format != "auto":
        return str(args.format)
    path = Path(args.logs)
    if path.suffix == ".parquet" or (path.is_dir() and any(path.rglob("*.parquet"))):
        return "parquet"
    return "jsonl"


def problems_of(spark: SparkSession, args: argparse.Namespace) -> DataFrame:
    from pyspark.sql import functions as sf

    if storage(args) == "jsonl":
        lines = (
            spark.read.option("recursiveFileLookup", "true")
            .option("pathGlobFilter", "*.{jsonl,ndjson}")
            .text(args.logs)
            .select(sf.input_file_name().alias("file"), sf.col("value").alias("request"))
        )
        return lint(lines, "request", keep=["file"], policy=args.policy, spec=args.spec)
    logs = spark.read.option("recursiveFileLookup", "true").parquet(args.logs)
    keep = [name.strip() for name in args.keep.split(",") if name.strip()]
    return lint(logs, args.column, keep=keep, policy=args.policy, spec=args.spec)


def main(argv: list[str] | None = None, spark: SparkSession | None = None) -> int:
    args = parse(argv)
    from pyspark.sql import SparkSession

    own = spark is None
    if spark is None:
        builder = SparkSession.builder.appName("capspec lint")
        if args.master:
            builder = builder.master(args.master)
        spark = builder.getOrCreate()
    try:
        try:
            problems = problems_of(spark, args)
        except (ValueError, TypeError, SpecError) as error:
            print(f"spark_lint.py: {error}", file=sys.stderr)
            return 2
        problems.write.parquet(args.out)  # the job runs here, on the executors
        counts = summary(spark.read.parquet(args.out))
        counts.show(50, truncate=False)
        errors = counts.where("severity = 'error'").agg({"count": "sum"}).first()
        total = (errors[0] if errors else None) or 0
        print(f"spark_lint.py: {total} errors; problems written to {args.out}")
        return 1 if total else 0
    finally:
        if own:
            spark.stop()


if __name__ == "__main__":
    sys.exit(main())

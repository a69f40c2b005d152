"""Lint request logs where they live: every logged request checked on Spark's executors.

``lint(df, "request")`` is a DataFrame with one row per problem; ``summary`` counts
them by model, code and severity. Nothing is collected to the driver: the check
runs in ``mapInArrow`` on each partition, and each Python worker builds its
checker once for a spec and policy (a module-level cache keyed by the spec's
content), then reuses it for every batch and task it runs.

Install with ``pip install 'capspec[spark]'``; ``import validator`` never imports
pyspark, only this module does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyspark.sql import functions as sf
from pyspark.sql import types as st

from validator._problem import describe
from validator.check._normalize import POLICIES
from validator.integrations import _rows

if TYPE_CHECKING:
    import os
    from collections.abc import Iterator, Sequence

    import pyarrow as pa
    from pyspark.sql import DataFrame

    from validator.check._normalize import Policy

__all__ = ["FIELDS", "lint", "summary"]

#: The columns ``lint`` adds after the kept ones, in order.
FIELDS = _rows.FIELDS

_REQUEST = "__capspec_request"


def lint(
    df: DataFrame,
    column: str,
    *,
    keep: Sequence[str] = (),
    policy: Policy = "strict",
    spec: str | os.PathLike[str] | bytes | None = None,
) -> DataFrame:
    """Every problem of every request logged in a DataFrame column, one row per problem.

    A row's problems are those ``capspec lint`` reports for the same request on a
    JSONL line: ``invalid_json`` when the text does not parse (a problem of that
    row, the other rows are still checked), ``duplicate_key`` for a key repeated
    within one object, then the request's own errors and warnings. A null request,
    or blank text, holds no request and has no problem (as a blank JSONL line).

    Args:
        df: The logs.
        column: The column holding each request: JSON text (a string column), a
            map, or a struct (as read from Parquet or with a JSON schema). In a
            map or struct, a null member is taken as absent.
        keep: Input columns to carry into each problem row (an id, a timestamp).
        policy: ``"strict"`` checks the request as logged; ``"drop"`` and ``"fix"``
            report what would still fail after normalizing it, and what changed.
        spec: None for the spec bundled with capspec; a spec file's path, read on
            the driver; or a spec's content as bytes. Its content travels with the
            job, so the executors need not see the file.

    Returns:
        A DataFrame of the ``keep`` columns (their input types), then ``code``,
        ``severity``, ``param``, ``path``, ``message``, ``hint`` and ``model``
        (strings; ``param``, ``hint`` and ``model`` may be null). Lazy, like any
        transformation: nothing runs until an action.

    Raises:
        ValueError: ``policy`` is not a policy; ``column`` or a ``keep`` column
            is missing, or a ``keep`` column has the name of a problem column.
        TypeError: the request column is not a string, map or struct column.
        SpecError: ``spec`` cannot be read or is not a valid spec (on the driver).
    """
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {describe(policy)}")
    fields = {field.name: field for field in df.schema.fields}
    keep = list(keep)
    for name in [column, *keep]:
        if name not in fields:
            raise ValueError(
                f"no column {describe(name)} in the DataFrame; its columns: {', '.join(fields)}"
            )
    kind = fields[column].dataType
    if not isinstance(kind, st.StringType | st.MapType | st.StructType):
        raise TypeError(
            f"column {describe(column)} is {kind.simpleString()}: a request column holds "
            "JSON text (string), a map or a struct"
        )
    clashes = [name for name in keep if name in FIELDS]
    if clashes:
        raise ValueError(
            f"keep column {describe(clashes[0])} has the name of a problem column "
            f"({', '.join(FIELDS)}); rename it first, for instance with withColumnRenamed"
        )
    text = _spec_text(spec)
    _rows.checker(text, policy)  # a bad spec fails here, on the driver, not in a task

    # Kept columns travel under plain names (pyspark resolves mapInArrow's input by
    # name, and a name with a dot would not resolve), and get theirs back after.
    plain = [f"_capspec_keep_{i}" for i in range(len(keep))]
    schema = st.StructType(
        [
            *(
                st.StructField(alias, fields[name].dataType, fields[name].nullable)
                for alias, name in zip(plain, keep, strict=True)
            ),
            *(st.StructField(name, st.StringType(), name not in _rows.REQUIRED) for name in FIELDS),
        ]
    )
    selected = df.select(
        *(_col(name).alias(alias) for name, alias in zip(keep, plain, strict=True)),
        _col(column).alias(_REQUEST),
    )
    maps = not isinstance(kind, st.StringType)
    problems = selected.mapInArrow(_on_batches(text, policy, plain, maps), schema)
    return problems.toDF(*keep, *FIELDS)


def summary(problems: DataFrame) -> DataFrame:
    """Count problems by model, code and severity, the most frequent first.

    Args:
        problems: What ``lint`` returned (any DataFrame with those three columns).

    Returns:
        A DataFrame of ``model``, ``code``, ``severity`` and ``count`` (a null
        model: the request named none, or its JSON did not parse).
    """
    return (
        problems.groupBy("model", "code", "severity")
        .count()
        .orderBy(sf.desc("count"), sf.asc_nulls_last("model"), "code", "severity")
    )


def _col(name: str) -> Any:
    """A column by its exact name, dots and all."""
    return sf.col("`" + name.replace("`", "``") + "`")


def _spec_text(spec: str | os.PathLike[str] | bytes | None) -> bytes | None:
    """The spec's content to ship to the executors: None for the bundled spec."""
    if spec is None or isinstance(spec, bytes):
        return spec
    from validator import load_spec  # noqa: PLC0415

    load_spec(spec)  # its SpecError names the file, as every other entry point's does
    return Path(spec).read_bytes()


def _on_batches(
    text: bytes | None, policy: str, keep: list[str], maps: bool
) -> Any:  # the function mapInArrow runs on each partition
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa  # noqa: PLC0415 - on the executor

        check = _rows.checker(text, policy)
        is_request = _rows.is_request
        kept = len(keep)
        names = [*keep, *FIELDS]
        for batch in batches:
            requests = batch.column(kept)
            values = requests.to_pylist(maps_as_pydicts="lossy") if maps else requests.to_pylist()
            index: list[int] = []
            columns: list[list[str | None]] = [[] for _ in FIELDS]
            for i, value in enumerate(values):
                if not is_request(value):
                    continue
                for row in check(value):
                    index.append(i)
                    for j, cell in enumerate(row):
                        columns[j].append(cell)
            if not index:
                continue
            taken = batch.select(list(range(kept))).take(pa.array(index, pa.int64()))
            arrays = [*taken.columns, *(pa.array(cells, pa.string()) for cells in columns)]
            yield pa.RecordBatch.from_arrays(arrays, names=names)

    return run

"""validator.integrations.spark: request logs linted on a local Spark session.

One SparkSession (``local[2]``, no UI) serves the whole module. The tests that
need Spark need the ``spark`` extra and Java 17: without pyspark they are skipped
with the command that installs it, unless ``CAPSPEC_REQUIRE_SPARK`` is set (CI
sets it: there they must run). The tests of the row check and of the import
boundary run everywhere.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import validator
from validator.integrations import _rows

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "specs" / "minimal.yaml"
HAVE_PYSPARK = importlib.util.find_spec("pyspark") is not None

# pyspark's own noise, not ours to fix: pyspark 4 warns about pandas 3 each time it
# sets up an Arrow function, and pyspark 4.0 leaves the sockets of collect() to the GC.
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <socket.socket:pytest.PytestUnraisableExceptionWarning"
    ),
]

PROBLEM_COLUMNS = ["code", "severity", "param", "path", "message", "hint", "model"]


@pytest.fixture(scope="module")
def spark():
    if not HAVE_PYSPARK:
        if os.environ.get("CAPSPEC_REQUIRE_SPARK"):
            pytest.fail("CAPSPEC_REQUIRE_SPARK is set but pyspark is not installed")
        pytest.skip("pyspark is not installed: pip install -e '.[spark]'")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("capspec-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lint():
    from validator.integrations.spark import lint

    return lint


# --- data ---------------------------------------------------------------------------------

MODELS = sorted(validator.load_spec().models)
VALUES = {
    "prompt": ["a lighthouse at dusk", "", 7],
    "steps": [1, 4, 28, 50, 51, 0, -1, "4", 4.5],
    "width": [1024, 512, 1000, 1440, 64, 4096, "1024"],
    "height": [1024, 768, 1001, 2048, 16],
    "n": [1, 2, 4, 5, 0],
    "seed": [1, -5, 2**40, "x"],
    "aspect_ratio": ["16:9", "1:1", "7:3", "wide", 1.5],
    "guidance_scale": [3.5, 0, 100, "high"],
    "guidance": [3.5],
    "negative_prompt": ["dogs", ""],
    "response_format": ["url", "base64", "png"],
    "output_format": ["jpeg", "png", "gif"],
    "image_url": ["https://example.com/a.png", 3],
    "disable_safety_checker": [True, "yes"],
    "widht": [512],
}
BROKEN = [
    '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat"',
    '{"model": "black-forest-labs/FLUX.2-pro", "prom',
    "{'model': 'black-forest-labs/FLUX.2-pro'}",
    '{"model": "black-forest-labs/FLUX.2-pro", "steps": NaN}',
    '{"model": "black-forest-labs/FLUX.2-pro",}',
    "not json",
    '{"model": "black-forest-labs/FLUX.2-pro"} {"extra": 1}',
    "[1, 2",
]


def requests(count: int, seed: int = 17) -> list[str]:
    """``count`` logged requests as JSON text, 2% of them not JSON, the rest varied."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if i % 50 == 25:
            out.append(rng.choice(BROKEN))
            continue
        request: dict[str, object] = {}
        roll = rng.random()
        if roll < 0.95:
            request["model"] = rng.choice(MODELS)
        elif roll < 0.98:
            request["model"] = rng.choice(["acme/nope", "black-forest-labs/flux.1-schnell", 3])
        for name in rng.sample(sorted(VALUES), rng.randint(0, 5)):
            request[name] = rng.choice(VALUES[name])
        if rng.random() < 0.9:
            request["prompt"] = "a cat"
        text = json.dumps(request)
        if i % 97 == 3:  # a key repeated within the object
            text = text[:-1] + (', "prompt": "again"}' if request else '"prompt": "x"}')
        if i % 211 == 7:
            text = json.dumps([request]) if i % 2 else json.dumps("a cat")
        out.append(text)
    return out


def cli_problems(tmp_path: Path, texts: list[str], *args: str) -> list[dict[str, object]]:
    """``capspec lint --format json`` on the texts as a JSONL file, one line each."""
    assert all("\n" not in text for text in texts)
    path = tmp_path / "requests.jsonl"
    path.write_text("".join(f"{text}\n" for text in texts), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "validator", "lint", "--format", "json", *args, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in {0, 1}, done.stderr
    return json.loads(done.stdout)["problems"]


def frame(spark, texts: list[str | None], partitions: int = 4):
    rows = list(enumerate(texts))
    return spark.createDataFrame(rows, "row long, request string").repartition(partitions)


def rows_of(df) -> list[dict[str, object]]:
    return [row.asDict() for row in df.collect()]


# --- Spark against capspec lint ------------------------------------------------------------


def test_ten_thousand_requests_have_the_problems_capspec_lint_reports(spark, lint, tmp_path):
    texts = requests(10_000)
    assert sum(text in BROKEN for text in texts) == 200  # 2% are not JSON
    expected = cli_problems(tmp_path, texts)
    result = lint(frame(spark, texts), "request", keep=["row"])
    assert result.columns == ["row", *PROBLEM_COLUMNS]
    got = rows_of(result)

    def errors(items, row_key):
        return sorted(
            (item[row_key], item["code"]) for item in items if item["severity"] == "error"
        )

    cli_errors = errors([{**p, "row": p["line"] - 1} for p in expected], "row")
    assert errors(got, "row") == cli_errors
    codes = Counter(code for _, code in cli_errors)
    assert codes["invalid_json"] == 200
    assert codes["duplicate_key"] > 50
    assert len(codes) >= 8  # varied enough to mean something

    # Warnings too, and every field but the position capspec lint gives as line/column.
    def full(p, row):
        message = p["message"]
        return (
            row,
            p["code"],
            p["severity"],
            p["param"],
            p["path"],
            p["hint"],
            p["model"],
        ), message

    cli = sorted(full(p, p["line"] - 1) for p in expected)
    spark_rows = sorted(full(p, p["row"]) for p in got)
    assert [key for key, _ in spark_rows] == [key for key, _ in cli]
    for (key, ours), (_, theirs) in zip(spark_rows, cli, strict=True):
        if key[1] == "invalid_json":
            assert ours.startswith(f"{theirs} ("), (ours, theirs)  # plus where in the text
        else:
            assert ours == theirs


def test_policy_drop_reports_what_capspec_lint_drop_reports(spark, lint, tmp_path):
    texts = requests(1_500, seed=3)
    expected = cli_problems(tmp_path, texts, "--policy", "drop")
    got = rows_of(lint(frame(spark, texts, 2), "request", keep=["row"], policy="drop"))
    key = ("code", "severity", "param", "path", "message")
    assert sorted((p["row"], *(p[k] for k in key)) for p in got if p["code"] != "invalid_json") == (
        sorted(
            (p["line"] - 1, *(p[k] for k in key)) for p in expected if p["code"] != "invalid_json"
        )
    )
    dropped = [p for p in got if p["code"] == "parameter_dropped"]
    assert dropped and all(p["severity"] == "warning" for p in dropped)
    strict = rows_of(lint(frame(spark, texts, 2), "request", keep=["row"]))
    assert not any(p["code"] == "parameter_dropped" for p in strict)
    assert sum(p["code"] == "unsupported_parameter" for p in strict) > sum(
        p["code"] == "unsupported_parameter" for p in got
    )


# --- malformed rows, maps and structs --------------------------------------------------------


def test_malformed_rows_are_problems_of_their_own_row(spark, lint):
    texts: list[str | None] = [
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat"}',
        '{"model": "black-forest-labs/FLUX.2-pro", "prom',
        None,
        "   ",
        "",
        "NaN",
        '["a", "list"]',
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "prompt": "b"}',
        '{"model": "black-forest-labs/FLUX.2-pro",\n "prompt": 3',
    ]
    got = sorted(rows_of(lint(frame(spark, texts, 3), "request", keep=["row"])), key=str)
    by_row: dict[int, list[dict[str, object]]] = {}
    for problem in got:
        by_row.setdefault(problem["row"], []).append(problem)
    assert sorted(by_row) == [1, 5, 6, 7, 8]  # clean, null and blank rows have none
    broken = by_row[1][0]
    assert broken["code"] == "invalid_json" and broken["severity"] == "error"
    assert broken["path"] == "$" and broken["param"] is None and broken["model"] is None
    assert broken["message"].startswith("not valid JSON") and "column" in broken["message"]
    assert [p["code"] for p in by_row[5]] == ["invalid_json"]
    assert [p["code"] for p in by_row[6]] == ["invalid_type"]
    assert [(p["code"], p["path"], p["model"]) for p in by_row[7]] == [
        ("duplicate_key", "$.prompt", "black-forest-labs/FLUX.2-pro")
    ]
    assert "line 2" in by_row[8][0]["message"]


def test_struct_and_map_columns_are_checked_like_the_json_they_hold(spark, lint):
    from pyspark.sql import functions as sf

    texts = [
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "steps": 20}',
        '{"model": "black-forest-labs/FLUX.1-kontext-pro", "prompt": "a cat", "width": 1000}',
        '{"model": "acme/nope", "prompt": "a cat"}',
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat"}',
    ]
    df = frame(spark, texts, 2)
    structs = df.select(
        "row",
        sf.from_json(
            "request", "model string, prompt string, steps long, width long, seed long"
        ).alias("request"),
    )
    maps = df.select("row", sf.from_json("request", "map<string,string>").alias("request"))

    def problems(data):
        return sorted(
            (p["row"], p["code"], p["path"]) for p in rows_of(lint(data, "request", keep=["row"]))
        )

    from_text = problems(df)
    assert from_text == problems(structs)  # absent fields are null in a struct, and ignored
    assert {code for _, code, _ in from_text} >= {"unsupported_parameter", "unknown_model"}
    # In a map every value is a string, so steps "20" is also... still unsupported on FLUX.2 Pro.
    assert [p for p in problems(maps) if p[1] != "invalid_type"] == [
        p for p in from_text if p[1] != "invalid_type"
    ]


# --- specs -------------------------------------------------------------------------------------


def test_a_custom_spec_travels_as_data(spark, lint, tmp_path):
    texts = [
        '{"model": "acme/one", "prompt": "a cat", "width": 1001}',
        '{"model": "acme/one", "prompt": "a cat", "width": 1024}',
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat"}',
    ]
    moved = tmp_path / "moved.yaml"
    moved.write_bytes(MINIMAL.read_bytes())
    by_path = lint(frame(spark, texts, 2), "request", keep=["row"], spec=moved)
    moved.unlink()  # the job reads the content shipped with it, not the file
    expected = [(0, "not_multiple_of"), (2, "unknown_model")]
    assert sorted((p["row"], p["code"]) for p in rows_of(by_path)) == expected
    as_bytes = lint(frame(spark, texts, 2), "request", keep=["row"], spec=MINIMAL.read_bytes())
    assert sorted((p["row"], p["code"]) for p in rows_of(as_bytes)) == expected
    bundled = rows_of(lint(frame(spark, texts, 2), "request", keep=["row"]))
    assert {p["code"] for p in bundled if p["row"] in {0, 1}} == {"unknown_model"}


def test_a_bad_spec_fails_on_the_driver(spark, lint, tmp_path):
    df = frame(spark, ['{"model": "acme/one"}'], 1)
    with pytest.raises(validator.SpecError, match="broken-yaml"):
        lint(df, "request", spec=ROOT / "tests" / "specs" / "bad" / "broken-yaml.yaml")
    with pytest.raises(validator.SpecError):
        lint(df, "request", spec=b"capspec: 1\nmodels: [")
    with pytest.raises(validator.SpecError, match="cannot read"):
        lint(df, "request", spec=tmp_path / "missing.yaml")


# --- arguments, summary ---------------------------------------------------------------------------


def test_arguments_are_checked_before_anything_runs(spark, lint):
    df = spark.createDataFrame([(1, "{}", 3)], "id long, request string, n long")
    with pytest.raises(ValueError, match=r"no column 'body'.*id, request, n"):
        lint(df, "body")
    with pytest.raises(ValueError, match="no column 'ts'"):
        lint(df, "request", keep=["id", "ts"])
    with pytest.raises(TypeError, match="column 'n' is bigint: a request column holds"):
        lint(df, "n")
    with pytest.raises(ValueError, match="policy must be one of strict, drop, fix, not 'lenient'"):
        lint(df, "request", policy="lenient")
    renamed = df.withColumnRenamed("id", "code")
    with pytest.raises(ValueError, match="keep column 'code' has the name of a problem column"):
        lint(renamed, "request", keep=["code"])


def test_kept_columns_keep_their_types_and_odd_names(spark, lint):
    df = spark.createDataFrame(
        [("a", 1.5, '{"model": "acme/nope"}')], "`log.id` string, `cost` double, request string"
    )
    result = lint(df, "request", keep=["cost", "log.id"])
    assert result.columns == ["cost", "log.id", *PROBLEM_COLUMNS]
    assert result.schema["cost"].dataType.simpleString() == "double"
    row = result.collect()[0]
    assert (row["cost"], row["log.id"], row["code"]) == (1.5, "a", "unknown_model")


def test_summary_counts_by_model_code_and_severity(spark, lint):
    from validator.integrations.spark import summary

    texts = [
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "steps": 20}',
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "steps": 20, "seed": "x"}',
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "steps": 4}',
        "{",
    ]
    counts = summary(lint(frame(spark, texts, 2), "request"))
    assert counts.columns == ["model", "code", "severity", "count"]
    assert [tuple(row) for row in counts.collect()] == [
        ("black-forest-labs/FLUX.2-pro", "unsupported_parameter", "error", 3),
        ("black-forest-labs/FLUX.2-pro", "invalid_type", "error", 1),
        (None, "invalid_json", "error", 1),
    ]


# --- without Spark: the row check and the import boundary ------------------------------------


def test_importing_validator_never_imports_pyspark():
    code = (
        "import sys, validator, validator.integrations, validator.integrations._rows\n"
        "loaded = sorted(m for m in ('pyspark', 'py4j', 'pyarrow', 'pandas') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_checker_is_built_once_per_process_for_a_spec_and_policy():
    text = MINIMAL.read_bytes()
    check = _rows.checker(text, "strict")
    assert _rows.checker(text, "strict") is check
    assert _rows.checker(bytes(text), "strict") is check  # keyed by content, not identity
    assert _rows.checker(text, "drop") is not check
    assert _rows.checker(None, "strict") is not check
    assert _rows.checker(text + b"\n# edited\n", "strict") is not check


def test_struct_values_lose_their_null_members_only():
    value = {"model": "m", "seed": None, "frames": [{"a": None, "b": 1}], "steps": 0, "x": ""}
    assert _rows.from_spark(value) == {"model": "m", "frames": [{"b": 1}], "steps": 0, "x": ""}


# --- examples/spark_lint.py -------------------------------------------------------------------


@pytest.fixture(scope="module")
def example():
    import importlib.util as util

    found = util.spec_from_file_location("spark_lint", ROOT / "examples" / "spark_lint.py")
    assert found is not None and found.loader is not None
    module = util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


def test_the_example_lints_a_folder_of_jsonl_and_writes_parquet(spark, example, tmp_path, capsys):
    logs = tmp_path / "logs" / "day=1"
    logs.mkdir(parents=True)
    (logs / "a.jsonl").write_text(
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "steps": 20}\n\n{"model": \n',
        encoding="utf-8",
    )
    (logs / "b.jsonl").write_text('{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a"}\n')
    (logs / "notes.txt").write_text("not a log\n")
    out = tmp_path / "problems"
    assert example.main([str(tmp_path / "logs"), str(out)], spark=spark) == 1
    written = rows_of(spark.read.parquet(str(out)))
    assert sorted((Path(p["file"]).name, p["code"]) for p in written) == [
        ("a.jsonl", "invalid_json"),
        ("a.jsonl", "unsupported_parameter"),
    ]
    assert "2 errors; problems written to" in capsys.readouterr().out
    assert not spark.sparkContext._jsc.sc().isStopped()  # a session it was given stays up


def test_the_example_reads_parquet_structs_and_refuses_a_bad_column(
    spark, example, tmp_path, capsys
):
    from pyspark.sql import functions as sf

    logs = tmp_path / "logs.parquet"
    texts = ['{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat"}']
    frame(spark, texts, 1).select(
        sf.col("row").alias("id"),
        sf.from_json("request", "model string, prompt string").alias("body"),
    ).write.parquet(str(logs))
    out = tmp_path / "problems"
    assert example.main([str(logs), str(out), "--column", "body", "--keep", "id"], spark=spark) == 0
    assert spark.read.parquet(str(out)).columns == ["id", *PROBLEM_COLUMNS]
    assert example.main([str(logs), str(tmp_path / "x"), "--column", "request"], spark=spark) == 2
    assert "no column 'request'" in capsys.readouterr().err

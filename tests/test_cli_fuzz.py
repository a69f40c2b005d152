"""Fuzzing the command line: whatever a payload file holds, lint and normalize report, never crash.

Each property has its shrunk past failures kept beside it as explicit examples.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from validator.cli._app import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEEDS = sorted(p for p in EXAMPLES.iterdir() if p.is_file())
SUFFIXES = [".json", ".jsonl", ".ndjson", ".yaml", ".yml"]


def invoke(args: list[str], data: bytes | None = None):
    result = CliRunner().invoke(cli, args, input=data, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    return result


def lint_bytes(tmp_path: Path, data: bytes, suffix: str) -> dict:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    result = invoke(["lint", "--format", "json", str(path)])
    assert result.exit_code in {0, 1}
    report = json.loads(result.stdout)
    assert report["ok"] == (result.exit_code == 0)
    for problem in report["problems"]:
        assert problem["line"] >= 1
        assert problem["column"] >= 1
        assert problem["file"] == str(path)
    return report


def normalize_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz-n{suffix}"
    path.write_bytes(data)
    result = invoke(["normalize", str(path)])
    assert result.exit_code in {0, 1}
    if result.exit_code == 0 and result.stdout:
        # JSONL output keeps the input's lines, blank ones included (line numbers match).
        json.loads(result.stdout) if suffix != ".jsonl" else [
            json.loads(line) for line in result.stdout.splitlines() if line.strip()
        ]


@given(data=st.binary(max_size=300), suffix=st.sampled_from(SUFFIXES))
@example(data=b"\xef\xbb\xbf", suffix=".json")
@example(data=b"[", suffix=".json")
@example(data=b"{}\n{", suffix=".jsonl")
@example(data=b"&a [*a]", suffix=".yaml")
@example(data=b"? [a]\n: b", suffix=".yaml")
@example(data=b"- !!binary aGk=", suffix=".yaml")
@example(data=b'{"a":1,"a"}', suffix=".json")
@example(data=b'{"\\ud800": 1}', suffix=".json")
@example(data=b"\r", suffix=".jsonl")
@example(data=b"\x85", suffix=".yaml")
@example(data=b"\x00", suffix=".yaml")
def test_arbitrary_bytes_never_crash(tmp_path_factory, data, suffix):
    tmp_path = tmp_path_factory.mktemp("bytes")
    lint_bytes(tmp_path, data, suffix)
    normalize_bytes(tmp_path, data, suffix)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
MODELS = st.sampled_from(
    [
        "black-forest-labs/FLUX.2-pro",
        "black-forest-labs/FLUX.1-schnell",
        "black-forest-labs/FLUX.1-kontext-pro",
        "kwaivgI/kling-2.1-pro",
        "nope/nope",
    ]
)
REQUESTS = st.fixed_dictionaries(
    {"model": MODELS},
    optional={
        "prompt": JSON_VALUES,
        "width": JSON_VALUES,
        "frame_images": JSON_VALUES,
        "aspect_ratio": JSON_VALUES,
        "steps": JSON_VALUES,
    },
)


@given(
    value=st.one_of(JSON_VALUES, REQUESTS, st.lists(REQUESTS, max_size=3)),
    indent=st.sampled_from([None, 2]),
)
@example(value={"model": "black-forest-labs/FLUX.2-pro", "": {"": None}}, indent=None)
@example(value={"model": "nope/nope", "a b": [1, {"'": 2}]}, indent=2)
def test_json_texts_never_crash_and_locate_every_problem(tmp_path_factory, value, indent):
    tmp_path = tmp_path_factory.mktemp("json")
    text = json.dumps(value, indent=indent)
    report = lint_bytes(tmp_path, text.encode(), ".json")
    lines = text.count("\n") + 1
    assert all(p["line"] <= lines for p in report["problems"])
    jsonl = "\n".join(json.dumps(v) for v in (value if isinstance(value, list) else [value]))
    lint_bytes(tmp_path, jsonl.encode(), ".jsonl")
    normalize_bytes(tmp_path, text.encode(), ".json")


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, remove, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + remove :]
    return data


EDITS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),
        st.integers(min_value=0, max_value=3),
        st.sampled_from(
            [
                b"",
                b"{",
                b"}",
                b"[",
                b"]",
                b",",
                b":",
                b'"',
                b"\n",
                b"\xff",
                b"-",
                b"&a",
                b"*a",
                b"NaN",
                b"1e999",
                b"9" * 30,
            ]
        ),
    ),
    min_size=1,
    max_size=4,
)


@given(seed=st.sampled_from(SEEDS), edits=EDITS)
@example(seed=EXAMPLES / "kontext-edit.yaml", edits=[(0, 0, b"*a")])
@example(seed=EXAMPLES / "batch.jsonl", edits=[(5, 1, b"1e999")])
def test_mutated_example_files_never_crash(tmp_path_factory, seed, edits):
    tmp_path = tmp_path_factory.mktemp("mutated")
    data = mutate(seed.read_bytes(), edits)
    lint_bytes(tmp_path, data, seed.suffix)
    normalize_bytes(tmp_path, data, seed.suffix)


@given(st.text(alphabet=string.printable, max_size=200))
@example("model: [\n" * 3)
@example("a: &x 1\nb: *x\n" * 2)
def test_yaml_texts_never_crash(tmp_path_factory, text):
    tmp_path = tmp_path_factory.mktemp("yaml")
    lint_bytes(tmp_path, text.encode(), ".yaml")

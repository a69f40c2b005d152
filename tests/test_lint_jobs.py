"""``capspec lint --jobs N``: the report of N processes is the report of one, byte for byte.

Ranges are made tiny here (about a line; any size, in the property at the end)
so that their boundaries fall everywhere: inside a request with problems, on a blank line, a CRLF, a broken
line, a line too long, a line that is not UTF-8, the last line without newline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from validator.cli import _lintrun
from validator.cli._app import cli
from validator.files._sources import collect
from validator.lint import _parallel
from validator.lint._linter import Linter

GOOD = {
    "model": "black-forest-labs/FLUX.2-dev",
    "prompt": "a red fox in snow",
    "width": 1024,
    "height": 768,
    "steps": 28,
}
# One of each kind of line a JSONL log holds: requests with errors, warnings, both,
# repeated keys, and lines that are no request at all.
LINES = [
    json.dumps(GOOD),
    json.dumps({**GOOD, "steps": 99, "n": 0}),  # errors
    json.dumps({"model": "black-forest-labs/FLUX.1-schnell-Free", "prompt": "a"}),  # lifecycle
    json.dumps({**GOOD, "width": 1001}),  # not a multiple
    '{"model": "black-forest-labs/FLUX.2-dev", "prompt": "a", "prompt": "b"}',  # repeated
    '{"model": "x", "prompt": ',  # broken JSON
    "",  # blank
    "   \t",  # only spaces
    json.dumps({**GOOD, "wdith": 512}),  # did you mean
    "[1, 2]",  # not an object
    json.dumps({**GOOD, "prompt": "é" * 20}),  # multi-byte characters
]


def jsonl(lines: list[str | bytes], *, end: bytes = b"\n", crlf: set[int] = frozenset()) -> bytes:
    """The lines joined; ``crlf`` names the lines ended by CR LF; ``end`` ends the last."""
    out = []
    for index, line in enumerate(lines):
        raw = line if isinstance(line, bytes) else line.encode("utf-8")
        last = index == len(lines) - 1
        out.append(raw + (end if last else b"\r\n" if index in crlf else b"\n"))
    return b"".join(out)


def big_log(count: int = 120) -> bytes:
    """Every kind of line, over and over, with a few odd ones on top."""
    lines: list[str | bytes] = ["\ufeff" + LINES[1]]  # a byte-order mark on line 1
    lines += [LINES[i % len(LINES)] for i in range(count)]
    lines[40] = b'{"model": "\xff\xfe"}'  # not UTF-8
    lines[55] = "\ufeff" + LINES[0]  # a mark where no mark may be: invalid JSON
    lines[70] = json.dumps({**GOOD, "prompt": "x" * 400})  # too long under --max-size 300
    return jsonl(lines, crlf={3, 17, 18, 90}, end=b"")  # the last line has no newline


@pytest.fixture
def tiny_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ranges of 97 bytes (about a line), pools for any input."""
    monkeypatch.setattr(_parallel, "MIN_CHUNK", 97)
    monkeypatch.setattr(_parallel, "CHUNK", 97)
    monkeypatch.setattr(_parallel, "SMALL", 0)
    monkeypatch.setattr(_parallel, "BATCH_FILES", 2)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder of payloads: a big log, small files of each kind, an empty one."""
    root = tmp_path / "payloads"
    root.mkdir()
    (root / "big.jsonl").write_bytes(big_log())
    (root / "small.jsonl").write_bytes(jsonl(LINES[:3]))
    (root / "empty.jsonl").write_bytes(b"")
    (root / "blank.jsonl").write_bytes(b"\n \n\r\n" * 40)  # no request, over many ranges
    (root / "one.json").write_text(json.dumps({**GOOD, "steps": 99}), encoding="utf-8")
    (root / "list.json").write_text(json.dumps([GOOD, {**GOOD, "n": 0}]), encoding="utf-8")
    (root / "broken.json").write_text('{"model": ', encoding="utf-8")
    (root / "req.yaml").write_text("model: black-forest-labs/FLUX.2-dev\nsteps: 99\n")
    (root / "package.json").write_text('{"name": "x"}', encoding="utf-8")  # not requests
    notes = "\n".join(json.dumps({"event": i, "text": "x" * 30}) for i in range(30))
    (root / "events.jsonl").write_text(notes + "\n", encoding="utf-8")  # not requests
    for i in range(7):
        (root / f"r{i}.json").write_text(json.dumps({**GOOD, "n": i}), encoding="utf-8")
    return root


def lint(args: list[str], jobs: int | str | None) -> tuple[int, str]:
    """Exit code and output of ``capspec lint`` in this process (workers forked from it)."""
    more = [] if jobs is None else ["--jobs", str(jobs)]
    result = CliRunner().invoke(cli, ["lint", "--isolated", *args, *more])
    return result.exit_code, result.output


FORMATS = [
    ["--format", "text"],
    ["--format", "json"],
    ["--format", "github"],
    ["--format", "sarif"],
    ["--statistics"],
    ["--quiet"],
    ["--select", "invalid_json,out_of_range,too_large,empty_file"],
    ["--ignore", "duplicate_key,invalid_encoding", "--warnings-as-errors"],
    ["--policy", "fix", "--format", "json"],
    ["--migrate-to", "successor"],
]


@pytest.mark.usefixtures("tiny_ranges")
@pytest.mark.parametrize("options", FORMATS, ids=" ".join)
def test_the_report_is_the_same_in_any_number_of_processes(tree: Path, options: list[str]):
    args = [str(tree), "--max-size", "300", *options]
    one = lint(args, None)
    assert one[0] == 1
    assert "big.jsonl" in one[1] or "--statistics" in options
    for jobs in (1, 2, 3):
        assert lint(args, jobs) == one


@pytest.mark.usefixtures("tiny_ranges")
def test_output_file_is_the_same(tree: Path, tmp_path: Path):
    files = {}
    for jobs in (1, 2):
        out = tmp_path / f"report-{jobs}.json"
        code, printed = lint([str(tree), "--format", "json", "-o", str(out)], jobs)
        assert (code, printed) == (1, "")
        files[jobs] = out.read_text(encoding="utf-8")
    assert files[1] == files[2]
    summary = json.loads(files[2])["summary"]
    assert (summary["files"], summary["not_requests"]) == (13, 4)


@pytest.mark.usefixtures("tiny_ranges")
def test_one_big_file_named_alone_and_its_line_numbers(tmp_path: Path):
    log = tmp_path / "big.jsonl"
    log.write_bytes(big_log(400))
    code, text = lint([str(log), "--max-size", "300", "--format", "json"], 2)
    assert code == 1
    problems = json.loads(text)["problems"]
    byline = {(p["line"], p["code"]) for p in problems}
    assert (41, "invalid_encoding") in byline  # lines[40]: line 41
    assert (56, "invalid_json") in byline
    too_large = [p for p in problems if p["code"] == "too_large"]
    assert [p["line"] for p in too_large] == [71]
    assert too_large[0]["message"].startswith("line 71 is over the size limit")
    assert (code, text) == lint([str(log), "--max-size", "300", "--format", "json"], None)


@pytest.mark.usefixtures("tiny_ranges")
def test_per_file_ignores_and_config_jobs(tree: Path, tmp_path: Path, monkeypatch):
    config = tmp_path / "capspec.toml"
    config.write_text(
        'jobs = 2\nignore = ["not_multiple_of"]\n'
        '[per-file-ignores]\n"payloads/big.jsonl" = ["invalid_json"]\n',
        encoding="utf-8",
    )
    seen: list[int] = []
    real = _lintrun.run

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["jobs"])
        return real(*args, **kwargs)

    monkeypatch.setattr(_lintrun, "run", spy)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    two = runner.invoke(cli, ["lint", "payloads"])
    one = runner.invoke(cli, ["lint", "payloads", "-j", "1"])
    auto = runner.invoke(cli, ["lint", "payloads", "-j", "auto"])
    assert seen == [2, 1, _parallel.cpu_count()]
    assert two.output == one.output == auto.output
    assert "big.jsonl" in two.output
    assert "invalid_json" not in "".join(line for line in two.output.splitlines() if "big" in line)


@pytest.mark.usefixtures("tiny_ranges")
def test_standard_input_among_files(tree: Path):
    text = json.dumps({**GOOD, "steps": 99})
    runner = CliRunner()
    args = ["lint", "--isolated", "-", str(tree / "big.jsonl"), str(tree / "one.json")]
    one = runner.invoke(cli, args, input=text)
    two = runner.invoke(cli, [*args, "-j", "2"], input=text)
    assert one.exit_code == two.exit_code == 1
    assert one.output == two.output
    assert "<stdin>:1:" in two.output or "-:1:" in two.output


@pytest.mark.usefixtures("tiny_ranges")
@pytest.mark.parametrize(
    ("content", "code"),
    [(jsonl([LINES[0]] * 30), 0), (jsonl([LINES[1]] * 30), 1), (b"\n" * 300, 1)],
    ids=["clean", "errors", "only blank lines"],
)
def test_exit_codes(tmp_path: Path, content: bytes, code: int):
    log = tmp_path / "log.jsonl"
    log.write_bytes(content)
    one = lint([str(log)], None)
    assert one[0] == code
    assert lint([str(log)], 2) == one
    assert lint([str(log), "--exit-zero"], 2)[0] == 0


@pytest.mark.parametrize("value", ["-1", "x", "1.5", "", "two"])
def test_a_bad_number_of_jobs_is_a_usage_error(tmp_path: Path, value: str):
    (tmp_path / "a.json").write_text(json.dumps(GOOD), encoding="utf-8")
    code, text = lint([str(tmp_path / "a.json")], value)
    assert code == 2
    assert "Invalid value for '--jobs' / '-j'" in text
    assert "a number of processes (1 or more), or 0 or auto for one per CPU" in text


@pytest.mark.parametrize("value", ["-1", '"x"', "1.5", "true"])
def test_a_bad_jobs_setting_names_the_file_and_line(tmp_path: Path, monkeypatch, value: str):
    (tmp_path / "capspec.toml").write_text(f'select = ["ALL"]\njobs = {value}\n')
    (tmp_path / "a.json").write_text(json.dumps(GOOD), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "a.json"])
    assert result.exit_code == 2
    assert "capspec.toml:2: jobs must be a number of processes (1 or more)" in result.output


@pytest.mark.parametrize("value", ["0", "auto", "AUTO", "1", "16"])
def test_good_numbers_of_jobs(tmp_path: Path, value: str):
    (tmp_path / "a.json").write_text(json.dumps({**GOOD, "steps": 99}), encoding="utf-8")
    code, text = lint([str(tmp_path / "a.json")], value)
    assert code == 1
    assert text.endswith("capspec: 1 error in 1 request (1 file)\n")


def test_small_inputs_start_no_pool(tree: Path, monkeypatch):
    def no_pool(jobs: int) -> Any:
        raise AssertionError("a pool for a small input")

    monkeypatch.setattr(_parallel, "_executor", no_pool)
    assert lint([str(tree)], 2) == lint([str(tree)], None)


def _crash(*args: Any) -> Any:
    os._exit(3)  # a worker killed in the middle of its task


@pytest.mark.usefixtures("tiny_ranges")
def test_a_worker_that_dies_ends_the_run_without_a_report(tree: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(_parallel, "_lint_chunk", _crash)
    out = tmp_path / "out" / "report.txt"
    out.parent.mkdir()
    code, text = lint([str(tree), "-o", str(out)], 2)
    assert code == 2
    assert "capspec: a worker process ended unexpectedly" in text
    assert "run again, or with --jobs 1" in text
    assert list(out.parent.iterdir()) == []  # nothing written, no temporary file left


@pytest.mark.parametrize("later", [0, 0.3])
def test_ctrl_c_stops_the_workers_and_writes_nothing(tmp_path: Path, later: float):
    log = tmp_path / "big.jsonl"
    log.write_bytes(jsonl([LINES[i % 4] for i in range(60_000)]))
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-m", "validator", "lint", "--isolated", "-j", "2"]
    process = subprocess.Popen(
        [*command, str(log), "-o", str(out / "report.txt")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not _children(process.pid) and time.monotonic() < deadline:  # the pool is up
        time.sleep(0.02)
    assert process.poll() is None, process.communicate()
    time.sleep(later)
    workers = _children(process.pid)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (1, b"\nAborted!\n")  # as click has it in one process
    assert list(out.iterdir()) == []
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def test_workers_of_a_killed_run_end_too(tmp_path: Path):
    log = tmp_path / "big.jsonl"
    log.write_bytes(jsonl([LINES[i % 4] for i in range(60_000)]))
    command = [sys.executable, "-m", "validator", "lint", "--isolated", "-j", "2", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = _children(process.pid)
    assert len(workers) == 2
    process.kill()
    process.wait()
    deadline = time.monotonic() + 30
    while any(_state(pid) != "Z" for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [_state(pid) for pid in workers] == ["Z", "Z"]  # ended (reaped, or a zombie)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"


# --- any boundaries: the ranges run one after another in this process --------------------


class _Serial:
    """An executor that runs each task when it is submitted: ranges without processes."""

    def __init__(self, jobs: int) -> None:
        del jobs

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        del wait, cancel_futures


_LINE = st.sampled_from([*LINES, "\ufeff" + LINES[0], b"\xc3(", b'{"a": "\xe9"}'])


@given(
    lines=st.lists(_LINE, max_size=25),
    crlf=st.sets(st.integers(0, 24)),
    end=st.sampled_from([b"\n", b"", b"\r\n"]),
    chunk=st.integers(1, 400),
    jobs=st.integers(2, 3),
    max_size=st.sampled_from([80, 10_000]),
)
def test_any_boundaries_give_the_same_findings(
    spec: Any,
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[str | bytes],
    crlf: set[int],
    end: bytes,
    chunk: int,
    jobs: int,
    max_size: int,
):
    path = tmp_path_factory.mktemp("log") / "log.jsonl"
    path.write_bytes(jsonl(lines, crlf=crlf, end=end) if lines else b"")
    sources = collect([str(path)]).sources * 2
    one = Linter(spec, max_size=max_size)
    expected = [f for s in sources for f in one.lint(s)]
    many = Linter(spec, max_size=max_size)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_parallel, "_executor", _Serial)
        patch.setattr(_parallel, "MIN_CHUNK", chunk)
        patch.setattr(_parallel, "CHUNK", chunk)
        patch.setattr(_parallel, "SMALL", 0)
        found = list(_parallel.lint_sources(many, sources, jobs=jobs))
    assert found == expected
    assert many.summary() == one.summary()


def test_ranges_are_handed_out_a_few_at_a_time(spec: Any, tmp_path: Path, monkeypatch):
    """Memory stays flat: while the first finding is being reported, only a few
    ranges have been handed out, however many the file has."""
    log = tmp_path / "log.jsonl"
    log.write_bytes(jsonl([LINES[1]] * 2000))
    submitted: list[Any] = []

    class Recording(_Serial):
        def submit(self, fn: Any, *args: Any) -> Future[Any]:
            submitted.append(args)
            return super().submit(fn, *args)

    monkeypatch.setattr(_parallel, "_executor", Recording)
    monkeypatch.setattr(_parallel, "MIN_CHUNK", 1000)
    monkeypatch.setattr(_parallel, "CHUNK", 1000)
    monkeypatch.setattr(_parallel, "SMALL", 0)
    findings = _parallel.lint_sources(Linter(spec), collect([str(log)]).sources, jobs=2)
    next(findings)
    assert len(submitted) == 2 * _parallel.AHEAD + 1  # the window, and the next one
    rest = list(findings)
    assert len(submitted) == -(-log.stat().st_size // 1000)  # every range, once
    assert len(rest) > 2000

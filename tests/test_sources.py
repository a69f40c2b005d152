"""Files that are not files, files too big to read, and the same file reached twice (issue 11).

Each edge runs the real command in a subprocess where it could hang or grow: a
FIFO opened by mistake blocks forever, /dev/zero read whole fills memory. The
timeouts are there to turn a hang into a failure, not to measure speed.
"""

from __future__ import annotations

import io
import json
import os
import resource
import socket
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from validator.cli._app import cli
from validator.files._payloads import read
from validator.files._sources import (
    DEFAULT_MAX_SIZE,
    Source,
    collect,
    format_size,
    parse_size,
    read_upto,
)

GOOD = '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a"}'
BAD = '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "steps": 3}'
NOT_REGULAR_HINT = "capspec reads regular files only"


def run(*args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, list(args), input=stdin, env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def capspec(*args: str, limit_memory: bool = False) -> subprocess.CompletedProcess[str]:
    """The real command in its own process; never allowed to hang."""

    def one_gigabyte() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "validator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
        preexec_fn=one_gigabyte if limit_memory else None,
    )


# --- FIFOs, devices, sockets ------------------------------------------------------------


def test_a_fifo_in_a_scanned_directory_is_skipped_and_counted_never_opened(tmp_path):
    (tmp_path / "good.json").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.json")  # opening it for reading would block: no writer
    process = capspec("lint", str(tmp_path))
    assert process.returncode == 0, process.stdout
    assert (
        process.stdout
        == "capspec: no problems in 1 request (1 file; 1 skipped: not a regular file)\n"
    )
    report = json.loads(capspec("lint", "--format", "json", str(tmp_path)).stdout)
    assert report["summary"] == {
        "files": 1,
        "requests": 1,
        "errors": 0,
        "warnings": 0,
        "skipped": 1,
        "not_requests": 0,
    }


def test_a_fifo_named_on_the_command_line_is_a_located_problem(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    (tmp_path / "bad.json").write_text(BAD)
    process = capspec("lint", str(fifo), str(tmp_path / "bad.json"))
    assert process.returncode == 1
    lines = process.stdout.splitlines()
    assert lines[1] == (
        f"{fifo}:1:1: error unreadable_file cannot read {fifo}: a named pipe (FIFO), "
        f"not a regular file (hint: {NOT_REGULAR_HINT}; to check a stream, pipe it in and "
        "give - as the path)"
    )
    assert " unsupported_parameter " in lines[0]  # the other file is still checked
    assert lines[-1] == "capspec: 2 errors in 1 request (2 files)"


def test_dev_zero_under_a_1_gb_address_space_limit_exits_promptly_with_a_located_problem():
    process = capspec("lint", "/dev/zero", limit_memory=True)
    assert process.returncode == 1
    assert process.stderr == ""
    assert process.stdout.splitlines()[0].startswith(
        "/dev/zero:1:1: error unreadable_file cannot read /dev/zero: a character device, "
        "not a regular file"
    )
    normalized = capspec("normalize", "/dev/zero", limit_memory=True)
    assert normalized.returncode == 1
    assert normalized.stdout == ""
    assert "/dev/zero:1:1: error unreadable_file" in normalized.stderr


def test_a_socket_is_skipped_in_a_directory_and_a_problem_when_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative name: socket paths are limited to ~100 bytes
    (tmp_path / "good.json").write_text(GOOD)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind("sock.json")
        code, report = _lint_json(".")
        assert code == 0
        assert report["summary"]["skipped"] == 1
        assert report["summary"]["files"] == 1
        code, report = _lint_json("sock.json")
        assert code == 1
        (problem,) = report["problems"]
        assert (problem["file"], problem["line"], problem["column"]) == ("sock.json", 1, 1)
        assert problem["code"] == "unreadable_file"
        assert problem["message"] == "cannot read sock.json: a socket, not a regular file"
    finally:
        server.close()


def test_a_symbolic_link_to_a_fifo_is_skipped_too(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link.json").symlink_to(tmp_path / "pipe")
    process = capspec("lint", "--format", "json", str(tmp_path))
    assert json.loads(process.stdout)["summary"]["skipped"] == 1


def _lint_json(*args: str, stdin: str | bytes | None = None):
    result = run("lint", "--format", "json", *args, stdin=stdin)
    return result.exit_code, json.loads(result.stdout)


# --- size limits ----------------------------------------------------------------------------


def _sparse(path: Path, head: bytes, hole: int, tail: bytes) -> Path:
    """head, then ``hole`` NUL bytes that take no disk and no time to write, then tail."""
    with path.open("wb") as handle:
        handle.write(head)
        handle.seek(len(head) + hole)
        handle.write(tail)
    return path


def test_a_file_over_the_limit_is_refused_from_its_size_without_reading_it(tmp_path):
    big = _sparse(tmp_path / "big.json", b"[", 4 << 30, b"]")  # 4 GiB, on disk: nothing
    tracemalloc.start()
    try:
        items = list(read(Source(str(big), big, "json")))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20
    (problem,) = items
    assert (problem.code, problem.line, problem.column) == ("too_large", 1, 1)
    assert problem.message == "the file is over the size limit of 64 MiB, so it was not read"
    assert "--max-size" in problem.hint


def test_the_limit_is_an_option_and_an_environment_variable(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("model: black-forest-labs/FLUX.2-pro\nprompt: " + "a" * 2000 + "\n")
    assert run("lint", str(path)).exit_code == 0
    small = run("lint", "--max-size", "1KiB", str(path))
    assert small.exit_code == 1
    assert "too_large the file is over the size limit of 1 KiB" in small.stdout
    from_env = run("lint", str(path), env={"CAPSPEC_MAX_SIZE": "1000"})
    assert "over the size limit of 1,000 bytes" in from_env.stdout
    assert run("lint", "--max-size", "3KB", str(path)).exit_code == 0
    normalized = run("normalize", "--max-size", "1K", str(path))
    assert normalized.exit_code == 1
    assert "too_large" in normalized.stderr


@pytest.mark.parametrize("text", ["", "12x", "-1", "0", "1.5M", "M"])
def test_a_size_that_is_not_one_is_a_usage_error(text):
    result = run("lint", "--max-size", text, "-", stdin=GOOD)
    assert result.exit_code == 2
    assert "--max-size" in result.stderr


def test_sizes_read_and_written():
    assert parse_size("65536") == 65536
    assert parse_size("64MiB") == parse_size("64M") == parse_size("64 mib") == 64 << 20
    assert parse_size("64MB") == 64_000_000
    assert parse_size("1k") == 1024
    assert format_size(DEFAULT_MAX_SIZE) == "64 MiB"
    assert format_size(1536) == "1,536 bytes"
    assert format_size(3 << 30) == "3 GiB"
    assert format_size(1) == "1 byte"
    with pytest.raises(ValueError, match="not a size"):
        parse_size("9" * 40)


def test_a_long_jsonl_line_is_a_problem_of_that_line_read_in_bounded_memory(tmp_path):
    # 48 MB in the middle and at the very end (no newline), the limit lowered to 1 MiB.
    path = _sparse(
        tmp_path / "batch.jsonl",
        (GOOD + "\n{").encode(),
        48_000_000,
        ("\n" + BAD + "\n" + '{"prompt": "').encode() + b"a" * (2 << 20),
    )
    tracemalloc.start()
    try:
        items = list(read(Source(str(path), path, "jsonl"), max_size=1 << 20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20  # the 1 MiB piece read to find out, and the piece being skipped
    assert [(i.document, type(i).__name__, getattr(i, "code", None)) for i in items] == [
        (0, "Request", None),
        (1, "Broken", "too_large"),
        (2, "Request", None),
        (3, "Broken", "too_large"),
    ]
    assert items[1].message == "line 2 is over the size limit of 1 MiB, so it was skipped"
    assert (items[1].line, items[3].line) == (2, 4)
    result = run("lint", "--max-size", "1MiB", str(path))
    assert result.exit_code == 1
    assert [line.split(" ")[0] for line in result.stdout.splitlines()[:-1]] == [
        f"{path}:2:1:",
        f"{path}:3:58:",  # reading went on at the next line, and counts lines right
        f"{path}:4:1:",
    ]


def test_a_line_just_at_the_limit_is_read(tmp_path):
    line = GOOD.encode()
    path = tmp_path / "r.jsonl"
    path.write_bytes(line + b"\n" + line)
    items = list(read(Source(str(path), path, "jsonl"), max_size=len(line)))
    assert [type(i).__name__ for i in items] == ["Request", "Request"]
    items = list(read(Source(str(path), path, "jsonl"), max_size=len(line) - 1))
    assert [getattr(i, "code", None) for i in items] == ["too_large", "too_large"]


def test_standard_input_is_read_bounded_too():
    big = '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "' + "a" * 5000 + '"}'
    code, report = _lint_json("--max-size", "1KiB", "-", stdin=big)
    assert code == 1
    assert [(p["code"], p["message"]) for p in report["problems"]] == [
        ("too_large", "standard input is over the size limit of 1 KiB, so it was not read")
    ]
    lines = GOOD + "\n" + big + "\n" + BAD + "\n"
    code, report = _lint_json("--max-size", "1KiB", "-", stdin=lines)
    assert [(p["line"], p["code"]) for p in report["problems"]] == [
        (2, "too_large"),
        (3, "unsupported_parameter"),
    ]


def test_a_file_that_grows_or_reports_no_size_is_read_only_up_to_the_limit():
    data = io.BytesIO(b"x" * 100)
    assert len(read_upto(data, 10, expected=0)) == 11  # /proc files report size 0
    assert read_upto(io.BytesIO(b"abc"), 10, expected=3) == b"abc"
    assert len(read_upto(io.BytesIO(b"x" * 50), 10, expected=5)) == 11  # grew after stat


# --- the same file twice -----------------------------------------------------------------------


def test_a_file_named_twice_is_linted_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("request.json").write_text(BAD)
    Path("sub").mkdir()
    Path("sub/link.json").symlink_to(tmp_path / "request.json")
    code, report = _lint_json("request.json", "./request.json", str(tmp_path / "request.json"))
    assert code == 1
    assert report["summary"]["files"] == 1
    assert [p["file"] for p in report["problems"]] == ["request.json"]
    # Directly and through a directory (and a link in it): still once.
    code, report = _lint_json("request.json", ".", "sub/link.json")
    assert report["summary"]["files"] == 1
    assert len(report["problems"]) == 1
    text = run("lint", "request.json", "./request.json").stdout
    assert text.count(" unsupported_parameter ") == 1
    assert text.endswith("(1 file)\n")


def test_sources_come_sorted_by_name_whatever_the_order_given(tmp_path):
    for name in ("b.json", "a.json", "c.jsonl"):
        (tmp_path / name).write_text(BAD + "\n")
    given = [str(tmp_path / "c.jsonl"), str(tmp_path / "b.json"), str(tmp_path / "a.json")]
    names = [Path(s.name).name for s in collect(given).sources]
    assert names == ["a.json", "b.json", "c.jsonl"]
    result = run("lint", *given)
    assert [Path(line.split(":")[0]).name for line in result.stdout.splitlines()[:-1]] == names


def test_a_path_that_cannot_be_read_is_reported_once_even_when_reached_twice(tmp_path):
    (tmp_path / "loop1.json").symlink_to("loop2.json")
    (tmp_path / "loop2.json").symlink_to("loop1.json")
    (tmp_path / "gone.json").symlink_to("nowhere.json")
    code, report = _lint_json(str(tmp_path), str(tmp_path / "loop1.json"))
    assert code == 1
    assert report["summary"]["files"] == 3
    messages = {Path(p["file"]).name: p["message"] for p in report["problems"]}
    assert len(report["problems"]) == 3
    assert messages["loop1.json"].endswith(": too many levels of symbolic links")
    assert messages["gone.json"].endswith(": a broken symbolic link")


def test_normalize_write_skips_a_fifo_in_a_directory_and_says_so(tmp_path):
    (tmp_path / "r.json").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.jsonl")
    process = capspec("normalize", "--write", str(tmp_path))
    assert process.returncode == 0, process.stderr
    assert process.stderr == (
        f"capspec: rewrote {tmp_path / 'r.json'}\n"
        "capspec: 1 file rewritten, 0 files left unchanged, 1 skipped: not a regular file\n"
    )
    assert json.loads((tmp_path / "r.json").read_text())["n"] == 1

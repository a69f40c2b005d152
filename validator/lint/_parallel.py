"""Linting across processes: ``capspec lint --jobs N``.

The report is the same, byte for byte, as one process's: findings come back in
file order, counted the same way. The work is cut into tasks:

* a big JSONL file into byte ranges. A task reads the lines that *start* in its
  range (it seeks, skips to the end of the line it landed in, and reads on past
  its end only to finish its last line), numbering lines and requests from its
  own start; the parent, which gets the results in order, knows how many lines
  and requests came before and shifts them;
* other files (and small JSONL files) into batches of whole files.

At most a few tasks per process are in flight, and each task's findings are
bounded by its size, so memory stays flat however big the input: nothing is read
whole and no result is held past its turn. Small inputs are linted in this
process: a pool is started only when there is enough work to repay it.

Workers are forked (they inherit the spec and the linter's settings, nothing is
pickled but sources and findings); where ``fork`` is not available, everything
runs in this process. Workers ignore Ctrl-C, which the parent answers by stopping
them; a worker that dies ends the run with ``WorkerError``.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
from collections import deque
from typing import IO, TYPE_CHECKING, Any, Final

from validator._tuples import NamedTuple
from validator.files._decode import Broken
from validator.files._payloads import read, read_jsonl, too_large
from validator.files._sources import open_regular

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable, Iterator
    from concurrent.futures import Executor, Future

    from validator.files._payloads import Item
    from validator.files._sources import Source
    from validator.lint._linter import Linter
    from validator.render._report import Finding

#: The most bytes of a JSONL file one task starts lines in.
CHUNK: Final = 2 << 20
#: The least: smaller ranges cost more in hand-over than they save.
MIN_CHUNK: Final = 256 << 10
#: Below this much work in all, a pool would cost more than it saves (tens of ms
#: to start): bytes to read, and ``PER_FILE`` for each file (opening, the request
#: rule), about 100 ms in one process.
SMALL: Final = 1 << 20
PER_FILE: Final = 1 << 10
#: Whole files are handed out in batches of at most this many files, or bytes.
BATCH_FILES: Final = 64
BATCH_BYTES: Final = 1 << 20
#: Tasks in flight per process: enough to keep each busy, few enough to keep memory flat.
AHEAD: Final = 3
#: Seconds between a worker's checks that its parent is alive.
ORPHAN_CHECK: Final = 0.5
_SKIP: Final = 1 << 16


class WorkerError(RuntimeError):
    """A worker process ended before handing back its result (killed, out of memory)."""


def cpu_count() -> int:
    """The processors this process may run on (``--jobs 0`` or ``auto``)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked here (not on Windows)."""
    import multiprocessing  # noqa: PLC0415 - start-up: only with --jobs above 1

    return "fork" in multiprocessing.get_all_start_methods()


class _Counts(NamedTuple):
    """What a task adds to the linter's counts."""

    files: int
    not_requests: int
    requests: int
    errors: int
    warnings: int


_FIELDS: Final = _Counts._fields


def _snapshot(linter: Linter) -> _Counts:
    return _Counts(*(getattr(linter, field) for field in _FIELDS))


def _add(linter: Linter, counts: _Counts) -> None:
    for field, value in zip(_FIELDS, counts, strict=True):
        setattr(linter, field, getattr(linter, field) + value)


# --- in the workers ----------------------------------------------------------------------

#: The linter the workers use: set in the parent before the pool forks them.
_LINTER: Linter | None = None


def _worker_init(parent: int) -> None:
    import signal  # noqa: PLC0415 - start-up: only with --jobs above 1

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to answer
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    import threading  # noqa: PLC0415

    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()


def _orphaned(parent: int) -> None:
    """End this worker once its parent is gone (killed), rather than wait for work forever.

    ``parent`` is the pid the parent had before forking: one killed before this
    worker started is noticed too.
    """
    import time  # noqa: PLC0415

    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    os._exit(1)


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C back while workers are forked; it is raised as soon as they are.

    A KeyboardInterrupt raised inside ``fork``'s handlers is printed and lost, and
    the run would go on.
    """
    import signal  # noqa: PLC0415 - start-up: only with --jobs above 1

    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _linter() -> Linter:
    assert _LINTER is not None, "workers are forked after _LINTER is set"
    return _LINTER


def _lint_files(sources: list[Source]) -> list[tuple[list[Finding], _Counts]]:
    """Whole files, one after another: each one's findings and counts."""
    linter = _linter()
    out = []
    for source in sources:
        before = _snapshot(linter)
        findings = list(linter.lint(source))
        after = _snapshot(linter)
        out.append((findings, _Counts(*(a - b for a, b in zip(after, before, strict=True)))))
    return out


class _Range:
    """``readline`` over the lines of a file that start in ``[start, end)``.

    After ``start`` > 0 a blank line comes first, so the reader numbers the file's
    lines from 2 and never takes the first for the file's first (which may begin
    with a byte-order mark).
    """

    __slots__ = ("_end", "_handle", "_pos", "_prefix", "complete", "fresh")

    def __init__(self, handle: IO[bytes], start: int, end: int | None) -> None:
        self._handle = handle
        self._end = end
        self._pos = start
        self._prefix = b""
        self.complete = 0  # lines read to their newline
        self.fresh = True  # the last piece read ended a line (or nothing was read)
        if start:
            self._prefix = b"\n"
            handle.seek(start - 1)
            self._pos = start - 1
            while True:  # the line that ends at or after ``start`` belongs to the range before
                piece = handle.readline(_SKIP)
                self._pos += len(piece)
                if not piece or piece[-1:] == b"\n":
                    break

    @property
    def lines(self) -> int:
        """The lines of the file the range held: a last one without newline counts."""
        return self.complete + (not self.fresh)

    def readline(self, size: int = -1, /) -> bytes:
        if self._prefix:
            out, self._prefix = self._prefix, b""
            return out
        if self.fresh and self._end is not None and self._pos >= self._end:
            return b""
        raw = self._handle.readline(size)
        self._pos += len(raw)
        if raw[-1:] == b"\n":
            self.complete += 1
            self.fresh = True
        elif raw:
            self.fresh = False
        return raw


class _Chunk(NamedTuple):
    """What a range of a JSONL file gave: findings numbered from the range's start."""

    findings: list[Finding]
    counts: _Counts
    documents: int  # requests (and broken lines) in the range
    lines: int  # lines of the file in the range
    error: str | None = None  # the file could not be opened


def _lint_chunk(source: Source, start: int, end: int | None) -> _Chunk:
    """The lines of one JSONL file that start in ``[start, end)``."""
    linter = _linter()
    assert source.path is not None
    try:
        handle = open_regular(source.path)
    except OSError as exc:
        return _Chunk([], _Counts(0, 0, 0, 0, 0), 0, 0, str(exc))
    with handle:
        reader = _Range(handle, start, end)
        documents = [0]

        def counted(items: Iterator[Item]) -> Iterator[Item]:
            for item in items:
                if type(item) is Broken and item.code == "empty_file":
                    continue  # the file's, not the range's: the parent judges
                documents[0] = item.document + 1  # type: ignore[operator]
                yield item

        items = counted(read_jsonl(reader, max_line=linter.max_size))
        before = _snapshot(linter)
        findings = list(linter._lint(source, items, _codes(linter, source)))  # noqa: SLF001
        after = _snapshot(linter)
    counts = _Counts(*(a - b for a, b in zip(after, before, strict=True)))
    return _Chunk(findings, counts, documents[0], reader.lines)


def _codes(linter: Linter, source: Source) -> frozenset[str] | None:
    """The codes reported for ``source`` (None: every code), as ``Linter.lint`` has them."""
    if linter.rules is None:
        return None
    from validator.files._ignore import absolute  # noqa: PLC0415

    return linter.rules.for_file(None if source.path is None else absolute(source.path))


# --- the plan ------------------------------------------------------------------------------


class _File:
    """A JSONL file cut into ranges: how far the parent has got through it."""

    __slots__ = ("documents", "failed", "lines", "source")

    def __init__(self, source: Source) -> None:
        self.source = source
        self.lines = 0
        self.documents = 0
        self.failed = False


class _Task(NamedTuple):
    kind: str  # "local" (in this process), "skip" (holds no request), "files", "chunk"
    sources: list[Source]
    file: _File | None = None
    start: int = 0
    end: int | None = None  # None: to the end of the file

    @property
    def last(self) -> bool:
        return self.end is None


def _size(source: Source) -> int | None:
    """The size of a regular file; None for standard input or what cannot be read."""
    if source.path is None or source.error is not None:
        return None
    try:
        info = os.stat(source.path)  # noqa: PTH116 - Source.path is a str (files/_paths.py)
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _holds_requests(linter: Linter, source: Source) -> bool:
    """Whether a file found in a walk holds requests, judged as ``Linter.lint`` judges it."""
    from validator.lint._documents import request_names, requests_in  # noqa: PLC0415

    items = read(source, max_size=linter.max_size)  # closed when dropped: no more is read
    return requests_in(items, source, request_names(linter.spec)) is not None


def _plan(linter: Linter, sources: Iterable[Source], jobs: int) -> tuple[list[_Task], int]:
    """The tasks, in report order, and how much work they are (see ``SMALL``)."""
    tasks: list[_Task] = []
    batch: list[Source] = []
    batch_bytes = 0
    total = 0

    def flush() -> None:
        nonlocal batch, batch_bytes
        if batch:
            tasks.append(_Task("files", batch))
        batch, batch_bytes = [], 0

    for source in sources:
        size = _size(source)
        if source.path is None:
            flush()
            tasks.append(_Task("local", [source]))
            continue
        total += (size or 0) + PER_FILE
        if source.kind == "jsonl" and size is not None and size > 2 * MIN_CHUNK:
            flush()
            if source.sniff and not _holds_requests(linter, source):
                tasks.append(_Task("skip", [source]))
                continue
            chunk = max(MIN_CHUNK, min(CHUNK, size // (jobs * 4)))
            file = _File(source)
            starts = range(0, size, chunk)
            for start in starts:
                end = start + chunk if start + chunk < size else None
                tasks.append(_Task("chunk", [source], file, start, end))
            continue
        batch.append(source)
        batch_bytes += size or 0
        if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
            flush()
    flush()
    return tasks, total


# --- in the parent -------------------------------------------------------------------------


def lint_sources(
    linter: Linter, sources: list[Source], *, jobs: int = 1, stdin: IO[bytes] | None = None
) -> Generator[Finding, None, None]:
    """Every finding of every source, in order, as ``linter.lint`` gives them one by one.

    With ``jobs`` > 1 and enough to do, the work is shared by ``jobs`` worker
    processes; the findings and the linter's counts come out the same. Close the
    iterator (or exhaust it) to stop the workers.
    """
    if jobs > 1 and can_fork():
        tasks, total = _plan(linter, sources, jobs)
        workers = sum(task.kind in {"files", "chunk"} for task in tasks)
        if total >= SMALL and workers > 1:
            yield from _parallel(linter, tasks, min(jobs, workers), stdin)
            return
    for source in sources:
        yield from linter.lint(source, stdin=stdin)


def _parallel(
    linter: Linter, tasks: list[_Task], jobs: int, stdin: IO[bytes] | None
) -> Iterator[Finding]:
    import copy  # noqa: PLC0415
    from concurrent.futures.process import BrokenProcessPool  # noqa: PLC0415

    global _LINTER  # what the forked workers inherit
    _LINTER = copy.copy(linter)  # the workers' counts are handed back, added to the parent's
    pool = _executor(jobs)
    done = False
    try:
        pending: deque[tuple[_Task, Future[Any] | None]] = deque()
        todo = iter(tasks)
        window = jobs * AHEAD

        def top_up() -> None:
            while len(pending) < window:
                task = next(todo, None)
                if task is None:
                    return
                pending.append((task, _submit(pool, task)))

        with _ctrl_c_held():  # the workers are forked now: a Ctrl-C waits till after
            top_up()
        while pending:
            task, future = pending.popleft()
            top_up()
            if task.kind == "skip":
                linter.not_requests += 1
                continue
            if future is None:
                yield from linter.lint(task.sources[0], stdin=stdin)
                continue
            try:
                result = future.result()
            except BrokenProcessPool:
                raise WorkerError(
                    "a worker process ended unexpectedly (killed, or out of memory?)"
                ) from None
            if task.kind == "files":
                for findings, counts in result:
                    _add(linter, counts)
                    yield from findings
            else:
                yield from _merge(linter, task, result)
        done = True
    finally:
        _LINTER = None
        if done:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


def _executor(jobs: int) -> Executor:
    """A pool of ``jobs`` forked workers."""
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    for std in (sys.stdout, sys.stderr):
        # A buffer copied into the workers would be written again when they exit.
        with contextlib.suppress(Exception):
            std.flush()
    return ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


def _submit(pool: Executor, task: _Task) -> Future[Any] | None:
    if task.kind in {"local", "skip"}:
        return None
    if task.kind == "files":
        return pool.submit(_lint_files, task.sources)
    return pool.submit(_lint_chunk, task.sources[0], task.start, task.end)


def _merge(linter: Linter, task: _Task, chunk: _Chunk) -> Iterator[Finding]:
    """A range's findings, renumbered for where it sits in its file."""
    file = task.file
    assert file is not None
    source = file.source
    if file.failed:
        return
    if chunk.error is not None:
        # Opened by the parent's plan, gone by the time a worker came to it.
        file.failed = True
        message = f"cannot read {source.name}: {chunk.error}"
        broken = Broken("unreadable_file", message, 1, 1)
        if task.start == 0:
            linter.files += 1
        yield from linter._lint(source, iter([broken]), _codes(linter, source))  # noqa: SLF001
        return
    if task.start == 0:
        linter.files += 1
    _add(linter, chunk.counts)
    shift = file.lines - (1 if task.start else 0)  # the blank line a later range begins with
    documents = file.documents
    for finding in chunk.findings:
        line = finding.line + shift
        problem = finding.problem
        if problem.code == "too_large":
            problem = problem._replace(message=too_large(f"line {line}", linter.max_size).message)
        document = None if finding.document is None else finding.document + documents
        yield finding._replace(document=document, line=line, problem=problem)
    file.lines += chunk.lines
    file.documents += chunk.documents
    if task.last and not file.documents:
        items = read_jsonl(io.BytesIO(b""))  # the file's empty_file problem, as one process has it
        yield from linter._lint(source, items, _codes(linter, source))  # noqa: SLF001


def _stop(pool: Executor) -> None:
    """Stop the workers: Ctrl-C, a closed pipe, an error.

    Work not yet started is cancelled; a worker finishes the task it is on (a range
    of at most ``CHUNK`` bytes, or a batch of files) and exits. Terminating it
    instead could cut off a result half-written to the pool's pipe, and the pool's
    reader thread would wait for the rest of it for ever: a run that hangs after
    Ctrl-C (``tests/test_lint_jobs.py`` sends Ctrl-C while the workers are busy).
    """
    pool.shutdown(wait=True, cancel_futures=True)

"""What ``capspec lint`` does once its options are settled: filters, output, statistics."""

from __future__ import annotations

import io
from collections import Counter

from validator.cli._common import fail, pipe_closed, stdin_bytes, stream, use_color

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Generator
    from typing import IO, NoReturn

    from validator.files._files import AtomicWriter
    from validator.files._sources import Source
    from validator.lint._linter import Linter
    from validator.render._report import Finding, Summary


class report_to:  # noqa: N801 - used as a function: ``with report_to(output_file) as out``
    """Standard output, or a file written whole or not at all (exit 2 if it cannot be)."""

    def __init__(self, output_file: str | None) -> None:
        self.output_file = output_file
        self.writer: AtomicWriter | None = None

    def __enter__(self) -> IO[str]:
        if self.output_file is None:
            self.out = stream("stdout")
            return self.out
        from validator.files._files import AtomicWriter  # noqa: PLC0415

        try:
            self.writer = AtomicWriter(self.output_file)
        except OSError as exc:
            self.fail(exc)
        self.out = self.text = io.TextIOWrapper(
            self.writer.handle, encoding="utf-8", errors="backslashreplace", newline=""
        )
        return self.text

    def __exit__(self, kind: object, exc: BaseException | None, traceback: object) -> None:
        """Flush (and commit the file) after a report; abort the file after an exception."""
        writer = self.writer
        if writer is None:  # standard output
            if exc is None:
                try:
                    self.out.flush()
                except BrokenPipeError:
                    pipe_closed()
            elif isinstance(exc, BrokenPipeError):
                pipe_closed()
            return
        if exc is None:
            try:
                self.text.flush()
                self.text.detach()
                writer.commit()
            except OSError as error:
                writer.abort()
                self.fail(error)
            except BaseException:
                writer.abort()
                raise
            return
        writer.abort()
        if isinstance(exc, OSError):
            self.fail(exc)

    def fail(self, exc: OSError) -> NoReturn:
        fail(f"cannot write {self.output_file}: {(exc.strerror or str(exc)).lower()}")


def run(
    linter: Linter,
    sources: list[Source],
    out: IO[str],
    fmt: str,
    *,
    quiet: bool,
    statistics: bool,
    jobs: int = 1,
) -> Summary:
    """Lint every source (in ``jobs`` processes), report to ``out``; the summary."""
    from validator.render._report import REPORTERS, summary_line  # noqa: PLC0415

    reporter = REPORTERS[fmt](out, color=fmt == "text" and use_color(out), quiet=quiet)
    hide_warnings = quiet and not linter.warnings_as_errors and fmt in {"text", "github"}
    counts: Counter[tuple[str, str]] = Counter()
    lost: tuple[type[Exception], ...] = ()
    if jobs > 1:
        from validator.lint._parallel import WorkerError, lint_sources  # noqa: PLC0415

        findings = lint_sources(linter, sources, jobs=jobs, stdin=stdin_bytes())
        lost = (WorkerError,)
    else:  # lint_sources with one job, without importing lint._parallel (start-up)
        findings = _one_process(linter, sources, stdin_bytes())
    try:
        try:
            for finding in findings:
                if hide_warnings and finding.problem.severity == "warning":
                    continue
                if statistics:
                    counts[finding.problem.code, finding.problem.severity] += 1
                else:
                    reporter.report(finding)
        finally:
            findings.close()
    except lost as exc:
        fail(f"{exc}; the report is incomplete (run again, or with --jobs 1)")
    summary = linter.summary()
    if statistics:
        write_statistics(out, counts)
        if not quiet:
            out.write(summary_line(summary) + "\n")
    else:
        reporter.close(summary)
    return summary


def _one_process(
    linter: Linter, sources: list[Source], stdin: IO[bytes]
) -> Generator[Finding, None, None]:
    for source in sources:
        yield from linter.lint(source, stdin=stdin)


def write_statistics(out: IO[str], counts: Counter[tuple[str, str]]) -> None:
    """``  3  out_of_range  error  A number, length or item count is outside its bounds.``."""
    from validator._problem import CODES  # noqa: PLC0415

    if not counts:
        return
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    width = max(len(f"{n:,}") for n in counts.values())
    code_width = max(len(code) for code, _ in counts)
    for (code, severity), count in rows:
        out.write(f"{count:>{width},}  {code:<{code_width}}  {severity:<7}  {CODES[code]}\n")

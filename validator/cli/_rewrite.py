"""What ``capspec normalize`` and ``capspec migrate`` share: requests rewritten, file by file.

Each command gives a function from a request to its ``Normalized`` result; this
module prints the results, or rewrites, checks or diffs the files. A file is
rewritten only when a request differs in value from the one in the file;
formatting alone never triggers a rewrite, so a file already in form is left byte
for byte. JSONL keeps every line: an unchanged request, a blank line or a line that
cannot be rewritten stays as it was, so line numbers still match.
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from validator.cli._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    closed_pipe,
    filters,
    load_config_or_exit,
    load_spec_or_exit,
    stdin_bytes,
    stream,
    use_color,
)
from validator.files._diff import AlignedDiff, no_newline, same_value

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from validator._problem import Problem
    from validator.check._normalize import Normalized
    from validator.files._config import Config
    from validator.files._decode import Broken
    from validator.files._files import AtomicWriter
    from validator.files._payloads import Item, Request
    from validator.files._sources import Source
    from validator.files._yaml import Path
    from validator.render._report import Finding, Reporter
    from validator.spec._spec import Spec


def _dump_json(value: Any, *, indent: int | None) -> str | None:
    """JSON text of a value; None when it has no JSON form (a huge integer from YAML)."""
    import json  # noqa: PLC0415

    try:
        text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: only an escape can carry it
            text = json.dumps(value, indent=indent, ensure_ascii=True, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return None
    return text


def _ending(raw: bytes) -> bytes:
    if raw.endswith(b"\r\n"):
        return b"\r\n"
    return b"\n" if raw.endswith(b"\n") else b""


class _Counts:
    """Files rewritten (or due), left unchanged, or with errors."""

    def __init__(self) -> None:
        self.changed: list[str] = []
        self.unchanged = 0
        self.failed = 0


class Rewriter:
    """Rewrites one source after another: prints, rewrites, checks or diffs them.

    ``rewrite`` is the command's function of one request; ``done`` says what a
    rewritten request is (``normalized``, ``migrated``), for messages.
    """

    def __init__(
        self,
        rewrite: Callable[[Any], Normalized],
        problems: Reporter,
        *,
        out: IO[str],
        quiet: bool,
        max_size: int,
        write: bool = False,
        check: bool = False,
        diff: bool = False,
        done: str = "normalized",
    ) -> None:
        self.rewrite = rewrite
        self.done = done
        self.problems = problems
        self.out = out
        self.quiet = quiet
        self.max_size = max_size
        self.write = write
        self.check = check
        self.diff = diff
        self.files_mode = write or check or diff
        self.errors = 0
        self.warnings = 0
        self.skipped = 0  # directory entries that are not regular files, never opened
        self.not_requests = 0  # files found in a walk that hold no request, left alone
        self._names: frozenset[str] | None = None
        self.spec: Spec | None = None  # for the request-document rule (walked files)
        self.counts = _Counts()

    # --- problems -------------------------------------------------------------------------

    def emit(self, findings: list[Finding]) -> bool:
        """Report findings on standard error; True when one is an error."""
        error = False
        for finding in findings:
            if finding.problem.severity == "error":
                error = True
                self.errors += 1
            else:
                self.warnings += 1
                if self.quiet:
                    continue
            self.problems.report(finding)
        return error

    def note(self, text: str, *, always: bool = False) -> None:
        """A line about a file on standard error (hidden by --quiet unless ``always``)."""
        if always or not self.quiet:
            click.echo(f"capspec: {text}", err=True)

    def requests_of(
        self,
        source: Source,
        stdin: IO[bytes],
        passthrough: Callable[[bytes], object] | None,
        items: Iterator[Item | bytes] | None = None,
    ) -> Iterator[tuple[Request | Broken, Any, bool, Sequence[Problem]]]:
        """(item, rewritten value, has errors, problems) for each request; (broken, None, True, ()).

        ``items`` are the source's, already being read (:meth:`run`); the JSONL lines
        among them that hold no request go to ``passthrough``.
        """
        from validator.files._decode import Broken  # noqa: PLC0415
        from validator.files._payloads import read  # noqa: PLC0415
        from validator.lint._linter import broken_finding, locate  # noqa: PLC0415

        reading: Iterator[Item | bytes] = (
            read(source, stdin=stdin, max_size=self.max_size, passthrough=passthrough)
            if items is None
            else items
        )
        for item in reading:
            if isinstance(item, bytes):
                if passthrough is not None:
                    passthrough(item)
                continue
            if isinstance(item, Broken):
                self.emit([broken_finding(source.name, item)])
                yield item, None, True, ()
                continue
            result = self.rewrite(item.value)
            error = self.emit(locate(source.name, item, result.problems))
            value = result.request if type(item.value) is dict else item.value
            yield item, value, error, result.problems

    # --- one source -----------------------------------------------------------------------

    def run(self, source: Source, stdin: IO[bytes]) -> None:
        """Rewrite one source in the mode of the command.

        A file found in a walk is rewritten only when it holds requests
        (``validator.lint._documents``, the rule of ``capspec lint``); one that does not
        (package.json, a workflow) is counted and never opened for writing.

        A file is read once: a .json or YAML file whole, its bytes kept for the header
        and the diff; a walked JSONL file is read ahead until the rule is settled, and
        what was read ahead is rewritten from there.
        """
        from validator.files._payloads import parse, read_whole, read_with_lines  # noqa: PLC0415

        data: bytes | None = None
        items: Iterator[Item | bytes] | None = None
        if source.path is not None and source.kind != "jsonl":
            whole = read_whole(source, self.max_size)
            if isinstance(whole, bytes):
                data = whole
                items = parse(source.kind, whole)
            else:
                items = iter((whole,))
        elif source.sniff:
            items = read_with_lines(source, self.max_size)
        if source.sniff:
            assert items is not None
            items = self._requests_in(source, items, data)
            if items is None:
                self.not_requests += 1
                return
        if source.kind == "jsonl":
            self.lines(source, stdin, items)
        else:
            self.document(source, stdin, items, data)

    def _requests_in(
        self, source: Source, items: Iterator[Item | bytes], data: bytes | None
    ) -> Iterator[Item | bytes] | None:
        """All of a walked file's items if it holds requests, else None (the file closed)."""
        from validator.lint._documents import request_names, requests_in  # noqa: PLC0415

        if self._names is None:
            assert self.spec is not None, "a walk needs the spec for the request rule"
            self._names = request_names(self.spec)
        held = requests_in(items, source, self._names, data)
        if held is None:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        return held

    def _binary_out(self) -> Callable[[bytes], object]:
        """Write bytes to standard output, after any text already written to it."""
        out = self.out
        buffer = getattr(out, "buffer", None)
        if buffer is None:
            return lambda data: out.write(data.decode("utf-8", "surrogateescape"))
        out.flush()
        return buffer.write  # type: ignore[no-any-return]

    def lines(
        self, source: Source, stdin: IO[bytes], items: Iterator[Item | bytes] | None = None
    ) -> None:
        """JSONL, streamed: every line kept, changed requests replaced by their new form."""
        writer = None
        if self.write:
            writer = self._writer(source) if source.error is None else None
            if writer is None and source.error is None:
                return
        target: Callable[[bytes], object] | None
        if writer is not None:
            target = writer.write_bytes
        elif not self.files_mode:
            target = self._binary_out()
        else:
            target = None
        spool: IO[str] | None = None
        differ = None
        if self.diff:  # shown only if the file can be rewritten: known at its end
            import tempfile  # noqa: PLC0415

            spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed below
                max_size=1 << 20, mode="w+", encoding="utf-8", newline=""
            )
            differ = AlignedDiff(source.name, spool.write)
        failed = False
        changed = False

        def keep(raw: bytes) -> None:
            if target is not None:
                target(raw)
            if differ is not None:
                differ.same(raw)

        from validator.files._decode import Broken  # noqa: PLC0415

        try:
            for item, value, error, _ in self.requests_of(source, stdin, keep, items):
                failed = failed or error
                if isinstance(item, Broken):
                    continue  # its line went through ``keep`` as it was read
                raw: bytes = item.origin.raw  # type: ignore[attr-defined]
                if error or same_value(item.value, value):
                    keep(raw)
                    continue
                line = _dump_json(value, indent=None)
                if line is None:
                    failed = True
                    self.emit([self._unwritable(source)])
                    keep(raw)
                    continue
                new = line.encode("utf-8") + _ending(raw)
                changed = True
                if target is not None:
                    target(new)
                if differ is not None:
                    differ.changed(raw, new)
        except OSError as exc:
            if writer is None:
                raise
            writer.abort()
            self._write_failed(source, exc)
            return
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        if differ is not None and spool is not None:
            differ.close()
            if not failed:
                import shutil  # noqa: PLC0415

                spool.seek(0)
                shutil.copyfileobj(spool, self.out)
            spool.close()
        self._finish(source, failed=failed, changed=changed, writer=writer)

    def document(
        self,
        source: Source,
        stdin: IO[bytes],
        items: Iterator[Item | bytes] | None = None,
        data: bytes | None = None,
    ) -> None:
        """JSON or YAML (or standard input): the whole file, in its shape.

        ``data`` is the file's bytes, as read for ``items``.
        """
        from validator.files._comments import renamed  # noqa: PLC0415
        from validator.files._decode import Broken  # noqa: PLC0415

        groups: dict[int, Any] = {}
        before: dict[int, Any] = {}
        renames: dict[int, dict[Path, Path]] = {}  # for the comments of renamed keys
        failed = False
        # JSONL on standard input is printed line by line as it is read.
        passthrough = None if self.files_mode else self._binary_out()
        for item, value, error, problems in self.requests_of(source, stdin, passthrough, items):
            failed = failed or error
            if isinstance(item, Broken):
                continue
            origin = item.origin
            if origin.kind == "jsonl":  # standard input: print mode only
                assert passthrough is not None
                line = None if error else _dump_json(value, indent=None)
                raw: bytes = origin.raw  # type: ignore[attr-defined]
                if line is None or same_value(item.value, value):
                    passthrough(raw)
                else:
                    passthrough(line.encode("utf-8") + _ending(raw))
                continue
            for old, new in renamed(item.value, value, problems).items():
                at = renames.setdefault(origin.group, {})
                at[(*origin.prefix, old)] = (*origin.prefix, new)
            if origin.prefix:
                groups.setdefault(origin.group, []).append(value)
                before.setdefault(origin.group, []).append(item.value)
            else:
                groups[origin.group] = value
                before[origin.group] = item.value
        if not groups:
            if self.files_mode:
                self._finish(source, failed=True, changed=False)
            return
        if not self.files_mode:
            shown = self.as_json(source, groups)
            if shown is None:
                self.emit([self._unwritable(source)])
            else:
                self.out.write(shown + "\n")
            return
        if failed or same_value(before, groups):
            self._finish(source, failed=failed, changed=False)
            return
        current = "" if data is None else data.decode("utf-8-sig", "replace")
        text = self.as_text(source, groups, current, renames)
        if text is None:
            self.emit([self._unwritable(source)])
            self._finish(source, failed=True, changed=False)
            return
        if self.diff:
            self._diff(source, current, text)
        if self.write and not self._replace(source, text):
            return
        self._finish(source, failed=False, changed=True)

    # --- rendering --------------------------------------------------------------------------

    def as_json(self, source: Source, groups: dict[int, Any]) -> str | None:
        """JSON output: one object, an array; YAML's documents as one array of requests."""
        if len(groups) == 1 or source.kind == "json":
            return _dump_json(next(iter(groups.values())), indent=2)
        flat: list[Any] = []
        for value in groups.values():
            if isinstance(value, list):
                flat.extend(value)
            else:
                flat.append(value)
        return _dump_json(flat, indent=2)

    def as_text(
        self,
        source: Source,
        groups: dict[int, Any],
        current: str,
        renames: dict[int, dict[Path, Path]] | None = None,
    ) -> str | None:
        """The new content of a file: JSON for .json, YAML in its shape for YAML.

        ``current`` is the file's text now: a YAML file keeps its comments
        (``validator.files._comments``).
        """
        if source.kind != "yaml":
            shown = _dump_json(groups.get(0), indent=2)
            return None if shown is None else shown + "\n"
        import yaml  # noqa: PLC0415

        from validator.files._comments import dump  # noqa: PLC0415

        try:
            return dump(groups, current, renames)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError):
            return None

    def _diff(self, source: Source, old: str, text: str) -> None:
        import difflib  # noqa: PLC0415

        lines = difflib.unified_diff(
            old.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=source.name,
            tofile=source.name,
        )
        self.out.write("".join(no_newline(lines)))

    # --- writing ----------------------------------------------------------------------------

    def _finish(
        self, source: Source, *, failed: bool, changed: bool, writer: AtomicWriter | None = None
    ) -> None:
        """Commit or drop a rewrite, and say what became of the file."""
        if not self.files_mode:
            return
        if failed:
            if writer is not None:
                writer.abort()
            self.counts.failed += 1
            self.note(f"{source.name} not rewritten: errors remain", always=True)
            return
        if not changed:
            if writer is not None:
                writer.abort()
            self.counts.unchanged += 1
            return
        if writer is not None and not self._commit(source, writer):
            return
        self.counts.changed.append(source.name)
        if self.write:
            self.note(f"rewrote {source.name}")
        else:
            self.note(f"would rewrite {source.name}", always=True)

    def _writer(self, source: Source) -> AtomicWriter | None:
        """A writer beside the file, or None (reported) when the directory is not writable."""
        from validator.files._files import AtomicWriter  # noqa: PLC0415

        assert source.path is not None
        try:
            return AtomicWriter(source.path)
        except OSError as exc:
            self._write_failed(source, exc)
            return None

    def _commit(self, source: Source, writer: AtomicWriter) -> bool:
        try:
            writer.commit()
        except OSError as exc:  # the original is intact: commit renames only a complete file
            self._write_failed(source, exc)
            return False
        return True

    def _replace(self, source: Source, text: str) -> bool:
        writer = self._writer(source)
        if writer is None:
            return False
        try:
            writer.write(text)
        except OSError as exc:
            writer.abort()
            self._write_failed(source, exc)
            return False
        except BaseException:
            writer.abort()
            raise
        return self._commit(source, writer)

    def _write_failed(self, source: Source, exc: OSError) -> None:
        from validator._problem import Problem  # noqa: PLC0415
        from validator.render._report import Finding  # noqa: PLC0415

        why = (exc.strerror or str(exc)).lower()
        problem = Problem(
            "unreadable_file", "error", None, "$", f"cannot rewrite {source.name}: {why}"
        )
        self.emit([Finding(source.name, None, 1, 1, problem, None)])
        self.counts.failed += 1
        self.note(f"{source.name} not rewritten: it is unchanged", always=True)

    def _unwritable(self, source: Source) -> Finding:
        from validator._problem import Problem  # noqa: PLC0415
        from validator.render._report import Finding  # noqa: PLC0415

        problem = Problem(
            "invalid_value",
            "error",
            None,
            "$",
            f"the {self.done} request has no JSON form (a number too large, NaN or infinity)",
        )
        return Finding(source.name, None, 1, 1, problem, None)

    def summary(self) -> str | None:
        """What --write, --check or --diff did, in one line; None otherwise."""
        if not self.files_mode:
            return None
        counts = self.counts

        def count(number: int, what: str) -> str:
            return f"{number:,} file{'' if number == 1 else 's'} {what}"

        done = "rewritten" if self.write else "would be rewritten"
        left = "left unchanged" if self.write else f"already {self.done}"
        parts = [count(len(counts.changed), done), count(counts.unchanged, left)]
        if counts.failed:
            parts.append(count(counts.failed, "with errors"))
        if self.not_requests:
            parts.append(f"{self.not_requests:,} skipped: no requests")
        if self.skipped:
            parts.append(f"{self.skipped:,} skipped: not a regular file")
        return ", ".join(parts)


def run(
    paths: tuple[str, ...],
    rewrite_for: Callable[[Spec, Config], Callable[[Any], Normalized]],
    *,
    command: str,
    done: str,
    write: bool,
    check: bool,
    diff: bool,
    spec_path: str | None,
    quiet: bool,
    max_size: int,
    config_path: str | None,
    isolated: bool,
) -> NoReturn:
    """Run a rewriting command: usage checks, the spec, every source, the exit code.

    ``rewrite_for`` turns the loaded spec and the configuration into the function of
    one request; it may raise ``click.UsageError`` (an option the spec cannot honour:
    exit 2). The configuration (``capspec.toml`` or ``[tool.capspec]``, as ``capspec
    lint`` finds it) gives the spec, the walk's include and exclude, and ``.gitignore``
    is honoured, so a rewriting command walks a folder as lint does.
    """
    from validator.files._sources import collect  # noqa: PLC0415
    from validator.render._report import TextReporter  # noqa: PLC0415

    if write and (check or diff):
        raise click.UsageError("--check and --diff write nothing; use them without --write")
    files_mode = write or check or diff
    if files_mode and any(p == "-" for p in paths):
        flag = "--write" if write else "--check" if check else "--diff"
        raise click.UsageError(f"{flag} works on files; standard input (-) is not a file")
    config = load_config_or_exit(config_path, isolated=isolated)
    collected = collect(paths, filters(config, force_exclude=False))
    sources = collected.sources
    if not files_mode and (len(paths) != 1 or len(sources) > 1):
        raise click.UsageError(
            f"without --write, --check or --diff, {command} takes one file (or -); "
            "use --write for several"
        )
    spec = load_spec_or_exit(spec_path or config.spec)
    rewrite = rewrite_for(spec, config)
    err = stream("stderr")
    out = stream("stdout")
    runner = Rewriter(
        rewrite,
        TextReporter(err, color=use_color(err)),
        out=out,
        quiet=quiet,
        max_size=max_size,
        write=write,
        check=check,
        diff=diff,
        done=done,
    )
    runner.skipped = collected.skipped
    runner.spec = spec
    stdin = stdin_bytes()
    with closed_pipe():
        for source in sources:
            runner.run(source, stdin)
        out.flush()
        err.flush()
    summary = runner.summary()
    if summary is not None:
        runner.note(summary)
    due = (check or diff) and runner.counts.changed
    sys.exit(EXIT_PROBLEMS if runner.errors or due else EXIT_OK)

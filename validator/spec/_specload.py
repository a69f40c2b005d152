"""Load a capability spec: read, check and resolve it once, and cache the resolved form.

The cache (``CAPSPEC_CACHE_DIR``) holds, per spec content, ``spec-<sha256>.json``:
a line of JSON with the digest and a CRC-32 of the rest (a damaged entry is not
used), a line with the model ids and the length of each one's line, in order, and
the resolved spec but its models, then one line of JSON per model. A start reads
the file, parses the first two lines, and each model's line only when a request
names that model (``Spec`` builds models, parameters and sources when first used).

A start need not read and hash the spec to find its entry: ``stat-<dev>-<inode>.json``
maps the spec file's identity and status (device, inode, size, mtime and ctime in
nanoseconds, and its real path) to its digest. It is written only for a file last
changed more than ``_SETTLED`` seconds before it was read, so that a later change
always changes mtime or ctime (docs/decisions.md: why that key is sound).
"""

from __future__ import annotations

import json
import os
import time
from functools import partial

from validator._version import __version__
from validator.errors import SpecError, SpecIssue
from validator.files._paths import pure
from validator.spec import _resources
from validator.spec._spec import Lazy, Spec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

_CACHE_FORMAT: Final = 6
#: How long ago a spec file must have changed for its status to stand for its content:
#: more than any file system's timestamp granularity (FAT's is 2 s; ext4's a clock tick).
_SETTLED: Final = 3.0

_memo: dict[tuple[str, str], Spec] = {}
_code: str | None = None


def load_spec(path: str | os.PathLike[str] | None = None) -> Spec:
    """Load a capability spec: the bundled one by default.

    The resolved form is cached by content hash (see ``CAPSPEC_CACHE_DIR``), so a
    spec file is parsed and checked once, not on every start.

    Args:
        path: A capabilities.yaml file; None for the spec bundled with capspec.

    Returns:
        The checked, resolved spec.

    Raises:
        SpecError: the file cannot be read, is not valid YAML, or breaks the spec
            format or its semantic checks; ``issues`` locates each problem.
    """
    # Paths are strings here, spelled as pathlib spells them (a trailing slash dropped):
    # importing pathlib costs about a tenth of ``capspec lint FILE`` (docs/decisions.md).
    spec_path = pure(path) if path is not None else _resources.spec_file()
    shown = str(path) if path is not None else spec_path
    status = _status(spec_path)
    if status is not None:
        memo = _memo.get((shown, status))
        if memo is not None:
            return memo
        found = _stat_read(status)
        if found is not None:
            spec = _from_cache(found, shown)
            if spec is not None:
                return _remember(shown, status, spec)
    try:
        with open(spec_path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        reason = (
            "is a directory" if os.path.isdir(spec_path) else (exc.strerror or str(exc)).lower()
        )
        raise SpecError(shown, [SpecIssue(f"cannot read the spec: {reason}", 0, 0, "")]) from None
    from hashlib import sha256  # noqa: PLC0415 - 2 ms of OpenSSL start-up, only on a miss

    digest = sha256(raw + f"\0{__version__}\0{_CACHE_FORMAT}\0{_code_stamp()}".encode()).hexdigest()
    spec = _memo.get((shown, digest)) or _from_cache(digest, shown)
    if spec is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            issue = SpecIssue(f"not UTF-8 (byte {exc.start})", 1, 1, "")
            raise SpecError(shown, [issue]) from None
        resolved = resolve_text(text, shown)
        _cache_write(digest, resolved)
        spec = Spec.from_resolved(resolved, shown, digest)
    _remember(shown, digest, spec)
    if status is not None and _status(spec_path) == status:  # unchanged while it was read
        _stat_write(status, digest)
    return spec


def _remember(shown: str, key: str, spec: Spec) -> Spec:
    if len(_memo) > 16:
        _memo.clear()
    _memo[(shown, key)] = spec
    return spec


def _status(path: str | os.PathLike[str]) -> str | None:
    """The spec file's identity and status, or None when it changed too recently to trust.

    ``dev:ino:size:mtime_ns:ctime_ns:realpath``, with the capspec version and the
    cache format. None when the file cannot be stat'ed, or when it changed less
    than ``_SETTLED`` seconds ago: a change within one timestamp tick of the last
    could keep both times, so only the content hash can tell such a file apart.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    if max(st.st_mtime, st.st_ctime) > time.time() - _SETTLED:
        return None
    return (
        f"{st.st_dev:x}:{st.st_ino:x}:{st.st_size:x}:{st.st_mtime_ns:x}:{st.st_ctime_ns:x}"
        f":{__version__}:{_CACHE_FORMAT}:{_code_stamp()}:{os.path.realpath(path)}"
    )


def _code_stamp() -> str:
    """The identity of the code that resolves a spec: each file's size and mtime.

    The version alone does not tell two checkouts or two installs of one release
    apart (an editable install, a ``pip install git+...`` of another commit): with
    the same spec they would share an entry resolved by other code. Every file in
    ``validator/spec/`` and the YAML loader count; a file that cannot be stat'ed
    counts as ``-``.
    """
    global _code
    if _code is None:
        here = os.path.dirname(os.path.abspath(__file__))
        names = sorted(n for n in os.listdir(here) if n.endswith((".py", ".json")))
        paths = [os.path.join(here, n) for n in names]
        paths.append(os.path.join(os.path.dirname(here), "files", "_yaml.py"))
        parts = []
        for path in paths:
            try:
                st = os.stat(path)
            except OSError:
                parts.append("-")
                continue
            parts.append(f"{st.st_size:x}.{st.st_mtime_ns:x}")
        _code = "/".join(parts)
    return _code


def _cache_dir() -> str | None:
    if os.environ.get("CAPSPEC_NO_CACHE"):
        return None
    configured = os.environ.get("CAPSPEC_CACHE_DIR")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home.startswith("~"):  # no HOME and no passwd entry (a container's stray uid)
            return None  # no cache, as with CAPSPEC_NO_CACHE: slower, never a traceback
        base = os.path.join(home, ".cache")
    return os.path.join(base, "capspec")


def _stat_name(status: str) -> str:
    dev, ino = status.split(":", 2)[:2]
    return f"stat-{dev}-{ino}.json"


def _stat_read(status: str) -> str | None:
    """The digest recorded for a file with this status, or None."""
    folder = _cache_dir()
    if folder is None:
        return None
    try:
        with open(os.path.join(folder, _stat_name(status)), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("status") != status:
        return None
    digest = data.get("digest")
    return digest if isinstance(digest, str) else None


def _stat_write(status: str, digest: str) -> None:
    folder = _cache_dir()
    if folder is None:
        return
    import contextlib  # noqa: PLC0415 - only when writing the cache

    from validator.files._files import write_atomic  # noqa: PLC0415 - only when writing the cache

    with contextlib.suppress(OSError):
        os.makedirs(folder, exist_ok=True)
        entry = os.path.join(folder, _stat_name(status))
        write_atomic(entry, json.dumps({"status": status, "digest": digest}))


def _from_cache(digest: str, shown: str) -> Spec | None:
    """The spec cached under ``digest``, its models left as JSON until asked for; or None."""
    folder = _cache_dir()
    if folder is None:
        return None
    try:
        with open(os.path.join(folder, f"spec-{digest}.json"), "rb") as handle:
            data = handle.read()
        first = data.index(b"\n") + 1
        second = data.index(b"\n", first) + 1
        check, head = json.loads(data[:first]), json.loads(data[first:second])
    except (OSError, ValueError):
        return None
    if not isinstance(check, dict) or check.get("digest") != digest or not isinstance(head, dict):
        return None
    from zlib import crc32  # noqa: PLC0415

    if check.get("crc32") != crc32(memoryview(data)[first:]):
        return None
    resolved, models = head.get("resolved"), head.get("models")
    if not isinstance(resolved, dict) or not isinstance(models, list):
        return None
    spans, start = {}, second
    try:
        for model_id, length in models:
            spans[model_id] = (start, start + length)
            start += length + 1
    except (TypeError, ValueError):
        return None
    if start != len(data):
        return None
    resolved["models"] = Lazy(spans, partial(_json_line, data))
    return Spec.from_resolved(resolved, shown, digest)


def _json_line(data: bytes, _key: str, span: tuple[int, int]) -> Any:
    return json.loads(data[span[0] : span[1]])


def _cache_write(digest: str, resolved: dict[str, Any]) -> None:
    folder = _cache_dir()
    if folder is None:
        return
    import contextlib  # noqa: PLC0415 - only when writing the cache
    from zlib import crc32  # noqa: PLC0415

    from validator.files._files import write_atomic  # noqa: PLC0415 - only when writing the cache

    lines = {model_id: json.dumps(model) for model_id, model in resolved["models"].items()}
    head = {
        "models": [[model_id, len(line)] for model_id, line in lines.items()],
        "resolved": {k: v for k, v in resolved.items() if k != "models"},
    }
    rest = json.dumps(head) + "\n" + "".join(line + "\n" for line in lines.values())
    check = json.dumps({"digest": digest, "crc32": crc32(rest.encode())})
    with contextlib.suppress(OSError):
        os.makedirs(folder, exist_ok=True)
        write_atomic(os.path.join(folder, f"spec-{digest}.json"), check + "\n" + rest)


def resolve_text(text: str, shown: str) -> dict[str, Any]:
    """Parse, check and resolve spec text; raise SpecError listing every issue."""
    from validator.files._yaml import YamlError, load_one  # noqa: PLC0415
    from validator.spec._specresolve import Resolver  # noqa: PLC0415
    from validator.spec._specschema import schema_issues  # noqa: PLC0415 - not on cached starts

    try:
        doc = load_one(text, strict=True)
    except YamlError as exc:
        key = ".".join(str(p) for p in exc.path)
        raise SpecError(shown, [SpecIssue(exc.message, exc.line, exc.column, key)]) from None
    issues = schema_issues(doc)
    if issues:
        raise SpecError(shown, issues)
    resolver = Resolver(doc)
    resolved = resolver.resolve()
    if resolver.issues:
        unique = {(i.line, i.column, i.key, i.message): i for i in resolver.issues}
        raise SpecError(shown, sorted(unique.values(), key=lambda i: (i.line, i.column)))
    return resolved


_bundled: Spec | None = None


def bundled() -> Spec:
    """The spec shipped with capspec, loaded once per process."""
    global _bundled
    if _bundled is None:
        _bundled = load_spec()
    return _bundled

"""Load a capability spec: read, check and resolve it once, and cache the resolved form."""

import contextlib
import json
import os
from pathlib import Path
from typing import Any, Final

from validator._version import __version__
from validator.errors import SpecError, SpecIssue
from validator.spec import _resources
from validator.spec._spec import Spec

_CACHE_FORMAT: Final = 4

_memo: dict[tuple[str, str], Spec] = {}


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
    spec_path = Path(path) if path is not None else _resources.spec_path()
    shown = str(path) if path is not None else str(spec_path)
    try:
        raw = spec_path.read_bytes()
    except OSError as exc:
        reason = "is a directory" if spec_path.is_dir() else (exc.strerror or str(exc)).lower()
        raise SpecError(shown, [SpecIssue(f"cannot read the spec: {reason}", 0, 0, "")]) from None
    from hashlib import sha256  # noqa: PLC0415 - 2 ms of OpenSSL start-up, only when loading

    digest = sha256(raw + f"\0{__version__}\0{_CACHE_FORMAT}".encode()).hexdigest()
    memo = _memo.get((shown, digest))
    if memo is not None:
        return memo
    resolved = _cache_read(digest)
    if resolved is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            issue = SpecIssue(f"not UTF-8 (byte {exc.start})", 1, 1, "")
            raise SpecError(shown, [issue]) from None
        resolved = resolve_text(text, shown)
        _cache_write(digest, resolved)
    spec = Spec.from_resolved(resolved, shown, digest)
    if len(_memo) > 16:
        _memo.clear()
    _memo[(shown, digest)] = spec
    return spec


def _cache_dir() -> Path | None:
    if os.environ.get("CAPSPEC_NO_CACHE"):
        return None
    configured = os.environ.get("CAPSPEC_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "capspec"


def _cache_read(digest: str) -> dict[str, Any] | None:
    folder = _cache_dir()
    if folder is None:
        return None
    try:
        with (folder / f"spec-{digest}.json").open(encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("digest") != digest:
        return None
    resolved = data.get("resolved")
    return resolved if isinstance(resolved, dict) else None


def _cache_write(digest: str, resolved: dict[str, Any]) -> None:
    folder = _cache_dir()
    if folder is None:
        return
    from validator.files._files import write_atomic  # noqa: PLC0415 - only when writing the cache

    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        entry = json.dumps({"digest": digest, "resolved": resolved})
        write_atomic(folder / f"spec-{digest}.json", entry)


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

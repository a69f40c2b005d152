"""Lint one logged request at a time: JSON text, a map or a struct, into problem rows.

The Spark integration runs this on its executors; it needs no Spark itself. A
logged request gets the problems ``capspec lint`` reports for the same request
on a JSONL line: ``invalid_json`` when the text does not parse,
``duplicate_key`` for a key repeated within one object, then the request's own
(``validate``, or ``normalize`` under a policy). Text is read with the decoder
``capspec lint`` reads JSONL lines with, and a repeated key gets the linter's
own problem, so both say the same thing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from validator import Problem, Spec, load_spec, normalize, validate
from validator._version import __version__
from validator.files._decode import Broken, Decoder, PayloadError
from validator.lint._linter import duplicate_problem

#: The columns of a problem row, after the kept columns (all strings).
FIELDS: Final = ("code", "severity", "param", "path", "message", "hint", "model")
#: The fields that are never null.
REQUIRED: Final = frozenset({"code", "severity", "path", "message"})

ProblemRow = tuple[str, str, str | None, str, str, str | None, str | None]
Check = Callable[[Any], list[ProblemRow]]


class _Pairs(list[tuple[str, Any]]):
    """An object's members in order, kept to find the keys it repeats."""


def spec_key(text: bytes | None) -> str | None:
    """The cache key of a spec's content: None for the bundled spec."""
    if text is None:
        return None
    return hashlib.sha256(text + f"\0{__version__}".encode()).hexdigest()


_checks: dict[tuple[str | None, str], Check] = {}


def checker(text: bytes | None, policy: str) -> Check:
    """The check of one logged request, built once per process for a spec and policy.

    Args:
        text: The spec file's content, or None for the bundled spec.
        policy: ``"strict"``, ``"drop"`` or ``"fix"``.

    Returns:
        A function from one logged value to its problem rows.
    """
    key = (spec_key(text), policy)
    check = _checks.get(key)
    if check is None:
        check = _build(text, policy)
        _checks[key] = check
    return check


def _load(text: bytes | None) -> Spec:
    """Load a spec from its content: through a private file, as ``load_spec`` reads paths."""
    if text is None:
        return load_spec()
    handle, name = tempfile.mkstemp(prefix="capspec-spec-", suffix=".yaml")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text)
        return load_spec(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _build(text: bytes | None, policy: str) -> Check:
    spec = _load(text)
    decoder = Decoder()  # the decoder capspec lint reads JSONL lines with
    decode = decoder.decode

    if policy == "strict":

        def problems(value: Any) -> list[Problem]:
            return validate(value, spec=spec)

    else:

        def problems(value: Any) -> list[Problem]:
            return normalize(value, policy=policy, spec=spec).problems  # type: ignore[arg-type]

    def check(value: Any) -> list[ProblemRow]:
        found: list[Problem] = []
        if isinstance(value, str):
            decoder.repeats = 0
            try:
                request = decode(value)
            except PayloadError as exc:
                return [_broken(exc.broken)]
            if decoder.repeats:
                found.extend(duplicate_problem(path) for path in _repeated_keys(value))
        else:
            request = from_spark(value)
        found.extend(problems(request))
        model = _model_of(request)
        return [(p.code, p.severity, p.param, p.path, p.message, p.hint, model) for p in found]

    return check


def from_spark(value: Any) -> Any:
    """A map or struct value (as Arrow gives it, maps as dicts) as a request.

    A null member is an absent one: a struct has every field of its schema, null
    where the logged request had none.
    """
    if isinstance(value, dict):
        return {k: from_spark(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [from_spark(item) for item in value]
    return value


def is_request(value: Any) -> bool:
    """Whether a logged value holds a request: null and blank text are none (as blank lines)."""
    if value is None:
        return False
    return not (isinstance(value, str) and (not value or value.isspace()))


def _model_of(request: Any) -> str | None:
    if type(request) is dict:
        model = request.get("model")
        if type(model) is str:
            return model
    return None


def _broken(broken: Broken) -> ProblemRow:
    """A request that is not JSON, its position in the message (a row has no line)."""
    where = f"column {broken.column}"
    if broken.line != 1:
        where = f"line {broken.line}, {where}"
    return (broken.code, "error", None, "$", f"{broken.message} ({where})", broken.hint, None)


def _repeated_keys(text: str) -> list[tuple[Any, ...]]:
    """The path of every repeat of a key within one object, in text order."""
    tree = json.loads(text, object_pairs_hook=_Pairs)  # parsed once already: it is JSON
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(tree, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _Pairs):
            seen: set[str] = set()
            for key, _ in node:
                if key in seen:
                    found.append((*path, key))
                seen.add(key)
            stack.extend((value, (*path, key)) for key, value in reversed(node))
        elif isinstance(node, list):
            stack.extend((item, (*path, i)) for i, item in reversed(list(enumerate(node))))
    return found

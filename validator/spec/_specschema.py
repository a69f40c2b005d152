"""Check a spec document against its meta-schema (``capspec.schema.json``).

Each schema error becomes a located SpecIssue (file, line, column, key path) worded
for people: the most specific cause, "unknown key 'x'" instead of the echo of a failed
composition, types named in words. The checks of meaning come after
(``_speccheck``).
"""

import json
import re
from typing import TYPE_CHECKING, Any, Final

from validator._problem import describe, got
from validator.errors import SpecIssue
from validator.spec import _resources

if TYPE_CHECKING:
    from validator.files._yaml import Document


def _position(doc: "Document", path: tuple[Any, ...]) -> tuple[int, int]:
    """Where the key at ``path`` (or its nearest located ancestor) is written."""
    for end in range(len(path), 0, -1):
        found = doc.keys.get(path[:end]) or doc.values.get(path[:end])
        if found:
            return found
    return (doc.line, doc.column)


def issue(doc: "Document", path: tuple[Any, ...], message: str) -> SpecIssue:
    line, column = _position(doc, path)
    return SpecIssue(message, line, column, ".".join(str(p) for p in path))


def schema_issues(doc: "Document") -> list[SpecIssue]:
    import jsonschema  # noqa: PLC0415 - only when a spec is (re)checked, never on cached starts

    schema = json.loads(_resources.spec_schema_path().read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = [_deepest(e) for e in validator.iter_errors(doc.value)]
    issues: list[SpecIssue] = []
    for error in errors:
        path = tuple(error.absolute_path)
        if error.validator in {"additionalProperties", "unevaluatedProperties"}:
            # When a composed definition fails, its keys look "unevaluated" too:
            # report the real failure, not the echo.
            if any(o is not error and tuple(o.absolute_path)[: len(path)] == path for o in errors):
                continue
            issues.extend(
                issue(doc, (*path, key), f"unknown key {describe(key)}")
                for key in re.findall(r"'([^']*)'", error.message)
            )
            continue
        issues.append(issue(doc, path, _schema_message(error)))
    issues.sort(key=lambda i: (i.line, i.column))
    return issues


def _deepest(error: Any) -> Any:
    """The most specific cause of a schema error (jsonschema's own ranking)."""
    import jsonschema  # noqa: PLC0415

    while error.context:
        if error.validator == "anyOf" and all(c.validator == "required" for c in error.context):
            return error  # "one of these keys is required": say so, not the first of them
        error = jsonschema.exceptions.best_match(error.context)  # type: ignore[no-untyped-call]
    return error


_TYPE_NAMES: Final = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}
#: Longest message text taken from the schema validator as it is (a value it quotes is
#: the user's, and may be a whole file).
_MAX_MESSAGE: Final = 240


def article(kind: str) -> str:
    """``a string``, ``an integer``: a JSON type name with its article."""
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def _schema_message(error: Any) -> str:
    """A schema failure in capspec's words; the value is described, never repeated in full."""
    instance = error.instance
    kind = error.validator
    expected = error.validator_value
    if kind == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        if not error.absolute_path:
            return (
                "a capability spec is a mapping (capspec:, parameters:, models:, ...), "
                f"but this file holds {got(instance)}"
            )
        message = f"expected {want}, got {got(instance)}"
        if (
            "string" in names
            and isinstance(instance, int | float)
            and not isinstance(instance, bool)
        ):
            # The classic YAML 1.1 trap: 16:9 read as 969. The strict loader already
            # rejects such scalars; this catches the same mistake from JSON or !!int.
            message += "; quote the value if it is text"
        return message
    if kind == "enum":
        return f"{describe(instance)} is not one of {', '.join(describe(v) for v in expected)}"
    if kind == "const":
        return f"expected {describe(expected)}, got {got(instance)}"
    if kind == "pattern":
        return f"{describe(instance)} does not match the pattern {expected}"
    if kind == "anyOf" and error.context:
        # "one of these keys is required" (_deepest stops there): name them all.
        names = [repr(name) for c in error.context for name in c.validator_value]
        return f"one of {', '.join(names)} is required"
    if kind == "required":
        return str(error.message).replace(" is a required property", " is required")
    if kind in {"minProperties", "minItems"} and expected == 1:
        return "must not be empty"
    message = str(error.message)
    shown = repr(instance)
    if message.startswith(shown):  # jsonschema's messages open with the value's repr
        message = describe(instance) + message[len(shown) :]
    if len(message) > _MAX_MESSAGE:
        message = f"{message[:_MAX_MESSAGE]}... ({len(message):,} characters)"
    return message

"""The rule catalogue: for every problem code, what it means, an example, and the fix.

This is the one place the long text of each code lives. ``capspec rule CODE``
prints it, SARIF reports carry it as each rule's help, and a test fails when a
code in ``validator.CODES`` has no entry here (or an entry names no code). The
one-line meaning stays in ``validator._problem.CODES``.
"""

from __future__ import annotations

from typing import Final

from validator._problem import CODES, ERROR_CODES, FILE_CODES, WARNING_CODES
from validator._tuples import NamedTuple

#: The rule catalogue as a page (``docs/rules.md``, written by ``capspec docs``): one
#: section per code, each with its own anchor, for SARIF's ``helpUri``.
DOCS_URL: Final = "https://github.com/capspec/capspec/blob/main/docs/rules.md"


class Rule(NamedTuple):
    """One problem code explained."""

    explanation: str  # why it matters: what the API does with such a request
    example: str  # a request (or file) that has the problem
    fix: str  # what to do


RULES: Final[dict[str, Rule]] = {
    "unknown_model": Rule(
        "Nothing else can be checked. Ids are case-sensitive; Together answers 404 or "
        "400 for an id it does not serve.",
        '{"model": "black-forest-labs/flux.1-schnell", "prompt": "a cat"}',
        "Use an id from `capspec models`; the hint names the closest ids.",
    ),
    "missing_required": Rule(
        "The API refuses the request.",
        '{"model": "black-forest-labs/FLUX.2-pro"}',
        "Add the parameter (most models require prompt; Kling requires frame_images).",
    ),
    "unsupported_parameter": Rule(
        "The API refuses it (a 400), or it is undocumented for this model with no "
        "evidence that the API accepts it.",
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "negative_prompt": "x"}',
        "Remove it, or run with --policy drop (normalize drops it for you).",
    ),
    "unknown_parameter": Rule(
        "A typo, or a name from another image API (OpenAI's size, diffusers' num_inference_steps).",
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "widht": 1024}',
        "Use the name in the hint (width); names from other APIs such as size or "
        "num_inference_steps are repaired by --policy fix.",
    ),
    "invalid_type": Rule(
        "The API refuses it. 1024.0 counts as an integer, as in JSON Schema.",
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "seed": "42"}',
        'Send the type named in the message (42, not "42"); --policy fix converts numeric strings.',
    ),
    "out_of_range": Rule(
        "The API refuses the request. Bounds are per model: `capspec explain MODEL` lists them.",
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "n": 5}',
        "Use a value within the bounds the message gives.",
    ),
    "not_multiple_of": Rule(
        "The API refuses it.",
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "width": 1001}',
        "Use one of the nearest multiples the hint gives; --policy fix picks one.",
    ),
    "invalid_value": Rule(
        "The API refuses it. Enumerations are case-sensitive.",
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", '
        '"response_format": "b64_json"}',
        'Use one of the allowed values the message lists ("base64" here).',
    ),
    "conflicting_parameters": Rule(
        "Two parameters that cannot be sent together, or values that break a bound "
        "across parameters (a pixel area, an aspect ratio).",
        '{"model": "black-forest-labs/FLUX.2-dev", "prompt": "a cat", '
        '"guidance": 3, "guidance_scale": 3}',
        "Keep one of the parameters, or change the values to meet the bound.",
    ),
    "invalid_unicode": Rule(
        "Only Python callers can make one; the request body cannot be sent at all.",
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a\\ud800b"}',
        "Remove or replace the character at the index the message names.",
    ),
    "deprecated_model": Rule(
        "It works today; the date and the successor are in the message.",
        '{"model": "google/imagen-4.0-preview", "prompt": "a cat"}',
        "Move to the successor the message names, or to a model from "
        "`capspec models --status active`.",
    ),
    "retired_model": Rule(
        "The API may reject it.",
        '{"model": "black-forest-labs/FLUX.1-schnell-Free", "prompt": "a cat"}',
        "Move to a model from `capspec models --status active`.",
    ),
    "renamed_parameter": Rule(
        "The API still takes the old name today.",
        '{"model": "black-forest-labs/FLUX.2-dev", "prompt": "a cat", "guidance": 3}',
        "Use the current name the hint gives (guidance_scale).",
    ),
    "deprecated_parameter": Rule(
        "The API takes it today; its documentation moves it elsewhere (Kling's "
        "frame_images and reference_images into media).",
        '{"model": "kwaivgI/kling-1.6-standard", "prompt": "a cat", "frame_images": '
        '[{"input_image": "https://e.x/a.png", "frame": "first"}]}',
        "Use the replacement the hint names.",
    ),
    "ignored_parameter": Rule(
        "The API answers, but the value may be ignored.",
        '{"model": "black-forest-labs/FLUX.1-kontext-pro", "prompt": "a cat", "width": 1024}',
        "Remove it, or use the parameter the hint names (aspect_ratio); --policy drop removes it.",
    ),
    "not_recommended": Rule(
        "The API accepts it; results may suffer (the message cites the advice).",
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a cat", "width": 2000}',
        "Follow the advice in the message, or ignore the code (`ignore` in the "
        "configuration) if you know better.",
    ),
    "parameter_dropped": Rule(
        "Only under --policy drop or fix: the request sent no longer has it.",
        "capspec lint --policy drop, on a request with negative_prompt for FLUX.2 Pro",
        "Nothing to do for the request sent through normalize; remove the parameter "
        "from the source to silence it.",
    ),
    "value_changed": Rule(
        "Only under --policy fix: a habit from another API, or a value off its step, "
        "and what it became.",
        'capspec lint --policy fix, on {"size": "512x768", "seed": "42"}',
        "Write the repaired value into the source (capspec normalize --write).",
    ),
    "invalid_json": Rule(
        "Comments and trailing commas are not JSON.",
        '{"model": "black-forest-labs/FLUX.2-pro",}',
        "Fix the syntax at the line and column given.",
    ),
    "invalid_yaml": Rule(
        "capspec reads YAML 1.2 safely, with limits on aliases and nesting.",
        "model: [unclosed",
        "Fix the syntax at the line and column given.",
    ),
    "invalid_encoding": Rule(
        "The byte at the position given cannot be decoded.",
        "a file saved as Latin-1 with an é in its prompt",
        "Save the file as UTF-8.",
    ),
    "empty_file": Rule(
        "It is empty, or an empty array.",
        "[]",
        "Add a request, or delete the file.",
    ),
    "duplicate_key": Rule(
        "capspec checked the last value; another parser may send the first.",
        '{"model": "black-forest-labs/FLUX.2-pro", "prompt": "a", "prompt": "b"}',
        "Keep one of them.",
    ),
    "unreadable_file": Rule(
        "Missing, a directory named like a payload, not a regular file (a FIFO, a "
        "device), or no permission.",
        "capspec lint missing.json",
        "Name an existing regular file; pipe a stream in and give - as the path.",
    ),
    "too_large": Rule(
        "It was not read (a JSONL line: skipped, and reading goes on).",
        "capspec lint --max-size 1KiB big.json",
        "If it is meant to be this big, raise --max-size (or CAPSPEC_MAX_SIZE).",
    ),
}


def severity(code: str) -> str:
    """``error`` or ``warning``: what a problem of this code is."""
    return "warning" if code in WARNING_CODES else "error"


def kind(code: str) -> str:
    """``request`` (a problem of a request) or ``file`` (of the file holding it)."""
    return "file" if code in FILE_CODES else "request"


def help_text(code: str) -> str:
    """The rule in plain text: meaning, explanation, example, fix."""
    rule = RULES[code]
    return f"{CODES[code]}\n\n{rule.explanation}\n\nExample:\n  {rule.example}\n\nFix: {rule.fix}"


def help_markdown(code: str) -> str:
    """The rule in Markdown, for SARIF viewers."""
    rule = RULES[code]
    return (
        f"**{CODES[code]}**\n\n{rule.explanation}\n\nExample:\n\n```\n{rule.example}\n```\n\n"
        f"Fix: {rule.fix}"
    )


def rule_url(code: str) -> str:
    """Where a code is explained: its section of ``docs/rules.md``."""
    return f"{DOCS_URL}#{code}"


def render_page(marker: str) -> str:
    """``docs/rules.md``: every code, errors then warnings, request codes before file codes."""
    lines = [
        marker,
        "",
        "# Problem codes",
        "",
        (
            "Every problem capspec reports has one of these codes; codes are stable, message "
            "wording may improve. The same text: `capspec rule CODE`, and the help of each "
            "rule in SARIF output. Select or ignore codes with `--select`/`--ignore` or "
            "`[tool.capspec]`."
        ),
        "",
        "| Code | Severity | Of | Meaning |",
        "| --- | --- | --- | --- |",
    ]
    order = sorted(RULES, key=lambda c: (severity(c) == "warning", kind(c) == "file"))
    lines.extend(
        f"| [`{code}`](#{code}) | {severity(code)} | {kind(code)} | {CODES[code]} |"
        for code in order
    )
    for code in order:
        rule = RULES[code]
        lines += [
            "",
            f"## `{code}`",
            "",
            f"*{severity(code)}, of a {kind(code)}.* {CODES[code]}",
            "",
            rule.explanation,
            "",
            "Example:",
            "",
            "```",
            rule.example,
            "```",
            "",
            f"Fix: {rule.fix}",
        ]
    return "\n".join(lines) + "\n"


__all__ = [
    "DOCS_URL",
    "ERROR_CODES",
    "RULES",
    "Rule",
    "help_markdown",
    "help_text",
    "render_page",
    "rule_url",
]

"""Messages a person reads once: no nested parentheses, no "(s)", the hint fix would follow."""

from __future__ import annotations

import json

import pytest

import validator
from validator import load_spec
from validator.files._payloads import read_json

KONTEXT = "black-forest-labs/FLUX.1-kontext-pro"
VALUES = [None, True, -1, 0, 7, 1001, 10**6, 1.5, "x", "PNG", "16:9", [], [1], {"a": 1}]
SIZES = [(1001, 768), (1024, 768), (64, 2048), (4000, 4000), (512, 512)]


def _depth(text: str) -> int:
    """The deepest nesting of parentheses outside quotes."""
    depth = deepest = 0
    quote = None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def _requests():
    spec = load_spec()
    names = [*spec.parameters, "widht", "size", "guidance"]
    for model in spec.models:
        yield {"model": model}
        base = {"model": model, "prompt": "a cat"}
        for name in names:
            for value in VALUES:
                yield {**base, name: value}
        for width, height in SIZES:
            yield {**base, "width": width, "height": height}
    for model in ("black-forest-labs/flux.2-pro", "FLUX.2-pro", "nope", 7):
        yield {"model": model, "prompt": "x"}
    yield {"prompt": "x"}


def test_no_message_nests_parentheses_or_writes_s_in_parentheses():
    seen = set()
    for request in _requests():
        for policy in ("strict", "fix"):
            for problem in validator.normalize(request, policy=policy).problems:
                # As the text reporter prints it: message (hint: hint).
                text = (
                    f"{problem.message} (hint: {problem.hint})" if problem.hint else problem.message
                )
                if _depth(text) > 1 or "(s)" in text:
                    seen.add(text)
    assert sorted(seen)[:5] == []


def test_the_case_sensitivity_hint_is_one_sentence():
    [problem] = validator.validate({"model": "black-forest-labs/flux.2-pro", "prompt": "x"})
    assert (
        problem.hint == "model ids are case-sensitive: did you mean 'black-forest-labs/FLUX.2-pro'?"
    )


def test_the_missing_model_hint_names_a_served_model():
    [problem] = validator.validate({"prompt": "x"})
    example = problem.hint.removeprefix("add a model, for example ").strip("'")
    assert load_spec().models[example].lifecycle.status == "active"


@pytest.mark.parametrize(
    ("width", "height", "ratio"), [(1001, 768, "4:3"), (768, 1344, "9:16"), (1024, 1024, "1:1")]
)
def test_the_width_hint_on_kontext_names_the_ratio_fix_chooses(width, height, ratio):
    request = {"model": KONTEXT, "prompt": "x", "width": width, "height": height}
    assert validator.normalize(request, policy="fix").request["aspect_ratio"] == ratio
    hints = {p.hint for p in validator.validate(request) if p.param in {"width", "height"}}
    hints.discard("use 1000 or 1008")
    assert hints == {
        f"use aspect_ratio '{ratio}' instead, the nearest documented ratio to {width}x{height}"
    }


def test_a_control_character_in_a_json_string_is_named_and_its_escape_given():
    [broken] = list(read_json(b'{"prompt": "a\tb"}'))
    assert broken.message == (
        "not valid JSON: a control character (U+0009) inside a string; "
        "JSON strings carry it escaped, as \\t"
    )
    [open_string] = list(read_json(b'{"prompt": "ab}'))
    assert open_string.message == "not valid JSON: the string that starts here has no closing quote"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"a": }', "expected a value: a string, number, object, array, true, false or null"),
        (b'{"a" 1}', "expected ':' after the key"),
        (b"[1 2]", "expected ',' before the next item, or the closing bracket"),
        (b'{"a": 1,}', "a comma before a closing bracket (JSON allows no trailing comma)"),
        (b"[1,]", "a comma before a closing bracket (JSON allows no trailing comma)"),
        (b"{'a': 1}", "keys and strings take double quotes, not single quotes"),
        (b"{a: 1}", "expected a key in double quotes"),
        (b'{"a": 1', "the text ends before the closing bracket"),
        (b'{"a": 1,', "the text ends before the closing bracket"),
        (b"[1,", "the text ends where a value should be"),
        (b'{"a":', "the text ends where a value should be"),
        (b'{"a\\x": 1}', 'an unknown escape: after a backslash JSON allows " \\ / b f n r t u'),
        (b'{"a": "\\u12"}', "a \\u escape needs four hexadecimal digits"),
        (b"{} {}", "more text after the end of the JSON value"),
    ],
)
def test_json_syntax_errors_read_as_sentences(text, message):
    [broken] = list(read_json(text))
    assert broken.message == f"not valid JSON: {message}"


def test_messages_quote_values_through_the_shared_helpers():
    """``repr`` of a user's value can be a whole file: messages use ``quote``/``describe``.

    Both cut long values to a readable length and say the total; ``!r`` in an f-string
    is allowed only inside a ``__repr__``.
    """
    import ast
    from pathlib import Path

    root = Path(validator.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        reprs = {
            id(node)
            for func in ast.walk(tree)
            if isinstance(func, ast.FunctionDef) and func.name == "__repr__"
            for node in ast.walk(func)
        }
        found.extend(
            f"{path.relative_to(root)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.FormattedValue)
            and node.conversion == ord("r")
            and id(node) not in reprs
        )
    assert found == []


def test_quote_cuts_a_long_value_and_says_its_length():
    from validator._problem import describe, quote

    text = "root:x:0:0:root:/root:/bin/bash\n" * 100
    assert quote(text) == f"'{text[:60]}...' (3,200 characters)".replace("\n", "\\n")
    assert describe(text) == quote(text)


def test_a_display_name_in_another_case_names_its_model():
    from validator.render._describe import suggest

    assert suggest(load_spec(), "flux.2 pro") == "did you mean 'black-forest-labs/FLUX.2-pro'?"


def test_several_close_ids_are_listed_with_commas_and_one_or():
    [problem] = validator.validate({"model": "black-forest-labs/FLUX.2-pr", "prompt": "x"})
    assert problem.hint is not None
    assert problem.hint.count(" or ") <= 1
    assert problem.hint.startswith("did you mean 'black-forest-labs/FLUX.2-pro'")


def test_a_json_path_quotes_every_key_that_is_not_a_plain_ascii_name():
    from validator._problem import json_path

    assert json_path(("frame_images", 0, "input_image")) == "$.frame_images[0].input_image"
    assert json_path(("odd key", "1a", "", "näme")) == "$['odd key']['1a']['']['näme']"
    # A newline at the end is part of the key (a regex's $ would have let it pass).
    assert json_path(("steps\n",)) == "$['steps\\n']"


def test_a_trailing_comma_is_placed_at_the_bracket_on_every_python():
    # Python 3.13 says "Illegal trailing comma before end of array" at the comma; 3.11
    # and 3.12 say "Expecting value" at the bracket. Both read, and sit, the same.
    from validator.files._decode import json_message, json_position

    doc = "[1,\n ]"
    new = json.JSONDecodeError("Illegal trailing comma before end of array", doc, 2)
    old = json.JSONDecodeError("Expecting value", doc, 5)
    assert json_position(new) == json_position(old) == (2, 2)
    assert (
        json_message(new)
        == json_message(old)
        == ("not valid JSON: a comma before a closing bracket (JSON allows no trailing comma)")
    )

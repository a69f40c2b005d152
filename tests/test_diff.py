"""validator/files/_diff.py: when a rewrite is due, and streamed diffs that patch back exactly."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from validator.files._diff import _HUNK_LINES, AlignedDiff, same_value


def apply_unified(text: str, diff: str) -> str:
    """Apply a unified diff (one file, hunks in order) to text, as patch(1) would."""
    old = text.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    previous = ""
    for line in diff.splitlines(keepends=True)[2:]:
        if line.startswith("@@"):
            start = int(line.split()[1][1:].split(",")[0])
            out.extend(old[at : start - 1])
            at = start - 1
        elif line.startswith("\\"):  # the line before has no newline
            if previous in {" ", "+"}:
                out[-1] = out[-1].removesuffix("\n")
        elif line.startswith((" ", "-")):
            assert old[at].removesuffix("\n") == line[1:].removesuffix("\n"), (old[at], line)
            at += 1
            if line.startswith(" "):
                out.append(line[1:])
        elif line.startswith("+"):
            out.append(line[1:])
        previous = line[0]
    return "".join(out + old[at:])


def _diff(pairs: list[tuple[str, str]]) -> str:
    chunks: list[str] = []
    differ = AlignedDiff("f.jsonl", chunks.append)
    for old, new in pairs:
        if old == new:
            differ.same(old.encode())
        else:
            differ.changed(old.encode(), new.encode())
    differ.close()
    return "".join(chunks)


def test_same_value_is_typed_json_equality():
    assert same_value({"a": [1, "x", None]}, {"a": [1, "x", None]})
    assert not same_value({"n": 1}, {"n": 1.0})
    assert not same_value({"n": 1}, {"n": True})
    assert not same_value({"a": 1, "b": 2}, {"b": 2, "a": 1})  # a rewrite would reorder
    assert not same_value([1], [1, 2])
    assert same_value({"x": math.nan}, {"x": math.nan})
    deep_a: list = []
    deep_b: list = []
    for _ in range(100_000):  # no recursion
        deep_a, deep_b = [deep_a], [deep_b]
    assert same_value(deep_a, deep_b)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 3)), max_size=60))
def test_an_aligned_diff_patches_the_old_lines_into_the_new(spec):
    pairs = [
        (f"line {i}\n", f"line {i} v{v}\n" if changed else f"line {i}\n")
        for i, (changed, v) in enumerate(spec)
    ]
    old = "".join(o for o, _ in pairs)
    new = "".join(n for _, n in pairs)
    diff = _diff(pairs)
    assert (diff == "") == (old == new)
    assert apply_unified(old, diff) == new


def test_a_long_run_of_changes_is_cut_into_bounded_hunks():
    pairs = [
        (json.dumps({"i": i}) + "\n", json.dumps({"i": i, "n": 1}) + "\n") for i in range(10_000)
    ]
    diff = _diff(pairs)
    headers = [line for line in diff.splitlines() if line.startswith("@@")]
    assert len(headers) == -(-2 * 10_000 // _HUNK_LINES)
    assert apply_unified("".join(o for o, _ in pairs), diff) == "".join(n for _, n in pairs)


def test_a_last_line_without_newline_is_marked():
    diff = _diff([("a\n", "a\n"), ("b", "c")])
    assert apply_unified("a\nb", diff) == "a\nc"
    assert (
        diff
        == "--- f.jsonl\n+++ f.jsonl\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    )

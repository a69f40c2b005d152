"""``validator.files._paths``: strings spelled, split and compared as pathlib does it.

The lint path does without pathlib (start-up), so these helpers must agree with
it on every spelling: each property draws paths from the characters that matter
(``/``, ``.``, a letter) and compares with ``PurePosixPath``.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validator.files import _paths

pytestmark = pytest.mark.skipif(not _paths._POSIX, reason="on Windows the helpers are pathlib")

spellings = st.text(alphabet="/.a", max_size=12)


@given(spellings)
def test_pure_spells_as_pathlib(text):
    assert _paths.pure(text) == str(PurePosixPath(text))


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("", "."),
        (".", "."),
        ("./", "."),
        ("./a.json", "a.json"),
        ("a//b.json", "a/b.json"),
        ("a/b/", "a/b"),
        ("a/./b/.", "a/b"),
        ("a/../b", "a/../b"),  # pathlib keeps .., as a link may be in between
        ("/", "/"),
        ("//", "//"),
        ("//a", "//a"),
        ("///a//", "/a"),
    ],
)
def test_pure_examples(text, spelled):
    assert _paths.pure(text) == spelled


@given(spellings, spellings)
def test_relative_to_agrees_with_pathlib(path, base):
    path, base = _paths.pure(path), _paths.pure(base)
    try:
        expected: str | None = PurePosixPath(path).relative_to(base).as_posix()
    except ValueError:
        expected = None
    assert _paths.relative_to(path, base) == expected


@given(spellings)
def test_lineage_is_the_path_and_its_parents(text):
    path = _paths.pure(text)
    pure = PurePosixPath(text)
    assert list(_paths.lineage(path)) == [str(pure), *map(str, pure.parents)]


@given(spellings, spellings)
def test_join_joins_as_pathlib(base, part):
    assert _paths.join(_paths.pure(base), part) == str(PurePosixPath(base, part))


@given(st.text(alphabet="/.aj", max_size=10))
def test_suffix_agrees_with_pathlib(text):
    assert _paths.suffix(text) == PurePosixPath(text).suffix


def test_suffix_examples():
    assert _paths.suffix("a.json/") == ".json"
    assert _paths.suffix("..json") == ".json"
    assert _paths.suffix(".json") == ""
    assert _paths.suffix("dir.d/a") == ""


SPELLINGS = [
    "",
    ".",
    "./",
    "a",
    "a/",
    "./a//b.json/",
    "a/./b/.",
    "a/../b",
    "/",
    "//",
    "//a",
    "///a//",
    "..json",
    "a.json/",
]


def test_the_windows_branch_is_pathlib_itself(monkeypatch):
    # On Windows each helper calls pathlib; here PurePath is PurePosixPath, so the
    # answers must be the POSIX ones: the branch runs, with the right types.
    expected = {
        text: (
            _paths.pure(text),
            _paths.suffix(text),
            list(_paths.lineage(_paths.pure(text))),
            _paths.join("/base", text),
            _paths.relative_to(_paths.pure(text), "/"),
            _paths.relative_to(_paths.pure(text), "."),
        )
        for text in SPELLINGS
    }
    monkeypatch.setattr(_paths, "_POSIX", False)
    for text, answers in expected.items():
        assert (
            _paths.pure(text),
            _paths.suffix(text),
            list(_paths.lineage(_paths.pure(text))),
            _paths.join("/base", text),
            _paths.relative_to(_paths.pure(text), "/"),
            _paths.relative_to(_paths.pure(text), "."),
        ) == answers, text

"""Atomic writes: all or nothing, and the permissions a user expects."""

from __future__ import annotations

import os

import pytest

from validator.files._files import AtomicWriter, _new_file_mode, write_atomic


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    _new_file_mode.cache_clear()
    yield
    os.umask(old)
    _new_file_mode.cache_clear()


def test_a_new_file_gets_the_umask_mode_not_mkstemps_0600(tmp_path, umask_027):
    # capspec schemas / capspec docs write new files: they must be readable like any other.
    path = tmp_path / "new.json"
    write_atomic(path, "{}\n")
    assert path.read_text() == "{}\n"
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_rewritten_file_keeps_its_own_mode(tmp_path):
    path = tmp_path / "kept.json"
    path.write_text("old\n")
    path.chmod(0o640)
    write_atomic(path, "new\n")
    assert path.read_text() == "new\n"
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_failed_write_leaves_the_original_and_no_temporary_file(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "\ud800")  # a lone surrogate cannot be written as UTF-8
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_an_aborted_writer_changes_nothing(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("old\n")
    writer = AtomicWriter(path)
    writer.write("half of the new")
    assert path.read_text() == "old\n"
    writer.abort()
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]

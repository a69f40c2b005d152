"""The lowest-versions CI job pins exactly the floors pyproject.toml promises."""

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lowest", ROOT / ".ci" / "lowest_constraints.py")
assert _spec is not None and _spec.loader is not None
lowest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lowest)


def test_every_runtime_and_test_dependency_is_pinned_to_its_floor():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = lowest.floors(ROOT / "pyproject.toml", ["test"])
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    assert len(pinned) == len(wanted) - len(lowest.NOT_PINNED)
    assert not set(lowest.NOT_PINNED) & set(pinned)
    assert pinned["pyyaml"] == next(r.split(">=")[1] for r in wanted if r.startswith("pyyaml"))
    assert pinned["jsonschema-rs"] == next(
        r.split(">=")[1] for r in wanted if r.startswith("jsonschema-rs")
    )


def test_a_dependency_without_a_floor_is_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "capspec"\ndependencies = ["click~=8.2"]\n'
    )
    with pytest.raises(ValueError, match=re.escape("'click~=8.2' has no '>=' floor")):
        lowest.floors(tmp_path / "pyproject.toml", [])


def test_names_are_normalised_and_extras_of_capspec_itself_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "capspec"\ndependencies = ["PyYAML>=6.0.1"]\n'
        '[project.optional-dependencies]\ndev = ["capspec[test]", "Jsonschema_RS >= 0.29"]\n'
    )
    assert lowest.floors(tmp_path / "pyproject.toml", ["dev"]) == {
        "pyyaml": "6.0.1",
        "jsonschema-rs": "0.29",
    }


def test_by_default_the_spark_extra_is_pinned_at_its_floor_too(monkeypatch, capsys):
    # The lowest-versions job runs the Spark tests against the lowest pyspark claimed.
    monkeypatch.chdir(ROOT)
    assert lowest.main([]) == 0
    printed = capsys.readouterr().out.splitlines()
    spark = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["spark"]
    for requirement in spark:
        name, floor = re.match(r"([a-z]+)(?:\[[^\]]*\])?>=(\S+)", requirement).groups()
        assert f"{name}=={floor}" in printed
    assert lowest.main(["test"]) == 0
    assert not any(line.startswith("pyspark==") for line in capsys.readouterr().out.splitlines())

"""The capability spec: the bundled data, the format's own checks, and the cache."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import validator
from validator import SpecError, load_spec
from validator.spec import _specload

SPECS = Path(__file__).resolve().parent / "specs"
BAD = sorted((SPECS / "bad").glob("*.yaml"))

SEED_IDS = [
    "black-forest-labs/FLUX.1-schnell",
    "black-forest-labs/FLUX.1-schnell-Free",
    "black-forest-labs/FLUX.1-pro",
    "black-forest-labs/FLUX.1.1-pro",
    "black-forest-labs/FLUX.1-dev",
    "black-forest-labs/FLUX.2-pro",
    "black-forest-labs/FLUX.2-dev",
    "black-forest-labs/FLUX.2-flex",
    "black-forest-labs/FLUX.1-kontext-pro",
    "black-forest-labs/FLUX.1-kontext-max",
    "black-forest-labs/FLUX.1-kontext-dev",
    "kwaivgI/kling-1.6-standard",
    "kwaivgI/kling-1.6-pro",
    "kwaivgI/kling-2.0-master",
    "kwaivgI/kling-2.1-standard",
    "kwaivgI/kling-2.1-pro",
    "kwaivgI/kling-2.1-master",
    "google/imagen-4.0-preview",
    "google/imagen-4.0-fast",
    "google/imagen-4.0-ultra",
    "google/flash-image-2.5",
    "google/gemini-3-pro-image",
    "google/flash-image-3.1",
    "google/flash-image-3.1-lite",
]


def test_every_seed_model_is_in_the_spec(spec):
    missing = [i for i in SEED_IDS if i not in spec.models]
    assert missing == []


def test_the_catalogue_beyond_the_seeds_is_covered(spec):
    assert len(spec.models) >= 30
    for model_id in [
        "black-forest-labs/FLUX.2-max",
        "black-forest-labs/FLUX.1-krea-dev",
        "black-forest-labs/FLUX.1-dev-lora",
        "Wan-AI/Wan2.6-image",
        "openai/gpt-image-2",
        "stabilityai/stable-diffusion-xl-base-1.0",
        "ByteDance-Seed/Seedream-4.0",
        "Qwen/Qwen-Image",
        "ideogram/ideogram-3.0",
        "HiDream-ai/HiDream-I1-Full",
        "RunDiffusion/Juggernaut-pro-flux",
    ]:
        assert model_id in spec.models


def test_every_model_has_a_source_a_lifecycle_and_an_endpoint(spec):
    for model in spec.models.values():
        assert model.sources, model.id
        assert all(s in spec.sources for s in model.sources)
        assert model.lifecycle.status in {"active", "deprecated", "retired"}
        assert model.lifecycle.sources
        if model.lifecycle.status != "active":
            life = model.lifecycle
            dates = [life.announced, life.removed, life.last_seen, life.unlisted_by]
            assert any(dates), model.id
            for date in filter(None, dates):
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
            # A successor the API serves, on the same endpoint, with its source.
            assert life.replaced_by is not None, model.id
            successor = spec.models[life.replaced_by.model]
            assert successor.lifecycle.served and successor.endpoint == model.endpoint
            assert life.replaced_by.sources
        assert model.endpoint == ("videos" if model.family == "Kling" else "images"), model.id


def test_every_constraint_carries_a_source(spec):
    for param in spec.parameters.values():
        assert param.sources, param.name
    for model in spec.models.values():
        for param in model.params.values():
            assert param.sources and all(s in spec.sources for s in param.sources), (
                model.id,
                param.name,
            )
            advice = param.schema.advice
            if advice is not None:
                assert advice.sources, (model.id, param.name)
        for rule in model.rules:
            assert rule.sources, (model.id, rule.kind)
    for source in spec.sources.values():
        assert source.url.startswith("https://"), source.id


def test_guidance_is_an_alias_not_a_second_parameter(spec):
    assert "guidance" not in spec.parameters
    assert spec.aliases == {"guidance": "guidance_scale"}


def test_the_minimal_spec_loads():
    spec = load_spec(SPECS / "minimal.yaml")
    assert list(spec.models) == ["acme/one"]
    assert spec.models["acme/one"].required == ("prompt",)


def _marker_line(path: Path) -> int | None:
    for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), 1):
        if line.rstrip().endswith("# <-"):
            return number
    return None


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_each_kind_of_bad_spec_is_reported_with_its_line(path):
    header = path.read_bytes().split(b"\n", 1)[0].decode()
    # "a || b": either wording (jsonschema's own words changed across versions).
    expected = header.removeprefix("# expect: ")
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    issues = caught.value.issues
    matching = [i for i in issues if any(e in i.message for e in expected.split(" || "))]
    assert matching, f"no issue says {expected!r}: {[str(i) for i in issues]}"
    line = _marker_line(path)
    if line is not None:
        assert line in {i.line for i in matching}, [str(i) for i in matching]
    # The rendered error names the file and the line, ready for an editor.
    assert f"{path}:{matching[0].line}:" in str(caught.value)


def test_a_missing_spec_file_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match="cannot read the spec"):
        load_spec(tmp_path / "nope.yaml")
    with pytest.raises(SpecError, match="is a directory"):
        load_spec(tmp_path)


def test_the_resolved_spec_is_cached_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path / "cache"))
    source = tmp_path / "spec.yaml"
    source.write_text((SPECS / "minimal.yaml").read_text())
    _specload._memo.clear()
    first = load_spec(source)
    cached = list((tmp_path / "cache").glob("spec-*.json"))
    assert len(cached) == 1
    # A second process start must not parse YAML again: make parsing fail loudly.
    _specload._memo.clear()
    monkeypatch.setattr(
        _specload, "resolve_text", lambda *a: pytest.fail("re-parsed a cached spec")
    )
    second = load_spec(source)
    assert second.models.keys() == first.models.keys()
    # Changing the file changes the key: the stale cache entry is not used.
    monkeypatch.undo()
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path / "cache"))
    source.write_text(source.read_text().replace("name: One", "name: Uno"))
    _specload._memo.clear()
    assert load_spec(source).models["acme/one"].name == "Uno"


def test_a_corrupt_cache_entry_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path))
    source = tmp_path / "spec.yaml"
    source.write_text((SPECS / "minimal.yaml").read_text())
    _specload._memo.clear()
    load_spec(source)
    for entry in tmp_path.glob("spec-*.json"):
        entry.write_text("{not json")
    _specload._memo.clear()
    assert list(load_spec(source).models) == ["acme/one"]
    for entry in tmp_path.glob("spec-*.json"):
        entry.write_text(json.dumps({"digest": "other", "resolved": {}}))
    _specload._memo.clear()
    assert list(load_spec(source).models) == ["acme/one"]


def test_no_cache_when_disabled(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSPEC_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("CAPSPEC_NO_CACHE", "1")
    _specload._memo.clear()
    load_spec(SPECS / "minimal.yaml")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("model_id", SEED_IDS[:11])
def test_every_default_satisfies_its_own_constraints(spec, model_id):
    # Exhaustive over the seed's FLUX models; test_matrix covers every model.
    model = spec.models[model_id]
    request = {"model": model_id, **{n: "a cat" for n in model.required if n == "prompt"}}
    request.update(model.defaults)
    errors = [p for p in validator.validate(request) if p.severity == "error"]
    assert [p for p in errors if p.code != "retired_model"] == []

"""The generated schemas work outside Python: ajv (strict mode) and jsonschema-rs.

* Every file in ``schemas/`` compiles under ajv v8's draft 2020-12 build with
  ``strict: true``; nothing is only logged either.
* On a corpus of requests generated deterministically from the spec (valid ones
  for every model, and mutations of them), ajv, jsonschema-rs and capspec
  (``validate`` reports no error) agree on valid or not. One node process
  validates the whole corpus.

ajv comes from ``tests/ajv/package-lock.json``: a session fixture runs ``npm ci``
there when ``node_modules`` is missing. Without node and npm these tests fail with
a message saying so; they are never skipped.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

import validator

from strategies import pair_ok

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
AJV = Path(__file__).resolve().parent / "ajv"
SPEC = validator.load_spec()
MODELS = list(SPEC.models.values())
SEED = 20_261_123
VALID_PER_MODEL = 20
MUTATED_PER_MODEL = 30
# JSON numbers a JavaScript parser keeps exactly: the corpus stays inside them.
SAFE = 2**53 - 1


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not on PATH: the portability tests need Node.js (v18 or later) and "
            "npm to run ajv; install them (https://nodejs.org) and run the tests again"
        )
    return found


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with ajv installed from the committed lock file."""
    executable = _tool("node")
    if not (AJV / "node_modules" / "ajv" / "package.json").is_file():
        npm = _tool("npm")
        result = subprocess.run(
            [
                npm,
                "ci",
                "--prefix",
                str(AJV),
                "--prefer-offline",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"`npm ci --prefix {AJV}` failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
    return executable


def run_ajv(node: str, schema_dir: Path, corpus: Path | None = None) -> dict[str, Any]:
    command = [node, str(AJV / "check.js"), str(schema_dir)]
    if corpus is not None:
        command.append(str(corpus))
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


# --- ajv strict mode ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def ajv_report(node, corpus_file) -> dict[str, Any]:
    """One node process: compile every schema in strict mode, then validate the corpus."""
    return run_ajv(node, SCHEMAS, corpus_file)


def test_every_schema_compiles_under_ajv_strict_mode(ajv_report):
    report = ajv_report
    assert report["errors"] == {}
    assert report["warnings"] == []
    assert report["compiled"] == sorted(p.name for p in SCHEMAS.glob("*.json"))
    assert report["ajv"].startswith("8.")


def test_ajv_strict_mode_does_reject(node, tmp_path):
    """The check can fail: a schema strict mode forbids is reported, not compiled."""
    good = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.test/good.json",
    }
    bad = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.test/bad.json",
        "type": "object",
        "properties": {"width": {"minimum": 1}},  # strictTypes: no type beside minimum
        "not": {"required": ["height"]},  # strictRequired: height is not defined
    }
    (tmp_path / "good.json").write_text(json.dumps(good))
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    report = run_ajv(node, tmp_path)
    assert report["compiled"] == ["good.json"]
    assert "strict mode" in report["errors"]["bad.json"]


# --- the differential corpus -------------------------------------------------------------

_TEXT = "abc xyz ÉéñÅ 猫 😀 \t"


def _string(schema: Any, rng: random.Random) -> str | None:
    candidates = [str(s) for s in schema.suggested]
    candidates += [
        f"{rng.randint(1, 21)}:{rng.randint(1, 21)}",
        str(rng.randint(1, 99)),
        "".join(rng.choice(_TEXT) for _ in range(rng.randint(1, 12))),
    ]
    lo = schema.min_length or 0
    hi = schema.max_length if schema.max_length is not None else lo + 40
    fitting = [
        c
        for c in candidates
        if lo <= len(c) <= hi and (schema.regex is None or schema.regex.search(c))
    ]
    if not fitting:
        return None
    if schema.suggested and rng.random() < 0.6:
        return rng.choice(fitting[: len(schema.suggested)] or fitting)
    return rng.choice(fitting)


def value_for(schema: Any, rng: random.Random) -> Any:
    """A value meant to satisfy ``schema`` (bounds, steps, enums, patterns), from the data."""
    if schema.any_of:
        return value_for(rng.choice(schema.any_of), rng)
    if schema.enum is not None:
        return rng.choice(schema.enum)
    kind = schema.type
    if kind == "boolean":
        return rng.random() < 0.5
    if kind in {"integer", "number"}:
        lo = schema.minimum if schema.minimum is not None else -1000
        hi = schema.maximum if schema.maximum is not None else 1000
        if kind == "number" and rng.random() < 0.5:
            return round(rng.uniform(lo, hi), rng.choice([0, 1, 3]))
        step = schema.multiple_of or 1
        return rng.randint(math.ceil(lo / step), math.floor(hi / step)) * step
    if kind == "string":
        return _string(schema, rng)
    if kind == "array":
        lo = schema.min_items or 0
        hi = min(schema.max_items if schema.max_items is not None else lo + 2, lo + 2)
        items = [value_for(schema.items, rng) for _ in range(rng.randint(lo, hi))]
        return [i for i in items if i is not None]
    if kind == "object":
        out = {}
        for name, prop in schema.properties.items():
            if name in schema.required or rng.random() < 0.5:
                value = value_for(prop, rng)
                if value is not None:
                    out[name] = value
        return out
    raise AssertionError(kind)


def valid_request(model: Any, rng: random.Random) -> dict[str, Any]:
    request: dict[str, Any] = {"model": model.id}
    for name, param in model.params.items():
        if param.required or rng.random() < 0.4:
            value = value_for(param.schema, rng)
            if value is not None:
                request[name] = value
    if "width" in request and "height" in request:
        menus = [r for r in model.rules if r.kind == "size_menu"]
        if menus:
            request["width"], request["height"] = rng.choice(list(menus[0].sizes))
        else:
            for _ in range(50):
                if pair_ok(model, request["width"], request["height"]):
                    break
                request["height"] = value_for(model.params["height"].schema, rng)
    return request


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(9 if depth < 2 else 7)
    if choice == 7:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if choice == 8:
        return {rng.choice(["a", "input_image", "frame"]): _random_json(rng, depth + 1)}
    return [
        None,
        rng.random() < 0.5,
        rng.randint(-(2**40), 2**40),
        rng.uniform(-1e6, 1e6),
        "",
        "".join(rng.choice(_TEXT) for _ in range(rng.randint(1, 8))),
        rng.choice([0, 1, -1, 0.5, 1e-9]),
    ][choice]


def mutate(request: dict[str, Any], model: Any, rng: random.Random) -> dict[str, Any]:
    """One to three random edits of a request: most make it invalid, some do not."""
    out = json.loads(json.dumps(request))
    for _ in range(rng.randint(1, 3)):
        keys = [k for k in out if k != "model"]
        key = rng.choice(keys) if keys else None
        action = rng.choice(
            [
                "delete",
                "delete_model",
                "add_known",
                "add_unknown",
                "alias",
                "random_value",
                "perturb",
                "bound",
                "float",
                "newline",
                "case",
                "wrap",
                "bad_item",
            ]
        )
        value = out.get(key) if key is not None else None
        if action == "delete" and key is not None:
            del out[key]
        elif action == "delete_model":
            out.pop("model", None)
        elif action == "add_known":
            name = rng.choice(sorted(SPEC.parameters))
            added = value_for(SPEC.parameters[name].schema, rng)
            if added is not None:
                out[name] = added
        elif action == "add_unknown":
            out[rng.choice(["widht", "size", "foo", "Steps", "guidance"])] = _random_json(rng)
        elif action == "alias":
            out["guidance"] = rng.choice([3, 3.5, 7, -1, 1000, "3"])
        elif action == "random_value" and key is not None:
            out[key] = _random_json(rng)
        elif action == "perturb" and isinstance(value, int) and not isinstance(value, bool):
            out[key] = value + rng.choice([-64, -8, -1, 1, 8, 64, 10_000])
        elif action == "bound" and key in model.params:
            schema = model.params[key].schema
            bounds = [b for b in (schema.minimum, schema.maximum) if b is not None]
            if bounds:
                edge = rng.choice(bounds)
                out[key] = rng.choice([edge - 1, edge, edge + 1, edge + 0.5, SAFE, -SAFE])
        elif action == "float" and isinstance(value, int) and not isinstance(value, bool):
            out[key] = float(value) + rng.choice([0.0, 0.0, 0.25])
        elif action == "newline":
            # Patterns are ECMA-262: "$" does not match before a final newline.
            texts = [k for k in keys if isinstance(out[k], str)]
            patterned = [k for k in texts if k in model.params and model.params[k].schema.pattern]
            if patterned or texts:
                key = rng.choice(patterned or texts)
                out[key] += rng.choice(["\n", "\r\n", " ", "\u2028"])
        elif action == "case":
            target = key if isinstance(value, str) and rng.random() < 0.5 else "model"
            if isinstance(out.get(target), str):
                out[target] = out[target].swapcase()
        elif action == "wrap" and key is not None:
            out[key] = [value]
        elif action == "bad_item" and isinstance(value, list):
            out[key] = [*value, _random_json(rng)]
    return out


def build_corpus() -> list[dict[str, Any]]:
    rng = random.Random(SEED)
    corpus: list[dict[str, Any]] = []
    for model in MODELS:
        valid = [valid_request(model, rng) for _ in range(VALID_PER_MODEL)]
        corpus.extend(valid)
        corpus.extend(mutate(rng.choice(valid), model, rng) for _ in range(MUTATED_PER_MODEL))
    corpus.append({"model": "acme/not-a-model", "prompt": "x"})
    corpus.append({})
    return corpus


def capspec_ok(request: Any) -> bool:
    """No error about the body. A refused retired model is capspec's verdict alone: the
    generated schemas describe the body and only mark the model deprecated."""
    return not any(
        p.severity == "error" and p.code != "retired_model" for p in validator.validate(request)
    )


def rust_validator() -> Any:
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))]
    registry = jsonschema_rs.Registry([(doc["$id"], doc) for doc in documents])
    index = next(doc for doc in documents if doc["$id"].endswith("/index.json"))
    return jsonschema_rs.validator_for(index, registry=registry)


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory) -> Path:
    lines = [json.dumps(r, ensure_ascii=True, allow_nan=False) for r in build_corpus()]
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_corpus_is_deterministic_large_and_covers_every_model():
    corpus = build_corpus()
    assert build_corpus() == corpus
    assert len(corpus) >= 2_000
    assert {r.get("model") for r in corpus} >= set(SPEC.models)
    verdicts = [capspec_ok(r) for r in corpus]
    # Both sides are well represented, for every model.
    assert 0.3 < sum(verdicts) / len(verdicts) < 0.7
    for model_id in SPEC.models:
        mine = [ok for r, ok in zip(corpus, verdicts, strict=True) if r.get("model") == model_id]
        assert any(mine) and not all(mine), model_id


def test_ajv_jsonschema_rs_and_capspec_agree(ajv_report, corpus_file):
    lines = corpus_file.read_text(encoding="utf-8").splitlines()
    requests = [json.loads(line) for line in lines]  # what the other two see
    ajv = ajv_report["valid"]
    rust = rust_validator()
    assert len(ajv) == len(requests)
    disagreements = []
    for request, ajv_ok in zip(requests, ajv, strict=True):
        ours, rs_ok = capspec_ok(request), rust.is_valid(request)
        if not ours == rs_ok == ajv_ok:
            problems = [str(p) for p in validator.validate(request) if p.severity == "error"]
            disagreements.append(
                {"request": request, "capspec": ours, "ajv": ajv_ok, "rs": rs_ok, "why": problems}
            )
    assert disagreements == [], json.dumps(disagreements[:5], indent=1, ensure_ascii=False)[:4000]


@pytest.mark.parametrize(
    ("value", "ok"),
    [("16:9", True), ("16:9\n", False), ("16:9\r\n", False), ("\n16:9", False), ("16:9 ", False)],
)
def test_patterns_match_as_in_ecma_262(value, ok):
    """``$`` ends the string, as in JavaScript and Rust (Python's also allows a final newline)."""
    request = {
        "model": "black-forest-labs/FLUX.1-kontext-pro",
        "prompt": "x",
        "aspect_ratio": value,
    }
    assert capspec_ok(request) is ok
    assert rust_validator().is_valid(request) is ok


def test_ecma_regex_rewrites_only_unescaped_anchors_and_dots_outside_classes():
    from validator.spec._values import ecma_regex

    assert ecma_regex(r"^a$").pattern == r"^a\Z"
    assert ecma_regex(r"^a\$b\.c$").pattern == r"^a\$b\.c\Z"
    assert ecma_regex(r"[$.][^]$.]x.").pattern == r"[$.][^]$.]x[^\n\r\u2028\u2029]"
    assert ecma_regex(r"[\]$]$").pattern == r"[\]$]\Z"
    assert not ecma_regex("^a.b$").search("a\u2028b")

"""``capspec drift --models``: the spec against Together's model listing, from a file or live.

Listings are built from the spec itself, so the tests follow the spec as it
changes. The live tests serve them from a loopback server (tests/apiserver.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apiserver import Answer, ApiServer
from click.testing import CliRunner

from validator.cli._app import cli
from validator.drift._drift import KINDS, compare_listing, parse_listing

DATA = Path(__file__).resolve().parent / "data" / "drift"
KEY = "test-key-0123"
LISTING_PATH = "/v1/models"
TYPES = {"images": "image", "videos": "video"}


def run(*args: str, env: dict[str, str | None] | None = None, stdin: bytes | None = None):
    env = {"TOGETHER_API_KEY": None, **(env or {})}
    result = CliRunner().invoke(cli, ["drift", *args], env=env, input=stdin, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def served(spec):
    return [m for m in spec.models.values() if m.lifecycle.status in {"active", "deprecated"}]


def retired(spec):
    return [m for m in spec.models.values() if m.lifecycle.status == "retired"]


def listing_of(models, extra=()):
    """Together's GET /v1/models answer for these spec models, plus a chat model."""
    items = [
        {
            "id": m.id,
            "object": "model",
            "created": 1700000000,
            "type": TYPES[m.endpoint],
            "display_name": m.name,
            "organization": m.id.split("/")[0],
        }
        for m in models
    ]
    items.append({"id": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "type": "chat"})
    items.extend(extra)
    return items


def write(tmp_path, data, name="models.json") -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return str(path)


NEW_MODEL = {"id": "acme-labs/imagine-9", "type": "image", "display_name": "Imagine 9"}


@pytest.fixture
def drifted(spec):
    """The served models less one, plus an unknown image model: (listing, removed id)."""
    models = served(spec)
    removed = next(m for m in models if m.endpoint == "images")
    return listing_of([m for m in models if m is not removed], [NEW_MODEL]), removed.id


# --- from a file ----------------------------------------------------------------------


def test_a_listing_of_the_served_models_is_no_drift(spec, tmp_path):
    result = run("--models", write(tmp_path, listing_of(served(spec))))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("capspec: no drift between the spec")
    assert f"({len(served(spec))} served models)" in result.output


def test_a_vanished_and_a_new_model_are_both_named(drifted, tmp_path):
    listing, removed = drifted
    path = write(tmp_path, listing)
    result = run("--models", path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{path}: unlisted_model {removed}: the spec says" in result.output
    assert any(
        line.startswith(f"{path}: new_model acme-labs/imagine-9 (Imagine 9)") for line in lines
    )
    assert lines[-1].endswith("1 unlisted_model, 1 new_model")


def test_the_json_report_names_both(drifted, tmp_path):
    listing, removed = drifted
    result = run("--models", write(tmp_path, listing), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert report["summary"]["drifts"] == 2
    by_kind = {d["kind"]: d for d in report["drift"]}
    assert by_kind["unlisted_model"]["model"] == removed
    assert by_kind["new_model"]["model"] == "acme-labs/imagine-9"
    assert set(by_kind) <= set(KINDS)


def test_the_github_report_annotates_the_spec_entry(drifted, tmp_path, spec):
    listing, removed = drifted
    result = run("--models", write(tmp_path, listing), "--format", "github")
    assert result.exit_code == 1
    unlisted = next(line for line in result.output.splitlines() if "unlisted_model" in line)
    assert unlisted.startswith("::warning file=")
    line = int(unlisted.split("line=")[1].split(",")[0])
    spec_lines = Path(spec.path).read_text(encoding="utf-8").splitlines()
    assert spec_lines[line - 1].strip() == f"{removed}:"
    new = next(line for line in result.output.splitlines() if "new_model" in line)
    assert new.startswith("::warning title=capspec drift%3A new_model::acme-labs/imagine-9")


def test_a_retired_model_listed_again(spec):
    gone = retired(spec)
    assert gone, "the bundled spec keeps retired models"
    for model in gone:
        items = listing_of([*served(spec), model])
        found = compare_listing(spec, parse_listing(json.dumps(items).encode(), "x"), "x")
        assert [(d.kind, d.model) for d in found] == [("relisted_model", model.id)]
        assert found[0].message.startswith(f"{model.id}: the spec says retired")
        successor = model.lifecycle.replaced_by
        if successor is not None:
            assert f"its successor is {successor.model}" in found[0].message


def test_the_lifecycle_dates_are_said(spec):
    refused = next(m for m in retired(spec) if m.lifecycle.removed and m.lifecycle.refused)
    items = listing_of([*served(spec), refused])
    [found] = compare_listing(spec, parse_listing(json.dumps(items).encode(), "x"), "x")
    assert f"retired (removed {refused.lifecycle.removed}; the API refuses it)" in found.message


def test_an_unlisted_model_names_its_successor(spec):
    model = next(m for m in served(spec) if m.lifecycle.replaced_by is not None)
    items = listing_of([m for m in served(spec) if m is not model])
    [found] = compare_listing(spec, parse_listing(json.dumps(items).encode(), "x"), "x")
    assert found.kind == "unlisted_model"
    assert f"(successor: {model.lifecycle.replaced_by.model})" in (found.hint or "")


def test_a_model_listed_under_another_type(spec):
    models = served(spec)
    video = next(m for m in models if m.endpoint == "videos")
    items = listing_of([m for m in models if m is not video])
    items.append({"id": video.id, "type": "image"})
    found = compare_listing(spec, parse_listing(json.dumps(items).encode(), "x"), "x")
    assert [(d.kind, d.model) for d in found] == [("type_mismatch", video.id)]
    assert "listed as type image" in found[0].message
    assert "videos endpoint" in found[0].message


def test_chat_and_other_types_are_ignored_but_not_for_spec_ids(spec):
    models = served(spec)
    extra = [
        {"id": "acme/embed-1", "type": "embedding"},
        {"id": "acme/no-type"},
        {"id": "acme/rerank", "type": "rerank"},
    ]
    assert (
        compare_listing(
            spec, parse_listing(json.dumps(listing_of(models, extra)).encode(), "x"), "x"
        )
        == []
    )


def test_a_spec_model_listed_as_chat_is_a_type_mismatch(spec):
    models = served(spec)
    moved = models[0]
    items = listing_of(models[1:], [{"id": moved.id, "type": "chat"}])
    found = compare_listing(spec, parse_listing(json.dumps(items).encode(), "x"), "x")
    assert [(d.kind, d.model) for d in found] == [("type_mismatch", moved.id)]


def test_an_id_that_differs_only_in_case_says_so(spec):
    models = served(spec)
    first = models[0]
    items = listing_of(models[1:], [{"id": first.id.upper(), "type": TYPES[first.endpoint]}])
    found = compare_listing(spec, parse_listing(json.dumps(items).encode(), "x"), "x")
    assert {d.kind for d in found} == {"unlisted_model", "new_model"}
    for item in found:
        assert "differs only in case" in (item.hint or "")


def test_a_model_listed_twice_is_reported_once(spec):
    items = listing_of(served(spec), [NEW_MODEL, NEW_MODEL])
    found = compare_listing(spec, parse_listing(json.dumps(items).encode(), "x"), "x")
    assert [d.model for d in found] == ["acme-labs/imagine-9"]


def test_the_openai_style_envelope_is_read(spec, tmp_path):
    path = write(tmp_path, {"object": "list", "data": listing_of(served(spec))})
    assert run("--models", path).exit_code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty: expected a model listing (the JSON answer of GET /v1/models)"),
        (b" \n", "empty: expected a model listing"),
        (b"<html>Bad gateway</html>", "1:1: not valid JSON: expected a value"),
        (b'[{"id": "a"},]', "1:14: not valid JSON: a comma before a closing bracket"),
        (b'[{"id": "a"}', "1:13: not valid JSON: the text ends before the closing bracket"),
        (b"\xff\xfe[]", "not UTF-8"),
        (b'{"models": []}', "not a model listing: expected a JSON array of models"),
        (b'"image"', "found a string"),
        (b'[{"id": "a", "type": "image"}, 3]', "model 1: expected an object, found a number"),
        (b'[{"type": "image"}]', "model 0: no 'id' string"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    ],
)
def test_an_unusable_listing_exits_2(tmp_path, content, message):
    path = write(tmp_path, content)
    result = run("--models", path)
    assert result.exit_code == 2
    assert result.output.startswith(f"capspec: {path}:")
    assert message in result.output
    assert "(char " not in result.output  # never the decoder's raw wording


def test_a_missing_file_or_a_directory_exits_2(tmp_path):
    assert "no such file" in run("--models", str(tmp_path / "nope.json")).output
    result = run("--models", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.output


def test_the_listing_from_standard_input(drifted):
    listing, removed = drifted
    result = run("--models", "-", stdin=json.dumps(listing).encode())
    assert result.exit_code == 1
    assert f"-: unlisted_model {removed}" in result.output


def test_only_one_input_from_standard_input():
    result = run("--models", "-", "--openapi", "-", stdin=b"[]")
    assert result.exit_code == 2
    assert "only one of --models and --openapi can read standard input" in result.output


def test_no_input_is_a_usage_error():
    result = run()
    assert result.exit_code == 2
    assert "give --models FILE|URL, --openapi FILE|URL, or both" in result.output


def test_a_spec_that_cannot_be_used_exits_2_not_1(tmp_path):
    bad = tmp_path / "spec.yaml"
    bad.write_text("capspec: 1\n")
    result = run("--spec", str(bad), "--models", write(tmp_path, []))
    assert result.exit_code == 2
    assert f"capspec: the capability spec {bad} is invalid" in result.output


def test_every_kind_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"`{kind}`" in readme, kind


# --- live, from a loopback server --------------------------------------------------------


@pytest.fixture
def server():
    with ApiServer() as running:
        yield running


def test_the_live_listing_is_fetched_with_the_key_as_a_bearer_token(spec, server, drifted):
    listing, removed = drifted
    server.routes["GET", LISTING_PATH] = Answer(200, listing)
    result = run("--models", server.url + LISTING_PATH, env={"TOGETHER_API_KEY": KEY})
    assert result.exit_code == 1, result.output
    assert f"unlisted_model {removed}" in result.output
    assert "new_model acme-labs/imagine-9" in result.output
    [seen] = server.received
    assert (seen.method, seen.path) == ("GET", LISTING_PATH)
    assert seen.headers["authorization"] == f"Bearer {KEY}"
    assert seen.headers["user-agent"].startswith("capspec/")


def test_the_live_listing_of_the_served_models_is_no_drift(spec, server):
    server.routes["GET", LISTING_PATH] = Answer(200, listing_of(served(spec)))
    result = run("--models", server.url + LISTING_PATH, "-f", "json", env={"TOGETHER_API_KEY": KEY})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ok"] is True


def test_without_a_key_nothing_is_sent(server):
    server.routes["GET", LISTING_PATH] = Answer(200, [])
    result = run("--models", server.url + LISTING_PATH, env={"TOGETHER_API_KEY": " "})
    assert result.exit_code == 2
    assert "TOGETHER_API_KEY is not set" in result.output
    assert server.received == []


def test_a_refused_key_exits_2_with_the_api_message(server):
    error = {"error": {"message": "Invalid API key provided", "type": "invalid_request_error"}}
    server.routes["GET", LISTING_PATH] = Answer(401, error)
    result = run("--models", server.url + LISTING_PATH, env={"TOGETHER_API_KEY": KEY})
    assert result.exit_code == 2
    assert "answered 401 Unauthorized: Invalid API key provided" in result.output
    assert "is TOGETHER_API_KEY a valid key?" in result.output
    assert len(server.received) == 1  # no retry


def test_a_server_error_exits_2_after_one_attempt(server):
    server.routes["GET", LISTING_PATH] = Answer(503, b"upstream down")
    result = run("--models", server.url + LISTING_PATH, env={"TOGETHER_API_KEY": KEY})
    assert result.exit_code == 2
    assert "answered 503 Service Unavailable: upstream down" in result.output
    assert len(server.received) == 1


def test_a_slow_server_times_out(server):
    server.routes["GET", LISTING_PATH] = Answer(200, [], delay=30)
    result = run(
        "--models", server.url + LISTING_PATH, "--timeout", "0.2", env={"TOGETHER_API_KEY": KEY}
    )
    assert result.exit_code == 2
    assert "no answer within 0.2 s (--timeout)" in result.output


def test_a_malformed_answer_exits_2(server):
    server.routes["GET", LISTING_PATH] = Answer(200, b'{"truncated": [')
    result = run("--models", server.url + LISTING_PATH, env={"TOGETHER_API_KEY": KEY})
    assert result.exit_code == 2
    assert "not valid JSON" in result.output


def test_a_redirect_is_not_followed(server):
    elsewhere = f"{server.url}/elsewhere"
    server.routes["GET", LISTING_PATH] = Answer(302, b"", headers={"Location": elsewhere})
    server.routes["GET", "/elsewhere"] = Answer(200, [])
    result = run("--models", server.url + LISTING_PATH, env={"TOGETHER_API_KEY": KEY})
    assert result.exit_code == 2
    assert f"a redirect to {elsewhere}; capspec does not follow redirects" in result.output
    assert [seen.path for seen in server.received] == [LISTING_PATH]


def test_nothing_listens_exits_2(server):
    url = server.url + LISTING_PATH
    server.__exit__()
    result = run("--models", url, env={"TOGETHER_API_KEY": KEY})
    assert result.exit_code == 2
    assert "cannot connect" in result.output


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://api.example.com/v1/models", "plain http is refused for a host other than this"),
        ("ftp://127.0.0.1/models.json", "only https (or http to a loopback address)"),
        ("file:///etc/passwd", "only https (or http to a loopback address)"),
        ("https:///v1/models", "the URL names no host"),
    ],
)
def test_unsafe_urls_are_refused_before_connecting(url, message):
    result = run("--models", url, env={"TOGETHER_API_KEY": KEY})
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("10.0.0.1", False),
        ("localhost.example.com", False),
        ("api.together.xyz", False),
    ],
)
def test_is_loopback(host, loopback):
    from validator.drift._fetch import is_loopback

    assert is_loopback(host) is loopback


def test_the_openapi_url_is_sent_no_key(server):
    doc = (DATA / "openapi.yaml").read_bytes()
    server.routes["GET", "/openapi.yaml"] = Answer(200, doc)
    result = run(
        "--spec",
        str(DATA / "spec.yaml"),
        "--openapi",
        server.url + "/openapi.yaml",
        env={"TOGETHER_API_KEY": KEY},
    )
    assert result.exit_code == 1, result.output
    [seen] = server.received
    assert "authorization" not in seen.headers


def test_drift_is_not_imported_by_validator():
    import subprocess
    import sys

    code = (
        "import sys, validator, validator.cli._app; "
        "print(sorted(m for m in sys.modules if m.startswith(('urllib.request', 'http.client', "
        "'validator.drift._fetch', 'validator.drift._drift'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_kinds_are_the_ones_compared():
    assert set(KINDS) == {
        "new_model",
        "unlisted_model",
        "relisted_model",
        "type_mismatch",
        "missing_endpoint",
        "new_parameter",
        "missing_parameter",
        "type_differs",
        "enum_differs",
        "bound_differs",
        "deprecated_parameter",
    }

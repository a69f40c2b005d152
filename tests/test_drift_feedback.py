"""Feedback from real traffic: Together answers 4xx to a request capspec passed.

Through the real Together SDK (``wrap``) and httpx (transports and response
hooks), against a loopback server that answers as Together does. The caller
must get exactly what it would have got without capspec; capspec logs a
warning and appends one JSON line to ``$CAPSPEC_DRIFT_LOG``.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import threading

import httpx
import pytest
import together
from apiserver import Answer, ApiServer

from validator import RequestError
from validator.drift import _driftlog
from validator.integrations.httpx import (
    AsyncPreflightTransport,
    PreflightTransport,
    async_request_hook,
    async_response_hook,
    request_hook,
    response_hook,
)
from validator.integrations.together import wrap

FLUX2_PRO = "black-forest-labs/FLUX.2-pro"
SCHNELL = "black-forest-labs/FLUX.1-schnell"
IMAGES = "/v1/images/generations"
MESSAGE = "Invalid parameter detected. The parameter 'width' is not supported for this model."
REFUSAL = {"error": {"message": MESSAGE, "type": "invalid_request_error", "param": "width"}}
OK = {"id": "x", "object": "list", "data": [{"index": 0, "url": "https://example.com/a.png"}]}
REQUEST = {"model": FLUX2_PRO, "prompt": "a cat", "width": 1024, "height": 768}
SDK_MAJOR = int(together.__version__.split(".")[0])


@pytest.fixture
def server():
    with ApiServer() as running:
        yield running


@pytest.fixture
def drift_log(tmp_path, monkeypatch):
    path = tmp_path / "drift.jsonl"
    monkeypatch.setenv("CAPSPEC_DRIFT_LOG", str(path))
    return path


def records(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def warnings_of(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "validator.integrations"]


def check_record(entry, via, status=400):
    assert entry["via"] == via
    assert entry["status"] == status
    assert entry["model"] == FLUX2_PRO
    assert entry["params"]["width"] == 1024
    assert entry["params"]["height"] == 768
    assert entry["params"]["prompt"] == "a cat"
    assert "model" not in entry["params"]
    assert entry["message"] == MESSAGE
    assert entry["url"].endswith(IMAGES)
    assert entry["time"].endswith("Z")


def check_warning(caplog, status=400):
    [message] = [m for m in warnings_of(caplog) if "may be out of date" in m]
    assert f"Together answered {status} to a request capspec passed" in message
    assert f"model {FLUX2_PRO}" in message
    assert '"width": 1024' in message
    assert MESSAGE in message


# --- the Together SDK ------------------------------------------------------------------


def base_url(server):
    return server.url if SDK_MAJOR >= 3 else f"{server.url}/v1"


def sync_client(server):
    return together.Together(api_key="k", base_url=base_url(server), max_retries=0)


def async_client(server):
    return together.AsyncTogether(api_key="k", base_url=base_url(server), max_retries=0)


@pytest.fixture(params=["sync", "async"])
def generate(request, server):
    """wrap(client).images.generate(**params), sync or async; the SDK's error propagates."""

    def sync_generate(**params):
        with wrap(sync_client(server)) as client:
            return client.images.generate(**params)

    def async_generate(**params):
        async def run():
            async with wrap(async_client(server)) as client:
                return await client.images.generate(**params)

        return asyncio.run(run())

    return sync_generate if request.param == "sync" else async_generate


def test_wrap_reports_a_refusal_and_raises_the_sdks_error(generate, server, drift_log, caplog):
    server.routes["POST", IMAGES] = Answer(400, REFUSAL)
    with pytest.raises(together.BadRequestError) as caught:
        generate(**REQUEST)
    assert caught.value.status_code == 400
    assert caught.value.body == REFUSAL["error"] or caught.value.body == REFUSAL
    [entry] = records(drift_log)
    check_record(entry, "together.wrap")
    check_warning(caplog)


def test_the_sdks_error_is_the_same_with_and_without_wrap(server, drift_log):
    server.routes["POST", IMAGES] = Answer(400, REFUSAL)
    with pytest.raises(together.BadRequestError) as bare:
        sync_client(server).images.generate(**REQUEST)
    with pytest.raises(together.BadRequestError) as wrapped:
        wrap(sync_client(server)).images.generate(**REQUEST)
    assert type(bare.value) is type(wrapped.value)
    assert str(bare.value) == str(wrapped.value)
    assert bare.value.body == wrapped.value.body
    assert len(records(drift_log)) == 1  # only the wrapped call is capspec's


def test_wrap_reports_through_the_raw_response_view(server, drift_log):
    server.routes["POST", IMAGES] = Answer(400, REFUSAL)
    with pytest.raises(together.BadRequestError):
        wrap(sync_client(server)).images.with_raw_response.generate(**REQUEST)
    [entry] = records(drift_log)
    check_record(entry, "together.wrap")


def test_extra_body_parameters_are_in_the_record(server, drift_log):
    server.routes["POST", IMAGES] = Answer(422, {"message": "aspect_ratio is not supported"})
    kontext = "black-forest-labs/FLUX.1-kontext-pro"
    with pytest.raises(together.UnprocessableEntityError):
        wrap(sync_client(server)).images.generate(model=kontext, prompt="a", aspect_ratio="16:9")
    [entry] = records(drift_log)
    assert entry["params"]["aspect_ratio"] == "16:9"
    assert entry["message"] == "aspect_ratio is not supported"
    assert entry["status"] == 422


@pytest.mark.parametrize("status", [401, 403, 429])
def test_account_and_rate_errors_are_not_drift(server, drift_log, caplog, status):
    server.routes["POST", IMAGES] = Answer(status, {"error": {"message": "no"}})
    with pytest.raises(together.APIStatusError):
        wrap(sync_client(server)).images.generate(**REQUEST)
    assert records(drift_log) == []
    assert not [m for m in warnings_of(caplog) if "may be out of date" in m]


def test_a_success_and_a_server_error_are_not_drift(server, drift_log):
    server.routes["POST", IMAGES] = Answer(200, OK)
    wrap(sync_client(server)).images.generate(**REQUEST)
    server.routes["POST", IMAGES] = Answer(500, {"error": {"message": "boom"}})
    with pytest.raises(together.InternalServerError):
        wrap(sync_client(server)).images.generate(**REQUEST)
    assert records(drift_log) == []


def test_a_request_capspec_refuses_is_never_sent_nor_reported(server, drift_log):
    server.routes["POST", IMAGES] = Answer(400, REFUSAL)
    with pytest.raises(RequestError):
        wrap(sync_client(server)).images.generate(model=FLUX2_PRO, prompt="a", negative_prompt="x")
    assert server.received == []
    assert records(drift_log) == []


def test_without_the_variable_only_the_warning(server, monkeypatch, caplog, tmp_path):
    monkeypatch.delenv("CAPSPEC_DRIFT_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    server.routes["POST", IMAGES] = Answer(400, REFUSAL)
    with pytest.raises(together.BadRequestError):
        wrap(sync_client(server)).images.generate(**REQUEST)
    check_warning(caplog)
    assert list(tmp_path.iterdir()) == []


def test_a_log_that_cannot_be_written_changes_nothing(server, monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("CAPSPEC_DRIFT_LOG", str(tmp_path))  # a directory
    server.routes["POST", IMAGES] = Answer(400, REFUSAL)
    with pytest.raises(together.BadRequestError):
        wrap(sync_client(server)).images.generate(**REQUEST)
    assert any(f"cannot append to CAPSPEC_DRIFT_LOG={tmp_path}" in m for m in warnings_of(caplog))


# --- httpx: transports and response hooks -------------------------------------------------


def post(server, mode, kind, **kwargs):
    """POST REQUEST through a client with the transport or the hooks, sync or async."""
    if mode == "sync":
        options = (
            {"transport": PreflightTransport()}
            if kind == "transport"
            else {"event_hooks": {"request": [request_hook()], "response": [response_hook()]}}
        )
        with httpx.Client(base_url=server.url, **options) as client:
            response = client.post(IMAGES, **kwargs)
            response.read()
            return response
    options = (
        {"transport": AsyncPreflightTransport()}
        if kind == "transport"
        else {
            "event_hooks": {
                "request": [async_request_hook()],
                "response": [async_response_hook()],
            }
        }
    )

    async def run():
        async with httpx.AsyncClient(base_url=server.url, **options) as client:
            response = await client.post(IMAGES, **kwargs)
            await response.aread()
            return response

    return asyncio.run(run())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("kind", ["transport", "hook"])
def test_httpx_reports_a_refusal_and_returns_the_same_response(
    server, drift_log, caplog, mode, kind
):
    server.routes["POST", IMAGES] = Answer(400, REFUSAL, headers={"X-Request-Id": "r-1"})
    response = post(server, mode, kind, json=REQUEST)
    assert response.status_code == 400
    assert response.json() == REFUSAL
    assert response.headers["x-request-id"] == "r-1"
    assert response.headers["content-length"] == str(len(json.dumps(REFUSAL)))
    [entry] = records(drift_log)
    check_record(entry, f"httpx.{kind}")
    check_warning(caplog)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_transport_passes_an_encoded_refusal_through_byte_for_byte(server, drift_log, mode):
    raw = gzip.compress(json.dumps(REFUSAL).encode())
    server.routes["POST", IMAGES] = Answer(400, raw, headers={"Content-Encoding": "gzip"})
    response = post(server, mode, "transport", json=REQUEST)
    assert response.json() == REFUSAL
    assert records(drift_log)[0]["message"] == MESSAGE


def test_the_transport_leaves_raw_streaming_intact(server, drift_log):
    raw = gzip.compress(json.dumps(REFUSAL).encode())
    server.routes["POST", IMAGES] = Answer(400, raw, headers={"Content-Encoding": "gzip"})
    with (
        httpx.Client(base_url=server.url, transport=PreflightTransport()) as client,
        client.stream("POST", IMAGES, json=REQUEST) as response,
    ):
        assert b"".join(response.iter_raw()) == raw
    assert len(records(drift_log)) == 1


@pytest.mark.parametrize("kind", ["transport", "hook"])
def test_httpx_does_not_report_success_or_other_paths(server, drift_log, kind):
    server.routes["POST", IMAGES] = Answer(200, OK)
    server.routes["POST", "/v1/chat/completions"] = Answer(400, REFUSAL)
    assert post(server, "sync", kind, json=REQUEST).status_code == 200
    with httpx.Client(base_url=server.url, transport=PreflightTransport()) as client:
        assert client.post("/v1/chat/completions", json={"x": 1}).status_code == 400
    assert records(drift_log) == []


def test_a_response_hook_alone_skips_bodies_capspec_would_refuse(server, drift_log):
    server.routes["POST", IMAGES] = Answer(400, REFUSAL)
    hooks = {"response": [response_hook()]}
    with httpx.Client(base_url=server.url, event_hooks=hooks) as client:
        client.post(IMAGES, json={"model": FLUX2_PRO, "prompt": "a", "negative_prompt": "x"})
        client.post(IMAGES, content=b"not json", headers={"content-type": "text/plain"})
    assert records(drift_log) == []


def test_together_sdk_through_the_transport_reports_too(server, drift_log):
    server.routes["POST", IMAGES] = Answer(400, REFUSAL)
    http_client = httpx.Client(transport=PreflightTransport())
    client = together.Together(
        api_key="k", base_url=base_url(server), max_retries=0, http_client=http_client
    )
    with client, pytest.raises(together.BadRequestError) as caught:
        client.images.generate(**REQUEST)
    assert MESSAGE in str(caught.value)
    [entry] = records(drift_log)
    check_record(entry, "httpx.transport")


# --- the record and the file ---------------------------------------------------------------


def test_long_strings_are_cut_in_the_record():
    entry = _driftlog.record(
        via="t", status=400, body={"model": "m", "prompt": "x" * 5000}, message="m"
    )
    assert entry["params"]["prompt"] == "x" * 200 + "... (5,000 characters)"


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        (400, True),
        (404, True),
        (413, True),
        (422, True),
        (401, False),
        (403, False),
        (407, False),
        (408, False),
        (429, False),
        (200, False),
        (500, False),
        (399, False),
    ],
)
def test_which_statuses_are_refusals(status, refusal):
    assert _driftlog.is_refusal(status) is refusal


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"error": {"message": "bad width"}}', "bad width"),
        ('{"error": "bad width"}', "bad width"),
        ('{"message": "bad width"}', "bad width"),
        ('{"detail": "x"}', '{"detail": "x"}'),
        ("<html>\n  Bad   Request\n</html>", "<html> Bad Request </html>"),
    ],
)
def test_the_api_message(text, message):
    assert _driftlog.api_message(text) == message


def test_concurrent_appends_never_interleave(tmp_path):
    path = str(tmp_path / "log.jsonl")
    big = "y" * 3000  # lines longer than a pipe buffer's atomic size still land whole

    def writer(n):
        for i in range(50):
            _driftlog.append(path, {"writer": n, "i": i, "pad": big})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = (tmp_path / "log.jsonl").read_text().splitlines()
    assert len(lines) == 400
    assert sorted((e["writer"], e["i"]) for e in map(json.loads, lines)) == [
        (n, i) for n in range(8) for i in range(50)
    ]


def test_the_log_file_is_appended_not_replaced(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text('{"earlier": true}\n')
    _driftlog.append(str(path), {"later": True})
    assert path.read_text() == '{"earlier": true}\n{"later": true}\n'


def test_the_warning_goes_to_the_integrations_logger(caplog):
    with caplog.at_level(logging.WARNING, logger="validator.integrations"):
        _driftlog.report_refusal(via="t", status=400, body={"model": "m"}, message="no")
    assert warnings_of(caplog)

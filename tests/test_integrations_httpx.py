"""The httpx hooks and transports, against a loopback server that records what reaches it."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import together
from loopback import Loopback

import validator
from validator import RequestError
from validator.integrations.httpx import (
    AsyncPreflightTransport,
    PreflightTransport,
    async_request_hook,
    is_image_generation,
    request_hook,
)

FLUX2_PRO = "black-forest-labs/FLUX.2-pro"
SCHNELL = "black-forest-labs/FLUX.1-schnell"
KONTEXT = "black-forest-labs/FLUX.1-kontext-pro"
INVALID = {"model": FLUX2_PRO, "prompt": "a cat", "negative_prompt": "dogs"}
IMAGES = "/v1/images/generations"


@pytest.fixture
def server():
    with Loopback() as running:
        yield running


def sync_post(server, client_options, path, **kwargs):
    with httpx.Client(base_url=server.url, **client_options) as client:
        return client.post(path, **kwargs)


def async_post(server, client_options, path, **kwargs):
    async def run():
        async with httpx.AsyncClient(base_url=server.url, **client_options) as client:
            return await client.post(path, **kwargs)

    return asyncio.run(run())


@pytest.fixture(params=["sync", "async"])
def hooked(request, server):
    """POST through a client with the request hook (sync or async), for a policy."""

    def post(path, policy="strict", **kwargs):
        if request.param == "sync":
            hooks = {"request": [request_hook(policy=policy)]}
            return sync_post(server, {"event_hooks": hooks}, path, **kwargs)
        hooks = {"request": [async_request_hook(policy=policy)]}
        return async_post(server, {"event_hooks": hooks}, path, **kwargs)

    return post


@pytest.fixture(params=["sync", "async"])
def transported(request, server):
    """POST through a client with the preflight transport (sync or async), for a policy."""

    def post(path, policy="strict", **kwargs):
        if request.param == "sync":
            transport = PreflightTransport(policy=policy)
            return sync_post(server, {"transport": transport}, path, **kwargs)
        transport = AsyncPreflightTransport(policy=policy)
        return async_post(server, {"transport": transport}, path, **kwargs)

    return post


# Hooks check.


def test_hook_stops_an_invalid_body_before_it_is_sent(hooked, server):
    with pytest.raises(RequestError) as caught:
        hooked(IMAGES, json=INVALID)
    assert [p.code for p in caught.value.problems] == ["unsupported_parameter"]
    assert server.received == []


def test_hook_lets_a_valid_body_through_unchanged(hooked, server):
    response = hooked(IMAGES, json={"model": SCHNELL, "prompt": "a cat"})
    assert response.status_code == 200
    assert response.json()["data"][0]["url"] == "https://example.com/a.png"
    assert server.bodies == [{"model": SCHNELL, "prompt": "a cat"}]


def test_hook_under_drop_lets_a_droppable_parameter_through_without_removing_it(hooked, server):
    hooked(IMAGES, policy="drop", json=INVALID)
    assert server.bodies == [INVALID]


def test_hook_ignores_other_paths_methods_and_non_json_bodies(hooked, server):
    hooked("/v1/chat/completions", json=INVALID)
    hooked(IMAGES, content=b"not json", headers={"Content-Type": "application/json"})
    hooked(
        IMAGES, content=b"model=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert [r.path for r in server.received] == ["/v1/chat/completions", IMAGES, IMAGES]


def test_hook_reads_streamed_bodies(server):
    def chunks():
        yield json.dumps(INVALID).encode()

    with pytest.raises(RequestError):
        sync_post(server, {"event_hooks": {"request": [request_hook()]}}, IMAGES, content=chunks())
    assert server.received == []


def test_a_json_array_is_an_error_not_a_crash(hooked, server):
    with pytest.raises(RequestError):
        hooked(IMAGES, json=[INVALID])
    assert server.received == []


# Transports check and rewrite.


def test_transport_stops_an_invalid_body(transported, server):
    with pytest.raises(RequestError):
        transported(IMAGES, json=INVALID)
    assert server.received == []


# JSON may carry a lone surrogate as an escape; once decoded it cannot be sent as UTF-8.
ESCAPED_SURROGATE = b'{"model": "%s", "prompt": "a\\ud800b"}' % FLUX2_PRO.encode()


def test_transport_refuses_a_string_that_cannot_be_encoded(transported, server):
    assert json.loads(ESCAPED_SURROGATE)["prompt"] == "a\ud800b"
    with pytest.raises(RequestError) as caught:
        transported(IMAGES, content=ESCAPED_SURROGATE, headers={"Content-Type": "application/json"})
    [problem] = caught.value.problems
    assert (problem.code, problem.path) == ("invalid_unicode", "$.prompt")
    assert server.received == []


def test_hook_refuses_a_string_that_cannot_be_encoded(hooked, server):
    with pytest.raises(RequestError) as caught:
        hooked(IMAGES, content=ESCAPED_SURROGATE, headers={"Content-Type": "application/json"})
    assert [p.code for p in caught.value.problems] == ["invalid_unicode"]
    assert server.received == []


def test_transport_sends_the_normalized_body(transported, server):
    response = transported(
        IMAGES, json={"model": SCHNELL, "prompt": "a cat"}, headers={"X-Trace": "t"}
    )
    assert response.status_code == 200
    [received] = server.received
    assert received.body == validator.preflight({"model": SCHNELL, "prompt": "a cat"})
    assert received.body["steps"] == 4
    assert received.body["width"] == 1024
    assert received.headers["x-trace"] == "t"
    assert received.headers["content-type"] == "application/json"
    assert int(received.headers["content-length"]) == len(
        json.dumps(received.body, separators=(",", ":"))
    )


def test_transport_drops_under_drop(transported, server):
    transported(IMAGES, policy="drop", json=INVALID)
    [body] = server.bodies
    assert "negative_prompt" not in body
    assert body["prompt"] == "a cat"


def test_transport_passes_other_requests_untouched(transported, server):
    transported("/v1/chat/completions", json=INVALID)
    assert server.bodies == [INVALID]


def test_transport_keeps_an_already_normalized_request():
    sent = []

    class Recording(httpx.BaseTransport):
        def handle_request(self, request):
            sent.append(request)
            return httpx.Response(200, json={})

    body = validator.preflight({"model": KONTEXT, "prompt": "a cat", "aspect_ratio": "16:9"})
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/images/generations", json=body)
    PreflightTransport(Recording()).handle_request(request)
    assert sent == [request]


def test_is_image_generation():
    url = "http://127.0.0.1:9"
    assert is_image_generation(httpx.Request("POST", f"{url}/v1/images/generations"))
    assert is_image_generation(httpx.Request("POST", f"{url}/images/generations/?x=1"))
    assert not is_image_generation(httpx.Request("GET", f"{url}/v1/images/generations"))
    assert not is_image_generation(httpx.Request("POST", f"{url}/v1/images/generations/x"))


def test_policy_is_checked_when_the_hook_is_made():
    for make in (request_hook, async_request_hook, PreflightTransport, AsyncPreflightTransport):
        with pytest.raises(ValueError, match="policy"):
            make(policy="lenient")


# Any httpx-based SDK can opt in: the Together SDK with an injected httpx client.


def together_client(server, http_client):
    base_url = server.url if int(together.__version__.split(".")[0]) >= 3 else f"{server.url}/v1"
    return together.Together(api_key="k", base_url=base_url, max_retries=0, http_client=http_client)


def test_together_sdk_through_the_transport(server):
    http_client = httpx.Client(transport=PreflightTransport(policy="drop"))
    with together_client(server, http_client) as client:
        client.images.generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
        client.images.generate(model=SCHNELL, prompt="a cat")
    first, second = server.bodies
    assert "negative_prompt" not in first
    assert second["steps"] == 4


def test_together_sdk_turns_a_hook_error_into_its_connection_error(server):
    http_client = httpx.Client(event_hooks={"request": [request_hook()]})
    with (
        together_client(server, http_client) as client,
        pytest.raises(together.APIConnectionError) as caught,
    ):
        client.images.generate(**INVALID)
    assert isinstance(caught.value.__cause__, RequestError)
    assert server.received == []

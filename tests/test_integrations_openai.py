"""The OpenAI Python SDK pointed at Together, checked by ``PreflightTransport``, on loopback.

People call Together through OpenAI's SDK (``base_url`` set to Together's). The SDK
takes an ``http_client``: an ``httpx.Client`` with capspec's transport checks every
image request. What each SDK does with the transport's ``RequestError`` differs,
and these tests pin it down: OpenAI's (3.15 and later) re-raises it as it is, at
once; Together's retries and wraps it in ``APIConnectionError``.
"""

from __future__ import annotations

import asyncio

import httpx
import openai
import pytest
import together
from loopback import Loopback

from validator import RequestError
from validator.integrations.httpx import AsyncPreflightTransport, PreflightTransport
from validator.integrations.together import wrap

KONTEXT = "black-forest-labs/FLUX.1-kontext-pro"


class Counting(PreflightTransport):
    """A transport that counts the requests the SDK hands it (retries included)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return super().handle_request(request)


@pytest.fixture
def server():
    with Loopback() as running:
        yield running


def openai_client(server, transport, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(
        api_key="k",
        base_url=f"{server.url}/v1",
        http_client=httpx.Client(transport=transport),
        **kwargs,
    )


def test_the_openai_sdk_sends_the_normalized_request(server):
    client = openai_client(server, PreflightTransport(policy="drop"))
    response = client.images.generate(
        model=KONTEXT,
        prompt="a lighthouse at dusk",
        extra_body={"aspect_ratio": "16:9", "width": 1024},  # width: ignored by Kontext
    )
    assert response.data[0].url == "https://example.com/a.png"
    (received,) = server.received
    assert received.path == "/v1/images/generations"
    assert received.headers["authorization"] == "Bearer k"
    body = received.body
    assert body["aspect_ratio"] == "16:9"
    assert "width" not in body  # dropped under drop
    assert body["output_format"] == "jpeg"  # a default filled


def test_the_openai_sdk_re_raises_the_request_error_as_it_is_without_retrying(server):
    transport = Counting()
    client = openai_client(server, transport, max_retries=2)
    with pytest.raises(RequestError) as caught:
        client.images.generate(model="black-forest-labs/FLUX.2-pro", prompt="a cat", n=9)
    assert [p.code for p in caught.value.problems] == ["out_of_range"]
    assert not isinstance(caught.value, openai.APIConnectionError)
    assert transport.calls == 1  # not retried
    assert server.received == []


def test_the_together_sdk_retries_and_wraps_it_in_api_connection_error(server):
    transport = Counting()
    client = together.Together(
        api_key="k",
        base_url=server.url,
        max_retries=1,
        http_client=httpx.Client(transport=transport),
    )
    with pytest.raises(together.APIConnectionError) as caught:
        client.images.generate(model="black-forest-labs/FLUX.2-pro", prompt="a cat", n=9)
    assert isinstance(caught.value.__cause__, RequestError)
    assert transport.calls == 2  # the first try and one retry
    assert server.received == []


def test_the_async_openai_sdk_with_the_async_transport(server):
    async def main() -> None:
        client = openai.AsyncOpenAI(
            api_key="k",
            base_url=f"{server.url}/v1",
            http_client=httpx.AsyncClient(transport=AsyncPreflightTransport()),
        )
        await client.images.generate(model=KONTEXT, prompt="a cat")
        with pytest.raises(RequestError):
            await client.images.generate(model=KONTEXT, prompt="a cat", n=9)
        await client.close()

    asyncio.run(main())
    assert [r.body["model"] for r in server.received] == [KONTEXT]


def test_a_sync_transport_in_an_async_client_is_a_clear_error(server):
    async def main() -> None:
        async with httpx.AsyncClient(transport=PreflightTransport()) as client:
            await client.post(f"{server.url}/v1/images/generations", json={"model": KONTEXT})

    with pytest.raises(TypeError) as caught:
        asyncio.run(main())
    assert str(caught.value) == (
        "PreflightTransport is for httpx.Client; give httpx.AsyncClient an AsyncPreflightTransport"
    )
    assert server.received == []


def test_an_async_transport_in_a_sync_client_is_a_clear_error(server):
    client = httpx.Client(transport=AsyncPreflightTransport())
    with pytest.raises(TypeError) as caught:
        client.post(f"{server.url}/v1/images/generations", json={"model": KONTEXT})
    # and at once, as a context manager
    with pytest.raises(TypeError), httpx.Client(transport=AsyncPreflightTransport()):
        pass
    assert str(caught.value) == (
        "AsyncPreflightTransport is for httpx.AsyncClient; give httpx.Client a PreflightTransport"
    )
    assert server.received == []


@pytest.mark.parametrize("thing", [object(), None, "together", httpx.Client()])
def test_wrap_refuses_what_is_not_an_sdk_client(thing):
    with pytest.raises(TypeError) as caught:
        wrap(thing)
    message = str(caught.value)
    assert message.startswith("wrap() takes a Together SDK client")
    assert type(thing).__name__ in message
    assert "PreflightTransport" in message

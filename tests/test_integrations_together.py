"""wrap() with the real together SDK, against a loopback server that records what reaches it."""

from __future__ import annotations

import asyncio
import inspect
import logging
import subprocess
import sys

import pytest
import together
from loopback import Loopback
from together.resources.images import AsyncImagesResource, ImagesResource
from together.types import ImageFile

import validator
from validator import RequestError
from validator.integrations import together as integration
from validator.integrations.together import wrap

FLUX2_PRO = "black-forest-labs/FLUX.2-pro"
FLUX2_DEV = "black-forest-labs/FLUX.2-dev"
SCHNELL = "black-forest-labs/FLUX.1-schnell"
KONTEXT = "black-forest-labs/FLUX.1-kontext-pro"
KLING = "kwaivgI/kling-2.1-pro"

# together 3 puts /v1 in each method's path and its base URL is the bare host;
# together 2 has base URL .../v1 and paths without it. Either way the request
# reaches /v1/images/generations.
SDK_MAJOR = int(together.__version__.split(".")[0])
IMAGES_PATH = "/v1/images/generations"


@pytest.fixture
def server():
    with Loopback() as running:
        yield running


def base_url(server: Loopback) -> str:
    return server.url if SDK_MAJOR >= 3 else f"{server.url}/v1"


def sync_client(server: Loopback, **options) -> together.Together:
    return together.Together(
        api_key="test-key", base_url=base_url(server), max_retries=0, **options
    )


def async_client(server: Loopback, **options) -> together.AsyncTogether:
    return together.AsyncTogether(
        api_key="test-key", base_url=base_url(server), max_retries=0, **options
    )


@pytest.fixture(params=["sync", "async"])
def generate(request, server):
    """Call wrap(client).images.generate(**params) with a sync or an async client."""

    def sync_generate(policy="strict", **params):
        with wrap(sync_client(server), policy=policy) as client:
            return client.images.generate(**params)

    def async_generate(policy="strict", **params):
        async def run():
            async with wrap(async_client(server), policy=policy) as client:
                assert inspect.iscoroutinefunction(client.images.generate)
                return await client.images.generate(**params)

        return asyncio.run(run())

    return sync_generate if request.param == "sync" else async_generate


# The four checks of the issue, each with the sync and the async client.


def test_invalid_call_raises_and_sends_nothing(generate, server):
    with pytest.raises(RequestError) as caught:
        generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
    codes = [(p.code, p.param) for p in caught.value.problems if p.severity == "error"]
    assert codes == [("unsupported_parameter", "negative_prompt")]
    assert server.received == []


def test_a_string_that_cannot_be_encoded_is_refused_not_a_unicode_error(generate, server):
    # Unchecked, the SDK raises UnicodeEncodeError while it encodes the body.
    with pytest.raises(RequestError) as caught:
        generate(model=FLUX2_PRO, prompt="a\ud800b")
    [problem] = caught.value.problems
    assert (problem.code, problem.path) == ("invalid_unicode", "$.prompt")
    assert "U+D800 at index 1" in problem.message
    assert server.received == []


def test_valid_call_arrives_with_defaults_filled_and_response_comes_back(generate, server):
    result = generate(model=SCHNELL, prompt="a cat")
    [received] = server.received
    assert received.method == "POST"
    assert received.path == IMAGES_PATH
    assert received.path.endswith("/images/generations")
    assert received.headers["authorization"] == "Bearer test-key"
    assert received.body["steps"] == 4
    assert received.body["width"] == 1024
    assert received.body == validator.preflight({"model": SCHNELL, "prompt": "a cat"})
    assert isinstance(result, ImageFile)
    assert result.id == "x"
    assert result.model == SCHNELL
    assert result.data[0].url == "https://example.com/a.png"


def test_aspect_ratio_keyword_reaches_the_server_for_kontext(generate, server):
    generate(model=KONTEXT, prompt="a cat", aspect_ratio="16:9")
    [body] = server.bodies
    assert body["aspect_ratio"] == "16:9"
    assert body["steps"] == 28
    assert "width" not in body
    assert "height" not in body


def test_drop_policy_sends_without_the_unsupported_parameter(generate, server):
    generate(policy="drop", model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
    [body] = server.bodies
    assert "negative_prompt" not in body
    assert body["model"] == FLUX2_PRO
    assert body["prompt"] == "a cat"


def test_kontext_width_and_height_as_togethers_docs_send_them_are_sent_with_a_warning(
    generate, server, caplog
):
    # Together's Kontext quickstart sends width/height; the API answers: strict mode
    # must not refuse it (issue 12).
    with caplog.at_level(logging.WARNING, logger="validator.integrations"):
        generate(
            model=KONTEXT,
            prompt="make his shirt yellow",
            width=1536,
            height=1024,
            image_url="https://github.com/nutlope.png",
        )
    [body] = server.bodies
    assert (body["width"], body["height"]) == (1536, 1024)
    assert "ignored_parameter" in caplog.text


def test_drop_policy_drops_ignored_parameters_too(generate, server):
    generate(policy="drop", model=KONTEXT, prompt="a cat", width=1536, height=1024)
    [body] = server.bodies
    assert "width" not in body and "height" not in body


# What travels how.


def test_parameters_without_an_sdk_keyword_travel_in_extra_body(server):
    with wrap(sync_client(server)) as client:
        client.images.generate(model=FLUX2_PRO, prompt="a cat", prompt_upsampling=False, seed=7)
    [body] = server.bodies
    assert body["prompt_upsampling"] is False
    assert body["seed"] == 7


def test_a_callers_extra_body_is_checked_and_sent(server):
    with wrap(sync_client(server)) as client:
        client.images.generate(model=KONTEXT, prompt="a cat", extra_body={"aspect_ratio": "3:2"})
        with pytest.raises(RequestError) as caught:
            client.images.generate(
                model=FLUX2_PRO, prompt="a cat", extra_body={"negative_prompt": "dogs"}
            )
    assert [p.code for p in caught.value.problems] == ["unsupported_parameter"]
    [body] = server.bodies
    assert body["aspect_ratio"] == "3:2"


def test_extra_body_wins_over_a_keyword_as_in_the_sdk(server):
    with wrap(sync_client(server)) as client:
        client.images.generate(model=SCHNELL, prompt="a cat", steps=2, extra_body={"steps": 8})
        with pytest.raises(RequestError):
            client.images.generate(model=SCHNELL, prompt="a cat", steps=2, extra_body={"steps": 0})
    [body] = server.bodies
    assert body["steps"] == 8


def test_extra_body_must_be_a_mapping(server):
    with wrap(sync_client(server)) as client, pytest.raises(TypeError, match="extra_body"):
        client.images.generate(model=SCHNELL, prompt="a cat", extra_body=["steps", 8])
    assert server.received == []


def test_transport_options_pass_through(server):
    with wrap(sync_client(server)) as client:
        client.images.generate(
            model=SCHNELL,
            prompt="a cat",
            extra_headers={"X-Trace": "abc"},
            extra_query={"tag": "t1"},
            timeout=5,
        )
    [received] = server.received
    assert received.headers["x-trace"] == "abc"
    assert received.path == f"{IMAGES_PATH}?tag=t1"
    assert "extra_headers" not in received.body
    assert "timeout" not in received.body


def test_sdk_not_given_markers_count_as_absent(server):
    with wrap(sync_client(server)) as client:
        client.images.generate(model=SCHNELL, prompt="a cat", seed=together.omit)
    [body] = server.bodies
    assert "seed" not in body


def test_fix_policy_renames_guidance_to_the_sdk_keyword(server, caplog):
    with wrap(sync_client(server), policy="fix") as client, caplog.at_level(logging.WARNING):
        client.images.generate(model=FLUX2_DEV, prompt="a cat", guidance=4.5)
    [body] = server.bodies
    assert body["guidance_scale"] == 4.5
    assert "guidance" not in body
    assert any("renamed_parameter" in r.getMessage() for r in caplog.records)


def test_warnings_are_logged_not_raised(server, caplog):
    with wrap(sync_client(server), policy="drop") as client, caplog.at_level(logging.WARNING):
        client.images.generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
    messages = [r.getMessage() for r in caplog.records if r.name == "validator.integrations"]
    assert any("parameter_dropped" in m and "negative_prompt" in m for m in messages)


def test_kling_is_a_video_model_and_never_reaches_the_image_endpoint(server):
    with wrap(sync_client(server)) as client, pytest.raises(RequestError) as caught:
        client.images.generate(
            model=KLING,
            prompt="a cat",
            media={"frame_images": [{"input_image": "https://example.com/a.png"}]},
        )
    [problem] = caught.value.problems
    assert (problem.code, problem.path) == ("invalid_value", "$.model")
    assert "videos" in problem.message
    assert server.received == []


def test_unknown_model_is_an_error(server):
    with wrap(sync_client(server)) as client, pytest.raises(RequestError) as caught:
        client.images.generate(model="black-forest-labs/flux.1-schnell", prompt="a cat")
    assert caught.value.problems[0].code == "unknown_model"
    assert server.received == []


# The wrapped client is the client everywhere else.


def test_other_client_attributes_pass_through(server):
    raw = sync_client(server)
    client = wrap(raw)
    assert client.api_key == "test-key"
    assert client.base_url == raw.base_url
    assert client.max_retries == 0
    assert client.models is raw.models
    assert client.chat is raw.chat
    assert client.videos is raw.videos
    assert client.images.with_raw_response is client.images.with_raw_response
    assert client.__wrapped__ is raw
    assert isinstance(client, together.Together)
    assert isinstance(client.images, ImagesResource)
    assert "images" in dir(client)
    assert "models" in dir(client)
    client.max_retries = 1  # set on the client itself
    assert raw.max_retries == 1
    client.close()
    assert raw.is_closed()


def test_with_options_and_copy_return_wrapped_clients(server):
    with wrap(sync_client(server), policy="drop") as client:
        for derived in (client.with_options(timeout=5), client.copy(max_retries=0)):
            assert derived.__wrapped__ is not client.__wrapped__
            assert derived._capspec_policy == "drop"
            derived.images.generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
        strict = wrap(client.with_options(timeout=5), policy="strict")
        with pytest.raises(RequestError):
            strict.images.generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
    assert len(server.bodies) == 2
    assert all("negative_prompt" not in body for body in server.bodies)


def test_raw_response_views_are_checked_too(server):
    invalid = {"model": FLUX2_PRO, "prompt": "a cat", "negative_prompt": "dogs"}
    with wrap(sync_client(server)) as client:
        with pytest.raises(RequestError):
            client.images.with_raw_response.generate(**invalid)
        with pytest.raises(RequestError):
            client.with_raw_response.images.generate(**invalid)
        with pytest.raises(RequestError), client.images.with_streaming_response.generate(**invalid):
            pass
        assert server.received == []
        response = client.images.with_raw_response.generate(model=SCHNELL, prompt="a cat")
        assert response.status_code == 200
        assert response.parse().data[0].url == "https://example.com/a.png"
        with client.images.with_streaming_response.generate(
            model=SCHNELL, prompt="a cat"
        ) as streamed:
            assert streamed.status_code == 200
    assert [body["steps"] for body in server.bodies] == [4, 4]


def test_async_client_passes_through_too(server):
    async def run():
        raw = async_client(server)
        async with wrap(raw) as client:
            assert isinstance(client, together.AsyncTogether)
            assert isinstance(client.images, AsyncImagesResource)
            assert client.api_key == "test-key"
            derived = client.with_options(timeout=5)
            with pytest.raises(RequestError):
                await derived.images.generate(model=FLUX2_PRO, prompt="a", negative_prompt="b")
            response = await client.images.with_raw_response.generate(model=SCHNELL, prompt="a")
            assert (await response.parse()).model == SCHNELL
        assert raw.is_closed()

    asyncio.run(run())
    [body] = server.bodies
    assert body["steps"] == 4


def test_two_clients_are_independent_and_the_sdk_is_not_patched(server):
    original_sync, original_async = ImagesResource.generate, AsyncImagesResource.generate
    first, second = sync_client(server), sync_client(server)
    strict, dropping = wrap(first), wrap(second, policy="drop")
    with pytest.raises(RequestError):
        strict.images.generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
    dropping.images.generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
    # The clients given stay unchecked, and so does any other client.
    first.images.generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
    sync_client(server).images.generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
    assert ImagesResource.generate is original_sync
    assert AsyncImagesResource.generate is original_async
    assert type(first.images) is ImagesResource
    bodies = server.bodies
    assert "negative_prompt" not in bodies[0]
    assert bodies[1] == {"model": FLUX2_PRO, "prompt": "a cat", "negative_prompt": "dogs"}
    assert bodies[2] == bodies[1]
    for client in (first, second):
        client.close()


def test_wrapping_twice_checks_once(server, monkeypatch):
    calls = []
    check = integration.check_images_body

    def counting(body, **kwargs):
        calls.append(body)
        return check(body, **kwargs)

    monkeypatch.setattr(integration, "check_images_body", counting)
    raw = sync_client(server)
    once = wrap(raw)
    assert wrap(once) is once
    twice = wrap(once, policy="drop")
    assert twice.__wrapped__ is raw
    twice.images.generate(model=FLUX2_PRO, prompt="a cat", negative_prompt="dogs")
    assert len(calls) == 1
    assert "negative_prompt" not in server.bodies[0]
    raw.close()


def test_wrap_rejects_what_it_cannot_serve():
    class Images:
        def generate(self, *, model, prompt, **kwargs):  # the legacy SDK's shape
            raise AssertionError

    class Legacy:
        images = Images()

    with pytest.raises(TypeError, match="together>=2"):
        wrap(Legacy())
    with pytest.raises(ValueError, match="policy"):
        wrap(together.Together(api_key="k", base_url="http://127.0.0.1:9"), policy="lenient")


def test_a_client_that_is_no_context_manager_still_wraps():
    class Images:
        def generate(self, *, model, prompt, steps=None, extra_body=None, timeout=None):
            return {"model": model, "prompt": prompt, "steps": steps, "extra_body": extra_body}

    class Plain:
        images = Images()

    client = wrap(Plain(), policy="drop")
    assert not hasattr(client, "__enter__")
    sent = client.images.generate(model=KONTEXT, prompt="a cat", aspect_ratio="1:1", widht=3)
    assert sent["steps"] == 28
    assert sent["extra_body"]["aspect_ratio"] == "1:1"
    assert "widht" not in sent["extra_body"]


def test_importing_validator_imports_neither_together_nor_httpx():
    code = (
        "import sys, validator, validator.integrations, validator.integrations.together\n"
        "assert 'together' not in sys.modules, 'together imported'\n"
        "assert 'httpx' not in sys.modules, 'httpx imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

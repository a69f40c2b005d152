"""Pre-flight for any httpx-based client: request event hooks and transports.

Two ways in, for ``httpx.Client`` and ``httpx.AsyncClient`` alike; both look only
at POSTs whose path ends with ``/images/generations`` and whose body is JSON, and
let every other request through untouched:

* Event hooks **check**: ``request_hook()`` / ``async_request_hook()`` read the
  JSON body and raise ``validator.RequestError`` before the request is sent when
  errors remain under the policy. A hook cannot replace the body, so it never
  rewrites it: with ``policy="drop"`` a parameter the model does not take is not
  an error, but it is still sent. Use ``"strict"`` with hooks::

      client = httpx.Client(event_hooks={"request": [request_hook()]})

* Transports **check and rewrite**: ``PreflightTransport`` /
  ``AsyncPreflightTransport`` wrap the transport that sends, and send the
  normalized body (defaults filled; under ``drop`` and ``fix``, parameters
  dropped or repaired)::

      client = httpx.Client(transport=PreflightTransport(policy="drop"))

  Given no transport to wrap, they build ``httpx.HTTPTransport()`` (or the async
  one); pass your own to keep its settings (proxies, retries, limits).

Inside an SDK, what becomes of the transport's ``RequestError`` depends on the SDK;
nothing is sent in any case:

* OpenAI's Python SDK (``openai`` 3.15 and later, pointed at Together with
  ``base_url``) re-raises it as it is, at once: it retries and wraps only httpx's
  own errors.
* Together's (``together`` 3.x), like ``openai`` before 3.15, retries it
  ``max_retries`` times, then raises its ``APIConnectionError`` with the
  ``RequestError`` as its ``__cause__``.
  For Together's SDK, ``validator.integrations.together.wrap`` is the better way:
  it raises ``RequestError`` itself, before the SDK is called.

A ``PreflightTransport`` given to an ``httpx.AsyncClient`` (or an
``AsyncPreflightTransport`` to an ``httpx.Client``) raises ``TypeError`` saying
which one to use.

When Together answers 4xx to a body capspec passed (but 401, 403, 407, 408 and
429, which are about the account or the connection), the transports, and the
``response_hook()`` / ``async_response_hook()`` response hooks, log a warning on
the ``validator.integrations`` logger with the model, the parameters sent and the
API's message (the spec may be out of date), and append it as one JSON line to
the file named by ``CAPSPEC_DRIFT_LOG``. The caller gets the same response.

Bodies that are not JSON, or not ``application/json``, are let through unchecked.
Install with ``pip install 'capspec[httpx]'``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Self

try:
    import httpx
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "validator.integrations.httpx needs httpx: pip install 'capspec[httpx]'"
    ) from exc

from validator.drift._driftlog import api_message, is_refusal, logger, report_refusal
from validator.errors import RequestError
from validator.integrations._core import IMAGES_PATH, check_images_body, resolve

if TYPE_CHECKING:
    from types import TracebackType

    from validator.check._normalize import Policy
    from validator.spec._spec import Spec

__all__ = [
    "AsyncPreflightTransport",
    "PreflightTransport",
    "async_request_hook",
    "async_response_hook",
    "is_image_generation",
    "request_hook",
    "response_hook",
]

SyncHook = Callable[[httpx.Request], None]
AsyncHook = Callable[[httpx.Request], Coroutine[Any, Any, None]]
SyncResponseHook = Callable[[httpx.Response], None]
AsyncResponseHook = Callable[[httpx.Response], Coroutine[Any, Any, None]]

_NO_BODY = object()


def is_image_generation(request: httpx.Request) -> bool:
    """Whether a request is a POST to an ``.../images/generations`` path.

    Args:
        request: The request about to be sent.

    Returns:
        True for ``POST`` to a path ending in ``/images/generations`` (a trailing
        slash allowed).
    """
    return request.method == "POST" and request.url.path.rstrip("/").endswith(IMAGES_PATH)


def request_hook(*, policy: Policy = "strict", spec: Spec | str | None = None) -> SyncHook:
    """A request event hook for ``httpx.Client`` that checks image-generation bodies.

    ``httpx.Client(event_hooks={"request": [request_hook()]})``: each POST to
    ``.../images/generations`` with a JSON body is checked before it is sent. The
    hook does not rewrite the body (use ``PreflightTransport`` for that).

    Args:
        policy: Decides what counts as an error (see ``validator.normalize``);
            ``"strict"`` suits hooks, which cannot drop what they let through.
        spec: A Spec, a path to a spec file, or None for the bundled spec.

    Returns:
        The hook, a function of the ``httpx.Request``.

    Raises:
        ValueError: ``policy`` is not one of the three policies.
    """
    resolved = resolve(policy, spec)

    def hook(request: httpx.Request) -> None:
        if is_image_generation(request):
            _check(request, request.read(), policy, resolved)

    return hook


def async_request_hook(*, policy: Policy = "strict", spec: Spec | str | None = None) -> AsyncHook:
    """A request event hook for ``httpx.AsyncClient``; see ``request_hook``.

    Args:
        policy: Decides what counts as an error (see ``validator.normalize``).
        spec: A Spec, a path to a spec file, or None for the bundled spec.

    Returns:
        The hook, a coroutine function of the ``httpx.Request``.

    Raises:
        ValueError: ``policy`` is not one of the three policies.
    """
    resolved = resolve(policy, spec)

    async def hook(request: httpx.Request) -> None:
        if is_image_generation(request):
            _check(request, await request.aread(), policy, resolved)

    return hook


def response_hook(*, policy: Policy = "strict", spec: Spec | str | None = None) -> SyncResponseHook:
    """A response event hook for ``httpx.Client``: report 4xx answers to bodies capspec passes.

    ``httpx.Client(event_hooks={"request": [request_hook()], "response": [response_hook()]})``.
    When Together answers 4xx (but 401, 403, 407, 408 and 429, which are about the
    account or the connection) to an image-generation body that has no errors
    under the policy, the hook logs a warning on the ``validator.integrations``
    logger (the spec may be out of date) and appends a JSON line to the file
    named by ``CAPSPEC_DRIFT_LOG``. It reads the response body (as httpx requires
    of hooks that look at it) and changes nothing else.

    Args:
        policy: The policy of the request hook it pairs with.
        spec: A Spec, a path to a spec file, or None for the bundled spec.

    Returns:
        The hook, a function of the ``httpx.Response``.

    Raises:
        ValueError: ``policy`` is not one of the three policies.
    """
    resolved = resolve(policy, spec)

    def hook(response: httpx.Response) -> None:
        request = response.request
        if is_image_generation(request) and is_refusal(response.status_code):
            response.read()
            _report_passed(request, response, policy, resolved)

    return hook


def async_response_hook(
    *, policy: Policy = "strict", spec: Spec | str | None = None
) -> AsyncResponseHook:
    """A response event hook for ``httpx.AsyncClient``; see ``response_hook``.

    Args:
        policy: The policy of the request hook it pairs with.
        spec: A Spec, a path to a spec file, or None for the bundled spec.

    Returns:
        The hook, a coroutine function of the ``httpx.Response``.

    Raises:
        ValueError: ``policy`` is not one of the three policies.
    """
    resolved = resolve(policy, spec)

    async def hook(response: httpx.Response) -> None:
        request = response.request
        if is_image_generation(request) and is_refusal(response.status_code):
            await response.aread()
            _report_passed(request, response, policy, resolved)

    return hook


_MISMATCH_SYNC = (
    "PreflightTransport is for httpx.Client; give httpx.AsyncClient an AsyncPreflightTransport"
)
_MISMATCH_ASYNC = (
    "AsyncPreflightTransport is for httpx.AsyncClient; give httpx.Client a PreflightTransport"
)


class PreflightTransport(httpx.BaseTransport):
    """A transport that checks image-generation bodies and sends them normalized.

    ``httpx.Client(transport=PreflightTransport(policy="drop"))``. Invalid bodies
    raise ``RequestError`` and are not sent; valid ones are sent as
    ``validator.preflight`` returns them; other requests pass through untouched.

    Args:
        transport: The transport that sends; ``httpx.HTTPTransport()`` when None.
        policy: ``"strict"``, ``"drop"`` or ``"fix"`` (see ``validator.normalize``).
        spec: A Spec, a path to a spec file, or None for the bundled spec.

    Raises:
        ValueError: ``policy`` is not one of the three policies.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        policy: Policy = "strict",
        spec: Spec | str | None = None,
    ) -> None:
        self._spec = resolve(policy, spec)
        self._policy: Policy = policy
        self.transport = transport if transport is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Check, and rewrite when normalizing changed it, then send.

        Raises:
            RequestError: the body has errors; nothing was sent.
        """
        if not is_image_generation(request):
            return self.transport.handle_request(request)
        request = _rewrite(request, request.read(), self._policy, self._spec)
        response = self.transport.handle_request(request)
        if not is_refusal(response.status_code):
            return response
        raw = b"".join(response.iter_raw())
        response.close()
        return _refused(request, response, raw, "httpx.transport")

    def close(self) -> None:
        """Close the wrapped transport."""
        self.transport.close()

    def __enter__(self) -> Self:
        self.transport.__enter__()
        return self

    # Given to httpx.AsyncClient by mistake: say so, rather than an AttributeError.
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Refuse: this transport is for ``httpx.Client``."""
        del request
        raise TypeError(_MISMATCH_SYNC)

    async def __aenter__(self) -> Self:
        """Refuse: this transport is for ``httpx.Client``."""
        raise TypeError(_MISMATCH_SYNC)

    async def aclose(self) -> None:
        """Close the wrapped transport (an ``httpx.AsyncClient`` closing it by mistake)."""
        self.transport.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        self.transport.__exit__(exc_type, exc_value, traceback)


class AsyncPreflightTransport(httpx.AsyncBaseTransport):
    """``PreflightTransport`` for ``httpx.AsyncClient``.

    Args:
        transport: The transport that sends; ``httpx.AsyncHTTPTransport()`` when None.
        policy: ``"strict"``, ``"drop"`` or ``"fix"`` (see ``validator.normalize``).
        spec: A Spec, a path to a spec file, or None for the bundled spec.

    Raises:
        ValueError: ``policy`` is not one of the three policies.
    """

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        policy: Policy = "strict",
        spec: Spec | str | None = None,
    ) -> None:
        self._spec = resolve(policy, spec)
        self._policy: Policy = policy
        self.transport = transport if transport is not None else httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Check, and rewrite when normalizing changed it, then send.

        Raises:
            RequestError: the body has errors; nothing was sent.
        """
        if not is_image_generation(request):
            return await self.transport.handle_async_request(request)
        request = _rewrite(request, await request.aread(), self._policy, self._spec)
        response = await self.transport.handle_async_request(request)
        if not is_refusal(response.status_code):
            return response
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
        return _refused(request, response, raw, "httpx.transport")

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.transport.aclose()

    # Given to httpx.Client by mistake: say so, rather than an AttributeError.
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Refuse: this transport is for ``httpx.AsyncClient``."""
        del request
        raise TypeError(_MISMATCH_ASYNC)

    def __enter__(self) -> Self:
        """Refuse: this transport is for ``httpx.AsyncClient``."""
        raise TypeError(_MISMATCH_ASYNC)

    def close(self) -> None:
        """Nothing to close synchronously (an ``httpx.Client`` closing it by mistake)."""

    async def __aenter__(self) -> Self:
        await self.transport.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.transport.__aexit__(exc_type, exc_value, traceback)


def _json_body(request: httpx.Request, content: bytes) -> Any:
    """The parsed JSON body, or ``_NO_BODY`` when it is not JSON (left unchecked)."""
    content_type = request.headers.get("content-type", "application/json").lower()
    if "json" not in content_type or request.headers.get("content-encoding"):
        return _NO_BODY
    try:
        return json.loads(content)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return _NO_BODY


def _check(request: httpx.Request, content: bytes, policy: Policy, spec: Spec) -> None:
    """Check a JSON body (raising ``RequestError``); let other bodies through."""
    body = _json_body(request, content)
    if body is not _NO_BODY:
        check_images_body(body, policy=policy, spec=spec)


def _rewrite(request: httpx.Request, content: bytes, policy: Policy, spec: Spec) -> httpx.Request:
    """The request to send: the same one, or a copy carrying the normalized body."""
    body = _json_body(request, content)
    if body is _NO_BODY:
        return request
    normalized = check_images_body(body, policy=policy, spec=spec)
    encoded = json.dumps(normalized, separators=(",", ":"), allow_nan=False).encode()
    if encoded == json.dumps(body, separators=(",", ":"), allow_nan=False).encode():
        return request  # nothing changed: the request goes as it came
    headers = [
        (name, value)
        for name, value in request.headers.multi_items()
        if name.lower() not in {"content-length", "transfer-encoding"}
    ]
    return httpx.Request(
        request.method,
        request.url,
        headers=headers,
        content=encoded,
        extensions=request.extensions,
    )


def _refused(
    request: httpx.Request, response: httpx.Response, raw: bytes, via: str
) -> httpx.Response:
    """Report a 4xx to a body the transport checked; return the same answer to the caller.

    The body was read off the wire (``raw``, still encoded as sent); the caller
    gets a response with the same status, headers, extensions and raw bytes.
    """
    again = httpx.Response(
        response.status_code,
        headers=response.headers,
        stream=httpx.ByteStream(raw),
        extensions=response.extensions,
        request=request,
    )
    try:
        body = _json_body(request, request.content)
        if body is not _NO_BODY:
            probe = httpx.Response(
                response.status_code, headers=response.headers, stream=httpx.ByteStream(raw)
            )
            probe.read()
            _report(request, probe, body, via)
    except Exception:  # noqa: BLE001 - reporting must never change what the caller gets
        logger.debug("capspec: could not report a refusal", exc_info=True)
    return again


def _report_passed(
    request: httpx.Request, response: httpx.Response, policy: Policy, spec: Spec
) -> None:
    """Report a 4xx when capspec passes the request's body (the hooks' case)."""
    try:
        body = _json_body(request, request.content)
        if body is _NO_BODY:
            return
        try:
            sent = check_images_body(body, policy=policy, spec=spec)
        except RequestError:
            return  # capspec would have refused it: a known error, not drift
        del sent  # a hook never rewrites: the body went as it came
        _report(request, response, body, "httpx.hook")
    except Exception:  # noqa: BLE001 - reporting must never change what the caller gets
        logger.debug("capspec: could not report a refusal", exc_info=True)


def _report(request: httpx.Request, response: httpx.Response, body: Any, via: str) -> None:
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):
        text = response.content.decode("utf-8", "replace")
    report_refusal(
        via=via,
        status=response.status_code,
        body=body,
        message=api_message(text),
        url=str(request.url),
    )

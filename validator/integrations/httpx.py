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

For the Together SDK, ``validator.integrations.together.wrap`` is the better way:
it raises ``RequestError`` itself. Inside an SDK built by Stainless (Together's,
OpenAI's), an exception raised while sending is retried ``max_retries`` times and
then re-raised as the SDK's ``APIConnectionError``, with the ``RequestError`` as
its ``__cause__``; nothing is sent in either case.

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

from validator.integrations._core import IMAGES_PATH, check_images_body, resolve

if TYPE_CHECKING:
    from types import TracebackType

    from validator._normalize import Policy
    from validator._spec import Spec

__all__ = [
    "AsyncPreflightTransport",
    "PreflightTransport",
    "async_request_hook",
    "is_image_generation",
    "request_hook",
]

SyncHook = Callable[[httpx.Request], None]
AsyncHook = Callable[[httpx.Request], Coroutine[Any, Any, None]]

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
        if is_image_generation(request):
            request = _rewrite(request, request.read(), self._policy, self._spec)
        return self.transport.handle_request(request)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.transport.close()

    def __enter__(self) -> Self:
        self.transport.__enter__()
        return self

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
        if is_image_generation(request):
            request = _rewrite(request, await request.aread(), self._policy, self._spec)
        return await self.transport.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.transport.aclose()

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

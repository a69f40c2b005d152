"""Pre-flight for the official Together Python SDK: one line, ``wrap(client)``.

>>> from together import Together  # doctest: +SKIP
>>> from validator.integrations.together import wrap  # doctest: +SKIP
>>> client = wrap(Together())  # doctest: +SKIP
>>> client.images.generate(model="black-forest-labs/FLUX.1-kontext-pro",
...                        prompt="a cat", aspect_ratio="16:9")  # doctest: +SKIP

This module never imports ``together``: it works on the client object it is
given, and learns which keywords ``images.generate`` takes from the method's own
signature, so SDK upgrades that add keywords keep working. It supports the
Stainless-generated SDK, ``together>=2`` (``pip install 'capspec[together]'``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from validator.drift._driftlog import is_refusal, logger, message_of, report_refusal
from validator.integrations._core import check_images_body, resolve

if TYPE_CHECKING:
    from validator.check._normalize import Policy
    from validator.spec._spec import Spec

__all__ = ["TRANSPORT_OPTIONS", "wrap"]

ClientT = TypeVar("ClientT")

#: Keywords of the SDK's methods that shape the HTTP call, not the JSON body.
#: They are passed through to the SDK untouched (``extra_body`` is merged into
#: the request first, so that it is checked too).
TRANSPORT_OPTIONS: Final = frozenset(
    {"extra_headers", "extra_query", "extra_body", "timeout", "idempotency_key"}
)

# Client attributes that return another client (rewrapped) or a view of this one
# (rebuilt around the wrapper, so that their images.generate is checked too).
_COPIES: Final = frozenset({"copy", "with_options"})
_VIEWS: Final = frozenset({"with_raw_response", "with_streaming_response"})


def wrap(client: ClientT, *, policy: Policy = "strict", spec: Spec | str | None = None) -> ClientT:
    """Return the client with every ``images.generate`` call checked before it is sent.

    ``client.images.generate(**params)`` then runs capspec's pre-flight first:

    * The call's keywords, with the caller's own ``extra_body`` merged in (it wins,
      as in the SDK), form the request; ``extra_headers``, ``extra_query``,
      ``timeout`` (and ``idempotency_key``) are transport options and pass through.
    * Invalid: ``validator.RequestError`` is raised (``.problems`` lists every
      problem) and no HTTP request is made.
    * Valid: the normalized request is sent, defaults filled (e.g. ``steps`` 4 on
      FLUX.1 Schnell), and the SDK's response is returned unchanged. Parameters
      the SDK has a keyword for go as keywords; the rest (``aspect_ratio``,
      ``prompt_upsampling``, ``guidance``, ...) go in ``extra_body``, so callers
      may pass them as plain keywords. Warnings (a retired model, what ``drop``
      or ``fix`` changed) are logged on the ``validator.integrations`` logger.

    When Together answers 4xx to a request capspec passed (but 401, 403, 407, 408
    and 429, which are about the account or the connection), a warning with the
    model, the parameters sent and the API's message (the spec may be out of
    date) is logged on ``validator.integrations`` and appended as one JSON line
    to the file named by ``CAPSPEC_DRIFT_LOG``; the SDK's error is raised as it
    was.

    Only ``images.generate`` is checked (also through ``with_raw_response`` and
    ``with_streaming_response``). Kling models are video models: Together serves
    them on its video API, so ``images.generate`` with a Kling model raises
    ``RequestError`` (``invalid_value`` on ``$.model``), and ``client.videos``
    calls pass through unchecked. Model ids missing from the spec (a dedicated
    endpoint, say) are ``unknown_model`` errors: call the unwrapped client,
    ``wrapped.__wrapped__``, for those.

    Everything else passes through to the client untouched: attributes,
    ``with`` / ``async with``, ``close()``. ``copy()`` and ``with_options()``
    return wrapped clients with the same policy. The result is a proxy: the
    client given is not modified (other clients, and that client itself, stay
    unchecked), and ``isinstance(wrapped, Together)`` still holds. Wrapping a
    wrapped client replaces its policy and spec; it never checks twice.

    Static type checkers see the client's own type, so they flag keywords the
    SDK lacks (``aspect_ratio=...``): at run time they are accepted; under a
    type checker, pass them in ``extra_body``.

    Args:
        client: A ``together.Together`` or ``together.AsyncTogether`` (``together>=2``).
        policy: ``"strict"`` (errors stay errors), ``"drop"`` (parameters the model
            does not take are removed) or ``"fix"`` (also repaired); see
            ``validator.normalize``.
        spec: A Spec from ``validator.load_spec``, a path to a spec file, or None
            for the bundled spec. Loaded once, here.

    Returns:
        The wrapped client.

    Raises:
        TypeError: ``client`` has no ``images.generate`` (not an SDK client), or it
            takes no ``extra_body`` keyword (not the ``together>=2`` SDK).
        ValueError: ``policy`` is not one of the three policies.
        validator.SpecError: ``spec`` is a path to a spec that cannot be used.
    """
    resolved = resolve(policy, spec)
    if isinstance(client, _Client):
        if client._capspec_policy == policy and client._capspec_spec is resolved:  # noqa: SLF001
            return client
        client = client.__wrapped__
    images = getattr(client, "images", None)
    if not callable(getattr(images, "generate", None)):
        raise TypeError(
            f"wrap() takes a Together SDK client (together.Together or together.AsyncTogether), "
            f"not {type(client).__name__}: it has no images.generate; for an httpx-based "
            "client such as OpenAI's SDK, use "
            "validator.integrations.httpx.PreflightTransport as its transport"
        )
    images_proxy = _images_proxy(images, policy, resolved)
    kind = type(client)
    proxy_class = _CLIENT_CLASSES[hasattr(kind, "__enter__"), hasattr(kind, "__aenter__")]
    return cast("ClientT", proxy_class(client, images_proxy, policy, resolved))


class _Proxy:
    """Delegates every attribute it does not define to the wrapped object."""

    _own: frozenset[str] = frozenset({"__wrapped__"})

    def __init__(self, wrapped: Any) -> None:
        object.__setattr__(self, "__wrapped__", wrapped)

    @property  # isinstance(proxy, WrappedClass) holds, as for wrapt's proxies
    def __class__(self) -> type:
        return type(self.__wrapped__)

    @__class__.setter
    def __class__(self, value: type) -> None:
        raise TypeError("cannot change the class of a capspec proxy")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped__, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._own:
            object.__setattr__(self, name, value)
        else:
            setattr(self.__wrapped__, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._own:
            object.__delattr__(self, name)
        else:
            delattr(self.__wrapped__, name)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self.__wrapped__)) | self._own)


class _Images(_Proxy):
    """``client.images`` with a checked ``generate``."""

    _own = frozenset({"__wrapped__", "_capspec", "with_raw_response", "with_streaming_response"})

    def __init__(
        self, images: Any, generate: Callable[..., Any], policy: Policy, spec: Spec
    ) -> None:
        super().__init__(images)
        object.__setattr__(self, "_capspec", (generate, _keywords(generate), policy, spec))

    def __repr__(self) -> str:
        return f"<capspec-checked {self.__wrapped__!r}>"

    @cached_property
    def with_raw_response(self) -> Any:
        """The SDK's raw-response view, built around this checked resource."""
        return type(self.__wrapped__.with_raw_response)(self)

    @cached_property
    def with_streaming_response(self) -> Any:
        """The SDK's streaming-response view, built around this checked resource."""
        return type(self.__wrapped__.with_streaming_response)(self)

    def _prepare(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Check the call's request and return the keywords to call the SDK with."""
        _, accepted, policy, spec = self._capspec
        options = {k: v for k, v in kwargs.items() if k in TRANSPORT_OPTIONS}
        request = {k: v for k, v in kwargs.items() if k not in options and not _omitted(v)}
        extra_body = options.pop("extra_body", None)
        if extra_body is not None:
            if not isinstance(extra_body, Mapping):
                raise TypeError(f"extra_body must be a mapping, not {type(extra_body).__name__}")
            request.update(extra_body)
        body = check_images_body(request, policy=policy, spec=spec)
        call = {k: v for k, v in body.items() if k in accepted}
        extra = {k: v for k, v in body.items() if k not in accepted}
        if extra:
            call["extra_body"] = extra
        call.update(options)
        return call


class _SyncImages(_Images):
    def generate(self, **params: Any) -> Any:
        """Check and normalize the request, then call the SDK's ``images.generate``.

        Args:
            **params: The request's parameters, any of them (those the SDK has no
                keyword for travel in ``extra_body``), and the SDK's transport options.

        Returns:
            What the SDK returns, unchanged.

        Raises:
            RequestError: the request has errors; nothing was sent.
        """
        call = self._prepare(params)
        try:
            return self._capspec[0](**call)
        except Exception as exc:
            _feedback(exc, call)
            raise


class _AsyncImages(_Images):
    async def generate(self, **params: Any) -> Any:
        """Check and normalize the request, then await the SDK's ``images.generate``.

        Args:
            **params: The request's parameters, any of them (those the SDK has no
                keyword for travel in ``extra_body``), and the SDK's transport options.

        Returns:
            What the SDK returns, unchanged.

        Raises:
            RequestError: the request has errors; nothing was sent.
        """
        call = self._prepare(params)
        try:
            return await self._capspec[0](**call)
        except Exception as exc:
            _feedback(exc, call)
            raise


class _Client(_Proxy):
    """A client whose ``images`` is checked; everything else is the client's."""

    _own = frozenset({"__wrapped__", "images", "_capspec_policy", "_capspec_spec"})

    def __init__(self, client: Any, images: _Images, policy: Policy, spec: Spec) -> None:
        super().__init__(client)
        object.__setattr__(self, "images", images)
        object.__setattr__(self, "_capspec_policy", policy)
        object.__setattr__(self, "_capspec_spec", spec)

    def __repr__(self) -> str:
        return f"<capspec wrap(policy={self._capspec_policy!r}) of {self.__wrapped__!r}>"

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.__wrapped__, name)
        if name in _COPIES and callable(value):
            return self._rewrapping(value)
        if name in _VIEWS:
            return type(value)(self)
        return value

    def _rewrapping(self, method: Callable[..., Any]) -> Callable[..., Any]:
        policy, spec = self._capspec_policy, self._capspec_spec

        def rewrapped(*args: Any, **kwargs: Any) -> Any:
            return wrap(method(*args, **kwargs), policy=policy, spec=spec)

        rewrapped.__doc__ = method.__doc__
        return rewrapped


class _SyncContextClient(_Client):
    def __enter__(self) -> Any:
        self.__wrapped__.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> Any:
        return self.__wrapped__.__exit__(*exc_info)


class _AsyncContextClient(_Client):
    async def __aenter__(self) -> Any:
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(self, *exc_info: object) -> Any:
        return await self.__wrapped__.__aexit__(*exc_info)


class _ContextClient(_SyncContextClient, _AsyncContextClient):
    """For a client that is both a context manager and an async one."""


_CLIENT_CLASSES: Final[dict[tuple[bool, bool], type[_Client]]] = {
    (False, False): _Client,
    (True, False): _SyncContextClient,
    (False, True): _AsyncContextClient,
    (True, True): _ContextClient,
}


def _images_proxy(images: Any, policy: Policy, spec: Spec) -> _Images:
    """Wrap ``client.images``: async ``generate`` gets an async checked one."""
    generate = images.generate
    proxy_class = _AsyncImages if inspect.iscoroutinefunction(generate) else _SyncImages
    return proxy_class(images, generate, policy, spec)


def _keywords(generate: Callable[..., Any]) -> frozenset[str]:
    """The request parameters ``images.generate`` takes as keywords, from its signature."""
    try:
        parameters = inspect.signature(generate).parameters
    except (TypeError, ValueError) as exc:
        raise TypeError(f"cannot read the signature of images.generate: {exc}") from exc
    if "extra_body" not in parameters:
        raise TypeError(
            "client.images.generate takes no extra_body keyword: "
            "wrap() needs the together>=2 SDK (pip install 'capspec[together]')"
        )
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return frozenset(
        name
        for name, parameter in parameters.items()
        if parameter.kind in named and name not in TRANSPORT_OPTIONS
    )


def _feedback(exc: Exception, call: Mapping[str, Any]) -> None:
    """Report the SDK's 4xx error for a request capspec passed; the error itself is untouched.

    The SDK's ``APIStatusError`` carries ``status_code``, ``body`` (the parsed JSON)
    and ``response``; anything else (a connection error) is not a refusal.
    """
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int) or not is_refusal(status):
        return
    try:
        body = {k: v for k, v in call.items() if k not in TRANSPORT_OPTIONS}
        extra = call.get("extra_body")
        if isinstance(extra, Mapping):
            body.update(extra)
        message = message_of(getattr(exc, "body", None))
        response = getattr(exc, "response", None)
        if message is None and response is not None:
            message = str(getattr(response, "text", "") or "")[:300]
        request = getattr(response, "request", None)
        url = getattr(request, "url", None)
        report_refusal(
            via="together.wrap",
            status=status,
            body=body,
            message=message or str(exc),
            url=str(url) if url is not None else None,
        )
    except Exception:  # noqa: BLE001 - reporting must never replace the SDK's own error
        logger.debug("capspec: could not report a refusal", exc_info=True)


def _omitted(value: Any) -> bool:
    """The SDK's own "not given" markers (``together.omit``, ``together.not_given``)."""
    return type(value).__name__ in {"Omit", "NotGiven"}

"""Read what ``capspec drift`` compares: a file, or one HTTP GET when given a URL.

This is the one module outside ``validator.integrations`` that may open a
connection (the README's security section says why, and tests/test_security.py
holds it to ``urllib`` and to this module). It is imported only by the
``capspec drift`` command, and only connects when that command is given a URL:

* https to any host; plain http only to a loopback address (127.0.0.0/8, ::1,
  ``localhost``), because a bearer key sent over http to another host can be read
  on the way. Other schemes (``file:``, ``ftp:``) are refused.
* One attempt, no retries: a refusal, a timeout or an error status is reported,
  never hidden. Redirects are not followed (a redirect could carry the key to
  another host); the error names where the server pointed.
* ``timeout`` bounds the whole request, connection to last byte; ``MAX_BYTES``
  bounds the answer.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Final, Protocol

from validator._version import __version__
from validator.drift._driftlog import api_message

#: The largest answer or file read (Together's listing and OpenAPI document are < 2 MB).
MAX_BYTES: Final = 64 * 1024 * 1024
#: Environment variable holding the Together API key sent with ``bearer=True``.
KEY_VARIABLE: Final = "TOGETHER_API_KEY"
_CHUNK: Final = 64 * 1024
_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost.localdomain"})


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class FetchError(Exception):
    """An input that cannot be read: the message says what and why, for the user."""


def is_url(text: str) -> bool:
    """Whether ``text`` is meant as a URL (it has a scheme such as ``https://``)."""
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.isascii() and scheme.isalpha()


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine's loopback."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read(source: str, *, timeout: float, bearer: bool = False) -> bytes:
    """The bytes of a file, or of the answer to one GET when ``source`` is a URL.

    Args:
        source: A path, ``-`` for standard input, or an http(s) URL.
        timeout: Seconds the whole request may take (URLs only).
        bearer: Send ``Authorization: Bearer $TOGETHER_API_KEY`` (URLs only); the
            variable must be set.

    Returns:
        The content, at most ``MAX_BYTES``.

    Raises:
        FetchError: the file cannot be read, the URL is refused, the request
            fails, times out or is answered with anything but 200.
    """
    if is_url(source):
        return _get(source, timeout=timeout, bearer=bearer)
    if source == "-":
        return _read_stdin()
    return _read_file(source)


def _read_stdin() -> bytes:
    stdin = getattr(sys.stdin, "buffer", None)
    try:
        content: bytes = (
            stdin.read(MAX_BYTES + 1)
            if stdin is not None
            else sys.stdin.read(MAX_BYTES + 1).encode("utf-8", "surrogateescape")
        )
    except OSError as exc:
        raise FetchError(f"standard input cannot be read: {exc.strerror or exc}") from None
    if len(content) > MAX_BYTES:
        raise FetchError(f"standard input: larger than {MAX_BYTES // (1024 * 1024)} MB")
    return content


def _read_file(source: str) -> bytes:
    path = Path(source)
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_BYTES + 1)
    except IsADirectoryError:
        raise FetchError(f"{source}: is a directory, not a file") from None
    except FileNotFoundError:
        raise FetchError(f"{source}: no such file") from None
    except OSError as exc:
        raise FetchError(f"{source}: cannot be read: {exc.strerror or exc}") from None
    if len(content) > MAX_BYTES:
        raise FetchError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MB")
    return content


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Turn every redirect into an error: the caller reports it."""

    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def _request(url: str, *, bearer: bool) -> urllib.request.Request:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in {"http", "https"}:
        raise FetchError(f"{url}: only https (or http to a loopback address) URLs are read")
    if not host:
        raise FetchError(f"{url}: the URL names no host")
    if scheme == "http" and not is_loopback(host):
        raise FetchError(
            f"{url}: plain http is refused for a host other than this machine "
            "(the request, and any key it carries, could be read on the way); use https"
        )
    headers = {"Accept": "application/json", "User-Agent": f"capspec/{__version__} (drift)"}
    if bearer:
        key = os.environ.get(KEY_VARIABLE, "").strip()
        if not key:
            raise FetchError(
                f"{url}: {KEY_VARIABLE} is not set; the model listing needs your Together "
                "API key (export TOGETHER_API_KEY=..., or pass a saved listing file)"
            )
        headers["Authorization"] = f"Bearer {key}"
    return urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 - scheme checked above


def _get(url: str, *, timeout: float, bearer: bool) -> bytes:
    request = _request(url, bearer=bearer)
    opener = urllib.request.build_opener(_NoRedirect)
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            return _body(url, response, deadline, timeout)
    except urllib.error.HTTPError as exc:
        with exc:  # an HTTPError holds the connection open until closed
            message = _status_message(url, exc)
        raise FetchError(message) from None
    except TimeoutError:
        raise FetchError(f"{url}: no answer within {timeout:g} s (--timeout)") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(f"{url}: no answer within {timeout:g} s (--timeout)") from None
        raise FetchError(f"{url}: cannot connect: {_reason(reason)}") from None
    except OSError as exc:  # reset connections, broken TLS after connecting
        raise FetchError(f"{url}: the connection failed: {_reason(exc)}") from None


def _body(url: str, response: _Readable, deadline: float, timeout: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(f"{url}: the answer took longer than {timeout:g} s (--timeout)")
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(f"{url}: the answer is larger than {MAX_BYTES // (1024 * 1024)} MB")
        chunks.append(chunk)


def _status_message(url: str, exc: urllib.error.HTTPError) -> str:
    status = f"{exc.code} {exc.reason}".strip()
    if 300 <= exc.code < 400:
        where = exc.headers.get("Location", "") if exc.headers else ""
        target = f" to {where}" if where else ""
        return f"{url}: answered {status}, a redirect{target}; capspec does not follow redirects"
    try:
        detail = exc.read(4096).decode("utf-8", "replace")
    except OSError:
        detail = ""
    message = api_message(detail)
    hint = ""
    if exc.code in {401, 403}:
        hint = f" (is {KEY_VARIABLE} a valid key?)"
    return f"{url}: answered {status}{': ' + message if message else ''}{hint}"


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__

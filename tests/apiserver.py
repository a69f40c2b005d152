"""A scripted loopback HTTP server, for the drift tests: it answers what it is told.

``ApiServer()`` listens on 127.0.0.1 (a port the system picks) in a thread. Set
``server.routes[(method, path)] = Answer(status, body, delay=..., headers=...)``;
anything else is answered 404. Every request is recorded in ``server.received``
(method, path, lower-cased headers, raw body). Nothing leaves the machine.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, NamedTuple

from loopback import Serving


class Answer(NamedTuple):
    """What the server sends back: a status, a body (bytes, or data sent as JSON)."""

    status: int
    body: Any = b""
    delay: float = 0.0
    headers: dict[str, str] = {}  # noqa: RUF012 - read-only

    def content(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


class Seen(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ApiServer(Serving):
    """The running server: ``url``, ``routes`` and ``received``."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Answer] = {}
        self.received: list[Seen] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    server.received.append(Seen(method, self.path, headers, raw))
                answer = server.routes.get((method, self.path), Answer(404, {"error": "no route"}))
                if answer.delay:
                    server._stop.wait(answer.delay)
                content = answer.content()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(content)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(content)
                except OSError:  # the client gave up (a timeout test)
                    pass

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
                pass

        super().__init__(Handler)

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()  # wake slow answers
        super().__exit__(*exc_info)

"""A loopback HTTP server that records what reaches it, for the integration tests.

It listens on 127.0.0.1 on a port the system picks, in a thread, and answers
every POST the way Together's image endpoint does. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Self


class Received(NamedTuple):
    """One request as it reached the server."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw bytes when it is not JSON


class Serving:
    """A ``ThreadingHTTPServer`` on 127.0.0.1 (a port the system picks), in a thread.

    ``with Serving(Handler) as s:`` serves ``s.url`` until the block ends; the
    scripted ``tests/apiserver.py`` server builds on it too.
    """

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port: int = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


class Loopback(Serving):
    """The running server: ``url``, ``port`` and ``received`` (a list, in arrival order)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw
                with loopback._lock:
                    loopback.received.append(
                        Received(
                            "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
                        )
                    )
                model = body.get("model") if isinstance(body, dict) else None
                answer = json.dumps(
                    {
                        "id": "x",
                        "model": model,
                        "object": "list",
                        "data": [{"index": 0, "url": "https://example.com/a.png", "type": "url"}],
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base signature
                pass

        super().__init__(Handler)

    @property
    def bodies(self) -> list[Any]:
        """The JSON bodies received, in order."""
        with self._lock:
            return [r.body for r in self.received]

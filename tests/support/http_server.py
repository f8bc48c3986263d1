"""A real threaded HTTP server on 127.0.0.1 for fetch tests: scripted replies per path and a request log.

GET and POST are answered alike (a POST's body is kept in the log).

    server.route("/api/daily_papers", Reply(status=429, headers={"Retry-After": "1"}), Reply(body=b"[]"))

Replies for a path are served in order; the last one repeats. `server.handle(prefix, fn)` computes the
reply of every other path under `prefix` from the logged request. Unknown paths answer 404.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

CONTENT_TYPES = {
    ".json": "application/json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xml": "application/atom+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    truncate_to: int | None = None  # announce the full length, send this many bytes, close

    @classmethod
    def file(
        cls,
        path: str | Path,
        content_type: str | None = None,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        truncate_to: int | None = None,
    ) -> Reply:
        """A fixture file as the body; Content-Type from its suffix unless given."""
        path = Path(path)
        content_type = content_type or CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        all_headers = {"Content-Type": content_type, **(headers or {})}
        return cls(status, path.read_bytes(), all_headers, delay=delay, truncate_to=truncate_to)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float
    body: bytes = b""  # the request body (POST)


class FixtureServer:
    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._handlers: list[tuple[str, Callable[[LoggedRequest], Reply]]] = []
        self._lock = threading.Lock()
        self.log: list[LoggedRequest] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fixture-http", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, *replies: Reply) -> None:
        """Script the replies for `path` (without query string): served in order, the last repeats."""
        if not replies:
            raise ValueError("route needs at least one reply")
        with self._lock:
            self._routes[path] = list(replies)

    def handle(self, prefix: str, compute: Callable[[LoggedRequest], Reply]) -> None:
        """Answer paths under `prefix` (without a scripted route) with `compute(request)`."""
        with self._lock:
            self._handlers.append((prefix, compute))

    def requests_to(self, path: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.log if r.path == path]

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_reply(self, request: LoggedRequest) -> Reply:
        path = request.path
        with self._lock:
            queue = self._routes.get(path)
            compute = next((fn for prefix, fn in self._handlers if path.startswith(prefix)), None)
            if queue:
                return queue.pop(0) if len(queue) > 1 else queue[0]
        if compute is not None:
            return compute(request)
        return Reply(status=404, body=b'{"error":"not found"}', headers={"Content-Type": "application/json"})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                self._answer("GET", b"")

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                self._answer("POST", self.rfile.read(length) if length else b"")

            def _answer(self, method: str, body: bytes) -> None:
                parts = urlsplit(self.path)
                logged = LoggedRequest(
                    method, parts.path, parse_qs(parts.query), dict(self.headers), time.monotonic(), body
                )
                with server._lock:
                    server.log.append(logged)
                reply = server._next_reply(logged)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    body = reply.body if reply.truncate_to is None else reply.body[: reply.truncate_to]
                    self.wfile.write(body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def http_server() -> Iterator[FixtureServer]:
    """A started FixtureServer on an ephemeral 127.0.0.1 port, stopped after the test."""
    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.stop()

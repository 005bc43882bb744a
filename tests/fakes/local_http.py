"""A threaded HTTP server on 127.0.0.1 (a free port) that answers GETs through one function, for
fakes of remote sources. Requests are recorded; answers may be delayed or streamed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Request:
    path: str  # with the query
    headers: dict[str, str]  # lower-case names


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait this long before answering (to outlast a client's timeout)
    chunks: Callable[[], Iterable[bytes]] | None = None  # called per request; streamed instead of `body`


class LocalHttpServer:
    def __init__(self, handle: Callable[[Request], Response]) -> None:
        self._handle = handle
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.requests: list[tuple[Request, int]] = []  # (request, status answered)
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the server is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def requested(self, path: str, status: int | None = None) -> int:
        """How many requests for `path` (with query) were answered (with `status`, if given)."""
        with self._lock:
            return sum(1 for r, s in self.requests if r.path == path and (status is None or s == status))

    def start(self) -> LocalHttpServer:
        owner = self

        class Handler(_Handler):
            server_owner = owner

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-http", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalHttpServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _record(self, request: Request, status: int) -> None:
        with self._lock:
            self.requests.append((request, status))


class _Handler(BaseHTTPRequestHandler):
    server_owner: LocalHttpServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        owner = self.server_owner
        request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
        response = owner._handle(request)
        owner._record(request, response.status)
        if response.delay_s and owner._stopping.wait(response.delay_s):
            return
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if response.chunks is None:
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)
                return
            if "Content-Length" not in response.headers:
                self.send_header("Connection", "close")
            self.end_headers()
            for chunk in response.chunks():
                if owner._stopping.is_set():
                    return
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should on an oversized page
        finally:
            if response.chunks is not None:
                self.close_connection = True

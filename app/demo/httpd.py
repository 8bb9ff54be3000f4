"""The loopback HTTP server: ``http.server`` threads, keep-alive, and faults acted out on the wire.

Faults need the socket: a dropped connection, a body cut short after the
headers promised more, a complete response whose JSON is truncated.  Open
connections are tracked so ``close`` can end idle keep-alive threads at once
instead of leaving them running after the backend stopped.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from app.demo.faults import FaultInjector
from app.demo.messages import OpsError, Request, Response
from app.demo.options import FAULTS_BEFORE

log = logging.getLogger(__name__)
API_PREFIXES = ("/api/", "/v1/")
MAX_BODY_BYTES = 1_000_000  # a write is a ticket event or a license: kilobytes


class DemoHTTPServer(ThreadingHTTPServer):
    """Binds 127.0.0.1 only; joins its handler threads on close."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, port: int, respond: Callable[[Request], Response], faults: FaultInjector) -> None:
        self.respond = respond
        self.faults = faults
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            (self._connections.add if open_ else self._connections.discard)(connection)

    def close(self) -> None:
        """Stop serving, hang up on idle keep-alive connections, wait for every handler thread."""
        self.shutdown()
        with self._connections_lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):  # already closed by the client
                    connection.shutdown(socket.SHUT_RDWR)
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: DemoHTTPServer
    # Headers and body go out in separate writes; with Nagle on, each keep-alive
    # response then waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections end on their own eventually

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        super().finish()

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)  # noqa: G003 - http.server's own %-format, args stay lazy

    def __getattr__(self, name: str) -> Callable[[], None]:
        """``do_<METHOD>`` for every method (TRACE, QUERY, …): the API answers it — a JSON 405 with
        ``Allow`` — instead of ``http.server``'s HTML 501 page."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """``http.server``'s own refusals (a malformed request line, headers too long) in the JSON error shape."""
        self.close_connection = True
        # A request line too broken to name a version reads as HTTP/0.9, whose answers carry no
        # status line or headers; no client speaks 0.9 any more: answer as HTTP/1.1.
        self.request_version = "HTTP/1.1"
        body = OpsError(code, "bad_request", message or "the request cannot be read").response().body
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def _serve(self) -> None:
        url = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Content-Length is not a number")
            return
        if not 0 <= length <= MAX_BODY_BYTES:
            self.send_error(413, f"a request body is at most {MAX_BODY_BYTES:,} bytes")
            return
        request = Request(
            method=self.command, path=url.path, query=parse_qs(url.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        fault = self.server.faults.draw() if url.path.startswith(API_PREFIXES) else None
        if fault == "slow":
            time.sleep(self.server.faults.options.slow_seconds)
        if fault == "disconnect":
            self._hang_up()
            return
        if fault in FAULTS_BEFORE:
            response = self.server.faults.refusal(fault, stripe=url.path.startswith("/v1/"))
        else:
            response = self._respond(request)
        body = response.body
        if fault == "bad_json":
            body = body[: len(body) // 2]
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body if fault == "cut_body" else body)))
        self.end_headers()
        if fault == "cut_body":
            self.wfile.write(body[: len(body) // 2])
            self._hang_up()
            return
        if self.command != "HEAD":  # HEAD: the headers GET would send, never a body
            self.wfile.write(body)

    def _respond(self, request: Request) -> Response:
        """The application's answer; a bug in it becomes a 500 in the Ops error shape, not a dropped socket."""
        try:
            return self.server.respond(request)
        except Exception:
            log.exception("demo backend failed on %s %s", request.method, request.path)
            return OpsError(500, "internal_error", "the demo backend failed; see its log").response()

    def _hang_up(self) -> None:
        self.close_connection = True
        self.wfile.flush()
        with contextlib.suppress(OSError):  # the client may have gone first
            self.connection.shutdown(socket.SHUT_RDWR)

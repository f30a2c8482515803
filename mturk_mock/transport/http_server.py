"""HTTP transport: the MTurk JSON protocol over HTTP, for the AWS CLI, curl and any SDK.

Every request is answered by the request pipeline (``pipeline.handle_request``) the in-process transport
uses, and written back with the same body bytes and headers as the in-process answer. The requester is the
access key of the SigV4 ``Authorization`` header (signatures are not verified); the marketplace is
the one the ``Host`` header names, else the server's own. Anything malformed gets a JSON error body;
no request can stop the server.
"""

from __future__ import annotations

import logging
import re
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..constants import DEFAULT_REQUESTER, MARKETPLACES, SANDBOX, TARGET_PREFIX
from ..model import errors
from ..model.errors import MTurkError
from ..model.world import World
from . import control
from .pipeline import Answer, handle_request, refuse
from .protocol import CONTENT_TYPE, encode_body, error_body, http_date, marketplace_for_host

if TYPE_CHECKING:
    from ..mock import MTurkMock

log = logging.getLogger("mturk_mock")

DEFAULT_HOST = "127.0.0.1"
MAX_BODY_BYTES = 1 << 20
DRAIN_LIMIT_BYTES = 16 << 20  # an oversized body up to this size is read and dropped, so the client sees the 413
CONNECTION_TIMEOUT = 60.0  # seconds a connection may stall in the middle of a request
STOP_TIMEOUT = 5.0  # seconds stop() waits for requests in flight
_CREDENTIAL = re.compile(r"\AAWS4-\S+\s.*?\bCredential=([^/,\s]+)/")
_TARGET = TARGET_PREFIX + "."
Connection = socket.socket | tuple[bytes, socket.socket]  # what socketserver hands a handler


def requester_from(authorization: str | None) -> str:
    """The access key of a SigV4 Authorization header; the default requester when unsigned or unparseable."""
    found = _CREDENTIAL.match(authorization or "")
    return found.group(1) if found else DEFAULT_REQUESTER


def marketplace_from(host: str | None, default: str) -> str:
    """sandbox or production when the Host header names its endpoint (any port), else ``default``."""
    return marketplace_for_host(host) or default


def operation_from(target: str | None) -> str:
    if target is None or not target.startswith(_TARGET) or target == _TARGET:
        message = (
            "Missing X-Amz-Target header"
            if target is None
            else f"X-Amz-Target {target!r} does not name an operation of {_TARGET}<Operation>"
        )
        raise errors.UNKNOWN_OPERATION(message=message)
    return target[len(_TARGET) :]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: MTurkServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.owner = owner
        self._live: dict[Connection, threading.Thread] = {}
        self._live_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look up the host's FQDN, which can wait seconds on DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Connection, client_address: Any) -> None:
        # Registered here, in the serving loop, so that after shutdown() every connection is known to stop().
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            daemon=True,
            name=f"mturk-mock-connection-{client_address}",
        )
        with self._live_lock:
            self._live[request] = thread
        thread.start()

    def shutdown_request(self, request: Connection) -> None:
        with self._live_lock:
            self._live.pop(request, None)
        super().shutdown_request(request)

    def handle_error(self, request: Connection, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # the client went away or stalled: nothing to report
            log.debug("mturk_mock server: connection from %s failed", client_address, exc_info=True)
        else:
            log.exception("mturk_mock server failed on a connection from %s", client_address)

    def close_connections(self, timeout: float) -> None:
        """End idle keep-alive connections; requests in flight still get their answer."""
        with self._live_lock:
            live = list(self._live.items())
        for connection, _ in live:
            try:
                if isinstance(connection, socket.socket):
                    connection.shutdown(socket.SHUT_RD)  # a handler waiting for the next request sees end-of-stream
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for _, thread in live:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: SDKs reuse their connections
    default_request_version = "HTTP/1.0"  # so even a garbled request line gets a status line and headers
    server_version = "mturk_mock"
    disable_nagle_algorithm = True  # headers and body are two writes: Nagle plus delayed ACK would add ~40 ms
    timeout = CONNECTION_TIMEOUT
    server: _Server

    def do_POST(self) -> None:
        self._responded = False
        try:
            self._answer()
        except OSError:
            raise  # the connection itself failed: nobody to answer
        except Exception as exc:
            log.exception("mturk_mock server failed on %r", self.requestline)
            if not self._responded:
                self.close_connection = True
                self._send_error(errors.SERVICE_ERROR(message=f"mturk_mock server error: {exc!r}"))

    def __getattr__(self, name: str) -> Callable[[], None]:
        # http.server looks up do_<METHOD> for every request method; all but POST get a 405.
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _answer(self) -> None:
        try:
            body = self._read_body()
            path = urlsplit(self.path).path
            if path.startswith(control.CONTROL_PREFIX):  # the mock's own control endpoint, not an MTurk call
                owner = self.server.owner
                self._send(*control.http_answer(owner.handle.faults, path, body), owner.world.ids.request_id())
                return
            if path != "/":
                raise errors.HTTP_NOT_FOUND(message=f"No MTurk endpoint at {self.path!r}; POST to /")
        except MTurkError as error:
            self._send_error(error)
            return
        owner = self.server.owner
        marketplace = marketplace_from(self.headers.get("Host"), owner.marketplace)
        requester = requester_from(self.headers.get("Authorization"))
        target = self.headers.get("X-Amz-Target")
        body = body if body.strip() else b"{}"
        # The call is logged before the answer is written, so a client that has its answer finds it in the log.
        try:
            operation = operation_from(target)
        except MTurkError as error:
            self._send_answer(refuse(owner.handle, marketplace, requester, target or "", body, error))
            return
        self._send_answer(handle_request(owner.handle, marketplace, requester, operation, body))

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise errors.HTTP_LENGTH_REQUIRED(
                message="Send the body with a Content-Length header; chunked bodies are not supported"
            )
        declared = self.headers.get("Content-Length")
        if declared is None:
            return b""  # HTTP/1.1: no Content-Length and no Transfer-Encoding means no body
        declared = declared.strip()
        if not (declared.isascii() and declared.isdigit()):
            self.close_connection = True
            raise errors.HTTP_BAD_REQUEST(message=f"Content-Length {declared!r} is not a byte count")
        length = int(declared)
        if length > MAX_BODY_BYTES:
            self._discard(length)
            raise errors.HTTP_TOO_LARGE(
                message=f"The request body is {length} bytes; the limit is {MAX_BODY_BYTES} bytes"
            )
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            raise errors.HTTP_BAD_REQUEST(message="The request body is shorter than its Content-Length")
        return body

    def _discard(self, length: int) -> None:
        """Read and drop a body that will not be used, so the connection stays in step; too big: close instead."""
        if length > DRAIN_LIMIT_BYTES:
            self.close_connection = True
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                self.close_connection = True
                return
            length -= len(chunk)

    def _method_not_allowed(self) -> None:
        self._responded = False
        self.close_connection = True  # any body was not read
        self._send_error(
            errors.HTTP_METHOD_NOT_ALLOWED(message=f"Method {self.command} is not allowed; MTurk requests are POST /"),
            ("Allow", "POST"),
        )

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (malformed request line, oversized headers) as JSON, not HTML."""
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        self._send_error(errors.http_refusal(code, message or HTTPStatus(code).phrase))

    def _send_error(self, error: MTurkError, *headers: tuple[str, str]) -> None:
        """An HTTP-level refusal: the request never became an MTurk call, so it is not in the call log."""
        world = self.server.owner.world
        body = encode_body(error_body(error, world.clock.now_ms()))
        self._send(error.spec.status, body, world.ids.request_id(), *headers)

    def _send_answer(self, answer: Answer) -> None:
        status, _wire, body, request_id = answer[:4]
        self._send(status, body, request_id)

    def _send(self, status: int, body: bytes, request_id: str, *headers: tuple[str, str]) -> None:
        self._responded = True
        self.send_response_only(status)
        self.send_header("x-amzn-RequestId", request_id)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Date", http_date(self.server.owner.world.clock.now()))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.log_request(status, len(body))

    def log_message(self, format: str, *args: object) -> None:
        if self.server.owner.verbose:
            super().log_message(format, *args)


class MTurkServer:
    """The mock behind an HTTP endpoint, answering from ``handle.world`` and logging to ``handle.calls``.

    The handle must not be active: the in-process hook would answer this process's own clients
    before they reach the server. ``port=0`` picks a free port; the socket is bound on construction,
    so ``url`` is known at once. ``marketplace`` (default: the handle's) answers requests whose Host
    names neither MTurk endpoint.
    """

    def __init__(
        self,
        handle: MTurkMock | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        marketplace: str | None = None,
        verbose: bool = False,
    ) -> None:
        if handle is None:
            from ..mock import MTurkMock  # the public handle, only for this convenience

            handle = MTurkMock(marketplace=marketplace or SANDBOX)
        marketplace = marketplace or handle.default_marketplace
        if marketplace not in MARKETPLACES:
            raise ValueError(f"marketplace must be one of {', '.join(MARKETPLACES)}, not {marketplace!r}")
        self._check_inactive(handle)
        self.handle = handle
        self.marketplace = marketplace
        self.verbose = verbose
        self._httpd = _Server((host, port), self)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._looping = False
        self._closed = False

    @property
    def world(self) -> World:
        return self.handle.world

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> MTurkServer:
        """Serve from a background daemon thread; returns self."""
        self._claim_loop()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"mturk-mock-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until stop() is called elsewhere or KeyboardInterrupt; then close."""
        self._claim_loop()
        try:
            self._httpd.serve_forever(poll_interval=0.1)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish, close every connection. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._looping:
            self._httpd.shutdown()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._httpd.server_close()
        self._httpd.close_connections(STOP_TIMEOUT)

    def __enter__(self) -> MTurkServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<MTurkServer {self.url} marketplace={self.marketplace}>"

    def _claim_loop(self) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("this server was stopped; create a new MTurkServer")
            if self._looping:
                raise RuntimeError("this server is already serving")
            self._check_inactive(self.handle)
            self._looping = True

    @staticmethod
    def _check_inactive(handle: MTurkMock) -> None:
        if handle.active:
            raise ValueError("serve an inactive MTurkMock: an active one answers this process's clients in-process")

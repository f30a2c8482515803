"""HTTP transport: the MTurk JSON protocol (``http_app.MTurkApp``) served by waitress.

waitress reads each request completely in one I/O thread (no thread per connection, so slow clients cost
a socket, not a thread) before it is answered: in that thread while the model is free, else by a bounded
pool of workers (``http_channel.Dispatcher``). Around it this module adds what a shared test environment
needs: JSON refusals for malformed framing and oversized headers, a request timeout (a request must
arrive whole within it) and an idle timeout, making room at the connection limit by closing the
connections quiet the longest (a flood of idle or stalled connections never keeps a working client out),
and a graceful stop that answers every request already received, refuses partial ones and closes the rest.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from ..constants import MARKETPLACES, SANDBOX
from ..model import errors
from ..model.errors import MTurkError
from ..model.journal import Recorder
from ..model.outbox import Outbox
from ..model.world import World
from .http_app import MAX_BODY_BYTES, MTurkApp, marketplace_from, requester_from
from .http_channel import (  # waitress's names come through http_channel, which explains a missing waitress
    Adjustments,
    Channel,
    Dispatcher,
    Error,
    LengthRequired,
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
    RequestTimeout,
    ShuttingDown,
    TcpWSGIServer,
    wasyncore,
)

if TYPE_CHECKING:
    from ..mock import MTurkMock

__all__ = ["MAX_BODY_BYTES", "STOP_TIMEOUT", "Limits", "MTurkServer", "marketplace_from", "requester_from"]

log = logging.getLogger("mturk_mock")
logging.getLogger("mturk_mock.server.queue").setLevel(logging.ERROR)  # "task queue depth" is load, not a fault

DEFAULT_HOST = "127.0.0.1"
STOP_TIMEOUT = 5.0  # seconds stop() waits for requests in flight
NOTIFY_TIMEOUT = 2.0  # seconds stop() gives the notifications of answered calls to go out
ACCEPT_BATCH = 64  # connections accepted per readiness of the listening socket
SHED_GRACE = 0.1  # seconds a connection is safe from being closed to make room


@dataclass(frozen=True)
class Limits:
    """What one server allows a client; the defaults suit a shared test environment."""

    threads: int = 4  # workers answering requests (the model is behind one lock: more would only contend)
    connections: int = 1000  # open connections; at it, those quiet the longest make room (capped by the fd limit)
    backlog: int = 1024  # connections the kernel queues before they are accepted
    request_timeout: float = 30.0  # seconds from a request's first byte to its last; then 408 and close
    idle_timeout: float = 60.0  # seconds a connection may wait for its next request, or stall reading an answer
    header_bytes: int = 16 << 10  # request line and headers (Node's default); more is a 431
    drain_bytes: int = 4 << 20  # a body over the 1 MiB limit up to this size is read, so the 413 keeps the connection


class _Server(TcpWSGIServer):
    channel_class = Channel

    def __init__(self, app: MTurkApp, sock: socket.socket, limits: Limits) -> None:
        self.app, self.limits = app, limits
        self.world = app.handle.world
        self.socket_map: dict[int, Any] = {}
        self.draining = False
        self.drained = threading.Event()
        self.halt = False
        self.connection_limit = _connection_limit(limits.connections)
        self.check_interval = max(0.05, min(1.0, limits.request_timeout / 4, limits.idle_timeout / 4))
        self.next_check = 0.0
        self.paused_until = 0.0  # accepting paused: at the connection limit, and nothing to close yet
        host, port = sock.getsockname()[:2]
        adjustments = Adjustments(
            listen=f"[{host}]:{port}" if ":" in host else f"{host}:{port}",  # numeric: nothing is looked up
            backlog=limits.backlog,
            max_request_header_size=limits.header_bytes,
            max_request_body_size=max(limits.drain_bytes, MAX_BODY_BYTES + 1),
            outbuf_high_watermark=1 << 30,  # an answer is written whole; a worker never waits for the I/O thread
            ident="mturk_mock",
            log_socket_errors=False,  # clients that go away are not faults
            clear_untrusted_proxy_headers=False,  # no proxy-header middleware: nothing reads them
        )
        self.dispatcher = dispatcher = Dispatcher(app.handle.world)
        dispatcher.queue_logger = logging.getLogger("mturk_mock.server.queue")
        super().__init__(
            app,
            cast(Any, self.socket_map),
            _sock=sock,
            dispatcher=dispatcher,
            adj=adjustments,
            sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
            bind_socket=False,
        )

    def refusal_for(self, error: Error) -> MTurkError:
        limits = self.limits
        if isinstance(error, RequestEntityTooLarge):
            message = f"The request body is over {limits.drain_bytes} bytes; the limit is {MAX_BODY_BYTES} bytes"
        elif isinstance(error, RequestHeaderFieldsTooLarge):
            message = f"The request line and headers are over {limits.header_bytes} bytes"
        elif isinstance(error, RequestTimeout):
            message = f"The request did not arrive whole within {limits.request_timeout:g} seconds"
        elif isinstance(error, (ShuttingDown, LengthRequired)):
            message = error.body
        else:
            message = f"Malformed HTTP request: {error.body}"
        return errors.http_refusal(error.code, message)

    def pull_trigger_with(self, thunk: Any) -> None:
        """Run ``thunk`` in the I/O thread, which owns the connections."""
        cast(Any, self.trigger).pull_trigger(thunk)

    def channels(self) -> list[Channel]:
        return list(cast(dict[int, Channel], self.active_channels).values())

    def open_connections(self) -> int:
        return len(cast(dict[int, Channel], self.active_channels))

    def readable(self) -> bool:  # replaces waitress's connection limit, which stops accepting altogether
        return self.accepting and not self.draining and time.time() >= self.paused_until

    def handle_accept(self) -> None:
        # Accept what is queued, not one per poll: a flood must not fill the backlog ahead of a working client.
        # At the limit, make room by closing the connections quiet the longest (idle, stalled or silent ones),
        # never one quiet for less than SHED_GRACE: a working client has sent its request by then.
        quiet: list[Channel] | None = None
        for _ in range(ACCEPT_BATCH):
            if self.open_connections() >= self.connection_limit:
                if quiet is None:
                    cutoff = time.time() - SHED_GRACE
                    quiet = [c for c in self.channels() if not c.busy and c.last_activity < cutoff]
                    quiet.sort(key=lambda c: c.last_activity, reverse=True)
                if not quiet:
                    if self._accept_only_if_ready():
                        continue
                    self.paused_until = time.time() + SHED_GRACE / 2  # until a connection has been quiet long enough
                    return
                quiet.pop().handle_close()
            before = self.open_connections()
            super().handle_accept()
            if self.open_connections() == before:
                return  # nothing left to accept

    def _accept_only_if_ready(self) -> bool:
        """At the limit with nothing quiet long enough to close: accept the next queued connection and keep
        it only if a whole request head is already waiting on it (a working client sends its request as
        it connects; a flood's connections send nothing or a fragment), closing the connection quiet the
        longest to make room. So a working client queued behind a flood is reached at accept speed, not
        SHED_GRACE at a time. Whether a connection was accepted."""
        before = set(cast(dict[int, Channel], self.active_channels).values())
        super().handle_accept()
        new = [channel for channel in self.channels() if channel not in before]
        if not new:
            return False
        channel = new[0]
        waiting = b""
        if channel.socket is not None:
            try:
                waiting = channel.socket.recv(self.limits.header_bytes, socket.MSG_PEEK)  # the socket does not block
            except OSError:  # nothing yet (BlockingIOError), or gone
                pass
        if b"\r\n\r\n" not in waiting:
            channel.handle_close()
            return True
        others = [other for other in self.channels() if other is not channel and not other.busy]
        if others:
            min(others, key=lambda other: other.last_activity).handle_close()
        return True

    def handle_error(self) -> None:  # waitress's would close the listening socket
        if isinstance(sys.exc_info()[1], OSError):  # out of file descriptors, or the client gave up: keep listening
            log.debug("mturk_mock server: accepting a connection failed", exc_info=True)
        else:
            log.exception("mturk_mock server: accepting a connection failed")

    def run_loop(self) -> None:
        """The I/O thread: poll, then enforce the timeouts or, once stopping, drain."""
        while not self.halt:
            try:
                wasyncore.poll2(self._poll_timeout(), self.socket_map)
                self.dispatcher.run_ready()
                now = time.time()
                if self.draining:
                    self._drain()
                elif now >= self.next_check:
                    self.next_check = now + self.check_interval
                    self._enforce_timeouts(now)
            except Exception:  # the loop must outlive any one connection's failure
                log.exception("mturk_mock server: I/O loop error")

    def _poll_timeout(self) -> float:
        if self.dispatcher.ready:
            return 0.0
        if self.draining or time.time() < self.paused_until:
            return 0.05
        return self.check_interval

    def _enforce_timeouts(self, now: float) -> None:
        for channel in self.channels():
            if channel.busy or channel.will_close:
                continue
            if channel.request is not None:
                if now - channel.started > self.limits.request_timeout:
                    channel.refuse_pending(RequestTimeout("request timeout"))
            elif now - channel.last_activity > self.limits.idle_timeout:
                channel.handle_close()

    def begin_drain(self) -> None:
        """Stop accepting (new connections are refused at once); in-flight answers carry Connection: close."""
        self.draining = True
        if self.accepting:
            self.accepting = False
            wasyncore.dispatcher.close(self)  # the listening socket only; the trigger still wakes the loop
        self._drain()

    def _drain(self) -> None:
        channels = self.channels()
        for channel in channels:
            if channel.busy or channel.total_outbufs_len or channel.will_close or channel.close_when_flushed:
                continue  # being answered, or its answer is being written: it closes after that
            if channel.request is not None:
                channel.refuse_pending(ShuttingDown("The server is shutting down; send the request again later"))
            else:
                channel.handle_close()
        if not self.channels():
            self.drained.set()

    def close_everything(self, timeout: float) -> None:
        while self.dispatcher.ready:
            self.dispatcher.ready.popleft().cancel()
        wasyncore.close_all(cast(Any, self.socket_map))
        self.task_dispatcher.shutdown(cancel_pending=True, timeout=max(0, int(timeout + 0.999)))


def _connection_limit(wanted: int) -> int:
    """At most what the file descriptor limit allows (a channel may hold a socket and a spooled body)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
        return wanted
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(8, min(wanted, (soft - 64) // 2))


class MTurkServer:
    """The mock behind an HTTP endpoint, answering from ``handle.world`` and logging to ``handle.calls``.

    The handle must not be active: the in-process hook would answer this process's own clients
    before they reach the server. ``port=0`` picks a free port; the socket is bound and listening on
    construction, so ``url`` is known at once. ``marketplace`` (default: the handle's) answers requests
    whose Host names neither MTurk endpoint. ``limits`` sets workers, timeouts and sizes.
    """

    def __init__(
        self,
        handle: MTurkMock | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        marketplace: str | None = None,
        verbose: bool = False,
        limits: Limits | None = None,
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
        self.limits = limits or Limits()
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            self._address = sock.getsockname()[:2]
            self._server = _Server(MTurkApp(handle, marketplace, verbose), sock, self.limits)
        except BaseException:
            sock.close()
            raise
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._closed = False
        self._outbox: Outbox | None = None
        self._journal: Recorder | None = None

    @property
    def world(self) -> World:
        return self.handle.world

    @property
    def host(self) -> str:
        return str(self._address[0])

    @property
    def port(self) -> int:
        return int(self._address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def website_url(self) -> str | None:
        """The front page of the worker and requester website (None without Jinja2, the ``web`` extra)."""
        return None if self._server.app.site_problem is not None else f"{self.url}/site/"

    def start(self) -> MTurkServer:
        """Serve from a background daemon thread; returns self."""
        with self._lock:
            if self._closed:
                raise RuntimeError("this server was stopped; create a new MTurkServer")
            if self._thread is not None:
                raise RuntimeError("this server is already serving")
            self._check_inactive(self.handle)
            self._server.task_dispatcher.set_thread_count(self.limits.threads)
            self._thread = threading.Thread(
                target=self._server.run_loop, name=f"mturk-mock-server-{self.port}", daemon=True
            )
            self._thread.start()
            self._outbox = self.world.outbox
            self._outbox.start_background()  # answers never wait for a notification's destination
            self._journal = self.world.journal
            if self._journal is not None:  # a durable state: held answers go out after each commit
                self._journal.subscribe(self._server.pull_trigger)
        return self

    def serve_forever(self) -> None:
        """Serve until stop() is called elsewhere or KeyboardInterrupt (or SystemExit) arrives; then stop."""
        self.start()
        try:
            while not self._stopping.wait(1.0):
                pass
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop accepting, answer the requests already received (refuse partial ones, close idle
        connections), waiting at most STOP_TIMEOUT, then close everything. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._stopping.set()
            thread = self._thread
        server = self._server
        deadline = time.monotonic() + STOP_TIMEOUT
        if thread is not None:
            server.pull_trigger_with(server.begin_drain)
            server.drained.wait(STOP_TIMEOUT)
            server.halt = True
            server.pull_trigger()
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._journal is not None:
            self._journal.unsubscribe(server.pull_trigger)
        server.close_everything(max(0.0, deadline - time.monotonic()))
        if self._outbox is not None:  # the notifications of answered calls, sent before a state is saved
            self._outbox.stop_background(max(NOTIFY_TIMEOUT, deadline - time.monotonic()))

    def __enter__(self) -> MTurkServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<MTurkServer {self.url} marketplace={self.marketplace}>"

    @staticmethod
    def _check_inactive(handle: MTurkMock) -> None:
        if handle.active:
            raise ValueError("serve an inactive MTurkMock: an active one answers this process's clients in-process")

"""waitress's per-connection parts, fitted to the MTurk protocol: a parser that refuses Transfer-Encoding
bodies, tasks that write AWS's JSON refusals and one send per answer, a channel that knows when its request
began and can be refused, and a dispatcher that answers in the I/O thread while the model is free.
``http_server.py`` assembles them into the server.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Protocol, cast

from ..model.errors import MTurkError
from ..model.world import World
from .http_app import CLOSE, HOLD, MTurkApp

try:
    from waitress import wasyncore
    from waitress.adjustments import Adjustments
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.server import TcpWSGIServer
    from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask
    from waitress.utilities import Error, RequestEntityTooLarge, RequestHeaderFieldsTooLarge, ServerNotImplemented
except ImportError as exc:  # pragma: no cover - the `server` extra is not installed
    raise ImportError("mturk_mock's HTTP server needs waitress: pip install 'mturk_mock[server]'") from exc

__all__ = [  # waitress's names that http_server uses, so that only this module guards the import
    "Adjustments",
    "Error",
    "RequestEntityTooLarge",
    "RequestHeaderFieldsTooLarge",
    "TcpWSGIServer",
    "wasyncore",
]


class Owner(Protocol):
    """What the tasks need of the server that owns their channel."""

    app: MTurkApp
    world: World
    draining: bool  # stopping: every answer closes its connection

    def refusal_for(self, error: Error) -> MTurkError: ...


def _owner(task: WSGITask | ErrorTask) -> Owner:
    return cast(Owner, task.channel.server)


class RequestTimeout(Error):
    code, reason = 408, "Request Timeout"


class ShuttingDown(Error):
    code, reason = 503, "Service Unavailable"


class LengthRequired(Error):
    code, reason = 411, "Length Required"


class Parser(HTTPRequestParser):
    """waitress's parser, refusing Transfer-Encoding bodies (411) as the service does instead of decoding them."""

    def received(self, data: bytes) -> int:
        consumed = super().received(data)
        refused = self.chunked or isinstance(self.error, ServerNotImplemented)  # any Transfer-Encoding
        if refused and not isinstance(self.error, LengthRequired):
            self.error = LengthRequired("Send the body with a Content-Length header; chunked bodies are not supported")
            self.completed = True
            return len(data)  # the connection closes after the refusal: what follows is not a request
        return consumed


def _aws_case(head: bytes) -> bytes:
    # waitress capitalizes header names (X-Amzn-Requestid); the service spells this one so.
    return head.replace(b"\r\nX-Amzn-Requestid:", b"\r\nx-amzn-RequestId:", 1)


class Task(WSGITask):
    def build_response_header(self) -> bytes:
        if (self.environ or {}).get(CLOSE) or _owner(self).draining:
            self.set_close_on_finish()
        return _aws_case(super().build_response_header())

    def write(self, data: bytes) -> None:
        hold = (self.environ or {}).get(HOLD)
        if hold:  # set before the bytes are queued: the I/O thread may look at once
            channel = cast(Channel, self.channel)
            channel.hold = max(channel.hold, hold)
        # Headers and body in one send: a second send costs a second pass through the kernel's loopback path.
        if not self.wrote_header and data and self.complete and self.has_body and self.content_length == len(data):
            header = self.build_response_header()
            self.wrote_header = True
            self.content_bytes_written = len(data)
            self.channel.write_soon(header + data)
            return
        super().write(data)


class RefusalTask(ErrorTask):
    """waitress's refusals (malformed framing, limits, timeouts) as the JSON errors AWS sends; then close."""

    def build_response_header(self) -> bytes:
        return _aws_case(super().build_response_header())

    def execute(self) -> None:
        owner = _owner(self)
        error = cast(Error, cast(Any, self.request).error)
        answer = owner.app.refusal(owner.refusal_for(error), close=True)
        self.status = answer.status_line
        cast(list[tuple[str, str]], self.response_headers).extend(answer.headers)
        self.set_close_on_finish()
        self.content_length = len(answer.body)
        self.write(answer.body)


class Channel(HTTPChannel):
    parser_class = Parser
    task_class = Task
    error_task_class = RefusalTask
    started = 0.0  # when the first byte of the request being received arrived
    hold = 0  # on a durable server: the journal entry that must be durable before queued answers are sent

    def _held(self) -> bool:
        """Whether queued answers wait for the journal. Once it has failed they are never sent: the
        connection is closed, as if the server had died before answering."""
        journal = cast(Owner, self.server).world.journal
        if journal is None or self.hold <= journal.durable:
            return False
        if journal.failed is not None:
            self.will_close = True
        return True

    def writable(self) -> bool:
        if self.hold and self._held():
            return bool(self.will_close)
        return bool(super().writable())

    def _flush_some(self, do_close: bool = True) -> bool:
        if self.hold and self._held():
            return False
        return bool(HTTPChannel._flush_some(self, do_close))  # type: ignore[attr-defined]  # (not in the stubs)

    def received(self, data: bytes) -> bool:
        pending = self.request
        result = super().received(data)
        if self.request is not None and self.request is not pending:
            self.started = time.time()
        return result

    def refuse_pending(self, error: Error) -> None:
        """Answer the partly received request with ``error``, then close. Runs in the I/O thread."""
        with cast(Any, self).requests_lock:  # (missing from waitress's type stubs)
            request = self.request
            if request is None or self.requests or self.will_close or self.close_when_flushed:
                return
            request.error, request.completed = error, True
            self.request = None
            cast(list[HTTPRequestParser], self.requests).append(request)
        self.server.add_task(cast(Any, self))

    @property
    def busy(self) -> bool:
        """A worker owns the channel: answering a request, or one is queued for it."""
        return bool(self.requests)


class Dispatcher(ThreadedTaskDispatcher):
    """Answers in the I/O thread while the model is free; hands a request to the bounded worker pool only
    when the model's lock is held (a long request, or the handle's user), so the I/O thread keeps serving.
    A hand-off costs three thread wake-ups per request instead of one: on a busy machine, most of the time."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.model_lock = world.lock
        self.ready: deque[Any] = deque()  # for the I/O thread, after its current poll

    def add_task(self, task: Any) -> None:
        if self.model_lock.acquire(blocking=False):
            self.model_lock.release()
            self.ready.append(task)  # a worker that adds one wakes the I/O thread by pulling the trigger
        else:
            super().add_task(task)

    def run_ready(self) -> None:
        """The requests this round of the I/O loop received; on a durable server their journal entries go
        to disk together, once the round is done."""
        journal = self.world.journal if self.ready else None
        if journal is None:
            while self.ready:
                self.ready.popleft().service()
            return
        journal.gather(True)
        try:
            while self.ready:
                self.ready.popleft().service()
        finally:
            journal.gather(False)

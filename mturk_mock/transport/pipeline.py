"""The one request pipeline every transport adapts to: (marketplace, requester, operation, body) ->
(status, body, headers), with the call recorded, time settled, the operation dispatched and errors
rendered on the way. The botocore hook and the HTTP server only translate I/O to and from it.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from ..calls import CallRecord
from ..model import errors
from ..model.errors import MTurkError
from ..model.world import World
from ..service import dispatch as service
from ..service.faults import Faults, Injected
from ..service.pagination import Request
from .protocol import decode_request, encode_body, error_body, response_headers

log = logging.getLogger("mturk_mock")
_new_answer = tuple.__new__

# Decoded, validated requests by (operation, body): repeated calls (polls, retries, loops over the same
# page) skip decoding and validation. Handlers never modify a request.
_MEMO: dict[tuple[str, bytes], Request] = {}
_MEMO_ENTRIES = 4096
_MEMO_BODY_BYTES = 4096


class Handle(Protocol):
    """What the pipeline needs of a mock: its state, its faults and its call log."""

    world: World
    faults: Faults
    recording: bool  # whether calls are logged
    calls: list[CallRecord]


class Answer(tuple[int, dict[str, Any], bytes, str, dict[str, str], "str | None", "CallRecord | None", "str | None"]):
    """(status, wire body, body bytes, request ID, response headers, injected fault, call log entry, detail).
    A tuple, made with tuple.__new__, because the hot path makes one per call."""

    __slots__ = ()

    @property
    def status(self) -> int:
        return self[0]

    @property
    def wire(self) -> dict[str, Any]:
        return self[1]

    @property
    def body(self) -> bytes:
        return self[2]

    @property
    def request_id(self) -> str:
        return self[3]

    @property
    def headers(self) -> dict[str, str]:
        return self[4]

    @property
    def fault(self) -> str | None:
        """What injected this answer (the call log's CallRecord.fault), or None."""
        return self[5]

    @property
    def call(self) -> CallRecord | None:
        """The answer's entry in the call log, if calls are logged."""
        return self[6]

    @property
    def detail(self) -> str | None:
        """Why the request was refused, for the test author; never on the wire (CallRecord.detail)."""
        return self[7]


def _request(operation: str, body: bytes) -> Request:
    key = (operation, body)
    request = _MEMO.get(key)
    if request is None:
        decoded = decode_request(body)
        service.route(operation).validate(decoded)
        request = Request(decoded)
        if len(body) <= _MEMO_BODY_BYTES:
            if len(_MEMO) >= _MEMO_ENTRIES:
                _MEMO.clear()
            _MEMO[key] = request
    return request


def _failure(world: World, operation: str, exc: Exception) -> tuple[int, dict[str, Any], str | None]:
    """(status, wire body, detail) of a refusal."""
    if isinstance(exc, MTurkError):
        return exc.spec.status, error_body(exc, world.clock.now_ms()), exc.detail
    # A bug in the mock: answer as the service would, and say so loudly.
    log.error("mturk_mock failed on %s", operation, exc_info=exc)
    fault = errors.SERVICE_ERROR(message=f"mturk_mock internal error in {operation}: {exc!r}")
    return fault.spec.status, error_body(fault, world.clock.now_ms()), "a bug in mturk_mock: please report it"


def dispatch(
    world: World, marketplace: str, requester: str, operation: str, request: Any
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, wire body) for a decoded request: the pipeline without bytes and call log."""
    try:
        return 200, service.execute(world, marketplace, requester, operation, request)[0]
    except Exception as exc:
        return _failure(world, operation, exc)[:2]


def handle_request(handle: Handle, marketplace: str, requester: str, operation: str, body: bytes) -> Answer:
    """Answer one request. Never raises for anything a client can send."""
    world = handle.world
    injected = None
    if handle.faults.armed:
        injected = handle.faults.check(marketplace, requester, operation, world.clock.now())
        if injected is not None and not injected.applied:  # answered instead of the model
            return _inject(handle, marketplace, requester, operation, body, injected)
    detail = None
    try:
        request = _MEMO.get((operation, body)) or _request(operation, body)
        wire, now = service.execute(world, marketplace, requester, operation, request, True, body)
        status = 200
    except Exception as exc:
        status, wire, detail = _failure(world, operation, exc)
        now = world.clock.now()
        if detail is not None:  # pytest shows it under "Captured log" with --log-level=INFO
            log.info("%s refused with %s: %s", operation, wire.get("__type"), detail)
    if injected is not None:  # the operation took effect; its answer is lost
        return _inject(handle, marketplace, requester, operation, body, injected)
    return _finish(handle, marketplace, requester, operation, body, status, wire, now, None, detail)


def _inject(
    handle: Handle, marketplace: str, requester: str, operation: str, body: bytes, injected: Injected
) -> Answer:
    now = handle.world.clock.now()
    wire = error_body(injected.error, int(now * 1000))
    error = injected.error
    return _finish(
        handle, marketplace, requester, operation, body, error.spec.status, wire, now, injected.source, error.detail
    )


def refuse(handle: Handle, marketplace: str, requester: str, operation: str, body: bytes, error: MTurkError) -> Answer:
    """Answer a request a transport refused before dispatch (bad framing, unknown target), and log it."""
    now = handle.world.clock.now()
    status, wire = error.spec.status, error_body(error, int(now * 1000))
    return _finish(handle, marketplace, requester, operation, body, status, wire, now, None, error.detail)


def _finish(
    handle: Handle,
    marketplace: str,
    requester: str,
    operation: str,
    body: bytes,
    status: int,
    wire: dict[str, Any],
    now: float,
    fault: str | None = None,
    detail: str | None = None,
) -> Answer:
    answer_body = encode_body(wire)
    request_id = handle.world.ids.request_id()
    call = None
    if handle.recording:
        call = CallRecord(operation, marketplace, requester, body, status, answer_body, request_id, fault, detail)
        handle.calls.append(call)
    headers = response_headers(request_id, answer_body, now)
    return _new_answer(Answer, (status, wire, answer_body, request_id, headers, fault, call, detail))

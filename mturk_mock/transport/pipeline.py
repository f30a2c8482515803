"""The one request pipeline every transport adapts to: (marketplace, requester, operation, body) ->
(status, body, headers), with the call recorded, time settled, the operation dispatched and errors
rendered on the way. The botocore hook and the HTTP server only translate I/O to and from it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
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

    def record(self, call: CallRecord) -> None: ...


@dataclass(slots=True)
class Answer:
    operation: str
    status: int
    wire: dict[str, Any]
    body: bytes
    request_id: str
    headers: dict[str, str]
    fault: str | None = None  # what injected this answer (the call log's CallRecord.fault)
    call: CallRecord | None = None  # its entry in the call log, if calls are logged


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


def _execute(
    world: World, marketplace: str, requester: str, operation: str, request: Any, validated: bool
) -> tuple[int, dict[str, Any]]:
    try:
        return 200, service.execute(world, marketplace, requester, operation, request, validated)
    except MTurkError as error:
        return error.spec.status, error_body(error, world.clock.now_ms())
    except Exception as exc:  # a bug in the mock: answer as the service would, and say so loudly
        log.exception("mturk_mock failed on %s", operation)
        fault = errors.SERVICE_ERROR(message=f"mturk_mock internal error in {operation}: {exc!r}")
        return fault.spec.status, error_body(fault, world.clock.now_ms())


def dispatch(
    world: World, marketplace: str, requester: str, operation: str, request: Any
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, wire body) for a decoded request: the pipeline without bytes and call log."""
    return _execute(world, marketplace, requester, operation, request, validated=False)


def handle_request(handle: Handle, marketplace: str, requester: str, operation: str, body: bytes) -> Answer:
    """Answer one request. Never raises for anything a client can send."""
    world = handle.world
    injected = None
    if handle.faults.armed:
        injected = handle.faults.check(marketplace, requester, operation, world.clock.now())
        if injected is not None and not injected.applied:  # answered instead of the model
            return _inject(handle, marketplace, requester, operation, body, injected)
    try:
        request = _request(operation, body)
    except MTurkError as error:
        status, wire = error.spec.status, error_body(error, world.clock.now_ms())
    else:
        status, wire = _execute(world, marketplace, requester, operation, request, validated=True)
    if injected is not None:  # the operation took effect; its answer is lost
        return _inject(handle, marketplace, requester, operation, body, injected)
    return _finish(handle, marketplace, requester, operation, body, status, wire)


def _inject(
    handle: Handle, marketplace: str, requester: str, operation: str, body: bytes, injected: Injected
) -> Answer:
    wire = error_body(injected.error, handle.world.clock.now_ms())
    return _finish(handle, marketplace, requester, operation, body, injected.error.spec.status, wire, injected.source)


def refuse(handle: Handle, marketplace: str, requester: str, operation: str, body: bytes, error: MTurkError) -> Answer:
    """Answer a request a transport refused before dispatch (bad framing, unknown target), and log it."""
    status, wire = error.spec.status, error_body(error, handle.world.clock.now_ms())
    return _finish(handle, marketplace, requester, operation, body, status, wire)


def _finish(
    handle: Handle,
    marketplace: str,
    requester: str,
    operation: str,
    body: bytes,
    status: int,
    wire: dict[str, Any],
    fault: str | None = None,
) -> Answer:
    world = handle.world
    answer_body = encode_body(wire)
    request_id = world.ids.request_id()
    headers = response_headers(request_id, answer_body, world.clock.now())
    call = None
    if handle.recording:
        call = CallRecord(operation, marketplace, requester, body, status, answer_body, request_id, fault)
        handle.record(call)
    return Answer(operation, status, wire, answer_body, request_id, headers, fault, call)

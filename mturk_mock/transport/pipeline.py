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
from ..service.pagination import Request
from .protocol import decode_request, encode_body, error_body, response_headers

log = logging.getLogger("mturk_mock")

# Decoded, validated requests by (operation, body): repeated calls (polls, retries, loops over the same
# page) skip decoding and validation. Handlers never modify a request.
_MEMO: dict[tuple[str, bytes], Request] = {}
_MEMO_ENTRIES = 4096
_MEMO_BODY_BYTES = 4096


class Handle(Protocol):
    """What the pipeline needs of a mock: its state and its call log."""

    world: World
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
    try:
        request = _request(operation, body)
    except MTurkError as error:
        status, wire = error.spec.status, error_body(error, world.clock.now_ms())
    else:
        status, wire = _execute(world, marketplace, requester, operation, request, validated=True)
    return _finish(handle, marketplace, requester, operation, body, status, wire)


def refuse(handle: Handle, marketplace: str, requester: str, operation: str, body: bytes, error: MTurkError) -> Answer:
    """Answer a request a transport refused before dispatch (bad framing, unknown target), and log it."""
    status, wire = error.spec.status, error_body(error, handle.world.clock.now_ms())
    return _finish(handle, marketplace, requester, operation, body, status, wire)


def _finish(
    handle: Handle, marketplace: str, requester: str, operation: str, body: bytes, status: int, wire: dict[str, Any]
) -> Answer:
    world = handle.world
    answer_body = encode_body(wire)
    request_id = world.ids.request_id()
    headers = response_headers(request_id, answer_body, world.clock.now())
    if handle.recording:
        handle.record(CallRecord(operation, marketplace, requester, body, status, answer_body, request_id))
    return Answer(operation, status, wire, answer_body, request_id, headers)

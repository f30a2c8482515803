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
    calls: list[CallRecord]


# (status, wire body, body bytes, request ID, response headers); a plain tuple is cheapest to make
Answer = tuple[int, dict[str, Any], bytes, str, dict[str, str]]


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


def _failure(world: World, operation: str, exc: Exception) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, MTurkError):
        return exc.spec.status, error_body(exc, world.clock.now_ms())
    # A bug in the mock: answer as the service would, and say so loudly.
    log.error("mturk_mock failed on %s", operation, exc_info=exc)
    fault = errors.SERVICE_ERROR(message=f"mturk_mock internal error in {operation}: {exc!r}")
    return fault.spec.status, error_body(fault, world.clock.now_ms())


def dispatch(
    world: World, marketplace: str, requester: str, operation: str, request: Any
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, wire body) for a decoded request: the pipeline without bytes and call log."""
    try:
        return 200, service.execute(world, marketplace, requester, operation, request)[0]
    except Exception as exc:
        return _failure(world, operation, exc)


def handle_request(handle: Handle, marketplace: str, requester: str, operation: str, body: bytes) -> Answer:
    """Answer one request. Never raises for anything a client can send."""
    world = handle.world
    try:
        request = _MEMO.get((operation, body)) or _request(operation, body)
        wire, now = service.execute(world, marketplace, requester, operation, request, True)
        status = 200
    except Exception as exc:
        status, wire = _failure(world, operation, exc)
        now = world.clock.now()
    return _finish(handle, marketplace, requester, operation, body, status, wire, now)


def refuse(handle: Handle, marketplace: str, requester: str, operation: str, body: bytes, error: MTurkError) -> Answer:
    """Answer a request a transport refused before dispatch (bad framing, unknown target), and log it."""
    now = handle.world.clock.now()
    status, wire = error.spec.status, error_body(error, int(now * 1000))
    return _finish(handle, marketplace, requester, operation, body, status, wire, now)


def _finish(
    handle: Handle,
    marketplace: str,
    requester: str,
    operation: str,
    body: bytes,
    status: int,
    wire: dict[str, Any],
    now: float,
) -> Answer:
    answer_body = encode_body(wire)
    request_id = handle.world.ids.request_id()
    if handle.recording:
        handle.calls.append(CallRecord(operation, marketplace, requester, body, status, answer_body, request_id))
    return status, wire, answer_body, request_id, response_headers(request_id, answer_body, now)

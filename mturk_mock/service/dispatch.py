"""One request, transport-neutral: route, validate, settle time, run the handler, page.

``execute`` answers with the operation's wire output or raises ``MTurkError``; the transport's pipeline
renders errors. Validation runs before the lock; settle and the handler run under it; the notifications
they raised are sent after it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model import errors
from ..model.world import World
from .context import RequestContext
from .pagination import Request, paginate
from .registry import OPERATIONS, Operation
from .service_model import operation_names
from .validation import Check, request_validator

Run = Callable[[RequestContext, Any], dict[str, Any]]
API = "api"  # the journal's kind for a request


@dataclass(frozen=True, slots=True)
class Route:
    operation: Operation
    validate: Check
    run: Run  # the handler, followed by the pagination for List operations


def _paged(name: str, operation: Operation) -> Run:
    handler, spec = operation.handler, operation.pagination
    assert spec is not None

    def run(ctx: RequestContext, request: Any) -> dict[str, Any]:
        return paginate(name, spec, ctx, request, handler(ctx, request))

    return run


_ROUTES: dict[str, Route] = {}


def _with_messages(validate: Check, messages: Mapping[str, errors.ErrorSpec]) -> Check:
    """A validator whose ParameterValidationErrors on some parameters carry the operation's own message."""

    def check(request: object) -> None:
        try:
            validate(request)
        except errors.MTurkError as error:
            spec = messages.get(error.parameter or "")
            if spec is None or error.spec is not errors.INVALID_VALUE:
                raise
            raise spec(parameter=error.parameter, detail=error.detail) from None

    return check


def route(name: str) -> Route:
    """The operation and its compiled validator, looked up once."""
    found = _ROUTES.get(name)
    if found is None:
        operation = OPERATIONS.get(name)
        if operation is None:
            if name in operation_names():
                raise errors.NOT_IMPLEMENTED(operation=name, implemented=len(OPERATIONS))
            raise errors.UNKNOWN_OPERATION(message=f"Unknown operation {name!r}")
        run = operation.handler if operation.pagination is None else _paged(name, operation)
        validate = request_validator(name)
        if operation.parameter_errors:
            validate = _with_messages(validate, operation.parameter_errors)
        found = _ROUTES[name] = Route(operation, validate, run)
    return found


def execute(
    world: World,
    marketplace: str,
    requester: str,
    name: str,
    request: Any,
    validated: bool = False,
    body: bytes | None = None,
) -> tuple[dict[str, Any], float]:
    """The wire output of one request and the time it ran at (raises MTurkError). ``validated``: the
    transport checked the request already. ``body``: the request as sent, which a durable server's
    journal records for an operation that writes (else the request is encoded again)."""
    found = _ROUTES.get(name) or route(name)
    if not validated:
        found.validate(request)
        request = Request(request)
    try:
        with world.lock:
            market = world.marketplaces[marketplace]
            now = world.clock.now()
            if market.schedule.next_due() <= now:
                world.settle(market, now)
            ctx = RequestContext(world, market, requester, now)
            if world.journal is None or not found.operation.writes:
                return found.run(ctx, request), now
            return _run_recorded(found, ctx, name, request, body), now
    finally:
        if world.outbox.pending:  # notifications go out once the lock is free (spec H§6.4)
            world.deliver()


def _run_recorded(found: Route, ctx: RequestContext, name: str, request: Any, body: bytes | None) -> dict[str, Any]:
    """Run a writing request and record it in the journal, refused or not: a refusal may have drawn IDs,
    and replay must draw them too. The transport waits for the entry to be durable before answering."""
    journal = ctx.world.journal
    assert journal is not None
    ok = False
    try:
        answer = found.run(ctx, request)
        ok = True
        return answer
    finally:
        if body is None:
            body = json.dumps(request, separators=(",", ":")).encode()
        journal.record(API, ctx.now, ok, (ctx.market.name, ctx.requester, name), body)

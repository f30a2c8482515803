"""One entry point for every transport: (world, marketplace, requester, operation, wire JSON) -> wire JSON.

Each operation is a small function from the wire request to the wire response, registered in
``OPERATIONS`` with ``@operation``. Validation runs before the lock; the handler runs under it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..model.errors import MTurkError, NotImplementedByMock, ServiceFault
from ..model.world import Marketplace, World
from .service_model import operation_names
from .validation import Check, request_validator

log = logging.getLogger("mturk_mock")


@dataclass(slots=True)
class Call:
    """What a handler knows about the request besides its members."""

    world: World
    market: Marketplace
    requester: str
    now: float


Handler = Callable[[Call, dict], dict]
OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = handler
        _routes.pop(name, None)
        return handler

    return register


class UnknownOperation(MTurkError):
    """A target that is not an MTurk operation at all (only an HTTP client can send one)."""

    error_type = "UnknownOperationException"

    def __init__(self, operation: str) -> None:
        super().__init__(f"Unknown operation {operation!r}", "")

    def wire(self, epoch_ms: int) -> dict:
        return {"Message": self.message, "__type": "com.amazon.coral.service#UnknownOperationException"}


_routes: dict[str, tuple[Handler, Check]] = {}


def _route(operation_name: str) -> tuple[Handler, Check]:
    """The handler and compiled validator of an operation, looked up once."""
    route = _routes.get(operation_name)
    if route is None:
        handler = OPERATIONS.get(operation_name)
        if handler is None:
            if operation_name in operation_names():
                raise NotImplementedByMock(operation_name)
            raise UnknownOperation(operation_name)
        route = _routes[operation_name] = (handler, request_validator(operation_name))
    return route


def dispatch(world: World, marketplace: str, requester: str, operation_name: str,
             request: object) -> tuple[int, dict]:
    """Answer one request: (HTTP status, wire body). Never raises for anything a client can send."""
    try:
        handler, validate = _routes.get(operation_name) or _route(operation_name)
        validate(request)
        with world.lock:
            return 200, handler(Call(world, world.marketplaces[marketplace], requester, world.clock.now()), request)
    except MTurkError as error:
        return error.status, error.wire(world.clock.now_ms())
    except Exception as exc:  # a bug in the mock: answer like the service would, and say so loudly
        log.exception("mturk_mock failed on %s", operation_name)
        fault = ServiceFault(f"mturk_mock internal error in {operation_name}: {exc!r}", "ServiceFault")
        return fault.status, fault.wire(world.clock.now_ms())

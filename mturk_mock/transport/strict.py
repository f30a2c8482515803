"""Strict mode: an MTurk call made while no mock is active fails loudly instead of reaching AWS.

A test that forgot the mock would otherwise sign its call with the developer's real credentials and send
it to the real sandbox or, worse, production. ``install()`` wraps botocore's emitter for as long as it is
installed (the pytest plugin does it for a session with ``--mturk-mock-strict``): a ``before-call`` of an
MTurk operation that no mock and no handler of the client (a ``Stubber``) answers raises ``UnmockedCall``
before anything is signed or sent. Other AWS services are never touched, and calls under an active mock
pass as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import wrapt
from botocore.hooks import HierarchicalEmitter

from .. import activation

EVENT_PREFIX = "before-call.mturk."
_enabled = False


class UnmockedCall(RuntimeError):
    """An MTurk call was made while no mock was active, in strict mode; nothing was sent."""


def _guard(wrapped: Callable[..., Any], instance: HierarchicalEmitter, args: tuple[Any, ...], kwargs: Any) -> Any:
    if activation.active or not _enabled:
        return wrapped(*args, **kwargs)
    event_name = args[0] if args else kwargs.get("event_name", "")
    if not event_name.startswith(EVENT_PREFIX):
        return wrapped(*args, **kwargs)
    handler, response = wrapped(*args, **kwargs)
    if response is None and not activation.active:  # a Stubber on the client answers by itself
        model, params = kwargs.get("model"), kwargs.get("params") or {}
        operation = getattr(model, "name", event_name[len(EVENT_PREFIX) :])
        raise UnmockedCall(
            f"mturk_mock strict mode: {operation} was called on an MTurk client while no mock was active; "
            f"it would have gone to {params.get('url', 'AWS')} with this environment's credentials. Nothing was "
            "sent. Use the mturk_mock or mturk_client fixture, @pytest.mark.mturk_mock, @mock_mturk, or "
            "--mturk-mock-all to mock every test."
        )
    return handler, response


def _installed() -> bool:
    attribute = vars(HierarchicalEmitter).get("emit_until_response")
    while attribute is not None:
        if getattr(attribute, "_self_wrapper", None) is _guard:
            return True
        attribute = getattr(attribute, "__wrapped__", None)
    return False


def install() -> None:
    global _enabled
    _enabled = True
    if not _installed():
        wrapt.wrap_function_wrapper(HierarchicalEmitter, "emit_until_response", _guard)


def uninstall() -> None:
    """Take the guard out if it is the outermost wrapper; otherwise it stays, passing every call through."""
    global _enabled
    _enabled = False
    current = vars(HierarchicalEmitter).get("emit_until_response")
    if isinstance(current, wrapt.FunctionWrapper) and current._self_wrapper is _guard:
        setattr(HierarchicalEmitter, "emit_until_response", current.__wrapped__)  # noqa: B010

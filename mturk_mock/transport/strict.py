"""Strict mode: an MTurk call made while no mock is active fails loudly instead of reaching AWS.

A test that forgot the mock would otherwise sign its call with the developer's real credentials and send
it to the real sandbox or, worse, production. ``install()`` wraps botocore's emitter (and aiobotocore's,
when it is importable) for as long as it is installed (the pytest plugin does it for a session with
``--mturk-mock-strict``): a ``before-call`` of an MTurk operation that no mock and no handler of the client
(a ``Stubber``) answers raises ``UnmockedCall`` before anything is signed or sent, when it would go to an
AWS host. A client pointed elsewhere (``endpoint_url`` of a local ``mturk-mock serve``) passes: nothing of
the environment's reaches AWS that way. Other AWS services are never touched, and calls under an active
mock pass as usual.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import wrapt
from botocore.hooks import HierarchicalEmitter

from .. import activation

EVENT_PREFIX = "before-call.mturk."
_AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "api.aws")
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
    if response is None and not activation.active and _bound_for_aws(kwargs):  # a Stubber answers by itself
        raise _refusal(event_name, kwargs)
    return handler, response


def _aio_guard(
    wrapped: Callable[..., Awaitable[Any]], instance: object, args: tuple[Any, ...], kwargs: Any
) -> Awaitable[Any]:
    # Not a coroutine function itself: every other event gets aiobotocore's own coroutine, untouched.
    event_name = args[0] if args else kwargs.get("event_name", "")
    if activation.active or not _enabled or not event_name.startswith(EVENT_PREFIX):
        return wrapped(*args, **kwargs)
    return _aio_checked(wrapped, event_name, args, kwargs)


async def _aio_checked(
    wrapped: Callable[..., Awaitable[Any]], event_name: str, args: tuple[Any, ...], kwargs: Any
) -> Any:
    handler, response = await wrapped(*args, **kwargs)
    if response is None and not activation.active and _bound_for_aws(kwargs):
        raise _refusal(event_name, kwargs)
    return handler, response


def _bound_for_aws(kwargs: Any) -> bool:
    """Whether the call's URL names an AWS host (or cannot be read, which counts as AWS: fail closed)."""
    url = (kwargs.get("params") or {}).get("url")
    if not isinstance(url, str):
        return True
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return True
    if not host:
        return True
    return any(host == domain or host.endswith("." + domain) for domain in _AWS_DOMAINS)


def _refusal(event_name: str, kwargs: Any) -> UnmockedCall:
    model, params = kwargs.get("model"), kwargs.get("params") or {}
    operation = getattr(model, "name", event_name[len(EVENT_PREFIX) :])
    return UnmockedCall(
        f"mturk_mock strict mode: {operation} was called on an MTurk client while no mock was active; "
        f"it would have gone to {params.get('url', 'AWS')} with this environment's credentials. Nothing was "
        "sent. Use the mturk_mock or mturk_client fixture, @pytest.mark.mturk_mock, @mock_mturk, or "
        "--mturk-mock-all to mock every test."
    )


def _emitters() -> list[tuple[type, Callable[..., Any]]]:
    emitters: list[tuple[type, Callable[..., Any]]] = [(HierarchicalEmitter, _guard)]
    if importlib.util.find_spec("aiobotocore") is not None:
        from aiobotocore.hooks import AioHierarchicalEmitter

        emitters.append((AioHierarchicalEmitter, _aio_guard))
    return emitters


def _installed(owner: type, guard: Callable[..., Any]) -> bool:
    attribute = vars(owner).get("emit_until_response")
    while attribute is not None:
        if getattr(attribute, "_self_wrapper", None) is guard:
            return True
        attribute = getattr(attribute, "__wrapped__", None)
    return False


def install() -> None:
    global _enabled
    _enabled = True
    for owner, guard in _emitters():
        if not _installed(owner, guard):
            wrapt.wrap_function_wrapper(owner, "emit_until_response", guard)


def uninstall() -> None:
    """Take the guards out where they are the outermost wrappers; elsewhere they stay, passing calls through."""
    global _enabled
    _enabled = False
    for owner, guard in _emitters():
        current = vars(owner).get("emit_until_response")
        if isinstance(current, wrapt.FunctionWrapper) and current._self_wrapper is guard:
            setattr(owner, "emit_until_response", current.__wrapped__)  # noqa: B010

"""In-process transport for aiobotocore (and aioboto3, which builds its clients with it): the async twin of
``botocore_hook``.

aiobotocore overrides the three places the botocore hook patches: ``AioHierarchicalEmitter.emit_until_response``
is a coroutine, ``AioEndpoint._send`` sends through aiohttp, and the Aio instance-metadata and container
credential providers load asynchronously. So the same patches are applied to those classes, with the same
rules (wrapt, at the first activation over whatever is there, removed at the last deactivation if still
outermost). Answers come from the botocore hook's ``make_answer``: the same pipeline, bytes and parsed
answers, only the response object is aiobotocore's kind (its ``content`` is awaited), and an injected
fault goes through the client's retry loop with its handlers awaited (``_with_client_retries``). While
nothing could tell the difference, ``AioBaseClient._make_api_call`` takes the short way ``direct_call``
describes, awaiting what aiobotocore awaits.

Imported only when aiobotocore is importable (``activation.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiobotocore import client as _aio_client
from aiobotocore import credentials as _aio_credentials
from aiobotocore import hooks as _aio_hooks
from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.client import AioBaseClient
from aiobotocore.endpoint import AioEndpoint
from aiobotocore.hooks import AioHierarchicalEmitter
from botocore.hooks import first_non_none_response

from .. import activation
from .botocore_compat import cached_handlers, is_own_method
from .botocore_hook import (
    EVENT_PREFIX,
    Patches,
    Reply,
    Response,
    apply_patches,
    block_send,
    make_answer,
    only_inert,
    remove_patches,
)
from .direct_call import (
    Family,
    after_call,
    cached_endpoint,
    call_context,
    outcome,
    request_dict,
    resolved_endpoint,
    short_way,
)
from .pipeline import Answer
from .retries import _back_off


class AioResponse(Response, AioAWSResponse):
    """The mock's response as aiobotocore hands it to after-call handlers: ``await response.content``."""

    @property
    def raw(self) -> AioRawBody:  # type: ignore[override]  # aiobotocore reads bodies with await
        return AioRawBody(self._content)


class AioRawBody:
    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


async def _with_client_retries(
    handle: Any,
    emitter: AioHierarchicalEmitter,
    model: Any,
    params: dict[str, Any],
    first: tuple[Answer, Reply],
    again: Callable[[], tuple[Answer, Reply]],
) -> Reply:
    """``retries.with_client_retries`` for aiobotocore, whose ``needs-retry`` handlers are awaited; a real
    backoff (``retry_backoff="sleep"``) is awaited, not slept. tests/test_async_scenarios.py compares both."""
    event = f"needs-retry.{model.service_model.service_id.hyphenize()}.{model.name}"
    result, reply = first
    attempts = 1
    while True:
        responses = await emitter.emit(
            event,
            response=reply,
            endpoint=None,
            operation=model,
            attempts=attempts,
            caught_exception=None,
            request_dict=params,
        )
        delay = first_non_none_response(responses)
        if delay is None or delay is False:
            break
        if result.call is not None:
            result.call.retry_delay = delay
        if handle.faults.retry_backoff == "sleep":
            await asyncio.sleep(float(delay))
        else:
            _back_off(handle, float(delay))
        attempts += 1
        result, reply = again()
        if result.call is not None:
            result.call.attempt = attempts
    reply[1]["ResponseMetadata"]["RetryAttempts"] = attempts - 1
    return reply


answer = make_answer(AioResponse, _with_client_retries)
_EMIT = "emit_until_response"


def _only_inert(emitter: AioHierarchicalEmitter, event_name: str) -> bool:
    """Whether only botocore's header handlers would run for the event (the botocore hook's fast path)."""
    return only_inert(cached_handlers(emitter, event_name))  # not looked up yet: the normal path fills it


def answer_before_call(
    wrapped: Callable[..., Awaitable[Any]],
    instance: AioHierarchicalEmitter,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Awaitable[Any]:
    # Not a coroutine function itself: every other event gets aiobotocore's own coroutine, untouched.
    if not activation.active:
        return wrapped(*args, **kwargs)
    event_name = args[0] if args else kwargs.get("event_name", "")
    if not event_name.startswith(EVENT_PREFIX):
        return wrapped(*args, **kwargs)
    return _answer_mturk(wrapped, instance, event_name, args, kwargs)


async def _answer_mturk(
    wrapped: Callable[..., Awaitable[Any]],
    instance: AioHierarchicalEmitter,
    event_name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    mocks = activation.active
    # The shortcut stands for running aiobotocore's own method: a tool's patch made before activation
    # (ours wraps it) must run, so then the handlers are run through it (botocore_hook's rule).
    if mocks and _only_inert(instance, event_name) and is_own_method(wrapped, _aio_hooks.__file__, _EMIT):
        return answer, await _settled(answer(mocks[-1], emitter=instance, **kwargs))
    handler, response = await wrapped(*args, **kwargs)
    if response is None:
        mocks = activation.active  # the client's own handlers ran (and may have awaited): re-read the stack
        if mocks:
            return answer, await _settled(answer(mocks[-1], emitter=instance, **kwargs))
    return handler, response


async def _settled(reply: Any) -> Reply:
    """The answer's reply: made at once, or, for an injected fault, when the client's retries are done."""
    return reply if type(reply) is tuple else await reply


async def _nothing() -> None:
    return None


def _no_network_credentials(
    wrapped: Callable[..., Awaitable[Any]], instance: object, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Awaitable[Any]:
    return _nothing() if activation.active else wrapped(*args, **kwargs)


try:  # the decorator around _make_api_call, in the releases that have one
    from aiobotocore import context as _aio_context

    _AIO_CONTEXT_FILE = _aio_context.__file__
except ImportError:
    _AIO_CONTEXT_FILE = ""
AIOBOTOCORE = Family(
    _aio_client.__file__,
    _AIO_CONTEXT_FILE,
    AioBaseClient,
    AioHierarchicalEmitter,
    _aio_hooks.__file__,
    answer_before_call,
)


def _make_api_call(
    wrapped: Callable[..., Awaitable[Any]], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Awaitable[Any]:
    way = short_way(AIOBOTOCORE, wrapped, instance, args, kwargs)
    if way is None:
        return wrapped(*args, **kwargs)
    return _short_call(instance, *way, *args)


async def _short_call(
    client: Any, mock: Any, emitter: Any, operation_model: Any, operation_name: str, api_params: dict[str, Any]
) -> Any:
    """direct_call's short way, awaiting the events and the endpoint's resolution."""
    context = call_context(client, operation_model, api_params)
    api_params = await client._emit_api_params(api_params=api_params, operation_model=operation_model, context=context)
    endpoint, keep = cached_endpoint(client, emitter)
    if endpoint is None:
        resolved = await client._resolve_endpoint_ruleset(operation_model, api_params, context)
        endpoint = resolved_endpoint(client, keep, resolved)
    request = request_dict(client, operation_model, api_params, endpoint, context)
    http, parsed = answer(mock, model=operation_model, params=request, request_signer=client._request_signer)
    event = after_call(emitter, operation_name)
    if event is not None:
        await client.meta.events.emit(event, http_response=http, parsed=parsed, model=operation_model, context=context)
    return outcome(client, operation_name, http, parsed, context)


_PATCHES: Patches = (
    (AioHierarchicalEmitter, "emit_until_response", answer_before_call),
    (AioBaseClient, "_make_api_call", _make_api_call),
    (AioEndpoint, "_send", block_send),  # returns aiobotocore's coroutine, or raises before anything is sent
    (_aio_credentials.AioInstanceMetadataProvider, "load", _no_network_credentials),
    (_aio_credentials.AioContainerProvider, "load", _no_network_credentials),
)


def install() -> None:
    apply_patches(_PATCHES)


def uninstall() -> None:
    remove_patches(_PATCHES)

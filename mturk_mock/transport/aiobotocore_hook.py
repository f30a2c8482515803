"""In-process transport for aiobotocore (and aioboto3, which builds its clients with it): the async twin of
``botocore_hook``.

aiobotocore overrides the three places the botocore hook patches: ``AioHierarchicalEmitter.emit_until_response``
is a coroutine, ``AioEndpoint._send`` sends through aiohttp, and the Aio instance-metadata and container
credential providers load asynchronously. So the same patches are applied to those classes, with the same
rules (wrapt, at the first activation over whatever is there, removed at the last deactivation if still
outermost). Answers come from the botocore hook's ``make_answer``: the same pipeline, bytes and parsed
answers, only the response object is aiobotocore's kind (its ``content`` is awaited).

Imported only when aiobotocore is importable (``activation.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiobotocore import credentials as _aio_credentials
from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.endpoint import AioEndpoint
from aiobotocore.hooks import AioHierarchicalEmitter

from .. import activation
from .botocore_hook import (
    EVENT_PREFIX,
    Patches,
    Response,
    apply_patches,
    block_send,
    make_answer,
    only_inert,
    remove_patches,
)


class AioResponse(Response, AioAWSResponse):
    """The mock's response as aiobotocore hands it to after-call handlers: ``await response.content``."""

    def __init__(self, url: str, status_code: int, headers: dict[str, str], body: bytes) -> None:
        super().__init__(url, status_code, headers, body)
        self.raw = AioRawBody(body)


class AioRawBody:
    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


answer = make_answer(AioResponse)


def _emit_until_response(
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
    if mocks and only_inert(instance, event_name):
        return answer, answer(mocks[-1], **kwargs)
    handler, response = await wrapped(*args, **kwargs)
    if response is None:
        mocks = activation.active  # the client's own handlers ran (and may have awaited): re-read the stack
        if mocks:
            return answer, answer(mocks[-1], **kwargs)
    return handler, response


async def _nothing() -> None:
    return None


def _no_network_credentials(
    wrapped: Callable[..., Awaitable[Any]], instance: object, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Awaitable[Any]:
    return _nothing() if activation.active else wrapped(*args, **kwargs)


_PATCHES: Patches = (
    (AioHierarchicalEmitter, "emit_until_response", _emit_until_response),
    (AioEndpoint, "_send", block_send),  # returns aiobotocore's coroutine, or raises before anything is sent
    (_aio_credentials.AioInstanceMetadataProvider, "load", _no_network_credentials),
    (_aio_credentials.AioContainerProvider, "load", _no_network_credentials),
)


def install() -> None:
    apply_patches(_PATCHES)


def uninstall() -> None:
    remove_patches(_PATCHES)

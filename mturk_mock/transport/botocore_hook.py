"""In-process transport: MTurk calls answered at botocore's before-call event.

While any mock is active, ``HierarchicalEmitter.emit_until_response`` is wrapped at class level, so
every client sees the mock whenever and however it was created (before the mock started, before
this package was imported, from any session). The client's own before-call handlers run first
(a Stubber keeps priority); when none answers an MTurk call, the innermost active mock does.
Three guards fail closed while active: an MTurk request that still reaches the HTTP layer raises
``NetworkBlocked``, and the instance-metadata and container credential providers, which would
otherwise open connections when a client is created without credentials, find nothing.
Nothing is patched while no mock is active.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING

from botocore import credentials as _credentials
from botocore import handlers as _handlers
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.endpoint import Endpoint
from botocore.hooks import HierarchicalEmitter

from ..model.world import DEFAULT_REQUESTER
from ..service import dispatch
from .converter import convert_error, output_converter
from .wire import encode_body, marketplace_for_host, new_request_id, response_headers

if TYPE_CHECKING:
    from ..mock import MTurkMock

EVENT_PREFIX = "before-call.mturk."
ENDPOINT_PREFIX = "mturk-requester"


class NetworkBlocked(RuntimeError):
    """An MTurk request tried to leave the process while the mock was active."""


_stack: list[MTurkMock] = []
_stack_lock = threading.Lock()
_original_emit = HierarchicalEmitter.emit_until_response
_original_send = Endpoint._send
_original_loads = (_credentials.InstanceMetadataProvider.load, _credentials.ContainerProvider.load)


# botocore's own before-call handlers that only add request headers: a mocked call sends no request,
# so when they are all an emitter would run, the mock answers without running them (~12 us a call).
_INERT = frozenset(filter(None, (getattr(_handlers, name, None) for name in (
    "add_recursion_detection_header", "inject_api_version_header_if_needed"))))


def _only_inert(emitter, event_name: str) -> bool:
    handlers = emitter._lookup_cache.get(event_name)
    if handlers is None:  # not looked up yet: the normal path fills the cache
        return False
    for handler in handlers:
        if handler not in _INERT:
            return False
    return True


def _emit_until_response(self, event_name, **kwargs):
    if event_name.startswith(EVENT_PREFIX) and _stack and _only_inert(self, event_name):
        return _emit_until_response, answer(_stack[-1], **kwargs)
    handler, response = _original_emit(self, event_name, **kwargs)
    if response is None and event_name.startswith(EVENT_PREFIX):
        stack = _stack
        if stack:
            return _emit_until_response, answer(stack[-1], **kwargs)
    return handler, response


def _send(self, request):
    if self._endpoint_prefix == ENDPOINT_PREFIX:
        raise NetworkBlocked(
            f"mturk_mock is active but an MTurk request to {request.url} reached the HTTP layer "
            "(a custom client or transport bypassed botocore's before-call event); nothing was sent.")
    return _original_send(self, request)


def _no_network_credentials(self):
    return None


def _patch(active: bool) -> None:
    HierarchicalEmitter.emit_until_response = _emit_until_response if active else _original_emit
    Endpoint._send = _send if active else _original_send
    metadata_load, container_load = (_no_network_credentials,) * 2 if active else _original_loads
    _credentials.InstanceMetadataProvider.load = metadata_load
    _credentials.ContainerProvider.load = container_load


def push(mock: MTurkMock) -> None:
    with _stack_lock:
        if not _stack:
            _patch(True)
        _stack.append(mock)


def remove(mock: MTurkMock) -> None:
    with _stack_lock:
        _stack.remove(mock)
        if not _stack:
            _patch(False)


def innermost() -> MTurkMock | None:
    return _stack[-1] if _stack else None


_HOSTS: dict[str, str | None] = {}


def marketplace_of(url: str) -> str | None:
    """sandbox or production from the endpoint URL's host; None for any other host (custom endpoint_url)."""
    try:
        return _HOSTS[url]
    except KeyError:
        found = marketplace_for_host(url.split("://", 1)[-1].split("/", 1)[0])
        if len(_HOSTS) < 1024:
            _HOSTS[url] = found
        return found


def requester_of(request_signer) -> str:
    """The caller's access key, read without refreshing credentials (a refresh could go to the network)."""
    creds = getattr(request_signer, "_credentials", None)
    if creds is None:
        return DEFAULT_REQUESTER
    fields = getattr(creds, "__dict__", {})  # RefreshableCredentials keep the key in _access_key
    key = fields.get("access_key") or fields.get("_access_key")
    return key if isinstance(key, str) and key else DEFAULT_REQUESTER


class _Response(AWSResponse):
    """An AWSResponse whose case-insensitive header dict is built only if somebody reads it."""

    def __init__(self, url: str, status_code: int, headers: dict, raw) -> None:
        self.url = url
        self.status_code = status_code
        self._raw_headers = headers
        self._headers = None
        self.raw = raw
        self._content = None

    @property
    def headers(self) -> HeadersDict:
        if self._headers is None:
            self._headers = HeadersDict(self._raw_headers)
        return self._headers

    @headers.setter
    def headers(self, value) -> None:
        self._headers = HeadersDict(value)


class _RawBody:
    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_):
        yield self._body

    def read(self, *_):
        body, self._body = self._body, b""
        return body


def answer(mock: MTurkMock, *, model, params, request_signer, context=None, **_):
    operation = params["headers"]["X-Amz-Target"].rpartition(".")[2]
    body = params["body"] or b"{}"
    url = params["url"]
    marketplace = marketplace_of(url) or mock.default_marketplace
    requester = requester_of(request_signer)
    world = mock.world
    if body == b"{}":
        request = {}
    else:
        try:
            request = json.loads(body)
        except ValueError:
            request = None  # cannot come from botocore's serializer; validation answers it
    status, wire = dispatch(world, marketplace, requester, operation, request)
    wire_body = encode_body(wire)
    request_id = new_request_id()
    headers = response_headers(request_id, wire_body, world.clock.now())
    metadata = {"RequestId": request_id, "HTTPStatusCode": status, "HTTPHeaders": dict(headers),
                "RetryAttempts": 0}
    if status < 300:
        parsed = output_converter(model.name)(wire)
        parsed["ResponseMetadata"] = metadata
    else:
        parsed = convert_error(wire, metadata)
    mock.record(operation, marketplace, requester, body, status, wire_body, request_id)
    return _Response(url, status, headers, _RawBody(wire_body)), parsed

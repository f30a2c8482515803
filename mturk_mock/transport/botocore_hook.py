"""In-process transport: MTurk calls answered at botocore's before-call event.

While any mock is active, ``HierarchicalEmitter.emit_until_response`` is wrapped (with wrapt, at class
level), so every client sees the mock whenever and however it was created: before the mock started,
before this package was imported, from any session. The client's own before-call handlers run first
(a Stubber keeps priority); when none answers an MTurk call, the innermost active mock does, through
the one request pipeline. Three guards fail closed while active: an MTurk request that still reaches
the HTTP layer raises ``NetworkBlocked``, and the instance-metadata and container credential
providers, which would otherwise open connections when a client is created without credentials,
find nothing.

The wrappers are applied at the first activation over whatever is there then, so patches other tools
made earlier stay in the chain; at the last deactivation each wrapper is taken out if it is still the
outermost, and otherwise (another tool patched over it meanwhile) stays inside that tool's patch,
passing every call straight through while no mock is active.

``aiobotocore_hook`` applies the same rules to aiobotocore's classes with these helpers (``make_answer``,
``block_send``, ``apply_patches``), so both client families get the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import wrapt
from botocore import credentials as _credentials
from botocore import handlers as _handlers
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.endpoint import Endpoint
from botocore.hooks import HierarchicalEmitter

from .. import activation
from ..constants import DEFAULT_REQUESTER
from .botocore_compat import access_key, cached_handlers, endpoint_prefix, is_botocore_emit
from .converter import convert_error, output_converter
from .endpoints import marketplace_of_url, wrong_scope
from .pipeline import Answer, handle_request
from .retries import with_client_retries

EVENT_PREFIX = "before-call.mturk."
ENDPOINT_PREFIX = "mturk-requester"


class NetworkBlocked(RuntimeError):
    """An MTurk request tried to leave the process while the mock was active."""


# botocore's own before-call handlers that only add request headers: a mocked call sends no request,
# so when they are all an emitter would run, the mock answers without running them (~12 us a call).
INERT_HANDLERS = frozenset(
    filter(
        None,
        (
            getattr(_handlers, name, None)
            for name in ("add_recursion_detection_header", "inject_api_version_header_if_needed")
        ),
    )
)


def only_inert(handlers: Any) -> bool:
    """Whether the handlers an emitter looked up (None: not looked up yet) are only botocore's header handlers."""
    if handlers is None:
        return False
    for handler in handlers:  # noqa: SIM110 - a plain loop: all() over a generator costs more on every call
        if handler not in INERT_HANDLERS:
            return False
    return True


def answer_before_call(
    wrapped: Callable[..., Any], instance: HierarchicalEmitter, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    mocks = activation.active
    if not mocks:
        return wrapped(*args, **kwargs)
    event_name = args[0] if args else kwargs.get("event_name", "")
    if not event_name.startswith(EVENT_PREFIX):
        return wrapped(*args, **kwargs)
    # The shortcut stands for running botocore's own method; a tool's patch made before activation (ours
    # wraps it) must run, so then the handlers are run through it.
    if only_inert(cached_handlers(instance, event_name)) and is_botocore_emit(wrapped):
        return answer, answer(mocks[-1], emitter=instance, **kwargs)  # only header handlers would run
    handler, response = wrapped(*args, **kwargs)
    if response is None:
        mocks = activation.active  # the client's own handlers ran: the stack may have changed meanwhile
        if mocks:
            return answer, answer(mocks[-1], emitter=instance, **kwargs)
    return handler, response


def block_send(wrapped: Callable[..., Any], instance: Endpoint, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Refuses an MTurk request at the HTTP layer; returns what the wrapped ``_send`` returns (aiobotocore's
    coroutine too, so the same guard serves both)."""
    if activation.active and ENDPOINT_PREFIX in endpoint_prefix(instance):
        request = args[0] if args else kwargs.get("request")
        raise NetworkBlocked(
            f"mturk_mock is active but an MTurk request to {getattr(request, 'url', '?')} reached the HTTP layer "
            "(a custom client or transport bypassed botocore's before-call event); nothing was sent."
        )
    return wrapped(*args, **kwargs)


def _no_network_credentials(
    wrapped: Callable[..., Any], instance: object, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    return None if activation.active else wrapped(*args, **kwargs)


Patches = tuple[tuple[type, str, Callable[..., Any]], ...]
_PATCHES: Patches = (
    (HierarchicalEmitter, "emit_until_response", answer_before_call),
    (Endpoint, "_send", block_send),
    (_credentials.InstanceMetadataProvider, "load", _no_network_credentials),
    (_credentials.ContainerProvider, "load", _no_network_credentials),
)


def _wrapped_by(attribute: object, wrapper: Callable[..., Any]) -> bool:
    """Whether ``wrapper`` is somewhere in the chain of wrappers that ``attribute`` is."""
    while attribute is not None:
        if getattr(attribute, "_self_wrapper", None) is wrapper:
            return True
        attribute = getattr(attribute, "__wrapped__", None)
    return False


# The wrapper made for each patched attribute, with the original it wraps: an activation over the same
# original puts the same wrapper back instead of building a new one (halves the cost of activating).
_MADE: dict[tuple[type, str], tuple[object, wrapt.FunctionWrapper]] = {}


def apply_patches(patches: Patches) -> None:
    for owner, name, wrapper in patches:
        current = vars(owner).get(name)
        if _wrapped_by(current, wrapper):
            continue
        made = _MADE.get((owner, name))
        if made is not None and made[0] is current and current is not None:
            setattr(owner, name, made[1])
        else:
            _MADE[owner, name] = (current, wrapt.wrap_function_wrapper(owner, name, wrapper))


def remove_patches(patches: Patches) -> None:
    for owner, name, wrapper in patches:
        current = vars(owner).get(name)
        if isinstance(current, wrapt.FunctionWrapper) and current._self_wrapper is wrapper:
            setattr(owner, name, current.__wrapped__)


def install() -> None:
    apply_patches(_PATCHES)


def uninstall() -> None:
    remove_patches(_PATCHES)


_HOSTS: dict[str, str | None] = {}


def marketplace_of(url: str) -> str | None:
    """sandbox or production from the endpoint URL's host; None for a custom endpoint_url (endpoints.py)."""
    try:
        return _HOSTS[url]
    except KeyError:
        found = marketplace_of_url(url)  # EndpointConnectionError for an AWS host that is not MTurk's
        if len(_HOSTS) < 1024:
            _HOSTS[url] = found
        return found


def requester_of(request_signer: object) -> str:
    """The caller's access key; the default requester for a client without credentials."""
    return access_key(request_signer) or DEFAULT_REQUESTER


class Response(AWSResponse):
    """An AWSResponse whose case-insensitive header dict is built only if somebody reads it."""

    def __init__(self, url: str, status_code: int, headers: dict[str, str], body: bytes) -> None:
        self.url = url
        self.status_code = status_code
        self._raw_headers = headers
        self._headers: HeadersDict | None = None
        self._content = body

    @property
    def raw(self) -> RawBody:
        return RawBody(self._content)

    @property
    def headers(self) -> HeadersDict:
        if self._headers is None:
            self._headers = HeadersDict(self._raw_headers)
        return self._headers

    @headers.setter
    def headers(self, value: Any) -> None:
        self._headers = HeadersDict(value)


class RawBody:
    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


Reply = tuple[AWSResponse, dict[str, Any]]


RetryLoop = Callable[[Any, Any, Any, dict[str, Any], tuple[Answer, Reply], Callable[[], tuple[Answer, Reply]]], Any]


def make_answer(
    response_class: Callable[[str, int, dict[str, str], bytes], AWSResponse], client_retries: RetryLoop
) -> Any:
    """The before-call answer of one client family: its responses are ``response_class`` (aiobotocore's are
    awaited) and ``client_retries`` replays its retry loop for injected faults (aiobotocore's returns a
    coroutine). Everything else is shared, so both families get the same bytes and parsed answers."""

    def answer(
        mock: Any,
        *,
        model: Any,
        params: dict[str, Any],
        request_signer: Any = None,
        emitter: HierarchicalEmitter | None = None,
        **_: Any,
    ) -> Any:
        """The (http response, parsed) pair botocore expects from a before-call handler; for an injected
        fault, the outcome of the client's own retries (``retries.py``; aiobotocore's: a coroutine)."""
        url = params["url"]
        marketplace = marketplace_of(url) or mock.default_marketplace
        requester, body = requester_of(request_signer), params["body"] or b"{}"
        result = wrong_scope(mock, url, request_signer, marketplace, requester, model.name, body) or handle_request(
            mock, marketplace, requester, model.name, body
        )
        reply = _reply(url, model.name, result, response_class)
        if result[5] is None or emitter is None:  # no fault was injected
            return reply

        def again() -> tuple[Answer, Reply]:
            retried = handle_request(mock, marketplace, requester, model.name, body)
            return retried, _reply(url, model.name, retried, response_class)

        return client_retries(mock, emitter, model, params, (result, reply), again)

    return answer


def _reply(url: str, operation: str, result: Answer, response_class: Callable[..., AWSResponse]) -> Reply:
    status, wire, body, request_id, headers = result[:5]
    # The response's header dict is built from ``headers`` only when read, so both may share it.
    metadata = {"RequestId": request_id, "HTTPStatusCode": status, "HTTPHeaders": headers, "RetryAttempts": 0}
    if status < 300:
        parsed = output_converter(operation)(wire)
        parsed["ResponseMetadata"] = metadata
    else:
        parsed = convert_error(wire, metadata)
    return response_class(url, status, headers, body), parsed


answer = make_answer(Response, with_client_retries)

"""The short way through a sync MTurk client call while a mock is active.

Before the before-call event where the mock answers, botocore's ``BaseClient._make_api_call`` does work
that only matters for a request that is sent: it builds the user-agent string (about half of a Stubber
call's cost) and evaluates the endpoint rules anew on every call. When nothing could tell the difference,
this wrapper runs the steps that remain without them:

* the client's ``provide-client-params`` and ``before-parameter-build`` events, as botocore emits them
  (a Stubber's parameter checks, handlers that fill or change parameters);
* the client's serializer, so validation errors and the request body are botocore's own;
* the endpoint the client's rules resolve, resolved once per client (MTurk's rules read no call
  parameter) and anew while any ``before-endpoint-resolution`` handler is registered;
* the mock's answer (``botocore_hook.answer``), and the error raised as botocore raises it.

It is taken only when all of this holds; otherwise botocore's own method runs and the mock answers at
before-call (``botocore_hook``): the method patched is botocore's own, not another tool's wrapper of it;
the client is MTurk's; no fault is armed (an injected fault replays the client's retry loop); the only
before-call handlers the client would run are botocore's header handlers, and it has no after-call
handler, so a Stubber, or any handler an application registered, sees every call as before.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from botocore import client as _client
from botocore import hooks as _hooks
from botocore.awsrequest import prepare_request_dict
from botocore.client import BaseClient
from botocore.history import get_global_history_recorder
from botocore.hooks import EventAliaser, HierarchicalEmitter

from .. import activation
from .botocore_compat import handlers_of, is_botocore_make_api_call, is_code_of
from .botocore_hook import EVENT_PREFIX, INERT_HANDLERS, answer, answer_before_call, apply_patches, remove_patches

log = logging.getLogger(_client.__name__)  # botocore's own logger, for its deprecation note
_history = get_global_history_recorder()
_SERVICE_ID = "mturk"

# The endpoint each client's rules resolve: (url, additional headers, properties).
_endpoints: weakref.WeakKeyDictionary[BaseClient, tuple[str, dict[str, str], dict[str, Any]]]
_endpoints = weakref.WeakKeyDictionary()


# The methods the short way stands for, with their modules, as last found to be botocore's own (ours
# over botocore's for emit_until_response): a tool's patch of any of them, made before or during the
# activation, is honoured by going botocore's way, through it.
_STOOD_FOR = (
    ("_convert_to_request_dict", _client.__file__),
    ("_resolve_endpoint_ruleset", _client.__file__),
    ("emit_until_response", _hooks.__file__),
    ("emit_until_response", _hooks.__file__),
)
_CLIENT, _ALIASER, _EMITTER = vars(BaseClient), vars(EventAliaser), vars(HierarchicalEmitter)
_checked: list[tuple[object, ...]] = [()]


def _botocores_own() -> bool:
    current = (
        _CLIENT.get("_convert_to_request_dict"),
        _CLIENT.get("_resolve_endpoint_ruleset"),
        _ALIASER.get("emit_until_response"),
        _EMITTER.get("emit_until_response"),
    )
    if current == _checked[0]:
        return True
    for (name, module_file), method in zip(_STOOD_FOR, current, strict=True):
        if getattr(method, "_self_wrapper", None) is answer_before_call:  # ours: is it over botocore's own?
            method = getattr(method, "__wrapped__", None)
        if not is_code_of(method, module_file, name):
            return False
    _checked[0] = current
    return True


def _emitter(client: BaseClient) -> Any:
    events = client.meta.events
    return getattr(events, "_emitter", events)  # the HierarchicalEmitter behind botocore's EventAliaser


def _unobserved(emitter: Any, operation_name: str) -> bool:
    """Whether the client's before-call handlers are only botocore's header handlers and it has no
    after-call handler: then nothing sees the request or the context."""
    handlers = handlers_of(emitter, EVENT_PREFIX + operation_name)
    after = handlers_of(emitter, f"after-call.{_SERVICE_ID}.{operation_name}")
    if handlers is None or after is None or after:
        return False
    return all(handler in INERT_HANDLERS for handler in handlers)


def _endpoint(
    client: Any, emitter: Any, operation_model: Any, api_params: dict[str, Any], context: dict[str, Any]
) -> tuple[str, dict[str, str], dict[str, Any]]:
    customizers = handlers_of(emitter, f"before-endpoint-resolution.{_SERVICE_ID}")
    resolved = _endpoints.get(client)
    if resolved is None or customizers is None or customizers:
        resolved = client._resolve_endpoint_ruleset(operation_model, api_params, context)
        if customizers is not None and not customizers:  # else a handler may change it on any call
            _endpoints[client] = resolved
    return resolved


def _make_api_call(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    mocks = activation.active
    if not mocks or kwargs or len(args) != 2 or not is_botocore_make_api_call(wrapped) or not _botocores_own():
        return wrapped(*args, **kwargs)
    service_model = instance._service_model
    mock = mocks[-1]
    if service_model.service_name != _SERVICE_ID or mock.faults.armed:
        return wrapped(*args, **kwargs)
    operation_name, api_params = args
    emitter = _emitter(instance)
    if not _unobserved(emitter, operation_name):
        return wrapped(*args, **kwargs)
    return _call(instance, service_model, emitter, mock, operation_name, api_params)


def _call(
    client: Any, service_model: Any, emitter: Any, mock: Any, operation_name: str, api_params: dict[str, Any]
) -> Any:
    """botocore's _make_api_call for a call the mock answers, without the steps of a request that is sent."""
    operation_model = service_model.operation_model(operation_name)
    _history.record("API_CALL", {"service": _SERVICE_ID, "operation": operation_name, "params": api_params})
    if operation_model.deprecated:
        log.debug("Warning: %s.%s() is deprecated", _SERVICE_ID, operation_name)
    meta = client.meta
    # The context botocore's handlers get; its auth_type only matters to the signer, which never runs.
    context = {
        "client_region": meta.region_name,
        "client_config": meta.config,
        "has_streaming_input": operation_model.has_streaming_input,
        "auth_type": operation_model.resolved_auth_type,
        "unsigned_payload": operation_model.unsigned_payload,
        "auth_options": service_model.metadata.get("auth"),
    }
    api_params = client._emit_api_params(api_params=api_params, operation_model=operation_model, context=context)
    endpoint_url, headers, properties = _endpoint(client, emitter, operation_model, api_params, context)
    if properties:
        context["endpoint_properties"] = properties
    request_dict = client._serializer.serialize_to_request(api_params, operation_model)
    if headers:
        request_dict["headers"].update(headers)
    prepare_request_dict(request_dict, endpoint_url=endpoint_url, context=context)
    http, parsed = answer(mock, model=operation_model, params=request_dict, request_signer=client._request_signer)
    if http.status_code >= 300:
        error = parsed.get("Error", {})
        code = context.get("error_code_override") or error.get("QueryErrorCode") or error.get("Code")
        raise client.exceptions.from_code(code)(parsed, operation_name)
    return parsed


_PATCHES = ((BaseClient, "_make_api_call", _make_api_call),)


def install() -> None:
    apply_patches(_PATCHES)


def uninstall() -> None:
    remove_patches(_PATCHES)

"""The short way through an MTurk client call while a mock is active, for boto3's clients here and for
aiobotocore's in ``aiobotocore_hook`` (with the helpers below).

Before the before-call event where the mock answers, ``_make_api_call`` does work that only matters for
a request that is sent: it builds the user-agent string (about half of a Stubber call's cost) and
evaluates the endpoint rules anew on every call. When nothing could tell the difference, the wrapper
runs the steps that remain without them:

* the client's ``provide-client-params`` and ``before-parameter-build`` events, as botocore emits them
  (a Stubber's parameter checks, handlers that fill or change parameters);
* the client's validator, so validation errors are botocore's own, and the body its serializer would
  make (``json.dumps`` of the parameters when that is what it makes, see ``request_dict``);
* the endpoint the client's rules resolve, resolved once per client (MTurk's rules read no call
  parameter) and anew while any ``before-endpoint-resolution`` handler is registered;
* the mock's answer (``botocore_hook.make_answer``), the ``after-call`` event when the client has
  handlers for it (botocore's standard retry mode does), and the error raised as botocore raises it.

It is taken only when all of this holds; otherwise the library's own method runs and the mock answers
at before-call: the method patched is the library's own, and so are the steps it stands for (not another
tool's wrapper of them); the client is MTurk's; no fault is armed (an injected fault replays the
client's retry loop); the only before-call handlers the client would run are botocore's header
handlers, so a Stubber, or any handler an application registered there, sees every call as before.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from types import MethodType
from typing import Any

from botocore import auth as _auth
from botocore import client as _client
from botocore import hooks as _hooks
from botocore import serialize as _serialize
from botocore import validate as _validate
from botocore.awsrequest import prepare_request_dict
from botocore.client import BaseClient
from botocore.exceptions import ParamValidationError
from botocore.history import get_global_history_recorder
from botocore.hooks import EventAliaser, HierarchicalEmitter
from botocore.serialize import JSONSerializer
from botocore.validate import ParamValidationDecorator

from .. import activation
from .botocore_compat import handlers_of, is_code_of
from .botocore_hook import EVENT_PREFIX, answer, answer_before_call, apply_patches, only_inert, remove_patches

log = logging.getLogger(_client.__name__)  # botocore's own logger, for its deprecation note
_history = get_global_history_recorder()
_resolve_auth_scheme_preference: Any = getattr(_auth, "resolve_auth_scheme_preference", None)
try:  # the decorator around _make_api_call from botocore 1.36 on
    from botocore import context as _context

    _CONTEXT_FILE = _context.__file__
except ImportError:
    _CONTEXT_FILE = ""
_SERVICE_ID = "mturk"
Endpoint = tuple[str, dict[str, str], dict[str, Any]]  # url, additional headers, properties

_endpoints: weakref.WeakKeyDictionary[BaseClient, Endpoint] = weakref.WeakKeyDictionary()


@dataclass
class Family:
    """What the short way needs to know of one client family's own code."""

    client_file: str  # the module of its _make_api_call, _convert_to_request_dict, _resolve_endpoint_ruleset
    context_file: str  # the module of the with_current_context decorator around _make_api_call
    client: type  # its client base class
    emitter: type  # its emitter class, whose emit_until_response the family's before-call hook wraps
    emitter_file: str
    before_call: Callable[..., Any]  # that hook
    own_make_api_call: object = None  # once recognised
    own_steps: tuple[object, ...] = (None,) * 6  # the methods of the steps, once recognised

    def is_own_make_api_call(self, bound: object) -> bool:
        """Whether ``bound`` is the family's own ``_make_api_call``: its code, or its code inside the
        library's ``with_current_context`` decorator. Another tool's wrapper, with ``functools.wraps`` or
        not, has code of its own or is a wrapt proxy, so it is never taken for the library's."""
        if type(bound) is not MethodType:  # a wrapt proxy forwards __func__ to what it wraps
            return False
        function = bound.__func__
        if function is self.own_make_api_call:
            return True
        inner: object = function
        if is_code_of(function, self.context_file, "wrapper"):
            inner = getattr(function, "__wrapped__", None)
        if not is_code_of(inner, self.client_file, "_make_api_call"):
            return False
        self.own_make_api_call = function
        return True

    def steps_are_own(self) -> bool:
        """Whether the methods the short way stands for are the library's own (the before-call hook's:
        ours over the library's), checked again only when one of them has changed."""
        methods = vars(self.client)
        current = (
            methods.get("_convert_to_request_dict"),
            methods.get("_resolve_endpoint_ruleset"),
            vars(EventAliaser).get("emit_until_response"),
            vars(self.emitter).get("emit_until_response"),
            vars(JSONSerializer).get("serialize_to_request"),
            vars(ParamValidationDecorator).get("serialize_to_request"),
        )
        known = self.own_steps  # compared with is: a wrapt proxy == what it wraps
        if (
            current[0] is known[0]
            and current[1] is known[1]
            and current[2] is known[2]
            and current[3] is known[3]
            and current[4] is known[4]
            and current[5] is known[5]
        ):
            return True
        hook = current[3]
        if getattr(hook, "_self_wrapper", None) is not self.before_call:
            return False
        expected = (
            (current[0], self.client_file, "_convert_to_request_dict"),
            (current[1], self.client_file, "_resolve_endpoint_ruleset"),
            (current[2], _hooks.__file__, "emit_until_response"),
            (getattr(hook, "__wrapped__", None), self.emitter_file, "emit_until_response"),
            (current[4], _serialize.__file__, "serialize_to_request"),
            (current[5], _validate.__file__, "serialize_to_request"),
        )
        if not all(is_code_of(method, module_file, name) for method, module_file, name in expected):
            return False
        self.own_steps = current
        return True


def short_way(family: Family, wrapped: object, client: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """(mock, emitter, operation model) when ``client._make_api_call(*args, **kwargs)`` may take the short way,
    else None."""
    mocks = activation.active
    if not mocks or kwargs or len(args) != 2 or not family.is_own_make_api_call(wrapped):
        return None
    mock = mocks[-1]
    service_model = client._service_model
    if service_model.service_name != _SERVICE_ID or mock.faults.armed or not family.steps_are_own():
        return None
    events = client.meta.events
    emitter = getattr(events, "_emitter", events)  # the emitter behind botocore's EventAliaser
    if not only_inert(handlers_of(emitter, EVENT_PREFIX + args[0])):
        return None
    return mock, emitter, service_model.operation_model(args[0])


def call_context(client: Any, operation_model: Any, api_params: dict[str, Any]) -> dict[str, Any]:
    """What _make_api_call does before the parameter events: the history record, the deprecation note,
    and the context the client's handlers get (its auth_type only matters to a signer, which never runs)."""
    _history.record("API_CALL", {"service": _SERVICE_ID, "operation": operation_model.name, "params": api_params})
    if operation_model.deprecated:
        log.debug("Warning: %s.%s() is deprecated", _SERVICE_ID, operation_model.name)
    meta = client.meta
    # an older botocore has only auth_type, and no unsigned_payload
    auth_type = getattr(operation_model, "resolved_auth_type", None) or operation_model.auth_type
    preference = getattr(meta.config, "auth_scheme_preference", None)
    if preference and _resolve_auth_scheme_preference is not None and getattr(operation_model, "auth", None):
        auth_type = _resolve_auth_scheme_preference(preference.split(","), operation_model.auth)  # botocore 1.39+
    return {
        "client_region": meta.region_name,
        "client_config": meta.config,
        "has_streaming_input": operation_model.has_streaming_input,
        "auth_type": auth_type,
        "unsigned_payload": getattr(operation_model, "unsigned_payload", None),
        "auth_options": operation_model.service_model.metadata.get("auth"),
    }


def cached_endpoint(client: Any, emitter: Any) -> tuple[Endpoint | None, bool]:
    """(the client's endpoint if known, whether a resolved one may be kept): not while any handler of
    ``before-endpoint-resolution`` could change it on any call."""
    customizers = handlers_of(emitter, f"before-endpoint-resolution.{_SERVICE_ID}")
    if customizers is None or customizers:
        return None, False
    return _endpoints.get(client), True


def resolved_endpoint(client: Any, keep: bool, resolved: tuple[Any, ...]) -> Endpoint:
    """What _resolve_endpoint_ruleset returned, as (url, headers, properties), kept for the client if ``keep``
    (botocore before 1.32 returns no properties)."""
    endpoint: Endpoint = (resolved[0], resolved[1], resolved[2] if len(resolved) > 2 else {})
    if keep:
        _endpoints[client] = endpoint
    return endpoint


# Shapes the JSON serializer passes through as they are: a request of only these, with no member renamed,
# serializes to json.dumps of its parameters (botocore walks them in their own order and keeps every value).
_AS_GIVEN = frozenset({"structure", "list", "map", "string", "integer", "long", "boolean"})
_plain_inputs: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
_urls: dict[str, str] = {}


def _as_given(shape: Any) -> bool:
    if shape.type_name not in _AS_GIVEN or getattr(shape, "is_document_type", False):
        return False
    if shape.type_name == "structure":
        return all("name" not in member.serialization and _as_given(member) for member in shape.members.values())
    if shape.type_name == "list":
        return _as_given(shape.member)
    if shape.type_name == "map":
        return _as_given(shape.key) and _as_given(shape.value)
    return not shape.serialization


def _plain(operation_model: Any) -> bool:
    """Whether the operation's request body is json.dumps of its validated parameters (MTurk's all are, but
    for UpdateExpirationForHIT's timestamp), with no host prefix and no header of the query-compatible trait."""
    plain = _plain_inputs.get(operation_model)
    if plain is None:
        shape = operation_model.input_shape
        plain = _plain_inputs[operation_model] = (
            (shape is None or _as_given(shape))
            and operation_model.endpoint is None
            and not getattr(operation_model.service_model, "is_query_compatible", False)
        )
    return plain


def _url(endpoint_url: str) -> str:
    url = _urls.get(endpoint_url)
    if url is None:
        request: dict[str, Any] = {"url_path": "/", "query_string": "", "headers": {}}
        prepare_request_dict(request, endpoint_url=endpoint_url)
        url = str(request["url"])
        if len(_urls) < 1024:
            _urls[endpoint_url] = url
    return url


def request_dict(
    client: Any, operation_model: Any, api_params: dict[str, Any], endpoint: Endpoint, context: dict[str, Any]
) -> dict[str, Any]:
    """The request as far as the mock reads it (URL and body), validated and serialized as the client's
    serializer would: by it, or, for a plain request to botocore's own JSON serializer, by json.dumps after
    botocore's validator. Nothing else reads it: the short way runs no handler that would see it."""
    endpoint_url, headers, properties = endpoint
    if properties:
        context["endpoint_properties"] = properties
    serializer = client._serializer
    validating = type(serializer) is ParamValidationDecorator
    if type(serializer._serializer if validating else serializer) is JSONSerializer and _plain(operation_model):
        if validating and operation_model.input_shape is not None:
            report = serializer._param_validator.validate(api_params, operation_model.input_shape)
            if report.has_errors():
                raise ParamValidationError(report=report.generate_report())
        body = json.dumps(api_params).encode("utf-8") if operation_model.input_shape is not None else b"{}"
        return {"url": _url(endpoint_url), "body": body, "context": context}
    request: dict[str, Any] = serializer.serialize_to_request(api_params, operation_model)
    if headers:
        request["headers"].update(headers)
    prepare_request_dict(request, endpoint_url=endpoint_url, context=context)
    return request


def after_call(emitter: Any, operation_name: str) -> str | None:
    """The after-call event to emit for the operation, or None when the client has no handler for it."""
    event = f"after-call.{_SERVICE_ID}.{operation_name}"
    return event if handlers_of(emitter, event) else None


def outcome(client: Any, operation_name: str, http: Any, parsed: dict[str, Any], context: dict[str, Any]) -> Any:
    """The parsed answer, or the modelled error raised as _make_api_call raises it."""
    if http.status_code >= 300:
        error = parsed.get("Error", {})
        code = context.get("error_code_override") or error.get("QueryErrorCode") or error.get("Code")
        raise client.exceptions.from_code(code)(parsed, operation_name)
    return parsed


BOTOCORE = Family(_client.__file__, _CONTEXT_FILE, BaseClient, HierarchicalEmitter, _hooks.__file__, answer_before_call)


def _make_api_call(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    way = short_way(BOTOCORE, wrapped, instance, args, kwargs)
    if way is None:
        return wrapped(*args, **kwargs)
    mock, emitter, operation_model = way
    operation_name, api_params = args
    context = call_context(instance, operation_model, api_params)
    api_params = instance._emit_api_params(api_params=api_params, operation_model=operation_model, context=context)
    endpoint, keep = cached_endpoint(instance, emitter)
    if endpoint is None:
        endpoint = resolved_endpoint(
            instance, keep, instance._resolve_endpoint_ruleset(operation_model, api_params, context)
        )
    request = request_dict(instance, operation_model, api_params, endpoint, context)
    http, parsed = answer(mock, model=operation_model, params=request, request_signer=instance._request_signer)
    event = after_call(emitter, operation_name)
    if event is not None:
        instance.meta.events.emit(event, http_response=http, parsed=parsed, model=operation_model, context=context)
    return outcome(instance, operation_name, http, parsed, context)


_PATCHES = ((BaseClient, "_make_api_call", _make_api_call),)


def install() -> None:
    apply_patches(_PATCHES)


def uninstall() -> None:
    remove_patches(_PATCHES)

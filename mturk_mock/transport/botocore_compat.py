"""Every private botocore attribute the in-process transport reads, in one place, each checked once at
import so that a botocore release that renames one degrades to the slower public path or fails loudly,
instead of failing silently inside a client call.
"""

from __future__ import annotations

from types import FunctionType, MethodType
from typing import Any

from botocore import hooks as _hooks
from botocore.endpoint import Endpoint
from botocore.hooks import HierarchicalEmitter

# The emitter's cache of the handlers each event runs: read to answer at once when only botocore's own
# header handlers would run. Without it the mock runs the handlers first, which is only slower.
HAS_LOOKUP_CACHE = isinstance(getattr(HierarchicalEmitter(), "_lookup_cache", None), dict)
# The emitter's prefix tree of handlers, which fills that cache (HierarchicalEmitter._emit).
HAS_PREFIX_SEARCH = callable(getattr(getattr(HierarchicalEmitter(), "_handlers", None), "prefix_search", None))
# The service an endpoint talks to; set in Endpoint.__init__.
HAS_ENDPOINT_PREFIX = "_endpoint_prefix" in Endpoint.__init__.__code__.co_names


def cached_handlers(emitter: HierarchicalEmitter, event_name: str) -> Any:
    """The handlers botocore has looked up for ``event_name``, or None when not looked up (or unknown)."""
    if not HAS_LOOKUP_CACHE:
        return None
    return getattr(emitter, "_lookup_cache").get(event_name)  # noqa: B009 - private, checked above


def handlers_of(emitter: HierarchicalEmitter, event_name: str) -> Any:
    """The handlers ``event_name`` runs, looked up and cached as botocore's emitter does on emitting it;
    None when the emitter keeps no such cache."""
    handlers = cached_handlers(emitter, event_name)
    if handlers is None and HAS_LOOKUP_CACHE and HAS_PREFIX_SEARCH:
        handlers = getattr(emitter, "_handlers").prefix_search(event_name)  # noqa: B009 - private, checked
        getattr(emitter, "_lookup_cache")[event_name] = handlers  # noqa: B009
    return handlers


def is_botocore_emit(bound: object) -> bool:
    """Whether ``bound`` is botocore's own ``emit_until_response`` (bound to an emitter), and not another
    tool's patch that was in place when the mock wrapped the method: only botocore's own does nothing but
    run the handlers the lookup cache lists. Recognised by its code (a wrapper's ``functools.wraps`` copies
    names, never the code object, and a wrapt proxy, which forwards ``__func__`` and ``__code__`` to what it
    wraps, is not a plain bound method); anything else is not botocore's, which is only slower."""
    return is_own_method(bound, _hooks.__file__, "emit_until_response")


def is_own_method(bound: object, module_file: str, name: str) -> bool:
    """Whether ``bound`` is a plain bound method running the code of ``name`` defined in ``module_file``."""
    return type(bound) is MethodType and is_code_of(bound.__func__, module_file, name)


def is_code_of(function: object, module_file: str, name: str) -> bool:
    """Whether ``function`` is a plain function (not a wrapt proxy, which forwards ``__code__``) running the
    code of the function ``name`` defined in ``module_file``."""
    if type(function) is not FunctionType:
        return False
    code = function.__code__
    return code.co_name == name and code.co_filename == module_file


def endpoint_prefix(endpoint: Endpoint) -> str:
    """The endpoint's service prefix (``mturk-requester`` for MTurk), else its host."""
    if HAS_ENDPOINT_PREFIX:
        return str(getattr(endpoint, "_endpoint_prefix", ""))
    return str(getattr(endpoint, "host", ""))


def access_key(request_signer: object) -> str | None:
    """The access key of the signer's credentials, read without refreshing them (a refresh could go to
    the network): RefreshableCredentials keep it in ``_access_key``."""
    credentials = getattr(request_signer, "_credentials", None)
    if credentials is None:
        return None
    fields = getattr(credentials, "__dict__", {})
    key = fields.get("access_key") or fields.get("_access_key")
    return key if isinstance(key, str) and key else None

"""The AWS JSON 1.1 protocol as MTurk speaks it, for every transport: request bodies, answer bodies,
error bodies, response headers, and which marketplace an endpoint host names.

Answer bodies are compact JSON with sorted keys and no nulls, like the service's. Entities rendered by
the service (``Rendered``) are encoded once and their text reused by every later answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from ..constants import HOST_MARKETPLACES
from ..model import errors
from ..model.errors import MTurkError
from ..service.render import Rendered

CONTENT_TYPE = "application/x-amz-json-1.1"

_escaped = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def _compact_encoder() -> Callable[[Any], str]:
    """Sorted, compact, UTF-8 JSON like the service's. json.dumps and JSONEncoder.encode build a new C
    encoder on every call; this one is built once (and falls back to JSONEncoder without the C module)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
    iterencode = make(None, None, json.encoder.encode_basestring, None, ":", ",", True, False, True)

    def encode(value: Any) -> str:
        return "".join(iterencode(value, 0))

    return encode


_encode_plain = _compact_encoder()
_dates: dict[int, str] = {}


def marketplace_for_host(host: str | None) -> str | None:
    """sandbox or production when ``host`` (any case, any port, trailing dot or not) names its endpoint."""
    name = (host or "").strip().lower()
    if name.startswith("["):  # an IPv6 literal is never an MTurk host
        return None
    return HOST_MARKETPLACES.get(name.split(":", 1)[0].rstrip("."))


def decode_request(body: bytes) -> Any:
    """The JSON of a request body; an empty body is an empty request."""
    if not body or body == b"{}" or not body.strip():
        return {}
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise errors.SERIALIZATION(message=f"The request body is not valid JSON: {exc}") from None


def _rendered_text(rendered: Rendered) -> str:
    text = rendered.json
    if text is None:
        text = rendered.json = _encode_plain(rendered)
    return text


def _member_text(value: Any) -> str:
    if type(value) is Rendered:
        return value.json or _rendered_text(value)
    if type(value) is list and value and type(value[0]) is Rendered:
        return "[" + ",".join([item.json or _rendered_text(item) for item in value]) + "]"
    return _encode_plain(value)


def encode_body(wire: dict[str, Any]) -> bytes:
    """An answer's body: sorted, compact UTF-8 JSON. Rendered members are encoded once, then reused."""
    if not wire:  # the answer of most writes
        return b"{}"
    try:
        if type(wire) is Rendered:  # a whole answer rendered once
            return (wire.json or _rendered_text(wire)).encode()
        for value in wire.values():
            if type(value) is Rendered or type(value) is list:
                text = "{" + ",".join([f'"{name}":{_member_text(wire[name])}' for name in sorted(wire)]) + "}"
                return text.encode()
        return _encode_plain(wire).encode()
    except UnicodeEncodeError:  # a lone surrogate (validation refuses them): escape rather than fail
        return _escaped.encode(wire).encode()


def error_body(error: MTurkError, epoch_ms: int) -> dict[str, Any]:
    """The wire body of an error: the catalogue entry in the form the service sends (spec Q§0.3)."""
    spec = error.spec
    suffix = {"ms": f" ({epoch_ms})", "ms s": f" ({epoch_ms} s)", "none": ""}[spec.suffix]
    body: dict[str, Any] = {
        spec.message_member: error.message + suffix,
        "__type": f"{spec.namespace}#{spec.code}" if spec.namespace else spec.code,
    }
    if spec.turk_error_code is not None:
        body["TurkErrorCode"] = spec.full_turk_error_code
    if error.parameter is not None:
        body["Parameter"] = error.parameter
    return body


def http_date(now: float) -> str:
    second = int(now)
    date = _dates.get(second)
    if date is None:
        if len(_dates) > 64:
            _dates.clear()
        date = _dates[second] = formatdate(second, usegmt=True)
    return date


def response_headers(request_id: str, body: bytes, now: float) -> dict[str, str]:
    """The headers of an MTurk answer, lower-case as botocore reports them."""
    date = _dates.get(int(now)) or http_date(now)
    return {
        "x-amzn-requestid": request_id,
        "content-type": CONTENT_TYPE,
        "content-length": str(len(body)),
        "date": date,
    }

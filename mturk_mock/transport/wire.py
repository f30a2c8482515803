"""What every transport writes the same way: body bytes, response headers, request IDs, and which
marketplace an endpoint host names."""

from __future__ import annotations

import json
import random
from collections import deque
from email.utils import formatdate

from ..model.world import PRODUCTION, SANDBOX

CONTENT_TYPE = "application/x-amz-json-1.1"
HOST_MARKETPLACES = {
    "mturk-requester-sandbox.us-east-1.amazonaws.com": SANDBOX,
    "mturk-requester.us-east-1.amazonaws.com": PRODUCTION,
}


def marketplace_for_host(host: str | None) -> str | None:
    """sandbox or production when ``host`` (any case, any port, trailing dot or not) names its endpoint."""
    name = (host or "").strip().lower()
    if name.startswith("["):  # an IPv6 literal is never an MTurk host
        return None
    return HOST_MARKETPLACES.get(name.split(":", 1)[0].rstrip("."))


def _make_encoder():
    """Sorted, compact, UTF-8 JSON like the service's. The C encoder is built once: json.dumps and
    JSONEncoder.encode rebuild it on every call when any option differs from the defaults."""
    make = json.encoder.c_make_encoder or json.encoder._make_iterencode
    iterencode = make(None, None, json.encoder.encode_basestring, None, ":", ",", True, False, True)

    def encode(value) -> bytes:
        text = "".join(iterencode(value, 0))
        try:
            return text.encode()
        except UnicodeEncodeError:  # a lone surrogate (validation refuses them): escape rather than fail
            return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()

    return encode


encode_body = _make_encoder()
_random_bits = random.Random().getrandbits
_request_ids: deque[str] = deque()
_dates: dict[int, str] = {}


def new_request_id() -> str:
    """A version-4 UUID string, like x-amzn-RequestId; made 256 at a time, while the cache is warm."""
    try:
        return _request_ids.popleft()
    except IndexError:
        batch = []
        for _ in range(256):
            hex32 = "%032x" % (_random_bits(128) & ~(0xF000 << 64 | 0xC << 60) | (0x4000 << 64 | 0x8 << 60))
            batch.append(f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}")
        _request_ids.extend(batch)
        return _request_ids.popleft()


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
    return {"x-amzn-requestid": request_id, "content-type": CONTENT_TYPE, "content-length": str(len(body)),
            "date": http_date(now)}

"""Pagination shared by every List operation (spec 4).

Every non-empty page carries a fresh NextToken; following it past the last item gives an empty page
without one, so both loop shapes found in client code end. A token names a position in an
append-only sequence, so a page deep in a large listing costs the page, not the offset. Tokens are
bound to the operation, marketplace, requester and filters that made them.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..model.errors import ParameterValidationError
from .dispatcher import Call

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 10


def _fingerprint(call: Call, operation: str, filters: tuple) -> str:
    text = repr((operation, call.market.name, call.requester, filters))
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def _encode(fingerprint: str, position: int, serial: int) -> str:
    return base64.urlsafe_b64encode(f"{fingerprint}:{position}:{serial}".encode()).decode().rstrip("=")


def _decode(token: str, fingerprint: str, limit: int) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        token_fingerprint, position, _serial = raw.split(":")
        position_number = int(position)
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        raise ParameterValidationError.invalid_value("NextToken", token) from None
    if token_fingerprint != fingerprint or not 0 <= position_number <= limit:
        raise ParameterValidationError.invalid_value("NextToken", token)
    return position_number


def paginate(call: Call, request: dict, operation: str, items: Sequence[T], keep: Callable[[T, int], bool],
             filters: tuple) -> tuple[list[T], dict]:
    """One page of ``items`` that ``keep(item, position)`` accepts, and the NextToken/NumResults members."""
    fingerprint = _fingerprint(call, operation, filters)
    token = request.get("NextToken")
    position = 0 if token is None else _decode(token, fingerprint, len(items))
    size = request.get("MaxResults", DEFAULT_PAGE_SIZE)
    page: list[T] = []
    end = len(items)
    while position < end and len(page) < size:
        item = items[position]
        if keep(item, position):
            page.append(item)
        position += 1
    members: dict = {"NumResults": len(page)}
    if page:
        members["NextToken"] = _encode(fingerprint, position, call.world.next_serial())
    return page, members

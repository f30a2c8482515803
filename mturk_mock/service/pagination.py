"""Pagination, written once for every List operation (spec Q§4, H§7).

A list handler returns a ``Listing`` (a sorted index, an optional filter, how to render an item); the
operation's ``Pagination`` spec in the registry names the result member and documents the order. This
module turns the two into one page with ``NumResults`` and ``NextToken``:

* a page starts after the key of the last item of the previous page, found by bisection in the index,
  so a page deep in a listing of a million items costs what the first page costs;
* every non-empty page carries a NextToken; following it past the last item gives an empty page
  without one, so loops on NextToken and loops on NumResults > 0 both end, and boto3's paginators work;
* a token is opaque and signed with the world's secret over the operation, marketplace, requester and
  every filter member of the request: a forged token, or one used on another listing or with other
  filters, is refused with ParameterValidationError on NextToken. Tokens stay valid across a state save
  and load (the secret is saved), and items added or removed between pages are simply seen or not;
* a listing that carries the marketplace's ``SearchLag`` (``search=``, and ``created=`` to read an
  item's creation time) shows what the search index shows: items created less than the lag ago not
  yet, items changed less than the lag ago in their previous version.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..model import errors
from ..model.index import SortedIndex
from ..model.search_lag import SearchLag
from .context import RequestContext

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 10
PAGE_MEMBERS = frozenset({"NextToken", "MaxResults"})


@dataclass(frozen=True, slots=True)
class Pagination:
    """How an operation pages: the list member of its output and the order of its items."""

    result_key: str
    order: str  # documentation: e.g. "creation order" or "Expiration, then HITId"
    counted: bool = True  # whether the output has NumResults


@dataclass(slots=True)
class Listing(Generic[T]):
    """What a list handler returns: the items in order, an optional filter, and how to render one."""

    index: SortedIndex[T]
    render: Callable[[T], Any]
    keep: Callable[[T], bool] | None = None
    extra: dict[str, Any] | None = None  # members of the output besides the page
    search: SearchLag | None = None  # eventual consistency: pass the marketplace's search_lag
    created: Callable[[T], float] | None = None  # with ``search``: new items show only ``lag`` after this
    # Output members made from the rendered page, for an operation whose items go to several members.
    arrange: Callable[[list[Any]], dict[str, Any]] | None = None


class Request(dict[str, Any]):
    """A decoded, validated request. The transport memoizes these by body, so derived values that the
    pagination needs are computed once per distinct request."""

    __slots__ = ("_filters",)

    def __init__(self, members: dict[str, Any]) -> None:
        # A member sent as JSON null is absent, as the service treats it (handlers read defaults with .get).
        super().__init__({name: value for name, value in members.items() if value is not None})
        self._filters: str | None = None

    def filters(self) -> str:
        if self._filters is None:
            self._filters = filters_of(self)
        return self._filters


def filters_of(request: dict[str, Any]) -> str:
    return json.dumps(
        {name: value for name, value in request.items() if name not in PAGE_MEMBERS},
        sort_keys=True,
        separators=(",", ":"),
    )


def _signature(ctx: RequestContext, operation: str, filters: str, payload: str) -> str:
    message = f"{operation}\n{ctx.market.name}\n{ctx.requester}\n{filters}\n{payload}".encode()
    return hashlib.blake2b(message, key=ctx.world.secret, digest_size=9).hexdigest()


_ID = re.compile(r"[A-Z0-9]{1,64}").fullmatch


def _key_text(key: Any) -> str:
    """A listing key as token text: an int as itself; a (time, ID) tuple, the usual composite key, as
    ``_<time>_<ID>``; anything else as base64url JSON after ``~``."""
    if type(key) is int:
        return str(key)
    if type(key) is tuple and len(key) == 2 and type(key[0]) is float and type(key[1]) is str and _ID(key[1]):
        return f"_{key[0]!r}_{key[1]}"
    return "~" + base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _key_of(text: str) -> Any:
    if text.startswith("_"):
        _, moment, identifier = text.split("_")
        return (float(moment), identifier)
    if text.startswith("~"):
        encoded = text[1:]
        key = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        return tuple(key) if isinstance(key, list) else key
    return int(text)


def _encode_token(ctx: RequestContext, operation: str, filters: str, key: Any) -> str:
    """``<serial>.<key>.<signature>``: the serial makes every token handed out a new one (botocore's
    paginator refuses a repeated token)."""
    payload = f"{ctx.world.next_serial()}.{_key_text(key)}"
    return f"{payload}.{_signature(ctx, operation, filters, payload)}"


def _decode_token(ctx: RequestContext, operation: str, filters: str, token: str) -> Any:
    try:
        payload, _, signature = token.rpartition(".")
        if not hmac.compare_digest(signature, _signature(ctx, operation, filters, payload)):
            raise ValueError("foreign token")
        return _key_of(payload.partition(".")[2])
    except (ValueError, TypeError):  # binascii.Error, UnicodeDecodeError and JSONDecodeError are ValueErrors
        detail = "NextToken was not made by this operation for this requester, marketplace and filters"
        raise errors.invalid_value("NextToken", token, detail) from None


def _lagging_page(listing: Listing[Any], after: Any, size: int, show: Callable[[Any], Any]) -> tuple[list[Any], Any]:
    """A page as searches see it under a search lag: each item in the version visible now, or not yet."""
    keep = listing.keep
    items: list[Any] = []
    last = None
    for key, item in listing.index.after(after):
        last = key  # the last item examined: a token never makes the next page scan it again
        visible = show(item)
        if visible is not None and (keep is None or keep(visible)):
            items.append(visible)
            if len(items) == size:
                break
    return items, last


def paginate(
    operation: str, spec: Pagination, ctx: RequestContext, request: dict[str, Any], listing: Listing[Any]
) -> dict[str, Any]:
    """One page of ``listing`` as the operation's output members."""
    filters = request.filters() if isinstance(request, Request) else filters_of(request)
    token = request.get("NextToken")
    after = None if token is None else _decode_token(ctx, operation, filters, token)
    size = request.get("MaxResults", DEFAULT_PAGE_SIZE)
    show = None if listing.search is None else listing.search.view(ctx.now, listing.created)
    if show is None:  # no search lag pending: the index as it is
        items, last = listing.index.page(after, size, listing.keep)
    else:
        items, last = _lagging_page(listing, after, size, show)
    render = listing.render
    page = [render(item) for item in items]
    output: dict[str, Any] = dict(listing.extra) if listing.extra else {}
    if listing.arrange is None:
        output[spec.result_key] = page
    else:
        output.update(listing.arrange(page))
    if spec.counted:
        output["NumResults"] = len(page)
    if page:  # the token starts after the last item examined, so the next page never scans it again
        output["NextToken"] = _encode_token(ctx, operation, filters, last)
    return output

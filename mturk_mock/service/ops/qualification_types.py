"""CreateQualificationType, GetQualificationType, ListQualificationTypes, UpdateQualificationType,
DeleteQualificationType (spec Q§1.0-1.5)."""

from __future__ import annotations

from typing import Any

from ...model.index import SortedIndex
from ...model.qualifications import workflow
from ...model.qualifications.types import QualificationType
from ..context import RequestContext
from ..pagination import Listing
from ..render import Rendered


def qualification_type(qual: QualificationType, viewer: str) -> Rendered:
    """The QualificationType structure; unset members are omitted, the AnswerKey is the owner's only.
    ``cache`` holds the view everybody gets and, when there is an answer key, the owner's view."""
    views = qual.cache
    if views is None:
        views = qual.cache = [Rendered(_wire(qual, False)), None]
    if qual.answer_key is None or viewer != qual.owner:
        public: Rendered = views[0]
        return public
    owner_view: Rendered | None = views[1]
    if owner_view is None:
        owner_view = views[1] = Rendered(_wire(qual, True))
    return owner_view


def _wire(qual: QualificationType, owner_view: bool) -> dict[str, Any]:
    wire: dict[str, Any] = {
        "AutoGranted": qual.auto_granted,
        "CreationTime": qual.created,
        "Description": qual.description,
        "IsRequestable": qual.requestable,
        "Name": qual.name,
        "QualificationTypeId": qual.type_id,
        "QualificationTypeStatus": qual.status,
    }
    if qual.auto_granted:
        wire["AutoGrantedValue"] = qual.auto_granted_value
    if qual.keywords is not None:
        wire["Keywords"] = qual.keywords
    if qual.retry_delay is not None:
        wire["RetryDelayInSeconds"] = qual.retry_delay
    if qual.test is not None:
        wire["Test"] = qual.test
        wire["TestDurationInSeconds"] = qual.test_duration
        if owner_view:
            wire["AnswerKey"] = qual.answer_key
    return wire


_NO_TYPES: SortedIndex[QualificationType] = SortedIndex()


def create(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    qual = ctx.market.qualification_types.create(
        ctx.market.ids.entity(),
        ctx.requester,
        ctx.now,
        name=request["Name"],
        description=request["Description"],
        status=request["QualificationTypeStatus"],
        keywords=request.get("Keywords"),
        retry_delay=request.get("RetryDelayInSeconds"),
        test=request.get("Test"),
        answer_key=request.get("AnswerKey"),
        test_duration=request.get("TestDurationInSeconds"),
        auto_granted=request.get("AutoGranted"),
        auto_granted_value=request.get("AutoGrantedValue"),
    )
    return {"QualificationType": qualification_type(qual, ctx.requester)}


def get(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    qual = ctx.market.qualification_types.get(request["QualificationTypeId"])
    return {"QualificationType": qualification_type(qual, ctx.requester)}


def list_types(ctx: RequestContext, request: dict[str, Any]) -> Listing[QualificationType]:
    """In creation order, oldest first (the system types come first). Inactive types are listed."""
    types = ctx.market.qualification_types
    requestable = request["MustBeRequestable"]
    if request.get("MustBeOwnedByCaller", False):
        index = types.owned.get(ctx.requester, _NO_TYPES)  # a requester's own types are all requestable
    else:
        index = types.requestable if requestable else types.listing
    query = request.get("Query")
    keep = None
    if query:
        needle = query.casefold()

        def keep(qual: QualificationType) -> bool:
            return needle in qual.search_text

    viewer = ctx.requester
    return Listing(
        index, lambda qual: qualification_type(qual, viewer), keep, search=ctx.market.search_lag, created=_created
    )


def _created(qual: QualificationType) -> float:
    return qual.created


def update(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    qual = ctx.market.qualification_types.owned_by(request["QualificationTypeId"], ctx.requester)
    ctx.market.search_lag.changing(qual, ctx.now)  # a refused update leaves an identical version indexed
    workflow.update_type(
        ctx.market,
        qual,
        ctx.now,
        description=request.get("Description"),
        status=request.get("QualificationTypeStatus"),
        test=request.get("Test"),
        answer_key=request.get("AnswerKey"),
        test_duration=request.get("TestDurationInSeconds"),
        retry_delay=request.get("RetryDelayInSeconds"),
        auto_granted=request.get("AutoGranted"),
        auto_granted_value=request.get("AutoGrantedValue"),
    )
    return {"QualificationType": qualification_type(qual, ctx.requester)}


def delete(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    qual = ctx.market.qualification_types.owned_by(request["QualificationTypeId"], ctx.requester)
    workflow.delete_type(ctx.market, qual, ctx.now)
    return {}

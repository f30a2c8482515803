"""AssociateQualificationWithWorker, DisassociateQualificationFromWorker, GetQualificationScore,
ListWorkersWithQualificationType, ListQualificationRequests, AcceptQualificationRequest,
RejectQualificationRequest (spec Q§1.6-1.12)."""

from __future__ import annotations

from typing import Any

from ...model import errors
from ...model.index import SortedIndex
from ...model.qualifications import workflow
from ...model.qualifications.grants import GRANTED, Grant
from ...model.qualifications.requests import QualificationRequest
from ..context import RequestContext
from ..pagination import Listing
from ..render import Rendered

DEFAULT_VALUE = 1  # IntegerValue when omitted (spec Q§1.6, 1.11)


def qualification(grant: Grant) -> Rendered:
    rendered: Rendered | None = grant.cache
    if rendered is None:
        rendered = grant.cache = Rendered(
            {
                "GrantTime": grant.granted_at,
                "IntegerValue": grant.value,
                "QualificationTypeId": grant.type_id,
                "Status": grant.status,
                "WorkerId": grant.worker_id,
            }
        )
    return rendered


def qualification_request(request: QualificationRequest) -> Rendered:
    rendered: Rendered | None = request.cache
    if rendered is None:
        wire: dict[str, Any] = {
            "QualificationRequestId": request.request_id,
            "QualificationTypeId": request.type_id,
            "SubmitTime": request.submit_time,
            "WorkerId": request.worker_id,
        }
        if request.test is not None:
            wire["Test"] = request.test
        if request.answer is not None:
            wire["Answer"] = request.answer
        rendered = request.cache = Rendered(wire)
    return rendered


def associate(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    qual = ctx.market.qualification_types.owned_by(request["QualificationTypeId"], ctx.requester)
    workflow.associate(
        ctx.market,
        qual,
        request["WorkerId"],
        request.get("IntegerValue", DEFAULT_VALUE),
        ctx.now,
        notify=request.get("SendNotification", True),
    )
    return {}


def disassociate(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    qual = ctx.market.qualification_types.owned_by(request["QualificationTypeId"], ctx.requester)
    workflow.disassociate(ctx.market, qual, request["WorkerId"], request.get("Reason"))
    return {}


def get_score(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """Only the owner reads scores; for anybody else the qualification does not exist (observed for
    system types, boto#3171)."""
    market = ctx.market
    qual = market.qualification_types.by_id.get(request["QualificationTypeId"])
    if qual is None or qual.owner != ctx.requester:
        raise errors.QUALIFICATION_NOT_FOUND()
    market.workers.check(request["WorkerId"])
    return {"Qualification": qualification(market.grants.granted(qual.type_id, request["WorkerId"]))}


def list_workers(ctx: RequestContext, request: dict[str, Any]) -> Listing[Grant]:
    """In the order the qualifications entered the status asked for (default Granted)."""
    qual = ctx.market.qualification_types.owned_by(request["QualificationTypeId"], ctx.requester)
    return Listing(ctx.market.grants.listing(qual.type_id, request.get("Status", GRANTED)), qualification)


_NO_REQUESTS: SortedIndex[QualificationRequest] = SortedIndex()


def list_requests(ctx: RequestContext, request: dict[str, Any]) -> Listing[QualificationRequest]:
    """Requests waiting for the caller, in SubmitTime order; optionally for one of the caller's types."""
    market = ctx.market
    type_id = request.get("QualificationTypeId")
    if type_id is None:
        index = market.requests.pending_by_owner.get(ctx.requester, _NO_REQUESTS)
    else:
        market.qualification_types.owned_by(type_id, ctx.requester)
        index = market.requests.pending_by_type.get(type_id, _NO_REQUESTS)
    return Listing(index, qualification_request)


def accept_request(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    pending = ctx.market.requests.pending_for(request["QualificationRequestId"], ctx.requester)
    workflow.accept_request(ctx.market, pending, request.get("IntegerValue", DEFAULT_VALUE), ctx.now)
    return {}


def reject_request(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    pending = ctx.market.requests.pending_for(request["QualificationRequestId"], ctx.requester)
    workflow.reject_request(ctx.market, pending, request.get("Reason"))
    return {}

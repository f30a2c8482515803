"""CreateHITType, CreateHIT, CreateHITWithHITType, GetHIT, ListHITs, ListHITsForQualificationType,
ListReviewableHITs, UpdateExpirationForHIT, CreateAdditionalAssignmentsForHIT, UpdateHITReviewStatus,
UpdateHITTypeOfHIT, DeleteHIT (spec H§1, H§8.1-8.12)."""

from __future__ import annotations

from typing import Any

from ...model import errors
from ...model.hits import workflow
from ...model.hits.hits import HIT, REVIEWABLE
from ...model.money import format_amount
from ..context import RequestContext
from ..pagination import Listing
from ..render import Rendered

TYPE_PROPERTIES = (
    "Title",
    "Description",
    "Reward",
    "AssignmentDurationInSeconds",
    "AutoApprovalDelayInSeconds",
    "Keywords",
    "QualificationRequirements",
)


def hit_wire(hit: HIT) -> Rendered:
    """The HIT structure (spec H§1.2): QualificationRequirements always (``[]`` when none), Keywords,
    HITLayoutId and RequesterAnnotation only when given."""
    rendered: Rendered | None = hit.cache
    if rendered is None:
        hit_type = hit.hit_type
        wire: dict[str, Any] = {
            "AssignmentDurationInSeconds": hit_type.assignment_duration,
            "AutoApprovalDelayInSeconds": hit_type.auto_approval_delay,
            "CreationTime": hit.created,
            "Description": hit_type.description,
            "Expiration": hit.expiration,
            "HITGroupId": hit_type.group_id,
            "HITId": hit.hit_id,
            "HITReviewStatus": hit.review_status,
            "HITStatus": hit.status,
            "HITTypeId": hit_type.type_id,
            "MaxAssignments": hit.max_assignments,
            "NumberOfAssignmentsAvailable": hit.available,
            "NumberOfAssignmentsCompleted": hit.completed,
            "NumberOfAssignmentsPending": hit.pending,
            "QualificationRequirements": hit_type.requirements.wire(),
            "Question": hit.question,
            "Reward": format_amount(hit_type.reward),
            "Title": hit_type.title,
        }
        if hit_type.keywords is not None:
            wire["Keywords"] = hit_type.keywords
        if hit.layout_id is not None:
            wire["HITLayoutId"] = hit.layout_id
        if hit.annotation is not None:
            wire["RequesterAnnotation"] = hit.annotation
        rendered = hit.cache = Rendered(wire)
    return rendered


def create_hit_type(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"HITTypeId": workflow.register_properties(ctx.market, ctx.requester, request).type_id}


def _create(ctx: RequestContext, request: dict[str, Any], hit_type: Any) -> dict[str, Any]:
    hit = workflow.create_hit(
        ctx.market,
        ctx.requester,
        ctx.now,
        hit_type,
        lifetime=request["LifetimeInSeconds"],
        max_assignments=request.get("MaxAssignments"),
        question=request.get("Question"),
        layout_id=request.get("HITLayoutId"),
        layout_parameters=request.get("HITLayoutParameters"),
        annotation=request.get("RequesterAnnotation"),
        token=request.get("UniqueRequestToken"),
        assignment_review_policy=request.get("AssignmentReviewPolicy"),
        hit_review_policy=request.get("HITReviewPolicy"),
    )
    return {"HIT": hit_wire(hit)}


def create_hit(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    return _create(ctx, request, {name: request[name] for name in TYPE_PROPERTIES if name in request})


def create_hit_with_hit_type(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    return _create(ctx, request, ctx.market.hit_types.owned(request["HITTypeId"], ctx.requester))


def get_hit(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """Disposed HITs are still returned, with HITStatus Disposed (spec H§8.4) [I]."""
    return {"HIT": hit_wire(ctx.market.hits.get(request["HITId"], ctx.requester))}


def list_hits(ctx: RequestContext, request: dict[str, Any]) -> Listing[HIT]:
    """The caller's HITs but Disposed ones, by CreationTime then HITId."""
    return Listing(ctx.market.hits.of_owner(ctx.requester), hit_wire, search=ctx.market.search_lag, created=_created)


def _created(hit: HIT) -> float:
    return hit.created


def list_hits_for_qualification_type(ctx: RequestContext, request: dict[str, Any]) -> Listing[HIT]:
    """The caller's live HITs that require the type, any type of this marketplace (spec H§8.6)."""
    type_id = request["QualificationTypeId"]
    types = ctx.market.qualification_types
    if type_id not in types.by_id and type_id not in types.deleted:
        raise errors.QUALIFICATION_TYPE_NOT_FOUND(type_id=type_id)
    return Listing(ctx.market.hits.requiring(ctx.requester, type_id), hit_wire)


def list_reviewable_hits(ctx: RequestContext, request: dict[str, Any]) -> Listing[HIT]:
    """The caller's HITs in the status asked for (default Reviewable), optionally of one type, by Expiration."""
    status = request.get("Status", REVIEWABLE)
    return Listing(ctx.market.hits.in_review(ctx.requester, status, request.get("HITTypeId")), hit_wire)


def _changing(ctx: RequestContext, hit_id: str) -> HIT:
    """The caller's live HIT, about to be updated: under a search lag ListHITs shows this version a while."""
    hit = ctx.market.hits.live(hit_id, ctx.requester)
    ctx.market.search_lag.changing(hit, ctx.now)  # a refused update leaves an identical version indexed
    return hit


def update_expiration(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    hit = _changing(ctx, request["HITId"])
    workflow.update_expiration(ctx.market, hit, float(request["ExpireAt"]), ctx.now)
    return {}


def create_additional_assignments(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    hit = _changing(ctx, request["HITId"])
    workflow.add_assignments(
        ctx.market, hit, request["NumberOfAdditionalAssignments"], request.get("UniqueRequestToken"), ctx.now
    )
    return {}


def update_review_status(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    hit = _changing(ctx, request["HITId"])
    workflow.update_review_status(ctx.market, hit, request.get("Revert", False), ctx.now)
    return {}


def update_hit_type(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    hit = ctx.market.hits.live(request["HITId"], ctx.requester)  # an unknown HIT is named before the type
    hit_type = ctx.market.hit_types.owned(request["HITTypeId"], ctx.requester)
    ctx.market.search_lag.changing(hit, ctx.now)
    workflow.change_type(ctx.market, hit, hit_type, ctx.now)
    return {}


def delete_hit(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    workflow.delete_hit(ctx.market, ctx.market.hits.get(request["HITId"], ctx.requester), ctx.now)
    return {}

"""ListAssignmentsForHIT, GetAssignment, ApproveAssignment, RejectAssignment (spec H§2, H§8.13-8.16)."""

from __future__ import annotations

from typing import Any

from ...model.hits import decisions
from ...model.hits.assignments import VISIBLE, Assignment
from ..context import RequestContext
from ..pagination import Listing
from ..render import Rendered
from .hits import hit_wire


def assignment_wire(assignment: Assignment) -> Rendered:
    """The Assignment structure (spec H§2.2): ApprovalTime only when approved, RejectionTime once rejected,
    RequesterFeedback only when given."""
    rendered: Rendered | None = assignment.cache
    if rendered is None:
        wire: dict[str, Any] = {
            "AcceptTime": assignment.accept_time,
            "Answer": assignment.answer,
            "AssignmentId": assignment.assignment_id,
            "AssignmentStatus": assignment.status,
            "AutoApprovalTime": assignment.auto_approval_time,
            "Deadline": assignment.deadline,
            "HITId": assignment.hit.hit_id,
            "SubmitTime": assignment.submit_time,
            "WorkerId": assignment.worker_id,
        }
        if assignment.status == "Approved":
            wire["ApprovalTime"] = assignment.approval_time
        if assignment.rejection_time is not None:
            wire["RejectionTime"] = assignment.rejection_time
        if assignment.feedback:
            wire["RequesterFeedback"] = assignment.feedback
        rendered = assignment.cache = Rendered(wire)
    return rendered


def list_for_hit(ctx: RequestContext, request: dict[str, Any]) -> Listing[Assignment]:
    """Submitted, Approved and Rejected assignments of the caller's HIT (Disposed too), by SubmitTime."""
    hit = ctx.market.hits.get(request["HITId"], ctx.requester)
    statuses = frozenset(request.get("AssignmentStatuses") or VISIBLE)
    return Listing(ctx.market.assignments.listing(hit.hit_id, statuses), assignment_wire)


def get(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    assignment = ctx.market.assignments.visible(request["AssignmentId"], ctx.requester)
    return {"Assignment": assignment_wire(assignment), "HIT": hit_wire(assignment.hit)}


def approve(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    feedback = request.get("RequesterFeedback")
    decisions.check_feedback(feedback)
    assignment = ctx.market.assignments.visible(request["AssignmentId"], ctx.requester)
    decisions.approve(ctx.market, assignment, feedback, request.get("OverrideRejection", False), ctx.now)
    return {}


def reject(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    feedback = request["RequesterFeedback"]
    decisions.check_feedback(feedback)
    assignment = ctx.market.assignments.visible(request["AssignmentId"], ctx.requester)
    decisions.reject(ctx.market, assignment, feedback, ctx.now)
    return {}

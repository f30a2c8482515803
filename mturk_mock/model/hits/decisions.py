"""The requester's decisions on submitted work: approve (explicitly, automatically after the
auto-approval delay, or overriding a rejection) and reject, with the money they move (spec H§2.1,
H§5.3, H§8.15-8.16). RequesterFeedback rules are checked by the caller first."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import errors
from .assignments import APPROVED, AUTO_APPROVE, REJECTED, SUBMITTED, Assignment

if TYPE_CHECKING:
    from ..marketplace import Marketplace

FEEDBACK_LIMIT = 1024
OVERRIDE_WINDOW = 30 * 86400  # a rejection can be overridden within 30 days of SubmitTime
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]").search  # not allowed in RequesterFeedback


def check_feedback(feedback: str | None) -> None:
    if feedback is not None and len(feedback) > FEEDBACK_LIMIT:
        detail = f"RequesterFeedback is {len(feedback)} characters; the limit is {FEEDBACK_LIMIT}"
        raise errors.invalid_value("RequesterFeedback", feedback, detail)
    if feedback is not None and _CONTROL(feedback):
        raise errors.invalid_value("RequesterFeedback", feedback, "RequesterFeedback contains a control character")


def _decidable(assignment: Assignment) -> None:
    if assignment.hit.disposed:  # [I] the HIT is gone for these operations
        raise errors.HIT_NOT_FOUND(hit_id=assignment.hit.hit_id)


def approve(market: Marketplace, assignment: Assignment, feedback: str | None, override: bool, now: float) -> None:
    _decidable(assignment)
    hit = assignment.hit
    ledger = market.ledger
    if assignment.status == SUBMITTED:
        ledger.pay_held(hit.owner, assignment.price)
        hit.held -= assignment.price
        hit.assignment_hold -= assignment.price
        hit.submitted -= 1
    elif assignment.status == REJECTED and override and now - (assignment.submit_time or now) <= OVERRIDE_WINDOW:
        ledger.charge(hit.owner, assignment.price)  # the hold was released at rejection: E-FUNDS possible
        hit.rejected -= 1
        market.workers.profile(assignment.worker_id).rejected -= 1
    else:
        raise errors.ASSIGNMENT_STATE(allowed=SUBMITTED)
    before = assignment.status
    assignment.status, assignment.approval_time, assignment.cache = APPROVED, now, None
    market.assignments.moved(assignment, before)
    if feedback is not None:
        assignment.feedback = feedback or None
    hit.approved += 1
    market.workers.profile(assignment.worker_id).approved += 1
    market.assignments.decide(assignment)
    market.events_for(hit, "AssignmentApproved", now, assignment.assignment_id, assignment.worker_id)
    market.hits.refresh(hit, now)


def reject(market: Marketplace, assignment: Assignment, feedback: str, now: float) -> None:
    _decidable(assignment)
    if assignment.status != SUBMITTED:
        raise errors.ASSIGNMENT_STATE(allowed=SUBMITTED)
    hit = assignment.hit
    assignment.status, assignment.rejection_time, assignment.cache = REJECTED, now, None
    market.assignments.moved(assignment, SUBMITTED)
    assignment.feedback = feedback or None
    hit.submitted -= 1
    hit.rejected += 1
    hit.assignment_hold -= assignment.price  # refresh releases it to the available balance
    market.workers.profile(assignment.worker_id).rejected += 1
    market.assignments.decide(assignment)
    market.events_for(hit, "AssignmentRejected", now, assignment.assignment_id, assignment.worker_id)
    market.hits.refresh(hit, now)


def on_auto_approval(market: Marketplace) -> None:
    """Register automatic approval at SubmitTime + AutoApprovalDelayInSeconds with the schedule."""

    def auto_approve(assignment_id: str, due: float) -> None:
        assignment = market.assignments.by_id.get(assignment_id)
        if (
            assignment is not None
            and assignment.status == SUBMITTED
            and assignment.auto_approval_time == due
            and not assignment.hit.disposed
        ):
            approve(market, assignment, None, False, due)

    market.schedule.on(AUTO_APPROVE, auto_approve)

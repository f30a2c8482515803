"""SendBonus, ListBonusPayments, NotifyWorkers: what a requester sends workers besides the reward
(spec H§5, H§8.17, H§8.18, H§8.22)."""

from __future__ import annotations

from typing import Any

from ...model import errors
from ...model.hits import bonuses, messages
from ...model.hits.bonuses import BonusPayment
from ...model.money import format_amount
from ..context import RequestContext
from ..pagination import Listing
from ..render import Rendered

HARD_FAILURE = "HardFailure"
NOT_WORKED_FOR_YOU = "Cannot send a notification to a worker who has not done any work for you"  # legacy wording


def payment_wire(payment: BonusPayment) -> Rendered:
    rendered: Rendered | None = payment.cache
    if rendered is None:
        rendered = payment.cache = Rendered(
            {
                "WorkerId": payment.worker_id,
                "BonusAmount": format_amount(payment.amount),
                "AssignmentId": payment.assignment_id,
                "Reason": payment.reason,
                "GrantTime": payment.grant_time,
            }
        )
    return rendered


def send_bonus(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    bonuses.send_bonus(
        ctx.market,
        ctx.requester,
        request["WorkerId"],
        request["BonusAmount"],
        request["AssignmentId"],
        request["Reason"],
        request.get("UniqueRequestToken"),
        ctx.now,
    )
    return {}


def list_bonus_payments(ctx: RequestContext, request: dict[str, Any]) -> Listing[BonusPayment]:
    """The bonuses of one assignment or of every assignment of one HIT, by GrantTime; both: the
    assignment's, which must be of that HIT [I]; neither: E-PVE on HITId [I]. Disposed HITs included."""
    market, hit_id, assignment_id = ctx.market, request.get("HITId"), request.get("AssignmentId")
    if assignment_id is None:
        if hit_id is None:
            raise errors.invalid_value("HITId", "", "give HITId or AssignmentId")
        return Listing(market.bonuses.for_hit(market.hits.get(hit_id, ctx.requester).hit_id), payment_wire)
    hit = None if hit_id is None else market.hits.get(hit_id, ctx.requester)
    assignment = market.assignments.visible(assignment_id, ctx.requester)
    if hit is not None and assignment.hit is not hit:
        raise errors.invalid_value("AssignmentId", assignment_id, f"assignment {assignment_id} is not of HIT {hit_id}")
    return Listing(market.bonuses.for_assignment(assignment_id), payment_wire)


def notify_workers(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """Delivers to the workers whose work the caller has approved or rejected; a failure status for each
    other one, never an error; the member is always present (``[]`` when every worker was reached) [I]."""
    failed = messages.notify(
        ctx.market, ctx.requester, request["Subject"], request["MessageText"], request["WorkerIds"]
    )
    return {
        "NotifyWorkersFailureStatuses": [
            {
                "NotifyWorkersFailureCode": HARD_FAILURE,
                "NotifyWorkersFailureMessage": NOT_WORKED_FOR_YOU,
                "WorkerId": worker_id,
            }
            for worker_id in failed
        ]
    }

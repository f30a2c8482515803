"""The worker's side of HITs: discover, preview, accept, submit, return, and abandonment when an
assignment's deadline passes (spec H§2.1, H§3.6, H§4). Refusals are WorkerActionRefused with the reason.

Order of checks when a worker accepts (spec H§4.2): the HIT (exists here, not disposed, not expired,
a free slot), the requester's block, one assignment per worker and HIT, then every requirement.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..workers import Profile, WorkerActionRefused
from .assignments import ABANDONED, ACCEPTED, DEADLINE, RETURNED, SUBMITTED, Assignment
from .hits import ASSIGNABLE, DISPOSED, HIT

if TYPE_CHECKING:
    from ..marketplace import Marketplace

DISCOVER, PREVIEW, ACCEPT = "Discover", "Preview", "Accept"


def _hit(market: Marketplace, hit_id: str) -> HIT:
    hit = market.hits.by_id.get(hit_id)
    if hit is None:
        raise WorkerActionRefused(f"There is no HIT {hit_id} in the {market.name} marketplace.")
    if hit.status == DISPOSED:
        raise WorkerActionRefused("This HIT is no longer available: the requester deleted it.")
    return hit


def unmet_requirement(market: Marketplace, worker_id: str, hit: HIT, action: str) -> str | None:
    """The name of the first qualification type the worker lacks for ``action`` on ``hit``, or None."""
    profile = market.workers.profiles.get(worker_id)
    masters = market.qualification_types.masters_id
    for requirement in hit.hit_type.requirements.parsed:
        if not requirement.guards_action(action):
            continue
        grant = market.grants.get(requirement.type_id, worker_id)
        value: int | None = grant.value if grant is not None and grant.status == "Granted" else None
        locale = None
        if grant is None and requirement.type_id in market.qualification_types.system_ids:
            # A worker without a profile has the default one; reading does not store it (state stays as written).
            value, locale = (profile or Profile()).system_value(requirement.type_id, masters)
        if not requirement.met_by(value, locale):
            qual = market.qualification_types.by_id.get(requirement.type_id)
            return qual.name if qual is not None else requirement.type_id
    return None


def _blocked(market: Marketplace, worker_id: str, hit: HIT) -> bool:
    return market.blocks.is_blocked(hit.owner, worker_id)


def _check(market: Marketplace, worker_id: str, hit: HIT, action: str, now: float) -> None:
    if hit.expired:
        raise WorkerActionRefused("This HIT has expired and can no longer be worked on.")
    if action != PREVIEW and hit.status != ASSIGNABLE:
        raise WorkerActionRefused("This HIT is no longer available: every assignment has been taken.")
    if _blocked(market, worker_id, hit):
        raise WorkerActionRefused("You cannot work on this requester's HITs: the requester has blocked you.")
    if action == ACCEPT:
        held = market.assignments.live.get((hit.hit_id, worker_id))
        if held is not None:
            raise WorkerActionRefused(
                "You have already accepted or submitted an assignment of this HIT; a worker can do each HIT once.",
                "AssignmentAlreadyExists",
            )
    missing = unmet_requirement(market, worker_id, hit, action)
    if missing is not None:
        verb = {DISCOVER: "see", PREVIEW: "preview", ACCEPT: "accept"}[action]
        raise WorkerActionRefused(
            f"You do not meet the qualification requirement {missing!r} to {verb} this HIT.", "DoesNotMeetRequirements"
        )


def discoverable(market: Marketplace, worker_id: str, now: float) -> Iterator[HIT]:
    """The HITs the worker can find in search: Assignable, not blocked, Discover requirements met, and not
    already taken by the worker [I] (the worker could not accept them)."""
    live = market.assignments.live
    for hit in market.hits.assignable.values():
        if (hit.hit_id, worker_id) in live or _blocked(market, worker_id, hit):
            continue
        if unmet_requirement(market, worker_id, hit, DISCOVER) is None:
            yield hit


def preview(market: Marketplace, worker_id: str, hit_id: str, now: float) -> HIT:
    hit = _hit(market, hit_id)
    _check(market, worker_id, hit, PREVIEW, now)
    return hit


def accept(market: Marketplace, worker_id: str, hit_id: str, now: float) -> Assignment:
    """A new assignment (or a freed ID reused, spec H§2.5), deadline set, one slot taken."""
    hit = _hit(market, hit_id)
    _check(market, worker_id, hit, ACCEPT, now)
    hit_type = hit.hit_type
    assignment_id = market.assignments.next_id(hit, "")
    assignment = Assignment(
        assignment_id or market.ids.entity(),
        hit,
        worker_id,
        now,
        now + hit_type.assignment_duration,
        hit.price,
        hit_type.reward,
    )
    market.assignments.start(assignment)
    hit.pending += 1
    hit.assignment_hold += assignment.price
    market.events_for(hit, "AssignmentAccepted", now, assignment.assignment_id, worker_id)
    market.hits.refresh(hit, now)
    return assignment


def submit(market: Marketplace, assignment: Assignment, answer: str, uploads: dict[str, bytes], now: float) -> None:
    """The worker submits the answers (already checked against the question); the auto-approval clock starts."""
    check_live(assignment, "submit")
    hit = assignment.hit
    assignment.status, assignment.answer, assignment.uploads = SUBMITTED, answer, uploads or None
    assignment.submit_time = now
    assignment.auto_approval_time = now + hit.hit_type.auto_approval_delay
    hit.pending -= 1
    hit.submitted += 1
    profile = market.workers.profile(assignment.worker_id)
    profile.submitted += 1
    market.assignments.submitted(assignment)
    market.events_for(hit, "AssignmentSubmitted", now, assignment.assignment_id, assignment.worker_id)
    market.hits.refresh(hit, now)


def give_back(market: Marketplace, assignment: Assignment, now: float, abandoned: bool = False) -> None:
    """A return by the worker, or an abandonment at the deadline: the slot is free again."""
    hit = assignment.hit
    market.assignments.end(assignment, ABANDONED if abandoned else RETURNED)
    hit.pending -= 1
    hit.assignment_hold -= assignment.price
    profile = market.workers.profile(assignment.worker_id)
    if abandoned:
        profile.abandoned += 1
    else:
        profile.returned += 1
    event = "AssignmentAbandoned" if abandoned else "AssignmentReturned"
    market.events_for(hit, event, now, assignment.assignment_id, assignment.worker_id)
    market.hits.refresh(hit, now)


def check_live(assignment: Assignment, action: str) -> None:
    if assignment.status == ABANDONED:
        raise WorkerActionRefused(
            f"You cannot {action} this assignment: its time allotted has passed and it was released to other workers."
        )
    if assignment.status != ACCEPTED:
        raise WorkerActionRefused(f"You cannot {action} this assignment: it is {assignment.status}, not accepted.")


def return_assignment(market: Marketplace, assignment: Assignment, now: float) -> None:
    check_live(assignment, "return")
    give_back(market, assignment, now)


def on_deadline(market: Marketplace) -> None:
    """Register the abandonment of assignments not submitted by their deadline with the schedule."""

    def abandon(assignment_id: str, due: float) -> None:
        assignment = market.assignments.by_id.get(assignment_id)
        if assignment is not None and assignment.status == ACCEPTED and assignment.deadline == due:
            give_back(market, assignment, due, abandoned=True)

    market.schedule.on(DEADLINE, abandon)

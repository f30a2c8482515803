"""Assignments: a worker's work on one HIT, from accept to approval (spec H§2).

Only Submitted, Approved and Rejected assignments exist for the requester; accepted ones are in flight,
and returned or abandoned ones are gone. The store indexes the visible assignments of each HIT in
SubmitTime order (ListAssignmentsForHIT), the live assignment of each (HIT, worker), and the IDs freed
by returns and abandonments, which the service hands to the next worker who accepts the HIT. A listing
filtered by status gets its own index, made the first time it is asked for and kept in step after that,
so its pages cost what unfiltered ones do.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from .. import errors
from ..index import SortedIndex
from ..schedule import ASSIGNMENT_DEADLINE, AUTO_APPROVAL, Schedule
from .hits import HIT

ACCEPTED, SUBMITTED, APPROVED, REJECTED = "Accepted", "Submitted", "Approved", "Rejected"
RETURNED, ABANDONED = "Returned", "Abandoned"
VISIBLE = (SUBMITTED, APPROVED, REJECTED)
_ALL_VISIBLE = frozenset(VISIBLE)
DEADLINE, AUTO_APPROVE = "assignment.deadline", "assignment.auto_approve"


@dataclass(slots=True, eq=False)
class Assignment:
    assignment_id: str
    hit: HIT
    worker_id: str
    accept_time: float
    deadline: float
    price: Decimal  # reward + fee held for it, as in force when it was accepted
    reward: Decimal
    status: str = ACCEPTED
    submit_time: float | None = None
    auto_approval_time: float | None = None
    approval_time: float | None = None
    rejection_time: float | None = None
    answer: str | None = None
    feedback: str | None = None
    uploads: dict[str, bytes] | None = None  # QuestionIdentifier -> file a worker uploaded
    cache: Any = field(default=None, repr=False)

    @property
    def visible(self) -> bool:
        return self.status in VISIBLE

    @property
    def key(self) -> tuple[float, str]:
        """Its key in ListAssignmentsForHIT order: SubmitTime, then AssignmentId."""
        assert self.submit_time is not None
        return (self.submit_time, self.assignment_id)


class Assignments:
    """Every assignment of one marketplace."""

    def __init__(self, schedule: Schedule) -> None:
        self.by_id: dict[str, Assignment] = {}  # the live or visible assignment under each ID
        self.of_hit: dict[str, SortedIndex[Assignment]] = {}  # visible ones, by SubmitTime
        # HIT -> its visible assignments of some statuses only, by SubmitTime (made when first asked for)
        self.of_hit_in: dict[str, dict[frozenset[str], SortedIndex[Assignment]]] = {}
        self.live: dict[tuple[str, str], Assignment] = {}  # (HIT, worker) -> accepted or visible assignment
        self.freed: dict[str, list[str]] = {}  # HIT -> IDs freed by returns and abandonments, latest last
        # (requester, worker): the requester has approved or rejected work of the worker (NotifyWorkers)
        self.decided: set[tuple[str, str]] = set()
        self._schedule = schedule

    def visible(self, assignment_id: str, requester: str) -> Assignment:
        """A Submitted, Approved or Rejected assignment of the caller's HITs (spec H§2.1); E-ASG-NF otherwise."""
        assignment = self.by_id.get(assignment_id)
        if assignment is None or not assignment.visible or assignment.hit.owner != requester:
            raise errors.ASSIGNMENT_NOT_FOUND(assignment_id=assignment_id)
        return assignment

    def listing(self, hit_id: str, statuses: frozenset[str] | None = None) -> SortedIndex[Assignment]:
        """The HIT's visible assignments by SubmitTime, or those in ``statuses`` only."""
        every = self.of_hit.setdefault(hit_id, SortedIndex())
        if statuses is None or statuses >= _ALL_VISIBLE:
            return every
        statuses &= _ALL_VISIBLE
        filtered = self.of_hit_in.setdefault(hit_id, {})
        index = filtered.get(statuses)
        if index is None:  # made once from the whole listing, then kept in step by ``moved``
            index = filtered[statuses] = SortedIndex()
            for key, assignment in every.items():
                if assignment.status in statuses:
                    index.insert(key, assignment)
        return index

    def moved(self, assignment: Assignment, before: str) -> None:
        """Keep the HIT's filtered listings in step: the assignment's status was ``before``."""
        filtered = self.of_hit_in.get(assignment.hit.hit_id)
        if filtered:
            after = assignment.status
            for statuses, index in filtered.items():
                if before in statuses and after not in statuses:
                    index.remove(assignment.key)
                elif after in statuses and before not in statuses:
                    index.insert(assignment.key, assignment)

    def next_id(self, hit: HIT, new_id: str) -> str:
        """The most recently freed ID of the HIT, or ``new_id`` (spec H§2.5)."""
        freed = self.freed.get(hit.hit_id)
        return freed.pop() if freed else new_id

    def start(self, assignment: Assignment) -> None:
        self.by_id[assignment.assignment_id] = assignment
        self.live[(assignment.hit.hit_id, assignment.worker_id)] = assignment
        self._schedule.add(assignment.deadline, DEADLINE, assignment.assignment_id, ASSIGNMENT_DEADLINE)

    def end(self, assignment: Assignment, status: str) -> None:
        """A return or an abandonment: the assignment is gone and its ID free for the next worker."""
        assignment.status = status
        del self.by_id[assignment.assignment_id]
        del self.live[(assignment.hit.hit_id, assignment.worker_id)]
        self.freed.setdefault(assignment.hit.hit_id, []).append(assignment.assignment_id)

    def has_decided(self, requester: str, worker_id: str) -> bool:
        return (requester, worker_id) in self.decided

    def decide(self, assignment: Assignment) -> None:
        """Record that the HIT's owner approved or rejected the assignment's worker."""
        self.decided.add((assignment.hit.owner, assignment.worker_id))

    def submitted(self, assignment: Assignment) -> None:
        self.listing(assignment.hit.hit_id).insert(assignment.key, assignment)
        self.moved(assignment, ACCEPTED)
        assert assignment.auto_approval_time is not None
        self._schedule.add(assignment.auto_approval_time, AUTO_APPROVE, assignment.assignment_id, AUTO_APPROVAL)

    # -- snapshot -----------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        assignments = []
        for assignment in self.by_id.values():
            stored = {name: getattr(assignment, name) for name in _STORED}
            stored.update(
                hit=assignment.hit.hit_id,
                price=str(assignment.price),
                reward=str(assignment.reward),
                uploads={key: value.hex() for key, value in (assignment.uploads or {}).items()},
            )
            assignments.append(stored)
        return {"assignments": assignments, "freed": self.freed}

    def load_data(self, data: dict[str, Any], hits: dict[str, HIT]) -> None:
        for stored in data.get("assignments", ()):
            values = {name: stored[name] for name in _STORED}
            assignment = Assignment(
                **values,
                hit=hits[stored["hit"]],
                price=Decimal(stored["price"]),
                reward=Decimal(stored["reward"]),
                uploads={key: bytes.fromhex(value) for key, value in stored["uploads"].items()},
            )
            self.by_id[assignment.assignment_id] = assignment
            self.live[(assignment.hit.hit_id, assignment.worker_id)] = assignment
            if assignment.visible:
                self.listing(assignment.hit.hit_id).insert(assignment.key, assignment)
            if assignment.status in (APPROVED, REJECTED):  # decided assignments are kept: nothing to store
                self.decide(assignment)
        self.freed.update({hit_id: list(ids) for hit_id, ids in data.get("freed", {}).items()})

    def reschedule(self) -> None:
        for assignment in self.by_id.values():
            if assignment.status == ACCEPTED:
                self._schedule.add(assignment.deadline, DEADLINE, assignment.assignment_id, ASSIGNMENT_DEADLINE)
            elif assignment.status == SUBMITTED and assignment.auto_approval_time is not None:
                self._schedule.add(assignment.auto_approval_time, AUTO_APPROVE, assignment.assignment_id, AUTO_APPROVAL)


_STORED = tuple(f.name for f in fields(Assignment) if f.name not in ("hit", "price", "reward", "uploads", "cache"))

"""Random sequences of worker actions (accept, submit, return), requester decisions (approve, reject,
override), HIT operations (expire, extend, add assignments, review, delete) and clock moves (abandonment
at the deadline, auto-approval, expiry), through simulated workers and real boto3 clients in production,
checked after every step against a small reference (issue 13, requirement 8).

Invariants, per HIT (spec H§1.3, model/hits/hits.py ``HIT.available``):
    available == max(0, MaxAssignments - pending - submitted - completed)
and, because accepting needs a free slot and MaxAssignments never shrinks, the clamp never bites, so
    pending + available + submitted + completed == MaxAssignments      (completed = approved + rejected)
with the HIT status of spec H§1.4; ListAssignmentsForHIT (paged, and filtered by each status) equals the
reference; no assignment is listed twice or in two statuses; the store holds exactly the reference's live
and visible assignments, at most one per worker and HIT; freed IDs are reused last-freed first (H§2.5).
Money (spec H§5.3): AvailableBalance + OnHoldBalance + paid == the starting balance for every requester,
the held money is the reference's (assignments in flight or submitted, plus the open slots of HITs that
can still be filled), and paid is the price of every approved assignment plus the bonuses and their fees.

MTURK_MOCK_STATEFUL_EXAMPLES=500 (for instance) runs longer; the default keeps the run to seconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule

from mturk_mock import WorkerActionRefused, mock_mturk

from .helpers import HIT_TYPE, requester_client
from .samples import EXTERNAL_QUESTION

OWNERS = ("AKIAONE", "AKIATWO")
WORKERS = ("A1111111111111", "A2222222222222", "A3333333333333")
START = 1_800_000_000
STARTING = Decimal("10000.00")
PRICE = Decimal("0.30")  # the reward of 0.25 and its 20 % fee; HITs stay under 10 assignments
BONUS = Decimal("0.60")  # a bonus of 0.50 and its 20 % fee
DURATION = HIT_TYPE["AssignmentDurationInSeconds"]
DAY, OVERRIDE_WINDOW = 86400, 30 * 86400
ACCEPTED, SUBMITTED, APPROVED, REJECTED = "Accepted", "Submitted", "Approved", "Rejected"
VISIBLE = (SUBMITTED, APPROVED, REJECTED)


@dataclass
class RefAssignment:
    assignment_id: str
    hit_id: str
    worker: str
    accepted: float
    order: int  # accept order: ties between deadlines at one instant
    status: str = ACCEPTED
    submitted: float | None = None
    auto_approval: float | None = None

    @property
    def deadline(self) -> float:
        return self.accepted + DURATION


@dataclass
class RefHIT:
    hit_id: str
    owner: str
    created: float
    expiration: float
    max_assignments: int
    auto_delay: int
    reviewing: bool = False
    disposed: bool = False
    assignments: list[RefAssignment] = field(default_factory=list)  # live and visible, never gone ones
    freed: list[str] = field(default_factory=list)  # IDs freed by returns and abandonments, latest last

    def count(self, *statuses: str) -> int:
        return sum(a.status in statuses for a in self.assignments)

    @property
    def available(self) -> int:
        return max(0, self.max_assignments - len(self.assignments))

    def status(self, now: float) -> str:
        """Spec H§1.4."""
        if self.disposed:
            return "Disposed"
        expired, pending = now >= self.expiration, self.count(ACCEPTED)
        if pending and (expired or not self.available):
            return "Unassignable"
        if not expired and self.available:
            return "Assignable"
        return "Reviewing" if self.reviewing else "Reviewable"

    def held(self, now: float) -> Decimal:
        fillable = self.available if self.status(now) in ("Assignable", "Unassignable") else 0
        return PRICE * (self.count(ACCEPTED, SUBMITTED) + fillable)


@dataclass(eq=False)
class Taken:
    """An assignment a worker accepted: the worker's handle on it and its ID (which a later worker of the
    same HIT may get again once this one is returned or abandoned)."""

    working: object
    assignment_id: str
    ref: RefAssignment


def _code(error: ClientError) -> str:
    return error.response.get("TurkErrorCode", error.response["Error"]["Code"]).rsplit(".", 1)[-1]


class WorkMarket(RuleBasedStateMachine):
    hits = Bundle("hits")
    taken = Bundle("taken")

    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_mturk(record_calls=False, marketplace="production").start()
        self.mock.clock.freeze(START)
        self.clients = {owner: requester_client(owner, "production") for owner in OWNERS}
        self.workers = {worker: self.mock.worker(worker) for worker in WORKERS}
        self.ref_hits: dict[str, RefHIT] = {}
        self.current: dict[str, RefAssignment] = {}  # assignment ID -> its live or visible assignment
        self.ever: set[str] = set()  # every assignment ID handed out
        self.abandoned = 0
        self.tokens: dict[tuple[str, int], float] = {}  # UpdateExpiration's derived tokens -> used at
        self.accepts = 0
        self.bonuses = dict.fromkeys(OWNERS, Decimal(0))  # what each requester paid in bonuses and their fees

    def teardown(self) -> None:
        self.mock.stop()

    @property
    def now(self) -> float:
        return self.mock.clock.now()

    def _expect(self, call, code: str | None):
        try:
            result = call()
        except ClientError as error:
            assert code is not None and _code(error) == code, (code, error.response["Error"])
            return None
        assert code is None, f"expected {code}"
        return result

    def _normalise(self) -> None:
        for ref in self.ref_hits.values():
            if ref.status(self.now) == "Assignable":
                ref.reviewing = False  # becoming Assignable ends a review (spec H§1.4)

    def _gone(self, assignment: RefAssignment, status: str) -> None:
        """A return or an abandonment: the assignment disappears and its ID is free for the next worker."""
        assignment.status = status
        hit = self.ref_hits[assignment.hit_id]
        hit.assignments.remove(assignment)
        hit.freed.append(assignment.assignment_id)
        del self.current[assignment.assignment_id]

    def _approve(self, assignment: RefAssignment) -> None:
        assignment.status = APPROVED

    # -- the clock ----------------------------------------------------------------------------------
    @rule(seconds=st.sampled_from([0, 1, 59, 599, 600, 1800, 3600, 4 * 3600]))
    def advance(self, seconds):
        until = self.now + seconds
        due = []
        for assignment in self.current.values():
            if assignment.status == ACCEPTED and assignment.deadline <= until:
                due.append((assignment.deadline, 1, assignment.order, assignment))
            elif assignment.status == SUBMITTED and assignment.auto_approval <= until:
                due.append((assignment.auto_approval, 2, assignment.order, assignment))
        for _when, kind, _order, assignment in sorted(due, key=lambda item: item[:3]):
            if kind == 1:
                self._gone(assignment, "Abandoned")
                self.abandoned += 1
                event("abandoned at the deadline")
            else:
                self._approve(assignment)
                event("approved automatically")
        self.mock.clock.advance(seconds)
        self._normalise()

    # -- the requester's HITs ---------------------------------------------------------------------
    @initialize(
        target=hits,
        owner=st.sampled_from(OWNERS),
        lifetime=st.sampled_from([600, 1200, 7200]),
        count=st.integers(1, 4),
        auto_delay=st.sampled_from([0, 60, 3600, DAY]),
    )
    def first_hit(self, owner, lifetime, count, auto_delay):
        return self.create(owner, lifetime, count, auto_delay)

    @rule(
        target=hits,
        owner=st.sampled_from(OWNERS),
        lifetime=st.sampled_from([60, 600, 1200, 7200]),
        count=st.integers(1, 4),
        auto_delay=st.sampled_from([0, 60, 3600, DAY]),
    )
    def create(self, owner, lifetime, count, auto_delay):
        hit = self.clients[owner].create_hit(
            **HIT_TYPE,
            LifetimeInSeconds=lifetime,
            MaxAssignments=count,
            AutoApprovalDelayInSeconds=auto_delay,
            Question=EXTERNAL_QUESTION,
        )["HIT"]
        self.ref_hits[hit["HITId"]] = RefHIT(hit["HITId"], owner, self.now, self.now + lifetime, count, auto_delay)
        return hit["HITId"]

    @rule(
        hit_id=hits,
        operation=st.sampled_from(["expire", "extend", "add", "review", "delete"]),
        seconds=st.sampled_from([60, 600, 3600]),
        count=st.integers(1, 3),
        revert=st.booleans(),
    )
    def operate(self, hit_id, operation, seconds, count, revert):
        """One of the requester's operations on a HIT (one rule, so that worker actions are drawn as often)."""
        if operation == "expire":
            self.expire_now(hit_id)
        elif operation == "extend":
            self.extend(hit_id, seconds)
        elif operation == "add":
            self.add_assignments(hit_id, count)
        elif operation == "review":
            self.review(hit_id, revert)
        else:
            self.delete(hit_id)

    def expire_now(self, hit_id):
        ref = self.ref_hits[hit_id]
        code = "HITDoesNotExist" if ref.disposed else None
        self._expect(lambda: self.clients[ref.owner].update_expiration_for_hit(HITId=hit_id, ExpireAt=0), code)
        if code is None and self.now < ref.expiration:
            ref.expiration = self.now

    def extend(self, hit_id, seconds):
        ref = self.ref_hits[hit_id]
        expire_at = max(ref.expiration, self.now) + seconds
        used = self.tokens.get((hit_id, int(expire_at)))
        code = "HITDoesNotExist" if ref.disposed else None
        if code is None and used is not None and self.now < used + DAY:
            code = "DuplicateRequest"  # the service's token "<HITId><date>" (spec H§8.8)
        call = partial(self.clients[ref.owner].update_expiration_for_hit, HITId=hit_id, ExpireAt=expire_at)
        if self._expect(call, code) is not None:
            ref.expiration = expire_at
            self.tokens[(hit_id, int(expire_at))] = self.now
            self._normalise()

    def add_assignments(self, hit_id, count):
        ref = self.ref_hits[hit_id]
        code = "HITDoesNotExist" if ref.disposed else None
        if code is None and ref.max_assignments < 10 <= ref.max_assignments + count:
            code = "InvalidMaximumAssignmentsIncrease"
        client = self.clients[ref.owner]
        call = partial(client.create_additional_assignments_for_hit, HITId=hit_id, NumberOfAdditionalAssignments=count)
        if self._expect(call, code) is not None:
            ref.max_assignments += count
            self._normalise()

    def review(self, hit_id, revert):
        ref = self.ref_hits[hit_id]
        code = "HITDoesNotExist" if ref.disposed else None
        if code is None and ref.status(self.now) != ("Reviewing" if revert else "Reviewable"):
            code = "InvalidHITState"
        call = partial(self.clients[ref.owner].update_hit_review_status, HITId=hit_id, Revert=revert)
        if self._expect(call, code) is not None:
            ref.reviewing = not revert

    def delete(self, hit_id):
        ref = self.ref_hits[hit_id]
        allowed = ref.status(self.now) in ("Reviewable", "Reviewing") and not ref.count(SUBMITTED)
        if self._expect(
            lambda: self.clients[ref.owner].delete_hit(HITId=hit_id), None if allowed else "InvalidHITState"
        ):
            ref.disposed = True

    # -- the workers --------------------------------------------------------------------------------
    @rule(
        target=taken,
        hit_id=hits,
        worker=st.sampled_from(WORKERS),
        then=st.sampled_from([None, "submit", "submit", "return", "walk away"]),
    )
    def accept(self, hit_id, worker, then):
        ref = self.ref_hits[hit_id]
        holds = any(a.worker == worker for a in ref.assignments)
        allowed = ref.status(self.now) == "Assignable" and not holds
        try:
            working = self.workers[worker].accept(hit_id)
        except WorkerActionRefused as refused:
            assert not allowed, refused.reason
            return multiple()
        assert allowed
        assignment_id = working.assignment_id
        if ref.freed:
            assert assignment_id == ref.freed.pop()  # the latest freed ID of the HIT (spec H§2.5)
            event("a freed assignment ID reused")
        else:
            assert assignment_id not in self.ever
        self.ever.add(assignment_id)
        self.accepts += 1
        assignment = RefAssignment(assignment_id, hit_id, worker, self.now, self.accepts)
        ref.assignments.append(assignment)
        self.current[assignment_id] = assignment
        self._normalise()
        item = Taken(working, assignment_id, assignment)
        if then == "submit":  # at once, so that more sequences reach the decisions
            self.submit(item)
        elif then == "return":
            self.give_back(item)
        elif then == "walk away":  # until the deadline has passed
            self.advance(DURATION)
        return item

    @rule(item=taken)
    def submit(self, item):
        assignment = item.ref
        allowed = assignment.status == ACCEPTED
        try:
            item.working.submit({"label": "cat"})
        except WorkerActionRefused as refused:
            assert not allowed, refused.reason
            return
        assert allowed
        hit = self.ref_hits[assignment.hit_id]
        assignment.status, assignment.submitted = SUBMITTED, self.now
        assignment.auto_approval = self.now + hit.auto_delay
        if hit.auto_delay == 0:
            self._approve(assignment)  # approved at the submit instant: never seen Submitted
        self._normalise()

    @rule(item=taken)
    def give_back(self, item):
        assignment = item.ref
        allowed = assignment.status == ACCEPTED
        try:
            item.working.return_()
        except WorkerActionRefused as refused:
            assert not allowed, refused.reason
            return
        assert allowed
        self._gone(assignment, "Returned")
        self._normalise()

    # -- the requester's decisions --------------------------------------------------------------------
    def _decision_code(self, item: Taken, owner: str) -> tuple[RefAssignment | None, str | None]:
        """What the ID names now (a later worker may hold it) and the error a decision on it meets."""
        assignment = self.current.get(item.assignment_id)
        if assignment is None or assignment.status not in VISIBLE or self.ref_hits[assignment.hit_id].owner != owner:
            return assignment, "AssignmentDoesNotExist"
        if self.ref_hits[assignment.hit_id].disposed:
            return assignment, "HITDoesNotExist"
        return assignment, None

    @rule(
        item=taken,
        verdict=st.sampled_from(["approve", "override", "reject", "bonus"]),
        by_owner=st.sampled_from([1, 1, 1, 0]),
    )
    def decide(self, item, verdict, by_owner):
        """The requester approves, approves overriding a rejection, rejects or pays a bonus (sometimes the
        wrong requester)."""
        owner = self.ref_hits[item.ref.hit_id].owner
        if not by_owner:
            owner = next(other for other in OWNERS if other != owner)
        if verdict == "reject":
            self.reject(item, owner)
        elif verdict == "bonus":
            self.bonus(item, owner)
        else:
            self.approve(item, owner, verdict == "override")

    def bonus(self, item, owner):
        """SendBonus to the worker who accepted ``item``: the ID may name a later worker's assignment now."""
        assignment = self.current.get(item.assignment_id)
        if assignment is None or assignment.status not in VISIBLE or self.ref_hits[assignment.hit_id].owner != owner:
            code = "AssignmentDoesNotExist"  # the HIT may be deleted: bonuses are paid after clean-up
        else:
            code = None if assignment.worker == item.ref.worker else "ParameterValidationError"
        call = partial(
            self.clients[owner].send_bonus,
            WorkerId=item.ref.worker,
            BonusAmount="0.50",
            AssignmentId=item.assignment_id,
            Reason="well done",
        )
        if self._expect(call, code) is not None:
            self.bonuses[owner] += BONUS
            event("bonus paid")

    def approve(self, item, owner, override):
        assignment, code = self._decision_code(item, owner)
        if code is None and not (
            assignment.status == SUBMITTED
            or (assignment.status == REJECTED and override and self.now - assignment.submitted <= OVERRIDE_WINDOW)
        ):
            code = "InvalidAssignmentState"
        call = partial(
            self.clients[owner].approve_assignment, AssignmentId=item.assignment_id, OverrideRejection=override
        )
        if self._expect(call, code) is not None:
            event(f"approved a {assignment.status} assignment")
            self._approve(assignment)

    def reject(self, item, owner):
        assignment, code = self._decision_code(item, owner)
        if code is None and assignment.status != SUBMITTED:
            code = "InvalidAssignmentState"
        call = partial(self.clients[owner].reject_assignment, AssignmentId=item.assignment_id, RequesterFeedback="no")
        if self._expect(call, code) is not None:
            assignment.status = REJECTED
            self._normalise()

    # -- invariants -----------------------------------------------------------------------------------
    @invariant()
    def hits_and_counts_match(self):
        for ref in self.ref_hits.values():
            hit = self.clients[ref.owner].get_hit(HITId=ref.hit_id)["HIT"]
            pending, available, completed = (
                hit["NumberOfAssignmentsPending"],
                hit["NumberOfAssignmentsAvailable"],
                hit["NumberOfAssignmentsCompleted"],
            )
            submitted = ref.count(SUBMITTED)
            assert hit["HITStatus"] == ref.status(self.now), (ref, hit["HITStatus"])
            assert (pending, completed) == (ref.count(ACCEPTED), ref.count(APPROVED, REJECTED)), ref
            assert hit["MaxAssignments"] == ref.max_assignments
            assert available == max(0, ref.max_assignments - pending - submitted - completed)
            assert pending + available + submitted + completed == ref.max_assignments

    @invariant()
    def assignments_match(self):
        listed_anywhere: list[str] = []
        for ref in self.ref_hits.values():
            client = self.clients[ref.owner]
            pages = client.get_paginator("list_assignments_for_hit").paginate(
                HITId=ref.hit_id, PaginationConfig={"PageSize": 2}
            )
            listed = [
                (a["AssignmentId"], a["WorkerId"], a["AssignmentStatus"]) for p in pages for a in p["Assignments"]
            ]
            visible = sorted(
                (a for a in ref.assignments if a.status in VISIBLE), key=lambda a: (a.submitted, a.assignment_id)
            )
            assert listed == [(a.assignment_id, a.worker, a.status) for a in visible], ref.hit_id
            listed_anywhere += [assignment_id for assignment_id, _, _ in listed]
            if not visible:
                continue
            by_status = {}
            for status in VISIBLE:  # each visible assignment shows under exactly one status
                page = client.list_assignments_for_hit(HITId=ref.hit_id, AssignmentStatuses=[status], MaxResults=100)
                by_status[status] = {a["AssignmentId"] for a in page["Assignments"]}
                assert by_status[status] == {a.assignment_id for a in visible if a.status == status}
            assert sum(len(ids) for ids in by_status.values()) == len(visible)
        assert len(listed_anywhere) == len(set(listed_anywhere))  # never listed twice
        with self.mock.world.session("production") as (market, _now):
            store = market.assignments
            assert set(store.by_id) == set(self.current)
            assert {(a.hit.hit_id, a.worker_id) for a in store.live.values()} == {
                (a.hit_id, a.worker) for a in self.current.values()
            }
            assert len(store.live) == len(self.current)  # at most one assignment per worker and HIT
            for assignment_id, ref in self.current.items():
                assert store.by_id[assignment_id].status == ref.status

    @invariant()
    def workers_find_what_they_may_take(self):
        open_hits = sorted(
            (ref for ref in self.ref_hits.values() if ref.status(self.now) == "Assignable"),
            key=lambda ref: (ref.created, ref.hit_id),
        )
        for worker_id, worker in self.workers.items():
            expected = [ref.hit_id for ref in open_hits if all(a.worker != worker_id for a in ref.assignments)]
            assert worker.search_hits() == expected

    @invariant()
    def money_is_conserved(self):
        ledger = self.mock.world.marketplace("production").ledger
        for owner, client in self.clients.items():
            answer = client.get_account_balance()
            available, held = Decimal(answer["AvailableBalance"]), Decimal(answer.get("OnHoldBalance", "0"))
            paid = ledger.paid(owner)
            mine = [ref for ref in self.ref_hits.values() if ref.owner == owner]
            assert available + held + paid == STARTING
            assert held == sum((ref.held(self.now) for ref in mine), Decimal(0))
            assert paid == PRICE * sum(ref.count(APPROVED) for ref in mine) + self.bonuses[owner]

    @invariant()
    def abandonments_are_the_schedules(self):
        with self.mock.world.session("production") as (market, _now):  # settled, as a call would see it
            assert len(market.events.of_type("AssignmentAbandoned")) == self.abandoned


TestWorkMarket = WorkMarket.TestCase
TestWorkMarket.settings = settings(
    max_examples=int(os.environ.get("MTURK_MOCK_STATEFUL_EXAMPLES", "25")),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _no_leftover_mock():
    yield
    import mturk_mock

    assert mturk_mock.current() is None

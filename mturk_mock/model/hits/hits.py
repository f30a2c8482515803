"""HITs: the store of one marketplace, the status machine over the clock, and the listings' indexes
(spec H§1.2-1.7, H§7).

``Disposed`` and ``Reviewing`` are stored; every other status follows from the counters and whether the
HIT has expired (spec H§1.4). A HIT expires through the marketplace's schedule at its Expiration, so the
status is always current once ``settle`` has run. Every change goes through ``refresh``, which moves the
HIT between the ListReviewableHITs indexes, applies the transitions' side effects (events, the
120-day auto-disposal, money held for slots that can no longer be filled) and clears the rendering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import errors
from ..index import SortedIndex
from ..schedule import AUTO_DISPOSAL, HIT_EXPIRY, Schedule
from ..xml.questions import Question, parse_question
from .hit_types import HITType

if TYPE_CHECKING:
    from .policies import KnownAnswersPolicy, PluralityPolicy

ASSIGNABLE, UNASSIGNABLE, REVIEWABLE, REVIEWING, DISPOSED = (
    "Assignable",
    "Unassignable",
    "Reviewable",
    "Reviewing",
    "Disposed",
)
FILLABLE = (ASSIGNABLE, UNASSIGNABLE)  # statuses in which unfilled slots still hold money (spec H§5.3)
AUTO_DISPOSAL_DELAY = 120 * 86400  # spec H§1.5 [I]: 120 days after the HIT last became Reviewable
EXPIRE, DISPOSE = "hit.expire", "hit.auto_dispose"

# (hit, event type, instant): the marketplace's event log (notifications, spec H§6) receives these.
EventSink = Callable[["HIT", str, float], None]
Ledger = Callable[["HIT", Decimal], None]  # (hit, delta): hold a positive delta, release a negative one


@dataclass(slots=True, eq=False)
class HIT:
    hit_id: str
    hit_type: HITType
    owner: str
    created: float
    expiration: float
    max_assignments: int
    question: str
    layout_id: str | None = None
    annotation: str | None = None
    assignment_review_policy: dict[str, Any] | None = None
    hit_review_policy: dict[str, Any] | None = None
    price: Decimal = Decimal(0)  # reward + fee of one slot at the current type
    pending: int = 0  # accepted, not yet submitted
    submitted: int = 0
    approved: int = 0
    rejected: int = 0
    expired: bool = False
    reviewing: bool = False
    disposed: bool = False
    review_status: str = "NotReviewed"
    status: str = ASSIGNABLE  # as of the last refresh
    reviewable_since: float | None = None
    held: Decimal = Decimal(0)  # money held for this HIT
    assignment_hold: Decimal = Decimal(0)  # of which for pending and submitted assignments
    review_key: tuple[float, str] | None = None  # its key in the ListReviewableHITs indexes
    content: Question | None = field(default=None, repr=False)  # the parsed question, made once
    # The review policies parsed from the two dicts above (which the snapshot keeps).
    assignment_policy: KnownAnswersPolicy | None = field(default=None, repr=False)
    hit_policy: PluralityPolicy | None = field(default=None, repr=False)
    cache: Any = field(default=None, repr=False)

    def question_content(self) -> Question:
        if self.content is None:
            self.content = parse_question(self.question)
        return self.content

    @property
    def available(self) -> int:
        return max(0, self.max_assignments - self.pending - self.submitted - self.approved - self.rejected)

    @property
    def completed(self) -> int:
        return self.approved + self.rejected

    @property
    def key(self) -> tuple[float, str]:
        """Its key in ListHITs order: CreationTime, then HITId."""
        return (self.created, self.hit_id)

    def compute_status(self) -> str:
        if self.disposed:
            return DISPOSED
        available = self.available
        if self.pending and (self.expired or not available):
            return UNASSIGNABLE
        if not self.expired and available:
            return ASSIGNABLE
        return REVIEWING if self.reviewing else REVIEWABLE

    def desired_hold(self) -> Decimal:
        """Money the HIT should hold: its assignments' prices, plus its open slots while they can be filled."""
        fillable = self.available if self.status in FILLABLE else 0
        return self.assignment_hold + fillable * self.price


_NO_HITS: SortedIndex[HIT] = SortedIndex()


class HITs:
    """The HITs of one marketplace and the indexes of ListHITs, ListHITsForQualificationType and
    ListReviewableHITs."""

    def __init__(self, schedule: Schedule, on_event: EventSink, on_money: Ledger) -> None:
        self.by_id: dict[str, HIT] = {}
        self.by_owner: dict[str, SortedIndex[HIT]] = {}
        self.by_requirement: dict[tuple[str, str], SortedIndex[HIT]] = {}
        self.reviewable: dict[tuple[str, str], SortedIndex[HIT]] = {}  # (owner, status)
        self.reviewable_by_type: dict[tuple[str, str, str], SortedIndex[HIT]] = {}  # (owner, type, status)
        self.assignable: SortedIndex[HIT] = SortedIndex()  # every requester's, for workers' searches
        self._schedule = schedule
        self._on_event = on_event
        self._on_money = on_money
        schedule.on(EXPIRE, self._expire)
        schedule.on(DISPOSE, self._auto_dispose)

    # -- lookups ------------------------------------------------------------------------------
    def get(self, hit_id: str, requester: str) -> HIT:
        """The caller's HIT, Disposed included; others' HITs do not exist for the caller (spec H§0.1)."""
        hit = self.by_id.get(hit_id)
        if hit is None or hit.owner != requester:
            raise errors.HIT_NOT_FOUND(hit_id=hit_id)
        return hit

    def live(self, hit_id: str, requester: str) -> HIT:
        """The caller's HIT unless Disposed (spec H§8.8-8.11 [I]: a Disposed HIT does not exist for them)."""
        hit = self.get(hit_id, requester)
        if hit.disposed:
            raise errors.HIT_NOT_FOUND(hit_id=hit_id)
        return hit

    def of_owner(self, owner: str) -> SortedIndex[HIT]:
        return self.by_owner.get(owner, _NO_HITS)

    def requiring(self, owner: str, type_id: str) -> SortedIndex[HIT]:
        return self.by_requirement.get((owner, type_id), _NO_HITS)

    def in_review(self, owner: str, status: str, hit_type_id: str | None) -> SortedIndex[HIT]:
        if hit_type_id is None:
            return self.reviewable.get((owner, status), _NO_HITS)
        return self.reviewable_by_type.get((owner, hit_type_id, status), _NO_HITS)

    # -- changes ------------------------------------------------------------------------------
    def add(self, hit: HIT, now: float) -> None:
        self.by_id[hit.hit_id] = hit
        self.by_owner.setdefault(hit.owner, SortedIndex()).insert(hit.key, hit)
        self._index_requirements(hit)
        self._schedule.add(hit.expiration, EXPIRE, hit.hit_id, HIT_EXPIRY)
        hit.status = hit.compute_status()
        if hit.status == ASSIGNABLE:
            self.assignable.insert(hit.key, hit)
        self._on_event(hit, "HITCreated", now)
        self.refresh(hit, now)

    def _index_requirements(self, hit: HIT, remove: bool = False) -> None:
        for type_id in hit.hit_type.requirements.type_ids:
            index = self.by_requirement.setdefault((hit.owner, type_id), SortedIndex())
            if remove:
                index.remove(hit.key)
            else:
                index.insert(hit.key, hit)

    def change_type(self, hit: HIT, hit_type: HITType, price: Decimal, now: float) -> None:
        """UpdateHITTypeOfHIT: the HIT takes every property of the new type (spec H§8.11)."""
        self._index_requirements(hit, remove=True)
        self._unindex_review(hit)
        hit.hit_type, hit.price = hit_type, price
        self._index_requirements(hit)
        hit.review_key = None
        self.refresh(hit, now)

    def set_expiration(self, hit: HIT, expiration: float, expired: bool, now: float) -> None:
        hit.expiration, hit.expired = expiration, expired
        if not expired:
            self._schedule.add(expiration, EXPIRE, hit.hit_id, HIT_EXPIRY)
        self.refresh(hit, now)

    def dispose(self, hit: HIT, now: float) -> None:
        hit.disposed = True
        self.by_owner[hit.owner].remove(hit.key)
        self._index_requirements(hit, remove=True)
        self.refresh(hit, now)
        self._on_event(hit, "HITDisposed", now)

    def refresh(self, hit: HIT, now: float) -> None:
        """Bring the stored status, the review indexes, the money held and the rendering up to date."""
        hit.cache = None
        before, after = hit.status, hit.compute_status()
        if after == ASSIGNABLE:
            hit.reviewing = False  # an extension ends a review (spec H§1.4)
        if after != before or (after in (REVIEWABLE, REVIEWING) and hit.review_key != (hit.expiration, hit.hit_id)):
            self._unindex_review(hit)
            if before == ASSIGNABLE and hit.key in self.assignable:
                self.assignable.remove(hit.key)
            hit.status = after
            if after in (REVIEWABLE, REVIEWING):
                self._index_review(hit)
            elif after == ASSIGNABLE:
                self.assignable.insert(hit.key, hit)
        if after != before:
            if after == REVIEWABLE and before != REVIEWING:
                hit.reviewable_since = now
                self._on_event(hit, "HITReviewable", now)
                self._schedule.add(now + AUTO_DISPOSAL_DELAY, DISPOSE, hit.hit_id, AUTO_DISPOSAL)
            elif after == ASSIGNABLE and before != ASSIGNABLE:
                hit.reviewable_since = None
        delta = hit.desired_hold() - hit.held
        if delta:
            self._on_money(hit, delta)
            hit.held += delta

    def _index_review(self, hit: HIT) -> None:
        hit.review_key = (hit.expiration, hit.hit_id)
        self.reviewable.setdefault((hit.owner, hit.status), SortedIndex()).insert(hit.review_key, hit)
        by_type = self.reviewable_by_type.setdefault((hit.owner, hit.hit_type.type_id, hit.status), SortedIndex())
        by_type.insert(hit.review_key, hit)

    def _unindex_review(self, hit: HIT) -> None:
        if hit.review_key is not None and hit.status in (REVIEWABLE, REVIEWING):
            self.reviewable[(hit.owner, hit.status)].remove(hit.review_key)
            self.reviewable_by_type[(hit.owner, hit.hit_type.type_id, hit.status)].remove(hit.review_key)
        hit.review_key = None

    # -- time ---------------------------------------------------------------------------------
    def _expire(self, hit_id: str, due: float) -> None:
        hit = self.by_id.get(hit_id)
        if hit is None or hit.disposed or hit.expired or hit.expiration != due:
            return  # extended, expired early or disposed meanwhile
        hit.expired = True
        self._on_event(hit, "HITExpired", due)
        self.refresh(hit, due)

    def _auto_dispose(self, hit_id: str, due: float) -> None:
        hit = self.by_id.get(hit_id)
        if hit is None or hit.status not in (REVIEWABLE, REVIEWING) or hit.reviewable_since is None:
            return
        if hit.reviewable_since + AUTO_DISPOSAL_DELAY == due:
            self.dispose(hit, due)

    def reschedule(self) -> None:
        for hit in self.by_id.values():
            if not hit.disposed and not hit.expired:
                self._schedule.add(hit.expiration, EXPIRE, hit.hit_id, HIT_EXPIRY)
            if hit.status in (REVIEWABLE, REVIEWING) and hit.reviewable_since is not None:
                self._schedule.add(hit.reviewable_since + AUTO_DISPOSAL_DELAY, DISPOSE, hit.hit_id, AUTO_DISPOSAL)

    # -- snapshot -----------------------------------------------------------------------------
    def to_data(self) -> list[dict[str, Any]]:
        """Every HIT in creation order; derived state (status, indexes, deadlines) is rebuilt on load."""
        return [
            {
                **{name: getattr(hit, name) for name in _STORED},
                "hit_type": hit.hit_type.type_id,
                "price": str(hit.price),
                "held": str(hit.held),
                "assignment_hold": str(hit.assignment_hold),
            }
            for hit in sorted(self.by_id.values(), key=lambda hit: hit.key)
        ]

    def load_data(self, data: list[dict[str, Any]], hit_types: dict[str, HITType]) -> None:
        for stored in data:
            hit = HIT(
                **{name: stored[name] for name in _STORED},
                hit_type=hit_types[stored["hit_type"]],
                price=Decimal(stored["price"]),
                held=Decimal(stored["held"]),
                assignment_hold=Decimal(stored["assignment_hold"]),
            )
            self.by_id[hit.hit_id] = hit
            if not hit.disposed:
                self.by_owner.setdefault(hit.owner, SortedIndex()).insert(hit.key, hit)
                self._index_requirements(hit)
            hit.status = hit.compute_status()
            if hit.status in (REVIEWABLE, REVIEWING):
                self._index_review(hit)
            elif hit.status == ASSIGNABLE:
                self.assignable.insert(hit.key, hit)


_STORED = (
    "hit_id",
    "owner",
    "created",
    "expiration",
    "max_assignments",
    "question",
    "layout_id",
    "annotation",
    "assignment_review_policy",
    "hit_review_policy",
    "pending",
    "submitted",
    "approved",
    "rejected",
    "expired",
    "reviewing",
    "disposed",
    "review_status",
    "reviewable_since",
)

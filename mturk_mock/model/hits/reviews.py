"""What the review policies computed and did, per HIT, and the policy runs still to come (spec H§9.3).

Each HIT's results and actions are kept in the order the policies produced them, in one index that
ListReviewPolicyResultsForHIT pages through; a later run of the HIT policy adds to them, as the service
lists "results from each of the review steps, in chronological order". A listing of some levels or
kinds only gets its own index, made the first time it is asked for and kept in step after that.

A policy runs at the instant its trigger happened, as a transition of the marketplace's schedule: the
assignment policy when an assignment is submitted, the HIT policy when the HIT becomes Reviewable. Running
it in the middle of the change that triggered it (a HIT's refresh) would re-enter that change, so the
trigger only plans the run; ``settle`` applies it before anything reads state. Planned runs are saved, so
a state saved between the trigger and the next settle keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from ..index import SortedIndex
from ..schedule import AUTO_DISPOSAL, FIRST, Schedule
from .hits import HIT
from .policies import parse_policies

ASSIGNMENT_LEVEL, HIT_LEVEL = "Assignment", "HIT"
RESULT, ACTION = "result", "action"
REVIEW_ASSIGNMENT, REVIEW_HIT = "review.assignment", "review.hit"
# At one instant the assignment policy runs before that instant's auto-approval (it was submitted
# first), and the HIT policy after every other transition, when the HIT's state for that instant is final.
_RANKS = {REVIEW_ASSIGNMENT: FIRST, REVIEW_HIT: AUTO_DISPOSAL + 1}
KNOWN_ANSWER_SCORE = "KnownAnswerScore"


@dataclass(slots=True, eq=False)
class ReviewEntry:
    """One ReviewResultDetail (``kind`` RESULT) or ReviewActionDetail (ACTION) of a HIT's report."""

    serial: int  # its place in the HIT's listing
    level: str  # the report it belongs to: ASSIGNMENT_LEVEL or HIT_LEVEL
    kind: str
    subject_id: str  # SubjectId or TargetId
    subject_type: str  # "Assignment" or "HIT"
    key: str  # a result's Key, an action's ActionName
    value: str  # a result's Value, an action's Result
    question_id: str | None = None
    action_id: str | None = None
    status: str | None = None  # an action's Status
    complete_time: float | None = None
    error_code: str | None = None  # a Failed action's TurkErrorCode
    cache: Any = field(default=None, repr=False)


_NO_ENTRIES: SortedIndex[ReviewEntry] = SortedIndex()
_STORED = tuple(f.name for f in fields(ReviewEntry) if f.name != "cache")


class Reviews:
    """Every HIT's review results and actions in one marketplace, and the planned policy runs."""

    def __init__(self, schedule: Schedule) -> None:
        self.of_hit: dict[str, SortedIndex[ReviewEntry]] = {}
        # HIT -> its entries of some (level, kind) pairs only (made when first asked for)
        self.of_hit_in: dict[str, dict[frozenset[tuple[str, str]], SortedIndex[ReviewEntry]]] = {}
        self.known_scores: dict[str, int] = {}  # assignment -> its KnownAnswerScore
        self.planned: dict[tuple[str, str], float] = {}  # (kind, assignment or HIT) -> the instant to run
        self._serial = 0
        self._schedule = schedule

    def listing(self, hit_id: str, wanted: frozenset[tuple[str, str]] | None = None) -> SortedIndex[ReviewEntry]:
        """The HIT's entries in order, or only those whose (level, kind) is ``wanted``."""
        every = self.of_hit.get(hit_id, _NO_ENTRIES)
        if wanted is None:
            return every
        filtered = self.of_hit_in.setdefault(hit_id, {})
        index = filtered.get(wanted)
        if index is None:  # made once from the whole listing, then kept in step by ``add``
            index = filtered[wanted] = SortedIndex()
            for serial, entry in every.items():
                if (entry.level, entry.kind) in wanted:
                    index.insert(serial, entry)
        return index

    def add(self, hit_id: str, entry: ReviewEntry) -> ReviewEntry:
        self._serial = max(self._serial, entry.serial) + 1
        self.of_hit.setdefault(hit_id, SortedIndex()).insert(entry.serial, entry)
        filtered = self.of_hit_in.get(hit_id)
        if filtered:
            for wanted, index in filtered.items():
                if (entry.level, entry.kind) in wanted:
                    index.insert(entry.serial, entry)
        if entry.kind == RESULT and entry.key == KNOWN_ANSWER_SCORE and entry.level == ASSIGNMENT_LEVEL:
            self.known_scores[entry.subject_id] = int(entry.value)
        return entry

    def next_serial(self) -> int:
        return self._serial

    # -- planned runs ---------------------------------------------------------------------------
    def notice(self, hit: HIT, event_type: str, at: float, assignment_id: str | None) -> None:
        """The marketplace reports every event of a HIT with a policy: plan the runs they trigger."""
        if event_type == "AssignmentSubmitted" and hit.assignment_policy is not None and assignment_id is not None:
            self._plan(REVIEW_ASSIGNMENT, assignment_id, at)
        elif event_type == "HITReviewable" and hit.hit_policy is not None:
            self._plan(REVIEW_HIT, hit.hit_id, at)

    def _plan(self, kind: str, key: str, at: float) -> None:
        self.planned[(kind, key)] = at
        self._schedule.add(at, kind, key, _RANKS[kind])

    def due(self, kind: str, key: str, at: float) -> bool:
        """Whether a run planned for ``at`` is still to be done; it is then no longer planned."""
        if self.planned.get((kind, key)) != at:
            return False
        del self.planned[(kind, key)]
        return True

    def reschedule(self) -> None:
        for (kind, key), at in self.planned.items():
            self._schedule.add(at, kind, key, _RANKS[kind])

    # -- snapshot -------------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        return {
            "entries": {
                hit_id: [[getattr(entry, name) for name in _STORED] for entry in index.values()]
                for hit_id, index in self.of_hit.items()
            },
            "planned": [[kind, key, at] for (kind, key), at in self.planned.items()],
        }

    def load_data(self, data: dict[str, Any], hits: Iterable[HIT]) -> None:
        """The results, actions and planned runs; and the HITs' policies, parsed again from what they were
        given (they were checked when the HIT was created)."""
        for hit in hits:
            if hit.assignment_review_policy is not None or hit.hit_review_policy is not None:
                hit.assignment_policy, hit.hit_policy = parse_policies(
                    hit.assignment_review_policy, hit.hit_review_policy
                )
        for hit_id, entries in data.get("entries", {}).items():
            for stored in entries:
                self.add(hit_id, ReviewEntry(**dict(zip(_STORED, stored, strict=True))))
        for kind, key, at in data.get("planned", ()):
            self.planned[(kind, key)] = at

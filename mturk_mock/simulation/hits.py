"""A simulated worker's HITs: search, preview, accept, submit, return (spec H§0.3, H§3.6, H§4).

    w = mturk.worker("A1B2C3D4E5F6G7", country="US", subdivision="WA", adult=True, masters=False)
    w.history(approved=95, rejected=5, returned=2, abandoned=1)
    hit_ids = w.search_hits()
    view = w.preview(hit_id)          # .hit_id, .question, .title, .reward, .url (ExternalQuestion) ...
    a = w.accept(hit_id)              # .assignment_id, .hit_id, .deadline, .url
    a.submit({"q1": "yes", "colors": ["red", "blue"]})   # or a QuestionFormAnswers XML string
    a.return_()

Refusals raise WorkerActionRefused (a WorkerError) whose ``reason`` says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..constants import PRODUCTION
from ..model.hits import work
from ..model.hits.assignments import ACCEPTED, Assignment
from ..model.hits.hits import HIT
from ..model.journal import JournalTarget, journaled
from ..model.workers import WorkerActionRefused
from ..model.world import World
from ..model.xml import hit_answers
from .base import WorkerBase

PREVIEW_ASSIGNMENT = "ASSIGNMENT_ID_NOT_AVAILABLE"
SUBMIT_BASES = {PRODUCTION: "https://www.mturk.com"}
SANDBOX_SUBMIT_BASE = "https://workersandbox.mturk.com"
HITAnswers = str | Mapping[str, hit_answers.Value]


def _datetime(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


def frame_url(external_url: str, parameters: dict[str, str]) -> str:
    """The URL a worker's frame loads: the ExternalURL with MTurk's parameters appended (spec H§3.6)."""
    parts = urlsplit(external_url)
    query = parts.query + ("&" if parts.query else "") + urlencode(parameters)
    return urlunsplit(parts._replace(query=query))


def submit_base(marketplace: str) -> str:
    return SUBMIT_BASES.get(marketplace, SANDBOX_SUBMIT_BASE)


@dataclass(frozen=True)
class HITPreview:
    """What a worker sees of a HIT before accepting it."""

    hit_id: str
    hit_type_id: str
    title: str
    description: str
    keywords: str | None
    reward: Decimal
    assignment_duration: int
    expiration: dt.datetime
    available: int
    question: str  # exactly as the requester sent it (a layout HIT's rendered HTMLQuestion)
    url: str | None  # for an ExternalQuestion: the frame URL, with assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE

    @classmethod
    def of(cls, hit: HIT) -> HITPreview:
        hit_type = hit.hit_type
        external = hit.question_content().external_url
        url = (
            None if external is None else frame_url(external, {"assignmentId": PREVIEW_ASSIGNMENT, "hitId": hit.hit_id})
        )
        return cls(
            hit.hit_id,
            hit_type.type_id,
            hit_type.title,
            hit_type.description,
            hit_type.keywords,
            hit_type.reward,
            hit_type.assignment_duration,
            _datetime(hit.expiration),
            hit.available,
            hit.question,
            url,
        )


class WorkingAssignment(JournalTarget, journal_tag="assignment"):
    """An assignment a simulated worker has accepted: ``submit`` before the deadline, or ``return_``."""

    def __init__(self, worker: WorkerBase, assignment: Assignment, url: str | None) -> None:
        self._worker = worker
        self._assignment = assignment
        self.assignment_id = assignment.assignment_id
        self.hit_id = assignment.hit.hit_id
        self.worker_id = assignment.worker_id
        self.accept_time = _datetime(assignment.accept_time)
        self.deadline = _datetime(assignment.deadline)
        self.url = url  # an ExternalQuestion's frame URL with assignmentId, hitId, turkSubmitTo and workerId

    def __repr__(self) -> str:
        return f"<WorkingAssignment {self.assignment_id} of HIT {self.hit_id} by {self.worker_id}>"

    def journal_world(self) -> World:
        return self._worker.journal_world()

    def journal_ref(self) -> dict[str, Any]:
        return {**self._worker.journal_ref(), "assignment": self.assignment_id}

    @classmethod
    def from_journal_ref(cls, world: World, ref: dict[str, Any]) -> WorkingAssignment:
        worker = WorkerBase(world, ref["worker"], ref["marketplace"])
        return cls(worker, world.marketplace(ref["marketplace"]).assignments.by_id[ref["assignment"]], None)

    @property
    def status(self) -> str:
        """Accepted, Submitted, Approved, Rejected, Returned or Abandoned."""
        with self._worker._session():
            return self._assignment.status

    @journaled("assignment.submit")
    def submit(self, answers: HITAnswers) -> None:
        """Submit answers: a mapping {QuestionIdentifier or field name: value or [values]} (``FileUpload`` for
        a FileUploadAnswer), or a QuestionFormAnswers XML string. They are checked against a QuestionForm."""
        with self._worker._session() as (market, now):
            assignment = self._assignment
            work.check_live(assignment, "submit")
            document, uploads = answers_document(assignment.hit, answers)
            work.submit(market, assignment, document, uploads, now)

    @journaled("assignment.submit_form")
    def submit_form(self, fields: Iterable[tuple[str, str]]) -> None:
        """Submit an ExternalQuestion or HTMLQuestion form post as it arrived: each (name, value) pair a
        free-text answer in order, repeated names kept, MTurk's own fields left out (spec H§2.3, H§3.6)."""
        with self._worker._session() as (market, now):
            assignment = self._assignment
            work.check_live(assignment, "submit")
            if assignment.hit.question_content().form is not None:
                raise WorkerActionRefused("This HIT is a QuestionForm: its answers are given in the form, not posted.")
            try:
                document = hit_answers.field_answers(fields)
            except hit_answers.AnswerRefused as refused:
                raise WorkerActionRefused(f"Your answers cannot be submitted: {refused.reason}") from None
            work.submit(market, assignment, document, {}, now)

    @journaled("assignment.return")
    def return_(self) -> None:
        """Give the assignment back; the slot is free for other workers."""
        with self._worker._session() as (market, now):
            work.return_assignment(market, self._assignment, now)


def answers_document(hit: HIT, answers: HITAnswers) -> tuple[str, dict[str, bytes]]:
    """The Answer document for ``hit`` and any uploaded files (WorkerActionRefused when they do not fit)."""
    form = hit.question_content().form
    try:
        if form is not None:
            if isinstance(answers, str):
                hit_answers.check_form_answers(answers, form)
                return answers, {}
            return hit_answers.form_answers(answers, form)
        if isinstance(answers, str):
            hit_answers.check_xml(answers)
            return answers, {}
        return hit_answers.field_answers(hit_answers.mapping_fields(answers)), {}
    except hit_answers.AnswerRefused as refused:
        raise WorkerActionRefused(f"Your answers cannot be submitted: {refused.reason}") from None


class HITActions(WorkerBase):
    """What a worker does with HITs on the worker site."""

    @journaled("worker.history")
    def history(self, approved: int = 0, rejected: int = 0, returned: int = 0, abandoned: int = 0) -> None:
        """Past work in this marketplace, from which Worker_NumberHITsApproved and
        Worker_PercentAssignmentsApproved follow (spec H§4.4)."""
        for name, count in (
            ("approved", approved),
            ("rejected", rejected),
            ("returned", returned),
            ("abandoned", abandoned),
        ):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"{name} must be a count >= 0, not {count!r}")
        with self._session() as (market, _now):
            profile = market.workers.profile(self.worker_id)
            profile.past_approved, profile.past_rejected = approved, rejected
            profile.past_returned, profile.past_abandoned = returned, abandoned

    def search_hits(self) -> list[str]:
        """The IDs of the HITs this worker can find: Assignable, of requesters who have not blocked the worker,
        whose Discover requirements the worker meets; oldest first."""
        with self._session() as (market, now):
            return [hit.hit_id for hit in work.discoverable(market, self.worker_id, now)]

    def preview(self, hit_id: str) -> HITPreview:
        with self._session() as (market, now):
            return HITPreview.of(work.preview(market, self.worker_id, hit_id, now))

    def assignment(self, assignment_id: str) -> WorkingAssignment:
        """One of this worker's assignments, accepted or submitted, by ID (WorkerActionRefused if the
        worker holds no assignment with that ID). ``url`` is the frame URL of an accepted one."""
        with self._session() as (market, _now):
            assignment = market.assignments.by_id.get(assignment_id)
            if assignment is None or assignment.worker_id != self.worker_id:
                raise WorkerActionRefused(f"You have no assignment {assignment_id}.")
            return self._working(assignment)

    def assignments(self) -> list[WorkingAssignment]:
        """The assignments this worker has accepted and not yet submitted or returned, oldest first."""
        with self._session() as (market, _now):
            held = [
                assignment
                for assignment in market.assignments.live.values()
                if assignment.worker_id == self.worker_id and assignment.status == ACCEPTED
            ]
            return [self._working(assignment) for assignment in sorted(held, key=lambda a: a.accept_time)]

    @journaled("worker.accept")
    def accept(self, hit_id: str) -> WorkingAssignment:
        with self._session() as (market, now):
            return self._working(work.accept(market, self.worker_id, hit_id, now))

    def _working(self, assignment: Assignment) -> WorkingAssignment:
        external = assignment.hit.question_content().external_url
        url = None
        if external is not None and assignment.status == ACCEPTED:
            url = frame_url(external, accepted_parameters(assignment, submit_base(self.marketplace)))
        return WorkingAssignment(self, assignment, url)


def accepted_parameters(assignment: Assignment, submit_to: str) -> dict[str, str]:
    """What MTurk appends to a frame's URL once the worker has accepted (spec H§3.6)."""
    return {
        "assignmentId": assignment.assignment_id,
        "hitId": assignment.hit.hit_id,
        "turkSubmitTo": submit_to,
        "workerId": assignment.worker_id,
    }

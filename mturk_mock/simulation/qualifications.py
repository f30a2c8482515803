"""A simulated worker's qualifications: requesting them, taking tests, and what the worker holds.

worker.request_qualification(type_id)             # no test: a pending request for the owner
worker.request_qualification(type_id, answers={"sky": "blue", "primaries": ["r", "g"]})
attempt = worker.start_test(type_id); mturk.clock.advance(minutes=5); attempt.submit({...})
worker.qualifications                              # what this worker holds
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model import xml
from ..model.journal import JournalTarget, journaled
from ..model.marketplace import Marketplace
from ..model.qualifications import workflow
from ..model.qualifications.grants import Grant
from ..model.qualifications.requests import STARTED, QualificationRequest
from ..model.workers import WorkerError
from ..model.world import World
from .base import WorkerBase

Answers = str | Mapping[str, str | Iterable[str]]


def _datetime(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


@dataclass(frozen=True)
class HeldQualification:
    type_id: str
    value: int
    status: str  # "Granted" or "Revoked"
    grant_time: dt.datetime

    @classmethod
    def of(cls, grant: Grant) -> HeldQualification:
        return cls(grant.type_id, grant.value, grant.status, _datetime(grant.granted_at))


@dataclass(frozen=True)
class RequestOutcome:
    """Where a worker's request stands: "Granted" (auto-granted or scored, with ``value``), "Pending"
    (waiting for the owner's accept or reject) or "Started" (a test handed out, no answers yet)."""

    request_id: str
    type_id: str
    status: str
    value: int | None = None

    @classmethod
    def of(cls, request: QualificationRequest, market: Marketplace) -> RequestOutcome:
        value = None
        if request.status == "Granted":
            value = market.grants.granted(request.type_id, request.worker_id).value
        return cls(request.request_id, request.type_id, request.status, value)


def _answers_xml(answers: Answers, form: xml.QuestionForm | None) -> str:
    return answers if isinstance(answers, str) else xml.build_answers(answers, form)


class TestAttempt(JournalTarget, journal_tag="test"):
    """A qualification test handed to a worker; ``submit`` within TestDurationInSeconds."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, worker: WorkerBase, request: QualificationRequest, form: xml.QuestionForm | None) -> None:
        assert request.test is not None and request.deadline is not None
        self._worker = worker
        self._request = request
        self.request_id = request.request_id
        self.type_id = request.type_id
        self.test: str = request.test
        self.form = form
        self.started_at = _datetime(request.started_at)
        self.deadline = _datetime(request.deadline)

    def journal_world(self) -> World:
        return self._worker.journal_world()

    def journal_ref(self) -> dict[str, Any]:
        return {**self._worker.journal_ref(), "request": self.request_id}

    @classmethod
    def from_journal_ref(cls, world: World, ref: dict[str, Any]) -> TestAttempt:
        worker = WorkerBase(world, ref["worker"], ref["marketplace"])
        return cls(worker, world.marketplace(ref["marketplace"]).requests.by_id[ref["request"]], None)

    def submit(self, answers: Answers) -> RequestOutcome:
        return self._submit(_answers_xml(answers, self.form))  # the document, not the form, is journaled

    @journaled("test.submit")
    def _submit(self, answers_xml: str) -> RequestOutcome:
        with self._worker._session() as (market, now):
            workflow.submit_answers(market, self._request, answers_xml, now)
            return RequestOutcome.of(self._request, market)


class QualificationActions(WorkerBase):
    """What a worker does with qualifications on the worker site."""

    @journaled("worker.start_test")
    def start_test(self, type_id: str) -> TestAttempt:
        """Request a qualification that has a test and receive the test; answer it with ``submit``."""
        with self._session() as (market, now):
            qual = market.qualification_types.by_id.get(type_id)
            if qual is not None and qual.test is None:
                raise WorkerError(f"{qual.name} has no test; use request_qualification({type_id!r})")
            request = workflow.start_request(market, self.worker_id, type_id, now)
            return TestAttempt(self, request, qual.form if qual is not None else None)

    def current_test(self, type_id: str) -> TestAttempt | None:
        """The test of ``type_id`` this worker started and has not submitted, while its time lasts."""
        with self._session() as (market, _now):
            request = market.requests.latest_of(type_id, self.worker_id)
            if request is None or request.status != STARTED:
                return None
            qual = market.qualification_types.by_id.get(type_id)
            return TestAttempt(self, request, qual.form if qual is not None else None)

    @journaled("worker.request_qualification")
    def request_qualification(self, type_id: str, answers: Answers | None = None) -> RequestOutcome:
        """Request a qualification; for a type with a test, ``answers`` are submitted at once."""
        with self._session() as (market, now):
            qual = market.qualification_types.by_id.get(type_id)
            if qual is not None and qual.test is not None:
                if answers is None:
                    raise WorkerError(
                        f"{qual.name} has a test: pass answers=..., or use start_test() to take it in two steps"
                    )
                answers_xml = _answers_xml(answers, qual.form)  # a bad mapping must not leave a started test behind
                return self.start_test(type_id).submit(answers_xml)
            if answers is not None and qual is not None:
                raise WorkerError(f"{qual.name} has no test, so there is nothing to answer")
            request = workflow.start_request(market, self.worker_id, type_id, now)
            return RequestOutcome.of(request, market)

    @property
    def qualifications(self) -> list[HeldQualification]:
        """Every qualification this worker holds or held (revoked ones included)."""
        with self._session() as (market, _now):
            return [HeldQualification.of(grant) for grant in workflow.grants_of(market, self.worker_id)]

    def qualification(self, type_id: str) -> HeldQualification | None:
        with self._session() as (market, _now):
            grant = market.grants.get(type_id, self.worker_id)
            return HeldQualification.of(grant) if grant else None

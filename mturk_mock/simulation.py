"""Simulated workers: what workers do on the MTurk website, which no API call can express.

    worker = mturk.worker("A1B2C3D4E5F6G7")          # or mturk.worker() for a new realistic ID
    worker.request_qualification(type_id)             # no test: a pending request for the owner
    worker.request_qualification(type_id, answers={"sky": "blue", "primaries": ["r", "g"]})
    attempt = worker.start_test(type_id); mturk.clock.advance(minutes=5); attempt.submit({...})
    worker.qualifications                              # what this worker holds

Everything a real worker could not do raises ``WorkerError`` with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import qualification_test as qt
from .model.grants import Grant
from .model.marketplace import WORKER_ID, Marketplace, WorkerError
from .model.qualification_requests import QualificationRequest

if TYPE_CHECKING:
    from .mock import MTurkMock

Answers = str | Mapping[str, str | Iterable[str]]

__all__ = ["Answers", "HeldQualification", "RequestOutcome", "SimulatedWorker", "TestAttempt", "WorkerError"]


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
            value = market.roster(request.type_id).by_worker[request.worker_id].value
        return cls(request.request_id, request.type_id, request.status, value)


def _answers_xml(answers: Answers, form: qt.QuestionForm) -> str:
    return answers if isinstance(answers, str) else qt.build_answers(answers, form)


class TestAttempt:
    """A qualification test handed to a worker; ``submit`` within TestDurationInSeconds."""

    def __init__(self, worker: SimulatedWorker, request: QualificationRequest, form: qt.QuestionForm,
                 duration: int) -> None:
        self._worker = worker
        self._request = request
        self.request_id = request.request_id
        self.type_id = request.type_id
        self.test: str = request.test
        self.form = form
        self.started_at = _datetime(request.started_at)
        self.deadline = _datetime(request.started_at + duration)

    def submit(self, answers: Answers) -> RequestOutcome:
        mock = self._worker._mock
        with mock.world.lock:
            market = self._worker._market
            market.submit_answers(self._request, _answers_xml(answers, self.form), mock.world.clock.now())
            return RequestOutcome.of(self._request, market)


class SimulatedWorker:
    def __init__(self, mock: MTurkMock, worker_id: str, marketplace: str) -> None:
        self._mock = mock
        self.worker_id = worker_id
        self.marketplace = marketplace

    def __repr__(self) -> str:
        return f"<SimulatedWorker {self.worker_id} ({self.marketplace})>"

    @property
    def _market(self) -> Marketplace:
        return self._mock.world.marketplace(self.marketplace)

    def start_test(self, type_id: str) -> TestAttempt:
        """Request a qualification that has a test and receive the test; answer it with ``submit``."""
        world = self._mock.world
        with world.lock:
            market = self._market
            qual = market.qualification_types.by_id.get(type_id)
            if qual is not None and qual.test is None:
                raise WorkerError(f"{qual.name} has no test; use request_qualification({type_id!r})")
            request = market.start_request(self.worker_id, type_id, world.clock.now())
            return TestAttempt(self, request, qual.form, qual.test_duration)

    def request_qualification(self, type_id: str, answers: Answers | None = None) -> RequestOutcome:
        """Request a qualification; for a type with a test, ``answers`` are submitted at once."""
        world = self._mock.world
        with world.lock:
            qual = self._market.qualification_types.by_id.get(type_id)
            if qual is not None and qual.test is not None:
                if answers is None:
                    raise WorkerError(f"{qual.name} has a test: pass answers=..., or use start_test() to take it "
                                      "in two steps")
                xml = _answers_xml(answers, qual.form)  # a bad mapping must not leave a started test behind
                return self.start_test(type_id).submit(xml)
            if answers is not None and qual is not None:
                raise WorkerError(f"{qual.name} has no test, so there is nothing to answer")
            request = self._market.start_request(self.worker_id, type_id, world.clock.now())
            return RequestOutcome.of(request, self._market)

    @property
    def qualifications(self) -> list[HeldQualification]:
        """Every qualification this worker holds or held (revoked ones included)."""
        with self._mock.world.lock:
            return [HeldQualification.of(grant) for grant in self._market.grants_of(self.worker_id)]

    def qualification(self, type_id: str) -> HeldQualification | None:
        with self._mock.world.lock:
            roster = self._market.rosters.get(type_id)
            grant = roster.by_worker.get(self.worker_id) if roster else None
            return HeldQualification.of(grant) if grant else None


def make_worker(mock: MTurkMock, worker_id: str | None, marketplace: str | None) -> SimulatedWorker:
    market_name = marketplace or mock.default_marketplace
    world = mock.world
    with world.lock:
        market = world.marketplace(market_name)
        if worker_id is None:
            worker_id = world.ids.worker()
        elif not WORKER_ID(worker_id):
            raise ValueError(f"{worker_id!r} is not a worker ID: 'A' followed by upper-case letters and digits")
        market.workers.add(worker_id)
    return SimulatedWorker(mock, worker_id, market_name)

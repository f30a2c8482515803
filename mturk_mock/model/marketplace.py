"""One endpoint's marketplace: qualification types, workers' grants and qualification requests,
and the worker-side flow the API cannot express (spec 1.5-1.14)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import qualification_test as qt
from .errors import ParameterValidationError
from .grants import Grant, Roster
from .qualification_requests import (
    ACCEPTED,
    EXPIRED,
    GRANTED,
    REJECTED,
    STARTED,
    QualificationRequest,
    QualificationRequests,
)
from .qualification_types import ACTIVE, QualificationType, QualificationTypes

if TYPE_CHECKING:
    from .world import World

SANDBOX, PRODUCTION = "sandbox", "production"
SANDBOX_BALANCE = "10000.00"  # "This amount is always $10000.00" (spec 6.8)
DELETED_TYPE_REASON = "The QualificationType was deleted."
WORKER_ID = re.compile(r"A[A-Z0-9]{1,63}").fullmatch  # the model's CustomerId: ^A[A-Z0-9]+$, 1-64


class WorkerError(Exception):
    """Something a simulated worker tried that MTurk would not let a worker do."""


@dataclass(frozen=True)
class Notification:
    """A message MTurk would e-mail to a worker."""

    marketplace: str
    worker_id: str
    kind: str  # "granted", "revoked", "rejected"
    type_id: str
    subject: str
    text: str


class Marketplace:
    """The state of one endpoint (sandbox or production); nothing crosses between them."""

    def __init__(self, world: World, name: str) -> None:
        self.world = world
        self.name = name
        self.balances: dict[str, str] = {}
        self.qualification_types = QualificationTypes(name)
        self.rosters: dict[str, Roster] = {}
        self.requests = QualificationRequests()
        self.workers: set[str] = set()  # registered through the handle

    def balance(self, requester: str) -> str:
        if self.name == SANDBOX:
            return SANDBOX_BALANCE
        return self.balances.get(requester, self.world.production_balance)

    def _notify(self, worker_id: str, kind: str, qual: QualificationType, text: str) -> None:
        subject = f"Qualification {kind}: {qual.name}"
        self.world.notifications.append(Notification(self.name, worker_id, kind, qual.type_id, subject, text))

    # -- the requester's side (API operations) --------------------------------------------------
    def roster(self, type_id: str) -> Roster:
        roster = self.rosters.get(type_id)
        if roster is None:
            roster = self.rosters[type_id] = Roster()
        return roster

    def check_worker(self, worker_id: str) -> None:
        """[I] With known_workers="registered", unknown IDs get the error the service gives for
        workers of the other marketplace (spec 1.6)."""
        if self.world.known_workers == "registered" and worker_id not in self.workers:
            raise ParameterValidationError.invalid_value("WorkerId", worker_id)

    def associate(self, qual: QualificationType, worker_id: str, value: int, now: float, notify: bool) -> Grant:
        self.check_worker(worker_id)
        grant = self.roster(qual.type_id).grant(qual.type_id, worker_id, value, now)
        if notify:
            self._notify(worker_id, "granted", qual, f"You have been granted the qualification {qual.name}.")
        return grant

    def grant_many(self, qual: QualificationType, grants: Iterable[tuple[str, int]], now: float) -> int:
        """Seed grants without API calls and without notifications; as Associate would, one per pair."""
        roster = self.roster(qual.type_id)
        known = self.workers if self.world.known_workers == "registered" else None
        count = 0
        for worker_id, value in grants:
            if not WORKER_ID(worker_id) or (known is not None and worker_id not in known):
                raise ValueError(f"{worker_id!r} is not a known, well-formed worker ID")
            roster.grant(qual.type_id, worker_id, value, now)
            count += 1
        return count

    def disassociate(self, qual: QualificationType, worker_id: str, reason: str | None) -> Grant:
        self.check_worker(worker_id)
        grant = self.roster(qual.type_id).revoke(worker_id)
        if reason is not None:  # "If a reason is not provided, the worker will not be notified"
            self._notify(worker_id, "revoked", qual, reason)
        return grant

    def accept_request(self, request: QualificationRequest, value: int, now: float) -> Grant:
        """Grants (or overwrites) the worker's qualification. Pending requests always have a live type:
        deleting a type rejects them."""
        request.status = ACCEPTED
        return self.roster(request.type_id).grant(request.type_id, request.worker_id, value, now)

    def reject_request(self, request: QualificationRequest, reason: str | None) -> None:
        request.status, request.reason = REJECTED, reason
        qual = self.qualification_types.by_id.get(request.type_id)
        if qual is not None:
            self._notify(request.worker_id, "rejected", qual, reason or "Your qualification request was rejected.")

    def delete_qualification_type(self, qual: QualificationType, now: float) -> None:
        """Grants stay as they are; open requests for the type are rejected (spec 1.5)."""
        self.qualification_types.delete(qual, now, self.world.name_reservation)
        self.requests.close_all(qual.type_id, DELETED_TYPE_REASON)

    # -- the worker's side (simulation) ---------------------------------------------------------
    def _requestable(self, worker_id: str, type_id: str, now: float) -> QualificationType:
        qual = self.qualification_types.by_id.get(type_id)
        if qual is None:
            raise WorkerError(f"qualification type {type_id} does not exist in the {self.name} marketplace")
        if not qual.requestable:
            raise WorkerError(f"{qual.name} ({type_id}) is a system qualification; workers cannot request it")
        if qual.status != ACTIVE:
            raise WorkerError(f"{qual.name} ({type_id}) is Inactive; workers cannot request it")
        latest = self.requests.latest.get((type_id, worker_id))
        if latest is not None:
            if latest.is_open:
                raise WorkerError(f"worker {worker_id} already has an open request {latest.request_id} "
                                  f"for {qual.name}")
            if qual.retry_delay is None:
                raise WorkerError(f"{qual.name} does not allow retakes (no RetryDelayInSeconds): worker "
                                  f"{worker_id} already requested it")
            wait = latest.started_at + qual.retry_delay - now
            if wait > 0:
                raise WorkerError(f"worker {worker_id} must wait {wait:g} more seconds before requesting "
                                  f"{qual.name} again (RetryDelayInSeconds {qual.retry_delay})")
        return qual

    def start_request(self, worker_id: str, type_id: str, now: float) -> QualificationRequest:
        """A worker asks for a qualification (and, if it has a test, receives the test)."""
        qual = self._requestable(worker_id, type_id, now)
        request = QualificationRequest(self.world.ids.entity(), type_id, qual.owner, worker_id, now)
        self.requests.open(request)
        if qual.auto_granted:
            request.status = GRANTED
            self.roster(type_id).grant(type_id, worker_id, qual.auto_granted_value, now)
        elif qual.test is None:
            self.requests.make_pending(request, now)
        else:
            request.test = qual.test  # the form as it was when the worker took it
        return request

    def submit_answers(self, request: QualificationRequest, answers: str, now: float) -> QualificationRequest:
        """The worker submits test answers: scored at once with an answer key, else left to the owner."""
        if request.status != STARTED:
            raise WorkerError(f"request {request.request_id} is {request.status}; answers can only be submitted "
                              "once, after starting a test")
        qual = self.qualification_types.by_id.get(request.type_id)
        if qual is None:
            raise WorkerError(f"qualification type {request.type_id} was deleted")
        if now > request.started_at + qual.test_duration:
            request.status = EXPIRED
            raise WorkerError(f"the test for {qual.name} had to be submitted within {qual.test_duration} seconds "
                              f"of starting it; {now - request.started_at:g} seconds have passed")
        try:
            parsed = qt.parse_answers(answers)
        except qt.InvalidXML as error:
            raise WorkerError(f"the answers are not valid QuestionFormAnswers XML: {error.reason}") from None
        request.answer = answers
        if request.test == qual.test and qual.key is not None:
            request.status, request.submit_time = GRANTED, now
            self.roster(qual.type_id).grant(qual.type_id, request.worker_id, qt.score(qual.key, parsed), now)
        else:
            self.requests.make_pending(request, now)
        return request

    def grants_of(self, worker_id: str) -> list[Grant]:
        """A worker's qualifications, in the order their types were created."""
        found = []
        for qual in self.qualification_types.order:
            roster = self.rosters.get(qual.type_id)
            grant = roster.by_worker.get(worker_id) if roster else None
            if grant is not None:
                found.append(grant)
        return found

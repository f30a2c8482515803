"""Qualification requests: what a worker asks for and what the type's owner accepts or rejects
(spec Q§1.10-1.12 and 1.14), with their two deadlines: a started test's time limit and the retry delay."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from .. import errors
from ..index import SortedIndex
from ..schedule import Schedule

STARTED = "Started"  # the worker has the test and has not submitted answers yet
PENDING = "Pending"  # waiting for the owner: listed by ListQualificationRequests
GRANTED = "Granted"  # auto-granted, or scored by the answer key
ACCEPTED, REJECTED, EXPIRED = "Accepted", "Rejected", "Expired"
OPEN = (STARTED, PENDING)
TEST_DEADLINE = "qualification_request.test_deadline"
RETRY_ALLOWED = "qualification_request.retry_allowed"
# A test may be submitted until the end of its last second: the deadline falls one clock tick later.
TICK = 0.001


@dataclass(slots=True, eq=False)
class QualificationRequest:
    request_id: str
    type_id: str
    owner: str
    worker_id: str
    started_at: float
    status: str = STARTED
    submit_time: float = 0.0
    test: str | None = None
    answer: str | None = None
    reason: str | None = None
    deadline: float | None = None  # a started test must be submitted by then
    serial: int = field(default=0, repr=False)  # the key in the pending indexes
    cache: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.submit_time:
            self.submit_time = self.started_at

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


STORED_FIELDS = tuple(f.name for f in fields(QualificationRequest) if f.name not in ("serial", "cache"))


class QualificationRequests:
    """Every request of one marketplace. Pending requests are indexed by owner and by type in the order
    they became pending (ListQualificationRequests); ``cooldowns`` holds, per (type, worker), when the
    retry delay lets the worker ask again."""

    def __init__(self, schedule: Schedule) -> None:
        self.by_id: dict[str, QualificationRequest] = {}
        self.open_by_type: dict[str, dict[str, QualificationRequest]] = {}
        self.latest: dict[str, dict[str, QualificationRequest]] = {}  # type -> worker -> latest request
        self.pending_by_owner: dict[str, SortedIndex[QualificationRequest]] = {}
        self.pending_by_type: dict[str, SortedIndex[QualificationRequest]] = {}
        self.cooldowns: dict[tuple[str, str], float] = {}
        self._serial = 0
        self._schedule = schedule
        schedule.on(TEST_DEADLINE, self._expire_test)
        schedule.on(RETRY_ALLOWED, self._end_cooldown)

    def latest_of(self, type_id: str, worker_id: str) -> QualificationRequest | None:
        return self.latest.get(type_id, {}).get(worker_id)

    def open(self, request: QualificationRequest, retry_delay: int | None) -> None:
        self.by_id[request.request_id] = request
        self.open_by_type.setdefault(request.type_id, {})[request.request_id] = request
        self.latest.setdefault(request.type_id, {})[request.worker_id] = request
        self._start_cooldown(request, retry_delay, request.started_at)

    def start_test(self, request: QualificationRequest, test: str, duration: int) -> None:
        request.test = test  # the form as it was when the worker took it
        request.deadline = request.started_at + duration
        self._schedule.add(request.deadline + TICK, TEST_DEADLINE, request.request_id)

    def make_pending(self, request: QualificationRequest, now: float, serial: int | None = None) -> None:
        request.status, request.submit_time = PENDING, now
        self._serial = max(self._serial + 1, serial or 0)
        request.serial = serial or self._serial
        self.pending_by_owner.setdefault(request.owner, SortedIndex()).insert(request.serial, request)
        self.pending_by_type.setdefault(request.type_id, SortedIndex()).insert(request.serial, request)

    def close(self, request: QualificationRequest, status: str, reason: str | None = None) -> None:
        if request.status == PENDING:
            self.pending_by_owner[request.owner].remove(request.serial)
            self.pending_by_type[request.type_id].remove(request.serial)
        request.status, request.cache = status, None
        if reason is not None:
            request.reason = reason
        if status not in OPEN:
            self.open_by_type[request.type_id].pop(request.request_id, None)

    def pending_for(self, request_id: str, requester: str) -> QualificationRequest:
        """A request waiting for ``requester``. [I] Other requesters' requests do not exist for them."""
        request = self.by_id.get(request_id)
        if request is None or request.owner != requester or request.status == STARTED:
            raise errors.QUALIFICATION_REQUEST_NOT_FOUND(request_id=request_id)
        if request.status != PENDING:
            raise errors.QUALIFICATION_REQUEST_NOT_PENDING()
        return request

    def close_all(self, type_id: str, reason: str) -> list[QualificationRequest]:
        """Reject every open request for a type (the type was deleted)."""
        closed = list(self.open_by_type.get(type_id, {}).values())
        for request in closed:
            self.close(request, REJECTED, reason)
        return closed

    # -- time ---------------------------------------------------------------------------------
    def _expire_test(self, request_id: str, due: float) -> None:
        request = self.by_id[request_id]
        if request.status == STARTED and request.deadline is not None and request.deadline + TICK == due:
            self.close(request, EXPIRED)

    def _start_cooldown(self, request: QualificationRequest, retry_delay: int | None, now: float) -> None:
        key = (request.type_id, request.worker_id)
        until = None if retry_delay is None else request.started_at + retry_delay
        if until is None or until <= now:
            self.cooldowns.pop(key, None)
            return
        self.cooldowns[key] = until
        self._schedule.add(until, RETRY_ALLOWED, request.request_id)

    def _end_cooldown(self, request_id: str, due: float) -> None:
        request = self.by_id[request_id]
        key = (request.type_id, request.worker_id)
        if self.cooldowns.get(key) == due:
            del self.cooldowns[key]

    def retry_delay_changed(self, type_id: str, retry_delay: int | None, now: float) -> None:
        """A type's RetryDelayInSeconds changed: every worker's wait is measured with the new delay."""
        for request in self.latest.get(type_id, {}).values():
            self._start_cooldown(request, retry_delay, now)

    # -- snapshot -----------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        pending = sorted(
            (request for request in self.by_id.values() if request.status == PENDING),
            key=lambda request: request.serial,
        )
        return {
            "requests": [{name: getattr(request, name) for name in STORED_FIELDS} for request in self.by_id.values()],
            "pending": [[request.request_id, request.serial] for request in pending],  # with their listing keys
            "serial": self._serial,
        }

    def load_data(self, data: dict[str, Any], retry_delays: dict[str, int | None], now: float) -> None:
        # Older files list the pending requests' IDs only: their listing keys are numbered anew.
        listed = [entry if isinstance(entry, list) else [entry, None] for entry in data["pending"]]
        pending = {request_id for request_id, _serial in listed}
        for stored in data["requests"]:
            request = QualificationRequest(**stored)
            self.by_id[request.request_id] = request
            if request.is_open:
                self.open_by_type.setdefault(request.type_id, {})[request.request_id] = request
            self.latest.setdefault(request.type_id, {})[request.worker_id] = request
        for request_id, serial in listed:  # in the order they became pending
            request = self.by_id[request_id]
            request.status = STARTED
            self.make_pending(request, request.submit_time, serial)
        self._serial = max(self._serial, data.get("serial", 0))
        for request in self.by_id.values():
            if request.status == PENDING and request.request_id not in pending:
                raise ValueError(f"request {request.request_id} is Pending but not in the pending list")
        self.reschedule(retry_delays, now)

    def reschedule(self, retry_delays: dict[str, int | None], now: float) -> None:
        for request in self.by_id.values():
            if request.status == STARTED and request.deadline is not None:
                self._schedule.add(request.deadline + TICK, TEST_DEADLINE, request.request_id)
        for type_id, latest in self.latest.items():
            for request in latest.values():
                self._start_cooldown(request, retry_delays.get(type_id), now)

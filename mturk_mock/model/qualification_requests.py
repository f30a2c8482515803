"""Qualification requests: what a worker asks for and what the type's owner accepts or rejects
(spec 1.10-1.12 and 1.14)."""

from __future__ import annotations

from .errors import RequestError

STARTED = "Started"  # the worker has the test and has not submitted answers yet
PENDING = "Pending"  # waiting for the owner: listed by ListQualificationRequests
GRANTED = "Granted"  # auto-granted, or scored by the answer key
ACCEPTED, REJECTED, EXPIRED = "Accepted", "Rejected", "Expired"


class QualificationRequest:
    __slots__ = ("request_id", "type_id", "owner", "worker_id", "status", "started_at", "submit_time", "test",
                 "answer", "reason")

    def __init__(self, request_id: str, type_id: str, owner: str, worker_id: str, now: float) -> None:
        self.request_id = request_id
        self.type_id = type_id
        self.owner = owner
        self.worker_id = worker_id
        self.status = STARTED
        self.started_at = now
        self.submit_time = now
        self.test: str | None = None
        self.answer: str | None = None
        self.reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in (STARTED, PENDING)


class QualificationRequests:
    """Every request of one marketplace, with append-only pending lists for paging (a request is
    pending once at most, so an entry is current exactly while its request is still pending)."""

    def __init__(self) -> None:
        self.by_id: dict[str, QualificationRequest] = {}
        self.by_type: dict[str, list[QualificationRequest]] = {}
        self.pending_by_owner: dict[str, list[QualificationRequest]] = {}
        self.pending_by_type: dict[str, list[QualificationRequest]] = {}
        self.latest: dict[tuple[str, str], QualificationRequest] = {}  # (type, worker) -> latest request

    def open(self, request: QualificationRequest) -> None:
        self.by_id[request.request_id] = request
        self.by_type.setdefault(request.type_id, []).append(request)
        self.latest[(request.type_id, request.worker_id)] = request

    def make_pending(self, request: QualificationRequest, now: float) -> None:
        request.status, request.submit_time = PENDING, now
        self.pending_by_owner.setdefault(request.owner, []).append(request)
        self.pending_by_type.setdefault(request.type_id, []).append(request)

    def pending_for(self, request_id: str, requester: str) -> QualificationRequest:
        """A request waiting for ``requester``. [I] Other requesters' requests do not exist for them."""
        request = self.by_id.get(request_id)
        if request is None or request.owner != requester or request.status == STARTED:
            raise RequestError(f"QualificationRequest {request_id} does not exist.",
                               "QualificationRequestDoesNotExist")
        if request.status != PENDING:
            raise RequestError("This operation can be called with a status of: Pending",
                               "InvalidQualificationRequestState")
        return request

    def close_all(self, type_id: str, reason: str) -> list[QualificationRequest]:
        """Reject every open request for a type (the type was deleted)."""
        closed = [request for request in self.by_type.get(type_id, ()) if request.is_open]
        for request in closed:
            request.status, request.reason = REJECTED, reason
        return closed

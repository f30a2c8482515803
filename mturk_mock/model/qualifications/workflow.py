"""The qualification rules that span stores: granting and revoking with notifications, handling
requests, deleting a type, and the worker's side of requesting and taking tests (spec Q§1.5-1.14).

Each function works on one marketplace under the world's lock, after ``settle``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .. import xml
from ..workers import WORKER_ID, Notification, WorkerError
from .grants import Grant
from .requests import EXPIRED, GRANTED, STARTED, QualificationRequest
from .types import ACTIVE, QualificationType

if TYPE_CHECKING:
    from ..marketplace import Marketplace

DELETED_TYPE_REASON = "The QualificationType was deleted."


def _notify(market: Marketplace, worker_id: str, kind: str, qual: QualificationType, text: str) -> None:
    subject = f"Qualification {kind}: {qual.name}"
    market.notifications.append(Notification(market.name, worker_id, kind, qual.type_id, subject, text))


# -- the requester's side (API operations) ---------------------------------------------------------


def associate(
    market: Marketplace, qual: QualificationType, worker_id: str, value: int, now: float, notify: bool
) -> Grant:
    market.workers.check(worker_id)
    grant = market.grants.grant(qual.type_id, worker_id, value, now)
    if notify:
        _notify(market, worker_id, "granted", qual, f"You have been granted the qualification {qual.name}.")
    return grant


def grant_many(market: Marketplace, qual: QualificationType, grants: Iterable[tuple[str, int]], now: float) -> int:
    """Seed grants without API calls and without notifications; as Associate would, one per pair."""
    workers, store, type_id = market.workers, market.grants, qual.type_id
    count = 0
    for worker_id, value in grants:
        if not workers.is_known(worker_id):
            raise ValueError(f"{worker_id!r} is not a known, well-formed worker ID")
        store.grant(type_id, worker_id, value, now)
        count += 1
    return count


def disassociate(market: Marketplace, qual: QualificationType, worker_id: str, reason: str | None) -> Grant:
    market.workers.check(worker_id)
    grant = market.grants.revoke(qual.type_id, worker_id)
    if reason is not None:  # "If a reason is not provided, the worker will not be notified"
        _notify(market, worker_id, "revoked", qual, reason)
    return grant


def accept_request(market: Marketplace, request: QualificationRequest, value: int, now: float) -> Grant:
    """Grants (or overwrites) the worker's qualification. Pending requests always have a live type:
    deleting a type rejects them."""
    market.requests.close(request, "Accepted")
    return market.grants.grant(request.type_id, request.worker_id, value, now)


def reject_request(market: Marketplace, request: QualificationRequest, reason: str | None) -> None:
    market.requests.close(request, "Rejected", reason)
    qual = market.qualification_types.by_id.get(request.type_id)
    if qual is not None:
        _notify(market, request.worker_id, "rejected", qual, reason or "Your qualification request was rejected.")


def delete_type(market: Marketplace, qual: QualificationType, now: float) -> None:
    """Grants stay as they are; open requests for the type are rejected; HIT types that require it are
    disposed, their HITs unaffected (spec Q§1.5, H§1.1)."""
    market.qualification_types.delete(qual, now, market.settings.name_reservation)
    market.requests.close_all(qual.type_id, DELETED_TYPE_REASON)
    market.hit_types.dispose_naming(qual.type_id)


def update_type(market: Marketplace, qual: QualificationType, now: float, **changes: object) -> None:
    before = qual.retry_delay
    market.qualification_types.update(qual, **changes)  # type: ignore[arg-type]
    if qual.retry_delay != before:
        market.requests.retry_delay_changed(qual.type_id, qual.retry_delay, now)


# -- the worker's side (simulation) ------------------------------------------------------------


def _requestable(market: Marketplace, worker_id: str, type_id: str, now: float) -> QualificationType:
    qual = market.qualification_types.by_id.get(type_id)
    if qual is None:
        raise WorkerError(f"qualification type {type_id} does not exist in the {market.name} marketplace")
    if not qual.requestable:
        raise WorkerError(f"{qual.name} ({type_id}) is a system qualification; workers cannot request it")
    if qual.status != ACTIVE:
        raise WorkerError(f"{qual.name} ({type_id}) is Inactive; workers cannot request it")
    latest = market.requests.latest_of(type_id, worker_id)
    if latest is not None:
        if latest.is_open:
            raise WorkerError(f"worker {worker_id} already has an open request {latest.request_id} for {qual.name}")
        if qual.retry_delay is None:
            raise WorkerError(
                f"{qual.name} does not allow retakes (no RetryDelayInSeconds): worker {worker_id} already requested it"
            )
        until = market.requests.cooldowns.get((type_id, worker_id))
        if until is not None:
            raise WorkerError(
                f"worker {worker_id} must wait {until - now:g} more seconds before requesting "
                f"{qual.name} again (RetryDelayInSeconds {qual.retry_delay})"
            )
    return qual


def start_request(market: Marketplace, worker_id: str, type_id: str, now: float) -> QualificationRequest:
    """A worker asks for a qualification (and, if it has a test, receives the test)."""
    if not WORKER_ID(worker_id):
        raise WorkerError(f"{worker_id!r} is not a worker ID")
    qual = _requestable(market, worker_id, type_id, now)
    request = QualificationRequest(market.ids.entity(), type_id, qual.owner, worker_id, now)
    market.requests.open(request, qual.retry_delay)
    if qual.auto_granted:
        market.requests.close(request, GRANTED)
        market.grants.grant(type_id, worker_id, qual.auto_granted_value, now)
    elif qual.test is None:
        market.requests.make_pending(request, now)
    else:
        assert qual.test_duration is not None
        market.requests.start_test(request, qual.test, qual.test_duration)
    return request


def submit_answers(
    market: Marketplace, request: QualificationRequest, answers: str, now: float
) -> QualificationRequest:
    """The worker submits test answers: scored at once with an answer key, else left to the owner."""
    qual = market.qualification_types.by_id.get(request.type_id)
    if request.status == EXPIRED and qual is not None:
        raise WorkerError(
            f"the test for {qual.name} had to be submitted within {qual.test_duration} seconds "
            f"of starting it; {now - request.started_at:g} seconds have passed"
        )
    if request.status != STARTED:
        raise WorkerError(
            f"request {request.request_id} is {request.status}; answers can only be submitted "
            "once, after starting a test"
        )
    if qual is None:
        raise WorkerError(f"qualification type {request.type_id} was deleted")
    try:
        parsed = xml.parse_answers(answers)
    except xml.InvalidXML as error:
        raise WorkerError(f"the answers are not valid QuestionFormAnswers XML: {error.reason}") from None
    request.answer = answers
    if request.test == qual.test and qual.key is not None:
        request.submit_time = now
        market.requests.close(request, GRANTED)
        market.grants.grant(qual.type_id, request.worker_id, xml.score(qual.key, parsed), now)
    else:
        market.requests.make_pending(request, now)
    return request


def grants_of(market: Marketplace, worker_id: str) -> list[Grant]:
    """A worker's qualifications, in the order their types were created."""
    found = []
    for qual in market.qualification_types.in_creation_order():
        grant = market.grants.get(qual.type_id, worker_id)
        if grant is not None:
            found.append(grant)
    return found

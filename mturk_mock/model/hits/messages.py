"""NotifyWorkers: a requester's e-mail to workers (spec H§8.22).

A message reaches a worker only if the requester has approved or rejected work of that worker in this
marketplace; every other worker (unknown ones too) gets a failure status instead of an error. Delivered
messages go to the world's list of notifications, beside the qualification e-mails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import errors
from ..workers import Notification

if TYPE_CHECKING:
    from ..marketplace import Marketplace

SUBJECT_LIMIT, TEXT_LIMIT, WORKERS_LIMIT = 200, 4096, 100
MESSAGE = "message"


def notify(market: Marketplace, requester: str, subject: str, text: str, worker_ids: list[str]) -> list[str]:
    """Send the message; the IDs it could not reach, each once, in the order given. The service's
    validation has refused malformed IDs (E-PVE on WorkerIds for the whole call [I])."""
    if len(subject) > SUBJECT_LIMIT:
        raise errors.invalid_value(
            "Subject", subject, f"Subject is {len(subject)} characters; the limit is {SUBJECT_LIMIT}"
        )
    if len(text) > TEXT_LIMIT:
        raise errors.invalid_value(
            "MessageText", text, f"MessageText is {len(text)} characters; the limit is {TEXT_LIMIT}"
        )
    if not 1 <= len(worker_ids) <= WORKERS_LIMIT:
        detail = f"WorkerIds has {len(worker_ids)} IDs; 1 to {WORKERS_LIMIT} are allowed"
        raise errors.invalid_value("WorkerIds", "[" + ", ".join(worker_ids) + "]", detail)  # as Java prints a list
    failed = []
    for worker_id in dict.fromkeys(worker_ids):  # duplicates are notified once [I]
        if market.assignments.has_decided(requester, worker_id):
            market.notifications.append(Notification(market.name, worker_id, MESSAGE, "", subject, text))
        else:
            failed.append(worker_id)
    return failed

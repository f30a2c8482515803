"""Workers' qualifications (grants) per qualification type (spec 1.6-1.9).

A type's roster keeps, per status, an append-only list in the order grants entered that status. A
grant that changes status is appended to the other list and its old entry goes stale (its
``position`` no longer points there), so a list position is a stable pagination cursor and no list
ever needs an O(n) removal.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import RequestError

GRANTED, REVOKED = "Granted", "Revoked"

NO_SUCH_QUALIFICATION = "You requested a Qualification that does not exist."
NOT_GRANTED = "This operation can be called with a status of: Granted"


class Grant:
    __slots__ = ("type_id", "worker_id", "value", "granted_at", "status", "position")

    def __init__(self, type_id: str, worker_id: str, value: int, granted_at: float) -> None:
        self.type_id = type_id
        self.worker_id = worker_id
        self.value = value
        self.granted_at = granted_at
        self.status = GRANTED
        self.position = -1


def no_such_qualification() -> RequestError:
    return RequestError(NO_SUCH_QUALIFICATION, "QualificationDoesNotExist")


class Roster:
    """Every grant of one qualification type."""

    __slots__ = ("by_worker", "lists")

    def __init__(self) -> None:
        self.by_worker: dict[str, Grant] = {}
        self.lists: dict[str, list[Grant]] = {GRANTED: [], REVOKED: []}

    def _enter(self, grant: Grant, status: str) -> None:
        entries = self.lists[status]
        grant.status = status
        grant.position = len(entries)
        entries.append(grant)

    def grant(self, type_id: str, worker_id: str, value: int, now: float) -> Grant:
        """Grant, re-grant after a revoke, or overwrite the value of a current grant."""
        current = self.by_worker.get(worker_id)
        if current is None:
            current = self.by_worker[worker_id] = Grant(type_id, worker_id, value, now)
            self._enter(current, GRANTED)
            return current
        current.value, current.granted_at = value, now
        if current.status != GRANTED:
            self._enter(current, GRANTED)
        return current

    def revoke(self, worker_id: str) -> Grant:
        current = self.granted(worker_id)
        self._enter(current, REVOKED)
        return current

    def granted(self, worker_id: str) -> Grant:
        """The worker's current grant (GetQualificationScore); the errors the service gives otherwise."""
        current = self.by_worker.get(worker_id)
        if current is None:
            raise no_such_qualification()
        if current.status != GRANTED:
            raise RequestError(NOT_GRANTED, "InvalidQualificationState")
        return current

    def listing(self, status: str) -> tuple[list[Grant], Callable[[Grant, int], bool]]:
        """The entries of one status and the test that the entry at a position is still current."""
        return self.lists[status], lambda grant, position: grant.status == status and grant.position == position

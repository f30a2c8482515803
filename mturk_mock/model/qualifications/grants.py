"""Workers' qualifications (grants), per qualification type (spec Q§1.6-1.9).

A type's roster indexes its grants by worker and, per status, in the order they entered that status
(the order ListWorkersWithQualificationType pages in). A grant that changes status leaves one index
and is appended to the other under a new serial number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import errors
from ..index import SortedIndex

GRANTED, REVOKED = "Granted", "Revoked"


class Grant:
    __slots__ = ("type_id", "worker_id", "value", "granted_at", "status", "serial", "cache")

    def __init__(self, type_id: str, worker_id: str, value: int, granted_at: float) -> None:
        self.type_id = type_id
        self.worker_id = worker_id
        self.value = value
        self.granted_at = granted_at
        self.status = GRANTED
        self.serial = 0  # the key in its status's index
        self.cache: Any = None  # the service layer's rendering; cleared on every change


class Roster:
    """Every grant of one qualification type."""

    __slots__ = ("by_worker", "by_status")

    def __init__(self) -> None:
        self.by_worker: dict[str, Grant] = {}
        self.by_status: dict[str, SortedIndex[Grant]] = {GRANTED: SortedIndex(), REVOKED: SortedIndex()}


class Grants:
    """The grants of one marketplace."""

    def __init__(self) -> None:
        self.rosters: dict[str, Roster] = {}
        self._serial = 0

    def roster(self, type_id: str) -> Roster:
        roster = self.rosters.get(type_id)
        if roster is None:
            roster = self.rosters[type_id] = Roster()
        return roster

    def _enter(self, roster: Roster, grant: Grant, status: str, serial: int | None = None) -> None:
        if grant.serial:
            roster.by_status[grant.status].remove(grant.serial)
        self._serial = max(self._serial + 1, serial or 0)
        grant.status, grant.serial, grant.cache = status, serial or self._serial, None
        roster.by_status[status].insert(grant.serial, grant)

    def grant(self, type_id: str, worker_id: str, value: int, now: float) -> Grant:
        """Grant, re-grant after a revoke, or overwrite the value of a current grant."""
        roster = self.roster(type_id)
        current = roster.by_worker.get(worker_id)
        if current is None:
            current = roster.by_worker[worker_id] = Grant(type_id, worker_id, value, now)
            self._enter(roster, current, GRANTED)
            return current
        current.value, current.granted_at, current.cache = value, now, None
        if current.status != GRANTED:
            self._enter(roster, current, GRANTED)
        return current

    def revoke(self, type_id: str, worker_id: str) -> Grant:
        current = self.granted(type_id, worker_id)
        self._enter(self.rosters[type_id], current, REVOKED)
        return current

    def get(self, type_id: str, worker_id: str) -> Grant | None:
        """The worker's grant of the type, current or revoked."""
        roster = self.rosters.get(type_id)
        return roster.by_worker.get(worker_id) if roster is not None else None

    def granted(self, type_id: str, worker_id: str) -> Grant:
        """The worker's current grant (GetQualificationScore); the errors the service gives otherwise."""
        current = self.get(type_id, worker_id)
        if current is None:
            raise errors.QUALIFICATION_NOT_FOUND()
        if current.status != GRANTED:
            raise errors.QUALIFICATION_NOT_GRANTED()
        return current

    def listing(self, type_id: str, status: str) -> SortedIndex[Grant]:
        return self.roster(type_id).by_status[status]

    # -- snapshot -----------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        """Per type and status, [worker, value, granted_at, serial] in the order the grants entered the status.
        The serial is the listing key that pagination tokens name (absent in older files: numbered anew)."""
        return {
            type_id: {
                status: [[grant.worker_id, grant.value, grant.granted_at, grant.serial] for grant in index.values()]
                for status, index in roster.by_status.items()
            }
            for type_id, roster in self.rosters.items()
        }

    def load_data(self, data: dict[str, Any]) -> None:
        for type_id, statuses in data.items():
            roster = self.roster(type_id)
            for status in (GRANTED, REVOKED):
                entries: Iterable[list[Any]] = statuses.get(status, ())
                for worker_id, value, granted_at, *serial in entries:
                    grant = roster.by_worker[worker_id] = Grant(type_id, worker_id, value, granted_at)
                    self._enter(roster, grant, status, serial[0] if serial else None)

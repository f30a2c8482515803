"""Workers as the marketplace knows them: who is registered through the handle, each worker's profile
(locale, adult, Masters), past work and work done here, the system qualifications that follow from them
(spec H§4.4), and the errors a worker's own actions (which no API call expresses) can meet."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from . import errors

WORKER_ID = re.compile(r"A[A-Z0-9]{1,63}").fullmatch  # the model's CustomerId: ^A[A-Z0-9]+$, 1-64
NUMBER_APPROVED, LOCALE, ADULT, PERCENT_APPROVED = (
    "00000000000000000040",
    "00000000000000000071",
    "00000000000000000060",
    "000000000000000000L0",
)
NEWCOMER_SUBMISSIONS = 100  # below this many submitted assignments the approval rate reads 100 (spec Q§3.4)


class WorkerError(Exception):
    """Something a simulated worker tried that MTurk would not let a worker do."""


class WorkerActionRefused(WorkerError):
    """A refused worker action on a HIT; ``reason`` says why in the words of the worker site (spec H§4.6)."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code  # a legacy machine-readable reason where there is one (DoesNotMeetRequirements...)


@dataclass(frozen=True)
class Notification:
    """A message MTurk would e-mail to a worker."""

    marketplace: str
    worker_id: str
    kind: str  # "granted", "revoked", "rejected", "message"
    type_id: str  # the qualification type, or "" for a requester's message
    subject: str
    text: str


@dataclass(slots=True)
class Profile:
    """A worker's profile and record in one marketplace: past work (``history``) plus work done here."""

    country: str = "US"
    subdivision: str | None = None
    adult: bool = False
    masters: bool = False
    past_approved: int = 0
    past_rejected: int = 0
    past_returned: int = 0
    past_abandoned: int = 0
    approved: int = 0
    rejected: int = 0
    submitted: int = 0
    returned: int = 0
    abandoned: int = 0

    def system_value(self, type_id: str, masters_id: str) -> tuple[int | None, tuple[str, str | None] | None]:
        """(IntegerValue, locale) the worker holds of a system type; (None, None) when not held."""
        if type_id == LOCALE:
            return None, (self.country, self.subdivision)
        if type_id == ADULT:
            return int(self.adult), None
        if type_id == NUMBER_APPROVED:
            return self.past_approved + self.approved, None
        if type_id == PERCENT_APPROVED:
            approved, rejected = self.past_approved + self.approved, self.past_rejected + self.rejected
            if (
                self.past_approved + self.past_rejected + self.submitted < NEWCOMER_SUBMISSIONS
                or not approved + rejected
            ):
                return 100, None
            return approved * 100 // (approved + rejected), None
        if type_id == masters_id:
            return (1, None) if self.masters else (None, None)
        return None, None


class Workers:
    """The workers of one marketplace: those registered through the handle (``mturk.worker()``) and the
    profile of every worker who did anything here."""

    def __init__(self, known_workers: str) -> None:
        self.registered: set[str] = set()
        self.only_registered = known_workers == "registered"
        self.profiles: dict[str, Profile] = {}

    def register(self, worker_id: str) -> None:
        if not WORKER_ID(worker_id):
            raise ValueError(f"{worker_id!r} is not a worker ID: 'A' followed by upper-case letters and digits")
        self.registered.add(worker_id)

    def check(self, worker_id: str) -> None:
        """[I] With known_workers="registered", unknown IDs get the error the service gives for workers of
        the other marketplace (spec Q§1.6)."""
        if self.only_registered and worker_id not in self.registered:
            detail = f"{worker_id} is not a registered worker (known_workers='registered'; make it with mturk.worker())"
            raise errors.invalid_value("WorkerId", worker_id, detail)

    def is_known(self, worker_id: str) -> bool:
        return bool(WORKER_ID(worker_id)) and (not self.only_registered or worker_id in self.registered)

    def profile(self, worker_id: str) -> Profile:
        profile = self.profiles.get(worker_id)
        if profile is None:
            profile = self.profiles[worker_id] = Profile()
        return profile

    def to_data(self) -> dict[str, Any]:
        return {
            "registered": sorted(self.registered),
            "profiles": {worker: asdict(profile) for worker, profile in self.profiles.items()},
        }

    def load_data(self, data: dict[str, Any] | list[str]) -> None:
        if isinstance(data, list):  # before profiles, the registered IDs only
            data = {"registered": data, "profiles": {}}
        self.registered.update(data["registered"])
        self.profiles.update({worker: Profile(**fields) for worker, fields in data["profiles"].items()})

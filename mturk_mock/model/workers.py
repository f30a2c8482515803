"""Workers as the marketplace knows them: who is registered through the handle, and the errors a
worker's own actions (which no API call expresses) can meet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import errors

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


class Workers:
    """The workers of one marketplace registered through the handle (``mturk.worker()``)."""

    def __init__(self, known_workers: str) -> None:
        self.registered: set[str] = set()
        self.only_registered = known_workers == "registered"

    def register(self, worker_id: str) -> None:
        if not WORKER_ID(worker_id):
            raise ValueError(f"{worker_id!r} is not a worker ID: 'A' followed by upper-case letters and digits")
        self.registered.add(worker_id)

    def check(self, worker_id: str) -> None:
        """[I] With known_workers="registered", unknown IDs get the error the service gives for workers of
        the other marketplace (spec Q§1.6)."""
        if self.only_registered and worker_id not in self.registered:
            raise errors.invalid_value("WorkerId", worker_id)

    def is_known(self, worker_id: str) -> bool:
        return bool(WORKER_ID(worker_id)) and (not self.only_registered or worker_id in self.registered)

    def to_data(self) -> list[Any]:
        return sorted(self.registered)

    def load_data(self, data: list[Any]) -> None:
        self.registered.update(data)

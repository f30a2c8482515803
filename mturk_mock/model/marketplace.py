"""One endpoint's marketplace: the stores of its aggregates and the one step that applies time.

Nothing crosses between the sandbox and production. The marketplace holds no rules of its own: each
store keeps its aggregate's invariants and indexes, and rules that span stores live in domain modules
(``qualifications/workflow.py``). ``settle(now)`` runs before anything reads state.
"""

from __future__ import annotations

from typing import Any

from ..constants import SANDBOX
from .ids import IdFactory
from .money import Ledger
from .qualifications.grants import Grants
from .qualifications.requests import QualificationRequests
from .qualifications.types import QualificationTypes
from .schedule import Schedule
from .search_lag import SearchLag
from .settings import Settings
from .workers import Notification, Workers


class Marketplace:
    def __init__(self, name: str, settings: Settings, ids: IdFactory, notifications: list[Notification]) -> None:
        self.name = name
        self.settings = settings
        self.ids = ids
        self.notifications = notifications  # the world's outbox of messages to workers
        self.schedule = Schedule()
        self.search_lag = SearchLag(settings.search_lag)  # what searches do not show yet (opt-in)
        self.ledger = Ledger(settings.production_balance, fixed=name == SANDBOX)
        self.workers = Workers(settings.known_workers)
        self.qualification_types = QualificationTypes(name, self.schedule)
        self.grants = Grants()
        self.requests = QualificationRequests(self.schedule)

    def rebind(self, settings: Settings, ids: IdFactory, notifications: list[Notification]) -> None:
        """Move this marketplace into another World (``World.adopt``)."""
        self.settings, self.ids, self.notifications = settings, ids, notifications
        self.search_lag.lag = settings.search_lag

    def settle(self, now: float) -> None:
        """Apply every time-driven transition due by ``now`` (retry delays, test time limits, ...)."""
        if self.schedule.next_due() <= now:
            self.schedule.settle(now)

    @property
    def balances(self) -> Ledger:
        """``market.balances[requester] = "12.34"`` sets a production balance."""
        return self.ledger

    # -- snapshot -----------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger.to_data(),
            "workers": self.workers.to_data(),
            "qualification_types": self.qualification_types.to_data(),
            "grants": self.grants.to_data(),
            "qualification_requests": self.requests.to_data(),
        }

    def load_data(self, data: dict[str, Any], now: float) -> None:
        self.ledger.load_data(data["ledger"])
        self.workers.load_data(data["workers"])
        types = self.qualification_types
        types.load_data(data["qualification_types"])
        self.grants.load_data(data["grants"])
        delays = {type_id: qual.retry_delay for type_id, qual in types.by_id.items()}
        self.requests.load_data(data["qualification_requests"], delays, now)
        types.reschedule()

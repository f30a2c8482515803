"""One endpoint's marketplace: the stores of its aggregates and the one step that applies time.

Nothing crosses between the sandbox and production. The marketplace holds no rules of its own: each
store keeps its aggregate's invariants and indexes, and rules that span stores live in domain modules
(``qualifications/workflow.py``). ``settle(now)`` runs before anything reads state.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..constants import SANDBOX
from .events import Event, Events
from .hits import decisions, reviewing, work
from .hits.assignments import Assignments
from .hits.batches import Batches
from .hits.blocks import Blocks
from .hits.bonuses import Bonuses
from .hits.hit_types import HITTypes
from .hits.hits import HIT, HITs
from .hits.reviews import Reviews
from .hits.tokens import Tokens
from .ids import IdFactory
from .money import Ledger
from .outbox import Outbox
from .qualifications.grants import Grants
from .qualifications.requests import QualificationRequests
from .qualifications.types import QualificationTypes
from .schedule import Schedule
from .search_lag import SearchLag
from .settings import Settings
from .workers import Notification, Workers


class Marketplace:
    def __init__(
        self,
        name: str,
        settings: Settings,
        ids: IdFactory,
        notifications: list[Notification],
        outbox: Outbox | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.ids = ids
        self.notifications = notifications  # the world's outbox of messages to workers
        self.outbox = outbox or Outbox(lambda: b"")  # the world's event notifications (spec H§6)
        self.schedule = Schedule()
        self.search_lag = SearchLag(settings.search_lag)  # what searches do not show yet (opt-in)
        self.ledger = Ledger(settings.production_balance, fixed=name == SANDBOX)
        self.workers = Workers(settings.known_workers)
        self.qualification_types = QualificationTypes(name, self.schedule)
        self.grants = Grants()
        self.requests = QualificationRequests(self.schedule)
        self.events = Events()
        self.hit_types = HITTypes()
        self.hits = HITs(self.schedule, self.events_for, self._hold_for)
        self.tokens = Tokens(self.schedule)
        self.layouts: dict[str, str] = {}  # HITLayoutId -> template; registered through the handle
        self.assignments = Assignments(self.schedule)
        self.blocks = Blocks()
        self.batches = Batches()  # the Requester website's batches (CSV uploads)
        self.reviews = Reviews(self.schedule)  # review policies' results, actions and planned runs
        self.bonuses = Bonuses()
        work.on_deadline(self)
        decisions.on_auto_approval(self)
        reviewing.on_review(self)

    def events_for(
        self, hit: HIT, event_type: str, at: float, assignment_id: str | None = None, worker_id: str | None = None
    ) -> None:
        """Record an event about ``hit`` (and one of its assignments) that happened at ``at``."""
        hit_type = hit.hit_type
        event = Event(
            event_type, at, hit.owner, hit_type.type_id, hit_type.group_id, hit.hit_id, assignment_id, worker_id
        )
        self.events.emit(event)
        spec = hit_type.notification
        if hit_type.notification_active and spec is not None and event_type in spec.event_types:
            self.outbox.post(self.name, event, spec)  # the specification as it is at the event (spec H§6.2)
        if hit.assignment_policy is not None or hit.hit_policy is not None:  # policies run on some events
            self.reviews.notice(hit, event_type, at, assignment_id)

    def _hold_for(self, hit: HIT, delta: Decimal) -> None:
        """What a HIT's change means for its owner's money: hold more, or release (spec H§5.3). Callers
        that can be refused for funds take the money first, so this never refuses."""
        if delta > 0:
            self.ledger.hold(hit.owner, delta, check=False)
        else:
            self.ledger.release(hit.owner, -delta)

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
            "hit_types": self.hit_types.to_data(),
            "hits": self.hits.to_data(),
            "tokens": self.tokens.to_data(),
            "layouts": dict(self.layouts),
            "assignments": self.assignments.to_data(),
            "blocks": self.blocks.to_data(),
            "batches": self.batches.to_data(),
            "reviews": self.reviews.to_data(),
            "bonuses": self.bonuses.to_data(),
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
        # Stores added in later versions are empty in older files.
        self.hit_types.load_data(data.get("hit_types", []))
        self.hits.load_data(data.get("hits", []), self.hit_types.by_id)
        self.hits.reschedule()
        self.tokens.load_data(data.get("tokens", []))
        self.tokens.reschedule()
        self.layouts.update(data.get("layouts", {}))
        self.assignments.load_data(data.get("assignments", {}), self.hits.by_id)
        self.assignments.reschedule()
        self.blocks.load_data(data.get("blocks", []))
        self.batches.load_data(data.get("batches", []))
        self.reviews.load_data(data.get("reviews", {}), self.hits.by_id.values())
        self.reviews.reschedule()
        self.bonuses.load_data(data.get("bonuses", []))

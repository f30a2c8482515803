"""The whole simulated MTurk: one independent marketplace per endpoint, one clock, one lock."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from ..constants import MARKETPLACES, check_marketplace
from .clock import Clock
from .ids import IdFactory
from .journal import SETTLE, JournalTarget, Recorder, journaled
from .marketplace import Marketplace
from .outbox import Outbox
from .settings import Settings
from .workers import Notification


class _Marketplaces(dict[str, Marketplace]):
    """Each marketplace is built on first use: most tests touch one, and activation stays cheap."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self._world = world

    def __missing__(self, name: str) -> Marketplace:
        if name not in MARKETPLACES:
            raise KeyError(name)
        world = self._world
        market = self[name] = Marketplace(name, world.settings, world.ids, world.notifications, world.outbox)
        return market


class World(JournalTarget, journal_tag="world"):
    """Everything a mock activation owns. Operations run under ``lock``; the model does no I/O."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        seed: int | None = None,
        production_balance: str | Decimal | int = "10000.00",
        name_reservation: float = 0.0,
        known_workers: str = "any",
        search_lag: float = 0.0,
    ) -> None:
        self.settings = Settings.of(
            seed=seed,
            production_balance=production_balance,
            name_reservation=name_reservation,
            known_workers=known_workers,
            search_lag=search_lag,
        )
        self._made_with = self.settings  # what clear() goes back to after set_search_lag
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.ids = IdFactory(seed)
        self.notifications: list[Notification] = []
        self.outbox = Outbox(lambda: self.secret)  # event notifications (spec H§6), sent after the lock
        self.marketplaces = _Marketplaces(self)
        self._secret: bytes | None = None
        self.serial = 0  # counts the pagination tokens handed out, so that each is new
        self.journal: Recorder | None = None  # a durable server's journal (model/journal.py)
        self.clock.on_move(self.settle_all)

    def journal_world(self) -> World:
        return self

    @classmethod
    def from_journal_ref(cls, world: World, ref: dict[str, object]) -> World:
        return world

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    @property
    def secret(self) -> bytes:
        """Signs pagination tokens, so a forged or foreign token is refused; saved with the state."""
        if self._secret is None:
            self._secret = self.ids.secret()
        return self._secret

    @secret.setter
    def secret(self, value: bytes) -> None:
        self._secret = value

    def clear(self) -> None:
        """Empty every marketplace, put the clock back on real time (the same Clock object) and the settings
        back to those the World was made with."""
        with self.lock:
            self.settings = self._made_with
            self.clock.reset()
            self.ids.reset()
            self._secret = None
            self.serial = 0
            self.marketplaces = _Marketplaces(self)
            self.notifications.clear()
            self.outbox.clear()

    def adopt(self, other: World) -> None:
        """Take over ``other``'s whole state (a loaded state file) while keeping this World's identity, its
        lock and its Clock object, so that references to them stay valid."""
        with self.lock:
            self.settings = other.settings
            self.clock.restore(other.clock.state())
            self.ids = other.ids
            self._secret = other.secret
            self.serial = other.serial
            self.notifications[:] = other.notifications
            self.outbox.adopt(other.outbox)
            self.marketplaces = _Marketplaces(self)
            for name, market in other.marketplaces.items():
                market.rebind(self.settings, self.ids, self.notifications)
                market.outbox = self.outbox
                self.marketplaces[name] = market

    @journaled("world.set_search_lag")
    def set_search_lag(self, seconds: float) -> None:
        """Change how long searches lag behind changes (0: no lag), validated as at construction."""
        settings = dataclasses.replace(self.settings, search_lag=Settings.of(search_lag=seconds).search_lag)
        with self.lock:
            self.settings = settings
            for market in self.marketplaces.values():
                market.rebind(settings, self.ids, self.notifications)

    def marketplace(self, name: str) -> Marketplace:
        return self.marketplaces[check_marketplace(name)]

    @contextmanager
    def session(self, marketplace: str) -> Iterator[tuple[Marketplace, float]]:
        """The marketplace, settled to now, and now, under the lock: how everything outside a request
        (the simulation, the handle) reads or changes state."""
        try:
            with self.lock:
                market = self.marketplace(marketplace)
                now = self.clock.now()
                self.settle(market, now)
                yield market, now
        finally:
            self.deliver()

    def deliver(self) -> None:
        """Send the notifications that events produced (spec H§6), unless this thread still holds the lock:
        the outermost holder sends them once it lets go, so no send ever waits inside the lock."""
        if self.outbox.pending and not _held_here(self.lock):
            self.outbox.flush()

    def settle_all(self) -> None:
        """Apply what is due in every marketplace in use, and send the notifications it raised: the clock
        calls this when a test moves it, so a clock-driven event reaches its queue without another call."""
        with self.lock:
            now = self.clock.now()
            for market in list(self.marketplaces.values()):
                self.settle(market, now)
        self.deliver()

    def settle(self, market: Marketplace, now: float) -> None:
        """Under the lock: apply what is due in ``market`` by ``now``. A durable World records that it did
        (unless a recorded call is running, whose replay settles by itself), so replay applies the same
        work at the same instant and draws the same IDs from the stream all marketplaces share."""
        if market.schedule.next_due() > now:
            return
        market.schedule.settle(now)
        recorder = self.journal
        if recorder is not None and not recorder.depth:
            recorder.record(SETTLE, now, True, market.name, None)


def _held_here(lock: object) -> bool:
    """Whether the calling thread holds ``lock`` (an RLock)."""
    owned = getattr(lock, "_is_owned", None)
    return bool(owned()) if owned is not None else False

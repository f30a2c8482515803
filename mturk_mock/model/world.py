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
from .marketplace import Marketplace
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
        market = self[name] = Marketplace(name, world.settings, world.ids, world.notifications)
        return market


class World:
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
        self.marketplaces = _Marketplaces(self)
        self._secret: bytes | None = None
        self.serial = 0  # counts the pagination tokens handed out, so that each is new

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
            self.marketplaces = _Marketplaces(self)
            for name, market in other.marketplaces.items():
                market.rebind(self.settings, self.ids, self.notifications)
                self.marketplaces[name] = market

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
        with self.lock:
            market = self.marketplace(marketplace)
            now = self.clock.now()
            market.settle(now)
            yield market, now

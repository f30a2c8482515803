"""The whole simulated MTurk: one independent marketplace per endpoint, one clock, one lock."""

from __future__ import annotations

import threading

from .clock import Clock
from .ids import IdFactory
from .marketplace import PRODUCTION, SANDBOX, Marketplace, Notification

MARKETPLACES = (SANDBOX, PRODUCTION)
KNOWN_WORKERS = ("any", "registered")

# The requester of a client that has no credentials at all.
DEFAULT_REQUESTER = "<default>"


class _Marketplaces(dict):
    """Each marketplace is built on first use: most tests touch one, and activation stays cheap."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self._world = world

    def __missing__(self, name: str) -> Marketplace:
        if name not in MARKETPLACES:
            raise KeyError(name)
        market = self[name] = Marketplace(self._world, name)
        return market


class World:
    """Everything a mock activation owns. Operations run under ``lock``; the model does no I/O."""

    def __init__(self, *, clock: Clock | None = None, seed: int | None = None,
                 production_balance: str = "10000.00", name_reservation: float = 0.0,
                 known_workers: str = "any") -> None:
        if known_workers not in KNOWN_WORKERS:
            raise ValueError(f"known_workers must be one of {', '.join(KNOWN_WORKERS)}, not {known_workers!r}")
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.ids = IdFactory(seed)
        self.production_balance = production_balance
        # Seconds a deleted qualification type's name stays taken (the service says "up to 48 hours").
        self.name_reservation = name_reservation
        # "any": every well-formed worker ID is a worker; "registered": only those made through the handle.
        self.known_workers = known_workers
        self.serial = 0  # makes every pagination token unique
        self.notifications: list[Notification] = []
        self.marketplaces = _Marketplaces(self)

    def clear(self) -> None:
        """Empty every marketplace and put the clock back on real time."""
        with self.lock:
            self.clock = Clock()
            self.marketplaces = _Marketplaces(self)
            self.notifications.clear()

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def marketplace(self, name: str) -> Marketplace:
        try:
            return self.marketplaces[name]
        except KeyError:
            raise ValueError(f"unknown marketplace {name!r}: use one of {', '.join(MARKETPLACES)}") from None

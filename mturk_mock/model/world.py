"""The whole simulated MTurk: one independent marketplace per endpoint, one clock, one lock."""

from __future__ import annotations

import threading

from .clock import Clock
from .ids import IdFactory

SANDBOX = "sandbox"
PRODUCTION = "production"
MARKETPLACES = (SANDBOX, PRODUCTION)

# The requester of a client that has no credentials at all.
DEFAULT_REQUESTER = "<default>"

SANDBOX_BALANCE = "10000.00"  # "This amount is always $10000.00" (spec 6.8)


class Marketplace:
    """The state of one endpoint (sandbox or production); nothing crosses between them."""

    def __init__(self, world: World, name: str) -> None:
        self.world = world
        self.name = name
        self.balances: dict[str, str] = {}

    def balance(self, requester: str) -> str:
        if self.name == SANDBOX:
            return SANDBOX_BALANCE
        return self.balances.get(requester, self.world.production_balance)


class World:
    """Everything a mock activation owns. Operations run under ``lock``; the model does no I/O."""

    def __init__(self, *, clock: Clock | None = None, seed: int | None = None,
                 production_balance: str = "10000.00") -> None:
        self.lock = threading.RLock()
        self.clock = clock or Clock()
        self.ids = IdFactory(seed)
        self.production_balance = production_balance
        self.marketplaces = {name: Marketplace(self, name) for name in MARKETPLACES}

    def clear(self) -> None:
        """Empty every marketplace and put the clock back on real time."""
        with self.lock:
            self.clock = Clock()
            self.marketplaces = {name: Marketplace(self, name) for name in MARKETPLACES}

    def marketplace(self, name: str) -> Marketplace:
        try:
            return self.marketplaces[name]
        except KeyError:
            raise ValueError(f"unknown marketplace {name!r}: use one of {', '.join(MARKETPLACES)}") from None

"""What every part of a simulated worker shares: who and where the worker is, and a settled marketplace."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from ..model.journal import JournalTarget
from ..model.marketplace import Marketplace
from ..model.world import World


class WorkerBase(JournalTarget):
    def __init__(self, world: World, worker_id: str, marketplace: str) -> None:
        self._world = world
        self.worker_id = worker_id
        self.marketplace = marketplace

    def journal_world(self) -> World:
        return self._world

    def journal_ref(self) -> dict[str, Any]:
        return {"worker": self.worker_id, "marketplace": self.marketplace}

    def __repr__(self) -> str:
        return f"<SimulatedWorker {self.worker_id} ({self.marketplace})>"

    def _session(self) -> AbstractContextManager[tuple[Marketplace, float]]:
        """The worker's marketplace, settled to now, under the world's lock: as an API call sees it."""
        return self._world.session(self.marketplace)

"""Worker blocks: the workers a requester keeps away from their HITs, with the private reason
(spec H§4.5, H§8.19-8.21)."""

from __future__ import annotations

from typing import Any

from .. import errors
from ..index import SortedIndex

MAX_BLOCKS = 100_000  # per requester [M]


class Blocks:
    def __init__(self) -> None:
        self.reasons: dict[tuple[str, str], str] = {}  # (requester, worker) -> reason
        self.of_requester: dict[str, SortedIndex[tuple[str, str]]] = {}  # in the order they were blocked
        self._keys: dict[tuple[str, str], int] = {}
        self._serial = 0

    def is_blocked(self, requester: str, worker_id: str) -> bool:
        return (requester, worker_id) in self.reasons

    def block(self, requester: str, worker_id: str, reason: str) -> None:
        """Block, or give an existing block a new reason (it keeps its place in the listing) [I]."""
        key = (requester, worker_id)
        if key not in self.reasons:
            index = self.of_requester.setdefault(requester, SortedIndex())
            if len(index) >= MAX_BLOCKS:
                raise errors.invalid_value("WorkerId", worker_id, f"a requester can block at most {MAX_BLOCKS} workers")
            self._serial += 1
            self._keys[key] = self._serial
            index.insert(self._serial, key)
        self.reasons[key] = reason

    def unblock(self, requester: str, worker_id: str) -> None:
        key = (requester, worker_id)
        if self.reasons.pop(key, None) is not None:
            self.of_requester[requester].remove(self._keys.pop(key))

    def listing(self, requester: str) -> SortedIndex[tuple[str, str]]:
        return self.of_requester.setdefault(requester, SortedIndex())

    def to_data(self) -> list[list[str]]:
        ordered = sorted(self._keys.items(), key=lambda item: item[1])
        return [[requester, worker, self.reasons[(requester, worker)]] for (requester, worker), _ in ordered]

    def load_data(self, data: list[Any]) -> None:
        for requester, worker, reason in data:
            self.block(requester, worker, reason)

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

    def block(self, requester: str, worker_id: str, reason: str, serial: int | None = None) -> None:
        """Block, or give an existing block a new reason (it keeps its place in the listing) [I]."""
        key = (requester, worker_id)
        if key not in self.reasons:
            index = self.of_requester.setdefault(requester, SortedIndex())
            if len(index) >= MAX_BLOCKS:
                raise errors.invalid_value("WorkerId", worker_id, f"a requester can block at most {MAX_BLOCKS} workers")
            self._serial = max(self._serial + 1, serial or 0)
            self._keys[key] = serial or self._serial
            index.insert(self._keys[key], key)
        self.reasons[key] = reason

    def unblock(self, requester: str, worker_id: str) -> None:
        key = (requester, worker_id)
        if self.reasons.pop(key, None) is not None:
            self.of_requester[requester].remove(self._keys.pop(key))

    def listing(self, requester: str) -> SortedIndex[tuple[str, str]]:
        return self.of_requester.setdefault(requester, SortedIndex())

    def to_data(self) -> dict[str, Any]:
        """The blocks with their listing keys, and the next key's predecessor (older files: a list of blocks)."""
        ordered = sorted(self._keys.items(), key=lambda item: item[1])
        blocks = [[requester, worker, self.reasons[(requester, worker)], key] for (requester, worker), key in ordered]
        return {"blocks": blocks, "serial": self._serial}

    def load_data(self, data: dict[str, Any] | list[Any]) -> None:
        entries = data if isinstance(data, list) else data["blocks"]
        for requester, worker, reason, *key in entries:
            self.block(requester, worker, reason, key[0] if key else None)
        if isinstance(data, dict):
            self._serial = max(self._serial, data["serial"])

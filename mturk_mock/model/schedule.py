"""The due-time heap behind ``Marketplace.settle(now)``: every time-driven transition of a marketplace.

A store that sets a deadline (a test's time limit, a retry delay, a HIT's expiration, an assignment's
deadline, an auto-approval) adds an entry ``(due, rank, kind, key)``. Before any operation reads state,
``settle(now)`` pops the entries that are due, in chronological order (ties by rank, then by the order
they were added), and hands each to the handler registered for its kind. Nothing runs in the background,
and advancing the clock by a year costs the transitions that fall in it, never a scan of the state.

Entries are never removed: a handler checks that its object still has that deadline (it may have been
submitted, returned, extended...) and ignores a stale entry. The heap is not saved: ``rebuild`` asks
every store for its live deadlines after a state file is loaded.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import count

# Ranks order transitions due at the same instant (spec H§0.2).
FIRST, ASSIGNMENT_DEADLINE, AUTO_APPROVAL, HIT_EXPIRY, AUTO_DISPOSAL = 0, 1, 2, 3, 4

Handler = Callable[[str, float], None]  # (key, due) -> None


class Schedule:
    __slots__ = ("_heap", "_order", "_handlers")

    def __init__(self) -> None:
        # (due, rank, order, kind, key); read by Marketplace.settle for its cheap "anything due?" check
        self._heap: list[tuple[float, int, int, str, str]] = []
        self._order = count()
        self._handlers: dict[str, Handler] = {}

    def on(self, kind: str, handler: Handler) -> None:
        """Register the handler that applies entries of ``kind``."""
        self._handlers[kind] = handler

    def add(self, due: float, kind: str, key: str, rank: int = FIRST) -> None:
        if kind not in self._handlers:
            raise KeyError(f"no handler for {kind!r} transitions")
        heapq.heappush(self._heap, (due, rank, next(self._order), kind, key))

    def settle(self, now: float) -> None:
        """Apply every transition due at or before ``now``, in order."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            due, _rank, _order, kind, key = heapq.heappop(heap)
            self._handlers[kind](key, due)

    def next_due(self) -> float:
        """When the next transition is due (infinity when none is)."""
        return self._heap[0][0] if self._heap else float("inf")

    def __len__(self) -> int:
        return len(self._heap)

    def clear(self) -> None:
        self._heap.clear()

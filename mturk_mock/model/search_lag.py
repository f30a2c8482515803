"""Eventual consistency of searches, opt-in (``search_lag`` seconds; 0, the default, turns it off).

The real service indexes entities for its List operations some time after they are created or changed,
while Get operations see them at once (spec Q§1.3, Q§4, H§7). ``SearchLag`` keeps, per marketplace, the
entities whose current version the search index does not show yet: for each change not yet indexed, the
time it will be and the version the index shows until then (a copy taken before the change; None for a
new entity). Each change is indexed ``lag`` seconds after it was made, so between two quick changes the
index shows the version of the first.

It is generic. A List handler passes the marketplace's ``search_lag`` on its ``Listing``
(``service/pagination.py``) with ``created=``, how to read an item's creation time: new items then show
only ``lag`` seconds after it, with no other change. For updates to lag too, a handler calls
``changing(entity, now)`` before it changes an entity (``created(entity, now)`` stands in for ``created=``
where an entity has no creation time). Entities are keyed by identity (the model's entities compare by
identity) and need a ``cache`` slot. Nothing is kept or checked while the lag is 0; the pending
versions are not saved with the state (after a load every entity is indexed).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_PRUNE_AT = 1024  # pending entries; beyond that, entries that fell due are dropped on the next change


class SearchLag:
    __slots__ = ("lag", "_pending")

    def __init__(self, lag: float = 0.0) -> None:
        self.lag = lag
        # entity -> its changes not yet indexed, oldest first: (indexed at, version shown until then)
        self._pending: dict[Any, list[tuple[float, Any]]] = {}

    @property
    def pending(self) -> bool:
        """Whether any search may show something other than the current entities."""
        return bool(self._pending)

    def created(self, entity: object, now: float) -> None:
        if self.lag:
            self._add(entity, now, None)

    def changing(self, entity: object, now: float) -> None:
        """Call before changing ``entity``: searches keep showing this version until the lag has passed."""
        if not self.lag:
            return
        shown = copy.copy(entity)
        shown.cache = None  # type: ignore[attr-defined]  # the copy renders on its own
        self._add(entity, now, shown)

    def view(self, now: float, created: Callable[[T], float] | None = None) -> Callable[[T], T | None] | None:
        """What one search at ``now`` shows of each entity (``shown``), or None when it shows them all."""
        lag, shown = self.lag, self.shown
        if created is None or not lag:
            return (lambda entity: shown(entity, now)) if self._pending else None
        created_at = created

        def show(entity: T) -> T | None:
            return None if created_at(entity) + lag > now else shown(entity, now)

        return show

    def shown(self, entity: T, now: float) -> T | None:
        """What a search shows of ``entity`` at ``now``: itself, an older version of it, or nothing."""
        changes = self._pending.get(entity)
        if changes is None:
            return entity
        while changes and changes[0][0] <= now:  # indexed by now
            del changes[0]
        if not changes:
            del self._pending[entity]
            return entity
        stale: T | None = changes[0][1]
        return stale

    def clear(self) -> None:
        self._pending.clear()

    def _add(self, entity: object, now: float, shown: object) -> None:
        pending = self._pending
        if len(pending) >= _PRUNE_AT:  # entities deleted meanwhile are never listed again to fall due
            for due in [key for key, changes in pending.items() if changes[-1][0] <= now]:
                del pending[due]
        changes = pending.get(entity)
        if changes is None:
            pending[entity] = [(now + self.lag, shown)]
        else:
            changes.append((now + self.lag, shown))

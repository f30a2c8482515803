"""The crowd's view of the work on offer: the Assignable HITs grouped by HIT type, as the worker site
groups them, so that a worker decides once per group whether they may take its HITs.

Built once from the marketplace's ``hits.assignable`` index, then kept current by reading the
marketplace's event log from where it last stopped: only the events that can make a HIT Assignable
(created, extended, an assignment returned or abandoned) add HITs. HITs that stop being Assignable are
dropped when a worker meets them. So keeping the board costs the changes, never a scan of every HIT.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ..model.hits.hit_types import HITType
from ..model.hits.hits import ASSIGNABLE, HIT
from ..model.marketplace import Marketplace

REOPENING = frozenset({"HITCreated", "HITExtended", "AssignmentReturned", "AssignmentAbandoned"})


class Group:
    """The Assignable HITs of one HIT type (in no particular order)."""

    __slots__ = ("hit_type", "hits")

    def __init__(self, hit_type: HITType) -> None:
        self.hit_type = hit_type
        self.hits: list[HIT] = []


class Board:
    def __init__(self) -> None:
        self.market: Marketplace | None = None
        self.groups: list[Group] = []
        self._by_type: dict[str, Group] = {}
        self._on_board: set[str] = set()
        self._offset = 0  # how much of the event log has been read
        self.generation = 0  # grows whenever HITs are added: idle workers look again

    def refresh(self, market: Marketplace) -> None:
        log = market.events.log
        if market is not self.market or len(log) < self._offset:
            self._rebuild(market)
            return
        by_id = market.hits.by_id
        for index in range(self._offset, len(log)):
            event = log[index]
            if event.event_type in REOPENING:
                hit = by_id.get(event.hit_id)
                if hit is not None and hit.status == ASSIGNABLE:
                    self._add(hit)
        self._offset = len(log)

    def _rebuild(self, market: Marketplace) -> None:
        self.market = market
        self.groups, self._by_type, self._on_board = [], {}, set()
        for hit in market.hits.assignable.values():
            self._add(hit)
        self._offset = len(market.events.log)
        self.generation += 1

    def _add(self, hit: HIT) -> None:
        if hit.hit_id in self._on_board:
            return
        group = self._by_type.get(hit.hit_type.type_id)
        if group is None:
            group = self._by_type[hit.hit_type.type_id] = Group(hit.hit_type)
            self.groups.append(group)
        group.hits.append(hit)
        self._on_board.add(hit.hit_id)
        self.generation += 1

    def has_work(self) -> bool:
        return any(group.hits for group in self.groups)

    def pick(self, group: Group, rng: random.Random, takeable: Callable[[HIT], bool]) -> HIT | None:
        """A random HIT of the group that is still Assignable, of this type, and ``takeable`` by the worker;
        HITs that are no longer Assignable leave the board on the way."""
        hits = group.hits
        index, tried = (rng.randrange(len(hits)) if hits else 0), 0
        while tried < len(hits):
            index %= len(hits)
            hit = hits[index]
            if hit.status != ASSIGNABLE or hit.hit_type is not group.hit_type:
                hits[index] = hits[-1]
                hits.pop()
                self._on_board.discard(hit.hit_id)
                if hit.status == ASSIGNABLE:  # its type was changed (UpdateHITTypeOfHIT)
                    self._add(hit)
                continue
            if takeable(hit):
                return hit
            index, tried = index + 1, tried + 1
        return None

    def prune(self) -> None:
        """Forget groups left without HITs, so that searches do not walk past them."""
        self.groups = [group for group in self.groups if group.hits]
        self._by_type = {group.hit_type.type_id: group for group in self.groups}

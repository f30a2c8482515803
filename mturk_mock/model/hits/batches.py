"""Batches, as the Requester website makes them: one HIT per row of a CSV file, from a project's HTML
template (a HIT layout) whose ``${variable}`` placeholders the row fills. The API has no batches; the
store keeps what the website's batch-results download needs: the HITs in row order and each row's
input values (``Input.<variable>``), which the HIT itself does not keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..journal import JournalTarget, journaled

if TYPE_CHECKING:
    from ..world import World

BATCH_NOT_FOUND = "There is no batch {batch_id} of this requester."


@dataclass(slots=True, eq=False)
class Batch:
    batch_id: str  # a number, as on the Requester website
    owner: str
    name: str
    layout_id: str
    created: float
    columns: list[str]  # the CSV header: the Input variables, in file order
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # (HITId, the row's values)
    error: str | None = None  # why publishing stopped before the last row

    @property
    def hit_ids(self) -> list[str]:
        return [hit_id for hit_id, _ in self.rows]


class Batches:
    """Every batch of one marketplace, numbered in the order they were made."""

    def __init__(self) -> None:
        self.by_id: dict[str, Batch] = {}

    def new_id(self) -> str:
        return str(len(self.by_id) + 1)

    def add(self, batch: Batch) -> None:
        self.by_id[batch.batch_id] = batch

    def owned(self, batch_id: str, owner: str) -> Batch:
        batch = self.by_id.get(batch_id)
        if batch is None or batch.owner != owner:
            raise KeyError(BATCH_NOT_FOUND.format(batch_id=batch_id))
        return batch

    def of_owner(self, owner: str) -> list[Batch]:
        """The owner's batches, newest first."""
        return [batch for batch in reversed(self.by_id.values()) if batch.owner == owner]

    def to_data(self) -> list[dict[str, Any]]:
        return [
            {
                "batch_id": batch.batch_id,
                "owner": batch.owner,
                "name": batch.name,
                "layout_id": batch.layout_id,
                "created": batch.created,
                "columns": batch.columns,
                "rows": [[hit_id, values] for hit_id, values in batch.rows],
                "error": batch.error,
            }
            for batch in self.by_id.values()
        ]

    def load_data(self, data: list[dict[str, Any]]) -> None:
        for stored in data:
            rows = [(hit_id, list(values)) for hit_id, values in stored["rows"]]
            self.add(Batch(**{**stored, "rows": rows}))


class BatchDesk(JournalTarget, journal_tag="batches"):
    """The steps of publishing a batch that change the batches of one marketplace: each is journaled on a
    durable server (opening one draws an ID), between the CreateHIT requests, which are journaled as such."""

    def __init__(self, world: World, marketplace: str) -> None:
        self.world, self.marketplace = world, marketplace

    def journal_world(self) -> World:
        return self.world

    def journal_ref(self) -> dict[str, Any]:
        return {"marketplace": self.marketplace}

    @classmethod
    def from_journal_ref(cls, world: World, ref: dict[str, Any]) -> BatchDesk:
        return cls(world, ref["marketplace"])

    @journaled("batch.open")
    def open(self, owner: str, name: str, columns: list[str]) -> tuple[str, str]:
        """A new batch with a new layout ID for its template: (batch ID, layout ID)."""
        world = self.world
        with world.session(self.marketplace) as (market, now):
            batches = market.batches
            batch = Batch(
                batches.new_id(), owner, name or f"Batch {len(batches.by_id) + 1}", world.ids.entity(), now, columns
            )
            batches.add(batch)
            return batch.batch_id, batch.layout_id

    @journaled("batch.row")
    def add_row(self, batch_id: str, hit_id: str, values: list[str]) -> None:
        with self.world.session(self.marketplace) as (market, _now):
            market.batches.by_id[batch_id].rows.append((hit_id, list(values)))

    @journaled("batch.stop")
    def stop(self, batch_id: str, error: str) -> None:
        """Publishing stopped before the last row, for this reason."""
        with self.world.session(self.marketplace) as (market, _now):
            market.batches.by_id[batch_id].error = error

"""The marketplace's event log: every HIT and assignment event MTurk raises (spec H§6.2), in the order
they happened, with the instant they happened at (a clock-driven transition carries its own instant, not
the time of the call that settled it). Notifications (spec H§6) are delivered from here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    event_type: str
    timestamp: float
    owner: str
    hit_type_id: str
    hit_group_id: str
    hit_id: str
    assignment_id: str | None = None
    worker_id: str | None = None


class Events:
    """What happened in one marketplace, oldest first."""

    def __init__(self) -> None:
        self.log: list[Event] = []

    def emit(self, event: Event) -> None:
        self.log.append(event)

    def of_type(self, event_type: str) -> list[Event]:
        return [event for event in self.log if event.event_type == event_type]

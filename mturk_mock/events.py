"""``mturk.events``: the event notifications the mock has sent, oldest first (spec H§6).

    mturk.events.of_type("AssignmentSubmitted")       # messages, filtered
    mturk.events.wait_for("HITReviewable", timeout=5)  # blocks until one is there (threads, servers)
    message.document["Events"][0]["AssignmentId"]      # the JSON exactly as the queue received it: message.body

Every message is here whether or not it reached a queue or topic (``message.status``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, overload

from .model.outbox import NotificationMessage

if TYPE_CHECKING:
    from .model.world import World

POLL = 0.05  # seconds between looks at the clock while waiting: a real-time clock may bring events due


class EventMessages:
    """A live view of a World's sent notifications; ``world`` is looked up on every use, so the view
    follows the handle across activations and loaded states."""

    def __init__(self, world: Callable[[], World]) -> None:
        self._world = world

    def _messages(self) -> list[NotificationMessage]:
        world = self._world()
        world.deliver()  # anything held back while this thread held the lock
        outbox = world.outbox
        with outbox.changed:
            return list(outbox.messages)

    def __iter__(self) -> Iterator[NotificationMessage]:
        return iter(self._messages())

    def __len__(self) -> int:
        return len(self._messages())

    @overload
    def __getitem__(self, index: int) -> NotificationMessage: ...
    @overload
    def __getitem__(self, index: slice) -> list[NotificationMessage]: ...
    def __getitem__(self, index: int | slice) -> NotificationMessage | list[NotificationMessage]:
        return self._messages()[index]

    def __repr__(self) -> str:
        return f"<EventMessages {[message.event_type for message in self._messages()]}>"

    def of_type(self, *event_types: str) -> list[NotificationMessage]:
        """The messages of these event types (all messages when none is given)."""
        return [m for m in self._messages() if not event_types or m.event_type in event_types]

    def to(self, destination: str) -> list[NotificationMessage]:
        """The messages sent to one queue URL, topic ARN or e-mail address."""
        return [m for m in self._messages() if m.destination == destination]

    def clear(self) -> None:
        """Forget the messages sent so far (nothing is unsent)."""
        outbox = self._world().outbox
        with outbox.changed:
            outbox.messages.clear()

    def wait_for(
        self,
        event_type: str | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
        hit_id: str | None = None,
        destination: str | None = None,
    ) -> list[NotificationMessage]:
        """The messages that match once there are at least ``count`` of them, waiting up to ``timeout``
        seconds of real time (TimeoutError then). For tests whose events happen in other threads or
        behind a server. While it waits, transitions that fall due on a running clock are applied."""

        def matching(messages: list[NotificationMessage]) -> list[NotificationMessage]:
            return [
                m
                for m in messages
                if (event_type is None or m.event_type == event_type)
                and (hit_id is None or m.hit_id == hit_id)
                and (destination is None or m.destination == destination)
            ]

        deadline = time.monotonic() + timeout
        while True:
            world = self._world()
            world.settle_all()
            outbox = world.outbox
            with outbox.changed:
                found = matching(outbox.messages)
                remaining = deadline - time.monotonic()
                if len(found) >= count:
                    return found
                if remaining <= 0:
                    seen = [m.event_type for m in outbox.messages]
                    raise TimeoutError(
                        f"{len(found)} of {count} {event_type or 'event'} message(s) after {timeout} s; sent: {seen}"
                    )
                outbox.changed.wait(min(POLL, remaining))

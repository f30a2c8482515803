"""The marketplace clock: real time by default, shifted or frozen at will by tests."""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable

_Instant = float | int | _dt.datetime


def _epoch(when: _Instant) -> float:
    if isinstance(when, _dt.datetime):
        if when.tzinfo is None:
            raise ValueError("naive datetime: give the clock a timezone-aware datetime")
        return when.timestamp()
    return float(when)


class Clock:
    """Epoch seconds with millisecond precision, like the timestamps MTurk sends.

    ``advance`` moves time forward (retry delays, test durations, expirations); ``freeze`` stops it.
    """

    __slots__ = ("_offset", "_frozen_at", "_moved", "_changed", "_pinned")

    def __init__(self, start: _Instant | None = None, *, frozen: bool = False) -> None:
        self._offset = 0.0 if start is None else _epoch(start) - time.time()
        self._frozen_at: float | None = None
        self._moved: Callable[[], None] | None = None
        self._changed: Callable[[], None] | None = None
        self._pinned: float | None = None
        if frozen:
            self.freeze()

    def on_move(self, listener: Callable[[], None] | None) -> None:
        """Call ``listener`` after ``advance`` and ``set``: the World applies what fell due at once, so that
        the notifications of clock-driven events are sent without waiting for the next call."""
        self._moved = listener

    def on_change(self, listener: Callable[[], None] | None) -> None:
        """Call ``listener`` after every change of the clock's state (advance, set, freeze, unfreeze, reset):
        a durable server journals the state, so that a restarted server's clock is where it was."""
        self._changed = listener

    def pin(self, at: float) -> float | None:
        """Read ``at`` until ``unpin``, without changing the clock's state or telling listeners: one action
        sees a single instant however long it takes, and a journaled action replays at the instant it ran.
        Returns what to give ``unpin``."""
        pinned, self._pinned = self._pinned, at
        return pinned

    def unpin(self, previous: float | None) -> None:
        self._pinned = previous

    def now(self) -> float:
        pinned = self._pinned
        if pinned is not None:
            return pinned
        frozen = self._frozen_at  # kept rounded to the millisecond
        return frozen if frozen is not None else round(time.time() + self._offset, 3)

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def datetime(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self.now(), _dt.timezone.utc)

    def advance(self, seconds: float = 0.0, **delta: float) -> float:
        """Move time forward by ``seconds`` plus any timedelta keywords (minutes=5, days=1, ...)."""
        step = seconds + _dt.timedelta(**delta).total_seconds()
        if step < 0:
            raise ValueError("the clock only moves forward; use set() to jump back")
        if self._frozen_at is not None:
            self._frozen_at = round(self._frozen_at + step, 3)
        else:
            self._offset += step
        self._notify()
        return self.now()

    def set(self, when: _Instant) -> None:
        target = _epoch(when)
        if self._frozen_at is not None:
            self._frozen_at = round(target, 3)
        else:
            self._offset = target - time.time()
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed()
        if self._moved is not None:
            self._moved()

    def freeze(self, at: _Instant | None = None) -> None:
        self._frozen_at = self.now() if at is None else round(_epoch(at), 3)
        if self._changed is not None:
            self._changed()

    def unfreeze(self) -> None:
        if self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None
            if self._changed is not None:
                self._changed()

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def reset(self) -> None:
        """Back to real time, not frozen (the same object, so references to it stay valid)."""
        self._offset = 0.0
        self._frozen_at = None
        if self._changed is not None:
            self._changed()

    def state(self) -> dict[str, float | None]:
        """What a snapshot needs to put the clock back exactly: its offset from real time, or where it is frozen."""
        return {"offset": self._offset, "frozen_at": self._frozen_at}

    def restore(self, state: dict[str, float | None]) -> None:
        offset, frozen_at = state["offset"], state["frozen_at"]
        if not isinstance(offset, (int, float)) or not (frozen_at is None or isinstance(frozen_at, (int, float))):
            raise ValueError(f"not a clock state: {state!r}")
        self._offset, self._frozen_at = float(offset), None if frozen_at is None else round(frozen_at, 3)

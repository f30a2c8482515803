"""Idempotency tokens: what a requester's UniqueRequestToken (or the token the service derives itself)
already did in the last 24 hours (spec H§8.2, 8.8, 8.9, 8.17)."""

from __future__ import annotations

from typing import Any

from ..schedule import Schedule

TOKEN_LIFETIME = 24 * 3600
FORGET = "token.forget"
_SEPARATOR = "\x1f"


class Tokens:
    """Per scope (an operation family and a requester), token -> what it produced, until it is forgotten."""

    def __init__(self, schedule: Schedule) -> None:
        self.seen: dict[str, tuple[str, float]] = {}  # scope|token -> (result, used at)
        self._schedule = schedule
        schedule.on(FORGET, self._forget)

    @staticmethod
    def _key(scope: str, requester: str, token: str) -> str:
        return _SEPARATOR.join((scope, requester, token))

    def find(self, scope: str, requester: str, token: str) -> str | None:
        """What the token produced within the last 24 hours (settle forgets older ones), or None."""
        found = self.seen.get(self._key(scope, requester, token))
        return None if found is None else found[0]

    def remember(self, scope: str, requester: str, token: str, result: str, now: float) -> None:
        key = self._key(scope, requester, token)
        self.seen[key] = (result, now)
        self._schedule.add(now + TOKEN_LIFETIME, FORGET, key)

    def _forget(self, key: str, due: float) -> None:
        found = self.seen.get(key)
        if found is not None and found[1] + TOKEN_LIFETIME == due:
            del self.seen[key]

    def to_data(self) -> list[list[Any]]:
        return [[key, result, used_at] for key, (result, used_at) in self.seen.items()]

    def load_data(self, data: list[list[Any]]) -> None:
        for key, result, used_at in data:
            self.seen[key] = (result, used_at)

    def reschedule(self) -> None:
        for key, (_result, used_at) in self.seen.items():
            self._schedule.add(used_at + TOKEN_LIFETIME, FORGET, key)

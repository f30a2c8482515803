"""A World as JSON-native data and back: the state file format.

The document is ``{"format": "mturk_mock/2", "clock", "settings", "secret", "ids", "notifications",
"event_notifications", "marketplaces": {name: {store: data}}}``; each store writes and reads its own part (``to_data`` /
``load_data``), and derived indexes and deadlines are rebuilt on load, never stored. Lists keep their
order (creation order, grant order, SubmitTime order), so pages and pagination tokens are the same after
a load. The format is documented in ARCHITECTURE.md. Rules for changing it: a new store or a new
optional member is read as empty when absent, so older files still load; anything else bumps the
version, and ``_MIGRATIONS`` lifts every older version to the current one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..constants import MARKETPLACES
from . import xml
from .workers import Notification
from .world import World

FORMAT_PREFIX = "mturk_mock/"
VERSION = 2
FORMAT = f"{FORMAT_PREFIX}{VERSION}"


def dump_world(world: World) -> dict[str, Any]:
    with world.lock:
        return {
            "format": FORMAT,
            "clock": world.clock.state(),
            "settings": world.settings.to_data(),
            "secret": world.secret.hex(),
            "serial": world.serial,
            "ids": world.ids.state(),
            "notifications": [vars(note) for note in world.notifications],
            "event_notifications": world.outbox.to_data(),
            "marketplaces": {name: market.to_data() for name, market in world.marketplaces.items()},
        }


def load_world(data: object) -> World:
    """The World ``dump_world`` described (any supported version). ValueError when the data is not one."""
    version = _version_of(data)
    assert isinstance(data, dict)
    try:
        for older in range(version, VERSION):
            data = _MIGRATIONS[older](data)
        world = World(**data["settings"])
        world.clock.restore(data["clock"])
        world.secret = bytes.fromhex(data["secret"])
        world.serial = data["serial"]
        world.ids.restore(data.get("ids"))  # absent before the ID stream was saved: it starts again
        world.notifications.extend(Notification(**note) for note in data["notifications"])
        world.outbox.load_data(data.get("event_notifications", {}))  # absent before notifications existed
        now = world.clock.now()
        for name, market_data in data["marketplaces"].items():
            if name not in MARKETPLACES:
                raise ValueError(f"unknown marketplace {name!r}")
            world.marketplaces[name].load_data(market_data, now)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError, xml.InvalidXML) as exc:
        raise ValueError(f"damaged mturk_mock state: {exc!r}") from None
    return world


def _version_of(data: object) -> int:
    found = data.get("format") if isinstance(data, dict) else None
    if not isinstance(found, str) or not found.startswith(FORMAT_PREFIX):
        raise ValueError(f"not a mturk_mock state (expected format {FORMAT!r})")
    number = found[len(FORMAT_PREFIX) :]
    if not number.isdigit() or not 1 <= int(number) <= VERSION:
        raise ValueError(
            f"this mturk_mock state has format {found!r}; this version of mturk_mock reads "
            f"{FORMAT_PREFIX}1 to {FORMAT}: upgrade mturk_mock to load it"
        )
    return int(number)


def _from_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 (mturk_mock 0.1): types and requests under other keys, no secret, no test deadlines
    (then measured from the type's current TestDurationInSeconds)."""
    for market in data["marketplaces"].values():
        durations = {stored["type_id"]: stored["test_duration"] for stored in market["qualification_types"]}
        for request in market["requests"]:
            duration = durations.get(request["type_id"])
            if request["status"] == "Started" and duration is not None:
                request["deadline"] = request["started_at"] + duration
    return {
        "format": f"{FORMAT_PREFIX}2",
        "clock": data["clock"],
        "settings": data["options"],
        "secret": "00" * 16,
        "serial": data["serial"],
        "notifications": data["notifications"],
        "marketplaces": {
            name: {
                "ledger": {"available": market["balances"]},
                "workers": market["workers"],
                "qualification_types": {"types": market["qualification_types"], "names": market["names"]},
                "grants": market["grants"],
                "qualification_requests": {"requests": market["requests"], "pending": market["pending"]},
            }
            for name, market in data["marketplaces"].items()
        },
    }


_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _from_version_1}

"""A World as JSON-native data and back, so a prepared marketplace can be saved and reused.

Lists keep their order (creation order, grant order, SubmitTime order). Pagination tokens handed out
before a save do not survive it; IDs made after a load are new random ones.
"""

from __future__ import annotations

from typing import Any

from . import qualification_test as qt
from .grants import GRANTED, REVOKED, Grant
from .marketplace import Marketplace, Notification
from .qualification_requests import PENDING, QualificationRequest
from .qualification_types import SYSTEM_OWNER, QualificationType
from .world import MARKETPLACES, World

FORMAT = "mturk_mock/1"
_TYPE_FIELDS = ("type_id", "owner", "name", "description", "status", "created", "keywords", "retry_delay", "test",
                "test_duration", "answer_key", "auto_granted", "auto_granted_value", "requestable", "deleted")
_REQUEST_FIELDS = ("request_id", "type_id", "owner", "worker_id", "status", "started_at", "submit_time", "test",
                   "answer", "reason")


def dump_world(world: World) -> dict[str, Any]:
    with world.lock:
        clock = world.clock
        return {
            "format": FORMAT,
            "clock": {"offset": clock._offset, "frozen_at": clock._frozen_at},
            "options": {"production_balance": world.production_balance, "name_reservation": world.name_reservation,
                        "known_workers": world.known_workers},
            "serial": world.serial,
            "notifications": [vars(note) for note in world.notifications],
            "marketplaces": {name: _dump_marketplace(market) for name, market in world.marketplaces.items()},
        }


def _dump_marketplace(market: Marketplace) -> dict[str, Any]:
    types = market.qualification_types
    requests = market.requests
    pending = [request.request_id for entries in requests.pending_by_owner.values() for request in entries
               if request.status == PENDING]
    return {
        "balances": dict(market.balances),
        "workers": sorted(market.workers),
        "qualification_types": [{field: getattr(qual, field) for field in _TYPE_FIELDS}
                                for qual in types.order if qual.owner != SYSTEM_OWNER],
        "names": [[owner, name, None if until == float("inf") else until]
                  for (owner, name), until in types.names.items()],
        "grants": {type_id: {status: [[grant.worker_id, grant.value, grant.granted_at]
                                      for index, grant in enumerate(entries)
                                      if grant.status == status and grant.position == index]
                             for status, entries in roster.lists.items()}
                   for type_id, roster in market.rosters.items()},
        "requests": [{field: getattr(request, field) for field in _REQUEST_FIELDS}
                     for request in requests.by_id.values()],
        "pending": sorted(pending, key=lambda request_id: requests.by_id[request_id].submit_time),
    }


def load_world(data: dict[str, Any]) -> World:
    """The World ``dump_world`` described. ValueError when the data is not such a snapshot."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a mturk_mock state (expected format {FORMAT!r})")
    try:
        world = World(**data["options"])
        world.clock._offset, world.clock._frozen_at = data["clock"]["offset"], data["clock"]["frozen_at"]
        world.serial = data["serial"]
        world.notifications.extend(Notification(**note) for note in data["notifications"])
        for name, market_data in data["marketplaces"].items():
            if name not in MARKETPLACES:
                raise ValueError(f"unknown marketplace {name!r}")
            _load_marketplace(world.marketplaces[name], market_data)
    except (KeyError, TypeError, AttributeError, qt.InvalidXML) as exc:
        raise ValueError(f"damaged mturk_mock state: {exc!r}") from None
    return world


def _load_marketplace(market: Marketplace, data: dict[str, Any]) -> None:
    market.balances.update(data["balances"])
    market.workers.update(data["workers"])
    types = market.qualification_types
    for fields in data["qualification_types"]:
        qual = QualificationType(**fields)
        if qual.test is not None:  # parsed once here, as on create
            qual.form = qt.parse_question_form(qual.test)
            qual.key = qt.parse_answer_key(qual.answer_key, qual.form) if qual.answer_key is not None else None
        types._add(qual)
        if qual.deleted:
            del types.by_id[qual.type_id]
    types.names.update({(owner, name): float("inf") if until is None else until
                        for owner, name, until in data["names"]})
    for type_id, statuses in data["grants"].items():
        roster = market.roster(type_id)
        for status in (GRANTED, REVOKED):
            for worker_id, value, granted_at in statuses.get(status, ()):
                grant = roster.by_worker[worker_id] = Grant(type_id, worker_id, value, granted_at)
                roster._enter(grant, status)
    requests = market.requests
    for fields in data["requests"]:
        request = QualificationRequest(fields["request_id"], fields["type_id"], fields["owner"],
                                       fields["worker_id"], fields["started_at"])
        for field in _REQUEST_FIELDS[4:]:
            setattr(request, field, fields[field])
        requests.open(request)
    for request_id in data["pending"]:
        request = requests.by_id[request_id]
        requests.pending_by_owner.setdefault(request.owner, []).append(request)
        requests.pending_by_type.setdefault(request.type_id, []).append(request)

"""Rebuilding a World from a state database: load the checkpoint, then apply the journal written since.

Each entry runs again exactly as it ran: an API request through the same dispatch as a live one, a
journaled call through the same method, each with the clock pinned at the instant it was recorded, on a
World without a journal (nothing is recorded again) and without a courier (no notification is sent
again: those of the journal's tail went out when the entries were first applied, or were lost with the
process). The ID stream comes from the checkpoint, so replay draws the same IDs in the same order. At the
end the clock takes the state it last had.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from ..model.errors import MTurkError
from ..model.journal import SETTLE, UnknownEntry, replay_call
from ..model.snapshot import load_world
from ..model.world import World
from ..service import dispatch
from ..service.pagination import Request
from ..transport.protocol import decode_request
from .journal import CLOCK
from .store import StateError, Store

log = logging.getLogger("mturk_mock")


def rebuild(store: Store, warn: Callable[[str], None]) -> tuple[World, int]:
    """The World the database describes, and the sequence number of its last entry."""
    last, snapshot = store.checkpoint()
    try:
        world = load_world(json.loads(snapshot))
    except (ValueError, UnicodeDecodeError) as exc:
        raise StateError(f"{store.path} has a damaged checkpoint: {exc}") from None
    clock = world.clock
    final = clock.state()
    diverged = 0
    for seq, kind, at, ok, subject, data in store.entries(last):
        clock.pin(at)
        if kind == CLOCK:
            final = json.loads(data)
        elif kind == SETTLE:
            world.marketplace(json.loads(subject)).settle(at)
        elif _apply(world, kind, subject, data) != bool(ok):
            diverged += 1
            if diverged <= 5:
                warn(f"journal entry {seq} ({kind} {subject}) {'failed' if ok else 'succeeded'} on replay")
        last = seq
    clock.unpin(None)
    clock.restore(final)
    world.outbox.pending.clear()
    if diverged:
        warn(f"{diverged} journal entries had another outcome on replay than when they were recorded")
    return world, last


def _apply(world: World, kind: str, subject: str, data: bytes) -> bool:
    """Run one entry again; whether it succeeded."""
    try:
        if kind == dispatch.API:
            marketplace, requester, operation = json.loads(subject)
            decoded = decode_request(data)
            dispatch.route(operation).validate(decoded)
            dispatch.execute(world, marketplace, requester, operation, Request(decoded), True)
        else:
            replay_call(world, kind, json.loads(subject), json.loads(data))
    except MTurkError:
        return False
    except UnknownEntry as exc:
        raise StateError(f"cannot replay {exc}: upgrade mturk_mock to serve this state") from None
    except Exception:  # a refusal of a journaled call (WorkerError...), or a bug replayed as it happened
        log.debug("mturk_mock: journal entry %s failed on replay", kind, exc_info=True)
        return False
    return True

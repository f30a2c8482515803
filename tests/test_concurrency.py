"""8 threads of mixed calls leave the state exactly as a sequential replay of the same calls in the order
the marketplace applied them, with the same answer to every call, and nothing deadlocks (issue 7).

The interpreter switches threads every microsecond while they run (instead of every 5 ms), so a few
thousand calls interleave as finely as 80,000 did at the default interval, in a fraction of the time
(issue 18, point 9); the mix covers qualification types, grants, scores, listings and HIT types, and the
whole state file of both worlds must be equal, not only the grants."""

from __future__ import annotations

import dataclasses
import json
import random
import sys
import threading

from mturk_mock import World, mock_mturk_qual
from mturk_mock.model.snapshot import dump_world
from mturk_mock.service import dispatch as service_dispatch
from mturk_mock.transport.pipeline import dispatch

from .helpers import create_type, requester_client

THREADS = 8
CALLS_PER_THREAD = 1_000
SWITCH_INTERVAL = 1e-6  # seconds between forced thread switches while the threads run
OPERATIONS = (
    "AssociateQualificationWithWorker",
    "DisassociateQualificationFromWorker",
    "GetQualificationScore",
    "ListWorkersWithQualificationType",
    "UpdateQualificationType",
    "GetQualificationType",
    "CreateHITType",
)
WORKERS = [f"A{index:013d}" for index in range(40)]
START = 1_800_000_000


def _snapshot(world: World) -> dict:
    market = world.marketplace("sandbox")
    return {
        type_id: (
            {worker: (grant.value, grant.status, grant.granted_at) for worker, grant in roster.by_worker.items()},
            {status: [grant.worker_id for grant in index.values()] for status, index in roster.by_status.items()},
        )
        for type_id, roster in market.grants.rosters.items()
    }


def _mixed_calls(client, type_ids: list[str], seed: int, errors: list) -> None:
    rng = random.Random(seed)
    tokens: dict[str, str] = {}
    try:
        for _ in range(CALLS_PER_THREAD):
            type_id, worker, roll = rng.choice(type_ids), rng.choice(WORKERS), rng.random()
            try:
                if roll < 0.30:
                    client.associate_qualification_with_worker(
                        QualificationTypeId=type_id,
                        WorkerId=worker,
                        IntegerValue=rng.randrange(100),
                        SendNotification=False,
                    )
                elif roll < 0.45:
                    client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=worker)
                elif roll < 0.65:
                    client.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker)
                elif roll < 0.72:  # an Inactive type refuses requirements: CreateHITType depends on the order
                    client.update_qualification_type(
                        QualificationTypeId=type_id,
                        Description=f"version {rng.randrange(1000)}",
                        QualificationTypeStatus=rng.choice(["Active", "Inactive"]),
                    )
                elif roll < 0.78:
                    client.get_qualification_type(QualificationTypeId=type_id)
                elif roll < 0.85:
                    client.create_hit_type(
                        Title=f"Label {rng.randrange(5)}",
                        Description="Say what is in the picture",
                        Reward="0.25",
                        AssignmentDurationInSeconds=600,
                        QualificationRequirements=[
                            {"QualificationTypeId": type_id, "Comparator": "GreaterThan", "IntegerValues": [50]}
                        ],
                    )
                else:
                    token = tokens.pop(type_id, None)
                    page = client.list_workers_with_qualification_type(
                        QualificationTypeId=type_id, MaxResults=7, **({"NextToken": token} if token else {})
                    )
                    if "NextToken" in page:
                        tokens[type_id] = page["NextToken"]
            except client.exceptions.RequestError:
                pass  # revoking what is not granted, requiring an Inactive type: part of the mix
    except Exception as exc:  # pragma: no cover - reported by the test
        errors.append(exc)


def test_parallel_calls_equal_their_sequential_replay(monkeypatch):
    """Every handler runs under the world's lock; recording inside the handler gives the order of application."""
    applied: list[tuple[str, dict, object]] = []

    def recording(name, handler):
        def record(call, request):  # runs under the world lock: this is the order of application
            try:
                result = handler(call, request)
            except Exception as error:
                applied.append((name, request, (type(error).__name__, getattr(error, "message", None))))
                raise
            applied.append((name, request, json.loads(json.dumps(result))))  # the transport adds metadata to it
            return result

        return record

    for name in OPERATIONS:
        route = service_dispatch.route(name)
        monkeypatch.setitem(service_dispatch._ROUTES, name, dataclasses.replace(route, run=recording(name, route.run)))

    world = World(seed=11)
    world.clock.freeze(START)
    client = requester_client("AKIACONCURRENT")
    with mock_mturk_qual(state=world, record_calls=False):
        type_ids = [create_type(client, f"type {index}")["QualificationTypeId"] for index in range(3)]
        applied.clear()
        clients = [requester_client("AKIACONCURRENT") for _ in range(THREADS)]
        errors: list[Exception] = []
        threads = [
            threading.Thread(target=_mixed_calls, args=(clients[index], type_ids, index, errors))
            for index in range(THREADS)
        ]
        interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=600)
        finally:
            sys.setswitchinterval(interval)
        assert not any(thread.is_alive() for thread in threads), "deadlock: threads still running"
    assert errors == []
    assert len(applied) == THREADS * CALLS_PER_THREAD

    replay = World(seed=11)
    replay.clock.freeze(START)
    for index in range(3):
        dispatch(
            replay,
            "sandbox",
            "AKIACONCURRENT",
            "CreateQualificationType",
            {"Name": f"type {index}", "Description": "Screens workers for a task", "QualificationTypeStatus": "Active"},
        )
    recorded = applied.copy()
    monkeypatch.undo()  # the replay runs the plain handlers
    for name, request, outcome in recorded:
        status, body = dispatch(replay, "sandbox", "AKIACONCURRENT", name, request)
        if isinstance(outcome, tuple):
            assert status == 400 and body["Message"].startswith(outcome[1]), (name, request, body)
        else:
            assert (status, body) == (200, outcome), (name, request)
    assert _snapshot(replay) == _snapshot(world)
    assert dump_world(replay) == dump_world(world)  # everything: types, grants, HIT types, IDs, notifications
    assert sum(len(grants) for grants, _ in _snapshot(world).values()) > 0
    assert {name for name, _, _ in recorded} == set(OPERATIONS)

"""Crash safety of durable server state (issue 19), with real processes and SIGKILL.

A durable server (tests/durable_server.py, the production marketplace) is loaded by boto3 clients in
several threads and by simulated workers inside it, killed with SIGKILL at a random moment, and restarted
on the same state: every acknowledged write must be there, and of the requests in flight each is wholly
applied or not at all. Rounds repeat on the same state across checkpoints (written in the server or by a
child process). Then the journal's tail is torn at random offsets. Loopback only; every wait is bounded.
"""

from __future__ import annotations

import functools
import json
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from mturk_mock import MTurkMock
from mturk_mock.durable import open_state, store

from .samples import EXTERNAL_QUESTION
from .test_durable import _loopback_only, comparable, crash  # noqa: F401  (a fixture)
from .test_server import read_line

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
HELPER = str(Path(__file__).with_name("durable_server.py"))
TIMEOUT = 30
THREADS = 4
ROUNDS = 4
HOLD = Decimal("0.12")  # what one HIT of the workload holds: 2 assignments of $0.05, and the 20% fee


def start(state: Path, *options: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, HELPER, str(state), *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return process, read_line(process, TIMEOUT).strip()


@functools.lru_cache(maxsize=64)
def client_for(url: str, key: str):
    """A client per server and requester (made once: a boto3 client costs tens of milliseconds)."""
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=TIMEOUT, read_timeout=TIMEOUT)
    return boto3.session.Session().client(
        "mturk", region_name="us-east-1", endpoint_url=url, aws_access_key_id=key, aws_secret_access_key="x",
        config=config,
    )  # fmt: skip


@dataclass
class Requester:
    """One client thread's requester: what it was told happened, and the request it had in flight."""

    key: str
    number: int = 0
    type_id: str | None = None
    types: set[str] = field(default_factory=set)  # names
    granted: dict[str, int] = field(default_factory=dict)  # worker -> value
    hits: dict[str, str] = field(default_factory=dict)  # annotation -> HIT ID
    in_flight: tuple[str, str, int] | None = None  # (operation, name/worker/annotation, value)
    error: Exception | None = None  # what stopped its thread, if not the server's death


def drive(url: str, requester: Requester, stop: threading.Event) -> None:
    """A mixed workload until the server dies: types, grants and revokes, HITs."""
    client = client_for(url, requester.key)
    while not stop.is_set():
        requester.number += 1
        number = requester.number
        name = f"{requester.key}-{number}"
        if requester.type_id is None or number % 7 == 0:
            requester.in_flight = ("type", name, 0)
            created = client.create_qualification_type(Name=name, Description="d", QualificationTypeStatus="Active")
            requester.types.add(name)
            requester.type_id = requester.type_id or created["QualificationType"]["QualificationTypeId"]
        elif number % 5 == 0 and requester.granted:
            worker = sorted(requester.granted)[number % len(requester.granted)]
            requester.in_flight = ("revoke", worker, 0)
            client.disassociate_qualification_from_worker(QualificationTypeId=requester.type_id, WorkerId=worker)
            del requester.granted[worker]
        elif number % 3 == 0:
            requester.in_flight = ("hit", name, 0)
            hit = client.create_hit(
                Title="t", Description="d", Reward="0.05", AssignmentDurationInSeconds=600, LifetimeInSeconds=86400,
                MaxAssignments=2, Question=EXTERNAL_QUESTION, RequesterAnnotation=name,
            )  # fmt: skip
            requester.hits[name] = hit["HIT"]["HITId"]
        else:
            worker = f"A{abs(hash(requester.key)) % 1000:03d}{number:010d}"
            requester.in_flight = ("grant", worker, number)
            client.associate_qualification_with_worker(
                QualificationTypeId=requester.type_id, WorkerId=worker, IntegerValue=number, SendNotification=False
            )
            requester.granted[worker] = number
        requester.in_flight = None


def pages(call, key: str, **request):
    while True:
        answer = call(**request)
        yield from answer[key]
        if not answer[key] or "NextToken" not in answer:
            return
        request["NextToken"] = answer["NextToken"]


def owned_types(client) -> dict[str, str]:
    listed = pages(
        client.list_qualification_types, "QualificationTypes", MustBeRequestable=False, MustBeOwnedByCaller=True,
        MaxResults=100,
    )  # fmt: skip
    return {qual["Name"]: qual["QualificationTypeId"] for qual in listed}


def verify(url: str, requesters: list[Requester], worked: dict[str, tuple[str, bool]]) -> None:
    """Every acknowledged write is there; an in-flight request is wholly there or not at all (and is then
    taken as acknowledged or as never sent)."""
    owner_of: dict[str, str] = {}
    for requester in requesters:
        client = client_for(url, requester.key)
        flight = requester.in_flight or ("", "", 0)
        owned = owned_types(client)
        names = set(owned)
        if flight[0] == "type" and flight[1] in names:
            requester.types.add(flight[1])
            requester.type_id = requester.type_id or owned[flight[1]]
        assert names == requester.types, (requester.key, names ^ requester.types)
        if requester.type_id is not None:
            grants = {
                q["WorkerId"]: q["IntegerValue"]
                for q in pages(client.list_workers_with_qualification_type, "Qualifications",
                               QualificationTypeId=requester.type_id, MaxResults=100)
            }  # fmt: skip
            if flight[0] == "grant" and grants.get(flight[1]) == flight[2]:
                requester.granted[flight[1]] = flight[2]
            if flight[0] == "revoke" and flight[1] not in grants:
                del requester.granted[flight[1]]
            assert grants == requester.granted, requester.key
        hits = {hit["RequesterAnnotation"]: hit for hit in pages(client.list_hits, "HITs", MaxResults=100)}
        if flight[0] == "hit" and flight[1] in hits:
            requester.hits[flight[1]] = hits[flight[1]]["HITId"]
        assert {name: hit["HITId"] for name, hit in hits.items()} == requester.hits, requester.key  # same IDs
        held = Decimal(client.get_account_balance()["AvailableBalance"])
        assert held == Decimal("10000.00") - HOLD * len(hits), requester.key  # each HIT with its money, or neither
        owner_of.update((hit["HITId"], requester.key) for hit in hits.values())
        requester.in_flight = None
    taken: dict[str, int] = {}
    for assignment_id, (hit_id, submitted) in worked.items():
        client = client_for(url, owner_of[hit_id])  # an acknowledged accept: its HIT is there too
        taken[hit_id] = taken.get(hit_id, 0) + 1
        if submitted:
            assert client.get_assignment(AssignmentId=assignment_id)["Assignment"]["AssignmentStatus"] == "Submitted"
    for hit_id, count in taken.items():  # accepted assignments are not shown to requesters: count them
        hit = client_for(url, owner_of[hit_id]).get_hit(HITId=hit_id)["HIT"]
        assert hit["MaxAssignments"] - hit["NumberOfAssignmentsAvailable"] >= count, hit_id


def read_worked(process: subprocess.Popen[str], worked: dict[str, tuple[str, bool]]) -> None:
    """The simulated workers' acknowledged actions, as the killed server printed them."""
    assert process.stdout is not None
    for line in process.stdout.read().splitlines():
        words = line.split()
        if words[0] == "accepted":
            worked[words[1]] = (words[2], False)
        elif words[0] == "submitted":
            worked[words[1]] = (worked[words[1]][0], True)


def test_sigkill_loses_no_acknowledged_write(tmp_path):
    state, rng = tmp_path / "state.db", random.Random(19)
    requesters = [Requester(f"AKIACRASH{number}") for number in range(THREADS)]
    worked: dict[str, tuple[str, bool]] = {}
    for round_number in range(ROUNDS):
        options = ["--workers", "--checkpoint-bytes", "30000", *(["--fork"] if round_number % 2 else [])]
        process, url = start(state, *options)
        try:
            verify(url, requesters, worked)
            stop, threads = load(url, requesters)
            time.sleep(rng.uniform(0.3, 1.2))
            process.send_signal(signal.SIGKILL)
            assert process.wait(TIMEOUT) == -signal.SIGKILL
            unload(stop, threads, requesters)
            read_worked(process, worked)
        finally:
            _end(process)
    assert sum(len(r.granted) + len(r.hits) for r in requesters) > 50 and worked  # the workload did run
    opened = store.Store(state)  # (not the files: a killed server's checkpoint writer may have left one)
    try:
        assert opened.checkpoint_seq > 0, "checkpoints were taken between the kills"
    finally:
        opened.close()
    process, url = start(state)
    try:
        verify(url, requesters, worked)
        process.send_signal(signal.SIGTERM)
        assert process.wait(TIMEOUT) == 0
    finally:
        _end(process)


def load(url: str, requesters: list[Requester]) -> tuple[threading.Event, list[threading.Thread]]:
    """One thread per requester driving the workload until ``stop`` is set or the server dies."""
    stop = threading.Event()
    for requester in requesters:
        client_for(url, requester.key)  # made here: boto3 clients made by several threads at once can fail
    threads = [threading.Thread(target=_until_killed, args=(url, requester, stop)) for requester in requesters]
    for thread in threads:
        thread.start()
    return stop, threads


def _until_killed(url: str, requester: Requester, stop: threading.Event) -> None:
    try:
        drive(url, requester, stop)
    except (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError):
        pass  # the server was killed: the request in flight stays in flight
    except Exception as exc:  # anything else is a failure of the test itself
        requester.error = exc


def unload(stop: threading.Event, threads: list[threading.Thread], requesters: list[Requester]) -> None:
    stop.set()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    errors = [requester.error for requester in requesters if requester.error is not None]
    assert not errors, errors


def _end(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(TIMEOUT)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


# -- torn and damaged journal tails ------------------------------------------------------------------


def _wal_frames(path: Path) -> tuple[int, list[bool]]:
    """The WAL's frame size and, per frame, whether it ends a transaction."""
    data = path.read_bytes()
    page_size = struct.unpack(">I", data[8:12])[0]
    frame = 24 + page_size
    commits = [struct.unpack(">I", data[32 + at + 4 : 32 + at + 8])[0] != 0 for at in range(0, len(data) - 32, frame)]
    return frame, commits


def _open_copy(pristine: Path, directory: Path, cut: int | None = None, keep: int | None = None):
    """Open a copy of the killed server's state: its WAL cut at ``cut``, or its journal kept up to ``keep``."""
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(pristine, directory)
    state = directory / "state.db"
    if cut is not None:
        os.truncate(f"{state}-wal", cut)
    if keep is not None:
        connection = sqlite3.connect(state)
        connection.execute("DELETE FROM journal WHERE seq > ?", (keep,))
        connection.commit()
        connection.close()
    handle = MTurkMock(marketplace="production")
    opened = open_state(state, handle)
    result = opened.journal.appended, opened.warnings, comparable(handle.world)
    crash(opened)
    return result


def test_a_torn_journal_tail_loads_up_to_the_last_complete_entry(tmp_path):
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    process, url = start(pristine / "state.db")
    try:
        requesters = [Requester(f"AKIATORN{number}") for number in range(3)]
        stop, threads = load(url, requesters)
        deadline = time.monotonic() + TIMEOUT
        while sum(requester.number for requester in requesters) < 120 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(TIMEOUT)
        unload(stop, threads, requesters)
    finally:
        _end(process)
    wal = pristine / "state.db-wal"
    frame, commits = _wal_frames(wal)
    assert sum(commits) > 10, "the journal's tail is in the write-ahead log"
    size, rng = wal.stat().st_size, random.Random(7)
    cuts = sorted({size, 32 + frame * commits.index(True) + frame, *(rng.randrange(33, size) for _ in range(6))})
    last = 0
    for cut in cuts:
        seq, warnings, world = _open_copy(pristine, tmp_path / "cut", cut=cut)
        clean = (cut - 32) % frame == 0 and commits[(cut - 32) // frame - 1]
        assert bool(warnings) != clean, (cut, warnings)
        if warnings:
            assert "incomplete or damaged write" in warnings[0] and "last complete entry" in warnings[0]
        assert seq >= last  # a longer log never loads less
        last = seq
        assert world == _open_copy(pristine, tmp_path / "reference", keep=seq)[2]  # exactly the first seq entries
    # Damage rather than a cut: the last frame's bytes overwritten.
    shutil.copytree(pristine, tmp_path / "damaged")
    with open(tmp_path / "damaged" / "state.db-wal", "r+b") as file:
        file.seek(size - 200)
        file.write(os.urandom(200))
    handle = MTurkMock(marketplace="production")
    damaged = open_state(tmp_path / "damaged" / "state.db", handle)
    assert damaged.warnings and "incomplete or damaged write" in damaged.warnings[0]
    assert damaged.journal.appended < last
    crash(damaged)
    assert json.loads(json.dumps(damaged.warnings))  # plain text, for the operator

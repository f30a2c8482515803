"""Start-up of `mturk-mock serve --state` on a large state, and what a checkpoint of it costs.

Run through bench_durable.py (``--no-throughput`` for this part alone). A state of G grants (over ten
qualification types) and H HITs (three assignments each, one requester) is built in this process through
the model and the request pipeline, then made durable. Printed: the checkpoint's size, the time a
checkpoint holds the server's lock (encoded in the server, or forked to a child), and the time from
launching `serve --state` until it answers: after a clean shutdown (all in the checkpoint) and after a
crash that left the longest journal the checkpoint policy lets grow (half the checkpoint's size), which is
replayed on start. Then ``journal_only``: G grants and H HITs made one API request each and replayed from
an empty checkpoint, as if no checkpoint had ever been taken.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from mturk_mock import MTurkMock
from mturk_mock.durable import open_state, snapshots
from mturk_mock.durable.journal import Journal
from mturk_mock.durable.store import Store
from mturk_mock.transport.pipeline import handle_request

QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://example.com/task</ExternalURL><FrameHeight>0</FrameHeight>'
    "</ExternalQuestion>"
)
REQUESTER = "AKIABENCH"


def _call(handle: MTurkMock, operation: str, request: dict[str, object]) -> dict[str, object]:
    answer = handle_request(handle, "sandbox", REQUESTER, operation, json.dumps(request).encode())
    if answer.status != 200:
        raise RuntimeError(f"{operation} failed: {answer.body!r}")
    return json.loads(answer.body)  # type: ignore[no-any-return]


def build(grants: int, hits: int) -> tuple[MTurkMock, list[str]]:
    handle = MTurkMock(record_calls=False)
    types = []
    for number in range(10):
        created = _call(
            handle,
            "CreateQualificationType",
            {"Name": f"type {number}", "Description": "d", "QualificationTypeStatus": "Active"},
        )
        types.append(created["QualificationType"]["QualificationTypeId"])  # type: ignore[index]
    per_type = grants // len(types)
    for number, type_id in enumerate(types):
        pairs = ((f"A{number:02d}{worker:011d}", worker % 100) for worker in range(per_type))
        handle.grant_qualifications(type_id, pairs)
    for number in range(hits):
        _call(
            handle,
            "CreateHIT",
            {
                "Title": "Label an image", "Description": "d", "Reward": "0.10", "AssignmentDurationInSeconds": 600,
                "LifetimeInSeconds": 30 * 86400, "MaxAssignments": 3, "Question": QUESTION,
                "RequesterAnnotation": str(number),
            },
        )  # fmt: skip
    return handle, types


def serve_until_answering(path: str) -> tuple[float, str]:
    """Seconds from launching `serve --state` until it listens (it loads first), and what it said."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "mturk_mock", "serve", "--port", "0", "--state", path],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    loaded = process.stdout.readline().strip()
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"serve did not start: {line!r} {process.communicate()[1]!r}")
    process.terminate()
    process.wait(600)
    return elapsed, loaded


def checkpoint_pauses(handle: MTurkMock, directory: str) -> tuple[float, float]:
    """Seconds the lock is held by a checkpoint encoded in the server, and by one forked to a child."""
    world = handle.world
    with world.lock:
        started = time.perf_counter()
        snapshots.encode(world)
        in_server = time.perf_counter() - started
    if not snapshots.can_fork():
        return in_server, float("nan")
    with world.lock:
        started = time.perf_counter()
        pid = snapshots.fork_writer(world, os.path.join(directory, "forked.json"))
        forked = time.perf_counter() - started
    os.waitpid(pid, 0)
    return in_server, forked


def startup(grants: int, hits: int, directory: str) -> None:
    print(f"\nStart-up with {grants:,} grants and {hits:,} HITs", flush=True)
    started = time.perf_counter()
    handle, types = build(grants, hits)
    print(f"built in this process in {time.perf_counter() - started:.1f} s", flush=True)
    in_server, forked = checkpoint_pauses(handle, directory)
    path = os.path.join(directory, "large.db")
    open_state(path, handle).close()
    opened = Store(path)
    size = os.path.getsize(opened.checkpoint_file)
    opened.close()
    print(f"checkpoint: {size / 1e6:.0f} MB; taking one holds the server's lock {forked * 1000:.0f} ms (a forked child")
    print(f"writes it; {in_server:.2f} s where the platform cannot fork: encoded in the server)", flush=True)
    report("after a clean shutdown (all in the checkpoint)", path)

    # The longest journal the policy allows: entries until their weight is half the checkpoint's size.
    writer = MTurkMock(record_calls=False)
    state = open_state(path, writer, checkpoint_bytes=1 << 62)
    journal: Journal = state.journal
    entries = 0
    while journal.journal_bytes < size // 2:
        for _ in range(1000):
            entries += 1
            grant = {"QualificationTypeId": types[entries % 10], "WorkerId": f"AZ{entries:012d}", "IntegerValue": 5}
            _call(writer, "AssociateQualificationWithWorker", grant)
        journal.wait(journal.appended)
    journal.close(checkpoint=False)  # as a killed server leaves it
    report(f"after a crash, the checkpoint and the longest journal the policy lets grow ({entries:,} grants)", path)


def journal_only(grants: int, hits: int, directory: str) -> None:
    """The journal the issue names: each grant and HIT an API request of its own, all replayed on start from
    an empty checkpoint. The checkpoint policy never lets a journal grow this long; this is what it avoids."""
    path = os.path.join(directory, "journal-only.db")
    writer = MTurkMock(record_calls=False)
    state = open_state(path, writer, checkpoint_bytes=1 << 62)
    journal: Journal = state.journal
    body = {"Name": "only", "Description": "d", "QualificationTypeStatus": "Active"}
    type_id = _call(writer, "CreateQualificationType", body)["QualificationType"]["QualificationTypeId"]  # type: ignore[index]
    for number in range(grants):
        _call(
            writer,
            "AssociateQualificationWithWorker",
            {"QualificationTypeId": type_id, "WorkerId": f"AY{number:012d}", "IntegerValue": 5},
        )
        if number % 1000 == 0:
            journal.wait(journal.appended)
    for number in range(hits):
        _call(
            writer,
            "CreateHIT",
            {
                "Title": "Label an image", "Description": "d", "Reward": "0.10", "AssignmentDurationInSeconds": 600,
                "LifetimeInSeconds": 30 * 86400, "MaxAssignments": 3, "Question": QUESTION,
                "RequesterAnnotation": str(number),
            },
        )  # fmt: skip
        if number % 1000 == 0:
            journal.wait(journal.appended)
    journal.close(checkpoint=False)
    size = sum(os.path.getsize(f"{path}{suffix}") for suffix in ("", "-wal") if os.path.exists(f"{path}{suffix}"))
    report(f"a journal of {grants:,} grants and {hits:,} HITs, no checkpoint ({size / 1e6:.0f} MB)", path)


def report(what: str, path: str) -> None:
    elapsed, said = serve_until_answering(path)
    loading = said.rsplit(" in ", 1)[-1]
    print(f"{what}: serving {elapsed:.1f} s after launch (loading {loading})", flush=True)

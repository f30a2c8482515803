"""Durable server state (issue 19): a journal replayed on start rebuilds exactly the acknowledged state.

A server is served in this process over HTTP (127.0.0.1 only); a "crash" closes the journal without a last
checkpoint, and a new handle opens the same state. Every entry point that changes state is exercised:
API writes, simulated workers, the handle's helpers and the clock.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

import mturk_mock
from mturk_mock import MTurkMock, MTurkServer
from mturk_mock.durable import StateError, open_state, snapshots, store
from mturk_mock.model.snapshot import dump_world
from mturk_mock.transport.pipeline import handle_request

from .samples import ANSWER_KEY, EXTERNAL_QUESTION, TEST
from .test_server import TARGET, post

OWNER = "AKIAOWNER"
START = 1_800_000_000


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    assert mturk_mock.current() is None, "an active mock would answer boto3 in-process"


def client_for(server: MTurkServer, key: str = OWNER):
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=30, read_timeout=30)
    return boto3.session.Session().client(
        "mturk", region_name="us-east-1", endpoint_url=server.url, aws_access_key_id=key,
        aws_secret_access_key="x", config=config,
    )  # fmt: skip


def crash(state) -> None:
    """What a killed server leaves: the journal as written, no last checkpoint."""
    state.journal.close(checkpoint=False)
    state.journal.world.journal = None
    state.journal.world.outbox.gate = None


def comparable(world) -> dict:
    """The state, settled at the (frozen) clock; the count of pagination tokens handed out is not state."""
    world.settle_all()
    data = dump_world(world)
    del data["serial"]
    return data


def workload(mturk: MTurkMock, server: MTurkServer) -> dict:
    """Every kind of entry point, through the server and the handle; what to look at afterwards."""
    client = client_for(server)
    mturk.clock.freeze(START)
    keyed = client.create_qualification_type(
        Name="keyed", Description="d", QualificationTypeStatus="Active", Test=TEST, AnswerKey=ANSWER_KEY,
        TestDurationInSeconds=60, RetryDelayInSeconds=10,
    )["QualificationType"]["QualificationTypeId"]  # fmt: skip
    manual = client.create_qualification_type(Name="manual", Description="d", QualificationTypeStatus="Active")[
        "QualificationType"
    ]["QualificationTypeId"]
    for number in range(6):
        client.associate_qualification_with_worker(
            QualificationTypeId=manual, WorkerId=f"A{number:013d}", IntegerValue=number, SendNotification=True
        )
    client.disassociate_qualification_from_worker(QualificationTypeId=manual, WorkerId="A0000000000001", Reason="r")
    mturk.grant_qualifications(manual, {f"A9{number:012d}": number for number in range(20)})
    mturk.worker("A3333333333333").request_qualification(keyed, answers={"sky": "blue", "primaries": ["r", "g"]})
    pending = mturk.worker("A4444444444444", country="DE", adult=True).request_qualification(manual)
    attempt = mturk.worker("A5555555555555").start_test(keyed)
    mturk.clock.advance(30)
    attempt.submit({"sky": "green", "primaries": ["r"]})
    client.reject_qualification_request(QualificationRequestId=pending.request_id, Reason="no")
    mturk.add_hit_layout("LAYOUT1", "<p>${word}</p>")
    mturk.set_requester_identity(OWNER, source_account="123456789012", customer_id="A1234567890123")
    hit = client.create_hit(
        Title="t", Description="d", Reward="0.25", AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
        MaxAssignments=3, Question=EXTERNAL_QUESTION, AutoApprovalDelayInSeconds=7200,
    )["HIT"]["HITId"]  # fmt: skip
    client.create_hit(
        Title="layout", Description="d", Reward="0.10", AssignmentDurationInSeconds=600, LifetimeInSeconds=600,
        HITLayoutId="LAYOUT1", HITLayoutParameters=[{"Name": "word", "Value": "cat"}],
    )  # fmt: skip
    worker = mturk.worker()  # a new ID, drawn from the journaled ID stream
    worker.history(approved=40, rejected=2)
    done = worker.accept(hit)
    mturk.clock.advance(45)
    done.submit({"label": "cat", "colours": ["red", "blue"]})
    other = mturk.worker()
    other.accept(hit).return_()
    late = mturk.worker().accept(hit)  # abandoned: its deadline passes in the clock moves below
    client.approve_assignment(AssignmentId=done.assignment_id, RequesterFeedback="thanks")
    client.send_bonus(
        WorkerId=worker.worker_id, BonusAmount="1.50", AssignmentId=done.assignment_id, Reason="great",
        UniqueRequestToken="bonus-1",
    )  # fmt: skip
    client.create_worker_block(WorkerId=other.worker_id, Reason="returned")
    with pytest.raises(client.exceptions.RequestError):  # refused writes are journaled too
        client.approve_assignment(AssignmentId=done.assignment_id)
    mturk.world.set_search_lag(5)
    mturk.clock.advance(days=1)  # expiries, the abandoned assignment, auto-approval
    client.update_expiration_for_hit(HITId=hit, ExpireAt=START + 10 * 86400)
    token = client.list_workers_with_qualification_type(QualificationTypeId=manual, MaxResults=2)["NextToken"]
    post(
        server.url,
        json.dumps({"Name": "elsewhere", "Description": "d", "QualificationTypeStatus": "Active"}).encode(),
        {"X-Amz-Target": TARGET + "CreateQualificationType", "Host": "mturk-requester.us-east-1.amazonaws.com"},
    )
    assert late.status == "Abandoned"
    return {"manual": manual, "hit": hit, "token": token}


def _replayed(path, checkpoint_bytes=None, fork=False, monkeypatch=None) -> None:
    if fork:
        monkeypatch.setattr(snapshots, "FORK_BYTES", 0)
    mturk = MTurkMock()
    state = open_state(path, mturk, checkpoint_bytes=checkpoint_bytes)
    with MTurkServer(mturk) as server:
        seen = workload(mturk, server)
    before = comparable(mturk.world)
    taken = state.journal.store.checkpoint_seq  # checkpoints adopted while the server ran
    crash(state)
    if checkpoint_bytes is not None:
        assert taken > 0, "the journal was checkpointed while the server ran"

    restored = MTurkMock()
    again = open_state(path, restored)
    try:
        assert again.warnings == []
        assert comparable(restored.world) == before
        with MTurkServer(restored) as server:
            client = client_for(server)
            page = client.list_workers_with_qualification_type(
                QualificationTypeId=seen["manual"], MaxResults=2, NextToken=seen["token"]
            )  # a pagination token from before the crash still pages on
            assert [grant["WorkerId"] for grant in page["Qualifications"]] == ["A0000000000003", "A0000000000004"]
            hit = restored.hit(seen["hit"])  # approved, returned, abandoned (its deadline passed)
            assert (hit.completed, hit.pending, hit.available) == (1, 0, 2)
            assert restored.clock.now() == START + 75 + 86400 and restored.clock.frozen
        body = json.dumps({"Name": "next", "Description": "d", "QualificationTypeStatus": "Active"}).encode()
        ids = [  # the ID streams go on where they were: the next entity gets the same ID in both
            json.loads(handle_request(handle, "sandbox", OWNER, "CreateQualificationType", body).body)
            for handle in (mturk, restored)
        ]
        assert ids[0]["QualificationType"]["QualificationTypeId"] == ids[1]["QualificationType"]["QualificationTypeId"]
    finally:
        again.close()


def test_replay_rebuilds_exactly_the_acknowledged_state(tmp_path):
    _replayed(tmp_path / "state.db")


def test_replay_is_exact_across_checkpoints(tmp_path):
    _replayed(tmp_path / "state.db", checkpoint_bytes=2000)  # a checkpoint every few entries
    files = sorted(os.listdir(tmp_path))
    assert files[0] == "state.db" and len([name for name in files if ".checkpoint-" in name]) == 1, files


@pytest.mark.skipif(not snapshots.can_fork(), reason="checkpoints by a child process need fork")
def test_replay_is_exact_across_checkpoints_written_by_a_child(tmp_path, monkeypatch):
    _replayed(tmp_path / "state.db", checkpoint_bytes=2000, fork=True, monkeypatch=monkeypatch)


def test_a_json_state_file_is_imported_and_kept_beside(tmp_path):
    path = tmp_path / "market.json"
    with mturk_mock.mock_mturk(seed=3) as mturk:
        boto3.client("mturk", region_name="sandbox").create_qualification_type(
            Name="kept", Description="d", QualificationTypeStatus="Active"
        )
        mturk.save_state(path)
        saved = comparable(mturk.world)
    original = path.read_bytes()
    handle = MTurkMock()
    state = open_state(path, handle)
    try:
        assert state.imported == f"{path}.before-journal.json"
        assert (tmp_path / "market.json.before-journal.json").read_bytes() == original
        assert comparable(handle.world) == saved
        assert store.sniff(path) == "sqlite"
    finally:
        state.close()
    loaded = MTurkMock()
    loaded.load_state(path)  # load_state reads a durable state too
    assert comparable(loaded.world) == saved


def test_load_state_on_a_torn_database_warns_that_it_loaded_less(tmp_path):
    live, copy = tmp_path / "live", tmp_path / "copy"
    live.mkdir()
    copy.mkdir()
    mturk = MTurkMock()
    state = open_state(live / "state.db", mturk)
    for number in range(5):
        mturk.worker(f"A{number:013d}")
    for name in os.listdir(live):  # what a killed server leaves: the write-ahead log holds the entries
        shutil.copyfile(live / name, copy / name)
    crash(state)
    wal = copy / "state.db-wal"
    with open(wal, "r+b") as file:
        file.truncate(wal.stat().st_size - 100)  # the last write cut short
    loaded = MTurkMock()
    with pytest.warns(RuntimeWarning, match="incomplete or damaged write.*loaded up to the last complete entry"):
        loaded.load_state(copy / "state.db")
    workers = loaded.world.marketplace("sandbox").workers.registered
    assert 0 < len(workers) < 5


def test_refusals_say_why_and_touch_nothing(tmp_path):
    path = tmp_path / "state.db"
    open_state(path, MTurkMock()).close()
    with pytest.raises(StateError, match="state of a sandbox server, not production.*--marketplace sandbox"):
        open_state(path, MTurkMock(), marketplace="production")
    state = open_state(path, MTurkMock())
    with pytest.raises(StateError, match="in use by another mturk-mock server"):
        open_state(path, MTurkMock())
    state.close()

    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value='mturk_mock-journal/9' WHERE key='format'")
    connection.close()
    with pytest.raises(StateError, match="format 'mturk_mock-journal/9'.*newer mturk_mock"):
        open_state(path, MTurkMock())
    for content in (b"not a state", b"SQLite format 3\x00" + b"\x00" * 200):
        garbage = tmp_path / "garbage"
        garbage.write_bytes(content)
        with pytest.raises(StateError):
            open_state(garbage, MTurkMock())
        assert garbage.read_bytes() == content
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StateError, match="not a mturk_mock state"):
        open_state(tmp_path / "other.db", MTurkMock())


def test_a_missing_checkpoint_or_an_unknown_entry_is_refused(tmp_path):
    path = tmp_path / "state.db"
    open_state(path, MTurkMock()).close()
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO journal VALUES (99, 'worker.teleport', 0, 1, '[\"worker\", {}]', '[[], {}]')")
    connection.close()
    with pytest.raises(StateError, match="worker.teleport.*upgrade mturk_mock"):
        open_state(path, MTurkMock())
    (checkpoint,) = [name for name in os.listdir(tmp_path) if ".checkpoint-" in name]
    os.unlink(tmp_path / checkpoint)
    with pytest.raises(StateError, match="checkpoint .* is missing"):
        open_state(path, MTurkMock())


def test_a_failed_journal_acknowledges_nothing_more_and_a_restart_recovers(tmp_path, monkeypatch):
    path = tmp_path / "state.db"
    mturk = MTurkMock()
    state = open_state(path, mturk)
    with MTurkServer(mturk) as server:
        client = client_for(server)
        kept = client.create_qualification_type(Name="kept", Description="d", QualificationTypeStatus="Active")
        broken = threading.Event()

        def write(rows, checkpoint=None):
            broken.set()
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(state.journal.store, "write", write)
        with pytest.raises(Exception) as lost:  # the connection closes without an answer
            client.create_qualification_type(Name="lost", Description="d", QualificationTypeStatus="Active")
        assert broken.is_set() and "lost" not in str(lost.value)
        assert state.failed == "OSError: [Errno 28] No space left on device"
        status, _headers, body = post(server.url, b"{}", {"X-Amz-Target": TARGET + "GetAccountBalance"})
        assert status == 503 and b"state journal failed" in body
        with pytest.raises(RuntimeError, match="state journal failed"):
            mturk.worker()
    state.close()
    monkeypatch.undo()
    restored = MTurkMock()
    again = open_state(path, restored)
    names = [qual.name for qual in restored.world.marketplace("sandbox").qualification_types.by_id.values()]
    again.close()
    assert kept["QualificationType"]["Name"] in names and "lost" not in names


def test_work_a_read_settles_replays_at_the_same_point_across_marketplaces(tmp_path):
    """A review policy's action draws an ID when a sandbox read settles it; a production write comes next.
    The World's one ID stream serves both marketplaces, so replay must apply that settle where it happened
    for the production type to keep the ID it was acknowledged with."""
    path = tmp_path / "state.db"
    mturk = MTurkMock()
    state = open_state(path, mturk)
    mturk.clock.freeze(START)
    policy = {
        "PolicyName": "ScoreMyKnownAnswers/2011-09-01",
        "Parameters": [
            {"Key": "AnswerKey", "MapEntries": [{"Key": "colour", "Values": ["blue"]}]},
            {"Key": "ApproveIfKnownAnswerScoreIsAtLeast", "Values": ["100"]},
        ],
    }
    with MTurkServer(mturk) as server:
        client = client_for(server)
        hit_id = client.create_hit(
            Title="t", Description="d", Reward="0.25", AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
            MaxAssignments=3, Question=EXTERNAL_QUESTION, AssignmentReviewPolicy=policy,
        )["HIT"]["HITId"]  # fmt: skip
        mturk.worker("A1234567890123").accept(hit_id).submit({"colour": "blue"})
        client.get_account_balance()  # settles the sandbox: the policy approves, drawing an action ID
        body = json.dumps({"Name": "p1", "Description": "d", "QualificationTypeStatus": "Active"}).encode()
        production = "mturk-requester.us-east-1.amazonaws.com"
        headers = {"X-Amz-Target": TARGET + "CreateQualificationType", "Host": production}
        status, _headers, answer = post(server.url, body, headers)
        assert status == 200
    acknowledged = json.loads(answer)["QualificationType"]["QualificationTypeId"]
    before = comparable(mturk.world)
    crash(state)
    restored = MTurkMock()
    again = open_state(path, restored)
    try:
        assert acknowledged in restored.world.marketplace("production").qualification_types.by_id
        assert comparable(restored.world) == before
    finally:
        again.close()


def test_a_notification_goes_out_only_once_its_change_is_durable(tmp_path, monkeypatch):
    mturk = MTurkMock()
    state = open_state(tmp_path / "state.db", mturk)
    email = {"Destination": "requester@example.com", "Transport": "Email", "Version": "2006-05-05"}
    with MTurkServer(mturk) as server:
        client = client_for(server)
        client.send_test_event_notification(Notification={**email, "EventTypes": ["Ping"]}, TestEventType="Ping")
        assert len(mturk.events.wait_for(count=1, timeout=10)) == 1

        def write(rows, checkpoint=None):
            time.sleep(0.2)  # a slow disk, then a full one: the notice is ready long before the commit fails
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(state.journal.store, "write", write)
        with pytest.raises((ConnectionClosedError, ClientError)):  # no answer; a retry is refused (503)
            client.send_test_event_notification(Notification={**email, "EventTypes": ["Ping"]}, TestEventType="Ping")
        time.sleep(0.3)
        assert len(mturk.events) == 1  # the second message announced a change that was lost: never sent
    state.close()


def test_reset_load_state_clock_and_settings_survive_a_crash(tmp_path):
    saved = tmp_path / "saved.json"
    with mturk_mock.mock_mturk() as prepared:
        prepared.worker("A7777777777777", country="FR")
        prepared.save_state(saved)
    mturk = MTurkMock()
    state = open_state(tmp_path / "state.db", mturk)
    mturk.worker("A6666666666666")
    mturk.reset()
    mturk.load_state(saved)
    mturk.clock.freeze(START)
    mturk.clock.unfreeze()
    mturk.clock.advance(days=2)
    mturk.world.set_search_lag(9)
    before = dump_world(mturk.world)
    crash(state)
    restored = MTurkMock()
    again = open_state(tmp_path / "state.db", restored)
    after = dump_world(restored.world)
    again.close()
    assert after["marketplaces"] == before["marketplaces"] and after["settings"]["search_lag"] == 9
    assert after["clock"] == before["clock"]  # running, two days ahead of real time
    workers = after["marketplaces"]["sandbox"]["workers"]["registered"]
    assert workers == ["A7777777777777"]


def test_durable_state_is_for_servers_only(tmp_path):
    mturk = MTurkMock()
    earlier = mturk.crowd(3)  # made before the state became durable
    state = open_state(tmp_path / "state.db", mturk)
    try:
        with pytest.raises(RuntimeError, match="durable server"):
            mturk.start()
        with pytest.raises(RuntimeError, match="crowd cannot work on a durable"):
            mturk.crowd(3)
        with pytest.raises(RuntimeError, match="crowd cannot work on a durable"):
            earlier.run(hours=1)
        with pytest.raises(TypeError, match="cannot journal"):
            mturk.grant_qualifications("X" * 30, {"A1234567890123": object()})  # type: ignore[dict-item]
    finally:
        state.close()
    with mturk:  # once closed, the World is in memory only again
        pass


@pytest.mark.skipif(not snapshots.can_fork(), reason="checkpoints by a child process need fork")
def test_a_checkpoint_writer_outliving_its_server_writes_nothing(tmp_path):
    """A killed server's child must not finish its checkpoint: it would only take a core from the restarted
    server, and a file the restarted server does not know."""
    target = tmp_path / "state.db.checkpoint-9-orphan.json"
    script = f"""
import os, time
from mturk_mock import MTurkMock
from mturk_mock.durable import snapshots
encode = snapshots.encode
snapshots.encode = lambda world: (time.sleep(0.5), encode(world))[1]  # the child is still encoding when
handle = MTurkMock()
handle.worker("A1234567890123")
snapshots.fork_writer(handle.world, {str(target)!r})
os._exit(0)  # the server dies
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    time.sleep(1.5)  # the child would have written by now
    assert os.listdir(tmp_path) == []

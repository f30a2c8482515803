"""State files (issue 11, requirement 7): a file written by mturk_mock 0.1.0 (format version 1) loads
and keeps working, a newer format is refused clearly, a writer killed mid-save leaves the old file
intact and its temporary file is removed by the next save, and `mturk-mock serve --state` saves
cleanly through a second Ctrl-C."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from mturk_mock import MTurkMock, WorkerError
from mturk_mock.durable import open_state
from mturk_mock.model import snapshot
from mturk_mock.model.snapshot import dump_world

from .helpers import create_type, request_error, requester_client
from .samples import ANSWER_KEY, TEST
from .test_server import TARGET, TIMEOUT, post

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
KEYED, MANUAL, TIMED, GONE = (
    "3LFXCTNCSBPCDP3EIW8UO9B4KFEL3G",
    "3UXNTCCHYPLVQK2ZIUS50K9EP1FRBY",
    "31U5LZVUQ48RXCZX93KNYAQGEC1EIO",
    "35CQT535KOM58FGIIRVJAPNU8YSWYB",
)
PENDING, STARTED = "3RDDMJ3FA8TFTAT95ZJNG1T2LI3943", "330ISMBBKJY8Q798NHIHHW64RX2DX6"
ELSEWHERE = "321RG2L28OO80GEF63F39XMTEA8XS7"
SAVED_AT = 1_800_000_015.0
RIGHT_ANSWERS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<QuestionFormAnswers xmlns="http://mechanicalturk.'
    'amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"><Answer><QuestionIdentifier>sky'
    "</QuestionIdentifier><SelectionIdentifier>blue</SelectionIdentifier></Answer><Answer><QuestionIdentifier>"
    "primaries</QuestionIdentifier><SelectionIdentifier>r</SelectionIdentifier><SelectionIdentifier>g"
    "</SelectionIdentifier></Answer></QuestionFormAnswers>"
)

# What mturk_mock 0.1.0 (commit d6f59e7, model/snapshot.py, FORMAT "mturk_mock/1") wrote for this script,
# run with that release: a frozen clock, World(seed=7, name_reservation=3600, production_balance="500.00");
# AKIAOWNER creates "keyed" (test, answer key, 60 s, retry 10 s), "manual" (keywords), "timed" (test without
# key, 600 s, retry 30 s) and "gone"; grants manual to A111... (4, then revoked with a reason) and A222...;
# +5 s A333... answers keyed (70); +5 s A444... requests manual (pending); +5 s A555... starts timed's test;
# "gone" is deleted; in production AKIAOTHER creates "elsewhere" and has a balance of 12.34; A666... is
# registered. json.dumps(VERSION_1, ensure_ascii=False) is byte for byte the file 0.1.0 wrote.
VERSION_1 = {
    "format": "mturk_mock/1",
    "clock": {"offset": 0.0, "frozen_at": 1800000015.0},
    "options": {"production_balance": "500.00", "name_reservation": 3600, "known_workers": "any"},
    "serial": 0,
    "notifications": [
        {
            "marketplace": "sandbox",
            "worker_id": "A1111111111111",
            "kind": "granted",
            "type_id": "3UXNTCCHYPLVQK2ZIUS50K9EP1FRBY",
            "subject": "Qualification granted: manual",
            "text": "You have been granted the qualification manual.",
        },
        {
            "marketplace": "sandbox",
            "worker_id": "A1111111111111",
            "kind": "revoked",
            "type_id": "3UXNTCCHYPLVQK2ZIUS50K9EP1FRBY",
            "subject": "Qualification revoked: manual",
            "text": "r",
        },
    ],
    "marketplaces": {
        "sandbox": {
            "balances": {},
            "workers": ["A3333333333333", "A4444444444444", "A5555555555555", "A6666666666666"],
            "qualification_types": [
                {
                    "type_id": "3LFXCTNCSBPCDP3EIW8UO9B4KFEL3G",
                    "owner": "AKIAOWNER",
                    "name": "keyed",
                    "description": "Screens workers for a task",
                    "status": "Active",
                    "created": 1800000000.0,
                    "keywords": None,
                    "retry_delay": 10,
                    "test": TEST,
                    "test_duration": 60,
                    "answer_key": ANSWER_KEY,
                    "auto_granted": False,
                    "auto_granted_value": 1,
                    "requestable": True,
                    "deleted": False,
                },
                {
                    "type_id": "3UXNTCCHYPLVQK2ZIUS50K9EP1FRBY",
                    "owner": "AKIAOWNER",
                    "name": "manual",
                    "description": "Screens workers for a task",
                    "status": "Active",
                    "created": 1800000000.0,
                    "keywords": "colour, vision",
                    "retry_delay": None,
                    "test": None,
                    "test_duration": None,
                    "answer_key": None,
                    "auto_granted": False,
                    "auto_granted_value": 1,
                    "requestable": True,
                    "deleted": False,
                },
                {
                    "type_id": "31U5LZVUQ48RXCZX93KNYAQGEC1EIO",
                    "owner": "AKIAOWNER",
                    "name": "timed",
                    "description": "Screens workers for a task",
                    "status": "Active",
                    "created": 1800000000.0,
                    "keywords": None,
                    "retry_delay": 30,
                    "test": TEST,
                    "test_duration": 600,
                    "answer_key": None,
                    "auto_granted": False,
                    "auto_granted_value": 1,
                    "requestable": True,
                    "deleted": False,
                },
                {
                    "type_id": "35CQT535KOM58FGIIRVJAPNU8YSWYB",
                    "owner": "AKIAOWNER",
                    "name": "gone",
                    "description": "Screens workers for a task",
                    "status": "Active",
                    "created": 1800000000.0,
                    "keywords": None,
                    "retry_delay": None,
                    "test": None,
                    "test_duration": None,
                    "answer_key": None,
                    "auto_granted": False,
                    "auto_granted_value": 1,
                    "requestable": True,
                    "deleted": True,
                },
            ],
            "names": [
                ["AKIAOWNER", "keyed", None],
                ["AKIAOWNER", "manual", None],
                ["AKIAOWNER", "timed", None],
                ["AKIAOWNER", "gone", 1800003615.0],
            ],
            "grants": {
                "3UXNTCCHYPLVQK2ZIUS50K9EP1FRBY": {
                    "Granted": [["A2222222222222", 1, 1800000000.0]],
                    "Revoked": [["A1111111111111", 4, 1800000000.0]],
                },
                "3LFXCTNCSBPCDP3EIW8UO9B4KFEL3G": {"Granted": [["A3333333333333", 70, 1800000005.0]], "Revoked": []},
            },
            "requests": [
                {
                    "request_id": "36252OODWCCHFMBAFDNA5WFJMNE49Q",
                    "type_id": "3LFXCTNCSBPCDP3EIW8UO9B4KFEL3G",
                    "owner": "AKIAOWNER",
                    "worker_id": "A3333333333333",
                    "status": "Granted",
                    "started_at": 1800000005.0,
                    "submit_time": 1800000005.0,
                    "test": TEST,
                    "answer": RIGHT_ANSWERS_XML,
                    "reason": None,
                },
                {
                    "request_id": "3RDDMJ3FA8TFTAT95ZJNG1T2LI3943",
                    "type_id": "3UXNTCCHYPLVQK2ZIUS50K9EP1FRBY",
                    "owner": "AKIAOWNER",
                    "worker_id": "A4444444444444",
                    "status": "Pending",
                    "started_at": 1800000010.0,
                    "submit_time": 1800000010.0,
                    "test": None,
                    "answer": None,
                    "reason": None,
                },
                {
                    "request_id": "330ISMBBKJY8Q798NHIHHW64RX2DX6",
                    "type_id": "31U5LZVUQ48RXCZX93KNYAQGEC1EIO",
                    "owner": "AKIAOWNER",
                    "worker_id": "A5555555555555",
                    "status": "Started",
                    "started_at": 1800000015.0,
                    "submit_time": 1800000015.0,
                    "test": TEST,
                    "answer": None,
                    "reason": None,
                },
            ],
            "pending": ["3RDDMJ3FA8TFTAT95ZJNG1T2LI3943"],
        },
        "production": {
            "balances": {"AKIAOTHER": "12.34"},
            "workers": [],
            "qualification_types": [
                {
                    "type_id": "321RG2L28OO80GEF63F39XMTEA8XS7",
                    "owner": "AKIAOTHER",
                    "name": "elsewhere",
                    "description": "Screens workers for a task",
                    "status": "Active",
                    "created": 1800000015.0,
                    "keywords": None,
                    "retry_delay": None,
                    "test": None,
                    "test_duration": None,
                    "answer_key": None,
                    "auto_granted": False,
                    "auto_granted_value": 1,
                    "requestable": True,
                    "deleted": False,
                }
            ],
            "names": [["AKIAOTHER", "elsewhere", None]],
            "grants": {},
            "requests": [],
            "pending": [],
        },
    },
}


def _write_version_1(path) -> None:
    path.write_text(json.dumps(VERSION_1, ensure_ascii=False), encoding="utf-8")


def test_a_version_1_state_loads_and_keeps_working(tmp_path):
    path = tmp_path / "old.json"
    _write_version_1(path)
    mock = MTurkMock()
    mock.load_state(path)
    assert mock.clock.frozen and mock.clock.now() == SAVED_AT
    market = mock.world.marketplace("sandbox")
    assert market.requests.by_id[STARTED].deadline == SAVED_AT + 600  # measured from the type's duration
    assert [note.kind for note in mock.notifications] == ["granted", "revoked"]
    with mock:
        owner = requester_client("AKIAOWNER")
        names = owner.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=True)
        assert [qual["Name"] for qual in names["QualificationTypes"]] == ["keyed", "manual", "timed"]
        keyed = owner.get_qualification_type(QualificationTypeId=KEYED)["QualificationType"]
        assert (keyed["AnswerKey"], keyed["Test"], keyed["RetryDelayInSeconds"]) == (ANSWER_KEY, TEST, 10)
        assert keyed["CreationTime"].timestamp() == SAVED_AT - 15
        manual = owner.get_qualification_type(QualificationTypeId=MANUAL)["QualificationType"]
        assert manual["Keywords"] == "colour, vision" and "RetryDelayInSeconds" not in manual
        request_error(
            lambda: owner.get_qualification_type(QualificationTypeId=GONE), "QualificationTypeDoesNotExist", "Qual"
        )
        revoked = owner.list_workers_with_qualification_type(QualificationTypeId=MANUAL, Status="Revoked")
        assert [(q["WorkerId"], q["IntegerValue"]) for q in revoked["Qualifications"]] == [("A1111111111111", 4)]
        granted = owner.list_workers_with_qualification_type(QualificationTypeId=MANUAL)
        assert [q["WorkerId"] for q in granted["Qualifications"]] == ["A2222222222222"]
        score = owner.get_qualification_score(QualificationTypeId=KEYED, WorkerId="A3333333333333")
        assert score["Qualification"]["IntegerValue"] == 70
        (request,) = owner.list_qualification_requests()["QualificationRequests"]
        assert (request["QualificationRequestId"], request["WorkerId"]) == (PENDING, "A4444444444444")

        # The started test keeps its time limit and expires through the clock, then may be retaken.
        taker = mock.worker("A5555555555555")
        with pytest.raises(WorkerError, match="open request"):
            taker.start_test(TIMED)
        mock.clock.advance(600.001)
        owner.get_account_balance()
        assert market.requests.by_id[STARTED].status == "Expired"
        assert taker.start_test(TIMED).submit({"sky": "blue"}).status == "Pending"

        owner.accept_qualification_request(QualificationRequestId=PENDING, IntegerValue=9)
        score = owner.get_qualification_score(QualificationTypeId=MANUAL, WorkerId="A4444444444444")
        assert score["Qualification"]["IntegerValue"] == 9
        assert mock.worker().request_qualification(KEYED, answers={"sky": "blue"}).value == 40  # the parsed key
        with pytest.raises(owner.exceptions.RequestError, match="already created"):
            create_type(owner, "gone")  # its name is reserved until an hour after the deletion
        mock.clock.advance(3000)
        create_type(owner, "gone")

        other = requester_client("AKIAOTHER", "production")
        assert other.get_account_balance()["AvailableBalance"] == "12.34"
        assert requester_client("AKIANEW", "production").get_account_balance()["AvailableBalance"] == "500.00"
        owned = other.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=True)
        assert [qual["QualificationTypeId"] for qual in owned["QualificationTypes"]] == [ELSEWHERE]

    # Saved again, it is a current file that loads back to the same state.
    mock.save_state(tmp_path / "new.json")
    assert json.loads((tmp_path / "new.json").read_text())["format"] == snapshot.FORMAT
    again = MTurkMock()
    again.load_state(tmp_path / "new.json")
    assert dump_world(again.world) == dump_world(mock.world)


def test_a_damaged_version_1_state_is_refused(tmp_path):
    path = tmp_path / "old.json"
    damaged = json.loads(json.dumps(VERSION_1))
    del damaged["marketplaces"]["sandbox"]["pending"]
    path.write_text(json.dumps(damaged))
    with pytest.raises(ValueError, match="damaged mturk_mock state"):
        MTurkMock().load_state(path)


@pytest.mark.parametrize("version", [snapshot.VERSION + 1, 999])
def test_a_state_of_a_newer_version_is_refused_with_a_clear_message(tmp_path, version):
    path = tmp_path / "future.json"
    content = json.dumps({"format": f"mturk_mock/{version}", "marketplaces": {}, "something": "new"})
    path.write_text(content)
    expected = f"format 'mturk_mock/{version}'; this version of mturk_mock reads mturk_mock/1 to {snapshot.FORMAT}"
    with pytest.raises(ValueError, match="upgrade mturk_mock to load it") as raised:
        MTurkMock().load_state(path)
    assert expected in str(raised.value)
    done = subprocess.run(
        [sys.executable, "-m", "mturk_mock", "serve", "--port", "0", "--state", str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 1 and "cannot load state" in done.stderr and expected in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_text() == content


# -- killed writers and interrupted saves ----------------------------------------------------------------


class Lines:
    """A child's stdout, line by line, with a timeout on every wait."""

    def __init__(self, process: subprocess.Popen) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._lines.put(line.rstrip("\n"))
        self._lines.put("<closed>")

    def until(self, predicate) -> str:
        while True:
            line = self._lines.get(timeout=TIMEOUT)
            self.seen.append(line)
            if predicate(line):
                return line
            assert line != "<closed>", self.seen


# The child pauses its first os.fsync (the temporary file's, between the write and the rename) until
# told to go on: a kill or a signal then lands in the middle of the save, every time.
PAUSE_IN_FSYNC = """
import os, sys
real_fsync, paused = os.fsync, []
def fsync(fd):
    if not paused:
        paused.append(fd)
        print("paused in fsync", flush=True)
        sys.stdin.readline()
    real_fsync(fd)
os.fsync = fsync
"""


def _child(script: str) -> subprocess.Popen:
    code = PAUSE_IN_FSYNC + textwrap.dedent(script)
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _saved_state(path, name: str) -> None:
    mock = MTurkMock()
    with mock:
        create_type(requester_client("AKIAOWNER"), name)
    mock.save_state(path)


def _type_names(path) -> list[str]:
    mock = MTurkMock()
    mock.load_state(path)
    market = mock.world.marketplace("sandbox")
    return [qual.name for qual in market.qualification_types.in_creation_order() if qual.owner == "AKIAOWNER"]


@POSIX
def test_a_writer_killed_mid_save_leaves_the_old_file_and_the_next_save_cleans_up(tmp_path):
    path = tmp_path / "state.json"
    _saved_state(path, "old")
    before = path.read_bytes()
    child = _child(
        f"""
        from mturk_mock import MTurkMock
        from mturk_mock.transport.pipeline import dispatch
        mock = MTurkMock()
        request = {{"Name": "new", "Description": "d", "QualificationTypeStatus": "Active"}}
        dispatch(mock.world, "sandbox", "AKIAOWNER", "CreateQualificationType", request)
        mock.save_state({str(path)!r})
        print("saved", flush=True)
        """
    )
    try:
        Lines(child).until(lambda line: line == "paused in fsync")
        leftover = tmp_path / f".state.json.{child.pid}.tmp"
        assert leftover.exists() and b'"new"' in leftover.read_bytes()  # written, not yet renamed
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=TIMEOUT) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.stdin.close(), child.stdout.close(), child.stderr.close()
    assert path.read_bytes() == before and _type_names(path) == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [leftover.name, "state.json"]

    _saved_state(path, "next")  # another process saves: the dead writer's file goes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    assert _type_names(path) == ["next"]


@POSIX
def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    path = tmp_path / "state.json"
    other = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        busy = tmp_path / f".state.json.{other.pid}.tmp"
        busy.write_text("being written")
        _saved_state(path, "mine")
        assert busy.read_text() == "being written"
    finally:
        other.stdin.close()
        other.wait(timeout=TIMEOUT)
    _saved_state(path, "mine")
    assert not busy.exists()


@POSIX
def test_a_second_ctrl_c_while_serve_saves_prints_no_traceback_and_the_state_is_saved(tmp_path):
    path = tmp_path / "state.db"
    open_state(path, MTurkMock()).close()  # made beforehand: the first fsync the server makes is its last checkpoint's
    server = _child(
        f"""
        from mturk_mock.cli import main
        sys.exit(main(["serve", "--port", "0", "--state", {str(path)!r}]))
        """
    )
    try:
        lines = Lines(server)
        url = lines.until(lambda line: line.startswith("mturk-mock: listening on")).split()[3]
        body = json.dumps({"Name": "kept", "Description": "d", "QualificationTypeStatus": "Active"}).encode()
        status, _, _ = post(url, body, {"X-Amz-Target": TARGET + "CreateQualificationType"})
        assert status == 200
        server.send_signal(signal.SIGINT)
        lines.until(lambda line: line == "paused in fsync")
        server.send_signal(signal.SIGINT)  # the impatient second Ctrl-C, in the middle of the save
        server.send_signal(signal.SIGTERM)
        server.stdin.write("go on\n")
        server.stdin.flush()
        lines.until(lambda line: line.startswith("mturk-mock: state saved to"))
        assert server.wait(timeout=TIMEOUT) == 0
        errors = server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
        server.stdin.close(), server.stdout.close(), server.stderr.close()
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors, errors
    (checkpoint,) = [p.name for p in tmp_path.iterdir() if p.name != "state.db"]  # no temporary file left
    assert checkpoint.startswith("state.db.checkpoint-") and checkpoint.endswith(".json")
    mock = MTurkMock()
    mock.load_state(path)
    market = mock.world.marketplace("sandbox")
    assert [qual.name for qual in market.qualification_types.in_creation_order()][-1] == "kept"

"""Saving and loading a marketplace: on the handle and with `mturk-mock serve --state FILE` (issue 6)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import boto3
import pytest

from mturk_mock import MTurkMock, mock_mturk_qual
from mturk_mock.model.snapshot import dump_world

from .helpers import create_type, requester_client
from .samples import ANSWER_KEY, TEST
from .test_server import TARGET, TIMEOUT, post, read_line


def _build(mturk, client) -> dict:
    mturk.clock.freeze(1_800_000_000)
    keyed = create_type(
        client, "keyed", Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=60, RetryDelayInSeconds=10
    )["QualificationTypeId"]
    manual = create_type(client, "manual")["QualificationTypeId"]
    gone = create_type(client, "gone")["QualificationTypeId"]
    client.associate_qualification_with_worker(QualificationTypeId=manual, WorkerId="A1111111111111", IntegerValue=4)
    client.associate_qualification_with_worker(QualificationTypeId=manual, WorkerId="A2222222222222")
    client.disassociate_qualification_from_worker(QualificationTypeId=manual, WorkerId="A1111111111111", Reason="r")
    mturk.worker("A3333333333333").request_qualification(keyed, answers={"sky": "blue", "primaries": ["r", "g"]})
    pending = mturk.worker("A4444444444444").request_qualification(manual).request_id
    client.delete_qualification_type(QualificationTypeId=gone)
    create_type(requester_client("AKIAOTHER", "production"), "elsewhere")
    return {"keyed": keyed, "manual": manual, "gone": gone, "pending": pending}


def test_a_saved_state_loads_back_exactly_and_keeps_working(tmp_path):
    path = tmp_path / "market.json"
    with mock_mturk_qual(name_reservation=3600) as mturk:
        client = requester_client("AKIAOWNER")
        ids = _build(mturk, client)
        mturk.save_state(path)
        before = dump_world(mturk.world)

    restored = MTurkMock()
    restored.load_state(path)
    assert dump_world(restored.world) == before
    with restored:
        client = requester_client("AKIAOWNER")
        names = [q["Name"] for q in client.list_qualification_types(MustBeRequestable=True)["QualificationTypes"]]
        assert names == ["keyed", "manual"]  # "gone" was deleted, "elsewhere" is in production
        revoked = client.list_workers_with_qualification_type(QualificationTypeId=ids["manual"], Status="Revoked")
        assert [(q["WorkerId"], q["IntegerValue"]) for q in revoked["Qualifications"]] == [("A1111111111111", 4)]
        assert (
            client.get_qualification_score(QualificationTypeId=ids["keyed"], WorkerId="A3333333333333")[
                "Qualification"
            ]["IntegerValue"]
            == 70
        )
        (request,) = client.list_qualification_requests()["QualificationRequests"]
        client.accept_qualification_request(QualificationRequestId=ids["pending"], IntegerValue=9)
        assert request["QualificationRequestId"] == ids["pending"]
        with pytest.raises(client.exceptions.RequestError, match="already created"):
            create_type(client, "gone")  # still reserved: the clock came back frozen where it was
        restored.clock.advance(3601)
        create_type(client, "gone")
        worker = restored.worker("A3333333333333")
        assert worker.request_qualification(ids["keyed"], answers={"sky": "blue"}).value == 40  # parsed test
        assert [note.kind for note in restored.notifications] == ["granted", "granted", "revoked"]


def test_a_damaged_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "market.json"
    for content in ("not json", "{}", json.dumps({"format": "mturk_mock/1"})):
        path.write_text(content)
        with pytest.raises(ValueError, match="mturk_mock state"):
            MTurkMock().load_state(path)
        assert path.read_text() == content


def test_saving_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "market.json"
    path.write_text("old")
    with mock_mturk_qual() as mturk:
        create_type(boto3.client("mturk", region_name="sandbox"))
        mturk.save_state(path)
    assert json.loads(path.read_text())["format"] == "mturk_mock/2"
    assert [p.name for p in tmp_path.iterdir()] == ["market.json"]


def _serve(state) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mturk_mock", "serve", "--port", "0", "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, read_line(process, TIMEOUT).split()[3]


def _call(url: str, operation: str, body: dict) -> dict:
    _status, _, answer = post(url, json.dumps(body).encode(), {"X-Amz-Target": TARGET + operation})
    return json.loads(answer)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_serve_state_survives_a_restart(tmp_path):
    state = tmp_path / "state.json"
    process, url = _serve(state)
    try:
        created = _call(
            url, "CreateQualificationType", {"Name": "kept", "Description": "d", "QualificationTypeStatus": "Active"}
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "state saved to" in process.stdout.read()
    finally:
        process.kill() if process.poll() is None else None
        process.stdout.close(), process.stderr.close()
    process, url = _serve(state)
    try:
        type_id = created["QualificationType"]["QualificationTypeId"]
        got = _call(url, "GetQualificationType", {"QualificationTypeId": type_id})
        assert got["QualificationType"]["Name"] == "kept"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill() if process.poll() is None else None
        process.stdout.close(), process.stderr.close()


def test_serve_refuses_a_damaged_state_file(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{broken")
    done = subprocess.run(
        [sys.executable, "-m", "mturk_mock", "serve", "--port", "0", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 1 and "cannot load state" in done.stderr
    assert state.read_text() == "{broken"

"""Assignments, bonuses and blocks in state files and through the AWS CLI against `mturk-mock serve` (issue 13)."""

from __future__ import annotations

import pytest

from mturk_mock import MTurkMock, WorkerActionRefused, mock_mturk

from .helpers import create_hit, requester_client
from .test_server import aws, server  # noqa: F401  (fixtures)

START = 1_800_000_000


def test_work_in_progress_survives_a_state_file(tmp_path):
    path = tmp_path / "state.json"
    with mock_mturk() as mturk:
        mturk.clock.freeze(START)
        client = requester_client("AKIAOWNER")
        hit_id = create_hit(client, MaxAssignments=3, AutoApprovalDelayInSeconds=3600)["HITId"]
        in_flight = mturk.worker("A1111111111111").accept(hit_id)
        done = mturk.worker("A2222222222222").accept(hit_id)
        done.submit({"label": "cat"})
        client.send_bonus(
            WorkerId="A2222222222222",
            BonusAmount="0.50",
            AssignmentId=done.assignment_id,
            Reason="thanks",
            UniqueRequestToken="bonus-1",
        )
        client.create_worker_block(WorkerId="A3333333333333", Reason="spam")
        mturk.save_state(path)
    restored = MTurkMock()
    restored.load_state(path)
    with restored:
        client = requester_client("AKIAOWNER")
        listed = client.list_assignments_for_hit(HITId=hit_id)["Assignments"]
        assert [item["AssignmentId"] for item in listed] == [done.assignment_id]
        assert client.list_bonus_payments(AssignmentId=done.assignment_id)["BonusPayments"][0]["BonusAmount"] == "0.50"
        with pytest.raises(client.exceptions.RequestError, match="already been processed"):
            client.send_bonus(
                WorkerId="A2222222222222",
                BonusAmount="0.50",
                AssignmentId=done.assignment_id,
                Reason="thanks",
                UniqueRequestToken="bonus-1",
            )
        assert client.list_worker_blocks()["WorkerBlocks"] == [{"WorkerId": "A3333333333333", "Reason": "spam"}]
        with pytest.raises(WorkerActionRefused, match="blocked"):
            restored.worker("A3333333333333").accept(hit_id)
        hit = client.get_hit(HITId=hit_id)["HIT"]
        assert (hit["NumberOfAssignmentsPending"], hit["NumberOfAssignmentsAvailable"]) == (1, 1)
        restored.clock.advance(600)  # the in-flight assignment's deadline was scheduled again
        hit = client.get_hit(HITId=hit_id)["HIT"]
        assert (hit["NumberOfAssignmentsPending"], hit["NumberOfAssignmentsAvailable"]) == (0, 2)
        assert restored.worker("A4444444444444").accept(hit_id).assignment_id == in_flight.assignment_id
        restored.clock.advance(3000)  # and the submitted one's auto-approval
        assert client.get_assignment(AssignmentId=done.assignment_id)["Assignment"]["AssignmentStatus"] == "Approved"


def test_aws_cli_reviews_work(server, aws):  # noqa: F811
    from .helpers import create_hit as publish
    from .test_server import client_for

    hit_id = publish(client_for(server))["HITId"]
    worker = server.handle.worker("A1B2C3D4E5F6G7")
    working = worker.accept(hit_id)
    working.submit({"label": "dog"})
    listed = aws("list-assignments-for-hit", "--hit-id", hit_id)["Assignments"]
    assert [(item["AssignmentId"], item["AssignmentStatus"]) for item in listed] == [
        (working.assignment_id, "Submitted")
    ]
    aws("approve-assignment", "--assignment-id", working.assignment_id, "--requester-feedback", "good")
    aws(
        "send-bonus",
        "--worker-id",
        "A1B2C3D4E5F6G7",
        "--bonus-amount",
        "1",
        "--assignment-id",
        working.assignment_id,
        "--reason",
        "extra",
    )
    bonuses = aws("list-bonus-payments", "--hit-id", hit_id)["BonusPayments"]
    assert [(item["WorkerId"], item["BonusAmount"]) for item in bonuses] == [("A1B2C3D4E5F6G7", "1.00")]
    aws("create-worker-block", "--worker-id", "A1B2C3D4E5F6G7", "--reason", "enough")
    assert aws("list-worker-blocks")["WorkerBlocks"][0]["WorkerId"] == "A1B2C3D4E5F6G7"

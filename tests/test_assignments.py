"""Assignments through the worker flow and the requester's decisions (spec H§2, H§8.13-8.16)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mturk_mock import WorkerActionRefused, WorkerError

from .helpers import create_hit, parameter_error, request_error, requester_client, submitted

START = 1_800_000_000
ANSWER_NS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"


@pytest.fixture(autouse=True)
def _frozen(mturk_mock):
    mturk_mock.clock.freeze(START)


def _hit(client, hit_id: str) -> dict:
    return client.get_hit(HITId=hit_id)["HIT"]


def _counters(client, hit_id: str) -> tuple[str, int, int, int]:
    hit = _hit(client, hit_id)
    return (
        hit["HITStatus"],
        hit["NumberOfAssignmentsPending"],
        hit["NumberOfAssignmentsAvailable"],
        hit["NumberOfAssignmentsCompleted"],
    )


def test_accepting_takes_a_slot_and_an_accepted_assignment_is_invisible(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=2)["HITId"]
    assignment = mturk_mock.worker("A1111111111111").accept(hit_id)
    assert assignment.deadline - assignment.accept_time == dt.timedelta(seconds=600)
    assert _counters(mturk_client, hit_id) == ("Assignable", 1, 1, 0)
    mturk_mock.worker("A2222222222222").accept(hit_id)
    assert _counters(mturk_client, hit_id) == ("Unassignable", 2, 0, 0)
    assert mturk_client.list_assignments_for_hit(HITId=hit_id)["NumResults"] == 0
    request_error(
        lambda: mturk_client.get_assignment(AssignmentId=assignment.assignment_id),
        "AssignmentDoesNotExist",
        f"Assignment {assignment.assignment_id} does not exist.",
    )


def test_a_submitted_assignment_carries_every_member(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, AutoApprovalDelayInSeconds=3600)["HITId"]
    working = mturk_mock.worker("A1111111111111").accept(hit_id)
    mturk_mock.clock.advance(90)
    working.submit({"colour": "blue", "comment": ""})
    got = mturk_client.get_assignment(AssignmentId=working.assignment_id)
    assignment, hit = got["Assignment"], got["HIT"]
    at = lambda seconds: dt.datetime.fromtimestamp(START + seconds, dt.timezone.utc)  # noqa: E731
    assert (
        assignment["AcceptTime"],
        assignment["SubmitTime"],
        assignment["Deadline"],
        assignment["AutoApprovalTime"],
    ) == (at(0), at(90), at(600), at(3690))
    assert (assignment["AssignmentStatus"], assignment["WorkerId"], assignment["HITId"]) == (
        "Submitted",
        "A1111111111111",
        hit_id,
    )
    assert "ApprovalTime" not in assignment and "RejectionTime" not in assignment
    assert "RequesterFeedback" not in assignment
    assert assignment["Answer"] == (
        f'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<QuestionFormAnswers xmlns="{ANSWER_NS}">\n'
        "<Answer>\n<QuestionIdentifier>colour</QuestionIdentifier>\n<FreeText>blue</FreeText>\n</Answer>\n"
        "<Answer>\n<QuestionIdentifier>comment</QuestionIdentifier>\n<FreeText/>\n</Answer>\n"
        "</QuestionFormAnswers>"
    )
    assert hit == _hit(mturk_client, hit_id) and hit["HITStatus"] == "Reviewable"


def test_all_assignments_submitted_make_the_hit_reviewable(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=2)["HITId"]
    for worker in ("A1111111111111", "A2222222222222"):
        mturk_mock.worker(worker).accept(hit_id).submit({"label": "x"})
        mturk_mock.clock.advance(1)
    assert _counters(mturk_client, hit_id) == ("Reviewable", 0, 0, 0)
    listed = mturk_client.list_assignments_for_hit(HITId=hit_id)["Assignments"]
    assert [item["WorkerId"] for item in listed] == ["A1111111111111", "A2222222222222"]  # SubmitTime order


def test_a_return_frees_the_slot_and_its_id(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client)["HITId"]
    first = mturk_mock.worker("A1111111111111").accept(hit_id)
    first.return_()
    assert _counters(mturk_client, hit_id) == ("Assignable", 0, 1, 0)
    second = mturk_mock.worker("A2222222222222").accept(hit_id)
    assert second.assignment_id == first.assignment_id  # the service reuses a freed assignment ID
    with pytest.raises(WorkerActionRefused):
        first.submit({"label": "too late"})
    again = mturk_mock.worker("A1111111111111")
    second.return_()
    again.accept(hit_id)  # a worker who returned a HIT may take it again


def test_an_assignment_not_submitted_by_its_deadline_is_abandoned(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client)["HITId"]
    working = mturk_mock.worker("A1111111111111").accept(hit_id)
    mturk_mock.clock.advance(599)
    assert _counters(mturk_client, hit_id) == ("Unassignable", 1, 0, 0)
    mturk_mock.clock.advance(1)
    assert _counters(mturk_client, hit_id) == ("Assignable", 0, 1, 0)
    with pytest.raises(WorkerActionRefused, match="time allotted has passed"):
        working.submit({"label": "late"})
    events = [event.event_type for event in mturk_mock.world.marketplace("sandbox").events.log]
    assert events[-1] == "AssignmentAbandoned"


def test_an_expired_hit_with_work_in_progress_waits_for_it(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=2, LifetimeInSeconds=300)["HITId"]
    working = mturk_mock.worker("A1111111111111").accept(hit_id)
    mturk_mock.clock.advance(300)
    assert _counters(mturk_client, hit_id) == ("Unassignable", 1, 1, 0)
    with pytest.raises(WorkerActionRefused, match="expired"):
        mturk_mock.worker("A2222222222222").accept(hit_id)
    working.submit({"label": "done"})
    assert _counters(mturk_client, hit_id) == ("Reviewable", 0, 1, 0)


def test_approve_and_reject_only_submitted_work(mturk_client, mturk_mock):
    one = submitted(mturk_mock, mturk_client)["Assignment"]["AssignmentId"]
    two = submitted(mturk_mock, mturk_client)["Assignment"]["AssignmentId"]
    mturk_mock.clock.advance(5)
    mturk_client.approve_assignment(AssignmentId=one, RequesterFeedback="Great work")
    approved = mturk_client.get_assignment(AssignmentId=one)["Assignment"]
    assert (approved["AssignmentStatus"], approved["RequesterFeedback"]) == ("Approved", "Great work")
    assert approved["ApprovalTime"] == dt.datetime.fromtimestamp(START + 5, dt.timezone.utc)
    assert _hit(mturk_client, approved["HITId"])["NumberOfAssignmentsCompleted"] == 1
    for call in (
        lambda: mturk_client.approve_assignment(AssignmentId=one),
        lambda: mturk_client.reject_assignment(AssignmentId=one, RequesterFeedback="no"),
    ):
        request_error(call, "InvalidAssignmentState", "This operation can be called with a status of: Submitted")
    mturk_client.reject_assignment(AssignmentId=two, RequesterFeedback="Wrong label")
    rejected = mturk_client.get_assignment(AssignmentId=two)["Assignment"]
    assert (rejected["AssignmentStatus"], rejected["RequesterFeedback"]) == ("Rejected", "Wrong label")
    request_error(
        lambda: mturk_client.approve_assignment(AssignmentId=two),
        "InvalidAssignmentState",
        "This operation can be called with a status of: Submitted",
    )


def test_a_rejection_can_be_overridden_within_30_days(mturk_client, mturk_mock):
    late = submitted(mturk_mock, mturk_client)["Assignment"]["AssignmentId"]
    soon = submitted(mturk_mock, mturk_client)["Assignment"]["AssignmentId"]
    for assignment_id in (late, soon):
        mturk_client.reject_assignment(AssignmentId=assignment_id, RequesterFeedback="no")
    mturk_client.approve_assignment(AssignmentId=soon, OverrideRejection=True)
    overridden = mturk_client.get_assignment(AssignmentId=soon)["Assignment"]
    assert overridden["AssignmentStatus"] == "Approved" and "RejectionTime" in overridden
    mturk_mock.clock.advance(days=30, seconds=1)
    request_error(
        lambda: mturk_client.approve_assignment(AssignmentId=late, OverrideRejection=True),
        "InvalidAssignmentState",
        "This operation can be called with a status of: Submitted",
    )


def test_submitted_work_is_approved_automatically(mturk_client, mturk_mock):
    assignment_id = submitted(mturk_mock, mturk_client, AutoApprovalDelayInSeconds=3600)["Assignment"]["AssignmentId"]
    mturk_mock.clock.advance(3599)
    assert mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]["AssignmentStatus"] == "Submitted"
    mturk_mock.clock.advance(1)
    approved = mturk_client.get_assignment(AssignmentId=assignment_id)["Assignment"]
    assert approved["AssignmentStatus"] == "Approved" and approved["ApprovalTime"] == approved["AutoApprovalTime"]
    at_once = submitted(mturk_mock, mturk_client, AutoApprovalDelayInSeconds=0)["Assignment"]
    assert at_once["AssignmentStatus"] == "Approved"  # a delay of 0 approves at the submit instant


def test_assignment_listing_filters_by_status_and_pages(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=5)["HITId"]
    ids = []
    for index in range(5):
        working = mturk_mock.worker(f"A{index:013d}").accept(hit_id)
        mturk_mock.clock.advance(1)
        working.submit({"label": str(index)})
        ids.append(working.assignment_id)
    mturk_client.approve_assignment(AssignmentId=ids[0])
    mturk_client.reject_assignment(AssignmentId=ids[1], RequesterFeedback="")

    def listed(**filters) -> list[str]:
        page = mturk_client.list_assignments_for_hit(HITId=hit_id, **filters)
        return [item["AssignmentId"] for item in page["Assignments"]]

    assert listed() == ids
    assert listed(AssignmentStatuses=["Submitted"]) == ids[2:]
    assert listed(AssignmentStatuses=["Approved", "Rejected"]) == ids[:2]
    # the filtered listings follow later decisions, an overridden rejection and new submissions
    mturk_client.approve_assignment(AssignmentId=ids[2])
    mturk_client.reject_assignment(AssignmentId=ids[3], RequesterFeedback="")
    mturk_client.approve_assignment(AssignmentId=ids[1], OverrideRejection=True)
    assert listed(AssignmentStatuses=["Submitted"]) == ids[4:]
    assert listed(AssignmentStatuses=["Approved", "Rejected"]) == ids[:4]
    assert listed(AssignmentStatuses=["Approved"]) == [ids[0], ids[1], ids[2]]
    assert listed(AssignmentStatuses=["Rejected", "Submitted"]) == ids[3:]
    first = mturk_client.list_assignments_for_hit(HITId=hit_id, AssignmentStatuses=["Approved"], MaxResults=2)
    second = mturk_client.list_assignments_for_hit(
        HITId=hit_id, AssignmentStatuses=["Approved"], MaxResults=2, NextToken=first["NextToken"]
    )
    assert [item["AssignmentId"] for item in first["Assignments"] + second["Assignments"]] == ids[:3]
    page = mturk_client.list_assignments_for_hit(HITId=hit_id, MaxResults=2)
    rest = mturk_client.list_assignments_for_hit(HITId=hit_id, MaxResults=10, NextToken=page["NextToken"])
    assert [item["AssignmentId"] for item in page["Assignments"] + rest["Assignments"]] == ids
    request_error(
        lambda: requester_client("AKIAOTHER").list_assignments_for_hit(HITId=hit_id),
        "HITDoesNotExist",
        f"Hit {hit_id} does not exist.",
    )


def test_requester_feedback_rules(mturk_client, mturk_mock, mturk_transport):
    assignment_id = submitted(mturk_mock, mturk_client)["Assignment"]["AssignmentId"]
    for feedback in ("x" * 1025, "bell\x07"):
        parameter_error(
            lambda feedback=feedback: mturk_client.approve_assignment(
                AssignmentId=assignment_id, RequesterFeedback=feedback
            ),
            "RequesterFeedback",
        )
    mturk_client.approve_assignment(AssignmentId=assignment_id, RequesterFeedback="line\nbreak\tok")


def test_deleting_needs_every_assignment_decided_and_keeps_them_readable(mturk_client, mturk_mock):
    got = submitted(mturk_mock, mturk_client)
    hit_id, assignment_id = got["HIT"]["HITId"], got["Assignment"]["AssignmentId"]
    request_error(
        lambda: mturk_client.delete_hit(HITId=hit_id),
        "InvalidHITState",
        "This HIT is currently in the state 'Reviewable'.  This operation can be called with a status of: "
        "Reviewing, Reviewable",
    )
    mturk_client.approve_assignment(AssignmentId=assignment_id)
    mturk_client.delete_hit(HITId=hit_id)
    assert mturk_client.get_assignment(AssignmentId=assignment_id)["HIT"]["HITStatus"] == "Disposed"
    assert mturk_client.list_assignments_for_hit(HITId=hit_id)["NumResults"] == 1


@pytest.mark.mturk_mock(marketplace="production")
def test_approving_pays_and_rejecting_refunds(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, Reward="1.00", MaxAssignments=3)["HITId"]
    ids = []
    for worker in ("A1111111111111", "A2222222222222"):
        working = mturk_mock.worker(worker, marketplace="production").accept(hit_id)
        working.submit({"label": "x"})
        ids.append(working.assignment_id)

    def balance() -> tuple[str, str | None]:
        answer = mturk_client.get_account_balance()
        return answer["AvailableBalance"], answer.get("OnHoldBalance")

    assert balance() == ("9996.40", "3.60")
    mturk_client.approve_assignment(AssignmentId=ids[0])
    mturk_client.reject_assignment(AssignmentId=ids[1], RequesterFeedback="no")
    assert balance() == ("9997.60", "1.20")  # 1.20 paid out, 1.20 back, one slot still open
    ledger = mturk_mock.world.marketplace("production").ledger
    assert ledger.paid("<default>") == Decimal("1.20")
    mturk_client.approve_assignment(AssignmentId=ids[1], OverrideRejection=True)
    assert balance() == ("9996.40", "1.20") and ledger.paid("<default>") == Decimal("2.40")


def test_worker_errors_are_worker_action_refused(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=2)["HITId"]
    worker = mturk_mock.worker("A1111111111111")
    assignment = worker.accept(hit_id)
    with pytest.raises(WorkerActionRefused) as refused:
        worker.accept(hit_id)
    assert isinstance(refused.value, WorkerError) and "once" in refused.value.reason
    with pytest.raises(WorkerActionRefused, match="no HIT"):
        worker.accept("3NOSUCHHIT")
    with pytest.raises(WorkerActionRefused, match="no answer field"):
        assignment.submit({"assignmentId": assignment.assignment_id})
    assignment.submit({"assignmentId": assignment.assignment_id, "label": "cat"})
    with pytest.raises(WorkerActionRefused, match="Submitted"):
        assignment.return_()

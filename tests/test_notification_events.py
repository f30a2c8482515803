"""Every event type fires exactly when the service fires it (spec H§1.4, H§6.2), triggered through the API,
the worker simulation or the clock, with the instant of the transition (spec H§0.2), the assignment's
event before the HIT's (spec H§6.2), and nothing else."""

from __future__ import annotations

import datetime as dt

from .helpers import create_hit, create_hit_type
from .test_notification_settings import EVERY_EVENT, QUEUE, spec

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z
MARKER = "https://sqs.us-east-1.amazonaws.com/123456789012/marker"
DAY = 86400


def stamp(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Timeline:
    """A HIT type subscribed to every event, and the events sent for it since the last look."""

    def __init__(self, client, mock, **hit_type) -> None:
        mock.clock.freeze(T0)
        self.client, self.mock = client, mock
        self.hit_type = create_hit_type(client, **hit_type)
        client.update_notification_settings(HITTypeId=self.hit_type, Notification=spec(events=EVERY_EVENT))
        self.seen = 0
        self.markers = 0

    def hit(self, **extra) -> str:
        return create_hit(self.client, self.hit_type, **extra)["HITId"]

    def sent(self) -> list[tuple[str, str]]:
        """(EventType, EventTimestamp) of the messages sent since the last call, in order. A test event to
        another queue marks the end, so that nothing still on its way is missed, over HTTP too."""
        self.client.send_test_event_notification(Notification=spec(MARKER, events=["Ping"]), TestEventType="Ping")
        self.markers += 1
        self.mock.events.wait_for("Ping", count=self.markers)
        messages = [m for m in self.mock.events if m.destination == QUEUE]
        new, self.seen = messages[self.seen :], len(messages)
        return [(m.document["Events"][0]["EventType"], m.document["Events"][0]["EventTimestamp"]) for m in new]

    def last(self):
        return [m for m in self.mock.events if m.destination == QUEUE][-1]


def test_worker_actions_and_the_hit_becoming_reviewable(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)
    hit_id = line.hit()
    assert line.sent() == [("HITCreated", stamp(T0))]
    mturk_mock.clock.advance(10)
    first = mturk_mock.worker("A1111111111111").accept(hit_id)
    assert line.sent() == [("AssignmentAccepted", stamp(T0 + 10))]
    accepted = line.last()
    assert (accepted.hit_id, accepted.assignment_id, accepted.worker_id) == (
        hit_id,
        first.assignment_id,
        "A1111111111111",
    )
    first.return_()
    assert line.sent() == [("AssignmentReturned", stamp(T0 + 10))]
    second = mturk_mock.worker("A2222222222222").accept(hit_id)
    mturk_mock.clock.advance(50)
    second.submit({"label": "cat"})
    assert line.sent() == [
        ("AssignmentAccepted", stamp(T0 + 10)),
        ("AssignmentSubmitted", stamp(T0 + 60)),
        ("HITReviewable", stamp(T0 + 60)),  # after the assignment's event of the same transition
    ]
    assert line.last().assignment_id is None and line.last().hit_id == hit_id


def test_a_submit_that_leaves_slots_open_does_not_make_the_hit_reviewable(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)
    hit_id = line.hit(MaxAssignments=2)
    line.sent()
    mturk_mock.worker().accept(hit_id).submit({"label": "cat"})
    assert [event for event, _ in line.sent()] == ["AssignmentAccepted", "AssignmentSubmitted"]


def test_approve_reject_and_override_through_the_api(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)
    hit_id = line.hit(MaxAssignments=2)
    done = [mturk_mock.worker().accept(hit_id) for _ in range(2)]
    for assignment in done:
        assignment.submit({"label": "cat"})
    line.sent()
    mturk_mock.clock.advance(5)
    mturk_client.approve_assignment(AssignmentId=done[0].assignment_id)
    mturk_client.reject_assignment(AssignmentId=done[1].assignment_id, RequesterFeedback="no")
    mturk_client.approve_assignment(AssignmentId=done[1].assignment_id, OverrideRejection=True)
    assert line.sent() == [  # approving and rejecting never change HITStatus: no HIT event
        ("AssignmentApproved", stamp(T0 + 5)),
        ("AssignmentRejected", stamp(T0 + 5)),
        ("AssignmentApproved", stamp(T0 + 5)),
    ]
    assert line.last().assignment_id == done[1].assignment_id


def test_abandonment_at_the_deadline_carries_the_deadline(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)  # AssignmentDurationInSeconds 600
    hit_id = line.hit()
    working = mturk_mock.worker().accept(hit_id)
    line.sent()
    mturk_mock.clock.advance(599)
    assert line.sent() == []
    mturk_mock.clock.advance(1000)
    assert line.sent() == [("AssignmentAbandoned", stamp(T0 + 600))]  # not the time it was noticed
    assert line.last().assignment_id == working.assignment_id


def test_expiry_with_nothing_pending(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)
    line.hit(LifetimeInSeconds=3600)
    line.sent()
    mturk_mock.clock.advance(3599)
    assert line.sent() == []
    mturk_mock.clock.advance(DAY)
    assert line.sent() == [("HITExpired", stamp(T0 + 3600)), ("HITReviewable", stamp(T0 + 3600))]


def test_expiry_with_work_in_progress_then_the_clock_abandons_it(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)
    hit_id = line.hit(LifetimeInSeconds=300, MaxAssignments=2)
    mturk_mock.worker().accept(hit_id)
    line.sent()
    mturk_mock.clock.advance(DAY)  # one move past the expiry (T0+300) and the deadline (T0+600)
    assert line.sent() == [
        ("HITExpired", stamp(T0 + 300)),
        ("AssignmentAbandoned", stamp(T0 + 600)),
        ("HITReviewable", stamp(T0 + 600)),
    ]


def test_expiry_with_work_in_progress_then_it_is_submitted(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)
    hit_id = line.hit(LifetimeInSeconds=300, MaxAssignments=2)
    working = mturk_mock.worker().accept(hit_id)
    line.sent()
    mturk_mock.clock.advance(400)
    assert line.sent() == [("HITExpired", stamp(T0 + 300))]  # Unassignable until the work is in
    working.submit({"label": "cat"})
    assert line.sent() == [("AssignmentSubmitted", stamp(T0 + 400)), ("HITReviewable", stamp(T0 + 400))]


def test_auto_approval_carries_its_own_instant(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock, AutoApprovalDelayInSeconds=3600)
    hit_id = line.hit(MaxAssignments=2, LifetimeInSeconds=30 * DAY)
    mturk_mock.worker().accept(hit_id).submit({"label": "cat"})
    line.sent()
    mturk_mock.clock.advance(3599)
    assert line.sent() == []
    mturk_mock.clock.advance(DAY)
    assert line.sent() == [("AssignmentApproved", stamp(T0 + 3600))]


def test_auto_approval_ranks_before_an_expiry_of_the_same_instant(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock, AutoApprovalDelayInSeconds=3600)
    hit_id = line.hit(MaxAssignments=2, LifetimeInSeconds=3600)
    mturk_mock.worker().accept(hit_id).submit({"label": "cat"})
    line.sent()
    mturk_mock.clock.advance(10 * DAY)
    assert line.sent() == [
        ("AssignmentApproved", stamp(T0 + 3600)),
        ("HITExpired", stamp(T0 + 3600)),
        ("HITReviewable", stamp(T0 + 3600)),
    ]


def test_expiring_extending_and_adding_assignments_through_the_api(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)
    hit_id = line.hit(MaxAssignments=2)
    line.sent()
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=dt.datetime.fromtimestamp(T0 + 7200, dt.timezone.utc))
    assert line.sent() == [("HITExtended", stamp(T0))]
    mturk_client.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=3)
    assert line.sent() == [("HITExtended", stamp(T0))]
    mturk_mock.clock.advance(60)
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)
    assert line.sent() == [("HITExpired", stamp(T0 + 60)), ("HITReviewable", stamp(T0 + 60))]
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)  # already expired: nothing happens
    mturk_mock.clock.advance(DAY)  # the old expiration passes: nothing either
    assert line.sent() == []


def test_review_revert_extension_and_delete(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)
    hit_id = line.hit(LifetimeInSeconds=3600)
    mturk_mock.clock.advance(3600)
    assert line.sent() == [
        ("HITCreated", stamp(T0)),
        ("HITExpired", stamp(T0 + 3600)),
        ("HITReviewable", stamp(T0 + 3600)),
    ]
    mturk_client.update_hit_review_status(HITId=hit_id, Revert=False)
    mturk_client.update_hit_review_status(HITId=hit_id, Revert=True)
    assert line.sent() == []  # Reviewing and back: not a second HITReviewable
    mturk_client.update_hit_review_status(HITId=hit_id, Revert=False)
    extended_to = dt.datetime.fromtimestamp(T0 + 7200, dt.timezone.utc)
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=extended_to)  # Reviewing -> Assignable
    mturk_mock.clock.advance(3600)
    assert line.sent() == [
        ("HITExtended", stamp(T0 + 3600)),
        ("HITExpired", stamp(T0 + 7200)),
        ("HITReviewable", stamp(T0 + 7200)),
    ]
    mturk_client.delete_hit(HITId=hit_id)
    assert line.sent() == [("HITDisposed", stamp(T0 + 7200))]


def test_auto_disposal_120_days_after_the_hit_became_reviewable(mturk_client, mturk_mock):
    line = Timeline(mturk_client, mturk_mock)
    line.hit(LifetimeInSeconds=3600)
    mturk_mock.clock.advance(3600)
    line.sent()
    mturk_mock.clock.advance(120 * DAY - 1)
    assert line.sent() == []
    mturk_mock.clock.advance(DAY)
    assert line.sent() == [("HITDisposed", stamp(T0 + 3600 + 120 * DAY))]


def test_only_the_listed_event_types_are_sent(mturk_client, mturk_mock):
    mturk_mock.clock.freeze(T0)
    hit_type = create_hit_type(mturk_client)
    mturk_client.update_notification_settings(
        HITTypeId=hit_type, Notification=spec(events=["AssignmentSubmitted", "HITReviewable"])
    )
    hit_id = create_hit(mturk_client, hit_type)["HITId"]
    mturk_mock.worker().accept(hit_id).submit({"label": "cat"})
    messages = mturk_mock.events.wait_for(count=2)
    assert [m.event_type for m in messages] == ["AssignmentSubmitted", "HITReviewable"]
    assert mturk_mock.events.wait_for("HITReviewable", hit_id=hit_id)[0].hit_id == hit_id


def test_review_policy_decisions_send_the_events_of_the_api(mturk_client, mturk_mock):
    policy = {
        "PolicyName": "ScoreMyKnownAnswers/2011-09-01",
        "Parameters": [
            {"Key": "AnswerKey", "MapEntries": [{"Key": "label", "Values": ["cat"]}]},
            {"Key": "ApproveIfKnownAnswerScoreIsAtLeast", "Values": ["100"]},
            {"Key": "RejectIfKnownAnswerScoreIsLessThan", "Values": ["100"]},
        ],
    }
    line = Timeline(mturk_client, mturk_mock)
    hit_id = line.hit(MaxAssignments=2, AssignmentReviewPolicy=policy)
    line.sent()
    for label in ("cat", "dog"):
        mturk_mock.worker().accept(hit_id).submit({"label": label})
    assert [event for event, _ in line.sent()] == [
        "AssignmentAccepted",
        "AssignmentSubmitted",
        "AssignmentApproved",  # by the policy, at the submit's instant
        "AssignmentAccepted",
        "AssignmentSubmitted",
        "HITReviewable",
        "AssignmentRejected",
    ]

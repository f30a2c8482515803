"""UpdateNotificationSettings and SendTestEventNotification: every rule of spec H§6.1, H§6.5, H§8.23-8.24,
and the message the service sends (spec H§6.3). No queue exists here: messages are recorded only."""

from __future__ import annotations

import json
import re

import pytest

from .helpers import create_hit, create_hit_type, parameter_error, request_error, requester_client

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/mturk-events"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:mturk-events"
EVERY_EVENT = [
    "AssignmentAccepted",
    "AssignmentAbandoned",
    "AssignmentReturned",
    "AssignmentSubmitted",
    "AssignmentRejected",
    "AssignmentApproved",
    "HITCreated",
    "HITExpired",
    "HITReviewable",
    "HITExtended",
    "HITDisposed",
]
EVENT_KEYS = ["HITGroupId", "EventType", "EventTimestamp", "HITId", "AssignmentId", "WorkerId", "HITTypeId"]


def spec(destination: str = QUEUE, transport: str = "SQS", version: str = "2014-08-15", events=None) -> dict:
    return {
        "Destination": destination,
        "Transport": transport,
        "Version": version,
        "EventTypes": ["HITCreated"] if events is None else events,
    }


def subscribe(client, hit_type_id: str, **notification) -> None:
    client.update_notification_settings(HITTypeId=hit_type_id, Notification=spec(**notification))


def test_a_specification_is_stored_active_and_switched_by_active_alone(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    assert mturk_mock.notification_settings(hit_type) is None
    assert mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec())["ResponseMetadata"]
    assert mturk_mock.notification_settings(hit_type) == {**spec(), "Active": True}
    mturk_client.update_notification_settings(HITTypeId=hit_type, Active=False)
    assert mturk_mock.notification_settings(hit_type) == {**spec(), "Active": False}
    create_hit(mturk_client, hit_type)
    mturk_client.update_notification_settings(HITTypeId=hit_type, Active=True)
    create_hit(mturk_client, hit_type)
    assert [m.event_type for m in mturk_mock.events.wait_for(count=1)] == ["HITCreated"]
    assert len(mturk_mock.events) == 1  # nothing was sent while it was off


def test_a_new_specification_replaces_the_old_one_and_active_false_stores_it_off(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    subscribe(mturk_client, hit_type)
    mturk_client.update_notification_settings(
        HITTypeId=hit_type, Notification=spec(TOPIC, "SNS", events=["HITCreated"]), Active=False
    )
    assert mturk_mock.notification_settings(hit_type) == {**spec(TOPIC, "SNS"), "Active": False}
    mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(TOPIC, "SNS"))
    assert mturk_mock.notification_settings(hit_type)["Active"] is True  # a new specification is active
    create_hit(mturk_client, hit_type)
    (message,) = mturk_mock.events.wait_for("HITCreated")
    assert (message.transport, message.destination) == ("SNS", TOPIC)


def test_neither_notification_nor_active_and_active_without_a_specification(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    parameter_error(lambda: mturk_client.update_notification_settings(HITTypeId=hit_type), "Notification", mturk_mock)
    call = lambda: mturk_client.update_notification_settings(HITTypeId=hit_type, Active=True)  # noqa: E731
    parameter_error(call, "Active", mturk_mock)


def test_only_the_owner_of_the_hit_type(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    other = requester_client("AKIAOTHERREQUESTER")
    call = lambda: other.update_notification_settings(HITTypeId=hit_type, Notification=spec())  # noqa: E731
    request_error(call, "HITTypeDoesNotExist", f"HITType {hit_type} does not exist.")
    call = lambda: mturk_client.update_notification_settings(HITTypeId="3" * 30, Active=True)  # noqa: E731
    request_error(call, "HITTypeDoesNotExist", f"HITType {'3' * 30} does not exist.")
    call = lambda: mturk_client.update_notification_settings(HITTypeId="dud", Notification=spec())  # noqa: E731
    parameter_error(call, "HITTypeId", mturk_mock)
    assert mturk_mock.notification_settings(hit_type) is None


@pytest.mark.parametrize(
    ("transport", "destination"),
    [
        ("SQS", QUEUE),
        ("SQS", "https://sqs.ap-southeast-2.amazonaws.com/000000000000/a_queue-1.fifo"),
        ("SQS", "https://queue.amazonaws.com/123456789012/legacy"),
        ("SNS", TOPIC),
        ("SNS", "arn:aws-us-gov:sns:us-gov-west-1:123456789012:t"),
        ("Email", "requester@example.org"),
    ],
)
def test_destinations_of_the_right_shape(mturk_client, mturk_mock, transport, destination):
    hit_type = create_hit_type(mturk_client)
    mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(destination, transport))
    assert mturk_mock.notification_settings(hit_type)["Destination"] == destination


@pytest.mark.parametrize(
    ("transport", "destination"),
    [
        ("SQS", TOPIC),
        ("SQS", "http://sqs.us-east-1.amazonaws.com/123456789012/q"),
        ("SQS", "https://sqs.us-east-1.amazonaws.com/q"),
        ("SQS", "http://127.0.0.1:5000/123456789012/q"),
        ("SNS", QUEUE),
        ("SNS", "arn:aws:sqs:us-east-1:123456789012:q"),
        ("SNS", "arn:aws:sns:us-east-1:1234:t"),
        ("Email", QUEUE),
        ("Email", "nobody"),
    ],
)
def test_destinations_of_the_wrong_shape(mturk_client, mturk_mock, transport, destination):
    hit_type = create_hit_type(mturk_client)
    call = lambda: subscribe(mturk_client, hit_type, destination=destination, transport=transport)  # noqa: E731
    parameter_error(call, "Destination", mturk_mock)
    call = lambda: mturk_client.send_test_event_notification(  # noqa: E731
        Notification=spec(destination, transport), TestEventType="Ping"
    )
    parameter_error(call, "Destination", mturk_mock)
    assert mturk_mock.notification_settings(hit_type) is None


def test_versions_transports_and_event_types(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    subscribe(mturk_client, hit_type, version="2006-05-05", events=EVERY_EVENT)
    subscribe(mturk_client, hit_type, version="2014-08-15", events=["HITCreated", "HITCreated"])
    cases = [
        ({"version": "2017-01-17"}, "Version"),
        ({"events": []}, "EventTypes"),
        ({"events": ["Ping"]}, "EventTypes"),
        ({"events": ["HITCreated", "HITDeleted"]}, "EventTypes"),
        ({"transport": "HTTP"}, "Transport"),
    ]
    for notification, parameter in cases:
        call = lambda notification=notification: subscribe(mturk_client, hit_type, **notification)  # noqa: E731
        parameter_error(call, parameter, mturk_mock)
    assert mturk_mock.notification_settings(hit_type) == {**spec(events=["HITCreated"]), "Active": True}


def test_the_message_is_the_services_document(mturk_client, mturk_mock):
    mturk_mock.clock.freeze(1565385436.809)
    hit_type = create_hit_type(mturk_client)
    subscribe(mturk_client, hit_type, version="2006-05-05", events=["HITCreated", "AssignmentAccepted"])
    hit = create_hit(mturk_client, hit_type)
    working = mturk_mock.worker("A1B2C3D4E5F6G7").accept(hit["HITId"])
    created, accepted = mturk_mock.events.wait_for(count=2)
    source_account, customer_id = mturk_mock.requester_identity()
    assert re.fullmatch(r"\d{12}", source_account) and re.fullmatch(r"A[A-Z0-9]{12,13}", customer_id)
    expected = {
        "Events": [
            {
                "HITGroupId": hit["HITGroupId"],
                "EventType": "AssignmentAccepted",
                "EventTimestamp": "2019-08-09T21:17:16Z",
                "HITId": hit["HITId"],
                "AssignmentId": working.assignment_id,
                "WorkerId": "A1B2C3D4E5F6G7",
                "HITTypeId": hit_type,
            }
        ],
        "EventDocId": accepted.doc_id,
        "SourceAccount": source_account,
        "CustomerId": customer_id,
        "EventDocVersion": "2006-05-05",
    }
    assert accepted.body == json.dumps(expected, separators=(",", ":"))  # keys in the service's order
    assert list(json.loads(accepted.body)["Events"][0]) == EVENT_KEYS
    assert list(created.document["Events"][0]) == ["HITGroupId", "EventType", "EventTimestamp", "HITId", "HITTypeId"]
    assert created.document["Events"][0]["EventTimestamp"] == "2019-08-09T21:17:16Z"
    for message in (created, accepted):
        assert re.fullmatch(r"[0-9a-f]{40}", message.doc_id)
        assert message.status == "recorded" and message.error is None and message.envelope is None
        assert (message.requester, message.hit_type_id, message.hit_id) == ("<default>", hit_type, hit["HITId"])
    assert created.doc_id != accepted.doc_id
    assert accepted.assignment_id == working.assignment_id and accepted.worker_id == "A1B2C3D4E5F6G7"


def test_the_requesters_identity_is_a_setting(mturk_client, mturk_mock):
    mturk_mock.set_requester_identity(source_account="047991105548", customer_id="AUYKYIHQXG6XR")
    other = requester_client("AKIAOTHERREQUESTER")
    for client in (mturk_client, other):
        client.send_test_event_notification(Notification=spec(), TestEventType="Ping")
    mine, theirs = mturk_mock.events.wait_for(count=2)
    assert (mine.document["SourceAccount"], mine.document["CustomerId"]) == ("047991105548", "AUYKYIHQXG6XR")
    assert theirs.document["SourceAccount"] == mturk_mock.requester_identity("AKIAOTHERREQUESTER")[0] != "047991105548"
    with pytest.raises(ValueError, match="12 digits"):
        mturk_mock.set_requester_identity(source_account="123", customer_id="AUYKYIHQXG6XR")
    with pytest.raises(ValueError, match="customer_id"):
        mturk_mock.set_requester_identity(source_account="047991105548", customer_id="nobody")


def test_a_hit_created_before_the_subscription_notifies_later_events(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    hit = create_hit(mturk_client, hit_type)
    subscribe(mturk_client, hit_type, events=["HITCreated", "AssignmentAccepted"])
    mturk_mock.worker().accept(hit["HITId"])
    (message,) = mturk_mock.events.wait_for("AssignmentAccepted")
    assert message.hit_id == hit["HITId"]
    assert [m.event_type for m in mturk_mock.events] == ["AssignmentAccepted"]  # HITCreated was before


def test_events_follow_the_hit_to_its_new_type(mturk_client, mturk_mock):
    first, second = create_hit_type(mturk_client), create_hit_type(mturk_client, Reward="0.50")
    subscribe(mturk_client, first, destination=QUEUE + "-first", events=["AssignmentAccepted"])
    subscribe(mturk_client, second, destination=QUEUE + "-second", events=["AssignmentAccepted"])
    hit = create_hit(mturk_client, first, MaxAssignments=2)
    mturk_mock.worker().accept(hit["HITId"])
    mturk_client.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId=second)
    mturk_mock.worker().accept(hit["HITId"])
    messages = mturk_mock.events.wait_for(count=2)
    assert [(m.destination, m.hit_type_id) for m in messages] == [
        (QUEUE + "-first", first),
        (QUEUE + "-second", second),
    ]


def test_a_test_event_of_any_type_whatever_the_specification_lists(mturk_client, mturk_mock):
    mturk_mock.clock.freeze(1565385436)
    for event_type in ["Ping", "AssignmentSubmitted", "HITExpired"]:
        mturk_client.send_test_event_notification(
            Notification=spec(TOPIC, "SNS", events=["Ping"]), TestEventType=event_type
        )
    ping, submitted, expired = mturk_mock.events.wait_for(count=3)
    assert ping.document["Events"] == [{"EventType": "Ping", "EventTimestamp": "2019-08-09T21:17:16Z"}]
    assert list(submitted.document["Events"][0]) == EVENT_KEYS
    assert list(expired.document["Events"][0]) == ["HITGroupId", "EventType", "EventTimestamp", "HITId", "HITTypeId"]
    for message in (ping, submitted, expired):
        assert message.test and message.transport == "SNS" and message.envelope is not None
    assert mturk_mock.hits() == []  # no HIT is involved


def test_the_sns_envelope_a_subscriber_sees(mturk_client, mturk_mock):
    mturk_mock.clock.freeze(1565385436.809)
    mturk_client.send_test_event_notification(Notification=spec(TOPIC, "SNS"), TestEventType="Ping")
    (message,) = mturk_mock.events.wait_for("Ping")
    envelope = message.envelope
    assert envelope["Type"] == "Notification" and envelope["TopicArn"] == TOPIC
    assert envelope["Message"] == message.body
    assert envelope["Subject"] == "1565385436809" and envelope["Timestamp"] == "2019-08-09T21:17:16.809Z"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", envelope["MessageId"])
    assert envelope["SigningCertURL"].startswith("https://sns.eu-west-1.amazonaws.com/")


def test_test_event_validation(mturk_client, mturk_mock):
    send = mturk_client.send_test_event_notification
    parameter_error(lambda: send(Notification=spec(version="1"), TestEventType="Ping"), "Version", mturk_mock)
    parameter_error(lambda: send(Notification=spec(events=[]), TestEventType="Ping"), "EventTypes", mturk_mock)
    parameter_error(lambda: send(Notification=spec(), TestEventType="HITDeleted"), "TestEventType", mturk_mock)
    mturk_client.send_test_event_notification(Notification=spec(events=["Ping"]), TestEventType="Ping")
    assert [m.event_type for m in mturk_mock.events.wait_for("Ping")] == ["Ping"]
    assert len(mturk_mock.events) == 1


def test_email_destinations_are_recorded(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    subscribe(mturk_client, hit_type, destination="requester@example.org", transport="Email")
    create_hit(mturk_client, hit_type)
    (message,) = mturk_mock.events.wait_for("HITCreated")
    assert (message.transport, message.status, message.envelope) == ("Email", "recorded", None)
    assert mturk_mock.events.to("requester@example.org") == [message]
    assert mturk_mock.events.of_type("HITCreated", "Ping") == [message] and mturk_mock.events.of_type("Ping") == []


def test_wait_for_gives_up_after_its_timeout(mturk_mock):
    with pytest.raises(TimeoutError, match="0 of 1 HITExpired"):
        mturk_mock.events.wait_for("HITExpired", timeout=0.1)

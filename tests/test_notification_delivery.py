"""Delivery of notifications (spec H§6.4): into moto's queues and topics in-process (in either activation
order), to an SQS/SNS server the user runs (moto's server on the loopback), recorded when there is
nowhere to deliver, failed and recorded when the destination does not exist; in order and exactly once
when many workers act at once; never while the world's lock is held."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import threading

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from mturk_mock import MTurkMock, MTurkServer, mock_mturk
from mturk_mock.cli import main

from .helpers import create_hit, create_hit_type
from .test_notification_settings import EVERY_EVENT, spec
from .test_server import read_line

REGION = "us-east-1"
SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
WORK = ["AssignmentAccepted", "AssignmentSubmitted", "HITReviewable"]


def aws(service: str, endpoint: str | None = None):
    return boto3.client(
        service, region_name=REGION, endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x"
    )


def drain(sqs, queue_url: str, wait: int = 0) -> list[str]:
    """Every body in the queue, each received once (deleted after)."""
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
        if not got:
            return bodies
        for message in got:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        wait = 0


def queue_subscribed_to(sns, sqs, topic_arn: str, name: str) -> str:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def work_one_hit(mturk, client, hit_type: str) -> str:
    hit_id = create_hit(client, hit_type)["HITId"]
    mturk.worker().accept(hit_id).submit({"label": "cat"})
    return hit_id


def test_sqs_in_moto_when_mturk_mock_started_first(mturk_client, mturk_mock):
    with mock_aws():
        sqs = aws("sqs")
        queue_url = sqs.create_queue(QueueName="mturk-events")["QueueUrl"]
        hit_type = create_hit_type(mturk_client)
        mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(queue_url, events=WORK))
        work_one_hit(mturk_mock, mturk_client, hit_type)
        bodies = drain(sqs, queue_url)
        assert [json.loads(body)["Events"][0]["EventType"] for body in bodies] == WORK
        assert bodies == [message.body for message in mturk_mock.events]
        assert {message.status for message in mturk_mock.events} == {"delivered"}
        assert mturk_client.get_account_balance()["AvailableBalance"] == "10000.00"  # moto leaves MTurk alone


def test_sns_in_moto_when_moto_started_first():
    with mock_aws(), mock_mturk() as mturk:
        sns, sqs = aws("sns"), aws("sqs")
        topic_arn = sns.create_topic(Name="mturk-events")["TopicArn"]
        queue_url = queue_subscribed_to(sns, sqs, topic_arn, "subscriber")
        client = boto3.client("mturk", region_name=REGION, endpoint_url=SANDBOX)
        hit_type = create_hit_type(client)
        client.update_notification_settings(HITTypeId=hit_type, Notification=spec(topic_arn, "SNS", events=WORK))
        work_one_hit(mturk, client, hit_type)
        received = [json.loads(body) for body in drain(sqs, queue_url)]
        assert len(received) == 3
        for envelope, message in zip(received, mturk.events, strict=True):
            assert envelope["Type"] == "Notification" and envelope["TopicArn"] == topic_arn
            assert envelope["Message"] == message.body and envelope["Subject"] == message.envelope["Subject"]
            assert envelope["MessageId"] == message.envelope["MessageId"]  # the id moto gave the publication
        assert [json.loads(e["Message"])["Events"][0]["EventType"] for e in received] == WORK
    assert len(mturk.events) == 3


def test_a_destination_that_does_not_exist_fails_the_message_not_the_call(mturk_client, mturk_mock, caplog):
    with mock_aws():
        sqs = aws("sqs")
        missing = "https://sqs.us-east-1.amazonaws.com/123456789012/never-created"
        hit_type = create_hit_type(mturk_client)
        mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(missing, events=["HITCreated"]))
        mturk_client.send_test_event_notification(
            Notification=spec("arn:aws:sns:us-east-1:123456789012:no-topic", "SNS"), TestEventType="Ping"
        )
        create_hit(mturk_client, hit_type)  # succeeds: the event happened all the same
        queue_url = sqs.create_queue(QueueName="never-created")["QueueUrl"]
        assert drain(sqs, queue_url) == []  # not retried once the queue exists
    ping, created = mturk_mock.events
    assert (ping.status, created.status) == ("failed", "failed")
    assert "NotFound" in ping.error and "NonExistentQueue" in created.error
    assert "not delivered" in caplog.text


def test_without_moto_or_an_endpoint_messages_are_recorded_only(mturk_client, mturk_mock, monkeypatch):
    from . import transports

    transports.stay_on_loopback(monkeypatch)  # a connection anywhere would fail the send
    hit_type = create_hit_type(mturk_client)
    mturk_client.update_notification_settings(
        HITTypeId=hit_type, Notification=spec("https://sqs.us-east-1.amazonaws.com/123456789012/q")
    )
    create_hit(mturk_client, hit_type)
    (message,) = mturk_mock.events
    assert (message.status, message.error) == ("recorded", None)


def test_moto_started_and_stopped_again_gets_the_later_messages(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    for round_ in range(2):
        with mock_aws():
            sqs = aws("sqs")
            queue_url = sqs.create_queue(QueueName="events")["QueueUrl"]
            mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(queue_url))
            create_hit(mturk_client, hit_type)
            assert len(drain(sqs, queue_url)) == 1, round_
        create_hit(mturk_client, hit_type)  # moto is off: recorded only
    assert [message.status for message in mturk_mock.events] == ["delivered", "recorded"] * 2


def test_many_workers_at_once_every_message_once_in_the_order_of_the_events(mturk_client, mturk_mock):
    workers, hits_each = 8, 5
    with mock_aws():
        sqs = aws("sqs")
        queue_url = sqs.create_queue(QueueName="busy")["QueueUrl"]
        hit_type = create_hit_type(mturk_client)
        mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(queue_url, events=EVERY_EVENT))
        hit_ids = [create_hit(mturk_client, hit_type, MaxAssignments=workers)["HITId"] for _ in range(hits_each)]
        start = threading.Barrier(workers)
        failures: list[BaseException] = []

        def work(worker_id: str) -> None:
            try:
                worker = mturk_mock.worker(worker_id)
                start.wait()
                for number, hit_id in enumerate(hit_ids):
                    assignment = worker.accept(hit_id)
                    if number % 3 == 2:
                        assignment.return_()
                    else:
                        assignment.submit({"label": worker_id})
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(f"A{n:013d}",)) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not failures and not any(thread.is_alive() for thread in threads)
        bodies = drain(sqs, queue_url)
    log = mturk_mock.world.marketplace("sandbox").events.log
    messages = list(mturk_mock.events)
    expected = [(e.event_type, e.hit_id, e.assignment_id) for e in log]
    assert [(m.event_type, m.hit_id, m.assignment_id) for m in messages] == expected  # order of the events
    submitted_hits = sum(number % 3 != 2 for number in range(hits_each))  # these become Reviewable
    assert len(expected) == hits_each * (1 + 2 * workers) + submitted_hits
    assert len({m.doc_id for m in messages}) == len(messages)
    assert collections.Counter(bodies) == collections.Counter(m.body for m in messages)  # each exactly once
    assert {m.status for m in messages} == {"delivered"}


class CallingBack:
    """A courier whose first delivery makes a subscriber (another thread) call MTurk and waits for it, as
    an SNS topic with an HTTP subscriber that calls back would: that call must not wait for delivery."""

    def __init__(self, courier, call) -> None:
        self.courier, self.call, self.joined = courier, call, None

    def deliver(self, notice):
        message = self.courier.deliver(notice)
        if self.joined is None:
            subscriber = threading.Thread(target=self.call)
            subscriber.start()
            subscriber.join(5)
            self.joined = not subscriber.is_alive()
        return message


def test_a_subscriber_calling_back_during_delivery_does_not_deadlock(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(events=["HITCreated"]))
    outbox = mturk_mock.world.outbox
    courier = outbox.courier = CallingBack(outbox.courier, lambda: create_hit(mturk_client, hit_type))
    first = create_hit(mturk_client, hit_type)["HITId"]
    assert courier.joined is True
    assert [m.hit_id for m in mturk_mock.events][0] == first
    assert len(mturk_mock.events) == 2  # the subscriber's HIT too, sent by the thread that was sending


def test_nothing_is_sent_while_this_thread_holds_the_lock(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(events=["HITCreated"]))
    with mturk_mock.world.lock:
        create_hit(mturk_client, hit_type)
        assert len(mturk_mock.world.outbox.pending) == 1 and mturk_mock.world.outbox.messages == []
    assert len(mturk_mock.events) == 1  # sent once the lock is free


def test_without_a_specification_events_cost_only_their_recording(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client)
    work_one_hit(mturk_mock, mturk_client, hit_type)
    assert len(mturk_mock.world.marketplace("sandbox").events.log) == 4
    assert mturk_mock.world.outbox.serial == 0 and len(mturk_mock.events) == 0


def test_settings_identity_and_serial_survive_a_state_file(mturk_client, mturk_mock, tmp_path):
    hit_type = create_hit_type(mturk_client)
    mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(events=["HITCreated"]))
    mturk_mock.set_requester_identity(source_account="047991105548", customer_id="AUYKYIHQXG6XR")
    create_hit(mturk_client, hit_type)
    mturk_client.update_notification_settings(HITTypeId=hit_type, Active=False)
    first = mturk_mock.events[0].doc_id
    mturk_mock.save_state(tmp_path / "state.json")
    mturk_mock.reset()
    assert mturk_mock.requester_identity()[0] != "047991105548"
    mturk_mock.load_state(tmp_path / "state.json")
    assert mturk_mock.notification_settings(hit_type) == {**spec(events=["HITCreated"]), "Active": False}
    mturk_client.update_notification_settings(HITTypeId=hit_type, Active=True)
    create_hit(mturk_client, hit_type)
    (message,) = mturk_mock.events  # the loaded state brings no history
    assert message.document["SourceAccount"] == "047991105548" and message.doc_id != first


# -- server mode: forwarding to an SQS/SNS server the user runs -----------------------------------


@pytest.fixture(scope="module")
def moto_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_the_server_forwards_to_sqs_and_sns_endpoints(moto_server):
    sqs, sns = aws("sqs", moto_server), aws("sns", moto_server)
    sqs.create_queue(QueueName="served-events")
    queue = "https://sqs.us-east-1.amazonaws.com/123456789012/served-events"  # the form MTurk accepts
    topic_arn = sns.create_topic(Name="served-topic")["TopicArn"]
    subscriber = queue_subscribed_to(sns, sqs, topic_arn, "served-subscriber")
    handle = MTurkMock(sqs_endpoint=moto_server, sns_endpoint=moto_server)
    with MTurkServer(handle) as server:
        client = aws("mturk", server.url)
        hit_type = create_hit_type(client)
        client.update_notification_settings(HITTypeId=hit_type, Notification=spec(queue, events=WORK))
        hit_id = work_one_hit(handle, client, hit_type)
        client.send_test_event_notification(Notification=spec(topic_arn, "SNS"), TestEventType="Ping")
        queued = [json.loads(body) for body in drain(sqs, sqs.get_queue_url(QueueName="served-events")["QueueUrl"], 5)]
        published = [json.loads(json.loads(body)["Message"]) for body in drain(sqs, subscriber, 5)]
    assert [(d["Events"][0]["EventType"], d["Events"][0]["HITId"]) for d in queued] == [(e, hit_id) for e in WORK]
    assert [d["Events"] for d in published] == [[handle.events.of_type("Ping")[0].document["Events"][0]]]
    assert {m.status for m in handle.events} == {"delivered"}


def test_serve_forwards_to_the_endpoint_given_on_the_command_line(moto_server):
    sqs = aws("sqs", moto_server)
    queue_url = sqs.create_queue(QueueName="cli-events")["QueueUrl"]
    process = subprocess.Popen(
        [sys.executable, "-m", "mturk_mock", "serve", "--port", "0", "--sqs-endpoint", moto_server],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = read_line(process, 30).split()[3]
        assert process.stdout.readline() == f"mturk-mock: SQS notifications go to {moto_server}\n"
        client = aws("mturk", url)
        client.send_test_event_notification(
            Notification=spec("https://sqs.us-east-1.amazonaws.com/123456789012/cli-events"), TestEventType="Ping"
        )
        (body,) = drain(sqs, queue_url, 5)
        assert json.loads(body)["Events"][0]["EventType"] == "Ping"
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        process.stderr.close()


def test_serve_refuses_an_endpoint_that_is_not_a_url(capsys):
    assert main(["serve", "--port", "0", "--sqs-endpoint", "localhost:4566"]) == 1
    assert "--sqs-endpoint must be an http:// or https:// URL" in capsys.readouterr().err
    with pytest.raises(ValueError, match="sns_endpoint"):
        MTurkMock(sns_endpoint="ftp://example.org")


def test_the_server_sends_in_the_background_once_each_in_event_order():
    handle = MTurkMock()
    with MTurkServer(handle) as server:
        client = aws("mturk", server.url)
        hit_type = create_hit_type(client)
        client.update_notification_settings(HITTypeId=hit_type, Notification=spec(events=EVERY_EVENT))
        failures: list[BaseException] = []

        clients = [aws("mturk", server.url) for _ in range(6)]  # made here: client creation is not thread-safe

        def requester(own) -> None:
            try:
                for _ in range(10):
                    hit_id = create_hit(own, hit_type)["HITId"]
                    own.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=requester, args=(own,)) for own in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not failures
        messages = handle.events.wait_for(count=6 * 10 * 3)  # created, expired, reviewable
    log = handle.world.marketplace("sandbox").events.log
    assert [(m.event_type, m.hit_id) for m in messages] == [(e.event_type, e.hit_id) for e in log]
    assert len({m.doc_id for m in messages}) == len(messages) == 180

"""Event notifications into an SQS queue in moto: a HIT type is subscribed to the queue, a crowd of
simulated workers works the HITs in another thread, and the code under test consumes the
AssignmentSubmitted messages with its own receive_message loop and approves each assignment.

    python3 -m pip install '.[test]'      # moto[sqs,sns]
    python3 examples/notifications_sqs.py
"""

from __future__ import annotations

import json
import threading

import boto3
from moto import mock_aws

from mturk_mock import mock_mturk

SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://tasks.example.org/label</ExternalURL>'
    "<FrameHeight>600</FrameHeight></ExternalQuestion>"
)
CROWD = ["A1CROWDWORKER01", "A1CROWDWORKER02"]


def approve_submitted_work(mturk, sqs, queue_url: str, expected: int) -> list[str]:
    """The code under test: a worker process that reacts to MTurk's notifications instead of polling."""
    approved: list[str] = []
    while len(approved) < expected:
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in response.get("Messages", []):
            for event in json.loads(message["Body"])["Events"]:
                if event["EventType"] == "AssignmentSubmitted":
                    mturk.approve_assignment(AssignmentId=event["AssignmentId"], RequesterFeedback="Thank you!")
                    approved.append(event["AssignmentId"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return approved


def main() -> None:
    with mock_aws(), mock_mturk() as mturk:  # either order works
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue_url = sqs.create_queue(QueueName="mturk-events")["QueueUrl"]
        client = boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX)
        hit_type = client.create_hit_type(
            Title="Label an image", Description="Say what it shows", Reward="0.10", AssignmentDurationInSeconds=600
        )["HITTypeId"]
        client.update_notification_settings(
            HITTypeId=hit_type,
            Notification={
                "Destination": queue_url,  # https://sqs.us-east-1.amazonaws.com/123456789012/mturk-events
                "Transport": "SQS",
                "Version": "2014-08-15",
                "EventTypes": ["AssignmentSubmitted", "HITReviewable"],
            },
            Active=True,
        )
        hit_ids = [
            client.create_hit_with_hit_type(
                HITTypeId=hit_type, MaxAssignments=len(CROWD), LifetimeInSeconds=3600, Question=QUESTION
            )["HIT"]["HITId"]
            for _ in range(3)
        ]

        def crowd_works() -> None:
            for worker_id in CROWD:
                worker = mturk.worker(worker_id)
                for hit_id in hit_ids:
                    worker.accept(hit_id).submit({"label": "cat"})

        crowd = threading.Thread(target=crowd_works)
        crowd.start()
        approved = approve_submitted_work(client, sqs, queue_url, expected=len(CROWD) * len(hit_ids))
        crowd.join()

        print(f"approved {len(approved)} assignments from AssignmentSubmitted messages")
        statuses = {client.get_hit(HITId=hit_id)["HIT"]["HITStatus"] for hit_id in hit_ids}
        completed = sum(client.get_hit(HITId=hit_id)["HIT"]["NumberOfAssignmentsCompleted"] for hit_id in hit_ids)
        print(f"HIT statuses: {sorted(statuses)}, assignments completed: {completed}")
        reviewable = mturk.events.wait_for("HITReviewable", count=len(hit_ids))  # what the mock sent
        delivered = all(message.status == "delivered" for message in mturk.events)
        print(f"HITReviewable messages: {len(reviewable)}, all delivered: {delivered}")


if __name__ == "__main__":
    main()

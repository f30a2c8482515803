"""A requester in production publishes a batch of HITs that require a qualification of their own, watches
them expire on the mock clock, extends one, and cleans up as real scripts do: expire, then delete.

    python3 examples/publish_hits.py
"""

from __future__ import annotations

import boto3

from mturk_mock import mock_mturk

PRODUCTION = "https://mturk-requester.us-east-1.amazonaws.com"
QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://tasks.example.org/label?image={image}</ExternalURL>'
    "<FrameHeight>600</FrameHeight></ExternalQuestion>"
)


def main() -> None:
    with mock_mturk(marketplace="production") as mturk:
        client = boto3.client(
            "mturk",
            region_name="us-east-1",
            endpoint_url=PRODUCTION,
            aws_access_key_id="AKIAEXAMPLEREQUESTER",
            aws_secret_access_key="not used",
        )
        mturk.clock.freeze(1_800_000_000)
        print("balance before:", client.get_account_balance()["AvailableBalance"])

        qualified = client.create_qualification_type(
            Name="Trained labeller", Description="Passed our labelling training", QualificationTypeStatus="Active"
        )["QualificationType"]["QualificationTypeId"]
        hit_type = client.create_hit_type(
            Title="Label an image",
            Description="Say what the picture shows",
            Reward="0.50",
            AssignmentDurationInSeconds=600,
            Keywords="image, label",
            QualificationRequirements=[
                {
                    "QualificationTypeId": qualified,
                    "Comparator": "Exists",
                    "ActionsGuarded": "DiscoverPreviewAndAccept",
                },
                {
                    "QualificationTypeId": "000000000000000000L0",
                    "Comparator": "GreaterThanOrEqualTo",
                    "IntegerValues": [95],
                },
            ],
        )["HITTypeId"]
        hits = [
            client.create_hit_with_hit_type(
                HITTypeId=hit_type,
                LifetimeInSeconds=3600,
                MaxAssignments=3,
                Question=QUESTION.format(image=image),
                UniqueRequestToken=f"labels-{image}",
            )["HIT"]
            for image in range(1, 6)
        ]
        print(
            f"published {len(hits)} HITs of type {hit_type}, each requiring",
            [req["QualificationTypeId"] for req in hits[0]["QualificationRequirements"]],
        )
        balance = client.get_account_balance()
        print("balance after publishing:", balance["AvailableBalance"], "on hold:", balance["OnHoldBalance"])

        mturk.clock.advance(hours=1)
        reviewable = client.list_reviewable_hits(HITTypeId=hit_type)["HITs"]
        print("reviewable after an hour:", len(reviewable))
        client.update_expiration_for_hit(HITId=hits[0]["HITId"], ExpireAt=mturk.clock.now() + 86400)
        print("extended:", client.get_hit(HITId=hits[0]["HITId"])["HIT"]["HITStatus"])

        for hit in hits:  # clean up: expire, then delete
            client.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
            client.delete_hit(HITId=hit["HITId"])
        print("left after clean-up:", client.list_hits()["NumResults"])
        print("balance after clean-up:", client.get_account_balance()["AvailableBalance"])
        print("statuses seen by the handle:", sorted({view.status for view in mturk.hits()}))


if __name__ == "__main__":
    main()

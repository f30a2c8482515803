"""A short requester workflow against the mock, with the context manager.

    python3 examples/quickstart.py

It creates qualification types, finds them again with a search, pages through them the way
boto3's paginator does, retires one and shows the error a duplicate name gets.
"""

from __future__ import annotations

import boto3

from mturk_mock import mock_mturk

SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"


def main() -> None:
    with mock_mturk() as mturk:
        client = boto3.client(
            "mturk",
            region_name="us-east-1",
            endpoint_url=SANDBOX,
            aws_access_key_id="AKIAEXAMPLEREQUESTER",
            aws_secret_access_key="not-used",
        )
        print("sandbox balance:", client.get_account_balance()["AvailableBalance"])

        created = [
            client.create_qualification_type(
                Name=f"Image tagging level {level}",
                Description=f"Passed tagging training, level {level}",
                Keywords="images, tagging",
                QualificationTypeStatus="Active",
                AutoGranted=level == 1,
            )["QualificationType"]
            for level in (1, 2, 3)
        ]
        print("created:", ", ".join(f"{qual['Name']} ({qual['QualificationTypeId']})" for qual in created))

        found = client.list_qualification_types(
            Query="TAGGING LEVEL 2", MustBeRequestable=True, MustBeOwnedByCaller=True
        )
        print("search 'TAGGING LEVEL 2':", [qual["Name"] for qual in found["QualificationTypes"]])

        paginator = client.get_paginator("list_qualification_types")
        pages = list(paginator.paginate(MustBeRequestable=True, PaginationConfig={"PageSize": 2}))
        print("pages of 2:", [[qual["Name"][-7:] for qual in page["QualificationTypes"]] for page in pages])

        retired = client.update_qualification_type(
            QualificationTypeId=created[2]["QualificationTypeId"], QualificationTypeStatus="Inactive"
        )["QualificationType"]
        print("level 3 is now", retired["QualificationTypeStatus"])

        try:
            client.create_qualification_type(
                Name="Image tagging level 1", Description="again", QualificationTypeStatus="Active"
            )
        except client.exceptions.RequestError as error:
            message = error.response["Error"]["Message"]
            print("duplicate name:", error.response["TurkErrorCode"], "-", message[:60], "...")

        print("calls answered by the mock:", len(mturk.calls))


if __name__ == "__main__":
    main()

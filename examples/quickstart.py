"""A short requester workflow against the mock, with the context manager.

    python3 examples/quickstart.py
"""

from __future__ import annotations

import boto3

from mturk_mock import mock_mturk_qual

SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"


def main() -> None:
    with mock_mturk_qual() as mturk:
        client = boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX,
                              aws_access_key_id="AKIAEXAMPLEREQUESTER", aws_secret_access_key="not-used")
        print("sandbox balance:", client.get_account_balance()["AvailableBalance"])
        print("calls answered by the mock:", [call.operation for call in mturk.calls])


if __name__ == "__main__":
    main()

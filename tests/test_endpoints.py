"""Wrong endpoints behave as they would against AWS (issue 18, point 3): MTurk exists only in us-east-1, at
two hosts. Another region, FIPS or dual-stack builds a host that does not exist (botocore's
EndpointConnectionError); a signature scoped to another region is refused; custom endpoint URLs go to the
mock's ``marketplace=``."""

from __future__ import annotations

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from mturk_mock import mock_mturk

KEY = {"aws_access_key_id": "AKIAENDPOINTS", "aws_secret_access_key": "x"}
SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
PRODUCTION = "https://mturk-requester.us-east-1.amazonaws.com"


@pytest.mark.parametrize(
    ("region", "config", "url"),
    [
        ("eu-west-1", None, "https://mturk-requester.eu-west-1.amazonaws.com/"),
        ("us-west-2", None, "https://mturk-requester.us-west-2.amazonaws.com/"),
        ("cn-north-1", None, "https://mturk-requester.cn-north-1.amazonaws.com.cn/"),
        ("us-east-1", Config(use_fips_endpoint=True), "https://mturk-requester-fips.us-east-1.amazonaws.com/"),
        ("us-east-1", Config(use_dualstack_endpoint=True), "https://mturk-requester.us-east-1.api.aws/"),
    ],
    ids=["eu-west-1", "us-west-2", "china", "fips", "dualstack"],
)
def test_a_host_mturk_does_not_have_cannot_be_reached(region, config, url):
    with mock_mturk() as mturk:
        client = boto3.client("mturk", region_name=region, config=config, **KEY)
        with pytest.raises(EndpointConnectionError) as raised:
            client.get_account_balance()
    # What botocore raises when the name does not resolve: the same class, the same text.
    assert str(raised.value) == str(EndpointConnectionError(endpoint_url=url))
    assert "MTurk exists only in us-east-1" in raised.value.kwargs["error"]
    assert mturk.calls == []  # nothing reached a service


def test_an_explicit_endpoint_url_on_a_made_up_aws_host_cannot_be_reached_either():
    with mock_mturk():
        client = boto3.client("mturk", region_name="us-east-1", endpoint_url="https://mturk.amazonaws.com", **KEY)
        with pytest.raises(EndpointConnectionError):
            client.get_account_balance()


@pytest.mark.parametrize(
    ("endpoint_url", "marketplace"),
    [
        (SANDBOX, "sandbox"),
        (PRODUCTION, "production"),
        ("https://MTURK-REQUESTER.us-east-1.amazonaws.com.:443", "production"),
        (None, "production"),  # us-east-1 without endpoint_url: botocore builds the production URL
    ],
)
def test_the_two_mturk_hosts_are_the_two_marketplaces_whatever_marketplace_says(endpoint_url, marketplace):
    with mock_mturk(marketplace="sandbox" if marketplace == "production" else "production") as mturk:
        client = boto3.client("mturk", region_name="us-east-1", endpoint_url=endpoint_url, **KEY)
        client.get_account_balance()
    assert mturk.calls[-1].marketplace == marketplace


def test_the_sandbox_pseudo_region_is_the_sandbox():
    with mock_mturk(marketplace="production") as mturk:
        boto3.client("mturk", region_name="sandbox", **KEY).get_account_balance()
    assert mturk.calls[-1].marketplace == "sandbox"


@pytest.mark.parametrize("marketplace", ["sandbox", "production"])
@pytest.mark.parametrize(
    "endpoint_url", ["http://localhost:8443", "http://127.0.0.1:1", "https://mturk-proxy.example.org/mturk"]
)
def test_a_custom_endpoint_goes_to_the_marketplace_option_in_any_region(endpoint_url, marketplace):
    with mock_mturk(marketplace=marketplace) as mturk:
        client = boto3.client("mturk", region_name="eu-west-1", endpoint_url=endpoint_url, **KEY)
        client.get_account_balance()
    assert mturk.calls[-1].marketplace == marketplace


def test_a_signature_for_another_region_is_refused_by_the_front_end():
    with mock_mturk() as mturk:
        client = boto3.client("mturk", region_name="eu-west-1", endpoint_url=SANDBOX, **KEY)
        with pytest.raises(ClientError) as raised:
            client.get_account_balance()
    error = raised.value.response
    assert error["Error"] == {
        "Code": "InvalidSignatureException",
        "Message": "Credential should be scoped to a valid region, not 'eu-west-1'. ",
    }
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    call = mturk.calls[-1]
    assert call.response["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    assert call.detail == "the client signs for region 'eu-west-1'; MTurk answers only requests signed for us-east-1"


def test_an_unsigned_client_has_no_region_to_check():
    with mock_mturk() as mturk:
        client = boto3.client(
            "mturk", region_name="eu-west-1", endpoint_url=SANDBOX, config=Config(signature_version=botocore.UNSIGNED)
        )
        assert client.get_account_balance()["AvailableBalance"] == "10000.00"
    assert mturk.calls[-1].ok

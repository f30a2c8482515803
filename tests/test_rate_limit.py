"""The per-requester rate limit (issue 17, requirement 3): token buckets on the mock clock answered with
ThrottlingException, the client's own retries meeting it, and a backoff loop under test (the README's
example)."""

from __future__ import annotations

import random

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mturk_mock import mock_mturk
from mturk_mock.pytest_plugin import PRODUCTION_ENDPOINT, SANDBOX_ENDPOINT


def client(key: str = "AKIARATE", endpoint: str = SANDBOX_ENDPOINT, **retries):
    return boto3.client(
        "mturk",
        region_name="us-east-1",
        endpoint_url=endpoint,
        config=Config(retries=retries or {"mode": "standard", "total_max_attempts": 1}),
        aws_access_key_id=key,
        aws_secret_access_key="secret",
    )


def throttled(call) -> bool:
    try:
        call()
    except ClientError as error:
        assert error.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
        return True
    return False


@pytest.mark.mturk_mock(rate_limit={"rate": 1, "burst": 3})
def test_a_bucket_allows_bursts_and_refills_on_the_mock_clock(mturk_mock):
    mturk_mock.clock.freeze()
    once = client()
    assert [throttled(once.get_account_balance) for _ in range(5)] == [False, False, False, True, True]
    mturk_mock.clock.advance(1.5)
    assert [throttled(once.get_account_balance) for _ in range(2)] == [False, True]
    assert [call.fault for call in mturk_mock.calls] == [None] * 3 + ["rate limit"] * 2 + [None, "rate limit"]
    assert mturk_mock.calls[3].response == {
        "__type": "com.amazon.coral.availability#ThrottlingException",
        "message": "Rate exceeded",
    }


@pytest.mark.mturk_mock(rate_limit=2)
def test_buckets_are_per_requester_and_marketplace(mturk_mock):
    mturk_mock.clock.freeze()
    one, two, production = client("AKIAONE"), client("AKIATWO"), client("AKIAONE", PRODUCTION_ENDPOINT)
    assert [throttled(one.get_account_balance) for _ in range(3)] == [False, False, True]
    assert [throttled(two.get_account_balance) for _ in range(3)] == [False, False, True]
    assert not throttled(production.get_account_balance)


def test_the_rate_limit_can_change_at_run_time(mturk_mock):
    mturk_mock.clock.freeze()
    once = client()
    mturk_mock.faults.rate_limit(1, burst=1)
    assert [throttled(once.get_account_balance) for _ in range(2)] == [False, True]
    mturk_mock.faults.rate_limit(None)
    assert not mturk_mock.faults.armed
    assert not any(throttled(once.get_account_balance) for _ in range(10))


@pytest.mark.mturk_mock(rate_limit={"rate": 10, "burst": 1}, retry_backoff="clock")
def test_client_retries_get_through_when_their_backoff_advances_the_clock(mturk_mock):
    random.seed(17)  # botocore's jitter: the module-level generator
    mturk_mock.clock.freeze()
    start = mturk_mock.clock.now()
    legacy = client(mode="legacy")
    for _ in range(5):
        legacy.get_account_balance()
    retried = [call for call in mturk_mock.calls if call.fault == "rate limit"]
    assert retried and all(call.retry_delay is not None for call in retried)
    assert mturk_mock.clock.now() == pytest.approx(start + sum(call.retry_delay for call in retried), abs=0.01)


# -- the README's example: testing a backoff loop -----------------------------------------------------


def create_all(mturk, names, sleep):
    """Code under test: creates qualification types, backing off exponentially while throttled."""
    created = []
    for name in names:
        delay = 0.5
        while True:
            try:
                answer = mturk.create_qualification_type(
                    Name=name, Description="A qualification", QualificationTypeStatus="Active"
                )
                created.append(answer["QualificationType"]["QualificationTypeId"])
                break
            except ClientError as error:
                if error.response["Error"]["Code"] != "ThrottlingException":
                    raise
                sleep(delay)
                delay = min(delay * 2, 8)
    return created


@pytest.mark.mturk_mock(rate_limit={"rate": 5, "burst": 20})
def test_a_burst_of_a_thousand_calls_backs_off_until_done(mturk_mock):
    mturk_mock.clock.freeze()  # only the code's own sleeps move time
    start = mturk_mock.clock.now()
    names = [f"type {n}" for n in range(1000)]
    created = create_all(client(), names, sleep=mturk_mock.clock.advance)
    assert len(set(created)) == 1000
    throttles = [call for call in mturk_mock.calls if call.fault == "rate limit"]
    assert len(mturk_mock.calls) == 1000 + len(throttles) and throttles
    assert mturk_mock.clock.now() - start >= (1000 - 20) / 5  # a burst of 20, then 5 a second
    with mock_mturk(rate_limit=1000) as fast:
        assert len(create_all(client(), names[:50], sleep=fast.clock.advance)) == 50
        assert not any(call.fault for call in fast.calls)

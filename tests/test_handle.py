"""The handle: call log, controllable clock, reset, requesters and marketplaces, thread safety
(issue 2, requirements 5, 7 and 10)."""

from __future__ import annotations

import datetime as dt
import threading
from email.utils import parsedate_to_datetime

import boto3
import pytest

from mturk_mock import Clock
from mturk_mock.pytest_plugin import SANDBOX_ENDPOINT


def _client(key: str | None = None, region: str = "us-east-1", endpoint: str | None = SANDBOX_ENDPOINT):
    keys = {"aws_access_key_id": key, "aws_secret_access_key": "secret"} if key else {}
    return boto3.Session().client("mturk", region_name=region, endpoint_url=endpoint, **keys)


def test_call_log_records_request_and_answer(mturk_client, mturk_mock):
    reply = mturk_client.get_account_balance()
    (call,) = mturk_mock.calls
    assert (call.operation, call.marketplace, call.ok, call.error_code) == ("GetAccountBalance", "sandbox", True, None)
    assert call.request == {} and call.response == {"AvailableBalance": "10000.00"}
    assert call.request_id == reply["ResponseMetadata"]["RequestId"]
    assert mturk_mock.calls_to("GetAccountBalance") == [call]


def test_mutating_a_reply_does_not_change_the_call_log(mturk_client, mturk_mock):
    mturk_client.get_account_balance()["AvailableBalance"] = "0"
    assert mturk_mock.calls[0].response["AvailableBalance"] == "10000.00"


@pytest.mark.mturk_mock(record_calls=False)
def test_call_log_can_be_switched_off(mturk_client, mturk_mock):
    mturk_client.get_account_balance()
    assert mturk_mock.calls == []


def test_clock_drives_the_date_header(mturk_client, mturk_mock):
    mturk_mock.clock.set(dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
    mturk_mock.clock.freeze()
    headers = mturk_client.get_account_balance()["ResponseMetadata"]["HTTPHeaders"]
    assert parsedate_to_datetime(headers["date"]) == dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    mturk_mock.clock.advance(hours=1)
    headers = mturk_client.get_account_balance()["ResponseMetadata"]["HTTPHeaders"]
    assert parsedate_to_datetime(headers["date"]).hour == 4


def test_clock_semantics():
    clock = Clock(start=1_000_000, frozen=True)
    assert clock.now() == 1_000_000
    assert clock.advance(1.5, minutes=1) == 1_000_061.5
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError, match="naive"):
        clock.set(dt.datetime(2030, 1, 1))
    clock.unfreeze()
    assert 1_000_061.5 <= clock.now() < 1_000_062.5
    assert Clock().now() == pytest.approx(dt.datetime.now(dt.timezone.utc).timestamp(), abs=1)


def test_reset_clears_log_and_state(mturk_client, mturk_mock):
    world = mturk_mock.world
    mturk_mock.clock.advance(days=3)
    mturk_client.get_account_balance()
    mturk_mock.reset()
    assert mturk_mock.calls == [] and mturk_mock.world is world
    assert mturk_mock.clock.now() == pytest.approx(dt.datetime.now(dt.timezone.utc).timestamp(), abs=1)


def test_requesters_follow_access_keys_and_marketplaces_follow_endpoints(mturk_mock):
    _client("AKIAONE").get_account_balance()
    _client("AKIATWO").get_account_balance()
    _client(endpoint=None).get_account_balance()
    _client("AKIAONE", region="sandbox", endpoint=None).get_account_balance()
    seen = [(call.requester, call.marketplace) for call in mturk_mock.calls]
    assert seen[:2] == [("AKIAONE", "sandbox"), ("AKIATWO", "sandbox")]
    assert seen[2][1] == "production" and seen[3] == ("AKIAONE", "sandbox")


def test_sandbox_balance_is_fixed_and_production_is_configurable(mturk_mock):
    mturk_mock.world.marketplace("production").balances["AKIARICH"] = "12.34"
    assert _client("AKIARICH", endpoint=None).get_account_balance()["AvailableBalance"] == "12.34"
    assert _client("AKIARICH").get_account_balance()["AvailableBalance"] == "10000.00"


def test_concurrent_calls_lose_nothing(mturk_client, mturk_mock):
    errors = []

    def worker():
        try:
            for _ in range(100):
                mturk_client.get_account_balance()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(mturk_mock.calls) == 800
    assert len({call.request_id for call in mturk_mock.calls}) == 800

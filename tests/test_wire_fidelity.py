"""What the caller receives equals what botocore's parser makes of the mock's wire JSON, for every
implemented operation and every kind of error (issue 2, requirement 3)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from botocore.exceptions import ClientError

from mturk_mock.service import OPERATIONS
from mturk_mock.service import dispatch as service_dispatch

from .conftest import assert_same_python, reference_parse
from .unimplemented import hide
from .wire_scenarios import ERROR_SCENARIOS, SUCCESS_SCENARIOS


def _run(scenario, client, mturk_mock, capture):
    kwargs = scenario.prepare(client, mturk_mock)
    method = getattr(client, scenario.method)
    try:
        returned = method(**kwargs)
    except ClientError as error:
        returned = error.response
    operation, http_response, parsed = capture.seen[-1]
    assert parsed is returned
    return operation, http_response, returned


@pytest.mark.parametrize("scenario", SUCCESS_SCENARIOS + ERROR_SCENARIOS, ids=lambda s: s.name)
def test_caller_receives_what_botocore_parses(scenario, mturk_client, mturk_mock, capture, monkeypatch):
    hide(monkeypatch, *scenario.hidden)
    operation, http_response, returned = _run(scenario, mturk_client, mturk_mock, capture)
    assert_same_python(returned, reference_parse(mturk_client, operation, http_response))
    body = json.loads(http_response.content)
    if scenario.error is None:
        assert http_response.status_code == 200
    else:
        assert returned["Error"]["Code"] == scenario.error
        assert http_response.status_code == (
            500 if scenario.error == "ServiceFault" else 501 if scenario.error == "NotImplemented" else 400
        )
        assert "__type" in body


def test_every_implemented_operation_has_a_success_scenario():
    covered = {scenario.operation for scenario in SUCCESS_SCENARIOS}
    assert set(OPERATIONS) <= covered, f"add wire scenarios for {sorted(set(OPERATIONS) - covered)}"


def test_every_error_kind_has_a_scenario():
    kinds = {scenario.error for scenario in ERROR_SCENARIOS}
    # ServiceFault only answers bugs; test_internal_bug_answers_service_fault checks its fidelity.
    assert {"RequestError", "ParameterValidationError", "NotImplemented"} <= kinds


def test_wire_body_has_sorted_keys_and_no_nulls(mturk_client, capture):
    mturk_client.get_account_balance()
    _, http_response, _ = capture.seen[-1]
    raw = http_response.content.decode()
    body = json.loads(raw)
    assert list(body) == sorted(body) and "null" not in raw
    assert http_response.headers["content-length"] == str(len(http_response.content))


def test_internal_bug_answers_service_fault_and_is_never_retried(mturk_client, mturk_mock, capture, monkeypatch):
    def broken(call, request):
        raise KeyError("boom")

    route = service_dispatch.route("GetAccountBalance")
    monkeypatch.setitem(service_dispatch._ROUTES, "GetAccountBalance", dataclasses.replace(route, run=broken))
    with pytest.raises(mturk_client.exceptions.ServiceFault) as raised:
        mturk_client.get_account_balance()
    assert "mturk_mock internal error in GetAccountBalance" in raised.value.response["Message"]
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(mturk_mock.calls) == 1
    operation, http_response, _parsed = capture.seen[-1]
    assert http_response.status_code == 500
    assert_same_python(raised.value.response, reference_parse(mturk_client, operation, http_response))

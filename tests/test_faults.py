"""Fault injection (issue 17): rules that fail chosen calls, the client's own retries in-process, refused
credentials, the options, and the new errors' wire form."""

from __future__ import annotations

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries import standard as retries_standard

from mturk_mock import MTurkMock, mock_mturk
from mturk_mock.model import errors
from mturk_mock.model.fault_settings import SERVICE_FAULT_MESSAGE
from mturk_mock.pytest_plugin import SANDBOX_ENDPOINT

from .conftest import Capture, assert_same_python, reference_parse
from .helpers import create_hit, create_type

KEY = "AKIAFAULTS"


def client(mode: str = "legacy", key: str | None = KEY, **retries):
    """A client with the retry configuration a test names (botocore's default mode is legacy)."""
    config = Config(retries={"mode": mode, **retries})
    if key is None:
        config = config.merge(Config(signature_version=botocore.UNSIGNED))
        return boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX_ENDPOINT, config=config)
    return boto3.client(
        "mturk",
        region_name="us-east-1",
        endpoint_url=SANDBOX_ENDPOINT,
        config=config,
        aws_access_key_id=key,
        aws_secret_access_key="secret",
    )


def outcomes(mock, operation: str | None = None) -> list[tuple[int, str | None, int]]:
    calls = mock.calls if operation is None else mock.calls_to(operation)
    return [(call.status, call.fault, call.attempt) for call in calls]


# -- the "done when" --------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["CreateHIT", "CreateQualificationType"])
def test_third_create_fails_with_service_fault_and_a_standard_client_retries_it(mturk_mock, operation):
    mturk_mock.faults.add("ServiceFault", operation=operation, after=2, times=1)
    standard = client("standard")
    if operation == "CreateHIT":
        made = [create_hit(standard, RequesterAnnotation=f"hit {n}") for n in range(3)]
        last = standard.get_hit(HITId=made[2]["HITId"])["HIT"]["RequesterAnnotation"]
        assert len(standard.list_hits()["HITs"]) == 3  # the failed attempt created nothing
    else:
        made = [create_type(standard, f"type {n}") for n in range(3)]
        last = standard.get_qualification_type(QualificationTypeId=made[2]["QualificationTypeId"])
        last = last["QualificationType"]["Name"].replace("type", "hit")
    assert last == "hit 2"
    creates = mturk_mock.calls_to(operation)
    assert outcomes(mturk_mock, operation) == [
        (200, None, 1),
        (200, None, 1),
        (500, "rule 1", 1),
        (200, None, 2),
    ]
    assert creates[2].error_code == "ServiceFault"
    assert creates[2].response["Message"].startswith(SERVICE_FAULT_MESSAGE)
    # standard mode: rand * 50 ms for a first transient retry; rand * 1 s where botocore's newer retries are
    # off (older botocore, as in the test extra, or 1.43 without opting in)
    scale = 0.05 if getattr(retries_standard, "NEW_RETRIES_ENABLED", False) else 1
    assert 0 <= creates[2].retry_delay <= scale
    assert creates[3].retry_delay is None
    assert [rule.times for rule in mturk_mock.faults.rules] == [1]


def test_the_final_answer_counts_retry_attempts_as_botocore_does(mturk_mock):
    mturk_mock.faults.add("ServiceFault", operation="GetAccountBalance", times=2)
    answer = client("standard").get_account_balance()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert answer["AvailableBalance"] == "10000.00"
    assert outcomes(mturk_mock) == [(500, "rule 1", 1), (500, "rule 1", 2), (200, None, 3)]


@pytest.mark.parametrize(
    ("mode", "retries", "attempts"),
    [
        ("legacy", {}, 5),  # _retry.json: 5 attempts
        ("standard", {}, 3),  # retries/standard.py: DEFAULT_MAX_ATTEMPTS
        ("adaptive", {}, 3),
        ("standard", {"total_max_attempts": 6}, 6),
        ("legacy", {"max_attempts": 2}, 3),  # legacy counts retries
        ("standard", {"total_max_attempts": 1}, 1),
    ],
)
def test_a_throttled_client_gives_up_after_its_configured_attempts(mturk_mock, mode, retries, attempts):
    mturk_mock.faults.add("ThrottlingException", operation="ListQualificationTypes")
    with pytest.raises(ClientError) as raised:
        client(mode, **retries).list_qualification_types(MustBeRequestable=False)
    response = raised.value.response
    assert response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert response["ResponseMetadata"]["RetryAttempts"] == attempts - 1
    assert response["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert f"(reached max retries: {attempts - 1}): Rate exceeded" in str(raised.value)
    assert outcomes(mturk_mock) == [(400, "rule 1", n) for n in range(1, attempts + 1)]
    delays = [call.retry_delay for call in mturk_mock.calls]
    assert all(delay is not None and delay >= 0 for delay in delays[:-1]) and delays[-1] is None


def test_non_retryable_injected_errors_are_answered_once(mturk_mock):
    missing = errors.QUALIFICATION_TYPE_NOT_FOUND(type_id="3" * 30)
    mturk_mock.faults.add(missing, operation="GetQualificationType")
    legacy = client()
    type_id = create_type(legacy)["QualificationTypeId"]
    with pytest.raises(legacy.exceptions.RequestError) as raised:
        legacy.get_qualification_type(QualificationTypeId=type_id)
    assert raised.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert outcomes(mturk_mock, "GetQualificationType") == [(400, "rule 1", 1)]


def test_without_faults_nothing_is_retried_or_marked(mturk_mock):
    standard = client("standard", total_max_attempts=1)
    answer = standard.get_account_balance()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 0
    assert "MaxAttemptsReached" not in answer["ResponseMetadata"]
    with pytest.raises(standard.exceptions.RequestError):
        standard.get_qualification_type(QualificationTypeId="3" * 30)
    assert [(call.fault, call.attempt, call.retry_delay) for call in mturk_mock.calls] == [(None, 1, None)] * 2


def test_retry_backoff_can_advance_the_mock_clock_or_sleep(monkeypatch):
    with mock_mturk(retry_backoff="clock") as mturk:
        mturk.clock.freeze()
        start = mturk.clock.now()
        mturk.faults.add("ServiceFault", times=3)
        client().get_account_balance()
        delays = [call.retry_delay for call in mturk.calls[:3]]
        assert mturk.clock.now() == pytest.approx(start + sum(delays), abs=0.002)
    slept = []
    monkeypatch.setattr("mturk_mock.transport.retries.time.sleep", slept.append)
    with mock_mturk(faults=[{"error": "ServiceFault", "times": 1}]) as mturk:
        mturk.faults.retry_backoff = "sleep"
        client().get_account_balance()
        assert slept == [mturk.calls[0].retry_delay]


def test_applied_faults_lose_the_answer_of_a_write_that_took_effect(mturk_mock):
    mturk_mock.faults.add("ServiceFault", operation="CreateQualificationType", times=1, applied=True)
    legacy = client()
    with pytest.raises(legacy.exceptions.RequestError) as raised:  # the retry meets the first attempt's type
        create_type(legacy, "Once")
    assert raised.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationTypeAlreadyExists"
    listed = legacy.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=True)
    assert [qual["Name"] for qual in listed["QualificationTypes"]] == ["Once"]


# -- rules -------------------------------------------------------------------------------------------


def test_every_nth_call_fails(mturk_mock):
    mturk_mock.faults.add("ServiceFault", operation="GetAccountBalance", every=3)
    no_retries = client("standard", total_max_attempts=1)
    failed = []
    for _ in range(7):
        try:
            no_retries.get_account_balance()
            failed.append(False)
        except no_retries.exceptions.ServiceFault:
            failed.append(True)
    assert failed == [False, False, True, False, False, True, False]


def test_a_probability_under_a_seed_is_reproducible():
    def pattern(seed: int) -> list[int]:
        with mock_mturk(faults=[{"probability": 0.5, "seed": seed, "operation": "GetAccountBalance"}]) as mturk:
            no_retries = client("standard", total_max_attempts=1)
            for _ in range(40):
                try:
                    no_retries.get_account_balance()
                except no_retries.exceptions.ServiceFault:
                    pass
            return [call.status for call in mturk.calls]

    first = pattern(7)
    assert first == pattern(7) != pattern(8)
    assert 10 < first.count(500) < 30


def test_a_scripted_sequence_and_the_first_rule_that_fires_wins(mturk_mock):
    mturk_mock.faults.add(sequence=[None, "ThrottlingException", True, None, errors.SERVICE_ERROR])
    mturk_mock.faults.add("ThrottlingException", every=2)  # counts every call too, but fires second
    no_retries = client("standard", total_max_attempts=1)
    codes = []
    for _ in range(7):
        try:
            no_retries.get_account_balance()
            codes.append(None)
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])
    throttled, fault = "ThrottlingException", "ServiceFault"
    assert codes == [None, throttled, fault, throttled, fault, throttled, None]
    assert [call.fault for call in mturk_mock.calls] == [None, "rule 1", "rule 1", "rule 2", "rule 1", "rule 2", None]
    described = mturk_mock.faults.describe()["rules"]
    assert [(rule["calls"], rule["fired"]) for rule in described] == [(7, 3), (7, 2)]


def test_rules_are_scoped_to_operations_and_requesters(mturk_mock):
    mturk_mock.faults.add("ServiceFault", operation=["GetAccountBalance", "CreateHIT"], requester="AKIAONE")
    one, two = client("standard", "AKIAONE", total_max_attempts=1), client("standard", "AKIATWO")
    with pytest.raises(one.exceptions.ServiceFault):
        one.get_account_balance()
    create_type(one)
    two.get_account_balance()
    assert outcomes(mturk_mock) == [(500, "rule 1", 1), (200, None, 1), (200, None, 1)]


def test_rules_can_be_removed_and_cleared(mturk_mock):
    rule = mturk_mock.faults.add()
    mturk_mock.faults.remove(rule)
    assert not mturk_mock.faults.armed
    mturk_mock.faults.add(times=1)
    mturk_mock.faults.clear()
    client().get_account_balance()
    assert outcomes(mturk_mock) == [(200, None, 1)]


def test_reset_rearms_the_options_rules_with_fresh_counters():
    with mock_mturk(faults=[{"times": 1}]) as mturk:
        mturk.faults.add("ThrottlingException")
        legacy = client()
        mturk.reset()
        assert len(mturk.faults.rules) == 1
        assert legacy.get_account_balance()["ResponseMetadata"]["RetryAttempts"] == 1


def test_decorator_and_marker_take_the_same_options():
    @mock_mturk(faults=[{"error": "ServiceFault", "operation": "GetAccountBalance", "times": 1}], rate_limit=5)
    def decorated():
        from mturk_mock import current

        mturk = current()
        assert client().get_account_balance()["ResponseMetadata"]["RetryAttempts"] == 1
        return mturk.faults.describe()

    described = decorated()
    assert described["rate_limit"] == {"rate": 5.0, "burst": 5}
    assert described["rules"][0]["operations"] == ["GetAccountBalance"]


@pytest.mark.mturk_mock(faults=[{"error": "THROTTLED", "times": 2}], retry_backoff="clock")
def test_the_marker_configures_faults(mturk_mock, mturk_client):
    assert mturk_client.get_account_balance()["ResponseMetadata"]["RetryAttempts"] == 2
    assert mturk_mock.faults.retry_backoff == "clock"


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"faults": [{"operation": "CreateHit"}]}, "not MTurk operations"),
        ({"faults": [{"error": "Nope"}]}, "unknown error 'Nope'"),
        ({"faults": [{"error": "QUALIFICATION_TYPE_NOT_FOUND"}]}, "give message="),
        ({"faults": [{"times": 1, "every": 2}]}, "one of times, every"),
        ({"faults": [{"times": 0}]}, "times must be an integer >= 1"),
        ({"faults": [{"probability": 1.5}]}, "probability must be"),
        ({"faults": [{"when": "always"}]}, "unknown fault rule option"),
        ({"faults": {"times": 1}}, "faults must be a list"),
        ({"rate_limit": 0}, "rate must be"),
        ({"rate_limit": {"rate": 1, "burst": 0}}, "burst must be"),
        ({"credentials": "some"}, "credentials must be one of"),
        ({"access_keys": [""]}, "access key"),
        ({"retry_backoff": "wait"}, "retry_backoff must be one of"),
        ({"search_lag": -1}, "search_lag must be"),
    ],
)
def test_options_are_validated(options, problem):
    with pytest.raises((ValueError, TypeError), match=problem):
        MTurkMock(**options)


# -- refused credentials -----------------------------------------------------------------------------


def test_by_default_any_access_key_is_a_requester(mturk_mock):
    client(key="AKIAANYBODY").get_account_balance()
    client(key=None).get_account_balance()


@pytest.mark.mturk_mock(credentials="registered", access_keys=["AKIAKNOWN"])
def test_registered_credentials_refuse_unknown_keys_as_the_service_does(mturk_mock):
    known, stranger, unsigned = client(key="AKIAKNOWN"), client(key="AKIASTRANGER"), client(key=None)
    known.get_account_balance()
    with pytest.raises(ClientError) as raised:
        stranger.get_account_balance()
    assert raised.value.response["Error"] == {
        "Code": "UnrecognizedClientException",
        "Message": "The security token included in the request is invalid.",
    }
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as raised:
        unsigned.get_account_balance()
    assert raised.value.response["Error"]["Code"] == "MissingAuthenticationTokenException"
    assert [call.fault for call in mturk_mock.calls] == [None, "credentials", "credentials"]
    assert mturk_mock.calls[1].response == {
        "__type": "UnrecognizedClientException",
        "message": "The security token included in the request is invalid.",
    }
    mturk_mock.faults.register_access_key("AKIASTRANGER")
    stranger.get_account_balance()
    mturk_mock.faults.credentials = "any"
    unsigned.get_account_balance()


# -- the new errors on the wire ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "wire"),
    [
        (
            "THROTTLED",
            {"__type": "com.amazon.coral.availability#ThrottlingException", "message": "Rate exceeded"},
        ),
        (
            "UNRECOGNIZED_CLIENT",
            {
                "__type": "UnrecognizedClientException",
                "message": "The security token included in the request is invalid.",
            },
        ),
        (
            "MISSING_AUTHENTICATION_TOKEN",
            {
                "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                "message": "Request is missing Authentication Token",
            },
        ),
        ("ServiceFault", None),
    ],
)
def test_injected_errors_are_what_botocore_parses(mturk_mock, error, wire):
    mturk_mock.faults.add(error, times=1)
    once = client("legacy", total_max_attempts=1)
    capture = Capture(once)
    with pytest.raises(ClientError) as raised:
        once.get_account_balance()
    operation, http_response, parsed = capture.seen[-1]
    returned = raised.value.response
    assert parsed is returned
    if error != "ServiceFault":
        assert mturk_mock.calls[0].response == wire  # observed bodies; the service appends no time to these
    expected = reference_parse(once, operation, http_response)
    retryable = returned["ResponseMetadata"].pop("MaxAttemptsReached", False)  # legacy marks it: no retry left
    assert retryable == (error in ("THROTTLED", "ServiceFault"))
    assert_same_python(returned, expected)

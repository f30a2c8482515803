"""UpdateQualificationType and DeleteQualificationType (spec 1.4-1.5, issue 3)."""

from __future__ import annotations

import botocore.exceptions
import pytest

from .helpers import create_type, parameter_error, request_error, requester_client
from .samples import ANSWER_KEY, ANSWER_KEY_UNMAPPED, TEST

OTHER_TEST = TEST.replace("Colour check", "Colour check, second edition")


def _update(client, type_id, **params) -> dict:
    return client.update_qualification_type(QualificationTypeId=type_id, **params)["QualificationType"]


def _get(client, type_id) -> dict:
    return client.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]


@pytest.fixture
def plain(mturk_client) -> dict:
    return create_type(mturk_client, Keywords="colour")


@pytest.fixture
def tested(mturk_client) -> dict:
    return create_type(mturk_client, "tested", Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=600)


# The seed page's parameters, one by one: (CLI option, API parameter, value, member that changes).
SEED_PARAMETERS = [
    ("--description", {"Description": "New words"}, {"Description": "New words"}),
    ("--qualification-type-status", {"QualificationTypeStatus": "Inactive"}, {"QualificationTypeStatus": "Inactive"}),
    ("--retry-delay-in-seconds", {"RetryDelayInSeconds": 60}, {"RetryDelayInSeconds": 60}),
    ("--auto-granted", {"AutoGranted": True}, {"AutoGranted": True, "AutoGrantedValue": 1}),
    (
        "--auto-granted-value",
        {"AutoGranted": True, "AutoGrantedValue": 3},
        {"AutoGranted": True, "AutoGrantedValue": 3},
    ),
    (
        "--test --test-duration-in-seconds",
        {"Test": TEST, "TestDurationInSeconds": 90},
        {"Test": TEST, "TestDurationInSeconds": 90},
    ),
    (
        "--test --answer-key --test-duration-in-seconds",
        {"Test": TEST, "AnswerKey": ANSWER_KEY, "TestDurationInSeconds": 90},
        {"Test": TEST, "AnswerKey": ANSWER_KEY, "TestDurationInSeconds": 90},
    ),
]


@pytest.mark.parametrize("option, params, changed", SEED_PARAMETERS, ids=[p[0] for p in SEED_PARAMETERS])
def test_each_seed_parameter_changes_exactly_its_member(mturk_client, plain, option, params, changed):
    updated = _update(mturk_client, plain["QualificationTypeId"], **params)
    assert updated == {**plain, **changed}
    assert _get(mturk_client, plain["QualificationTypeId"]) == updated


def test_no_auto_granted_turns_it_off_and_hides_the_value(mturk_client):
    qual = create_type(mturk_client, AutoGranted=True, AutoGrantedValue=4)
    updated = _update(mturk_client, qual["QualificationTypeId"], AutoGranted=False)
    assert updated["AutoGranted"] is False and "AutoGrantedValue" not in updated


def test_the_seed_command_all_at_once(mturk_client, plain):
    """aws mturk update-qualification-type --description ... --qualification-type-status Inactive
    --retry-delay-in-seconds 60 --auto-granted --auto-granted-value 3"""
    updated = _update(
        mturk_client,
        plain["QualificationTypeId"],
        Description="Now auto-granted",
        QualificationTypeStatus="Inactive",
        RetryDelayInSeconds=60,
        AutoGranted=True,
        AutoGrantedValue=3,
    )
    assert updated == {
        **plain,
        "Description": "Now auto-granted",
        "QualificationTypeStatus": "Inactive",
        "RetryDelayInSeconds": 60,
        "AutoGranted": True,
        "AutoGrantedValue": 3,
    }


def test_name_and_keywords_are_not_inputs(mturk_client, plain):
    with pytest.raises(botocore.exceptions.ParamValidationError, match="Unknown parameter"):
        mturk_client.update_qualification_type(QualificationTypeId=plain["QualificationTypeId"], Name="x")
    with pytest.raises(botocore.exceptions.ParamValidationError, match="Unknown parameter"):
        mturk_client.update_qualification_type(QualificationTypeId=plain["QualificationTypeId"], Keywords="x")


def test_status_toggles_both_ways_and_omitted_fields_stay(mturk_client, tested):
    type_id = tested["QualificationTypeId"]
    assert _update(mturk_client, type_id, QualificationTypeStatus="Inactive")["QualificationTypeStatus"] == "Inactive"
    assert _update(mturk_client, type_id, QualificationTypeStatus="Active") == tested
    assert _update(mturk_client, type_id) == tested


def test_test_replacement_is_all_or_nothing(mturk_client, mturk_mock, tested):
    type_id = tested["QualificationTypeId"]
    parameter_error(lambda: _update(mturk_client, type_id, Test=OTHER_TEST), "TestDurationInSeconds", mturk_mock)
    parameter_error(lambda: _update(mturk_client, type_id, AnswerKey=ANSWER_KEY_UNMAPPED), "AnswerKey", mturk_mock)
    parameter_error(
        lambda: _update(mturk_client, type_id, TestDurationInSeconds=30), "TestDurationInSeconds", mturk_mock
    )
    assert _get(mturk_client, type_id) == tested
    replaced = _update(mturk_client, type_id, Test=OTHER_TEST, TestDurationInSeconds=30)
    assert (replaced["Test"], replaced["TestDurationInSeconds"]) == (OTHER_TEST, 30)
    assert "AnswerKey" not in replaced  # a new test without a key has none
    rekeyed = _update(mturk_client, type_id, Test=OTHER_TEST, TestDurationInSeconds=30, AnswerKey=ANSWER_KEY_UNMAPPED)
    assert rekeyed["AnswerKey"] == ANSWER_KEY_UNMAPPED
    assert mturk_mock.world.marketplace("sandbox").qualification_types.by_id[type_id].key is not None


def test_a_test_can_never_be_removed(mturk_client, mturk_mock, tested):
    parameter_error(
        lambda: _update(mturk_client, tested["QualificationTypeId"], Test="", TestDurationInSeconds=5),
        "Test",
        mturk_mock,
    )
    assert _get(mturk_client, tested["QualificationTypeId"])["Test"] == TEST


def test_a_type_with_a_test_never_becomes_auto_granted(mturk_client, mturk_mock, tested):
    parameter_error(
        lambda: _update(mturk_client, tested["QualificationTypeId"], AutoGranted=True), "AutoGranted", mturk_mock
    )
    assert _get(mturk_client, tested["QualificationTypeId"])["AutoGranted"] is False


def test_adding_a_test_to_an_auto_granted_type_needs_auto_granted_false_in_the_same_call(mturk_client, mturk_mock):
    """Observed in boto3#2108."""
    qual = create_type(mturk_client, AutoGranted=True, AutoGrantedValue=2)
    type_id = qual["QualificationTypeId"]
    response = parameter_error(
        lambda: _update(mturk_client, type_id, Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=60),
        "Test",
        mturk_mock,
    )
    assert response["Error"]["Message"].startswith(f'The value "{TEST}" is not valid for the parameter Test. (')
    assert _get(mturk_client, type_id) == qual
    updated = _update(
        mturk_client, type_id, Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=60, AutoGranted=False
    )
    assert updated["AutoGranted"] is False and "AutoGrantedValue" not in updated
    assert (updated["Test"], updated["AnswerKey"]) == (TEST, ANSWER_KEY)


def test_retries_can_be_enabled_and_changed_but_not_disabled(mturk_client, mturk_mock, plain):
    type_id = plain["QualificationTypeId"]
    assert _update(mturk_client, type_id, RetryDelayInSeconds=3600)["RetryDelayInSeconds"] == 3600
    assert _update(mturk_client, type_id, RetryDelayInSeconds=0)["RetryDelayInSeconds"] == 0
    assert _update(mturk_client, type_id, Description="other")["RetryDelayInSeconds"] == 0
    parameter_error(lambda: _update(mturk_client, type_id, RetryDelayInSeconds=-5), "RetryDelayInSeconds", mturk_mock)


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"Description": "d" * 2001}, "Description"),
        ({"QualificationTypeStatus": "Deleted"}, "QualificationTypeStatus"),
        ({"Test": "<QuestionForm/>", "TestDurationInSeconds": 60}, "Test"),
        ({"Test": TEST, "TestDurationInSeconds": -1}, "TestDurationInSeconds"),
        ({"Test": TEST, "TestDurationInSeconds": 60, "AnswerKey": "not xml"}, "AnswerKey"),
    ],
)
def test_refused_updates_change_nothing(mturk_client, mturk_mock, tested, params, parameter):
    parameter_error(lambda: _update(mturk_client, tested["QualificationTypeId"], **params), parameter, mturk_mock)
    assert _get(mturk_client, tested["QualificationTypeId"]) == tested


def test_only_the_owner_may_update_or_delete(mturk_client, plain):
    other = requester_client("AKIAOTHER")
    type_id = plain["QualificationTypeId"]
    request_error(
        lambda: _update(other, type_id, Description="mine now"),
        "PermissionDeniedException",
        f"You do not have permission to modify QualificationType [{type_id}].",
    )
    request_error(
        lambda: other.delete_qualification_type(QualificationTypeId=type_id),
        "PermissionDeniedException",
        "You do not have permission",
    )
    request_error(
        lambda: _update(mturk_client, "00000000000000000071", Description="x"),
        "PermissionDeniedException",
        "You do not have permission",
    )
    assert _get(mturk_client, type_id) == plain


def test_update_of_unknown_type(mturk_client):
    request_error(
        lambda: _update(mturk_client, "3" * 30, Description="x"),
        "QualificationTypeDoesNotExist",
        f"QualificationType [{'3' * 30}] does not exist.",
    )


def test_delete_hides_the_type_and_a_second_delete_does_not_find_it(mturk_client, plain):
    type_id = plain["QualificationTypeId"]
    reply = mturk_client.delete_qualification_type(QualificationTypeId=type_id)
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200
    request_error(
        lambda: _get(mturk_client, type_id),
        "QualificationTypeDoesNotExist",
        f"QualificationType [{type_id}] does not exist.",
    )
    request_error(
        lambda: mturk_client.delete_qualification_type(QualificationTypeId=type_id),
        "QualificationTypeDoesNotExist",
        f"QualificationType [{type_id}] does not exist.",
    )
    request_error(
        lambda: _update(mturk_client, type_id, Description="x"), "QualificationTypeDoesNotExist", "QualificationType ["
    )
    assert mturk_client.list_qualification_types(MustBeRequestable=True)["NumResults"] == 0


def test_delete_answers_an_empty_structure(mturk_client, plain):
    reply = mturk_client.delete_qualification_type(QualificationTypeId=plain["QualificationTypeId"])
    assert set(reply) == {"ResponseMetadata"}


def test_name_is_free_again_at_once_by_default(mturk_client, plain):
    mturk_client.delete_qualification_type(QualificationTypeId=plain["QualificationTypeId"])
    again = create_type(mturk_client, plain["Name"])
    assert again["QualificationTypeId"] != plain["QualificationTypeId"]


@pytest.mark.mturk_mock(name_reservation=48 * 3600)
def test_name_stays_reserved_while_the_type_is_disposing(mturk_client, mturk_mock, plain):
    mturk_client.delete_qualification_type(QualificationTypeId=plain["QualificationTypeId"])
    request_error(
        lambda: create_type(mturk_client, plain["Name"]),
        "QualificationTypeAlreadyExists",
        "You have already created a QualificationType with this name.",
    )
    create_type(requester_client("AKIAOTHER"), plain["Name"])  # other requesters are unaffected
    mturk_mock.clock.advance(hours=48, seconds=1)
    assert create_type(mturk_client, plain["Name"])["Name"] == plain["Name"]

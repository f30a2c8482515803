"""CreateQualificationType and GetQualificationType (spec 1.0-1.2, issue 3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from mturk_mock.model.errors import QUALIFICATION_TYPE_EXISTS

from .helpers import create_type, parameter_error, request_error, requester_client
from .samples import ANSWER_KEY, TEST


def test_minimal_type_reports_only_what_is_set(mturk_client, mturk_mock):
    mturk_mock.clock.freeze(dt.datetime(2026, 5, 1, 12, 0, 0, 250000, tzinfo=dt.timezone.utc))
    qual = create_type(mturk_client)
    assert re.fullmatch(r"[A-Z0-9]{30}", qual["QualificationTypeId"])
    assert qual["CreationTime"] == dt.datetime(2026, 5, 1, 12, 0, 0, 250000, tzinfo=dt.timezone.utc)
    assert qual["CreationTime"].tzinfo is not None
    assert {k: v for k, v in qual.items() if k not in ("QualificationTypeId", "CreationTime")} == {
        "Name": "Colour vision",
        "Description": "Screens workers for a task",
        "QualificationTypeStatus": "Active",
        "IsRequestable": True,
        "AutoGranted": False,
    }


def test_every_optional_member_is_echoed(mturk_client):
    qual = create_type(
        mturk_client,
        Keywords="colour, vision",
        RetryDelayInSeconds=3600,
        Test=TEST,
        AnswerKey=ANSWER_KEY,
        TestDurationInSeconds=600,
        QualificationTypeStatus="Inactive",
    )
    assert (qual["Keywords"], qual["RetryDelayInSeconds"], qual["TestDurationInSeconds"]) == (
        "colour, vision",
        3600,
        600,
    )
    assert (qual["Test"], qual["AnswerKey"], qual["QualificationTypeStatus"]) == (TEST, ANSWER_KEY, "Inactive")
    assert qual["AutoGranted"] is False and "AutoGrantedValue" not in qual


def test_auto_granted_value_defaults_to_one_and_shows_only_while_auto_granted(mturk_client):
    assert create_type(mturk_client, "a", AutoGranted=True)["AutoGrantedValue"] == 1
    assert create_type(mturk_client, "b", AutoGranted=True, AutoGrantedValue=7)["AutoGrantedValue"] == 7
    assert "AutoGrantedValue" not in create_type(mturk_client, "c", AutoGrantedValue=7)


@pytest.mark.parametrize(
    "extra, parameter",
    [
        ({"Test": TEST}, "TestDurationInSeconds"),
        ({"TestDurationInSeconds": 60}, "TestDurationInSeconds"),
        ({"AnswerKey": ANSWER_KEY}, "AnswerKey"),
        ({"Test": TEST, "TestDurationInSeconds": 60, "AutoGranted": True}, "Test"),
        ({"Test": TEST, "TestDurationInSeconds": 0}, "TestDurationInSeconds"),
        ({"Test": "<QuestionForm>not closed", "TestDurationInSeconds": 60}, "Test"),
        ({"Test": TEST, "TestDurationInSeconds": 60, "AnswerKey": "<AnswerKey/>"}, "AnswerKey"),
        (
            {"Test": TEST.replace("</QuestionForm>", " " * 65536 + "</QuestionForm>"), "TestDurationInSeconds": 60},
            "Test",
        ),
        ({"Test": TEST, "TestDurationInSeconds": 60, "AnswerKey": ANSWER_KEY + " " * 65536}, "AnswerKey"),
        ({"Description": "x" * 2001}, "Description"),
        ({"Description": "   "}, "Description"),
        ({"Name": ""}, "Name"),
        ({"Name": "lone \ud800 surrogate"}, "Name"),
        ({"Keywords": "\udc00"}, "Keywords"),
        ({"Keywords": "k" * 1001}, "Keywords"),
        ({"RetryDelayInSeconds": -1}, "RetryDelayInSeconds"),
        ({"QualificationTypeStatus": "Disposed"}, "QualificationTypeStatus"),
    ],
)
def test_invalid_creations_name_their_parameter(mturk_client, mturk_mock, extra, parameter):
    parameter_error(lambda: create_type(mturk_client, **extra), parameter, mturk_mock)
    assert mturk_client.list_qualification_types(MustBeRequestable=True)["NumResults"] == 0


def test_limits_are_inclusive(mturk_client):
    qual = create_type(mturk_client, Description="d" * 2000, Keywords="k" * 1000, RetryDelayInSeconds=0)
    assert len(qual["Description"]) == 2000 and qual["RetryDelayInSeconds"] == 0


def test_invalid_value_message_quotes_the_value(mturk_client, mturk_mock):
    response = parameter_error(
        lambda: create_type(mturk_client, QualificationTypeStatus="Disposed"), "QualificationTypeStatus", mturk_mock
    )
    assert re.fullmatch(
        r'The value "Disposed" is not valid for the parameter QualificationTypeStatus\. '
        r"\(\d{13} s\)",
        response["Error"]["Message"],
    )


def test_name_is_unique_per_requester_only(mturk_client):
    create_type(mturk_client, "Shared name")
    response = request_error(
        lambda: create_type(mturk_client, "Shared name"),
        "QualificationTypeAlreadyExists",
        QUALIFICATION_TYPE_EXISTS.template,
    )
    assert response["Error"]["Message"].startswith(
        "You have already created a QualificationType with this name. A QualificationType's name must be "
        "unique among all of the QualificationTypes created by the same user. ("
    )
    other = create_type(requester_client("AKIAOTHER"), "Shared name")
    production = create_type(requester_client("AKIAOTHER", "production"), "Shared name")
    assert other["QualificationTypeId"] != production["QualificationTypeId"]


def test_get_returns_any_existing_type_but_the_answer_key_only_to_its_owner(mturk_client):
    created = create_type(mturk_client, Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=60)
    own = mturk_client.get_qualification_type(QualificationTypeId=created["QualificationTypeId"])
    assert own["QualificationType"] == created
    foreign = requester_client("AKIAOTHER").get_qualification_type(QualificationTypeId=created["QualificationTypeId"])
    assert "AnswerKey" not in foreign["QualificationType"] and foreign["QualificationType"]["Test"] == TEST


@pytest.mark.parametrize(
    "marketplace, masters",
    [("sandbox", "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6"), ("production", "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH")],
)
def test_system_types_exist_per_marketplace(mturk_mock, marketplace, masters):
    client = requester_client("AKIAONE", marketplace)
    for type_id, name in [
        (masters, "Masters"),
        ("00000000000000000040", "Worker_NumberHITsApproved"),
        ("00000000000000000071", "Worker_Locale"),
        ("00000000000000000060", "Worker_Adult"),
        ("000000000000000000L0", "Worker_PercentAssignmentsApproved"),
    ]:
        qual = client.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]
        assert (qual["Name"], qual["IsRequestable"], qual["QualificationTypeStatus"]) == (name, False, "Active")


def test_masters_of_the_other_marketplace_does_not_exist(mturk_client):
    request_error(
        lambda: mturk_client.get_qualification_type(QualificationTypeId="2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"),
        "QualificationTypeDoesNotExist",
        "QualificationType [2F1QJWKUDD8XADTFD2Q0G6UTO95ALH] does not exist.",
    )


def test_unknown_and_malformed_ids(mturk_client, mturk_mock):
    request_error(
        lambda: mturk_client.get_qualification_type(QualificationTypeId="3" * 30),
        "QualificationTypeDoesNotExist",
        f"QualificationType [{'3' * 30}] does not exist. (",
    )
    parameter_error(
        lambda: mturk_client.get_qualification_type(QualificationTypeId="abc"), "QualificationTypeId", mturk_mock
    )


def test_sandbox_and_production_do_not_share_types(mturk_mock):
    sandbox, production = requester_client("AKIAONE"), requester_client("AKIAONE", "production")
    type_id = create_type(sandbox)["QualificationTypeId"]
    request_error(
        lambda: production.get_qualification_type(QualificationTypeId=type_id),
        "QualificationTypeDoesNotExist",
        "QualificationType [",
    )

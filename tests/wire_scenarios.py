"""One scenario per implemented operation (success) and per error kind, for the wire-fidelity test.

A scenario's ``prepare(client, mock)`` builds whatever state it needs and returns the call's kwargs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .helpers import create_type
from .samples import ANSWER_KEY, TEST


@dataclass(frozen=True)
class Scenario:
    name: str
    operation: str
    prepare: Callable
    error: str | None = None

    @property
    def method(self) -> str:
        import botocore

        return botocore.xform_name(self.operation)


def _no_args(client, mock):
    return {}


def _full_type(client, mock):
    return {
        "QualificationTypeId": create_type(
            client,
            "full",
            Keywords="k",
            RetryDelayInSeconds=5,
            Test=TEST,
            AnswerKey=ANSWER_KEY,
            TestDurationInSeconds=60,
        )["QualificationTypeId"]
    }


def _listing(client, mock):
    create_type(client, "one", AutoGranted=True)
    create_type(client, "two", Test=TEST, TestDurationInSeconds=60)
    return {"MustBeRequestable": False, "MaxResults": 100}


def _granted(client, mock):
    type_id = create_type(client, "granted")["QualificationTypeId"]
    client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId="A1B2C3D4E5F6G7", IntegerValue=42)
    return {"QualificationTypeId": type_id, "WorkerId": "A1B2C3D4E5F6G7"}


def _pending_request(client, mock):
    type_id = create_type(client, "manual", Test=TEST, TestDurationInSeconds=60)["QualificationTypeId"]
    outcome = mock.worker().request_qualification(type_id, answers={"sky": "green"})
    return {"QualificationRequestId": outcome.request_id}


def _pending_listing(client, mock):
    _pending_request(client, mock)
    type_id = create_type(client, "no test")["QualificationTypeId"]
    mock.worker().request_qualification(type_id)
    return {"MaxResults": 10}


SUCCESS_SCENARIOS: list[Scenario] = [
    Scenario(
        "associate",
        "AssociateQualificationWithWorker",
        lambda client, mock: {
            "QualificationTypeId": create_type(client)["QualificationTypeId"],
            "WorkerId": "A1B2C3D4E5F6G7",
            "IntegerValue": 5,
            "SendNotification": False,
        },
    ),
    Scenario(
        "disassociate",
        "DisassociateQualificationFromWorker",
        lambda client, mock: {**_granted(client, mock), "Reason": "done"},
    ),
    Scenario("score", "GetQualificationScore", _granted),
    Scenario(
        "list-workers",
        "ListWorkersWithQualificationType",
        lambda client, mock: {"QualificationTypeId": _granted(client, mock)["QualificationTypeId"]},
    ),
    Scenario("list-requests", "ListQualificationRequests", _pending_listing),
    Scenario(
        "accept",
        "AcceptQualificationRequest",
        lambda client, mock: {**_pending_request(client, mock), "IntegerValue": 3},
    ),
    Scenario(
        "reject",
        "RejectQualificationRequest",
        lambda client, mock: {**_pending_request(client, mock), "Reason": "wrong"},
    ),
    Scenario("balance", "GetAccountBalance", _no_args),
    Scenario(
        "create-type",
        "CreateQualificationType",
        lambda client, mock: {
            "Name": "n",
            "Description": "d",
            "QualificationTypeStatus": "Active",
            "Keywords": "k",
            "RetryDelayInSeconds": 1,
            "Test": TEST,
            "AnswerKey": ANSWER_KEY,
            "TestDurationInSeconds": 60,
        },
    ),
    Scenario("get-type", "GetQualificationType", _full_type),
    Scenario(
        "get-system-type", "GetQualificationType", lambda client, mock: {"QualificationTypeId": "000000000000000000L0"}
    ),
    Scenario("list-types", "ListQualificationTypes", _listing),
    Scenario(
        "list-types-empty-page",
        "ListQualificationTypes",
        lambda client, mock: {"MustBeRequestable": True, "Query": "nothing matches"},
    ),
    Scenario(
        "update-type",
        "UpdateQualificationType",
        lambda client, mock: {**_full_type(client, mock), "Description": "new", "QualificationTypeStatus": "Inactive"},
    ),
    Scenario("delete-type", "DeleteQualificationType", _full_type),
]

ERROR_SCENARIOS: list[Scenario] = [
    Scenario(
        "not-implemented",
        "CreateHIT",
        lambda client, mock: {
            "LifetimeInSeconds": 60,
            "AssignmentDurationInSeconds": 60,
            "Reward": "0.10",
            "Title": "t",
            "Description": "d",
            "Question": "<q/>",
        },
        error="NotImplemented",
    ),
    Scenario(
        "type-does-not-exist",
        "GetQualificationType",
        lambda client, mock: {"QualificationTypeId": "3" * 30},
        error="RequestError",
    ),
    Scenario(
        "duplicate-name",
        "CreateQualificationType",
        lambda client, mock: {
            "Name": create_type(client, "dup")["Name"],
            "Description": "d",
            "QualificationTypeStatus": "Active",
        },
        error="RequestError",
    ),
    Scenario(
        "parameter-validation",
        "UpdateQualificationType",
        lambda client, mock: {
            "QualificationTypeId": create_type(client, "auto", AutoGranted=True)["QualificationTypeId"],
            "Test": TEST,
            "TestDurationInSeconds": 60,
        },
        error="ParameterValidationError",
    ),
    Scenario(
        "no-qualification",
        "GetQualificationScore",
        lambda client, mock: {
            "QualificationTypeId": create_type(client)["QualificationTypeId"],
            "WorkerId": "A1B2C3D4E5F6G7",
        },
        error="RequestError",
    ),
    Scenario(
        "bad-worker-id",
        "AssociateQualificationWithWorker",
        lambda client, mock: {
            "QualificationTypeId": create_type(client)["QualificationTypeId"],
            "WorkerId": "nonsense",
        },
        error="ParameterValidationError",
    ),
    Scenario(
        "max-results",
        "ListQualificationTypes",
        lambda client, mock: {"MustBeRequestable": True, "MaxResults": 101},
        error="ParameterValidationError",
    ),
]

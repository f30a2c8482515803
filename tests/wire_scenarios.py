"""One scenario per implemented operation (success) and per error kind, for the wire-fidelity test.

A scenario's ``prepare(client, mock)`` builds whatever state it needs and returns the call's kwargs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .helpers import create_hit, create_hit_type, create_type, submitted
from .samples import ANSWER_KEY, EXTERNAL_QUESTION, HTML_QUESTION, TEST, UPLOAD_FORM


@dataclass(frozen=True)
class Scenario:
    name: str
    operation: str
    prepare: Callable
    error: str | None = None
    hidden: tuple[str, ...] = ()  # operations made unimplemented for the scenario

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


def _requirement(client) -> list[dict]:
    type_id = create_type(client, "screened")["QualificationTypeId"]
    return [
        {
            "QualificationTypeId": type_id,
            "Comparator": "GreaterThanOrEqualTo",
            "IntegerValues": [80],
            "RequiredToPreview": True,
        },
        {
            "QualificationTypeId": "00000000000000000071",
            "Comparator": "In",
            "LocaleValues": [{"Country": "US", "Subdivision": "WA"}, {"Country": "CA"}],
        },
    ]


NOTIFICATION = {
    "Destination": "https://sqs.us-east-1.amazonaws.com/123456789012/mturk-events",
    "Transport": "SQS",
    "Version": "2014-08-15",
    "EventTypes": ["AssignmentSubmitted", "HITReviewable"],
}


def _bonused(client, mock):
    assignment = submitted(mock, client, worker_id="A1B2C3D4E5F6G7")["Assignment"]
    for amount in ("0.5", "12"):
        client.send_bonus(
            WorkerId="A1B2C3D4E5F6G7", BonusAmount=amount, AssignmentId=assignment["AssignmentId"], Reason="thanks"
        )
    return {"HITId": assignment["HITId"], "MaxResults": 5}


def _notified(client, mock):
    assignment_id = submitted(mock, client, worker_id="A1B2C3D4E5F6G7")["Assignment"]["AssignmentId"]
    client.approve_assignment(AssignmentId=assignment_id)
    return {"Subject": "More work", "MessageText": "Tomorrow", "WorkerIds": ["A1B2C3D4E5F6G7", "A7777777777777"]}


def _uploaded(client, mock):
    from mturk_mock import FileUpload

    hit_id = create_hit(client, Question=UPLOAD_FORM)["HITId"]
    working = mock.worker().accept(hit_id)
    working.submit({"photo": FileUpload(b"jpeg")})
    return {"AssignmentId": working.assignment_id, "QuestionIdentifier": "photo"}


def _expired_hit(client, mock):
    hit = create_hit(client, MaxAssignments=2)
    mock.clock.advance(3601)
    return hit


def _reviewed(client, mock):
    """A HIT both policies have run on: results of both levels, actions that succeeded and one that failed."""
    known = {
        "PolicyName": "ScoreMyKnownAnswers/2011-09-01",
        "Parameters": [
            {"Key": "AnswerKey", "MapEntries": [{"Key": "gold", "Values": ["7"]}]},
            {"Key": "ApproveIfKnownAnswerScoreIsAtLeast", "Values": ["100"]},
        ],
    }
    plurality = {
        "PolicyName": "SimplePlurality/2011-09-01",
        "Parameters": [
            {"Key": "QuestionIds", "Values": ["label"]},
            {"Key": "QuestionAgreementThreshold", "Values": ["50"]},
            {"Key": "DisregardAssignmentIfRejected", "Values": ["F"]},
            {"Key": "RejectIfWorkerAgreementScoreIsLessThan", "Values": ["100"]},
        ],
    }
    hit_id = create_hit(client, MaxAssignments=3, AssignmentReviewPolicy=known, HITReviewPolicy=plurality)["HITId"]
    for number, (gold, label) in enumerate((("7", "cat"), ("7", "dog"), ("1", "cat")), start=1):
        mock.worker(f"A{number:013d}").accept(hit_id).submit({"gold": gold, "label": label})
    return {"HITId": hit_id, "RetrieveActions": True, "RetrieveResults": True, "MaxResults": 100}


HIT_SUCCESS_SCENARIOS: list[Scenario] = [
    Scenario(
        "create-hit-type",
        "CreateHITType",
        lambda client, mock: {
            "Title": "t",
            "Description": "d",
            "Reward": "0.5",
            "AssignmentDurationInSeconds": 60,
            "AutoApprovalDelayInSeconds": 3600,
            "Keywords": "",
            "QualificationRequirements": _requirement(client),
        },
    ),
    Scenario(
        "create-hit",
        "CreateHIT",
        lambda client, mock: {
            "Title": "t",
            "Description": "d",
            "Reward": "1",
            "AssignmentDurationInSeconds": 60,
            "LifetimeInSeconds": 600,
            "MaxAssignments": 3,
            "Keywords": "a, b",
            "RequesterAnnotation": "batch 1",
            "Question": HTML_QUESTION,
            "QualificationRequirements": _requirement(client),
            "UniqueRequestToken": "t-1",
        },
    ),
    Scenario(
        "create-hit-with-type",
        "CreateHITWithHITType",
        lambda client, mock: {
            "HITTypeId": create_hit_type(client),
            "LifetimeInSeconds": 600,
            "Question": EXTERNAL_QUESTION,
        },
    ),
    Scenario("get-hit", "GetHIT", lambda client, mock: {"HITId": create_hit(client)["HITId"]}),
    Scenario("list-hits", "ListHITs", lambda client, mock: [create_hit(client) for _ in range(3)] and {}),
    Scenario(
        "list-hits-for-type",
        "ListHITsForQualificationType",
        lambda client, mock: {
            "QualificationTypeId": create_hit(client, QualificationRequirements=_requirement(client))[
                "QualificationRequirements"
            ][0]["QualificationTypeId"]
        },
    ),
    Scenario("list-reviewable", "ListReviewableHITs", lambda client, mock: _expired_hit(client, mock) and {}),
    Scenario(
        "update-expiration",
        "UpdateExpirationForHIT",
        lambda client, mock: {"HITId": create_hit(client)["HITId"], "ExpireAt": 0},
    ),
    Scenario(
        "additional-assignments",
        "CreateAdditionalAssignmentsForHIT",
        lambda client, mock: {"HITId": create_hit(client)["HITId"], "NumberOfAdditionalAssignments": 2},
    ),
    Scenario(
        "review-status",
        "UpdateHITReviewStatus",
        lambda client, mock: {"HITId": _expired_hit(client, mock)["HITId"], "Revert": False},
    ),
    Scenario(
        "update-hit-type",
        "UpdateHITTypeOfHIT",
        lambda client, mock: {"HITId": create_hit(client)["HITId"], "HITTypeId": create_hit_type(client, Reward="2")},
    ),
    Scenario("delete-hit", "DeleteHIT", lambda client, mock: {"HITId": _expired_hit(client, mock)["HITId"]}),
    Scenario(
        "block",
        "CreateWorkerBlock",
        lambda client, mock: {"WorkerId": "A1B2C3D4E5F6G7", "Reason": "spam"},
    ),
    Scenario(
        "unblock",
        "DeleteWorkerBlock",
        lambda client, mock: (
            client.create_worker_block(WorkerId="A1B2C3D4E5F6G7", Reason="spam")
            and {"WorkerId": "A1B2C3D4E5F6G7", "Reason": "sorry"}
        ),
    ),
    Scenario(
        "list-blocks",
        "ListWorkerBlocks",
        lambda client, mock: (
            [client.create_worker_block(WorkerId=f"A{n:013d}", Reason="x" * n) for n in range(3)] and {}
        ),
    ),
    Scenario(
        "list-assignments",
        "ListAssignmentsForHIT",
        lambda client, mock: {"HITId": submitted(mock, client, MaxAssignments=2)["HIT"]["HITId"]},
    ),
    Scenario(
        "get-assignment",
        "GetAssignment",
        lambda client, mock: {"AssignmentId": submitted(mock, client)["Assignment"]["AssignmentId"]},
    ),
    Scenario(
        "approve",
        "ApproveAssignment",
        lambda client, mock: {
            "AssignmentId": submitted(mock, client)["Assignment"]["AssignmentId"],
            "RequesterFeedback": "thanks",
        },
    ),
    Scenario(
        "reject",
        "RejectAssignment",
        lambda client, mock: {
            "AssignmentId": submitted(mock, client)["Assignment"]["AssignmentId"],
            "RequesterFeedback": "no",
        },
    ),
    Scenario(
        "notification-settings",
        "UpdateNotificationSettings",
        lambda client, mock: {"HITTypeId": create_hit_type(client), "Notification": NOTIFICATION, "Active": True},
    ),
    Scenario(
        "test-event",
        "SendTestEventNotification",
        lambda client, mock: {"Notification": NOTIFICATION, "TestEventType": "AssignmentSubmitted"},
    ),
    Scenario("review-results", "ListReviewPolicyResultsForHIT", _reviewed),
    Scenario(
        "send-bonus",
        "SendBonus",
        lambda client, mock: {
            "WorkerId": "A1B2C3D4E5F6G7",
            "BonusAmount": "1.5",
            "AssignmentId": submitted(mock, client, worker_id="A1B2C3D4E5F6G7")["Assignment"]["AssignmentId"],
            "Reason": "thanks",
            "UniqueRequestToken": "bonus-1",
        },
    ),
    Scenario("list-bonus-payments", "ListBonusPayments", _bonused),
    Scenario("notify-workers", "NotifyWorkers", _notified),
    Scenario("get-file-upload-url", "GetFileUploadURL", _uploaded),
]

SUCCESS_SCENARIOS: list[Scenario] = HIT_SUCCESS_SCENARIOS + [
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
        hidden=("CreateHIT",),
    ),
    Scenario("hit-does-not-exist", "GetHIT", lambda client, mock: {"HITId": "3" * 30}, error="RequestError"),
    Scenario(
        "hit-state",
        "DeleteHIT",
        lambda client, mock: {"HITId": create_hit(client)["HITId"]},
        error="RequestError",
    ),
    Scenario(
        "https-required",
        "CreateHITWithHITType",
        lambda client, mock: {
            "HITTypeId": create_hit_type(client),
            "LifetimeInSeconds": 600,
            "Question": EXTERNAL_QUESTION.replace("https://", "http://"),
        },
        error="ParameterValidationError",
    ),
    Scenario(
        "bad-review-policy",
        "CreateHITWithHITType",
        lambda client, mock: {
            "HITTypeId": create_hit_type(client),
            "LifetimeInSeconds": 600,
            "Question": EXTERNAL_QUESTION,
            "HITReviewPolicy": {"PolicyName": "SimplePlurality/2011-09-01", "Parameters": []},
        },
        error="ParameterValidationError",
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
        "notification-destination",
        "UpdateNotificationSettings",
        lambda client, mock: {
            "HITTypeId": create_hit_type(client),
            "Notification": {**NOTIFICATION, "Destination": "arn:aws:sns:us-east-1:123456789012:mturk-events"},
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

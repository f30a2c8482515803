"""One benchmark scenario per implemented operation: the state it needs and the arguments of its n-th call.

``prepare(client, mock, pool)`` runs with the mock active and returns the scenario's state; ``pool`` is
how many distinct calls the benchmark will make, for operations that consume what they act on (a
request accepted once cannot be accepted again). ``arguments(state, n)`` gives the n-th call's kwargs.
tests/test_registry.py checks that every implemented operation has a scenario here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore

State = dict[str, Any]
PAGE = 10  # List operations return a full default page


def _worker(n: int) -> str:
    return f"A{n:013d}"


def _type(client: Any, name: str, **extra: Any) -> str:
    params = {"Name": name, "Description": "benchmark", "QualificationTypeStatus": "Active", **extra}
    return str(client.create_qualification_type(**params)["QualificationType"]["QualificationTypeId"])


@dataclass(frozen=True)
class Scenario:
    operation: str
    prepare: Callable[[Any, Any, int], State]
    arguments: Callable[[State, int], dict[str, Any]]
    note: str = ""
    label: str = field(default="", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", f"{self.operation} {self.note}".strip())

    @property
    def method(self) -> str:
        return botocore.xform_name(self.operation)

    def call(self, client: Any, state: State, n: int) -> dict[str, Any]:
        result: dict[str, Any] = getattr(client, self.method)(**self.arguments(state, n))
        return result


def _none(client: Any, mock: Any, pool: int) -> State:
    return {}


def _one_type(client: Any, mock: Any, pool: int) -> State:
    return {"type": _type(client, "bench")}


def _types(client: Any, mock: Any, pool: int) -> State:
    return {"types": [_type(client, f"bench {index}") for index in range(PAGE + 2)]}


def _type_pool(client: Any, mock: Any, pool: int) -> State:
    return {"types": [_type(client, f"bench {index}") for index in range(pool)]}


def _granted(client: Any, mock: Any, pool: int) -> State:
    type_id = _type(client, "bench")
    mock.grant_qualifications(type_id, {_worker(n): n % 100 for n in range(max(pool, PAGE + 2))})
    return {"type": type_id}


def _pending(client: Any, mock: Any, pool: int) -> State:
    type_id = _type(client, "bench")
    requests = [mock.worker(_worker(n)).request_qualification(type_id).request_id for n in range(max(pool, PAGE + 2))]
    return {"type": type_id, "requests": requests}


EXTERNAL_QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://tasks.example.org/label</ExternalURL>'
    "<FrameHeight>600</FrameHeight></ExternalQuestion>"
)
HIT_TYPE = {"Title": "Label images", "Description": "benchmark", "Reward": "0.25", "AssignmentDurationInSeconds": 600}
DAY = 86400
NOTIFICATION = {
    "Destination": "requester@example.org",
    "Transport": "Email",
    "Version": "2014-08-15",
    "EventTypes": ["AssignmentSubmitted"],
}


def _hit_type(client: Any, mock: Any, pool: int) -> State:
    return {"hit_type": client.create_hit_type(**HIT_TYPE)["HITTypeId"]}


def _hits(client: Any, mock: Any, count: int, **extra: Any) -> list[str]:
    hit_type = client.create_hit_type(**HIT_TYPE)["HITTypeId"]
    return [
        client.create_hit_with_hit_type(HITTypeId=hit_type, LifetimeInSeconds=DAY, Question=EXTERNAL_QUESTION, **extra)[
            "HIT"
        ]["HITId"]
        for _ in range(count)
    ]


def _one_hit(client: Any, mock: Any, pool: int) -> State:
    return {"hit": _hits(client, mock, 1, MaxAssignments=10)[0], "hit_type": None}


def _hit_page(client: Any, mock: Any, pool: int) -> State:
    return {"hits": _hits(client, mock, PAGE + 2)}


def _hit_pool(client: Any, mock: Any, pool: int) -> State:
    return {"hits": _hits(client, mock, pool)}


def _reviewable_pool(client: Any, mock: Any, pool: int) -> State:
    hits = _hits(client, mock, max(pool, PAGE + 2))
    mock.clock.advance(DAY)
    return {"hits": hits}


def _required(client: Any, mock: Any, pool: int) -> State:
    qual = _type(client, "required")
    requirement = [{"QualificationTypeId": qual, "Comparator": "Exists"}]
    _hits_of = client.create_hit_type(**HIT_TYPE, QualificationRequirements=requirement)["HITTypeId"]
    for _ in range(PAGE + 2):
        client.create_hit_with_hit_type(HITTypeId=_hits_of, LifetimeInSeconds=DAY, Question=EXTERNAL_QUESTION)
    return {"type": qual}


def _two_types(client: Any, mock: Any, pool: int) -> State:
    hits = _hits(client, mock, 1)
    dearer = client.create_hit_type(**{**HIT_TYPE, "Reward": "0.50"})["HITTypeId"]
    cheaper = client.create_hit_type(**HIT_TYPE)["HITTypeId"]
    return {"hit": hits[0], "types": (dearer, cheaper)}


def _reviewed(client: Any, mock: Any, pool: int) -> State:
    """A HIT whose plurality policy has run on five assignments: 13 results and 5 actions."""
    policy = {
        "PolicyName": "SimplePlurality/2011-09-01",
        "Parameters": [
            {"Key": "QuestionIds", "Values": ["a", "b"]},
            {"Key": "QuestionAgreementThreshold", "Values": ["50"]},
            {"Key": "DisregardAssignmentIfRejected", "Values": ["true"]},
            {"Key": "ApproveIfWorkerAgreementScoreIsAtLeast", "Values": ["50"]},
            {"Key": "RejectIfWorkerAgreementScoreIsLessThan", "Values": ["50"]},
        ],
    }
    hit = _hits(client, mock, 1, MaxAssignments=5, HITReviewPolicy=policy)[0]
    for n in range(5):
        mock.worker(_worker(n)).accept(hit).submit({"a": "yes" if n % 2 else "no", "b": "yes"})
    return {"hit": hit}


HIT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("CreateHITType", _none, lambda state, n: {**HIT_TYPE, "Title": f"Label images {n}"}),
    Scenario(
        "CreateHIT", _none, lambda state, n: {**HIT_TYPE, "LifetimeInSeconds": DAY, "Question": EXTERNAL_QUESTION}
    ),
    Scenario(
        "CreateHITWithHITType",
        _hit_type,
        lambda state, n: {"HITTypeId": state["hit_type"], "LifetimeInSeconds": DAY, "Question": EXTERNAL_QUESTION},
    ),
    Scenario("GetHIT", _one_hit, lambda state, n: {"HITId": state["hit"]}),
    Scenario("ListHITs", _hit_page, lambda state, n: {}, f"(page of {PAGE})"),
    Scenario(
        "ListHITsForQualificationType",
        _required,
        lambda state, n: {"QualificationTypeId": state["type"]},
        f"(page of {PAGE})",
    ),
    Scenario("ListReviewableHITs", _reviewable_pool, lambda state, n: {}, f"(page of {PAGE})"),
    Scenario("UpdateExpirationForHIT", _hit_pool, lambda state, n: {"HITId": state["hits"][n], "ExpireAt": 0}),
    Scenario(
        "CreateAdditionalAssignmentsForHIT",
        _one_hit,
        lambda state, n: {"HITId": state["hit"], "NumberOfAdditionalAssignments": 1},
    ),
    Scenario("UpdateHITReviewStatus", _reviewable_pool, lambda state, n: {"HITId": state["hits"][n], "Revert": False}),
    Scenario(
        "UpdateHITTypeOfHIT", _two_types, lambda state, n: {"HITId": state["hit"], "HITTypeId": state["types"][n % 2]}
    ),
    Scenario("DeleteHIT", _reviewable_pool, lambda state, n: {"HITId": state["hits"][n]}),
    Scenario(
        "UpdateNotificationSettings",
        _hit_type,
        lambda state, n: {"HITTypeId": state["hit_type"], "Notification": NOTIFICATION, "Active": n % 2 == 0},
    ),
    Scenario(
        "SendTestEventNotification",
        _none,
        lambda state, n: {"Notification": NOTIFICATION, "TestEventType": "Ping"},
        "(Email: recorded)",
    ),
    Scenario(
        "ListReviewPolicyResultsForHIT",
        _reviewed,
        lambda state, n: {"HITId": state["hit"], "RetrieveResults": True, "RetrieveActions": True},
        f"(page of {PAGE})",
    ),
)

UPLOAD_FORM = (
    '<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/'
    'QuestionForm.xsd"><Question><QuestionIdentifier>photo</QuestionIdentifier><QuestionContent><Text>Photo</Text>'
    "</QuestionContent><AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>100</MaxFileSizeInBytes>"
    "<MinFileSizeInBytes>1</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification></Question></QuestionForm>"
)


def _submitted(client: Any, mock: Any, question: str = EXTERNAL_QUESTION, **answers: Any) -> tuple[str, str]:
    """A HIT with one assignment a worker submitted: (HITId, AssignmentId)."""
    hit_id = client.create_hit(**HIT_TYPE, LifetimeInSeconds=DAY, Question=question)["HIT"]["HITId"]
    working = mock.worker(_worker(1)).accept(hit_id)
    working.submit(answers or {"label": "cat"})
    return hit_id, working.assignment_id


def _bonused(client: Any, mock: Any, pool: int) -> State:
    hit_id, assignment_id = _submitted(client, mock)
    for _ in range(PAGE + 2):
        client.send_bonus(WorkerId=_worker(1), BonusAmount="0.10", AssignmentId=assignment_id, Reason="benchmark")
    return {"hit": hit_id, "assignment": assignment_id}


def _decided(client: Any, mock: Any, pool: int) -> State:
    _hit_id, assignment_id = _submitted(client, mock)
    client.approve_assignment(AssignmentId=assignment_id)
    return {"assignment": assignment_id}


def _uploaded(client: Any, mock: Any, pool: int) -> State:
    from mturk_mock import FileUpload

    return {"assignment": _submitted(client, mock, UPLOAD_FORM, photo=FileUpload(b"jpeg"))[1]}


def _work_pool(client: Any, mock: Any, pool: int) -> State:
    """One HIT with ``pool`` assignments, each submitted by its own worker."""
    hit_id = client.create_hit(
        **HIT_TYPE, LifetimeInSeconds=DAY, MaxAssignments=max(pool, PAGE + 2), Question=EXTERNAL_QUESTION
    )["HIT"]["HITId"]
    assignments = []
    for number in range(max(pool, PAGE + 2)):
        working = mock.worker(_worker(number)).accept(hit_id)
        working.submit({"label": "cat"})
        assignments.append(working.assignment_id)
    return {"hit": hit_id, "assignments": assignments}


def _blocks(client: Any, mock: Any, pool: int) -> State:
    for number in range(PAGE + 2):
        client.create_worker_block(WorkerId=_worker(number), Reason="benchmark")
    return {}


WORK_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("ListAssignmentsForHIT", _work_pool, lambda state, n: {"HITId": state["hit"]}, f"(page of {PAGE})"),
    Scenario("GetAssignment", _work_pool, lambda state, n: {"AssignmentId": state["assignments"][0]}),
    Scenario(
        "ApproveAssignment",
        _work_pool,
        lambda state, n: {"AssignmentId": state["assignments"][n], "RequesterFeedback": "thanks"},
    ),
    Scenario(
        "RejectAssignment",
        _work_pool,
        lambda state, n: {"AssignmentId": state["assignments"][n], "RequesterFeedback": "wrong"},
    ),
    Scenario("CreateWorkerBlock", _none, lambda state, n: {"WorkerId": _worker(n), "Reason": "benchmark"}),
    Scenario("DeleteWorkerBlock", _none, lambda state, n: {"WorkerId": _worker(n)}, "(not blocked)"),
    Scenario("ListWorkerBlocks", _blocks, lambda state, n: {}, f"(page of {PAGE})"),
)

BONUS_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "SendBonus",
        _decided,
        lambda state, n: {
            "WorkerId": _worker(1),
            "BonusAmount": "0.50",
            "AssignmentId": state["assignment"],
            "Reason": "benchmark",
            "UniqueRequestToken": f"bonus {n}",
        },
    ),
    Scenario("ListBonusPayments", _bonused, lambda state, n: {"HITId": state["hit"]}, f"(page of {PAGE})"),
    Scenario(
        "NotifyWorkers",
        _decided,
        lambda state, n: {"Subject": "benchmark", "MessageText": "more work", "WorkerIds": [_worker(1), _worker(2)]},
        "(one delivered, one failed)",
    ),
    Scenario(
        "GetFileUploadURL",
        _uploaded,
        lambda state, n: {"AssignmentId": state["assignment"], "QuestionIdentifier": "photo"},
    ),
)

SCENARIOS: tuple[Scenario, ...] = (
    HIT_SCENARIOS
    + WORK_SCENARIOS
    + BONUS_SCENARIOS
    + (
        Scenario("GetAccountBalance", _none, lambda state, n: {}),
        Scenario(
            "CreateQualificationType",
            _none,
            lambda state, n: {"Name": f"bench {n}", "Description": "benchmark", "QualificationTypeStatus": "Active"},
        ),
        Scenario("GetQualificationType", _one_type, lambda state, n: {"QualificationTypeId": state["type"]}),
        Scenario("ListQualificationTypes", _types, lambda state, n: {"MustBeRequestable": True}, f"(page of {PAGE})"),
        Scenario(
            "UpdateQualificationType",
            _one_type,
            lambda state, n: {"QualificationTypeId": state["type"], "Description": f"benchmark {n}"},
        ),
        Scenario("DeleteQualificationType", _type_pool, lambda state, n: {"QualificationTypeId": state["types"][n]}),
        Scenario(
            "AssociateQualificationWithWorker",
            _one_type,
            lambda state, n: {
                "QualificationTypeId": state["type"],
                "WorkerId": _worker(n),
                "IntegerValue": 5,
                "SendNotification": False,
            },
        ),
        Scenario(
            "DisassociateQualificationFromWorker",
            _granted,
            lambda state, n: {"QualificationTypeId": state["type"], "WorkerId": _worker(n)},
        ),
        Scenario(
            "GetQualificationScore",
            _granted,
            lambda state, n: {"QualificationTypeId": state["type"], "WorkerId": _worker(1)},
        ),
        Scenario(
            "ListWorkersWithQualificationType",
            _granted,
            lambda state, n: {"QualificationTypeId": state["type"]},
            f"(page of {PAGE})",
        ),
        Scenario("ListQualificationRequests", _pending, lambda state, n: {}, f"(page of {PAGE})"),
        Scenario(
            "AcceptQualificationRequest",
            _pending,
            lambda state, n: {"QualificationRequestId": state["requests"][n], "IntegerValue": 3},
        ),
        Scenario(
            "RejectQualificationRequest",
            _pending,
            lambda state, n: {"QualificationRequestId": state["requests"][n], "Reason": "benchmark"},
        ),
    )
)

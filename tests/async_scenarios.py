"""Scenarios that run the same calls through a boto3 client and through an async one, so that their answers
can be compared call by call (``tests/test_async_scenarios.py``).

A scenario is a list of steps: ``Call`` (a client method; its parameters may be computed from the results
of earlier steps, named by ``key``), ``Pages`` (every page of a List operation through the client's
paginator) and ``Act`` (something the handle does between calls: a simulated worker, the clock). Each
call's outcome is its parsed answer, or the error's class name and response, together with the raw HTTP
answer (status, headers, body) that the client's after-call handlers saw.

A scenario may give the mock options (``options``: faults, rate limit, credentials) and every client a
botocore ``Config`` (``config``: its retry mode), so injected faults go through both families' retries.

Adding an operation's scenario (the HIT operations, for instance) is one ``Scenario(...)`` entry below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from .helpers import HIT_TYPE
from .samples import ANSWER_KEY, EXTERNAL_QUESTION, HTML_QUESTION, TEST

Results = dict[str, Any]
Params = Mapping[str, Any] | Callable[[Results], Mapping[str, Any]]
REQUESTER = "AKIASCENARIO"
OTHER = "AKIAOTHERREQUESTER"


@dataclass(frozen=True)
class Call:
    method: str
    params: Params = field(default_factory=dict)
    key: str | None = None
    requester: str | None = REQUESTER  # the access key; None: an unsigned client, the default requester
    marketplace: str = "sandbox"

    def arguments(self, results: Results) -> dict[str, Any]:
        return dict(self.params(results) if callable(self.params) else self.params)


@dataclass(frozen=True)
class Pages(Call):
    """Every page of a List operation, through ``client.get_paginator(method)``."""


@dataclass(frozen=True)
class Act:
    action: Callable[[Any, Results], Any]  # (handle, results) -> value
    key: str | None = None


Step = Call | Act


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: tuple[Step, ...]
    options: Mapping[str, Any] = field(default_factory=dict)  # MTurkMock options
    config: Mapping[str, Any] = field(default_factory=dict)  # botocore Config options of every client
    hidden: tuple[str, ...] = ()  # operations made unimplemented for the scenario (tests/unimplemented.py)

    def clients(self) -> set[tuple[str | None, str]]:
        return {(step.requester, step.marketplace) for step in self.steps if isinstance(step, Call)}


def type_id(key: str) -> Callable[[Results], str]:
    return lambda results: results[key]["QualificationType"]["QualificationTypeId"]


def with_type(key: str, **params: Any) -> Callable[[Results], dict[str, Any]]:
    """Parameters naming the qualification type an earlier step created under ``key``."""
    return lambda results: {"QualificationTypeId": type_id(key)(results), **params}


def new_type(name: str, **params: Any) -> dict[str, Any]:
    return {"Name": name, "Description": "Screens workers for a task", "QualificationTypeStatus": "Active", **params}


def _request(worker_id: str, key: str, answers: Mapping[str, Any] | None = None) -> Act:
    def act(mock: Any, results: Results) -> Any:
        outcome = mock.worker(worker_id).request_qualification(type_id(key)(results), answers=answers)
        return {"status": outcome.status, "value": outcome.value, "request_id": outcome.request_id}

    return Act(act, key=f"{worker_id} request")


def _fault(*args: Any, **options: Any) -> Act:
    def act(mock: Any, results: Results) -> None:
        mock.faults.add(*args, **options)

    return Act(act)


def _call_log(mock: Any, results: Results) -> list[tuple[Any, ...]]:
    return [(call.operation, call.status, call.fault, call.attempt, call.retry_delay) for call in mock.calls]


def _pending(worker: str) -> Callable[[Results], str]:
    return lambda results: results[f"{worker} request"]["request_id"]


def hit_id(key: str, **params: Any) -> Callable[[Results], dict[str, Any]]:
    """Parameters naming the HIT an earlier step created under ``key``."""
    return lambda results: {"HITId": results[key]["HIT"]["HITId"], **params}


def _work(worker_id: str, key: str, submit: bool = True) -> Act:
    """A simulated worker accepts the HIT of ``key`` (and submits an answer); the value is the assignment ID."""

    def act(mock: Any, results: Results) -> str:
        assignment = mock.worker(worker_id).accept(results[key]["HIT"]["HITId"])
        if submit:
            assignment.submit({"label": "cat"})
        return str(assignment.assignment_id)

    return Act(act, key=f"{worker_id} assignment")


WORKERS = ("A1B2C3D4E5F6G7", "A2B3C4D5E6F7G8", "A3C4D5E6F7G8H9")
HIT = {**HIT_TYPE, "LifetimeInSeconds": 3600, "MaxAssignments": 3, "Question": EXTERNAL_QUESTION}

SCENARIOS: list[Scenario] = [
    Scenario(
        "type-lifecycle",
        (
            Call("get_account_balance"),
            Call(
                "create_qualification_type",
                new_type(
                    "Colour vision",
                    Keywords="colour",
                    RetryDelayInSeconds=60,
                    Test=TEST,
                    AnswerKey=ANSWER_KEY,
                    TestDurationInSeconds=300,
                ),
                key="type",
            ),
            Call("get_qualification_type", with_type("type")),
            Call("get_qualification_type", with_type("type"), requester=OTHER),  # no AnswerKey for non-owners
            Call("update_qualification_type", with_type("type", Description="new", QualificationTypeStatus="Inactive")),
            Call("update_qualification_type", with_type("type", Description="theirs"), requester=OTHER),
            Call("delete_qualification_type", with_type("type")),
            Call("get_qualification_type", with_type("type")),
            Call("delete_qualification_type", with_type("type")),
        ),
    ),
    Scenario(
        "type-listing",
        (
            *(
                Call("create_qualification_type", new_type(f"type {index:02}", Keywords="k" if index % 3 else "q"))
                for index in range(23)
            ),
            Call("create_qualification_type", new_type("theirs"), requester=OTHER),
            Call("list_qualification_types", {"MustBeRequestable": False, "MaxResults": 10}, key="page 1"),
            Call(
                "list_qualification_types",
                lambda results: {
                    "MustBeRequestable": False,
                    "MaxResults": 10,
                    "NextToken": results["page 1"]["NextToken"],
                },
            ),
            Pages("list_qualification_types", {"MustBeRequestable": True, "PaginationConfig": {"PageSize": 7}}),
            Pages("list_qualification_types", {"MustBeRequestable": True, "MustBeOwnedByCaller": True, "Query": "Q"}),
            Call("list_qualification_types", {"MustBeRequestable": True, "Query": "nothing matches"}),
            Call("create_qualification_type", new_type("type 00")),  # the name is taken
            Call("create_qualification_type", new_type("type 00"), marketplace="production"),  # not there
        ),
    ),
    Scenario(
        "worker-qualifications",
        (
            Call("create_qualification_type", new_type("Grants"), key="type"),
            *(
                Call("associate_qualification_with_worker", with_type("type", WorkerId=worker, IntegerValue=value))
                for value, worker in enumerate(WORKERS, start=10)
            ),
            Call("associate_qualification_with_worker", with_type("type", WorkerId=WORKERS[0])),  # overwrites: 1
            Call("get_qualification_score", with_type("type", WorkerId=WORKERS[0])),
            Call("get_qualification_score", with_type("type", WorkerId=WORKERS[1]), requester=OTHER),
            Pages("list_workers_with_qualification_type", with_type("type", PaginationConfig={"PageSize": 2})),
            Call("disassociate_qualification_from_worker", with_type("type", WorkerId=WORKERS[1], Reason="done")),
            Call("disassociate_qualification_from_worker", with_type("type", WorkerId=WORKERS[1])),
            Call("get_qualification_score", with_type("type", WorkerId=WORKERS[1])),
            Call("list_workers_with_qualification_type", with_type("type", Status="Revoked")),
            Call("associate_qualification_with_worker", with_type("type", WorkerId="nonsense")),
            Call(
                "associate_qualification_with_worker",
                {"QualificationTypeId": "000000000000000000L0", "WorkerId": WORKERS[0]},
            ),
            Act(lambda mock, results: [(n.worker_id, n.subject) for n in mock.notifications]),
        ),
    ),
    Scenario(
        "qualification-requests",
        (
            Call("create_qualification_type", new_type("Manual", Test=TEST, TestDurationInSeconds=60), key="manual"),
            Call(
                "create_qualification_type",
                new_type("Scored", Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=60),
                key="scored",
            ),
            _request(WORKERS[0], "manual", {"sky": "blue", "primaries": ["r", "g", "b"]}),
            _request(WORKERS[1], "manual", {"sky": "green"}),
            _request(WORKERS[2], "scored", {"sky": "blue", "primaries": ["r", "g", "b"]}),
            Call("list_qualification_requests", {"MaxResults": 1}, key="requests"),
            Call(
                "list_qualification_requests",
                lambda results: {"MaxResults": 1, "NextToken": results["requests"]["NextToken"]},
            ),
            Pages("list_qualification_requests", with_type("manual")),
            Call(
                "accept_qualification_request",
                lambda results: {"QualificationRequestId": _pending(WORKERS[0])(results), "IntegerValue": 7},
            ),
            Call(
                "reject_qualification_request",
                lambda results: {"QualificationRequestId": _pending(WORKERS[1])(results), "Reason": "wrong"},
            ),
            Call(
                "accept_qualification_request",
                lambda results: {"QualificationRequestId": _pending(WORKERS[1])(results)},
            ),
            Call("reject_qualification_request", {"QualificationRequestId": "3" * 30}),
            Call("get_qualification_score", with_type("scored", WorkerId=WORKERS[2])),
            Call("list_workers_with_qualification_type", with_type("manual")),
        ),
    ),
    Scenario(
        "errors",
        (
            Call("get_qualification_type", {"QualificationTypeId": "3" * 30}),
            Call("list_qualification_types", {"MustBeRequestable": True, "MaxResults": 101}),
            Call("create_qualification_type", new_type("bad", Test="<not xml", TestDurationInSeconds=60)),
            Call("create_hit", HIT),  # hidden: NotImplemented
            Call("list_hits", requester=None),
            Call("get_account_balance", requester=None, marketplace="production"),
        ),
        hidden=("CreateHIT",),
    ),
    Scenario(
        "hit-lifecycle",
        (
            Call("create_hit_type", {**HIT_TYPE, "AutoApprovalDelayInSeconds": 3600}, key="type"),
            Call(
                "create_hit_with_hit_type",
                lambda results: {
                    "HITTypeId": results["type"]["HITTypeId"],
                    "LifetimeInSeconds": 3600,
                    "MaxAssignments": 3,
                    "Question": EXTERNAL_QUESTION,
                    "RequesterAnnotation": "batch 1",
                },
                key="hit",
            ),
            Call("create_hit", {**HIT, "Question": HTML_QUESTION, "UniqueRequestToken": "once"}),
            Call("create_hit", {**HIT, "Question": HTML_QUESTION, "UniqueRequestToken": "once"}),  # a repeated token
            Call("get_hit", hit_id("hit")),
            Call("get_hit", hit_id("hit"), requester=OTHER),
            _work(WORKERS[0], "hit"),
            _work(WORKERS[1], "hit"),
            _work(WORKERS[2], "hit", submit=False),
            Pages("list_assignments_for_hit", hit_id("hit", PaginationConfig={"PageSize": 1})),
            Call("approve_assignment", lambda results: {"AssignmentId": results[f"{WORKERS[0]} assignment"]}),
            Call("approve_assignment", lambda results: {"AssignmentId": results[f"{WORKERS[0]} assignment"]}),
            Call(
                "reject_assignment",
                lambda results: {"AssignmentId": results[f"{WORKERS[1]} assignment"], "RequesterFeedback": "no"},
            ),
            Call("get_assignment", lambda results: {"AssignmentId": results[f"{WORKERS[1]} assignment"]}),
            Call("create_additional_assignments_for_hit", hit_id("hit", NumberOfAdditionalAssignments=2)),
            Call("update_expiration_for_hit", hit_id("hit", ExpireAt=0)),
            Act(lambda mock, results: mock.clock.advance(3600)),
            Call("update_hit_review_status", hit_id("hit", Revert=False)),
            Pages("list_reviewable_hits", {"Status": "Reviewing"}),
            Call("delete_hit", hit_id("hit")),
            Call("get_hit", hit_id("hit")),
            Call("get_account_balance"),
        ),
    ),
    Scenario(
        "hit-listings-and-blocks",
        (
            Call("create_qualification_type", new_type("Screen"), key="screen"),
            *(
                Call(
                    "create_hit",
                    lambda results, index=index: {
                        **HIT,
                        "RequesterAnnotation": f"hit {index}",
                        "QualificationRequirements": [
                            {
                                "QualificationTypeId": type_id("screen")(results),
                                "Comparator": "GreaterThanOrEqualTo",
                                "IntegerValues": [index],
                            }
                        ],
                    },
                )
                for index in range(12)
            ),
            Call("list_hits", {"MaxResults": 5}, key="hits"),
            Call("list_hits", lambda results: {"MaxResults": 5, "NextToken": results["hits"]["NextToken"]}),
            Pages("list_hits", {"PaginationConfig": {"PageSize": 4}}),
            Pages("list_hits_for_qualification_type", with_type("screen", PaginationConfig={"PageSize": 5})),
            Call("list_hits", requester=OTHER),
            *(Call("create_worker_block", {"WorkerId": worker, "Reason": "spam"}) for worker in WORKERS),
            Call("delete_worker_block", {"WorkerId": WORKERS[0], "Reason": "sorry"}),
            Pages("list_worker_blocks", {"PaginationConfig": {"PageSize": 1}}),
            Call("create_worker_block", {"WorkerId": "nonsense", "Reason": "spam"}),
        ),
    ),
    Scenario(
        "standard-retries",
        (
            _fault("ServiceFault", operation="CreateQualificationType", after=1, times=1),
            _fault("ThrottlingException", operation="GetAccountBalance", times=3),
            _fault("ServiceFault", operation="UpdateQualificationType", times=1, applied=True),
            Call("create_qualification_type", new_type("first"), key="type"),
            Call("create_qualification_type", new_type("second")),  # fails once, retried
            Call("get_account_balance"),  # throttled on all 3 attempts
            Call("update_qualification_type", with_type("type", Description="again")),  # applied, answer lost
            Act(_call_log),
        ),
        options={"retry_backoff": "clock", "rate_limit": {"rate": 1, "burst": 4}},
        config={"retries": {"mode": "standard"}},
    ),
    Scenario(
        "legacy-retries-and-credentials",
        (
            _fault(sequence=[None, "ServiceFault", "ServiceFault", None], operation="GetAccountBalance"),
            _fault("ServiceFault", operation="CreateQualificationType", times=1, applied=True),
            Call("get_account_balance"),
            Call("get_account_balance"),  # two faults, retried by legacy mode
            Call("create_qualification_type", new_type("twice")),  # the retry finds the name taken
            Call("get_account_balance", requester=OTHER),  # not a registered key
            Call("get_account_balance", requester=None),  # unsigned
            Act(_call_log),
        ),
        options={"credentials": "registered", "access_keys": [REQUESTER]},
        config={"retries": {"mode": "legacy"}},
    ),
]


# -- running a scenario ---------------------------------------------------------------------------------
# Both runners keep one results dict (key -> answer) for computed parameters and return the outcomes in order:
# an Act's value, or {"answer": parsed answer or error outcome, "http": [(status, headers, body) per request]}.

Clients = Mapping[tuple[str | None, str], Any]  # (requester, marketplace) -> client


def _error(error: ClientError) -> dict[str, Any]:
    return {"error": type(error).__name__, "response": error.response}


def _watch(clients: Clients) -> dict[tuple[str | None, str], list]:
    """The HTTP responses each client's after-call handlers see, in order."""
    watched: dict[tuple[str | None, str], list] = {}
    for key, client in clients.items():
        seen = watched[key] = []
        client.meta.events.register(
            "after-call.mturk.*", lambda http_response, seen=seen, **_: seen.append(http_response)
        )
    return watched


def _record(results: Results, outcomes: list, step: Step, value: Any) -> None:
    results[step.key or f"step {len(outcomes)}"] = value
    outcomes.append(value)


def run_sync(scenario: Scenario, mock: Any, clients: Clients) -> list:
    """Every step's outcome through boto3 ``clients`` (one per (requester, marketplace) of the scenario)."""
    watched = _watch(clients)
    results: Results = {}
    outcomes: list = []
    for step in scenario.steps:
        if isinstance(step, Act):
            _record(results, outcomes, step, step.action(mock, results))
            continue
        client, seen = clients[step.requester, step.marketplace], watched[step.requester, step.marketplace]
        try:
            if isinstance(step, Pages):
                answer: Any = list(client.get_paginator(step.method).paginate(**step.arguments(results)))
            else:
                answer = getattr(client, step.method)(**step.arguments(results))
        except ClientError as error:
            answer = _error(error)
        http = [(response.status_code, dict(response.headers), response.content) for response in seen]
        seen.clear()
        _record(results, outcomes, step, answer)
        outcomes[-1] = {"answer": answer, "http": http}
    return outcomes


async def run_async(scenario: Scenario, mock: Any, clients: Clients) -> list:
    """``run_sync`` through entered async clients: ``await`` every call, ``async for`` every page."""
    watched = _watch(clients)
    results: Results = {}
    outcomes: list = []
    for step in scenario.steps:
        if isinstance(step, Act):
            _record(results, outcomes, step, step.action(mock, results))
            continue
        client, seen = clients[step.requester, step.marketplace], watched[step.requester, step.marketplace]
        try:
            if isinstance(step, Pages):
                paginator = client.get_paginator(step.method)
                answer: Any = [page async for page in paginator.paginate(**step.arguments(results))]
            else:
                answer = await getattr(client, step.method)(**step.arguments(results))
        except ClientError as error:
            answer = _error(error)
        http = [(response.status_code, dict(response.headers), await response.content) for response in seen]
        seen.clear()
        _record(results, outcomes, step, answer)
        outcomes[-1] = {"answer": answer, "http": http}
    return outcomes

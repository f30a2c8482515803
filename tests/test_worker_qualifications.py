"""Associate/Disassociate, GetQualificationScore, ListWorkersWithQualificationType,
ListQualificationRequests, Accept/RejectQualificationRequest through boto3 (spec 1.6-1.12, issue 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from .helpers import create_type, parameter_error, request_error, requester_client
from .samples import ANSWER_KEY, TEST

WORKER = "A1B2C3D4E5F6G7"


@pytest.fixture
def type_id(mturk_client) -> str:
    return create_type(mturk_client)["QualificationTypeId"]


def _score(client, type_id, worker=WORKER) -> dict:
    return client.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker)["Qualification"]


def _associate(client, type_id, worker=WORKER, **extra):
    return client.associate_qualification_with_worker(QualificationTypeId=type_id, WorkerId=worker, **extra)


def test_associate_grants_directly_with_default_value_one(mturk_client, mturk_mock, type_id):
    mturk_mock.clock.freeze(dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc))
    reply = _associate(mturk_client, type_id)
    assert set(reply) == {"ResponseMetadata"}
    assert _score(mturk_client, type_id) == {
        "QualificationTypeId": type_id,
        "WorkerId": WORKER,
        "IntegerValue": 1,
        "Status": "Granted",
        "GrantTime": dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc),
    }


def test_reassociating_overwrites_the_value_and_grant_time(mturk_client, mturk_mock, type_id):
    mturk_mock.clock.freeze()
    _associate(mturk_client, type_id, IntegerValue=2)
    first = _score(mturk_client, type_id)
    mturk_mock.clock.advance(60)
    _associate(mturk_client, type_id, IntegerValue=3)
    second = _score(mturk_client, type_id)
    assert (second["IntegerValue"], second["GrantTime"] - first["GrantTime"]) == (3, dt.timedelta(seconds=60))


def test_only_the_owner_may_associate(mturk_client, type_id):
    other = requester_client("AKIAOTHER")
    request_error(lambda: _associate(other, type_id), "PermissionDeniedException", "You do not have permission")
    for system_type in ("2ARFPLSP75KLA8M8DH1HTEQVJT3SY6", "00000000000000000071"):
        request_error(
            lambda type_id=system_type: _associate(mturk_client, type_id),
            "PermissionDeniedException",
            "You do not have permission",
        )
    request_error(lambda: _associate(mturk_client, "3" * 30), "QualificationTypeDoesNotExist", "QualificationType [")


@pytest.mark.parametrize("worker", ["nonsense", "a1234567", "B1234567", "A12-34"])
def test_malformed_worker_ids_are_parameter_errors(mturk_client, mturk_mock, type_id, worker):
    response = parameter_error(lambda: _associate(mturk_client, type_id, worker), "WorkerId", mturk_mock)
    assert response["Error"]["Message"].startswith(f'The value "{worker}" is not valid for the parameter WorkerId.')


@pytest.mark.mturk_mock(known_workers="registered")
def test_only_registered_workers_are_known_when_asked(mturk_client, mturk_mock, type_id):
    parameter_error(lambda: _associate(mturk_client, type_id), "WorkerId", mturk_mock)
    mturk_mock.worker(WORKER)
    _associate(mturk_client, type_id)
    assert _score(mturk_client, type_id)["IntegerValue"] == 1
    parameter_error(lambda: _score(mturk_client, type_id, "AUNKNOWN1234"), "WorkerId", mturk_mock)


def test_send_notification_defaults_to_true(mturk_client, mturk_mock, type_id):
    _associate(mturk_client, type_id)
    _associate(mturk_client, type_id, "A2SECOND22222", SendNotification=False)
    _associate(mturk_client, type_id, "A3THIRD333333", SendNotification=True)
    assert [(note.worker_id, note.kind, note.type_id) for note in mturk_mock.notifications] == [
        (WORKER, "granted", type_id),
        ("A3THIRD333333", "granted", type_id),
    ]


def test_disassociate_revokes_but_keeps_the_grant_listed(mturk_client, mturk_mock, type_id):
    _associate(mturk_client, type_id, IntegerValue=9)
    mturk_client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=WORKER)
    assert mturk_mock.notifications == [mturk_mock.notifications[0]]  # no reason, no message
    revoked = mturk_client.list_workers_with_qualification_type(QualificationTypeId=type_id, Status="Revoked")
    assert [(q["WorkerId"], q["Status"], q["IntegerValue"]) for q in revoked["Qualifications"]] == [
        (WORKER, "Revoked", 9)
    ]
    assert mturk_client.list_workers_with_qualification_type(QualificationTypeId=type_id)["NumResults"] == 0
    request_error(
        lambda: _score(mturk_client, type_id),
        "InvalidQualificationState",
        "This operation can be called with a status of: Granted",
    )


def test_disassociate_with_a_reason_notifies(mturk_client, mturk_mock, type_id):
    _associate(mturk_client, type_id, SendNotification=False)
    mturk_client.disassociate_qualification_from_worker(
        QualificationTypeId=type_id, WorkerId=WORKER, Reason="Blocked for spam"
    )
    (note,) = mturk_mock.notifications
    assert (note.kind, note.text) == ("revoked", "Blocked for spam")


def test_disassociate_errors(mturk_client, type_id):
    request_error(
        lambda: mturk_client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=WORKER),
        "QualificationDoesNotExist",
        "You requested a Qualification that does not exist.",
    )
    _associate(mturk_client, type_id)
    mturk_client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=WORKER)
    request_error(
        lambda: mturk_client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=WORKER),
        "InvalidQualificationState",
        "This operation can be called with a status of: Granted",
    )


def test_associating_after_a_revoke_grants_again(mturk_client, mturk_mock, type_id):
    mturk_mock.clock.freeze()  # a loaded machine (pytest -n auto) may take more than 10 ms between calls
    _associate(mturk_client, type_id, IntegerValue=4)
    mturk_client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=WORKER)
    mturk_mock.clock.advance(30)
    _associate(mturk_client, type_id)
    score = _score(mturk_client, type_id)
    assert (score["Status"], score["IntegerValue"]) == ("Granted", 1)
    assert score["GrantTime"].timestamp() == pytest.approx(mturk_mock.clock.now(), abs=0.01)


def test_score_errors(mturk_client, type_id):
    request_error(
        lambda: _score(mturk_client, type_id),
        "QualificationDoesNotExist",
        "You requested a Qualification that does not exist. (",
    )
    _associate(mturk_client, type_id)
    request_error(
        lambda: _score(requester_client("AKIAOTHER"), type_id),
        "QualificationDoesNotExist",
        "You requested a Qualification that does not exist.",
    )
    request_error(
        lambda: _score(mturk_client, "00000000000000000071"),
        "QualificationDoesNotExist",
        "You requested a Qualification that does not exist.",
    )
    request_error(
        lambda: _score(mturk_client, "NONEXISTENT"),
        "QualificationDoesNotExist",
        "You requested a Qualification that does not exist.",
    )


def test_list_workers_paginates_like_every_list(mturk_client, mturk_mock, type_id):
    workers = [f"A{index:013d}" for index in range(25)]
    for worker in workers:
        _associate(mturk_client, type_id, worker, SendNotification=False)
    paginator = mturk_client.get_paginator("list_workers_with_qualification_type")
    pages = list(paginator.paginate(QualificationTypeId=type_id, PaginationConfig={"PageSize": 10}))
    assert [page["NumResults"] for page in pages] == [10, 10, 5, 0]
    assert [q["WorkerId"] for page in pages for q in page["Qualifications"]] == workers
    parameter_error(
        lambda: mturk_client.list_workers_with_qualification_type(
            QualificationTypeId=type_id, Status="Revoked", NextToken=pages[0]["NextToken"]
        ),
        "NextToken",
        mturk_mock,
    )
    request_error(
        lambda: requester_client("AKIAOTHER").list_workers_with_qualification_type(QualificationTypeId=type_id),
        "PermissionDeniedException",
        "You do not have permission",
    )


def test_grants_survive_the_deletion_of_their_type(mturk_client, mturk_mock, type_id):
    _associate(mturk_client, type_id, IntegerValue=8)
    mturk_client.delete_qualification_type(QualificationTypeId=type_id)
    held = mturk_mock.worker(WORKER).qualification(type_id)
    assert (held.value, held.status) == (8, "Granted")


# -- qualification requests ----------------------------------------------------------------------


def _requests(client, **params) -> list[dict]:
    return client.list_qualification_requests(**params)["QualificationRequests"]


def test_requests_list_only_what_waits_for_the_owner(mturk_client, mturk_mock):
    manual = create_type(mturk_client, "manual")["QualificationTypeId"]
    keyed = create_type(mturk_client, "keyed", Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=60)[
        "QualificationTypeId"
    ]
    unkeyed = create_type(mturk_client, "unkeyed", Test=TEST, TestDurationInSeconds=60)["QualificationTypeId"]
    auto = create_type(mturk_client, "auto", AutoGranted=True)["QualificationTypeId"]
    first, second, third = mturk_mock.worker(), mturk_mock.worker(), mturk_mock.worker()
    mturk_mock.clock.freeze()
    first.request_qualification(manual)
    mturk_mock.clock.advance(1)
    second.request_qualification(keyed, answers={"sky": "blue"})
    second.request_qualification(auto)
    third.start_test(unkeyed)  # not submitted: not waiting for the owner yet
    mturk_mock.clock.advance(1)
    first.request_qualification(unkeyed, answers={"sky": "green", "primaries": ["r"]})
    listed = _requests(mturk_client)
    assert [(r["WorkerId"], r["QualificationTypeId"]) for r in listed] == [
        (first.worker_id, manual),
        (first.worker_id, unkeyed),
    ]
    assert listed[0]["SubmitTime"] < listed[1]["SubmitTime"]
    assert "Test" not in listed[0] and "Answer" not in listed[0]
    assert listed[1]["Test"] == TEST and "<SelectionIdentifier>green</SelectionIdentifier>" in listed[1]["Answer"]
    assert [r["QualificationTypeId"] for r in _requests(mturk_client, QualificationTypeId=manual)] == [manual]
    assert _requests(requester_client("AKIAOTHER")) == []
    request_error(
        lambda: _requests(requester_client("AKIAOTHER"), QualificationTypeId=manual),
        "PermissionDeniedException",
        "You do not have permission",
    )


def test_accept_grants_with_default_one_and_overwrites(mturk_client, mturk_mock, type_id):
    worker = mturk_mock.worker()
    _associate(mturk_client, type_id, worker.worker_id, IntegerValue=50)
    request_id = worker.request_qualification(type_id).request_id
    assert worker.qualification(type_id).value == 50  # a pending request leaves the grant alone
    mturk_client.accept_qualification_request(QualificationRequestId=request_id)
    assert _score(mturk_client, type_id, worker.worker_id)["IntegerValue"] == 1
    assert _requests(mturk_client) == []
    request_error(
        lambda: mturk_client.accept_qualification_request(QualificationRequestId=request_id),
        "InvalidQualificationRequestState",
        "This operation can be called with a status of: Pending",
    )


def test_reject_leaves_an_existing_grant_untouched(mturk_client, mturk_mock, type_id):
    worker = mturk_mock.worker()
    _associate(mturk_client, type_id, worker.worker_id, IntegerValue=50, SendNotification=False)
    request_id = worker.request_qualification(type_id).request_id
    mturk_client.reject_qualification_request(QualificationRequestId=request_id, Reason="Not enough experience")
    assert _score(mturk_client, type_id, worker.worker_id)["IntegerValue"] == 50
    assert [(n.kind, n.text) for n in mturk_mock.notifications] == [("rejected", "Not enough experience")]
    request_error(
        lambda: mturk_client.reject_qualification_request(QualificationRequestId=request_id),
        "InvalidQualificationRequestState",
        "This operation can be called with a status of: Pending",
    )


def test_accept_and_reject_are_for_the_owner_and_known_requests(mturk_client, mturk_mock, type_id):
    request_id = mturk_mock.worker().request_qualification(type_id).request_id
    other = requester_client("AKIAOTHER")
    for call in (
        lambda: other.accept_qualification_request(QualificationRequestId=request_id),
        lambda: other.reject_qualification_request(QualificationRequestId=request_id),
        lambda: mturk_client.accept_qualification_request(QualificationRequestId="UNKNOWN"),
    ):
        request_error(call, "QualificationRequestDoesNotExist", "QualificationRequest ")
    assert len(_requests(mturk_client)) == 1


def test_deleting_a_type_rejects_its_pending_requests(mturk_client, mturk_mock, type_id):
    request_id = mturk_mock.worker().request_qualification(type_id).request_id
    mturk_client.delete_qualification_type(QualificationTypeId=type_id)
    assert _requests(mturk_client) == []
    request_error(
        lambda: mturk_client.accept_qualification_request(QualificationRequestId=request_id),
        "InvalidQualificationRequestState",
        "This operation can be called with a status of: Pending",
    )


def test_list_requests_paginates(mturk_client, mturk_mock, type_id):
    for _ in range(12):
        mturk_mock.worker().request_qualification(type_id)
    pages = list(mturk_client.get_paginator("list_qualification_requests").paginate(PaginationConfig={"PageSize": 5}))
    assert [page["NumResults"] for page in pages] == [5, 5, 2, 0]


# -- marketplaces and requesters ------------------------------------------------------------------


def test_production_has_its_own_state_and_masters(mturk_mock):
    sandbox, production = requester_client("AKIAONE"), requester_client("AKIAONE", "production")
    sandbox_type = create_type(sandbox)["QualificationTypeId"]
    production_type = create_type(production)["QualificationTypeId"]
    _associate(production, production_type, IntegerValue=7)
    assert _score(production, production_type)["IntegerValue"] == 7
    request_error(
        lambda: _score(sandbox, production_type),
        "QualificationDoesNotExist",
        "You requested a Qualification that does not exist.",
    )
    request_error(lambda: _associate(production, sandbox_type), "QualificationTypeDoesNotExist", "QualificationType [")
    request_error(
        lambda: _associate(production, "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"),
        "PermissionDeniedException",
        "You do not have permission",
    )
    worker = mturk_mock.worker(WORKER, marketplace="production")
    assert [q.value for q in worker.qualifications] == [7]
    assert mturk_mock.worker(WORKER).qualifications == []


def test_two_requesters_cannot_see_or_touch_each_others_grants_and_requests(mturk_mock):
    one, two = requester_client("AKIAONE"), requester_client("AKIATWO")
    type_one = create_type(one)["QualificationTypeId"]
    _associate(one, type_one, IntegerValue=3)
    mturk_mock.worker().request_qualification(type_one)
    request_error(
        lambda: two.disassociate_qualification_from_worker(QualificationTypeId=type_one, WorkerId=WORKER),
        "PermissionDeniedException",
        "You do not have permission",
    )
    request_error(lambda: _score(two, type_one), "QualificationDoesNotExist", "You requested")
    assert _requests(two) == [] and len(_requests(one)) == 1
    assert _score(one, type_one)["IntegerValue"] == 3

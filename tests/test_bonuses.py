"""Bonuses, messages to workers and uploaded files (spec H§5, H§8.17, H§8.18, H§8.22, Q§6.2)."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest

from mturk_mock import FileUpload
from mturk_mock.constants import DEFAULT_REQUESTER
from mturk_mock.transport.http_app import MTurkApp

from .helpers import create_hit, parameter_error, request_error, requester_client
from .samples import UPLOAD_FORM

START = 1_800_000_000
WORKER, OTHER = "A1111111111111", "A2222222222222"
NOT_WORKED = "Cannot send a notification to a worker who has not done any work for you"


@pytest.fixture(autouse=True)
def _frozen(mturk_mock):
    mturk_mock.clock.freeze(START)


def _at(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(START + seconds, dt.timezone.utc)


def _work(mock, client, worker_id: str = WORKER, marketplace: str = "sandbox", **hit) -> str:
    """A HIT of ``client`` whose one assignment ``worker_id`` accepted and submitted: its AssignmentId."""
    hit_id = create_hit(client, **hit)["HITId"]
    working = mock.worker(worker_id, marketplace=marketplace).accept(hit_id)
    working.submit({"label": "cat"})
    return working.assignment_id


def _bonus(client, assignment_id: str, amount: str = "0.50", worker_id: str = WORKER, **extra) -> dict:
    return client.send_bonus(
        WorkerId=worker_id, BonusAmount=amount, AssignmentId=assignment_id, Reason="Great work", **extra
    )


def _payments(client, **where) -> list[dict]:
    return client.list_bonus_payments(**where)["BonusPayments"]


# -- SendBonus ---------------------------------------------------------------------------------------


def test_a_bonus_is_recorded_with_its_amount_normalised(mturk_client, mturk_mock):
    assignment_id = _work(mturk_mock, mturk_client)
    mturk_mock.clock.advance(5)
    assert _bonus(mturk_client, assignment_id, "5")["ResponseMetadata"]["HTTPStatusCode"] == 200
    mturk_mock.clock.advance(5)
    _bonus(mturk_client, assignment_id, "0.5")  # without a token every call pays again
    expected = [
        {
            "WorkerId": WORKER,
            "BonusAmount": amount,
            "AssignmentId": assignment_id,
            "Reason": "Great work",
            "GrantTime": at,
        }
        for amount, at in (("5.00", _at(5)), ("0.50", _at(10)))
    ]
    assert _payments(mturk_client, AssignmentId=assignment_id) == expected
    hit_id = mturk_client.get_assignment(AssignmentId=assignment_id)["HIT"]["HITId"]
    assert _payments(mturk_client, HITId=hit_id) == expected


def test_the_sandbox_balance_stays_but_the_bonus_and_fee_are_on_the_books(mturk_client, mturk_mock):
    assignment_id = _work(mturk_mock, mturk_client, AutoApprovalDelayInSeconds=3600)
    _bonus(mturk_client, assignment_id, "0.53")  # fee 0.106 -> 0.11
    assert mturk_client.get_account_balance()["AvailableBalance"] == "10000.00"
    assert mturk_mock.world.marketplace("sandbox").ledger.paid(DEFAULT_REQUESTER) == Decimal("0.64")


@pytest.mark.parametrize(
    ("amount", "cost"),
    [("1.00", "1.20"), ("0.52", "0.62"), ("0.53", "0.64"), ("0.01", "0.02"), ("101.42", "121.70")],
)
def test_in_production_the_bonus_and_its_fee_leave_the_available_balance(mturk_mock, amount, cost):
    client = requester_client("AKIAPRODUCTION", "production")
    assignment_id = _work(mturk_mock, client, marketplace="production", AutoApprovalDelayInSeconds=3600)
    before = Decimal(client.get_account_balance()["AvailableBalance"])
    _bonus(client, assignment_id, amount)
    balance = client.get_account_balance()
    assert Decimal(balance["AvailableBalance"]) == before - Decimal(cost)
    assert balance["OnHoldBalance"] == "0.30"  # the submitted assignment's reward and fee, untouched


def test_money_is_conserved_in_production(mturk_mock):
    client = requester_client("AKIAPRODUCTION", "production")
    ledger = mturk_mock.world.marketplace("production").ledger
    approved = _work(mturk_mock, client, marketplace="production", MaxAssignments=1)
    client.approve_assignment(AssignmentId=approved)
    _bonus(client, approved, "2.00")
    rejected = _work(mturk_mock, client, OTHER, "production", MaxAssignments=3)
    client.reject_assignment(AssignmentId=rejected, RequesterFeedback="no")
    _bonus(client, rejected, "0.10", OTHER)
    requester = "AKIAPRODUCTION"
    assert ledger.paid(requester) == Decimal("0.30") + Decimal("2.40") + Decimal("0.12")
    assert ledger.balance(requester) + ledger.held(requester) + ledger.paid(requester) == Decimal("10000.00")


def test_a_bonus_the_balance_cannot_cover_is_refused_and_changes_nothing(mturk_mock):
    client = requester_client("AKIAPRODUCTION", "production")
    assignment_id = _work(mturk_mock, client, marketplace="production", AutoApprovalDelayInSeconds=3600)
    mturk_mock.world.marketplace("production").balances["AKIAPRODUCTION"] = "1.19"
    request_error(
        lambda: _bonus(client, assignment_id, "1.00", UniqueRequestToken="pay-once"),  # 1.00 + 0.20 > 1.19
        "InsufficientFunds",
        "This Requester has insufficient funds in their account to complete this transaction.",
    )
    assert client.get_account_balance()["AvailableBalance"] == "1.19"
    assert _payments(client, AssignmentId=assignment_id) == []
    mturk_mock.world.marketplace("production").balances["AKIAPRODUCTION"] = "1.20"
    _bonus(client, assignment_id, "1.00", UniqueRequestToken="pay-once")  # the refused call left the token unused
    assert client.get_account_balance()["AvailableBalance"] == "0.00"


@pytest.mark.parametrize("amount", ["0", "0.00", ".20", "$1", "0.123", "1,00", "-1", ""])
def test_bonus_amounts_follow_the_currency_pattern_and_the_cent_minimum(mturk_client, mturk_mock, amount):
    assignment_id = _work(mturk_mock, mturk_client)
    parameter_error(lambda: _bonus(mturk_client, assignment_id, amount), "BonusAmount", mturk_mock)


def test_worker_id_and_reason_are_checked(mturk_client, mturk_mock):
    assignment_id = _work(mturk_mock, mturk_client)
    for bad in ("a1111111111111", "B1111111111111", "A" + "1" * 64):
        parameter_error(lambda bad=bad: _bonus(mturk_client, assignment_id, worker_id=bad), "WorkerId", mturk_mock)
    parameter_error(
        lambda: mturk_client.send_bonus(WorkerId=WORKER, BonusAmount="1", AssignmentId=assignment_id, Reason=""),
        "Reason",
        mturk_mock,
    )
    assert _payments(mturk_client, AssignmentId=assignment_id) == []


@pytest.mark.mturk_mock(known_workers="registered")
def test_with_registered_workers_only_a_known_worker_gets_a_bonus(mturk_client, mturk_mock):
    assignment_id = _work(mturk_mock, mturk_client)
    parameter_error(lambda: _bonus(mturk_client, assignment_id, worker_id="A9999999999999"), "WorkerId", mturk_mock)
    _bonus(mturk_client, assignment_id)


def test_only_the_worker_who_did_the_assignment_gets_its_bonus(mturk_client, mturk_mock):
    assignment_id = _work(mturk_mock, mturk_client)
    mturk_mock.worker(OTHER)
    response = parameter_error(lambda: _bonus(mturk_client, assignment_id, worker_id=OTHER), "WorkerId", mturk_mock)
    assert response["Error"]["Message"].startswith(f'The value "{OTHER}" is not valid for the parameter WorkerId.')


def test_only_visible_assignments_of_the_callers_hits_take_bonuses(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=3)["HITId"]
    in_flight = mturk_mock.worker(WORKER).accept(hit_id)
    returned = mturk_mock.worker(OTHER).accept(hit_id)
    returned.return_()
    foreign = _work(mturk_mock, requester_client("AKIAOTHER"), "A3333333333333")
    for assignment_id, worker_id in (
        (in_flight.assignment_id, WORKER),
        (returned.assignment_id, OTHER),
        (foreign, "A3333333333333"),
        ("3" * 30, WORKER),
    ):
        request_error(
            lambda assignment_id=assignment_id, worker_id=worker_id: _bonus(
                mturk_client, assignment_id, worker_id=worker_id
            ),
            "AssignmentDoesNotExist",
            f"Assignment {assignment_id} does not exist.",
        )


def test_submitted_approved_rejected_and_disposed_work_takes_bonuses(mturk_client, mturk_mock):
    submitted_id = _work(mturk_mock, mturk_client)
    approved_id = _work(mturk_mock, mturk_client)
    mturk_client.approve_assignment(AssignmentId=approved_id)
    rejected_id = _work(mturk_mock, mturk_client)
    mturk_client.reject_assignment(AssignmentId=rejected_id, RequesterFeedback="wrong")
    hit_id = mturk_client.get_assignment(AssignmentId=approved_id)["HIT"]["HITId"]
    mturk_client.delete_hit(HITId=hit_id)
    for assignment_id in (submitted_id, approved_id, rejected_id):
        _bonus(mturk_client, assignment_id)
    assert [p["AssignmentId"] for p in _payments(mturk_client, HITId=hit_id)] == [approved_id]  # still readable
    assert len(_payments(mturk_client, AssignmentId=approved_id)) == 1
    events = mturk_mock.world.marketplace("sandbox").events.log
    assert not any("Bonus" in event.event_type for event in events)


def test_a_token_pays_once_per_24_hours(mturk_client, mturk_mock):
    assignment_id = _work(mturk_mock, mturk_client, AutoApprovalDelayInSeconds=3 * 86400)
    _bonus(mturk_client, assignment_id, UniqueRequestToken="bonus-1")
    mturk_mock.clock.advance(86399)
    request_error(
        lambda: _bonus(mturk_client, assignment_id, "9.99", UniqueRequestToken="bonus-1"),
        "DuplicateRequest",
        'The idempotency token "bonus-1" has already been processed.',
    )
    assert len(_payments(mturk_client, AssignmentId=assignment_id)) == 1
    other = requester_client("AKIAOTHER")  # tokens belong to one requester
    _bonus(other, _work(mturk_mock, other, OTHER), worker_id=OTHER, UniqueRequestToken="bonus-1")
    mturk_mock.clock.advance(1)
    _bonus(mturk_client, assignment_id, UniqueRequestToken="bonus-1")
    assert len(_payments(mturk_client, AssignmentId=assignment_id)) == 2


# -- ListBonusPayments ---------------------------------------------------------------------------------


def test_a_hits_bonuses_in_grant_time_order_page_by_page(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=2)["HITId"]
    first, second = (mturk_mock.worker(w).accept(hit_id) for w in (WORKER, OTHER))
    first.submit({"label": "a"})
    second.submit({"label": "b"})
    for n in range(5):
        mturk_mock.clock.advance(10)
        working = (first, second)[n % 2]
        _bonus(mturk_client, working.assignment_id, f"{n + 1}", worker_id=working.worker_id)
    amounts, token = [], None
    while True:
        page = mturk_client.list_bonus_payments(HITId=hit_id, MaxResults=2, **({"NextToken": token} if token else {}))
        if not page["NumResults"]:
            assert "NextToken" not in page
            break
        amounts += [payment["BonusAmount"] for payment in page["BonusPayments"]]
        token = page["NextToken"]
    assert amounts == ["1.00", "2.00", "3.00", "4.00", "5.00"]
    paginator = mturk_client.get_paginator("list_bonus_payments")
    pages = list(paginator.paginate(HITId=hit_id, AssignmentId=second.assignment_id, PaginationConfig={"PageSize": 1}))
    assert [p["BonusAmount"] for page in pages for p in page["BonusPayments"]] == ["2.00", "4.00"]
    assert _payments(mturk_client, HITId=create_hit(mturk_client)["HITId"]) == []


def test_hit_and_assignment_together_must_agree(mturk_client, mturk_mock):
    assignment_id = _work(mturk_mock, mturk_client)
    other_hit = create_hit(mturk_client)["HITId"]
    parameter_error(
        lambda: mturk_client.list_bonus_payments(HITId=other_hit, AssignmentId=assignment_id),
        "AssignmentId",
        mturk_mock,
    )
    response = parameter_error(lambda: mturk_client.list_bonus_payments(), "HITId", mturk_mock)
    assert response["Error"]["Message"].startswith('The value "" is not valid for the parameter HITId.')


def test_unknown_and_foreign_hits_and_assignments_do_not_exist(mturk_client, mturk_mock):
    other = requester_client("AKIAOTHER")
    foreign_assignment = _work(mturk_mock, other)
    foreign_hit = other.get_assignment(AssignmentId=foreign_assignment)["HIT"]["HITId"]
    for hit_id in (foreign_hit, "3" * 30):
        request_error(
            lambda hit_id=hit_id: mturk_client.list_bonus_payments(HITId=hit_id),
            "HITDoesNotExist",
            f"Hit {hit_id} does not exist.",
        )
    for assignment_id in (foreign_assignment, "3" * 30):
        request_error(
            lambda assignment_id=assignment_id: mturk_client.list_bonus_payments(AssignmentId=assignment_id),
            "AssignmentDoesNotExist",
            f"Assignment {assignment_id} does not exist.",
        )
    parameter_error(lambda: mturk_client.list_bonus_payments(HITId="bad id"), "HITId", mturk_mock)


def test_bonuses_and_who_worked_for_whom_survive_a_state_file(mturk_client, mturk_mock, tmp_path):
    assignment_id = _work(mturk_mock, mturk_client)
    mturk_client.approve_assignment(AssignmentId=assignment_id)
    _bonus(mturk_client, assignment_id, "3", UniqueRequestToken="kept")
    before = _payments(mturk_client, AssignmentId=assignment_id)
    mturk_mock.save_state(tmp_path / "state.json")
    mturk_mock.reset()
    mturk_mock.load_state(tmp_path / "state.json")
    assert _payments(mturk_client, AssignmentId=assignment_id) == before
    request_error(lambda: _bonus(mturk_client, assignment_id, UniqueRequestToken="kept"), "DuplicateRequest", "")
    answer = mturk_client.notify_workers(Subject="s", MessageText="t", WorkerIds=[WORKER])
    assert answer["NotifyWorkersFailureStatuses"] == []


# -- NotifyWorkers -------------------------------------------------------------------------------------


def _failure(worker_id: str) -> dict:
    return {"NotifyWorkersFailureCode": "HardFailure", "NotifyWorkersFailureMessage": NOT_WORKED, "WorkerId": worker_id}


def _messages(mock) -> list[tuple]:
    return [
        (note.marketplace, note.worker_id, note.kind, note.type_id, note.subject, note.text)
        for note in mock.notifications
        if note.kind == "message"
    ]


def test_only_workers_whose_work_was_approved_or_rejected_are_notified(mturk_client, mturk_mock):
    approved, rejected, auto, waiting = "A1000000000001", "A1000000000002", "A1000000000003", "A1000000000004"
    mturk_client.approve_assignment(AssignmentId=_work(mturk_mock, mturk_client, approved))
    mturk_client.reject_assignment(AssignmentId=_work(mturk_mock, mturk_client, rejected), RequesterFeedback="no")
    _work(mturk_mock, mturk_client, auto, AutoApprovalDelayInSeconds=60)
    _work(mturk_mock, mturk_client, waiting, AutoApprovalDelayInSeconds=3600)
    mturk_mock.worker("A1000000000005").history(approved=500)  # past work, but not for this requester
    mturk_mock.clock.advance(60)
    ids = [waiting, approved, "A1000000000005", rejected, approved, waiting, auto, "A" * 64]
    answer = mturk_client.notify_workers(Subject="Thanks", MessageText="More HITs tomorrow", WorkerIds=ids)
    assert answer["NotifyWorkersFailureStatuses"] == [_failure(w) for w in (waiting, "A1000000000005", "A" * 64)]
    assert _messages(mturk_mock) == [
        ("sandbox", worker, "message", "", "Thanks", "More HITs tomorrow") for worker in (approved, rejected, auto)
    ]
    answer = mturk_client.notify_workers(Subject="Again", MessageText="", WorkerIds=[approved])
    assert answer["NotifyWorkersFailureStatuses"] == []  # present and empty when every worker was reached


def test_work_for_another_requester_or_marketplace_does_not_count(mturk_client, mturk_mock):
    other = requester_client("AKIAOTHER")
    other.approve_assignment(AssignmentId=_work(mturk_mock, other))
    production = requester_client("AKIAPRODUCTION", "production")
    production.approve_assignment(AssignmentId=_work(mturk_mock, production, OTHER, "production"))
    answer = mturk_client.notify_workers(Subject="s", MessageText="t", WorkerIds=[WORKER, OTHER])
    assert answer["NotifyWorkersFailureStatuses"] == [_failure(WORKER), _failure(OTHER)]
    assert other.notify_workers(Subject="s", MessageText="t", WorkerIds=[WORKER])["NotifyWorkersFailureStatuses"] == []
    assert _messages(mturk_mock) == [("sandbox", WORKER, "message", "", "s", "t")]


@pytest.mark.mturk_mock(known_workers="registered")
def test_unknown_workers_get_a_failure_status_not_an_error(mturk_client, mturk_mock):
    answer = mturk_client.notify_workers(Subject="s", MessageText="t", WorkerIds=["A9999999999999"])
    assert answer["NotifyWorkersFailureStatuses"] == [_failure("A9999999999999")]


def test_notify_workers_limits(mturk_client, mturk_mock):
    mturk_client.approve_assignment(AssignmentId=_work(mturk_mock, mturk_client))
    send = mturk_client.notify_workers
    send(Subject="s" * 200, MessageText="t" * 4096, WorkerIds=[WORKER] + [f"A{n:013d}" for n in range(99)])
    parameter_error(lambda: send(Subject="s" * 201, MessageText="t", WorkerIds=[WORKER]), "Subject", mturk_mock)
    parameter_error(lambda: send(Subject="s", MessageText="t" * 4097, WorkerIds=[WORKER]), "MessageText", mturk_mock)
    too_many = [f"A{n:013d}" for n in range(101)]
    parameter_error(lambda: send(Subject="s", MessageText="t", WorkerIds=too_many), "WorkerIds", mturk_mock)
    for bad in ("a1111111111111", "A" * 65, "A"):
        parameter_error(
            lambda bad=bad: send(Subject="s", MessageText="t", WorkerIds=[WORKER, bad]), "WorkerIds", mturk_mock
        )
    assert len(_messages(mturk_mock)) == 1  # a refused call notifies nobody


# -- GetFileUploadURL ----------------------------------------------------------------------------------


def _uploaded(mock, client, **answers) -> str:
    hit_id = create_hit(client, Question=UPLOAD_FORM, AutoApprovalDelayInSeconds=3600)["HITId"]
    working = mock.worker(WORKER).accept(hit_id)
    working.submit(answers or {"photo": FileUpload(b"\x89PNG\r\n")})
    return working.assignment_id


def _url(client, assignment_id: str, question: str = "photo") -> str:
    return client.get_file_upload_url(AssignmentId=assignment_id, QuestionIdentifier=question)["FileUploadURL"]


def test_a_file_url_gives_the_uploaded_file_for_60_seconds(mturk_client, mturk_mock):
    assignment_id = _uploaded(mturk_mock, mturk_client, photo=FileUpload(b"\x89PNG\r\n"), scan=FileUpload(b"%PDF"))
    url = _url(mturk_client, assignment_id)
    parts = urllib.parse.urlsplit(url)
    assert parts.scheme == "https" and parts.hostname.endswith(".invalid")  # never reaches the network
    assert mturk_mock.uploaded_file(url) == b"\x89PNG\r\n"
    assert mturk_mock.uploaded_file(_url(mturk_client, assignment_id, "scan")) == b"%PDF"
    mturk_mock.clock.advance(59.999)
    assert mturk_mock.uploaded_file(url) == b"\x89PNG\r\n"
    mturk_mock.clock.advance(0.001)
    with pytest.raises(LookupError, match="expired"):
        mturk_mock.uploaded_file(url)
    assert mturk_mock.uploaded_file(_url(mturk_client, assignment_id)) == b"\x89PNG\r\n"


def test_a_url_the_mock_did_not_issue_gives_nothing(mturk_client, mturk_mock):
    url = _url(mturk_client, _uploaded(mturk_mock, mturk_client))
    head, _, signature = url.rpartition("/")
    for forged in (head + "/" + "0" * len(signature), url.replace("cGhvdG8", "c2Nhbg"), "https://example.org/x"):
        with pytest.raises(LookupError, match="not a file URL"):
            mturk_mock.uploaded_file(forged)


def test_only_file_upload_questions_the_worker_answered_have_urls(mturk_client, mturk_mock):
    assignment_id = _uploaded(mturk_mock, mturk_client, photo=FileUpload(b"x"), note="hello")
    for question in ("scan", "note", "nothing"):  # not uploaded, free text, not in the form
        parameter_error(
            lambda question=question: _url(mturk_client, assignment_id, question), "QuestionIdentifier", mturk_mock
        )
    external = _work(mturk_mock, mturk_client)
    parameter_error(lambda: _url(mturk_client, external, "label"), "QuestionIdentifier", mturk_mock)


def test_unknown_foreign_and_unsubmitted_assignments_have_no_files(mturk_client, mturk_mock):
    other = requester_client("AKIAOTHER")
    foreign = _uploaded(mturk_mock, other)
    in_flight = mturk_mock.worker(OTHER).accept(create_hit(mturk_client, Question=UPLOAD_FORM)["HITId"])
    for assignment_id in (foreign, in_flight.assignment_id, "3" * 30):
        request_error(
            lambda assignment_id=assignment_id: _url(mturk_client, assignment_id),
            "AssignmentDoesNotExist",
            f"Assignment {assignment_id} does not exist.",
        )


def test_files_are_deleted_with_their_hit(mturk_client, mturk_mock):
    assignment_id = _uploaded(mturk_mock, mturk_client)
    url = _url(mturk_client, assignment_id)
    mturk_client.approve_assignment(AssignmentId=assignment_id)
    hit_id = mturk_client.get_assignment(AssignmentId=assignment_id)["HIT"]["HITId"]
    mturk_client.delete_hit(HITId=hit_id)
    with pytest.raises(LookupError, match="deleted with their HIT"):
        mturk_mock.uploaded_file(url)
    request_error(lambda: _url(mturk_client, assignment_id), "HITDoesNotExist", f"Hit {hit_id} does not exist.")


def _get(mock, client, transport: str, path: str) -> tuple[int, str, bytes]:
    """GET ``path`` from the server (the HTTP run) or from the WSGI application alone (in-process)."""
    if transport == "in-process":
        answer = MTurkApp(mock, "sandbox").respond("GET", path, {}, b"")
        return answer.status, dict(answer.headers)["Content-Type"], answer.body
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(client.meta.endpoint_url.rstrip("/") + path, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers["Content-Type"], error.read()


def test_the_server_answers_a_get_on_a_file_urls_path(mturk_client, mturk_mock, mturk_transport):
    url = _url(mturk_client, _uploaded(mturk_mock, mturk_client))
    path = urllib.parse.urlsplit(url).path
    assert _get(mturk_mock, mturk_client, mturk_transport, path) == (200, "application/octet-stream", b"\x89PNG\r\n")
    status, content_type, body = _get(mturk_mock, mturk_client, mturk_transport, path[:-1] + "x")
    assert (status, content_type, b"not a file URL" in body) == (404, "text/plain; charset=utf-8", True)
    mturk_mock.clock.advance(60)
    status, _, body = _get(mturk_mock, mturk_client, mturk_transport, path)
    assert (status, b"expired" in body) == (403, True)

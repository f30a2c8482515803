"""The worker simulation on the handle: the worker-side rules of spec 1.14 (issue 5)."""

from __future__ import annotations

import re

import pytest

from mturk_mock import WorkerError, build_answers

from .helpers import create_type
from .samples import ANSWER_KEY, TEST

RIGHT = {"sky": "blue", "primaries": ["r", "g"]}  # scores 70 with the spec's answer key


@pytest.fixture
def keyed(mturk_client) -> str:
    return create_type(
        mturk_client, "keyed", Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=600, RetryDelayInSeconds=3600
    )["QualificationTypeId"]


def test_workers_get_realistic_ids_or_the_one_given(mturk_mock):
    assert re.fullmatch(r"A[A-Z0-9]{13}", mturk_mock.worker().worker_id)
    assert mturk_mock.worker("A1B2C3D4E5F6G7").worker_id == "A1B2C3D4E5F6G7"
    with pytest.raises(ValueError, match="not a worker ID"):
        mturk_mock.worker("worker-1")


def test_a_test_with_an_answer_key_is_scored_and_granted_at_once(mturk_client, mturk_mock, keyed):
    worker = mturk_mock.worker()
    outcome = worker.request_qualification(keyed, answers=RIGHT)
    assert (outcome.status, outcome.value) == ("Granted", 70)
    assert [(q.type_id, q.value, q.status) for q in worker.qualifications] == [(keyed, 70, "Granted")]
    assert mturk_client.list_qualification_requests()["NumResults"] == 0


@pytest.mark.parametrize(
    "answers, value",
    [
        ({"sky": "blue", "primaries": ["r", "g", "b", "y"]}, 40),
        ({"sky": "blue"}, 40),
        ({"sky": "blue", "primaries": ["b", "g", "r"]}, 100),
        ({}, -10),
    ],
)
def test_scores_follow_the_answer_key(mturk_mock, keyed, answers, value):
    assert mturk_mock.worker().request_qualification(keyed, answers=answers).value == value


def test_answers_may_be_given_as_xml(mturk_mock, keyed):
    assert mturk_mock.worker().request_qualification(keyed, answers=build_answers(RIGHT)).value == 70


def test_a_test_without_an_answer_key_waits_for_the_owner(mturk_client, mturk_mock):
    type_id = create_type(mturk_client, Test=TEST, TestDurationInSeconds=60)["QualificationTypeId"]
    worker = mturk_mock.worker()
    outcome = worker.request_qualification(type_id, answers=RIGHT)
    assert (outcome.status, outcome.value) == ("Pending", None)
    (listed,) = mturk_client.list_qualification_requests()["QualificationRequests"]
    assert (listed["QualificationRequestId"], listed["Test"]) == (outcome.request_id, TEST)
    mturk_client.accept_qualification_request(QualificationRequestId=outcome.request_id, IntegerValue=88)
    assert worker.qualification(type_id).value == 88


def test_auto_granted_types_grant_at_once_and_are_never_listed(mturk_client, mturk_mock):
    type_id = create_type(mturk_client, AutoGranted=True, AutoGrantedValue=5)["QualificationTypeId"]
    outcome = mturk_mock.worker().request_qualification(type_id)
    assert (outcome.status, outcome.value) == ("Granted", 5)
    assert mturk_client.list_qualification_requests()["NumResults"] == 0


def test_inactive_system_and_unknown_types_cannot_be_requested(mturk_client, mturk_mock):
    inactive = create_type(mturk_client, QualificationTypeStatus="Inactive")["QualificationTypeId"]
    worker = mturk_mock.worker()
    with pytest.raises(WorkerError, match="Inactive"):
        worker.request_qualification(inactive)
    with pytest.raises(WorkerError, match="system qualification"):
        worker.request_qualification("2ARFPLSP75KLA8M8DH1HTEQVJT3SY6")
    with pytest.raises(WorkerError, match="does not exist"):
        worker.request_qualification("3" * 30)


def test_without_a_retry_delay_a_worker_requests_once_ever(mturk_client, mturk_mock):
    type_id = create_type(mturk_client)["QualificationTypeId"]
    worker = mturk_mock.worker()
    request_id = worker.request_qualification(type_id).request_id
    with pytest.raises(WorkerError, match="open request"):
        worker.request_qualification(type_id)
    mturk_client.reject_qualification_request(QualificationRequestId=request_id)
    mturk_mock.clock.advance(days=365)
    with pytest.raises(WorkerError, match="does not allow retakes"):
        worker.request_qualification(type_id)


def test_retries_follow_the_retry_delay_on_the_handle_clock(mturk_mock, keyed):
    worker = mturk_mock.worker()
    mturk_mock.clock.freeze()
    assert worker.request_qualification(keyed, answers={"sky": "green"}).value == -10
    mturk_mock.clock.advance(3599)
    with pytest.raises(WorkerError, match="must wait 1 more seconds"):
        worker.request_qualification(keyed, answers=RIGHT)
    mturk_mock.clock.advance(1)
    assert worker.request_qualification(keyed, answers=RIGHT).value == 70  # a retake improves the score
    assert worker.qualification(keyed).value == 70


def test_a_test_must_be_submitted_within_its_duration(mturk_mock, keyed):
    worker = mturk_mock.worker()
    mturk_mock.clock.freeze()
    attempt = worker.start_test(keyed)
    assert attempt.test == TEST and (attempt.deadline - attempt.started_at).total_seconds() == 600
    mturk_mock.clock.advance(601)
    with pytest.raises(WorkerError, match="within 600 seconds"):
        attempt.submit(RIGHT)
    assert worker.qualifications == []
    on_time = mturk_mock.worker().start_test(keyed)
    mturk_mock.clock.advance(600)
    assert on_time.submit(RIGHT).value == 70
    with pytest.raises(WorkerError, match="only be submitted once"):
        on_time.submit(RIGHT)


def test_asking_wrongly_is_explained(mturk_client, mturk_mock, keyed):
    plain = create_type(mturk_client, "plain")["QualificationTypeId"]
    worker = mturk_mock.worker()
    with pytest.raises(WorkerError, match="has a test"):
        worker.request_qualification(keyed)
    with pytest.raises(WorkerError, match="has no test"):
        worker.request_qualification(plain, answers=RIGHT)
    with pytest.raises(WorkerError, match="has no test"):
        worker.start_test(plain)
    with pytest.raises(ValueError, match="question 'colour' is not in the QuestionForm"):
        worker.request_qualification(keyed, answers={"colour": "blue"})
    assert worker.request_qualification(keyed, answers=RIGHT).value == 70  # the bad try left nothing open
    with pytest.raises(WorkerError, match="not valid QuestionFormAnswers"):
        mturk_mock.worker().request_qualification(keyed, answers="<nonsense/>")


def test_deleting_a_type_rejects_open_requests_and_started_tests(mturk_client, mturk_mock, keyed):
    attempt = mturk_mock.worker().start_test(keyed)
    mturk_client.delete_qualification_type(QualificationTypeId=keyed)
    with pytest.raises(WorkerError):
        attempt.submit(RIGHT)


def test_parsed_test_is_reused_for_every_submission(mturk_mock, keyed, monkeypatch):
    from mturk_mock.model import xml

    calls = []
    original = xml.parse_question_form
    monkeypatch.setattr(
        xml, "parse_question_form", lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs)
    )
    for _ in range(50):
        assert mturk_mock.worker().request_qualification(keyed, answers=RIGHT).value == 70
    assert calls == []

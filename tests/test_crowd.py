"""A crowd of simulated workers over the clock (issue 13, requirement 7): reproducible under its seed,
its rates honoured, the marketplace's rules kept (requirements, blocks, one assignment per worker and
HIT), abandonment through the schedule, qualification tests taken and scored, other threads answered."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest

from mturk_mock import Choice, MTurkMock, MTurkServer, WorkerProfile, mock_mturk
from mturk_mock.model.xml import parse_answers

from .helpers import HIT_TYPE, create_hit, create_hit_type, create_type, requester_client
from .samples import ANSWER_KEY, EXTERNAL_QUESTION, HIT_QUESTION_FORM, TEST
from .test_notification_settings import EVERY_EVENT, spec

START = 1_800_000_000
LOCALE = "00000000000000000071"


@pytest.fixture(autouse=True)
def _frozen(mturk_mock):
    mturk_mock.clock.freeze(START)


def _publish(client, hits: int, per_hit: int, **extra) -> list[str]:
    params = {**HIT_TYPE, "LifetimeInSeconds": 86400, "MaxAssignments": per_hit, "Question": EXTERNAL_QUESTION}
    return [client.create_hit(**{**params, **extra})["HIT"]["HITId"] for _ in range(hits)]


def _assignments(client, hit_ids: list[str]) -> list[dict]:
    paginator = client.get_paginator("list_assignments_for_hit")
    return [
        assignment
        for hit_id in hit_ids
        for page in paginator.paginate(HITId=hit_id, PaginationConfig={"PageSize": 100})
        for assignment in page["Assignments"]
    ]


def _answer(assignment: dict, question: str = "label") -> tuple[str, ...]:
    answer = parse_answers(assignment["Answer"])[question]
    return answer.selection_ids or (answer.free_text,)


def _events(mturk, event_type: str, marketplace: str = "sandbox") -> list:
    return mturk.world.marketplace(marketplace).events.of_type(event_type)


# -- reproducibility --------------------------------------------------------------------------------


def _seeded_run(crowd_seed: int, split: bool = False) -> tuple[str, list[tuple]]:
    with mock_mturk(seed=11, record_calls=False) as mturk:
        mturk.clock.freeze(START)
        client = requester_client("AKIAREPRO")
        hit_ids = _publish(client, 6, 5)
        crowd = mturk.crowd(
            25,
            seed=crowd_seed,
            return_rate=0.2,
            abandon_rate=0.1,
            think_time=(60, 900),
            answers={"label": Choice({"cat": 2, "dog": 1})},
        )
        if split:
            crowd.run(hours=1)
            crowd.run(minutes=30)
            crowd.run(minutes=30)
        else:
            crowd.run(hours=2)
        seen = [
            (a["WorkerId"], a["HITId"], a["AcceptTime"], a["SubmitTime"], a["Answer"])
            for a in _assignments(client, hit_ids)
        ]
        return str(crowd.summary), seen


def test_a_run_is_reproducible_under_its_seed_and_runs_continue_where_they_stopped():
    first = _seeded_run(5)
    assert first[1] and "returned" in first[0]
    assert _seeded_run(5) == first
    assert _seeded_run(5, split=True)[1] == first[1]
    assert _seeded_run(6)[1] != first[1]


def test_worker_ids_and_profiles_come_from_the_seed(mturk_mock):
    profiles = Choice({WorkerProfile(country="US"): 3, WorkerProfile(country="IN", approved=200): 1})
    one = mturk_mock.crowd(50, seed=3, profile=profiles)
    two = mturk_mock.crowd(50, seed=3, profile=profiles)
    assert [w.worker_id for w in one.workers] == [w.worker_id for w in two.workers]
    assert all(w.worker_id.startswith("A") and len(w.worker_id) == 14 for w in one.workers)
    countries = Counter(w.profile.country for w in one.workers)
    assert 25 <= countries["US"] <= 45 and countries["US"] + countries["IN"] == 50
    market = mturk_mock.world.marketplace("sandbox")
    indian = next(w for w in one.workers if w.profile.country == "IN")
    assert market.workers.profile(indian.worker_id).past_approved == 200
    assert indian.worker_id in market.workers.registered


# -- rates ----------------------------------------------------------------------------------------


def test_return_and_abandonment_rates_answers_and_think_times_are_honoured(mturk_client, mturk_mock):
    hit_ids = _publish(mturk_client, 60, 9)
    crowd = mturk_mock.crowd(
        300,
        seed=1,
        return_rate=0.2,
        abandon_rate=0.1,
        assignments_per_worker=1,
        think_time=(60, 300),
        answers={"label": Choice({"cat": 3, "dog": 1})},
    )
    summary = crowd.run(hours=3)
    assert summary.submitted == 300 and summary.finished == 300 and summary.late == 0
    assert summary.accepted == summary.submitted + summary.returned + summary.abandoned
    assert 0.14 <= summary.returned / summary.accepted <= 0.26, summary
    assert 0.05 <= summary.abandoned / summary.accepted <= 0.15, summary
    assert len(_events(mturk_mock, "AssignmentReturned")) == summary.returned
    assert len(_events(mturk_mock, "AssignmentAbandoned")) == summary.abandoned
    done = _assignments(mturk_client, hit_ids)
    assert len(done) == 300 and {a["AssignmentStatus"] for a in done} == {"Submitted"}
    answers = Counter(_answer(a) for a in done)
    assert 0.68 <= answers[("cat",)] / 300 <= 0.82, answers
    assert all(60 <= (a["SubmitTime"] - a["AcceptTime"]).total_seconds() <= 300 for a in done)
    assert sum(w.submitted for w in crowd.workers) == 300 and crowd.summary.accepted == summary.accepted


def test_arrivals_spread_over_time_and_workers_keep_working_until_their_quota(mturk_client, mturk_mock):
    hit_ids = _publish(mturk_client, 10, 10)
    crowd = mturk_mock.crowd(20, seed=4, arrival=(0, 3600), think_time=60, assignments_per_worker=3)
    summary = crowd.run(hours=2)
    assert summary.submitted == 60 and summary.finished == 20
    accepted = sorted(a["AcceptTime"].timestamp() - START for a in _assignments(mturk_client, hit_ids))
    assert accepted[0] < 900 and accepted[-1] > 2700  # spread over the hour, not all at the start
    assert Counter(w.submitted for w in crowd.workers) == {3: 20}


# -- the marketplace's rules ------------------------------------------------------------------------


def test_a_crowd_only_works_hits_its_members_qualify_for(mturk_client, mturk_mock):
    qual = create_type(mturk_client)["QualificationTypeId"]
    requirements = [
        {"QualificationTypeId": qual, "Comparator": "Exists"},
        {"QualificationTypeId": LOCALE, "Comparator": "EqualTo", "LocaleValues": [{"Country": "US"}]},
    ]
    guarded = _publish(mturk_client, 10, 10, QualificationRequirements=requirements)
    open_hits = _publish(mturk_client, 2, 5, Title="Open to all")
    profiles = Choice({WorkerProfile(country="US"): 1, WorkerProfile(country="IN"): 1})
    crowd = mturk_mock.crowd(80, seed=8, profile=profiles, think_time=(30, 120))
    holders = {w.worker_id for w in crowd.workers[::2]}
    mturk_mock.grant_qualifications(qual, dict.fromkeys(holders, 1))
    blocked = next(w.worker_id for w in crowd.workers if w.worker_id in holders and w.profile.country == "US")
    mturk_client.create_worker_block(WorkerId=blocked, Reason="spam")
    summary = crowd.run(hours=2)
    country = {w.worker_id: w.profile.country for w in crowd.workers}
    done = _assignments(mturk_client, guarded)
    assert done and all(a["WorkerId"] in holders and country[a["WorkerId"]] == "US" for a in done)
    everything = done + _assignments(mturk_client, open_hits)
    assert blocked not in {a["WorkerId"] for a in everything}
    pairs = Counter((a["WorkerId"], a["HITId"]) for a in everything)
    assert max(pairs.values()) == 1  # one assignment per worker and HIT
    eligible = {w for w in holders if country[w] == "US"} - {blocked}
    assert {a["WorkerId"] for a in done} == eligible  # every eligible worker found the work
    # Workers without the qualification asked for it (it has no test: the requests wait for the owner).
    requests = mturk_client.list_qualification_requests(QualificationTypeId=qual, MaxResults=100)
    asked = {r["WorkerId"] for r in requests["QualificationRequests"]}
    assert asked and not asked & holders and len(asked) == summary.qualification_requests


def test_requirements_guarding_discovery_hide_the_test(mturk_client, mturk_mock):
    qual = create_type(mturk_client, Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=600)
    type_id = qual["QualificationTypeId"]
    hidden = {"QualificationTypeId": type_id, "Comparator": "Exists", "ActionsGuarded": "DiscoverPreviewAndAccept"}
    _publish(mturk_client, 3, 3, QualificationRequirements=[hidden])
    summary = mturk_mock.crowd(30, seed=2).run(hours=1)
    assert (summary.accepted, summary.qualification_requests) == (0, 0)
    assert summary.idle == 30


def test_qualification_tests_are_taken_and_scored(mturk_client, mturk_mock):
    qual = create_type(mturk_client, Test=TEST, AnswerKey=ANSWER_KEY, TestDurationInSeconds=600)
    type_id = qual["QualificationTypeId"]
    requirement = {"QualificationTypeId": type_id, "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [80]}
    hit_ids = _publish(mturk_client, 20, 10, QualificationRequirements=[requirement])
    crowd = mturk_mock.crowd(200, seed=5, test_success=0.7, assignments_per_worker=1, think_time=(30, 300))
    summary = crowd.run(hours=2)
    assert summary.qualification_requests == summary.tests_taken == 200
    assert 0.6 <= summary.tests_passed / 200 <= 0.8, summary
    pages = mturk_client.get_paginator("list_workers_with_qualification_type").paginate(QualificationTypeId=type_id)
    scores = {q["WorkerId"]: q["IntegerValue"] for page in pages for q in page["Qualifications"]}
    assert len(scores) == 200 and set(scores.values()) <= {100, -10, 20}  # best answers, or poor ones
    passed = {worker for worker, score in scores.items() if score >= 80}
    assert len(passed) == summary.tests_passed
    workers = {a["WorkerId"] for a in _assignments(mturk_client, hit_ids)}
    assert workers == passed and summary.submitted == len(passed)
    assert crowd.workers[0].simulated.qualification(type_id) is not None
    assert not mturk_client.list_qualification_requests(MaxResults=100)["QualificationRequests"]  # all scored


def test_workers_may_decline_tests_and_answer_them_their_own_way(mturk_client, mturk_mock):
    qual = create_type(mturk_client, Test=TEST, TestDurationInSeconds=600)  # no key: the owner decides
    type_id = qual["QualificationTypeId"]
    _publish(mturk_client, 2, 5, QualificationRequirements=[{"QualificationTypeId": type_id, "Comparator": "Exists"}])

    def answers(test, worker, passing):
        assert test.type_id == type_id and test.form.questions[0].identifier == "sky"
        return {"sky": "blue" if passing else "green", "primaries": ["r", "g", "b"]}

    summary = mturk_mock.crowd(100, seed=6, takes_tests=0.5, test_success=1.0, test_answers=answers).run(hours=1)
    assert 35 <= summary.qualification_requests <= 65 and summary.tests_taken == summary.qualification_requests
    assert summary.tests_passed == 0 and summary.accepted == 0  # nothing is granted before the owner decides
    pending = mturk_client.list_qualification_requests(QualificationTypeId=type_id, MaxResults=100)
    requests = pending["QualificationRequests"]
    assert len(requests) == summary.qualification_requests
    assert all("<SelectionIdentifier>blue</SelectionIdentifier>" in r["Answer"] for r in requests)


# -- the clock --------------------------------------------------------------------------------------


def test_abandonment_happens_through_the_clock(mturk_client, mturk_mock):
    (hit_id,) = _publish(mturk_client, 1, 3, LifetimeInSeconds=500)  # expires before the 600 s deadlines
    crowd = mturk_mock.crowd(3, seed=1, abandon_rate=1.0)
    summary = crowd.run(minutes=9)
    assert (summary.accepted, summary.abandoned, summary.working) == (3, 0, 3)
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["NumberOfAssignmentsPending"]) == ("Unassignable", 3)
    summary = crowd.run(minutes=2)
    assert (summary.abandoned, summary.working, summary.idle) == (3, 0, 3)
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["NumberOfAssignmentsPending"], hit["NumberOfAssignmentsAvailable"]) == (
        "Reviewable",
        0,
        3,
    )
    abandoned = _events(mturk_mock, "AssignmentAbandoned")
    assert [event.timestamp for event in abandoned] == [START + 600] * 3


def test_submissions_after_the_deadline_are_late_and_abandoned(mturk_client, mturk_mock):
    _publish(mturk_client, 1, 2)
    summary = mturk_mock.crowd(2, seed=1, think_time=900, assignments_per_worker=1).run(minutes=16)
    assert (summary.accepted, summary.submitted, summary.abandoned, summary.late) == (4, 0, 2, 2)


@pytest.mark.mturk_mock(marketplace="production")
def test_auto_approval_pays_the_crowds_work(mturk_client, mturk_mock):
    _publish(mturk_client, 4, 5, AutoApprovalDelayInSeconds=3600)
    summary = mturk_mock.crowd(20, seed=2, assignments_per_worker=1, think_time=60).run(hours=3)
    assert summary.submitted == 20
    ledger = mturk_mock.world.marketplace("production").ledger
    assert ledger.paid("<default>") == 20 * Decimal("0.30")
    balance = mturk_client.get_account_balance()
    assert Decimal(balance["AvailableBalance"]) == Decimal("10000.00") - 20 * Decimal("0.30")
    assert "OnHoldBalance" not in balance or Decimal(balance["OnHoldBalance"]) == 0


# -- answers --------------------------------------------------------------------------------------


def test_made_up_answers_fit_a_question_form_and_functions_see_the_task(mturk_client, mturk_mock):
    form_hits = _publish(mturk_client, 3, 4, Question=HIT_QUESTION_FORM)
    summary = mturk_mock.crowd(12, seed=3, think_time=60).run(hours=1)
    assert summary.submitted == 12 and not summary.refusals
    for assignment in _assignments(mturk_client, form_hits):
        primaries = parse_answers(assignment["Answer"])["primaries"].selection_ids
        assert 1 <= len(primaries) <= 4

    more = _publish(mturk_client, 2, 5, Question=HIT_QUESTION_FORM)
    seen = []

    def answers(task, worker):
        seen.append((task.kind, task.title, worker.traits["careful"]))
        if worker.traits["careful"]:
            return {"sky": "blue", "primaries": (selection for selection in "rgb")}  # read once
        return {"sky": "purple"}  # not a selection of the form: refused, and the worker gives the HIT back

    careful = [WorkerProfile(traits={"careful": index % 2 == 0}) for index in range(10)]
    crowd = mturk_mock.crowd(10, seed=4, profile=careful, answers=answers, think_time=60, assignments_per_worker=1)
    summary = crowd.run(hours=1)
    assert seen and {kind for kind, _title, _careful in seen} == {"QuestionForm"}
    assert summary.submitted == 5 and summary.returned == summary.accepted - 5
    assert list(summary.refusals) == ["Your answers cannot be submitted: question 'sky' has no selection 'purple'"]
    done = _assignments(mturk_client, more)
    assert {_answer(a, "primaries") for a in done} == {("r", "g", "b")}


def test_a_choice_of_whole_answers_and_of_durations(mturk_client, mturk_mock):
    hit_ids = _publish(mturk_client, 5, 8)
    crowd = mturk_mock.crowd(
        40,
        seed=9,
        answers=Choice([{"label": "cat", "sure": "yes"}, {"label": "dog"}], weights=[1, 1]),
        think_time=Choice({60: 1, 120: 1}),
        assignments_per_worker=1,
    )
    crowd.run(hours=1)
    done = _assignments(mturk_client, hit_ids)
    kinds = Counter(len(parse_answers(a["Answer"])) for a in done)
    assert kinds[2] and kinds[1] and kinds[1] + kinds[2] == 40
    assert {(a["SubmitTime"] - a["AcceptTime"]).total_seconds() for a in done} == {60, 120}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"return_rate": 1.5}, "return_rate"),
        ({"return_rate": 0.6, "abandon_rate": 0.6}, "at most 1"),
        ({"think_time": (10, 5)}, "think_time"),
        ({"think_time": -1}, "think_time"),
        ({"arrival": lambda task, worker: 1.0}, "arrival"),
        ({"assignments_per_worker": 0}, "assignments_per_worker"),
        ({"search_interval": 0}, "search_interval"),
        ({"profile": [WorkerProfile()]}, "1 profiles given for 3 workers"),
        ({"answers": 42}, "answers"),
    ],
)
def test_options_are_checked(mturk_mock, options, message):
    with pytest.raises((ValueError, TypeError), match=message):
        mturk_mock.crowd(3, **options)


def test_choices_and_profiles_are_checked():
    with pytest.raises(ValueError):
        Choice({})
    with pytest.raises(ValueError):
        Choice({"a": -1, "b": 2})
    with pytest.raises(ValueError):
        Choice({"a": 0})
    with pytest.raises(ValueError, match="country"):
        WorkerProfile(country="usa")
    with pytest.raises(ValueError, match="approved"):
        WorkerProfile(approved=-1)


# -- threads --------------------------------------------------------------------------------------


def test_other_threads_are_answered_while_a_crowd_runs(mturk_client, mturk_mock):
    _publish(mturk_client, 100, 40)
    crowd = mturk_mock.crowd(4000, seed=1, think_time=(30, 300), assignments_per_worker=1)
    client = requester_client("AKIAOTHERTHREAD")
    client.get_account_balance()  # a client's first call loads its models: not what is measured
    running, answered = threading.Event(), []

    def requester() -> None:
        running.wait()
        while running.is_set():
            started = time.perf_counter()
            client.get_account_balance()
            answered.append((started, time.perf_counter() - started))

    thread = threading.Thread(target=requester)
    thread.start()
    running.set()
    began = time.perf_counter()
    summary = crowd.run(hours=1)
    ended = time.perf_counter()
    running.clear()
    thread.join()
    assert summary.submitted == 4000
    during = [took for started, took in answered if started + took < ended]
    assert len(during) >= 3, (len(during), ended - began)  # answered during the run, not only after it
    # Liveness, not speed: no call waits for most of the run (a loaded CI machine delays threads by 0.25 s).
    assert max(during) < max(0.5, (ended - began) / 2), (max(during), ended - began)


def test_an_http_server_on_the_same_state_keeps_answering_while_a_crowd_runs():
    handle = MTurkMock(seed=2, record_calls=False)
    handle.clock.freeze(START)
    with MTurkServer(handle, port=0) as server:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=30)

        def call(operation: str, request: dict) -> dict:
            headers = {"X-Amz-Target": "MTurkRequesterServiceV20170117." + operation}
            connection.request("POST", "/", json.dumps(request).encode(), headers)
            response = connection.getresponse()
            body = json.loads(response.read())
            assert response.status == 200, body
            return body

        hit = {**HIT_TYPE, "LifetimeInSeconds": 86400, "MaxAssignments": 40, "Question": EXTERNAL_QUESTION}
        hit_ids = [call("CreateHIT", hit)["HIT"]["HITId"] for _ in range(100)]
        crowd = handle.crowd(4000, seed=1, think_time=(30, 300), assignments_per_worker=1)
        result: list = []
        runner = threading.Thread(target=lambda: result.append(crowd.run(hours=1)))
        began = time.perf_counter()
        runner.start()
        answered = []
        while runner.is_alive():
            started = time.perf_counter()
            pending = call("GetHIT", {"HITId": hit_ids[0]})["HIT"]["NumberOfAssignmentsPending"]
            answered.append((time.perf_counter() - started, pending))
        runner.join()
        took = time.perf_counter() - began
        connection.close()
    assert result[0].submitted == 4000
    assert len(answered) >= 3, (len(answered), took)
    # never held off for the run (a loaded machine may stall one answer a little)
    assert max(latency for latency, _ in answered) < max(0.5, took / 2), (answered, took)
    assert any(pending for _, pending in answered)  # seen while the crowd was at work


def test_a_run_ends_at_an_instant_and_leaves_a_running_clock_running(mturk_client, mturk_mock):
    _publish(mturk_client, 1, 2)
    crowd = mturk_mock.crowd(2, seed=1, think_time=60)
    end = dt.datetime.fromtimestamp(START + 3600, dt.timezone.utc)
    summary = crowd.run(until=end)
    assert (summary.started, summary.ended, summary.submitted) == (
        dt.datetime.fromtimestamp(START, dt.timezone.utc),
        end,
        2,
    )
    assert mturk_mock.clock.now() == START + 3600 and mturk_mock.clock.frozen
    with pytest.raises(ValueError, match="naive"):
        crowd.run(until=dt.datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="back in time"):
        crowd.run(until=START)
    mturk_mock.clock.unfreeze()
    crowd.run(hours=1)
    assert not mturk_mock.clock.frozen and mturk_mock.clock.now() >= START + 7200


def test_a_crowd_does_not_outlive_its_marketplace(mturk_client, mturk_mock):
    _publish(mturk_client, 1, 2)
    crowd = mturk_mock.crowd(2, seed=1)
    crowd.run(minutes=1)
    mturk_mock.reset()
    with pytest.raises(RuntimeError, match="make a new crowd"):
        crowd.run(minutes=1)


def test_the_crowds_work_is_notified_as_a_single_workers_is(mturk_client, mturk_mock):
    hit_type = create_hit_type(mturk_client, AssignmentDurationInSeconds=600)
    mturk_client.update_notification_settings(HITTypeId=hit_type, Notification=spec(events=EVERY_EVENT), Active=True)
    for _ in range(4):
        create_hit(mturk_client, hit_type, MaxAssignments=3, LifetimeInSeconds=1800)
    summary = mturk_mock.crowd(8, seed=3, return_rate=0.2, abandon_rate=0.4, think_time=(60, 300)).run(hours=1)
    sent = Counter(message.event_type for message in mturk_mock.events)
    assert sent["AssignmentAccepted"] == summary.accepted
    assert sent["AssignmentSubmitted"] == summary.submitted
    assert sent["AssignmentReturned"] == summary.returned
    assert sent["AssignmentAbandoned"] == summary.abandoned > 0
    assert sent["HITExpired"] == 4  # at 30 minutes, on the way through the run


def test_the_summary_gives_the_end_date_when_a_run_ends_on_another_day(mturk_mock):
    mturk_mock.clock.freeze(dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.timezone.utc))
    overnight = mturk_mock.crowd(1, seed=1)
    overnight.run(hours=2)
    assert "1 workers, 2026-12-01 23:00:00 to 2026-12-02 01:00:00:" in str(overnight.summary)
    same_day = mturk_mock.crowd(1, seed=1)
    same_day.run(minutes=30)
    assert "1 workers, 2026-12-02 01:00:00 to 01:30:00:" in str(same_day.summary)

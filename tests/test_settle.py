"""Time-driven transitions (issue 11, requirement 4): one settle step applies what fell due, in order,
ignoring entries that went stale, before anything reads state and when a test moves the clock (so the
notifications of clock-driven events go out at once); advancing the clock costs the transitions due,
never the size of the state."""

from __future__ import annotations

import collections

import pytest

from mturk_mock import WorkerError
from mturk_mock.constants import DEFAULT_REQUESTER
from mturk_mock.model.hits import hits as hit_store
from mturk_mock.model.hits import workflow as hit_workflow
from mturk_mock.model.qualifications import requests as request_store
from mturk_mock.model.qualifications import types as type_store
from mturk_mock.model.qualifications import workflow
from mturk_mock.model.schedule import FIRST, HIT_EXPIRY, Schedule

from .helpers import create_hit_type, create_type, request_error
from .samples import EXTERNAL_QUESTION, TEST

START = 1_800_000_000.0
YEAR = 365 * 24 * 3600
DAY = 24 * 3600


@pytest.fixture
def frozen(mturk_mock):
    mturk_mock.clock.freeze(START)
    return mturk_mock


def _market(mock):
    return mock.world.marketplace("sandbox")


def _settle_through_a_call(client) -> None:
    client.get_account_balance()  # any operation settles first


def _counting(schedule: Schedule, kind: str) -> collections.Counter:
    """Wrap the handler of ``kind``: counts its calls (key -> count)."""
    calls: collections.Counter = collections.Counter()
    original = schedule._handlers[kind]

    def counted(key: str, due: float) -> None:
        calls[key] += 1
        original(key, due)

    schedule.on(kind, counted)
    return calls


# -- the schedule itself -------------------------------------------------------------------------------


def test_settle_applies_due_entries_in_time_order_then_rank_then_insertion():
    schedule = Schedule()
    applied: list[tuple[str, str, float]] = []
    schedule.on("a", lambda key, due: applied.append(("a", key, due)))
    schedule.on("b", lambda key, due: applied.append(("b", key, due)))
    schedule.add(30, "a", "late")
    schedule.add(10, "b", "expiry", HIT_EXPIRY)
    schedule.add(10, "a", "first-ranked", FIRST)
    schedule.add(20, "b", "middle")
    schedule.add(10, "a", "first-ranked, added later", FIRST)
    schedule.add(40, "a", "not due")
    assert schedule.next_due() == 10
    schedule.settle(5)
    assert applied == []
    schedule.settle(30)  # due exactly now counts
    assert applied == [
        ("a", "first-ranked", 10),
        ("a", "first-ranked, added later", 10),
        ("b", "expiry", 10),
        ("b", "middle", 20),
        ("a", "late", 30),
    ]
    assert schedule.next_due() == 40 and len(schedule) == 1
    schedule.settle(30)
    assert len(applied) == 5  # nothing is applied twice
    schedule.settle(1e12)
    assert applied[-1] == ("a", "not due", 40) and schedule.next_due() == float("inf")


def test_a_kind_without_a_handler_is_refused():
    with pytest.raises(KeyError, match="no handler"):
        Schedule().add(1, "unknown", "key")


def test_a_handler_that_schedules_during_settle_is_applied_in_the_same_settle_if_due():
    schedule = Schedule()
    applied: list[str] = []

    def chain(key: str, due: float) -> None:
        applied.append(key)
        if len(key) < 4:
            schedule.add(due + 1, "chain", key + "+")

    schedule.on("chain", chain)
    schedule.add(1, "chain", "x")
    schedule.settle(3)
    assert applied == ["x", "x+", "x++"] and schedule.next_due() == 4


# -- through the marketplace ----------------------------------------------------------------------


def test_transitions_are_applied_in_time_order_when_the_clock_moves(mturk_client, frozen):
    """Tests started in one order with deadlines in another expire in deadline order, as the clock is
    moved past them."""
    type_ids = {
        duration: create_type(mturk_client, f"test {duration}", Test=TEST, TestDurationInSeconds=duration)[
            "QualificationTypeId"
        ]
        for duration in (300, 100, 200)
    }
    market = _market(frozen)
    order: list[float] = []
    original = market.schedule._handlers[request_store.TEST_DEADLINE]
    market.schedule.on(request_store.TEST_DEADLINE, lambda key, due: (order.append(due), original(key, due)))
    attempts = [frozen.worker().start_test(type_id) for type_id in type_ids.values()]
    requests = [market.requests.by_id[attempt.request_id] for attempt in attempts]
    frozen.clock.advance(150)
    assert [request.status for request in requests] == ["Started", "Expired", "Started"]
    frozen.clock.advance(850)
    assert [request.status for request in requests] == ["Expired"] * 3
    assert order == sorted(order) and [round(due - START) for due in order] == [100, 200, 300]


def test_a_started_test_expires_through_settle_and_the_worker_may_retake_when_the_delay_allows(mturk_client, frozen):
    type_id = create_type(mturk_client, "timed", Test=TEST, TestDurationInSeconds=60, RetryDelayInSeconds=120)[
        "QualificationTypeId"
    ]
    worker = frozen.worker()
    attempt = worker.start_test(type_id)
    request = _market(frozen).requests.by_id[attempt.request_id]
    frozen.clock.advance(60)  # until the end of its last second the test may still be submitted
    _settle_through_a_call(mturk_client)
    assert request.status == "Started"
    frozen.clock.advance(0.001)
    assert request.status == "Expired"
    with pytest.raises(WorkerError, match="within 60 seconds"):
        attempt.submit({"sky": "blue"})
    with pytest.raises(WorkerError, match="must wait"):
        worker.start_test(type_id)  # expired, but the retry delay runs from the start of the test
    frozen.clock.advance(60)
    retake = worker.start_test(type_id)
    assert retake.request_id != attempt.request_id
    assert retake.submit({"sky": "blue"}).status == "Pending"


def test_a_test_without_a_retry_delay_cannot_be_retaken_after_it_expires(mturk_client, frozen):
    type_id = create_type(mturk_client, "once", Test=TEST, TestDurationInSeconds=60)["QualificationTypeId"]
    worker = frozen.worker()
    worker.start_test(type_id)
    frozen.clock.advance(YEAR)
    with pytest.raises(WorkerError, match="does not allow retakes"):
        worker.start_test(type_id)


def test_a_submitted_test_leaves_a_stale_deadline_that_is_ignored(mturk_client, frozen):
    type_id = create_type(mturk_client, "manual test", Test=TEST, TestDurationInSeconds=60)["QualificationTypeId"]
    market = _market(frozen)
    calls = _counting(market.schedule, request_store.TEST_DEADLINE)
    attempt = frozen.worker().start_test(type_id)
    attempt.submit({"sky": "blue"})
    frozen.clock.advance(3600)
    listed = mturk_client.list_qualification_requests()["QualificationRequests"]
    assert [request["QualificationRequestId"] for request in listed] == [attempt.request_id]
    assert calls == {attempt.request_id: 1}  # the entry came due and was ignored
    assert market.requests.by_id[attempt.request_id].status == "Pending"


def test_a_retry_delay_ends_through_settle(mturk_client, frozen):
    type_id = create_type(mturk_client, "delayed", RetryDelayInSeconds=100)["QualificationTypeId"]
    worker = frozen.worker()
    request_id = worker.request_qualification(type_id).request_id
    mturk_client.reject_qualification_request(QualificationRequestId=request_id)
    cooldowns = _market(frozen).requests.cooldowns
    assert cooldowns == {(type_id, worker.worker_id): START + 100}
    frozen.clock.advance(99.999)
    _settle_through_a_call(mturk_client)
    assert cooldowns == {(type_id, worker.worker_id): START + 100}
    frozen.clock.advance(0.001)
    assert cooldowns == {}
    assert worker.request_qualification(type_id).status == "Pending"


def test_changing_the_retry_delay_re_times_every_wait(mturk_client, frozen):
    type_id = create_type(mturk_client, "delayed", RetryDelayInSeconds=100)["QualificationTypeId"]
    slow, quick = frozen.worker("A1000000000001"), frozen.worker("A1000000000002")
    for worker in (slow, quick):
        request_id = worker.request_qualification(type_id).request_id
        mturk_client.reject_qualification_request(QualificationRequestId=request_id)
    market = _market(frozen)
    calls = _counting(market.schedule, request_store.RETRY_ALLOWED)

    mturk_client.update_qualification_type(QualificationTypeId=type_id, RetryDelayInSeconds=500)
    frozen.clock.advance(101)
    with pytest.raises(WorkerError, match="must wait 399 more seconds"):
        slow.request_qualification(type_id)  # the wait of 100 s ended without effect: it went stale
    assert sum(calls.values()) == 2  # both old entries came due and were ignored

    frozen.clock.advance(100)
    mturk_client.update_qualification_type(QualificationTypeId=type_id, RetryDelayInSeconds=150)
    assert market.requests.cooldowns == {}  # 150 s after the requests has passed: free at once
    assert quick.request_qualification(type_id).status == "Pending"
    frozen.clock.advance(300)  # the stale entries of 500 s fall due and change nothing
    _settle_through_a_call(mturk_client)
    assert sum(calls.values()) == 5  # and the live one of quick's new request ended its wait
    assert market.requests.cooldowns == {}
    with pytest.raises(WorkerError, match="open request"):
        quick.request_qualification(type_id)
    assert slow.request_qualification(type_id).status == "Pending"


@pytest.mark.mturk_mock(name_reservation=3600)
def test_a_reserved_name_is_released_through_settle(mturk_client, frozen):
    type_id = create_type(mturk_client, "reserved")["QualificationTypeId"]
    mturk_client.delete_qualification_type(QualificationTypeId=type_id)
    names = _market(frozen).qualification_types.names
    key = ("<default>", "reserved")
    assert names[key] == START + 3600
    frozen.clock.advance(3599.999)
    request_error(lambda: create_type(mturk_client, "reserved"), "QualificationTypeAlreadyExists", "You have already")
    frozen.clock.advance(0.001)
    assert key not in names
    again = create_type(mturk_client, "reserved")["QualificationTypeId"]
    assert names[key] == float("inf")
    mturk_client.delete_qualification_type(QualificationTypeId=again)  # reserved again, from now
    frozen.clock.advance(1800)
    request_error(lambda: create_type(mturk_client, "reserved"), "QualificationTypeAlreadyExists", "You have already")


def test_a_year_of_time_over_a_large_state_costs_only_the_transitions_due(mturk_client, frozen):
    """100,000 started tests whose deadlines lie two years ahead and that were answered meanwhile (their
    entries are stale), plus 10 tests due within the year: advancing a year calls the handlers 10 times."""
    long_test = create_type(mturk_client, "long", Test=TEST, TestDurationInSeconds=60)["QualificationTypeId"]
    short_test = create_type(mturk_client, "short", Test=TEST, TestDurationInSeconds=60)["QualificationTypeId"]
    with frozen.world.session("sandbox") as (market, now):
        market.qualification_types.by_id[long_test].test_duration = 2 * YEAR
        for number in range(100_000):
            request = workflow.start_request(market, f"A{number:013d}", long_test, now)
            market.requests.make_pending(request, now)  # answered: the deadline entry is stale
        due = [workflow.start_request(market, f"AB{number:012d}", short_test, now) for number in range(10)]
        for request in due[5:]:
            market.requests.make_pending(request, now)  # answered: stale, but due
    assert len(market.schedule) == 100_010
    deadlines = _counting(market.schedule, request_store.TEST_DEADLINE)
    releases = _counting(market.schedule, type_store.NAME_RELEASE)
    cooldowns = _counting(market.schedule, request_store.RETRY_ALLOWED)

    frozen.clock.advance(YEAR)
    _settle_through_a_call(mturk_client)
    assert sum(deadlines.values()) == 10 and set(deadlines) == {request.request_id for request in due}
    assert not releases and not cooldowns
    assert [request.status for request in due] == ["Expired"] * 5 + ["Pending"] * 5
    assert len(market.schedule) == 100_000  # the entries not yet due are untouched
    frozen.clock.advance(YEAR + 1)
    _settle_through_a_call(mturk_client)
    assert sum(deadlines.values()) == 100_010  # each entry is applied once, when due
    assert len(market.schedule) == 0


def test_a_day_over_many_hits_costs_only_the_hits_that_expire(mturk_client, frozen):
    """20,000 HITs expiring over a year: advancing a day applies exactly the expiries that fall in it, each
    once, and leaves every other entry of the schedule alone."""
    type_id = create_hit_type(mturk_client)
    with frozen.world.session("sandbox") as (market, now):
        hit_type = market.hit_types.owned(type_id, DEFAULT_REQUESTER)
        lifetimes = [60 + (number * 7919) % YEAR for number in range(20_000)]
        hits = [
            hit_workflow.create_hit(
                market, DEFAULT_REQUESTER, now, hit_type, lifetime=lifetime, max_assignments=1,
                question=EXTERNAL_QUESTION, layout_id=None, layout_parameters=None, annotation=None, token=None,
            )
            for lifetime in lifetimes
        ]  # fmt: skip
        entries = len(market.schedule)
    expiries = _counting(market.schedule, hit_store.EXPIRE)
    frozen.clock.advance(DAY)
    _settle_through_a_call(mturk_client)
    due = [hit for hit, lifetime in zip(hits, lifetimes, strict=True) if lifetime <= DAY]
    assert due and set(expiries) == {hit.hit_id for hit in due} and sum(expiries.values()) == len(due)
    assert len(market.schedule) == entries  # the expiries done, the expired HITs' disposals planned instead
    assert mturk_client.get_hit(HITId=due[0].hit_id)["HIT"]["HITStatus"] != "Assignable"
    later = next(hit for hit, lifetime in zip(hits, lifetimes, strict=True) if lifetime > DAY)
    assert mturk_client.get_hit(HITId=later.hit_id)["HIT"]["HITStatus"] == "Assignable"

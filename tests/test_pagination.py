"""Pagination written once (issue 11, requirement 2): tokens are bound to their listing and refused
otherwise, survive a saved state, and pages stay consistent while the listing changes between them; the
SortedIndex under every listing behaves as a sorted list."""

from __future__ import annotations

import bisect
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mturk_mock import MTurkMock, World, mock_mturk
from mturk_mock.model import index as index_module
from mturk_mock.model.index import SortedIndex
from mturk_mock.transport.pipeline import dispatch

from .helpers import create_type, examples, parameter_error, requester_client

WORKERS = [f"A{number:013d}" for number in range(40)]
PROPERTY = settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _workers(page: dict) -> list[str]:
    return [qualification["WorkerId"] for qualification in page["Qualifications"]]


def _names(page: dict) -> list[str]:
    return [qual["Name"] for qual in page["QualificationTypes"]]


def _grant(client, type_id: str, *workers: str, value: int = 1) -> None:
    for worker in workers:
        client.associate_qualification_with_worker(
            QualificationTypeId=type_id, WorkerId=worker, IntegerValue=value, SendNotification=False
        )


@pytest.fixture
def granted(mturk_client) -> str:
    """A type of the default requester with 20 workers granted, W0 first."""
    type_id = create_type(mturk_client, "listed")["QualificationTypeId"]
    _grant(mturk_client, type_id, *WORKERS[:20])
    return type_id


# -- tokens are bound to their listing ---------------------------------------------------------------


def _refused(call, mock) -> None:
    parameter_error(call, "NextToken", mock)


def test_a_forged_token_is_refused_whichever_character_changes(mturk_client, mturk_mock, granted):
    token = mturk_client.list_workers_with_qualification_type(QualificationTypeId=granted, MaxResults=3)["NextToken"]
    for position, character in enumerate(token):
        replacement = "0" if character != "0" else "1"
        forged = token[:position] + replacement + token[position + 1 :]
        _refused(
            lambda forged=forged: mturk_client.list_workers_with_qualification_type(
                QualificationTypeId=granted, NextToken=forged
            ),
            mturk_mock,
        )
    payload, _, signature = token.rpartition(".")
    serial, _, key = payload.partition(".")
    for forged in (
        f"{serial}.{int(key) + 5}.{signature}",  # another position, the old signature
        f"{serial}.{key}.{'0' * len(signature)}",  # a signature made up
        f"{serial}.{key}",
        f"{serial}.~{key}.{signature}",
        "1.~bm90IGpzb24.00",  # base64 of "not json"
        "garbage",
        token + "0",
        "." * 10,
    ):
        _refused(
            lambda forged=forged: mturk_client.list_workers_with_qualification_type(
                QualificationTypeId=granted, NextToken=forged
            ),
            mturk_mock,
        )
    # The genuine token still works after all that.
    page = mturk_client.list_workers_with_qualification_type(QualificationTypeId=granted, NextToken=token, MaxResults=3)
    assert _workers(page) == WORKERS[3:6]


def test_a_token_of_another_operation_with_the_same_filters_is_refused(mturk_client, mturk_mock, granted):
    """ListQualificationRequests and ListWorkersWithQualificationType both take QualificationTypeId: only
    the operation tells their tokens apart."""
    for worker in WORKERS[20:24]:
        mturk_mock.worker(worker).request_qualification(granted)
    requests = mturk_client.list_qualification_requests(QualificationTypeId=granted, MaxResults=2)
    workers = mturk_client.list_workers_with_qualification_type(QualificationTypeId=granted, MaxResults=2)
    _refused(
        lambda: mturk_client.list_workers_with_qualification_type(
            QualificationTypeId=granted, NextToken=requests["NextToken"]
        ),
        mturk_mock,
    )
    _refused(
        lambda: mturk_client.list_qualification_requests(QualificationTypeId=granted, NextToken=workers["NextToken"]),
        mturk_mock,
    )
    follow = mturk_client.list_qualification_requests(QualificationTypeId=granted, NextToken=requests["NextToken"])
    assert [request["WorkerId"] for request in follow["QualificationRequests"]] == WORKERS[22:24]


def test_a_token_of_another_requester_is_refused(mturk_mock):
    """The public listing is the same for both requesters: only the requester binding refuses the token."""
    first, second = requester_client("AKIAFIRST"), requester_client("AKIASECOND")
    for number in range(4):
        create_type(first, f"type {number}")
    token = first.list_qualification_types(MustBeRequestable=True, MaxResults=2)["NextToken"]
    _refused(lambda: second.list_qualification_types(MustBeRequestable=True, NextToken=token), mturk_mock)
    follow = first.list_qualification_types(MustBeRequestable=True, NextToken=token)
    assert _names(follow) == ["type 2", "type 3"]


def test_a_token_of_another_marketplace_is_refused(mturk_mock):
    """Both marketplaces list the same five system types first; only the marketplace binding refuses."""
    sandbox, production = requester_client("AKIAKEY"), requester_client("AKIAKEY", "production")
    token = sandbox.list_qualification_types(MustBeRequestable=False, MaxResults=2)["NextToken"]
    _refused(lambda: production.list_qualification_types(MustBeRequestable=False, NextToken=token), mturk_mock)
    assert production.list_qualification_types(MustBeRequestable=False, MaxResults=2)["NumResults"] == 2
    assert _names(sandbox.list_qualification_types(MustBeRequestable=False, NextToken=token, MaxResults=1)) == [
        "Worker_Locale"
    ]


def test_a_token_used_with_other_filters_is_refused(mturk_client, mturk_mock, granted):
    for number in range(4):
        create_type(mturk_client, f"colour {number}", Keywords="vision")
    token = mturk_client.list_qualification_types(MustBeRequestable=True, Query="colour", MaxResults=2)["NextToken"]
    for other in (
        {"MustBeRequestable": True, "Query": "vision"},
        {"MustBeRequestable": True},
        {"MustBeRequestable": False, "Query": "colour"},
        {"MustBeRequestable": True, "Query": "colour", "MustBeOwnedByCaller": True},
    ):
        _refused(lambda other=other: mturk_client.list_qualification_types(NextToken=token, **other), mturk_mock)
    # MaxResults is not a filter: a walk may change its page size.
    follow = mturk_client.list_qualification_types(
        MustBeRequestable=True, Query="colour", NextToken=token, MaxResults=5
    )
    assert _names(follow) == ["colour 2", "colour 3"]

    other_type = create_type(mturk_client, "other")["QualificationTypeId"]
    _grant(mturk_client, other_type, *WORKERS[:20])
    granted_token = mturk_client.list_workers_with_qualification_type(QualificationTypeId=granted, MaxResults=2)[
        "NextToken"
    ]
    _refused(
        lambda: mturk_client.list_workers_with_qualification_type(
            QualificationTypeId=granted, Status="Revoked", NextToken=granted_token
        ),
        mturk_mock,
    )
    _refused(
        lambda: mturk_client.list_workers_with_qualification_type(
            QualificationTypeId=other_type, NextToken=granted_token
        ),
        mturk_mock,
    )


def test_a_token_of_another_world_is_refused(mturk_client, mturk_mock):
    """The system types list the same in every world: only the world's secret refuses the token."""
    token = mturk_client.list_qualification_types(MustBeRequestable=False, MaxResults=2)["NextToken"]
    with mock_mturk() as other:
        _refused(lambda: mturk_client.list_qualification_types(MustBeRequestable=False, NextToken=token), other)
    follow = mturk_client.list_qualification_types(MustBeRequestable=False, NextToken=token, MaxResults=1)
    assert _names(follow) == ["Worker_Locale"]


def test_tokens_survive_a_saved_state(tmp_path, granted, mturk_client, mturk_mock):
    first = mturk_client.list_workers_with_qualification_type(QualificationTypeId=granted, MaxResults=7)
    types = mturk_client.list_qualification_types(MustBeRequestable=False, MaxResults=3)
    mturk_mock.save_state(tmp_path / "state.json")
    mturk_mock.stop()

    restored = MTurkMock()
    restored.load_state(tmp_path / "state.json")
    with restored:
        second = mturk_client.list_workers_with_qualification_type(
            QualificationTypeId=granted, NextToken=first["NextToken"], MaxResults=7
        )
        assert _workers(second) == WORKERS[7:14]
        third = mturk_client.list_workers_with_qualification_type(
            QualificationTypeId=granted, NextToken=second["NextToken"], MaxResults=7
        )
        assert _workers(third) == WORKERS[14:20]
        assert second["NextToken"] != first["NextToken"]  # tokens stay new: botocore refuses a repeated one
        rest = mturk_client.list_qualification_types(MustBeRequestable=False, NextToken=types["NextToken"])
        assert _names(rest) == ["Worker_Adult", "Worker_PercentAssignmentsApproved", "listed"]


# -- the listing changes between pages -----------------------------------------------------------------


def test_grants_changed_between_pages_are_seen_or_not_without_duplicates_or_skips(mturk_client, granted):
    page = mturk_client.list_workers_with_qualification_type(QualificationTypeId=granted, MaxResults=5)
    seen = _workers(page)
    assert seen == WORKERS[:5]

    def revoke(worker):
        mturk_client.disassociate_qualification_from_worker(QualificationTypeId=granted, WorkerId=worker)

    revoke(WORKERS[2])  # seen, then granted again below: it moves to the end of the listing
    revoke(WORKERS[4])  # the item the token points after
    revoke(WORKERS[7])  # not seen yet: gone before its page
    _grant(mturk_client, granted, WORKERS[10], value=99)  # changed in place: keeps its position
    _grant(mturk_client, granted, WORKERS[20])  # new: appended
    _grant(mturk_client, granted, WORKERS[2])  # granted again: appended after the new one
    token, pages = page["NextToken"], 0
    while token:
        page = mturk_client.list_workers_with_qualification_type(
            QualificationTypeId=granted, NextToken=token, MaxResults=4
        )
        seen += _workers(page)
        token, pages = page.get("NextToken"), pages + 1
        if pages == 1:  # changes while walking the middle of the listing
            revoke(WORKERS[15])
            _grant(mturk_client, granted, WORKERS[21])
    unchanged = [WORKERS[n] for n in (5, 6, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19)]
    assert seen[5:] == [*unchanged, WORKERS[20], WORKERS[2], WORKERS[21]]
    assert page["NumResults"] == 0  # the walk ends on an empty page without a token


def test_types_deleted_and_created_between_pages(mturk_client):
    ids = [create_type(mturk_client, f"type {number:02}")["QualificationTypeId"] for number in range(10)]
    first = mturk_client.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=True, MaxResults=4)
    assert _names(first) == [f"type {number:02}" for number in range(4)]
    for gone in (3, 4, 5):  # the token's own item and the two after it
        mturk_client.delete_qualification_type(QualificationTypeId=ids[gone])
    create_type(mturk_client, "type 10")
    rest = mturk_client.list_qualification_types(
        MustBeRequestable=True, MustBeOwnedByCaller=True, NextToken=first["NextToken"], MaxResults=100
    )
    assert _names(rest) == ["type 06", "type 07", "type 08", "type 09", "type 10"]


def test_requests_answered_between_pages(mturk_client, mturk_mock):
    type_id = create_type(mturk_client, "manual")["QualificationTypeId"]
    requests = [mturk_mock.worker(worker).request_qualification(type_id).request_id for worker in WORKERS[:6]]
    first = mturk_client.list_qualification_requests(MaxResults=2)
    mturk_client.accept_qualification_request(QualificationRequestId=requests[1])  # seen
    mturk_client.reject_qualification_request(QualificationRequestId=requests[3])  # not seen yet
    late = mturk_mock.worker(WORKERS[6]).request_qualification(type_id).request_id
    rest = mturk_client.list_qualification_requests(NextToken=first["NextToken"], MaxResults=100)
    listed = [request["QualificationRequestId"] for request in rest["QualificationRequests"]]
    assert listed == [requests[2], requests[4], requests[5], late]


@PROPERTY
@given(
    initially=st.integers(0, 30),
    size=st.integers(1, 6),
    changes=st.lists(st.lists(st.tuples(st.booleans(), st.integers(0, 39)), max_size=4), max_size=12),
)
def test_random_changes_between_pages_never_duplicate_or_skip_unchanged_grants(initially, size, changes):
    """Through the service, with grants and revokes between pages: every grant untouched during the walk
    is listed exactly once, nothing listed was revoked when its page was made, and a worker shows twice
    only if it was granted again after it was listed."""
    world = World(seed=1)
    created = dispatch(
        world,
        "sandbox",
        "AKIAOWNER",
        "CreateQualificationType",
        {"Name": "t", "Description": "d", "QualificationTypeStatus": "Active"},
    )
    type_id = created[1]["QualificationType"]["QualificationTypeId"]

    def change(grant: bool, worker: str) -> None:
        with world.session("sandbox") as (market, now):
            current = market.grants.get(type_id, worker)
            if grant:
                market.grants.grant(type_id, worker, 1, now)
            elif current is not None and current.status == "Granted":
                market.grants.revoke(type_id, worker)

    for worker in WORKERS[:initially]:
        change(True, worker)
    untouched = set(WORKERS[:initially])
    regranted_after_listing: set[str] = set()
    listed: list[str] = []
    request: dict = {"QualificationTypeId": type_id, "MaxResults": size}
    pending = list(changes)
    while True:
        status, page = dispatch(world, "sandbox", "AKIAOWNER", "ListWorkersWithQualificationType", request)
        assert status == 200, page
        workers = [qualification["WorkerId"] for qualification in page["Qualifications"]]
        with world.session("sandbox") as (market, _now):
            assert all(market.grants.get(type_id, worker).status == "Granted" for worker in workers)
        listed += workers
        if "NextToken" not in page:
            break
        request = {**request, "NextToken": page["NextToken"]}
        for grant, number in pending.pop(0) if pending else ():
            worker = WORKERS[number]
            untouched.discard(worker)
            if grant and worker in listed:
                regranted_after_listing.add(worker)
            change(grant, worker)
    for worker in untouched:
        assert listed.count(worker) == 1, (worker, listed)
    for worker in set(listed):
        assert listed.count(worker) == 1 or worker in regranted_after_listing, (worker, listed)
    # Unchanged grants come in the order they were granted.
    order = [worker for worker in listed if worker in untouched]
    assert order == sorted(order)


# -- SortedIndex against a sorted list -------------------------------------------------------------------


class Reference:
    """What a SortedIndex must behave like: a sorted list of (key, value)."""

    def __init__(self) -> None:
        self.keys: list = []
        self.values: dict = {}

    def insert(self, key, value) -> None:
        bisect.insort(self.keys, key)
        self.values[key] = value

    def remove(self, key):
        del self.keys[bisect.bisect_left(self.keys, key)]
        return self.values.pop(key)

    def after(self, key) -> list:
        start = 0 if key is None else bisect.bisect_right(self.keys, key)
        return [(k, self.values[k]) for k in self.keys[start:]]

    def page(self, after, size, keep):
        found, last = [], None
        for key, value in self.after(after):
            last = key
            if keep is None or keep(value):
                found.append(value)
                if len(found) == size:
                    break
        return found, last


def _check_same(index: SortedIndex, reference: Reference) -> None:
    assert len(index) == len(reference.keys)
    assert list(index.items()) == reference.after(None)
    assert list(index.values()) == [reference.values[key] for key in reference.keys]


OPERATION = st.one_of(
    st.tuples(st.just("insert"), st.integers(-50, 300)),
    st.tuples(st.just("remove"), st.integers(-50, 300)),
    st.tuples(st.just("page"), st.one_of(st.none(), st.integers(-60, 310)), st.integers(1, 12), st.booleans()),
)


@PROPERTY
@given(chunk=st.integers(1, 6), operations=st.lists(OPERATION, max_size=150))
def test_sorted_index_behaves_as_a_sorted_list(chunk, operations):
    """With chunks of a few items every few operations split or empty a chunk."""
    saved = index_module.CHUNK
    index_module.CHUNK = chunk
    try:
        index: SortedIndex[str] = SortedIndex()
        reference = Reference()
        for operation in operations:
            kind, key = operation[0], operation[1]
            if kind == "insert":
                if key in reference.values:
                    with pytest.raises(KeyError):
                        index.insert(key, f"v{key}")
                else:
                    index.insert(key, f"v{key}")
                    reference.insert(key, f"v{key}")
            elif kind == "remove":
                if key in reference.values:
                    assert index.remove(key) == reference.remove(key)
                else:
                    with pytest.raises(KeyError):
                        index.remove(key)
            else:
                _, after, size, filtered = operation
                keep = (lambda value: int(value[1:]) % 3 != 0) if filtered else None
                assert index.page(after, size, keep) == reference.page(after, size, keep)
                assert list(index.after(after)) == reference.after(after)
            if key is not None:
                assert (key in index) == (key in reference.values)
        _check_same(index, reference)
        # Every page walk, from every start, returns each item once in order.
        for size in (1, 2, 5):
            walked, after = [], None
            while True:
                page, last = index.page(after, size)
                if not page:
                    break
                walked += page
                after = last
            assert walked == [reference.values[key] for key in reference.keys]
    finally:
        index_module.CHUNK = saved


def test_sorted_index_with_the_real_chunk_size_splits_and_merges_many_times():
    """Tens of thousands of random inserts and removes with tuple keys, against the reference."""
    rng = random.Random(20)
    index: SortedIndex[int] = SortedIndex()
    reference = Reference()
    keys = [(rng.randrange(1000), number) for number in range(20_000)]
    for number, key in enumerate(keys):
        index.insert(key, number)
        reference.insert(key, number)
    assert len(index._maxes) > 20, "the chunks were split"
    rng.shuffle(keys)
    for key in keys[:15_000]:
        assert index.remove(key) == reference.remove(key)
    for number in range(5_000):  # appends at the end, the common case of serial keys
        index.insert((1000, number), -number)
        reference.insert((1000, number), -number)
    _check_same(index, reference)
    for after in [None, *rng.sample(reference.keys, 50), (500, -1), (2000, 0), (-1, 0)]:
        assert index.page(after, 100) == reference.page(after, 100, None)
        keep = lambda value: value % 7 == 0  # noqa: E731
        assert index.page(after, 100, keep) == reference.page(after, 100, keep)
    for key in list(reference.keys):  # empty it completely: chunks are dropped as they empty
        index.remove(key)
    assert len(index) == 0 and index.page(None, 10) == ([], None) and index._maxes == []
    index.insert((0, 0), 0)
    assert list(index.items()) == [((0, 0), 0)]

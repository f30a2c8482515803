"""Eventual consistency, opt-in (issue 17, requirement 4): searches lag behind creates and updates on the
mock clock, Get sees every change at once, and nothing changes while the lag is 0."""

from __future__ import annotations

import pytest

from mturk_mock import MTurkMock, World, mock_mturk
from mturk_mock.model.search_lag import SearchLag

from .helpers import create_hit, create_type

LAG = 30


def names(client, **filters) -> list[str]:
    filters.setdefault("MustBeRequestable", True)
    answer = client.list_qualification_types(MaxResults=100, **filters)
    return [qual["Name"] for qual in answer["QualificationTypes"]]


def descriptions(client, **filters) -> list[str]:
    answer = client.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=True, **filters)
    return [qual["Description"] for qual in answer["QualificationTypes"]]


@pytest.fixture
def frozen(mturk_mock):
    mturk_mock.clock.freeze()
    return mturk_mock


@pytest.mark.mturk_mock(search_lag=LAG)
def test_a_new_hit_is_got_at_once_and_listed_after_the_lag(frozen, mturk_client):
    older = create_hit(mturk_client)["HITId"]
    frozen.clock.advance(LAG)
    newer = create_hit(mturk_client)["HITId"]
    assert mturk_client.get_hit(HITId=newer)["HIT"]["HITId"] == newer
    assert [hit["HITId"] for hit in mturk_client.list_hits()["HITs"]] == [older]
    frozen.clock.advance(LAG - 0.5)
    assert [hit["HITId"] for hit in mturk_client.list_hits()["HITs"]] == [older]
    frozen.clock.advance(0.5)
    assert [hit["HITId"] for hit in mturk_client.list_hits()["HITs"]] == [older, newer]


@pytest.mark.mturk_mock(search_lag=LAG)
def test_an_updated_hit_is_listed_in_its_previous_version_until_the_lag_has_passed(frozen, mturk_client):
    hit_id = create_hit(mturk_client, MaxAssignments=1)["HITId"]
    frozen.clock.advance(LAG)
    before = mturk_client.list_hits()["HITs"][0]
    new_type = mturk_client.create_hit_type(
        Title="Relabelled", Description="d", Reward="0.30", AssignmentDurationInSeconds=600
    )["HITTypeId"]
    mturk_client.update_hit_type_of_hit(HITId=hit_id, HITTypeId=new_type)
    mturk_client.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=2)
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["Title"] == "Relabelled"  # Get sees the change at once
    listed = mturk_client.list_hits()["HITs"][0]
    assert (listed["Title"], listed["MaxAssignments"], listed["HITTypeId"]) == (
        before["Title"], 1, before["HITTypeId"]
    )  # fmt: skip
    frozen.clock.advance(LAG - 0.5)
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)  # a second change within the lag
    assert mturk_client.list_hits()["HITs"][0]["Title"] == before["Title"]
    frozen.clock.advance(0.5)  # the first changes are indexed, the expiry not yet
    listed = mturk_client.list_hits()["HITs"][0]
    assert (listed["Title"], listed["MaxAssignments"], listed["HITStatus"]) == ("Relabelled", 3, "Assignable")
    frozen.clock.advance(LAG - 0.5)
    assert mturk_client.list_hits()["HITs"][0]["HITStatus"] == "Reviewable"


@pytest.mark.mturk_mock(search_lag=LAG)
def test_a_new_type_is_found_by_get_at_once_and_by_searches_after_the_lag(frozen, mturk_client):
    type_id = create_type(mturk_client, "Fresh")["QualificationTypeId"]
    assert mturk_client.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]["Name"] == "Fresh"
    for filters in ({}, {"Query": "fresh"}, {"MustBeOwnedByCaller": True}):
        assert names(mturk_client, **filters) == []
    frozen.clock.advance(LAG - 0.5)
    assert names(mturk_client, Query="fresh") == []
    frozen.clock.advance(0.5)
    for filters in ({}, {"Query": "fresh"}, {"MustBeOwnedByCaller": True}):
        assert names(mturk_client, **filters) == ["Fresh"]


@pytest.mark.mturk_mock(search_lag=LAG)
def test_an_updated_type_is_searched_in_its_previous_version_until_the_lag_has_passed(frozen, mturk_client):
    type_id = create_type(mturk_client, "Vision", Description="old words")["QualificationTypeId"]
    frozen.clock.advance(LAG)
    mturk_client.update_qualification_type(QualificationTypeId=type_id, Description="new words")
    got = mturk_client.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]
    assert got["Description"] == "new words"
    assert descriptions(mturk_client) == ["old words"]
    assert names(mturk_client, Query="old") == ["Vision"] and names(mturk_client, Query="new") == []
    frozen.clock.advance(LAG / 2)
    mturk_client.update_qualification_type(QualificationTypeId=type_id, QualificationTypeStatus="Inactive")
    assert descriptions(mturk_client) == ["old words"]  # the index has not caught up with the first update
    frozen.clock.advance(LAG)
    listed = mturk_client.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=True)
    [qual] = listed["QualificationTypes"]
    assert (qual["Description"], qual["QualificationTypeStatus"]) == ("new words", "Inactive")
    assert names(mturk_client, Query="old") == []


@pytest.mark.mturk_mock(search_lag=LAG)
def test_a_type_updated_before_it_was_indexed_is_indexed_as_created_then_as_updated(frozen, mturk_client):
    type_id = create_type(mturk_client, "Early", Description="as created")["QualificationTypeId"]
    frozen.clock.advance(LAG - 1)
    mturk_client.update_qualification_type(QualificationTypeId=type_id, Description="changed")
    assert names(mturk_client) == []
    frozen.clock.advance(1)
    assert descriptions(mturk_client) == ["as created"]
    frozen.clock.advance(LAG - 1)
    assert descriptions(mturk_client) == ["changed"]


@pytest.mark.mturk_mock(search_lag=LAG)
def test_pages_skip_what_the_index_does_not_show(frozen, mturk_client):
    for n in range(3):
        create_type(mturk_client, f"early {n}")
    frozen.clock.advance(LAG)
    create_type(mturk_client, "late")
    first = mturk_client.list_qualification_types(MustBeRequestable=True, MaxResults=2)
    second = mturk_client.list_qualification_types(MustBeRequestable=True, MaxResults=2, NextToken=first["NextToken"])
    listed = [qual["Name"] for page in (first, second) for qual in page["QualificationTypes"]]
    assert listed == ["early 0", "early 1", "early 2"]


def test_without_a_lag_searches_are_consistent_at_once(frozen, mturk_client):
    type_id = create_type(mturk_client, "Now")["QualificationTypeId"]
    mturk_client.update_qualification_type(QualificationTypeId=type_id, Description="changed")
    assert descriptions(mturk_client) == ["changed"]
    assert not frozen.world.marketplace("sandbox").search_lag.pending


def test_the_lag_is_a_saved_setting_and_can_change(tmp_path):
    with mock_mturk(search_lag=LAG) as mturk:
        mturk.save_state(tmp_path / "state.json")
    loaded = MTurkMock()
    loaded.load_state(tmp_path / "state.json")
    assert loaded.world.settings.search_lag == LAG
    world = World(search_lag=5)
    world.set_search_lag(0)
    assert world.settings.search_lag == 0 and world.marketplace("sandbox").search_lag.lag == 0
    with pytest.raises(ValueError, match="search_lag"):
        world.set_search_lag(-1)


def test_search_lag_is_generic_over_entities():
    class Entity:
        def __init__(self, value: int) -> None:
            self.value, self.cache = value, "rendered"

    lag, old, new = SearchLag(10.0), Entity(1), Entity(2)
    lag.changing(old, 0.0)
    old.value = 3
    lag.created(new, 0.0)
    shown = lag.shown(old, 5.0)
    assert shown is not old and (shown.value, shown.cache) == (1, None)
    assert lag.shown(new, 5.0) is None
    assert lag.shown(old, 10.0) is old and lag.shown(new, 10.0) is new
    assert not lag.pending
    off = SearchLag()
    off.created(new, 0.0)
    off.changing(old, 0.0)
    assert not off.pending and off.view(5.0, lambda entity: 0.0) is None


def test_search_lag_can_read_creation_times_instead_of_being_told():
    class Entity:
        def __init__(self, created: float) -> None:
            self.created, self.cache = created, None

    lag, early, late = SearchLag(10.0), Entity(0.0), Entity(4.0)
    assert lag.view(12.0) is None  # nothing pending and no creation times: every entity shows
    show = lag.view(12.0, lambda entity: entity.created)
    assert show(early) is early and show(late) is None

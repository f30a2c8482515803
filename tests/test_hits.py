"""HITs: the HIT object, the status machine over the clock, and the requester operations on a HIT
(spec H§1.2-1.7, H§8.2-8.12)."""

from __future__ import annotations

import datetime as dt

import pytest

from .helpers import create_hit, create_hit_type, create_type, parameter_error, request_error, requester_client
from .samples import EXTERNAL_QUESTION

START = 1_800_000_000  # a frozen, whole-second clock makes times exact
HIT_MEMBERS = {
    "HITId",
    "HITTypeId",
    "HITGroupId",
    "CreationTime",
    "Title",
    "Description",
    "Question",
    "HITStatus",
    "MaxAssignments",
    "Reward",
    "AutoApprovalDelayInSeconds",
    "Expiration",
    "AssignmentDurationInSeconds",
    "QualificationRequirements",
    "HITReviewStatus",
    "NumberOfAssignmentsPending",
    "NumberOfAssignmentsAvailable",
    "NumberOfAssignmentsCompleted",
}


@pytest.fixture(autouse=True)
def _frozen(mturk_mock):
    mturk_mock.clock.freeze(START)


def _status(client, hit_id: str) -> str:
    return client.get_hit(HITId=hit_id)["HIT"]["HITStatus"]


def _ids(page: dict) -> list[str]:
    return [hit["HITId"] for hit in page["HITs"]]


def _expired(client, mock, **extra) -> dict:
    hit = create_hit(client, **extra)
    mock.clock.advance(3600)
    return hit


# -- the HIT object ------------------------------------------------------------------------------------------


def test_a_new_hit_carries_every_member_with_its_type(mturk_client):
    hit = create_hit(mturk_client, MaxAssignments=3, LifetimeInSeconds=259200)
    assert set(hit) == HIT_MEMBERS  # no Keywords, HITLayoutId or RequesterAnnotation when not given
    assert hit["CreationTime"] == dt.datetime.fromtimestamp(START, dt.timezone.utc)
    assert hit["Expiration"] - hit["CreationTime"] == dt.timedelta(seconds=259200)  # observed: exactly
    assert (hit["HITStatus"], hit["HITReviewStatus"], hit["Reward"]) == ("Assignable", "NotReviewed", "0.25")
    counters = [hit[f"NumberOfAssignments{name}"] for name in ("Pending", "Available", "Completed")]
    assert counters == [0, 3, 0] and hit["MaxAssignments"] == 3
    assert (hit["AutoApprovalDelayInSeconds"], hit["AssignmentDurationInSeconds"]) == (2592000, 600)
    assert hit["Question"] == EXTERNAL_QUESTION and len(hit["HITId"]) == 30


def test_get_hit_returns_what_create_hit_returned(mturk_client):
    hit = create_hit(mturk_client, Keywords="", RequesterAnnotation="batch 7", Reward="5")
    got = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    assert got == hit
    assert (got["Keywords"], got["RequesterAnnotation"], got["Reward"]) == ("", "batch 7", "5.00")


@pytest.mark.parametrize(
    ("parameter", "value", "low", "high"),
    [
        ("LifetimeInSeconds", 29, 30, 31536000),
        ("LifetimeInSeconds", 31536001, 30, 31536000),
        ("MaxAssignments", 0, 1, 1000000000),
    ],
)
def test_hit_limits(mturk_client, parameter, value, low, high):
    response = parameter_error(lambda: create_hit(mturk_client, **{parameter: value}), parameter)
    assert f"Valid values range from {low} to {high}." in response["Error"]["Message"]


def test_requester_annotation_is_at_most_255_characters(mturk_client):
    create_hit(mturk_client, RequesterAnnotation="a" * 255)
    parameter_error(lambda: create_hit(mturk_client, RequesterAnnotation="a" * 256), "RequesterAnnotation")


def test_unknown_foreign_and_malformed_hit_ids(mturk_client, mturk_mock):
    foreign = create_hit(requester_client("AKIAOTHERREQUESTER"))["HITId"]
    for hit_id in ("3" * 30, foreign):
        request_error(
            lambda hit_id=hit_id: mturk_client.get_hit(HITId=hit_id), "HITDoesNotExist", f"Hit {hit_id} does not exist."
        )
    parameter_error(lambda: mturk_client.get_hit(HITId="dud"), "HITId", mturk_mock)


# -- the status machine over the clock --------------------------------------------------------------------------


def test_a_hit_becomes_reviewable_when_it_expires(mturk_client, mturk_mock):
    hit = create_hit(mturk_client)
    mturk_mock.clock.advance(3599)
    assert _status(mturk_client, hit["HITId"]) == "Assignable"
    mturk_mock.clock.advance(1)
    assert _status(mturk_client, hit["HITId"]) == "Reviewable"
    assert _ids(mturk_client.list_reviewable_hits()) == [hit["HITId"]]
    counters = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    assert counters["NumberOfAssignmentsAvailable"] == 1  # observed: expiry zeroes nothing


def test_reviewable_listing_filters_by_status_and_type_in_expiration_order(mturk_client, mturk_mock):
    other_type = create_hit_type(mturk_client, Title="Other")
    late = create_hit(mturk_client, LifetimeInSeconds=900)
    early = create_hit(mturk_client, other_type, LifetimeInSeconds=600)
    live = create_hit(mturk_client, LifetimeInSeconds=7200)
    mturk_mock.clock.advance(1000)
    assert _ids(mturk_client.list_reviewable_hits()) == [early["HITId"], late["HITId"]]
    assert _ids(mturk_client.list_reviewable_hits(HITTypeId=other_type)) == [early["HITId"]]
    assert _ids(mturk_client.list_reviewable_hits(HITTypeId="3NOSUCHTYPE0000000000000000000")) == []
    mturk_client.update_hit_review_status(HITId=late["HITId"])
    assert _ids(mturk_client.list_reviewable_hits(Status="Reviewing")) == [late["HITId"]]
    assert _ids(mturk_client.list_reviewable_hits()) == [early["HITId"]]
    assert live["HITId"] not in _ids(mturk_client.list_reviewable_hits())


def test_review_status_moves_only_between_reviewable_and_reviewing(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client)["HITId"]
    request_error(
        lambda: mturk_client.update_hit_review_status(HITId=hit_id),
        "InvalidHITState",
        "This HIT is currently in the state 'Assignable'.  This operation can be called with a status of: Reviewable",
    )
    mturk_mock.clock.advance(3600)
    mturk_client.update_hit_review_status(HITId=hit_id, Revert=False)
    assert _status(mturk_client, hit_id) == "Reviewing"
    request_error(
        lambda: mturk_client.update_hit_review_status(HITId=hit_id),
        "InvalidHITState",
        "This HIT is currently in the state 'Reviewing'.",
    )
    mturk_client.update_hit_review_status(HITId=hit_id, Revert=True)
    assert _status(mturk_client, hit_id) == "Reviewable"
    request_error(
        lambda: mturk_client.update_hit_review_status(HITId=hit_id, Revert=True),
        "InvalidHITState",
        "This HIT is currently in the state 'Reviewable'.  This operation can be called with a status of: Reviewing",
    )


def test_expire_now_and_again(mturk_client):
    hit_id = create_hit(mturk_client)["HITId"]
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert hit["HITStatus"] == "Reviewable" and hit["Expiration"] == hit["CreationTime"]
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=dt.datetime(2020, 1, 1))  # already expired
    assert mturk_client.get_hit(HITId=hit_id)["HIT"] == hit


def test_extending_an_expired_hit_revives_it(mturk_client, mturk_mock):
    hit_id = _expired(mturk_client, mturk_mock)["HITId"]
    mturk_client.update_hit_review_status(HITId=hit_id)
    later = dt.datetime.fromtimestamp(START + 3600 + 86400, dt.timezone.utc)
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=later)
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["Expiration"]) == ("Assignable", later)
    mturk_mock.clock.advance(86400)
    assert _status(mturk_client, hit_id) == "Reviewable"  # Reviewing ended with the extension


@pytest.mark.parametrize("seconds", [59, -300])
def test_an_extension_is_60_seconds_to_a_year(mturk_client, seconds):
    hit = create_hit(mturk_client, LifetimeInSeconds=3600)
    expire_at = START + 3600 + seconds
    if expire_at <= START:
        pytest.skip("not in the future")
    response = parameter_error(
        lambda: mturk_client.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=expire_at),
        "ExpirationIncrementInSeconds",
    )
    assert response["Error"]["Message"].startswith(
        f"The value {seconds} is invalid for ExpirationIncrementInSeconds. Valid values range from 60 to 31536000. ("
    )


def test_the_same_extension_twice_is_a_duplicate_request(mturk_client):
    hit_id = create_hit(mturk_client)["HITId"]
    expire_at = dt.datetime(2027, 1, 15, 20, 26, 6, tzinfo=dt.timezone.utc)
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=expire_at)
    request_error(
        lambda: mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=expire_at),
        "DuplicateRequest",
        f'The idempotency token "{hit_id}Fri Jan 15 20:26:06 UTC 2027" has already been processed.',
    )


def test_additional_assignments_follow_the_ten_assignment_rule(mturk_client):
    small = create_hit(mturk_client, MaxAssignments=5)["HITId"]
    mturk_client.create_additional_assignments_for_hit(HITId=small, NumberOfAdditionalAssignments=4)
    hit = mturk_client.get_hit(HITId=small)["HIT"]
    assert (hit["MaxAssignments"], hit["NumberOfAssignmentsAvailable"]) == (9, 9)
    request_error(
        lambda: mturk_client.create_additional_assignments_for_hit(HITId=small, NumberOfAdditionalAssignments=1),
        "InvalidMaximumAssignmentsIncrease",
        "HITs created with fewer than 10 assignments cannot be extended to have 10 or more assignments.",
    )
    large = create_hit(mturk_client, MaxAssignments=10)["HITId"]
    mturk_client.create_additional_assignments_for_hit(HITId=large, NumberOfAdditionalAssignments=90)
    assert mturk_client.get_hit(HITId=large)["HIT"]["MaxAssignments"] == 100


def test_an_additional_assignments_token_applies_once(mturk_client):
    hit_id = create_hit(mturk_client, MaxAssignments=2)["HITId"]
    mturk_client.create_additional_assignments_for_hit(
        HITId=hit_id, NumberOfAdditionalAssignments=1, UniqueRequestToken="more-1"
    )
    request_error(
        lambda: mturk_client.create_additional_assignments_for_hit(
            HITId=hit_id, NumberOfAdditionalAssignments=1, UniqueRequestToken="more-1"
        ),
        "DuplicateRequest",
        'The idempotency token "more-1" has already been processed.',
    )
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["MaxAssignments"] == 3


def test_assignments_added_to_an_expired_hit_wait_for_an_extension(mturk_client, mturk_mock):
    hit_id = _expired(mturk_client, mturk_mock)["HITId"]
    mturk_client.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=2)
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["MaxAssignments"]) == ("Reviewable", 3)
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=START + 7200)
    assert _status(mturk_client, hit_id) == "Assignable"


# -- deleting ------------------------------------------------------------------------------------------------


def test_delete_hit_needs_a_reviewable_hit(mturk_client):
    hit_id = create_hit(mturk_client)["HITId"]
    request_error(
        lambda: mturk_client.delete_hit(HITId=hit_id),
        "InvalidHITState",
        "This HIT is currently in the state 'Assignable'.  This operation can be called with a status of: "
        "Reviewing, Reviewable",
    )


def test_the_clean_up_recipe_expire_then_delete(mturk_client):
    qual = create_type(mturk_client)["QualificationTypeId"]
    hit_id = create_hit(
        mturk_client, QualificationRequirements=[{"QualificationTypeId": qual, "Comparator": "Exists"}]
    )["HITId"]
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)
    mturk_client.delete_hit(HITId=hit_id)
    assert _status(mturk_client, hit_id) == "Disposed"
    assert _ids(mturk_client.list_hits()) == []
    assert _ids(mturk_client.list_reviewable_hits()) == []
    assert _ids(mturk_client.list_hits_for_qualification_type(QualificationTypeId=qual)) == []
    request_error(
        lambda: mturk_client.delete_hit(HITId=hit_id),
        "InvalidHITState",
        "This HIT is currently in the state 'Disposed'.",
    )
    for call in (
        lambda: mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0),
        lambda: mturk_client.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=1),
    ):
        request_error(call, "HITDoesNotExist", f"Hit {hit_id} does not exist.")


def test_reviewable_hits_are_disposed_after_120_days(mturk_client, mturk_mock):
    hit_id = _expired(mturk_client, mturk_mock)["HITId"]
    mturk_mock.clock.advance(days=120, seconds=-1)
    assert _status(mturk_client, hit_id) == "Reviewable"
    mturk_mock.clock.advance(1)
    assert _status(mturk_client, hit_id) == "Disposed"


# -- changing the type ----------------------------------------------------------------------------------------


def test_a_hit_takes_every_property_of_its_new_type(mturk_client):
    qual = create_type(mturk_client)["QualificationTypeId"]
    hit = create_hit(mturk_client)
    new_type = create_hit_type(
        mturk_client,
        Title="Better",
        Reward="1.50",
        Keywords="new",
        QualificationRequirements=[{"QualificationTypeId": qual, "Comparator": "Exists"}],
    )
    mturk_client.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId=new_type)
    changed = mturk_client.get_hit(HITId=hit["HITId"])["HIT"]
    assert (changed["HITTypeId"], changed["Title"], changed["Reward"], changed["Keywords"]) == (
        new_type,
        "Better",
        "1.50",
        "new",
    )
    assert changed["HITGroupId"] != hit["HITGroupId"]
    assert _ids(mturk_client.list_hits_for_qualification_type(QualificationTypeId=qual)) == [hit["HITId"]]
    request_error(
        lambda: mturk_client.update_hit_type_of_hit(HITId=hit["HITId"], HITTypeId="3" * 30),
        "HITTypeDoesNotExist",
        f"HITType {'3' * 30} does not exist.",
    )


# -- listings ------------------------------------------------------------------------------------------------


def test_list_hits_shows_the_callers_hits_in_creation_order(mturk_client, mturk_mock):
    created = []
    for _ in range(25):
        created.append(create_hit(mturk_client)["HITId"])
        mturk_mock.clock.advance(1)
    create_hit(requester_client("AKIAOTHERREQUESTER"))
    seen, token = [], None
    while True:
        page = mturk_client.list_hits(MaxResults=10, **({"NextToken": token} if token else {}))
        if not page["NumResults"]:
            break
        seen += _ids(page)
        token = page["NextToken"]
    assert seen == created


def test_list_hits_for_a_qualification_type(mturk_client):
    qual = create_type(mturk_client)["QualificationTypeId"]
    requiring = create_hit(
        mturk_client,
        QualificationRequirements=[
            {"QualificationTypeId": qual, "Comparator": "Exists"},
            {
                "QualificationTypeId": "00000000000000000071",
                "Comparator": "EqualTo",
                "LocaleValues": [{"Country": "US"}],
            },
        ],
    )["HITId"]
    create_hit(mturk_client)
    assert _ids(mturk_client.list_hits_for_qualification_type(QualificationTypeId=qual)) == [requiring]
    locale = mturk_client.list_hits_for_qualification_type(QualificationTypeId="00000000000000000071")
    assert _ids(locale) == [requiring]
    mturk_client.delete_qualification_type(QualificationTypeId=qual)  # a deleted type still filters
    assert _ids(mturk_client.list_hits_for_qualification_type(QualificationTypeId=qual)) == [requiring]
    request_error(
        lambda: mturk_client.list_hits_for_qualification_type(QualificationTypeId="3" * 30),
        "QualificationTypeDoesNotExist",
        f"QualificationType [{'3' * 30}] does not exist.",
    )


# -- UniqueRequestToken ------------------------------------------------------------------------------------------


def test_a_unique_request_token_names_the_first_hit(mturk_client, mturk_mock):
    first = create_hit(mturk_client, UniqueRequestToken="batch-1")["HITId"]
    for call in (
        lambda: create_hit(mturk_client, UniqueRequestToken="batch-1", Title="Different"),
        lambda: create_hit(mturk_client, create_hit_type(mturk_client), UniqueRequestToken="batch-1"),
    ):
        request_error(call, "HitAlreadyExists", f'The HIT {first} already exists for the UniqueRequestToken "batch-1".')
    assert _ids(mturk_client.list_hits()) == [first]
    create_hit(requester_client("AKIAOTHERREQUESTER"), UniqueRequestToken="batch-1")  # tokens are per requester
    mturk_mock.clock.advance(hours=24)
    assert create_hit(mturk_client, UniqueRequestToken="batch-1")["HITId"] != first


def test_a_refused_call_does_not_use_its_token(mturk_client):
    parameter_error(lambda: create_hit(mturk_client, UniqueRequestToken="t", LifetimeInSeconds=1), "LifetimeInSeconds")
    create_hit(mturk_client, UniqueRequestToken="t")

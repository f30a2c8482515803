"""HITs through the handle, in state files and through the AWS CLI against `mturk-mock serve` (issue 12)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mturk_mock import MTurkMock, mock_mturk

from .helpers import create_hit, create_hit_type, create_type, requester_client
from .samples import EXTERNAL_QUESTION
from .test_server import aws, server  # noqa: F401  (fixtures)

START = 1_800_000_000


def test_the_handle_shows_hits_without_a_client(mturk_client, mturk_mock):
    mturk_mock.clock.freeze(START)
    first = create_hit(mturk_client, MaxAssignments=2)
    mturk_mock.clock.advance(1)  # HITs list by CreationTime, then HITId
    second = create_hit(mturk_client, LifetimeInSeconds=30)
    mturk_mock.clock.advance(60)
    views = mturk_mock.hits()
    assert [view.hit_id for view in views] == [first["HITId"], second["HITId"]]
    view = mturk_mock.hit(second["HITId"])
    assert (view.status, view.reward, view.max_assignments, view.available) == ("Reviewable", Decimal("0.25"), 1, 1)
    assert view.expiration == dt.datetime.fromtimestamp(START + 31, dt.timezone.utc)
    assert (view.requester, view.marketplace, view.question) == ("<default>", "sandbox", EXTERNAL_QUESTION)
    with pytest.raises(AttributeError):
        view.status = "Assignable"  # type: ignore[misc]
    with pytest.raises(KeyError):
        mturk_mock.hit("3NOSUCHHIT")
    assert mturk_mock.hits("production") == []


def test_hits_survive_a_state_file(tmp_path):
    path = tmp_path / "state.json"
    with mock_mturk() as mturk:
        mturk.clock.freeze(START)
        client = requester_client("AKIAOWNER")
        qual = create_type(client)["QualificationTypeId"]
        type_id = create_hit_type(
            client, QualificationRequirements=[{"QualificationTypeId": qual, "Comparator": "Exists"}]
        )
        hit = create_hit(client, type_id, UniqueRequestToken="once", LifetimeInSeconds=600)
        mturk.clock.advance(1)
        reviewable = create_hit(client, LifetimeInSeconds=60)
        mturk.clock.advance(120)
        first_page = client.list_hits(MaxResults=1)
        mturk.save_state(path)
    restored = MTurkMock()
    restored.load_state(path)
    with restored:
        client = requester_client("AKIAOWNER")
        assert client.get_hit(HITId=hit["HITId"])["HIT"] == hit
        rest = client.list_hits(NextToken=first_page["NextToken"])  # tokens survive a save
        assert [item["HITId"] for item in rest["HITs"]] == [reviewable["HITId"]]
        assert [item["HITId"] for item in client.list_reviewable_hits()["HITs"]] == [reviewable["HITId"]]
        with pytest.raises(client.exceptions.RequestError, match="already exists"):
            create_hit(client, type_id, UniqueRequestToken="once")
        assert create_hit(client, type_id)["HITTypeId"] == type_id  # the type is found by identity too
        restored.clock.advance(600)  # the expiry was scheduled again after the load
        assert client.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"
        assert [item["HITId"] for item in client.list_hits_for_qualification_type(QualificationTypeId=qual)["HITs"]][
            0
        ] == hit["HITId"]


def test_aws_cli_publishes_and_reads_hits(server, aws):  # noqa: F811
    type_id = aws(
        "create-hit-type",
        "--title",
        "CLI HIT",
        "--description",
        "from the CLI",
        "--reward",
        "0.5",
        "--assignment-duration-in-seconds",
        "600",
    )["HITTypeId"]
    hit = aws(
        "create-hit-with-hit-type",
        "--hit-type-id",
        type_id,
        "--lifetime-in-seconds",
        "3600",
        "--max-assignments",
        "2",
        "--question",
        EXTERNAL_QUESTION,
    )["HIT"]
    assert (hit["HITTypeId"], hit["Reward"], hit["MaxAssignments"], hit["HITStatus"]) == (
        type_id,
        "0.50",
        2,
        "Assignable",
    )
    assert aws("get-hit", "--hit-id", hit["HITId"])["HIT"]["Title"] == "CLI HIT"
    listed = aws("list-hits")
    assert [item["HITId"] for item in listed["HITs"]] == [hit["HITId"]]
    failed = aws("get-hit", "--hit-id", "3NOSUCHHIT000000000000000000000"[:30], ok=False)
    assert failed.returncode != 0 and "does not exist" in failed.stderr

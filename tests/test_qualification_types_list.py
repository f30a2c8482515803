"""ListQualificationTypes: filters, query, order, pagination (spec 1.3 and 4, issue 3)."""

from __future__ import annotations

import pytest

from mturk_mock.service import dispatch as service

from .helpers import create_type, parameter_error, requester_client

SYSTEM_TYPE_COUNT = 5


def _names(page) -> list[str]:
    return [qual["Name"] for qual in page["QualificationTypes"]]


def _walk_while_token(client, **params) -> list[str]:
    """Dallinger's loop: follow NextToken while present."""
    names, page = [], client.list_qualification_types(**params)
    names += _names(page)
    while "NextToken" in page:
        page = client.list_qualification_types(NextToken=page["NextToken"], **params)
        names += _names(page)
    return names


def _walk_while_non_empty(client, **params) -> list[str]:
    """Mephisto's loop: stop on an empty page, read NextToken unconditionally."""
    names, token = [], None
    while True:
        page = client.list_qualification_types(**params, **({"NextToken": token} if token else {}))
        if page["NumResults"] == 0:
            return names
        names += _names(page)
        token = page["NextToken"]


def test_filters_requestable_and_owner(mturk_client):
    create_type(mturk_client, "mine")
    create_type(requester_client("AKIAOTHER"), "theirs", QualificationTypeStatus="Inactive")
    assert _names(mturk_client.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=True)) == ["mine"]
    assert _names(mturk_client.list_qualification_types(MustBeRequestable=True)) == ["mine", "theirs"]
    everything = _names(mturk_client.list_qualification_types(MustBeRequestable=False, MaxResults=100))
    assert everything[:SYSTEM_TYPE_COUNT] == [
        "Masters",
        "Worker_NumberHITsApproved",
        "Worker_Locale",
        "Worker_Adult",
        "Worker_PercentAssignmentsApproved",
    ]
    assert everything[SYSTEM_TYPE_COUNT:] == ["mine", "theirs"]


def test_query_is_a_case_insensitive_substring_of_the_searchable_text(mturk_client):
    create_type(mturk_client, "Colour Vision Test")
    create_type(mturk_client, "Colour Vision Expert", Keywords="hard")
    create_type(mturk_client, "Spelling", Description="Knows how COLOURS are spelt")
    create_type(mturk_client, "Typing")
    page = mturk_client.list_qualification_types(MustBeRequestable=True, Query="COLOUR VISION")
    assert _names(page) == ["Colour Vision Test", "Colour Vision Expert"]
    assert _names(mturk_client.list_qualification_types(MustBeRequestable=True, Query="colours")) == ["Spelling"]
    assert _names(mturk_client.list_qualification_types(MustBeRequestable=True, Query="HARD")) == [
        "Colour Vision Expert"
    ]
    assert _names(mturk_client.list_qualification_types(MustBeRequestable=False, Query="worker_locale")) == [
        "Worker_Locale"
    ]


def test_default_page_size_and_max_results_bounds(mturk_client, mturk_mock):
    for index in range(12):
        create_type(mturk_client, f"type {index:02}")
    page = mturk_client.list_qualification_types(MustBeRequestable=True)
    assert page["NumResults"] == 10 == len(page["QualificationTypes"])
    response = parameter_error(
        lambda: mturk_client.list_qualification_types(MustBeRequestable=True, MaxResults=101), "MaxResults", mturk_mock
    )
    assert response["Error"]["Message"].startswith(
        "The value 101 is invalid for MaxResults. Valid values range from 1 to 100. ("
    )


def test_both_loop_shapes_end_with_every_type_once(mturk_client):
    expected = [f"type {index:02}" for index in range(23)]
    for name in expected:
        create_type(mturk_client, name)
    for size in (1, 5, 23, 100):
        params = {"MustBeRequestable": True, "MaxResults": size}
        assert _walk_while_token(mturk_client, **params) == expected
        assert _walk_while_non_empty(mturk_client, **params) == expected


def test_every_non_empty_page_has_a_fresh_token_and_the_last_page_is_empty(mturk_client):
    create_type(mturk_client, "only")
    first = mturk_client.list_qualification_types(MustBeRequestable=True)
    again = mturk_client.list_qualification_types(MustBeRequestable=True)
    assert first["NumResults"] == 1 and first["NextToken"] != again["NextToken"]
    last = mturk_client.list_qualification_types(MustBeRequestable=True, NextToken=first["NextToken"])
    assert last["NumResults"] == 0 and last["QualificationTypes"] == [] and "NextToken" not in last
    empty = mturk_client.list_qualification_types(MustBeRequestable=True, MustBeOwnedByCaller=True, Query="zzz")
    assert empty["NumResults"] == 0 and "NextToken" not in empty


def test_boto3_paginator_walks_every_page(mturk_client):
    expected = [f"type {index:02}" for index in range(31)]
    for name in expected:
        create_type(mturk_client, name)
    paginator = mturk_client.get_paginator("list_qualification_types")
    pages = list(paginator.paginate(MustBeRequestable=True, PaginationConfig={"PageSize": 4}))
    assert [name for page in pages for name in _names(page)] == expected
    built = paginator.paginate(MustBeRequestable=True, PaginationConfig={"PageSize": 7}).build_full_result()
    assert [qual["Name"] for qual in built["QualificationTypes"]] == expected


@pytest.mark.parametrize("change", [{"Query": "other"}, {"MustBeOwnedByCaller": True}, {"MustBeRequestable": False}])
def test_tokens_are_bound_to_the_query_that_made_them(mturk_client, mturk_mock, change):
    for index in range(3):
        create_type(mturk_client, f"type {index}")
    token = mturk_client.list_qualification_types(MustBeRequestable=True, MaxResults=1)["NextToken"]
    parameter_error(
        lambda: mturk_client.list_qualification_types(
            **{"MustBeRequestable": True, "MaxResults": 1, **change}, NextToken=token
        ),
        "NextToken",
        mturk_mock,
    )
    other_requester = requester_client("AKIAOTHER")
    parameter_error(
        lambda: other_requester.list_qualification_types(MustBeRequestable=True, NextToken=token), "NextToken"
    )


@pytest.mark.parametrize("token", ["garbage", "Zm9vOmJhcg", "x" * 255, "YmFkOjk5OTk5OTk5OjE"])
def test_malformed_tokens_are_refused(mturk_client, mturk_mock, token):
    parameter_error(
        lambda: mturk_client.list_qualification_types(MustBeRequestable=True, NextToken=token), "NextToken", mturk_mock
    )


def test_order_is_creation_order_even_when_the_clock_goes_back(mturk_client, mturk_mock):
    create_type(mturk_client, "first")
    mturk_mock.clock.set(0)
    create_type(mturk_client, "second")
    assert _names(mturk_client.list_qualification_types(MustBeRequestable=True)) == ["first", "second"]


def test_inactive_types_are_listed_deleted_ones_are_not(mturk_client):
    create_type(mturk_client, "inactive", QualificationTypeStatus="Inactive")
    gone = create_type(mturk_client, "deleted")
    mturk_client.delete_qualification_type(QualificationTypeId=gone["QualificationTypeId"])
    assert _walk_while_token(mturk_client, MustBeRequestable=True) == ["inactive"]


def test_a_deep_page_looks_only_at_the_page(mturk_client, mturk_mock, monkeypatch):
    for index in range(300):
        create_type(mturk_client, f"type {index:03}")
    token, page = None, None
    for _ in range(29):
        page = mturk_client.list_qualification_types(
            MustBeRequestable=True, MaxResults=10, **({"NextToken": token} if token else {})
        )
        token = page["NextToken"]
    examined = []
    original = service.paginate

    def counting_paginate(operation, spec, ctx, request, listing):
        keep = listing.keep

        def counting_keep(item):
            examined.append(item)
            return keep is None or keep(item)

        listing.keep = counting_keep
        return original(operation, spec, ctx, request, listing)

    monkeypatch.setattr(service, "paginate", counting_paginate)
    deep = mturk_client.list_qualification_types(MustBeRequestable=True, MaxResults=10, NextToken=token)
    assert _names(deep) == [f"type {index:03}" for index in range(290, 300)]
    assert len(examined) == 10

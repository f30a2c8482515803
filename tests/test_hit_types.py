"""HIT types and QualificationRequirements (spec H§1.1, H§8.1, Q§3): identity, validation, echo."""

from __future__ import annotations

import pytest

from .helpers import (
    HIT_TYPE,
    create_hit,
    create_hit_type,
    create_type,
    parameter_error,
    request_error,
    requester_client,
)

LOCALE = "00000000000000000071"
SANDBOX_MASTERS, PRODUCTION_MASTERS = "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6", "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"


def _exists(type_id: str, **extra) -> dict:
    return {"QualificationTypeId": type_id, "Comparator": "Exists", **extra}


# -- identity --------------------------------------------------------------------------------------------


def test_identical_properties_give_the_same_hit_type(mturk_client):
    qual = create_type(mturk_client)["QualificationTypeId"]
    properties = {**HIT_TYPE, "Keywords": "images", "QualificationRequirements": [_exists(qual)]}
    first = create_hit_type(mturk_client, **properties)
    assert create_hit_type(mturk_client, **properties) == first
    assert create_hit_type(mturk_client, **properties, AutoApprovalDelayInSeconds=2592000) == first  # the default


@pytest.mark.parametrize(
    "change",
    [
        {"Title": "Other"},
        {"Description": "Other"},
        {"Reward": "0.26"},
        {"AssignmentDurationInSeconds": 601},
        {"AutoApprovalDelayInSeconds": 60},
        {"Keywords": ""},  # absent and "" echo differently, so they are different types
    ],
)
def test_any_other_property_gives_another_hit_type(mturk_client, change):
    assert create_hit_type(mturk_client) != create_hit_type(mturk_client, **change)


def test_requirements_in_another_order_are_another_hit_type(mturk_client):
    first, second = (create_type(mturk_client, name)["QualificationTypeId"] for name in ("a", "b"))
    one = create_hit_type(mturk_client, QualificationRequirements=[_exists(first), _exists(second)])
    other = create_hit_type(mturk_client, QualificationRequirements=[_exists(second), _exists(first)])
    assert one != other


def test_hit_types_are_per_requester(mturk_client):
    assert create_hit_type(mturk_client) != create_hit_type(requester_client("AKIAOTHERREQUESTER"))


def test_create_hit_registers_or_reuses_the_type(mturk_client):
    type_id = create_hit_type(mturk_client)
    hit = create_hit(mturk_client)  # the same properties through CreateHIT
    assert hit["HITTypeId"] == type_id
    assert hit["HITGroupId"] != type_id and len(hit["HITGroupId"]) == 30
    assert create_hit(mturk_client)["HITGroupId"] == hit["HITGroupId"]
    assert create_hit(mturk_client, Title="New")["HITTypeId"] != type_id


# -- validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("Title", ""),
        ("Title", " "),
        ("Title", "t" * 129),
        ("Description", "d" * 2001),
        ("Keywords", "k" * 1001),
        ("Reward", "0"),
        ("Reward", "0.00"),
        ("Reward", ".20"),
        ("Reward", "$1"),
        ("Reward", "0.123"),
    ],
)
def test_hit_type_text_limits(mturk_client, mturk_mock, parameter, value):
    parameter_error(lambda: create_hit_type(mturk_client, **{parameter: value}), parameter, mturk_mock)


@pytest.mark.parametrize(
    ("parameter", "value", "low", "high"),
    [
        ("AssignmentDurationInSeconds", 29, 30, 31536000),
        ("AssignmentDurationInSeconds", 31536001, 30, 31536000),
        ("AutoApprovalDelayInSeconds", 2592001, 0, 2592000),
    ],
)
def test_hit_type_durations_are_in_range(mturk_client, parameter, value, low, high):
    response = parameter_error(lambda: create_hit_type(mturk_client, **{parameter: value}), parameter)
    assert f"Valid values range from {low} to {high}." in response["Error"]["Message"]


def test_at_most_ten_requirements(mturk_client, mturk_mock):
    qual = create_type(mturk_client)["QualificationTypeId"]
    create_hit_type(mturk_client, QualificationRequirements=[_exists(qual)] * 10)
    parameter_error(
        lambda: create_hit_type(mturk_client, QualificationRequirements=[_exists(qual)] * 11),
        "QualificationRequirements",
        mturk_mock,
    )


@pytest.mark.parametrize(
    "requirement",
    [
        {"Comparator": "Exists", "IntegerValues": [1]},
        {"Comparator": "GreaterThan"},
        {"Comparator": "GreaterThan", "IntegerValues": [1, 2]},
        {"Comparator": "EqualTo", "IntegerValues": [1, 2]},
        {"Comparator": "In", "IntegerValues": list(range(16))},
        {"Comparator": "In"},
    ],
)
def test_comparators_take_values_of_their_kind_and_number(mturk_client, mturk_mock, requirement):
    qual = create_type(mturk_client)["QualificationTypeId"]
    parameter_error(
        lambda: create_hit_type(mturk_client, QualificationRequirements=[{"QualificationTypeId": qual, **requirement}]),
        "QualificationRequirements",
        mturk_mock,
    )


def test_two_locales_with_equal_to_get_the_observed_message(mturk_client, mturk_mock):
    locales = [{"Country": "US"}, {"Country": "CA"}]
    requirement = {"QualificationTypeId": LOCALE, "Comparator": "EqualTo", "LocaleValues": locales}
    response = parameter_error(
        lambda: create_hit_type(mturk_client, QualificationRequirements=[requirement]), "LocaleValue", mturk_mock
    )
    assert response["Error"]["Message"].startswith(
        'The value "US,CA" is not valid for the parameter LocaleValue. LocaleValue must be null when used with the '
        "EqualTo comparator.. ("
    )


def test_locales_on_another_type_are_refused_before_the_type_is_looked_up(mturk_client):
    requirement = {
        "QualificationTypeId": "3NOSUCHTYPE0000000000000000000",
        "Comparator": "EqualTo",
        "LocaleValues": [{"Country": "IT"}],
    }
    response = parameter_error(
        lambda: create_hit_type(mturk_client, QualificationRequirements=[requirement]), "LocaleValue"
    )
    assert response["Error"]["Message"].startswith('The value "IT" is not valid for the parameter LocaleValue.')


@pytest.mark.parametrize(
    ("locale", "parameter"),
    [
        ({"Country": "USA"}, "QualificationRequirements"),  # the model's two characters, checked first
        ({"Country": "u1"}, "LocaleValue"),
        ({"Country": "CA", "Subdivision": "ON"}, "LocaleValue"),
        ({"Country": "US", "Subdivision": "wa"}, "LocaleValue"),
    ],
)
def test_locale_values_are_country_codes_and_us_subdivisions(mturk_client, locale, parameter):
    requirement = {"QualificationTypeId": LOCALE, "Comparator": "In", "LocaleValues": [locale]}
    parameter_error(lambda: create_hit_type(mturk_client, QualificationRequirements=[requirement]), parameter)


def test_integer_values_never_go_with_the_locale_type(mturk_client):
    requirement = {"QualificationTypeId": LOCALE, "Comparator": "EqualTo", "IntegerValues": [1]}
    parameter_error(
        lambda: create_hit_type(mturk_client, QualificationRequirements=[requirement]), "QualificationRequirements"
    )


@pytest.mark.parametrize(
    "type_id",
    ["3NOSUCHTYPE0000000000000000000", PRODUCTION_MASTERS, "2F1KVCNHMVHV8E9PBUB2A4J79LU20F", "00000000000000000070"],
)
def test_a_type_unknown_here_does_not_exist(mturk_client, type_id):
    request_error(
        lambda: create_hit_type(mturk_client, QualificationRequirements=[_exists(type_id)]),
        "QualificationTypeDoesNotExist",
        f"QualificationType [{type_id}] does not exist.",
    )


@pytest.mark.mturk_mock(marketplace="production")
def test_the_sandbox_masters_id_does_not_exist_in_production(mturk_client):
    request_error(
        lambda: create_hit_type(mturk_client, QualificationRequirements=[_exists(SANDBOX_MASTERS)]),
        "QualificationTypeDoesNotExist",
        f"QualificationType [{SANDBOX_MASTERS}] does not exist.",
    )
    create_hit_type(mturk_client, QualificationRequirements=[_exists(PRODUCTION_MASTERS)])


def test_inactive_and_deleted_types_cannot_be_required(mturk_client):
    inactive = create_type(mturk_client, "inactive", QualificationTypeStatus="Inactive")["QualificationTypeId"]
    request_error(
        lambda: create_hit_type(mturk_client, QualificationRequirements=[_exists(inactive)]),
        "InvalidQualificationTypeState",
        f"QualificationType [{inactive}] is Inactive.",
    )
    deleted = create_type(mturk_client, "deleted")["QualificationTypeId"]
    mturk_client.delete_qualification_type(QualificationTypeId=deleted)
    request_error(
        lambda: create_hit_type(mturk_client, QualificationRequirements=[_exists(deleted)]),
        "InvalidQualificationTypeState",
        f"QualificationType [{deleted}] is Disposed.",
    )


def test_a_repeated_registration_checks_its_required_types_again(mturk_client):
    qual = create_type(mturk_client)["QualificationTypeId"]
    requirements = [_exists(qual)]
    type_id = create_hit_type(mturk_client, QualificationRequirements=requirements)
    assert create_hit(mturk_client, QualificationRequirements=requirements)["HITTypeId"] == type_id
    registrations = (
        lambda: create_hit_type(mturk_client, QualificationRequirements=requirements),
        lambda: create_hit(mturk_client, QualificationRequirements=requirements),
    )
    mturk_client.update_qualification_type(QualificationTypeId=qual, QualificationTypeStatus="Inactive")
    for register in registrations:
        request_error(register, "InvalidQualificationTypeState", f"QualificationType [{qual}] is Inactive.")
    mturk_client.update_qualification_type(QualificationTypeId=qual, QualificationTypeStatus="Active")
    assert create_hit_type(mturk_client, QualificationRequirements=requirements) == type_id
    mturk_client.delete_qualification_type(QualificationTypeId=qual)
    for register in registrations:
        request_error(register, "InvalidQualificationTypeState", f"QualificationType [{qual}] is Disposed.")


def test_system_types_and_other_requesters_types_may_be_required(mturk_client):
    foreign = create_type(requester_client("AKIAOTHERREQUESTER"), "theirs")["QualificationTypeId"]
    requirements = [
        _exists(SANDBOX_MASTERS),
        {"QualificationTypeId": "000000000000000000L0", "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [95]},
        {"QualificationTypeId": "00000000000000000040", "Comparator": "GreaterThan", "IntegerValues": [100]},
        {"QualificationTypeId": "00000000000000000060", "Comparator": "EqualTo", "IntegerValues": [1]},
        {"QualificationTypeId": LOCALE, "Comparator": "In", "LocaleValues": [{"Country": "US", "Subdivision": "WA"}]},
        _exists(foreign),
    ]
    create_hit_type(mturk_client, QualificationRequirements=requirements)


# -- echo --------------------------------------------------------------------------------------------------


def test_requirements_are_echoed_as_given_in_order(mturk_client):
    first, second = (create_type(mturk_client, name)["QualificationTypeId"] for name in ("a", "b"))
    requirements = [
        {
            "QualificationTypeId": second,
            "Comparator": "In",
            "IntegerValues": [3, 1, 2],
            "ActionsGuarded": "DiscoverPreviewAndAccept",
        },
        {"QualificationTypeId": first, "Comparator": "DoesNotExist"},
        {"QualificationTypeId": LOCALE, "Comparator": "EqualTo", "LocaleValues": [{"Country": "US"}]},
    ]
    hit = create_hit(mturk_client, QualificationRequirements=requirements)
    assert hit["QualificationRequirements"] == requirements
    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["QualificationRequirements"] == requirements


def test_required_to_preview_is_echoed_with_the_actions_it_guards(mturk_client):
    """Observed (Dallinger#2438): RequiredToPreview alone comes back with ActionsGuarded too."""
    qual = create_type(mturk_client)["QualificationTypeId"]
    hit = create_hit(mturk_client, QualificationRequirements=[_exists(qual, RequiredToPreview=True)])
    assert hit["QualificationRequirements"] == [
        _exists(qual, RequiredToPreview=True, ActionsGuarded="PreviewAndAccept")
    ]


def test_a_hit_without_requirements_has_an_empty_list(mturk_client):
    assert create_hit(mturk_client)["QualificationRequirements"] == []


def test_create_hit_with_hit_type_adds_nothing_to_the_requirements(mturk_client):
    qual = create_type(mturk_client)["QualificationTypeId"]
    type_id = create_hit_type(mturk_client, QualificationRequirements=[_exists(qual)])
    hit = create_hit(mturk_client, type_id)
    assert [item["QualificationTypeId"] for item in hit["QualificationRequirements"]] == [qual]


# -- lifetime of a type --------------------------------------------------------------------------------------


def test_deleting_a_required_qualification_type_disposes_the_hit_type_not_its_hits(mturk_client):
    qual = create_type(mturk_client)["QualificationTypeId"]
    type_id = create_hit_type(mturk_client, QualificationRequirements=[_exists(qual)])
    hit = create_hit(mturk_client, type_id)
    mturk_client.delete_qualification_type(QualificationTypeId=qual)
    request_error(
        lambda: create_hit(mturk_client, type_id), "HITTypeDoesNotExist", f"HITType {type_id} does not exist."
    )
    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Assignable"


def test_another_requesters_hit_type_does_not_exist(mturk_client):
    type_id = create_hit_type(requester_client("AKIAOTHERREQUESTER"))
    request_error(
        lambda: create_hit(mturk_client, type_id), "HITTypeDoesNotExist", f"HITType {type_id} does not exist."
    )

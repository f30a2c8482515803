"""Why a request was refused (issue 18, point 1): the wire answer stays exactly the service's, and the
reason is beside it, on the call record (``CallRecord.detail``), for every class of XML failure, every
constraint of the compiled validators and every requirement shape rule."""

from __future__ import annotations

import logging
import re

import boto3
import pytest
from botocore.config import Config

from .helpers import HIT_TYPE, SUFFIX, create_type, parameter_error
from .samples import AK, ANSWER_KEY, EXTERNAL_QUESTION, QF17, SCHEMAS, TEST

LOCALE = "00000000000000000071"
GOOD_KEY_QUESTION = "<Question><QuestionIdentifier>sky</QuestionIdentifier><AnswerOption>"
# A client that sends what botocore would refuse, as a client with parameter validation off does.
UNCHECKED = Config(parameter_validation=False)


def refusal(mock, call, parameter: str, value: str | None = None) -> str:
    """Run ``call``: ParameterValidationError on ``parameter`` with the service's wire body and nothing
    more; returns the call record's detail."""
    parameter_error(call, parameter, mock)
    record = mock.calls[-1]
    wire = record.response
    assert set(wire) == {"Message", "Parameter", "TurkErrorCode", "__type"}, wire  # no detail on the wire
    if value is not None:
        text = SUFFIX.sub("", wire["Message"])
        assert text == f'The value "{value}" is not valid for the parameter {parameter}.', text
    assert record.detail, record
    return record.detail


def create_with_test(client, test: str, **extra):
    return lambda: create_type(client, Test=test, TestDurationInSeconds=60, **extra)


# -- XML: Test, AnswerKey, Question ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "reason"),
    [
        ("<QuestionForm><Question>", r"^Test: not well-formed XML: .*line 1, column"),
        (TEST.replace(f' xmlns="{QF17}"', ""), r"^Test: QuestionForm has no namespace; expected '.*2017-11-06"),
        (TEST.replace(QF17, SCHEMAS + "2099-01-01/QuestionForm.xsd"), r"namespace '.*2099-01-01.*'; expected"),
        ('<!DOCTYPE QuestionForm [<!ENTITY x "y">]>' + TEST, r"^Test: a DOCTYPE \(DTD\) is not allowed$"),
        (f'<AnswerKey xmlns="{AK}"/>', r"^Test: the root element must be QuestionForm, not AnswerKey$"),
        (TEST.replace("primaries", "sky"), r"duplicate QuestionIdentifier 'sky'"),
        (TEST.replace("<Overview>", "<Overvue>").replace("</Overview>", "</Overvue>"), r"unexpected element Overvue"),
    ],
    ids=["malformed", "no-namespace", "wrong-namespace", "dtd", "wrong-root", "duplicate-question", "unknown-element"],
)
def test_a_refused_test_says_why(mturk_mock, mturk_client, test, reason):
    detail = refusal(mturk_mock, create_with_test(mturk_client, test), "Test", test)
    assert re.search(reason, detail), detail


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (ANSWER_KEY[:-5], r"^AnswerKey: not well-formed XML"),
        (ANSWER_KEY.replace(f' xmlns="{AK}"', ""), r"^AnswerKey: AnswerKey has no namespace"),
        (
            ANSWER_KEY.replace("<QuestionIdentifier>sky<", "<QuestionIdentifier>moon<"),
            r"^AnswerKey: question 'moon' is not in the QuestionForm$",
        ),
        (
            ANSWER_KEY.replace("<SelectionIdentifier>blue<", "<SelectionIdentifier>purple<"),
            r"^AnswerKey: question 'sky' has no selection 'purple'$",
        ),
        ('<!DOCTYPE AnswerKey SYSTEM "http://127.0.0.1:1/x.dtd">' + ANSWER_KEY, r"DOCTYPE \(DTD\) is not allowed"),
    ],
    ids=["malformed", "no-namespace", "unknown-question", "unknown-selection", "dtd"],
)
def test_a_refused_answer_key_says_why(mturk_mock, mturk_client, key, reason):
    detail = refusal(mturk_mock, create_with_test(mturk_client, TEST, AnswerKey=key), "AnswerKey", key)
    assert re.search(reason, detail), detail


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        (ANSWER_KEY, r"^Question: the root element must be ExternalQuestion or HTMLQuestion or QuestionForm, not"),
        (EXTERNAL_QUESTION.replace("2006-07-14", "2006-07-15"), r"ExternalQuestion has namespace '.*2006-07-15"),
        (EXTERNAL_QUESTION[:-3], r"^Question: not well-formed XML"),
        (EXTERNAL_QUESTION.replace("<FrameHeight>600", "<FrameHeight>tall"), r"FrameHeight must be an integer"),
    ],
    ids=["wrong-root", "wrong-namespace", "malformed", "bad-frame-height"],
)
def test_a_refused_question_says_why(mturk_mock, mturk_client, question, reason):
    create = lambda: mturk_client.create_hit(  # noqa: E731
        **HIT_TYPE, LifetimeInSeconds=3600, MaxAssignments=1, Question=question
    )
    detail = refusal(mturk_mock, create, "Question", question)
    assert re.search(reason, detail), detail


def test_a_non_https_external_url_keeps_the_services_message_and_says_why(mturk_mock, mturk_client):
    url = "http://tasks.example.org/label"
    question = EXTERNAL_QUESTION.replace("https://tasks.example.org/label?batch=7", url)
    detail = refusal(
        mturk_mock,
        lambda: mturk_client.create_hit(**HIT_TYPE, LifetimeInSeconds=3600, MaxAssignments=1, Question=question),
        "ExternalURL",
    )
    message = mturk_mock.calls[-1].response["Message"]
    assert message.startswith(f'The value "{url}" is not valid for the parameter ExternalURL. This URL must use')
    assert detail == f"ExternalURL {url!r} must be an https URL"


def test_a_question_and_a_layout_together_say_which_rule(mturk_mock, mturk_client):
    detail = refusal(
        mturk_mock,
        lambda: mturk_client.create_hit(
            **HIT_TYPE, LifetimeInSeconds=3600, MaxAssignments=1, Question=EXTERNAL_QUESTION, HITLayoutId="L1"
        ),
        "Question",
    )
    assert detail == "give exactly one of Question and HITLayoutId, not both"


# -- the compiled validators of the service model ----------------------------------------------------


@pytest.fixture
def unchecked():
    """A sandbox client without botocore's own parameter validation: the mock's validators answer."""
    return boto3.client("mturk", region_name="sandbox", config=UNCHECKED)


def test_validators_name_the_constraint_that_failed(mturk_mock, unchecked):
    enum = refusal(
        mturk_mock,
        lambda: unchecked.create_qualification_type(Name="n", Description="d", QualificationTypeStatus="Open"),
        "QualificationTypeStatus",
        "Open",
    )
    assert enum == "QualificationTypeStatus must be one of Active, Inactive"

    pattern = refusal(mturk_mock, lambda: unchecked.get_hit(HITId="lower-case"), "HITId", "lower-case")
    assert pattern == "HITId does not match the pattern ^[A-Z0-9]+$"

    too_long = refusal(mturk_mock, lambda: unchecked.get_hit(HITId="A" * 65), "HITId")
    assert too_long == "HITId is 65 characters long; the maximum is 64"

    too_short = refusal(mturk_mock, lambda: unchecked.list_hits(NextToken=""), "NextToken")
    assert too_short == "NextToken is 0 characters long; the minimum is 1"

    unicode = refusal(mturk_mock, lambda: unchecked.get_hit(HITId="\udc00"), "HITId")
    assert "does not match the pattern" in unicode

    required = refusal(
        mturk_mock,
        lambda: unchecked.create_hit_type(**HIT_TYPE, QualificationRequirements=[{"QualificationTypeId": LOCALE}]),
        "QualificationRequirements",
    )
    assert required == "Comparator is required in QualificationRequirements"


def test_a_value_out_of_range_says_the_range(mturk_mock, unchecked):
    parameter_error(lambda: unchecked.list_hits(MaxResults=500), "MaxResults", mturk_mock)
    assert mturk_mock.calls[-1].detail == "MaxResults 500 is outside 1..100"


# -- requirement shapes, model limits, tokens ---------------------------------------------------------


@pytest.mark.parametrize(
    ("requirements", "parameter", "reason"),
    [
        (
            [{"QualificationTypeId": "3" * 30, "Comparator": "EqualTo", "LocaleValues": [{"Country": "US"}]}],
            "LocaleValue",
            "LocaleValues go only with Worker_Locale (00000000000000000071)",
        ),
        (
            [{"QualificationTypeId": LOCALE, "Comparator": "EqualTo", "LocaleValues": [{"Country": "US"}] * 2}],
            "LocaleValue",
            "the EqualTo comparator takes one LocaleValue, not 2; use In or NotIn",
        ),
        (
            [{"QualificationTypeId": "3" * 30, "Comparator": "Exists", "IntegerValues": [1]}],
            "QualificationRequirements",
            "IntegerValues not allowed here: Exists takes no values",
        ),
        (
            [{"QualificationTypeId": "3" * 30, "Comparator": "GreaterThan", "IntegerValues": [1, 2]}],
            "QualificationRequirements",
            "the GreaterThan comparator takes exactly one value",
        ),
        (
            [{"QualificationTypeId": "3" * 30, "Comparator": "In", "IntegerValues": list(range(16))}],
            "QualificationRequirements",
            "the In comparator takes 1 to 15 IntegerValues or 1 to 30 LocaleValues",
        ),
        (
            [{"QualificationTypeId": "3" * 30, "Comparator": "Exists"}] * 11,
            "QualificationRequirements",
            "11 requirements; at most 10 are allowed",
        ),
        (
            [{"QualificationTypeId": LOCALE, "Comparator": "In", "LocaleValues": [{"Country": "us"}]}],
            "LocaleValue",
            "Country 'us' is not two upper-case letters (ISO 3166-1)",
        ),
        (
            [
                {
                    "QualificationTypeId": LOCALE,
                    "Comparator": "In",
                    "LocaleValues": [{"Country": "DE", "Subdivision": "BY"}],
                }
            ],
            "LocaleValue",
            "a Subdivision is two upper-case letters, and only in the US",
        ),
    ],
    ids=[
        "locale-type",
        "locale-count",
        "presence-values",
        "ordering-count",
        "in-count",
        "eleven",
        "country",
        "subdivision",
    ],
)
def test_requirement_shape_rules_say_which_rule(mturk_mock, mturk_client, requirements, parameter, reason):
    detail = refusal(
        mturk_mock, lambda: mturk_client.create_hit_type(**HIT_TYPE, QualificationRequirements=requirements), parameter
    )
    assert detail == reason


def test_model_limits_say_which_limit(mturk_mock, mturk_client):
    assert refusal(mturk_mock, lambda: create_type(mturk_client, Description="d" * 2001), "Description") == (
        "Description is 2001 characters; the limit is 2000"
    )
    assert refusal(mturk_mock, lambda: create_type(mturk_client, AnswerKey=ANSWER_KEY), "AnswerKey") == (
        "an AnswerKey needs a Test in the same call"
    )
    assert refusal(mturk_mock, lambda: create_type(mturk_client, Test=TEST), "TestDurationInSeconds") == (
        "a Test needs TestDurationInSeconds"
    )
    reward = refusal(mturk_mock, lambda: mturk_client.create_hit_type(**{**HIT_TYPE, "Reward": "0.001"}), "Reward")
    assert reward == r"Reward does not match the pattern ^[0-9]+(\.)?[0-9]{0,2}$"
    reward = refusal(mturk_mock, lambda: mturk_client.create_hit_type(**{**HIT_TYPE, "Reward": "0.00"}), "Reward")
    assert reward == "Reward must be at least 0.01"
    token = refusal(mturk_mock, lambda: mturk_client.list_hits(NextToken="forged.token"), "NextToken")
    assert token.startswith("NextToken was not made by this operation")


# -- where the reason shows ---------------------------------------------------------------------------


def test_the_reason_is_in_the_records_repr_and_the_log(mturk_mock, mturk_client, caplog):
    with caplog.at_level(logging.INFO, logger="mturk_mock"), pytest.raises(mturk_client.exceptions.ClientError):
        create_type(mturk_client, Test="<QuestionForm/>", TestDurationInSeconds=60)
    record = mturk_mock.calls[-1]
    assert repr(record).endswith(
        "ParameterValidationError: Test: QuestionForm has no namespace; expected "
        f"'{QF17}' or '{SCHEMAS}2005-10-01/QuestionForm.xsd'>"
    )
    assert f"CreateQualificationType refused with ParameterValidationError: {record.detail}" in caplog.text


def test_answers_that_need_no_explanation_have_no_detail(mturk_mock, mturk_client):
    create_type(mturk_client)
    with pytest.raises(mturk_client.exceptions.RequestError):
        create_type(mturk_client)  # a duplicate name: the service's message says it all
    assert [call.detail for call in mturk_mock.calls] == [None, None]

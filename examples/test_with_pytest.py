"""The tests a project writes for its own MTurk code, with the mturk_mock pytest plugin.

    python3 -m pytest examples/test_with_pytest.py

The plugin comes with the package (no conftest.py needed). ``publish_survey`` stands for the project's
code: it takes a boto3 client, so tests hand it the fixture's ``mturk_client``, and code that builds its
own client with ``boto3.client("mturk", ...)`` is answered by the same mock.
"""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

# The fixture named ``mturk_mock`` hides a module imported as ``import mturk_mock`` inside the tests that take
# it; import the names you need instead (or ``import mturk_mock as mtm``).
from mturk_mock import current

SCHEMAS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas"
SURVEY = (
    f'<ExternalQuestion xmlns="{SCHEMAS}/2006-07-14/ExternalQuestion.xsd">'
    "<ExternalURL>https://survey.example.org/start</ExternalURL><FrameHeight>600</FrameHeight>"
    "</ExternalQuestion>"
)
COLOUR_TEST = f"""<QuestionForm xmlns="{SCHEMAS}/2017-11-06/QuestionForm.xsd">
  <Question>
    <QuestionIdentifier>sky</QuestionIdentifier>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>What colour is a clear midday sky?</Text></QuestionContent>
    <AnswerSpecification>
      <SelectionAnswer>
        <Selections>
          <Selection><SelectionIdentifier>blue</SelectionIdentifier><Text>Blue</Text></Selection>
          <Selection><SelectionIdentifier>green</SelectionIdentifier><Text>Green</Text></Selection>
        </Selections>
      </SelectionAnswer>
    </AnswerSpecification>
  </Question>
</QuestionForm>"""
COLOUR_KEY = f"""<AnswerKey xmlns="{SCHEMAS}/2005-10-01/AnswerKey.xsd">
  <Question>
    <QuestionIdentifier>sky</QuestionIdentifier>
    <AnswerOption><SelectionIdentifier>blue</SelectionIdentifier><AnswerScore>100</AnswerScore></AnswerOption>
  </Question>
</AnswerKey>"""


# -- the project's code -----------------------------------------------------------------------------------


def publish_survey(client, workers: int = 3) -> str:
    """Publish one survey HIT for workers who passed the colour test; returns the HIT's ID."""
    qualification = client.create_qualification_type(
        Name="Colour vision",
        Description="Tells blue from green",
        QualificationTypeStatus="Active",
        Test=COLOUR_TEST,
        AnswerKey=COLOUR_KEY,
        TestDurationInSeconds=300,
    )["QualificationType"]
    hit = client.create_hit(
        Title="A two-minute survey",
        Description="Answer five questions about colours",
        Reward="0.50",
        AssignmentDurationInSeconds=600,
        LifetimeInSeconds=86400,
        MaxAssignments=workers,
        Question=SURVEY,
        QualificationRequirements=[
            {
                "QualificationTypeId": qualification["QualificationTypeId"],
                "Comparator": "GreaterThanOrEqualTo",
                "IntegerValues": [100],
            }
        ],
    )["HIT"]
    return hit["HITId"]


# -- its tests ------------------------------------------------------------------------------------------


def test_the_survey_is_published_for_qualified_workers(mturk_client, mturk_mock):
    hit_id = publish_survey(mturk_client)

    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["MaxAssignments"], hit["Reward"]) == ("Assignable", 3, "0.50")
    assert [call.operation for call in mturk_mock.calls] == ["CreateQualificationType", "CreateHIT", "GetHIT"]


def test_a_worker_who_passes_the_test_can_take_the_survey(mturk_client, mturk_mock):
    hit_id = publish_survey(mturk_client)
    type_id = mturk_client.get_hit(HITId=hit_id)["HIT"]["QualificationRequirements"][0]["QualificationTypeId"]

    good, poor = mturk_mock.worker(), mturk_mock.worker()  # simulated workers: what happens on the website
    assert good.request_qualification(type_id, answers={"sky": "blue"}).value == 100
    assert poor.request_qualification(type_id, answers={"sky": "green"}).value == 0
    assignment = good.accept(hit_id)
    assignment.submit({"answer": "blue"})

    submitted = mturk_client.list_assignments_for_hit(HITId=hit_id)["Assignments"]
    assert [(item["WorkerId"], item["AssignmentStatus"]) for item in submitted] == [(good.worker_id, "Submitted")]


def test_the_survey_expires_on_the_mock_clock(mturk_client, mturk_mock):
    mturk_mock.clock.freeze()  # time moves only when the test moves it
    published = mturk_mock.clock.datetime()  # an aware UTC datetime; clock.now() is the same instant in epoch seconds
    hit_id = publish_survey(mturk_client)
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["Expiration"] == published + timedelta(days=1)

    mturk_mock.clock.advance(days=1)  # no waiting: the HIT's lifetime passes on the mock's clock
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"


def test_a_refusal_says_why_beside_the_services_answer(mturk_client, mturk_mock):
    with pytest.raises(ClientError) as refused:
        mturk_client.create_qualification_type(
            Name="Broken",
            Description="d",
            QualificationTypeStatus="Active",
            Test="<QuestionForm/>",
            TestDurationInSeconds=60,
        )
    assert refused.value.response["Error"]["Code"] == "ParameterValidationError"  # all the service says
    assert mturk_mock.calls[-1].detail.startswith("Test: QuestionForm has no namespace")  # what the mock knows


@pytest.mark.mturk_mock(marketplace="production", seed=7)
def test_production_with_options_from_the_marker(mturk_mock):
    client = boto3.client("mturk", region_name="us-east-1")  # production: the default endpoint of us-east-1
    publish_survey(client)
    assert mturk_mock is current() and mturk_mock.calls[-1].marketplace == "production"
    balance = client.get_account_balance()
    assert (balance["AvailableBalance"], balance["OnHoldBalance"]) == ("9998.20", "1.80")  # 3 x (0.50 + 20 %)

"""A requester creates a qualification type with a test and an answer key; three simulated workers
take it; the script lists who qualified and with which score.

    python3 examples/qualification_test_workflow.py
"""

from __future__ import annotations

import boto3

from mturk_mock import mock_mturk

SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
SCHEMAS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas"


def selection_question(identifier: str, text: str, options: dict[str, str], most: int = 1) -> str:
    selections = "".join(
        f"<Selection><SelectionIdentifier>{key}</SelectionIdentifier><Text>{label}</Text></Selection>"
        for key, label in options.items()
    )
    return (
        f"<Question><QuestionIdentifier>{identifier}</QuestionIdentifier><IsRequired>true</IsRequired>"
        f"<QuestionContent><Text>{text}</Text></QuestionContent><AnswerSpecification><SelectionAnswer>"
        f"<MinSelectionCount>1</MinSelectionCount><MaxSelectionCount>{most}</MaxSelectionCount>"
        f"<Selections>{selections}</Selections></SelectionAnswer></AnswerSpecification></Question>"
    )


TEST = (
    f'<QuestionForm xmlns="{SCHEMAS}/2017-11-06/QuestionForm.xsd">'
    "<Overview><Title>Bird identification</Title><Text>Three questions about garden birds.</Text></Overview>"
    + selection_question("robin", "What colour is a robin's breast?", {"red": "Red", "blue": "Blue"})
    + selection_question("crow", "Which of these are crows?", {"rook": "Rook", "jay": "Jay", "wren": "Wren"}, 3)
    + selection_question("owl", "When do owls mostly hunt?", {"night": "At night", "noon": "At noon"})
    + "</QuestionForm>"
)

ANSWER_KEY = (
    f'<AnswerKey xmlns="{SCHEMAS}/2005-10-01/AnswerKey.xsd">'
    "<Question><QuestionIdentifier>robin</QuestionIdentifier><AnswerOption>"
    "<SelectionIdentifier>red</SelectionIdentifier><AnswerScore>1</AnswerScore></AnswerOption></Question>"
    "<Question><QuestionIdentifier>crow</QuestionIdentifier><AnswerOption>"
    "<SelectionIdentifier>rook</SelectionIdentifier><SelectionIdentifier>jay</SelectionIdentifier>"
    "<AnswerScore>2</AnswerScore></AnswerOption><AnswerOption><SelectionIdentifier>rook</SelectionIdentifier>"
    "<AnswerScore>1</AnswerScore></AnswerOption></Question>"
    "<Question><QuestionIdentifier>owl</QuestionIdentifier><AnswerOption>"
    "<SelectionIdentifier>night</SelectionIdentifier><AnswerScore>1</AnswerScore></AnswerOption></Question>"
    "<QualificationValueMapping><PercentageMapping><MaximumSummedScore>4</MaximumSummedScore>"
    "</PercentageMapping></QualificationValueMapping></AnswerKey>"
)

ANSWERS = {
    "expert": {"robin": "red", "crow": ["jay", "rook"], "owl": "night"},
    "partial": {"robin": "red", "crow": ["rook"], "owl": "noon"},
    "guesser": {"robin": "blue", "crow": ["wren"]},
}


def main() -> None:
    with mock_mturk(seed=2026) as mturk:
        client = boto3.client(
            "mturk",
            region_name="us-east-1",
            endpoint_url=SANDBOX,
            aws_access_key_id="AKIAEXAMPLEREQUESTER",
            aws_secret_access_key="not-used",
        )
        qual = client.create_qualification_type(
            Name="Garden bird expert",
            Description="Scored test on garden birds",
            QualificationTypeStatus="Active",
            Test=TEST,
            AnswerKey=ANSWER_KEY,
            TestDurationInSeconds=900,
            RetryDelayInSeconds=86400,
        )["QualificationType"]
        print(f"created {qual['Name']} ({qual['QualificationTypeId']}), test of {len(TEST)} bytes")

        for label, answers in ANSWERS.items():
            worker = mturk.worker()
            outcome = worker.request_qualification(qual["QualificationTypeId"], answers=answers)
            print(f"  {label:<8} {worker.worker_id} took the test: {outcome.status}, score {outcome.value}")

        print("workers holding the qualification (score >= 50 qualifies for our HITs):")
        paginator = client.get_paginator("list_workers_with_qualification_type")
        for page in paginator.paginate(QualificationTypeId=qual["QualificationTypeId"]):
            for grant in page["Qualifications"]:
                verdict = "qualified" if grant["IntegerValue"] >= 50 else "not qualified"
                print(f"  {grant['WorkerId']}  score {grant['IntegerValue']:>3}  {verdict}")


if __name__ == "__main__":
    main()

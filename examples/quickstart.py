"""A requester's whole job against the mock, start to finish, with the context manager.

    python3 examples/quickstart.py

A qualification test scored by an answer key, a HIT that requires a passing score, simulated workers
who take the test and do the HIT, and the requester's side through boto3: poll for submitted work,
read the answers, approve, pay a bonus, let the HIT expire on the mock clock, and delete it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import boto3

from mturk_mock import WorkerError, mock_mturk

SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
SCHEMAS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas"
TEST = (
    f'<QuestionForm xmlns="{SCHEMAS}/2017-11-06/QuestionForm.xsd"><Question>'
    "<QuestionIdentifier>purrs</QuestionIdentifier><QuestionContent><Text>Which animal purrs?</Text>"
    "</QuestionContent><AnswerSpecification><SelectionAnswer><Selections>"
    "<Selection><SelectionIdentifier>cat</SelectionIdentifier><Text>A cat</Text></Selection>"
    "<Selection><SelectionIdentifier>dog</SelectionIdentifier><Text>A dog</Text></Selection>"
    "</Selections></SelectionAnswer></AnswerSpecification></Question></QuestionForm>"
)
ANSWER_KEY = (
    f'<AnswerKey xmlns="{SCHEMAS}/2005-10-01/AnswerKey.xsd"><Question><QuestionIdentifier>purrs'
    "</QuestionIdentifier><AnswerOption><SelectionIdentifier>cat</SelectionIdentifier>"
    "<AnswerScore>100</AnswerScore></AnswerOption></Question></AnswerKey>"
)
TASK = (
    f'<ExternalQuestion xmlns="{SCHEMAS}/2006-07-14/ExternalQuestion.xsd">'
    "<ExternalURL>https://tasks.example.org/label?photo=17</ExternalURL><FrameHeight>600</FrameHeight>"
    "</ExternalQuestion>"
)


def answers_of(assignment: dict[str, str]) -> dict[str, str]:
    """The QuestionFormAnswers document of an assignment as {QuestionIdentifier: FreeText}."""
    root = ElementTree.fromstring(assignment["Answer"])
    namespace = {"a": root.tag[1:].partition("}")[0]}
    return {
        answer.findtext("a:QuestionIdentifier", namespaces=namespace) or "": answer.findtext(
            "a:FreeText", namespaces=namespace
        )
        or ""
        for answer in root.findall("a:Answer", namespace)
    }


def main() -> None:
    with mock_mturk(seed=7) as mturk:
        mturk.clock.freeze(1_800_000_000)
        client = boto3.client(
            "mturk",
            region_name="us-east-1",
            endpoint_url=SANDBOX,
            aws_access_key_id="AKIAEXAMPLEREQUESTER",
            aws_secret_access_key="not-used",
        )
        print("sandbox balance:", client.get_account_balance()["AvailableBalance"])

        qualification = client.create_qualification_type(
            Name="Cat spotter",
            Description="Knows which animal purrs",
            QualificationTypeStatus="Active",
            Test=TEST,
            AnswerKey=ANSWER_KEY,
            TestDurationInSeconds=300,
        )["QualificationType"]["QualificationTypeId"]
        hit = client.create_hit(
            Title="Is there a cat in this photo?",
            Description="Look at one photo and answer yes or no",
            Reward="0.50",
            AssignmentDurationInSeconds=600,
            LifetimeInSeconds=3600,
            MaxAssignments=2,
            Question=TASK,
            QualificationRequirements=[
                {"QualificationTypeId": qualification, "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [100]}
            ],
        )["HIT"]
        print("published HIT", hit["HITId"], "status", hit["HITStatus"])

        alice, bob = mturk.worker("A1ALICE0000001"), mturk.worker("A1BOB000000001")
        print("alice's test:", alice.start_test(qualification).submit({"purrs": "cat"}))
        print("bob's test:", bob.start_test(qualification).submit({"purrs": "dog"}))
        try:
            bob.accept(hit["HITId"])
        except WorkerError as refused:
            print("bob may not accept:", refused)
        work = alice.accept(hit["HITId"])
        print("alice works in the frame at", work.url)
        work.submit({"cat": "yes"})

        submitted = client.list_assignments_for_hit(HITId=hit["HITId"], AssignmentStatuses=["Submitted"])
        for assignment in submitted["Assignments"]:
            print(assignment["WorkerId"], "answered", answers_of(assignment))
            client.approve_assignment(AssignmentId=assignment["AssignmentId"], RequesterFeedback="Thanks!")
            client.send_bonus(
                WorkerId=assignment["WorkerId"],
                AssignmentId=assignment["AssignmentId"],
                BonusAmount="0.25",
                Reason="Careful work",
                UniqueRequestToken=f"bonus-{assignment['AssignmentId']}",
            )
        payments = client.list_bonus_payments(HITId=hit["HITId"])["BonusPayments"]
        print("bonuses paid:", [payment["BonusAmount"] for payment in payments])

        mturk.clock.advance(hours=1)  # the HIT's lifetime ends: it becomes Reviewable
        reviewable = client.list_reviewable_hits()["HITs"]
        print("reviewable after an hour:", [(h["HITId"], h["NumberOfAssignmentsCompleted"]) for h in reviewable])
        client.delete_hit(HITId=hit["HITId"])
        # The sandbox's balance is always 10000.00; in production (marketplace="production") the reward,
        # the bonus and MTurk's fees come off it.
        print("sandbox balance at the end:", client.get_account_balance()["AvailableBalance"])
        print("calls answered by the mock:", len(mturk.calls), "- none left the process")


if __name__ == "__main__":
    main()

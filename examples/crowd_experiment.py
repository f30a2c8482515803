"""A complete experiment in production with a simulated crowd: a qualification test with an answer key,
HITs that require a passing score, a crowd that takes the test and works the HITs as the clock runs, a
requester who approves and rejects from the answers and pays bonuses, and the clock running out the rest
(auto-approval, expiry). Every figure printed is the same on every run (the mock and the crowd are seeded).

    python3 examples/crowd_experiment.py
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import boto3
from botocore.exceptions import ClientError

from mturk_mock import Choice, WorkerProfile, mock_mturk

PRODUCTION = "https://mturk-requester.us-east-1.amazonaws.com"
SCHEMAS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas"


def selection(identifier: str, text: str, options: list[str], content: str = "") -> str:
    choices = "".join(
        f"<Selection><SelectionIdentifier>{option}</SelectionIdentifier><Text>{option}</Text></Selection>"
        for option in options
    )
    return (
        f"<Question><QuestionIdentifier>{identifier}</QuestionIdentifier><IsRequired>true</IsRequired>"
        f"<QuestionContent><Text>{text}</Text>{content}</QuestionContent><AnswerSpecification>"
        f"<SelectionAnswer><Selections>{choices}</Selections></SelectionAnswer></AnswerSpecification></Question>"
    )


def form(*questions: str) -> str:
    return f'<QuestionForm xmlns="{SCHEMAS}/2017-11-06/QuestionForm.xsd">{"".join(questions)}</QuestionForm>'


TEST = form(
    selection("whiskers", "Which animal has whiskers and purrs?", ["cat", "dog", "fish"]),
    selection("barks", "Which animal barks?", ["cat", "dog", "fish"]),
)
ANSWER_KEY = (
    f'<AnswerKey xmlns="{SCHEMAS}/2005-10-01/AnswerKey.xsd">'
    "<Question><QuestionIdentifier>whiskers</QuestionIdentifier><AnswerOption>"
    "<SelectionIdentifier>cat</SelectionIdentifier><AnswerScore>1</AnswerScore></AnswerOption></Question>"
    "<Question><QuestionIdentifier>barks</QuestionIdentifier><AnswerOption>"
    "<SelectionIdentifier>dog</SelectionIdentifier><AnswerScore>1</AnswerScore></AnswerOption></Question>"
    "<QualificationValueMapping><PercentageMapping><MaximumSummedScore>2</MaximumSummedScore>"
    "</PercentageMapping></QualificationValueMapping></AnswerKey>"
)


def photo_question(animal: str, number: int) -> str:
    photo = (
        "<Binary><MimeType><Type>image</Type><SubType>jpg</SubType></MimeType>"
        f"<DataURL>https://photos.example.org/{animal}-{number}.jpg</DataURL><AltText>photo {number}</AltText></Binary>"
    )
    return form(selection("animal", "What animal is in the photo?", ["cat", "dog"], photo))


def answer(task, worker) -> dict[str, str]:
    """A worker looks at the photo and is right as often as their accuracy says."""
    truth = "cat" if "/cat-" in task.question else "dog"
    right = worker.random.random() < worker.traits["accuracy"]
    return {"animal": truth if right else {"cat": "dog", "dog": "cat"}[truth]}


def main() -> None:
    with mock_mturk(marketplace="production", seed=2026) as mturk:
        mturk.clock.freeze(1_800_000_000)
        client = boto3.client(
            "mturk",
            region_name="us-east-1",
            endpoint_url=PRODUCTION,
            aws_access_key_id="AKIAEXAMPLEREQUESTER",
            aws_secret_access_key="not used",
        )
        requester = "AKIAEXAMPLEREQUESTER"

        # 1. A qualification test, scored by its answer key.
        qual = client.create_qualification_type(
            Name="Animal spotter",
            Description="Two questions about animals",
            QualificationTypeStatus="Active",
            Test=TEST,
            AnswerKey=ANSWER_KEY,
            TestDurationInSeconds=600,
        )["QualificationType"]["QualificationTypeId"]

        # 2. HITs that require a passing score; the requester keeps the truth in RequesterAnnotation.
        hit_type = client.create_hit_type(
            Title="Cat or dog?",
            Description="Say which animal is in the photo",
            Reward="0.10",
            AssignmentDurationInSeconds=600,
            AutoApprovalDelayInSeconds=86400,
            QualificationRequirements=[
                {"QualificationTypeId": qual, "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [100]}
            ],
        )["HITTypeId"]
        truths = {}
        for number in range(30):
            animal = "cat" if number % 3 else "dog"
            hit = client.create_hit_with_hit_type(
                HITTypeId=hit_type,
                MaxAssignments=5,
                LifetimeInSeconds=3 * 3600,
                Question=photo_question(animal, number),
                RequesterAnnotation=animal,
            )["HIT"]
            truths[hit["HITId"]] = animal
        balance = client.get_account_balance()
        available, held = balance["AvailableBalance"], balance["OnHoldBalance"]
        print(f"published {len(truths)} HITs: available {available}, on hold {held}")

        # 3. A crowd arriving over three hours, four HITs each at most: three careful workers for every sloppy
        # one; most pass the test.
        crowd = mturk.crowd(
            30,
            seed=7,
            profile=Choice({WorkerProfile(traits={"accuracy": 0.95}): 3, WorkerProfile(traits={"accuracy": 0.5}): 1}),
            answers=answer,
            arrival=(0, 3 * 3600),
            think_time=(60, 600),
            pause=(60, 600),
            return_rate=0.05,
            abandon_rate=0.05,
            test_success=0.75,
            assignments_per_worker=4,
        )
        first = crowd.run(hours=2)
        print(f"tests taken: {first.tests_taken}, passed: {first.tests_passed}")
        print(
            f"after 2 hours: {first.accepted} accepted, {first.submitted} submitted, "
            f"{first.returned} returned, {first.abandoned} abandoned"
        )

        # 4. The requester reviews what has come in: approve right answers, reject wrong ones.
        approved, rejected = review(client, truths)
        print(f"reviewed: {approved} approved, {rejected} rejected")

        # 5. The crowd works on until the HITs expire; nobody reviews these answers.
        later = crowd.run(hours=2)
        unfilled = sum(hit["NumberOfAssignmentsAvailable"] for hit in client.list_hits(MaxResults=100)["HITs"])
        print(f"after 4 hours: {later.submitted} more submitted; the HITs expired with {unfilled} slots unfilled")

        # 6. Bonuses for workers with at least three approved answers.
        bonuses = pay_bonuses(client, truths)
        print(bonuses)

        # 7. The clock runs out the rest: unreviewed work is approved automatically after a day.
        waiting = count_status(client, truths, "Submitted")
        mturk.clock.advance(days=2)
        print(f"auto-approved after the delay: {waiting}; still submitted: {count_status(client, truths, 'Submitted')}")
        deleted = sum(1 for hit_id in truths if delete(client, hit_id))
        balance = client.get_account_balance()
        paid = mturk.world.marketplace("production").ledger.paid(requester)
        held = Decimal(balance.get("OnHoldBalance", "0.00"))
        print(f"deleted {deleted} HITs; available {balance['AvailableBalance']}, on hold {held:.2f}, paid {paid}")
        print(f"available + on hold + paid = {Decimal(balance['AvailableBalance']) + held + paid}")


def review(client, truths: dict[str, str]) -> tuple[int, int]:
    approved = rejected = 0
    for hit_id, truth in truths.items():
        paginator = client.get_paginator("list_assignments_for_hit")
        pages = paginator.paginate(HITId=hit_id, AssignmentStatuses=["Submitted"])
        for assignment in (a for page in pages for a in page["Assignments"]):
            if f"<SelectionIdentifier>{truth}</SelectionIdentifier>" in assignment["Answer"]:
                client.approve_assignment(AssignmentId=assignment["AssignmentId"], RequesterFeedback="Thank you")
                approved += 1
            else:
                client.reject_assignment(AssignmentId=assignment["AssignmentId"], RequesterFeedback="Wrong animal")
                rejected += 1
    return approved, rejected


def pay_bonuses(client, truths: dict[str, str]) -> str:
    """$0.25 to every worker with at least three approved assignments, on their latest one."""
    approved: Counter[str] = Counter()
    latest: dict[str, str] = {}
    for hit_id in truths:
        for assignment in client.list_assignments_for_hit(HITId=hit_id, AssignmentStatuses=["Approved"])["Assignments"]:
            approved[assignment["WorkerId"]] += 1
            latest[assignment["WorkerId"]] = assignment["AssignmentId"]
    earners = sorted(worker for worker, count in approved.items() if count >= 3)
    for worker in earners:
        client.send_bonus(
            WorkerId=worker,
            BonusAmount="0.25",
            AssignmentId=latest[worker],
            Reason="Three or more right answers",
            UniqueRequestToken=f"bonus-{latest[worker]}",  # a retried call cannot pay twice
        )
    paid = sum(len(client.list_bonus_payments(AssignmentId=latest[worker])["BonusPayments"]) for worker in earners)
    return f"bonuses: {paid} workers paid $0.25 (plus $0.05 fee each)"


def count_status(client, truths: dict[str, str], status: str) -> int:
    return sum(
        client.list_assignments_for_hit(HITId=hit_id, AssignmentStatuses=[status], MaxResults=100)["NumResults"]
        for hit_id in truths
    )


def delete(client, hit_id: str) -> bool:
    try:
        client.delete_hit(HITId=hit_id)
    except ClientError:
        return False
    return True


if __name__ == "__main__":
    main()

"""Review policies and ListReviewPolicyResultsForHIT (spec H§9, H§8.25): ScoreMyKnownAnswers on each
submitted assignment, SimplePlurality when the HIT becomes Reviewable, their actions through the
requester's own paths, and the results and actions they leave."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from mturk_mock import MTurkMock, mock_mturk

from .helpers import create_hit, create_hit_type, parameter_error, request_error, requester_client

START = 1_800_000_000
KNOWN, PLURALITY = "ScoreMyKnownAnswers/2011-09-01", "SimplePlurality/2011-09-01"


@pytest.fixture(autouse=True)
def _frozen(request):
    if "mturk_mock" in request.fixturenames:  # the state-file test makes its own mocks
        request.getfixturevalue("mturk_mock").clock.freeze(START)


def _parameters(values: dict[str, object]) -> list[dict]:
    return [{"Key": key, "Values": value if isinstance(value, list) else [str(value)]} for key, value in values.items()]


def known_answers(key: dict[str, list[str]], **parameters) -> dict:
    answer_key = {"Key": "AnswerKey", "MapEntries": [{"Key": q, "Values": v} for q, v in key.items()]}
    return {"PolicyName": KNOWN, "Parameters": [answer_key, *_parameters(parameters)]}


def plurality(question_ids: list[str], **parameters) -> dict:
    values = {"QuestionIds": question_ids, "QuestionAgreementThreshold": 50, "DisregardAssignmentIfRejected": "false"}
    return {"PolicyName": PLURALITY, "Parameters": _parameters({**values, **parameters})}


def _work(mock, hit_id: str, *answers: dict) -> list[str]:
    """One worker per answer accepts and submits, a second apart; their assignment IDs in that order."""
    ids = []
    for number, answer in enumerate(answers, start=1):
        working = mock.worker(f"A{number:013d}").accept(hit_id)
        mock.clock.advance(1)
        working.submit(answer)
        ids.append(working.assignment_id)
    return ids


def _everything(client, hit_id: str, **filters) -> dict:
    request = {"HITId": hit_id, "RetrieveResults": True, "RetrieveActions": True, "MaxResults": 100, **filters}
    return client.list_review_policy_results_for_hit(**request)


def _results(report: dict) -> list[tuple]:
    return [(r["SubjectId"], r.get("QuestionId"), r["Key"], r["Value"]) for r in report.get("ReviewResults", [])]


def _actions(report: dict) -> list[tuple]:
    return [(a["ActionName"], a["TargetId"], a["Status"]) for a in report.get("ReviewActions", [])]


def _assignment(client, assignment_id: str) -> dict:
    return client.get_assignment(AssignmentId=assignment_id)["Assignment"]


# -- SimplePlurality ---------------------------------------------------------------------------------


def test_simple_plurality_scores_the_documented_example_and_decides_per_worker(mturk_client, mturk_mock):
    policy = plurality(
        ["A", "B", "C", "D"],
        ApproveIfWorkerAgreementScoreIsAtLeast=100,
        RejectIfWorkerAgreementScoreIsLessThan=100,
        RejectReason="Your answers disagreed with other workers.",
    )
    hit_id = create_hit(mturk_client, MaxAssignments=3, HITReviewPolicy=policy)["HITId"]
    answers = [
        ("coat", "blue", "large", "Furry"),
        ("sweater", "blue", "large", "fur"),
        ("coat", "green", "large", "furr"),
    ]
    first, second = _work(mturk_mock, hit_id, *(dict(zip("ABCD", row, strict=True)) for row in answers[:2]))
    assert "HITReviewReport" not in _everything(mturk_client, hit_id, PolicyLevels=["Assignment"])
    assert _everything(mturk_client, hit_id)["HITReviewReport"] == {"ReviewResults": [], "ReviewActions": []}
    third = _work_as(mturk_mock, hit_id, 3, dict(zip("ABCD", answers[2], strict=True)))
    report = _everything(mturk_client, hit_id)
    assert report["HITReviewPolicy"] == {"PolicyName": PLURALITY} and "AssignmentReviewPolicy" not in report
    assert _results(report["HITReviewReport"]) == [
        (hit_id, "A", "QuestionAgreementScore", "66"),
        (hit_id, "A", "AgreedAnswer", "coat"),
        (hit_id, "B", "QuestionAgreementScore", "66"),
        (hit_id, "B", "AgreedAnswer", "blue"),
        (hit_id, "C", "QuestionAgreementScore", "100"),
        (hit_id, "C", "AgreedAnswer", "large"),
        (hit_id, None, "HITAgreementScore", "75"),  # D has no plurality answer: three answers, one each
        (first, None, "WorkerAgreementScore", "100"),
        (second, None, "WorkerAgreementScore", "66"),
        (third, None, "WorkerAgreementScore", "66"),
    ]
    assert _actions(report["HITReviewReport"]) == [
        ("Approve", first, "Succeeded"),
        ("Reject", second, "Succeeded"),
        ("Reject", third, "Succeeded"),
    ]
    action = report["HITReviewReport"]["ReviewActions"][1]
    assert action["TargetType"] == "Assignment" and "ErrorCode" not in action
    assert action["CompleteTime"] == dt.datetime.fromtimestamp(START + 3, dt.timezone.utc)
    statuses = [_assignment(mturk_client, a)["AssignmentStatus"] for a in (first, second, third)]
    assert statuses == ["Approved", "Rejected", "Rejected"]
    assert _assignment(mturk_client, second)["RequesterFeedback"] == "Your answers disagreed with other workers."
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["NumberOfAssignmentsCompleted"]) == ("Reviewable", 3)
    events = mturk_mock.world.marketplace("sandbox").events
    assert [e.assignment_id for e in events.of_type("AssignmentRejected")] == [second, third]


def _work_as(mock, hit_id: str, number: int, answer: dict) -> str:
    working = mock.worker(f"A{number:013d}").accept(hit_id)
    mock.clock.advance(1)
    working.submit(answer)
    return working.assignment_id


@pytest.mark.parametrize(
    ("extra", "known"),
    [
        ({"DisregardAssignmentIfRejected": "T"}, {"RejectIfKnownAnswerScoreIsLessThan": 100}),
        ({"DisregardAssignmentIfKnownAnswerScoreIsLessThan": 100}, {}),
    ],
)
def test_simple_plurality_disregards_rejected_and_low_scoring_assignments(mturk_client, mturk_mock, extra, known):
    hit_id = create_hit(
        mturk_client,
        MaxAssignments=4,
        AssignmentReviewPolicy=known_answers({"gold": ["7"]}, **known),
        HITReviewPolicy=plurality(["label"], **extra),
    )["HITId"]
    ids = _work(
        mturk_mock,
        hit_id,
        {"gold": "7", "label": "cat"},
        {"gold": "1", "label": "dog"},
        {"gold": "2", "label": "dog"},
        {"gold": "7", "label": "cat"},
    )
    results = _results(_everything(mturk_client, hit_id)["HITReviewReport"])
    assert results == [
        (hit_id, "label", "QuestionAgreementScore", "100"),
        (hit_id, "label", "AgreedAnswer", "cat"),
        (hit_id, None, "HITAgreementScore", "100"),
        (ids[0], None, "WorkerAgreementScore", "100"),
        (ids[3], None, "WorkerAgreementScore", "100"),
    ]


def test_without_disregarding_a_tie_has_no_agreed_answer(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=2, HITReviewPolicy=plurality(["label"]))["HITId"]
    _work(mturk_mock, hit_id, {"label": "cat"}, {"label": "dog"})
    assert _results(_everything(mturk_client, hit_id)["HITReviewReport"]) == [(hit_id, None, "HITAgreementScore", "0")]


def test_simple_plurality_ignores_answers_longer_than_256_characters(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=3, HITReviewPolicy=plurality(["text"]))["HITId"]
    _work(mturk_mock, hit_id, {"text": "x" * 257}, {"text": "x" * 257}, {"text": " short "})
    results = _results(_everything(mturk_client, hit_id)["HITReviewReport"])
    assert results[:2] == [(hit_id, "text", "QuestionAgreementScore", "100"), (hit_id, "text", "AgreedAnswer", "short")]


def test_simple_plurality_extends_the_hit_until_workers_agree(mturk_client, mturk_mock):
    policy = plurality(
        ["label"], ExtendIfHITAgreementScoreIsLessThan=100, ExtendMaximumAssignments=5, ExtendMinimumTimeInSeconds=7200
    )
    hit_id = create_hit(mturk_client, MaxAssignments=2, HITReviewPolicy=policy)["HITId"]
    _work(mturk_mock, hit_id, {"label": "cat"}, {"label": "dog"})
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["MaxAssignments"], hit["NumberOfAssignmentsAvailable"]) == ("Assignable", 3, 1)
    assert hit["Expiration"] == dt.datetime.fromtimestamp(START + 2 + 7200, dt.timezone.utc)
    _work_as(mturk_mock, hit_id, 3, {"label": "cat"})
    report = _everything(mturk_client, hit_id)["HITReviewReport"]
    scores = [value for _, _, key, value in _results(report) if key == "HITAgreementScore"]
    assert scores == ["0", "100"]  # the second run's results follow the first's
    assert _actions(report) == [("Extend", hit_id, "Succeeded")]
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"


def test_a_hit_that_expires_unworked_is_reviewed_at_each_expiration(mturk_client, mturk_mock):
    policy = plurality(
        ["label"], ExtendIfHITAgreementScoreIsLessThan=50, ExtendMaximumAssignments=2, ExtendMinimumTimeInSeconds=600
    )
    hit_id = create_hit(mturk_client, LifetimeInSeconds=60, HITReviewPolicy=policy)["HITId"]
    mturk_mock.clock.advance(61)  # expired at START + 60, reviewed and extended at that instant
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["MaxAssignments"]) == ("Assignable", 2)
    assert hit["Expiration"] == dt.datetime.fromtimestamp(START + 660, dt.timezone.utc)
    assert mturk_client.list_reviewable_hits()["NumResults"] == 0
    events = mturk_mock.world.marketplace("sandbox").events.log
    assert [e.event_type for e in events] == ["HITCreated", "HITExpired", "HITReviewable", "HITExtended", "HITExtended"]
    mturk_mock.clock.advance(3600)  # expired again at START + 660: reviewed again, at its maximum
    assert [h["HITId"] for h in mturk_client.list_reviewable_hits()["HITs"]] == [hit_id]
    actions = _everything(mturk_client, hit_id)["HITReviewReport"]["ReviewActions"]
    assert [a["CompleteTime"].timestamp() for a in actions] == [START + 60, START + 660]
    assert "already has 2 assignments" in actions[1]["Result"]


# -- ScoreMyKnownAnswers -------------------------------------------------------------------------------


def test_known_answers_approve_with_the_approve_reason(mturk_client, mturk_mock):
    policy = known_answers(
        {"colour": ["blue"], "size": ["large"]}, ApproveIfKnownAnswerScoreIsAtLeast=100, ApproveReason="Well done"
    )
    hit_id = create_hit(mturk_client, AssignmentReviewPolicy=policy)["HITId"]
    (assignment_id,) = _work(mturk_mock, hit_id, {"colour": "blue", "size": "large", "comment": "fun"})
    report = _everything(mturk_client, hit_id)
    assert report["AssignmentReviewPolicy"] == {"PolicyName": KNOWN} and "HITReviewReport" not in report
    assert _results(report["AssignmentReviewReport"]) == [
        (assignment_id, None, "KnownAnswerScore", "100"),
        (assignment_id, None, "KnownAnswerCorrect", "2"),
        (assignment_id, None, "KnownAnswerTotal", "2"),
    ]
    assert _actions(report["AssignmentReviewReport"]) == [("Approve", assignment_id, "Succeeded")]
    assignment = _assignment(mturk_client, assignment_id)
    assert (assignment["AssignmentStatus"], assignment["RequesterFeedback"]) == ("Approved", "Well done")


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        ({"colour": " blue\n", "tags": ["b", "a"], "note": ""}, "100"),  # trimmed; sets in any order; empty = empty
        ({"colour": "Blue", "tags": ["a", "b"], "note": ""}, "67"),  # no case folding; 2 of 3 rounds to 67
        ({"colour": "blue", "tags": ["a"], "note": ""}, "67"),  # a subset is not the set
        ({"colour": "blue.", "tags": ["a", "b", "c"], "note": "x"}, "0"),  # nor punctuation, a superset, a non-empty
        ({"tags": ["a", "b"]}, "67"),  # an unanswered question is empty
    ],
)
def test_known_answers_compare_trimmed_exact_sets(mturk_client, mturk_mock, answers, score):
    policy = known_answers({"colour": ["blue"], "tags": ["a", "b"], "note": []})
    hit_id = create_hit(mturk_client, AssignmentReviewPolicy=policy)["HITId"]
    (assignment_id,) = _work(mturk_mock, hit_id, answers)
    report = _everything(mturk_client, hit_id)["AssignmentReviewReport"]
    assert _results(report)[0] == (assignment_id, None, "KnownAnswerScore", score)
    assert _actions(report) == []  # no thresholds: the assignment stays Submitted
    assert _assignment(mturk_client, assignment_id)["AssignmentStatus"] == "Submitted"


def test_known_answers_reject_with_the_reject_reason_below_the_threshold(mturk_client, mturk_mock):
    policy = known_answers(
        {"q1": ["a"], "q2": ["b"], "q3": ["c"]},
        ApproveIfKnownAnswerScoreIsAtLeast=100,
        RejectIfKnownAnswerScoreIsLessThan=50,
        RejectReason="Too many known answers wrong",
    )
    hit_id = create_hit(mturk_client, MaxAssignments=2, AssignmentReviewPolicy=policy)["HITId"]
    low, middle = _work(mturk_mock, hit_id, {"q1": "a", "q2": "x", "q3": "x"}, {"q1": "a", "q2": "b", "q3": "x"})
    low_assignment = _assignment(mturk_client, low)
    assert (low_assignment["AssignmentStatus"], low_assignment["RequesterFeedback"]) == (
        "Rejected",
        "Too many known answers wrong",
    )
    assert _assignment(mturk_client, middle)["AssignmentStatus"] == "Submitted"  # 67: neither threshold
    assert _actions(_everything(mturk_client, hit_id)["AssignmentReviewReport"]) == [("Reject", low, "Succeeded")]


def test_known_answers_extend_the_hit_up_to_the_maximum(mturk_client, mturk_mock):
    policy = known_answers(
        {"gold": ["7"]},
        ExtendIfKnownAnswerScoreIsLessThan=100,
        ExtendMaximumAssignments=3,
        ExtendMinimumTimeInSeconds=7200,
    )
    hit_id = create_hit(mturk_client, MaxAssignments=1, LifetimeInSeconds=3600, AssignmentReviewPolicy=policy)["HITId"]
    _work(mturk_mock, hit_id, {"gold": "1"})
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["MaxAssignments"]) == ("Assignable", 2)
    assert hit["Expiration"] == dt.datetime.fromtimestamp(START + 1 + 7200, dt.timezone.utc)
    _work_as(mturk_mock, hit_id, 2, {"gold": "7"})  # right: no extension
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"
    mturk_client.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=1)
    _work_as(mturk_mock, hit_id, 3, {"gold": "2"})  # wrong, but the HIT has its 3 assignments
    report = _everything(mturk_client, hit_id)["AssignmentReviewReport"]
    assert _actions(report) == [("Extend", hit_id, "Succeeded"), ("Extend", hit_id, "Succeeded")]
    assert "already has 3 assignments" in report["ReviewActions"][1]["Result"]
    hit = mturk_client.get_hit(HITId=hit_id)["HIT"]
    assert (hit["HITStatus"], hit["MaxAssignments"]) == ("Reviewable", 3)
    assert len(mturk_mock.world.marketplace("sandbox").events.of_type("HITExtended")) == 3  # 2 by the policy


@pytest.mark.parametrize(("created", "extended"), [(9, 9), (10, 11)])
def test_known_answers_never_extend_a_hit_from_under_ten_to_ten(mturk_client, mturk_mock, created, extended):
    policy = known_answers({"gold": ["7"]}, ExtendIfKnownAnswerScoreIsLessThan=101, ExtendMaximumAssignments=25)
    hit_id = create_hit(mturk_client, MaxAssignments=created, AssignmentReviewPolicy=policy)["HITId"]
    _work(mturk_mock, hit_id, {"gold": "7"})
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["MaxAssignments"] == extended


@pytest.mark.mturk_mock(marketplace="production")
def test_policy_decisions_pay_and_refund_as_the_api_calls_do(mturk_client, mturk_mock):
    policy = known_answers(
        {"gold": ["7"]}, ApproveIfKnownAnswerScoreIsAtLeast=100, RejectIfKnownAnswerScoreIsLessThan=100
    )
    hit_id = create_hit(mturk_client, Reward="1.00", MaxAssignments=2, AssignmentReviewPolicy=policy)["HITId"]
    _work(mturk_mock, hit_id, {"gold": "7"}, {"gold": "1"})
    balance = mturk_client.get_account_balance()
    assert (balance["AvailableBalance"], balance.get("OnHoldBalance")) == ("9998.80", None)  # one paid, one refunded
    assert mturk_mock.world.marketplace("production").ledger.paid("<default>") == Decimal("1.20")


@pytest.mark.mturk_mock(marketplace="production")
def test_an_extension_the_balance_cannot_cover_fails_with_the_error_code(mturk_client, mturk_mock):
    policy = known_answers({"gold": ["7"]}, ExtendIfKnownAnswerScoreIsLessThan=100)
    hit_id = create_hit(mturk_client, Reward="1.00", MaxAssignments=1, AssignmentReviewPolicy=policy)["HITId"]
    mturk_mock.world.marketplace("production").balances["<default>"] = "0.00"
    _work(mturk_mock, hit_id, {"gold": "1"})
    (action,) = _everything(mturk_client, hit_id)["AssignmentReviewReport"]["ReviewActions"]
    assert (action["ActionName"], action["Status"], action["ErrorCode"]) == (
        "Extend",
        "Failed",
        "AWS.MechanicalTurk.InsufficientFunds",
    )
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["MaxAssignments"] == 1


# -- ListReviewPolicyResultsForHIT ---------------------------------------------------------------------


def _both_levels(client, mock) -> tuple[str, list[str]]:
    hit_id = create_hit(
        client,
        MaxAssignments=3,
        AssignmentReviewPolicy=known_answers({"gold": ["7"]}, ApproveIfKnownAnswerScoreIsAtLeast=100),
        HITReviewPolicy=plurality(["label"], RejectIfWorkerAgreementScoreIsLessThan=100),
    )["HITId"]
    answers = ({"gold": "7", "label": "cat"}, {"gold": "1", "label": "dog"}, {"gold": "7", "label": "cat"})
    return hit_id, _work(mock, hit_id, *answers)


def test_the_listing_answers_what_was_asked_for(mturk_client, mturk_mock):
    hit_id, _ = _both_levels(mturk_client, mturk_mock)
    names = {
        "HITId": hit_id,
        "AssignmentReviewPolicy": {"PolicyName": KNOWN},
        "HITReviewPolicy": {"PolicyName": PLURALITY},
    }
    plain = mturk_client.list_review_policy_results_for_hit(HITId=hit_id)
    assert {k: v for k, v in plain.items() if k != "ResponseMetadata"} == names  # Retrieve* default to false
    only_hit = mturk_client.list_review_policy_results_for_hit(HITId=hit_id, PolicyLevels=["HIT"], RetrieveActions=True)
    assert "AssignmentReviewPolicy" not in only_hit and "AssignmentReviewReport" not in only_hit
    assert list(only_hit["HITReviewReport"]) == ["ReviewActions"]
    assert _actions(only_hit["HITReviewReport"])[0][0] == "Reject"
    results = mturk_client.list_review_policy_results_for_hit(HITId=hit_id, RetrieveResults=True, MaxResults=100)
    assert [list(results[report]) for report in ("AssignmentReviewReport", "HITReviewReport")] == [
        ["ReviewResults"]
    ] * 2
    bare = create_hit(mturk_client)["HITId"]
    answer = _everything(mturk_client, bare)
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {"HITId": bare}


def test_a_narrowed_listing_keeps_up_with_later_reviews(mturk_client, mturk_mock):
    hit_id = create_hit(
        mturk_client,
        MaxAssignments=3,
        AssignmentReviewPolicy=known_answers({"gold": ["7"]}, ApproveIfKnownAnswerScoreIsAtLeast=100),
        HITReviewPolicy=plurality(["label"]),
    )["HITId"]

    def actions() -> list[tuple]:
        page = mturk_client.list_review_policy_results_for_hit(
            HITId=hit_id, PolicyLevels=["Assignment"], RetrieveActions=True, MaxResults=100
        )
        return _actions(page["AssignmentReviewReport"])

    first = _work(mturk_mock, hit_id, {"gold": "7", "label": "cat"})
    assert actions() == [("Approve", first[0], "Succeeded")]
    mturk_mock.worker("A0000000000009").accept(hit_id).submit({"gold": "7", "label": "cat"})
    mturk_mock.worker("A0000000000010").accept(hit_id).submit({"gold": "1", "label": "dog"})
    whole = _everything(mturk_client, hit_id)
    assert len(actions()) == 2 and actions() == _actions(whole["AssignmentReviewReport"])  # a score of 0: no action
    assert _results(whole["HITReviewReport"])  # the HIT policy ran too, and is not in the narrowed listing


def test_results_and_actions_page_together(mturk_client, mturk_mock):
    hit_id, _ = _both_levels(mturk_client, mturk_mock)
    whole = _everything(mturk_client, hit_id)
    reports = ("AssignmentReviewReport", "HITReviewReport")
    expected = {report: {member: whole[report][member] for member in whole[report]} for report in reports}
    total = sum(len(items) for report in reports for items in whole[report].values())
    gathered: dict = {report: {"ReviewResults": [], "ReviewActions": []} for report in reports}
    token, pages = None, 0
    while True:
        page = _everything(mturk_client, hit_id, MaxResults=4, **({"NextToken": token} if token else {}))
        assert "NumResults" not in page
        entries = [(r, m, i) for r in reports for m, items in page[r].items() for i in items]
        assert len(entries) <= 4
        for report, member, item in entries:
            gathered[report][member].append(item)
        if "NextToken" not in page:
            assert entries == []
            break
        token, pages = page["NextToken"], pages + 1
    assert gathered == expected and pages == -(-total // 4)
    parameter_error(
        lambda: mturk_client.list_review_policy_results_for_hit(HITId=hit_id, RetrieveResults=True, NextToken=token),
        "NextToken",
    )


def test_unknown_and_foreign_hits_do_not_exist_and_disposed_ones_still_answer(mturk_client, mturk_mock):
    hit_id, ids = _both_levels(mturk_client, mturk_mock)  # every assignment decided by a policy
    for client, asked in ((mturk_client, "3" * 30), (requester_client("AKIAOTHER"), hit_id)):
        request_error(
            lambda client=client, asked=asked: client.list_review_policy_results_for_hit(HITId=asked),
            "HITDoesNotExist",
            f"Hit {asked} does not exist.",
        )
    before = _everything(mturk_client, hit_id)
    assert [_assignment(mturk_client, a)["AssignmentStatus"] for a in ids] == ["Approved", "Rejected", "Approved"]
    mturk_client.delete_hit(HITId=hit_id)
    after = _everything(mturk_client, hit_id)
    assert [after[r] for r in ("AssignmentReviewReport", "HITReviewReport")] == [
        before[r] for r in ("AssignmentReviewReport", "HITReviewReport")
    ]


# -- validation ---------------------------------------------------------------------------------------


def _bad(name: str = KNOWN, **values) -> dict:
    return {"PolicyName": name, "Parameters": _parameters(values)}


KEY = {"Key": "AnswerKey", "MapEntries": [{"Key": "q", "Values": ["a"]}]}


@pytest.mark.parametrize(
    ("member", "policy"),
    [
        ("AssignmentReviewPolicy", _bad("ScoreYourKnownAnswers/2011-09-01")),  # the docs' typo
        ("AssignmentReviewPolicy", plurality(["q"])),  # a HIT-level policy
        ("HITReviewPolicy", known_answers({"q": ["a"]})),  # an assignment-level policy
        ("AssignmentReviewPolicy", _bad()),  # no AnswerKey
        ("AssignmentReviewPolicy", {"PolicyName": KNOWN, "Parameters": [KEY, KEY]}),
        ("AssignmentReviewPolicy", known_answers({"q": ["a"]}, Colour="blue")),
        ("AssignmentReviewPolicy", known_answers({"q": ["a"]}, ApproveIfKnownAnswerScoreIsAtLeast=102)),
        ("AssignmentReviewPolicy", known_answers({"q": ["a"]}, RejectIfKnownAnswerScoreIsLessThan="5.0")),
        ("AssignmentReviewPolicy", known_answers({"q": ["a"]}, RejectIfKnownAnswerScoreIsLessThan=["5", "6"])),
        (
            "AssignmentReviewPolicy",
            known_answers({"q": ["a"]}, ExtendIfKnownAnswerScoreIsLessThan=5, ExtendMaximumAssignments=26),
        ),
        (
            "AssignmentReviewPolicy",
            known_answers({"q": ["a"]}, ExtendIfKnownAnswerScoreIsLessThan=5, ExtendMinimumTimeInSeconds=59),
        ),
        ("AssignmentReviewPolicy", known_answers({"q": ["a"]}, RejectReason="x" * 1025)),
        ("HITReviewPolicy", _bad(PLURALITY, QuestionAgreementThreshold=50, DisregardAssignmentIfRejected="true")),
        ("HITReviewPolicy", plurality(["q"], DisregardAssignmentIfRejected="yes")),
        ("HITReviewPolicy", plurality(["q"], QuestionAgreementThreshold=101)),
        ("HITReviewPolicy", plurality(["q"], ExtendIfHITAgreementScoreIsLessThan=50)),  # needs the other two
        ("HITReviewPolicy", plurality(["q"], ExtendIfHITAgreementScoreIsLessThan=0)),
    ],
)
def test_a_bad_policy_is_a_parameter_error_before_the_token_is_checked(mturk_client, mturk_mock, member, policy):
    create_hit(mturk_client, UniqueRequestToken="once")
    parameter_error(lambda: create_hit(mturk_client, UniqueRequestToken="once", **{member: policy}), member, mturk_mock)
    type_id = create_hit_type(mturk_client)
    parameter_error(lambda: create_hit(mturk_client, type_id, **{member: policy}), member, mturk_mock)
    assert mturk_client.list_hits()["NumResults"] == 1


@pytest.mark.parametrize("flag", ["true", "false", "T", "F", "TRUE"])
def test_booleans_are_true_false_t_or_f(mturk_client, flag):
    create_hit(mturk_client, HITReviewPolicy=plurality(["q"], DisregardAssignmentIfRejected=flag))


# -- state files --------------------------------------------------------------------------------------


def test_policies_results_and_planned_runs_survive_a_state_file(tmp_path):
    path = tmp_path / "state.json"
    policy = known_answers({"gold": ["7"]}, RejectIfKnownAnswerScoreIsLessThan=100)
    with mock_mturk() as mturk:
        mturk.clock.freeze(START)
        client = requester_client("AKIAOWNER")
        hit_id = create_hit(client, MaxAssignments=3, AssignmentReviewPolicy=policy)["HITId"]
        first = _work(mturk, hit_id, {"gold": "1"})[0]
        before = _everything(client, hit_id)
        second = _work_as(mturk, hit_id, 2, {"gold": "2"})  # its review is planned, not yet run
        mturk.save_state(path)
    restored = MTurkMock()
    restored.load_state(path)
    with restored:
        client = requester_client("AKIAOWNER")
        third = _work_as(restored, hit_id, 3, {"gold": "3"})  # the policy was parsed again
        report = _everything(client, hit_id)["AssignmentReviewReport"]
        assert report["ReviewResults"][:3] == before["AssignmentReviewReport"]["ReviewResults"]
        assert _actions(report) == [
            ("Reject", first, "Succeeded"),
            ("Reject", second, "Succeeded"),
            ("Reject", third, "Succeeded"),
        ]

"""What simulated workers may do with HITs: requirements and the actions they guard, system
qualifications from profiles and history, blocks, previews and answers (spec H§3.6, H§4)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mturk_mock import FileUpload, WorkerActionRefused

from .helpers import create_hit, create_type, requester_client
from .samples import HIT_QUESTION_FORM, HTML_QUESTION, SCHEMAS

LOCALE, ADULT, APPROVED, PERCENT = (
    "00000000000000000071",
    "00000000000000000060",
    "00000000000000000040",
    "000000000000000000L0",
)
MASTERS = "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6"


def _requiring(client, *requirements: dict) -> str:
    return create_hit(client, MaxAssignments=5, QualificationRequirements=list(requirements))["HITId"]


def _accepts(worker, hit_id: str) -> bool:
    try:
        worker.accept(hit_id)
    except WorkerActionRefused:
        return False
    return True


def test_actions_guarded_decide_what_a_worker_sees(mturk_client, mturk_mock):
    qual = create_type(mturk_client)["QualificationTypeId"]
    hits = {
        guard: _requiring(mturk_client, {"QualificationTypeId": qual, "Comparator": "Exists", "ActionsGuarded": guard})
        for guard in ("Accept", "PreviewAndAccept", "DiscoverPreviewAndAccept")
    }
    outsider = mturk_mock.worker("A1111111111111")
    assert set(outsider.search_hits()) == {hits["Accept"], hits["PreviewAndAccept"]}
    outsider.preview(hits["Accept"])
    with pytest.raises(WorkerActionRefused, match="to preview"):
        outsider.preview(hits["PreviewAndAccept"])
    with pytest.raises(WorkerActionRefused, match="to accept") as refused:
        outsider.accept(hits["Accept"])
    assert refused.value.code == "DoesNotMeetRequirements"
    insider = mturk_mock.worker("A2222222222222")
    mturk_client.associate_qualification_with_worker(
        QualificationTypeId=qual, WorkerId=insider.worker_id, SendNotification=False
    )
    assert set(insider.search_hits()) == set(hits.values())
    assert all(_accepts(insider, hit_id) for hit_id in hits.values())


def test_required_to_preview_guards_the_preview(mturk_client, mturk_mock):
    qual = create_type(mturk_client)["QualificationTypeId"]
    hit_id = _requiring(mturk_client, {"QualificationTypeId": qual, "Comparator": "Exists", "RequiredToPreview": True})
    with pytest.raises(WorkerActionRefused):
        mturk_mock.worker().preview(hit_id)


@pytest.mark.parametrize(
    ("comparator", "values", "held", "met"),
    [
        ("GreaterThanOrEqualTo", [80], 80, True),
        ("GreaterThan", [80], 80, False),
        ("LessThan", [5], 4, True),
        ("EqualTo", [3], 3, True),
        ("NotEqualTo", [3], 3, False),
        ("In", [1, 2, 3], 2, True),
        ("NotIn", [1, 2, 3], 4, True),
        ("DoesNotExist", None, 7, False),
        ("NotEqualTo", [3], None, False),  # a worker without the type fails every comparator but DoesNotExist
        ("DoesNotExist", None, None, True),
    ],
)
def test_comparators_against_a_workers_value(mturk_client, mturk_mock, comparator, values, held, met):
    qual = create_type(mturk_client)["QualificationTypeId"]
    requirement = {"QualificationTypeId": qual, "Comparator": comparator}
    if values:
        requirement["IntegerValues"] = values
    hit_id = _requiring(mturk_client, requirement)
    worker = mturk_mock.worker()
    if held is not None:
        mturk_client.associate_qualification_with_worker(
            QualificationTypeId=qual, WorkerId=worker.worker_id, IntegerValue=held, SendNotification=False
        )
    assert _accepts(worker, hit_id) is met


def test_a_revoked_qualification_is_not_held(mturk_client, mturk_mock):
    """Dallinger revokes its block-list qualification so the worker passes DoesNotExist again."""
    qual = create_type(mturk_client)["QualificationTypeId"]
    hit_id = _requiring(mturk_client, {"QualificationTypeId": qual, "Comparator": "DoesNotExist"})
    worker = mturk_mock.worker()
    mturk_client.associate_qualification_with_worker(QualificationTypeId=qual, WorkerId=worker.worker_id)
    assert not _accepts(worker, hit_id)
    mturk_client.disassociate_qualification_from_worker(QualificationTypeId=qual, WorkerId=worker.worker_id)
    assert _accepts(worker, hit_id)


def test_locale_adult_and_masters_come_from_the_profile(mturk_client, mturk_mock):
    washington = _requiring(
        mturk_client,
        {
            "QualificationTypeId": LOCALE,
            "Comparator": "EqualTo",
            "LocaleValues": [{"Country": "US", "Subdivision": "WA"}],
        },
    )
    american = _requiring(
        mturk_client,
        {"QualificationTypeId": LOCALE, "Comparator": "In", "LocaleValues": [{"Country": "US"}, {"Country": "CA"}]},
    )
    adult = _requiring(mturk_client, {"QualificationTypeId": ADULT, "Comparator": "EqualTo", "IntegerValues": [1]})
    masters = _requiring(mturk_client, {"QualificationTypeId": MASTERS, "Comparator": "Exists"})
    seattle = mturk_mock.worker(country="US", subdivision="WA", adult=True, masters=True)
    assert all(_accepts(seattle, hit_id) for hit_id in (washington, american, adult, masters))
    berlin = mturk_mock.worker(country="DE")
    assert not any(_accepts(berlin, hit_id) for hit_id in (washington, american, adult, masters))
    toronto = mturk_mock.worker(country="CA")
    assert _accepts(toronto, american) and not _accepts(toronto, washington)


def test_approval_figures_follow_history_and_work_here(mturk_client, mturk_mock):
    rate = _requiring(
        mturk_client, {"QualificationTypeId": PERCENT, "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [95]}
    )
    many = _requiring(
        mturk_client, {"QualificationTypeId": APPROVED, "Comparator": "GreaterThan", "IntegerValues": [100]}
    )
    newcomer = mturk_mock.worker()
    assert _accepts(newcomer, rate)  # fewer than 100 submitted assignments: the rate reads 100
    assert not _accepts(newcomer, many)
    careless = mturk_mock.worker()
    careless.history(approved=90, rejected=10)
    assert not _accepts(careless, rate)
    veteran = mturk_mock.worker()
    veteran.history(approved=100, rejected=4)
    assert not _accepts(veteran, many)  # 100 approved is not more than 100
    hit_id = create_hit(mturk_client)["HITId"]
    working = veteran.accept(hit_id)
    working.submit({"label": "x"})
    mturk_client.approve_assignment(AssignmentId=working.assignment_id)
    assert _accepts(veteran, rate) and _accepts(veteran, many)


def test_a_blocked_worker_cannot_find_or_take_the_requesters_hits(mturk_client, mturk_mock):
    worker = mturk_mock.worker("A1111111111111")
    mine = create_hit(mturk_client, MaxAssignments=2)["HITId"]
    theirs = create_hit(requester_client("AKIAOTHER"), MaxAssignments=2)["HITId"]
    held = worker.accept(mine)
    mturk_client.create_worker_block(WorkerId=worker.worker_id, Reason="copied answers")
    assert worker.search_hits() == [theirs]
    with pytest.raises(WorkerActionRefused, match="blocked"):
        worker.preview(create_hit(mturk_client)["HITId"])
    held.submit({"label": "work in hand stays"})
    blocks = mturk_client.list_worker_blocks()["WorkerBlocks"]
    assert blocks == [{"WorkerId": worker.worker_id, "Reason": "copied answers"}]
    mturk_client.delete_worker_block(WorkerId=worker.worker_id, Reason="sorry")
    mturk_client.delete_worker_block(WorkerId=worker.worker_id)  # succeeds when not blocked
    assert mturk_client.list_worker_blocks()["WorkerBlocks"] == []
    assert mine not in worker.search_hits()  # done already
    with pytest.raises(ClientError) as raised:
        mturk_client.delete_worker_block(WorkerId="nobody")
    error = raised.value.response["Error"]
    assert error["Code"] == "ParameterValidationError" and error["Message"].startswith("WorkerId is invalid. (")


def test_preview_and_accept_urls_of_an_external_question(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client)["HITId"]
    worker = mturk_mock.worker("A1111111111111")
    preview = worker.preview(hit_id)
    assert (
        preview.url
        == f"https://tasks.example.org/label?batch=7&assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId={hit_id}"
    )
    assignment = worker.accept(hit_id)
    assert assignment.url == (
        f"https://tasks.example.org/label?batch=7&assignmentId={assignment.assignment_id}&hitId={hit_id}"
        "&turkSubmitTo=https%3A%2F%2Fworkersandbox.mturk.com&workerId=A1111111111111"
    )
    assert worker.preview(create_hit(mturk_client, Question=HTML_QUESTION)["HITId"]).url is None


def test_answers_to_a_question_form_are_checked_against_it(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=10, Question=HIT_QUESTION_FORM)["HITId"]
    worker = mturk_mock.worker()
    refusals = [
        {"sky": "blue"},  # 'primaries' is required
        {"sky": "purple", "primaries": ["r"]},  # no such selection
        {"primaries": ["r", "g", "b", "y", "r"]},
        {"primaries": ["r"], "nope": "x"},
    ]
    for answers in refusals:
        working = worker.accept(hit_id)
        with pytest.raises(WorkerActionRefused, match="cannot be submitted"):
            working.submit(answers)
        working.return_()
    working = worker.accept(hit_id)
    working.submit({"primaries": ["r", "g"]})  # 'sky' is optional in this form
    answer = mturk_client.get_assignment(AssignmentId=working.assignment_id)["Assignment"]["Answer"]
    assert (
        "<QuestionIdentifier>primaries</QuestionIdentifier>\n<SelectionIdentifier>r</SelectionIdentifier>\n"
        "<SelectionIdentifier>g</SelectionIdentifier>" in answer
    )


def test_free_text_constraints_and_file_uploads(mturk_client, mturk_mock):
    form = (
        f'<QuestionForm xmlns="{SCHEMAS}2005-10-01/QuestionForm.xsd">'
        "<Question><QuestionIdentifier>age</QuestionIdentifier>"
        "<IsRequired>true</IsRequired><QuestionContent><Text>Age?</Text></QuestionContent><AnswerSpecification>"
        '<FreeTextAnswer><Constraints><IsNumeric minValue="18" maxValue="99"/></Constraints></FreeTextAnswer>'
        "</AnswerSpecification></Question><Question><QuestionIdentifier>code</QuestionIdentifier>"
        "<QuestionContent><Text>Code?</Text></QuestionContent><AnswerSpecification><FreeTextAnswer><Constraints>"
        '<Length minLength="4" maxLength="4"/><AnswerFormatRegex regex="[A-Z]+" errorText="Capitals only"/>'
        "</Constraints></FreeTextAnswer></AnswerSpecification></Question><Question><QuestionIdentifier>photo"
        "</QuestionIdentifier><QuestionContent><Text>Photo</Text></QuestionContent><AnswerSpecification>"
        "<FileUploadAnswer><MaxFileSizeInBytes>10</MaxFileSizeInBytes><MinFileSizeInBytes>1</MinFileSizeInBytes>"
        "</FileUploadAnswer></AnswerSpecification></Question></QuestionForm>"
    )
    hit_id = create_hit(mturk_client, MaxAssignments=10, Question=form)["HITId"]
    worker = mturk_mock.worker()
    for answers, reason in (
        ({"age": "17"}, "number from 18"),
        ({"age": "x"}, "a number"),
        ({"age": "30", "code": "abcd"}, "Capitals only"),
        ({"age": "30", "code": "ABC"}, "4 to 4"),
        ({"age": "30", "photo": FileUpload(b"x" * 11)}, "1 to 10 bytes"),
    ):
        working = worker.accept(hit_id)
        with pytest.raises(WorkerActionRefused, match=reason):
            working.submit(answers)
        working.return_()
    working = worker.accept(hit_id)
    working.submit({"age": "30", "code": "ABCD", "photo": FileUpload(b"jpeg")})
    answer = mturk_client.get_assignment(AssignmentId=working.assignment_id)["Assignment"]["Answer"]
    assert "<UploadedFileSizeInBytes>4</UploadedFileSizeInBytes>" in answer and "<UploadedFileKey>photo/" in answer


def test_answers_may_be_given_as_xml(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, MaxAssignments=2)["HITId"]
    document = (
        '<QuestionFormAnswers xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/'
        'QuestionFormAnswers.xsd"><Answer><QuestionIdentifier>label</QuestionIdentifier><FreeText>dog</FreeText>'
        "</Answer></QuestionFormAnswers>"
    )
    working = mturk_mock.worker().accept(hit_id)
    working.submit(document)
    assert mturk_client.get_assignment(AssignmentId=working.assignment_id)["Assignment"]["Answer"] == document
    with pytest.raises(WorkerActionRefused, match="not valid"):
        mturk_mock.worker().accept(hit_id).submit("<not answers/>")

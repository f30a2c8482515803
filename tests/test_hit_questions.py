"""A HIT's question content: ExternalQuestion, HTMLQuestion, QuestionForm and HIT layouts (spec H§3)."""

from __future__ import annotations

import pytest

from .helpers import HIT_TYPE, create_hit, parameter_error, request_error
from .samples import EXTERNAL_QUESTION, HIT_QUESTION_FORM, HTML_QUESTION, SCHEMAS

EXTERNAL_NS = SCHEMAS + "2006-07-14/ExternalQuestion.xsd"
LAYOUT = "3LAYOUT0000000000000000000001"


def _external(url: str = "https://tasks.example.org/x", height: str = "<FrameHeight>0</FrameHeight>") -> str:
    return f'<ExternalQuestion xmlns="{EXTERNAL_NS}"><ExternalURL>{url}</ExternalURL>{height}</ExternalQuestion>'


@pytest.mark.parametrize("question", [EXTERNAL_QUESTION, HTML_QUESTION, HIT_QUESTION_FORM, _external()])
def test_each_kind_of_question_is_accepted_and_echoed_verbatim(mturk_client, question):
    hit = create_hit(mturk_client, Question=question)
    assert hit["Question"] == question and "HITLayoutId" not in hit


def test_a_legacy_question_form_may_ask_for_a_file_upload_in_a_hit(mturk_client, mturk_mock):
    upload = (
        "<Question><QuestionIdentifier>photo</QuestionIdentifier><QuestionContent><Text>Upload</Text>"
        "</QuestionContent><AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>1000</MaxFileSizeInBytes>"
        "<MinFileSizeInBytes>1</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification></Question>"
    )
    form = HIT_QUESTION_FORM.replace("</QuestionForm>", upload + "</QuestionForm>")
    create_hit(mturk_client, Question=form.replace("2017-11-06", "2005-10-01"))
    # The 2017-11-06 schema no longer has FileUploadAnswer.
    parameter_error(lambda: create_hit(mturk_client, Question=form), "Question", mturk_mock)


def test_an_external_url_must_use_https(mturk_client, mturk_mock):
    url = "http://tasks.example.org/x"
    response = parameter_error(lambda: create_hit(mturk_client, Question=_external(url)), "ExternalURL", mturk_mock)
    assert response["Error"]["Message"].startswith(
        f'The value "{url}" is not valid for the parameter ExternalURL. This URL must use the HTTPS protocol.. ('
    )


@pytest.mark.parametrize(
    "question",
    [
        "",
        "not xml",
        "<ExternalQuestion/>",  # no namespace
        _external(height=""),
        _external(height="<FrameHeight>-1</FrameHeight>"),
        _external(url="https:///no-host"),
        _external().replace("2006-07-14", "2005-10-01"),
        f'<HTMLQuestion xmlns="{SCHEMAS}2011-11-11/HTMLQuestion.xsd"><HTMLContent> </HTMLContent>'
        "<FrameHeight>0</FrameHeight></HTMLQuestion>",
        f'<Other xmlns="{EXTERNAL_NS}"/>',
        '<!DOCTYPE x [<!ENTITY a "aaaa">]>' + _external(),
        _external().replace("</ExternalQuestion>", "<!--" + "x" * 65536 + "--></ExternalQuestion>"),
    ],
)
def test_anything_else_is_not_a_valid_question(mturk_client, mturk_mock, question):
    response = parameter_error(lambda: create_hit(mturk_client, Question=question), "Question", mturk_mock)
    assert response["Error"]["Message"].startswith('The value "')


def test_exactly_one_of_question_and_layout(mturk_client, mturk_mock):
    mturk_mock.add_hit_layout(LAYOUT, "<p>${word}</p>")
    params = {**HIT_TYPE, "LifetimeInSeconds": 600}
    parameter_error(lambda: mturk_client.create_hit(**params), "Question", mturk_mock)
    parameter_error(
        lambda: mturk_client.create_hit(**params, Question=EXTERNAL_QUESTION, HITLayoutId=LAYOUT), "Question"
    )
    parameter_error(
        lambda: mturk_client.create_hit(
            **params, Question=EXTERNAL_QUESTION, HITLayoutParameters=[{"Name": "word", "Value": "x"}]
        ),
        "HITLayoutParameters",
    )


def test_a_layout_hit_shows_the_rendered_layout(mturk_client, mturk_mock):
    mturk_mock.add_hit_layout(LAYOUT, "<h1>${title}</h1><img src='${url}'>")
    hit = mturk_client.create_hit(
        **HIT_TYPE,
        LifetimeInSeconds=600,
        HITLayoutId=LAYOUT,
        HITLayoutParameters=[
            {"Name": "title", "Value": "Cats & <dogs>"},
            {"Name": "url", "Value": "https://x/1.png"},
            {"Name": "unused", "Value": "ignored"},
        ],
    )["HIT"]
    assert hit["HITLayoutId"] == LAYOUT
    assert "<h1>Cats &amp; &lt;dogs&gt;</h1><img src='https://x/1.png'>" in hit["Question"]
    assert hit["Question"].startswith("<HTMLQuestion ")
    assert mturk_client.get_hit(HITId=hit["HITId"])["HIT"]["HITLayoutId"] == LAYOUT


def test_every_placeholder_needs_a_value(mturk_client, mturk_mock):
    mturk_mock.add_hit_layout(LAYOUT, "${a} ${b}")
    parameter_error(
        lambda: mturk_client.create_hit(
            **HIT_TYPE, LifetimeInSeconds=600, HITLayoutId=LAYOUT, HITLayoutParameters=[{"Name": "a", "Value": "1"}]
        ),
        "HITLayoutParameters",
        mturk_mock,
    )


def test_an_unknown_layout_does_not_exist(mturk_client):
    request_error(
        lambda: mturk_client.create_hit(**HIT_TYPE, LifetimeInSeconds=600, HITLayoutId="3NOSUCHLAYOUT"),
        "HITLayoutDoesNotExist",
        "HITLayout 3NOSUCHLAYOUT does not exist.",
    )


def test_layouts_are_registered_with_an_entity_id(mturk_mock):
    with pytest.raises(ValueError, match="HITLayoutId"):
        mturk_mock.add_hit_layout("lower-case", "<p/>")

"""A QuestionForm drawn as an HTML form and a post of it read back (mturk_mock.web.question_form): widgets
by style and counts, rules as attributes, content that cannot run, answers the model's checks accept."""

from __future__ import annotations

import pytest

from mturk_mock.model.xml import parse_answers
from mturk_mock.model.xml.hit_answers import check_form_answers
from mturk_mock.model.xml.questions import parse_question
from mturk_mock.web.http import Fields
from mturk_mock.web.question_form import OTHER_CHOICE, answers_xml, form_view, sanitize

QF = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd"


def selection(identifier: str, style: str | None, least: int | None = None, most: int | None = None,
              other: bool = False) -> str:  # fmt: skip
    counts = "".join(
        f"<{name}>{value}</{name}>"
        for name, value in (("MinSelectionCount", least), ("MaxSelectionCount", most))
        if value is not None
    )
    style_xml = f"<StyleSuggestion>{style}</StyleSuggestion>" if style else ""
    other_xml = '<OtherSelection><Constraints><Length maxLength="12"/></Constraints></OtherSelection>' if other else ""
    return (
        f"<Question><QuestionIdentifier>{identifier}</QuestionIdentifier><IsRequired>true</IsRequired>"
        "<QuestionContent><Text>Pick</Text></QuestionContent><AnswerSpecification><SelectionAnswer>"
        f"{counts}{style_xml}<Selections>"
        "<Selection><SelectionIdentifier>a</SelectionIdentifier><Text>Apple</Text></Selection>"
        "<Selection><SelectionIdentifier>b</SelectionIdentifier>"
        "<FormattedContent><![CDATA[<b onclick='x()'>Bold</b> banana]]></FormattedContent></Selection>"
        f"{other_xml}</Selections></SelectionAnswer></AnswerSpecification></Question>"
    )


def view_of(*questions: str, overview: str = ""):
    xml = f'<QuestionForm xmlns="{QF}">{overview}{"".join(questions)}</QuestionForm>'
    form = parse_question(xml).form
    assert form is not None
    return form_view(xml, form), form


@pytest.mark.parametrize(
    ("style", "least", "most", "widget", "multiple"),
    [
        ("radiobutton", None, None, "radio", False),
        (None, None, None, "radio", False),
        (None, 1, 3, "checkbox", True),
        ("checkbox", None, None, "checkbox", True),
        ("multichooser", 1, 2, "checkbox", True),
        ("dropdown", None, None, "select", False),
        ("list", 1, 2, "select", True),
    ],
)
def test_selection_widgets_follow_the_style_and_counts(style, least, most, widget, multiple):
    view, _ = view_of(selection("q", style, least, most))
    field = view.fields[0]
    assert (field.widget, field.multiple) == (widget, multiple)
    assert [choice.identifier for choice in field.choices] == ["a", "b"]
    assert field.choices[1].html == "<b>Bold</b> banana"  # attributes and scripts never survive


def test_free_text_rules_become_attributes_and_a_hint():
    question = (
        "<Question><QuestionIdentifier>zip</QuestionIdentifier><DisplayName>ZIP code</DisplayName>"
        "<IsRequired>true</IsRequired><QuestionContent><Title>Where</Title><List><ListItem>US only</ListItem></List>"
        "</QuestionContent><AnswerSpecification><FreeTextAnswer><Constraints>"
        '<Length minLength="5" maxLength="5"/><AnswerFormatRegex regex="[0-9]{5}" errorText="Five digits"/>'
        "</Constraints><DefaultText>00000</DefaultText></FreeTextAnswer></AnswerSpecification></Question>"
    )
    view, _ = view_of(question, overview="<Overview><Text>Hello</Text></Overview>")
    field = view.fields[0]
    assert field.widget == "text" and field.default == "00000" and field.display_name == "ZIP code"
    assert field.attributes == {
        "required": "",
        "minlength": "5",
        "maxlength": "5",
        "pattern": "[0-9]{5}",
        "title": "Five digits",
    }
    assert field.hint == "Required. 5 to 5 characters. Five digits"
    assert [block.kind for block in field.content] == ["title", "list"] and view.overview[0].text == "Hello"


def test_a_post_becomes_answers_the_model_accepts():
    view, form = view_of(selection("fruit", "checkbox", 1, 3, other=True), selection("one", "radiobutton", other=True))
    posted = Fields(
        [("answer.fruit", "a"), ("answer.fruit", "b"), ("other.fruit", "kiwi"),
         ("answer.one", OTHER_CHOICE), ("other.one", " fig ")]
    )  # fmt: skip
    document = answers_xml(view, posted)
    check_form_answers(document, form)
    answers = parse_answers(document)
    assert answers["fruit"].selection_ids == ("a", "b") and answers["fruit"].other_selection_text == "kiwi"
    assert answers["one"].selection_ids == () and answers["one"].other_selection_text == "fig"
    radio_only = answers_xml(view, Fields([("answer.one", "a"), ("other.one", "ignored")]))
    assert parse_answers(radio_only)["one"].other_selection_text is None  # the other text counts only when picked


def test_sanitize_keeps_harmless_markup_only():
    assert sanitize("<p>Hi <a href='javascript:x()'>there</a><script>bad()</script><img src=x onerror=y>") == (
        "<p>Hi there</p>"
    )
    assert sanitize("<ul><li>one<li>two</ul><i>open") == "<ul><li>one<li>two</li></li></ul><i>open</i>"
    assert sanitize("1 < 2 & 3") == "1 &lt; 2 &amp; 3"

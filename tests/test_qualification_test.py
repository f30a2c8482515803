"""Qualification tests: QuestionForm / AnswerKey / QuestionFormAnswers parsing, validation and scoring.

Spec section 2. The XML here is written by small independent helpers (not by the module under test).
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mturk_mock.model.xml import (
    MAX_XML_BYTES,
    Answer,
    InvalidXML,
    PercentageMapping,
    RangeMapping,
    ScaleMapping,
    ScoreRange,
    build_answers,
    parse_answer_key,
    parse_answers,
    parse_question_form,
    score,
)

from .samples import ANSWER_KEY as KEY
from .samples import ANSWERS, KEY_QUESTIONS
from .samples import TEST as FORM

SCHEMAS = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
QF17 = SCHEMAS + "2017-11-06/QuestionForm.xsd"
QF05 = SCHEMAS + "2005-10-01/QuestionForm.xsd"
AK = SCHEMAS + "2005-10-01/AnswerKey.xsd"
QFA = SCHEMAS + "2005-10-01/QuestionFormAnswers.xsd"
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def esc(text: str) -> str:
    return escape(text, {"\r": "&#13;"})


# ---------------------------------------------------------------- XML writers for the tests


def sel_q(qid: str, sids, *, head: str = "", other: bool = False, content: str = "<Text>Q</Text>") -> str:
    selections = "".join(
        f"<Selection><SelectionIdentifier>{esc(s)}</SelectionIdentifier><Text>{esc(s)}</Text></Selection>" for s in sids
    )
    other_xml = "<OtherSelection/>" if other else ""
    return (
        f"<Question><QuestionIdentifier>{esc(qid)}</QuestionIdentifier>"
        f"<QuestionContent>{content}</QuestionContent><AnswerSpecification><SelectionAnswer>{head}"
        f"<Selections>{selections}{other_xml}</Selections></SelectionAnswer></AnswerSpecification></Question>"
    )


def text_q(qid: str, answer: str = "<FreeTextAnswer/>", content: str = "<Text>Q</Text>") -> str:
    return (
        f"<Question><QuestionIdentifier>{esc(qid)}</QuestionIdentifier>"
        f"<QuestionContent>{content}</QuestionContent><AnswerSpecification>{answer}</AnswerSpecification>"
        "</Question>"
    )


def form(*parts: str, ns: str = QF17) -> str:
    return f'<QuestionForm xmlns="{ns}">{"".join(parts)}</QuestionForm>'


def key_q(qid: str, options, default: int | None = None) -> str:
    opts = "".join(
        "<AnswerOption>"
        + "".join(f"<SelectionIdentifier>{esc(s)}</SelectionIdentifier>" for s in ids)
        + f"<AnswerScore>{points}</AnswerScore></AnswerOption>"
        for ids, points in options
    )
    default_xml = "" if default is None else f"<DefaultScore>{default}</DefaultScore>"
    return f"<Question><QuestionIdentifier>{esc(qid)}</QuestionIdentifier>{opts}{default_xml}</Question>"


def key(*parts: str, mapping: str = "", ns: str = AK) -> str:
    mapping_xml = f"<QualificationValueMapping>{mapping}</QualificationValueMapping>" if mapping else ""
    return f'<AnswerKey xmlns="{ns}">{"".join(parts)}{mapping_xml}</AnswerKey>'


def pct(maximum) -> str:
    return f"<PercentageMapping><MaximumSummedScore>{maximum}</MaximumSummedScore></PercentageMapping>"


def scale(multiplier) -> str:
    return f"<ScaleMapping><SummedScoreMultiplier>{multiplier}</SummedScoreMultiplier></ScaleMapping>"


def rng(ranges, out) -> str:
    body = "".join(
        f"<SummedScoreRange><InclusiveLowerBound>{lo}</InclusiveLowerBound>"
        f"<InclusiveUpperBound>{hi}</InclusiveUpperBound><QualificationValue>{v}</QualificationValue>"
        "</SummedScoreRange>"
        for lo, hi, v in ranges
    )
    return f"<RangeMapping>{body}<OutOfRangeQualificationValue>{out}</OutOfRangeQualificationValue></RangeMapping>"


def ans_sel(qid: str, *sids: str) -> str:
    ids = "".join(f"<SelectionIdentifier>{esc(s)}</SelectionIdentifier>" for s in sids)
    return f"<Answer><QuestionIdentifier>{esc(qid)}</QuestionIdentifier>{ids}</Answer>"


def answers(*parts: str, ns: str = QFA) -> str:
    return f'<QuestionFormAnswers xmlns="{ns}">{"".join(parts)}</QuestionFormAnswers>'


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail (rather than hang) when the block takes longer than `seconds`."""

    def expire(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")

    if not hasattr(signal, "setitimer"):  # not POSIX: no guard, the test just runs
        yield
        return
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def invalid(func, xml: str, *args, parameter: str, reason: str = "", **kwargs) -> InvalidXML:
    with pytest.raises(InvalidXML) as info:
        func(xml, *args, **kwargs)
    assert type(info.value) is InvalidXML
    assert info.value.parameter == parameter
    assert reason in info.value.reason
    return info.value


# ---------------------------------------------------------------- spec 2.5 worked example

# The form, key and answers of spec 2.5 live in tests/samples.py (shared with the service tests).


def test_worked_example_parses_as_written():
    parsed = parse_question_form(FORM)
    assert [q.identifier for q in parsed.questions] == ["sky", "primaries"]
    sky, primaries = parsed.questions
    assert (sky.answer_kind, sky.selection_ids, sky.display_name, sky.is_required) == (
        "selection",
        ("blue", "green"),
        "Sky",
        True,
    )
    assert (sky.min_selection_count, sky.max_selection_count, sky.style_suggestion) == (1, 1, "radiobutton")
    assert (primaries.min_selection_count, primaries.max_selection_count) == (1, 4)
    assert primaries.selection_ids == ("r", "g", "b", "y") and not primaries.has_other_selection
    assert parsed.by_identifier["primaries"] is primaries
    answer_key = parse_answer_key(KEY, parsed)
    assert answer_key.mapping == PercentageMapping(20)
    assert [o.score for o in answer_key.questions[1].options] == [10, 4]
    assert answer_key.questions[1].options[1].selection_ids == frozenset({"r", "g"})
    assert answer_key.questions[1].default_score == -2
    worker = parse_answers(ANSWERS)
    assert worker["primaries"].selection_ids == ("g", "r")


def test_worked_example_scores_70():
    assert score(parse_answer_key(KEY, parse_question_form(FORM)), parse_answers(ANSWERS)) == 70


@pytest.mark.parametrize(
    ("primaries", "expected"),
    [(["r", "g", "b", "y"], 40), (None, 40), (["r", "g", "b"], 100), (["b", "g", "r"], 100), (["r"], 40)],
)
def test_worked_example_variants(primaries, expected):
    parts = [ans_sel("sky", "blue")] + ([] if primaries is None else [ans_sel("primaries", *primaries)])
    answer_key = parse_answer_key(KEY, parse_question_form(FORM))
    assert score(answer_key, parse_answers(answers(*parts))) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([ans_sel("sky", "blue"), ans_sel("primaries", "g", "r")], 2),  # sum 14
        ([], 0),  # sum 0 + -2 = -2: below every range
        ([ans_sel("sky", "green"), ans_sel("primaries", "y")], 0),  # sum -2 again
        ([ans_sel("sky", "blue")], 1),  # sum 8
        ([ans_sel("sky", "blue"), ans_sel("primaries", "r", "g", "b")], 2),  # sum 20, the upper bound
    ],
)
def test_worked_example_with_range_mapping(parts, expected):
    mapping = "<QualificationValueMapping>" + rng([(0, 9, 1), (10, 20, 2)], 0) + "</QualificationValueMapping>"
    range_key = KEY.replace(KEY[KEY.index("<QualificationValueMapping>") : KEY.index("</AnswerKey>")], mapping)
    answer_key = parse_answer_key(range_key, parse_question_form(FORM))
    assert answer_key.mapping == RangeMapping((ScoreRange(0, 9, 1), ScoreRange(10, 20, 2)), 0)
    assert score(answer_key, parse_answers(answers(*parts))) == expected


# ---------------------------------------------------------------- rule 1: safety

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<{root} xmlns="{ns}"><X>&lol9;</X></{root}>"""

HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "external entity (file)": '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><{root} xmlns="{ns}">&x;</{root}>',
    "external entity (http)": '<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><{root} xmlns="{ns}">&x;'
    "</{root}>",
    "parameter entity": '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><{root} xmlns="{ns}"/>',
    "external DTD": '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/r.dtd"><{root} xmlns="{ns}"/>',
    "plain DOCTYPE": '<!DOCTYPE {root}><{root} xmlns="{ns}"/>',
    "undefined entity": '<{root} xmlns="{ns}">&nope;</{root}>',
}

PARSERS = {
    "Test": (lambda xml: parse_question_form(xml), "QuestionForm", QF17),
    "AnswerKey": (lambda xml: parse_answer_key(xml, parse_question_form(FORM)), "AnswerKey", AK),
    "Answer": (lambda xml: parse_answers(xml), "QuestionFormAnswers", QFA),
}


@pytest.mark.parametrize("parameter", PARSERS)
@pytest.mark.parametrize("attack", HOSTILE)
def test_hostile_documents_are_rejected_quickly(parameter, attack):
    parse, root, ns = PARSERS[parameter]
    with within(1.0):
        invalid(parse, HOSTILE[attack].format(root=root, ns=ns), parameter=parameter)


def test_parameter_name_is_configurable():
    invalid(lambda x: parse_question_form(x, parameter="Question"), FORM + "junk", parameter="Question")
    invalid(lambda x: parse_answer_key(x, parse_question_form(FORM), parameter="Key"), "junk", parameter="Key")
    invalid(lambda x: parse_answers(x, parameter="Answers"), "", parameter="Answers")


def padded_form(total_bytes: int, filler: str = " ") -> str:
    base = form(sel_q("q", ["a"]))
    return base.replace("<Text>Q</Text>", "<Text>Q" + filler * (total_bytes - len(base.encode())) + "</Text>")


@pytest.mark.parametrize("parameter", PARSERS)
def test_oversized_documents_are_rejected_before_parsing(parameter):
    parse, root, ns = PARSERS[parameter]
    # 70 KB of broken XML: a parser would complain about syntax, the size check fires first.
    xml = f'<{root} xmlns="{ns}">' + "<" * 70_000
    with within(1.0):
        invalid(parse, xml, parameter=parameter, reason="larger than 65535 bytes")


def test_size_limit_counts_utf8_bytes():
    assert len(padded_form(MAX_XML_BYTES).encode()) == MAX_XML_BYTES
    assert parse_question_form(padded_form(MAX_XML_BYTES)).questions[0].identifier == "q"
    invalid(parse_question_form, padded_form(MAX_XML_BYTES + 1), parameter="Test", reason="larger")
    base = form(sel_q("q", ["a"]))
    under_in_chars = base.replace("<Text>Q</Text>", "<Text>" + "é" * 40_000 + "</Text>")  # 2 bytes each
    assert len(under_in_chars) < MAX_XML_BYTES < len(under_in_chars.encode())
    invalid(parse_question_form, under_in_chars, parameter="Test", reason="larger")


@pytest.mark.parametrize(
    "xml",
    [
        "",
        "   ",
        "not xml",
        "<",
        "<QuestionForm",
        "\x00",
        "\ud800",
        "<a>\ud800</a>",
        "<?xml version='1.0'?>",
        form(sel_q("q", ["a"])) + "<trailing/>",
        form(sel_q("q", ["a"])).replace("</QuestionForm>", ""),
        "\ufeff" * 3,
        "<QuestionForm xmlns='" + QF17 + "'>&#0;</QuestionForm>",
    ],
)
def test_garbage_is_invalid_xml(xml):
    invalid(parse_question_form, xml, parameter="Test")
    invalid(parse_answers, xml, parameter="Answer")


@pytest.mark.parametrize("value", [None, b"<QuestionForm/>", 42])
def test_non_string_input_is_invalid_xml(value):
    invalid(parse_question_form, value, parameter="Test", reason="expected a string")


ANY_PARSE = [
    lambda xml: parse_question_form(xml),
    lambda xml: parse_question_form(xml, qualification_test=False),
    lambda xml: parse_answer_key(xml, parse_question_form(FORM)),
    lambda xml: parse_answers(xml),
]


def only_invalid_xml(xml: str) -> None:
    for parse in ANY_PARSE:
        try:
            parse(xml)
        except InvalidXML:
            pass


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_only_raises_invalid_xml(xml):
    only_invalid_xml(xml)


XMLISH = st.lists(
    st.sampled_from(
        [
            "<",
            ">",
            "</",
            "/>",
            "<?xml version='1.0'?>",
            "<!DOCTYPE x>",
            "&amp;",
            "&#13;",
            "&#x0;",
            "<![CDATA[",
            "]]>",
            f' xmlns="{QF17}"',
            f' xmlns="{AK}"',
            f' xmlns="{QFA}"',
            "QuestionForm",
            "AnswerKey",
            "QuestionFormAnswers",
            "Question",
            "Answer",
            "QuestionIdentifier",
            "SelectionIdentifier",
            "AnswerOption",
            "AnswerScore",
            "99999999999999999999",
            "-1",
            "1e400",
            "x",
            "é",
            "\U0001f600",
            " ",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(XMLISH)
def test_xml_like_text_only_raises_invalid_xml(xml):
    only_invalid_xml(xml)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([FORM, KEY, ANSWERS]),
    st.integers(0, len(KEY)),
    st.integers(0, 40),
    st.text(max_size=10) | st.sampled_from(["<", "</Question>", "<Bogus>", "2147483648", "&", "]]>"]),
)
def test_mutated_documents_parse_or_raise_invalid_xml(document, at, cut, insert):
    at = min(at, len(document))
    only_invalid_xml(document[:at] + insert + document[at + cut :])


@within(5.0)
def test_huge_numbers_are_invalid_xml():
    big = "9" * 5000  # beyond int()'s default digit limit
    invalid(
        parse_answer_key,
        KEY.replace("<AnswerScore>10</AnswerScore>", f"<AnswerScore>{big}</AnswerScore>"),
        parse_question_form(FORM),
        parameter="AnswerKey",
        reason="must be an integer",
    )
    invalid(
        parse_question_form,
        FORM.replace("<MaxSelectionCount>4", f"<MaxSelectionCount>{big}"),
        parameter="Test",
        reason="must be an integer",
    )
    invalid(
        parse_answer_key,
        key(KEY_QUESTIONS, mapping=scale("1e999999999")),
        parse_question_form(FORM),
        parameter="AnswerKey",
        reason="xs:double",
    )
    invalid(
        parse_answer_key,
        key(KEY_QUESTIONS, mapping=scale("1e-999999999")),
        parse_question_form(FORM),
        parameter="AnswerKey",
        reason="xs:double",
    )


# ---------------------------------------------------------------- rule 2: namespaces and roots


@pytest.mark.parametrize("ns", [QF17, QF05])
def test_question_form_accepts_both_namespaces(ns):
    parsed = parse_question_form(form(sel_q("q", ["a", "b"]), ns=ns))
    assert parsed.namespace == ns and parsed.questions[0].selection_ids == ("a", "b")


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (form(sel_q("q", ["a"]), ns=SCHEMAS + "2005-10-01/AnswerKey.xsd"), "namespace"),
        (form(sel_q("q", ["a"]), ns=SCHEMAS + "2017-11-06/QuestionForm.xsd/"), "namespace"),
        (form(sel_q("q", ["a"])).replace(f' xmlns="{QF17}"', ""), "namespace"),
        (
            (
                f'<ExternalQuestion xmlns="{SCHEMAS}2006-07-14/ExternalQuestion.xsd">'
                "<ExternalURL>https://x</ExternalURL><FrameHeight>0</FrameHeight></ExternalQuestion>"
            ),
            "root element must be QuestionForm",
        ),
        (
            (
                f'<HTMLQuestion xmlns="{SCHEMAS}2011-11-11/HTMLQuestion.xsd"><HTMLContent>x</HTMLContent>'
                "<FrameHeight>0</FrameHeight></HTMLQuestion>"
            ),
            "root element must be QuestionForm",
        ),
        (f'<q:QuestionForm xmlns:q="{QF17}">{sel_q("q", ["a"])}</q:QuestionForm>', "not in namespace"),
    ],
)
def test_question_form_rejects_other_roots_and_namespaces(xml, reason):
    invalid(parse_question_form, xml, parameter="Test", reason=reason)


def test_prefixed_namespace_is_the_same_namespace():
    prefixed = form(sel_q("q", ["a"])).replace("<", "<m:").replace("<m:/", "</m:").replace(" xmlns=", " xmlns:m=")
    assert parse_question_form(prefixed).questions[0].identifier == "q"


@pytest.mark.parametrize("ns", [QF17, SCHEMAS + "2017-11-06/AnswerKey.xsd", ""])
def test_answer_key_only_accepts_its_2005_namespace(ns):
    xml = key(KEY_QUESTIONS, ns=ns) if ns else key(KEY_QUESTIONS).replace(f' xmlns="{AK}"', "")
    invalid(parse_answer_key, xml, parse_question_form(FORM), parameter="AnswerKey", reason="namespace")


@pytest.mark.parametrize("ns", [QF17, SCHEMAS + "2017-11-06/QuestionFormAnswers.xsd", AK])
def test_answers_only_accept_their_2005_namespace(ns):
    invalid(parse_answers, answers(ans_sel("sky", "blue"), ns=ns), parameter="Answer", reason="namespace")


def test_wrong_root_elements():
    invalid(parse_answer_key, ANSWERS, parse_question_form(FORM), parameter="AnswerKey", reason="root element")
    invalid(parse_answers, KEY, parameter="Answer", reason="root element")
    invalid(parse_question_form, f'<Question xmlns="{QF17}"/>', parameter="Test", reason="root element")


# ---------------------------------------------------------------- rule 3: QuestionForm structure

Q = "<QuestionIdentifier>sky</QuestionIdentifier>"
BAD_FORMS = {
    "no question": (form("<Overview><Text>x</Text></Overview>"), "at least one Question"),
    "empty root": (form(), "at least one Question"),
    "unknown child of root": (form(sel_q("q", ["a"]), "<Bogus/>"), "unexpected element Bogus"),
    "text in root": (form(sel_q("q", ["a"]), "stray"), "unexpected text after Question"),
    "text before a child": (
        FORM.replace("<Question>\n", "<Question>stray", 1),
        "unexpected text inside Question",
    ),
    "missing identifier": (FORM.replace(Q, ""), "needs QuestionIdentifier"),
    "empty identifier": (FORM.replace(Q, "<QuestionIdentifier/>"), "must not be empty"),
    "blank identifier": (
        FORM.replace(Q, "<QuestionIdentifier> \n</QuestionIdentifier>"),
        "must not be empty",
    ),
    "identifier with child": (
        FORM.replace(Q, "<QuestionIdentifier>s<Text/></QuestionIdentifier>"),
        "contain",
    ),
    "duplicate identifier": (FORM.replace(">primaries<", ">sky<"), "duplicate QuestionIdentifier 'sky'"),
    "out of order": (
        FORM.replace(
            "<DisplayName>Sky</DisplayName>\n    <IsRequired>true</IsRequired>",
            "<IsRequired>true</IsRequired><DisplayName>Sky</DisplayName>",
        ),
        "DisplayName",
    ),
    "two display names": (
        FORM.replace("<DisplayName>Sky</DisplayName>", "<DisplayName>a</DisplayName>" * 2),
        "unexpected element DisplayName",
    ),
    "bad IsRequired": (
        FORM.replace("<IsRequired>true</IsRequired>", "<IsRequired>yes</IsRequired>", 1),
        "true or false",
    ),
    "missing QuestionContent": (
        form(sel_q("q", ["a"])).replace("<QuestionContent><Text>Q</Text></QuestionContent>", ""),
        "needs QuestionContent",
    ),
    "unknown content": (form(sel_q("q", ["a"], content="<Bogus/>")), "unexpected element Bogus"),
    "unknown overview content": (
        FORM.replace("<Title>Colour check</Title>", "<Header/>"),
        "unexpected element",
    ),
    "foreign namespace content": (
        form(sel_q("q", ["a"], content='<Text xmlns="urn:x">Q</Text>')),
        "not in namespace",
    ),
    "missing AnswerSpecification": (
        form(text_q("q", "")).replace("<AnswerSpecification></AnswerSpecification>", ""),
        "needs AnswerSpecification",
    ),
    "empty AnswerSpecification": (form(text_q("q", "")), "exactly one of"),
    "two answers": (form(text_q("q", "<FreeTextAnswer/><FreeTextAnswer/>")), "exactly one of"),
    "unknown answer": (form(text_q("q", "<EssayAnswer/>")), "unexpected element EssayAnswer"),
    "bad free text child": (
        form(text_q("q", "<FreeTextAnswer><Bogus/></FreeTextAnswer>")),
        "unexpected element",
    ),
    "no Selections": (form(text_q("q", "<SelectionAnswer/>")), "needs Selections"),
    "empty Selections": (form(sel_q("q", [])), "needs Selection"),
    "selection without identifier": (
        FORM.replace("<SelectionIdentifier>blue</SelectionIdentifier>", ""),
        "needs SelectionIdentifier",
    ),
    "empty selection identifier": (FORM.replace(">blue<", "><"), "must not be empty"),
    "duplicate selection": (FORM.replace(">green<", ">blue<"), "duplicate SelectionIdentifier"),
    "selection without content": (FORM.replace("<Text>Blue</Text>", ""), "exactly one of Text"),
    "selection with two contents": (
        FORM.replace("<Text>Blue</Text>", "<Text>B</Text><Text>B</Text>"),
        "unexpected element Text",
    ),
    "OtherSelection not last": (
        form(sel_q("q", ["a", "b"])).replace("</Selection><Selection>", "</Selection><OtherSelection/><Selection>"),
        "unexpected element Selection",
    ),
    "negative MinSelectionCount": (
        form(sel_q("q", ["a"], head="<MinSelectionCount>-1</MinSelectionCount>")),
        "outside 0..",
    ),
    "zero MaxSelectionCount": (
        form(sel_q("q", ["a"], head="<MaxSelectionCount>0</MaxSelectionCount>")),
        "outside 1..",
    ),
    "Min above Max": (FORM.replace("<MinSelectionCount>1</", "<MinSelectionCount>5</"), "greater than"),
    "Min above default Max": (
        form(sel_q("q", ["a", "b"], head="<MinSelectionCount>2</MinSelectionCount>")),
        "greater than",
    ),
    "non-integer count": (FORM.replace("<MaxSelectionCount>4</", "<MaxSelectionCount>4.0</"), "integer"),
    "count beyond xs:int": (
        FORM.replace("<MaxSelectionCount>4</", "<MaxSelectionCount>2147483648</"),
        "outside",
    ),
    "bad StyleSuggestion": (FORM.replace(">radiobutton<", ">slider<"), "StyleSuggestion 'slider'"),
    "counts out of order": (
        form(
            sel_q(
                "q",
                ["a"],
                head="<MaxSelectionCount>2</MaxSelectionCount><MinSelectionCount>1</MinSelectionCount>",
            )
        ),
        "unexpected element MinSelectionCount",
    ),
}


@pytest.mark.parametrize("case", BAD_FORMS)
def test_question_form_structure_is_validated(case):
    xml, reason = BAD_FORMS[case]
    invalid(parse_question_form, xml, parameter="Test", reason=reason)


def test_question_form_accepts_the_full_shape():
    overview = (
        "<Overview><Title>t</Title><List><ListItem>i</ListItem></List><FormattedContent><![CDATA[<b>x</b>]]>"
        "</FormattedContent></Overview>"
    )
    xml = form(
        overview,
        text_q(
            "essay",
            "<FreeTextAnswer><Constraints><Length minLength='1'/></Constraints><DefaultText>d"
            "</DefaultText><NumberOfLinesSuggestion>3</NumberOfLinesSuggestion></FreeTextAnswer>",
        ),
        "<Overview><Text>between</Text></Overview><!-- a comment -->",
        sel_q(
            "pick",
            ["a", "b", "c"],
            other=True,
            head="<MinSelectionCount>0</MinSelectionCount>"
            "<MaxSelectionCount>2</MaxSelectionCount><StyleSuggestion>multichooser</StyleSuggestion>",
        ),
        text_q("q3").replace("<QuestionContent>", "<IsRequired> 0 </IsRequired><QuestionContent>"),
        "<Overview/>",
    )
    parsed = parse_question_form('<?xml version="1.0" encoding="UTF-8"?>\n' + xml)
    essay, pick, q3 = parsed.questions
    assert (essay.answer_kind, essay.selection_ids, essay.min_selection_count, essay.is_required) == (
        "free_text",
        (),
        None,
        False,
    )
    assert (pick.answer_kind, pick.has_other_selection, pick.selection_ids) == (
        "selection",
        True,
        ("a", "b", "c"),
    )
    assert (pick.min_selection_count, pick.max_selection_count, pick.style_suggestion) == (
        0,
        2,
        "multichooser",
    )
    assert q3.is_required is False and q3.answer_kind == "free_text"


@pytest.mark.parametrize("style", ["radiobutton", "checkbox", "list", "dropdown", "combobox", "multichooser"])
def test_every_style_suggestion_is_accepted(style):
    parsed = parse_question_form(form(sel_q("q", ["a"], head=f"<StyleSuggestion>{style}</StyleSuggestion>")))
    assert parsed.questions[0].style_suggestion == style


def test_identifiers_are_kept_verbatim():
    parsed = parse_question_form(form(sel_q(" a&b ", ["<x>", " y"])))
    assert parsed.questions[0].identifier == " a&b "
    assert parsed.questions[0].selection_ids == ("<x>", " y")


FILE_UPLOAD = (
    "<FileUploadAnswer><MaxFileSizeInBytes>100</MaxFileSizeInBytes>"
    "<MinFileSizeInBytes>1</MinFileSizeInBytes></FileUploadAnswer>"
)
APPLICATION = "<Application><JavaApplet/></Application>"


@pytest.mark.parametrize("ns", [QF17, QF05])
def test_deprecated_elements_are_never_allowed_in_a_qualification_test(ns):
    invalid(
        parse_question_form,
        form(text_q("f", FILE_UPLOAD), ns=ns),
        parameter="Test",
        reason="FileUploadAnswer is not allowed in a qualification test",
    )
    invalid(
        parse_question_form,
        form(text_q("f", content=APPLICATION), ns=ns),
        parameter="Test",
        reason="Application is not allowed in a qualification test",
    )
    invalid(
        parse_question_form,
        form(f"<Overview>{APPLICATION}</Overview>", text_q("f"), ns=ns),
        parameter="Test",
        reason="Application",
    )


def test_deprecated_elements_are_accepted_only_in_legacy_hit_questions():
    legacy = parse_question_form(
        form(text_q("f", FILE_UPLOAD, content=APPLICATION), ns=QF05),
        parameter="Question",
        qualification_test=False,
    )
    assert legacy.questions[0].answer_kind == "file_upload"

    def hit_question(xml):
        return parse_question_form(xml, parameter="Question", qualification_test=False)

    for xml in (form(text_q("f", FILE_UPLOAD)), form(text_q("f", content=APPLICATION))):
        invalid(hit_question, xml, parameter="Question", reason="2017-11-06")
    bad_sizes = FILE_UPLOAD.replace(">1</Min", ">101</Min")
    invalid(hit_question, form(text_q("f", bad_sizes), ns=QF05), parameter="Question", reason="MinFileSizeInBytes")


def test_free_text_and_other_selection_are_allowed_in_a_test():
    parsed = parse_question_form(form(text_q("t"), sel_q("s", ["a"], other=True)))
    assert [q.answer_kind for q in parsed.questions] == ["free_text", "selection"]


# ---------------------------------------------------------------- rule 4: AnswerKey validation

FORM_WITH_TEXT = form(sel_q("sky", ["blue", "green"]), text_q("essay"))
BAD_KEYS = {
    "no question": (key(mapping=pct(10)), "needs Question"),
    "unknown question": (key(key_q("moon", [(["blue"], 1)])), "'moon' is not in the QuestionForm"),
    "free text question": (key(key_q("essay", [(["blue"], 1)])), "not a selection question"),
    "unknown selection": (key(key_q("sky", [(["blue", "red"], 1)])), "has no selection 'red'"),
    "question twice": (key(key_q("sky", [(["blue"], 1)]), key_q("sky", [(["green"], 1)])), "more than once"),
    "no AnswerOption": (key(key_q("sky", [])), "needs AnswerOption"),
    "option without selection": (key(key_q("sky", [([], 1)])), "needs SelectionIdentifier"),
    "option without score": (
        key(key_q("sky", [(["blue"], 1)]).replace("<AnswerScore>1</AnswerScore>", "")),
        "needs AnswerScore",
    ),
    "blank identifier": (key(key_q(" ", [(["blue"], 1)])), "must not be empty"),
    "decimal score": (key(key_q("sky", [(["blue"], "1.5")])), "must be an integer"),
    "score above xs:int": (key(key_q("sky", [(["blue"], INT_MAX + 1)])), "outside"),
    "score below xs:int": (key(key_q("sky", [(["blue"], INT_MIN - 1)])), "outside"),
    "default above xs:int": (key(key_q("sky", [(["blue"], 1)], INT_MAX + 1)), "outside"),
    "default before options": (
        key(
            key_q("sky", [(["blue"], 1)], 0)
            .replace("<DefaultScore>0</DefaultScore>", "")
            .replace("<AnswerOption>", "<DefaultScore>0</DefaultScore><AnswerOption>")
        ),
        "unexpected element DefaultScore in Question (needs AnswerOption)",
    ),
    "unknown element": (key(key_q("sky", [(["blue"], 1)]), "<Bogus/>"), "unexpected element Bogus"),
    "empty mapping": (
        key(key_q("sky", [(["blue"], 1)])).replace("</AnswerKey>", "<QualificationValueMapping/></AnswerKey>"),
        "exactly one of",
    ),
    "two mappings": (key(key_q("sky", [(["blue"], 1)]), mapping=pct(5) + scale(2)), "exactly one of"),
    "mapping before questions": (
        key(key_q("sky", [(["blue"], 1)]), mapping=pct(5)).replace(
            "<Question>", "<QualificationValueMapping>" + pct(5) + "</QualificationValueMapping><Question>", 1
        ),
        "unexpected element QualificationValueMapping in AnswerKey (needs Question)",
    ),
    "zero maximum": (key(key_q("sky", [(["blue"], 1)]), mapping=pct(0)), "outside 1.."),
    "negative maximum": (key(key_q("sky", [(["blue"], 1)]), mapping=pct(-5)), "outside 1.."),
    "maximum above xs:int": (key(key_q("sky", [(["blue"], 1)]), mapping=pct(INT_MAX + 1)), "outside 1.."),
    "multiplier not a number": (key(key_q("sky", [(["blue"], 1)]), mapping=scale("abc")), "finite decimal"),
    "multiplier INF": (key(key_q("sky", [(["blue"], 1)]), mapping=scale("INF")), "finite decimal"),
    "multiplier NaN": (key(key_q("sky", [(["blue"], 1)]), mapping=scale("NaN")), "finite decimal"),
    "multiplier beyond double": (key(key_q("sky", [(["blue"], 1)]), mapping=scale("1e400")), "xs:double"),
    "multiplier empty": (key(key_q("sky", [(["blue"], 1)]), mapping=scale("")), "finite decimal"),
    "range without ranges": (
        key(key_q("sky", [(["blue"], 1)]), mapping=rng([], 0)),
        "needs SummedScoreRange",
    ),
    "range without out-of-range": (
        key(
            key_q("sky", [(["blue"], 1)]),
            mapping=rng([(0, 1, 1)], 0).replace("<OutOfRangeQualificationValue>0</OutOfRangeQualificationValue>", ""),
        ),
        "needs OutOfRangeQualificationValue",
    ),
    "out-of-range first": (
        key(
            key_q("sky", [(["blue"], 1)]),
            mapping=rng([(0, 1, 1)], 0).replace(
                "<RangeMapping>",
                "<RangeMapping><OutOfRangeQualificationValue>0</OutOfRangeQualificationValue>",
            ),
        ),
        "unexpected element OutOfRangeQualificationValue in RangeMapping (needs SummedScoreRange)",
    ),
    "two out-of-range values": (
        key(
            key_q("sky", [(["blue"], 1)]),
            mapping=rng([(0, 1, 1)], 0).replace(
                "</RangeMapping>",
                "<OutOfRangeQualificationValue>1</OutOfRangeQualificationValue></RangeMapping>",
            ),
        ),
        "unexpected element OutOfRangeQualificationValue",
    ),
    "lower above upper": (key(key_q("sky", [(["blue"], 1)]), mapping=rng([(5, 4, 1)], 0)), "above its upper"),
    "range missing a bound": (
        key(
            key_q("sky", [(["blue"], 1)]),
            mapping=rng([(0, 1, 1)], 0).replace("<InclusiveUpperBound>1</InclusiveUpperBound>", ""),
        ),
        "needs InclusiveUpperBound",
    ),
    "range value above xs:int": (
        key(key_q("sky", [(["blue"], 1)]), mapping=rng([(0, 1, INT_MAX + 1)], 0)),
        "outside",
    ),
}


@pytest.mark.parametrize("case", BAD_KEYS)
def test_answer_key_is_validated(case):
    xml, reason = BAD_KEYS[case]
    invalid(parse_answer_key, xml, parse_question_form(FORM_WITH_TEXT), parameter="AnswerKey", reason=reason)


def test_answer_key_accepts_xs_int_extremes_and_whitespace():
    xml = key(key_q("sky", [(["blue"], f" \n{INT_MAX}\t")], f"{INT_MIN}"), mapping=pct("+7"))
    parsed = parse_answer_key(xml, parse_question_form(FORM_WITH_TEXT))
    assert parsed.questions[0].options[0].score == INT_MAX
    assert parsed.questions[0].default_score == INT_MIN
    assert parsed.mapping == PercentageMapping(7)


@pytest.mark.parametrize(
    ("written", "exact"),
    [
        ("1.5", Fraction(3, 2)),
        ("0.1", Fraction(1, 10)),
        ("-2", Fraction(-2)),
        ("1E2", Fraction(100)),
        (".5", Fraction(1, 2)),
        ("5.", Fraction(5)),
        ("+2.5e-1", Fraction(1, 4)),
        ("0e-99999999", Fraction(0)),
    ],
)
def test_scale_multiplier_is_kept_exact(written, exact):
    parsed = parse_answer_key(key(key_q("sky", [(["blue"], 1)]), mapping=scale(written)), parse_question_form(FORM))
    assert parsed.mapping == ScaleMapping(exact)


def test_range_mapping_keeps_document_order():
    xml = key(key_q("sky", [(["blue"], 1)]), mapping=rng([(5, 9, 2), (-3, 4, 1)], 7))
    parsed = parse_answer_key(xml, parse_question_form(FORM))
    assert parsed.mapping == RangeMapping((ScoreRange(5, 9, 2), ScoreRange(-3, 4, 1)), 7)


# ---------------------------------------------------------------- rule 5: QuestionFormAnswers


def test_answers_in_the_real_service_format():
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f'<QuestionFormAnswers xmlns="{QFA}"><Answer><QuestionIdentifier>essay</QuestionIdentifier><FreeText/>'
        "</Answer><Answer><QuestionIdentifier>note</QuestionIdentifier><FreeText> two\nlines </FreeText></Answer>"
        "<Answer><QuestionIdentifier>pick</QuestionIdentifier><SelectionIdentifier>a</SelectionIdentifier>"
        "<SelectionIdentifier>b</SelectionIdentifier><OtherSelectionText>mine</OtherSelectionText></Answer>"
        "<Answer><QuestionIdentifier>none</QuestionIdentifier></Answer>"
        "<Answer><QuestionIdentifier>file</QuestionIdentifier><UploadedFileSizeInBytes>12</UploadedFileSizeInBytes>"
        "<UploadedFileKey>k/1</UploadedFileKey></Answer></QuestionFormAnswers>"
    )
    parsed = parse_answers(xml)
    assert list(parsed) == ["essay", "note", "pick", "none", "file"]
    assert parsed["essay"] == Answer("essay", free_text="")
    assert parsed["note"].free_text == " two\nlines " and parsed["note"].kind == "free_text"
    assert parsed["pick"] == Answer("pick", ("a", "b"), other_selection_text="mine")
    assert parsed["none"] == Answer("none") and parsed["none"].kind == "selection"
    assert parsed["file"] == Answer("file", uploaded_file_size=12, uploaded_file_key="k/1")
    assert parsed["file"].kind == "file_upload"


def test_answers_may_be_empty():
    assert len(parse_answers(answers())) == 0


BAD_ANSWERS = {
    "duplicate answer": (answers(ans_sel("sky", "blue"), ans_sel("sky", "green")), "more than one Answer"),
    "missing identifier": (
        answers("<Answer><SelectionIdentifier>a</SelectionIdentifier></Answer>"),
        "needs QuestionIdentifier",
    ),
    "empty identifier": (answers(ans_sel("")), "must not be empty"),
    "empty selection": (answers(ans_sel("sky", "")), "must not be empty"),
    "selection then free text": (
        answers(ans_sel("sky", "blue").replace("</Answer>", "<FreeText/></Answer>")),
        "unexpected element FreeText",
    ),
    "free text then selection": (
        answers(
            "<Answer><QuestionIdentifier>q</QuestionIdentifier><FreeText/>"
            "<SelectionIdentifier>a</SelectionIdentifier></Answer>"
        ),
        "unexpected element SelectionIdentifier",
    ),
    "two free texts": (
        answers("<Answer><QuestionIdentifier>q</QuestionIdentifier><FreeText/><FreeText/></Answer>"),
        "unexpected element FreeText",
    ),
    "other text before selection": (
        answers(
            "<Answer><QuestionIdentifier>q</QuestionIdentifier><OtherSelectionText>"
            "o</OtherSelectionText><SelectionIdentifier>a</SelectionIdentifier>"
            "</Answer>"
        ),
        "unexpected element SelectionIdentifier",
    ),
    "file key without size": (
        answers("<Answer><QuestionIdentifier>q</QuestionIdentifier><UploadedFileKey>k</UploadedFileKey></Answer>"),
        "unexpected element UploadedFileKey",
    ),
    "file size without key": (
        answers(
            "<Answer><QuestionIdentifier>q</QuestionIdentifier><UploadedFileSizeInBytes>1"
            "</UploadedFileSizeInBytes></Answer>"
        ),
        "needs UploadedFileKey",
    ),
    "negative file size": (
        answers(
            "<Answer><QuestionIdentifier>q</QuestionIdentifier><UploadedFileSizeInBytes>-1"
            "</UploadedFileSizeInBytes><UploadedFileKey>k</UploadedFileKey></Answer>"
        ),
        "outside",
    ),
    "unknown element": (answers(ans_sel("sky", "blue"), "<Comment/>"), "unexpected element Comment"),
    "free text with markup": (
        answers("<Answer><QuestionIdentifier>q</QuestionIdentifier><FreeText>a<b/></FreeText></Answer>"),
        "must not contain elements",
    ),
}


@pytest.mark.parametrize("case", BAD_ANSWERS)
def test_answers_are_validated(case):
    xml, reason = BAD_ANSWERS[case]
    invalid(parse_answers, xml, parameter="Answer", reason=reason)


# ---------------------------------------------------------------- rule 6: scoring

SCORING_FORM = parse_question_form(form(sel_q("a", ["x", "y", "z"]), sel_q("b", ["p", "q"]), text_q("t")))


def score_of(key_xml: str, *parts: str) -> int:
    return score(parse_answer_key(key_xml, SCORING_FORM), parse_answers(answers(*parts)))


@pytest.mark.parametrize(
    ("selected", "expected"),
    [(["x", "y"], 5), (["y", "x"], 5), (["x", "y", "y"], 5), (["x"], -1), (["x", "y", "z"], -1), ([], -1)],
)
def test_an_option_matches_only_the_exact_set(selected, expected):
    assert score_of(key(key_q("a", [(["x", "y"], 5)], -1)), ans_sel("a", *selected)) == expected


def test_first_matching_option_wins_and_default_is_zero():
    first = key(key_q("a", [(["x"], 3), (["x"], 100)]))
    assert score_of(first, ans_sel("a", "x")) == 3
    assert score_of(first, ans_sel("a", "y")) == 0


def test_unanswered_and_free_text_answers_count_as_empty_selections():
    empty_scores = key(key_q("a", [(["x"], 3)], 2))
    assert score_of(empty_scores) == 2
    free_text = "<Answer><QuestionIdentifier>a</QuestionIdentifier><FreeText>x</FreeText></Answer>"
    assert score_of(empty_scores, free_text) == 2


def test_only_key_questions_are_summed():
    # "b" is answered but not in the key; answers to unknown questions are ignored too.
    assert score_of(key(key_q("a", [(["x"], 3)])), ans_sel("a", "x"), ans_sel("b", "p"), ans_sel("zz", "x")) == 3


@pytest.mark.parametrize(
    ("total", "maximum", "expected"),
    [
        (1, 8, 13),
        (-1, 8, -12),
        (-49, 40, -122),
        (3, 8, 38),
        (14, 20, 70),
        (0, 7, 0),
        (21, 20, 105),
        (-3, 8, -37),
    ],
)
def test_percentage_rounds_half_up_exactly(total, maximum, expected):
    # (-49, 40): -122.5 exactly, while float arithmetic gives -122.50000000000001 and would round to -123.
    assert score_of(key(key_q("a", [(["x"], total)]), mapping=pct(maximum)), ans_sel("a", "x")) == expected


@pytest.mark.parametrize(
    ("total", "multiplier", "expected"),
    [
        (100, "0.145", 15),
        (5, "0.1", 1),
        (3, "1.5", 5),
        (-3, "0.5", -1),
        (7, "2", 14),
        (-5, "-0.1", 1),
        (1, "1e-3", 0),
        (1, "0.49999999999999999999", 0),
        (-1, "0.50000000000000000001", -1),
    ],
)
def test_scale_rounds_half_up_exactly(total, multiplier, expected):
    # 0.145 * 100 is 14.499999999999998 in floating point; exactly it is 14.5 -> 15.
    # 0.49999999999999999999 rounds to the double 0.5, which would give 1.
    assert score_of(key(key_q("a", [(["x"], total)]), mapping=scale(multiplier)), ans_sel("a", "x")) == expected


@pytest.mark.parametrize(("total", "expected"), [(-5, 11), (-4, 11), (0, 11), (2, 22), (3, 22), (4, 33), (5, 99)])
def test_range_uses_first_containing_range_then_out_of_range(total, expected):
    mapping = rng([(-4, 0, 11), (2, 3, 22), (3, 4, 33), (-5, -5, 11)], 99)  # 3 is in two ranges; 1 in none
    assert score_of(key(key_q("a", [(["x"], total)], 1), mapping=mapping), ans_sel("a", "x")) == expected


def test_range_out_of_range_when_sum_misses_every_range():
    assert score_of(key(key_q("a", [(["x"], 1)]), mapping=rng([(2, 3, 22)], -7)), ans_sel("a", "x")) == -7


def test_sums_beyond_32_bits_are_exact():
    many = key(key_q("a", [(["x"], INT_MAX)]), key_q("b", [(["p"], INT_MAX)]))
    assert score_of(many, ans_sel("a", "x"), ans_sel("b", "p")) == 2 * INT_MAX


# ---------------------------------------------------------------- build_answers


def test_build_answers_looks_like_the_service():
    xml = build_answers({"sky": "blue", "primaries": ["r", "g"]})
    assert xml.startswith(
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<QuestionFormAnswers xmlns="' + QFA + '">'
    )
    parsed = parse_answers(xml)
    assert parsed["sky"].selection_ids == ("blue",)
    assert parsed["primaries"].selection_ids == ("r", "g")
    assert score(parse_answer_key(KEY, parse_question_form(FORM)), parsed) == 70


def test_build_answers_uses_the_form_for_free_text():
    text_form = parse_question_form(form(sel_q("s", ["a&b"]), text_q("t"), text_q("e")))
    xml = build_answers({"s": "a&b", "t": 'x < y & "z"\r\n', "e": ""}, text_form)
    assert "<FreeText/>" in xml and "a&amp;b" in xml
    parsed = parse_answers(xml)
    assert parsed["s"] == Answer("s", ("a&b",))
    assert parsed["t"] == Answer("t", free_text='x < y & "z"\r\n')
    assert parsed["e"] == Answer("e", free_text="")
    assert parse_answers(build_answers({"t": "text"}))["t"].selection_ids == ("text",)  # no form: a selection


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"moon": "a"}, "'moon' is not in the QuestionForm"),
        ({"s": "c"}, "has no selection 'c'"),
        ({"s": ["a", "c"]}, "has no selection 'c'"),
        ({"t": ["a"]}, "needs a string"),
        ({"f": "x"}, "file upload"),
    ],
)
def test_build_answers_checks_against_the_form(mapping, message):
    legacy = parse_question_form(
        form(sel_q("s", ["a", "b"]), text_q("t"), text_q("f", FILE_UPLOAD), ns=QF05), qualification_test=False
    )
    with pytest.raises(ValueError, match=message) as info:
        build_answers(mapping, legacy)
    assert not isinstance(info.value, InvalidXML)


@pytest.mark.parametrize(
    ("mapping", "error"),
    [
        ({"q": "a\x00"}, ValueError),
        ({"q\x1f": "a"}, ValueError),
        ({"q": "\ud800"}, ValueError),
        ({" ": "a"}, ValueError),
        ({"q": " \t"}, ValueError),
        ({"q": [1]}, TypeError),
        ({1: "a"}, TypeError),
        ({"q": "x" * MAX_XML_BYTES}, ValueError),
    ],
)
def test_build_answers_rejects_what_xml_cannot_carry(mapping, error):
    with pytest.raises(error):
        build_answers(mapping)


# ---------------------------------------------------------------- property tests over generated tests

XML_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff") | st.sampled_from(
    "&<>\"' \t\r\n]"
)
IDENT = st.text(XML_CHARS, min_size=1, max_size=6).filter(lambda s: s.strip(" \t\r\n"))
SCORES = st.integers(INT_MIN, INT_MAX) | st.integers(-20, 20)
QUESTION_IDS = st.lists(IDENT, min_size=1, max_size=5, unique=True)
SELECTION_IDS = st.lists(IDENT, min_size=1, max_size=5, unique=True)
KIND = st.integers(0, 3)  # 0: free text / unanswered, else selection / answered
FREE_TEXT = st.text(XML_CHARS, max_size=8)
PICKS = st.lists(st.integers(0, 5), max_size=6)  # may repeat selections and may be empty
OPTIONS = st.lists(st.tuples(st.lists(st.integers(0, 5), min_size=1, max_size=6), SCORES), min_size=1, max_size=4)
DEFAULT = st.none() | SCORES


@dataclass
class Generated:
    questions: list[tuple[str, list[str] | None]]  # (identifier, selection ids or None for free text)
    key: list[tuple[str, list[tuple[list[str], int]], int | None]]
    answers: dict[str, list[str] | str]


@st.composite
def generated(draw) -> Generated:
    # Strategies are built once (module level); picks are indices into the drawn identifiers.
    questions = [(q, draw(SELECTION_IDS) if draw(KIND) else None) for q in draw(QUESTION_IDS)]
    questions[0] = (questions[0][0], questions[0][1] or ["only"])  # at least one graded question
    key_rows, worker = [], {}
    for i, (qid, sids) in enumerate(questions):
        if sids is None:
            if draw(st.booleans()):
                worker[qid] = draw(FREE_TEXT)
            continue
        if i == 0 or draw(st.booleans()):
            options = [([sids[p % len(sids)] for p in picks], points) for picks, points in draw(OPTIONS)]
            key_rows.append((qid, options, draw(DEFAULT)))
        if draw(KIND):
            worker[qid] = [sids[p % len(sids)] for p in draw(PICKS)]
    return Generated(questions, key_rows, worker)


def render_form(g: Generated) -> str:
    return form(*(text_q(q) if sids is None else sel_q(q, sids) for q, sids in g.questions))


def render_key(g: Generated, mapping: str = "") -> str:
    return key(*(key_q(q, options, default) for q, options, default in g.key), mapping=mapping)


def render_answers(g: Generated, rnd: random.Random | None = None) -> str:
    items = list(g.answers.items())
    if rnd:
        rnd.shuffle(items)
        items = [(q, rnd.sample(v, len(v)) if isinstance(v, list) else v) for q, v in items]
    return answers(
        *(
            ans_sel(q, *v)
            if isinstance(v, list)
            else f"<Answer><QuestionIdentifier>{esc(q)}</QuestionIdentifier><FreeText>{esc(v)}</FreeText></Answer>"
            for q, v in items
        )
    )


def expected_sum(g: Generated) -> int:
    total = 0
    for qid, options, default in g.key:
        chosen = g.answers.get(qid)
        chosen = set(chosen) if isinstance(chosen, list) else set()
        total += next((points for ids, points in options if set(ids) == chosen), default or 0)
    return total


def graded(g: Generated, mapping: str = "", rnd: random.Random | None = None) -> int:
    parsed_form = parse_question_form(render_form(g))
    return score(parse_answer_key(render_key(g, mapping), parsed_form), parse_answers(render_answers(g, rnd)))


PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(generated())
def test_parsed_form_matches_what_was_written(g):
    parsed = parse_question_form(render_form(g))
    assert [(q.identifier, q.answer_kind, q.selection_ids) for q in parsed.questions] == [
        (q, "free_text" if sids is None else "selection", () if sids is None else tuple(sids))
        for q, sids in g.questions
    ]


@PROPERTY
@given(generated())
def test_score_without_mapping_is_the_sum(g):
    assert graded(g) == expected_sum(g)


@PROPERTY
@given(generated(), st.integers(1, INT_MAX) | st.integers(1, 50))
def test_percentage_is_exact_round_half_up(g, maximum):
    total = expected_sum(g)
    assert graded(g, pct(maximum)) == (200 * total + maximum) // (2 * maximum)  # floor(total*100/max + 1/2)


@PROPERTY
@given(generated(), st.integers(-(10**6), 10**6), st.integers(0, 6))
def test_scale_is_exact_round_half_up(g, numerator, decimals):
    written = f"{numerator}e-{decimals}" if decimals else str(numerator)
    total, denominator = expected_sum(g), 10**decimals
    assert graded(g, scale(written)) == (2 * total * numerator + denominator) // (2 * denominator)


@PROPERTY
@given(
    generated(),
    st.lists(st.tuples(st.integers(-30, 30), st.integers(0, 20), SCORES), min_size=1, max_size=4),
    SCORES,
)
def test_range_is_first_containing_range(g, raw_ranges, out):
    ranges = [(lo, lo + width, value) for lo, width, value in raw_ranges]
    total = expected_sum(g)
    expected = next((value for lo, hi, value in ranges if lo <= total <= hi), out)
    assert graded(g, rng(ranges, out)) == expected


@PROPERTY
@given(generated(), st.randoms(use_true_random=False))
def test_answer_and_selection_order_never_change_the_score(g, rnd):
    mapping = pct(7)
    assert graded(g, mapping, rnd) == graded(g, mapping)


@PROPERTY
@given(generated())
def test_build_answers_round_trips_with_a_form(g):
    parsed_form = parse_question_form(render_form(g))
    parsed = parse_answers(build_answers(g.answers, parsed_form))
    assert list(parsed) == list(g.answers)
    for qid, value in g.answers.items():
        expected = Answer(qid, free_text=value) if isinstance(value, str) else Answer(qid, tuple(value))
        assert parsed[qid] == expected
    answer_key = parse_answer_key(render_key(g), parsed_form)
    assert score(answer_key, parsed) == expected_sum(g)


@PROPERTY
@given(st.dictionaries(IDENT, IDENT | st.lists(IDENT, max_size=4), max_size=6))
def test_build_answers_round_trips_without_a_form(mapping):
    parsed = parse_answers(build_answers(mapping))
    assert {q: a.selection_ids for q, a in parsed.items()} == {
        q: (v,) if isinstance(v, str) else tuple(v) for q, v in mapping.items()
    }


# ---------------------------------------------------------------- rule 8: parsing cost


def test_parsing_a_large_test_is_fast():
    questions = [sel_q(f"q{i}", [f"s{j}" for j in range(4)]) for i in range(100)]
    big_form = form(*questions)
    assert 30_000 < len(big_form) < MAX_XML_BYTES
    big_key = key(*(key_q(f"q{i}", [(["s0", "s1"], 2), (["s2"], 1)], -1) for i in range(100)), mapping=pct(200))
    worker = build_answers({f"q{i}": ["s1", "s0"] for i in range(100)})
    started = time.perf_counter()
    with within(10.0):
        for _ in range(10):
            parsed_form = parse_question_form(big_form)
            result = score(parse_answer_key(big_key, parsed_form), parse_answers(worker))
    assert result == 100
    assert time.perf_counter() - started < 2.0  # generous: about 0.1 s on a laptop

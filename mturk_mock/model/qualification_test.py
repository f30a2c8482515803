"""Qualification tests: AnswerKey and QuestionFormAnswers, scoring, and building worker answers.

Spec section 2. Pure model code without I/O; QuestionForm parsing lives in question_form_xml and is
re-exported here. Choices where the spec is silent (all [I]):
* Unanswered key questions count as an empty selection; a QuestionFormAnswers may hold no Answer at all.
* A free-text (or file) answer to a graded question counts as an empty selection.
* Free-text questions and OtherSelection in a graded test are allowed; the key just cannot grade them.
* An AnswerOption's selections are a set: repeats collapse, and its size is not checked against
  Min/MaxSelectionCount (an option no worker can submit simply never matches).
* Percentage and Scale results round half up (Java Math.round) with exact arithmetic; a multiplier is
  taken exactly as written. Results are not clamped to 32 bits.
* Every document is held to MAX_XML_BYTES, QuestionFormAnswers included.
* Answers are not checked against the form (MTurk only guarantees schema conformance): answers to
  unknown questions or selections are kept and simply never match the key.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from xml.etree.ElementTree import Element

from .question_form_xml import (
    ANSWER_KEY_NS,
    ANSWERS_NS,
    MAX_UPLOAD_BYTES,
    MAX_XML_BYTES,
    AnswerKind,
    InvalidXML,
    Question,
    QuestionForm,
    Reader,
    escape_text,
    parse_document,
    parse_question_form,
    split_tag,
)

__all__ = [
    "MAX_XML_BYTES",
    "Answer",
    "AnswerKey",
    "AnswerKind",
    "AnswerOption",
    "InvalidXML",
    "KeyQuestion",
    "PercentageMapping",
    "Question",
    "QuestionForm",
    "QuestionFormAnswers",
    "RangeMapping",
    "ScaleMapping",
    "ScoreRange",
    "ValueMapping",
    "apply_mapping",
    "build_answers",
    "parse_answer_key",
    "parse_answers",
    "parse_question_form",
    "score",
    "summed_score",
]

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'


# ---------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class AnswerOption:
    selection_ids: frozenset[str]
    score: int


@dataclass(frozen=True, slots=True)
class KeyQuestion:
    identifier: str
    options: tuple[AnswerOption, ...]  # document order: the first exact match wins
    default_score: int = 0

    def score_for(self, selected: frozenset[str]) -> int:
        return next((o.score for o in self.options if o.selection_ids == selected), self.default_score)


@dataclass(frozen=True, slots=True)
class PercentageMapping:
    maximum_summed_score: int


@dataclass(frozen=True, slots=True)
class ScaleMapping:
    multiplier: Fraction


@dataclass(frozen=True, slots=True)
class ScoreRange:
    lower: int
    upper: int
    value: int


@dataclass(frozen=True, slots=True)
class RangeMapping:
    ranges: tuple[ScoreRange, ...]  # document order: the first containing range wins
    out_of_range_value: int


ValueMapping = PercentageMapping | ScaleMapping | RangeMapping | None


@dataclass(frozen=True, slots=True)
class AnswerKey:
    questions: tuple[KeyQuestion, ...]
    mapping: ValueMapping = None


@dataclass(frozen=True, slots=True)
class Answer:
    question_identifier: str
    selection_ids: tuple[str, ...] = ()  # as submitted (order and repeats kept)
    other_selection_text: str | None = None
    free_text: str | None = None
    uploaded_file_size: int | None = None
    uploaded_file_key: str | None = None

    @property
    def kind(self) -> AnswerKind:
        if self.free_text is not None:
            return "free_text"
        return "file_upload" if self.uploaded_file_key is not None else "selection"


@dataclass(frozen=True, slots=True, eq=False)
class QuestionFormAnswers(Mapping[str, Answer]):
    """A worker's answers by question identifier; compares like a dict."""

    answers: tuple[Answer, ...] = ()
    _index: Mapping[str, Answer] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index = {a.question_identifier: a for a in self.answers}
        if len(index) != len(self.answers):
            raise ValueError("at most one Answer per question")
        object.__setattr__(self, "_index", MappingProxyType(index))

    def __getitem__(self, key: str) -> Answer:
        return self._index[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


# ---------------------------------------------------------------- AnswerKey


def parse_answer_key(xml: str, form: QuestionForm, *, parameter: str = "AnswerKey") -> AnswerKey:
    root = parse_document(xml, parameter, "AnswerKey", (ANSWER_KEY_NS,))
    key = Reader(parameter, ANSWER_KEY_NS)
    parts = key.sequence(root, (("Question", 1, None), ("QualificationValueMapping", 0, 1)))
    questions = tuple(_key_question(key, el, form) for el in parts["Question"])
    seen: set[str] = set()
    for q in questions:
        if q.identifier in seen:
            key.fail(f"question {q.identifier!r} appears more than once")
        seen.add(q.identifier)
    mapping = parts["QualificationValueMapping"]
    return AnswerKey(questions, _mapping(key, mapping[0]) if mapping else None)


def _key_question(key: Reader, el: Element, form: QuestionForm) -> KeyQuestion:
    parts = key.sequence(el, (("QuestionIdentifier", 1, 1), ("AnswerOption", 1, None), ("DefaultScore", 0, 1)))
    identifier = key.identifier(parts["QuestionIdentifier"][0])
    question = form.by_identifier.get(identifier)
    if question is None:
        key.fail(f"question {identifier!r} is not in the QuestionForm")
    if question.answer_kind != "selection":
        key.fail(f"question {identifier!r} is not a selection question and cannot be graded")
    known = frozenset(question.selection_ids)
    options = []
    for option in parts["AnswerOption"]:
        found = key.sequence(option, (("SelectionIdentifier", 1, None), ("AnswerScore", 1, 1)))
        ids = frozenset(key.identifier(s) for s in found["SelectionIdentifier"])
        unknown = ids - known
        if unknown:
            key.fail(f"question {identifier!r} has no selection {min(unknown)!r}")
        options.append(AnswerOption(ids, key.integer(found["AnswerScore"][0])))
    default = key.integer(parts["DefaultScore"][0]) if parts["DefaultScore"] else 0
    return KeyQuestion(identifier, tuple(options), default)


def _mapping(key: Reader, el: Element) -> ValueMapping:
    name, child = key.choice(el, ("PercentageMapping", "ScaleMapping", "RangeMapping"))
    if name == "PercentageMapping":
        found = key.sequence(child, (("MaximumSummedScore", 1, 1),))
        return PercentageMapping(key.integer(found["MaximumSummedScore"][0], 1))
    if name == "ScaleMapping":
        found = key.sequence(child, (("SummedScoreMultiplier", 1, 1),))
        return ScaleMapping(key.decimal(found["SummedScoreMultiplier"][0]))
    found = key.sequence(child, (("SummedScoreRange", 1, None), ("OutOfRangeQualificationValue", 1, 1)))
    ranges = []
    for r in found["SummedScoreRange"]:
        bounds = key.sequence(
            r,
            (
                ("InclusiveLowerBound", 1, 1),
                ("InclusiveUpperBound", 1, 1),
                ("QualificationValue", 1, 1),
            ),
        )
        lower, upper, value = (key.integer(v[0]) for v in bounds.values())
        if lower > upper:
            key.fail(f"SummedScoreRange lower bound {lower} is above its upper bound {upper}")
        ranges.append(ScoreRange(lower, upper, value))
    return RangeMapping(tuple(ranges), key.integer(found["OutOfRangeQualificationValue"][0]))


# ---------------------------------------------------------------- QuestionFormAnswers


def parse_answers(xml: str, *, parameter: str = "Answer") -> QuestionFormAnswers:
    root = parse_document(xml, parameter, "QuestionFormAnswers", (ANSWERS_NS,))
    reader = Reader(parameter, ANSWERS_NS)
    answers = [_answer(reader, el) for el in reader.sequence(root, (("Answer", 0, None),))["Answer"]]
    seen: set[str] = set()
    for a in answers:
        if a.question_identifier in seen:
            reader.fail(f"more than one Answer for question {a.question_identifier!r}")
        seen.add(a.question_identifier)
    return QuestionFormAnswers(tuple(answers))


def _answer(reader: Reader, el: Element) -> Answer:
    # The second child tells which of the three answer shapes this is.
    second = split_tag(el[1].tag)[1] if len(el) > 1 else ""
    qid: tuple[str, int, int | None] = ("QuestionIdentifier", 1, 1)
    if second == "FreeText":
        parts = reader.sequence(el, (qid, ("FreeText", 1, 1)))
        identifier = reader.identifier(parts["QuestionIdentifier"][0])
        return Answer(identifier, free_text=reader.text(parts["FreeText"][0]))
    if second == "UploadedFileSizeInBytes":
        parts = reader.sequence(el, (qid, ("UploadedFileSizeInBytes", 1, 1), ("UploadedFileKey", 1, 1)))
        return Answer(
            reader.identifier(parts["QuestionIdentifier"][0]),
            uploaded_file_size=reader.integer(parts["UploadedFileSizeInBytes"][0], 0, MAX_UPLOAD_BYTES),
            uploaded_file_key=reader.identifier(parts["UploadedFileKey"][0]),
        )
    parts = reader.sequence(el, (qid, ("SelectionIdentifier", 0, None), ("OtherSelectionText", 0, 1)))
    other = parts["OtherSelectionText"]
    return Answer(
        reader.identifier(parts["QuestionIdentifier"][0]),
        tuple(reader.identifier(s) for s in parts["SelectionIdentifier"]),
        other_selection_text=reader.text(other[0]) if other else None,
    )


# ---------------------------------------------------------------- scoring


def summed_score(key: AnswerKey, answers: Mapping[str, Answer]) -> int:
    """Sum of per-question scores; an unanswered (or free-text) question counts as an empty selection."""
    total = 0
    for question in key.questions:
        answer = answers.get(question.identifier)
        total += question.score_for(frozenset(answer.selection_ids) if answer else frozenset())
    return total


def apply_mapping(mapping: ValueMapping, total: int) -> int:
    match mapping:
        case PercentageMapping(maximum):
            return _round_half_up(Fraction(total * 100, maximum))
        case ScaleMapping(multiplier):
            return _round_half_up(total * multiplier)
        case RangeMapping(ranges, out_of_range):
            return next((r.value for r in ranges if r.lower <= total <= r.upper), out_of_range)
    return total


def score(key: AnswerKey, answers: Mapping[str, Answer]) -> int:
    """The qualification IntegerValue earned by `answers` (not clamped to 32 bits)."""
    return apply_mapping(key.mapping, summed_score(key, answers))


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))  # Java Math.round: -2.5 -> -2


# ---------------------------------------------------------------- building answers


def build_answers(mapping: Mapping[str, str | Iterable[str]], form: QuestionForm | None = None) -> str:
    """QuestionFormAnswers XML as the service sends it. A string is one selection, or the text of a
    free-text question when `form` says so; an iterable of strings is a set of selections."""
    body = "".join(_answer_xml(qid, value, form) for qid, value in mapping.items())
    xml = f'{_XML_DECLARATION}<QuestionFormAnswers xmlns="{ANSWERS_NS}">{body}</QuestionFormAnswers>'
    if len(xml.encode("utf-8")) > MAX_XML_BYTES:  # escape_text has already refused surrogates
        raise ValueError(f"the answers would be larger than {MAX_XML_BYTES} bytes")
    return xml


def _answer_xml(qid: str, value: str | Iterable[str], form: QuestionForm | None) -> str:
    question = _question_for(qid, form)
    head = f"<Answer><QuestionIdentifier>{_identifier_xml(qid, 'question identifier')}</QuestionIdentifier>"
    kind = question.answer_kind if question else "selection"
    if kind == "file_upload":
        raise ValueError(f"question {qid!r} takes a file upload, which build_answers cannot produce")
    if kind == "free_text":
        if not isinstance(value, str):
            raise ValueError(f"question {qid!r} is a free-text question and needs a string")
        text = f"<FreeText>{escape_text(value, 'free text')}</FreeText>" if value else "<FreeText/>"
        return f"{head}{text}</Answer>"
    selections = (value,) if isinstance(value, str) else tuple(value)
    parts = [head]
    for sid in selections:
        if not isinstance(sid, str):
            raise TypeError(f"selection identifiers must be strings, got {type(sid).__name__}")
        if question and sid not in question.selection_ids:
            raise ValueError(f"question {qid!r} has no selection {sid!r}")
        sid_xml = _identifier_xml(sid, "selection identifier")
        parts.append(f"<SelectionIdentifier>{sid_xml}</SelectionIdentifier>")
    return "".join(parts) + "</Answer>"


def _question_for(qid: str, form: QuestionForm | None) -> Question | None:
    if not isinstance(qid, str):
        raise TypeError(f"question identifiers must be strings, got {type(qid).__name__}")
    if form is None:
        return None
    question = form.by_identifier.get(qid)
    if question is None:
        raise ValueError(f"question {qid!r} is not in the QuestionForm")
    return question


def _identifier_xml(value: str, what: str) -> str:
    if not value.strip(" \t\r\n"):
        raise ValueError(f"a {what} must not be blank")
    return escape_text(value, what)

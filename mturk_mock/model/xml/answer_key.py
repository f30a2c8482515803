"""Qualification tests: the AnswerKey and scoring (spec 2.4).

Spec section 2. Pure model code without I/O. Choices where the spec is silent (all [I]):
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
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from xml.etree.ElementTree import Element

from .answers import Answer
from .question_form import QuestionForm
from .reader import ANSWER_KEY_NS, Reader, parse_document


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

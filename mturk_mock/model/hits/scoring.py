"""What the review policies compute from answers (spec H§9.2): known-answer scores and plurality agreement.

Answers are compared exactly after trimming whitespace before and after each value, with no case or
punctuation folding; a question's answer is the set of its values (checkboxes, selections), and two
answers match only when the sets are equal, so an empty answer matches only an empty key.
SimplePlurality leaves out blank answers and answers longer than 256 characters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..xml.reader import ANSWERS_NS, InvalidXML, parse_document, split_tag

AnswerSet = frozenset[str]
LONG_ANSWER = 256  # characters; longer answers are not used by SimplePlurality
_VALUES = frozenset({"FreeText", "SelectionIdentifier", "OtherSelectionText"})
_NO_ANSWER: AnswerSet = frozenset()


def answer_values(document: str | None) -> dict[str, AnswerSet]:
    """Each question's answer in an assignment's Answer document: its non-blank values, trimmed. A field
    an external form posted several times (a checkbox group) is one answer with every value."""
    if not document:
        return {}
    try:
        root = parse_document(document, "Answer", "QuestionFormAnswers", (ANSWERS_NS,))
    except InvalidXML:
        return {}
    found: dict[str, set[str]] = {}
    for answer in root:
        identifier: str | None = None
        values = []
        for part in answer:
            name = split_tag(part.tag)[1]
            text = (part.text or "").strip()
            if name == "QuestionIdentifier":
                identifier = text
            elif name in _VALUES and text:
                values.append(text)
        if identifier is not None:
            found.setdefault(identifier, set()).update(values)
    return {identifier: frozenset(values) for identifier, values in found.items()}


def percent(part: int, whole: int) -> int:
    """A share as a whole percentage, rounded down: 2 of 3 is 66, as the policy documentation shows."""
    return 100 * part // whole


def known_answer_score(key: Mapping[str, AnswerSet], answers: Mapping[str, AnswerSet]) -> tuple[int, int, int]:
    """(KnownAnswerScore, correct, keyed questions); the score is rounded half up [I]."""
    correct = sum(1 for question, expected in key.items() if answers.get(question, _NO_ANSWER) == expected)
    total = len(key)
    return (200 * correct + total) // (2 * total), correct, total


@dataclass(frozen=True, slots=True)
class QuestionAgreement:
    question_id: str
    answer: AnswerSet | None  # the plurality answer; None when nobody answered or the top is tied [I]
    score: int | None  # the share of the question's answers that gave it
    agreed: bool  # score greater than the policy's QuestionAgreementThreshold


@dataclass(frozen=True, slots=True)
class Plurality:
    questions: tuple[QuestionAgreement, ...]
    hit_score: int  # the share of the evaluated questions that have an agreed answer
    worker_scores: tuple[int | None, ...]  # per answer set given, None when no question was agreed


def _usable(answer: AnswerSet) -> bool:
    return bool(answer) and all(len(value) <= LONG_ANSWER for value in answer)


def _agreement(question_id: str, given: Iterable[AnswerSet], threshold: int) -> QuestionAgreement:
    counts = Counter(answer for answer in given if _usable(answer))
    top = counts.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return QuestionAgreement(question_id, None, None, False)
    answer, count = top[0]
    score = percent(count, sum(counts.values()))
    return QuestionAgreement(question_id, answer, score, score > threshold)


def plurality(question_ids: Sequence[str], assignments: Sequence[Mapping[str, AnswerSet]], threshold: int) -> Plurality:
    """SimplePlurality over the counted assignments' answers (the worked example of the HIT review policy
    documentation gives 66 %, 66 %, 100 % and a HIT Agreement Score of 75 %)."""
    questions = tuple(
        _agreement(question, (answers.get(question, _NO_ANSWER) for answers in assignments), threshold)
        for question in question_ids
    )
    agreed = [question for question in questions if question.agreed]
    worker_scores = tuple(
        percent(sum(1 for question in agreed if answers.get(question.question_id) == question.answer), len(agreed))
        if agreed
        else None
        for answers in assignments
    )
    return Plurality(questions, percent(len(agreed), len(questions)), worker_scores)


def shown(answer: AnswerSet) -> str:
    """An answer as a result's Value: its values in order, comma-separated [I]."""
    return ",".join(sorted(answer))

"""MTurk's XML parameters: safe parsing (reader), QuestionForm, AnswerKey with scoring, QuestionFormAnswers."""

from .answer_key import (
    AnswerKey,
    AnswerOption,
    KeyQuestion,
    PercentageMapping,
    RangeMapping,
    ScaleMapping,
    ScoreRange,
    ValueMapping,
    apply_mapping,
    parse_answer_key,
    score,
    summed_score,
)
from .answers import Answer, QuestionFormAnswers, build_answers, parse_answers
from .question_form import AnswerKind, Question, QuestionForm, parse_question_form
from .reader import MAX_XML_BYTES, InvalidXML

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

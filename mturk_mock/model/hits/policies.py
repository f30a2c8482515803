"""Review policies: the two policies MTurk runs for a requester, parsed and checked at CreateHIT (spec H§9.1).

A HIT may carry one assignment-level policy (ScoreMyKnownAnswers/2011-09-01, run when an assignment is
submitted) and one HIT-level policy (SimplePlurality/2011-09-01, run when the HIT becomes Reviewable).
Anything wrong in one, a name at the wrong level, an unknown, repeated or missing parameter, a value of
the wrong form or out of range, is a ParameterValidationError on ``AssignmentReviewPolicy`` or
``HITReviewPolicy`` quoting the offending piece. Numbers travel as decimal strings, booleans as
true/false or T/F [I].
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

from .. import errors
from .decisions import check_feedback

KNOWN_ANSWERS = "ScoreMyKnownAnswers/2011-09-01"
PLURALITY = "SimplePlurality/2011-09-01"
ASSIGNMENT_POLICY, HIT_POLICY = "AssignmentReviewPolicy", "HITReviewPolicy"
SCORE_RANGE = (0, 101)  # 0: always, 101: never (spec H§9.1)
EXTEND_TIME_RANGE = (60, 31_536_000)
KNOWN_ANSWERS_EXTEND_RANGE = (2, 25)
PLURALITY_EXTEND_RANGE = (1, 1_000_000_000)  # [I] the docs set no bound for SimplePlurality
DEFAULT_EXTEND_MAXIMUM = 5
_INTEGER = re.compile(r"-?[0-9]{1,12}").fullmatch
_BOOLEANS = {"true": True, "false": False, "T": True, "F": False}


@dataclass(frozen=True, slots=True)
class Extension:
    """Extend the HIT by one assignment when a score is below ``below``, up to ``maximum`` assignments,
    keeping it open at least ``minimum_time`` seconds from then (None: the expiration stays)."""

    below: int
    maximum: int
    minimum_time: int | None


@dataclass(frozen=True, slots=True)
class KnownAnswersPolicy:
    name: ClassVar[str] = KNOWN_ANSWERS
    answer_key: Mapping[str, frozenset[str]]  # question -> the correct values, trimmed
    approve_at_least: int | None = None
    approve_reason: str | None = None
    reject_below: int | None = None
    reject_reason: str | None = None
    extension: Extension | None = None


@dataclass(frozen=True, slots=True)
class PluralityPolicy:
    name: ClassVar[str] = PLURALITY
    question_ids: tuple[str, ...]
    agreement_threshold: int  # a question is agreed when its score is greater than this
    disregard_rejected: bool
    disregard_known_answer_below: int | None = None
    extension: Extension | None = None
    approve_at_least: int | None = None
    reject_below: int | None = None
    reject_reason: str | None = None


class _Parameters:
    """One policy's parameters by key, read once each; whatever is left unread is unknown."""

    def __init__(self, level: str, raw: list[dict[str, Any]]) -> None:
        self.level = level
        self.by_key: dict[str, dict[str, Any]] = {}
        for parameter in raw:
            key = parameter.get("Key")
            if not isinstance(key, str) or key in self.by_key:
                raise self.refuse(key, f"policy parameter {key!r}: every parameter needs a Key, given once")
            self.by_key[key] = parameter

    def refuse(self, value: object, detail: str) -> errors.MTurkError:
        return errors.invalid_value(self.level, value, f"{self.level}: {detail}")

    def _take(self, key: str, required: bool) -> dict[str, Any] | None:
        parameter = self.by_key.pop(key, None)
        if parameter is None and required:
            raise self.refuse(key, f"{key} is required")
        return parameter

    def values(self, key: str, required: bool = False) -> list[str] | None:
        """The Values of a parameter that has one or more of them and no MapEntries."""
        parameter = self._take(key, required)
        if parameter is None:
            return None
        values = parameter.get("Values") or []
        if not values or parameter.get("MapEntries"):
            raise self.refuse(key, f"{key} takes Values, at least one, and no MapEntries")
        return list(values)

    def single(self, key: str, required: bool = False) -> str | None:
        values = self.values(key, required)
        if values is None:
            return None
        if len(values) != 1:
            raise self.refuse(values, f"{key} takes one value, not {len(values)}")
        return values[0]

    def integer(self, key: str, low: int, high: int, required: bool = False) -> int | None:
        text = self.single(key, required)
        if text is None:
            return None
        if not _INTEGER(text) or not low <= int(text) <= high:
            raise self.refuse(text, f"{key} must be an integer from {low} to {high}")
        return int(text)

    def boolean(self, key: str, required: bool = False) -> bool | None:
        text = self.single(key, required)
        if text is None:
            return None
        found = _BOOLEANS.get(text if text in ("T", "F") else text.lower())
        if found is None:
            raise self.refuse(text, f"{key} must be true or false")
        return found

    def text(self, key: str) -> str | None:
        """A reason shown to the worker: RequesterFeedback's rules apply."""
        text = self.single(key)
        if text is not None:
            try:
                check_feedback(text)
            except errors.MTurkError as error:
                raise self.refuse(text, f"{key}: {error.detail}") from None
        return text

    def answer_key(self, key: str) -> Mapping[str, frozenset[str]]:
        parameter = self._take(key, True)
        assert parameter is not None
        entries = parameter.get("MapEntries") or []
        if not entries or parameter.get("Values"):
            raise self.refuse(key, f"{key} takes MapEntries, at least one, and no Values")
        answers: dict[str, frozenset[str]] = {}
        for entry in entries:
            question = entry.get("Key")
            if not isinstance(question, str) or not question.strip() or question.strip() in answers:
                raise self.refuse(question, f"{key}: each entry's Key is a question ID, given once")
            values = entry.get("Values") or ()
            answers[question.strip()] = frozenset(value.strip() for value in values if value.strip())
        return MappingProxyType(answers)

    def extension(
        self, key: str, below_range: tuple[int, int], maximum: tuple[int, int], default: int | None
    ) -> Extension | None:
        """The three Extend parameters; without a default, the other two are required with the first."""
        below = self.integer(key, *below_range)
        required = below is not None and default is None
        most = self.integer("ExtendMaximumAssignments", *maximum, required=required)
        time = self.integer("ExtendMinimumTimeInSeconds", *EXTEND_TIME_RANGE, required=required)
        if below is None:
            return None
        most = default if most is None else most
        assert most is not None  # required above when there is no default
        return Extension(below, most, time)

    def finish(self) -> None:
        if self.by_key:
            unknown = next(iter(self.by_key))
            raise self.refuse(unknown, f"{unknown} is not a parameter of this policy")


def _known_answers(parameters: _Parameters) -> KnownAnswersPolicy:
    return KnownAnswersPolicy(
        answer_key=parameters.answer_key("AnswerKey"),
        approve_at_least=parameters.integer("ApproveIfKnownAnswerScoreIsAtLeast", *SCORE_RANGE),
        approve_reason=parameters.text("ApproveReason"),
        reject_below=parameters.integer("RejectIfKnownAnswerScoreIsLessThan", *SCORE_RANGE),
        reject_reason=parameters.text("RejectReason"),
        extension=parameters.extension(
            "ExtendIfKnownAnswerScoreIsLessThan", SCORE_RANGE, KNOWN_ANSWERS_EXTEND_RANGE, DEFAULT_EXTEND_MAXIMUM
        ),
    )


def _plurality(parameters: _Parameters) -> PluralityPolicy:
    question_ids = [question.strip() for question in parameters.values("QuestionIds", required=True) or []]
    if not all(question_ids):
        raise parameters.refuse(question_ids, "QuestionIds must not be blank")
    threshold = parameters.integer("QuestionAgreementThreshold", 0, 100, required=True)
    disregard = parameters.boolean("DisregardAssignmentIfRejected", required=True)
    assert threshold is not None and disregard is not None
    return PluralityPolicy(
        question_ids=tuple(dict.fromkeys(question_ids)),
        agreement_threshold=threshold,
        disregard_rejected=disregard,
        disregard_known_answer_below=parameters.integer(
            "DisregardAssignmentIfKnownAnswerScoreIsLessThan", *SCORE_RANGE
        ),
        extension=parameters.extension("ExtendIfHITAgreementScoreIsLessThan", (1, 100), PLURALITY_EXTEND_RANGE, None),
        approve_at_least=parameters.integer("ApproveIfWorkerAgreementScoreIsAtLeast", *SCORE_RANGE),
        reject_below=parameters.integer("RejectIfWorkerAgreementScoreIsLessThan", *SCORE_RANGE),
        reject_reason=parameters.text("RejectReason"),
    )


Policy = KnownAnswersPolicy | PluralityPolicy
_PARSERS: dict[str, tuple[str, Callable[[_Parameters], Policy]]] = {
    KNOWN_ANSWERS: (ASSIGNMENT_POLICY, _known_answers),
    PLURALITY: (HIT_POLICY, _plurality),
}


def parse_policy(level: str, raw: dict[str, Any] | None) -> Policy | None:
    """The policy given for ``level`` (``AssignmentReviewPolicy`` or ``HITReviewPolicy``), checked."""
    if raw is None:
        return None
    name = raw.get("PolicyName")
    found = _PARSERS.get(name) if isinstance(name, str) else None
    if found is None or found[0] != level:
        known = ", ".join(policy for policy, (where, _) in _PARSERS.items() if where == level)
        raise errors.invalid_value(level, name, f"{level}: PolicyName {name!r} is not one of {known}")
    parameters = _Parameters(level, raw.get("Parameters") or [])
    policy = found[1](parameters)
    parameters.finish()
    return policy


def parse_policies(
    assignment_raw: dict[str, Any] | None, hit_raw: dict[str, Any] | None
) -> tuple[KnownAnswersPolicy | None, PluralityPolicy | None]:
    """Both levels of a CreateHIT request, in request-member order."""
    assignment_policy = parse_policy(ASSIGNMENT_POLICY, assignment_raw)
    hit_policy = parse_policy(HIT_POLICY, hit_raw)
    assert assignment_policy is None or isinstance(assignment_policy, KnownAnswersPolicy)
    assert hit_policy is None or isinstance(hit_policy, PluralityPolicy)
    return assignment_policy, hit_policy

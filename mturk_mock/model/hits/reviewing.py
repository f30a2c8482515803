"""Running the review policies (spec H§9.2): ScoreMyKnownAnswers on each submitted assignment,
SimplePlurality each time the HIT becomes Reviewable.

Their actions go through the requester's own paths, so money, counters, statuses and events follow as
for ApproveAssignment, RejectAssignment, CreateAdditionalAssignmentsForHIT and UpdateExpirationForHIT.
Each action is recorded with its outcome: approving an assignment already approved (or rejecting one
already rejected) succeeds without a change, extending a HIT that has reached the policy's maximum
succeeds without one, and what the service would refuse (rejecting an approved assignment, funds that
do not cover an extension) is Failed with the refusal's TurkErrorCode, as the service reports them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .. import errors
from . import decisions, workflow
from .assignments import APPROVED, REJECTED, Assignment
from .hits import HIT, REVIEWABLE
from .policies import Extension, KnownAnswersPolicy, PluralityPolicy
from .reviews import ACTION, ASSIGNMENT_LEVEL, HIT_LEVEL, RESULT, REVIEW_ASSIGNMENT, REVIEW_HIT, ReviewEntry
from .scoring import answer_values, known_answer_score, plurality, shown

if TYPE_CHECKING:
    from ..marketplace import Marketplace

SUCCEEDED, FAILED = "Succeeded", "Failed"
SUBJECT_ASSIGNMENT, SUBJECT_HIT = "Assignment", "HIT"


def on_review(market: Marketplace) -> None:
    """Register the policy runs with the schedule (the reviews store plans them)."""

    def review_assignment(assignment_id: str, due: float) -> None:
        assignment = market.assignments.by_id.get(assignment_id)
        if not market.reviews.due(REVIEW_ASSIGNMENT, assignment_id, due) or assignment is None:
            return
        policy = assignment.hit.assignment_policy
        if policy is not None and not assignment.hit.disposed:
            score_known_answers(market, assignment, policy, due)

    def review_hit(hit_id: str, due: float) -> None:
        hit = market.hits.by_id.get(hit_id)
        if not market.reviews.due(REVIEW_HIT, hit_id, due) or hit is None:
            return
        if hit.hit_policy is not None and hit.status == REVIEWABLE:  # not if reopened at the same instant
            review_plurality(market, hit, hit.hit_policy, due)

    market.schedule.on(REVIEW_ASSIGNMENT, review_assignment)
    market.schedule.on(REVIEW_HIT, review_hit)


class _Report:
    """Adds one run's results and actions to a HIT's listing."""

    def __init__(self, market: Marketplace, hit: HIT, level: str, now: float) -> None:
        self.market, self.hit, self.level, self.now = market, hit, level, now

    def result(self, subject_id: str, subject_type: str, key: str, value: object, question: str | None = None) -> None:
        reviews = self.market.reviews
        entry = ReviewEntry(reviews.next_serial(), self.level, RESULT, subject_id, subject_type, key, str(value))
        entry.question_id = question
        reviews.add(self.hit.hit_id, entry)

    def action(
        self, name: str, target: str, target_type: str, outcome: str, error: errors.MTurkError | None = None
    ) -> None:
        reviews = self.market.reviews
        entry = ReviewEntry(reviews.next_serial(), self.level, ACTION, target, target_type, name, outcome)
        entry.action_id, entry.complete_time = self.market.ids.entity(), self.now
        entry.status = SUCCEEDED if error is None else FAILED
        if error is not None:
            entry.value, entry.error_code = f"{outcome}: {error.message}", error.turk_error_code
        reviews.add(self.hit.hit_id, entry)

    def approve(self, assignment: Assignment, feedback: str | None) -> None:
        target = assignment.assignment_id
        if assignment.status == APPROVED:
            self.action("Approve", target, SUBJECT_ASSIGNMENT, "The assignment was already approved.")
            return
        try:
            decisions.approve(self.market, assignment, feedback, False, self.now)
        except errors.MTurkError as error:
            self.action("Approve", target, SUBJECT_ASSIGNMENT, "The assignment was not approved", error)
        else:
            self.action("Approve", target, SUBJECT_ASSIGNMENT, "Approved.")

    def reject(self, assignment: Assignment, feedback: str | None) -> None:
        target = assignment.assignment_id
        if assignment.status == REJECTED:
            self.action("Reject", target, SUBJECT_ASSIGNMENT, "The assignment was already rejected.")
            return
        try:
            decisions.reject(self.market, assignment, feedback or "", self.now)
        except errors.MTurkError as error:
            self.action("Reject", target, SUBJECT_ASSIGNMENT, "The assignment was not rejected", error)
        else:
            self.action("Reject", target, SUBJECT_ASSIGNMENT, "Rejected.")

    def extend(self, extension: Extension) -> None:
        """One more assignment, up to the policy's maximum (and never from under 10 to 10 or more, spec
        H§8.9), and the HIT open at least ``minimum_time`` from now."""
        hit, now = self.hit, self.now
        most = extension.maximum
        if hit.max_assignments < workflow.TEN_RULE:
            most = min(most, workflow.TEN_RULE - 1)
        if hit.max_assignments >= most:
            outcome = f"The HIT already has {hit.max_assignments} assignments, the most this policy extends it to."
            self.action("Extend", hit.hit_id, SUBJECT_HIT, outcome)
            return
        try:
            workflow.add_assignments(self.market, hit, 1, None, now)
            outcome = f"Extended to {hit.max_assignments} assignments"
            if extension.minimum_time is not None and hit.expiration < now + extension.minimum_time:
                workflow.extend_expiration(self.market, hit, now + extension.minimum_time, now)
                outcome += f", open until {_iso(hit.expiration)}"
        except errors.MTurkError as error:
            self.action("Extend", hit.hit_id, SUBJECT_HIT, "The HIT was not extended", error)
        else:
            self.action("Extend", hit.hit_id, SUBJECT_HIT, outcome + ".")


def _iso(instant: float) -> str:
    return dt.datetime.fromtimestamp(instant, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def score_known_answers(market: Marketplace, assignment: Assignment, policy: KnownAnswersPolicy, now: float) -> None:
    """ScoreMyKnownAnswers on one submitted assignment: the score, then approve or reject, then extend."""
    report = _Report(market, assignment.hit, ASSIGNMENT_LEVEL, now)
    score, correct, total = known_answer_score(policy.answer_key, answer_values(assignment.answer))
    subject = assignment.assignment_id
    report.result(subject, SUBJECT_ASSIGNMENT, "KnownAnswerScore", score)
    report.result(subject, SUBJECT_ASSIGNMENT, "KnownAnswerCorrect", correct)
    report.result(subject, SUBJECT_ASSIGNMENT, "KnownAnswerTotal", total)
    if policy.approve_at_least is not None and score >= policy.approve_at_least:
        report.approve(assignment, policy.approve_reason)
    elif policy.reject_below is not None and score < policy.reject_below:
        report.reject(assignment, policy.reject_reason)
    if policy.extension is not None and score < policy.extension.below:
        report.extend(policy.extension)


def _counted(market: Marketplace, hit: HIT, policy: PluralityPolicy) -> list[Assignment]:
    """The HIT's submitted, approved and rejected assignments the policy takes into account."""
    low = policy.disregard_known_answer_below
    scores = market.reviews.known_scores
    counted = []
    for assignment in market.assignments.listing(hit.hit_id).values():
        if policy.disregard_rejected and assignment.status == REJECTED:
            continue
        known = scores.get(assignment.assignment_id)
        if low is not None and known is not None and known < low:
            continue
        counted.append(assignment)
    return counted


def review_plurality(market: Marketplace, hit: HIT, policy: PluralityPolicy, now: float) -> None:
    """SimplePlurality on a HIT that became Reviewable: agreement per question, for the HIT and for each
    worker; then approve or reject each worker's assignment, then extend the HIT."""
    report = _Report(market, hit, HIT_LEVEL, now)
    counted = _counted(market, hit, policy)
    outcome = plurality(policy.question_ids, [answer_values(a.answer) for a in counted], policy.agreement_threshold)
    for question in outcome.questions:
        if question.answer is None:
            continue
        report.result(hit.hit_id, SUBJECT_HIT, "QuestionAgreementScore", question.score, question.question_id)
        if question.agreed:
            report.result(hit.hit_id, SUBJECT_HIT, "AgreedAnswer", shown(question.answer), question.question_id)
    report.result(hit.hit_id, SUBJECT_HIT, "HITAgreementScore", outcome.hit_score)
    for assignment, score in zip(counted, outcome.worker_scores, strict=True):
        if score is not None:
            report.result(assignment.assignment_id, SUBJECT_ASSIGNMENT, "WorkerAgreementScore", score)
    for assignment, score in zip(counted, outcome.worker_scores, strict=True):
        if score is None:
            continue
        if policy.approve_at_least is not None and score >= policy.approve_at_least:
            report.approve(assignment, None)
        elif policy.reject_below is not None and score < policy.reject_below:
            report.reject(assignment, policy.reject_reason)
    if policy.extension is not None and outcome.hit_score < policy.extension.below:
        report.extend(policy.extension)

"""The worker site's qualifications: the types a worker can request, requesting them, and taking a test
drawn from its QuestionForm; the score shows as soon as an answer key has scored it (spec Q§1.10-1.14)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.qualifications.types import ACTIVE
from ..model.workers import WorkerError
from ..simulation import TestAttempt
from . import question_form
from .http import Fields, Response
from .site import Page, Refused, Route, quoted


@dataclass(frozen=True)
class QualificationRow:
    type_id: str
    name: str
    description: str
    owner: str
    has_test: bool
    test_duration: int | None
    auto_granted: bool
    held: str  # "Granted 85", "Revoked", or ""
    request: str  # the latest request's status, or ""


def qualifications(page: Page) -> Response:
    worker_id = page.worker().worker_id
    rows = []
    with page.session_market() as (market, _now):
        for qual in market.qualification_types.in_creation_order():
            grant = market.grants.get(qual.type_id, worker_id)
            if not (qual.requestable and qual.status == ACTIVE) and grant is None:
                continue
            latest = market.requests.latest_of(qual.type_id, worker_id)
            held = ""
            if grant is not None:
                held = f"Granted, value {grant.value}" if grant.status == "Granted" else "Revoked"
            rows.append(
                QualificationRow(
                    qual.type_id,
                    qual.name,
                    qual.description,
                    qual.owner,
                    qual.test is not None,
                    qual.test_duration,
                    qual.auto_granted,
                    held,
                    latest.status if latest is not None else "",
                )
            )
    return page.render("worker_qualifications.html", section="worker", rows=rows)


def request(page: Page, type_id: str) -> Response:
    """Ask for a qualification: a test is handed out at once; without one the request is auto-granted or
    waits for the owner."""
    worker = page.worker()
    try:
        with page.session_market() as (market, _now):
            qual = market.qualification_types.by_id.get(type_id)
            has_test = qual is not None and qual.test is not None
        if has_test:
            worker.start_test(type_id)
            return page.redirect(f"/worker/qualifications/{quoted(type_id)}/test")
        outcome = worker.request_qualification(type_id)
    except WorkerError as error:
        return page.redirect("/worker/qualifications", error=str(error))
    if outcome.status == "Granted":
        return page.redirect("/worker/qualifications", notice=f"Granted at once, with the value {outcome.value}.")
    return page.redirect("/worker/qualifications", notice="Your request is waiting for the requester's decision.")


def _attempt_form(page: Page, type_id: str) -> tuple[TestAttempt, question_form.FormView, str]:
    attempt = page.worker().current_test(type_id)
    if attempt is None or attempt.form is None:
        raise Refused(404, "You have no test of this qualification in progress; request the qualification first.")
    with page.session_market() as (market, _now):
        qual = market.qualification_types.get(type_id)
        name = qual.name
    return attempt, question_form.form_view(attempt.test, attempt.form), name


def test_page(page: Page, type_id: str) -> Response:
    attempt, view, name = _attempt_form(page, type_id)
    return page.render(
        "worker_test.html", section="worker", attempt=attempt, form=view, name=name, type_id=type_id, posted=Fields()
    )


def submit_test(page: Page, type_id: str) -> Response:
    attempt, view, name = _attempt_form(page, type_id)
    try:
        outcome = attempt.submit(question_form.answers_xml(view, page.request.form))
    except WorkerError as error:
        return page.redirect("/worker/qualifications", error=str(error))
    if outcome.status == "Granted":
        message = f"Test scored: you were granted {name} with the value {outcome.value}."
    else:
        message = f"Your answers to the {name} test were sent to the requester for review."
    return page.redirect("/worker/qualifications", notice=message)


ROUTES = [
    Route.of("GET", r"/worker/qualifications/?", qualifications),
    Route.of("POST", r"/worker/qualifications/(?P<type_id>[A-Z0-9]+)/request", request),
    Route.of("GET", r"/worker/qualifications/(?P<type_id>[A-Z0-9]+)/test", test_page),
    Route.of("POST", r"/worker/qualifications/(?P<type_id>[A-Z0-9]+)/test", submit_test),
]

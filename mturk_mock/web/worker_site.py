"""The worker site: choose a worker, find HITs, preview, accept, work, submit and return them (spec
H§3.6, H§4). Every action is the simulation's (``handle.worker(...)``), so a refusal is the same
WorkerActionRefused, with the same reason, a test would get.

Frames: an ExternalQuestion loads its ExternalURL with assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE and hitId
in preview, and with assignmentId, hitId, turkSubmitTo and workerId once accepted; turkSubmitTo is this
site, so the requester's page posts to its ``/mturk/externalSubmit``. An HTMLQuestion is served by the
site under a sandbox (``security.html_question_headers``); a QuestionForm is drawn as an HTML form.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from ..model.hits.hits import HIT
from ..model.marketplace import Marketplace
from ..model.workers import WorkerActionRefused
from ..model.xml.questions import Question, parse_question
from ..simulation.hits import PREVIEW_ASSIGNMENT, WorkingAssignment, frame_url
from . import question_form
from .http import Fields, Response, text
from .security import html_question_headers
from .site import WORKER_COOKIE, Page, Refused, Route, quoted
from .worker_quals import ROUTES as QUALIFICATION_ROUTES

HIT_LIST_LIMIT = 200
KNOWN_WORKERS_LIMIT = 50
# What HTMLQuestion content names to reach MTurk, served by the site instead (it needs no internet).
_SUBMIT_URLS = ("https://www.mturk.com/mturk/externalSubmit", "https://workersandbox.mturk.com/mturk/externalSubmit")
_EXTERNAL_HIT_JS = "https://s3.amazonaws.com/mturk-public/externalHIT_v1.js"


@dataclass(frozen=True)
class HITSummary:
    hit_id: str
    title: str
    description: str
    requester: str
    reward: Decimal
    assignment_duration: int
    available: int
    expiration: float
    kind: str
    keywords: str | None

    @classmethod
    def of(cls, hit: HIT) -> HITSummary:
        hit_type = hit.hit_type
        return cls(
            hit.hit_id,
            hit_type.title,
            hit_type.description,
            hit.owner,
            hit_type.reward,
            hit_type.assignment_duration,
            hit.available,
            hit.expiration,
            hit.question_content().kind,
            hit_type.keywords,
        )


def home(page: Page) -> Response:
    worker_id = page.worker_id
    if worker_id is None:
        return _sign_in_page(page)
    worker = page.worker()
    hit_ids = worker.search_hits()
    in_progress = worker.assignments()
    with page.session_market() as (market, _now):
        profile = market.workers.profile(worker_id)
        hits = [HITSummary.of(market.hits.by_id[hit_id]) for hit_id in hit_ids[:HIT_LIST_LIMIT]]
        working = [(assignment, HITSummary.of(market.hits.by_id[assignment.hit_id])) for assignment in in_progress]
    return page.render(
        "worker_home.html",
        section="worker",
        worker_id=worker_id,
        profile=profile,
        hits=hits,
        hit_count=len(hit_ids),
        working=working,
    )


def _sign_in_page(page: Page) -> Response:
    with page.session_market() as (market, _now):
        known = sorted(set(market.workers.registered) | set(market.workers.profiles))[:KNOWN_WORKERS_LIMIT]
    return page.render("worker_sign_in.html", section="worker", known=known)


def _count(form: Fields, name: str) -> int:
    value = form.get(name).strip() or "0"
    if not value.isdigit():
        raise ValueError(f"{name} must be a count of assignments, not {value!r}")
    return int(value)


def sign_in(page: Page) -> Response:
    """Choose a worker by ID (a new one with a realistic ID when none is given), with the profile given."""
    form = page.request.form
    worker_id = form.get("worker_id").strip().upper() or None
    with_profile = form.get("set_profile") == "1"
    try:
        worker = page.handle.worker(
            worker_id,
            marketplace=page.marketplace,
            country=(form.get("country").strip().upper() or "US") if with_profile else None,
            subdivision=(form.get("subdivision").strip().upper() or None) if with_profile else None,
            adult=form.get("adult") == "1" if with_profile else None,
            masters=form.get("masters") == "1" if with_profile else None,
        )
        if with_profile:
            worker.history(*(_count(form, name) for name in ("approved", "rejected", "returned", "abandoned")))
    except ValueError as error:
        return page.redirect("/worker/", error=str(error))
    response = page.redirect("/worker/", notice=f"You are working as {worker.worker_id}.")
    response.set_cookie(WORKER_COOKIE, worker.worker_id)
    return response


def sign_out(page: Page) -> Response:
    response = page.redirect("/worker/")
    response.delete_cookie(WORKER_COOKIE)
    return response


def preview(page: Page, hit_id: str) -> Response:
    worker = page.worker()
    with page.session_market() as (market, _now):
        held = market.assignments.live.get((hit_id, worker.worker_id))
    if held is not None and held.status == "Accepted":  # the worker is on it: the work page
        return page.redirect(f"/worker/assignments/{quoted(held.assignment_id)}")
    try:
        shown = worker.preview(hit_id)
    except WorkerActionRefused as refused:
        raise Refused(403, refused.reason) from None
    question = parse_question(shown.question)
    parameters = {"assignmentId": PREVIEW_ASSIGNMENT, "hitId": hit_id}
    with page.session_market() as (market, _now):
        summary = HITSummary.of(market.hits.by_id[hit_id])
        requirements = _requirements(market, market.hits.by_id[hit_id])
    return page.render(
        "worker_hit.html",
        section="worker",
        hit=summary,
        requirements=requirements,
        assignment=None,
        question=question,
        frame=_frame(page, hit_id, question, parameters),
        form=question_form.form_view(shown.question, question.form) if question.form is not None else None,
        posted=Fields(),
    )


def _requirements(market: Marketplace, hit: HIT) -> list[tuple[str, str]]:
    """(qualification type name, condition) of each requirement, as a worker reads them."""
    names = market.qualification_types.by_id
    shown = []
    for requirement in hit.hit_type.requirements.wire():
        qual = names.get(requirement["QualificationTypeId"])
        values = requirement.get("IntegerValues") or [
            "-".join(filter(None, (locale.get("Country"), locale.get("Subdivision"))))
            for locale in requirement.get("LocaleValues", [])
        ]
        condition = requirement["Comparator"] + (" " + ", ".join(str(value) for value in values) if values else "")
        shown.append((qual.name if qual is not None else requirement["QualificationTypeId"], condition))
    return shown


def _frame(page: Page, hit_id: str, question: Question, parameters: dict[str, str]) -> dict[str, object] | None:
    """The iframe of an ExternalQuestion or HTMLQuestion: its URL and height (FrameHeight 0: the window's)."""
    if question.kind == "ExternalQuestion":
        assert question.external_url is not None
        url = frame_url(question.external_url, parameters)
    elif question.kind == "HTMLQuestion":
        url = f"/worker/hits/{quoted(hit_id)}/content?{urlencode(parameters)}"
    else:
        return None
    return {"url": url, "height": question.frame_height or 0, "sandboxed": question.kind == "HTMLQuestion"}


def accept(page: Page, hit_id: str) -> Response:
    try:
        assignment = page.worker().accept(hit_id)
    except WorkerActionRefused as refused:
        return page.redirect(f"/worker/hits/{quoted(hit_id)}", error=refused.reason)
    return page.redirect(f"/worker/assignments/{quoted(assignment.assignment_id)}", notice="You accepted this HIT.")


def _assignment(page: Page, assignment_id: str) -> WorkingAssignment:
    try:
        return page.worker().assignment(assignment_id)
    except WorkerActionRefused as refused:
        raise Refused(404, refused.reason) from None


def work(page: Page, assignment_id: str, posted: Fields | None = None, error: str | None = None) -> Response:
    assignment = _assignment(page, assignment_id)
    status = assignment.status
    with page.session_market() as (market, _now):
        hit = market.hits.by_id[assignment.hit_id]
        summary, question = HITSummary.of(hit), hit.question_content()
        xml = hit.question
        requirements = _requirements(market, hit)
    frame = form = None
    if status == "Accepted":
        parameters = {
            "assignmentId": assignment.assignment_id,
            "hitId": assignment.hit_id,
            "turkSubmitTo": page.origin,
            "workerId": assignment.worker_id,
        }
        frame = _frame(page, assignment.hit_id, question, parameters)
    if question.form is not None:
        form = question_form.form_view(xml, question.form)
    if error is not None:
        page.flash = ("error", error)
    return page.render(
        "worker_hit.html",
        status=400 if error else 200,
        section="worker",
        hit=summary,
        requirements=requirements,
        assignment=assignment,
        assignment_status=status,
        question=question,
        frame=frame,
        form=form,
        posted=posted or Fields(),
    )


def submit(page: Page, assignment_id: str) -> Response:
    """A QuestionForm HIT's form, posted to the site (External and HTML questions post to externalSubmit)."""
    assignment = _assignment(page, assignment_id)
    with page.session_market() as (market, _now):
        hit = market.hits.by_id[assignment.hit_id]
        question, xml = hit.question_content(), hit.question
    if question.form is None:
        raise Refused(400, "This HIT's answers are posted by its own page, to /mturk/externalSubmit.")
    posted = page.request.form
    try:
        assignment.submit(question_form.answers_xml(question_form.form_view(xml, question.form), posted))
    except WorkerActionRefused as refused:
        return work(page, assignment_id, posted, refused.reason)
    return page.redirect("/worker/", notice=f"You submitted assignment {assignment_id}.")


def return_assignment(page: Page, assignment_id: str) -> Response:
    try:
        _assignment(page, assignment_id).return_()
    except WorkerActionRefused as refused:
        return page.redirect(f"/worker/assignments/{quoted(assignment_id)}", error=refused.reason)
    return page.redirect("/worker/", notice=f"You returned assignment {assignment_id}.")


def html_content(page: Page, hit_id: str) -> Response:
    """An HTMLQuestion's HTML, for its sandboxed frame; MTurk's own URLs in it point at this site."""
    with page.session_market() as (market, _now):
        hit = market.hits.by_id.get(hit_id)
        content = hit.question_content().html_content if hit is not None else None
    if content is None:
        return text("There is no HTMLQuestion for this HIT.\n", 404)
    for url in _SUBMIT_URLS:
        content = content.replace(url, f"{page.origin}/mturk/externalSubmit")
    content = content.replace(_EXTERNAL_HIT_JS, f"{page.origin}/static/externalHIT_v1.js")
    response = Response(200, content.encode("utf-8"))
    response.headers.extend(html_question_headers(page.origin))
    return response


def submitted(page: Page, assignment_id: str) -> Response:
    """Where /mturk/externalSubmit sends the worker: shown in the HIT's frame, it takes over the window."""
    return page.render("worker_submitted.html", section="worker", assignment_id=assignment_id)


ROUTES = [
    Route.of("GET", r"/worker/?", home),
    Route.of("POST", r"/worker/sign-in", sign_in),
    Route.of("POST", r"/worker/sign-out", sign_out),
    Route.of("GET", r"/worker/hits/(?P<hit_id>[A-Z0-9]+)", preview),
    Route.of("POST", r"/worker/hits/(?P<hit_id>[A-Z0-9]+)/accept", accept),
    Route.of("GET", r"/worker/hits/(?P<hit_id>[A-Z0-9]+)/content", html_content),
    Route.of("GET", r"/worker/assignments/(?P<assignment_id>[A-Z0-9]+)", work),
    Route.of("POST", r"/worker/assignments/(?P<assignment_id>[A-Z0-9]+)/submit", submit),
    Route.of("POST", r"/worker/assignments/(?P<assignment_id>[A-Z0-9]+)/return", return_assignment),
    Route.of("GET", r"/worker/submitted/(?P<assignment_id>[A-Z0-9]+)", submitted),
    *QUALIFICATION_ROUTES,
]

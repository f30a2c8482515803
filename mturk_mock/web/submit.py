"""``/mturk/externalSubmit``: where an ExternalQuestion's or HTMLQuestion's page posts the worker's answers
(spec H§3.6). POST, and GET as legacy clients use; the fields become the assignment's QuestionFormAnswers,
one free-text answer per field in the order they came (spec H§2.3), through the simulation's
``submit_form``. Then the worker is sent back to the site.

Refused, with the reason shown to the worker: no ``assignmentId``, ``ASSIGNMENT_ID_NOT_AVAILABLE`` (a
preview), an assignment that does not exist here, one that is not the posting worker's, one no longer
accepted (submitted, returned, past its deadline), and a post with no field besides MTurk's own.

Who posts [I]: the requester's page runs on another origin, so the browser does not send the site's
SameSite cookies with its post. The worker is the one signed in to the site when the cookie does come
(same-site pages) and the ``workerId`` field when the page sends it back; without either, the assignment's
holder. An assignment held by anyone but the worker named is foreign.
"""

from __future__ import annotations

from ..model.workers import WORKER_ID, WorkerActionRefused
from ..simulation.hits import PREVIEW_ASSIGNMENT
from .http import Response
from .site import WORKER_COOKIE, Page, Route, no_csrf, quoted


def _refuse(page: Page, reason: str, status: int = 400) -> Response:
    return page.render("worker_refused.html", status=status, section="worker", reason=reason)


@no_csrf
def external_submit(page: Page) -> Response:
    request = page.request
    fields = request.form if request.method == "POST" else request.query
    assignment_id = fields.get("assignmentId").strip()
    if not assignment_id:
        return _refuse(page, "Your work cannot be submitted: the form did not send an assignmentId.")
    if assignment_id == PREVIEW_ASSIGNMENT:
        return _refuse(page, "You are previewing this HIT: accept it before submitting your work.")
    with page.session_market() as (market, _now):
        assignment = market.assignments.by_id.get(assignment_id)
        holder = assignment.worker_id if assignment is not None else None
    if holder is None:
        return _refuse(page, f"Your work cannot be submitted: there is no assignment {assignment_id}.", 404)
    for claimed in (request.cookies.get(WORKER_COOKIE), fields.get("workerId")):
        if claimed and WORKER_ID(claimed) and claimed != holder:
            reason = f"Your work cannot be submitted: assignment {assignment_id} is not yours ({claimed})."
            return _refuse(page, reason, 403)
    try:
        page.handle.worker(holder, marketplace=page.marketplace).assignment(assignment_id).submit_form(fields.pairs)
    except WorkerActionRefused as refused:
        return _refuse(page, refused.reason)
    return page.redirect(f"/worker/submitted/{quoted(assignment_id)}")


ROUTES = [Route.of("GET POST", r"/mturk/externalSubmit", external_submit)]

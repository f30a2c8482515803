"""The requester site's buttons. Each is one MTurk call through the request pipeline, as the signed-in
requester (the access key a client would sign with), so it is validated, answered, faulted and logged
exactly as a client's call; its error message is shown as the service wrote it. Only the clock is not
an MTurk call: it moves the mock's time, as ``mturk.clock.advance`` does.
"""

from __future__ import annotations

import json
from typing import Any

from ..service.registry import OPERATIONS
from ..transport.pipeline import handle_request
from .http import Response
from .site import REQUESTER_COOKIE, Page, Refused, Route, quoted

UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def call(page: Page, operation: str, **request: Any) -> tuple[bool, dict[str, Any]]:
    """(succeeded, wire answer) of one MTurk call as the page's requester."""
    body = json.dumps({name: value for name, value in request.items() if value is not None}).encode()
    answer = handle_request(page.handle, page.marketplace, page.requester, operation, body)
    return answer.status == 200, answer.wire


def _done(page: Page, back: str, operation: str, ok: bool, wire: dict[str, Any], notice: str) -> Response:
    if ok:
        return page.redirect(back, notice=notice)
    message = wire.get("Message") or wire.get("message") or "the call failed"
    return page.redirect(back, error=f"{operation}: {message}")


def _form(page: Page, name: str) -> str:
    return page.request.form.get(name).strip()


def _integer(page: Page, name: str, default: int | None = None) -> int:
    value = _form(page, name)
    if not value and default is not None:
        return default
    try:
        return int(value)
    except ValueError:
        raise Refused(400, f"{name} must be a whole number, not {value!r}.") from None


def _back(page: Page, default: str) -> str:
    back = _form(page, "back")
    return back if back.startswith(("/requester", "/worker")) and "//" not in back else default


def choose_requester(page: Page) -> Response:
    requester = _form(page, "requester") or _form(page, "requester_new")
    response = page.redirect("/requester/", notice=f"Acting as requester {requester or 'unsigned (default)'}.")
    if requester:
        response.set_cookie(REQUESTER_COOKIE, requester[:128])
    else:
        response.delete_cookie(REQUESTER_COOKIE)
    return response


def advance_clock(page: Page) -> Response:
    amount = _integer(page, "amount")
    unit = UNITS.get(_form(page, "unit"), 1)
    if amount <= 0:
        return page.redirect(_back(page, "/requester/"), error="The clock only moves forward.")
    page.handle.clock.advance(amount * unit)
    return page.redirect(_back(page, "/requester/"), notice=f"The mock clock moved {amount} {_form(page, 'unit')}.")


# -- assignments -------------------------------------------------------------------------------------


def approve(page: Page, assignment_id: str) -> Response:
    feedback = _form(page, "feedback") or None
    override = page.request.form.get("override") == "1"
    ok, wire = call(
        page, "ApproveAssignment", AssignmentId=assignment_id, RequesterFeedback=feedback, OverrideRejection=override
    )
    return _done(page, _back(page, "/requester/hits"), "ApproveAssignment", ok, wire, f"Approved {assignment_id}.")


def reject(page: Page, assignment_id: str) -> Response:
    ok, wire = call(page, "RejectAssignment", AssignmentId=assignment_id, RequesterFeedback=_form(page, "feedback"))
    return _done(page, _back(page, "/requester/hits"), "RejectAssignment", ok, wire, f"Rejected {assignment_id}.")


def bonus(page: Page, assignment_id: str) -> Response:
    if "SendBonus" not in OPERATIONS:
        raise Refused(501, "This version of the mock does not implement SendBonus.")
    ok, wire = call(
        page,
        "SendBonus",
        AssignmentId=assignment_id,
        WorkerId=_form(page, "worker_id"),
        BonusAmount=_form(page, "amount"),
        Reason=_form(page, "reason"),
        UniqueRequestToken=_form(page, "token") or None,
    )
    notice = f"Sent a bonus of ${_form(page, 'amount')} for {assignment_id}."
    return _done(page, _back(page, "/requester/hits"), "SendBonus", ok, wire, notice)


# -- HITs --------------------------------------------------------------------------------------------


def create_hit(page: Page) -> Response:
    form = page.request.form
    ok, wire = call(
        page,
        "CreateHIT",
        Title=form.get("title"),
        Description=form.get("description"),
        Keywords=form.get("keywords") or None,
        Reward=_form(page, "reward"),
        MaxAssignments=_integer(page, "max_assignments", 1),
        LifetimeInSeconds=_integer(page, "lifetime", 86400),
        AssignmentDurationInSeconds=_integer(page, "assignment_duration", 3600),
        AutoApprovalDelayInSeconds=_integer(page, "auto_approval_delay", 259200),
        Question=form.get("question"),
        RequesterAnnotation=form.get("annotation") or None,
    )
    if not ok:
        return _done(page, "/requester/hits/new", "CreateHIT", ok, wire, "")
    hit_id = wire["HIT"]["HITId"]
    return page.redirect(f"/requester/hits/{quoted(hit_id)}", notice=f"Published HIT {hit_id}.")


def expire_hit(page: Page, hit_id: str) -> Response:
    ok, wire = call(page, "UpdateExpirationForHIT", HITId=hit_id, ExpireAt=0)
    return _done(page, f"/requester/hits/{quoted(hit_id)}", "UpdateExpirationForHIT", ok, wire, "The HIT expired.")


def extend_hit(page: Page, hit_id: str) -> Response:
    back = f"/requester/hits/{quoted(hit_id)}"
    seconds = _integer(page, "seconds")
    with page.session_market() as (market, now):
        hit = market.hits.by_id.get(hit_id)
        expiration = max(hit.expiration, now) if hit is not None else now
    ok, wire = call(page, "UpdateExpirationForHIT", HITId=hit_id, ExpireAt=expiration + seconds)
    return _done(page, back, "UpdateExpirationForHIT", ok, wire, f"The HIT now expires {seconds} s later.")


def add_assignments(page: Page, hit_id: str) -> Response:
    count = _integer(page, "count")
    ok, wire = call(page, "CreateAdditionalAssignmentsForHIT", HITId=hit_id, NumberOfAdditionalAssignments=count)
    back = f"/requester/hits/{quoted(hit_id)}"
    return _done(page, back, "CreateAdditionalAssignmentsForHIT", ok, wire, f"Added {count} assignments.")


def delete_hit(page: Page, hit_id: str) -> Response:
    ok, wire = call(page, "DeleteHIT", HITId=hit_id)
    if ok:
        return page.redirect("/requester/hits", notice=f"Deleted HIT {hit_id}.")
    return _done(page, f"/requester/hits/{quoted(hit_id)}", "DeleteHIT", ok, wire, "")


# -- qualifications ----------------------------------------------------------------------------------


def accept_request(page: Page, request_id: str) -> Response:
    value = _integer(page, "value", 1)
    ok, wire = call(page, "AcceptQualificationRequest", QualificationRequestId=request_id, IntegerValue=value)
    back = _back(page, "/requester/qualifications")
    return _done(page, back, "AcceptQualificationRequest", ok, wire, f"Granted with the value {value}.")


def reject_request(page: Page, request_id: str) -> Response:
    reason = _form(page, "reason") or None
    ok, wire = call(page, "RejectQualificationRequest", QualificationRequestId=request_id, Reason=reason)
    back = _back(page, "/requester/qualifications")
    return _done(page, back, "RejectQualificationRequest", ok, wire, "Request rejected.")


def grant(page: Page, type_id: str) -> Response:
    worker_id = _form(page, "worker_id").upper()
    ok, wire = call(
        page,
        "AssociateQualificationWithWorker",
        QualificationTypeId=type_id,
        WorkerId=worker_id,
        IntegerValue=_integer(page, "value", 1),
        SendNotification=False,
    )
    back = f"/requester/qualifications/{quoted(type_id)}"
    return _done(page, back, "AssociateQualificationWithWorker", ok, wire, f"Granted to {worker_id}.")


def revoke(page: Page, type_id: str) -> Response:
    worker_id = _form(page, "worker_id")
    ok, wire = call(
        page,
        "DisassociateQualificationFromWorker",
        QualificationTypeId=type_id,
        WorkerId=worker_id,
        Reason=_form(page, "reason") or None,
    )
    back = f"/requester/qualifications/{quoted(type_id)}"
    return _done(page, back, "DisassociateQualificationFromWorker", ok, wire, f"Revoked from {worker_id}.")


# -- blocks ------------------------------------------------------------------------------------------


def block(page: Page) -> Response:
    worker_id = _form(page, "worker_id").upper()
    ok, wire = call(page, "CreateWorkerBlock", WorkerId=worker_id, Reason=_form(page, "reason"))
    return _done(page, _back(page, "/requester/blocks"), "CreateWorkerBlock", ok, wire, f"Blocked {worker_id}.")


def unblock(page: Page, worker_id: str) -> Response:
    ok, wire = call(page, "DeleteWorkerBlock", WorkerId=worker_id, Reason=_form(page, "reason") or None)
    return _done(page, "/requester/blocks", "DeleteWorkerBlock", ok, wire, f"Unblocked {worker_id}.")


_ID = r"(?P<{}>[A-Za-z0-9]+)"
ROUTES = [
    Route.of("POST", r"/requester/identity", choose_requester),
    Route.of("POST", r"/requester/clock", advance_clock),
    Route.of("POST", r"/requester/hits", create_hit),
    Route.of("POST", rf"/requester/assignments/{_ID.format('assignment_id')}/approve", approve),
    Route.of("POST", rf"/requester/assignments/{_ID.format('assignment_id')}/reject", reject),
    Route.of("POST", rf"/requester/assignments/{_ID.format('assignment_id')}/bonus", bonus),
    Route.of("POST", rf"/requester/hits/{_ID.format('hit_id')}/expire", expire_hit),
    Route.of("POST", rf"/requester/hits/{_ID.format('hit_id')}/extend", extend_hit),
    Route.of("POST", rf"/requester/hits/{_ID.format('hit_id')}/add-assignments", add_assignments),
    Route.of("POST", rf"/requester/hits/{_ID.format('hit_id')}/delete", delete_hit),
    Route.of("POST", rf"/requester/qualification-requests/{_ID.format('request_id')}/accept", accept_request),
    Route.of("POST", rf"/requester/qualification-requests/{_ID.format('request_id')}/reject", reject_request),
    Route.of("POST", rf"/requester/qualifications/{_ID.format('type_id')}/grant", grant),
    Route.of("POST", rf"/requester/qualifications/{_ID.format('type_id')}/revoke", revoke),
    Route.of("POST", r"/requester/blocks", block),
    Route.of("POST", rf"/requester/blocks/{_ID.format('worker_id')}/delete", unblock),
]

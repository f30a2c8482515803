"""AssociateQualificationWithWorker, DisassociateQualificationFromWorker, GetQualificationScore,
ListWorkersWithQualificationType, ListQualificationRequests, AcceptQualificationRequest,
RejectQualificationRequest (spec 1.6-1.12)."""

from __future__ import annotations

from ..model.grants import GRANTED, Grant, no_such_qualification
from ..model.qualification_requests import PENDING, QualificationRequest
from .dispatcher import Call, operation
from .pagination import paginate


def qualification_wire(grant: Grant) -> dict:
    return {"GrantTime": grant.granted_at, "IntegerValue": grant.value, "QualificationTypeId": grant.type_id,
            "Status": grant.status, "WorkerId": grant.worker_id}


def qualification_request_wire(request: QualificationRequest) -> dict:
    wire = {"QualificationRequestId": request.request_id, "QualificationTypeId": request.type_id,
            "SubmitTime": request.submit_time, "WorkerId": request.worker_id}
    if request.test is not None:
        wire["Test"] = request.test
    if request.answer is not None:
        wire["Answer"] = request.answer
    return wire


@operation("AssociateQualificationWithWorker")
def associate_qualification_with_worker(call: Call, request: dict) -> dict:
    qual = call.market.qualification_types.owned_by(request["QualificationTypeId"], call.requester)
    call.market.associate(qual, request["WorkerId"], request.get("IntegerValue", 1), call.now,
                          notify=request.get("SendNotification", True))
    return {}


@operation("DisassociateQualificationFromWorker")
def disassociate_qualification_from_worker(call: Call, request: dict) -> dict:
    qual = call.market.qualification_types.owned_by(request["QualificationTypeId"], call.requester)
    call.market.disassociate(qual, request["WorkerId"], request.get("Reason"))
    return {}


@operation("GetQualificationScore")
def get_qualification_score(call: Call, request: dict) -> dict:
    """Only the owner reads scores; for anybody else the qualification does not exist (observed for
    system types, boto#3171)."""
    market = call.market
    qual = market.qualification_types.by_id.get(request["QualificationTypeId"])
    if qual is None or qual.owner != call.requester:
        raise no_such_qualification()
    market.check_worker(request["WorkerId"])
    return {"Qualification": qualification_wire(market.roster(qual.type_id).granted(request["WorkerId"]))}


@operation("ListWorkersWithQualificationType")
def list_workers_with_qualification_type(call: Call, request: dict) -> dict:
    """In the order the qualifications entered the status asked for (default Granted)."""
    qual = call.market.qualification_types.owned_by(request["QualificationTypeId"], call.requester)
    status = request.get("Status", GRANTED)
    entries, current = call.market.roster(qual.type_id).listing(status)
    page, members = paginate(call, request, "ListWorkersWithQualificationType", entries, current,
                             (qual.type_id, status))
    members["Qualifications"] = [qualification_wire(grant) for grant in page]
    return members


@operation("ListQualificationRequests")
def list_qualification_requests(call: Call, request: dict) -> dict:
    """Requests waiting for the caller, in SubmitTime order; optionally for one of the caller's types."""
    market = call.market
    type_id = request.get("QualificationTypeId")
    if type_id is None:
        entries = market.requests.pending_by_owner.get(call.requester, [])
    else:
        market.qualification_types.owned_by(type_id, call.requester)
        entries = market.requests.pending_by_type.get(type_id, [])
    page, members = paginate(call, request, "ListQualificationRequests", entries,
                             lambda item, position: item.status == PENDING, (type_id,))
    members["QualificationRequests"] = [qualification_request_wire(item) for item in page]
    return members


@operation("AcceptQualificationRequest")
def accept_qualification_request(call: Call, request: dict) -> dict:
    pending = call.market.requests.pending_for(request["QualificationRequestId"], call.requester)
    call.market.accept_request(pending, request.get("IntegerValue", 1), call.now)
    return {}


@operation("RejectQualificationRequest")
def reject_qualification_request(call: Call, request: dict) -> dict:
    pending = call.market.requests.pending_for(request["QualificationRequestId"], call.requester)
    call.market.reject_request(pending, request.get("Reason"))
    return {}

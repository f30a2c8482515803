"""CreateQualificationType, GetQualificationType, ListQualificationTypes, UpdateQualificationType,
DeleteQualificationType (spec 1.0-1.5)."""

from __future__ import annotations

from ..model.qualification_types import QualificationType
from .dispatcher import Call, operation
from .pagination import paginate


def qualification_type_wire(qual: QualificationType, viewer: str) -> dict:
    """The QualificationType structure; unset members are omitted, the AnswerKey is the owner's only."""
    wire = {
        "AutoGranted": qual.auto_granted,
        "CreationTime": qual.created,
        "Description": qual.description,
        "IsRequestable": qual.requestable,
        "Name": qual.name,
        "QualificationTypeId": qual.type_id,
        "QualificationTypeStatus": qual.status,
    }
    if qual.auto_granted:
        wire["AutoGrantedValue"] = qual.auto_granted_value
    if qual.keywords is not None:
        wire["Keywords"] = qual.keywords
    if qual.retry_delay is not None:
        wire["RetryDelayInSeconds"] = qual.retry_delay
    if qual.test is not None:
        wire["Test"] = qual.test
        wire["TestDurationInSeconds"] = qual.test_duration
        if qual.answer_key is not None and viewer == qual.owner:
            wire["AnswerKey"] = qual.answer_key
    return wire


@operation("CreateQualificationType")
def create_qualification_type(call: Call, request: dict) -> dict:
    types = call.market.qualification_types
    qual = types.create(
        call.world.ids.entity(), call.requester, call.now,
        name=request["Name"], description=request["Description"], status=request["QualificationTypeStatus"],
        keywords=request.get("Keywords"), retry_delay=request.get("RetryDelayInSeconds"),
        test=request.get("Test"), answer_key=request.get("AnswerKey"),
        test_duration=request.get("TestDurationInSeconds"), auto_granted=request.get("AutoGranted"),
        auto_granted_value=request.get("AutoGrantedValue"))
    return {"QualificationType": qualification_type_wire(qual, call.requester)}


@operation("GetQualificationType")
def get_qualification_type(call: Call, request: dict) -> dict:
    qual = call.market.qualification_types.get(request["QualificationTypeId"])
    return {"QualificationType": qualification_type_wire(qual, call.requester)}


@operation("ListQualificationTypes")
def list_qualification_types(call: Call, request: dict) -> dict:
    """In creation order, oldest first (the system types come first). Inactive types are listed."""
    types = call.market.qualification_types
    requestable = request["MustBeRequestable"]
    own = request.get("MustBeOwnedByCaller", False)
    query = request.get("Query")
    needle = query.casefold() if query else None
    items = types.owned.get(call.requester, ()) if own else types.order

    def keep(qual: QualificationType, position: int) -> bool:
        return (not qual.deleted and (qual.requestable or not requestable)
                and (needle is None or needle in qual.search_text))

    page, members = paginate(call, request, "ListQualificationTypes", items, keep, (requestable, own, query))
    members["QualificationTypes"] = [qualification_type_wire(qual, call.requester) for qual in page]
    return members


@operation("UpdateQualificationType")
def update_qualification_type(call: Call, request: dict) -> dict:
    types = call.market.qualification_types
    qual = types.owned_by(request["QualificationTypeId"], call.requester)
    types.update(
        qual, description=request.get("Description"), status=request.get("QualificationTypeStatus"),
        test=request.get("Test"), answer_key=request.get("AnswerKey"),
        test_duration=request.get("TestDurationInSeconds"), retry_delay=request.get("RetryDelayInSeconds"),
        auto_granted=request.get("AutoGranted"), auto_granted_value=request.get("AutoGrantedValue"))
    return {"QualificationType": qualification_type_wire(qual, call.requester)}


@operation("DeleteQualificationType")
def delete_qualification_type(call: Call, request: dict) -> dict:
    market = call.market
    qual = market.qualification_types.owned_by(request["QualificationTypeId"], call.requester)
    market.delete_qualification_type(qual, call.now)
    return {}

"""UpdateNotificationSettings and SendTestEventNotification (spec H§6, H§8.23-8.24)."""

from __future__ import annotations

from typing import Any

from ...model import errors
from ...model.notifications import parse_specification, test_event
from ..context import RequestContext


def update_settings(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """Sets, replaces, switches off or on the caller's HIT type's specification. Parameters are checked
    before the HIT type is looked up; Active alone needs a specification to switch."""
    notification, active = request.get("Notification"), request.get("Active")
    if notification is None and active is None:
        raise errors.invalid_value("Notification", None, "give Notification, Active or both")
    spec = None if notification is None else parse_specification(notification)
    hit_type = ctx.market.hit_types.owned(request["HITTypeId"], ctx.requester)
    ctx.market.hit_types.set_notification(hit_type, spec, active)
    return {}


def send_test_event(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """One message with one event of TestEventType, sent now, whatever the specification's EventTypes;
    nothing is stored (spec H§6.5)."""
    spec = parse_specification(request["Notification"], test=True)
    event = test_event(request["TestEventType"], ctx.requester, ctx.now)
    ctx.market.outbox.post(ctx.market.name, event, spec, test=True)
    return {}

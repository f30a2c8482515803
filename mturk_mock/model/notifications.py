"""Notification specifications and the messages MTurk sends for HIT and assignment events (spec H§6).

A HIT type carries at most one specification ``{Destination, Transport, Version, EventTypes}``; an event
about one of its HITs is sent when the specification is active and lists the event's type (spec H§6.2).
The message is one JSON document with one event (spec H§6.3); this module builds it as an ordered dict,
in the service's key order, and the delivery (``transport/delivery.py``) encodes and sends it.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import errors
from .events import Event

ASSIGNMENT_EVENTS = (
    "AssignmentAccepted",
    "AssignmentAbandoned",
    "AssignmentReturned",
    "AssignmentSubmitted",
    "AssignmentRejected",
    "AssignmentApproved",
)
HIT_EVENTS = ("HITCreated", "HITExpired", "HITReviewable", "HITExtended", "HITDisposed")
PING = "Ping"  # only in SendTestEventNotification
EVENT_TYPES = (*ASSIGNMENT_EVENTS, *HIT_EVENTS)
EMAIL, SQS, SNS = "Email", "SQS", "SNS"
# The botocore doc string names 2006-05-05, the 2017 reference and real clients 2014-08-15 (spec H§6.1).
VERSIONS = ("2006-05-05", "2014-08-15")

# What a Destination looks like for each transport [I]: the mock checks the shape, not the resource.
_SQS_URL = re.compile(
    r"https://(?:sqs\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?|queue\.amazonaws\.com)"
    r"/(?P<account>\d{12})/(?P<name>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)"
).fullmatch
_SNS_ARN = re.compile(
    r"arn:aws(?:-cn|-us-gov)?:sns:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d):(?P<account>\d{12})"
    r":(?P<name>[A-Za-z0-9_-]{1,256}(?:\.fifo)?)"
).fullmatch
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+").fullmatch
_SHAPES = {SQS: _SQS_URL, SNS: _SNS_ARN, EMAIL: _EMAIL}

# Placeholders for the HIT and assignment of a test event (spec H§6.5 [I]): no real HIT is involved.
TEST_HIT_TYPE_ID, TEST_HIT_GROUP_ID, TEST_HIT_ID = (f"3TEST{kind}".ljust(30, "0") for kind in ("TYPE", "GROUP", "HIT"))
TEST_ASSIGNMENT_ID, TEST_WORKER_ID = "3TESTASSIGNMENT".ljust(30, "0"), "ATESTWORKER000"


@dataclass(frozen=True, slots=True)
class NotificationSpec:
    destination: str
    transport: str
    version: str
    event_types: frozenset[str]
    listed: tuple[str, ...]  # EventTypes as given, for the snapshot

    def wire(self) -> dict[str, Any]:
        return {
            "Destination": self.destination,
            "Transport": self.transport,
            "Version": self.version,
            "EventTypes": list(self.listed),
        }

    def to_data(self) -> dict[str, Any]:
        return self.wire()

    @property
    def region(self) -> str:
        """The AWS region of an SQS queue or SNS topic (us-east-1 for the legacy queue host)."""
        found = _SHAPES[self.transport](self.destination)
        return (found.group("region") if found else None) or "us-east-1"

    @property
    def account(self) -> str | None:
        """The AWS account that owns the queue or topic."""
        found = _SHAPES[self.transport](self.destination) if self.transport != EMAIL else None
        return found.group("account") if found else None


def parse_specification(wire: Mapping[str, Any], *, test: bool = False) -> NotificationSpec:
    """A specification from its wire form, checked member by member (spec H§6.1); ``test``: for
    SendTestEventNotification, where Ping is allowed. Enum values and required members were checked
    by the request validator already."""
    destination, transport, version = wire["Destination"], wire["Transport"], wire["Version"]
    event_types = list(wire["EventTypes"])
    if not _SHAPES[transport](destination):
        raise errors.invalid_value("Destination", destination, f"Destination is not a {transport} destination")
    if version not in VERSIONS:
        raise errors.invalid_value("Version", version, f"Version must be one of {', '.join(VERSIONS)}")
    if not event_types:
        raise errors.invalid_value("EventTypes", event_types, "EventTypes is empty")
    for event_type in event_types:
        if event_type not in EVENT_TYPES and not (test and event_type == PING):
            detail = f"{event_type} is not an event type here" + ("" if test else " (Ping only in a test event)")
            raise errors.invalid_value("EventTypes", event_type, detail)
    listed = tuple(dict.fromkeys(event_types))
    return NotificationSpec(destination, transport, version, frozenset(listed), listed)


def restore_specification(data: Mapping[str, Any] | None) -> NotificationSpec | None:
    return None if data is None else parse_specification(data, test=True)


def test_event(event_type: str, requester: str, now: float) -> Event:
    """The event SendTestEventNotification sends: placeholders for the HIT and assignment, none for Ping."""
    if event_type == PING:
        return Event(PING, now, requester, "", "", "")
    assignment = event_type in ASSIGNMENT_EVENTS
    return Event(
        event_type,
        now,
        requester,
        TEST_HIT_TYPE_ID,
        TEST_HIT_GROUP_ID,
        TEST_HIT_ID,
        TEST_ASSIGNMENT_ID if assignment else None,
        TEST_WORKER_ID if assignment else None,
    )


def event_timestamp(epoch: float) -> str:
    """UTC, whole seconds, as every observed message writes it: 2019-08-09T21:17:16Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))


def document(event: Event, doc_id: str, source_account: str, customer_id: str, version: str) -> dict[str, Any]:
    """The message, keys in the order of the service's 2025 messages (spec H§6.3)."""
    item: dict[str, Any]
    if event.event_type == PING:
        item = {"EventType": PING, "EventTimestamp": event_timestamp(event.timestamp)}
    else:
        item = {
            "HITGroupId": event.hit_group_id,
            "EventType": event.event_type,
            "EventTimestamp": event_timestamp(event.timestamp),
            "HITId": event.hit_id,
        }
        if event.assignment_id is not None:
            item["AssignmentId"] = event.assignment_id
            item["WorkerId"] = event.worker_id
        item["HITTypeId"] = event.hit_type_id
    return {
        "Events": [item],
        "EventDocId": doc_id,
        "SourceAccount": source_account,
        "CustomerId": customer_id,
        "EventDocVersion": version,
    }


# -- the requester's identity in messages ------------------------------------------------------
_SOURCE_ACCOUNT = re.compile(r"\d{12}").fullmatch
_CUSTOMER_ID = re.compile(r"A[A-Z0-9]{12,13}").fullmatch
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def default_identity(requester: str) -> tuple[str, str]:
    """A stable SourceAccount (12 digits) and CustomerId (A + 13) derived from the requester [I]."""
    digest = int.from_bytes(hashlib.sha1(f"mturk_mock/{requester}".encode()).digest(), "big")
    account = f"{digest % 10**12:012d}"
    digest //= 10**12
    customer = "A"
    for _ in range(13):
        digest, digit = divmod(digest, 36)
        customer += _BASE36[digit]
    return account, customer


def check_identity(source_account: str, customer_id: str) -> None:
    if not isinstance(source_account, str) or not _SOURCE_ACCOUNT(source_account):
        raise ValueError(f"source_account must be 12 digits (an AWS account ID), not {source_account!r}")
    if not isinstance(customer_id, str) or not _CUSTOMER_ID(customer_id):
        raise ValueError(f"customer_id must be 'A' and 12 or 13 upper-case letters or digits, not {customer_id!r}")

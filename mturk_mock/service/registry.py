"""The table of operations: one record per implemented MTurk operation, listed here explicitly.

A record says which handler answers the operation, how it pages (if it is a listing), whether it
changes state, and what it needs from the caller. Adding an operation is one entry here plus its
handler in ``ops/``; everything else (validation, pagination, conversion, both transports, the call
log, fuzzing, ``mturk-mock operations`` and the README's table) follows from the entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..model import errors
from ..model.errors import ErrorSpec
from .context import RequestContext
from .ops import account, assignments, blocks, bonuses, hits, notifications, reviews, uploads
from .ops import qualification_types as types
from .ops import worker_qualifications as workers
from .pagination import Pagination

Handler = Callable[[RequestContext, Any], Any]
CALLER = frozenset({"marketplace", "requester"})


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    handler: Handler
    pagination: Pagination | None = None  # for List operations: the handler returns a Listing
    writes: bool = False  # changes the marketplace (a read-only operation never does)
    # Documented messages that replace the usual ParameterValidationError for a parameter.
    parameter_errors: Mapping[str, ErrorSpec] = field(default_factory=dict)
    needs: frozenset[str] = CALLER  # what the answer depends on: the marketplace, the requester


def _table(operations: Iterable[Operation]) -> Mapping[str, Operation]:
    table: dict[str, Operation] = {}
    for operation in operations:
        if operation.name in table:
            raise ValueError(f"{operation.name} is listed twice")
        table[operation.name] = operation
    return MappingProxyType(table)


OPERATIONS: Mapping[str, Operation] = _table(
    (
        Operation("GetAccountBalance", account.get_account_balance),
        # Qualification types (spec Q§1.0-1.5)
        Operation("CreateQualificationType", types.create, writes=True),
        Operation("GetQualificationType", types.get),
        Operation(
            "ListQualificationTypes",
            types.list_types,
            Pagination("QualificationTypes", "creation order, the system types first"),
        ),
        Operation("UpdateQualificationType", types.update, writes=True),
        Operation("DeleteQualificationType", types.delete, writes=True),
        # Workers' qualifications and qualification requests (spec Q§1.6-1.12)
        Operation("AssociateQualificationWithWorker", workers.associate, writes=True),
        Operation("DisassociateQualificationFromWorker", workers.disassociate, writes=True),
        Operation("GetQualificationScore", workers.get_score),
        Operation(
            "ListWorkersWithQualificationType",
            workers.list_workers,
            Pagination("Qualifications", "the order the grants entered the status"),
        ),
        Operation(
            "ListQualificationRequests", workers.list_requests, Pagination("QualificationRequests", "SubmitTime")
        ),
        Operation("AcceptQualificationRequest", workers.accept_request, writes=True),
        Operation("RejectQualificationRequest", workers.reject_request, writes=True),
        # HIT types and HITs (spec H§1, H§8.1-8.12)
        Operation("CreateHITType", hits.create_hit_type, writes=True),
        Operation("CreateHIT", hits.create_hit, writes=True),
        Operation("CreateHITWithHITType", hits.create_hit_with_hit_type, writes=True),
        Operation("GetHIT", hits.get_hit),
        Operation("ListHITs", hits.list_hits, Pagination("HITs", "CreationTime, then HITId")),
        Operation(
            "ListHITsForQualificationType",
            hits.list_hits_for_qualification_type,
            Pagination("HITs", "CreationTime, then HITId"),
        ),
        Operation("ListReviewableHITs", hits.list_reviewable_hits, Pagination("HITs", "Expiration, then HITId")),
        Operation("UpdateExpirationForHIT", hits.update_expiration, writes=True),
        Operation("CreateAdditionalAssignmentsForHIT", hits.create_additional_assignments, writes=True),
        Operation("UpdateHITReviewStatus", hits.update_review_status, writes=True),
        Operation("UpdateHITTypeOfHIT", hits.update_hit_type, writes=True),
        Operation("DeleteHIT", hits.delete_hit, writes=True),
        # Assignments (spec H§2, H§8.13-8.16)
        Operation(
            "ListAssignmentsForHIT",
            assignments.list_for_hit,
            Pagination("Assignments", "SubmitTime, then AssignmentId"),
        ),
        Operation("GetAssignment", assignments.get),
        Operation("ApproveAssignment", assignments.approve, writes=True),
        Operation("RejectAssignment", assignments.reject, writes=True),
        # Review policies (spec H§9)
        Operation(
            "ListReviewPolicyResultsForHIT",
            reviews.list_results,
            Pagination("ReviewResults, ReviewActions", "the order the policies produced them", counted=False),
        ),
        # Worker blocks (spec H§4.5, H§8.19-8.21)
        Operation("CreateWorkerBlock", blocks.create, writes=True),
        Operation(
            "DeleteWorkerBlock", blocks.delete, writes=True, parameter_errors={"WorkerId": errors.WORKER_ID_INVALID}
        ),
        Operation("ListWorkerBlocks", blocks.list_blocks, Pagination("WorkerBlocks", "the order they were made")),
        # Bonuses, messages to workers, uploaded files (spec H§8.17-8.18, H§8.22, Q§6.2)
        Operation("SendBonus", bonuses.send_bonus, writes=True),
        Operation("ListBonusPayments", bonuses.list_bonus_payments, Pagination("BonusPayments", "GrantTime")),
        Operation("NotifyWorkers", bonuses.notify_workers, writes=True),
        Operation("GetFileUploadURL", uploads.get_file_upload_url),
        # Notifications (spec H§6, H§8.23-8.24)
        Operation("UpdateNotificationSettings", notifications.update_settings, writes=True),
        Operation("SendTestEventNotification", notifications.send_test_event, writes=True),
    )
)

"""ListReviewPolicyResultsForHIT (spec H§8.25, H§9.3)."""

from __future__ import annotations

from typing import Any

from ...model.hits.reviews import ACTION, ASSIGNMENT_LEVEL, HIT_LEVEL, RESULT, ReviewEntry
from ...model.index import SortedIndex
from ..context import RequestContext
from ..pagination import Listing

_NOTHING: SortedIndex[ReviewEntry] = SortedIndex()
_MEMBERS = {RESULT: "ReviewResults", ACTION: "ReviewActions"}


def entry_wire(entry: ReviewEntry) -> dict[str, Any]:
    """A ReviewResultDetail or a ReviewActionDetail, made once (entries never change) and handed out as a
    copy: nested in a report, it reaches the caller as it is, and a caller may modify its answer."""
    wire: dict[str, Any] | None = entry.cache
    if wire is None:
        if entry.kind == RESULT:
            wire = {"SubjectId": entry.subject_id, "SubjectType": entry.subject_type, "Key": entry.key}
            wire["Value"] = entry.value
            if entry.question_id is not None:
                wire["QuestionId"] = entry.question_id
        else:
            wire = {
                "ActionId": entry.action_id,
                "ActionName": entry.key,
                "CompleteTime": entry.complete_time,
                "Result": entry.value,
                "Status": entry.status,
                "TargetId": entry.subject_id,
                "TargetType": entry.subject_type,
            }
            if entry.error_code is not None:
                wire["ErrorCode"] = entry.error_code
        entry.cache = wire
    return dict(wire)


def list_results(ctx: RequestContext, request: dict[str, Any]) -> Listing[ReviewEntry]:
    """The HIT's policies by name and, on request, their results and actions, paged together in the order
    the policies produced them; a HIT without policies answers its HITId only, Disposed HITs still answer."""
    hit = ctx.market.hits.get(request["HITId"], ctx.requester)
    asked = request.get("PolicyLevels") or (ASSIGNMENT_LEVEL, HIT_LEVEL)
    names = {
        level: policy.name
        for level, policy in ((ASSIGNMENT_LEVEL, hit.assignment_policy), (HIT_LEVEL, hit.hit_policy))
        if policy is not None
    }
    levels = [level for level in names if level in asked]
    kinds = [kind for kind, flag in ((RESULT, "RetrieveResults"), (ACTION, "RetrieveActions")) if request.get(flag)]
    extra: dict[str, Any] = {"HITId": hit.hit_id}
    for level in levels:
        extra[f"{level}ReviewPolicy"] = {"PolicyName": names[level]}
    reported = levels if kinds else []
    index = _NOTHING
    if reported:
        wanted = None
        if len(reported) < len(names) or len(kinds) < len(_MEMBERS):  # the HIT's listing holds more than asked
            wanted = frozenset((level, kind) for level in reported for kind in kinds)
        index = ctx.market.reviews.listing(hit.hit_id, wanted)

    def arrange(page: list[ReviewEntry]) -> dict[str, Any]:
        reports: dict[str, Any] = {f"{level}ReviewReport": {_MEMBERS[kind]: [] for kind in kinds} for level in reported}
        for entry in page:
            reports[f"{entry.level}ReviewReport"][_MEMBERS[entry.kind]].append(entry_wire(entry))
        return reports

    return Listing(index, lambda entry: entry, None, extra, arrange=arrange)

"""Batches as on the Requester website (and Turkle, localturk): an HTML template with ``${variable}``
placeholders and a CSV file; each row becomes one HIT, made by a CreateHIT call through the request
pipeline with the template as its HITLayoutId and the row as its HITLayoutParameters, so it is logged and
answered exactly as a client's call. The results download in the website's batch-results layout.

The CSV header is MTurk's (one row per submitted, approved or rejected assignment, every value quoted):
HIT and assignment columns, the workers' approval rates on this requester's HITs, ``Input.<variable>``
in file order, ``Answer.<field>`` sorted by name, and the empty ``Approve`` and ``Reject`` columns a
requester fills to upload decisions. Times are Java Date strings in UTC; rewards are dollar amounts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model.hits.assignments import APPROVED, REJECTED, Assignment
from ..model.hits.batches import Batch, BatchDesk
from ..model.marketplace import Marketplace
from ..model.xml.questions import placeholders
from ..transport.pipeline import Handle, handle_request
from .answer_view import answer_pairs

HEADER = [
    "HITId",
    "HITTypeId",
    "Title",
    "Description",
    "Keywords",
    "Reward",
    "CreationTime",
    "MaxAssignments",
    "RequesterAnnotation",
    "AssignmentDurationInSeconds",
    "AutoApprovalDelayInSeconds",
    "Expiration",
    "NumberOfSimilarHITs",
    "LifetimeInSeconds",
    "AssignmentId",
    "WorkerId",
    "AssignmentStatus",
    "AcceptTime",
    "SubmitTime",
    "AutoApprovalTime",
    "ApprovalTime",
    "RejectionTime",
    "RequesterFeedback",
    "WorkTimeInSeconds",
    "LifetimeApprovalRate",
    "Last30DaysApprovalRate",
    "Last7DaysApprovalRate",
]
TRAILER = ["Approve", "Reject"]
DAY = 86400


class BatchRefused(ValueError):
    """A template or CSV file that cannot make a batch; nothing was published."""


@dataclass(frozen=True)
class HITProperties:
    """What every HIT of a batch shares (the project's settings on the Requester website)."""

    title: str
    description: str
    reward: str
    max_assignments: int = 1
    lifetime: int = 3 * DAY
    assignment_duration: int = 3600
    auto_approval_delay: int = 3 * DAY
    keywords: str | None = None

    def create_hit(self) -> dict[str, Any]:
        request: dict[str, Any] = {
            "Title": self.title,
            "Description": self.description,
            "Reward": self.reward,
            "MaxAssignments": self.max_assignments,
            "LifetimeInSeconds": self.lifetime,
            "AssignmentDurationInSeconds": self.assignment_duration,
            "AutoApprovalDelayInSeconds": self.auto_approval_delay,
        }
        if self.keywords:
            request["Keywords"] = self.keywords
        return request


@dataclass(frozen=True)
class Published:
    batch_id: str
    hit_ids: list[str]
    error: str | None  # why publishing stopped early (the HITs made before stay published)


def read_rows(csv_text: str) -> tuple[list[str], list[list[str]]]:
    """The header and the non-empty rows of a CSV file (a UTF-8 byte-order mark is ignored)."""
    reader = csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise BatchRefused("The CSV file is empty: it needs a header row naming the template's variables.") from None
    except csv.Error as error:
        raise BatchRefused(f"The CSV file cannot be read: {error}") from None
    rows = []
    try:
        for row in reader:
            if any(value.strip() for value in row):
                if len(row) != len(header):
                    raise BatchRefused(f"Row {reader.line_num} has {len(row)} values; the header has {len(header)}.")
                rows.append(row)
    except csv.Error as error:
        raise BatchRefused(f"The CSV file cannot be read: {error}") from None
    if not rows:
        raise BatchRefused("The CSV file has a header but no rows: a batch needs at least one.")
    return header, rows


def publish(
    handle: Any,
    marketplace: str,
    requester: str,
    template: str,
    csv_text: str,
    properties: HITProperties,
    name: str = "",
) -> Published:
    """Register ``template`` as a HIT layout and publish one HIT per row through the pipeline."""
    for needed in ("title", "description", "reward"):
        if not getattr(properties, needed):
            raise BatchRefused(f"A batch needs a {needed}: every HIT of it gets the same.")
    if not template.strip():
        raise BatchRefused("The template is empty: give the HTML of the HITs, with ${variable} placeholders.")
    header, rows = read_rows(csv_text)
    variables = placeholders(template)
    missing = sorted(variables - set(header))
    if missing:
        raise BatchRefused(f"The CSV file has no column for the template's variables: {', '.join(missing)}.")
    if len(set(header)) != len(header):
        raise BatchRefused("The CSV header names a column twice.")
    desk = BatchDesk(handle.world, marketplace)
    batch_id, layout_id = desk.open(requester, name, header)
    handle.add_hit_layout(layout_id, template, marketplace=marketplace)
    used = [index for index, column in enumerate(header) if column in variables]
    base = {**properties.create_hit(), "HITLayoutId": layout_id, "RequesterAnnotation": f"BatchId:{batch_id};"}
    hit_ids, error = [], None
    for number, row in enumerate(rows, start=1):
        parameters = [{"Name": header[index], "Value": row[index]} for index in used]
        body = json.dumps({**base, "HITLayoutParameters": parameters}).encode()
        answer = handle_request(handle, marketplace, requester, "CreateHIT", body)
        if answer.status != 200:
            error = f"Row {number}: {answer.wire.get('Message') or answer.wire.get('message')}"
            desk.stop(batch_id, error)
            break
        hit_ids.append(answer.wire["HIT"]["HITId"])
        desk.add_row(batch_id, hit_ids[-1], row)
    return Published(batch_id, hit_ids, error)


# -- results -----------------------------------------------------------------------------------------


def java_date(epoch: float | None) -> str:
    """Java's Date.toString() in UTC, as the Requester website writes times into batch results."""
    if epoch is None:
        return ""
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")


class _Rates:
    """Each worker's approved and rejected assignments on one requester's HITs: all, last 30 and 7 days."""

    def __init__(self, market: Marketplace, requester: str, now: float) -> None:
        self.counts: dict[str, list[int]] = {}
        for hit in market.hits.of_owner(requester).values():
            for assignment in market.assignments.listing(hit.hit_id).values():
                self._count(assignment, now)

    def _count(self, assignment: Assignment, now: float) -> None:
        if assignment.status not in (APPROVED, REJECTED):
            return
        decided = assignment.approval_time if assignment.status == APPROVED else assignment.rejection_time
        age = now - (decided or now)
        approved = assignment.status == APPROVED
        counts = self.counts.setdefault(assignment.worker_id, [0] * 6)
        for window, (approved_at, total_at) in ((None, (0, 1)), (30 * DAY, (2, 3)), (7 * DAY, (4, 5))):
            if window is None or age <= window:
                counts[approved_at] += approved
                counts[total_at] += 1

    def of(self, worker_id: str) -> list[str]:
        counts = self.counts.get(worker_id, [0] * 6)
        return [_rate(counts[index], counts[index + 1]) for index in (0, 2, 4)]


def _rate(approved: int, total: int) -> str:
    return f"{approved * 100 // total if total else 0}% ({approved}/{total})"


def results_rows(market: Marketplace, batch: Batch, now: float) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a batch's results, one row per visible assignment, in row order."""
    rates = _Rates(market, batch.owner, now)
    collected: list[tuple[list[str], list[str], dict[str, str]]] = []
    answer_names: set[str] = set()
    for hit_id, inputs in batch.rows:
        hit = market.hits.by_id.get(hit_id)
        if hit is None:
            continue
        hit_type = hit.hit_type
        hit_part = [
            hit.hit_id,
            hit_type.type_id,
            hit_type.title,
            hit_type.description,
            hit_type.keywords or "",
            f"${hit_type.reward:.2f}",
            java_date(hit.created),
            str(hit.max_assignments),
            hit.annotation or "",
            str(hit_type.assignment_duration),
            str(hit_type.auto_approval_delay),
            java_date(hit.expiration),
            "",
            "",
        ]
        for assignment in market.assignments.listing(hit_id).values():
            answers = dict(answer_pairs(assignment.answer))
            answer_names.update(answers)
            submit = assignment.submit_time
            assignment_part = [
                assignment.assignment_id,
                assignment.worker_id,
                assignment.status,
                java_date(assignment.accept_time),
                java_date(submit),
                java_date(assignment.auto_approval_time),
                java_date(assignment.approval_time),
                java_date(assignment.rejection_time),
                assignment.feedback or "",
                str(int((submit or assignment.accept_time) - assignment.accept_time)),
                *rates.of(assignment.worker_id),
            ]
            collected.append((hit_part + assignment_part, inputs, answers))
    names = sorted(answer_names)
    header = [*HEADER, *(f"Input.{column}" for column in batch.columns), *(f"Answer.{name}" for name in names)]
    header += TRAILER
    rows = [
        [*fixed, *inputs, *(answers.get(name, "") for name in names), "", ""] for fixed, inputs, answers in collected
    ]
    return header, rows


def to_csv(header: list[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def results_csv(handle: Handle, marketplace: str, requester: str, batch_id: str) -> str:
    """The batch-results CSV of one of ``requester``'s batches (KeyError when there is no such batch)."""
    with handle.world.session(marketplace) as (market, now):
        return to_csv(*results_rows(market, market.batches.owned(batch_id, requester), now))


def reward_total(batch: Batch, market: Marketplace) -> Decimal:
    """What the batch's HITs pay in rewards when every assignment is approved."""
    total = Decimal(0)
    for hit_id in batch.hit_ids:
        hit = market.hits.by_id.get(hit_id)
        if hit is not None:
            total += hit.hit_type.reward * hit.max_assignments
    return total

"""A deep page costs what the first page costs, for every List operation of the registry (issue 11,
requirement 2). Prints figures; it is not a pass/fail test.

    python3 benchmarks/bench_pagination.py [--items 1000000] [--deep 900000] [--page 100] [--only Operation ...]

For each listing of every paginated operation in ``mturk_mock/service/registry.py``, a fresh process
builds ``--items`` items in that listing directly through the model (grants with the handle's
``grant_qualifications``; qualification types and requests with their stores' methods), so the build
takes seconds rather than a million API calls. It then times (CPU time of the process, so that other
load on the machine does not count), through a boto3 client on the in-process mock, the first page and
the page that starts at item ``--deep``, interleaved round after round, and prints the medians side by
side with their ratio (target: about 1), the build time and the resident memory each item added. The
deep page's NextToken is made by the service's own token encoder for the key of the item before that
position, and checked: the page it gives starts at item ``--deep``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import botocore

from mturk_mock import MTurkMock, World
from mturk_mock.constants import DEFAULT_REQUESTER, SANDBOX
from mturk_mock.model.hits import decisions, work, workflow
from mturk_mock.model.hits.blocks import MAX_BLOCKS
from mturk_mock.model.hits.reviews import ASSIGNMENT_LEVEL, RESULT, ReviewEntry
from mturk_mock.model.index import SortedIndex
from mturk_mock.model.marketplace import Marketplace
from mturk_mock.model.qualifications.requests import QualificationRequest
from mturk_mock.pytest_plugin import make_client
from mturk_mock.service import pagination
from mturk_mock.service.context import RequestContext
from mturk_mock.service.registry import OPERATIONS

OWNER = DEFAULT_REQUESTER  # the unsigned benchmark client is the default requester


@dataclass(frozen=True)
class Listing:
    """One listing to measure: how to build it, the request that pages through it, and its index."""

    operation: str
    variant: str
    build: Callable[[MTurkMock, Any, int], dict[str, Any]]  # (mock, client, items) -> the request's members
    index: Callable[[Marketplace, dict[str, Any]], SortedIndex[Any]]
    item: Callable[[Any], str]  # what identifies a listed item (in the index and on the page)
    wire_item: Callable[[dict[str, Any]], str]
    # where the page's items are in the response, when not under the operation's result key
    wire_items: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None

    @property
    def label(self) -> str:
        return f"{self.operation} {self.variant}".strip()


def _worker(number: int) -> str:
    return f"A{number:013d}"


def _create_type(client: Any, name: str) -> str:
    reply = client.create_qualification_type(Name=name, Description="benchmark", QualificationTypeStatus="Active")
    return str(reply["QualificationType"]["QualificationTypeId"])


def _grants(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    type_id = _create_type(client, "benchmark")
    mock.grant_qualifications(type_id, ((_worker(number), number % 100) for number in range(items)))
    return {"QualificationTypeId": type_id}


def _types(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    with mock.world.session(SANDBOX) as (market, now):
        store, ids = market.qualification_types, market.ids
        for number in range(items):
            store.create(ids.entity(), OWNER, now, name=f"type {number}", description="benchmark", status="Active")
    return {}


def _requests(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    type_id = _create_type(client, "benchmark")
    with mock.world.session(SANDBOX) as (market, now):
        store, ids = market.requests, market.ids
        for number in range(items):
            request = QualificationRequest(ids.entity(), type_id, OWNER, _worker(number), now)
            store.open(request, None)
            store.make_pending(request, now)
    return {"QualificationTypeId": type_id}


QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://tasks.example.org/x</ExternalURL><FrameHeight>0</FrameHeight>'
    "</ExternalQuestion>"
)
DAY = 86400


def _publish(
    mock: MTurkMock, items: int, count: int = 1, requirements: list[dict[str, Any]] | None = None, lifetime: int = DAY
) -> list[Any]:
    """``items`` HITs through the model's own workflow (the checks, indexes and holds of CreateHIT)."""
    with mock.world.session(SANDBOX) as (market, now):
        hit_type = workflow.register_type(
            market,
            OWNER,
            title="Label",
            description="benchmark",
            reward="0.25",
            assignment_duration=600,
            auto_approval_delay=None,
            keywords=None,
            requirements=requirements,
        )
        return [
            workflow.create_hit(
                market,
                OWNER,
                now,
                hit_type,
                lifetime=lifetime,
                max_assignments=count,
                question=QUESTION,
                layout_id=None,
                layout_parameters=None,
                annotation=None,
                token=None,
            )
            for _ in range(items)
        ]


def _hits(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    _publish(mock, items)
    return {}


def _required_hits(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    type_id = _create_type(client, "required")
    _publish(mock, items, requirements=[{"QualificationTypeId": type_id, "Comparator": "Exists"}])
    return {"QualificationTypeId": type_id}


def _reviewable_hits(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    _publish(mock, items, lifetime=30)
    mock.clock.advance(31)  # every HIT expires: the settle step moves them into the Reviewable index
    return {}


def _assignments(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    (hit,) = _publish(mock, 1, count=items)
    with mock.world.session(SANDBOX) as (market, now):
        for number in range(items):
            assignment = work.accept(market, _worker(number), hit.hit_id, now)
            work.submit(market, assignment, "<answers/>", {}, now)
    return {"HITId": hit.hit_id}


def _approved_assignments(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    """``items`` approved assignments with a submitted one after every ten, and the filter for Approved."""
    extra = items // 10
    (hit,) = _publish(mock, 1, count=items + extra)
    with mock.world.session(SANDBOX) as (market, now):
        for number in range(items + extra):
            assignment = work.accept(market, _worker(number), hit.hit_id, now)
            work.submit(market, assignment, "<answers/>", {}, now)
            if number % 11 != 10:
                decisions.approve(market, assignment, None, False, now)
    return {"HITId": hit.hit_id, "AssignmentStatuses": ["Approved"]}


def _bonus_payments(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    (hit,) = _publish(mock, 1)
    with mock.world.session(SANDBOX) as (market, now):
        assignment = work.accept(market, _worker(0), hit.hit_id, now)
        work.submit(market, assignment, "<answers/>", {}, now)
        for number in range(items):  # distinct reasons tell the payments apart on the wire
            market.bonuses.record(
                assignment.worker_id,
                Decimal("0.10"),
                assignment.assignment_id,
                hit.hit_id,
                OWNER,
                f"bonus {number}",
                now,
            )
    return {"HITId": hit.hit_id}


def _worker_blocks(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    with mock.world.session(SANDBOX) as (market, _now):
        for number in range(min(items, MAX_BLOCKS)):  # the service's limit per requester
            market.blocks.block(OWNER, _worker(number), "benchmark")
    return {}


def _review_entries(mock: MTurkMock, client: Any, items: int) -> dict[str, Any]:
    policy = {
        "PolicyName": "ScoreMyKnownAnswers/2011-09-01",
        "Parameters": [{"Key": "AnswerKey", "MapEntries": [{"Key": "label", "Values": ["cat"]}]}],
    }
    hit_id = client.create_hit(
        Title="Label",
        Description="benchmark",
        Reward="0.25",
        AssignmentDurationInSeconds=600,
        LifetimeInSeconds=DAY,
        Question=QUESTION,
        AssignmentReviewPolicy=policy,
    )["HIT"]["HITId"]
    with mock.world.session(SANDBOX) as (market, _now):
        for number in range(items):
            market.reviews.add(
                hit_id,
                ReviewEntry(
                    market.reviews.next_serial(),
                    ASSIGNMENT_LEVEL,
                    RESULT,
                    f"3ASSIGNMENT{number:019d}",
                    "Assignment",
                    "KnownAnswerScore",
                    "100",
                ),
            )
    return {"HITId": hit_id, "RetrieveResults": True}


def _hit_id(hit: Any) -> str:
    return str(hit.hit_id)


def _wire_hit_id(wire: dict[str, Any]) -> str:
    return str(wire["HITId"])


def _type_name(qual: Any) -> str:
    return str(qual.name)


def _wire_type_name(wire: dict[str, Any]) -> str:
    return str(wire["Name"])


def _worker_of(grant_or_request: Any) -> str:
    return str(grant_or_request.worker_id)


def _wire_worker(wire: dict[str, Any]) -> str:
    return str(wire["WorkerId"])


LISTINGS: tuple[Listing, ...] = (
    Listing(
        "ListWorkersWithQualificationType",
        "",
        _grants,
        lambda market, request: market.grants.listing(request["QualificationTypeId"], "Granted"),
        _worker_of,
        _wire_worker,
    ),
    Listing(
        "ListQualificationTypes",
        "(MustBeRequestable=False)",
        lambda mock, client, items: {**_types(mock, client, items), "MustBeRequestable": False},
        lambda market, request: market.qualification_types.listing,
        _type_name,
        _wire_type_name,
    ),
    Listing(
        "ListQualificationTypes",
        "(MustBeRequestable=True)",
        lambda mock, client, items: {**_types(mock, client, items), "MustBeRequestable": True},
        lambda market, request: market.qualification_types.requestable,
        _type_name,
        _wire_type_name,
    ),
    Listing(
        "ListQualificationTypes",
        "(MustBeOwnedByCaller=True)",
        lambda mock, client, items: {
            **_types(mock, client, items),
            "MustBeRequestable": True,
            "MustBeOwnedByCaller": True,
        },
        lambda market, request: market.qualification_types.owned[OWNER],
        _type_name,
        _wire_type_name,
    ),
    Listing(
        "ListQualificationRequests",
        "",
        lambda mock, client, items: _requests(mock, client, items) and {},  # every pending request of the owner
        lambda market, request: market.requests.pending_by_owner[OWNER],
        _worker_of,
        _wire_worker,
    ),
    Listing(
        "ListQualificationRequests",
        "(QualificationTypeId=...)",
        _requests,
        lambda market, request: market.requests.pending_by_type[request["QualificationTypeId"]],
        _worker_of,
        _wire_worker,
    ),
    Listing("ListHITs", "", _hits, lambda market, request: market.hits.of_owner(OWNER), _hit_id, _wire_hit_id),
    Listing(
        "ListHITsForQualificationType",
        "",
        _required_hits,
        lambda market, request: market.hits.requiring(OWNER, request["QualificationTypeId"]),
        _hit_id,
        _wire_hit_id,
    ),
    Listing(
        "ListReviewableHITs",
        "",
        _reviewable_hits,
        lambda market, request: market.hits.in_review(OWNER, "Reviewable", None),
        _hit_id,
        _wire_hit_id,
    ),
    Listing(
        "ListAssignmentsForHIT",
        "",
        _assignments,
        lambda market, request: market.assignments.listing(request["HITId"]),
        lambda assignment: str(assignment.assignment_id),
        lambda wire: str(wire["AssignmentId"]),
    ),
    Listing(
        "ListAssignmentsForHIT",
        "(Approved, 1 in 11 not)",
        _approved_assignments,
        lambda market, request: market.assignments.listing(request["HITId"], frozenset(request["AssignmentStatuses"])),
        lambda assignment: str(assignment.assignment_id),
        lambda wire: str(wire["AssignmentId"]),
    ),
    Listing(
        "ListBonusPayments",
        "(HITId=...)",
        _bonus_payments,
        lambda market, request: market.bonuses.for_hit(request["HITId"]),
        lambda payment: str(payment.reason),
        lambda wire: str(wire["Reason"]),
    ),
    Listing(
        "ListWorkerBlocks",
        f"(at most {MAX_BLOCKS:,} a requester)",
        _worker_blocks,
        lambda market, request: market.blocks.listing(OWNER),
        lambda key: str(key[1]),
        _wire_worker,
    ),
    Listing(
        "ListReviewPolicyResultsForHIT",
        "(RetrieveResults)",
        _review_entries,
        lambda market, request: market.reviews.listing(request["HITId"]),
        lambda entry: str(entry.subject_id),
        lambda wire: str(wire["SubjectId"]),
        lambda response: response["AssignmentReviewReport"]["ReviewResults"],  # type: ignore[no-any-return]
    ),
)


def _rss_bytes() -> int:
    """Resident memory of this process (Linux), allocator overhead included."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def token_at(mock: MTurkMock, operation: str, request: dict[str, Any], index: SortedIndex[Any], position: int) -> str:
    """The NextToken a walk would hold after ``position`` items: the service's own encoder, for the key of
    the item before that position, bound to the operation, requester, marketplace and filters."""
    _items, key = index.page(None, position)
    with mock.world.session(SANDBOX) as (market, now):
        ctx = RequestContext(mock.world, market, OWNER, now)
        filters = pagination.Request(request).filters()
        return pagination._encode_token(ctx, operation, filters, key)


def _per_call_us(call: Callable[[], object], calls: int) -> float:
    """CPU time of this process per call: what a page costs, without the waits of a busy machine."""
    start = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - start) / calls * 1e6


def measure(listing: Listing, items: int, deep: int, page: int, calls: int, rounds: int) -> dict[str, Any]:
    mock = MTurkMock(state=World(seed=1), record_calls=False)
    client = make_client()
    gc.collect()
    before = _rss_bytes()
    start = time.perf_counter()
    with mock:
        request = listing.build(mock, client, items)
    build_seconds = time.perf_counter() - start
    gc.collect()
    resident = _rss_bytes() - before
    market = mock.world.marketplace(SANDBOX)
    index = listing.index(market, request)
    size = len(index)
    method = getattr(client, botocore.xform_name(listing.operation))
    result_key = OPERATIONS[listing.operation].pagination.result_key  # type: ignore[union-attr]
    wire_items = listing.wire_items or (lambda response: response[result_key])  # type: ignore[no-any-return]

    def page_at(position: int) -> Callable[[], dict[str, Any]]:
        """A call for the page that starts at ``position`` (0: the first page, without a token), checked."""
        members = dict(request, MaxResults=page)
        if position:
            members["NextToken"] = token_at(mock, listing.operation, request, index, position)
        expected = [listing.item(value) for value in index.page(index.page(None, position)[1], page)[0]]
        with mock:
            listed = [listing.wire_item(item) for item in wire_items(method(**members))]
        assert listed == expected, f"the page at {position} does not start there"
        return lambda: method(**members)  # type: ignore[no-any-return]

    calls_at = {"first": page_at(0), "second": page_at(page), "deep": page_at(deep)}
    timings: dict[str, list[float]] = {name: [] for name in calls_at}
    with mock:
        for _ in range(rounds):
            for name, call in calls_at.items():
                timings[name].append(_per_call_us(call, calls))
    return {
        "label": listing.label,
        "size": size,
        "build_seconds": build_seconds,
        "bytes_per_item": resident / items,
        **{f"{name}_us": statistics.median(values) for name, values in timings.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--deep", type=int, default=900_000, help="the position the deep page starts at")
    parser.add_argument("--page", type=int, default=100, help="MaxResults of both pages")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="operations to measure (default: every paginated one)")
    parser.add_argument("--listing", type=int, help=argparse.SUPPRESS)  # internal: measure one, print JSON
    args = parser.parse_args()
    if args.deep >= args.items:
        parser.error("--deep must be below --items")
    if args.listing is not None:
        listing = LISTINGS[args.listing]
        print(json.dumps(measure(listing, args.items, args.deep, args.page, args.calls, args.rounds)))
        return

    paginated = sorted(name for name, operation in OPERATIONS.items() if operation.pagination is not None)
    missing = set(paginated) - {listing.operation for listing in LISTINGS}
    if missing:
        sys.exit(f"no listing to build for {sorted(missing)}: add one to LISTINGS")
    print(
        f"{args.items:,} items per listing; MaxResults={args.page}; CPU time per call through boto3 in-process, "
        f"median of {args.rounds} rounds x {args.calls} calls (microseconds); each listing built in a fresh process"
    )
    columns = ("first page", f"page at {args.page:,}", f"page at {args.deep:,}", "deep/first", "deep/2nd")
    print(f"  {'listing':<52} {'items':>9}" + "".join(f" {column:>15}" for column in columns) + "    build  memory")
    for number, listing in enumerate(LISTINGS):
        if args.only and listing.operation not in args.only:
            continue
        command = [sys.executable, __file__, "--listing", str(number)]
        for option in ("items", "deep", "page", "calls", "rounds"):
            command += [f"--{option}", str(getattr(args, option))]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"  {listing.label}: failed\n{done.stderr}", file=sys.stderr)
            continue
        row = json.loads(done.stdout.splitlines()[-1])
        first, second, deep = row["first_us"], row["second_us"], row["deep_us"]
        times = f"{first:>12.1f} us {second:>12.1f} us {deep:>12.1f} us {deep / first:>15.2f} {deep / second:>15.2f}"
        built = f"{row['build_seconds']:>6.1f} s {row['bytes_per_item']:>5.0f} B"
        print(f"  {row['label']:<52} {row['size']:>9,} {times} {built}", flush=True)
    print(
        "deep/2nd compares two pages that both carry a token (decoded and checked); memory: resident memory the "
        "build added per item (for grants: per grant, worker IDs included)"
    )


if __name__ == "__main__":
    main()

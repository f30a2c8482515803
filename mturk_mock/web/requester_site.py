"""The requester site's pages: HIT types and HITs with their status and counts, assignments with their
answers, qualification types with their workers and pending requests, worker blocks, the event log and
the call log. They read the model as the signed-in requester owns it; the buttons on them are
``requester_actions``."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from ..constants import DEFAULT_REQUESTER
from ..model.hits.hits import HIT
from ..model.marketplace import Marketplace
from ..model.qualifications.requests import PENDING
from ..service.registry import OPERATIONS
from .answer_view import answer_pairs
from .http import Response
from .site import Page, Refused, Route, iterate

LIMIT = 200  # rows a listing shows
EXAMPLE_QUESTION = """<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd">
  <Question>
    <QuestionIdentifier>colour</QuestionIdentifier>
    <DisplayName>Colour</DisplayName>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>What colour is the sky on a clear day?</Text></QuestionContent>
    <AnswerSpecification>
      <SelectionAnswer>
        <StyleSuggestion>radiobutton</StyleSuggestion>
        <Selections>
          <Selection><SelectionIdentifier>blue</SelectionIdentifier><Text>Blue</Text></Selection>
          <Selection><SelectionIdentifier>green</SelectionIdentifier><Text>Green</Text></Selection>
        </Selections>
      </SelectionAnswer>
    </AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>comment</QuestionIdentifier>
    <QuestionContent><Text>Anything else?</Text></QuestionContent>
    <AnswerSpecification>
      <FreeTextAnswer><Constraints><Length maxLength="200"/></Constraints></FreeTextAnswer>
    </AnswerSpecification>
  </Question>
</QuestionForm>"""


@dataclass(frozen=True)
class HITRow:
    hit_id: str
    hit_type_id: str
    title: str
    status: str
    max_assignments: int
    pending: int
    available: int
    submitted: int
    approved: int
    rejected: int
    created: float
    expiration: float
    reward: Decimal
    kind: str
    annotation: str | None

    @classmethod
    def of(cls, hit: HIT) -> HITRow:
        hit_type = hit.hit_type
        return cls(
            hit.hit_id,
            hit_type.type_id,
            hit_type.title,
            hit.status,
            hit.max_assignments,
            hit.pending,
            hit.available,
            hit.submitted,
            hit.approved,
            hit.rejected,
            hit.created,
            hit.expiration,
            hit_type.reward,
            hit.question_content().kind,
            hit.annotation,
        )


def known_requesters(page: Page, market: Marketplace) -> list[str]:
    """Everyone who owns something here or has called the mock, and the default requester."""
    found = {DEFAULT_REQUESTER, page.requester}
    found.update(hit_type.owner for hit_type in market.hit_types.by_id.values())
    found.update(qual.owner for qual in market.qualification_types.by_id.values() if qual.requestable)
    found.update(call.requester for call in page.handle.calls[-1000:])
    return sorted(found)


def overview(page: Page) -> Response:
    requester = page.requester
    with page.session_market() as (market, _now):
        ledger = market.ledger
        balance = ledger.balance(requester) if not ledger.fixed else Decimal("10000.00")
        held = ledger.held(requester) if not ledger.fixed else Decimal(0)
        counts: dict[str, int] = {}
        for hit in market.hits.of_owner(requester).values():
            counts[hit.status] = counts.get(hit.status, 0) + 1
        requesters = known_requesters(page, market)
    return page.render(
        "requester_home.html", section="requester", balance=balance, held=held, counts=counts, requesters=requesters
    )


def hits(page: Page) -> Response:
    requester = page.requester
    wanted_type = page.request.query.get("type") or None
    with page.session_market() as (market, _now):
        per_type: dict[str, int] = {}
        newest: deque[HIT] = deque(maxlen=LIMIT)  # rows are made for the HITs shown only
        for hit in market.hits.of_owner(requester).values():
            type_id = hit.hit_type.type_id
            per_type[type_id] = per_type.get(type_id, 0) + 1
            if wanted_type is None or type_id == wanted_type:
                newest.append(hit)
        shown = [HITRow.of(hit) for hit in reversed(newest)]
        count = per_type.get(wanted_type, 0) if wanted_type else sum(per_type.values())
        types = [
            {"type": hit_type, "hits": per_type.get(hit_type.type_id, 0), "requirements": hit_type.requirements.wire()}
            for hit_type in market.hit_types.by_id.values()
            if hit_type.owner == requester
        ]
    return page.render(
        "requester_hits.html", section="requester", hits=shown, count=count, types=types, wanted_type=wanted_type
    )


def new_hit(page: Page) -> Response:
    return page.render("requester_new_hit.html", section="requester", example=EXAMPLE_QUESTION)


def _assignment_row(assignment: Any) -> dict[str, Any]:
    return {
        "assignment": assignment,
        "answers": answer_pairs(assignment.answer),
        "work_time": (assignment.submit_time or assignment.accept_time) - assignment.accept_time,
    }


def hit_page(page: Page, hit_id: str) -> Response:
    requester = page.requester
    with page.session_market() as (market, _now):
        hit = market.hits.by_id.get(hit_id)
        if hit is None or hit.owner != requester:
            raise Refused(404, f"Requester {requester} has no HIT {hit_id}.")
        row = HITRow.of(hit)
        hit_type = hit.hit_type
        assignments = [_assignment_row(assignment) for assignment in market.assignments.listing(hit_id).values()]
        blocked = {
            item["assignment"].worker_id
            for item in assignments
            if market.blocks.is_blocked(requester, item["assignment"].worker_id)
        }
        question = hit.question
    return page.render(
        "requester_hit.html",
        section="requester",
        hit=row,
        hit_type=hit_type,
        question=question,
        assignments=assignments,
        blocked=blocked,
        bonuses="SendBonus" in OPERATIONS,
    )


def qualifications(page: Page) -> Response:
    requester = page.requester
    with page.session_market() as (market, _now):
        rows = []
        for qual in market.qualification_types.in_creation_order():
            if qual.owner != requester or not qual.requestable:
                continue
            granted = len(market.grants.listing(qual.type_id, "Granted"))
            pending = len(market.requests.pending_by_type.get(qual.type_id, ()))
            rows.append({"qual": qual, "granted": granted, "pending": pending})
    return page.render("requester_qualifications.html", section="requester", rows=rows)


def qualification(page: Page, type_id: str) -> Response:
    requester = page.requester
    with page.session_market() as (market, _now):
        qual = market.qualification_types.by_id.get(type_id)
        if qual is None or qual.owner != requester:
            raise Refused(404, f"Requester {requester} has no qualification type {type_id}.")
        grants, granted_count = iterate(market.grants.listing(type_id, "Granted").values(), LIMIT)
        revoked, _ = iterate(market.grants.listing(type_id, "Revoked").values(), LIMIT)
        pending_index = market.requests.pending_by_type.get(type_id)
        pending = [
            {"request": request, "answers": answer_pairs(request.answer)}
            for request in (pending_index.values() if pending_index is not None else ())
            if request.status == PENDING
        ]
    return page.render(
        "requester_qualification.html",
        section="requester",
        qual=qual,
        grants=grants,
        granted_count=granted_count,
        revoked=revoked,
        pending=pending,
    )


def blocks(page: Page) -> Response:
    requester = page.requester
    with page.session_market() as (market, _now):
        listed = [
            (worker_id, market.blocks.reasons[(owner, worker_id)])
            for owner, worker_id in market.blocks.listing(requester).values()
        ]
    return page.render("requester_blocks.html", section="requester", blocks=listed)


def events(page: Page) -> Response:
    requester = page.requester
    with page.session_market() as (market, _now):
        shown = list(islice((event for event in reversed(market.events.log) if event.owner == requester), LIMIT))
    calls = [call for call in reversed(page.handle.calls[-LIMIT:]) if call.marketplace == page.marketplace]
    outbox = page.handle.world.outbox
    with outbox.changed:  # read, never sent from here: delivery is the server's, off the page's thread
        sent = [m for m in reversed(outbox.messages) if m.requester == requester and m.marketplace == page.marketplace]
    return page.render(
        "requester_events.html",
        section="requester",
        events=shown,
        limit=LIMIT,
        calls=calls[:100],
        notifications=sent[:100],
    )


_ID = r"(?P<{}>[A-Za-z0-9]+)"
ROUTES = [
    Route.of("GET", r"/requester/?", overview),
    Route.of("GET", r"/requester/hits/?", hits),
    Route.of("GET", r"/requester/hits/new", new_hit),
    Route.of("GET", rf"/requester/hits/{_ID.format('hit_id')}", hit_page),
    Route.of("GET", r"/requester/qualifications/?", qualifications),
    Route.of("GET", rf"/requester/qualifications/{_ID.format('type_id')}", qualification),
    Route.of("GET", r"/requester/blocks/?", blocks),
    Route.of("GET", r"/requester/events/?", events),
]

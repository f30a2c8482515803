"""Bonuses: money a requester pays a worker for an assignment beyond its reward (spec H§5, H§8.17-8.18).

A bonus goes only to the worker who did a visible (Submitted, Approved or Rejected) assignment of one of
the requester's HITs, Disposed HITs included; it costs the bonus plus MTurk's fee, taken at once from the
available balance. Payments are never removed: they stay listed after the HIT is deleted. The store
indexes them per HIT and per assignment in GrantTime order, for ListBonusPayments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import errors
from ..index import SortedIndex
from ..money import bonus_fee, parse_amount
from .assignments import Assignment

if TYPE_CHECKING:
    from ..marketplace import Marketplace

BONUS_TOKENS = "SendBonus"


@dataclass(slots=True, eq=False)
class BonusPayment:
    worker_id: str
    amount: Decimal
    assignment_id: str
    hit_id: str
    requester: str
    reason: str
    grant_time: float
    serial: int
    cache: Any = field(default=None, repr=False)

    @property
    def key(self) -> tuple[float, int]:
        """Its key in ListBonusPayments order: GrantTime, then the order of payment."""
        return (self.grant_time, self.serial)


_NO_PAYMENTS: SortedIndex[BonusPayment] = SortedIndex()


def _index(indexes: dict[str, SortedIndex[BonusPayment]], key: str) -> SortedIndex[BonusPayment]:
    index = indexes.get(key)
    if index is None:
        index = indexes[key] = SortedIndex()
    return index


class Bonuses:
    """Every bonus paid in one marketplace."""

    def __init__(self) -> None:
        self.payments: list[BonusPayment] = []  # in the order they were paid
        self.of_hit: dict[str, SortedIndex[BonusPayment]] = {}
        self.of_assignment: dict[str, SortedIndex[BonusPayment]] = {}

    def for_hit(self, hit_id: str) -> SortedIndex[BonusPayment]:
        return self.of_hit.get(hit_id, _NO_PAYMENTS)

    def for_assignment(self, assignment_id: str) -> SortedIndex[BonusPayment]:
        return self.of_assignment.get(assignment_id, _NO_PAYMENTS)

    def record(
        self, worker_id: str, amount: Decimal, assignment_id: str, hit_id: str, requester: str, reason: str, at: float
    ) -> BonusPayment:
        # Payments are never removed, so the serial (the tie-break of equal GrantTimes) is the position.
        payment = BonusPayment(worker_id, amount, assignment_id, hit_id, requester, reason, at, len(self.payments) + 1)
        self.payments.append(payment)
        key = payment.key
        _index(self.of_hit, hit_id).insert(key, payment)
        _index(self.of_assignment, assignment_id).insert(key, payment)
        return payment

    def to_data(self) -> list[list[Any]]:
        return [
            [p.worker_id, str(p.amount), p.assignment_id, p.hit_id, p.requester, p.reason, p.grant_time]
            for p in self.payments
        ]

    def load_data(self, data: list[list[Any]]) -> None:
        for worker_id, amount, assignment_id, hit_id, requester, reason, grant_time in data:
            self.record(worker_id, Decimal(amount), assignment_id, hit_id, requester, reason, grant_time)


def send_bonus(
    market: Marketplace,
    requester: str,
    worker_id: str,
    amount_text: str,
    assignment_id: str,
    reason: str,
    token: str | None,
    now: float,
) -> BonusPayment:
    """SendBonus (spec H§8.17). Order of checks: the parameters, the token, the assignment and its
    worker, the funds; a refused call changes nothing and does not use its token."""
    market.workers.check(worker_id)
    amount = parse_amount(amount_text, "BonusAmount")
    if not reason:  # [I] the Worker sees the reason: it must say something
        raise errors.invalid_value("Reason", reason, "Reason is empty: the worker sees it")
    if token is not None and market.tokens.find(BONUS_TOKENS, requester, token) is not None:
        raise errors.DUPLICATE_REQUEST(token=token)
    assignment: Assignment = market.assignments.visible(assignment_id, requester)
    if assignment.worker_id != worker_id:  # [I] only the worker who did it (boto3#2355)
        detail = f"assignment {assignment_id} was done by {assignment.worker_id}, not {worker_id}"
        raise errors.invalid_value("WorkerId", worker_id, detail)
    market.ledger.charge(requester, amount + bonus_fee(amount))  # E-FUNDS in production
    payment = market.bonuses.record(worker_id, amount, assignment_id, assignment.hit.hit_id, requester, reason, now)
    if token is not None:
        market.tokens.remember(BONUS_TOKENS, requester, token, assignment_id, now)
    return payment

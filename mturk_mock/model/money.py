"""Money: US-dollar amounts as Decimal, the service's rules for them, fees, and each requester's balance.

Amounts travel as strings (``"0.50"``, pattern ``^[0-9]+(\\.)?[0-9]{0,2}$``) and are Decimal everywhere
inside, never float. The sandbox balance is always $10000.00 whatever happens (spec H§5.4); production
balances start at the world's ``production_balance`` and move as spec H§5.3 says.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import errors

CENT = Decimal("0.01")
SANDBOX_BALANCE = Decimal("10000.00")  # "This amount is always $10000.00"
_AMOUNT = re.compile(r"[0-9]+\.?[0-9]{0,2}").fullmatch
MINIMUM_AMOUNT = CENT  # [I] spec H§5.1: rewards and bonuses of $0.00 are refused
MAXIMUM_DIGITS = 20


def to_amount(value: str | Decimal | int) -> Decimal:
    """A Decimal amount from a string, Decimal or int (ValueError for anything else or a negative amount)."""
    if isinstance(value, bool) or not isinstance(value, (str, Decimal, int)):
        raise ValueError(f"an amount must be a string, Decimal or int, not {type(value).__name__}")
    try:
        amount = Decimal(value).quantize(CENT, ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount of money") from None
    if amount < 0 or not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount of money")
    return amount


def parse_amount(text: str, parameter: str) -> Decimal:
    """A CurrencyAmount request member: the pattern and the $0.01 minimum, else ParameterValidationError."""
    if not _AMOUNT(text) or len(text) > MAXIMUM_DIGITS:  # longer amounts than Decimal's precision are nonsense
        detail = f"{parameter} must be dollars with at most two decimals, like 0.25"
        raise errors.invalid_value(parameter, text, detail)
    amount = Decimal(text).quantize(CENT)
    if amount < MINIMUM_AMOUNT:
        raise errors.invalid_value(parameter, text, f"{parameter} must be at least {MINIMUM_AMOUNT}")
    return amount


def format_amount(amount: Decimal) -> str:
    """As the service writes amounts: two decimals, no sign, no grouping ("10000.00")."""
    return f"{amount.quantize(CENT, ROUND_HALF_UP):f}"


def round_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def reward_fee(reward: Decimal, max_assignments: int, masters: bool) -> Decimal:
    """MTurk's commission on one approved assignment (spec H§5.2): 20 %, +20 % for HITs with 10 or more
    assignments, +5 % when a requirement names Masters; at least $0.01."""
    rate = Decimal("0.20") + (Decimal("0.20") if max_assignments >= 10 else 0) + (Decimal("0.05") if masters else 0)
    return max(CENT, round_cents(reward * rate))


def bonus_fee(bonus: Decimal) -> Decimal:
    return max(CENT, round_cents(bonus * Decimal("0.20")))


class Ledger:
    """The balances of one marketplace's requesters. In the sandbox nothing moves the available balance
    (it is always $10000.00) but every charge is still recorded in ``spent``, so tests can assert on money."""

    __slots__ = ("fixed", "starting", "available", "on_hold", "spent")

    def __init__(self, starting: Decimal, fixed: bool) -> None:
        self.fixed = fixed  # the sandbox
        self.starting = starting
        self.available: dict[str, Decimal] = {}
        self.on_hold: dict[str, Decimal] = {}
        self.spent: dict[str, Decimal] = {}

    def balance(self, requester: str) -> Decimal:
        if self.fixed:
            return SANDBOX_BALANCE
        return self.available.get(requester, self.starting)

    def held(self, requester: str) -> Decimal:
        return self.on_hold.get(requester, Decimal(0))

    def set_balance(self, requester: str, amount: str | Decimal | int) -> None:
        self.available[requester] = to_amount(amount)

    # -- movements (spec H§5.3); in the sandbox they are recorded but never refused -----------------------
    def _check_funds(self, requester: str, amount: Decimal) -> None:
        if not self.fixed and amount > self.available.get(requester, self.starting):
            raise errors.INSUFFICIENT_FUNDS()

    def _add(self, book: dict[str, Decimal], requester: str, amount: Decimal, start: Decimal) -> None:
        book[requester] = book.get(requester, start) + amount

    def hold(self, requester: str, amount: Decimal, check: bool = True) -> None:
        """Set money aside for assignments (E-FUNDS in production when the balance does not cover it,
        unless the caller has already taken the decision: ``check=False``)."""
        if amount:
            if check:
                self._check_funds(requester, amount)
            self._add(self.available, requester, -amount, self.starting)
            self._add(self.on_hold, requester, amount, Decimal(0))

    def release(self, requester: str, amount: Decimal) -> None:
        """Give held money back to the available balance."""
        if amount:
            self._add(self.on_hold, requester, -amount, Decimal(0))
            self._add(self.available, requester, amount, self.starting)

    def pay_held(self, requester: str, amount: Decimal) -> None:
        """Pay out held money (an approved assignment's reward and fee)."""
        self._add(self.on_hold, requester, -amount, Decimal(0))
        self._add(self.spent, requester, amount, Decimal(0))

    def charge(self, requester: str, amount: Decimal) -> None:
        """Pay at once from the available balance (a bonus, an override approval)."""
        self._check_funds(requester, amount)
        self._add(self.available, requester, -amount, self.starting)
        self._add(self.spent, requester, amount, Decimal(0))

    def paid(self, requester: str) -> Decimal:
        return self.spent.get(requester, Decimal(0))

    # ``market.balances[requester] = "12.34"`` (documented in the README) reads and writes balances.
    def __setitem__(self, requester: str, amount: str | Decimal | int) -> None:
        self.set_balance(requester, amount)

    def __getitem__(self, requester: str) -> Decimal:
        return self.balance(requester)

    def to_data(self) -> dict[str, dict[str, str]]:
        return {
            name: {requester: str(amount) for requester, amount in amounts.items()}
            for name, amounts in (("available", self.available), ("on_hold", self.on_hold), ("spent", self.spent))
        }

    def load_data(self, data: dict[str, dict[str, str]]) -> None:
        for name, amounts in (("available", self.available), ("on_hold", self.on_hold), ("spent", self.spent)):
            amounts.update({requester: Decimal(amount) for requester, amount in data.get(name, {}).items()})

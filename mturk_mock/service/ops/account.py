"""GetAccountBalance (spec Q§6.1, H§5)."""

from __future__ import annotations

from typing import Any

from ...model.money import SANDBOX_BALANCE, format_amount
from ..context import RequestContext
from ..render import Rendered

SANDBOX_ANSWER = Rendered({"AvailableBalance": format_amount(SANDBOX_BALANCE)})  # the same for everybody


def get_account_balance(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """AvailableBalance, and OnHoldBalance while money is held for open assignments (spec H§5.3)."""
    ledger = ctx.market.ledger
    if ledger.fixed:  # the sandbox: always $10000.00, nothing held
        return SANDBOX_ANSWER
    answer = {"AvailableBalance": format_amount(ledger.balance(ctx.requester))}
    held = ledger.held(ctx.requester)
    if held:
        answer["OnHoldBalance"] = format_amount(held)
    return answer

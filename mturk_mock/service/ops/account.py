"""GetAccountBalance (spec Q§6.1, H§5)."""

from __future__ import annotations

from typing import Any

from ...model.money import format_amount
from ..context import RequestContext


def get_account_balance(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    ledger = ctx.market.ledger
    answer = {"AvailableBalance": format_amount(ledger.balance(ctx.requester))}
    held = ledger.held(ctx.requester)
    if held:
        answer["OnHoldBalance"] = format_amount(held)
    return answer

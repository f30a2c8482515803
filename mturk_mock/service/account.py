"""GetAccountBalance."""

from __future__ import annotations

from .dispatcher import Call, operation


@operation("GetAccountBalance")
def get_account_balance(call: Call, request: dict) -> dict:
    return {"AvailableBalance": call.market.balance(call.requester)}

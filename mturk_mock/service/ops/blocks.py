"""CreateWorkerBlock, DeleteWorkerBlock, ListWorkerBlocks (spec H§4.5, H§8.19-8.21)."""

from __future__ import annotations

from typing import Any

from ...model import errors
from ...model.workers import WORKER_ID
from ..context import RequestContext
from ..pagination import Listing


def create(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """Blocks the worker from the caller's HITs; blocking again gives the block the new reason [I]."""
    worker_id = request["WorkerId"]
    ctx.market.workers.check(worker_id)
    ctx.market.blocks.block(ctx.requester, worker_id, request["Reason"])
    return {}


def delete(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """Unblocks; succeeds if the worker was not blocked. An invalid ID answers the documented
    ``WorkerId is invalid.``"""
    worker_id = request["WorkerId"]
    if not WORKER_ID(worker_id) or not ctx.market.workers.is_known(worker_id):
        detail = (
            f"{worker_id!r} is not a worker ID" if not WORKER_ID(worker_id) else f"{worker_id} is not a known worker"
        )
        raise errors.WORKER_ID_INVALID(parameter="WorkerId", detail=detail)
    ctx.market.blocks.unblock(ctx.requester, worker_id)
    return {}


def _block_wire(key: tuple[str, str], reasons: dict[tuple[str, str], str]) -> dict[str, Any]:
    reason = reasons[key]
    return {"WorkerId": key[1], "Reason": reason} if reason else {"WorkerId": key[1]}


def list_blocks(ctx: RequestContext, request: dict[str, Any]) -> Listing[tuple[str, str]]:
    """The caller's blocks in the order they were made; Reason omitted when empty [I]."""
    reasons = ctx.market.blocks.reasons
    return Listing(ctx.market.blocks.listing(ctx.requester), lambda key: _block_wire(key, reasons))

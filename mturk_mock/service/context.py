"""What a handler knows about a request besides its members."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.marketplace import Marketplace
from ..model.world import World


@dataclass(slots=True)
class RequestContext:
    world: World
    market: Marketplace
    requester: str
    now: float

"""Read-only views of the model for test authors, from the handle (``mturk.hits()``): plain frozen
dataclasses, detached from the model, so looking never changes anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .model.hits.hits import HIT


def _datetime(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


@dataclass(frozen=True)
class HITView:
    hit_id: str
    hit_type_id: str
    hit_group_id: str
    requester: str
    marketplace: str
    status: str
    title: str
    description: str
    reward: Decimal
    keywords: str | None
    max_assignments: int
    pending: int
    available: int
    submitted: int
    completed: int
    creation_time: dt.datetime
    expiration: dt.datetime
    assignment_duration: int
    auto_approval_delay: int
    question: str
    layout_id: str | None
    annotation: str | None
    requirements: tuple[dict[str, Any], ...]
    money_held: Decimal

    @classmethod
    def of(cls, hit: HIT, marketplace: str) -> HITView:
        hit_type = hit.hit_type
        return cls(
            hit.hit_id,
            hit_type.type_id,
            hit_type.group_id,
            hit.owner,
            marketplace,
            hit.status,
            hit_type.title,
            hit_type.description,
            hit_type.reward,
            hit_type.keywords,
            hit.max_assignments,
            hit.pending,
            hit.available,
            hit.submitted,
            hit.completed,
            _datetime(hit.created),
            _datetime(hit.expiration),
            hit_type.assignment_duration,
            hit_type.auto_approval_delay,
            hit.question,
            hit.layout_id,
            hit.annotation,
            tuple(hit_type.requirements.wire()),
            hit.held,
        )

"""HIT types: the properties HITs share, registered or found by identity (spec H§1.1, H§8.1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .. import errors
from ..notifications import NotificationSpec, restore_specification
from ..qualifications.requirements import Requirements, restore_requirements

DEFAULT_AUTO_APPROVAL = 2_592_000  # 30 days
TITLE_LIMIT, DESCRIPTION_LIMIT, KEYWORDS_LIMIT = 128, 2000, 1000
DURATION_RANGE = (30, 31_536_000)
AUTO_APPROVAL_RANGE = (0, 2_592_000)


@dataclass(slots=True, eq=False)
class HITType:
    type_id: str
    group_id: str
    owner: str
    title: str
    description: str
    reward: Decimal
    assignment_duration: int
    auto_approval_delay: int
    keywords: str | None
    requirements: Requirements
    disposed: bool = False
    notification: NotificationSpec | None = None  # the notification specification (spec H§6)
    notification_active: bool = False  # only with a specification

    def identity(self) -> tuple[Any, ...]:
        """What makes two registrations the same type (spec H§1.1) [I]: every property, requirements in order."""
        return (
            self.owner,
            self.title,
            self.description,
            self.reward,
            self.assignment_duration,
            self.auto_approval_delay,
            self.keywords,
            self.requirements.canonical,
        )


def check_range(parameter: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise errors.out_of_range(parameter, value, low, high)


def check_text(parameter: str, value: str, limit: int, required: bool = True) -> None:
    if required and not value.strip():
        raise errors.invalid_value(parameter, value, f"{parameter} is blank")
    if len(value) > limit:
        raise errors.invalid_value(parameter, value, f"{parameter} is {len(value)} characters; the limit is {limit}")


def check_properties(
    title: str, description: str, keywords: str | None, assignment_duration: int, auto_approval_delay: int
) -> None:
    check_text("Title", title, TITLE_LIMIT)
    check_text("Description", description, DESCRIPTION_LIMIT)
    if keywords is not None:
        check_text("Keywords", keywords, KEYWORDS_LIMIT, required=False)
    check_range("AssignmentDurationInSeconds", assignment_duration, *DURATION_RANGE)
    check_range("AutoApprovalDelayInSeconds", auto_approval_delay, *AUTO_APPROVAL_RANGE)


_STORED = (
    "type_id",
    "group_id",
    "owner",
    "title",
    "description",
    "assignment_duration",
    "auto_approval_delay",
    "keywords",
    "disposed",
    "notification_active",
)


class HITTypes:
    """The HIT types of one marketplace."""

    def __init__(self) -> None:
        self.by_id: dict[str, HITType] = {}
        self.by_identity: dict[tuple[Any, ...], HITType] = {}
        self.by_qualification: dict[str, list[HITType]] = {}  # qualification type -> HIT types naming it
        # The type each exact set of request values registered (CreateHITType, CreateHIT): a repeated
        # registration skips the checks and parsing it passed before. Rebuilt as calls come, never saved.
        self.resolved: dict[tuple[Any, ...], HITType] = {}

    def register(self, candidate: HITType) -> HITType:
        """The live type with the same properties, or ``candidate`` registered as a new one."""
        found = self.by_identity.get(candidate.identity())
        if found is not None:
            return found
        self._add(candidate)
        return candidate

    def _add(self, hit_type: HITType) -> None:
        self.by_id[hit_type.type_id] = hit_type
        if not hit_type.disposed:
            self.by_identity[hit_type.identity()] = hit_type
        for requirement in hit_type.requirements.parsed:
            self.by_qualification.setdefault(requirement.type_id, []).append(hit_type)

    def owned(self, type_id: str, requester: str) -> HITType:
        """A live type of ``requester``; [I] unknown, foreign and disposed types do not exist for the caller."""
        hit_type = self.by_id.get(type_id)
        if hit_type is None or hit_type.owner != requester or hit_type.disposed:
            raise errors.HIT_TYPE_NOT_FOUND(hit_type_id=type_id)
        return hit_type

    @staticmethod
    def set_notification(hit_type: HITType, spec: NotificationSpec | None, active: bool | None) -> None:
        """UpdateNotificationSettings (spec H§8.23): a given specification replaces the type's (active unless
        ``active`` says otherwise); ``active`` alone switches the existing one (E-PVE without one)."""
        if spec is None and hit_type.notification is None:
            raise errors.invalid_value("Active", active, "Active alone needs a Notification set before on the HIT type")
        if spec is not None:
            hit_type.notification = spec
        hit_type.notification_active = True if active is None else active

    def dispose_naming(self, qualification_type_id: str) -> None:
        """A deleted qualification type disposes the HIT types that require it (spec Q§1.5); their HITs stay."""
        for hit_type in self.by_qualification.get(qualification_type_id, ()):
            if not hit_type.disposed:
                hit_type.disposed = True
                del self.by_identity[hit_type.identity()]

    # -- snapshot -----------------------------------------------------------------------------
    def to_data(self) -> list[dict[str, Any]]:
        return [
            {
                **{name: getattr(hit_type, name) for name in _STORED},
                "reward": str(hit_type.reward),
                "requirements": list(hit_type.requirements.echo),
                "notification": None if hit_type.notification is None else hit_type.notification.to_data(),
            }
            for hit_type in self.by_id.values()
        ]

    def load_data(self, data: list[dict[str, Any]]) -> None:
        for stored in data:
            fields = {name: stored[name] for name in _STORED}
            self._add(
                HITType(
                    **fields,
                    reward=Decimal(stored["reward"]),
                    requirements=restore_requirements(stored["requirements"]),
                    notification=restore_specification(stored.get("notification")),
                )
            )

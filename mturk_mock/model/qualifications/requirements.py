"""QualificationRequirements on HITs and HIT types: shape rules, the types they may name, how they are
echoed, and (for the simulated workers) whether a worker meets them (spec Q§3, H§4).

Order of checks (spec H§8.1): the shape of every requirement first (values of the right kind and number
for its comparator), then the types they name. Errors with observed texts are reproduced verbatim
(LocaleValue with EqualTo, LocaleValues on another type); other shape violations are
ParameterValidationError on QualificationRequirements [I].

Echo [O Dallinger#2438]: a requirement comes back exactly as given, in the order given, except that one
sent with RequiredToPreview and no ActionsGuarded also carries the ActionsGuarded it stands for.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from .types import ACTIVE, MASTERS_IDS, SYSTEM_IDS, QualificationTypes

MAX_REQUIREMENTS = 10
LOCALE_TYPE = SYSTEM_IDS["Worker_Locale"]
ORDERING = frozenset({"LessThan", "LessThanOrEqualTo", "GreaterThan", "GreaterThanOrEqualTo"})
EQUALITY = frozenset({"EqualTo", "NotEqualTo"})
MEMBERSHIP = frozenset({"In", "NotIn"})
PRESENCE = frozenset({"Exists", "DoesNotExist"})
MAX_INTEGERS, MAX_LOCALES = 15, 30
ACCEPT, PREVIEW, DISCOVER = "Accept", "PreviewAndAccept", "DiscoverPreviewAndAccept"
_LETTERS = re.compile(r"[A-Z]{2}").fullmatch

Locale = tuple[str, str | None]  # (Country, Subdivision)


@dataclass(frozen=True, slots=True)
class Requirement:
    type_id: str
    comparator: str
    integer_values: tuple[int, ...]
    locale_values: tuple[Locale, ...]
    guards: str  # the actions it guards: Accept, PreviewAndAccept or DiscoverPreviewAndAccept

    def met_by(self, value: int | None, locale: Locale | None = None) -> bool:
        """Whether a worker whose Granted value of the type is ``value`` (None: not held) meets it.
        Workers who do not hold the type fail every comparator but DoesNotExist (spec H§4.3) [I]."""
        comparator = self.comparator
        if comparator == "DoesNotExist":
            return value is None and locale is None
        if value is None and locale is None:
            return False
        if comparator == "Exists":
            return True
        if self.locale_values:
            if locale is None:
                return False
            matched = any(_locale_matches(wanted, locale) for wanted in self.locale_values)
            return matched if comparator in ("EqualTo", "In") else not matched
        if value is None:
            return False
        if comparator == "In":
            return value in self.integer_values
        if comparator == "NotIn":
            return value not in self.integer_values
        return bool(_COMPARE[comparator](value, self.integer_values[0]))

    def guards_action(self, action: str) -> bool:
        """Whether the requirement applies to ``action`` (Discover, Preview or Accept)."""
        if action == "Accept":
            return True
        if action == "Preview":
            return self.guards in (PREVIEW, DISCOVER)
        return self.guards == DISCOVER


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "LessThan": operator.lt,
    "LessThanOrEqualTo": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanOrEqualTo": operator.ge,
    "EqualTo": operator.eq,
    "NotEqualTo": operator.ne,
}


def _locale_matches(wanted: Locale, held: Locale) -> bool:
    """A requirement without Subdivision matches every subdivision of its country (spec Q§3.2)."""
    return wanted[0] == held[0] and (wanted[1] is None or wanted[1] == held[1])


@dataclass(frozen=True, slots=True)
class Requirements:
    """Validated requirements, their echo on the wire, and the canonical text HIT types compare."""

    parsed: tuple[Requirement, ...]
    echo: tuple[dict[str, Any], ...]
    canonical: str
    # Derived once: HITs index and check them on every change.
    type_ids: tuple[str, ...] = field(init=False)  # each required type once, in order
    names_masters: bool = field(init=False)

    def __post_init__(self) -> None:
        type_ids = tuple(dict.fromkeys(requirement.type_id for requirement in self.parsed))
        object.__setattr__(self, "type_ids", type_ids)
        object.__setattr__(self, "names_masters", any(type_id in MASTERS_IDS.values() for type_id in type_ids))

    def wire(self) -> list[dict[str, Any]]:
        return [dict(item) for item in self.echo]


NONE = Requirements((), (), "[]")


def _shape_error(value: object, detail: str) -> errors.MTurkError:
    return errors.invalid_value("QualificationRequirements", value, detail)


def _locale_text(locales: Sequence[dict[str, Any]]) -> str:
    return ",".join(str(locale.get("Country")) for locale in locales)


def _check_shape(raw: dict[str, Any]) -> Requirement:
    type_id, comparator = raw["QualificationTypeId"], raw["Comparator"]
    integers: list[int] = raw.get("IntegerValues") or []
    locales: list[dict[str, Any]] = raw.get("LocaleValues") or []
    if locales and (type_id != LOCALE_TYPE or comparator in ORDERING or comparator in PRESENCE):
        detail = (
            f"LocaleValues go only with Worker_Locale ({LOCALE_TYPE})"
            if type_id != LOCALE_TYPE
            else f"the {comparator} comparator takes no LocaleValues"
        )
        raise errors.LOCALE_VALUE(
            parameter="LocaleValue", value=_locale_text(locales), comparator=comparator, detail=detail
        )
    if locales and comparator in EQUALITY and len(locales) > 1:
        detail = f"the {comparator} comparator takes one LocaleValue, not {len(locales)}; use In or NotIn"
        raise errors.LOCALE_VALUE(
            parameter="LocaleValue", value=_locale_text(locales), comparator=comparator, detail=detail
        )
    if integers and (type_id == LOCALE_TYPE or comparator in PRESENCE or locales):
        which = "Worker_Locale takes LocaleValues" if type_id == LOCALE_TYPE else f"{comparator} takes no values"
        raise _shape_error(raw, f"IntegerValues not allowed here: {which}")
    if comparator in PRESENCE:
        pass
    elif comparator in ORDERING or comparator in EQUALITY:
        if len(integers) != 1 and len(locales) != 1:
            raise _shape_error(raw, f"the {comparator} comparator takes exactly one value")
    elif not (1 <= len(integers) <= MAX_INTEGERS or 1 <= len(locales) <= MAX_LOCALES):
        detail = (
            f"the {comparator} comparator takes 1 to {MAX_INTEGERS} IntegerValues or 1 to {MAX_LOCALES} LocaleValues"
        )
        raise _shape_error(raw, detail)
    parsed_locales: list[Locale] = []
    for locale in locales:
        country, subdivision = locale["Country"], locale.get("Subdivision")
        if not _LETTERS(country) or (subdivision is not None and (country != "US" or not _LETTERS(subdivision))):
            detail = (
                f"Country {country!r} is not two upper-case letters (ISO 3166-1)"
                if not _LETTERS(country)
                else "a Subdivision is two upper-case letters, and only in the US"
            )
            raise errors.invalid_value("LocaleValue", f"{country}{'-' + subdivision if subdivision else ''}", detail)
        parsed_locales.append((country, subdivision))
    preview = raw.get("RequiredToPreview")
    guards = raw.get("ActionsGuarded") or (PREVIEW if preview else ACCEPT)
    return Requirement(type_id, comparator, tuple(integers), tuple(parsed_locales), guards)


def _echo(raw: dict[str, Any]) -> dict[str, Any]:
    echo = {name: value for name, value in raw.items() if value is not None}
    if "RequiredToPreview" in echo and "ActionsGuarded" not in echo:
        echo["ActionsGuarded"] = PREVIEW if echo["RequiredToPreview"] else ACCEPT
    return echo


def check_type(type_id: str, types: QualificationTypes) -> None:
    """The type a requirement names must be a live, Active type of this marketplace (system types included)."""
    qual = types.by_id.get(type_id)
    if qual is not None:
        if qual.status != ACTIVE:
            raise errors.QUALIFICATION_TYPE_INACTIVE(type_id=type_id, status=qual.status)
        return
    if type_id in types.deleted:
        raise errors.QUALIFICATION_TYPE_INACTIVE(type_id=type_id, status="Disposed")
    raise errors.QUALIFICATION_TYPE_NOT_FOUND(type_id=type_id)


def check_requirement_types(requirements: Requirements, types: QualificationTypes) -> None:
    """After the shapes and the token: every type named must exist here and be Active (spec H§8.2)."""
    for requirement in requirements.parsed:
        check_type(requirement.type_id, types)


def parse_requirements(raw: list[dict[str, Any]] | None) -> Requirements:
    """Requirements of the right shape (ParameterValidationError otherwise); their types are checked by
    ``check_requirement_types``."""
    if not raw:
        return NONE
    if len(raw) > MAX_REQUIREMENTS:
        raise _shape_error(raw, f"{len(raw)} requirements; at most {MAX_REQUIREMENTS} are allowed")
    parsed = tuple(_check_shape(item) for item in raw)
    echo = tuple(_echo(item) for item in raw)
    return Requirements(parsed, echo, json.dumps(echo, sort_keys=True, separators=(",", ":")))


def restore_requirements(echo: list[dict[str, Any]]) -> Requirements:
    """Requirements from a snapshot (validated when they were made)."""
    if not echo:
        return NONE
    parsed = tuple(_check_shape(item) for item in echo)
    items = tuple(dict(item) for item in echo)
    return Requirements(parsed, items, json.dumps(items, sort_keys=True, separators=(",", ":")))

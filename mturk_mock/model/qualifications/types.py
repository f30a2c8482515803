"""Qualification types: the store of one marketplace, with every documented rule of create, update and
delete (spec Q§1.0-1.5). Rules whose exact error the public record does not show are marked [I]."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from .. import errors, xml
from ..index import SortedIndex
from ..schedule import Schedule

ACTIVE, INACTIVE = "Active", "Inactive"
SYSTEM_OWNER = "<system>"
DESCRIPTION_LIMIT = 2000
KEYWORDS_LIMIT = 1000
NAME_RELEASE = "qualification_type.name_release"

# System types (spec Q§3.4): the same IDs in both marketplaces except Masters. IsRequestable is false.
MASTERS_IDS = {"sandbox": "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6", "production": "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"}
SYSTEM_TYPES = (
    ("Masters", "Workers who have demonstrated excellence across a wide range of HITs."),
    ("Worker_NumberHITsApproved", "The total number of HITs submitted by a Worker that have been approved."),
    ("Worker_Locale", "The location of the Worker, as specified in the Worker's mailing address."),
    ("Worker_Adult", "The Worker has agreed to work on HITs that may contain potentially explicit content."),
    (
        "Worker_PercentAssignmentsApproved",
        "The percentage of assignments the Worker has submitted that were subsequently approved by the Requester.",
    ),
)
SYSTEM_IDS = {
    "Worker_NumberHITsApproved": "00000000000000000040",
    "Worker_Locale": "00000000000000000071",
    "Worker_Adult": "00000000000000000060",
    "Worker_PercentAssignmentsApproved": "000000000000000000L0",
}
SYSTEM_CREATION_TIME = 1_420_070_400.0  # 2015-01-01, when Masters were consolidated


@dataclass(slots=True, eq=False)
class QualificationType:
    type_id: str
    owner: str
    name: str
    description: str
    status: str
    created: float
    keywords: str | None = None
    retry_delay: int | None = None
    test: str | None = None
    test_duration: int | None = None
    answer_key: str | None = None
    auto_granted: bool = False
    auto_granted_value: int = 1
    requestable: bool = True
    deleted: bool = False
    serial: int = field(default=0, compare=False)  # creation order: the listing key
    # Parsed once when the test is set, reused by every scoring.
    form: xml.QuestionForm | None = field(default=None, repr=False)
    key: xml.AnswerKey | None = field(default=None, repr=False)
    search_text: str = field(default="", repr=False)
    # The service layer's rendering of this type; whoever changes the type clears it.
    cache: Any = field(default=None, repr=False)

    def index_text(self) -> None:
        self.search_text = "\n".join(filter(None, (self.name, self.description, self.keywords))).casefold()


# The fields a snapshot keeps; the rest is derived from them.
STORED_FIELDS = tuple(
    f.name for f in fields(QualificationType) if f.name not in ("serial", "form", "key", "search_text", "cache")
)


_KEY_WITHOUT_TEST = "an AnswerKey needs a Test in the same call"
_DURATION_WITHOUT_TEST = "TestDurationInSeconds goes only with a Test"
_TEST_AND_AUTO_GRANT = "a Test never goes with AutoGranted=true"


def _check_limit(parameter: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise errors.invalid_value(parameter, value, f"{parameter} is {len(value)} characters; the limit is {limit}")


def _check_not_negative(parameter: str, value: int | None) -> None:
    if value is not None and value < 0:
        raise errors.invalid_value(parameter, value, f"{parameter} must not be negative")


def parse_test(test: str, answer_key: str | None) -> tuple[xml.QuestionForm, xml.AnswerKey | None]:
    try:
        form = xml.parse_question_form(test, parameter="Test")
    except xml.InvalidXML as error:
        raise errors.invalid_value("Test", test, f"Test: {error.reason}") from None
    if answer_key is None:
        return form, None
    try:
        return form, xml.parse_answer_key(answer_key, form, parameter="AnswerKey")
    except xml.InvalidXML as error:
        raise errors.invalid_value("AnswerKey", answer_key, f"AnswerKey: {error.reason}") from None


def _checked_test(
    test: str, duration: int | None, answer_key: str | None
) -> tuple[xml.QuestionForm, xml.AnswerKey | None]:
    """The parsed test and key, if test, duration and answer key are valid together (spec Q§1.4 rule 3).
    Changes nothing, so a refused update leaves the type as it was."""
    if duration is None:
        raise errors.invalid_value("TestDurationInSeconds", None, "a Test needs TestDurationInSeconds")
    if duration <= 0:
        raise errors.invalid_value("TestDurationInSeconds", duration, "TestDurationInSeconds must be positive")
    return parse_test(test, answer_key)


class QualificationTypes:
    """The qualification types of one marketplace, in creation order (``listing`` and ``owned`` are the
    indexes ListQualificationTypes pages through; deleted types leave them)."""

    def __init__(self, marketplace: str, schedule: Schedule) -> None:
        self.by_id: dict[str, QualificationType] = {}
        self.deleted: dict[str, QualificationType] = {}
        self.listing: SortedIndex[QualificationType] = SortedIndex()  # every type, system types first
        self.requestable: SortedIndex[QualificationType] = SortedIndex()  # those workers can request
        self.owned: dict[str, SortedIndex[QualificationType]] = {}
        self.names: dict[tuple[str, str], float] = {}  # (owner, name) -> reserved until; inf while the type lives
        self._serial = 0
        self._schedule = schedule
        self.masters_id = MASTERS_IDS[marketplace]
        self.system_ids = frozenset((self.masters_id, *SYSTEM_IDS.values()))
        schedule.on(NAME_RELEASE, self._release_name)
        for name, description in SYSTEM_TYPES:
            type_id = MASTERS_IDS[marketplace] if name == "Masters" else SYSTEM_IDS[name]
            self._add(
                QualificationType(
                    type_id, SYSTEM_OWNER, name, description, ACTIVE, SYSTEM_CREATION_TIME, requestable=False
                )
            )

    def _add(self, qual: QualificationType) -> None:
        qual.index_text()
        self._serial += 1
        qual.serial = self._serial
        if qual.deleted:
            self.deleted[qual.type_id] = qual
            return
        self.by_id[qual.type_id] = qual
        self.listing.insert(qual.serial, qual)
        if qual.requestable:
            self.requestable.insert(qual.serial, qual)
        self.owned.setdefault(qual.owner, SortedIndex()).insert(qual.serial, qual)

    # -- lookups ------------------------------------------------------------------------------
    def get(self, type_id: str) -> QualificationType:
        qual = self.by_id.get(type_id)
        if qual is None:
            raise errors.QUALIFICATION_TYPE_NOT_FOUND(type_id=type_id)
        return qual

    def owned_by(self, type_id: str, requester: str) -> QualificationType:
        """The type, if ``requester`` owns it. [I] Others get PermissionDeniedException (spec Q§7.7)."""
        qual = self.get(type_id)
        if qual.owner != requester:
            raise errors.QUALIFICATION_TYPE_PERMISSION(type_id=type_id)
        return qual

    def in_creation_order(self) -> Iterator[QualificationType]:
        return self.listing.values()

    # -- lifecycle ----------------------------------------------------------------------------
    def create(
        self,
        type_id: str,
        owner: str,
        now: float,
        *,
        name: str,
        description: str,
        status: str,
        keywords: str | None = None,
        retry_delay: int | None = None,
        test: str | None = None,
        answer_key: str | None = None,
        test_duration: int | None = None,
        auto_granted: bool | None = None,
        auto_granted_value: int | None = None,
    ) -> QualificationType:
        if not name.strip():
            raise errors.invalid_value("Name", name, "Name is blank")
        if not description.strip():
            raise errors.invalid_value("Description", description, "Description is blank")
        _check_limit("Description", description, DESCRIPTION_LIMIT)
        _check_limit("Keywords", keywords, KEYWORDS_LIMIT)
        _check_not_negative("RetryDelayInSeconds", retry_delay)
        qual = QualificationType(
            type_id,
            owner,
            name,
            description,
            status,
            now,
            keywords=keywords,
            retry_delay=retry_delay,
            auto_granted=bool(auto_granted),
        )
        if auto_granted_value is not None:
            qual.auto_granted_value = auto_granted_value
        if test is None:
            if answer_key is not None:
                raise errors.invalid_value("AnswerKey", answer_key, _KEY_WITHOUT_TEST)
            if test_duration is not None:
                raise errors.invalid_value("TestDurationInSeconds", test_duration, _DURATION_WITHOUT_TEST)
        else:
            if qual.auto_granted:  # never together with a test (spec Q§1.1, observed on update)
                raise errors.invalid_value("Test", test, _TEST_AND_AUTO_GRANT)
            qual.form, qual.key = _checked_test(test, test_duration, answer_key)
            qual.test, qual.test_duration, qual.answer_key = test, test_duration, answer_key
        reserved_until = self.names.get((owner, name))
        if reserved_until is not None and reserved_until > now:
            raise errors.QUALIFICATION_TYPE_EXISTS()
        self.names[(owner, name)] = float("inf")
        self._add(qual)
        return qual

    def update(
        self,
        qual: QualificationType,
        *,
        description: str | None = None,
        status: str | None = None,
        test: str | None = None,
        answer_key: str | None = None,
        test_duration: int | None = None,
        retry_delay: int | None = None,
        auto_granted: bool | None = None,
        auto_granted_value: int | None = None,
    ) -> None:
        """Omitted fields stay. All checks run before anything changes: a refused update changes nothing."""
        _check_limit("Description", description, DESCRIPTION_LIMIT)
        if description is not None and not description.strip():
            raise errors.invalid_value("Description", description, "Description is blank")
        _check_not_negative("RetryDelayInSeconds", retry_delay)
        will_auto_grant = qual.auto_granted if auto_granted is None else auto_granted
        parsed = None
        if test is None:
            if answer_key is not None:
                raise errors.invalid_value("AnswerKey", answer_key, _KEY_WITHOUT_TEST)
            if test_duration is not None:
                raise errors.invalid_value("TestDurationInSeconds", test_duration, _DURATION_WITHOUT_TEST)
            if will_auto_grant and qual.test is not None:
                raise errors.invalid_value("AutoGranted", auto_granted, "a type with a Test cannot be auto-granted")
        else:
            if will_auto_grant:  # observed: Test while AutoGranted stays true (boto3#2108)
                raise errors.invalid_value("Test", test, _TEST_AND_AUTO_GRANT + " (send AutoGranted=false with it)")
            parsed = _checked_test(test, test_duration, answer_key)
        if parsed is not None:
            qual.form, qual.key = parsed
            qual.test, qual.test_duration, qual.answer_key = test, test_duration, answer_key
        if description is not None:
            qual.description = description
            qual.index_text()
        if status is not None:
            qual.status = status
        if retry_delay is not None:
            qual.retry_delay = retry_delay
        if auto_granted is not None:
            qual.auto_granted = auto_granted
        if auto_granted_value is not None:
            qual.auto_granted_value = auto_granted_value
        qual.cache = None

    def delete(self, qual: QualificationType, now: float, name_reservation: float) -> None:
        """Disposes the type; its name stays reserved for ``name_reservation`` seconds (spec Q§1.5)."""
        qual.deleted = True
        qual.cache = None
        del self.by_id[qual.type_id]
        self.listing.remove(qual.serial)
        if qual.requestable:
            self.requestable.remove(qual.serial)
        self.owned[qual.owner].remove(qual.serial)
        self.deleted[qual.type_id] = qual
        until = now + name_reservation
        self.names[(qual.owner, qual.name)] = until
        if name_reservation:
            self._schedule.add(until, NAME_RELEASE, qual.type_id)
        else:
            del self.names[(qual.owner, qual.name)]

    def _release_name(self, type_id: str, due: float) -> None:
        qual = self.deleted[type_id]
        if self.names.get((qual.owner, qual.name)) == due:  # not taken again since
            del self.names[(qual.owner, qual.name)]

    # -- snapshot -----------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        custom = [qual for qual in (*self.by_id.values(), *self.deleted.values()) if qual.owner != SYSTEM_OWNER]
        custom.sort(key=lambda qual: qual.serial)
        return {
            "types": [{name: getattr(qual, name) for name in STORED_FIELDS} for qual in custom],
            "names": [
                [owner, name, None if until == float("inf") else until] for (owner, name), until in self.names.items()
            ],
        }

    def load_data(self, data: dict[str, Any]) -> None:
        for stored in data["types"]:
            qual = QualificationType(**stored)
            if qual.test is not None:  # parsed once here, as on create
                qual.form = xml.parse_question_form(qual.test)
                qual.key = xml.parse_answer_key(qual.answer_key, qual.form) if qual.answer_key is not None else None
            self._add(qual)
        self.names.update(
            {(owner, name): float("inf") if until is None else until for owner, name, until in data["names"]}
        )

    def reschedule(self) -> None:
        for (owner, name), until in self.names.items():
            if until != float("inf"):
                released = next(qual for qual in self.deleted.values() if (qual.owner, qual.name) == (owner, name))
                self._schedule.add(until, NAME_RELEASE, released.type_id)

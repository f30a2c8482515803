"""Qualification types: creation, lookup, update and deletion with every documented rule (spec 1.0-1.5).

Rules whose exact error the public record does not show are marked [I] (our decision, kept consistent).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import qualification_test as qt
from .errors import ParameterValidationError, RequestError

ACTIVE, INACTIVE = "Active", "Inactive"
SYSTEM_OWNER = "<system>"
DESCRIPTION_LIMIT = 2000
KEYWORDS_LIMIT = 1000

DUPLICATE_NAME = ("You have already created a QualificationType with this name. A QualificationType's name "
                  "must be unique among all of the QualificationTypes created by the same user.")

# System types (spec 3.4): same IDs in both marketplaces except Masters. IsRequestable is false.
MASTERS_IDS = {"sandbox": "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6", "production": "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"}
SYSTEM_TYPES = (
    ("Masters", "Workers who have demonstrated excellence across a wide range of HITs."),
    ("Worker_NumberHITsApproved", "The total number of HITs submitted by a Worker that have been approved."),
    ("Worker_Locale", "The location of the Worker, as specified in the Worker's mailing address."),
    ("Worker_Adult", "The Worker has agreed to work on HITs that may contain potentially explicit content."),
    ("Worker_PercentAssignmentsApproved",
     "The percentage of assignments the Worker has submitted that were subsequently approved by the Requester."),
)
SYSTEM_IDS = {"Worker_NumberHITsApproved": "00000000000000000040", "Worker_Locale": "00000000000000000071",
              "Worker_Adult": "00000000000000000060", "Worker_PercentAssignmentsApproved": "000000000000000000L0"}
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
    # Parsed once when the test is set, reused by every scoring.
    form: qt.QuestionForm | None = None
    key: qt.AnswerKey | None = None
    search_text: str = field(default="", repr=False)

    def index_text(self) -> None:
        self.search_text = "\n".join(filter(None, (self.name, self.description, self.keywords))).casefold()

    def matches(self, query: str) -> bool:
        return query in self.search_text


def _check_limit(parameter: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise ParameterValidationError.invalid_value(parameter, value)


def _check_not_negative(parameter: str, value: int | None) -> None:
    if value is not None and value < 0:
        raise ParameterValidationError.invalid_value(parameter, value)


def _parse_test(test: str, answer_key: str | None) -> tuple[qt.QuestionForm, qt.AnswerKey | None]:
    try:
        form = qt.parse_question_form(test, parameter="Test")
    except qt.InvalidXML:
        raise ParameterValidationError.invalid_value("Test", test) from None
    if answer_key is None:
        return form, None
    try:
        return form, qt.parse_answer_key(answer_key, form, parameter="AnswerKey")
    except qt.InvalidXML:
        raise ParameterValidationError.invalid_value("AnswerKey", answer_key) from None


def _checked_test(test: str, duration: int | None,
                  answer_key: str | None) -> tuple[qt.QuestionForm, qt.AnswerKey | None]:
    """The parsed test and key, if test, duration and answer key are valid together (spec 1.4 rule 3).
    Changes nothing, so a refused update leaves the type as it was."""
    if duration is None:
        raise ParameterValidationError.invalid_value("TestDurationInSeconds", None)
    if duration <= 0:
        raise ParameterValidationError.invalid_value("TestDurationInSeconds", duration)
    return _parse_test(test, answer_key)


def _set_test(qual: QualificationType, test: str, duration: int, answer_key: str | None,
              parsed: tuple[qt.QuestionForm, qt.AnswerKey | None]) -> None:
    qual.test, qual.test_duration, qual.answer_key = test, duration, answer_key
    qual.form, qual.key = parsed


class QualificationTypes:
    """The qualification types of one marketplace.

    ``order`` and ``owned`` are append-only lists in creation order (deleted types stay in them,
    flagged), so that a list position is a stable cursor: a page deep in a listing starts at its
    position instead of walking the types before it.
    """

    def __init__(self, marketplace: str) -> None:
        self.by_id: dict[str, QualificationType] = {}
        self.order: list[QualificationType] = []
        self.owned: dict[str, list[QualificationType]] = {}
        self.names: dict[tuple[str, str], float] = {}  # (owner, name) -> reserved until; inf while live
        for name, description in SYSTEM_TYPES:
            type_id = MASTERS_IDS[marketplace] if name == "Masters" else SYSTEM_IDS[name]
            self._add(QualificationType(type_id, SYSTEM_OWNER, name, description, ACTIVE, SYSTEM_CREATION_TIME,
                                        requestable=False))

    def _add(self, qual: QualificationType) -> None:
        qual.index_text()
        self.by_id[qual.type_id] = qual
        self.order.append(qual)
        self.owned.setdefault(qual.owner, []).append(qual)

    # -- lookups ------------------------------------------------------------------------------
    def get(self, type_id: str) -> QualificationType:
        qual = self.by_id.get(type_id)
        if qual is None or qual.deleted:
            raise RequestError(f"QualificationType [{type_id}] does not exist.",
                               "QualificationTypeDoesNotExist")
        return qual

    def owned_by(self, type_id: str, requester: str) -> QualificationType:
        """The type, if ``requester`` owns it. [I] Others get PermissionDeniedException (spec 7.7)."""
        qual = self.get(type_id)
        if qual.owner != requester:
            raise RequestError(f"You do not have permission to modify QualificationType [{type_id}].",
                               "PermissionDeniedException")
        return qual

    # -- lifecycle ----------------------------------------------------------------------------
    def create(self, type_id: str, owner: str, now: float, *, name: str, description: str, status: str,
               keywords: str | None = None, retry_delay: int | None = None, test: str | None = None,
               answer_key: str | None = None, test_duration: int | None = None,
               auto_granted: bool | None = None, auto_granted_value: int | None = None) -> QualificationType:
        if not name.strip():
            raise ParameterValidationError.invalid_value("Name", name)
        if not description.strip():
            raise ParameterValidationError.invalid_value("Description", description)
        _check_limit("Description", description, DESCRIPTION_LIMIT)
        _check_limit("Keywords", keywords, KEYWORDS_LIMIT)
        _check_not_negative("RetryDelayInSeconds", retry_delay)
        qual = QualificationType(type_id, owner, name, description, status, now, keywords=keywords,
                                 retry_delay=retry_delay, auto_granted=bool(auto_granted))
        if auto_granted_value is not None:
            qual.auto_granted_value = auto_granted_value
        if test is None:
            if answer_key is not None:
                raise ParameterValidationError.invalid_value("AnswerKey", answer_key)
            if test_duration is not None:
                raise ParameterValidationError.invalid_value("TestDurationInSeconds", test_duration)
        else:
            if qual.auto_granted:  # never together with a test (spec 1.1, observed on update)
                raise ParameterValidationError.invalid_value("Test", test)
            _set_test(qual, test, test_duration, answer_key, _checked_test(test, test_duration, answer_key))
        self._reserve_name(owner, name, now)
        self._add(qual)
        return qual

    def _reserve_name(self, owner: str, name: str, now: float) -> None:
        reserved_until = self.names.get((owner, name))
        if reserved_until is not None and reserved_until > now:
            raise RequestError(DUPLICATE_NAME, "QualificationTypeAlreadyExists")
        self.names[(owner, name)] = float("inf")

    def update(self, qual: QualificationType, *, description: str | None = None, status: str | None = None,
               test: str | None = None, answer_key: str | None = None, test_duration: int | None = None,
               retry_delay: int | None = None, auto_granted: bool | None = None,
               auto_granted_value: int | None = None) -> None:
        """Omitted fields stay. All checks run before anything changes: a refused update changes nothing."""
        _check_limit("Description", description, DESCRIPTION_LIMIT)
        if description is not None and not description.strip():
            raise ParameterValidationError.invalid_value("Description", description)
        _check_not_negative("RetryDelayInSeconds", retry_delay)
        will_auto_grant = qual.auto_granted if auto_granted is None else auto_granted
        parsed = None
        if test is None:
            if answer_key is not None:
                raise ParameterValidationError.invalid_value("AnswerKey", answer_key)
            if test_duration is not None:
                raise ParameterValidationError.invalid_value("TestDurationInSeconds", test_duration)
            if will_auto_grant and qual.test is not None:
                raise ParameterValidationError.invalid_value("AutoGranted", auto_granted)
        else:
            if will_auto_grant:  # observed: Test while AutoGranted stays true (boto3#2108)
                raise ParameterValidationError.invalid_value("Test", test)
            parsed = _checked_test(test, test_duration, answer_key)
        if parsed is not None:
            _set_test(qual, test, test_duration, answer_key, parsed)
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

    def delete(self, qual: QualificationType, now: float, name_reservation: float) -> None:
        """Disposes the type; its name stays reserved for ``name_reservation`` seconds (spec 1.5)."""
        qual.deleted = True
        del self.by_id[qual.type_id]
        self.names[(qual.owner, qual.name)] = now + name_reservation

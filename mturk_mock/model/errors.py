"""Every error the mock can answer with, in one catalogue, as domain exceptions.

The model and the service raise ``MTurkError``s made from catalogue entries; the transport renders them
on the wire (``transport/protocol.py``), so nothing here knows JSON or HTTP. An entry states what a client
sees: the error type (``__type``), the HTTP status, the TurkErrorCode and the message template. Messages
are kept without the ``" (<epoch ms>)"`` suffix the service appends: the suffix needs the clock at
answer time, and ``suffix`` says which of the observed forms the entry takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TURK_PREFIX = "AWS.MechanicalTurk."
REQUEST_ERROR, SERVICE_FAULT, PARAMETER_ERROR = "RequestError", "ServiceFault", "ParameterValidationError"
# Errors of the AWS JSON protocol itself, answered before MTurk sees the request.
PROTOCOL_NAMESPACE = "com.amazon.coral.service"

Suffix = Literal["ms", "ms s", "none"]


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One kind of error: ``ErrorSpec(...)(field=value)`` makes the exception to raise."""

    code: str  # the __type a client sees as Error.Code
    status: int
    turk_error_code: str | None  # without the AWS.MechanicalTurk. prefix; None: the body has no such member
    template: str  # str.format template of the message
    suffix: Suffix = "ms"  # " (<epoch ms>)", " (<epoch ms> s)" or nothing
    namespace: str | None = None  # "com.amazon.coral.service" for the protocol's own errors
    message_member: str = "Message"  # the AWS front end's own errors spell it "message"

    def __call__(self, *, parameter: str | None = None, detail: str | None = None, **fields: object) -> MTurkError:
        """``detail``: why, for the test author (the call log, the server log); never on the wire."""
        return MTurkError(self, self.template.format(parameter=parameter, **fields), parameter, detail)

    @property
    def full_turk_error_code(self) -> str | None:
        return None if self.turk_error_code is None else TURK_PREFIX + self.turk_error_code


class MTurkError(Exception):
    """An error the mock answers with. ``parameter`` is set for ParameterValidationError; ``detail`` says
    why in words the service does not send (``CallRecord.detail``), and never reaches the wire."""

    def __init__(self, spec: ErrorSpec, message: str, parameter: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.spec = spec
        self.message = message
        self.parameter = parameter
        self.detail = detail

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def turk_error_code(self) -> str | None:
        return self.spec.full_turk_error_code


def _request(turk_error_code: str, template: str) -> ErrorSpec:
    return ErrorSpec(REQUEST_ERROR, 400, turk_error_code, template)


def _parameter(template: str, suffix: Suffix = "ms s") -> ErrorSpec:
    return ErrorSpec(PARAMETER_ERROR, 400, "InvalidParameterValue", template, suffix)


# -- the catalogue --------------------------------------------------------------------------------------
# Observed texts are verbatim (spec Q§0.3, H§0.1); [I] marks the mock's choice where nothing is public.

# ParameterValidationError: unmodelled by botocore, so callers receive a plain ClientError with this code.
INVALID_VALUE = _parameter('The value "{value}" is not valid for the parameter {parameter}.')
# Template observed for ExpirationIncrementInSeconds, without the " s" of the other form.
OUT_OF_RANGE = _parameter(
    "The value {value} is invalid for {parameter}. Valid values range from {low} to {high}.", suffix="ms"
)

QUALIFICATION_TYPE_NOT_FOUND = _request(
    "QualificationTypeDoesNotExist", "QualificationType [{type_id}] does not exist."
)
QUALIFICATION_TYPE_EXISTS = _request(
    "QualificationTypeAlreadyExists",
    "You have already created a QualificationType with this name. A QualificationType's name must be unique among "
    "all of the QualificationTypes created by the same user.",
)
QUALIFICATION_TYPE_PERMISSION = _request(  # [I] spec Q§7.7
    "PermissionDeniedException", "You do not have permission to modify QualificationType [{type_id}]."
)
QUALIFICATION_NOT_FOUND = _request("QualificationDoesNotExist", "You requested a Qualification that does not exist.")
QUALIFICATION_NOT_GRANTED = _request(
    "InvalidQualificationState", "This operation can be called with a status of: Granted"
)
QUALIFICATION_REQUEST_NOT_FOUND = _request(
    "QualificationRequestDoesNotExist", "QualificationRequest {request_id} does not exist."
)
QUALIFICATION_REQUEST_NOT_PENDING = _request(
    "InvalidQualificationRequestState", "This operation can be called with a status of: Pending"
)

# HITs and HIT types (spec H§0.1, H§8)
HIT_NOT_FOUND = _request("HITDoesNotExist", "Hit {hit_id} does not exist.")
HIT_STATE = _request(  # two spaces after the first full stop, as observed
    "InvalidHITState",
    "This HIT is currently in the state '{status}'.  This operation can be called with a status of: {allowed}",
)
HIT_TYPE_NOT_FOUND = _request("HITTypeDoesNotExist", "HITType {hit_type_id} does not exist.")  # [I]
HIT_EXISTS = _request(  # [I] the docs promise "a message containing the HITId"
    "HitAlreadyExists", 'The HIT {hit_id} already exists for the UniqueRequestToken "{token}".'
)
DUPLICATE_REQUEST = _request(  # text observed for UpdateExpirationForHIT; code [I]
    "DuplicateRequest", 'The idempotency token "{token}" has already been processed.'
)
INSUFFICIENT_FUNDS = _request(
    "InsufficientFunds",
    "This Requester has insufficient funds in their account to complete this transaction. Please visit "
    "https://requester.mturk.com/prepayments/new to purchase Prepaid HITs.",
)
LAYOUT_NOT_FOUND = _request("HITLayoutDoesNotExist", "HITLayout {layout_id} does not exist.")  # [I] text
QUALIFICATION_TYPE_INACTIVE = _request(  # [I] spec Q§3.2
    "InvalidQualificationTypeState",
    "QualificationType [{type_id}] is {status}. A QualificationRequirement can name only an Active QualificationType.",
)
ASSIGNMENTS_INCREASE = _request(  # [I] text, from the docs
    "InvalidMaximumAssignmentsIncrease",
    "HITs created with fewer than 10 assignments cannot be extended to have 10 or more assignments.",
)
HIT_TOO_OLD = _request("HITTooOldForExtension", "HITs created before July 22, 2015 cannot be extended.")
# Assignments (spec H§2, H§8.13-8.22)
ASSIGNMENT_NOT_FOUND = _request("AssignmentDoesNotExist", "Assignment {assignment_id} does not exist.")
ASSIGNMENT_STATE = _request("InvalidAssignmentState", "This operation can be called with a status of: {allowed}")
WORKER_ID_INVALID = _parameter("WorkerId is invalid.")  # DeleteWorkerBlock's documented text
# Observed texts with a second full stop before the suffix (spec H§0.1 E-PVE-URL, H§8.1).
HTTPS_REQUIRED = _parameter(
    'The value "{value}" is not valid for the parameter ExternalURL. This URL must use the HTTPS protocol..'
)
LOCALE_VALUE = _parameter(
    'The value "{value}" is not valid for the parameter LocaleValue. LocaleValue must be null when used with the '
    "{comparator} comparator..",
    suffix="ms",
)

SERVICE_ERROR = ErrorSpec(SERVICE_FAULT, 500, "ServiceFault", "{message}")
NOT_IMPLEMENTED = ErrorSpec(  # HTTP 501, which botocore never retries
    "NotImplemented",
    501,
    None,
    "mturk_mock does not implement {operation} yet; no request was sent to AWS. (`mturk-mock operations` lists "
    "the {implemented} operations it implements; a botocore.stub.Stubber on the client takes priority over the mock.)",
    suffix="none",
)
# The AWS front end's answers, before MTurk sees the request (observed on other AWS JSON services; MTurk
# reports "(ThrottlingException) ... (reached max retries: 4): Rate exceeded", allenai/amti#12).
THROTTLED = ErrorSpec(
    "ThrottlingException", 400, None, "Rate exceeded", "none", "com.amazon.coral.availability", "message"
)
UNRECOGNIZED_CLIENT = ErrorSpec(
    "UnrecognizedClientException",
    400,
    None,
    "The security token included in the request is invalid.",
    "none",
    message_member="message",
)
MISSING_AUTHENTICATION_TOKEN = ErrorSpec(
    "MissingAuthenticationTokenException",
    400,
    None,
    "Request is missing Authentication Token",
    "none",
    PROTOCOL_NAMESPACE,
    "message",
)
INVALID_SIGNATURE = ErrorSpec(  # [I] AWS JSON services' answer to a credential scoped to another region
    "InvalidSignatureException",
    400,
    None,
    "Credential should be scoped to a valid region, not '{region}'. ",
    "none",
    PROTOCOL_NAMESPACE,
    "message",
)
UNKNOWN_OPERATION = ErrorSpec("UnknownOperationException", 400, None, "{message}", "none", PROTOCOL_NAMESPACE)
SERIALIZATION = ErrorSpec("SerializationException", 400, None, "{message}", "none", PROTOCOL_NAMESPACE)


# HTTP-level refusals of the server transport: the request never reaches an operation.
def _http(code: str, status: int) -> ErrorSpec:
    return ErrorSpec(code, status, None, "{message}", "none")


HTTP_BAD_REQUEST = _http("BadRequest", 400)
HTTP_NOT_FOUND = _http("NotFound", 404)
HTTP_METHOD_NOT_ALLOWED = _http("MethodNotAllowed", 405)
HTTP_REQUEST_TIMEOUT = _http("RequestTimeout", 408)
HTTP_LENGTH_REQUIRED = _http("LengthRequired", 411)
HTTP_TOO_LARGE = _http("RequestEntityTooLarge", 413)
HTTP_URI_TOO_LONG = _http("RequestURITooLong", 414)
HTTP_HEADERS_TOO_LARGE = _http("RequestHeaderFieldsTooLarge", 431)
HTTP_NOT_IMPLEMENTED = _http("NotImplemented", 501)
HTTP_SERVICE_UNAVAILABLE = _http("ServiceUnavailable", 503)
HTTP_VERSION_NOT_SUPPORTED = _http("HTTPVersionNotSupported", 505)


def http_refusal(status: int, message: str) -> MTurkError:
    """The refusal for an HTTP status the server's framing produced."""
    for spec in catalogue().values():
        if (
            spec.status == status
            and spec.template == "{message}"
            and spec.namespace is None
            and spec.turk_error_code is None
        ):
            return spec(message=message)
    return HTTP_BAD_REQUEST(message=message)


def _java_text(value: object) -> object:
    """How the service (Java) spells a value in a message: null, true, false."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def invalid_value(parameter: str, value: object, detail: str | None = None) -> MTurkError:
    """ParameterValidationError: ``The value "…" is not valid for the parameter …`` (observed). The
    service says no more; ``detail`` tells the test author which rule failed."""
    return INVALID_VALUE(parameter=parameter, value=_java_text(value), detail=detail)


def out_of_range(parameter: str, value: int, low: int, high: int) -> MTurkError:
    detail = f"{parameter} {value} is outside {low}..{high}"
    return OUT_OF_RANGE(parameter=parameter, value=value, low=low, high=high, detail=detail)


def catalogue() -> dict[str, ErrorSpec]:
    """Every entry of this module by name, for documentation and for the test that renders each one."""
    return {name: spec for name, spec in globals().items() if isinstance(spec, ErrorSpec)}

"""The errors the MTurk service answers with, as plain Python exceptions.

The model raises them; the service layer turns them into wire JSON. Messages are stored without
the " (<epoch ms>)" suffix that the real service appends: the suffix needs the clock at answer time.
"""

from __future__ import annotations

PREFIX = "AWS.MechanicalTurk."


def _java_text(value: object) -> object:
    """How the service (Java) spells a value in a message: null, true, false."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class MTurkError(Exception):
    """Base of every error the mock answers with (HTTP 400 unless a subclass says otherwise)."""

    error_type = "MTurkError"
    status = 400
    # Observed: "... not valid for the parameter X. (1585151438622 s)" but "... does not exist. (1631094715163)".
    suffix_unit = ""

    def __init__(self, message: str, turk_error_code: str) -> None:
        super().__init__(message)
        self.message = message
        self.turk_error_code = turk_error_code if not turk_error_code or turk_error_code.startswith(PREFIX) \
            else PREFIX + turk_error_code

    def wire(self, epoch_ms: int) -> dict:
        return {
            "Message": f"{self.message} ({epoch_ms}{self.suffix_unit})",
            "TurkErrorCode": self.turk_error_code,
            "__type": self.error_type,
        }


class RequestError(MTurkError):
    error_type = "RequestError"


class ServiceFault(MTurkError):
    error_type = "ServiceFault"
    status = 500


class ParameterValidationError(MTurkError):
    """Unmodelled by botocore: callers receive a plain ClientError whose code is this type's name."""

    error_type = "ParameterValidationError"

    def __init__(self, parameter: str, message: str, suffix_unit: str = " s") -> None:
        super().__init__(message, "InvalidParameterValue")
        self.parameter = parameter
        self.suffix_unit = suffix_unit

    @classmethod
    def invalid_value(cls, parameter: str, value: object) -> ParameterValidationError:
        shown = _java_text(value)
        return cls(parameter, f'The value "{shown}" is not valid for the parameter {parameter}.')

    @classmethod
    def out_of_range(cls, parameter: str, value: int, low: int, high: int) -> ParameterValidationError:
        # Template observed for ExpirationIncrementInSeconds (spec 6.3), suffix without " s".
        message = f"The value {value} is invalid for {parameter}. Valid values range from {low} to {high}."
        return cls(parameter, message, suffix_unit="")

    def wire(self, epoch_ms: int) -> dict:
        body = super().wire(epoch_ms)
        body["Parameter"] = self.parameter
        return dict(sorted(body.items()))


def does_not_exist(kind: str, ident: str, code: str) -> RequestError:
    return RequestError(f"{kind} {ident} does not exist.", code)


class SerializationException(MTurkError):
    """A member of the wrong JSON type: the AWS JSON protocol's own error, before MTurk sees the call."""

    error_type = "SerializationException"

    def __init__(self, message: str) -> None:
        super().__init__(message, "")

    def wire(self, epoch_ms: int) -> dict:
        return {"Message": self.message, "__type": "com.amazon.coral.service#SerializationException"}


class NotImplementedByMock(MTurkError):
    """An MTurk operation this version of the mock does not simulate (HTTP 501, which botocore never retries)."""

    error_type = "NotImplemented"
    status = 501

    def __init__(self, operation: str) -> None:
        super().__init__(f"mturk_mock does not implement {operation} yet; no request was sent to AWS.", "")

    def wire(self, epoch_ms: int) -> dict:
        return {"Message": self.message, "__type": self.error_type}

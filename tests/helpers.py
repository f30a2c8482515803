"""Small helpers for behaviour tests through real boto3 clients."""

from __future__ import annotations

import os
import re

import pytest
from botocore.exceptions import ClientError

from . import transports

SUFFIX = re.compile(r" \((\d{13})( s)?\)$")
FUZZ_EXAMPLES = "MTURK_MOCK_FUZZ_EXAMPLES"  # opt-in: MTURK_MOCK_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py


def examples(default: int) -> int:
    """How many examples a hypothesis suite runs: ``default``, or MTURK_MOCK_FUZZ_EXAMPLES when it is set."""
    return int(os.environ.get(FUZZ_EXAMPLES) or default)


def requester_client(access_key: str, marketplace: str = "sandbox"):
    """A client of ``marketplace`` signed with ``access_key`` (the requester), on the test's transport:
    the real endpoint (answered in-process) or, in the HTTP run, the marketplace's server."""
    return transports.client(marketplace, access_key)


def create_type(client, name: str = "Colour vision", **extra) -> dict:
    params = {"Name": name, "Description": "Screens workers for a task", "QualificationTypeStatus": "Active"}
    params.update(extra)
    return client.create_qualification_type(**params)["QualificationType"]


def request_error(call, code: str, message_prefix: str) -> dict:
    """Run ``call``; it must raise RequestError with this TurkErrorCode and message prefix."""
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    assert type(raised.value).__name__ == "RequestError", response
    assert response["Error"]["Code"] == "RequestError"
    assert response["TurkErrorCode"] == "AWS.MechanicalTurk." + code
    assert response["Error"]["Message"].startswith(message_prefix), response["Error"]["Message"]
    assert response["Message"] == response["Error"]["Message"]
    assert SUFFIX.search(response["Error"]["Message"]), response["Error"]["Message"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return response


def parameter_error(call, parameter: str, mock=None) -> dict:
    """Run ``call``; it must raise MTurk's ParameterValidationError naming ``parameter``."""
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    assert type(raised.value) is ClientError, type(raised.value)  # unmodelled by botocore
    assert response["Error"]["Code"] == "ParameterValidationError"
    message = response["Error"]["Message"]
    assert re.search(rf"(is not valid for the parameter|is invalid for) {parameter}\.", message), message
    assert SUFFIX.search(message), message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "TurkErrorCode" not in response  # botocore drops the members of unmodelled errors
    if mock is not None:
        wire = mock.calls[-1].response
        assert (wire["Parameter"], wire["TurkErrorCode"]) == (parameter, "AWS.MechanicalTurk.InvalidParameterValue")
    return response

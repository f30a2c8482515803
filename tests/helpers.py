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


HIT_TYPE = {
    "Title": "Label images",
    "Description": "Say what is in the picture",
    "Reward": "0.25",
    "AssignmentDurationInSeconds": 600,
}


def create_hit_type(client, **extra) -> str:
    return client.create_hit_type(**{**HIT_TYPE, **extra})["HITTypeId"]


def submitted(mock, client, answers=None, worker_id: str | None = None, **hit) -> dict:
    """A HIT (``create_hit`` with ``hit``) and one assignment a simulated worker accepted and submitted:
    the HIT and the assignment as the requester sees them."""
    created = create_hit(client, **hit)
    assignment = mock.worker(worker_id).accept(created["HITId"])
    assignment.submit(answers or {"label": "cat"})
    return client.get_assignment(AssignmentId=assignment.assignment_id)


def create_hit(client, hit_type_id: str | None = None, **extra) -> dict:
    """A HIT with an ExternalQuestion, one assignment, one hour; of ``hit_type_id`` or of the default type."""
    from .samples import EXTERNAL_QUESTION

    params = {"LifetimeInSeconds": 3600, "MaxAssignments": 1, "Question": EXTERNAL_QUESTION, **extra}
    if hit_type_id is None:
        return client.create_hit(**{**HIT_TYPE, **params})["HIT"]
    return client.create_hit_with_hit_type(HITTypeId=hit_type_id, **params)["HIT"]

"""Every entry of the error catalogue renders to what botocore's own parser turns into the entry's code,
message, TurkErrorCode and HTTP status (issue 11, requirement 6), in-process and on the wire."""

from __future__ import annotations

import json
import string

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from mturk_mock.model import errors
from mturk_mock.model.errors import ErrorSpec
from mturk_mock.pytest_plugin import make_client
from mturk_mock.service.service_model import service_model
from mturk_mock.transport.converter import convert_error
from mturk_mock.transport.protocol import CONTENT_TYPE, error_body

from .conftest import assert_same_python, reference_parse
from .helpers import create_type
from .test_server import TARGET, post

CATALOGUE = errors.catalogue()
EPOCH_MS = 1_800_000_000_123
SUFFIXES = {"ms": f" ({EPOCH_MS})", "ms s": f" ({EPOCH_MS} s)", "none": ""}
SAMPLE_FIELDS = {"value": 101, "low": 1, "high": 100}  # OUT_OF_RANGE formats them as numbers


class _Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_):
        yield self._content


def _error_of(spec: ErrorSpec) -> errors.MTurkError:
    """The entry's exception with every field of its template filled in."""
    fields = {name for _, name, _, _ in string.Formatter().parse(spec.template) if name}
    values: dict[str, object] = {name: SAMPLE_FIELDS.get(name, f"<{name}>") for name in fields - {"parameter"}}
    parameter = "QualificationTypeId" if spec.code == errors.PARAMETER_ERROR else None
    return spec(parameter=parameter, **values)


def _http_response(status: int, body: dict) -> AWSResponse:
    content = json.dumps(body).encode()
    headers = {"x-amzn-requestid": "8c0dbb4e-6e2d-4d4b-9a5d-0c5c1f0c7b3a", "content-type": CONTENT_TYPE}
    return AWSResponse("https://mturk-requester-sandbox.us-east-1.amazonaws.com/", status, headers, _Body(content))


@pytest.fixture(scope="module")
def client():
    return make_client()


def test_the_catalogue_is_not_empty_and_names_are_unique():
    assert len(CATALOGUE) >= 20
    assert "SERVICE_ERROR" in CATALOGUE and "INVALID_VALUE" in CATALOGUE
    kinds = [(spec.code, spec.turk_error_code, spec.template) for spec in CATALOGUE.values()]
    assert len(kinds) == len(set(kinds)), "two entries describe the same error"


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_each_entry_renders_to_what_botocore_parses(name, client):
    spec = CATALOGUE[name]
    error = _error_of(spec)
    assert "{" not in error.message, error.message  # every field was filled in
    body = error_body(error, EPOCH_MS)
    parsed = reference_parse(client, "GetAccountBalance", _http_response(spec.status, body))

    assert parsed["Error"]["Code"] == spec.code
    assert parsed["Error"]["Message"] == error.message + SUFFIXES[spec.suffix]
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == spec.status
    modelled = service_model().shape_for_error_code(spec.code) is not None
    if modelled:  # RequestError and ServiceFault: botocore keeps their members
        assert parsed["TurkErrorCode"] == spec.full_turk_error_code
        assert parsed["Message"] == parsed["Error"]["Message"]
    else:  # botocore drops the members of errors its model does not know, as against the service
        assert "TurkErrorCode" not in parsed
    if spec.turk_error_code is None:
        assert "TurkErrorCode" not in body
    else:
        assert body["TurkErrorCode"] == "AWS.MechanicalTurk." + spec.turk_error_code
    # The in-process transport converts without the parser: the same result.
    assert_same_python(convert_error(body, parsed["ResponseMetadata"]), parsed)


def test_modelled_errors_are_the_mturk_ones():
    modelled = {spec.code for spec in CATALOGUE.values() if service_model().shape_for_error_code(spec.code)}
    assert modelled == {"RequestError", "ServiceFault"}


@pytest.mark.parametrize("name", sorted(n for n, s in CATALOGUE.items() if s.code == errors.PARAMETER_ERROR))
def test_parameter_validation_errors_keep_their_parameter_on_the_wire(name):
    body = error_body(_error_of(CATALOGUE[name]), EPOCH_MS)
    assert body["Parameter"] == "QualificationTypeId"
    assert body["TurkErrorCode"] == "AWS.MechanicalTurk.InvalidParameterValue"


def test_errors_other_than_parameter_validation_have_no_parameter_member():
    for name, spec in CATALOGUE.items():
        if spec.code != errors.PARAMETER_ERROR:
            assert "Parameter" not in error_body(_error_of(spec), EPOCH_MS), name


def test_a_real_parameter_error_keeps_parameter_in_process_and_over_http(mturk_client, mturk_mock):
    """In-process the call log has the wire body; over HTTP the bytes on the socket carry it."""
    with pytest.raises(ClientError) as raised:
        create_type(mturk_client, "auto", AutoGranted=True, Test="<not a form/>", TestDurationInSeconds=60)
    assert raised.value.response["Error"]["Code"] == "ParameterValidationError"
    assert mturk_mock.calls[-1].response["Parameter"] == "Test"

    from mturk_mock import MTurkMock, MTurkServer

    mturk_mock.stop()  # an active mock would answer the server's own client in-process
    with MTurkServer(MTurkMock(), port=0) as server:
        status, _, answer = post(
            server.url,
            json.dumps({"QualificationTypeId": "nonsense!"}).encode(),
            {"X-Amz-Target": TARGET + "GetQualificationType"},
        )
    body = json.loads(answer)
    assert status == 400 and body["__type"] == "ParameterValidationError"
    assert body["Parameter"] == "QualificationTypeId"


def test_http_refusals_map_statuses_to_their_entries():
    for status, spec in (
        (404, errors.HTTP_NOT_FOUND),
        (405, errors.HTTP_METHOD_NOT_ALLOWED),
        (411, errors.HTTP_LENGTH_REQUIRED),
        (413, errors.HTTP_TOO_LARGE),
        (501, errors.HTTP_NOT_IMPLEMENTED),
    ):
        refusal = errors.http_refusal(status, "m")
        assert (refusal.spec, refusal.message) == (spec, "m")
    assert errors.http_refusal(418, "teapot").spec is errors.HTTP_BAD_REQUEST

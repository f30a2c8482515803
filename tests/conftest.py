"""Helpers shared by the tests: botocore's own parser as the reference for what a caller receives."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.endpoint import convert_to_response_dict
from botocore.parsers import ResponseParserFactory

from mturk_mock.pytest_plugin import make_client


class Capture:
    """Records (operation, http response, parsed) of every call a client makes, from botocore's after-call event."""

    def __init__(self, client) -> None:
        self.client = client
        self.seen: list[tuple[str, object, dict]] = []
        client.meta.events.register("after-call.mturk.*", self._after_call)

    def _after_call(self, http_response, parsed, model, **_):
        self.seen.append((model.name, http_response, parsed))


def reference_parse(client, operation: str, http_response) -> dict:
    """What botocore's real HTTP path makes of the mock's wire answer: parser, modelled error fields, retries."""
    operation_model = client.meta.service_model.operation_model(operation)
    response_dict = convert_to_response_dict(http_response, operation_model)
    parser = ResponseParserFactory().create_parser("json")
    parsed = parser.parse(response_dict, operation_model.output_shape)
    if http_response.status_code >= 300:
        client._endpoint._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
    parsed["ResponseMetadata"]["RetryAttempts"] = 0
    return parsed


def assert_same_python(actual, expected, path: str = "$") -> None:
    """Equal values of exactly the same types, datetimes with the same UTC offset."""
    assert type(actual) is type(expected), f"{path}: {type(actual).__name__} != {type(expected).__name__}"
    if isinstance(expected, dict):
        assert actual.keys() == expected.keys(), f"{path}: keys {sorted(actual)} != {sorted(expected)}"
        for key in expected:
            assert_same_python(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), f"{path}: length"
        for index, (a, e) in enumerate(zip(actual, expected)):
            assert_same_python(a, e, f"{path}[{index}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        if isinstance(expected, dt.datetime):
            assert actual.utcoffset() == expected.utcoffset(), f"{path}: tz"


@pytest.fixture
def capture(mturk_client) -> Capture:
    return Capture(mturk_client)


@pytest.fixture
def production_client(mturk_mock):
    return make_client("production")

"""Helpers shared by the tests: botocore's own parser as the reference for what a caller receives, and
the two transports of the behaviour tests (``tests/transports.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.endpoint import convert_to_response_dict
from botocore.parsers import ResponseParserFactory

from mturk_mock.pytest_plugin import make_client

from . import transports


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
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same_python(a, e, f"{path}[{index}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        if isinstance(expected, dt.datetime):
            assert actual.utcoffset() == expected.utcoffset(), f"{path}: tz"


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester whose runs (in process, in a subprocess, in xdist workers) load the mock's plugin through its
    entry point and only the plugins a test names with -p: what else the machine has installed stays out (a CI
    machine's pytest-benchmark warns under xdist, and the inner suites turn warnings into errors)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p mturk_mock")
    return pytester


@pytest.fixture
def capture(mturk_client) -> Capture:
    return Capture(mturk_client)


@pytest.fixture
def production_client(mturk_mock):
    return make_client("production")


# -- transports: the behaviour modules run in-process and over HTTP; every other module as before ------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if transports.runs_on_both(metafunc.module.__name__) and "mturk_mock" in metafunc.fixturenames:
        metafunc.parametrize("mturk_transport", transports.TRANSPORTS, indirect=True)


@pytest.fixture
def mturk_transport(request) -> str:
    """``in-process`` or ``http``: parametrized for the behaviour modules, in-process for every other test."""
    return getattr(request, "param", transports.IN_PROCESS)


@pytest.fixture(autouse=True)
def _http_run_stays_on_loopback(request) -> None:
    if transports.transport_of(request.node) == transports.HTTP:
        transports.stay_on_loopback(request.getfixturevalue("monkeypatch"))


@pytest.fixture
def mturk_mock(request, mturk_transport):
    """In-process: the plugin's fixture itself. HTTP: a handle with the marker's options, never started,
    served by a sandbox and a production MTurkServer until the test ends."""
    if mturk_transport == transports.IN_PROCESS:
        yield request.getfixturevalue("mturk_mock")  # the fixture this one overrides: the plugin's
        return
    from mturk_mock.mock import MTurkMock

    with transports.serve(MTurkMock(**transports.mock_options(request))) as handle:
        yield handle


@pytest.fixture
def mturk_client(request, mturk_mock, mturk_transport):
    """In-process: the plugin's fixture itself. HTTP: an unsigned client (the default requester) on the
    server of the handle's marketplace."""
    if mturk_transport == transports.IN_PROCESS:
        return request.getfixturevalue("mturk_client")  # the plugin's
    return transports.client(mturk_mock.default_marketplace)

"""Fault injection in server mode: the control endpoint, ``mturk-mock serve --faults`` and the real
client's own retries over HTTP. Loopback only."""

from __future__ import annotations

import http.client
import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mturk_mock import MTurkMock, MTurkServer
from mturk_mock.cli import _configure, build_parser, main
from mturk_mock.transport import control

from . import transports

TIMEOUT = 30


@pytest.fixture
def server(monkeypatch):
    transports.stay_on_loopback(monkeypatch)
    with MTurkServer(MTurkMock(), port=0) as running:
        yield running


def http_client(server, key: str = "AKIASERVED", mode: str = "standard"):
    return boto3.client(
        "mturk",
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id=key,
        aws_secret_access_key="secret",
        config=Config(retries={"mode": mode}, connect_timeout=TIMEOUT, read_timeout=TIMEOUT),
    )


def post(server, path: str, document: object) -> tuple[int, dict]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=TIMEOUT)
    try:
        connection.request("POST", path, json.dumps(document).encode(), {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_the_control_endpoint_injects_faults_the_real_client_retries(server):
    rule = {"error": "ServiceFault", "operation": "CreateQualificationType", "after": 2, "times": 1}
    status, state = post(server, control.CONTROL_PATH, {"rules": [rule]})
    assert status == 200
    assert state["rules"] == [
        {
            "name": "rule 1",
            "error": "ServiceFault",
            "message": "Amazon Mechanical Turk is temporarily unable to process your request. Try your call again.",
            "operations": ["CreateQualificationType"],
            "after": 2,
            "times": 1,
            "calls": 0,
            "fired": 0,
        }
    ]
    client = http_client(server)
    for n in range(3):
        answer = client.create_qualification_type(Name=f"t{n}", Description="d", QualificationTypeStatus="Active")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1  # botocore's own retry, over HTTP
    calls = server.handle.calls
    assert [(call.status, call.fault) for call in calls] == [(200, None), (200, None), (500, "rule 1"), (200, None)]
    assert post(server, control.CONTROL_PATH, {})[1]["rules"][0]["fired"] == 1
    assert len(server.handle.calls) == 4  # control requests are not MTurk calls


def test_the_control_endpoint_sets_rate_limits_and_credentials_and_clears(server):
    status, state = post(
        server,
        control.CONTROL_PATH,
        {"rate_limit": {"rate": 1, "burst": 1}, "credentials": "registered", "access_keys": ["AKIAOK"]},
    )
    assert status == 200 and state["rate_limit"] == {"rate": 1.0, "burst": 1}
    assert state["credentials"] == "registered" and state["access_keys"] == ["AKIAOK"]
    with pytest.raises(ClientError) as raised:
        http_client(server, "AKIANOBODY").get_account_balance()
    assert raised.value.response["Error"]["Code"] == "UnrecognizedClientException"
    server.handle.clock.freeze()
    no_retries = boto3.client(
        "mturk",
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id="AKIAOK",
        aws_secret_access_key="secret",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    no_retries.get_account_balance()
    with pytest.raises(ClientError) as raised:
        no_retries.get_account_balance()
    assert raised.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    status, state = post(server, control.CONTROL_PATH, {"clear": True, "credentials": "any"})
    assert (state["rules"], state["rate_limit"], state["credentials"]) == ([], None, "any")
    http_client(server, "AKIANOBODY").get_account_balance()


@pytest.mark.parametrize(
    ("path", "document", "status", "problem"),
    [
        (control.CONTROL_PATH, {"rules": [{"error": "Nope"}]}, 400, "unknown error"),
        (control.CONTROL_PATH, {"rule": []}, 400, "unknown member"),
        (control.CONTROL_PATH, [], 400, "JSON object"),
        (control.CONTROL_PATH, {"rules": [{"times": 1}], "rate_limit": 0}, 400, "rate"),
        ("/_mturk_mock/other", {}, 404, "No control endpoint"),
    ],
)
def test_bad_control_requests_change_nothing(server, path, document, status, problem):
    answered, body = post(server, path, document)
    assert answered == status and problem in body["error"]
    assert not server.handle.faults.rules and not server.handle.faults.armed


def test_serve_takes_a_faults_document_and_a_search_lag(tmp_path, capsys):
    document = tmp_path / "faults.json"
    document.write_text(json.dumps({"rules": [{"error": "ThrottlingException", "every": 2}], "rate_limit": 50}))
    arguments = build_parser().parse_args(["serve", "--faults", str(document), "--search-lag", "12"])
    assert (arguments.faults, arguments.search_lag) == (str(document), 12.0)
    handle = MTurkMock()
    _configure(handle, arguments.faults, arguments.search_lag)
    assert handle.world.settings.search_lag == 12
    assert handle.faults.describe()["rate_limit"] == {"rate": 50.0, "burst": 50}
    _configure(handle, '{"clear": true}', None)
    assert not handle.faults.rules
    assert main(["serve", "--port", "0", "--faults", '{"rules": [{"times": 0}]}']) == 1
    assert "bad fault options: times must be an integer >= 1" in capsys.readouterr().err

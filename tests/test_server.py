"""Server mode (issue 6): the mock over HTTP for boto3, curl-style raw HTTP, the AWS CLI and the CLI process.

All traffic goes to 127.0.0.1 only; every wait is bounded.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import mturk_mock
from mturk_mock import MTurkMock
from mturk_mock.cli import main
from mturk_mock.constants import DEFAULT_REQUESTER
from mturk_mock.pytest_plugin import SANDBOX_ENDPOINT
from mturk_mock.transport import http_app, http_server
from mturk_mock.transport.http_server import MTurkServer, marketplace_from, requester_from

TARGET = "MTurkRequesterServiceV20170117."
KEY = "AKIASERVERTEST"
WORKER = "A1B2C3D4E5F6G7"
TIMEOUT = 30  # seconds any single client call or subprocess may take
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def canonical(body: bytes) -> bytes:
    """What the mock's encoder writes: sorted keys, compact separators, raw UTF-8."""
    return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def server():
    assert mturk_mock.current() is None, "an active mock would answer boto3 in-process, bypassing the server"
    with MTurkServer(MTurkMock(), port=0) as running:
        yield running


@functools.lru_cache(maxsize=1)
def _session() -> boto3.session.Session:
    return boto3.session.Session()


def client_for(server: MTurkServer, key: str | None = KEY):
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=TIMEOUT, read_timeout=TIMEOUT)
    if key is None:
        return _session().client(
            "mturk",
            region_name="us-east-1",
            endpoint_url=server.url,
            config=config.merge(Config(signature_version=botocore.UNSIGNED)),
        )
    return _session().client(
        "mturk",
        region_name="us-east-1",
        endpoint_url=server.url,
        aws_access_key_id=key,
        aws_secret_access_key="x",
        config=config,
    )


@pytest.fixture
def client(server):
    return client_for(server)


def create_type(client, name: str, **extra) -> dict:
    params = {"Name": name, "Description": "Screens workers", "QualificationTypeStatus": "Active", **extra}
    return client.create_qualification_type(**params)["QualificationType"]


def post(url: str, body: bytes, headers: dict[str, str] | None = None, method: str = "POST"):
    """One request with urllib (what curl sends); returns (status, headers, body) for errors too."""
    request = urllib.request.Request(url, data=body if method == "POST" else None, method=method, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def call(server: MTurkServer, operation: str, request: object = None, **headers: str):
    body = json.dumps({} if request is None else request).encode()
    return post(
        server.url, body, {"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1", **headers}
    )


def assert_serves(server: MTurkServer) -> None:
    status, _, body = call(server, "GetAccountBalance")
    assert (status, json.loads(body)) == (200, {"AvailableBalance": "10000.00"})


# -- boto3 ------------------------------------------------------------------------------------------


def test_boto3_call_goes_over_http_and_is_logged(server, client):
    answer = client.get_account_balance()
    assert answer["AvailableBalance"] == "10000.00"
    metadata = answer["ResponseMetadata"]
    record = server.handle.calls[-1]
    assert (record.operation, record.marketplace, record.requester, record.status) == (
        "GetAccountBalance",
        "sandbox",
        KEY,
        200,
    )
    assert record.request_id == metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]
    assert metadata["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"


def test_qualification_type_lifecycle(server, client):
    created = create_type(client, "Colour vision", Keywords="colour, vision")
    type_id = created["QualificationTypeId"]
    assert isinstance(created["CreationTime"], dt.datetime) and created["CreationTime"].tzinfo is not None
    fetched = client.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]
    assert fetched == created
    updated = client.update_qualification_type(
        QualificationTypeId=type_id,
        Description="Harder now",
        QualificationTypeStatus="Inactive",
        AutoGranted=True,
        AutoGrantedValue=3,
    )["QualificationType"]
    assert (
        updated["Description"],
        updated["QualificationTypeStatus"],
        updated["AutoGranted"],
        updated["AutoGrantedValue"],
    ) == ("Harder now", "Inactive", True, 3)
    assert client.delete_qualification_type(QualificationTypeId=type_id)["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(client.exceptions.RequestError):
        client.get_qualification_type(QualificationTypeId=type_id)
    assert [record.operation for record in server.handle.calls] == [
        "CreateQualificationType",
        "GetQualificationType",
        "UpdateQualificationType",
        "DeleteQualificationType",
        "GetQualificationType",
    ]


def test_list_with_boto3_paginator(server, client):
    names = [f"type {index:02}" for index in range(23)]
    for name in names:
        create_type(client, name)
    paginator = client.get_paginator("list_qualification_types")
    pages = list(
        paginator.paginate(MustBeRequestable=True, MustBeOwnedByCaller=True, PaginationConfig={"PageSize": 10})
    )
    assert [qual["Name"] for page in pages for qual in page["QualificationTypes"]] == names
    assert [page["NumResults"] for page in pages][:3] == [10, 10, 3]
    listings = server.handle.calls_to("ListQualificationTypes")
    assert all(record.request["MaxResults"] == 10 for record in listings)
    assert "NextToken" not in listings[0].request and "NextToken" in listings[1].request


def test_request_errors(server, client):
    create_type(client, "Taken")
    with pytest.raises(client.exceptions.RequestError) as duplicate:
        create_type(client, "Taken")
    assert duplicate.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationTypeAlreadyExists"
    assert duplicate.value.response["Error"]["Message"].startswith(
        "You have already created a QualificationType with this name."
    )
    with pytest.raises(client.exceptions.RequestError) as missing:
        client.get_qualification_type(QualificationTypeId="3NOSUCHTYPE0000000000000000000")
    assert missing.value.response["TurkErrorCode"] == "AWS.MechanicalTurk.QualificationTypeDoesNotExist"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_parameter_validation_error_body_carries_parameter(server, client):
    raw: list[bytes] = []
    client.meta.events.register(
        "after-call.mturk.ListQualificationTypes", lambda http_response, **_: raw.append(http_response.content)
    )
    with pytest.raises(ClientError) as raised:
        client.list_qualification_types(MustBeRequestable=True, MaxResults=101)
    assert type(raised.value) is ClientError
    assert raised.value.response["Error"]["Code"] == "ParameterValidationError"
    wire = json.loads(raw[0])
    assert (wire["__type"], wire["Parameter"], wire["TurkErrorCode"]) == (
        "ParameterValidationError",
        "MaxResults",
        "AWS.MechanicalTurk.InvalidParameterValue",
    )


def test_access_keys_are_requesters(server):
    one, two, unsigned = client_for(server, "AKIAONE"), client_for(server, "AKIATWO"), client_for(server, None)
    create_type(one, "first")
    create_type(two, "second")

    def owned(client) -> list[str]:
        page = client.list_qualification_types(MustBeRequestable=False, MustBeOwnedByCaller=True)
        return [qual["Name"] for qual in page["QualificationTypes"]]

    assert (owned(one), owned(two), owned(unsigned)) == (["first"], ["second"], [])
    assert [record.requester for record in server.handle.calls][-3:] == ["AKIAONE", "AKIATWO", DEFAULT_REQUESTER]


def test_same_bytes_as_the_in_process_transport():
    """One seeded world behind each transport, same call, same clock: identical wire bodies."""
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    request = {"Name": "Größe ✓", "Description": "naïve", "QualificationTypeStatus": "Active"}
    in_process: list[bytes] = []
    with MTurkMock(seed=7) as inproc:
        inproc.clock.freeze(moment)
        boto_client = _session().client(
            "mturk",
            region_name="us-east-1",
            endpoint_url=SANDBOX_ENDPOINT,
            config=Config(signature_version=botocore.UNSIGNED),
        )
        boto_client.meta.events.register(
            "after-call.mturk.*", lambda http_response, **_: in_process.append(http_response.content)
        )
        boto_client.create_qualification_type(**request)
    with MTurkServer(MTurkMock(seed=7), port=0) as served:
        served.world.clock.freeze(moment)
        status, headers, body = call(served, "CreateQualificationType", request)
    assert status == 200
    assert body == in_process[0] == canonical(body)
    assert "Größe ✓".encode() in body
    assert parsedate_to_datetime(headers["Date"]) == moment


# -- raw HTTP (curl) ------------------------------------------------------------------------------------


def test_raw_http_unsigned_is_the_default_requester(server):
    status, headers, body = call(
        server,
        "CreateQualificationType",
        {"Name": "curl", "Description": "via curl", "QualificationTypeStatus": "Active"},
    )
    assert status == 200
    assert body == canonical(body)
    assert json.loads(body)["QualificationType"]["Name"] == "curl"
    assert uuid.UUID(headers["x-amzn-RequestId"]).version == 4
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert int(headers["Content-Length"]) == len(body)
    assert parsedate_to_datetime(headers["Date"]).tzinfo is not None
    record = server.handle.calls[-1]
    assert (record.requester, record.request_id, record.response) == (
        DEFAULT_REQUESTER,
        headers["x-amzn-RequestId"],
        json.loads(body),
    )


def test_raw_http_signed_header_and_host_choose_requester_and_marketplace(server):
    authorization = (
        "AWS4-HMAC-SHA256 Credential=AKIARAW/20261122/us-east-1/mturk-requester/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00"
    )
    production = {"Host": "mturk-requester.us-east-1.amazonaws.com", "Authorization": authorization}
    status, _, _ = call(
        server,
        "CreateQualificationType",
        {"Name": "prod", "Description": "d", "QualificationTypeStatus": "Active"},
        **production,
    )
    assert status == 200
    assert (server.handle.calls[-1].marketplace, server.handle.calls[-1].requester) == ("production", "AKIARAW")
    listing = {"MustBeRequestable": True, "MustBeOwnedByCaller": True}
    _, _, sandbox_body = call(server, "ListQualificationTypes", listing, Authorization=authorization)
    _, _, production_body = call(server, "ListQualificationTypes", listing, **production)
    assert json.loads(sandbox_body)["NumResults"] == 0
    assert [qual["Name"] for qual in json.loads(production_body)["QualificationTypes"]] == ["prod"]


@pytest.mark.parametrize(
    ("header", "requester"),
    [
        ("AWS4-HMAC-SHA256 Credential=AKIAX/20261122/us-east-1/mturk-requester/aws4_request, Signature=1", "AKIAX"),
        (
            "AWS4-HMAC-SHA256 SignedHeaders=host, Credential=AKIAY/20261122/us-east-1/mturk-requester/aws4_request",
            "AKIAY",
        ),
        (None, DEFAULT_REQUESTER),
        ("", DEFAULT_REQUESTER),
        ("Basic dXNlcjpwYXNz", DEFAULT_REQUESTER),
        ("AWS4-HMAC-SHA256 Credential=", DEFAULT_REQUESTER),
        ("AWS AKIAOLD:signature", DEFAULT_REQUESTER),
    ],
)
def test_requester_from_authorization(header, requester):
    assert requester_from(header) == requester


@pytest.mark.parametrize(
    ("host", "marketplace"),
    [
        ("mturk-requester.us-east-1.amazonaws.com", "production"),
        ("MTURK-REQUESTER.us-east-1.amazonaws.com:443", "production"),
        ("mturk-requester-sandbox.us-east-1.amazonaws.com", "sandbox"),
        ("127.0.0.1:8443", "default"),
        ("mturk-requester.us-east-1.amazonaws.com.evil.example", "default"),
        (None, "default"),
    ],
)
def test_marketplace_from_host(host, marketplace):
    assert marketplace_from(host, "default") == marketplace


# -- malformed requests -------------------------------------------------------------------------------

LIST = {"X-Amz-Target": TARGET + "ListQualificationTypes"}
UNKNOWN = "com.amazon.coral.service#UnknownOperationException"
SERIALIZATION = "com.amazon.coral.service#SerializationException"


@pytest.mark.parametrize(
    ("method", "headers", "body", "status", "error_type"),
    [
        ("POST", {}, b"{}", 400, UNKNOWN),
        ("POST", {"X-Amz-Target": "DynamoDB_20120810.ListTables"}, b"{}", 400, UNKNOWN),
        ("POST", {"X-Amz-Target": TARGET}, b"{}", 400, UNKNOWN),
        ("POST", {"X-Amz-Target": TARGET + "Frobnicate"}, b"{}", 400, UNKNOWN),
        ("POST", LIST, b"not json", 400, SERIALIZATION),
        ("POST", LIST, b"[1,2]", 400, SERIALIZATION),
        ("POST", LIST, b"[" * 200_000, 400, SERIALIZATION),
        ("POST", LIST, b'{"MustBeRequestable": "yes"}', 400, SERIALIZATION),
        ("POST", LIST, b"{}", 400, "ParameterValidationError"),
        ("POST", LIST, b"x" * (http_server.MAX_BODY_BYTES + 1), 413, "RequestEntityTooLarge"),
        ("GET", {}, b"", 405, "MethodNotAllowed"),
        ("DELETE", LIST, b"", 405, "MethodNotAllowed"),
    ],
)
def test_malformed_request_gets_json_error_and_server_keeps_serving(server, method, headers, body, status, error_type):
    answer_status, answer_headers, answer = post(server.url, body, headers, method)
    assert answer_status == status
    assert answer == canonical(answer)
    assert json.loads(answer)["__type"] == error_type
    assert answer_headers["Content-Type"] == "application/x-amz-json-1.1"
    assert uuid.UUID(answer_headers["x-amzn-RequestId"]).version == 4
    assert_serves(server)


def test_wrong_member_type_is_answered_by_the_validator(server):
    status, _, body = post(server.url, b'{"MustBeRequestable": "yes"}', LIST)
    message = "Unexpected value type for MustBeRequestable: expected a boolean"
    assert (status, json.loads(body)["Message"]) == (400, message)
    assert server.handle.calls[-1].error_code == "SerializationException"


def raw_exchange(server: MTurkServer, data: bytes) -> bytes:
    """Send bytes on a fresh connection and read the whole answer (the server closes after an error)."""
    with socket.create_connection((server.host, server.port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    ("data", "status", "error_type"),
    [
        (b"GARBAGE\r\n\r\n", 400, "BadRequest"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n", 413, "RequestEntityTooLarge"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", 400, "BadRequest"),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            411,
            "LengthRequired",
        ),
        (b"POST /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", 404, "NotFound"),
        (b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", 405, None),
    ],
)
def test_framing_errors_answer_json_and_close(server, data, status, error_type):
    head, _, body = raw_exchange(server, data).partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == str(status).encode()
    assert b"\r\nconnection: close" in head.lower()
    if error_type is None:  # HEAD: headers only
        assert body == b""
    else:
        assert json.loads(body)["__type"] == error_type
    assert_serves(server)


def test_keep_alive_connection_survives_a_rejected_body(server):
    connection = http.client.HTTPConnection(server.host, server.port, timeout=TIMEOUT)
    try:
        for body, status in (
            (b"not json", 400),
            (b"x" * (http_server.MAX_BODY_BYTES + 1), 413),
            (b'{"MustBeRequestable": false}', 200),
        ):
            connection.request("POST", "/", body, LIST)
            response = connection.getresponse()
            response.read()
            assert response.status == status
            assert response.getheader("Connection") is None  # the same connection is reused
    finally:
        connection.close()


def test_unexpected_failure_is_a_service_fault_and_server_keeps_serving(server, monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(http_app, "handle_request", broken)
    status, _, body = call(server, "GetAccountBalance")
    monkeypatch.undo()
    wire = json.loads(body)
    assert (status, wire["__type"], wire["TurkErrorCode"]) == (500, "ServiceFault", "AWS.MechanicalTurk.ServiceFault")
    assert "boom" in wire["Message"]
    assert "mturk_mock server failed" in caplog.text
    assert_serves(server)


# -- the server object ----------------------------------------------------------------------------------


def test_lifecycle_and_guards():
    handle = MTurkMock()
    server = MTurkServer(handle, port=0)
    assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
    with server:
        assert_serves(server)
        with pytest.raises(RuntimeError):
            server.start()
    server.stop()  # idempotent
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.port), timeout=TIMEOUT).close()
    with pytest.raises(RuntimeError):
        server.start()
    with handle, pytest.raises(ValueError, match="inactive"):
        MTurkServer(handle, port=0)
    with pytest.raises(ValueError, match="marketplace"):
        MTurkServer(port=0, marketplace="moon")


def test_stop_is_not_held_up_by_idle_keep_alive_connections():
    server = MTurkServer(port=0).start()
    connection = http.client.HTTPConnection(server.host, server.port, timeout=TIMEOUT)
    connection.request("POST", "/", b"{}", {"X-Amz-Target": TARGET + "GetAccountBalance"})
    assert connection.getresponse().read()
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(http_server.STOP_TIMEOUT / 2)
    connection.close()
    assert not stopper.is_alive()


def test_concurrent_clients(server):
    threads, calls_each = 8, 50

    clients = [client_for(server, f"AKIATHREAD{index}") for index in range(threads)]  # sessions are not thread-safe

    def work(client) -> list[str]:
        ids = []
        for number in range(calls_each // 2):
            created = create_type(client, f"t{number}")
            ids.append(
                client.get_qualification_type(QualificationTypeId=created["QualificationTypeId"])["QualificationType"][
                    "QualificationTypeId"
                ]
            )
        return ids

    with ThreadPoolExecutor(threads) as pool:
        results = [future.result(timeout=60) for future in [pool.submit(work, client) for client in clients]]
    all_ids = [type_id for ids in results for type_id in ids]
    assert len(all_ids) == len(set(all_ids)) == threads * calls_each // 2
    assert len(server.handle.calls) == threads * calls_each
    assert all(record.ok for record in server.handle.calls)


# -- the AWS CLI ----------------------------------------------------------------------------------------


@pytest.fixture
def aws(server, tmp_path):
    env = {
        name: value for name, value in os.environ.items() if not name.startswith("AWS_") and name not in PROXY_VARIABLES
    }
    env.update(
        AWS_ACCESS_KEY_ID=KEY,
        AWS_SECRET_ACCESS_KEY="x",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_PAGER="",
        AWS_CONFIG_FILE=str(tmp_path / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        NO_PROXY="127.0.0.1,localhost",
    )

    def run(*args: str, ok: bool = True):
        result = subprocess.run(
            [sys.executable, "-m", "awscli", "mturk", *args, "--endpoint-url", server.url, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if ok:
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout) if result.stdout.strip() else {}
        return result

    return run


def test_aws_cli_create_update_get(server, aws):
    assert aws("get-account-balance")["AvailableBalance"] == "10000.00"
    created = aws(
        "create-qualification-type",
        "--name",
        "CLI type",
        "--description",
        "made by the CLI",
        "--qualification-type-status",
        "Active",
    )["QualificationType"]
    type_id = created["QualificationTypeId"]
    assert (created["Name"], created["IsRequestable"]) == ("CLI type", True)
    updated = aws(
        "update-qualification-type",
        "--qualification-type-id",
        type_id,
        "--description",
        "changed",
        "--qualification-type-status",
        "Inactive",
        "--retry-delay-in-seconds",
        "60",
        "--auto-granted",
        "--auto-granted-value",
        "3",
    )["QualificationType"]
    assert (
        updated["Description"],
        updated["QualificationTypeStatus"],
        updated["RetryDelayInSeconds"],
        updated["AutoGranted"],
        updated["AutoGrantedValue"],
    ) == ("changed", "Inactive", 60, True, 3)
    fetched = aws("get-qualification-type", "--qualification-type-id", type_id)["QualificationType"]
    assert fetched == updated
    assert {record.requester for record in server.handle.calls} == {KEY}


def test_aws_cli_list_pagination(server, aws):
    names = [f"listed {index}" for index in range(5)]
    for name in names:
        create_type(client_for(server), name)
    first = aws("list-qualification-types", "--must-be-requestable", "--page-size", "2", "--max-items", "3")
    assert [qual["Name"] for qual in first["QualificationTypes"]] == names[:3]
    rest = aws(
        "list-qualification-types", "--must-be-requestable", "--page-size", "2", "--starting-token", first["NextToken"]
    )
    assert [qual["Name"] for qual in rest["QualificationTypes"]] == names[3:]
    assert "NextToken" not in rest
    assert {record.request["MaxResults"] for record in server.handle.calls_to("ListQualificationTypes")} == {2}


def test_aws_cli_service_error(aws):
    result = aws("get-qualification-type", "--qualification-type-id", "3NOSUCHTYPE0000000000000000000", ok=False)
    assert result.returncode in (254, 255)
    assert "RequestError" in result.stderr and "does not exist" in result.stderr


def test_aws_cli_associate_and_score(server, aws):
    type_id = create_type(client_for(server), "scored")["QualificationTypeId"]
    aws(
        "associate-qualification-with-worker",
        "--qualification-type-id",
        type_id,
        "--worker-id",
        WORKER,
        "--integer-value",
        "5",
        "--no-send-notification",
    )
    score = aws("get-qualification-score", "--qualification-type-id", type_id, "--worker-id", WORKER)
    assert (score["Qualification"]["WorkerId"], score["Qualification"]["IntegerValue"]) == (WORKER, 5)


# -- the CLI process ------------------------------------------------------------------------------------


def read_line(process: subprocess.Popen, timeout: float) -> str:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the server printed nothing"
    return process.stdout.readline()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_process_serves_and_stops_on_signal(signum):
    process = subprocess.Popen(
        [sys.executable, "-m", "mturk_mock", "serve", "--port", "0", "--marketplace", "production"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = read_line(process, TIMEOUT)
        assert (
            line.startswith("mturk-mock: listening on http://127.0.0.1:") and "(marketplace production; -v logs" in line
        )
        assert line.endswith(f"; website {line.split()[3]}/site/\n")
        url = line.split()[3]
        assert int(url.rsplit(":", 1)[1]) > 0
        status, _, body = post(url, b"{}", {"X-Amz-Target": TARGET + "GetAccountBalance"})
        assert (status, json.loads(body)) == (200, {"AvailableBalance": "10000.00"})
        idle = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=TIMEOUT)
        idle.request("POST", "/", b"{}", {"X-Amz-Target": TARGET + "GetAccountBalance"})
        assert idle.getresponse().read()  # left open: stopping must not wait for it
        process.send_signal(signum)
        assert process.wait(timeout=5) == 0
        idle.close()
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_cli_reports_a_busy_port(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["serve", "--port", str(taken.getsockname()[1])]) == 1
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


def test_cli_rejects_bad_arguments(capsys):
    for argv in (["serve", "--port", "70000"], ["serve", "--marketplace", "moon"], []):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2

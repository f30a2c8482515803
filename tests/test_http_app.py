"""The HTTP adapter without sockets (issue 15): ``MTurkApp.respond`` and the WSGI callable over the pipeline."""

from __future__ import annotations

import io
import json
import threading
import time
import wsgiref.util
import wsgiref.validate

import pytest

from mturk_mock import MTurkMock
from mturk_mock.constants import DEFAULT_REQUESTER
from mturk_mock.transport.http_app import CLOSE, MAX_BODY_BYTES, MTurkApp, requester_from

TARGET = "MTurkRequesterServiceV20170117."
SIGNED = "AWS4-HMAC-SHA256 Credential=AKIAAPP/20261122/us-east-1/mturk-requester/aws4_request, Signature=0"


@pytest.fixture
def app() -> MTurkApp:
    return MTurkApp(MTurkMock(), "sandbox")


def headers_of(answer) -> dict[str, str]:
    return {name.lower(): value for name, value in answer.headers}


def test_an_operation_is_answered_and_logged(app):
    answer = app.respond("POST", "/", {"x-amz-target": TARGET + "GetAccountBalance", "authorization": SIGNED}, b"{}")
    assert (answer.status, json.loads(answer.body), answer.close) == (200, {"AvailableBalance": "10000.00"}, False)
    headers = headers_of(answer)
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["content-length"] == str(len(answer.body))
    record = app.handle.calls[-1]
    assert (record.operation, record.requester, record.request_id) == (
        "GetAccountBalance",
        "AKIAAPP",
        headers["x-amzn-requestid"],
    )


def test_the_host_header_chooses_the_marketplace(app):
    body = json.dumps({"Name": "p", "Description": "d", "QualificationTypeStatus": "Active"}).encode()
    host = {"host": "mturk-requester.us-east-1.amazonaws.com:443"}
    answer = app.respond("POST", "/", {"x-amz-target": TARGET + "CreateQualificationType", **host}, body)
    assert answer.status == 200
    assert (app.handle.calls[-1].marketplace, app.handle.calls[-1].requester) == ("production", DEFAULT_REQUESTER)


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "error_type", "close"),
    [
        ("GET", "/", {}, b"", 405, "MethodNotAllowed", True),
        ("POST", "/", {"transfer-encoding": "chunked"}, b"{}", 411, "LengthRequired", True),
        ("POST", "/other", {"x-amz-target": TARGET + "GetAccountBalance"}, b"{}", 404, "NotFound", False),
        ("POST", "/", {"x-amz-target": TARGET + "GetAccountBalance"}, b" " * (MAX_BODY_BYTES + 1), 413, None, False),
        ("POST", "/", {}, b"{}", 400, "com.amazon.coral.service#UnknownOperationException", False),
        ("POST", "/", {"x-amz-target": TARGET + "ListQualificationTypes"}, b"[", 400, None, False),
    ],
)
def test_refusals_are_json(app, method, path, headers, body, status, error_type, close):
    answer = app.respond(method, path, headers, body)
    assert (answer.status, answer.close) == (status, close)
    wire = json.loads(answer.body)
    assert error_type is None or wire["__type"] == error_type
    assert headers_of(answer)["content-type"] == "application/x-amz-json-1.1"


def test_refusals_before_dispatch_are_not_calls_but_unknown_targets_are(app):
    app.respond("GET", "/", {}, b"")
    app.respond("POST", "/elsewhere", {"x-amz-target": TARGET + "GetAccountBalance"}, b"{}")
    assert app.handle.calls == []
    app.respond("POST", "/", {"x-amz-target": "Nope"}, b"{}")
    assert [record.error_code for record in app.handle.calls] == ["UnknownOperationException"]


def test_a_failure_inside_is_a_service_fault(app, monkeypatch, caplog):
    from mturk_mock.transport import http_app

    monkeypatch.setattr(http_app, "handle_request", lambda *args: 1 / 0)
    answer = app.respond("POST", "/", {"x-amz-target": TARGET + "GetAccountBalance"}, b"{}")
    assert (answer.status, json.loads(answer.body)["__type"], answer.close) == (500, "ServiceFault", True)
    assert "mturk_mock server failed" in caplog.text


def _environ(method: str, body: bytes, **headers: str) -> dict:
    environ: dict = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": "/", "QUERY_STRING": ""}
    environ["wsgi.input"] = io.BytesIO(body)
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    environ.update({"HTTP_" + name.upper(): value for name, value in headers.items()})
    wsgiref.util.setup_testing_defaults(environ)
    return environ


def _call_wsgi(application, environ) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: list = []
    chunks = application(environ, lambda status, headers, exc_info=None: seen.extend([status, headers]))
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return seen[0], seen[1], body


def test_the_wsgi_callable_follows_pep_3333(app):
    checked = wsgiref.validate.validator(app)  # refuses hop-by-hop headers, bad status lines, unread input...
    status, headers, body = _call_wsgi(checked, _environ("POST", b"{}", X_AMZ_TARGET=TARGET + "GetAccountBalance"))
    assert status == "200 OK" and json.loads(body) == {"AvailableBalance": "10000.00"}
    assert all(name.lower() != "connection" for name, _ in headers)
    status, headers, body = _call_wsgi(checked, _environ("DELETE", b""))
    assert status == "405 Method Not Allowed" and ("Allow", "POST") in headers


def test_the_wsgi_callable_asks_the_server_to_close_and_sends_no_body_to_head(app):
    environ = _environ("HEAD", b"")
    status, headers, body = _call_wsgi(app, environ)
    assert status.startswith("405") and body == b"" and environ[CLOSE] is True
    assert int(dict(headers)["Content-Length"]) > 0  # what a GET would have carried
    environ = _environ("POST", b"{}", X_AMZ_TARGET=TARGET + "GetAccountBalance")
    _call_wsgi(app, environ)
    assert CLOSE not in environ


def test_the_wsgi_callable_refuses_an_oversized_body_without_reading_it(app):
    environ = _environ("POST", b"", X_AMZ_TARGET=TARGET + "GetAccountBalance")
    environ["CONTENT_LENGTH"] = str(MAX_BODY_BYTES + 1)
    environ["wsgi.input"] = io.BytesIO(b"")  # reading it would return short: it must not be read
    status, _, body = _call_wsgi(app, environ)
    assert status.startswith("413") and json.loads(body)["__type"] == "RequestEntityTooLarge"


@pytest.mark.parametrize(
    "header",
    [
        "AWS4-HMAC-SHA256 " + "Credential=" * 100_000,
        "AWS4-HMAC-SHA256 " + "xCredential=" * 100_000,
        "AWS4-HMAC-SHA256 Credential=" + "A" * 1_000_000,
        "AWS4-" + "A" * 1_000_000,
        "AWS4-HMAC-SHA256 " + " " * 1_000_000 + "Credential=",
    ],
)
def test_requester_from_a_hostile_header_is_linear(header):
    """Liveness, not speed: the old pattern needed minutes for these (it grew quadratically); one second is ample."""
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(requester_from(header)), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(1.0)
    assert result == [DEFAULT_REQUESTER], f"still parsing after {time.monotonic() - started:.1f} s"


def test_the_control_endpoint_is_routed_and_is_not_a_call(app):
    from mturk_mock.transport import control

    answer = app.respond("POST", control.CONTROL_PATH, {}, b"{}")
    assert answer.status == 200 and "rules" in json.loads(answer.body)
    assert app.respond("GET", control.CONTROL_PATH, {}, b"").status == 405
    assert app.handle.calls == []

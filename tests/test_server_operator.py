"""Server mode tells the operator what happens (issue 18, point 5): one log line per request naming the
operation, requester, marketplace, status, error code and the reason; an unwritable ``--state`` refused
at start-up, not at shutdown; ``mturk-mock --version``."""

from __future__ import annotations

import io
import os
import pathlib
import sys

import botocore
import pytest

from mturk_mock import MTurkMock, MTurkServer, __version__
from mturk_mock.cli import main
from mturk_mock.transport.http_app import MTurkApp

from .samples import QF17
from .test_server import KEY, TIMEOUT, _loopback_only, client_for, create_type  # noqa: F401 - fixture

SANDBOX_HOST = "mturk-requester-sandbox.us-east-1.amazonaws.com"


def wsgi_call(app: MTurkApp, target: str, body: bytes, **headers: str) -> None:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_AMZ_TARGET": target,
        "wsgi.input": io.BytesIO(body),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    app(environ, lambda status, headers: None)


def test_each_request_is_one_line_with_operation_requester_marketplace_status_and_reason(capsys):
    app = MTurkApp(MTurkMock(), "sandbox", verbose=True)
    target = "MTurkRequesterServiceV20170117."
    wsgi_call(app, target + "GetAccountBalance", b"{}")
    signed = f"AWS4-HMAC-SHA256 Credential={KEY}/20260101/us-east-1/mturk-requester/aws4_request, Signature=x"
    bad_test = (
        b'{"Name":"n","Description":"d","QualificationTypeStatus":"Active","Test":"<QuestionForm/>",'
        b'"TestDurationInSeconds":60}'
    )
    wsgi_call(app, target + "CreateQualificationType", bad_test, authorization=signed)
    wsgi_call(app, target + "GetHIT", b'{"HITId":"NOSUCHHIT"}', host="mturk-requester.us-east-1.amazonaws.com")
    wsgi_call(app, "Nope", b"{}")
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "127.0.0.1 POST / GetAccountBalance requester=<default> marketplace=sandbox 200"
    assert lines[1] == (
        f"127.0.0.1 POST / CreateQualificationType requester={KEY} marketplace=sandbox 400 ParameterValidationError: "
        f"Test: QuestionForm has no namespace; expected '{QF17}' or "
        "'http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd'"
    )
    assert lines[2] == "127.0.0.1 POST / GetHIT requester=<default> marketplace=production 400 RequestError"
    assert lines[3] == "127.0.0.1 POST / Nope requester=<default> marketplace=sandbox 400 UnknownOperationException"
    assert len(lines) == 4


def test_the_server_call_log_carries_the_reason_too():
    with MTurkServer(MTurkMock(), port=0) as server:
        client = client_for(server)
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            create_type(client, "t", Test="<QuestionForm", TestDurationInSeconds=60)
    assert raised.value.response["Error"]["Message"].startswith('The value "<QuestionForm" is not valid')
    assert server.handle.calls[-1].detail.startswith("Test: not well-formed XML")


def test_an_unwritable_state_path_is_refused_at_start_up(tmp_path, capsys):
    missing_directory = tmp_path / "no" / "such" / "state.json"
    assert main(["serve", "--port", "0", "--state", str(missing_directory)]) == 1
    assert f"cannot write state to {missing_directory}" in capsys.readouterr().err
    assert main(["serve", "--port", "0", "--state", str(tmp_path)]) == 1  # a directory
    assert f"cannot load state from {tmp_path}: [Errno 21] Is a directory" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # the check leaves nothing behind


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_read_only_place_is_refused_at_start_up(tmp_path, capsys):
    """A read-only directory; as root, who may write anywhere else, sysfs (read-only even for root)."""
    directory = tmp_path / "read-only"
    directory.mkdir(mode=0o555)
    if os.geteuid() == 0:
        directory = pathlib.Path("/sys")
        if not directory.is_dir():
            pytest.skip("running as root without /sys: no place root cannot write")
    state = directory / "mturk-mock-state.json"
    try:
        assert main(["serve", "--port", "0", "--state", str(state)]) == 1
    finally:
        (tmp_path / "read-only").chmod(0o755)
    assert capsys.readouterr().err == f"mturk-mock: cannot write state to {state}: Permission denied\n"


def test_a_writable_state_path_is_checked_without_leaving_a_file(tmp_path):
    from mturk_mock.state_file import check_writable

    check_writable(tmp_path / "state.json")
    assert list(tmp_path.iterdir()) == []


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"mturk-mock {__version__} (botocore {botocore.__version__}, Python ")

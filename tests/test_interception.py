"""Every MTurk client is intercepted while the mock is active, nothing leaves the process, and an
inactive mock leaves botocore exactly as it was (issue 2, requirements 2, 4 and 9)."""

from __future__ import annotations

import os
import socket

import boto3
import botocore
import botocore.session
import pytest
from botocore.config import Config
from botocore.endpoint import Endpoint
from botocore.exceptions import ClientError, HTTPClientError
from botocore.hooks import HierarchicalEmitter
from botocore.stub import Stubber

from mturk_mock import NetworkBlocked, mock_mturk_qual

from .unimplemented import hide

SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
UNSIGNED = Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1})

# Created when this module is imported, long before any mock starts.
CLIENT_AT_IMPORT = boto3.client(
    "mturk",
    region_name="us-east-1",
    endpoint_url=SANDBOX,
    aws_access_key_id="AKIAIMPORT",
    aws_secret_access_key="secret",
)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def _clients():
    yield "client created at import", CLIENT_AT_IMPORT
    yield "boto3 default session", boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX)
    yield "new boto3.Session", boto3.Session(region_name="us-east-1").client("mturk", endpoint_url=SANDBOX)
    yield "botocore session", botocore.session.get_session().create_client("mturk", region_name="us-east-1")
    yield "pseudo-region sandbox", boto3.Session().client("mturk", region_name="sandbox")
    yield "no credentials at all", boto3.Session().client("mturk", region_name="us-east-1", config=UNSIGNED)


def test_every_kind_of_client_is_answered_without_touching_the_network(no_network):
    with mock_mturk_qual() as mturk:
        for label, client in _clients():
            assert client.get_account_balance()["AvailableBalance"] == "10000.00", label
    assert len(mturk.calls) == 6
    assert no_network == []


def test_client_created_before_the_mock_is_routed_by_its_endpoint(no_network):
    production = boto3.client(
        "mturk", region_name="us-east-1", aws_access_key_id="AKIAPROD", aws_secret_access_key="secret"
    )
    with mock_mturk_qual() as mturk:
        production.get_account_balance()
        boto3.Session().client("mturk", region_name="sandbox", config=UNSIGNED).get_account_balance()
    assert [(c.marketplace, c.requester) for c in mturk.calls] == [("production", "AKIAPROD"), ("sandbox", "<default>")]


def test_a_request_that_reaches_the_http_layer_is_blocked(no_network):
    client = boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX, config=UNSIGNED)
    operation = client.meta.service_model.operation_model("GetAccountBalance")
    request_dict = client._convert_to_request_dict({}, operation, SANDBOX, context={})
    with mock_mturk_qual(), pytest.raises(NetworkBlocked, match="nothing was sent"):
        client._endpoint.make_request(operation, request_dict)
    assert no_network == []


def test_unimplemented_operation_names_itself_and_stays_local(no_network, monkeypatch):
    hide(monkeypatch, "ListHITs")
    with mock_mturk_qual() as mturk:
        client = boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX, config=UNSIGNED)
        with pytest.raises(ClientError) as raised:
            client.list_hits()
    assert raised.value.response["Error"]["Code"] == "NotImplemented"
    assert "does not implement ListHITs" in raised.value.response["Error"]["Message"]
    assert mturk.calls[0].error_code == "NotImplemented"


def test_botocore_validation_still_happens_before_the_mock():
    with mock_mturk_qual() as mturk:
        client = boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX, config=UNSIGNED)
        with pytest.raises(botocore.exceptions.ParamValidationError):
            client.list_qualification_types(MaxResults=0)  # min 1; MustBeRequestable missing
    assert mturk.calls == []


def test_a_stubber_on_the_client_keeps_priority():
    client = boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX, config=UNSIGNED)
    with mock_mturk_qual() as mturk:
        with Stubber(client) as stub:
            stub.add_response("get_account_balance", {"AvailableBalance": "1.00"})
            assert client.get_account_balance()["AvailableBalance"] == "1.00"
        assert client.get_account_balance()["AvailableBalance"] == "10000.00"
    assert len(mturk.calls) == 1


def test_other_services_are_not_intercepted_while_active():
    s3 = boto3.client("s3", region_name="us-east-1", config=UNSIGNED)
    with mock_mturk_qual() as mturk, Stubber(s3) as stub:
        stub.add_response("list_buckets", {"Buckets": []})
        assert s3.list_buckets()["Buckets"] == []
    assert mturk.calls == []


def test_inactive_mock_leaves_botocore_untouched(no_network):
    environment = dict(os.environ)
    default_session = boto3.DEFAULT_SESSION
    originals = (HierarchicalEmitter.emit_until_response, Endpoint._send)
    with mock_mturk_qual():
        assert HierarchicalEmitter.emit_until_response is not originals[0]
    assert (HierarchicalEmitter.emit_until_response, Endpoint._send) == originals
    assert dict(os.environ) == environment
    assert boto3.DEFAULT_SESSION is default_session
    client = boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX, config=UNSIGNED)
    with pytest.raises(HTTPClientError):
        client.get_account_balance()  # a real attempt to connect, refused by the fixture
    assert no_network, "after stop the client must go to the network as botocore would"


def test_creating_a_client_without_credentials_fetches_nothing(no_network, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    with mock_mturk_qual() as mturk:
        client = boto3.Session().client("mturk", region_name="us-east-1", endpoint_url=SANDBOX)
        client.get_account_balance()
    assert mturk.calls[0].requester == "<default>"
    assert no_network == []


def test_a_client_created_before_mturk_mock_is_imported_is_intercepted():
    script = """
import socket
def refuse(*args, **kwargs):
    raise AssertionError("network access attempted")
socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse
import boto3, botocore
from botocore.config import Config
client = boto3.client("mturk", region_name="sandbox", config=Config(signature_version=botocore.UNSIGNED))
import sys
assert "mturk_mock" not in sys.modules
from mturk_mock import mock_mturk_qual
with mock_mturk_qual() as mturk:
    print(client.get_account_balance()["AvailableBalance"], len(mturk.calls))
"""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["10000.00", "1"]


def test_the_clients_own_before_call_handlers_still_run():
    client = boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX, config=UNSIGNED)
    seen = []
    client.meta.events.register("before-call.mturk.GetAccountBalance", lambda params, **_: seen.append(params["url"]))
    with mock_mturk_qual() as mturk:
        client.get_account_balance()
        client.get_account_balance()
    assert seen == [SANDBOX + "/"] * 2 and len(mturk.calls) == 2

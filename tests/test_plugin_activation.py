"""Consistent activation under pytest (issue 18, points 2, 4 and 7): a mock for every test on request, a strict
mode that refuses MTurk calls outside a mock, one handle per test whatever meets on it (decorator, marker,
fixtures, a mock already active), and isolated mocks in each pytest-xdist worker. Inner suites run in
pytester; anything that would leave the process goes to a closed loopback port instead of AWS."""

from __future__ import annotations

import pytest

# Imported here, so that pytester's in-process runs share these modules instead of importing them anew.
import mturk_mock.mock
import mturk_mock.plugin_support
import mturk_mock.transport.strict  # noqa: F401

INNER = ("-p", "no:cacheprovider", "-q")  # with the mock's plugin alone (tests/conftest.py's pytester)
HEADER = """
import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.stub import Stubber

import mturk_mock
from mturk_mock import UnmockedCall, current, mock_mturk  # the fixture named mturk_mock shadows the module

FAKE = {"aws_access_key_id": "AKIAPLUGIN", "aws_secret_access_key": "x"}


def client(region="sandbox"):
    return boto3.client("mturk", region_name=region, **FAKE)


def create(c, name="same name"):
    return c.create_qualification_type(Name=name, Description="d", QualificationTypeStatus="Active")
"""


@pytest.fixture
def offline(monkeypatch):
    """Whatever escapes the mock meets a closed port on the loopback interface, never AWS."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


# -- a mock for every test ---------------------------------------------------------------------------


AUTOUSE_SUITE = (
    HEADER
    + """
def test_a_plain_test_is_mocked():
    assert mturk_mock.current() is not None
    create(client())


def test_and_isolated_from_the_one_before():
    create(client())  # the same name again: a new marketplace


def test_the_fixture_is_the_active_mock(mturk_mock, mturk_client):
    assert mturk_mock is current()
    mturk_client.get_account_balance()
    assert [call.operation for call in mturk_mock.calls] == ["GetAccountBalance"]


@pytest.mark.no_mturk_mock
def test_a_test_can_opt_out(monkeypatch):
    assert mturk_mock.current() is None
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # past the closed proxy of this suite, to the loopback server
    handle = mturk_mock.MTurkMock()
    with mturk_mock.MTurkServer(handle) as server:
        local = boto3.client("mturk", region_name="us-east-1", endpoint_url=server.url, **FAKE)
        local.get_account_balance()
    assert [call.operation for call in handle.calls] == ["GetAccountBalance"]  # answered over HTTP
"""
)


@pytest.mark.parametrize("how", ["option", "ini"])
def test_every_test_gets_a_mock_on_request(pytester, offline, how):
    pytester.makepyfile(test_inner=AUTOUSE_SUITE)
    if how == "ini":
        pytester.makeini("[pytest]\nmturk_mock_autouse = true\n")
        result = pytester.runpytest(*INNER)
    else:
        result = pytester.runpytest(*INNER, "--mturk-mock-all")
    result.assert_outcomes(passed=4)


def test_without_the_option_a_plain_test_is_not_mocked(pytester, offline):
    pytester.makepyfile(test_inner=HEADER + "\ndef test_plain():\n    assert mturk_mock.current() is None\n")
    pytester.runpytest(*INNER).assert_outcomes(passed=1)


# -- strict mode ---------------------------------------------------------------------------------------


STRICT_SUITE = (
    HEADER
    + """
def test_a_forgotten_mock_fails_loudly():
    with pytest.raises(UnmockedCall) as raised:
        client().get_account_balance()
    message = str(raised.value)
    assert "GetAccountBalance was called on an MTurk client while no mock was active" in message
    assert "https://mturk-requester-sandbox.us-east-1.amazonaws.com" in message and "Nothing was sent" in message


def test_an_async_client_is_refused_too():
    import asyncio

    from aiobotocore.session import AioSession

    async def call():
        async with AioSession().create_client("mturk", region_name="sandbox", **FAKE) as async_client:
            await async_client.get_account_balance()

    with pytest.raises(UnmockedCall, match="GetAccountBalance was called on an MTurk client"):
        asyncio.run(call())


def test_a_mocked_test_is_untouched(mturk_client):
    assert mturk_client.get_account_balance()["AvailableBalance"] == "10000.00"


@mock_mturk
def test_a_decorated_test_is_untouched():
    create(client())


def test_a_stubbed_client_answers_by_itself():
    c = client()
    with Stubber(c) as stubber:
        stubber.add_response("get_account_balance", {"AvailableBalance": "1.00"})
        assert c.get_account_balance()["AvailableBalance"] == "1.00"


def test_a_client_of_a_local_server_is_not_refused(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # past the closed proxy of this suite, to the loopback server
    with mturk_mock.MTurkServer(mturk_mock.MTurkMock()) as server:
        local = boto3.client("mturk", region_name="us-east-1", endpoint_url=server.url, **FAKE)
        assert local.get_account_balance()["AvailableBalance"] == "10000.00"


def test_other_services_are_not_touched():
    sts = boto3.client("sts", region_name="us-east-1", **FAKE)
    with Stubber(sts) as stubber:
        stubber.add_response("get_caller_identity", {"Account": "123456789012"})
        assert sts.get_caller_identity()["Account"] == "123456789012"
    s3 = boto3.client("s3", region_name="us-east-1", config=Config(retries={"max_attempts": 0}), **FAKE)
    with pytest.raises(botocore.exceptions.ConnectionError):  # the closed proxy port, not strict mode
        s3.list_buckets()
"""
)


@pytest.mark.parametrize("how", ["option", "ini"])
def test_strict_mode_refuses_mturk_calls_outside_a_mock(pytester, offline, how):
    pytester.makepyfile(test_inner=STRICT_SUITE)
    if how == "ini":
        pytester.makeini("[pytest]\nmturk_mock_strict = true\n")
        result = pytester.runpytest(*INNER)
    else:
        result = pytester.runpytest(*INNER, "--mturk-mock-strict")
    result.assert_outcomes(passed=7)


def test_strict_mode_ends_with_the_session(pytester, offline):
    from aiobotocore.hooks import AioHierarchicalEmitter
    from botocore.hooks import HierarchicalEmitter

    before = [vars(emitter)["emit_until_response"] for emitter in (HierarchicalEmitter, AioHierarchicalEmitter)]
    pytester.makepyfile(test_inner=HEADER + "\ndef test_nothing():\n    pass\n")
    pytester.runpytest(*INNER, "--mturk-mock-strict").assert_outcomes(passed=1)
    assert [vars(emitter)["emit_until_response"] for emitter in (HierarchicalEmitter, AioHierarchicalEmitter)] == before


# -- one handle per test -----------------------------------------------------------------------------


ONE_HANDLE_SUITE = (
    HEADER
    + """
@mock_mturk(seed=7, marketplace="production")
def test_decorator_and_fixtures_share_one_mock(mturk_mock, mturk_client):
    assert mturk_mock is current()
    assert mturk_mock.default_marketplace == "production" and mturk_mock._options["seed"] == 7
    mturk_client.get_account_balance()
    create(client("us-east-1"))
    assert [call.operation for call in mturk_mock.calls] == ["GetAccountBalance", "CreateQualificationType"]


@mock_mturk
def test_a_decorated_test_without_fixtures_works_as_before():
    assert current() is not None


@mock_mturk(seed=5)
@pytest.mark.mturk_mock(search_lag=30)
def test_decorator_and_marker_options_combine(mturk_mock):
    assert mturk_mock is current()
    assert (mturk_mock._options["seed"], mturk_mock._options["search_lag"]) == (5, 30)


@mock_mturk(seed=5)
@pytest.mark.mturk_mock(seed=6)
def test_decorator_and_marker_that_disagree_are_refused(mturk_mock):
    raise AssertionError("never runs")


@pytest.mark.mturk_mock(seed=4)
def test_the_marker_alone_activates_the_mock():
    assert current()._options["seed"] == 4


@mock_mturk(marketplace="production")
class TestDecoratedClass:
    def test_methods_share_one_mock_with_fixtures(self, mturk_mock, mturk_client):
        assert mturk_mock is current() and mturk_mock.default_marketplace == "production"
        mturk_client.get_account_balance()
        assert len(mturk_mock.calls) == 1


@pytest.fixture(scope="module")
def outer():
    with mock_mturk(seed=1) as handle:
        yield handle


def test_inside_an_active_mock_the_fixture_is_that_mock(outer, mturk_mock, mturk_client):
    assert mturk_mock is outer is current()
    mturk_client.get_account_balance()
    assert outer.calls[-1].operation == "GetAccountBalance"


@pytest.mark.mturk_mock(seed=9)
def test_inside_an_active_mock_marker_options_are_refused(outer, mturk_mock):
    raise AssertionError("never runs")
"""
)


def test_one_handle_per_test(pytester, offline):
    pytester.makepyfile(test_inner=ONE_HANDLE_SUITE)
    result = pytester.runpytest(*INNER, "-rE")
    result.assert_outcomes(passed=6, errors=2)
    result.stdout.fnmatch_lines(
        [
            "mturk_mock: @mock_mturk and @pytest.mark.mturk_mock on "
            "test_inner.py::test_decorator_and_marker_that_disagree_are_refused disagree on seed; "
            "give each option in one place",
            "mturk_mock: a mock is already active when test_inner.py::test_inside_an_active_mock_marker_options_are_"
            "refused starts *the marker's options [[]'seed'[]] cannot apply*",
        ]
    )


# -- pytest-xdist ----------------------------------------------------------------------------------------


XDIST_SUITE = (
    HEADER
    + """
import os


@pytest.mark.parametrize("round", range(8))
def test_each_worker_has_its_own_isolated_mock(round, mturk_mock, mturk_client):
    worker = os.environ["PYTEST_XDIST_WORKER"]
    create(mturk_client, "one name in every test")
    assert len(mturk_client.list_qualification_types(MustBeRequestable=True)["QualificationTypes"]) == 1
    assert [call.operation for call in mturk_mock.calls] == ["CreateQualificationType", "ListQualificationTypes"]
    print(f"ran on {worker}")


@mock_mturk
def test_the_decorator_under_xdist_too():
    create(client())
"""
)


def test_the_plugin_works_under_xdist(pytester, offline):
    pytest.importorskip("xdist")
    pytester.makepyfile(test_inner=XDIST_SUITE)
    result = pytester.runpytest_subprocess(*INNER, "-p", "xdist", "-n", "2", "-s", "--mturk-mock-strict")
    result.assert_outcomes(passed=9)


# -- clients reused across tests (point 8) ------------------------------------------------------------------


REUSE_SUITE = (
    HEADER
    + """
SEEN = []


def test_1_first(mturk_client):
    SEEN.append(mturk_client)


def test_2_the_same_client_again(mturk_client):
    assert mturk_client is SEEN[0]
    mturk_client.meta.events.register("before-call.mturk.*", lambda **_: None)


def test_3_a_client_with_handlers_of_a_test_is_not_lent_again(mturk_client):
    assert mturk_client is not SEEN[0]
    SEEN.append(mturk_client)
    stubber = Stubber(mturk_client)
    stubber.add_response("get_account_balance", {"AvailableBalance": "1.00"})
    stubber.activate()  # never deactivated: its handlers stay on this client


def test_4_a_stubber_left_active_does_not_leak(mturk_client, mturk_mock):
    assert mturk_client not in SEEN
    assert mturk_client.get_account_balance()["AvailableBalance"] == "10000.00"
    SEEN.append(mturk_client)
    mturk_mock.faults.add("ServiceFault", times=1)
    mturk_client.get_account_balance()  # retried by the client: its retry state changed


def test_5_nor_a_client_that_retried(mturk_client):
    assert mturk_client not in SEEN
    SEEN.append(mturk_client)
    mturk_client.some_attribute = 1


def test_6_nor_one_a_test_set_attributes_on(mturk_client):
    assert mturk_client not in SEEN and not hasattr(mturk_client, "some_attribute")


@pytest.mark.mturk_mock(marketplace="production")
def test_7_each_marketplace_has_its_client(mturk_client):
    assert mturk_client.meta.endpoint_url == "https://mturk-requester.us-east-1.amazonaws.com"
"""
)


def test_clients_are_reused_until_a_test_changes_them(pytester, offline):
    pytester.makepyfile(test_inner=REUSE_SUITE)
    pytester.runpytest(*INNER).assert_outcomes(passed=7)

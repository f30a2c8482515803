"""The ``mturk_async_client`` fixture serves pytest-asyncio (strict and auto mode) and anyio tests, and
sync tests that run their own loop (issue 15, part 1, requirement 2)."""

from __future__ import annotations

import pytest

INI = """
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""

MARKED = """
import asyncio

import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def balance(client):
    return (await client.get_account_balance())["AvailableBalance"]


@pytest.mark.asyncio
async def test_pytest_asyncio(mturk_async_client, mturk_mock):
    assert await balance(mturk_async_client) == "10000.00"
    assert [(call.marketplace, call.requester) for call in mturk_mock.calls] == [("sandbox", "<default>")]


@pytest.mark.anyio
async def test_anyio(mturk_async_client, mturk_mock):
    assert await balance(mturk_async_client) == "10000.00"
    assert len(mturk_mock.calls) == 1


@pytest.mark.asyncio
@pytest.mark.mturk_mock(marketplace="production", seed=3)
async def test_marker_options(mturk_async_client, mturk_mock):
    await balance(mturk_async_client)
    assert mturk_mock.calls[0].marketplace == "production"


@pytest.mark.asyncio
async def test_sync_and_async_clients_share_the_mock(mturk_client, mturk_async_client):
    created = mturk_client.create_qualification_type(Name="n", Description="d", QualificationTypeStatus="Active")
    type_id = created["QualificationType"]["QualificationTypeId"]
    got = await mturk_async_client.get_qualification_type(QualificationTypeId=type_id)
    assert got["QualificationType"] == created["QualificationType"]


@pytest.mark.asyncio
async def test_many_tasks(mturk_async_client, mturk_mock):
    assert await asyncio.gather(*(balance(mturk_async_client) for _ in range(20))) == ["10000.00"] * 20


def test_a_sync_test_running_its_own_loop(mturk_async_client, mturk_mock):
    assert asyncio.run(balance(mturk_async_client)) == "10000.00"


@pytest.mark.asyncio
async def test_a_failure_inside_does_not_leak(mturk_async_client):
    await balance(mturk_async_client)
    raise AssertionError("expected failure")


def test_nothing_is_left_active():
    import mturk_mock

    assert mturk_mock.current() is None
"""

AUTO = """
async def test_auto_mode(mturk_async_client, mturk_mock):
    assert (await mturk_async_client.get_account_balance())["AvailableBalance"] == "10000.00"
    assert len(mturk_mock.calls) == 1
"""

CONFTEST = """
import socket

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
"""

BOTH_FIXTURES = """
import asyncio


def test_both_fixtures(mturk_client, mturk_async_client, mturk_mock):
    mturk_client.get_account_balance()
    asyncio.run(mturk_async_client.get_account_balance())
    assert len(mturk_mock.calls) == 2
"""

REPEATED_RUNS = """
import pytest

import mturk_mock.transport  # kept by pytester across runs, while the hook modules under it are dropped
from inner import CONFTEST, BOTH_FIXTURES


@pytest.mark.parametrize("run", [1, 2])
def test_in_process_run(pytester, run):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_inner=BOTH_FIXTURES)
    pytester.runpytest("-p", "mturk_mock", "-p", "no:cacheprovider", "-q").assert_outcomes(passed=1)
"""


ASYNC_PLUGINS = ("-p", "pytest_asyncio.plugin", "-p", "anyio.pytest_plugin")


def _suite(pytester: pytest.Pytester, ini: str = INI, **files: str) -> None:
    pytester.makeini(ini)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(**files)


def test_marked_tests_of_pytest_asyncio_and_anyio(pytester: pytest.Pytester):
    _suite(pytester, test_marked=MARKED)
    result = pytester.runpytest(*ASYNC_PLUGINS, "-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: expected failure"])


def test_pytest_asyncio_auto_mode(pytester: pytest.Pytester):
    _suite(pytester, INI + "asyncio_mode = auto\n", test_auto=AUTO)
    pytester.runpytest(*ASYNC_PLUGINS, "-p", "no:cacheprovider", "-q").assert_outcomes(passed=1)


def test_fixtures_stay_intercepted_across_in_process_pytester_runs(pytester: pytest.Pytester):
    """A plugin author's suite: the first in-process run imports boto3 and aiobotocore, which pytester drops
    afterwards; the second imports them anew, and the fixtures' clients must be of the new import (the one
    the mock patches), not of a session cached from the first; and the patches must go on the new import's
    classes, though the outer suite keeps the mock's transport package."""
    pytester.makepyfile(inner=f"CONFTEST = {CONFTEST!r}\nBOTH_FIXTURES = {BOTH_FIXTURES!r}\n")
    pytester.makepyfile(test_outer=REPEATED_RUNS)
    result = pytester.runpytest_subprocess("-p", "pytester", "-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2)

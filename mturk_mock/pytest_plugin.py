"""pytest plugin (registered through the ``pytest11`` entry point): fixtures ``mturk_mock``, ``mturk_client``
and ``mturk_async_client``, the ``mturk_mock`` marker, and the options ``--mturk-mock-all`` (ini
``mturk_mock_autouse``: a mock for every test) and ``--mturk-mock-strict`` (ini ``mturk_mock_strict``: an
MTurk call outside a mock fails loudly).

Importing this module imports neither boto3, botocore nor aiobotocore; they load when a fixture is first used.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest

from .constants import ENDPOINTS, PRODUCTION, REGION, SANDBOX

if TYPE_CHECKING:
    from mypy_boto3_mturk import MTurkClient

    from .mock import MTurkMock
    from .plugin_support import ClientPool

SANDBOX_ENDPOINT = ENDPOINTS[SANDBOX]
PRODUCTION_ENDPOINT = ENDPOINTS[PRODUCTION]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mturk_mock")
    group.addoption(
        "--mturk-mock-all", action="store_true", default=None, help="mturk_mock: an active mock for every test"
    )
    group.addoption(
        "--mturk-mock-strict",
        action="store_true",
        default=None,
        help="mturk_mock: an MTurk call made while no mock is active raises UnmockedCall instead of reaching AWS",
    )
    parser.addini("mturk_mock_autouse", "mturk_mock: an active mock for every test", type="bool", default=False)
    parser.addini(
        "mturk_mock_strict", "mturk_mock: MTurk calls outside an active mock fail", type="bool", default=False
    )


def _flag(config: pytest.Config, option: str, ini: str) -> bool:
    given = config.getoption(option)
    return bool(given) if given is not None else bool(config.getini(ini))


_AUTOUSE = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_AUTOUSE] = _flag(config, "mturk_mock_all", "mturk_mock_autouse")
    if _flag(config, "mturk_mock_strict", "mturk_mock_strict"):
        from .transport import strict

        strict.install()
        config.add_cleanup(strict.uninstall)
    config.addinivalue_line(
        "markers",
        "mturk_mock(**options): options for the mturk_mock fixture, as for mock_mturk "
        "(marketplace='production', seed=1, record_calls=False, state=..., search_lag=30, "
        "faults=[{'error': 'ServiceFault', 'times': 1}], rate_limit=5, credentials='registered', access_keys=[...])",
    )
    config.addinivalue_line(
        "markers", "no_mturk_mock: no mock for this test under --mturk-mock-all (a test of a server, say)"
    )


@functools.lru_cache(maxsize=2)
def _session(session_class: type) -> Any:
    # A session is slow to build (it reads config files and loaders); clients made from one are not. Keyed by
    # the class: when the library is imported anew (pytester's in-process runs drop the modules they imported),
    # a session of the old import would make clients of classes the mock's patches no longer cover.
    return session_class()


def _boto3_session() -> Any:
    import boto3.session

    return _session(boto3.session.Session)


def make_client(marketplace: str = SANDBOX) -> MTurkClient:
    """A boto3 MTurk client with no credentials (the default requester) on the marketplace's endpoint."""
    import botocore
    from botocore.config import Config

    endpoint = ENDPOINTS[PRODUCTION] if marketplace == PRODUCTION else ENDPOINTS[SANDBOX]
    client: MTurkClient = _boto3_session().client(
        "mturk", region_name=REGION, endpoint_url=endpoint, config=Config(signature_version=botocore.UNSIGNED)
    )
    return client


def _aiobotocore_session() -> Any:
    from aiobotocore.session import AioSession

    return _session(AioSession)


def _run_apart(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coroutine`` to the end on a new event loop in another thread, whatever loop this thread has."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mturk_mock") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def make_async_client(marketplace: str = SANDBOX) -> Any:
    """An aiobotocore MTurk client like ``make_client``'s, already entered; ``close_async_client`` closes it.

    It is usable from any event loop: entering a client only opens aiobotocore's HTTP session object, whose
    aiohttp session (bound to a loop) is made on the first request, and under the mock none is ever sent.
    """
    import botocore
    from botocore.config import Config

    endpoint = ENDPOINTS[PRODUCTION] if marketplace == PRODUCTION else ENDPOINTS[SANDBOX]
    context = _aiobotocore_session().create_client(
        "mturk", region_name=REGION, endpoint_url=endpoint, config=Config(signature_version=botocore.UNSIGNED)
    )
    return _run_apart(context.__aenter__())


def close_async_client(client: Any) -> None:
    _run_apart(client.__aexit__(None, None, None))


@pytest.fixture(autouse=True)
def _mturk_mock_activation(request: pytest.FixtureRequest) -> None:
    """A marked test, or every test with --mturk-mock-all but those marked no_mturk_mock, runs under the
    mturk_mock fixture's mock."""
    node = request.node
    if node.get_closest_marker("mturk_mock") is not None or (
        request.config.stash.get(_AUTOUSE, False) and node.get_closest_marker("no_mturk_mock") is None
    ):
        request.getfixturevalue("mturk_mock")


@pytest.fixture
def mturk_mock(request: pytest.FixtureRequest) -> Iterator[MTurkMock]:
    """The active mock of this test, with a clean marketplace; yields its handle. With @mock_mturk on the
    test it is the decorator's mock; inside a mock that is already active, that one."""
    from mturk_mock.plugin_support import handle_for

    handle, owned = handle_for(request)
    if owned:
        handle.start()
    try:
        yield handle
    finally:
        if owned and handle.active:
            handle.stop()


@functools.lru_cache(maxsize=1)
def _client_pool() -> ClientPool:
    from mturk_mock.plugin_support import ClientPool

    return ClientPool(make_client)


@pytest.fixture
def mturk_client(mturk_mock: MTurkMock) -> Iterator[MTurkClient]:
    """A boto3 MTurk client on the mock's marketplace endpoint, routed to the mock. Reused by the next test
    unless this one changed it (registered handlers, set attributes, retried injected faults)."""
    pool = _client_pool()
    client, attributes = pool.lend(mturk_mock.default_marketplace)
    yield client
    pool.give_back(client, attributes, mturk_mock)


@pytest.fixture
def mturk_async_client(mturk_mock: MTurkMock) -> Iterator[Any]:
    """An aiobotocore MTurk client on the mock's marketplace endpoint: ``await mturk_async_client.get_...()``.

    A plain fixture, so it serves pytest-asyncio (strict or auto mode) and anyio tests alike.
    """
    client = make_async_client(mturk_mock.default_marketplace)
    try:
        yield client
    finally:
        close_async_client(client)

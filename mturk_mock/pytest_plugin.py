"""pytest plugin (registered through the ``pytest11`` entry point): fixtures ``mturk_mock`` and ``mturk_client``,
the ``mturk_mock`` marker, and the options ``--mturk-mock-all`` (ini ``mturk_mock_autouse``: a mock for every
test) and ``--mturk-mock-strict`` (ini ``mturk_mock_strict``: an MTurk call outside a mock fails loudly).

Importing this module imports neither boto3 nor botocore; they load when a fixture is first used.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
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


@functools.lru_cache(maxsize=1)
def _boto3_session() -> Any:
    # A session is slow to build (it reads config files and loaders); clients made from one are not.
    import boto3

    return boto3.session.Session()


def make_client(marketplace: str = SANDBOX) -> MTurkClient:
    """A boto3 MTurk client with no credentials (the default requester) on the marketplace's endpoint."""
    import botocore
    from botocore.config import Config

    endpoint = ENDPOINTS[PRODUCTION] if marketplace == PRODUCTION else ENDPOINTS[SANDBOX]
    client: MTurkClient = _boto3_session().client(
        "mturk", region_name=REGION, endpoint_url=endpoint, config=Config(signature_version=botocore.UNSIGNED)
    )
    return client


@pytest.fixture(autouse=True)
def _mturk_mock_activation(request: pytest.FixtureRequest) -> None:
    """A marked test, or every test with --mturk-mock-all, runs under the mturk_mock fixture's mock."""
    if request.config.stash.get(_AUTOUSE, False) or request.node.get_closest_marker("mturk_mock") is not None:
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

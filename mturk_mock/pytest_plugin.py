"""pytest plugin (registered through the ``pytest11`` entry point): fixtures ``mturk_mock`` and ``mturk_client``.

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

SANDBOX_ENDPOINT = ENDPOINTS[SANDBOX]
PRODUCTION_ENDPOINT = ENDPOINTS[PRODUCTION]


def pytest_configure(config: pytest.Config) -> None:
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


@pytest.fixture
def mturk_mock(request: pytest.FixtureRequest) -> Iterator[MTurkMock]:
    """An active mock with a clean marketplace for this test; yields its handle."""
    from mturk_mock.mock import MTurkMock

    marker = request.node.get_closest_marker("mturk_mock")
    handle = MTurkMock(**(marker.kwargs if marker else {}))
    handle.start()
    try:
        yield handle
    finally:
        if handle.active:
            handle.stop()


@pytest.fixture
def mturk_client(mturk_mock: MTurkMock) -> MTurkClient:
    """A boto3 MTurk client on the mock's marketplace endpoint, routed to the mock."""
    return make_client(mturk_mock.default_marketplace)

"""Async MTurk clients for the tests: aiobotocore's own session and aioboto3's, on the real MTurk endpoints
(answered in-process by the active mock), plus a guard that fails a test on any socket use."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import socket
from collections.abc import AsyncIterator

import pytest

# aioboto3 is in the test extra; without it (checking another aiobotocore release, which aioboto3 would pin
# away) its cases are reported as skipped.
INSTALLED = tuple(name for name in ("aiobotocore", "aioboto3") if importlib.util.find_spec(name) is not None)
FLAVORS = [
    pytest.param(name, marks=pytest.mark.skipif(name not in INSTALLED, reason=f"{name} is not installed"))
    for name in ("aiobotocore", "aioboto3")
]
OTHER_FLAVOR = INSTALLED[-1] if INSTALLED else "aiobotocore"  # aioboto3 when installed
REGION = "us-east-1"
SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
PRODUCTION = "https://mturk-requester.us-east-1.amazonaws.com"


@functools.cache
def _session(flavor: str):
    # Sessions are slow to build (config files, loaders); clients made from one are not.
    if flavor == "aioboto3":
        import aioboto3

        return aioboto3.Session()
    from aiobotocore.session import get_session

    return get_session()


def _creator(flavor: str):
    session = _session(flavor)
    return session.client if flavor == "aioboto3" else session.create_client


@contextlib.asynccontextmanager
async def aio_client(
    flavor: str = "aiobotocore", marketplace: str = "sandbox", access_key: str | None = None, **options
) -> AsyncIterator:
    """An entered async client of ``marketplace`` signed with ``access_key`` (None: unsigned, the default
    requester). ``options`` go to the client's creation as they are."""
    options.setdefault("region_name", REGION)
    options.setdefault("endpoint_url", PRODUCTION if marketplace == "production" else SANDBOX)
    _sign(options, access_key)
    async with _creator(flavor)("mturk", **options) as client:
        yield client


def sync_client(marketplace: str = "sandbox", access_key: str | None = None, **options):
    """The boto3 twin of ``aio_client``."""
    options.setdefault("region_name", REGION)
    options.setdefault("endpoint_url", PRODUCTION if marketplace == "production" else SANDBOX)
    _sign(options, access_key)
    return _boto3_session().client("mturk", **options)


def _sign(options: dict, access_key: str | None) -> None:
    """Credentials for ``access_key``, or an unsigned ``config`` (merged into a given one) when None."""
    import botocore
    from botocore.config import Config

    unsigned = Config(signature_version=botocore.UNSIGNED)
    if access_key is not None:
        options.update(aws_access_key_id=access_key, aws_secret_access_key="secret")
    elif "config" not in options:
        options["config"] = unsigned
    elif options["config"] is not None:  # config=None: the session resolves credentials (and finds none)
        options["config"] = options["config"].merge(unsigned)


@functools.lru_cache(maxsize=1)
def _boto3_session():
    import boto3

    return boto3.session.Session()


def refuse_network(monkeypatch: pytest.MonkeyPatch) -> list:
    """Any attempt to resolve a name or open a connection fails the test (aiohttp resolves through
    ``socket.getaddrinfo`` in a thread and connects with ``socket.socket.connect``); returns the attempts."""
    attempts: list = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts

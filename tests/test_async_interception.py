"""aiobotocore and aioboto3 clients are intercepted as botocore's are: every client, however and whenever
it was made; nothing leaves the process; an inactive mock leaves aiobotocore as it was (issue 15, part 1,
requirements 1 and 2)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import botocore
import pytest
import wrapt
from aiobotocore.credentials import AioContainerProvider, AioInstanceMetadataProvider
from aiobotocore.endpoint import AioEndpoint
from aiobotocore.hooks import AioHierarchicalEmitter
from botocore.config import Config
from botocore.exceptions import HTTPClientError

import mturk_mock
from mturk_mock import NetworkBlocked, mock_mturk
from mturk_mock.transport.aiobotocore_hook import _only_inert as only_inert

try:
    from aiobotocore.stub import AioStubber
except ImportError:  # older aiobotocore: botocore's Stubber serves async clients too
    from botocore.stub import Stubber as AioStubber

from .aio_clients import FLAVORS, OTHER_FLAVOR, SANDBOX, aio_client, refuse_network

ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "legacy"})
PATCHED = (
    (AioHierarchicalEmitter, "emit_until_response"),
    (AioEndpoint, "_send"),
    (AioInstanceMetadataProvider, "load"),
    (AioContainerProvider, "load"),
)


@pytest.fixture
def no_network(monkeypatch) -> list:
    return refuse_network(monkeypatch)


def _originals() -> list:
    return [vars(owner)[name] for owner, name in PATCHED]


async def _balance(client) -> str:
    return (await client.get_account_balance())["AvailableBalance"]


@pytest.mark.parametrize("flavor", FLAVORS)
def test_every_kind_of_async_client_is_answered_without_touching_the_network(flavor, no_network):
    async def main():
        async with aio_client(flavor, access_key="AKIABEFORE") as before:  # made and entered before the mock starts
            mturk = mock_mturk()
            async with mturk:
                assert await _balance(before) == "10000.00"
                async with aio_client(flavor, access_key="AKIAAFTER") as signed:
                    assert await _balance(signed) == "10000.00"
                async with aio_client(flavor) as unsigned:
                    assert await _balance(unsigned) == "10000.00"
                async with aio_client(flavor, endpoint_url=None, region_name="sandbox") as pseudo_region:
                    assert await _balance(pseudo_region) == "10000.00"
                async with aio_client(flavor, "production", access_key="AKIAPROD", endpoint_url=None) as production:
                    assert await _balance(production) == "10000.00"
        return mturk

    mturk = asyncio.run(main())
    assert [(call.marketplace, call.requester) for call in mturk.calls] == [
        ("sandbox", "AKIABEFORE"),
        ("sandbox", "AKIAAFTER"),
        ("sandbox", "<default>"),
        ("sandbox", "<default>"),
        ("production", "AKIAPROD"),
    ]
    assert no_network == []


def test_a_client_created_before_mturk_mock_is_imported_is_intercepted():
    script = """
import asyncio, socket, sys
def refuse(*args, **kwargs):
    raise AssertionError("network access attempted")
socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse
import botocore
from aiobotocore.session import get_session
from botocore.config import Config
async def main():
    async with get_session().create_client(
        "mturk", region_name="sandbox", config=Config(signature_version=botocore.UNSIGNED)
    ) as client:
        assert "mturk_mock" not in sys.modules
        from mturk_mock import mock_mturk
        async with mock_mturk() as mturk:
            print((await client.get_account_balance())["AvailableBalance"], len(mturk.calls))
asyncio.run(main())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["10000.00", "1"]


def test_a_request_that_reaches_the_http_layer_is_blocked(no_network):
    async def main():
        async with aio_client() as client:
            operation = client.meta.service_model.operation_model("GetAccountBalance")
            request_dict = await client._convert_to_request_dict({}, operation, SANDBOX, context={})
            async with mock_mturk():
                with pytest.raises(NetworkBlocked, match="nothing was sent"):
                    await client._endpoint.make_request(operation, request_dict)

    asyncio.run(main())
    assert no_network == []


def test_credential_providers_that_would_go_to_the_network_find_nothing(no_network, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/credentials")
    container = AioContainerProvider(environ=dict(os.environ))

    async def main():
        async with mock_mturk() as mturk:
            assert await container.load() is None
            async with aio_client(access_key=None, config=None) as client:  # resolves credentials: finds none
                await client.get_account_balance()
        return mturk

    mturk = asyncio.run(main())
    assert mturk.calls[0].requester == "<default>"
    assert no_network == []


def test_an_inactive_mock_leaves_aiobotocore_untouched(no_network):
    originals = _originals()

    async def main():
        async with aio_client(config=ONE_ATTEMPT.merge(Config(signature_version=botocore.UNSIGNED))) as client:
            async with mock_mturk():
                assert all(now is not before for now, before in zip(_originals(), originals, strict=True))
                await client.get_account_balance()
            assert all(now is before for now, before in zip(_originals(), originals, strict=True))
            with pytest.raises(HTTPClientError, match="network access attempted"):
                await client.get_account_balance()  # a real attempt, refused by the fixture

    asyncio.run(main())
    assert no_network, "after stop the client must go to the network as aiobotocore would"


def test_botocore_validation_still_happens_before_the_mock():
    async def main():
        async with aio_client() as client, mock_mturk() as mturk:
            with pytest.raises(botocore.exceptions.ParamValidationError):
                await client.list_qualification_types(MaxResults=0)
        return mturk

    assert asyncio.run(main()).calls == []


def test_the_clients_own_before_call_handlers_and_stubbers_keep_priority():
    seen = []

    async def async_handler(params, **_):
        await asyncio.sleep(0)
        seen.append("async")

    async def main():
        async with aio_client() as client, mock_mturk() as mturk:
            await client.get_account_balance()
            assert only_inert(client.meta.events._emitter, "before-call.mturk.GetAccountBalance")  # the fast path
            client.meta.events.register("before-call.mturk.GetAccountBalance", lambda params, **_: seen.append("sync"))
            client.meta.events.register("before-call.mturk.GetAccountBalance", async_handler)
            assert await _balance(client) == "10000.00"
            with AioStubber(client) as stub:
                stub.add_response("get_account_balance", {"AvailableBalance": "1.00"})
                assert await _balance(client) == "1.00"
        return mturk

    assert len(asyncio.run(main()).calls) == 2
    assert seen == ["sync", "async"]  # not with the Stubber: it answers first


def test_other_services_are_not_intercepted():
    async def main():
        async with aio_client(endpoint_url=None) as _, mock_mturk() as mturk:
            from aiobotocore.session import get_session

            async with get_session().create_client(
                "s3", region_name="us-east-1", config=Config(signature_version=botocore.UNSIGNED)
            ) as s3:
                with AioStubber(s3) as stub:
                    stub.add_response("list_buckets", {"Buckets": []})
                    assert (await s3.list_buckets())["Buckets"] == []
        return mturk

    assert asyncio.run(main()).calls == []


def test_the_decorator_covers_tasks_executors_and_nested_mocks():
    @mock_mturk
    async def work():
        outer = mturk_mock.current()
        async with aio_client() as client:
            balances = await asyncio.gather(*(_balance(client) for _ in range(5)))
            async with mock_mturk() as inner:
                await _balance(client)
            await asyncio.get_running_loop().run_in_executor(None, lambda: asyncio.run(_balance_of_new_client()))
        return outer, inner, balances

    outer, inner, balances = asyncio.run(work())
    assert balances == ["10000.00"] * 5
    assert (len(outer.calls), len(inner.calls)) == (6, 1)
    assert mturk_mock.current() is None


async def _balance_of_new_client() -> str:
    async with aio_client(OTHER_FLAVOR) as client:
        return await _balance(client)


def test_a_patch_made_over_the_mocks_by_another_tool_stays_in_the_chain():
    """Another tool wraps emit_until_response while the mock is active: at stop the mock's wrapper stays
    inside it, passing calls through; the next activation neither wraps twice nor loses the tool's patch."""
    original = vars(AioHierarchicalEmitter)["emit_until_response"]
    events = []

    def other_tool(wrapped, instance, args, kwargs):
        events.append(args[0] if args else kwargs.get("event_name"))
        return wrapped(*args, **kwargs)

    async def main():
        async with aio_client() as client:
            with mock_mturk():
                wrapt.wrap_function_wrapper(AioHierarchicalEmitter, "emit_until_response", other_tool)
                await client.get_account_balance()
            outer = vars(AioHierarchicalEmitter)["emit_until_response"]
            assert outer._self_wrapper is other_tool
            with mock_mturk() as again:
                assert vars(AioHierarchicalEmitter)["emit_until_response"] is outer
                await client.get_account_balance()
            return again

    try:
        again = asyncio.run(main())
    finally:
        AioHierarchicalEmitter.emit_until_response = original
    assert len(again.calls) == 1
    assert events.count("before-call.mturk.GetAccountBalance") == 2


def test_a_real_backoff_is_awaited_so_the_loop_keeps_running():
    """With retry_backoff="sleep" an injected fault's backoff is awaited: other coroutines run meanwhile."""
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    async def main():
        one_attempt = Config(retries={"mode": "standard", "total_max_attempts": 1})
        async with aio_client(access_key="AKIABACKOFF", config=one_attempt) as client:
            # An application's own needs-retry handler decides the delay: 50 ms, once.
            client.meta.events.register(
                "needs-retry.mturk.GetAccountBalance", lambda attempts, **_: 0.05 if attempts == 1 else None
            )
            async with mock_mturk(retry_backoff="sleep") as mturk:
                mturk.faults.add("ServiceFault", operation="GetAccountBalance", times=1)
                task = asyncio.create_task(ticker())
                answer = await client.get_account_balance()
                task.cancel()
        return answer, mturk

    answer, mturk = asyncio.run(main())
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert [(call.fault, call.attempt, call.retry_delay) for call in mturk.calls] == [
        ("rule 1", 1, 0.05),
        (None, 2, None),
    ]
    assert ticks >= 3, "the event loop was blocked during the backoff"

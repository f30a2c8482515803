"""mock_mturk_qual as decorator (functions, coroutines, methods, classes), context manager and
start()/stop(); nesting and fresh state per activation (issue 2, requirement 6)."""

from __future__ import annotations

import asyncio
import threading
import unittest

import boto3
import botocore
import pytest
from botocore.config import Config

import mturk_mock
from mturk_mock import MTurkMock, World, mock_mturk_qual

SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
CLIENT = boto3.client(
    "mturk", region_name="us-east-1", endpoint_url=SANDBOX, config=Config(signature_version=botocore.UNSIGNED)
)


def balance() -> str:
    return CLIENT.get_account_balance()["AvailableBalance"]


def test_bare_decorator_activates_a_fresh_mock_per_call():
    seen = []

    @mock_mturk_qual
    def work(value):
        handle = mturk_mock.current()
        balance()
        seen.append(handle)
        return value * 2

    assert work(21) == 42 and work(1) == 2
    assert mturk_mock.current() is None
    first, second = seen
    assert first is not second and first.world is not second.world
    assert [len(first.calls), len(second.calls)] == [1, 1]


def test_decorator_with_options():
    @mock_mturk_qual(marketplace="production", seed=7)
    def work():
        other = boto3.client(
            "mturk",
            region_name="us-east-1",
            endpoint_url="http://localhost:1",
            config=Config(signature_version=botocore.UNSIGNED),
        )
        other.get_account_balance()
        return mturk_mock.current()

    handle = work()
    assert handle.calls[0].marketplace == "production"
    # seed=7 makes every activation's IDs reproducible, unlike an unseeded mock
    assert work().world.ids.entity() == handle.world.ids.entity()
    assert MTurkMock().world.ids.entity() != MTurkMock().world.ids.entity()


def test_decorated_function_that_raises_leaves_no_mock_behind():
    @mock_mturk_qual
    def failing():
        raise ValueError("inside")

    with pytest.raises(ValueError, match="inside"):
        failing()
    assert mturk_mock.current() is None


def test_async_function_is_covered_with_executors_and_threads():
    results = {}

    @mock_mturk_qual
    async def work():
        loop = asyncio.get_running_loop()
        results["executor"] = await loop.run_in_executor(None, balance)
        thread = threading.Thread(target=lambda: results.__setitem__("thread", balance()))
        thread.start()
        thread.join()
        await asyncio.sleep(0)
        results["direct"] = balance()
        return mturk_mock.current()

    assert asyncio.iscoroutinefunction(work)
    handle = asyncio.run(work())
    assert results == {"executor": "10000.00", "thread": "10000.00", "direct": "10000.00"}
    assert len(handle.calls) == 3 and mturk_mock.current() is None


def test_methods_are_bound_normally():
    class Pipeline:
        factor = 3

        @mock_mturk_qual
        def run(self, value):
            balance()
            return self.factor * value

    assert Pipeline().run(2) == 6


def test_class_decoration_wraps_every_test_method():
    @mock_mturk_qual
    class Suite:
        def test_one(self):
            return mturk_mock.current()

        @staticmethod
        def test_static():
            return mturk_mock.current()

        def helper(self):
            return mturk_mock.current()

    suite = Suite()
    assert suite.test_one() is not None and Suite.test_static() is not None
    assert suite.test_one() is not suite.test_one()
    assert suite.helper() is None


def test_unittest_testcase_is_active_from_setup_to_cleanup():
    seen = {}

    @mock_mturk_qual
    class Case(unittest.TestCase):
        def setUp(self):
            seen["setUp"] = mturk_mock.current()

        def test_it(self):
            seen["test"] = mturk_mock.current()
            balance()

        def tearDown(self):
            seen["tearDown"] = mturk_mock.current()

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Case).run(result)
    assert result.wasSuccessful(), result.errors + result.failures
    assert seen["setUp"] is seen["test"] is seen["tearDown"] is not None
    assert len(seen["test"].calls) == 1 and mturk_mock.current() is None


@mock_mturk_qual
def test_pytest_fixtures_still_inject_through_the_decorator(tmp_path, mturk_client):
    assert tmp_path.exists()
    assert mturk_client.get_account_balance()["AvailableBalance"] == "10000.00"


def test_context_manager_and_explicit_start_stop():
    with mock_mturk_qual() as handle:
        assert handle.active and mturk_mock.current() is handle
    assert not handle.active
    explicit = mock_mturk_qual()
    explicit.start()
    with pytest.raises(RuntimeError, match="already active"):
        explicit.start()
    balance()
    explicit.stop()
    with pytest.raises(RuntimeError, match="not active"):
        explicit.stop()
    assert len(explicit.calls) == 1


def test_nesting_innermost_answers_and_outer_resumes():
    with mock_mturk_qual() as outer:
        balance()
        with mock_mturk_qual() as inner:
            balance()
            assert mturk_mock.current() is inner
        balance()
    assert (len(outer.calls), len(inner.calls)) == (2, 1)


def test_stopping_out_of_order_keeps_the_remaining_mock_answering():
    outer, inner = mock_mturk_qual().start(), mock_mturk_qual().start()
    outer.stop()
    balance()
    assert mturk_mock.current() is inner
    inner.stop()
    assert (len(outer.calls), len(inner.calls)) == (0, 1) and mturk_mock.current() is None


def test_each_activation_starts_clean_unless_state_is_shared():
    handle = mock_mturk_qual()
    with handle:
        balance()
        first_world = handle.world
    assert len(handle.calls) == 1  # still inspectable after stop
    with handle:
        assert handle.world is not first_world and handle.calls == []
    shared = World()
    with mock_mturk_qual(state=shared) as one:
        pass
    with mock_mturk_qual(state=shared) as two:
        pass
    assert one.world is two.world is shared


def test_bad_options_are_refused_early():
    with pytest.raises(ValueError, match="marketplace"):
        mock_mturk_qual(marketplace="staging")
    with pytest.raises(TypeError, match="record_calls must be True or False, not 'no'"):
        mock_mturk_qual(record_calls="no")
    with pytest.raises(TypeError, match="state must be a mturk_mock.World or None, not 'x'"):
        mock_mturk_qual(state="x")

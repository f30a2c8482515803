"""State never leaks between tests that use the fixture or the decorator, also when a test fails or
raises (issue 7). Runs a small suite in a separate pytest process and reads its outcome."""

from __future__ import annotations

INNER_SUITE = """
import unittest

import boto3
import pytest

import mturk_mock
from mturk_mock import mock_mturk_qual


def client():
    return boto3.client("mturk", region_name="sandbox", aws_access_key_id="AKIAISOLATE",
                        aws_secret_access_key="x")


def create(c, name="leak"):
    return c.create_qualification_type(Name=name, Description="d", QualificationTypeStatus="Active")


def names(c):
    return [q["Name"] for q in c.list_qualification_types(MustBeRequestable=True)["QualificationTypes"]]


def test_1_fixture_writes_then_fails(mturk_client, mturk_mock):
    create(mturk_client)
    mturk_mock.worker("A1111111111111")
    mturk_mock.clock.advance(days=10)
    assert False, "planned failure"


def test_2_fixture_starts_clean(mturk_client, mturk_mock):
    assert names(mturk_client) == [] and len(mturk_mock.calls) == 1
    assert mturk_mock.world.marketplace("sandbox").workers.registered == set()
    create(mturk_client)  # the same name again: the earlier one is gone


@mock_mturk_qual
def test_3_decorator_writes_then_raises():
    create(client())
    raise RuntimeError("planned error")


@mock_mturk_qual
def test_4_decorator_starts_clean():
    assert names(client()) == []
    create(client())


def test_5_nothing_is_active_between_tests():
    assert mturk_mock.current() is None


@mock_mturk_qual
class TestDecoratedClass:
    def test_6_writes_then_fails(self):
        create(client())
        assert False, "planned failure"

    def test_7_starts_clean(self):
        assert names(client()) == []


@mock_mturk_qual
class DecoratedCase(unittest.TestCase):
    def test_8_writes_then_fails(self):
        create(client())
        self.fail("planned failure")

    def test_9_starts_clean(self):
        self.assertEqual(names(client()), [])


def test_10_still_nothing_active_and_the_network_is_untouched():
    assert mturk_mock.current() is None
"""


def test_no_state_leaks_between_tests_even_after_failures(pytester):
    pytester.makepyfile(test_inner=INNER_SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=6, failed=4)
    failed = [line for line in result.outlines if line.startswith("FAILED")]
    assert all(name in "\n".join(failed) for name in ("test_1_", "test_3_", "test_6_", "test_8_"))

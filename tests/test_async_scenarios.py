"""aiobotocore and aioboto3 clients get exactly the answers boto3 gets: the qualification and HIT suites'
key scenarios, with injected faults and the clients' retries, run through both, call by call, against
identically seeded mocks with frozen clocks (issue 15, part 1, requirement 3)."""

from __future__ import annotations

import asyncio
import contextlib
import random

import pytest
from botocore.config import Config

from mturk_mock import MTurkMock

from .aio_clients import FLAVORS, aio_client, sync_client
from .async_scenarios import SCENARIOS, Scenario, run_async, run_sync
from .conftest import assert_same_python
from .unimplemented import hide

SEED = 15
START = 1_800_000_000


def _mock(scenario: Scenario) -> MTurkMock:
    mock = MTurkMock(seed=SEED, **scenario.options)
    mock.world.clock.freeze(START)
    random.seed(SEED)  # the clients' retry jitter
    return mock


def _client_options(scenario: Scenario) -> dict:
    return {"config": Config(**scenario.config)} if scenario.config else {}


def _wire(mock: MTurkMock) -> list:
    return [
        (c.operation, c.marketplace, c.requester, c._request, c.status, c._response, c.request_id)
        + (c.fault, c.attempt, c.retry_delay)
        for c in mock.calls
    ]


def _sync_run(scenario: Scenario) -> tuple[list, MTurkMock]:
    clients = {key: sync_client(key[1], key[0], **_client_options(scenario)) for key in scenario.clients()}
    mock = _mock(scenario)
    with mock:
        return run_sync(scenario, mock, clients), mock


def _async_run(scenario: Scenario, flavor: str) -> tuple[list, MTurkMock]:
    async def main() -> tuple[list, MTurkMock]:
        async with contextlib.AsyncExitStack() as stack:
            clients = {
                key: await stack.enter_async_context(aio_client(flavor, key[1], key[0], **_client_options(scenario)))
                for key in scenario.clients()
            }
            mock = _mock(scenario)
            async with mock:
                return await run_async(scenario, mock, clients), mock

    return asyncio.run(main())


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
def test_async_clients_get_the_answers_boto3_gets(scenario, flavor, monkeypatch):
    hide(monkeypatch, *scenario.hidden)
    expected, sync_mock = _sync_run(scenario)
    actual, async_mock = _async_run(scenario, flavor)
    assert_same_python(actual, expected)
    assert _wire(async_mock) == _wire(sync_mock)  # the same request and answer bytes, the same request IDs
    assert sync_mock.calls, "the scenario made no call"


def test_the_scenarios_cover_the_key_operations_and_errors(monkeypatch):
    methods = {step.method for scenario in SCENARIOS for step in scenario.steps if hasattr(step, "method")}
    assert {
        "create_qualification_type",
        "get_qualification_type",
        "list_qualification_types",
        "update_qualification_type",
        "delete_qualification_type",
        "associate_qualification_with_worker",
        "disassociate_qualification_from_worker",
        "get_qualification_score",
        "list_workers_with_qualification_type",
        "list_qualification_requests",
        "accept_qualification_request",
        "reject_qualification_request",
        "create_hit",
        "create_hit_type",
        "create_hit_with_hit_type",
        "get_hit",
        "list_hits",
        "list_assignments_for_hit",
        "approve_assignment",
        "reject_assignment",
        "update_expiration_for_hit",
        "list_reviewable_hits",
        "delete_hit",
        "create_worker_block",
    } <= methods
    errors = set()
    for scenario in SCENARIOS:
        with monkeypatch.context() as patch:
            hide(patch, *scenario.hidden)
            outcomes, _ = _sync_run(scenario)
        answers = [outcome["answer"] for outcome in outcomes if isinstance(outcome, dict) and "answer" in outcome]
        errors |= {answer["response"]["Error"]["Code"] for answer in answers if "error" in answer}
    assert {"RequestError", "ParameterValidationError", "NotImplemented"} <= errors

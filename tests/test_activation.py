"""Activation (issue 11, requirements 3 and 8): reset keeps the handle's objects, other tools' patches of
botocore made before or after activation keep working, starting and stopping on many threads is safe,
and answers never alias each other or the model."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import socket
import threading
import time
from collections.abc import Callable

import boto3
import botocore
import pytest
import wrapt
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, HTTPClientError
from botocore.hooks import HierarchicalEmitter
from botocore.stub import Stubber

from mturk_mock import MTurkMock, NetworkBlocked, World, activation, mock_mturk
from mturk_mock.service.registry import OPERATIONS

from .helpers import create_type
from .test_interception import SANDBOX, UNSIGNED, no_network  # noqa: F401 - the fixture
from .wire_scenarios import SUCCESS_SCENARIOS

START = 1_800_000_000
EVENT = "before-call.mturk."
PRISTINE = vars(HierarchicalEmitter)["emit_until_response"]


@pytest.fixture
def emitter(monkeypatch):
    """Whatever a test does to HierarchicalEmitter.emit_until_response is undone after it."""
    assert vars(HierarchicalEmitter)["emit_until_response"] is PRISTINE and not activation.active
    monkeypatch.setattr(HierarchicalEmitter, "emit_until_response", PRISTINE)
    return monkeypatch


def _client():
    return boto3.client("mturk", region_name="us-east-1", endpoint_url=SANDBOX, config=UNSIGNED)


# -- reset ----------------------------------------------------------------------------------------------


def test_reset_keeps_the_clock_and_every_attribute_of_the_handle(mturk_client, mturk_mock):
    clock = mturk_mock.clock
    attributes = dict(vars(mturk_mock))
    references = (mturk_mock.world, mturk_mock.calls, mturk_mock.faults, mturk_mock.notifications, clock)
    clock.freeze(START)
    create_type(mturk_client, "before reset")
    mturk_mock.worker("A1B2C3D4E5F6G7")
    mturk_mock.reset()

    assert not clock.frozen and abs(clock.now() - dt.datetime.now(dt.timezone.utc).timestamp()) < 5
    for name, value in attributes.items():
        assert getattr(mturk_mock, name) is value, name
    now = (mturk_mock.world, mturk_mock.calls, mturk_mock.faults, mturk_mock.notifications, mturk_mock.clock)
    assert all(after is before for after, before in zip(now, references, strict=True))
    assert mturk_mock.calls == [] and mturk_mock.notifications == []

    clock.freeze(START + 3600)  # the reference taken before reset drives the mock after it
    created = create_type(mturk_client, "before reset")  # the name is free again
    assert created["CreationTime"].timestamp() == START + 3600
    clock.advance(60)
    reply = mturk_client.get_account_balance()
    assert reply["ResponseMetadata"]["HTTPHeaders"]["date"] == "Fri, 15 Jan 2027 09:01:00 GMT"
    assert [call.operation for call in references[1]] == ["CreateQualificationType", "GetAccountBalance"]


def test_reset_forgets_the_worlds_state_but_not_its_settings(mturk_client):
    with mock_mturk(name_reservation=60, search_lag=5) as mturk:
        type_id = create_type(mturk_client, "kept?")["QualificationTypeId"]
        mturk.reset()
        with pytest.raises(ClientError, match="does not exist"):
            mturk_client.get_qualification_type(QualificationTypeId=type_id)
        assert mturk.world.settings.name_reservation == 60 and mturk.world.settings.search_lag == 5


def test_reset_goes_back_to_the_options_the_mock_was_made_with(mturk_client):
    """README, Options: "mturk.reset() and every new activation go back to them": search_lag too, after
    it was changed at run time (reset used to keep the run-time value)."""
    with mock_mturk(search_lag=30) as mturk:
        mturk.world.set_search_lag(0)
        mturk.reset()
        assert mturk.world.settings.search_lag == 30
        create_type(mturk_client, "lagging")
        assert mturk_client.list_qualification_types(MustBeRequestable=True)["NumResults"] == 0
        mturk.clock.advance(30)
        assert mturk_client.list_qualification_types(MustBeRequestable=True)["NumResults"] == 1


# -- other tools' patches of botocore -------------------------------------------------------------------


def _tool(emitter, seen: list[str], label: str, *, wraps: bool = True) -> None:
    """Another library patching emit_until_response over whatever is there now (with functools.wraps,
    as most do, or without, hiding what it wraps)."""
    inner = HierarchicalEmitter.emit_until_response

    def patched(self, event_name, **kwargs):
        if event_name.startswith(EVENT):
            seen.append(label)
        return inner(self, event_name, **kwargs)

    emitter.setattr(HierarchicalEmitter, "emit_until_response", functools.wraps(inner)(patched) if wraps else patched)


def _stubbed_balance(client, amount: str) -> str:
    with Stubber(client) as stub:
        stub.add_response("get_account_balance", {"AvailableBalance": amount})
        return client.get_account_balance()["AvailableBalance"]


@pytest.mark.parametrize("wraps", [True, False], ids=["functools.wraps", "plain function"])
def test_a_patch_made_before_activation_runs_while_active_and_after_stop(emitter, no_network, wraps):  # noqa: F811
    seen: list[str] = []
    _tool(emitter, seen, "tool", wraps=wraps)
    tool = vars(HierarchicalEmitter)["emit_until_response"]
    client = _client()
    with mock_mturk() as mturk:
        for _ in range(5):  # the first call looks the handlers up; later ones may take a shortcut
            assert client.get_account_balance()["AvailableBalance"] == "10000.00"
    assert seen == ["tool"] * 5 and len(mturk.calls) == 5
    assert vars(HierarchicalEmitter)["emit_until_response"] is tool  # ours is gone, the tool's is back
    assert _stubbed_balance(client, "1.00") == "1.00"
    with pytest.raises(HTTPClientError):
        client.get_account_balance()  # to the network, as without the mock (refused by no_network)
    assert seen == ["tool"] * 7 and len(mturk.calls) == 5 and no_network


@pytest.mark.parametrize("wraps", [True, False], ids=["functools.wraps", "plain function"])
def test_a_patch_made_while_active_runs_and_survives_stop(emitter, no_network, wraps):  # noqa: F811
    seen: list[str] = []
    client = _client()
    with mock_mturk() as first:
        client.get_account_balance()
        _tool(emitter, seen, "tool", wraps=wraps)
        for _ in range(3):
            assert client.get_account_balance()["AvailableBalance"] == "10000.00"
    assert seen == ["tool"] * 3 and len(first.calls) == 4
    # Ours stays inside the tool's patch but passes every call through while no mock is active.
    assert _stubbed_balance(client, "2.00") == "2.00"
    with pytest.raises(HTTPClientError):
        client.get_account_balance()
    assert seen == ["tool"] * 5 and len(first.calls) == 4 and no_network
    with mock_mturk() as second:  # a later activation answers each call once
        for _ in range(3):
            client.get_account_balance()
    assert len(second.calls) == 3 and len(first.calls) == 4 and seen == ["tool"] * 8


def test_patches_before_and_after_activation_together(emitter, no_network):  # noqa: F811
    seen: list[str] = []
    _tool(emitter, seen, "before")
    client = _client()
    with mock_mturk() as mturk:
        client.get_account_balance()

        def after(wrapped, instance, args, kwargs):
            if args and args[0].startswith(EVENT):
                seen.append("after")
            return wrapped(*args, **kwargs)

        wrapt.wrap_function_wrapper(HierarchicalEmitter, "emit_until_response", after)
        client.get_account_balance()
        client.get_account_balance()
    assert seen == ["before", "after", "before", "after", "before"]
    assert len(mturk.calls) == 3
    assert _stubbed_balance(client, "3.00") == "3.00"
    assert seen[-2:] == ["after", "before"] and len(mturk.calls) == 3


def test_a_clients_own_handler_keeps_priority_on_every_call(emitter):
    """The shortcut for clients without handlers of their own must not skip a handler added later."""
    client = _client()
    with mock_mturk() as mturk:
        client.get_account_balance()
        client.get_account_balance()
        client.meta.events.register(
            "before-call.mturk.GetAccountBalance",
            lambda **_: (botocore.awsrequest.AWSResponse("u", 200, {}, None), {"AvailableBalance": "4.00"}),
        )
        assert client.get_account_balance()["AvailableBalance"] == "4.00"
    assert len(mturk.calls) == 2


# -- threads --------------------------------------------------------------------------------------------


def _callers(count: int, stop: threading.Event, outcomes: list, allowed: tuple[type, ...], endpoint: str) -> list:
    def call() -> None:
        client = boto3.client(
            "mturk",
            region_name="us-east-1",
            endpoint_url=endpoint,
            config=Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1}, connect_timeout=1),
        )
        while not stop.is_set():
            try:
                outcomes.append(client.get_account_balance()["AvailableBalance"])
            except allowed as error:
                outcomes.append(type(error).__name__)
            except Exception as error:  # pragma: no cover - reported by the test
                outcomes.append(error)
                raise

    return [threading.Thread(target=call) for _ in range(count)]


def _starters(count: int, enough: Callable[[], bool], errors: list) -> list:
    """Threads that start and stop mocks (some nested, stopped out of order, some held for a moment)
    until ``enough()`` says the callers have seen enough, or a minute has passed."""

    def cycle() -> None:
        deadline = time.monotonic() + 60
        number = 0
        try:
            while not enough() and time.monotonic() < deadline:
                number += 1
                mock = MTurkMock(state=World(), record_calls=number % 2 == 0)
                mock.start()
                if number % 3 == 0:
                    inner = mock_mturk().start()
                    mock.stop()
                    inner.stop()
                else:
                    if number % 2:
                        time.sleep(0.0005)
                    mock.stop()
        except Exception as error:  # pragma: no cover - reported by the test
            errors.append(error)

    return [threading.Thread(target=cycle) for _ in range(count)]


def _run(threads: list) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs"


def test_starting_and_stopping_on_many_threads_under_a_standing_mock(emitter):
    outcomes: list = []
    errors: list = []
    stop = threading.Event()
    callers = _callers(3, stop, outcomes, (), SANDBOX)
    with mock_mturk(record_calls=False):
        for thread in callers:
            thread.start()
        _run(_starters(4, lambda: len(outcomes) >= 300, errors))
        stop.set()
        for thread in callers:
            thread.join(timeout=60)
    assert errors == [] and len(outcomes) >= 300 and set(outcomes) == {"10000.00"}
    assert activation.active == ()
    assert vars(HierarchicalEmitter)["emit_until_response"] is PRISTINE


def test_starting_and_stopping_on_many_threads_while_the_stack_empties(emitter):
    """With no standing mock the patches come and go under the callers; a call is answered by a mock,
    refused because it reached the HTTP layer while a mock was active, or goes to the (closed) endpoint."""
    outcomes: list = []
    errors: list = []
    stop = threading.Event()
    reserved = socket.socket()
    reserved.bind(("127.0.0.1", 0))  # bound, never listening: a connection is refused at once
    closed = f"http://127.0.0.1:{reserved.getsockname()[1]}"
    callers = _callers(3, stop, outcomes, (NetworkBlocked, EndpointConnectionError), closed)
    for thread in callers:
        thread.start()
    try:
        _run(_starters(4, lambda: len(outcomes) >= 300 and outcomes.count("10000.00") >= 30, errors))
    finally:
        stop.set()
        for thread in callers:
            thread.join(timeout=60)
        reserved.close()
    assert errors == []
    assert all(isinstance(outcome, str) for outcome in outcomes), [o for o in outcomes if not isinstance(o, str)]
    assert outcomes.count("10000.00") >= 30
    assert activation.active == ()
    assert vars(HierarchicalEmitter)["emit_until_response"] is PRISTINE


# -- answers do not alias ---------------------------------------------------------------------------------


def _deep_mutate(value):
    """Change everything reachable in place: dicts get new members and lose none of their keys' values."""
    if isinstance(value, dict):
        for key in list(value):
            inner = value[key]
            if isinstance(inner, (dict, list)):
                _deep_mutate(inner)
            else:
                value[key] = "mutated"
        value["Mutated"] = True
    elif isinstance(value, list):
        for inner in value:
            if isinstance(inner, (dict, list)):
                _deep_mutate(inner)
        value.append("mutated")
        value.reverse()


def _content(answer: dict) -> dict:
    """The answer without its metadata; a NextToken only as present or not (each token handed out is new)."""
    content = {name: value for name, value in answer.items() if name != "ResponseMetadata"}
    if "NextToken" in content:
        content["NextToken"] = "<a token>"
    return content


def _scenario_answer(scenario, seed: int = 3):
    """A fresh, seeded mock on a frozen clock: the scenario's answer and the mock."""
    mock = MTurkMock(state=World(seed=seed))
    mock.clock.freeze(START)
    client = _client()
    with mock:
        kwargs = scenario.prepare(client, mock)
        answer = getattr(client, scenario.method)(**kwargs)
    return client, mock, kwargs, answer


@pytest.mark.parametrize("scenario", SUCCESS_SCENARIOS, ids=lambda s: s.name)
def test_a_caller_that_mutates_an_answer_gets_the_original_again(scenario):
    """A read is repeated in the same mock; a write, whose repetition is another request, is replayed from
    scratch (same seed, same clock) after the mutation, which must not reach the shared caches either."""
    client, mock, kwargs, answer = _scenario_answer(scenario)
    original = copy.deepcopy(answer)
    _deep_mutate(answer)
    with mock:
        if not OPERATIONS[scenario.operation].writes:
            again = getattr(client, scenario.method)(**kwargs)
            assert _content(again) == _content(original)
            _deep_mutate(again)
        if "QualificationType" in original and scenario.operation != "DeleteQualificationType":
            type_id = original["QualificationType"]["QualificationTypeId"]  # the model's entity is intact
            assert (
                client.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]
                == (original["QualificationType"])
            )
    _, _, _, replay = _scenario_answer(scenario)
    assert _content(replay) == _content(original)
    assert original["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_the_shortcut_recognises_only_botocores_own_method():
    """The in-process shortcut (answer when only botocore's header handlers are cached) stands for running
    botocore's method; it must not stand for another tool's patch, which would then never run."""
    from mturk_mock.transport.botocore_compat import is_botocore_emit

    emitter = HierarchicalEmitter()
    assert is_botocore_emit(PRISTINE.__get__(emitter))
    assert is_botocore_emit(PRISTINE.__get__(emitter))  # recognised once, then by identity

    @functools.wraps(PRISTINE)
    def tool(self, event_name, **kwargs):
        return PRISTINE(self, event_name, **kwargs)

    assert not is_botocore_emit(tool.__get__(emitter))
    assert not is_botocore_emit(PRISTINE) and not is_botocore_emit(None)


def test_mock_mturk_qual_is_kept_as_an_alias_of_mock_mturk():
    import mturk_mock

    assert mturk_mock.mock_mturk_qual is mturk_mock.mock_mturk
    assert {"mock_mturk", "mock_mturk_qual"} <= set(mturk_mock.__all__)

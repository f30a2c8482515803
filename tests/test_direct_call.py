"""The short way through a client call (transport/direct_call.py, boto3's and aiobotocore's clients): the same
answers, errors and request bytes as the library's own way, with no user-agent string built and the endpoint
resolved once per client; and the library's way whenever something could tell the difference (a before-call
handler, a Stubber, another tool's patch, an armed fault)."""

from __future__ import annotations

import asyncio
import functools

import boto3
import botocore
import pytest
import wrapt
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from botocore.hooks import HierarchicalEmitter
from botocore.serialize import JSONSerializer
from botocore.validate import ParamValidationDecorator

from mturk_mock import MTurkMock, World, mock_mturk
from mturk_mock.transport.direct_call import BOTOCORE

from .aio_clients import FLAVORS, aio_client
from .samples import EXTERNAL_QUESTION
from .test_interception import SANDBOX, UNSIGNED, no_network  # noqa: F401 - the fixture
from .unimplemented import hide
from .wire_scenarios import ERROR_SCENARIOS, SUCCESS_SCENARIOS

START = 1_800_000_000
PRODUCTION = "https://mturk-requester.us-east-1.amazonaws.com"


def _client(endpoint: str = SANDBOX, config: Config = UNSIGNED):
    return boto3.client("mturk", region_name="us-east-1", endpoint_url=endpoint, config=config)


def _count_user_agents(monkeypatch, client) -> list[int]:
    """How often the client builds its user-agent string (botocore's way does on every call)."""
    built = [0]
    to_string = client._user_agent_creator.to_string

    def counted(*args, **kwargs):
        built[0] += 1
        return to_string(*args, **kwargs)

    monkeypatch.setattr(client._user_agent_creator, "to_string", counted)
    return built


def _outcome(scenario, monkeypatch, *, botocores_way: bool):
    """The scenario on a fresh seeded mock with a frozen clock: (answer or error, wire of every call, user agents)."""
    mock = MTurkMock(state=World(seed=5))
    mock.clock.freeze(START)
    client = _client()
    if botocores_way:  # a before-call handler of its own sees the request: the short way must not be taken
        client.meta.events.register("before-call.mturk.*", lambda **_: None)
    built = _count_user_agents(monkeypatch, client)
    with monkeypatch.context() as patch, mock:
        hide(patch, *scenario.hidden)
        kwargs = scenario.prepare(client, mock)
        try:
            outcome = getattr(client, scenario.method)(**kwargs)
        except ClientError as error:
            outcome = (type(error).__name__, str(error), error.response)
    wire = [(call.operation, call._request, call._response) for call in mock.calls]  # the bytes, both ways
    return outcome, wire, built[0]


@pytest.mark.parametrize("scenario", SUCCESS_SCENARIOS + ERROR_SCENARIOS, ids=lambda s: s.name)
def test_the_short_way_answers_exactly_as_botocores_way(scenario, monkeypatch):
    short, short_wire, short_agents = _outcome(scenario, monkeypatch, botocores_way=False)
    long, long_wire, long_agents = _outcome(scenario, monkeypatch, botocores_way=True)
    assert short == long and short_wire == long_wire
    assert short_agents == 0 < long_agents  # each took the way it was meant to


def test_validation_errors_are_botocores_own(no_network):  # noqa: F811 - the fixture
    client = _client()
    with mock_mturk(), pytest.raises(ParamValidationError) as short:
        client.get_hit(HITId=7)
    with pytest.raises(ParamValidationError) as unmocked:  # raised before anything would be sent
        client.get_hit(HITId=7)
    assert str(short.value) == str(unmocked.value) and "Invalid type for parameter HITId" in str(short.value)


def test_the_endpoint_is_resolved_once_per_client(monkeypatch):
    resolved: list[BaseClient] = []
    original = BaseClient._resolve_endpoint_ruleset

    def counted(self, *args, **kwargs):
        resolved.append(self)
        return original(self, *args, **kwargs)

    sandbox, production = _client(), boto3.client("mturk", region_name="us-east-1", config=UNSIGNED)
    with mock_mturk() as mturk:
        monkeypatch.setattr(BaseClient, "_resolve_endpoint_ruleset", counted)  # not botocore's: its way
        sandbox.get_account_balance()
        monkeypatch.undo()
        monkeypatch.setattr(sandbox, "_resolve_endpoint_ruleset", functools.partial(counted, sandbox))
        monkeypatch.setattr(production, "_resolve_endpoint_ruleset", functools.partial(counted, production))
        for _ in range(3):
            sandbox.get_account_balance()
            production.get_account_balance()
    assert resolved == [sandbox, sandbox, production]
    assert [call.marketplace for call in mturk.calls] == ["sandbox"] + ["sandbox", "production"] * 3


def test_an_endpoint_customization_registered_later_is_honoured():
    client = _client()

    def to_production(builtins, **_):
        builtins["SDK::Endpoint"] = PRODUCTION

    with mock_mturk() as mturk:
        client.get_account_balance()
        client.meta.events.register("before-endpoint-resolution.mturk", to_production)
        client.get_account_balance()
        client.meta.events.unregister("before-endpoint-resolution.mturk", to_production)
        client.get_account_balance()
    assert [call.marketplace for call in mturk.calls] == ["sandbox", "production", "sandbox"]


def test_parameter_handlers_run_on_every_call():
    client = _client()
    seen: list[dict] = []

    def renamed(params, **_):
        return {**params, "QualificationTypeId": "3" * 30}

    client.meta.events.register("provide-client-params.mturk.GetQualificationType", renamed)
    client.meta.events.register(
        "before-parameter-build.mturk.GetQualificationType", lambda params, **_: seen.append(params)
    )
    with mock_mturk() as mturk:
        for _ in range(2):
            with pytest.raises(ClientError, match="3{30}"):
                client.get_qualification_type(QualificationTypeId="unchanged")
    assert [params["QualificationTypeId"] for params in seen] == ["3" * 30] * 2
    assert [call.request for call in mturk.calls] == [{"QualificationTypeId": "3" * 30}] * 2


def test_an_after_call_handler_sees_every_answer(monkeypatch):
    client = _client(config=Config(signature_version=botocore.UNSIGNED, retries={"mode": "standard"}))
    built = _count_user_agents(monkeypatch, client)
    seen: list[tuple] = []

    def after_call(http_response, parsed, model, context, **_):
        seen.append((http_response.status_code, parsed, model.name, context["client_region"]))

    with mock_mturk():
        client.get_account_balance()
        client.meta.events.register("after-call.mturk.GetAccountBalance", after_call)
        answers = [client.get_account_balance() for _ in range(2)]
        with pytest.raises(ClientError):
            client.get_hit(HITId="3" * 30)
    assert seen == [(200, answer, "GetAccountBalance", "us-east-1") for answer in answers]
    assert built[0] == 0  # the short way, with the handlers of the standard retry mode too


def test_another_tools_patch_of_a_step_it_stands_for_runs(monkeypatch):
    client = _client()
    converted: list[str] = []
    original = BaseClient._convert_to_request_dict

    @functools.wraps(original)
    def tool(self, api_params, operation_model, *args, **kwargs):
        converted.append(operation_model.name)
        return original(self, api_params, operation_model, *args, **kwargs)

    monkeypatch.setattr(BaseClient, "_convert_to_request_dict", tool)
    with mock_mturk() as mturk:
        for _ in range(3):
            client.get_account_balance()
    assert converted == ["GetAccountBalance"] * 3 and len(mturk.calls) == 3


PATCHED_BY_TOOLS = [
    (BaseClient, "_make_api_call"),
    (HierarchicalEmitter, "emit_until_response"),
    (JSONSerializer, "serialize_to_request"),
    (ParamValidationDecorator, "serialize_to_request"),
]


@pytest.mark.parametrize(("owner", "name"), PATCHED_BY_TOOLS)
def test_a_wrapt_patch_made_before_activation_runs_on_every_call(owner, name, monkeypatch):
    """A tool's wrapt patch of a step the short way stands for (tracers such as ddtrace and the X-Ray SDK wrap
    _make_api_call so): a wrapt proxy forwards __func__ and __code__ to botocore's function, and must still
    not be taken for it."""
    seen: list[str] = []

    def tool(wrapped, instance, args, kwargs):
        seen.append(args[0] if isinstance(args[0], str) else args[1].name)  # an event, operation or its model
        return wrapped(*args, **kwargs)

    monkeypatch.setattr(owner, name, vars(owner)[name])  # undone after the test
    wrapt.wrap_function_wrapper(owner, name, tool)
    client = _client()
    with mock_mturk() as mturk:
        for _ in range(3):
            client.get_account_balance()
    assert len([event for event in seen if "GetAccountBalance" in event]) == 3 and len(mturk.calls) == 3


def test_only_botocores_own_method_is_recognised():
    client = _client()
    own = vars(BaseClient)["_make_api_call"]
    assert BOTOCORE.is_own_make_api_call(own.__get__(client))

    @functools.wraps(own)
    def tool(self, *args, **kwargs):
        return own(self, *args, **kwargs)

    assert not BOTOCORE.is_own_make_api_call(tool.__get__(client))
    proxy = wrapt.FunctionWrapper(own, lambda wrapped, instance, args, kwargs: wrapped(*args, **kwargs))
    assert proxy.__get__(client).__func__ is own and not BOTOCORE.is_own_make_api_call(proxy.__get__(client))
    assert not BOTOCORE.is_own_make_api_call(None) and not BOTOCORE.is_own_make_api_call(own)


async def _async_calls(client) -> list:
    """A HIT's life in a few calls, an error and a validation error, each outcome as the caller sees it."""
    outcomes: list = []
    created = await client.create_hit(
        LifetimeInSeconds=600,
        AssignmentDurationInSeconds=60,
        Reward="0.25",
        Title="t",
        Description="d",
        Question=EXTERNAL_QUESTION,
    )
    hit_id = created["HIT"]["HITId"]
    outcomes += [created, await client.get_hit(HITId=hit_id), await client.list_hits(MaxResults=5)]
    for call in (client.get_hit(HITId="3" * 30), client.get_hit(HITId=7)):
        try:
            outcomes.append(await call)
        except (ClientError, ParamValidationError) as error:
            outcomes.append((type(error).__name__, str(error), getattr(error, "response", None)))
    return outcomes


def _async_outcome(flavor: str, monkeypatch, *, libraries_way: bool):
    async def main():
        async with aio_client(flavor) as client:
            if libraries_way:
                client.meta.events.register("before-call.mturk.*", lambda **_: None)
            built = _count_user_agents(monkeypatch, client)
            mock = MTurkMock(state=World(seed=5))
            mock.clock.freeze(START)
            with mock:
                outcomes = await _async_calls(client)
            return outcomes, [(call.operation, call._request, call._response) for call in mock.calls], built[0]

    return asyncio.run(main())


@pytest.mark.parametrize("flavor", FLAVORS)
def test_async_clients_take_the_short_way_with_the_same_answers(flavor, monkeypatch):
    short, short_wire, short_agents = _async_outcome(flavor, monkeypatch, libraries_way=False)
    long, long_wire, long_agents = _async_outcome(flavor, monkeypatch, libraries_way=True)
    assert short == long and short_wire == long_wire and len(short_wire) == 4  # validation refuses the 5th
    assert short_agents == 0 < long_agents


TRICKY = {
    "CreateHIT": {
        "Title": 'Ünïcödé \u2603 "quoted" \\ back',
        "Description": "tab\tnew\nline",
        "Reward": "0.50",
        "LifetimeInSeconds": 600,
        "AssignmentDurationInSeconds": 60,
        "Question": EXTERNAL_QUESTION,
        "QualificationRequirements": (  # a tuple: botocore's validator takes it for a list
            {"QualificationTypeId": "00000000000000000071", "Comparator": "In", "LocaleValues": ({"Country": "US"},)},
            {"QualificationTypeId": "3" * 30, "Comparator": "GreaterThan", "IntegerValues": [True, 5]},
        ),
    },
    "ListHITs": {"MaxResults": 5},
    "GetAccountBalance": {},
    "NotifyWorkers": {"Subject": "s", "MessageText": "m \U0001f600", "WorkerIds": ["A1", "A2"]},
}


@pytest.mark.parametrize("operation", sorted(TRICKY))
def test_a_plain_request_body_is_the_serializers_byte_for_byte(operation):
    """The short way's json.dumps body equals botocore's serializer's for values that escape, tuples and
    booleans where integers go (what botocore's validator lets through, both pass on as they are)."""
    from mturk_mock.transport.direct_call import request_dict

    client = _client()
    model = client.meta.service_model.operation_model(operation)
    params = TRICKY[operation]
    short = request_dict(client, model, params, (SANDBOX, {}, {}), {})
    assert short["body"] == client._serializer.serialize_to_request(params, model)["body"]
    assert short["url"] == SANDBOX + "/"


def test_a_tools_patch_of_the_async_emitter_made_before_activation_runs(monkeypatch):
    from aiobotocore.hooks import AioHierarchicalEmitter

    seen: list[str] = []

    def tool(wrapped, instance, args, kwargs):
        seen.append(args[0] if args else kwargs["event_name"])
        return wrapped(*args, **kwargs)

    monkeypatch.setattr(
        AioHierarchicalEmitter, "emit_until_response", vars(AioHierarchicalEmitter)["emit_until_response"]
    )
    wrapt.wrap_function_wrapper(AioHierarchicalEmitter, "emit_until_response", tool)

    async def main():
        async with aio_client() as client:
            with mock_mturk() as mturk:
                for _ in range(3):
                    await client.get_account_balance()
            return mturk

    mturk = asyncio.run(main())
    assert seen.count("before-call.mturk.GetAccountBalance") == 3 and len(mturk.calls) == 3

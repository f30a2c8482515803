"""The public surface: ``mock_mturk`` (alias ``mock_mturk_qual``) as decorator, context manager
(``with`` and ``async with``) and start/stop, and ``MTurkMock``, the activation that is also the handle."""

from __future__ import annotations

import contextlib
import inspect
import unittest
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar, cast, overload

import wrapt

from . import activation
from .constants import SANDBOX
from .handle import Handle
from .model.fault_settings import FaultOptions, FaultRule, RateLimit
from .model.world import World
from .service.service_model import operation_names

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
TEST_PREFIX = "test"
# The decorator on each function it wrapped: the pytest plugin reads it so that a test's fixtures and its
# decorator share one mock (``decorator_of``).
_DECORATED: weakref.WeakKeyDictionary[Callable[..., Any], MTurkMock] = weakref.WeakKeyDictionary()


class MTurkMock(Handle):
    """An activation of the mock and the handle tests use to look inside it.

    Activations nest: the innermost active mock answers; stopping it hands calls back to the one
    it interrupted. Each activation starts from a clean marketplace unless ``state`` is given, in
    which case every activation created with that state shares it. Activation is process-wide:
    every thread, executor and coroutine sees it until it stops.
    """

    def __init__(
        self,
        *,
        state: World | None = None,
        marketplace: str = SANDBOX,
        seed: int | None = None,
        record_calls: bool = True,
        name_reservation: float = 0.0,
        known_workers: str = "any",
        search_lag: float = 0.0,
        faults: Iterable[FaultRule | Mapping[str, Any]] = (),
        rate_limit: RateLimit | float | Mapping[str, Any] | None = None,
        credentials: str = "any",
        access_keys: Iterable[str] = (),
        retry_backoff: str = "record",
        sqs_endpoint: str | None = None,
        sns_endpoint: str | None = None,
    ) -> None:
        world_options: dict[str, Any] = {
            "seed": seed,
            "name_reservation": name_reservation,
            "known_workers": known_workers,
            "search_lag": search_lag,
        }
        fault_options: dict[str, Any] = {
            "faults": faults,
            "rate_limit": rate_limit,
            "credentials": credentials,
            "access_keys": access_keys,
            "retry_backoff": retry_backoff,
        }
        if state is not None and not isinstance(state, World):
            raise TypeError(f"state must be a mturk_mock.World or None, not {state!r}")
        if not isinstance(record_calls, bool):
            raise TypeError(f"record_calls must be True or False, not {record_calls!r}")
        world = state if state is not None else World(**world_options)
        checked = None
        if faults or rate_limit is not None or credentials != "any" or access_keys or retry_backoff != "record":
            checked = FaultOptions.of(**fault_options, operations=operation_names)
            fault_options["faults"] = checked.rules
        endpoints = {"sqs_endpoint": sqs_endpoint, "sns_endpoint": sns_endpoint}
        super().__init__(world, marketplace, record_calls, checked, **endpoints)
        self._world_options = world_options
        self._options: dict[str, Any] = {
            "state": state,
            "marketplace": marketplace,
            "record_calls": record_calls,
            **world_options,
            **fault_options,
            **endpoints,
        }
        self._shared = state is not None
        self._started_once = False
        self._active = False
        # The decorator whose next activation this mock stands in for: the pytest plugin started it early,
        # for the decorated test's fixtures (``adopt_for``).
        self._adopted_by: MTurkMock | None = None

    # -- activation -------------------------------------------------------------------------
    def start(self) -> MTurkMock:
        if self._active:
            raise RuntimeError("this mock is already active; create another mock_mturk() to nest")
        if self.world.journal is not None:
            raise RuntimeError("this mock's state is a durable server's: serve it with MTurkServer, do not activate it")
        if self._started_once and not self._shared:  # a new activation starts from a new, empty state
            self.world = World(**self._world_options)
            self.calls = []
            self.faults.reset()
            self._install_courier()
        self._started_once = True
        activation.push(self)
        self._active = True
        return self

    def stop(self) -> None:
        if not self._active:
            raise RuntimeError("this mock is not active")
        self._active = False
        activation.remove(self)

    @property
    def active(self) -> bool:
        return self._active

    def _keep_state(self) -> None:
        self._shared = True

    def adopt_for(self, decorator: MTurkMock) -> None:
        """Let ``decorator``'s next activation use this mock (already active) instead of a fresh one: the
        pytest plugin starts a decorated test's mock before its fixtures, and the test gets the same one."""
        self._adopted_by = decorator

    def _activation(self) -> contextlib.AbstractContextManager[MTurkMock]:
        """A fresh activation for a decorated call, or the mock the pytest plugin started for it."""
        innermost = activation.innermost()
        if innermost is not None and innermost._adopted_by is self:
            innermost._adopted_by = None
            return contextlib.nullcontext(innermost)
        return self._fresh()

    def __enter__(self) -> MTurkMock:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> MTurkMock:
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()

    # -- decorating ---------------------------------------------------------------------------
    def _fresh(self) -> MTurkMock:
        return MTurkMock(**self._options)

    @overload
    def __call__(self, wrapped: type[T]) -> type[T]: ...  # type: ignore[overload-overlap]
    @overload
    def __call__(self, wrapped: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]: ...
    @overload
    def __call__(self, wrapped: Callable[P, R]) -> Callable[P, R]: ...
    def __call__(self, wrapped: Any) -> Any:
        """Decorate a function, coroutine function, method or class; each call gets its own activation."""
        if isinstance(wrapped, type):
            return self._decorate_class(wrapped)
        enter = self._activation
        with contextlib.suppress(TypeError):  # objects without weak references are never tests
            _DECORATED[wrapped] = self
        if inspect.iscoroutinefunction(wrapped):

            @wrapt.decorator
            async def run_async(
                wrapped: Callable[..., Awaitable[Any]], instance: object, args: tuple[Any, ...], kwargs: dict[str, Any]
            ) -> Any:
                with enter():
                    return await wrapped(*args, **kwargs)

            return run_async(wrapped)

        @wrapt.decorator
        def run(wrapped: Callable[..., Any], instance: object, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            with enter():
                return wrapped(*args, **kwargs)

        return run(wrapped)

    def _decorate_class(self, cls: type[T]) -> type[T]:
        if issubclass(cls, unittest.TestCase):
            # Active from setUp through tearDown and cleanups, for every test method.
            original_set_up, fresh = cls.setUp, self._fresh

            def setUp(test_case: unittest.TestCase, *args: Any, **kwargs: Any) -> None:
                mock = fresh().start()
                test_case.addCleanup(mock.stop)
                original_set_up(test_case, *args, **kwargs)

            cls.setUp = setUp  # type: ignore[method-assign,assignment]
            return cast("type[T]", cls)
        for name, attribute in list(vars(cls).items()):
            if not name.startswith(TEST_PREFIX):
                continue
            if isinstance(attribute, (staticmethod, classmethod)):
                setattr(cls, name, type(attribute)(self(attribute.__func__)))
            elif inspect.isfunction(attribute):
                setattr(cls, name, self(attribute))
        return cls


@overload
def mock_mturk(func: type[T], /) -> type[T]: ...
@overload
def mock_mturk(func: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def mock_mturk(
    *,
    state: World | None = ...,
    marketplace: str = ...,
    seed: int | None = ...,
    record_calls: bool = ...,
    name_reservation: float = ...,
    known_workers: str = ...,
    search_lag: float = ...,
    faults: Iterable[FaultRule | Mapping[str, Any]] = ...,
    rate_limit: RateLimit | float | Mapping[str, Any] | None = ...,
    credentials: str = ...,
    access_keys: Iterable[str] = ...,
    retry_backoff: str = ...,
    sqs_endpoint: str | None = ...,
    sns_endpoint: str | None = ...,
) -> MTurkMock: ...
def mock_mturk(func: Any = None, /, **options: Any) -> Any:
    """``@mock_mturk``, ``@mock_mturk(...)``, ``with mock_mturk() as mturk``, or start()/stop().

    Options: ``state`` (a World to share instead of a fresh one), ``marketplace`` (the marketplace for
    clients whose endpoint_url is neither MTurk host; default sandbox), ``seed`` (reproducible IDs),
    ``record_calls`` (keep the call log; default True), ``name_reservation`` (seconds a deleted qualification
    type's name stays taken; the service says up to 48 hours; default 0: released at once), ``known_workers``
    (``"any"``: every well-formed worker ID is a worker, the default; ``"registered"``: only workers made
    with ``mturk.worker()``, others get ParameterValidationError on WorkerId), ``search_lag`` (seconds before
    created or updated qualification types show in ListQualificationTypes, and new HITs in ListHITs; default
    0). Faults (README, "Failures on purpose"): ``faults`` (rules, as dicts of ``mturk.faults.add`` options),
    ``rate_limit`` (calls a second per requester, or ``{"rate": r, "burst": b}``), ``credentials``
    (``"registered"``: only ``access_keys`` are accepted), ``retry_backoff`` (``"record"``, ``"clock"`` or
    ``"sleep"``).
    Notifications (README, "Notifications"): ``sqs_endpoint`` and ``sns_endpoint`` (an SQS- or
    SNS-compatible server to deliver to; by default messages go to moto when its mock is active).
    """
    mock = MTurkMock(**options)
    return mock if func is None else mock(func)


mock_mturk_qual = mock_mturk  # the name of the qualification-only releases, kept for existing code


def current() -> MTurkMock | None:
    """The innermost active mock (inside a decorated function: its handle), or None."""
    return activation.innermost()


def decorator_of(function: object) -> MTurkMock | None:
    """The ``@mock_mturk`` that decorates ``function`` (through other decorators and bound methods), or None."""
    for _ in range(32):  # a chain of wrappers, never a cycle
        if function is None:
            return None
        target = cast("Callable[..., Any]", getattr(function, "__func__", function))
        try:
            found = _DECORATED.get(target)
        except TypeError:  # not weakly referenceable: not a function
            found = None
        if found is not None:
            return found
        function = getattr(function, "__wrapped__", None)
    return None

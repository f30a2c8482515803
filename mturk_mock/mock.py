"""The public surface: ``mock_mturk_qual`` (decorator, context manager, start/stop) and its handle."""

from __future__ import annotations

import inspect
import json
import os
import pathlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, overload

import wrapt

from .calls import CallRecord
from .model.clock import Clock
from .model.marketplace import Notification
from .model.snapshot import dump_world, load_world
from .model.world import MARKETPLACES, SANDBOX, World
from .simulation import SimulatedWorker, make_worker
from .transport import botocore_hook

F = TypeVar("F", bound=Callable[..., Any])
TEST_PREFIX = "test"


class MTurkMock:
    """An activation of the mock and the handle tests use to look inside it.

    Activations nest: the innermost active mock answers; stopping it hands calls back to the one
    it interrupted. Each activation starts from a clean marketplace unless ``state`` is given, in
    which case every activation created with that state shares it. Activation is process-wide:
    every thread, executor and coroutine sees it until it stops.
    """

    def __init__(self, *, state: World | None = None, marketplace: str = SANDBOX, seed: int | None = None,
                 record_calls: bool = True, name_reservation: float = 0.0, known_workers: str = "any") -> None:
        if marketplace not in MARKETPLACES:
            raise ValueError(f"marketplace must be one of {', '.join(MARKETPLACES)}, not {marketplace!r}")
        self._options = {"state": state, "marketplace": marketplace, "seed": seed, "record_calls": record_calls,
                         "name_reservation": name_reservation, "known_workers": known_workers}
        self.default_marketplace = marketplace
        self._shared = state
        self._world_options = {"seed": seed, "name_reservation": name_reservation, "known_workers": known_workers}
        self.world = state if state is not None else World(**self._world_options)
        self.calls: list[CallRecord] = []
        self._record_calls = record_calls
        self._started_once = False
        self._active = False

    # -- activation -------------------------------------------------------------------------
    def start(self) -> MTurkMock:
        if self._active:
            raise RuntimeError("this mock is already active; create another mock_mturk_qual() to nest")
        if self._started_once and self._shared is None:
            self.world = World(**self._world_options)
            self.calls = []
        self._started_once = True
        botocore_hook.push(self)
        self._active = True
        return self

    def stop(self) -> None:
        if not self._active:
            raise RuntimeError("this mock is not active")
        self._active = False
        botocore_hook.remove(self)

    @property
    def active(self) -> bool:
        return self._active

    def __enter__(self) -> MTurkMock:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the handle ---------------------------------------------------------------------------
    @property
    def clock(self) -> Clock:
        return self.world.clock

    def reset(self) -> None:
        """Back to an empty marketplace, a real-time clock and an empty call log."""
        self.world.clear()
        self.calls.clear()

    def worker(self, worker_id: str | None = None, *, marketplace: str | None = None) -> SimulatedWorker:
        """A simulated worker (registered in the marketplace); a new realistic ID when none is given."""
        return make_worker(self, worker_id, marketplace)

    def grant_qualifications(self, type_id: str, grants: Mapping[str, int] | Iterable[tuple[str, int]], *,
                             marketplace: str | None = None) -> int:
        """Seed many grants at once (worker ID -> IntegerValue), as AssociateQualificationWithWorker would
        make them but without a client call or notification each: for tests that need a large state."""
        world = self.world
        pairs = grants.items() if isinstance(grants, Mapping) else grants
        with world.lock:
            market = world.marketplace(marketplace or self.default_marketplace)
            qual = market.qualification_types.get(type_id)
            return market.grant_many(qual, pairs, world.clock.now())

    def save_state(self, path: str | os.PathLike) -> None:
        """Write the state to a JSON file (atomically: an interrupted save leaves the old file intact)."""
        data = json.dumps(dump_world(self.world), ensure_ascii=False)
        target = pathlib.Path(path)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(data, encoding="utf-8")
        os.replace(temporary, target)

    def load_state(self, path: str | os.PathLike) -> None:
        """Replace the state with one saved by ``save_state`` (ValueError if the file is not one)."""
        try:
            data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not a mturk_mock state: {exc}") from None
        self.world = load_world(data)
        self._shared = self.world

    @property
    def notifications(self) -> list[Notification]:
        """Messages MTurk would have sent to workers (grants with SendNotification, revokes with a
        Reason, rejected requests), oldest first."""
        return self.world.notifications

    def calls_to(self, operation: str) -> list[CallRecord]:
        return [call for call in self.calls if call.operation == operation]

    def record(self, operation: str, marketplace: str, requester: str, request: bytes, status: int,
                response: bytes, request_id: str) -> None:
        if self._record_calls:  # list.append is atomic: no lock needed
            self.calls.append(CallRecord(operation, marketplace, requester, request, status, response, request_id))

    # -- decorating ---------------------------------------------------------------------------
    def _fresh(self) -> MTurkMock:
        return MTurkMock(**self._options)

    def __call__(self, wrapped: F) -> F:
        """Decorate a function, coroutine function, method or class; each call gets its own activation."""
        if isinstance(wrapped, type):
            return self._decorate_class(wrapped)
        fresh = self._fresh
        if inspect.iscoroutinefunction(wrapped):
            @wrapt.decorator
            async def run_async(wrapped, instance, args, kwargs):
                with fresh():
                    return await wrapped(*args, **kwargs)

            return run_async(wrapped)

        @wrapt.decorator
        def run(wrapped, instance, args, kwargs):
            with fresh():
                return wrapped(*args, **kwargs)

        return run(wrapped)

    def _decorate_class(self, cls: type) -> type:
        import unittest

        if issubclass(cls, unittest.TestCase):
            # Active from setUp through tearDown and cleanups, for every test method.
            original_set_up, fresh = cls.setUp, self._fresh

            def setUp(test_case, *args, **kwargs):
                mock = fresh().start()
                test_case.addCleanup(mock.stop)
                original_set_up(test_case, *args, **kwargs)

            cls.setUp = setUp
            return cls
        for name, attribute in list(vars(cls).items()):
            if not name.startswith(TEST_PREFIX):
                continue
            if isinstance(attribute, (staticmethod, classmethod)):
                setattr(cls, name, type(attribute)(self(attribute.__func__)))
            elif inspect.isfunction(attribute):
                setattr(cls, name, self(attribute))
        return cls


@overload
def mock_mturk_qual(func: F, /) -> F: ...
@overload
def mock_mturk_qual(*, state: World | None = ..., marketplace: str = ..., seed: int | None = ...,
                    record_calls: bool = ..., name_reservation: float = ..., known_workers: str = ...) -> MTurkMock: ...
def mock_mturk_qual(func=None, /, **options):
    """``@mock_mturk_qual``, ``@mock_mturk_qual(...)``, ``with mock_mturk_qual() as mturk``, or start()/stop().

    Options: ``state`` (a World to share instead of a fresh one), ``marketplace`` (the marketplace for
    clients whose endpoint_url is neither MTurk host; default sandbox), ``seed`` (reproducible IDs),
    ``record_calls`` (keep the call log; default True), ``name_reservation`` (seconds a deleted qualification
    type's name stays taken; the service says up to 48 hours; default 0: released at once), ``known_workers``
    (``"any"``: every well-formed worker ID is a worker, the default; ``"registered"``: only workers made
    with ``mturk.worker()``, others get ParameterValidationError on WorkerId).
    """
    mock = MTurkMock(**options)
    return mock if func is None else mock(func)


def current() -> MTurkMock | None:
    """The innermost active mock (inside a decorated function: its handle), or None."""
    return botocore_hook.innermost()

"""Journaling, the model's side: how changes announce themselves to a durable server's journal.

A durable server (``mturk_mock/durable/``) attaches a ``Recorder`` to the World; without one (the
in-process mock) nothing here does anything but call through. With one, every change of state is
recorded under the world's lock in the order it was applied, as the command that made it, so that
replaying the commands from a checkpoint rebuilds exactly the same state:

* API requests that write: ``service/dispatch.py`` records them (``Operation.writes``);
* every other entry point that changes state (simulated workers, the handle's helpers, World settings)
  is a method decorated with ``@journaled(kind)`` on a ``JournalTarget``: the call is recorded with its
  arguments (JSON-native, see ``to_data``) and the instant it ran at, and replay calls the same method
  on the same target at that instant. A new entry point needs only the decorator (and, on a class
  that is not a target yet, ``journal_world``/``journal_ref``/``from_journal_ref``);
* clock changes: the durable layer listens with ``Clock.on_change``;
* time-driven work applied outside those (a read that settles, a clock move): ``World.settle`` records a
  ``SETTLE`` entry, since that work draws IDs from the World's one stream, which every marketplace
  shares, and replay must draw them at the same point.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, cast

from .xml.hit_answers import FileUpload

if TYPE_CHECKING:
    from .world import World

F = TypeVar("F", bound=Callable[..., Any])

SETTLE = "settle"  # an entry: the marketplace named by its subject settled at its instant
KINDS: dict[str, Callable[..., Any]] = {}  # kind -> the undecorated method: what replay calls
TARGETS: dict[str, type[JournalTarget]] = {}  # tag -> the class that finds a target again from its ref


class UnknownEntry(Exception):
    """A journal entry this version cannot replay (written by a newer mturk_mock)."""


class Recorder(Protocol):
    """What the model knows of a journal. Sequence numbers count recorded entries from 1."""

    appended: int  # the last sequence number recorded
    durable: int  # the last sequence number known to be on disk
    failed: str | None  # why the journal stopped, if it did: nothing may be acknowledged any more
    depth: int  # journaled calls in progress (under the world's lock): nested ones are not recorded

    def record(self, kind: str, at: float, ok: bool, subject: Any, data: Any) -> int:
        """Append one entry (under the world's lock, right after the change); its sequence number."""
        ...

    def gather(self, deferring: bool) -> None:
        """While ``deferring``, records do not wake the writer: a server's I/O thread runs a round of requests
        and then lets them go to disk in one commit (group commit without waiting for more)."""
        ...

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the journal's thread) whenever ``durable`` or ``failed`` changes."""
        ...

    def unsubscribe(self, listener: Callable[[], None]) -> None: ...

    def rebase(self) -> int:
        """Record the whole state as a new checkpoint (under the world's lock, after it was replaced
        wholesale: a reset, a loaded file); its sequence number."""
        ...

    def wait(self, seq: int) -> None:
        """Return once entry ``seq`` is durable (raises if the journal failed or was closed). Not under the lock,
        but for a clock change made inside a locked section (a reset), which stalls requests for one flush."""
        ...


class JournalTarget:
    """An object whose ``@journaled`` methods can be replayed: ``journal_ref`` names it within its World and
    ``from_journal_ref`` finds it again. Subclasses register with a class keyword: ``journal_tag="worker"``."""

    journal_tag: ClassVar[str] = ""

    def __init_subclass__(cls, journal_tag: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if journal_tag:
            cls.journal_tag = journal_tag
            TARGETS[journal_tag] = cls

    def journal_world(self) -> World:
        raise NotImplementedError

    def journal_ref(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_journal_ref(cls, world: World, ref: dict[str, Any]) -> JournalTarget:
        raise NotImplementedError


def journaled(kind: str) -> Callable[[F], F]:
    """Record each call of the decorated method of a ``JournalTarget`` while its World has a journal.

    The arguments are converted to JSON-native data first (TypeError, and nothing happens, when they cannot
    be) and the method runs with that data read back, exactly as replay will run it. It runs under the
    world's lock with the clock pinned at one instant; the entry is recorded whether it returns or raises
    (a refused action may still have drawn IDs), and the caller gets the outcome once the entry is durable.
    """

    def decorate(method: F) -> F:
        if kind in KINDS:
            raise ValueError(f"journal kind {kind!r} is used twice")
        KINDS[kind] = method

        @functools.wraps(method)
        def journaling(target: JournalTarget, *args: Any, **kwargs: Any) -> Any:
            world = target.journal_world()
            if world.journal is None:
                return method(target, *args, **kwargs)
            return _run_recorded(kind, method, world, target, args, kwargs)

        return cast(F, journaling)

    return decorate


def _run_recorded(
    kind: str, method: Callable[..., Any], world: World, target: JournalTarget, args: Any, kwargs: Any
) -> Any:
    with world.lock:
        recorder = world.journal
        if recorder is None or recorder.depth:  # detached meanwhile, or called by a journaled call
            return method(target, *args, **kwargs)
        if recorder.failed is not None:
            raise RuntimeError(f"the state journal failed ({recorder.failed}): restart the server")
        data = [to_data(list(args)), to_data(kwargs)]
        call_args, call_kwargs = from_data(data[0]), from_data(data[1])
        subject = [target.journal_tag, target.journal_ref()]
        clock = world.clock
        at = clock.now()
        previous = clock.pin(at)
        recorder.depth += 1
        ok = False
        try:
            result = method(target, *call_args, **call_kwargs)
            ok = True
        finally:
            recorder.depth -= 1
            clock.unpin(previous)
            seq = recorder.record(kind, at, ok, subject, data)  # a raised exception goes on from here
    recorder.wait(seq)
    world.deliver()
    return result


def replay_call(world: World, kind: str, subject: Any, data: Any) -> None:
    """Call a recorded method again (on a World without a journal, its clock pinned by the caller)."""
    method = KINDS.get(kind)
    tag, ref = subject
    target_class = TARGETS.get(tag)
    if method is None or target_class is None:
        raise UnknownEntry(f"a journal entry of kind {kind!r} on {tag!r}, unknown to this version of mturk_mock")
    target = target_class.from_journal_ref(world, ref)
    method(target, *from_data(data[0]), **from_data(data[1]))


# -- arguments as JSON-native data ---------------------------------------------------------------
# Values JSON cannot hold are one-key objects whose key starts with "$"; a dict with such a key is
# written as {"$dict": [[key, value], ...]}, so that nothing is ambiguous.


def to_data(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        items = [(key, to_data(item)) for key, item in value.items()]
        if not all(isinstance(key, str) for key, _ in items):
            raise TypeError(f"cannot journal a mapping with keys that are not strings: {value!r:.80}")
        if any(key.startswith("$") for key, _ in items):
            return {"$dict": [[key, item] for key, item in items]}
        return dict(items)
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, FileUpload):
        return {"$file": base64.b64encode(value.content).decode("ascii")}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("cannot journal a naive datetime")
        return {"$time": value.timestamp()}
    if isinstance(value, Iterable):  # lists, tuples, sets (in the order they gave), generators
        return [to_data(item) for item in value]
    raise TypeError(f"cannot journal a {type(value).__name__}: pass plain data (str, numbers, lists, dicts, bytes)")


_SPECIAL: dict[str, Callable[[Any], Any]] = {
    "$dict": lambda items: {key: from_data(item) for key, item in items},
    "$bytes": lambda text: base64.b64decode(text),
    "$file": lambda text: FileUpload(base64.b64decode(text)),
    "$decimal": Decimal,
    "$time": lambda seconds: dt.datetime.fromtimestamp(seconds, dt.timezone.utc),
}


def from_data(data: Any) -> Any:
    if isinstance(data, list):
        return [from_data(item) for item in data]
    if isinstance(data, dict):
        if len(data) == 1:
            ((key, value),) = data.items()
            special = _SPECIAL.get(key)
            if special is not None:
                return special(value)
        return {key: from_data(item) for key, item in data.items()}
    return data

"""What a crowd's workers hand in: answers to HITs (each distinct answer document built and checked
against the form once, then reused), qualification requests and test answers; and the summary of a run."""

from __future__ import annotations

import datetime as dt
import gc
import random
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..model import xml
from ..model.hits.assignments import ACCEPTED, Assignment
from ..model.hits.hits import HIT
from ..model.marketplace import Marketplace
from ..model.qualifications import workflow
from ..model.qualifications.requests import STARTED
from ..model.qualifications.requirements import Requirement
from ..model.qualifications.types import QualificationType
from ..model.workers import WorkerError
from ..model.world import World
from .behaviour import (
    AnswerSpec,
    Choice,
    QualificationTest,
    Task,
    TestAnswerSpec,
    WorkerProfile,
    keyed_answers,
    resolve,
)
from .hits import answers_document
from .worker import SimulatedWorker

DOCUMENTS_KEPT = 10_000  # distinct (question, answers) documents remembered
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def worker_id(number: int) -> str:
    """A realistic worker ID: A and 13 upper-case letters and digits."""
    digits = []
    for _ in range(13):
        number, digit = divmod(number, 36)
        digits.append(_ID_ALPHABET[digit])
    return "A" + "".join(digits)


class CrowdWorker:
    """One member of a crowd: ``worker_id``, ``profile`` (``traits`` for your functions), what they did."""

    __slots__ = (
        "worker_id",
        "profile",
        "random",
        "accepted",
        "submitted",
        "returned",
        "abandoned",
        "assignment",
        "left",
        "asked",
        "avoided",
        "_world",
        "_marketplace",
    )

    def __init__(self, worker_id: str, profile: WorkerProfile, rng: random.Random, world: World, market: str) -> None:
        self.worker_id = worker_id
        self.profile = profile
        self.random = rng  # the crowd's generator: draws made with it keep a run reproducible
        self.accepted = self.submitted = self.returned = self.abandoned = 0
        self.assignment: Assignment | None = None  # the one being worked on
        self.left: int | None = None  # assignments still to submit (None: no limit)
        self.asked: set[str] = set()  # qualification types already requested
        self.avoided: set[str] = set()  # HITs returned: not taken again
        self._world, self._marketplace = world, market

    @property
    def traits(self) -> Any:
        return self.profile.traits

    @property
    def simulated(self) -> SimulatedWorker:
        """The same worker as a SimulatedWorker, to inspect (qualifications) or act by hand."""
        return SimulatedWorker(self._world, self.worker_id, self._marketplace)

    def __repr__(self) -> str:
        return f"<CrowdWorker {self.worker_id}: {self.accepted} accepted, {self.submitted} submitted>"


def _datetime(epoch: float | None) -> dt.datetime | None:
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, dt.timezone.utc)


def _frozen(answers: Any) -> tuple[Any, Any]:
    """The answers with lists made tuples (read once), and a hashable key for them (None when there is
    none): equal answers give equal documents."""
    if isinstance(answers, str):
        return answers, answers
    if not isinstance(answers, Mapping):
        return answers, None
    items = []
    for name, value in answers.items():
        if not isinstance(value, str) and isinstance(value, Iterable):
            value = tuple(value)
        items.append((name, value))
    key: Any = tuple(items)
    try:
        hash(key)
    except TypeError:
        key = None
    return dict(items), key


@contextmanager
def collection_paused() -> Iterator[None]:
    """Automatic garbage collection paused: the model makes no reference cycles, and collections that walk
    a large state would cost a third of a run."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def check_rate(name: str, rate: float) -> None:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise ValueError(f"{name} must be a probability from 0 to 1, not {rate!r}")


class Tasks:
    """The crowd's answers: to HITs (``answers``) and to qualification tests (``test_answers``)."""

    def __init__(self, answers: AnswerSpec, test_answers: TestAnswerSpec, rng: random.Random) -> None:
        if answers is not None and not isinstance(answers, (Mapping, Choice)) and not callable(answers):
            raise TypeError("answers must be a mapping, a Choice, a function of (task, worker) or None")
        if test_answers is not None and not callable(test_answers):
            raise TypeError("test_answers must be a function of (test, worker, passing) or None")
        self._spec, self._test_spec, self._rng = answers, test_answers, rng
        fixed = isinstance(answers, Mapping) and not any(isinstance(v, Choice) for v in answers.values())
        self._fixed = _frozen(answers) if fixed else None  # the same answers every time: one document per HIT
        self._tasks: dict[str, Task] = {}
        self._documents: dict[tuple[str, Any], tuple[str, dict[str, bytes]]] = {}
        self._passing: dict[tuple[str, str], str] = {}  # (type, test) -> the key's best answers

    def task(self, hit: HIT) -> Task:
        task = self._tasks.get(hit.hit_id)
        if task is None or task.hit_type_id != hit.hit_type.type_id:
            task = self._tasks[hit.hit_id] = Task.of(hit)
        return task

    def answers(self, hit: HIT, member: CrowdWorker) -> tuple[str, dict[str, bytes]]:
        """The Answer document and uploads (WorkerActionRefused when the answers do not fit the form)."""
        if self._fixed is not None:
            value, key = self._fixed
        else:
            value, key = _frozen(resolve(self._spec, self._rng, lambda: self.task(hit), member))
        if key is None:
            return answers_document(hit, value)
        found = self._documents.get((hit.question, key))
        if found is None:
            if len(self._documents) >= DOCUMENTS_KEPT:
                self._documents.clear()
            found = self._documents[(hit.question, key)] = answers_document(hit, value)
        return found[0], dict(found[1]) if found[1] else {}

    def request(
        self,
        market: Marketplace,
        member: CrowdWorker,
        qual: QualificationType,
        requirement: Requirement,
        now: float,
        success: float,
        summary: CrowdSummary,
    ) -> None:
        """Request a qualification as a worker does, answering its test at once: the key's best answers
        with probability ``success``, else poor ones."""
        try:
            request = workflow.start_request(market, member.worker_id, qual.type_id, now)
        except WorkerError as refused:
            summary.refuse(str(refused))
            return
        summary.qualification_requests += 1
        if request.status != STARTED:
            return  # auto-granted, or waiting for the owner
        passing = self._rng.random() < success
        try:
            workflow.submit_answers(market, request, self._test_document(qual, member, passing), now)
        except WorkerError as refused:
            summary.refuse(str(refused))
            return
        summary.tests_taken += 1
        grant = market.grants.get(qual.type_id, member.worker_id)
        if grant is not None and grant.status == "Granted" and requirement.met_by(grant.value):
            summary.tests_passed += 1

    def _test_document(self, qual: QualificationType, member: CrowdWorker, passing: bool) -> str:
        assert qual.test is not None and qual.form is not None
        if self._test_spec is not None:
            given = self._test_spec(QualificationTest(qual.type_id, qual.name, qual.test, qual.form), member, passing)
            return given if isinstance(given, str) else xml.build_answers(given, qual.form)
        if passing and qual.key is not None:
            cached = self._passing.get((qual.type_id, qual.test))
            if cached is None:
                answers = keyed_answers(qual.form, qual.key, True, self._rng)
                cached = self._passing[(qual.type_id, qual.test)] = xml.build_answers(answers, qual.form)
            return cached
        return xml.build_answers(keyed_answers(qual.form, qual.key, passing, self._rng), qual.form)


@dataclass
class CrowdSummary:
    """What happened in a run (``crowd.run``) or in every run so far (``crowd.summary``).

    ``late`` submissions came after the deadline and count among ``abandoned``; ``tests_passed`` are tests
    scored by an answer key whose value meets the HIT's requirement; ``refusals`` counts the reasons the
    marketplace refused the crowd something. ``working``, ``idle`` and ``finished`` count workers at the
    end: holding an accepted assignment, waiting for work they may take, done with their assignments."""

    workers: int
    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    looks: int = 0
    accepted: int = 0
    submitted: int = 0
    returned: int = 0
    abandoned: int = 0
    late: int = 0
    qualification_requests: int = 0
    tests_taken: int = 0
    tests_passed: int = 0
    working: int = 0
    idle: int = 0
    finished: int = 0
    refusals: Counter[str] = field(default_factory=Counter)

    _COUNTS = (
        "looks",
        "accepted",
        "submitted",
        "returned",
        "abandoned",
        "late",
        "qualification_requests",
        "tests_taken",
        "tests_passed",
    )

    @classmethod
    def empty(cls, workers: int, start: float | None = None) -> CrowdSummary:
        return cls(workers, _datetime(start))

    def refuse(self, reason: str) -> None:
        self.refusals[reason] += 1

    def close(self, end: float, members: Iterable[CrowdWorker], idle: int) -> None:
        self.ended = _datetime(end)
        self.working = self.finished = 0
        for member in members:
            if member.assignment is not None and member.assignment.status == ACCEPTED:
                self.working += 1
            elif member.left == 0:
                self.finished += 1
        self.idle = idle

    def add(self, run: CrowdSummary) -> None:
        """Add a later run's counts; the end states are the later run's."""
        for name in self._COUNTS:
            setattr(self, name, getattr(self, name) + getattr(run, name))
        self.refusals.update(run.refusals)
        self.started = self.started or run.started
        self.ended, self.working, self.idle, self.finished = run.ended, run.working, run.idle, run.finished

    def __str__(self) -> str:
        span = ""
        if self.started and self.ended:  # the end's date only when it is another day
            end_format = "%H:%M:%S" if self.ended.date() == self.started.date() else "%Y-%m-%d %H:%M:%S"
            span = f"{self.started:%Y-%m-%d %H:%M:%S} to {self.ended.strftime(end_format)}"
        lines = [
            f"{self.workers} workers, {span}: {self.accepted} accepted, {self.submitted} submitted, "
            f"{self.returned} returned, {self.abandoned} abandoned ({self.late} late)",
            f"qualifications: {self.qualification_requests} requested, {self.tests_taken} tests taken, "
            f"{self.tests_passed} passed; at the end {self.working} working, {self.idle} idle, "
            f"{self.finished} finished",
        ]
        lines += [f"refused {count}x: {reason}" for reason, count in self.refusals.most_common(5)]
        return "\n".join(lines)

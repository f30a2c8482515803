"""A crowd: many simulated workers working the marketplace's HITs at once while the mock clock advances.

    crowd = mturk.crowd(500, seed=7, answers={"label": Choice({"cat": 6, "dog": 4})},
                        think_time=(60, 600), return_rate=0.05, abandon_rate=0.02)
    summary = crowd.run(hours=2)        # the clock moves two hours; workers find, accept, submit...

A run is a discrete-event simulation on the mock clock: each worker's next action (look for work,
submit, return, come back after abandoning) is due at an instant; the run moves the clock to each
instant in turn and acts through the same model functions as a single simulated worker (requirements,
blocks, one assignment per worker and HIT, answers checked against the form), under the world's lock
in batches of a few dozen actions, so that other threads (an HTTP server) keep being answered.
Abandonment is the schedule's: a worker who abandons never submits, and the clock passing the deadline
makes the assignment Abandoned. Every random draw comes from one seeded generator.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import threading
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from itertools import count

from ..model.hits import work
from ..model.hits.assignments import ABANDONED, ACCEPTED
from ..model.hits.hits import HIT
from ..model.marketplace import Marketplace
from ..model.workers import WorkerActionRefused
from ..model.world import World
from .behaviour import (
    AnswerSpec,
    Choice,
    ProfileSpec,
    Seconds,
    Task,
    TestAnswerSpec,
    check_seconds,
    draw_seconds,
    profiles,
)
from .board import Board
from .crowd_work import CrowdSummary, CrowdWorker, Tasks, check_rate, collection_paused, worker_id
from .worker import set_profile

LOOK, SUBMIT, RETURN, CHECK, TICK = range(5)
HOLD = 0.004  # seconds of work per hold of the world's lock, so that other threads wait a few ms at most


class Crowd:
    """Workers of one marketplace who work its HITs as the clock advances; ``mturk.crowd(...)`` makes one.
    See the README's "A crowd" for every option."""

    def __init__(
        self,
        world: World,
        marketplace: str,
        size: int | None = None,
        *,
        worker_ids: Sequence[str] | None = None,
        profile: ProfileSpec = None,
        answers: AnswerSpec = None,
        think_time: Seconds = (30.0, 300.0),
        return_rate: float = 0.0,
        abandon_rate: float = 0.0,
        assignments_per_worker: int | None = None,
        arrival: Seconds = 0.0,
        pause: Seconds = 0.0,
        takes_tests: float = 1.0,
        test_success: float = 0.8,
        test_answers: TestAnswerSpec = None,
        search_interval: float | None = 600.0,
        seed: int | None = None,
    ) -> None:
        _refuse_durable(world)
        self._world, self.marketplace = world, marketplace
        for name, rate in (("return_rate", return_rate), ("abandon_rate", abandon_rate)):
            check_rate(name, rate)
        check_rate("takes_tests", takes_tests)
        check_rate("test_success", test_success)
        if return_rate + abandon_rate > 1:
            raise ValueError("return_rate + abandon_rate must be at most 1")
        for name, spec in (("think_time", think_time), ("arrival", arrival), ("pause", pause)):
            check_seconds(name, spec)
        for name, spec in (("arrival", arrival), ("pause", pause)):
            if callable(spec) and not isinstance(spec, Choice):
                raise TypeError(f"{name} must be seconds, a (low, high) range or a Choice")
        if assignments_per_worker is not None and assignments_per_worker < 1:
            raise ValueError("assignments_per_worker must be at least 1 (or None: no limit)")
        if search_interval is not None and not search_interval > 0:
            raise ValueError("search_interval must be > 0 seconds, or None")
        self.random = random.Random(seed)
        self.return_rate, self.abandon_rate = return_rate, abandon_rate
        self.think_time, self.arrival, self.pause = think_time, arrival, pause
        self.takes_tests, self.test_success = takes_tests, test_success
        self.search_interval = search_interval
        self._tasks = Tasks(answers, test_answers, self.random)
        with collection_paused():
            ids = self._worker_ids(size, worker_ids)
            made = profiles(profile, len(ids), self.random)
            self.workers = [
                CrowdWorker(wid, given, self.random, world, marketplace) for wid, given in zip(ids, made, strict=True)
            ]
            for member in self.workers:
                member.left = assignments_per_worker
            self._register()
        self.summary = CrowdSummary.empty(len(self.workers))  # every run so far, added up
        self._heap: list[tuple[float, int, int, CrowdWorker | None]] = []
        self._order = count()
        self._waiting: list[CrowdWorker] = []
        self._board = Board()
        self._woken_at = -1  # the board generation idle workers last looked at
        self._started = False
        self._running = threading.Lock()

    def _session(self) -> AbstractContextManager[tuple[Marketplace, float]]:
        return self._world.session(self.marketplace)

    def __repr__(self) -> str:
        return f"<Crowd of {len(self.workers)} workers ({self.marketplace})>"

    def _worker_ids(self, size: int | None, worker_ids: Sequence[str] | None) -> list[str]:
        if worker_ids is not None:
            ids = list(worker_ids)
            if size is not None and size != len(ids):
                raise ValueError(f"size {size} but {len(ids)} worker IDs")
            if len(set(ids)) != len(ids):
                raise ValueError("worker IDs must be distinct")
            return ids
        if size is None or isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"a crowd needs a number of workers >= 0 (or worker_ids=), not {size!r}")
        ids, seen = [], set()
        while len(ids) < size:
            wid = worker_id(self.random.getrandbits(68))
            if wid not in seen:
                seen.add(wid)
                ids.append(wid)
        return ids

    def _register(self) -> None:
        """Register every member with its profile and past work, a few hundred per hold of the lock."""
        for start in range(0, len(self.workers), 500):
            with self._session() as (market, _now):
                for member in self.workers[start : start + 500]:
                    given = member.profile
                    set_profile(
                        market,
                        member.worker_id,
                        country=given.country,
                        subdivision=given.subdivision,
                        adult=given.adult,
                        masters=given.masters,
                    )
                    record = market.workers.profile(member.worker_id)
                    record.past_approved, record.past_rejected = given.approved, given.rejected
                    record.past_returned, record.past_abandoned = given.returned, given.abandoned

    # -- running ----------------------------------------------------------------------------------
    def run(
        self,
        seconds: float = 0.0,
        *,
        minutes: float = 0.0,
        hours: float = 0.0,
        days: float = 0.0,
        until: dt.datetime | float | None = None,
    ) -> CrowdSummary:
        """Advance the mock clock by the given time (or to ``until``), the crowd working all along, and
        return what happened in this run. The clock is frozen during the run and runs again afterwards if
        it ran before; a later run continues where this one stopped."""
        _refuse_durable(self._world)  # the state may have become durable since the crowd was made
        if not self._running.acquire(blocking=False):
            raise RuntimeError("this crowd is already running")
        clock = self._world.clock
        was_frozen = clock.frozen
        try:
            clock.freeze()
            start = clock.now()
            span = seconds + minutes * 60 + hours * 3600 + days * 86400
            if isinstance(until, dt.datetime) and until.tzinfo is None:
                raise ValueError("naive datetime: give the crowd a timezone-aware datetime")
            if until is not None:
                span = (until.timestamp() if isinstance(until, dt.datetime) else float(until)) - start
            if span < 0:
                raise ValueError("a crowd's run cannot go back in time")
            target = round(start + span, 3)
            if not self._started:
                self._start(start)
            summary = CrowdSummary.empty(len(self.workers), start)
            with collection_paused():
                while not self._batch(target, summary):
                    if threading.active_count() > 1:
                        time.sleep(0)  # let threads waiting for the lock in
            with self._world.lock:
                if clock.now() < target:
                    clock.freeze(target)
            self._world.settle_all()  # every marketplace at the end of the run, its notifications sent
            with self._session():
                summary.close(target, self.workers, len(self._waiting))
            self.summary.add(summary)
            return summary
        finally:
            if not was_frozen:
                clock.unfreeze()
            self._running.release()

    def _start(self, start: float) -> None:
        self._started = True
        for member in self.workers:
            self._push(start + draw_seconds(self.arrival, self.random, _no_task, member), LOOK, member)
        if self.search_interval is not None:
            self._push(start + self.search_interval, TICK, None)

    def _push(self, when: float, action: int, member: CrowdWorker | None) -> None:
        heapq.heappush(self._heap, (round(when, 3), next(self._order), action, member))

    def _batch(self, target: float, summary: CrowdSummary) -> bool:
        """Due actions for up to HOLD seconds under the lock; True when nothing is due by ``target``."""
        clock, heap = self._world.clock, self._heap
        until = time.perf_counter() + HOLD
        board = self._board
        with self._session() as (market, now):
            if board.market is not None and market is not board.market:
                raise RuntimeError(
                    "the marketplace was reset or replaced since this crowd worked in it: make a new crowd"
                )
            for done in count(1):
                if not heap or heap[0][0] > target:
                    return True
                if not done % 16 and time.perf_counter() > until:
                    return False
                when, _order, action, member = heapq.heappop(heap)
                if when > now:
                    clock.freeze(when)
                    now = when
                    market.settle(now)
                if member is None:
                    self._tick(market, now)
                elif action == LOOK:
                    self._look(member, market, now, summary)
                elif action == SUBMIT:
                    self._submit(member, market, now, summary)
                else:
                    self._finish(member, market, now, summary, returning=action == RETURN)
                if self._waiting and board.generation != self._woken_at:
                    self._wake(now)  # new work on the board: idle workers look again
        return False

    def _wake(self, now: float) -> None:
        """Idle workers look again: there is new work, or it is time to check (qualifications may have come)."""
        self._woken_at = self._board.generation
        waiting, self._waiting = self._waiting, []
        for member in waiting:
            self._push(now + draw_seconds(self.pause, self.random, _no_task, member), LOOK, member)

    def _tick(self, market: Marketplace, now: float) -> None:
        assert self.search_interval is not None
        self._push(now + self.search_interval, TICK, None)
        self._board.refresh(market)
        if self._waiting and self._board.has_work():
            self._wake(now)

    # -- one worker's actions ---------------------------------------------------------------------
    def _look(self, member: CrowdWorker, market: Marketplace, now: float, summary: CrowdSummary) -> None:
        summary.looks += 1
        hit = self._find(member, market, now, summary)
        if hit is None:
            self._waiting.append(member)
            return
        try:
            assignment = work.accept(market, member.worker_id, hit.hit_id, now)
        except WorkerActionRefused as refused:
            summary.refuse(refused.reason)
            self._waiting.append(member)
            return
        member.assignment = assignment
        member.accepted += 1
        summary.accepted += 1
        rng = self.random
        outcome = rng.random()
        if outcome < self.abandon_rate:  # walks away: back only after the deadline has passed
            self._push(assignment.deadline, CHECK, member)
            return
        think = draw_seconds(self.think_time, rng, lambda: self._tasks.task(hit), member)
        if outcome < self.abandon_rate + self.return_rate:
            self._push(now + think * rng.random(), RETURN, member)
        else:
            self._push(now + think, SUBMIT, member)

    def _find(self, member: CrowdWorker, market: Marketplace, now: float, summary: CrowdSummary) -> HIT | None:
        """A HIT the worker may take: from a random group on the board, scanning on to the next group
        until one is open to the worker (taking its qualification tests on the way)."""
        board = self._board
        board.refresh(market)
        groups = board.groups
        total = len(groups)
        if not total:
            return None
        worker_id, live, avoided = member.worker_id, market.assignments.live, member.avoided

        def takeable(hit: HIT) -> bool:
            return (hit.hit_id, worker_id) not in live and hit.hit_id not in avoided

        start, empty = (self.random.randrange(total) if total > 1 else 0), 0
        for step in range(total):
            group = groups[(start + step) % total]
            if not group.hits:
                empty += 1
                continue
            sample = group.hits[0]
            if market.blocks.is_blocked(sample.owner, worker_id):
                continue
            if work.unmet_requirement(market, worker_id, sample, work.ACCEPT) is not None and not self._qualify(
                member, market, sample, now, summary
            ):
                continue
            hit = board.pick(group, self.random, takeable)
            if hit is not None:
                return hit
        if empty > 16 and 2 * empty > total:
            board.prune()
        return None

    def _qualify(
        self, member: CrowdWorker, market: Marketplace, sample: HIT, now: float, summary: CrowdSummary
    ) -> bool:
        """Request the qualifications a HIT requires that the worker has never held (taking their tests);
        whether the worker may now accept it. A worker who cannot even see the HIT asks for nothing."""
        if not self.takes_tests or work.unmet_requirement(market, member.worker_id, sample, work.DISCOVER):
            return False
        asked = False
        for requirement in sample.hit_type.requirements.parsed:
            type_id = requirement.type_id
            qual = market.qualification_types.by_id.get(type_id)
            if type_id in member.asked or qual is None or not qual.requestable:
                continue
            if market.grants.get(type_id, member.worker_id) is not None:
                continue
            member.asked.add(type_id)
            if self.random.random() < self.takes_tests:
                asked = True
                self._tasks.request(market, member, qual, requirement, now, self.test_success, summary)
        return asked and work.unmet_requirement(market, member.worker_id, sample, work.ACCEPT) is None

    def _submit(self, member: CrowdWorker, market: Marketplace, now: float, summary: CrowdSummary) -> None:
        assignment = member.assignment
        assert assignment is not None
        if assignment.status != ACCEPTED:  # too late: the deadline passed and the slot went to others
            summary.late += 1
            self._finish(member, market, now, summary, returning=False)
            return
        try:
            document, uploads = self._tasks.answers(assignment.hit, member)
            work.submit(market, assignment, document, uploads, now)
        except WorkerActionRefused as refused:  # answers that do not fit the form: given back
            summary.refuse(refused.reason)
            self._finish(member, market, now, summary, returning=True)
            return
        member.assignment = None
        member.submitted += 1
        summary.submitted += 1
        if member.left is not None:
            member.left -= 1
            if member.left == 0:
                return  # done for good
        self._push(now + draw_seconds(self.pause, self.random, _no_task, member), LOOK, member)

    def _finish(
        self, member: CrowdWorker, market: Marketplace, now: float, summary: CrowdSummary, returning: bool
    ) -> None:
        """A return (the worker gives the assignment back) or the look after an abandonment."""
        assignment = member.assignment
        assert assignment is not None
        member.assignment = None
        if returning and assignment.status == ACCEPTED:
            work.return_assignment(market, assignment, now)
            self._board.refresh(market)  # the slot is open again
            member.avoided.add(assignment.hit.hit_id)
            member.returned += 1
            summary.returned += 1
        elif assignment.status == ABANDONED:
            member.abandoned += 1
            summary.abandoned += 1
        self._push(now + draw_seconds(self.pause, self.random, _no_task, member), LOOK, member)


def _no_task() -> Task:
    raise TypeError("arrival and pause cannot be functions of a task")


def _refuse_durable(world: World) -> None:
    if world.journal is not None:  # a run is thousands of actions driven by its own state: not journaled
        raise RuntimeError(
            "a crowd cannot work on a durable server's state (its runs are not journaled, so a restart could "
            "not rebuild them): drive simulated workers one by one, or run the crowd without --state"
        )

"""The journal of a durable server: entries recorded under the world's lock, written by one committer thread
in group commits, and checkpoints taken from time to time.

``record`` (under the world's lock, so entries are in the order changes were applied) only appends to a
queue and wakes the committer; the committer writes everything queued in one transaction, so the cost of a
disk flush is shared by every request that arrived meanwhile. An answer leaves only once its entry is
durable: the HTTP server holds it back until ``durable`` reaches the journal's horizon at the time the
answer was computed (so no answer shows a change that could still be lost), and ``wait`` blocks a
journaled call's caller. If a write fails, the journal stops (``failed``): nothing is acknowledged any
more, the server refuses requests, and a restart recovers every acknowledged write.

A checkpoint is the World's snapshot in a file (``snapshots.py``), then one small transaction that points
the database at it and drops the journal it covers. The committer takes one when the journal has grown
to half the last snapshot's size (and at least ``checkpoint_bytes``), so that replay on start stays within
a small multiple of loading the snapshot, whatever the state's size. A small snapshot is encoded under the
lock and queued like an entry (``rebase``: also how a reset or a loaded file is recorded); a large one is
written by a forked child while the server goes on. ``close`` takes a last one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from ..model.world import World
from . import snapshots
from .store import ENTRY_WEIGHT, Row, Store

log = logging.getLogger("mturk_mock")

CLOCK = "clock"  # an entry holding the clock's new state
SNAPSHOT = "snapshot"  # a checkpoint in the queue (never a row of the journal table)
CHECKPOINT_BYTES = 32 << 20  # the journal grows at least this much (weighted bytes) between checkpoints
LOCK_TRY = 0.05  # seconds the committer waits for the world's lock before it commits again and retries
CHILD_POLL = 0.05  # seconds between looks at a checkpoint's child process
RETRY_SECONDS = 60.0  # after a checkpoint failed

Queued = tuple[int, str, float, bool, Any, Any]  # seq, kind, at, ok, subject, data


class JournalFailed(RuntimeError):
    """The journal could not be written: what was not yet durable will never be acknowledged."""


class Journal:
    """The ``Recorder`` a durable World carries (model/journal.py)."""

    def __init__(self, world: World, store: Store, last: int, checkpoint_bytes: int | None = None) -> None:
        self.world, self.store = world, store
        self.appended = self.durable = last
        self.failed: str | None = None
        self.depth = 0
        self.checkpoint_bytes = CHECKPOINT_BYTES if checkpoint_bytes is None else checkpoint_bytes
        self._queue: deque[Queued] = deque()
        self._wake = threading.Event()
        self._changed = threading.Condition()
        self._listeners: list[Callable[[], None]] = []
        self._weight = store.journal_bytes()  # of the journal since the checkpoint
        self.snapshot_size = 0  # bytes of the last checkpoint
        self._closing = False
        self._stopped = False  # the committer has exited: nothing recorded from now on becomes durable
        self._deferring = False  # the server's I/O thread is running a round of requests
        self._writing = threading.Lock()  # one writer of the database at a time
        # Without a disk flush per commit (sync normal), the I/O thread commits its round itself: a hand-off to
        # the committer and back costs more than the commit. With one, it keeps serving while the flush runs.
        self.inline = store.sync == "normal"
        self._child: tuple[int, int, int] | None = None  # a checkpoint being written: pid, seq, weight after it
        self._retry_at = 0.0  # after a failed checkpoint, not again before this (time.monotonic)
        self._thread = threading.Thread(target=self._run, name="mturk-mock-journal", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def journal_bytes(self) -> int:
        """The journal since the checkpoint, weighted (its data, and ENTRY_WEIGHT per entry): what replay costs."""
        return self._weight

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the committer thread) after each commit and on failure: the HTTP server
        then sends the answers it held back, or drops them."""
        self._listeners = [*self._listeners, listener]

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        self._listeners = [known for known in self._listeners if known != listener]

    # -- under the world's lock -----------------------------------------------------------------
    def record(self, kind: str, at: float, ok: bool, subject: Any, data: Any) -> int:
        seq = self.appended + 1
        self._queue.append((seq, kind, at, ok, subject, data))
        self.appended = seq
        if not self._deferring:
            self._wake.set()
        return seq

    def gather(self, deferring: bool) -> None:
        self._deferring = deferring
        if deferring or not self._queue:
            return
        if self.inline and self._writing.acquire(blocking=False):  # else the committer is at it: it takes these
            try:
                if self.failed is None:
                    self._commit_queued(tell=False)
            except Exception as exc:
                self._fail(exc)
            finally:
                self._writing.release()
            if self._checkpoint_due():
                self._wake.set()  # the committer takes checkpoints
        else:
            self._wake.set()

    def rebase(self) -> int:
        return self.record(SNAPSHOT, 0.0, True, None, snapshots.encode(self.world))

    def clock_changed(self) -> None:
        """The clock's listener: its new state becomes an entry, acknowledged before the change returns."""
        world = self.world
        with world.lock:
            clock = world.clock
            seq = self.record(CLOCK, clock.now(), True, None, clock.state())
        self.wait(seq)

    # -- anywhere but under the lock --------------------------------------------------------------
    def wait(self, seq: int) -> None:
        if self.durable >= seq:
            return
        self._wake.set()  # a caller in the server's I/O thread recorded while its round defers the commit
        with self._changed:
            while self.durable < seq and self.failed is None and not self._stopped:
                self._changed.wait()
        if self.durable < seq:
            why = f"failed ({self.failed})" if self.failed is not None else "was closed"
            raise JournalFailed(f"the state journal {why}: this change was not made durable")

    def all_durable(self) -> bool:
        """Wait until everything recorded so far is on disk; False if it never will be."""
        try:
            self.wait(self.appended)
        except JournalFailed:
            return False
        return True

    def checkpoint(self) -> None:
        """Take a checkpoint now and return once it is durable."""
        with self.world.lock:
            seq = self.rebase()
        self.wait(seq)

    def close(self, checkpoint: bool = True) -> None:
        """Write what is queued (and a last checkpoint), stop the committer, close the database."""
        if checkpoint and self.failed is None and self._thread.is_alive() and (self._weight or self._queue):
            try:
                self.checkpoint()  # it also stops a checkpoint a child was still writing
            except JournalFailed:
                pass
        self._closing = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()
        self.store.close()

    # -- the committer thread ---------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while self.failed is None:
                self._wake.wait(None if self._child is None else CHILD_POLL)
                self._wake.clear()
                if not self._commit_guarded(look_at_child=True):
                    return
                if self._closing:
                    with self._writing:
                        self._child = self._abandon(self._child)
                    if not self._queue:
                        return
                elif self._checkpoint_due():
                    self._start_checkpoint()
        except Exception as exc:  # taking a checkpoint failed beyond the journal: stop acknowledging anything
            with self._writing:
                self._fail(exc)
        finally:
            with self._changed:
                self._stopped = True
                self._changed.notify_all()

    def _commit_guarded(self, look_at_child: bool = False) -> bool:
        """Commit what is queued (and adopt a finished child's checkpoint) holding the writer's lock. A
        failure (disk full, file gone...) is recorded before that lock is let go, so no later commit by
        another thread can make entries after the lost ones look durable. False once the journal failed."""
        with self._writing:
            try:
                self._commit_queued()
                if look_at_child and self._child is not None:
                    self._look_at_child()
            except Exception as exc:
                self._fail(exc)
        return self.failed is None

    def _commit_queued(self, tell: bool = True) -> None:
        if self.failed is not None:  # what was not durable when the journal failed never will be
            return
        queue, batch = self._queue, []
        while queue:
            batch.append(queue.popleft())
        if not batch:
            return
        checkpoint = None
        for index in range(len(batch) - 1, -1, -1):
            seq, kind, _at, _ok, _subject, data = batch[index]
            if kind == SNAPSHOT:  # what comes before the newest checkpoint is in it
                snapshots.write_file(self.store.checkpoint_path(seq), data)
                checkpoint, batch_rows, self.snapshot_size = seq, batch[index + 1 :], len(data)
                self._child = self._abandon(self._child)  # an older picture, overtaken
                break
        else:
            batch_rows = batch
        rows = [_row(entry) for entry in batch_rows]
        self.store.write(rows, checkpoint)
        weight = sum(len(row[5]) + ENTRY_WEIGHT for row in rows)
        self._weight = weight if checkpoint is not None else self._weight + weight
        if self._child is not None:
            pid, seq, after = self._child
            self._child = (pid, seq, after + weight)
        with self._changed:
            self.durable = batch[-1][0]
            self._changed.notify_all()
        if tell:
            self._tell()

    def _checkpoint_due(self) -> bool:
        return (
            self._child is None
            and self._weight > max(self.checkpoint_bytes, self.snapshot_size // 2)
            and time.monotonic() >= self._retry_at
        )

    def _start_checkpoint(self) -> None:
        """Take a checkpoint under the world's lock: queued if small, by a forked child if large. While
        another thread holds the lock, keep committing (it may be waiting for its own entry)."""
        lock = self.world.lock
        while not lock.acquire(timeout=LOCK_TRY):
            if not self._commit_guarded() or self._closing:
                return
        try:
            if self.snapshot_size < snapshots.FORK_BYTES or not snapshots.can_fork():
                self.rebase()
            else:
                seq = self.appended
                pid = snapshots.fork_writer(self.world, self.store.checkpoint_path(seq))
                with self._writing:  # the I/O thread's inline commits change _child too
                    self._child = (pid, seq, 0)
        finally:
            lock.release()

    def _look_at_child(self) -> None:
        """Under the writer's lock: adopt the child's checkpoint once it is written."""
        assert self._child is not None
        pid, seq, after = self._child
        done = snapshots.child_done(pid)
        if done is None:
            return
        self._child = None
        if not done:
            log.warning("mturk_mock: writing a checkpoint of %s failed; the journal goes on", self.store.path)
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return
        if seq > self.store.checkpoint_seq:
            self.store.write((), seq)
            self.snapshot_size = os.path.getsize(self.store.checkpoint_path(seq))
            self._weight = after

    @staticmethod
    def _abandon(child: tuple[int, int, int] | None) -> None:
        if child is not None:
            with contextlib.suppress(OSError):
                os.kill(child[0], signal.SIGKILL)
                os.waitpid(child[0], 0)

    def _fail(self, exc: BaseException) -> None:
        """Under the writer's lock: stop acknowledging anything."""
        log.error("mturk_mock: the state journal %s failed; nothing is acknowledged", self.store.path, exc_info=exc)
        with self._changed:
            self.failed = f"{type(exc).__name__}: {exc}"
            self._changed.notify_all()
        self._tell()

    def _tell(self) -> None:
        for listener in self._listeners:
            try:
                listener()
            except Exception:  # a listener's trouble must not stop the journal
                log.exception("mturk_mock: a journal listener failed")


def _row(entry: Queued) -> Row:
    seq, kind, at, ok, subject, data = entry
    body = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return seq, kind, at, int(ok), json.dumps(subject, ensure_ascii=False, separators=(",", ":")), body

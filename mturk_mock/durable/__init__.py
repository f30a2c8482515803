"""Durable server state: every acknowledged change survives a crash (``mturk-mock serve --state FILE``).

    state = open_state("market.db", handle)          # load (or create, or import a JSON state file)
    with MTurkServer(handle) as server: ...          # answers leave only once their change is on disk
    state.close()                                    # a last checkpoint

FILE is an SQLite database (WAL mode) holding a checkpoint of the World and a journal of the commands
applied since (``store.py``): the API requests that write, and the calls of ``@journaled`` entry points
(simulated workers, the handle's helpers, the clock). On start the checkpoint is loaded and the journal
replayed (``replay.py``), which rebuilds exactly the acknowledged state: same IDs, times, clock, and
pagination tokens stay valid. The in-process mock never journals anything.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
from typing import TYPE_CHECKING
from warnings import warn

from ..model.snapshot import dump_world, load_world
from ..model.world import World
from .journal import Journal, JournalFailed
from .replay import rebuild
from .store import SYNC_MODES, StateError, Store, create, sniff

if TYPE_CHECKING:
    from ..handle import Handle

__all__ = ["SYNC_MODES", "DurableState", "JournalFailed", "StateError", "open_state", "read_world"]

BACKUP_SUFFIX = ".before-journal.json"


class DurableState:
    """A handle's World made durable: its journal and what opening it found (``warnings``)."""

    def __init__(self, path: str, journal: Journal, warnings: list[str], imported: str | None) -> None:
        self.path, self.journal, self.warnings, self.imported = path, journal, warnings, imported
        self.load_seconds = 0.0  # how long opening took (the CLI measures it)

    @property
    def failed(self) -> str | None:
        """Why the journal stopped (then nothing more is acknowledged), or None."""
        return self.journal.failed

    def checkpoint(self) -> None:
        self.journal.checkpoint()

    def close(self) -> None:
        """Take a last checkpoint and detach: the World goes on in memory only."""
        world = self.journal.world
        try:
            self.journal.close()
        finally:
            with world.lock:
                world.journal = None
                world.clock.on_change(None)
                world.outbox.gate = None


def open_state(
    path: str | os.PathLike[str],
    handle: Handle,
    *,
    marketplace: str | None = None,
    sync: str = "full",
    checkpoint_bytes: int | None = None,
) -> DurableState:
    """Make ``handle``'s World durable in the database at ``path``. An existing database replaces the
    handle's state (StateError when it is another marketplace's, of an unknown format, damaged or in use);
    a JSON state file (``save_state``) is imported, keeping a copy beside it; otherwise the handle's
    current state becomes the database's first checkpoint. ``sync``: "full" survives the machine's crash,
    "normal" the process's (README, "Durable state")."""
    if getattr(handle, "active", False):
        raise ValueError("serve an inactive handle: an active one answers this process's clients in-process")
    if handle.world.journal is not None:
        raise ValueError("this handle's state is already durable")
    if sync not in SYNC_MODES:
        raise ValueError(f"sync must be one of {', '.join(SYNC_MODES)}, not {sync!r}")
    name = os.fspath(path)
    marketplace = marketplace or handle.default_marketplace
    kind, imported = sniff(name), None
    if kind == "absent":
        create(name, _snapshot(handle), marketplace)
    elif kind == "json":
        imported = _import(name, marketplace)
    elif kind != "sqlite":
        raise StateError(f"{name} is not a mturk_mock state (neither a state database nor a JSON state file)")
    store = Store(name, sync)
    try:
        if store.marketplace != marketplace:
            raise StateError(
                f"{name} holds the state of a {store.marketplace} server, not {marketplace}: serve it with "
                f"--marketplace {store.marketplace}, or give another --state"
            )
        warnings = [] if store.torn is None else [f"{name}: {store.torn}; loaded up to the last complete entry"]
        world, last = rebuild(store, lambda text: warnings.append(f"{name}: {text}"))
        snapshot_size = os.path.getsize(store.checkpoint_file)
    except BaseException:
        store.close()
        raise
    target = handle.world
    target.adopt(world)
    journal = Journal(target, store, last, checkpoint_bytes)
    journal.snapshot_size = snapshot_size
    with target.lock:
        target.journal = journal
        target.clock.on_change(journal.clock_changed)
        target.outbox.gate = journal.all_durable  # no notification announces a change that could be lost
    journal.start()
    return DurableState(name, journal, warnings, imported)


def read_world(path: str | os.PathLike[str]) -> World:
    """The World a state database describes (``load_state`` on a database); StateError if it is not one."""
    store = Store(path)

    def report(text: str) -> None:  # a damaged tail loads less: the caller is told, as a server's operator is
        warn(f"{store.path}: {text}", RuntimeWarning, stacklevel=4)

    try:
        if store.torn is not None:
            report(f"{store.torn}; loaded up to the last complete entry")
        return rebuild(store, report)[0]
    finally:
        store.close()


def _snapshot(handle: Handle) -> bytes:
    return json.dumps(dump_world(handle.world), ensure_ascii=False, separators=(",", ":")).encode()


def _import(name: str, marketplace: str) -> str:
    """Turn a JSON state file into a database at the same path; a copy of the file stays beside it."""
    try:
        world = load_world(json.loads(pathlib.Path(name).read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise StateError(f"{name} is not a mturk_mock state: {exc}") from None
    backup = name + BACKUP_SUFFIX
    shutil.copyfile(name, backup)
    with open(backup, "rb") as file:
        os.fsync(file.fileno())
    create(name, json.dumps(dump_world(world), ensure_ascii=False, separators=(",", ":")).encode(), marketplace)
    return backup

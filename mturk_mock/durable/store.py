"""The state: an SQLite database (WAL mode) holding the journal, and the checkpoint file it points at.

    FILE                meta(key, value): format "mturk_mock-journal/1", the server's marketplace, the
                        checkpoint's sequence number and file name;
                        journal(seq, kind, at, ok, subject, data): every change since the checkpoint, in
                        the order it was applied: an API request that writes (subject [marketplace,
                        requester, operation], data the body), a journaled call (subject [target tag,
                        ref], data [args, kwargs]), a clock change
    FILE.checkpoint-<seq>-<tag>.json
                        the World as of entry <seq>: model/snapshot.py's JSON (a save_state file); <tag>
                        is random per opening, so no two servers ever write the same name

One connection, in exclusive locking mode (a second server on the same file is refused), writes. A
checkpoint file is durable before the transaction that points the database at it and drops the journal it
covers; the previous file is removed after that commit, and files no database points at are removed on
open. A new database is written under a temporary name and renamed into place, so FILE is always a
complete database or absent.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from ..state_file import sync_directory
from . import snapshots, wal

FORMAT_PREFIX = "mturk_mock-journal/"
VERSION = 1
FORMAT = f"{FORMAT_PREFIX}{VERSION}"
SQLITE_HEADER = b"SQLite format 3\x00"
SYNC_MODES = ("full", "normal")
# SQLite copies the write-ahead log into the database (two more disk flushes) every this many pages, and
# cuts the log file back to that size; at the default (1,000) the copies cost a tenth of the commits' time.
WAL_PAGES = 8192
BUSY_SECONDS = 2.0

Row = tuple[int, str, float, int, str, bytes]  # seq, kind, at, ok, subject (JSON), data

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, at REAL NOT NULL, ok INTEGER NOT NULL,
    subject TEXT NOT NULL, data BLOB NOT NULL
);
"""


class StateError(ValueError):
    """A state that must not be served: not a mturk_mock state, of a newer format, another marketplace's,
    damaged, or in use. The message says which."""


def sniff(path: str | os.PathLike[str]) -> str:
    """ "absent", "sqlite", "json" (a state file of ``save_state``, to import) or "other"."""
    try:
        with open(path, "rb") as file:
            start = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "absent"
    if start == SQLITE_HEADER:
        return "sqlite"
    return "json" if start.lstrip().startswith(b"{") else "other"


def checkpoint_path(path: str, seq: int, tag: str) -> str:
    return f"{path}.checkpoint-{seq}-{tag}.json"


def create(path: str | os.PathLike[str], snapshot: bytes, marketplace: str) -> None:
    """Write a new state holding ``snapshot`` as its checkpoint, atomically at ``path``."""
    target = pathlib.Path(path)
    first = checkpoint_path(str(target), 0, secrets.token_hex(4))
    snapshots.write_file(first, snapshot)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.creating")
    for leftover in (temporary, *(pathlib.Path(f"{temporary}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    try:
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            connection.execute("PRAGMA synchronous=FULL")
            connection.executescript(_SCHEMA)
            connection.execute("BEGIN")
            connection.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [
                    ("format", FORMAT),
                    ("marketplace", marketplace),
                    ("checkpoint", "0"),
                    ("checkpoint_file", os.path.basename(first)),
                ],
            )
            connection.execute("COMMIT")
            connection.execute("PRAGMA journal_mode=WAL")  # recorded in the file: every later open is WAL
        finally:
            connection.close()
        with open(temporary, "rb") as file:
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    sync_directory(target.parent)


class Store:
    """An open state database (``open``); ``torn`` describes a tail SQLite discarded on opening it."""

    def __init__(self, path: str | os.PathLike[str], sync: str = "full", exclusive: bool = True) -> None:
        if sync not in SYNC_MODES:
            raise ValueError(f"sync must be one of {', '.join(SYNC_MODES)}, not {sync!r}")
        self.path = os.fspath(path)
        self.sync = sync
        self.torn: str | None = None
        self._tag = secrets.token_hex(4)
        try:
            self.connection = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS
            )
        except sqlite3.Error as exc:
            raise StateError(f"{self.path} cannot be opened: {exc}") from None
        try:
            self._open(sync, exclusive)
        except BaseException:
            self.connection.close()
            raise

    def _open(self, sync: str, exclusive: bool) -> None:
        connection = self.connection
        try:
            if exclusive:
                connection.execute("PRAGMA locking_mode=EXCLUSIVE")
            connection.execute(f"PRAGMA synchronous={sync.upper()}")
            connection.execute("BEGIN IMMEDIATE")  # takes the write lock, and recovers the log of a crash
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            meta = dict(connection.execute("SELECT key, value FROM meta")) if "meta" in tables else {}
            connection.execute("COMMIT")
            self.meta = _checked(self.path, meta, tables)
            self.checkpoint_seq = int(self.meta["checkpoint"])
            page_size = connection.execute("PRAGMA page_size").fetchone()[0]
            limit = wal.HEADER + WAL_PAGES * (wal.FRAME_HEADER + page_size)  # on a frame boundary
            connection.execute(f"PRAGMA journal_size_limit={limit}")
            connection.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
            _busy, frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StateError(f"{self.path} is in use by another mturk-mock server") from None
            raise StateError(f"{self.path} cannot be read: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path} is damaged: {exc}") from None
        self.torn = wal.torn_tail(self.path + "-wal", frames)
        self._remove_strays()

    def _remove_strays(self) -> None:
        """Checkpoint files no database points at: written by a server that died before switching to them,
        or left behind after a switch."""
        directory, name = os.path.split(os.path.abspath(self.path))
        current = self.meta["checkpoint_file"]
        for candidate in os.listdir(directory):
            if candidate.startswith(f"{name}.checkpoint-") and candidate != current:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(directory, candidate))

    def checkpoint_path(self, seq: int) -> str:
        """Where this server writes the checkpoint of entry ``seq``. A checkpoint writer left running by a
        killed server can never overwrite the file of the server that replaced it."""
        return checkpoint_path(self.path, seq, self._tag)

    @property
    def marketplace(self) -> str:
        return str(self.meta["marketplace"])

    @property
    def checkpoint_file(self) -> str:
        return os.path.join(os.path.dirname(os.path.abspath(self.path)), self.meta["checkpoint_file"])

    def checkpoint(self) -> tuple[int, bytes]:
        """The checkpoint's sequence number and its snapshot (model/snapshot.py's JSON)."""
        name = self.checkpoint_file
        try:
            with open(name, "rb") as file:
                return self.checkpoint_seq, file.read()
        except FileNotFoundError:
            raise StateError(f"{self.path} is damaged: its checkpoint {name} is missing") from None

    def entries(self, after: int) -> Iterator[Row]:
        """The journal after sequence number ``after``, in order."""
        try:
            yield from self.connection.execute(
                "SELECT seq, kind, at, ok, subject, data FROM journal WHERE seq > ? ORDER BY seq", (after,)
            )
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path} is damaged: {exc}") from None

    def journal_bytes(self) -> int:
        found = self.connection.execute("SELECT COUNT(*), SUM(LENGTH(data)) FROM journal").fetchone()
        return int(found[0] or 0) * ENTRY_WEIGHT + int(found[1] or 0)

    def write(self, rows: Sequence[Row], checkpoint: int | None = None) -> None:
        """In one transaction: ``rows``, then (if given) the switch to the checkpoint file of that sequence
        number (already durable), dropping the journal it covers. Then the previous file goes."""
        connection = self.connection
        previous = self.meta["checkpoint_file"]
        # The switch is flushed whatever the setting: the previous file is removed right after it, so an
        # unflushed switch lost in a machine's crash would leave the database pointing at nothing.
        flush = checkpoint is not None and self.sync != "full"
        if flush:
            connection.execute("PRAGMA synchronous=FULL")
        connection.execute("BEGIN")
        try:
            if rows:
                connection.executemany("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?)", rows)
            if checkpoint is not None:
                name = os.path.basename(self.checkpoint_path(checkpoint))
                connection.executemany(
                    "UPDATE meta SET value=? WHERE key=?", [(str(checkpoint), "checkpoint"), (name, "checkpoint_file")]
                )
                connection.execute("DELETE FROM journal WHERE seq <= ?", (checkpoint,))
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
        finally:
            if flush:
                connection.execute("PRAGMA synchronous=NORMAL")
        if checkpoint is not None:
            self.meta["checkpoint_file"], self.checkpoint_seq = name, checkpoint
            if name != previous:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(os.path.dirname(os.path.abspath(self.path)), previous))

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.connection.close()


ENTRY_WEIGHT = 200  # bytes a journal entry counts for beyond its data: replaying one costs about as much


def _checked(path: str, meta: dict[str, Any], tables: set[str]) -> dict[str, Any]:
    found = meta.get("format")
    if not isinstance(found, str) or not found.startswith(FORMAT_PREFIX) or "journal" not in tables:
        raise StateError(f"{path} is not a mturk_mock state (an SQLite database without its journal)")
    number = found[len(FORMAT_PREFIX) :]
    if not number.isdigit() or not 1 <= int(number) <= VERSION:
        raise StateError(
            f"{path} has format {found!r}; this version of mturk_mock reads {FORMAT!r}: "
            "it was written by a newer mturk_mock, upgrade to serve it"
        )
    if not {"marketplace", "checkpoint", "checkpoint_file"} <= set(meta) or not meta["checkpoint"].isdigit():
        raise StateError(f"{path} is damaged: its journal has no marketplace or checkpoint")
    return meta

"""The state database: one SQLite file (WAL mode) holding a checkpoint and the journal written since.

    meta(key, value)             format "mturk_mock-journal/1", the server's marketplace, the checkpoint's
                                 sequence number
    checkpoint(part, data)       the World at that sequence number: model/snapshot.py's JSON, in parts
    journal(seq, kind, at, ok, subject, data)
                                 every change since, in the order it was applied: an API request that
                                 writes (subject [marketplace, requester, operation], data the body), a
                                 journaled call (subject [target tag, ref], data [args, kwargs]), a clock
                                 change (data the clock's state)

One connection, in exclusive locking mode (a second server on the same file is refused), writes; a
checkpoint and the journal rows it makes obsolete change in one transaction. A new database is written
under a temporary name and renamed into place, so the path is always a complete database or absent.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from . import wal

FORMAT_PREFIX = "mturk_mock-journal/"
VERSION = 1
FORMAT = f"{FORMAT_PREFIX}{VERSION}"
SQLITE_HEADER = b"SQLite format 3\x00"
SYNC_MODES = ("full", "normal")
PART_BYTES = 16 << 20  # a checkpoint is stored in parts: SQLite values are limited to 1 GB
WAL_FRAMES_KEPT = 4096  # the write-ahead log is cut back to this many frames after a checkpoint
BUSY_SECONDS = 2.0

Row = tuple[int, str, float, int, str, bytes]  # seq, kind, at, ok, subject (JSON), data

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE checkpoint (part INTEGER PRIMARY KEY, data BLOB NOT NULL);
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


def create(path: str | os.PathLike[str], snapshot: bytes, marketplace: str) -> None:
    """Write a new state database holding ``snapshot`` as its checkpoint, atomically at ``path``."""
    target = pathlib.Path(path)
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
                [("format", FORMAT), ("marketplace", marketplace), ("checkpoint", "0")],
            )
            connection.executemany("INSERT INTO checkpoint(part, data) VALUES (?, ?)", _parts(snapshot))
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
    _sync_directory(target.parent)


def _sync_directory(directory: pathlib.Path) -> None:
    with contextlib.suppress(OSError):  # make the rename durable where the platform allows
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _parts(data: bytes) -> list[tuple[int, bytes]]:
    return [(number, data[start : start + PART_BYTES]) for number, start in enumerate(range(0, len(data), PART_BYTES))]


class Store:
    """An open state database (``open``); ``torn`` describes a tail SQLite discarded on opening it."""

    def __init__(self, path: str | os.PathLike[str], sync: str = "full", exclusive: bool = True) -> None:
        if sync not in SYNC_MODES:
            raise ValueError(f"sync must be one of {', '.join(SYNC_MODES)}, not {sync!r}")
        self.path = os.fspath(path)
        self.torn: str | None = None
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
            page_size = connection.execute("PRAGMA page_size").fetchone()[0]
            limit = wal.HEADER + WAL_FRAMES_KEPT * (wal.FRAME_HEADER + page_size)  # on a frame boundary
            connection.execute(f"PRAGMA journal_size_limit={limit}")
            _busy, frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StateError(f"{self.path} is in use by another mturk-mock server") from None
            raise StateError(f"{self.path} cannot be read: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path} is damaged: {exc}") from None
        self.torn = wal.torn_tail(self.path + "-wal", frames)

    @property
    def marketplace(self) -> str:
        return str(self.meta["marketplace"])

    def checkpoint(self) -> tuple[int, bytes]:
        """The checkpoint's sequence number and its snapshot (model/snapshot.py's JSON)."""
        try:
            seq = int(self.connection.execute("SELECT value FROM meta WHERE key='checkpoint'").fetchone()[0])
            parts = self.connection.execute("SELECT data FROM checkpoint ORDER BY part").fetchall()
        except (sqlite3.Error, TypeError, ValueError) as exc:
            raise StateError(f"{self.path} is damaged: {exc}") from None
        return seq, b"".join(part for (part,) in parts)

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

    def write(self, rows: Sequence[Row], snapshot: tuple[int, bytes] | None = None) -> None:
        """In one transaction: a new checkpoint (dropping the journal it covers), then ``rows``."""
        connection = self.connection
        connection.execute("BEGIN")
        try:
            if snapshot is not None:
                seq, data = snapshot
                connection.execute("DELETE FROM checkpoint")
                connection.executemany("INSERT INTO checkpoint(part, data) VALUES (?, ?)", _parts(data))
                connection.execute("UPDATE meta SET value=? WHERE key='checkpoint'", (str(seq),))
                connection.execute("DELETE FROM journal WHERE seq <= ?", (seq,))
            if rows:
                connection.executemany("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?)", rows)
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.connection.close()


ENTRY_WEIGHT = 200  # bytes a journal entry counts for beyond its data: replaying one costs about as much


def _checked(path: str, meta: dict[str, Any], tables: set[str]) -> dict[str, Any]:
    found = meta.get("format")
    if not isinstance(found, str) or not found.startswith(FORMAT_PREFIX) or not {"checkpoint", "journal"} <= tables:
        raise StateError(f"{path} is not a mturk_mock state (an SQLite database without its journal)")
    number = found[len(FORMAT_PREFIX) :]
    if not number.isdigit() or not 1 <= int(number) <= VERSION:
        raise StateError(
            f"{path} has format {found!r}; this version of mturk_mock reads {FORMAT!r}: "
            "it was written by a newer mturk_mock, upgrade to serve it"
        )
    if "marketplace" not in meta or "checkpoint" not in meta:
        raise StateError(f"{path} is damaged: its journal has no marketplace or checkpoint")
    return meta

"""Checkpoint files: the World as model/snapshot.py's JSON (a ``save_state`` file), written beside the
database and made durable before the database points at it.

Encoding a large World takes seconds (about 4 s for a million grants and 100,000 HITs), all of it under the
world's lock if done in the server. Where the platform can fork, a large checkpoint is written by a child
process instead: the fork takes a copy-on-write picture of the process while the lock is held (tens of
milliseconds), the server goes on at once, and the child encodes and writes the file on another core.
"""

from __future__ import annotations

import gc
import json
import os
import pathlib
import signal
import sys
import warnings
from typing import Any

from ..model.snapshot import dump_world
from ..model.world import World
from ..state_file import write_atomically

FORK_BYTES = 4 << 20  # checkpoints at least this large (the previous one's size) are written by a child
_PRCTL: Any = False  # not looked up yet


def encode(world: World) -> bytes:
    return json.dumps(dump_world(world), ensure_ascii=False, separators=(",", ":")).encode()


def write_file(path: str, data: bytes) -> None:
    """``data`` at ``path``, durably (``state_file.write_atomically``)."""
    target = pathlib.Path(path)
    write_atomically(target, data, target.with_name(f"{target.name}.{os.getpid()}.tmp"))


def can_fork() -> bool:
    return hasattr(os, "fork")


def fork_writer(world: World, path: str) -> int:
    """Fork a child that writes ``world`` to ``path`` and exits (status 0 once the file is durable). Call
    with the world's lock held: the child sees the state as it is now. Returns the child's process ID."""
    parent, prctl = os.getpid(), _prctl()
    with warnings.catch_warnings():  # Python 3.12 warns about forking a threaded process: the child only
        warnings.simplefilter("ignore", DeprecationWarning)  # encodes and writes, holding the lock it needs
        pid = os.fork()
    if pid:
        return pid
    status = 1
    try:
        _die_with(parent, prctl)
        # Not the server's sockets or database: a restarted server must be able to listen on its port
        # while this child still writes (closing a copy never affects the parent's).
        os.closerange(3, _max_descriptors())
        gc.disable()  # a short life: collecting would only copy pages
        data = encode(world)
        if os.getppid() == parent:  # a checkpoint of a killed server is of no use to anyone
            write_file(path, data)
            status = 0
    finally:
        os._exit(status)  # no cleanup of the server's objects, atexit handlers or buffers in the child


def _prctl() -> Any:
    """Linux's prctl, looked up in the server (loading a library in a forked child of a threaded process
    could meet a lock another thread held); None elsewhere."""
    global _PRCTL
    if _PRCTL is False:
        try:
            import ctypes

            _PRCTL = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None
        except (ImportError, OSError, AttributeError):
            _PRCTL = None
    return _PRCTL


def _die_with(parent: int, prctl: Any) -> None:
    """Have the kernel kill this child when the server dies, where it can (Linux), so that the child does
    not take a core from the restarted server; then, if the server is gone already, stop."""
    if prctl is not None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _max_descriptors() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return 65536


def child_done(pid: int) -> bool | None:
    """None while the child runs; then whether it wrote its file."""
    try:
        found, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    if found == 0:
        return None
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0

"""State files: a World written atomically as JSON, and read back.

A save writes a temporary file beside the target, flushes it to disk and renames it over the target,
so the target is always either the old state or the new one. The temporary file carries the writer's
process ID; a save also removes temporary files that a killed writer left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib

from .model.snapshot import dump_world, load_world
from .model.world import World


def _temporary_name(target: pathlib.Path, pid: int) -> pathlib.Path:
    return target.with_name(f".{target.name}.{pid}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but is not ours, or we cannot tell: leave its file alone
    return True


def _remove_leftovers(target: pathlib.Path) -> None:
    """Temporary files of writers that died mid-save (kill -9, power loss)."""
    for candidate in target.parent.glob(f".{target.name}.*.tmp"):
        pid = candidate.name[len(target.name) + 2 : -len(".tmp")]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            with contextlib.suppress(FileNotFoundError):
                candidate.unlink()


def write_state(world: World, path: str | os.PathLike[str]) -> None:
    target = pathlib.Path(path)
    data = json.dumps(dump_world(world), ensure_ascii=False).encode("utf-8")
    write_atomically(target, data, _temporary_name(target, os.getpid()))
    _remove_leftovers(target)


def write_atomically(target: pathlib.Path, data: bytes, temporary: pathlib.Path) -> None:
    """``data`` at ``target``, durably: written to ``temporary`` beside it, flushed, renamed over it, and
    the directory flushed, so ``target`` is always the old content or the new one."""
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    sync_directory(target.parent)


def sync_directory(directory: str | os.PathLike[str]) -> None:
    with contextlib.suppress(OSError):  # make a rename durable where the platform allows
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def check_writable(path: str | os.PathLike[str]) -> None:
    """OSError unless a save to ``path`` can succeed: the temporary file beside it can be made (the rename
    needs only the directory). Checked when a server starts, not when it stops holding everything."""
    target = pathlib.Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory")
    temporary = _temporary_name(target, os.getpid())
    with open(temporary, "wb"):
        pass
    temporary.unlink()


def read_state(path: str | os.PathLike[str], into: World) -> None:
    """Replace ``into``'s state with the file's. ValueError (and ``into`` unchanged) if it is not a state.
    The file may also be a durable server's state database (``mturk-mock serve --state``)."""
    from .durable import store

    if store.sniff(path) == "sqlite":
        from .durable import read_world

        into.adopt(read_world(path))
        return
    try:
        data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path} is not a mturk_mock state: {exc}") from None
    loaded = load_world(data)
    into.adopt(loaded)

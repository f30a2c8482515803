"""Finding a torn tail in SQLite's write-ahead log, so that losing it is said out loud.

The journal's newest transactions live in ``<state>-wal`` until SQLite copies them into the database. On
open, SQLite keeps the frames of the current WAL generation (frame headers carry the generation's salts)
up to the last commit frame whose checksums hold, and silently ignores the rest. A crash mid-write, a
truncated or damaged file leaves such a rest: a transaction that was never acknowledged, or, when the
damage is older, acknowledged ones. ``torn_tail`` compares what the file holds of the current generation
with the frame count SQLite recovered (``PRAGMA wal_checkpoint``), and describes the difference.
"""

from __future__ import annotations

import os
import struct

HEADER = 32
FRAME_HEADER = 24
MAGICS = (0x377F0682, 0x377F0683)


def torn_tail(path: str, recovered_frames: int) -> str | None:
    """What SQLite discarded at the end of the WAL at ``path``, or None when it kept everything there was."""
    try:
        with open(path, "rb") as file:
            header = file.read(HEADER)
            size = os.fstat(file.fileno()).st_size
            if not header:
                return None
            magic, _version, page_size = struct.unpack(">3I", header[:12]) if len(header) >= 12 else (0, 0, 0)
            if len(header) < HEADER or magic not in MAGICS or not 512 <= page_size <= 65536:
                return f"the write-ahead log's header is damaged ({size} bytes ignored)"
            salts = header[16:24]
            frame = FRAME_HEADER + page_size
            frames = _current_frames(file, salts, frame, size)
    except FileNotFoundError:
        return None
    end = HEADER + frames * frame
    partial = size - end if 0 < size - end < frame and _partial_is_current(path, end, salts) else 0
    if frames > recovered_frames or partial:
        lost = (frames - recovered_frames) * frame + partial
        return (
            f"the last {lost} bytes of the write-ahead log were an incomplete or damaged write "
            f"({frames - recovered_frames} whole frames and {partial} bytes of a partial one after the "
            "last complete transaction)"
        )
    return None


def _current_frames(file: object, salts: bytes, frame: int, size: int) -> int:
    """How many whole frames, from the first, carry the current generation's salts."""
    assert hasattr(file, "seek") and hasattr(file, "read")
    count = 0
    while HEADER + (count + 1) * frame <= size:
        file.seek(HEADER + count * frame)
        if file.read(FRAME_HEADER)[8:16] != salts:
            break
        count += 1
    return count


def _partial_is_current(path: str, offset: int, salts: bytes) -> bool:
    """Whether the partial frame at ``offset`` belongs to the current generation, as far as its bytes tell
    (the salts are bytes 8-15 of a frame header; a shorter piece is taken as a torn frame of this one)."""
    with open(path, "rb") as file:
        file.seek(offset)
        piece = file.read(FRAME_HEADER)[8:16]
    return salts.startswith(piece)

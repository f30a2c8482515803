"""Identifiers shaped like the real ones (spec Q§5), from one random source per World so that a seed
makes a whole run reproducible: entity IDs, worker IDs and request IDs alike."""

from __future__ import annotations

import random
import string
from typing import Any

ALPHABET = string.ascii_uppercase + string.digits
# Random bytes mapped onto the alphabet with bytes.translate: 20 times cheaper than random.choices.
# 256 is not a multiple of 36, so the first four letters are a little more frequent, unnoticeably.
_TO_ALPHABET = bytes(ord(ALPHABET[value % len(ALPHABET)]) for value in range(256))
_UUID_BATCH = 4096
_FIRST_BATCH = 8  # most Worlds (one per test) answer a few calls: a full first batch cost them 0.8 ms


class IdFactory:
    """Random IDs; a seed makes a marketplace reproducible."""

    __slots__ = ("_seed", "_random", "_side", "_prefix", "_tails", "_next", "_batch")

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        # Seeding from the OS is slow and most activations never need it: both streams start on first use.
        self._random: random.Random | None = None  # entity and worker IDs
        self._side: random.Random | None = None  # request IDs and secrets: their number never shifts entity IDs
        self._prefix = self._tails = ""
        self._next = self._batch = 0  # the first request ID makes the first batch

    def reset(self) -> None:
        """Start the sequences again: with a seed, the same IDs come out in the same order."""
        self._random = self._side = None
        self._next = self._batch = 0

    def state(self) -> list[Any]:
        """Where the entity and worker ID stream stands, so that a loaded state goes on with the IDs the saved
        one would have made next (an unseeded stream is seeded now: its IDs are then known). Request IDs
        are not state: their stream starts afresh."""
        version, internal, gauss = self._rng().getstate()
        return [version, list(internal), gauss]

    def restore(self, state: list[Any] | None) -> None:
        if state is None:
            self._random = None
            return
        version, internal, gauss = state
        rng = random.Random()
        rng.setstate((version, tuple(internal), gauss))
        self._random = rng

    def _rng(self) -> random.Random:
        if self._random is None:
            self._random = random.Random(self._seed)
        return self._random

    def _side_rng(self) -> random.Random:
        if self._side is None:
            self._side = random.Random(None if self._seed is None else f"{self._seed}/side")
        return self._side

    def _choices(self, k: int) -> str:
        return self._rng().randbytes(k).translate(_TO_ALPHABET).decode()

    def entity(self, first: str = "3") -> str:
        """30 upper-case letters and digits, like HIT, assignment and custom qualification type IDs."""
        return first + self._choices(29)

    def worker(self) -> str:
        """'A' and 13 more characters, like real worker IDs (A2YUCJ28XANFOX)."""
        return "A" + self._choices(13)

    def secret(self) -> bytes:
        """Key material (pagination tokens are signed with it)."""
        rng = random.Random(None if self._seed is None else f"{self._seed}/secret")  # independent of call counts
        return rng.getrandbits(128).to_bytes(16, "big")

    def request_id(self) -> str:
        """A version-4 UUID string, like x-amzn-RequestId. The IDs of a batch (8 at first, growing to 4096)
        share fresh random leading groups; the last group comes from one random hex string per batch:
        unique, well-formed and cheap."""
        self._next += 1
        if self._next >= self._batch:
            self._new_batch()
        start = 12 * self._next
        return self._prefix + self._tails[start : start + 12]

    def _new_batch(self) -> None:
        rng = self._side_rng()
        size = self._batch = min(self._batch * 8, _UUID_BATCH) if self._batch else _FIRST_BATCH
        h = f"{rng.getrandbits(128):032x}"
        self._prefix = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-"
        self._tails = f"{rng.getrandbits(48 * size):0{12 * size}x}"
        self._next = 0

"""Identifiers shaped like the real ones (spec Q§5), from one random source per World so that a seed
makes a whole run reproducible: entity IDs, worker IDs and request IDs alike."""

from __future__ import annotations

import random
import string

ALPHABET = string.ascii_uppercase + string.digits
_UUID_BATCH = 256


class IdFactory:
    """Random IDs; a seed makes a marketplace reproducible."""

    __slots__ = ("_seed", "_random", "_side", "_uuids")

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        # Seeding from the OS is slow and most activations never need it: both streams start on first use.
        self._random: random.Random | None = None  # entity and worker IDs
        self._side: random.Random | None = None  # request IDs and secrets: their number never shifts entity IDs
        self._uuids: list[str] = []

    def reset(self) -> None:
        """Start the sequences again: with a seed, the same IDs come out in the same order."""
        self._random = self._side = None
        self._uuids = []

    def _rng(self) -> random.Random:
        if self._random is None:
            self._random = random.Random(self._seed)
        return self._random

    def _side_rng(self) -> random.Random:
        if self._side is None:
            self._side = random.Random(None if self._seed is None else f"{self._seed}/side")
        return self._side

    def _choices(self, k: int) -> str:
        return "".join(self._rng().choices(ALPHABET, k=k))

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
        """A version-4 UUID string, like x-amzn-RequestId. Every 256 IDs share fresh random leading groups
        and count up from a random tail: unique, well-formed, and a fifth of the cost of str(uuid4())."""
        uuids = self._uuids
        if not uuids:
            rng = self._side_rng()
            h = f"{rng.getrandbits(128):032x}"
            prefix = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-"
            tail = int(h[20:], 16)
            uuids.extend(f"{prefix}{(tail + n) & 0xFFFFFFFFFFFF:012x}" for n in range(_UUID_BATCH - 1, -1, -1))
        return uuids.pop()

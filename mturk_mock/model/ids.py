"""Identifiers shaped like the real ones (spec section 5)."""

from __future__ import annotations

import random
import string

ALPHABET = string.ascii_uppercase + string.digits


class IdFactory:
    """Random IDs; a seed makes a marketplace reproducible."""

    __slots__ = ("_seed", "_random")

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._random: random.Random | None = None  # seeding from the OS is slow; most activations never need it

    def _choices(self, k: int) -> str:
        if self._random is None:
            self._random = random.Random(self._seed)
        return "".join(self._random.choices(ALPHABET, k=k))

    def entity(self, first: str = "3") -> str:
        """30 upper-case letters and digits, like HIT, assignment and custom qualification type IDs."""
        return first + self._choices(29)

    def worker(self) -> str:
        """'A' and 13 more characters, like real worker IDs (A2YUCJ28XANFOX)."""
        return "A" + self._choices(13)

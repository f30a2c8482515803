"""Identifiers shaped like the real ones (spec section 5)."""

from __future__ import annotations

import random
import string

ALPHABET = string.ascii_uppercase + string.digits


class IdFactory:
    """Random IDs; a seed makes a marketplace reproducible."""

    __slots__ = ("_choices",)

    def __init__(self, seed: int | None = None) -> None:
        self._choices = random.Random(seed).choices

    def entity(self, first: str = "3") -> str:
        """30 upper-case letters and digits, like HIT, assignment and custom qualification type IDs."""
        return first + "".join(self._choices(ALPHABET, k=29))

    def worker(self) -> str:
        """'A' and 13 more characters, like real worker IDs (A2YUCJ28XANFOX)."""
        return "A" + "".join(self._choices(ALPHABET, k=13))

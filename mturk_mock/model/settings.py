"""The options of a World, validated in one place (the decorator, the marker, the CLI and the server all
end up here)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .money import to_amount

KnownWorkers = Literal["any", "registered"]
KNOWN_WORKERS = ("any", "registered")


@dataclass(frozen=True, slots=True)
class Settings:
    seed: int | None = None
    # Where production balances start; the sandbox is always $10000.00.
    production_balance: Decimal = Decimal("10000.00")
    # Seconds a deleted qualification type's name stays taken (the service says "up to 48 hours").
    name_reservation: float = 0.0
    # "any": every well-formed worker ID is a worker; "registered": only those made through the handle.
    known_workers: KnownWorkers = "any"

    @classmethod
    def of(
        cls,
        *,
        seed: int | None = None,
        production_balance: str | Decimal | int = "10000.00",
        name_reservation: float = 0.0,
        known_workers: str = "any",
    ) -> Settings:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be an int or None, not {seed!r}")
        if known_workers not in KNOWN_WORKERS:
            raise ValueError(f"known_workers must be one of {', '.join(KNOWN_WORKERS)}, not {known_workers!r}")
        if (
            isinstance(name_reservation, bool)
            or not isinstance(name_reservation, (int, float))
            or not 0 <= name_reservation < float("inf")
        ):
            raise ValueError(f"name_reservation must be a number of seconds >= 0, not {name_reservation!r}")
        return cls(seed, to_amount(production_balance), float(name_reservation), known_workers)  # type: ignore[arg-type]

    def to_data(self) -> dict[str, object]:
        return {
            "production_balance": str(self.production_balance),
            "name_reservation": self.name_reservation,
            "known_workers": self.known_workers,
        }

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
    # Seconds before a created or changed entity shows in searches (eventual consistency); 0: at once.
    search_lag: float = 0.0

    @classmethod
    def of(
        cls,
        *,
        seed: int | None = None,
        production_balance: str | Decimal | int = "10000.00",
        name_reservation: float = 0.0,
        known_workers: str = "any",
        search_lag: float = 0.0,
    ) -> Settings:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be an int or None, not {seed!r}")
        if known_workers not in KNOWN_WORKERS:
            raise ValueError(f"known_workers must be one of {', '.join(KNOWN_WORKERS)}, not {known_workers!r}")
        return cls(
            seed,
            to_amount(production_balance),
            seconds("name_reservation", name_reservation),
            known_workers,  # type: ignore[arg-type]
            seconds("search_lag", search_lag),
        )

    def to_data(self) -> dict[str, object]:
        return {
            "production_balance": str(self.production_balance),
            "name_reservation": self.name_reservation,
            "known_workers": self.known_workers,
            "search_lag": self.search_lag,
        }


def seconds(name: str, value: object) -> float:
    """A finite, non-negative number of seconds (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
        raise ValueError(f"{name} must be a number of seconds >= 0, not {value!r}")
    return float(value)

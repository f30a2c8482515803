"""The simulated worker: one person on the worker site, with qualifications and HITs."""

from __future__ import annotations

from typing import Any

from ..model.journal import journaled
from ..model.marketplace import Marketplace
from ..model.workers import WORKER_ID
from ..model.world import World
from .hits import HITActions
from .qualifications import QualificationActions


class SimulatedWorker(QualificationActions, HITActions, journal_tag="worker"):
    """A worker of one marketplace. ``mturk.worker(...)`` makes one."""

    @classmethod
    def from_journal_ref(cls, world: World, ref: dict[str, Any]) -> SimulatedWorker:
        return cls(world, ref["worker"], ref["marketplace"])


def check_locale(country: str | None, subdivision: str | None) -> None:
    """A profile's locale: an ISO 3166 alpha-2 country, and a subdivision only in the United States."""
    if country is not None and (
        not isinstance(country, str) or len(country) != 2 or not country.isalpha() or not country.isupper()
    ):
        raise ValueError(f"country must be an ISO 3166 alpha-2 code such as 'US', not {country!r}")
    if subdivision is not None and (country or "US") != "US":
        raise ValueError("subdivisions exist only for the United States (country='US')")


def set_profile(
    market: Marketplace,
    worker_id: str,
    *,
    country: str | None = None,
    subdivision: str | None = None,
    adult: bool | None = None,
    masters: bool | None = None,
) -> None:
    """Register the worker and set the profile fields given (checked by the caller)."""
    market.workers.register(worker_id)
    profile = market.workers.profile(worker_id)
    if country is not None:
        profile.country, profile.subdivision = country, subdivision
    elif subdivision is not None:
        profile.subdivision = subdivision
    if adult is not None:
        profile.adult = adult
    if masters is not None:
        profile.masters = masters


@journaled("make_worker")
def make_worker(
    world: World,
    worker_id: str | None,
    marketplace: str,
    *,
    country: str | None = None,
    subdivision: str | None = None,
    adult: bool | None = None,
    masters: bool | None = None,
) -> SimulatedWorker:
    """Register the worker (a new realistic ID when none is given) and set the profile fields given."""
    check_locale(country, subdivision)
    with world.session(marketplace) as (market, _now):
        if worker_id is None:
            worker_id = world.ids.worker()
        elif not WORKER_ID(worker_id):
            raise ValueError(f"{worker_id!r} is not a worker ID: 'A' followed by upper-case letters and digits")
        set_profile(market, worker_id, country=country, subdivision=subdivision, adult=adult, masters=masters)
    return SimulatedWorker(world, worker_id, marketplace)

"""The handle tests use to look inside a mock and act on it: the call log, the clock, simulated workers,
bulk seeding, state files. ``MTurkMock`` (``mock.py``) is a Handle that can also be activated."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .calls import CallRecord
from .constants import DEFAULT_REQUESTER, SANDBOX, check_marketplace
from .events import EventMessages
from .model.clock import Clock
from .model.fault_settings import FaultOptions
from .model.hits import uploads
from .model.journal import JournalTarget, journaled
from .model.qualifications import workflow
from .model.workers import Notification
from .model.world import World
from .service.faults import Faults
from .simulation import Crowd, SimulatedWorker, make_worker
from .state_file import read_state, write_state
from .transport.delivery import Courier
from .views import HITView

_ENTITY_ID = re.compile(r"[A-Z0-9]{1,64}").fullmatch


class Handle(JournalTarget, journal_tag="handle"):
    """State, call log and helpers of one mock. Attributes keep their identity for the handle's whole life:
    ``reset()`` and ``load_state()`` change what they hold, never which objects they are.

    Methods that change state are ``@journaled``: on a durable server they are recorded and replayed."""

    def __init__(
        self,
        world: World,
        marketplace: str = SANDBOX,
        record_calls: bool = True,
        faults: FaultOptions | None = None,
        *,
        sqs_endpoint: str | None = None,
        sns_endpoint: str | None = None,
    ) -> None:
        self.default_marketplace = check_marketplace(marketplace)
        self.world = world
        self.calls: list[CallRecord] = []
        self.recording = record_calls
        self.faults = Faults(faults)  # failures on purpose: rules, a rate limit, refused credentials
        self._endpoints = {"sqs_endpoint": sqs_endpoint, "sns_endpoint": sns_endpoint}
        self.events = EventMessages(lambda: self.world)  # event notifications sent (spec H§6)
        self._install_courier()

    def journal_world(self) -> World:
        return self.world

    def journal_ref(self) -> dict[str, Any]:
        return {"marketplace": self.default_marketplace}

    @classmethod
    def from_journal_ref(cls, world: World, ref: dict[str, Any]) -> Handle:
        """What replay calls a journaled method on: the World and the default marketplace, nothing else."""
        handle = object.__new__(Handle)
        handle.world, handle.default_marketplace = world, ref["marketplace"]
        return handle

    def _install_courier(self) -> None:
        """The World's notifications go out through this handle's courier (moto, or the endpoints given)."""
        world = self.world
        world.outbox.courier = Courier(world.clock.now, **self._endpoints)

    def record(self, call: CallRecord) -> None:
        self.calls.append(call)  # list.append is atomic: no lock needed

    def calls_to(self, operation: str) -> list[CallRecord]:
        return [call for call in self.calls if call.operation == operation]

    @property
    def clock(self) -> Clock:
        """The marketplace clock: ``advance(seconds, minutes=..., days=...)``, ``set``, ``freeze``, ``now``."""
        return self.world.clock

    @property
    def notifications(self) -> list[Notification]:
        """Messages MTurk would have sent to workers (grants with SendNotification, revokes with a
        Reason, rejected requests, NotifyWorkers messages), oldest first."""
        return self.world.notifications

    def notification_settings(self, hit_type_id: str, marketplace: str | None = None) -> dict[str, Any] | None:
        """A HIT type's notification specification as UpdateNotificationSettings set it, with ``Active``;
        None when it has none (KeyError for an unknown HIT type)."""
        with self.world.session(marketplace or self.default_marketplace) as (market, _now):
            hit_type = market.hit_types.by_id[hit_type_id]
            if hit_type.notification is None:
                return None
            return {**hit_type.notification.wire(), "Active": hit_type.notification_active}

    def requester_identity(self, requester: str = DEFAULT_REQUESTER) -> tuple[str, str]:
        """(SourceAccount, CustomerId) that this requester's notifications carry: derived from the requester
        (its access key) unless set with ``set_requester_identity``."""
        return self.world.outbox.identity(requester)

    @journaled("handle.set_requester_identity")
    def set_requester_identity(
        self, requester: str = DEFAULT_REQUESTER, *, source_account: str, customer_id: str
    ) -> None:
        """Set the AWS account ID (12 digits) and MTurk customer ID (A + 12-13) of a requester's messages."""
        with self.world.lock:
            self.world.outbox.set_identity(requester, source_account, customer_id)

    def reset(self) -> None:
        """Back to empty marketplaces, a real-time clock (the same Clock object), an empty call log, and the
        faults the mock was made with."""
        with self.world.lock:
            self.world.clear()
            replaced = self._replaced()
        self._acknowledge(replaced)
        self.calls.clear()
        self.faults.reset()

    def _replaced(self) -> int:
        """Under the lock, after the whole state was replaced: a durable server's journal records it as a new
        checkpoint (the entry to wait for), so that nothing recorded before it is replayed on top of it."""
        journal = self.world.journal
        return journal.rebase() if journal is not None else 0

    def _acknowledge(self, seq: int) -> None:
        journal = self.world.journal
        if seq and journal is not None:
            journal.wait(seq)

    def worker(
        self,
        worker_id: str | None = None,
        *,
        marketplace: str | None = None,
        country: str | None = None,
        subdivision: str | None = None,
        adult: bool | None = None,
        masters: bool | None = None,
    ) -> SimulatedWorker:
        """A simulated worker (registered in the marketplace); a new realistic ID when none is given. The
        profile fields given are set (a new worker is in the US, not adult, not a Master)."""
        return make_worker(
            self.world,
            worker_id,
            marketplace or self.default_marketplace,
            country=country,
            subdivision=subdivision,
            adult=adult,
            masters=masters,
        )

    def crowd(self, size: int | None = None, *, marketplace: str | None = None, **behaviour: Any) -> Crowd:
        """``size`` simulated workers who work the marketplace's HITs while ``crowd.run(hours=...)`` advances the
        clock: profiles, answers, think time, return and abandonment rates, qualification tests and a seed
        are ``behaviour`` options (``Crowd``; README, "A crowd")."""
        return Crowd(self.world, marketplace or self.default_marketplace, size, **behaviour)

    @journaled("handle.grant_qualifications")
    def grant_qualifications(
        self, type_id: str, grants: Mapping[str, int] | Iterable[tuple[str, int]], *, marketplace: str | None = None
    ) -> int:
        """Seed many grants at once (worker ID -> IntegerValue), as AssociateQualificationWithWorker would
        make them but without a client call or notification each: for tests that need a large state."""
        pairs = grants.items() if isinstance(grants, Mapping) else grants
        with self.world.session(marketplace or self.default_marketplace) as (market, now):
            qual = market.qualification_types.get(type_id)
            return workflow.grant_many(market, qual, pairs, now)

    def hits(self, marketplace: str | None = None) -> list[HITView]:
        """Every HIT of the marketplace (Disposed included), oldest first, as read-only views."""
        name = marketplace or self.default_marketplace
        with self.world.session(name) as (market, _now):
            return [HITView.of(hit, name) for hit in sorted(market.hits.by_id.values(), key=lambda hit: hit.key)]

    def hit(self, hit_id: str, marketplace: str | None = None) -> HITView:
        """One HIT as a read-only view (KeyError if the marketplace has no such HIT)."""
        name = marketplace or self.default_marketplace
        with self.world.session(name) as (market, _now):
            return HITView.of(market.hits.by_id[hit_id], name)

    @journaled("handle.add_hit_layout")
    def add_hit_layout(self, layout_id: str, html: str, marketplace: str | None = None) -> None:
        """Register a HIT layout, as made in the Requester website (the API cannot make one): ``html`` with
        ``${name}`` placeholders that HITLayoutParameters fill (spec H§3.5)."""
        if not isinstance(layout_id, str) or not _ENTITY_ID(layout_id):
            raise ValueError(f"{layout_id!r} is not a HITLayoutId: 1-64 upper-case letters and digits")
        with self.world.session(marketplace or self.default_marketplace) as (market, _now):
            market.layouts[layout_id] = html

    def uploaded_file(self, url: str) -> bytes:
        """The file a worker uploaded, read through a URL from GetFileUploadURL (valid for 60 seconds of
        the mock clock). ``UploadUnavailable`` (a LookupError) says why when the URL is not one the mock
        issued, has expired, or its HIT has been deleted (uploaded files are deleted with the HIT)."""
        return uploads.read_file(self.world, url)

    def save_state(self, path: str | os.PathLike[str]) -> None:
        """Write the state to a JSON file, atomically: an interrupted save leaves the old file intact and no
        temporary file behind."""
        write_state(self.world, path)

    def load_state(self, path: str | os.PathLike[str]) -> None:
        """Replace the state with one saved by ``save_state`` (ValueError if the file is not one). The
        state is kept across later activations, as with ``state=``."""
        with self.world.lock:
            read_state(path, self.world)
            replaced = self._replaced()
        self._acknowledge(replaced)
        self._keep_state()

    def _keep_state(self) -> None:
        """Hook for MTurkMock: a loaded state must survive the next start."""

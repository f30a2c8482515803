"""The outbox of event notifications: what is due to be sent, in order, and the record of what was sent.

Under the world's lock an event of a subscribed HIT type becomes a ``Notice`` (its EventDocId and the
specification as it is at the instant of the event) appended to ``pending``. Sending happens after the
lock is released (``flush``), by one thread at a time, oldest first: a thread that finds another one
sending leaves its notices to it instead of waiting, so no chain of sends and calls back into the mock
(an SNS topic whose subscriber calls MTurk) can deadlock. Each notice is sent exactly once and recorded
in ``messages`` in the order the events happened. The courier (``transport/delivery.py``) encodes, sends
and describes each message; the model does no I/O. A server sends from a background thread instead
(``start_background``), so that a slow destination never holds up its answers.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .events import Event
from .notifications import NotificationSpec, check_identity, default_identity, document

log = logging.getLogger("mturk_mock")
RECORDED, DELIVERED, FAILED = "recorded", "delivered", "failed"


@dataclass(frozen=True, slots=True)
class Notice:
    """A message to send: one event, for the specification in force when it happened."""

    marketplace: str
    event: Event
    spec: NotificationSpec
    doc_id: str
    source_account: str
    customer_id: str
    test: bool = False

    def document(self) -> dict[str, Any]:
        return document(self.event, self.doc_id, self.source_account, self.customer_id, self.spec.version)


@dataclass(frozen=True)
class NotificationMessage:
    """One message as MTurk would send it, and what became of it.

    ``body`` is the exact JSON text (the SQS message body, the SNS ``Message``, the e-mail's text);
    ``document`` is it parsed. ``status``: ``delivered`` (it is in the SQS queue or SNS topic),
    ``recorded`` (nowhere to deliver it: an e-mail, or no moto and no endpoint), ``failed`` (the queue or
    topic did not take it; ``error`` says why). ``envelope``: for SNS, what a subscriber receives."""

    marketplace: str
    transport: str
    destination: str
    event_type: str
    event_time: float
    requester: str
    hit_type_id: str | None
    hit_id: str | None
    assignment_id: str | None
    worker_id: str | None
    doc_id: str
    body: str
    document: dict[str, Any] = field(repr=False)
    status: str
    error: str | None = None
    envelope: dict[str, Any] | None = field(default=None, repr=False)
    test: bool = False  # sent by SendTestEventNotification


class Courier(Protocol):
    def deliver(self, notice: Notice) -> NotificationMessage: ...


class Outbox:
    """One World's notices, its courier, and the messages sent so far."""

    def __init__(self, secret: Callable[[], bytes]) -> None:
        self.pending: deque[Notice] = deque()
        self.courier: Courier | None = None  # installed by the handle; without one notices wait
        self.messages: list[NotificationMessage] = []
        self.changed = threading.Condition(threading.Lock())  # notified when a message is recorded
        self.identities: dict[str, tuple[str, str]] = {}  # requester -> (SourceAccount, CustomerId)
        self._derived: dict[str, tuple[str, str]] = {}  # the default identities made so far
        self.serial = 0  # messages made so far: EventDocIds are derived from it
        self._secret = secret
        self._sending = threading.Lock()
        self._background: threading.Thread | None = None
        self._background_users = 0
        self._wake = threading.Event()
        # On a durable server: waits until the changes that raised the pending notices are on disk; False
        # when they never will be (the journal failed), and then the notices are dropped, never sent.
        self.gate: Callable[[], bool] | None = None

    # -- under the world's lock ---------------------------------------------------------------
    def post(self, marketplace: str, event: Event, spec: NotificationSpec, test: bool = False) -> None:
        self.serial += 1
        doc_id = hashlib.sha1(self._secret() + self.serial.to_bytes(8, "big")).hexdigest()
        account, customer = self.identity(event.owner)
        self.pending.append(Notice(marketplace, event, spec, doc_id, account, customer, test))

    def identity(self, requester: str) -> tuple[str, str]:
        found = self.identities.get(requester) or self._derived.get(requester)
        if found is None:
            found = self._derived[requester] = default_identity(requester)
        return found

    def set_identity(self, requester: str, source_account: str, customer_id: str) -> None:
        check_identity(source_account, customer_id)
        self.identities[requester] = (source_account, customer_id)

    # -- after the world's lock is released ---------------------------------------------------
    def flush(self) -> None:
        """Send what is pending, unless another thread is sending (it takes these too)."""
        if self._background is not None:
            self._wake.set()
            return
        self._send_pending()

    def _send_pending(self) -> None:
        while self.pending and self.courier is not None:
            if not self._sending.acquire(blocking=False):
                return  # the sending thread checks ``pending`` again after it lets go
            try:
                gate = self.gate
                if gate is not None and not gate():
                    self.pending.clear()
                    return
                self._send_all()
            finally:
                self._sending.release()

    def _send_all(self) -> None:
        courier = self.courier
        while courier is not None:
            try:
                notice = self.pending.popleft()
            except IndexError:
                return
            try:
                message = courier.deliver(notice)
            except Exception:  # a bug in the courier must not lose the rest
                log.exception("mturk_mock could not send notification %s", notice.doc_id)
                continue
            with self.changed:
                self.messages.append(message)
                self.changed.notify_all()

    def start_background(self) -> None:
        """Send from a daemon thread from now on (a server: answers never wait for a destination)."""
        with self.changed:
            self._background_users += 1
            if self._background is not None:
                return
            self._wake.clear()
            self._background = threading.Thread(target=self._run_background, name="mturk-mock-notifications")
            self._background.daemon = True
        self._background.start()

    def stop_background(self, timeout: float = 5.0) -> None:
        """Send what is pending (for at most ``timeout`` seconds) and go back to sending in the caller."""
        with self.changed:
            self._background_users -= 1
            thread = self._background
            if self._background_users > 0 or thread is None:
                return
            self._background = None
        self._wake.set()
        thread.join(timeout)

    def _run_background(self) -> None:
        me = threading.current_thread()
        while True:
            self._wake.wait()
            self._wake.clear()
            self._send_pending()
            if self._background is not me:
                self._send_pending()
                return

    # -- state ---------------------------------------------------------------------------------
    def clear(self) -> None:
        self.pending.clear()
        with self.changed:
            self.messages.clear()
        self.identities.clear()
        self.serial = 0

    def adopt(self, other: Outbox) -> None:
        """Take a loaded World's counters and identities; what was sent here stays history of here."""
        self.pending.clear()
        with self.changed:
            self.messages.clear()
        self.identities = dict(other.identities)
        self.serial = other.serial

    def to_data(self) -> dict[str, Any]:
        return {"serial": self.serial, "identities": {key: list(value) for key, value in self.identities.items()}}

    def load_data(self, data: dict[str, Any]) -> None:
        self.serial = int(data.get("serial", 0))
        for requester, (account, customer) in data.get("identities", {}).items():
            self.set_identity(requester, account, customer)

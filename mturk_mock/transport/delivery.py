"""Sending event notifications: where each message goes, and nowhere off the machine unless told.

For each message the courier encodes the document (spec H§6.3) and picks its route:

* Email: recorded only.
* SQS or SNS with an endpoint given (``sqs_endpoint`` / ``sns_endpoint``, ``mturk-mock serve
  --sqs-endpoint``): SendMessage or Publish through a boto3 client to that server (moto's server,
  ElasticMQ, LocalStack).
* SQS or SNS while moto's mock (``moto.mock_aws``) is active in this process: the same calls, answered by
  moto, so the message lands in moto's queue or topic. Our botocore hook only answers ``mturk`` calls,
  and moto answers at ``before-send``, after our ``before-call``, so neither takes the other's calls, in
  whichever order the two mocks were started. A guard after moto's handler stops any request moto did
  not answer: nothing reaches the network.
* Otherwise: recorded only.

A queue or topic that does not exist (or refuses the message) is what the service meets with a
destination it cannot reach: the event still happened and the call that caused it succeeded; the
message is recorded as ``failed`` with the reason, logged, and not retried [I].
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sys
import threading
import uuid
from typing import Any
from urllib.parse import urlsplit

from ..model.notifications import EMAIL, SNS, SQS
from ..model.outbox import DELIVERED, FAILED, RECORDED, Notice, NotificationMessage

log = logging.getLogger("mturk_mock")
_encode = json.JSONEncoder(separators=(",", ":")).encode  # compact, as the service writes it
_MOTO = "moto"  # the route of messages moto answers in-process
_SECRET = "mturk-mock"  # moto, ElasticMQ and LocalStack accept any credentials


class DeliveryBlocked(RuntimeError):
    """A notification would have left the process: moto was active but did not answer it."""


def check_endpoint(name: str, url: str | None) -> str | None:
    """An http(s) URL of an SQS- or SNS-compatible server (ValueError otherwise)."""
    if url is None:
        return None
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http:// or https:// URL, not {url!r}")
    return url


def _active_moto() -> Any:
    """moto's botocore handler while ``mock_aws`` is active (moto is never imported here)."""
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return stubber if stubber is not None and getattr(stubber, "enabled", False) else None


def _iso_ms(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Courier:
    """Sends one World's notifications; ``now`` is the World's clock (the SNS Timestamp and Subject)."""

    def __init__(self, now: Any, sqs_endpoint: str | None = None, sns_endpoint: str | None = None) -> None:
        self.now = now
        self.endpoints = {
            SQS: check_endpoint("sqs_endpoint", sqs_endpoint),
            SNS: check_endpoint("sns_endpoint", sns_endpoint),
        }
        self._clients: dict[tuple[str, str, str | None, str], Any] = {}
        self._session: Any = None
        self._lock = threading.Lock()  # client creation is not thread-safe in botocore

    def deliver(self, notice: Notice) -> NotificationMessage:
        document = notice.document()
        body = _encode(document)
        spec, event = notice.spec, notice.event
        status, error, envelope, message_id = RECORDED, None, None, None
        sent_at = self.now()
        if spec.transport != EMAIL:
            route = self.endpoints[spec.transport] or (_MOTO if _active_moto() is not None else None)
            if route is not None:
                try:
                    message_id = self._send(route, notice, body, sent_at)
                    status = DELIVERED
                except Exception as exc:  # the destination is unreachable: the event happened all the same
                    status, error = FAILED, f"{type(exc).__name__}: {exc}"
                    log.warning("mturk_mock: notification to %s not delivered: %s", spec.destination, error)
        if spec.transport == SNS:
            envelope = self._envelope(notice, body, sent_at, message_id)
        return NotificationMessage(
            notice.marketplace,
            spec.transport,
            spec.destination,
            event.event_type,
            event.timestamp,
            event.owner,
            event.hit_type_id or None,
            event.hit_id or None,
            event.assignment_id,
            event.worker_id,
            notice.doc_id,
            body,
            document,
            status,
            error,
            envelope,
            notice.test,
        )

    def _send(self, route: str, notice: Notice, body: str, sent_at: float) -> str | None:
        spec = notice.spec
        client = self._client(spec.transport, spec.region, None if route == _MOTO else route, spec.account)
        if spec.transport == SQS:
            answer = client.send_message(QueueUrl=spec.destination, MessageBody=body)
        else:
            answer = client.publish(TopicArn=spec.destination, Message=body, Subject=str(int(sent_at * 1000)))
        found = answer.get("MessageId")
        return found if isinstance(found, str) else None

    def _client(self, transport: str, region: str, endpoint: str | None, account: str | None) -> Any:
        key = (transport, region, endpoint, account or "")
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key) or self._new_client(transport, region, endpoint, account)
                self._clients[key] = client
        return client

    def _new_client(self, transport: str, region: str, endpoint: str | None, account: str | None) -> Any:
        import botocore.session
        from botocore.config import Config

        if self._session is None:
            self._session = botocore.session.Session()
        service = transport.lower()
        client = self._session.create_client(
            service,
            region_name=region,
            # moto answers the AWS host; spelled out so that no AWS_ENDPOINT_URL setting redirects it
            endpoint_url=endpoint or f"https://{service}.{region}.amazonaws.com",
            aws_access_key_id=account or "000000000000",  # LocalStack reads the account from the key
            aws_secret_access_key=_SECRET,
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=10),
        )
        if account is not None:  # moto's way to name the account that owns the queue or topic
            client.meta.events.register("before-sign", _account_header(account))
        if endpoint is None:  # moto answers it; our handler calls moto's, so that no request goes unanswered
            stubber = _active_moto()
            if stubber is not None:
                client.meta.events.unregister("before-send", stubber)
            client.meta.events.register("before-send", _through_moto)
        return client

    def _envelope(self, notice: Notice, body: str, sent_at: float, message_id: str | None) -> dict[str, Any]:
        """What an SNS subscriber receives (spec H§6.4), as in a real delivery; the signature is not real."""
        spec = notice.spec
        region = spec.region
        digest = hashlib.sha1(notice.doc_id.encode()).digest()[:16]
        return {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.UUID(bytes=digest, version=4)),
            "TopicArn": spec.destination,
            "Subject": str(int(sent_at * 1000)),
            "Message": body,
            "Timestamp": _iso_ms(sent_at),
            "SignatureVersion": "1",
            "Signature": "mturk-mock-unsigned",
            "SigningCertURL": f"https://sns.{region}.amazonaws.com/SimpleNotificationService-mturk-mock.pem",
            "UnsubscribeURL": f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
            f"{spec.destination}:mturk-mock",
        }


def _account_header(account: str) -> Any:
    def add(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    return add


def _through_moto(request: Any, event_name: str, **_: Any) -> Any:
    stubber = _active_moto()
    response = None if stubber is None else stubber(event_name, request)
    if response is None:
        raise DeliveryBlocked(f"moto did not answer the notification request to {request.url}; nothing was sent")
    return response

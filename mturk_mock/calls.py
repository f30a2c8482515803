"""The call log: every intercepted request with its answer, for assertions."""

from __future__ import annotations

import json
from typing import Any


class CallRecord:
    """One MTurk call as the mock saw it. ``request`` and ``response`` are the wire JSON, decoded on access.

    ``detail`` says why a refused request was refused, in words the service does not send (which XML rule,
    which constraint); the wire answer in ``response`` is exactly the service's. None for answers that
    need no explanation.

    ``fault`` names what injected the answer (``"rule 1"``, ``"rate limit"``, ``"credentials"``; None for
    an answer of the model). A client's retries are calls of their own: in-process, ``attempt`` counts
    them (1 for the first) and ``retry_delay`` is the backoff the client chose after this answer (None
    when it did not retry). Over HTTP the client retries by itself and these stay 1 and None.
    """

    __slots__ = (
        "operation",
        "marketplace",
        "requester",
        "status",
        "request_id",
        "_request",
        "_response",
        "fault",
        "attempt",
        "retry_delay",
        "detail",
    )

    def __init__(
        self,
        operation: str,
        marketplace: str,
        requester: str,
        request: bytes,
        status: int,
        response: bytes,
        request_id: str,
        fault: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.operation = operation
        self.marketplace = marketplace
        self.requester = requester
        self.status = status
        self.request_id = request_id
        self._request = request
        self._response = response
        self.fault = fault
        self.attempt = 1
        self.retry_delay: float | None = None
        self.detail = detail

    @property
    def request(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self._request or b"{}")
        return decoded

    @property
    def response(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self._response)
        return decoded

    @property
    def ok(self) -> bool:
        return self.status < 300

    @property
    def error_code(self) -> str | None:
        """The error's ``__type`` without namespace (``RequestError``, ``ParameterValidationError``...)."""
        if self.ok:
            return None
        code: str = self.response.get("__type", "")
        return code.rpartition("#")[2]

    def __repr__(self) -> str:
        outcome = "ok" if self.ok else self.error_code
        fault = f" injected by {self.fault}" if self.fault else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"<CallRecord {self.operation} {self.marketplace} {outcome}{fault}{detail}>"

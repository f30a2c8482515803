"""The call log: every intercepted request with its answer, for assertions."""

from __future__ import annotations

import json
from typing import Any


class CallRecord:
    """One MTurk call as the mock saw it. ``request`` and ``response`` are the wire JSON, decoded on access."""

    __slots__ = ("operation", "marketplace", "requester", "status", "request_id", "_request", "_response")

    def __init__(
        self,
        operation: str,
        marketplace: str,
        requester: str,
        request: bytes,
        status: int,
        response: bytes,
        request_id: str,
    ) -> None:
        self.operation = operation
        self.marketplace = marketplace
        self.requester = requester
        self.status = status
        self.request_id = request_id
        self._request = request
        self._response = response

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
        return f"<CallRecord {self.operation} {self.marketplace} {outcome}>"

"""The client's own retries, in-process, for answers the mock injected.

botocore retries in its endpoint, after the HTTP layer; the in-process transport answers at the
before-call event, before it, so without this an injected ThrottlingException or ServiceFault would
never be retried. Here the endpoint's retry loop is replayed with the client's own retry handlers:
each answer is offered to the client's ``needs-retry`` event exactly as ``Endpoint._needs_retry`` offers
it, so whatever the client is configured with decides (legacy, standard or adaptive mode, max attempts,
the standard mode's retry quota, handlers the application registered) and marks the answer
(``MaxAttemptsReached``, ``RetryQuotaReached``) as it would against the real service. Each retry is a
new call to the mock (faults apply to it again, the call log shows it), and the final answer carries
``RetryAttempts`` as the endpoint counts them: attempts - 1.

Backoff: the delay the client's handler returns is recorded on the call log (``CallRecord.retry_delay``)
and, by the handle's ``retry_backoff``, not slept (``"record"``, the default), added to the mock clock
(``"clock"``: token buckets refill, deadlines pass) or really slept (``"sleep"``). Adaptive mode's
client-side send-rate limiter is fed every attempt but never waits in-process (it acts at before-send,
which a mocked call never reaches). Answers the mock did not inject are never retried, so nothing
changes, nor costs anything, without faults.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.hooks import HierarchicalEmitter, first_non_none_response

from .pipeline import Answer

Reply = tuple[AWSResponse, dict[str, Any]]


def with_client_retries(
    handle: Any,
    emitter: HierarchicalEmitter,
    model: Any,
    params: dict[str, Any],
    first: tuple[Answer, Reply],
    again: Callable[[], tuple[Answer, Reply]],
) -> Reply:
    """The final (http response, parsed) of the client's retry loop that starts with ``first``."""
    event = f"needs-retry.{model.service_model.service_id.hyphenize()}.{model.name}"
    answer, reply = first
    attempts = 1
    while True:
        delay = first_non_none_response(
            emitter.emit(
                event,
                response=reply,
                endpoint=None,
                operation=model,
                attempts=attempts,
                caught_exception=None,
                request_dict=params,
            )
        )
        if delay is None or delay is False:
            break
        if answer.call is not None:
            answer.call.retry_delay = delay
        _back_off(handle, float(delay))
        attempts += 1
        answer, reply = again()
        if answer.call is not None:
            answer.call.attempt = attempts
    reply[1]["ResponseMetadata"]["RetryAttempts"] = attempts - 1
    return reply


def _back_off(handle: Any, delay: float) -> None:
    backoff = handle.faults.retry_backoff
    if backoff == "clock":
        handle.world.clock.advance(delay)
    elif backoff == "sleep":
        time.sleep(delay)

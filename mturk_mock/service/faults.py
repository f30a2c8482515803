"""Fault injection, transport-neutral: which calls the mock refuses or fails on purpose.

``Faults`` is ``handle.faults``. The request pipeline asks it about every call while it is ``armed``
(any rule, rate limit or credential check in effect; otherwise the pipeline does not call it at all),
in the order the real service would refuse a call: the credentials (``credentials="registered"``),
then the per-requester rate limit, then the rules, which count only the calls that got that far.
Options are validated by ``model/fault_settings.py``; the state here (counters, random generators,
token buckets) is reset by ``reset()`` to what the options say.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..constants import DEFAULT_REQUESTER
from ..model import errors
from ..model.errors import MTurkError
from ..model.fault_settings import ErrorLike, FaultOptions, FaultRule, RateLimit, access_key, rate_limit_of, rule_of
from .service_model import operation_names

RATE_LIMIT, CREDENTIALS = "rate limit", "credentials"
_NO_FAULTS = FaultOptions()


@dataclass(frozen=True, slots=True)
class Injected:
    """A fault for one call: the error, what injected it (the call log's ``fault``), and whether the
    operation still runs (its answer lost)."""

    error: MTurkError
    source: str
    applied: bool = False


class _Armed:
    """A rule in effect, with its count of the calls in its scope and of the faults it injected."""

    __slots__ = ("rule", "name", "calls", "fired", "random")

    def __init__(self, rule: FaultRule, number: int) -> None:
        self.rule, self.name = rule, f"rule {number}"
        self.calls = self.fired = 0
        self.random = random.Random(rule.seed) if rule.probability is not None else None

    def matches(self, requester: str, operation: str) -> bool:
        rule = self.rule
        return (rule.operations is None or operation in rule.operations) and (
            rule.requesters is None or requester in rule.requesters
        )

    def fault(self) -> MTurkError | None:
        """Counts one call in scope; the error to answer it with, if the rule fires on it."""
        self.calls += 1
        rule, position = self.rule, self.calls - self.rule.after
        if position <= 0:
            return None
        if rule.sequence is not None:
            return rule.sequence[position - 1] if position <= len(rule.sequence) else None
        if rule.times is not None:
            fires = position <= rule.times
        elif rule.every is not None:
            fires = position % rule.every == 0
        elif self.random is not None:
            fires = self.random.random() < (rule.probability or 0.0)
        else:
            fires = True
        return rule.error if fires else None


class Faults:
    """The faults of one mock: ``add`` rules, set a ``rate_limit``, accept only registered access keys.

    ``mturk.faults.add("ServiceFault", operation="CreateQualificationType", after=2, times=1)`` makes the
    third CreateQualificationType call fail (and only it). Every injected fault is in the call log with
    ``CallRecord.fault`` saying which rule, ``"rate limit"`` or ``"credentials"`` injected it.
    """

    def __init__(self, options: FaultOptions | None = None) -> None:
        self.options = options or _NO_FAULTS
        self._lock = threading.Lock()
        self._reset()

    def reset(self) -> None:
        """Back to the options the mock was made with: their rules with fresh counters, full buckets."""
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        options = self.options
        self._armed: list[_Armed] = []
        self._numbered = 0
        self._limit: RateLimit | None = options.rate_limit
        self._buckets: dict[tuple[str, str], list[float]] = {}  # (marketplace, requester) -> [tokens, at]
        self._credentials = options.credentials
        self.access_keys: set[str] = set(options.access_keys)
        self._backoff = options.retry_backoff
        for rule in options.rules:
            self._arm(rule)
        self._update()

    # -- configuring -----------------------------------------------------------------------------
    def add(self, error: ErrorLike = "ServiceFault", **options: Any) -> FaultRule:
        """Add a rule (options as ``FaultRule``: operation, requester, after, times, every, probability,
        seed, sequence, applied, message); rules are checked in the order added, the first that fires wins."""
        rule = rule_of(error, operations=operation_names, **options)
        with self._lock:
            self._arm(rule)
            self._update()
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            self._armed = [armed for armed in self._armed if armed.rule is not rule]
            self._update()

    def clear(self) -> None:
        """No rules and no rate limit any more (the credential check stays)."""
        self.configure(clear=True)

    def rate_limit(self, rate: RateLimit | float | Mapping[str, Any] | None, burst: int | None = None) -> None:
        """A token bucket per requester (and marketplace): ``rate`` calls a second on the mock clock, bursts
        of ``burst`` (default: the rate); a call that finds it empty gets ThrottlingException. None: no limit."""
        limit = rate_limit_of(rate if burst is None or rate is None else {"rate": rate, "burst": burst})
        with self._lock:
            self._limit = limit
            self._buckets.clear()
            self._update()

    def register_access_key(self, *keys: str) -> None:
        """Access keys accepted with ``credentials="registered"``."""
        checked = [access_key(key) for key in keys]
        with self._lock:
            self.access_keys.update(checked)

    @property
    def retry_backoff(self) -> str:
        """In-process, what the client's retry backoff does: ``"record"`` (only noted on the call log, the
        default), ``"clock"`` (advances the mock clock) or ``"sleep"`` (really sleeps)."""
        return self._backoff

    @retry_backoff.setter
    def retry_backoff(self, backoff: str) -> None:
        self.configure(retry_backoff=backoff)

    @property
    def credentials(self) -> str:
        """``"any"``: every access key is a requester (the default); ``"registered"``: only the registered
        ones, others get UnrecognizedClientException (unsigned calls MissingAuthenticationTokenException)."""
        return self._credentials

    @credentials.setter
    def credentials(self, mode: str) -> None:
        self.configure(credentials=mode)

    def configure(
        self,
        rules: Iterable[Mapping[str, Any]] = (),
        rate_limit: Any = None,
        credentials: str | None = None,
        access_keys: Iterable[str] = (),
        retry_backoff: str | None = None,
        clear: bool = False,
    ) -> None:
        """Several changes at once, all validated before any applies (the CLI and the control endpoint);
        ``clear`` first removes every rule and the rate limit."""
        if not isinstance(clear, bool):
            raise TypeError(f"clear must be true or false, not {clear!r}")
        checked = FaultOptions.of(
            faults=rules,
            rate_limit=rate_limit,
            credentials=credentials or self._credentials,
            access_keys=access_keys,
            retry_backoff=retry_backoff or self._backoff,
            operations=operation_names,
        )
        with self._lock:
            if clear:
                self._armed, self._limit = [], None
                self._buckets.clear()
            self._backoff = checked.retry_backoff
            for rule in checked.rules:
                self._arm(rule)
            if checked.rate_limit is not None:
                self._limit = checked.rate_limit
                self._buckets.clear()
            self._credentials = checked.credentials
            self.access_keys.update(checked.access_keys)
            self._update()

    @property
    def rules(self) -> list[FaultRule]:
        return [armed.rule for armed in self._armed]

    def describe(self) -> dict[str, Any]:
        """The faults in effect as JSON-native data, with each rule's counts."""
        with self._lock:
            limit = self._limit
            return {
                "rules": [
                    {"name": armed.name, **armed.rule.describe(), "calls": armed.calls, "fired": armed.fired}
                    for armed in self._armed
                ],
                "rate_limit": None if limit is None else {"rate": limit.rate, "burst": limit.burst},
                "credentials": self._credentials,
                "access_keys": sorted(self.access_keys),
                "retry_backoff": self._backoff,
            }

    def _arm(self, rule: FaultRule) -> None:
        self._numbered += 1
        self._armed.append(_Armed(rule, self._numbered))

    def _update(self) -> None:
        self.armed = bool(self._armed) or self._limit is not None or self._credentials == "registered"

    # -- answering -------------------------------------------------------------------------------
    def check(self, marketplace: str, requester: str, operation: str, now: float) -> Injected | None:
        """The fault for this call, if any (counting it). Only called while ``armed``."""
        with self._lock:
            if self._credentials == "registered" and requester not in self.access_keys:
                unsigned = requester == DEFAULT_REQUESTER
                error = (errors.MISSING_AUTHENTICATION_TOKEN if unsigned else errors.UNRECOGNIZED_CLIENT)()
                return Injected(error, CREDENTIALS)
            if self._limit is not None and not self._take_token(self._limit, (marketplace, requester), now):
                return Injected(errors.THROTTLED(), RATE_LIMIT)
            found = None
            for armed in self._armed:
                if armed.matches(requester, operation):
                    failure = armed.fault()  # every rule in scope counts the call: rules do not interfere
                    if failure is not None and found is None:
                        armed.fired += 1
                        found = Injected(failure, armed.name, armed.rule.applied)
            return found

    def _take_token(self, limit: RateLimit, key: tuple[str, str], now: float) -> bool:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = [float(limit.burst), now]
        elapsed = max(0.0, now - bucket[1])  # a clock set back refills nothing
        bucket[0] = min(float(limit.burst), bucket[0] + elapsed * limit.rate)
        bucket[1] = now
        if bucket[0] < 1.0:
            return False
        bucket[0] -= 1.0
        return True

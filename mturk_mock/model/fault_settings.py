"""The options of fault injection, validated in one place: the handle's ``faults`` API, the decorator and
marker options, the CLI's ``--faults`` and the server's control endpoint all end up here.

A ``FaultRule`` says which calls fail (scope: operations, requesters) and when (the next N after some,
every Nth, with a probability under a seed, or a scripted sequence), with which catalogue error.
``FaultOptions`` holds the rest: the per-requester rate limit, which access keys are accepted, and what
the in-process transport does with the backoff delays of the client's retries.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from . import errors
from .errors import ErrorSpec, MTurkError

# What an injected ServiceFault says: the text the service model documents for the error [I].
SERVICE_FAULT_MESSAGE = "Amazon Mechanical Turk is temporarily unable to process your request. Try your call again."
ALIASES = {"ServiceFault": "SERVICE_ERROR", "ThrottlingException": "THROTTLED", "Throttling": "THROTTLED"}
CREDENTIALS = ("any", "registered")
BACKOFFS = ("record", "clock", "sleep")
RULE_KEYS = frozenset(
    ("error", "message", "operation", "requester", "after", "times", "every", "probability", "seed", "sequence")
) | {"applied"}
Credentials = Literal["any", "registered"]
Backoff = Literal["record", "clock", "sleep"]
ErrorLike = str | ErrorSpec | MTurkError


@dataclass(frozen=True, slots=True)
class FaultRule:
    """One rule: the calls in scope are counted 1, 2, 3...; after ``after`` of them, it fires on the next
    ``times``, on every ``every``-th, with ``probability``, or as ``sequence`` says (None: passes;
    otherwise the error). With none of the four, it fires on every call after ``after``."""

    error: MTurkError
    operations: frozenset[str] | None = None  # None: every operation
    requesters: frozenset[str] | None = None  # None: every requester (access key)
    after: int = 0
    times: int | None = None
    every: int | None = None
    probability: float | None = None
    seed: int = 0
    sequence: tuple[MTurkError | None, ...] | None = None
    applied: bool = False  # the operation takes effect and only its answer is lost

    def describe(self) -> dict[str, Any]:
        """The rule as JSON-native data (the control endpoint's answer)."""
        described: dict[str, Any] = {"error": self.error.code, "message": self.error.message}
        for name in ("operations", "requesters"):
            value = getattr(self, name)
            if value is not None:
                described[name] = sorted(value)
        for name in ("after", "times", "every", "probability", "applied"):
            value = getattr(self, name)
            if value:
                described[name] = value
        if self.probability is not None:
            described["seed"] = self.seed
        if self.sequence is not None:
            described["sequence"] = [None if step is None else step.code for step in self.sequence]
        return described


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket per requester and marketplace: ``rate`` calls a second on the mock clock, bursts of
    up to ``burst``. A call finding the bucket empty gets ThrottlingException."""

    rate: float
    burst: int


@dataclass(frozen=True, slots=True)
class FaultOptions:
    rules: tuple[FaultRule, ...] = ()
    rate_limit: RateLimit | None = None
    credentials: Credentials = "any"
    access_keys: frozenset[str] = frozenset()
    retry_backoff: Backoff = "record"

    @classmethod
    def of(
        cls,
        *,
        faults: Iterable[FaultRule | Mapping[str, Any]] = (),
        rate_limit: RateLimit | float | Mapping[str, Any] | None = None,
        credentials: str = "any",
        access_keys: Iterable[str] = (),
        retry_backoff: str = "record",
        operations: Callable[[], Collection[str]],
    ) -> FaultOptions:
        """``operations``: the names a rule may be scoped to (every operation of the service model)."""
        if isinstance(faults, (str, bytes, Mapping)) or not isinstance(faults, Iterable):
            raise TypeError(f"faults must be a list of rules (dicts of FaultRule fields), not {faults!r}")
        rules = tuple(
            rule if isinstance(rule, FaultRule) else rule_of(operations=operations, **_rule_mapping(rule))
            for rule in faults
        )
        if credentials not in CREDENTIALS:
            raise ValueError(f"credentials must be one of {', '.join(CREDENTIALS)}, not {credentials!r}")
        if retry_backoff not in BACKOFFS:
            raise ValueError(f"retry_backoff must be one of {', '.join(BACKOFFS)}, not {retry_backoff!r}")
        if not isinstance(access_keys, (str, Iterable)):
            raise TypeError(f"access_keys must be a list of access keys, not {access_keys!r}")
        keys = frozenset(access_key(key) for key in ([access_keys] if isinstance(access_keys, str) else access_keys))
        return cls(rules, rate_limit_of(rate_limit), credentials, keys, retry_backoff)  # type: ignore[arg-type]


def _rule_mapping(rule: object) -> Mapping[str, Any]:
    if not isinstance(rule, Mapping):
        raise TypeError(f"a fault rule is a FaultRule or a dict of its options, not {rule!r}")
    unknown = set(rule) - RULE_KEYS
    if unknown:
        raise ValueError(f"unknown fault rule option(s) {sorted(unknown)}; the options are {sorted(RULE_KEYS)}")
    return rule


def rule_of(
    error: ErrorLike = "ServiceFault",
    *,
    operations: Callable[[], Collection[str]],
    operation: str | Iterable[str] | None = None,
    requester: str | Iterable[str] | None = None,
    after: int = 0,
    times: int | None = None,
    every: int | None = None,
    probability: float | None = None,
    seed: int = 0,
    sequence: Iterable[ErrorLike | bool | None] | None = None,
    applied: bool = False,
    message: str | None = None,
) -> FaultRule:
    kinds = (("times", times), ("every", every), ("probability", probability), ("sequence", sequence))
    chosen = [name for name, value in kinds if value is not None]
    if len(chosen) > 1:
        raise ValueError(f"a fault rule takes one of times, every, probability and sequence, not {chosen}")
    _count("after", after, 0)
    if times is not None:
        _count("times", times, 1)
    if every is not None:
        _count("every", every, 1)
    if probability is not None and (
        isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1
    ):
        raise ValueError(f"probability must be a number from 0 to 1, not {probability!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, not {seed!r}")
    if not isinstance(applied, bool):
        raise TypeError(f"applied must be true or false, not {applied!r}")
    failure = error_of(error, message)
    steps = None
    if sequence is not None:
        if isinstance(sequence, (str, bytes)) or not isinstance(sequence, Iterable):
            raise TypeError(f"sequence must be a list (None or False: the call passes), not {sequence!r}")
        steps = tuple(
            None if step is None or step is False else failure if step is True else error_of(step, None)
            for step in sequence
        )
    scoped = None
    if operation is not None:
        scoped = frozenset(_names("operation", operation))
        unknown = scoped.difference(operations())
        if unknown:
            raise ValueError(f"not MTurk operations: {sorted(unknown)}")
    requesters = None if requester is None else frozenset(_names("requester", requester))
    return FaultRule(failure, scoped, requesters, after, times, every, probability, seed, steps, applied)


def error_of(error: ErrorLike, message: str | None) -> MTurkError:
    """The error a rule answers: an MTurkError as given, a catalogue entry (``ErrorSpec`` or its name in
    ``model/errors.py``) or ``ServiceFault`` / ``ThrottlingException``; ``message`` replaces the text."""
    if isinstance(error, MTurkError):
        return error if message is None else MTurkError(error.spec, message, error.parameter)
    if isinstance(error, str):
        spec = errors.catalogue().get(ALIASES.get(error, error))
        if spec is None:
            raise ValueError(
                f"unknown error {error!r}: use ServiceFault, ThrottlingException, a name from "
                f"mturk_mock.model.errors ({', '.join(sorted(errors.catalogue()))}) or an MTurkError"
            )
    elif isinstance(error, ErrorSpec):
        spec = error
    else:
        raise TypeError(f"a fault's error is a name, an ErrorSpec or an MTurkError, not {error!r}")
    if message is not None:
        if not isinstance(message, str):
            raise TypeError(f"message must be a string, not {message!r}")
        return MTurkError(spec, message)
    if spec is errors.SERVICE_ERROR:
        return spec(message=SERVICE_FAULT_MESSAGE)
    try:
        return spec()
    except (KeyError, IndexError):
        raise ValueError(f"the message of {spec.code} has fields to fill: give message=...") from None


def rate_limit_of(value: RateLimit | float | Mapping[str, Any] | None) -> RateLimit | None:
    """None (no limit), a RateLimit, a rate (calls a second; the burst is the rate, at least 1) or
    ``{"rate": r, "burst": b}``."""
    if value is None or isinstance(value, RateLimit):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - {"rate", "burst"}
        if unknown or "rate" not in value:
            raise ValueError(f"a rate limit is {{'rate': calls a second, 'burst': calls}}, not {dict(value)!r}")
        rate, burst = value["rate"], value.get("burst")
    else:
        rate, burst = value, None
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate < float("inf"):
        raise ValueError(f"a rate limit's rate must be a number of calls a second > 0, not {rate!r}")
    if burst is None:
        burst = max(1, int(rate))
    _count("burst", burst, 1)
    return RateLimit(float(rate), burst)


def access_key(key: object) -> str:
    if not isinstance(key, str) or not key or key != key.strip():
        raise ValueError(f"an access key is a non-empty string without surrounding spaces, not {key!r}")
    return key


def _names(option: str, value: str | Iterable[str]) -> list[str]:
    names = [value] if isinstance(value, str) else list(value) if isinstance(value, Iterable) else None
    if not names or not all(isinstance(name, str) and name for name in names):
        raise ValueError(f"{option} must be a name or a non-empty list of names, not {value!r}")
    return names


def _count(name: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, not {value!r}")

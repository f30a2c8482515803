"""One scenario per implemented operation (success) and per error kind, for the wire-fidelity test.

A scenario's ``prepare(client, mock)`` builds whatever state it needs and returns the call's kwargs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Scenario:
    name: str
    operation: str
    prepare: Callable
    error: str | None = None

    @property
    def method(self) -> str:
        import botocore

        return botocore.xform_name(self.operation)


def _no_args(client, mock):
    return {}


SUCCESS_SCENARIOS: list[Scenario] = [
    Scenario("balance", "GetAccountBalance", _no_args),
]

ERROR_SCENARIOS: list[Scenario] = [
    Scenario("not-implemented", "CreateHIT", lambda client, mock: {
        "LifetimeInSeconds": 60, "AssignmentDurationInSeconds": 60, "Reward": "0.10",
        "Title": "t", "Description": "d", "Question": "<q/>"}, error="NotImplemented"),
]

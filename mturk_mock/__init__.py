"""mturk_mock: a faithful, fast, in-process mock of the Amazon Mechanical Turk Requester API.

Attributes load on first use, so that importing the pytest plugin costs next to nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = [
    "CallRecord",
    "Choice",
    "Clock",
    "FileUpload",
    "MTurkMock",
    "MTurkServer",
    "NetworkBlocked",
    "SimulatedWorker",
    "UnmockedCall",
    "World",
    "WorkerActionRefused",
    "WorkerError",
    "WorkerProfile",
    "build_answers",
    "current",
    "mock_mturk",
    "mock_mturk_qual",
]

_LAZY = {
    "mock_mturk": "mturk_mock.mock",
    "mock_mturk_qual": "mturk_mock.mock",
    "MTurkMock": "mturk_mock.mock",
    "current": "mturk_mock.mock",
    "CallRecord": "mturk_mock.calls",
    "Clock": "mturk_mock.model.clock",
    "World": "mturk_mock.model.world",
    "NetworkBlocked": "mturk_mock.transport.botocore_hook",
    "UnmockedCall": "mturk_mock.transport.strict",
    "MTurkServer": "mturk_mock.transport.http_server",
    "SimulatedWorker": "mturk_mock.simulation",
    "Choice": "mturk_mock.simulation",
    "WorkerProfile": "mturk_mock.simulation",
    "WorkerError": "mturk_mock.model.workers",
    "WorkerActionRefused": "mturk_mock.model.workers",
    "FileUpload": "mturk_mock.model.xml.hit_answers",
    "build_answers": "mturk_mock.model.xml",
}

if TYPE_CHECKING:
    from .calls import CallRecord
    from .mock import MTurkMock, current, mock_mturk, mock_mturk_qual
    from .model.clock import Clock
    from .model.workers import WorkerActionRefused, WorkerError
    from .model.world import World
    from .model.xml import build_answers
    from .model.xml.hit_answers import FileUpload
    from .simulation import Choice, SimulatedWorker, WorkerProfile
    from .transport.botocore_hook import NetworkBlocked
    from .transport.http_server import MTurkServer
    from .transport.strict import UnmockedCall


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'mturk_mock' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

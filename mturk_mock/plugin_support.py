"""What the pytest plugin's fixtures do, kept apart from the hooks so that loading the plugin stays cheap.

* One handle per test: ``handle_for`` decides which mock the ``mturk_mock`` fixture hands out when the
  fixture meets the ``@mock_mturk`` decorator, the marker, or a mock that was already active.
* Clients reused across tests: ``ClientPool`` lends one client per marketplace. A client holds no mock
  state, so reusing it is safe, unless the test changed it: handlers registered or unregistered on its
  events (a ``Stubber`` does that), attributes set on it, or retries spent on injected faults (the
  standard retry mode keeps a quota per client). Such a client is dropped after the test.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from . import activation
from .mock import MTurkMock, decorator_of

if TYPE_CHECKING:
    from mypy_boto3_mturk import MTurkClient

_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(MTurkMock.__init__).parameters.items()
    if parameter.default is not inspect.Parameter.empty
}


def _given(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options that differ from the defaults: what the decorator was given."""
    return {name: value for name, value in options.items() if name in _DEFAULTS and value != _DEFAULTS[name]}


def handle_for(request: pytest.FixtureRequest) -> tuple[MTurkMock, bool]:
    """(the mock the test's ``mturk_mock`` fixture hands out, whether the fixture starts and stops it).

    A decorated test: a mock with the decorator's options (and the marker's, which must agree), that the
    decorator will use instead of starting a second one. A mock already active (a session fixture, a
    ``mock_mturk().start()`` in a conftest): that one, because it is the one that answers. Otherwise a new
    mock with the marker's options.
    """
    marker = request.node.get_closest_marker("mturk_mock")
    options = dict(marker.kwargs) if marker is not None else {}
    decorator = decorator_of(getattr(request.node, "function", None))
    if decorator is not None:
        given = _given(decorator._options)
        clashes = sorted(name for name in options.keys() & given.keys() if options[name] != given[name])
        if clashes:
            pytest.fail(
                f"mturk_mock: @mock_mturk and @pytest.mark.mturk_mock on {request.node.nodeid} disagree on "
                f"{', '.join(clashes)}; give each option in one place",
                pytrace=False,
            )
        handle = MTurkMock(**{**decorator._options, **options})
        handle.adopt_for(decorator)
        return handle, True
    outer = activation.innermost()
    if outer is not None:
        if options:
            pytest.fail(
                f"mturk_mock: a mock is already active when {request.node.nodeid} starts (a session fixture or a "
                "mock_mturk().start()), so the mturk_mock fixture hands out that one and the marker's options "
                f"{sorted(options)} cannot apply; remove the marker or stop the other mock first",
                pytrace=False,
            )
        return outer, False
    return MTurkMock(**options), True


class ClientPool:
    """One idle client per (marketplace, botocore's emitter class), lent to one test at a time."""

    def __init__(self, make: Callable[[str], MTurkClient]) -> None:
        self._make = make
        self._idle: dict[tuple[str, type], MTurkClient] = {}

    def lend(self, marketplace: str) -> tuple[MTurkClient, dict[str, Any]]:
        """A client and what ``give_back`` needs to tell whether the test changed it."""
        from botocore.hooks import HierarchicalEmitter  # keyed by class: pytester may import botocore anew

        client = self._idle.pop((marketplace, HierarchicalEmitter), None)
        if client is None:
            client = self._make(marketplace)
            _watch(client)
        events: Any = client.meta.events
        events.mturk_mock_changed = False
        return client, _public(client)

    def give_back(self, client: MTurkClient, attributes: dict[str, Any], handle: MTurkMock) -> None:
        """Keep ``client`` for the next test unless this test changed it (then the next one gets a new one)."""
        from botocore.hooks import HierarchicalEmitter

        events: Any = client.meta.events
        if events.mturk_mock_changed or _public(client) != attributes or _retried(handle):
            return
        marketplace = handle.default_marketplace
        self._idle.setdefault((marketplace, HierarchicalEmitter), client)


def _public(client: object) -> dict[str, Any]:
    """The attributes a test could have set on the client (botocore's own are private and lazily set)."""
    return {name: id(value) for name, value in vars(client).items() if not name.startswith("_")}


def _retried(handle: MTurkMock) -> bool:
    return not handle.recording or any(call.fault is not None for call in handle.calls)


def _watch(client: MTurkClient) -> None:
    """Note any handler registered or unregistered on the client's events (Stubbers, tests' own hooks)."""
    events: Any = client.meta.events
    for name in ("register", "register_first", "register_last", "unregister"):
        original = getattr(events, name)

        def watched(*args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            events.mturk_mock_changed = True
            return _original(*args, **kwargs)

        setattr(events, name, watched)

"""The behaviour tests over both transports (issue 6: "a boto3 client with endpoint_url pointing at the
server passes the same behaviour tests as in-process").

Every test of a module in ``BOTH_TRANSPORTS_MODULES`` that uses the ``mturk_mock`` fixture runs twice,
with the ids ``[in-process]`` and ``[http]`` (``tests/conftest.py`` parametrizes and overrides the
plugin's ``mturk_mock`` and ``mturk_client`` for them; every other module gets the plugin's fixtures
unchanged):

- in-process: the plugin's own fixtures; clients go to the real MTurk endpoints and the active mock
  answers them at botocore's before-call event.
- http: the handle is never started (an active mock would answer the clients before they reach the
  server). One ``MTurkServer`` per marketplace serves it, so the clock, the call log, the simulated
  workers and the notifications behave as in-process; ``mturk_client`` and ``requester_client`` build
  clients whose ``endpoint_url`` is the server of their marketplace, signed with the requester's access
  key (``mturk_client`` unsigned: the default requester). Every connection and name lookup off the
  loopback interface is refused, so a client that bypasses this machinery fails instead of reaching AWS.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading

import pytest

import mturk_mock

IN_PROCESS, HTTP = "in-process", "http"
TRANSPORTS = (IN_PROCESS, HTTP)
BOTH_TRANSPORTS_MODULES = frozenset(
    {
        "test_qualification_types_create_get",
        "test_qualification_types_list",
        "test_qualification_types_update_delete",
        "test_worker_qualifications",
        "test_simulation",
        "test_hit_types",
        "test_hits",
        "test_hit_questions",
        "test_hit_money",
        "test_assignments",
        "test_worker_flow",
        "test_review_policies",
        "test_bonuses",
        "test_notification_settings",
        "test_notification_events",
    }
)
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1"})
LOOPBACK_NAMES = LOOPBACK_ADDRESSES | {"localhost"}
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
TIMEOUT = 30  # seconds: a connect or read on the loopback server that takes longer is a hang, not a slow answer
REGION = "us-east-1"


def runs_on_both(module_name: str) -> bool:
    return module_name.rpartition(".")[2] in BOTH_TRANSPORTS_MODULES


def transport_of(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("mturk_transport", IN_PROCESS) if callspec is not None else IN_PROCESS


def mock_options(request: pytest.FixtureRequest) -> dict:
    """The options of the test's ``@pytest.mark.mturk_mock(...)``, read as the plugin's fixture reads them."""
    marker = request.node.get_closest_marker("mturk_mock")
    return dict(marker.kwargs) if marker else {}


@functools.lru_cache(maxsize=1)
def _session():
    # A session is slow to build (config files, loaders); clients made from one are not.
    import boto3

    return boto3.session.Session()


def _marketplace(name: str) -> str:
    return "production" if name == "production" else "sandbox"


# -- the HTTP run ------------------------------------------------------------------------------------


class HttpRun:
    """A sandbox and a production ``MTurkServer`` serving one inactive handle, and the clients made on them."""

    def __init__(self, handle) -> None:
        from mturk_mock.transport.http_server import MTurkServer

        self.handle = handle
        self.servers: dict[str, MTurkServer] = {}
        self._clients: list = []
        try:
            for marketplace in ("sandbox", "production"):
                # The Host of a client on 127.0.0.1 names no MTurk endpoint: each server answers as its marketplace.
                self.servers[marketplace] = MTurkServer(handle, marketplace=marketplace).start()
        except BaseException:
            self.stop()
            raise

    def client(self, marketplace: str, access_key: str | None):
        import botocore
        from botocore.config import Config

        # One attempt, as in-process (where no answer is ever retried); a retry would also hide a server failure.
        # Legacy mode: standard mode would mark every answer with ResponseMetadata.MaxAttemptsReached.
        config = Config(
            retries={"total_max_attempts": 1, "mode": "legacy"}, connect_timeout=TIMEOUT, read_timeout=TIMEOUT
        )
        endpoint = self.servers[_marketplace(marketplace)].url
        if access_key is None:
            client = _session().client(
                "mturk",
                region_name=REGION,
                endpoint_url=endpoint,
                config=config.merge(Config(signature_version=botocore.UNSIGNED)),
            )
        else:
            client = _session().client(
                "mturk",
                region_name=REGION,
                endpoint_url=endpoint,
                config=config,
                aws_access_key_id=access_key,
                aws_secret_access_key="secret",
            )
        self._clients.append(client)
        return client

    def stop(self) -> None:
        """Close the clients' connections, then stop both servers concurrently."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        stoppers = {
            server: threading.Thread(target=server.stop, name=f"stop {server.url}") for server in self.servers.values()
        }
        for thread in stoppers.values():
            thread.start()
        for server, thread in stoppers.items():
            while thread.is_alive():
                _wake(server)
                thread.join(0.005)


def _wake(server) -> None:
    """Connect and hang up at once. A serving loop notices a stop only when its select() returns, which
    without traffic is after the 0.1 s poll interval; the connection makes it return now (twice that for
    every test of the HTTP run otherwise). Refused once the server has closed its socket."""
    try:
        socket.create_connection((server.host, server.port), timeout=1).close()
    except OSError:
        pass


_current: HttpRun | None = None


@contextlib.contextmanager
def serve(handle):
    """The HTTP run of one test: ``handle`` (never started) behind the two servers, which ``client`` uses
    until the run ends; the clients are closed and the servers stopped even when the test fails."""
    global _current
    assert not handle.active and mturk_mock.current() is None, (
        "an active mock would answer the HTTP run's clients in-process, bypassing the server"
    )
    assert _current is None, "an HTTP run is already in progress"
    run = HttpRun(handle)
    _current = run
    try:
        yield handle
    finally:
        _current = None
        run.stop()


def client(marketplace: str = "sandbox", access_key: str | None = None):
    """A client of ``marketplace`` for ``access_key`` (None: unsigned, the default requester) on the current
    transport: the server of the marketplace during an HTTP run, else the real MTurk endpoint (answered by
    the active in-process mock)."""
    if _current is not None:
        return _current.client(marketplace, access_key)
    import botocore
    from botocore.config import Config

    from mturk_mock.pytest_plugin import PRODUCTION_ENDPOINT, SANDBOX_ENDPOINT

    endpoint = PRODUCTION_ENDPOINT if _marketplace(marketplace) == "production" else SANDBOX_ENDPOINT
    if access_key is None:
        return _session().client(
            "mturk", region_name=REGION, endpoint_url=endpoint, config=Config(signature_version=botocore.UNSIGNED)
        )
    return _session().client(
        "mturk", region_name=REGION, endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key="secret"
    )


# -- the loopback guard ------------------------------------------------------------------------------


class OffLoopback(RuntimeError):
    """A test of the HTTP run tried to reach beyond 127.0.0.1 / ::1."""


def _refuse(what: str, target: object) -> None:
    raise OffLoopback(
        f"HTTP-run test refused {what} {target!r}: only 127.0.0.1 and ::1 may be reached "
        "(a client that bypasses tests/transports.py would otherwise go to AWS)"
    )


def _check_address(what: str, address: object) -> None:
    host = address[0] if isinstance(address, tuple) and address else address
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str) or host not in LOOPBACK_ADDRESSES:
        _refuse(what, address)


def stay_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse (raise ``OffLoopback``) every socket connection to, and every name lookup of, anything but
    the loopback interface, and make sure no proxy is configured from the environment."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,::1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,::1,localhost")

    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex
    original_create_connection = socket.create_connection
    original_getaddrinfo = socket.getaddrinfo
    original_gethostbyname, original_gethostbyname_ex = socket.gethostbyname, socket.gethostbyname_ex

    def connect(self, address):
        _check_address("a connection to", address)
        return original_connect(self, address)

    def connect_ex(self, address):
        _check_address("a connection to", address)
        return original_connect_ex(self, address)

    def create_connection(address, *args, **kwargs):
        _check_address("a connection to", address)
        return original_create_connection(address, *args, **kwargs)

    def lookup(original):
        def guarded(host, *args, **kwargs):
            name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
            if name not in LOOPBACK_NAMES:
                _refuse("a name lookup of", host)
            return original(host, *args, **kwargs)

        return guarded

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", lookup(original_getaddrinfo))
    monkeypatch.setattr(socket, "gethostbyname", lookup(original_gethostbyname))
    monkeypatch.setattr(socket, "gethostbyname_ex", lookup(original_gethostbyname_ex))

"""The server against hostile clients (issue 15): slow bodies, huge headers, connection floods, requests cut
mid-way, bursts, and stopping under load. Each asserts that a normal client is still answered within a
second (a liveness bound, not a speed target) and that no acknowledged write is lost.

Loopback only; every attack is bounded in count and time, and every socket has a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from mturk_mock import MTurkMock
from mturk_mock.transport import http_app
from mturk_mock.transport.http_server import Limits, MTurkServer

from .test_server import TARGET, read_line

ANSWER_WITHIN = 1.0  # seconds a normal client may wait while the server is under attack
FAST = Limits(connections=64, request_timeout=1.0, idle_timeout=2.0)


@contextlib.contextmanager
def serving(limits: Limits = FAST, handle: MTurkMock | None = None) -> Iterator[MTurkServer]:
    with MTurkServer(handle or MTurkMock(), port=0, limits=limits) as server:
        yield server


def request_bytes(operation: str, body: dict | None = None, **headers: str) -> bytes:
    payload = json.dumps(body or {}).encode()
    lines = ["POST / HTTP/1.1", "Host: 127.0.0.1", f"X-Amz-Target: {TARGET}{operation}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


class Refused(Exception):
    """The server answered, but not 200."""


def call(server: MTurkServer, operation: str, body: dict | None = None, timeout: float = ANSWER_WITHIN) -> dict:
    """One request on a fresh connection, which must be answered (200) within ``timeout``."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        connection.request("POST", "/", json.dumps(body or {}).encode(), {"X-Amz-Target": TARGET + operation})
        response = connection.getresponse()
        answer = json.loads(response.read())
    finally:
        connection.close()
    elapsed = time.monotonic() - started
    if response.status != 200:
        raise Refused(response.status, answer)
    assert elapsed < timeout, f"answered after {elapsed:.2f} s"
    return answer


class Writer:
    """A normal client that keeps creating qualification types and remembers those acknowledged."""

    count = 0

    def __init__(self, server: MTurkServer, timeout: float = ANSWER_WITHIN) -> None:
        self.server, self.timeout = server, timeout
        self.acknowledged: list[str] = []
        Writer.count += 1
        self.prefix = f"w{Writer.count}."  # names are unique per requester

    def write(self) -> None:
        name = f"{self.prefix}{len(self.acknowledged)}"
        body = {"Name": name, "Description": "d", "QualificationTypeStatus": "Active"}
        answer = call(self.server, "CreateQualificationType", body, self.timeout)
        self.acknowledged.append(answer["QualificationType"]["QualificationTypeId"])

    def assert_nothing_lost(self, handle: MTurkMock | None = None) -> None:
        types = (handle or self.server.handle).world.marketplace("sandbox").qualification_types
        for type_id in self.acknowledged:
            assert types.get(type_id).name.startswith(self.prefix)


def connect(server: MTurkServer, timeout: float = 5.0) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=timeout)


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes (a reset counts as closing; a timeout fails the test)."""
    chunks = []
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status_and_type(answer: bytes) -> tuple[int, str | None]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body).get("__type") if body else None


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset instead of an orderly shutdown."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# -- slow clients ---------------------------------------------------------------------------------------


def test_slow_bodies_cost_no_threads_and_time_out_with_408():
    with serving(Limits(connections=1000, request_timeout=1.0, idle_timeout=5.0)) as server:
        writer = Writer(server)
        writer.write()  # the pool has started
        threads_before = threading.active_count()
        half = request_bytes("GetAccountBalance", {"padding": "x" * 100})[:-60]
        slow = [connect(server) for _ in range(200)]
        try:
            for sock in slow:
                sock.sendall(half)
            for _ in range(3):
                writer.write()
            assert threading.active_count() <= threads_before + 2  # the old server held a thread per client
            for sock in slow:
                assert status_and_type(read_all(sock)) == (408, "RequestTimeout")
        finally:
            for sock in slow:
                sock.close()
        writer.write()
        writer.assert_nothing_lost()


def test_a_dribbling_client_is_cut_off_by_the_request_timeout():
    with serving() as server, connect(server) as sock:
        data = request_bytes("GetAccountBalance", {"padding": "x" * 200})
        started = time.monotonic()
        for byte in data:  # about 6 s at this pace, were it not cut off
            if select.select([sock], [], [], 0.02)[0]:
                break  # answered (408) before the request was whole
            sock.sendall(bytes([byte]))
        assert status_and_type(read_all(sock)) == (408, "RequestTimeout")
        assert time.monotonic() - started < 4
        call(server, "GetAccountBalance")


def test_a_client_that_never_reads_its_answers_is_closed_when_idle():
    with serving() as server:
        for index in range(100):  # a page of 100 is then about 250 KB
            body = {"Name": f"t{index}", "Description": "d" * 2000, "QualificationTypeStatus": "Active"}
            call(server, "CreateQualificationType", body, timeout=5)
        with connect(server) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(request_bytes("ListQualificationTypes", {"MustBeRequestable": True, "MaxResults": 100}) * 50)
            call(server, "GetAccountBalance")
            time.sleep(FAST.idle_timeout + 1)
            received = read_all(sock)  # what fitted before the server gave up on it, then the end
            assert 0 < len(received) < 50 * 250_000
        call(server, "GetAccountBalance")


# -- huge headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "AWS4-HMAC-SHA256 " + "Credential=" * 5900},  # 64 KB: took 4.9 s on the old server
        {f"X-Filler-{index}": "y" * 20 for index in range(2000)},
    ],
)
def test_huge_headers_are_refused_with_431_at_once(headers):
    with serving() as server:
        writer = Writer(server)
        started = time.monotonic()
        with connect(server) as sock:
            with contextlib.suppress(OSError):  # the server may answer and close before all is sent
                sock.sendall(request_bytes("GetAccountBalance", **headers))
            assert status_and_type(read_all(sock)) == (431, "RequestHeaderFieldsTooLarge")
        assert time.monotonic() - started < ANSWER_WITHIN
        writer.write()
        writer.assert_nothing_lost()


def test_a_hostile_authorization_under_the_cap_is_answered_at_once():
    with serving() as server:
        hostile = "AWS4-HMAC-SHA256 " + "Credential=" * 1400  # 15 KB, under the header cap
        started = time.monotonic()
        with connect(server) as sock:
            sock.sendall(request_bytes("GetAccountBalance", Authorization=hostile, Connection="close"))
            assert status_and_type(read_all(sock))[0] == 200
        assert time.monotonic() - started < ANSWER_WITHIN
        assert server.handle.calls[-1].requester == "<default>"


@pytest.mark.parametrize("unit", ["Credential=", "xCredential=", "Credential=/"])
def test_reading_the_access_key_is_linear_in_the_header(unit):
    """1.2 MB of near-misses: a backtracking or quadratic parse would take minutes; this one a few ms."""
    hostile = "AWS4-HMAC-SHA256 " + unit * (1_200_000 // len(unit))
    started = time.monotonic()
    assert http_app.requester_from(hostile) == "<default>"
    assert time.monotonic() - started < ANSWER_WITHIN
    assert http_app.requester_from("AWS4-HMAC-SHA256 xCredential=X, Credential=AKIAREAL/2026") == "AKIAREAL"


# -- connection floods ----------------------------------------------------------------------------------


def test_a_flood_of_idle_and_stalled_connections_never_keeps_a_client_out():
    with serving() as server:  # 64 connections at most
        writer = Writer(server)
        flood = []
        try:
            for index in range(3 * FAST.connections):
                sock = connect(server)
                if index % 2:
                    sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # stalled mid-headers
                flood.append(sock)
            for _ in range(5):
                writer.write()
        finally:
            for sock in flood:
                sock.close()
        writer.assert_nothing_lost()


def test_a_client_queued_behind_a_flood_larger_than_the_limit_is_answered_at_once():
    """300 connections wait in the backlog of a server that keeps 8 open, half silent, half stalled mid-headers
    (as when file descriptors run out): the client behind them is reached at accept speed."""
    with serving(replace(FAST, connections=8)) as server:
        writer = Writer(server)
        flood = []
        try:
            for index in range(300):
                sock = connect(server)
                if index % 2:
                    sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
                flood.append(sock)
            writer.write()  # within ANSWER_WITHIN, or the call times out
        finally:
            for sock in flood:
                sock.close()
        writer.assert_nothing_lost()


def test_a_flood_of_churning_connections_for_two_seconds():
    """4 attackers open about 1,000 connections a second for 2 s, each keeping its 32 newest open (twice the
    server's connection limit in all), some sending part of a request, closing or resetting the oldest."""
    with serving() as server:
        writer = Writer(server)
        deadline = time.monotonic() + 2.0
        opened = [0]

        def churn(number: int) -> None:
            held: list[socket.socket] = []
            try:
                while time.monotonic() < deadline:
                    time.sleep(0.004)
                    with contextlib.suppress(OSError):
                        sock = connect(server, timeout=1.0)
                        opened[0] += 1
                        if opened[0] % 3 == 0:
                            sock.sendall(b"POST / HTTP/1.1\r\nContent-Length: 50\r\n\r\n{")
                        held.append(sock)
                    if len(held) > 32:
                        oldest = held.pop(0)
                        reset(oldest) if number % 2 else oldest.close()
            finally:
                for sock in held:
                    sock.close()

        attackers = [threading.Thread(target=churn, args=(number,), daemon=True) for number in range(4)]
        for thread in attackers:
            thread.start()
        while time.monotonic() < deadline:
            writer.write()
        for thread in attackers:
            thread.join(5)
        assert opened[0] > 500 and len(writer.acknowledged) > 3
        writer.assert_nothing_lost()


def test_a_burst_of_256_connections_is_queued_not_reset():
    """All at once: each connects without waiting for a retransmitted SYN (which a full backlog costs, a
    second at least) and is answered."""

    async def one(port: int) -> tuple[float, int]:
        started = time.monotonic()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        connected = time.monotonic() - started
        try:
            writer.write(request_bytes("GetAccountBalance", Connection="close"))
            return connected, int((await reader.read()).split(b" ", 2)[1])
        finally:
            writer.close()

    async def burst(port: int) -> list[tuple[float, int]]:
        return await asyncio.wait_for(asyncio.gather(*(one(port) for _ in range(256))), 30)

    with serving(Limits()) as server:
        answers = asyncio.run(burst(server.port))
    assert [status for _, status in answers] == [200] * 256
    assert max(connected for connected, _ in answers) < ANSWER_WITHIN


# -- requests cut mid-way -------------------------------------------------------------------------------


def test_requests_cut_mid_way_lose_no_acknowledged_write():
    write = request_bytes(
        "CreateQualificationType", {"Name": "cut", "Description": "d", "QualificationTypeStatus": "Active"}
    )
    cuts = [write[:10], write[: write.index(b"\r\n\r\n")], write[:-5], write]
    with serving() as server:
        writer = Writer(server)
        threads_before = threading.active_count()
        for round_number in range(25):
            for cut in cuts:
                sock = connect(server)
                sock.sendall(cut)
                reset(sock) if round_number % 2 else sock.close()
            writer.write()
        assert threading.active_count() <= threads_before + 1
        writer.assert_nothing_lost()


# -- stopping under load --------------------------------------------------------------------------------


def test_stop_answers_the_request_in_flight_refuses_partial_ones_and_loses_no_write(monkeypatch):
    """The request in flight waits for the model, which this test holds (as a handle's user may) while the
    server stops."""
    entered = threading.Event()
    original = http_app.handle_request

    def entering(*args):
        entered.set()
        return original(*args)

    monkeypatch.setattr(http_app, "handle_request", entering)
    handle = MTurkMock()
    server = MTurkServer(handle, port=0, limits=FAST).start()
    writer = Writer(server)
    writer.write()
    entered.clear()
    in_flight, partial, idle = connect(server), connect(server), connect(server)
    held = True
    handle.world.lock.acquire()
    try:
        partial.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
        in_flight.sendall(request_bytes("GetAccountBalance"))
        assert entered.wait(5)
        time.sleep(0.2)  # the I/O thread has read the partial request and accepted the idle connection
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        time.sleep(0.3)
        assert stopper.is_alive()  # waiting for the answer in flight
        with pytest.raises(OSError):
            connect(server, timeout=1).close()  # no longer accepting
        assert status_and_type(read_all(partial)) == (503, "ServiceUnavailable")
        assert read_all(idle) == b""  # idle: closed without a word
        handle.world.lock.release()
        held = False
        answer = read_all(in_flight)
        assert answer.startswith(b"HTTP/1.1 200") and b"\r\nConnection: close\r\n" in answer
        stopper.join(5)
        assert not stopper.is_alive()
    finally:
        if held:
            handle.world.lock.release()
        for sock in (in_flight, partial, idle):
            sock.close()
        server.stop()
    writer.assert_nothing_lost(handle)


def load_until_refused(writers: list[Writer]) -> tuple[list[threading.Thread], list[BaseException]]:
    """Each writer writes until the server refuses it (refused, reset, closed or 503: never acknowledged)."""
    failures: list[BaseException] = []

    def work(writer: Writer) -> None:
        while True:
            try:
                writer.write()
            except (OSError, http.client.HTTPException, Refused) as exc:  # never acknowledged
                failures.append(exc)
                return

    threads = [threading.Thread(target=work, args=(writer,), daemon=True) for writer in writers]
    for thread in threads:
        thread.start()
    return threads, failures


def refused_by_stopping(failure: BaseException) -> bool:
    return not isinstance(failure, Refused) or failure.args[0] == 503


def test_stop_under_load_loses_no_acknowledged_write():
    handle = MTurkMock()
    server = MTurkServer(handle, port=0).start()
    writers = [Writer(server, timeout=5) for _ in range(8)]
    threads, failures = load_until_refused(writers)
    time.sleep(0.5)
    server.stop()
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive()
    assert len(failures) == len(writers) and all(refused_by_stopping(failure) for failure in failures)
    assert all(writer.acknowledged for writer in writers)
    for writer in writers:
        writer.assert_nothing_lost(handle)


@dataclass
class Endpoint:
    host: str
    port: int


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_under_load_saves_every_acknowledged_write(tmp_path):
    state = tmp_path / "state.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "mturk_mock", "serve", "--port", "0", "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = read_line(process, 30).split()[3]
        endpoint = Endpoint("127.0.0.1", int(url.rsplit(":", 1)[1]))
        writers = [Writer(endpoint, timeout=5) for _ in range(4)]  # type: ignore[arg-type]
        threads, failures = load_until_refused(writers)
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        for thread in threads:
            thread.join(5)
            assert not thread.is_alive()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close(), process.stderr.close()
    assert len(failures) == len(writers) and all(refused_by_stopping(failure) for failure in failures)
    assert all(writer.acknowledged for writer in writers)
    restored = MTurkMock()
    restored.load_state(state)
    for writer in writers:
        writer.assert_nothing_lost(restored)

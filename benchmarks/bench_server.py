"""Load on `mturk-mock serve` beside moto's server, from 1 to 256 concurrent clients.

    python3 benchmarks/bench_server.py [--levels 1,8,64,256] [--seconds 2] [--kinds raw,boto3]
                                       [--rounds N] [--baseline DIR] [--mturk-source DIR] [--no-moto]

Each server runs in its own process on 127.0.0.1 (a free port) and the clients run in this one, so
nothing leaves the loopback interface. mturk_mock answers GetAccountBalance, moto's server answers
DynamoDB ListTables: both speak the AWS JSON protocol and answer a small body without state to search.
For every concurrency level and client kind the servers are loaded in turn for a fixed time:

- raw: keep-alive HTTP/1.1 connections driven by one asyncio loop, each sending its next request as
  soon as the previous answer is complete (what an SDK's connection pool does, without its cost);
- boto3: threads sharing one boto3 client (a pool of as many connections), signed requests.

Prints requests per second, p50 and p99 latency (ms) and failed requests, and mturk_mock's throughput
as a multiple of moto's. ``--baseline DIR`` also serves mturk_mock from another checkout (e.g. main) in the
same run, for a before/after comparison on equal terms; ``--mturk-source DIR`` replaces the installed one.
It is not a pass/fail test: every run stops by itself after its fixed time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"
WARM_UP = 0.3  # seconds of load before measuring, so connections are open and caches warm
START_TIMEOUT = 60.0
MTURK_TARGET = "MTurkRequesterServiceV20170117.GetAccountBalance"
MOTO_TARGET = "DynamoDB_20120810.ListTables"


@dataclass
class Target:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    request: bytes  # one raw request, sent as is on a keep-alive connection
    call: Callable[[object], object]  # one boto3 call on a client made by `client`
    client: Callable[[int], object]


@dataclass
class Cell:
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    seconds: float = 0.0

    def row(self) -> tuple[float, float, float, int]:
        if not self.latencies:
            return 0.0, float("nan"), float("nan"), self.failures
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return len(ordered) / self.seconds, statistics.median(ordered) * 1e3, p99 * 1e3, self.failures


def _raw_request(target: str, content_type: str) -> bytes:
    return (
        f"POST / HTTP/1.1\r\nHost: {HOST}\r\nX-Amz-Target: {target}\r\nContent-Type: {content_type}\r\n"
        "Content-Length: 2\r\n\r\n{}"
    ).encode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(port: int, request: bytes, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=5) as sock:
                sock.sendall(request)
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no server answered on port {port} within {START_TIMEOUT} s")


def _boto3_client(service: str, port: int, pool: int) -> object:
    import boto3
    from botocore.config import Config

    config = Config(max_pool_connections=max(pool, 1), retries={"total_max_attempts": 1, "mode": "standard"})
    return boto3.session.Session().client(
        service,
        region_name="us-east-1",
        endpoint_url=f"http://{HOST}:{port}",
        aws_access_key_id="AKIABENCHMARK",
        aws_secret_access_key="x",
        config=config,
    )


def start_mturk(source: str | None, name: str = "mturk_mock") -> Target:
    env = dict(os.environ)
    if source:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [sys.executable, "-m", "mturk_mock", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    found = re.search(r"http://[^:]+:(\d+)", line)
    if found is None:
        process.kill()
        raise RuntimeError(f"mturk-mock serve did not say where it listens: {line!r}")
    port = int(found.group(1))
    request = _raw_request(MTURK_TARGET, "application/x-amz-json-1.1")
    _wait_until_serving(port, request, process)
    return Target(
        name,
        port,
        process,
        request,
        lambda client: client.get_account_balance(),  # type: ignore[attr-defined]
        lambda pool: _boto3_client("mturk", port, pool),
    )


def start_moto() -> Target:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    request = _raw_request(MOTO_TARGET, "application/x-amz-json-1.0")
    try:
        _wait_until_serving(port, request, process)
    except BaseException:
        process.kill()
        raise
    return Target(
        "moto",
        port,
        process,
        request,
        lambda client: client.list_tables(),  # type: ignore[attr-defined]
        lambda pool: _boto3_client("dynamodb", port, pool),
    )


# -- raw keep-alive HTTP ----------------------------------------------------------------------------


class _Connection(asyncio.Protocol):
    """Sends a request, reads the whole answer (Content-Length framing), sends the next, until the deadline."""

    def __init__(self, request: bytes, run: _RawRun) -> None:
        self.request, self.run = request, run
        self.buffer = b""
        self.sent_at = 0.0
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.sent_at = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end].lower()
        found = re.search(rb"\r\ncontent-length:\s*(\d+)", head)
        length = int(found.group(1)) if found else 0
        if len(self.buffer) < end + 4 + length:
            return
        now = time.perf_counter()
        self.buffer = self.buffer[end + 4 + length :]
        self.run.record(head.startswith(b"http/1.1 200"), now - self.sent_at, now)
        assert self.transport is not None
        if now >= self.run.deadline or b"\r\nconnection: close" in head:
            self.transport.close()
        else:
            self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


class _RawRun:
    def __init__(self, measure_from: float, deadline: float) -> None:
        self.measure_from, self.deadline = measure_from, deadline
        self.cell = Cell()

    def record(self, ok: bool, latency: float, now: float) -> None:
        if now < self.measure_from:
            return
        if ok:
            self.cell.latencies.append(latency)
        else:
            self.cell.failures += 1


async def _raw_client(port: int, request: bytes, run: _RawRun) -> None:
    loop = asyncio.get_running_loop()
    while time.perf_counter() < run.deadline:
        try:
            _, connection = await loop.create_connection(lambda: _Connection(request, run), HOST, port)
            await connection.closed
        except OSError:
            run.cell.failures += 1
            await asyncio.sleep(0.01)


async def _raw_load(port: int, request: bytes, concurrency: int, seconds: float) -> Cell:
    start = time.perf_counter()
    run = _RawRun(start + WARM_UP, start + WARM_UP + seconds)
    await asyncio.gather(*(_raw_client(port, request, run) for _ in range(concurrency)))
    run.cell.seconds = seconds
    return run.cell


def raw_load(target: Target, concurrency: int, seconds: float) -> Cell:
    return asyncio.run(_raw_load(target.port, target.request, concurrency, seconds))


# -- boto3 ------------------------------------------------------------------------------------------


def boto3_load(target: Target, concurrency: int, seconds: float) -> Cell:
    client = target.client(concurrency)
    cell = Cell(seconds=seconds)
    lock = threading.Lock()
    start = time.perf_counter()
    measure_from, deadline = start + WARM_UP, start + WARM_UP + seconds

    def work() -> None:
        latencies, failures = [], 0
        while (now := time.perf_counter()) < deadline:
            try:
                target.call(client)
            except Exception:
                failures += 1
                continue
            done = time.perf_counter()
            if now >= measure_from:
                latencies.append(done - now)
        with lock:
            cell.latencies.extend(latencies)
            cell.failures += failures

    threads = [threading.Thread(target=work, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return cell


LOADS = {"raw": raw_load, "boto3": boto3_load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,8,64,256", help="concurrent clients, comma-separated")
    parser.add_argument("--seconds", type=float, default=2.0, help="measured seconds per server and level")
    parser.add_argument("--kinds", default="raw,boto3", help="client kinds: raw, boto3")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per cell, interleaved; the median is shown")
    parser.add_argument("--mturk-source", help="serve mturk_mock from this checkout instead of the installed one")
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        help="also serve mturk_mock from this checkout (e.g. main); repeatable",
    )
    parser.add_argument("--no-moto", action="store_true", help="load mturk_mock alone")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    kinds = args.kinds.split(",")
    targets = [start_mturk(args.mturk_source)]
    try:
        for number, source in enumerate(args.baseline, 1):
            targets.append(start_mturk(source, "baseline" if len(args.baseline) == 1 else f"baseline {number}"))
        if not args.no_moto:
            try:
                targets.append(start_moto())
            except (RuntimeError, OSError) as exc:
                print(f"moto's server is not available ({exc}); install moto[server] to compare", file=sys.stderr)
        header = f"{'client':<6} {'conc':>5}"
        for target in targets:
            header += f" | {target.name + ' req/s':>16} {'p50 ms':>7} {'p99 ms':>7} {'fail':>5}"
        moto = len(targets) - 1 if targets[-1].name == "moto" else None
        print(header + (" | vs moto" if moto else ""), flush=True)
        for kind in kinds:
            for level in levels:
                rounds: list[list[tuple[float, float, float, int]]] = [[] for _ in targets]
                for _ in range(args.rounds):  # interleaved, so that a noisy moment hits every server alike
                    for index, target in enumerate(targets):
                        rounds[index].append(LOADS[kind](target, level, args.seconds).row())
                rates = []
                line = f"{kind:<6} {level:>5}"
                for measured in rounds:
                    rate, p50, p99, failures = sorted(measured)[len(measured) // 2]
                    rates.append(rate)
                    line += f" | {rate:>16,.0f} {p50:>7.2f} {p99:>7.2f} {failures:>5}"
                if moto:
                    line += f" | {rates[0] / rates[moto]:6.1f}x" if rates[moto] else " |      -"
                print(line, flush=True)
    finally:
        for target in targets:
            target.process.terminate()
            try:
                target.process.wait(10)
            except subprocess.TimeoutExpired:
                target.process.kill()
                target.process.wait()


if __name__ == "__main__":
    main()

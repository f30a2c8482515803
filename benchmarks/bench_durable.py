"""What durability costs: `mturk-mock serve` in memory against `serve --state` (sync full and normal).

    python3 benchmarks/bench_durable.py [--clients 8] [--seconds 2] [--rounds 3] [--no-startup]
                                        [--no-throughput] [--grants 1000000] [--hits 100000]

Throughput: each server runs in its own process on 127.0.0.1; keep-alive HTTP/1.1 connections (as in
bench_server.py) send writes (AssociateQualificationWithWorker, a new worker each time: every request
adds a grant) and reads (GetQualificationScore of one grant), then threads sharing one boto3 client send
the same writes; rounds interleaved across the servers; the median round is shown, with the durable
servers' throughput as a share of the in-memory one's.

Start-up (bench_startup.py): a state of ``--grants`` grants and ``--hits`` HITs is built in this process and
made durable; printed are the checkpoint's size and how long taking one holds the server's lock, and the
time from launching `serve --state` until it answers: after a clean shutdown (everything in the
checkpoint), after a crash that left the longest journal the checkpoint policy allows (half the
checkpoint's size, replayed on start), and on a journal of as many grants and HITs made one request each
with no checkpoint at all. State files go to a temporary directory, removed at the end. Not a pass/fail
test.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from bench_server import HOST, Cell, _boto3_client

TARGET = "MTurkRequesterServiceV20170117."
START_TIMEOUT = 600.0


class Server:
    def __init__(self, name: str, *options: str) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mturk_mock", "serve", "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode()
        found = re.search(r"http://[^:]+:(\d+)", line)
        if found is None:
            self.process.kill()
            raise RuntimeError(f"mturk-mock serve did not say where it listens: {line!r}")
        self.port = int(found.group(1))
        answer = asyncio.run(_call(self.port, "CreateQualificationType", _type_body(name)))
        self.type_id = json.loads(answer)["QualificationType"]["QualificationTypeId"]
        grant = {"QualificationTypeId": self.type_id, "WorkerId": "A0000000000000", "IntegerValue": 1}
        asyncio.run(_call(self.port, "AssociateQualificationWithWorker", json.dumps(grant).encode()))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _type_body(name: str) -> bytes:
    return json.dumps({"Name": f"bench {name}", "Description": "d", "QualificationTypeStatus": "Active"}).encode()


def _request(operation: str, body: bytes) -> bytes:
    head = (
        f"POST / HTTP/1.1\r\nHost: {HOST}\r\nX-Amz-Target: {TARGET}{operation}\r\n"
        f"Content-Type: application/x-amz-json-1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIABENCHMARK/x\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _call(port: int, operation: str, body: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(_request(operation, body))
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
    answer = await reader.readexactly(length)
    writer.close()
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"{operation} failed: {answer!r}")
    return answer


async def _client(port: int, make: object, cell: Cell, measure_from: float, deadline: float) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    assert callable(make)
    while (sent := time.perf_counter()) < deadline:
        writer.write(make())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
        await reader.readexactly(length)
        done = time.perf_counter()
        if sent >= measure_from:
            if head.startswith(b"HTTP/1.1 200"):
                cell.latencies.append(done - sent)
            else:
                cell.failures += 1
    writer.close()


def load(server: Server, kind: str, clients: int, seconds: float, start: int) -> Cell:
    counter = iter(range(start, start + 10_000_000))
    read = _request(
        "GetQualificationScore",
        json.dumps({"QualificationTypeId": server.type_id, "WorkerId": "A0000000000000"}).encode(),
    )

    def write() -> bytes:
        worker = f"A{next(counter):013d}"
        body = {"QualificationTypeId": server.type_id, "WorkerId": worker, "IntegerValue": 7, "SendNotification": False}
        return _request("AssociateQualificationWithWorker", json.dumps(body).encode())

    make = write if kind == "write" else (lambda: read)
    cell = Cell(seconds=seconds)
    begin = time.perf_counter()

    async def run() -> None:
        await asyncio.gather(
            *(_client(server.port, make, cell, begin + 0.3, begin + 0.3 + seconds) for _ in range(clients))
        )

    asyncio.run(run())
    return cell


def boto3_writes(server: Server, clients: int, seconds: float, start: int) -> Cell:
    """The same writes from threads sharing one boto3 client, as an application would send them."""
    client: Any = _boto3_client("mturk", server.port, clients)
    counter = itertools.count(start)
    cell, lock = Cell(seconds=seconds), threading.Lock()
    begin = time.perf_counter()
    measure_from, deadline = begin + 0.3, begin + 0.3 + seconds

    def work() -> None:
        latencies, failures = [], 0
        while (sent := time.perf_counter()) < deadline:
            try:
                client.associate_qualification_with_worker(
                    QualificationTypeId=server.type_id, WorkerId=f"A{next(counter):013d}", IntegerValue=7,
                    SendNotification=False,
                )  # fmt: skip
            except Exception:
                failures += 1
                continue
            if sent >= measure_from:
                latencies.append(time.perf_counter() - sent)
        with lock:
            cell.latencies.extend(latencies)
            cell.failures += failures

    threads = [threading.Thread(target=work, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return cell


def throughput(args: argparse.Namespace, directory: str) -> None:
    servers = [
        Server("in memory"),
        Server("durable, sync full", "--state", os.path.join(directory, "full.db")),
        Server("durable, sync normal", "--state", os.path.join(directory, "normal.db"), "--sync", "normal"),
    ]
    try:
        print(f"{args.clients} concurrent clients, {args.seconds:g} s per cell, median of {args.rounds} rounds")
        print(f"{'load':<12} {'server':<22} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'fail':>5} {'share':>6}")
        start = 1
        for kind in ("write", "read", "boto3 write"):
            rows: list[list[tuple[float, float, float, int]]] = [[] for _ in servers]
            for _ in range(args.rounds):
                for index, server in enumerate(servers):
                    if kind == "boto3 write":
                        cell = boto3_writes(server, args.clients, args.seconds, start)
                    else:
                        cell = load(server, kind, args.clients, args.seconds, start)
                    rows[index].append(cell.row())
                    start += 10_000_000
            base = statistics.median(row[0] for row in rows[0])
            for server, measured in zip(servers, rows, strict=True):
                rate, p50, p99, failures = sorted(measured)[len(measured) // 2]
                print(
                    f"{kind:<12} {server.name:<22} {rate:>8,.0f} {p50:>7.2f} {p99:>7.2f} {failures:>5} "
                    f"{rate / base:>6.0%}",
                    flush=True,
                )
    finally:
        for server in servers:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--grants", type=int, default=1_000_000)
    parser.add_argument("--hits", type=int, default=100_000)
    parser.add_argument("--no-startup", action="store_true", help="measure throughput only")
    parser.add_argument("--no-throughput", action="store_true", help="measure start-up only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mturk-mock-bench-") as directory:
        if not args.no_throughput:
            throughput(args, directory)
        if not args.no_startup:
            from bench_startup import journal_only, startup

            startup(args.grants, args.hits, directory)
            journal_only(args.grants, args.hits, directory)


if __name__ == "__main__":
    main()

"""Per-call cost of an aiobotocore client through the mock against aiobotocore's Stubber answering the same
operation, the async twin of bench_foundation.py (same scenarios, same method). Prints figures; it is not a
pass/fail test.

    python3 benchmarks/bench_async.py [--calls N] [--rounds R] [--only Operation ...]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import botocore
from aiobotocore.session import get_session
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenarios import SCENARIOS, Scenario

from mturk_mock import MTurkMock, World
from mturk_mock.constants import ENDPOINTS
from mturk_mock.pytest_plugin import make_client

try:
    from aiobotocore.stub import AioStubber as Stubber
except ImportError:  # older aiobotocore
    from botocore.stub import Stubber


async def _timed_calls(method: Callable[..., Awaitable[object]], arguments: list[dict[str, Any]]) -> float:
    start = time.process_time()  # CPU time, as bench_foundation's
    for kwargs in arguments:
        await method(**kwargs)
    return (time.process_time() - start) / len(arguments) * 1e6


async def bench_operation(client: Any, scenario: Scenario, calls: int, rounds: int) -> tuple[float, float]:
    mock = MTurkMock(state=World())  # shared state: every activation of the rounds sees what prepare made
    with mock:
        state = scenario.prepare(make_client(), mock, 2 * rounds * calls + 2)  # a boto3 client prepares
        sample = scenario.call(make_client(), state, 0)
    sample.pop("ResponseMetadata")
    method = getattr(client, scenario.method)
    counter = itertools.count(1)
    stubber = Stubber(client)
    stub_times, mock_times = [], []
    for _ in range(rounds):
        for _ in range(calls):
            stubber.add_response(scenario.method, sample)
        arguments = [scenario.arguments(state, next(counter)) for _ in range(calls)]
        with stubber:
            stub_times.append(await _timed_calls(method, arguments))
        arguments = [scenario.arguments(state, next(counter)) for _ in range(calls)]
        with mock:
            mock_times.append(await _timed_calls(method, arguments))
    return statistics.median(stub_times), statistics.median(mock_times)


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="operations to measure (default: every implemented one)")
    args = parser.parse_args()
    print(f"aiobotocore, per call, median of {args.rounds} rounds x {args.calls} calls (microseconds)")
    config = Config(signature_version=botocore.UNSIGNED)
    options = {"region_name": "us-east-1", "endpoint_url": ENDPOINTS["sandbox"], "config": config}
    worst = 0.0
    async with get_session().create_client("mturk", **options) as client:
        for scenario in SCENARIOS:
            if args.only and scenario.operation not in args.only:
                continue
            stub, mock = await bench_operation(client, scenario, args.calls, args.rounds)
            worst = max(worst, mock / stub)
            print(f"  {scenario.label:<44} AioStubber {stub:7.1f}   mturk_mock {mock:7.1f}   ratio {mock / stub:5.2f}")
    print(f"worst ratio {worst:.2f}")


if __name__ == "__main__":
    asyncio.run(main())

"""Per-call cost of an aiobotocore client through the mock against aiobotocore's Stubber answering the same
operation, the async twin of bench_foundation.py. Prints figures; it is not a pass/fail test.

    python3 benchmarks/bench_async.py [--calls N] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import botocore
from aiobotocore.session import get_session
from bench_foundation import OPERATIONS, SANDBOX, _world
from botocore.config import Config

from mturk_mock import mock_mturk

try:
    from aiobotocore.stub import AioStubber as Stubber
except ImportError:  # older aiobotocore
    from botocore.stub import Stubber


async def _per_call(call, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - start) / calls * 1e6


async def bench_operation(name: str, calls: int, rounds: int) -> tuple[float, float]:
    method, kwargs, stub_reply = OPERATIONS[name]
    session = get_session()
    config = Config(signature_version=botocore.UNSIGNED)
    options = {"region_name": "us-east-1", "endpoint_url": SANDBOX, "config": config}
    async with (
        session.create_client("mturk", **options) as stubbed,
        session.create_client("mturk", **options) as mocked,
    ):
        stubber = Stubber(stubbed)
        stubber.activate()
        world = _world()
        stub_times, mock_times = [], []
        for _ in range(rounds):
            for _ in range(calls):
                stubber.add_response(method, dict(stub_reply), dict(kwargs) or None)
            stub_times.append(await _per_call(lambda: getattr(stubbed, method)(**kwargs), calls))
            with mock_mturk(state=world, record_calls=False):
                mock_times.append(await _per_call(lambda: getattr(mocked, method)(**kwargs), calls))
    return statistics.median(stub_times), statistics.median(mock_times)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"aiobotocore, per call, median of {args.rounds} rounds x {args.calls} calls (microseconds)")
    for name in OPERATIONS:
        stub, mock = await bench_operation(name, args.calls, args.rounds)
        print(f"  {name:<28} AioStubber {stub:7.1f}   mturk_mock {mock:7.1f}   ratio {mock / stub:5.2f}")


if __name__ == "__main__":
    asyncio.run(main())

"""Per-call cost through the mock against botocore's Stubber answering the same operation, and the
cost of activate + deactivate. Prints figures; it is not a pass/fail test.

    python3 benchmarks/bench_foundation.py [--calls N] [--rounds R]

Both sides run interleaved in one process, round after round, and the median round is reported,
so that a noisy machine moves both figures alike.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time

import boto3
import botocore
from botocore.config import Config
from botocore.stub import Stubber

from mturk_mock import World, mock_mturk_qual

SANDBOX = "https://mturk-requester-sandbox.us-east-1.amazonaws.com"
TYPE_ID = "3SAMPLETYPE0000000000000000000"
QUALIFICATION_TYPE = {
    "QualificationTypeId": TYPE_ID,
    "CreationTime": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
    "Name": "bench",
    "Description": "d",
    "QualificationTypeStatus": "Active",
    "IsRequestable": True,
    "AutoGranted": False,
}
OPERATIONS = {
    "GetAccountBalance": ("get_account_balance", {}, {"AvailableBalance": "10000.00"}),
    "GetQualificationType": (
        "get_qualification_type",
        {"QualificationTypeId": TYPE_ID},
        {"QualificationType": QUALIFICATION_TYPE},
    ),
}


def _world() -> World:
    """A marketplace holding the qualification type the benchmark reads."""
    world = World()
    world.marketplace("sandbox").qualification_types.create(
        TYPE_ID, "<default>", 1_767_225_600.0, name="bench", description="d", status="Active"
    )
    return world


def _client(session):
    return session.client(
        "mturk", region_name="us-east-1", endpoint_url=SANDBOX, config=Config(signature_version=botocore.UNSIGNED)
    )


def _per_call(function, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls * 1e6


def bench_operation(name: str, calls: int, rounds: int) -> tuple[float, float]:
    method, kwargs, stub_reply = OPERATIONS[name]
    session = boto3.session.Session()
    stubbed, mocked = _client(session), _client(session)
    stubber = Stubber(stubbed)
    stubber.activate()
    world = _world()
    stub_times, mock_times = [], []
    for _ in range(rounds):
        for _ in range(calls):
            stubber.add_response(method, dict(stub_reply), dict(kwargs) or None)
        # No mock is active while the Stubber runs, so it pays nothing for the mock's existence.
        stub_times.append(_per_call(lambda: getattr(stubbed, method)(**kwargs), calls))
        with mock_mturk_qual(state=world, record_calls=False):
            mock_times.append(_per_call(lambda: getattr(mocked, method)(**kwargs), calls))
    return statistics.median(stub_times), statistics.median(mock_times)


def bench_activation(cycles: int, rounds: int) -> float:
    def cycle():
        mock = mock_mturk_qual()
        mock.start()
        mock.stop()

    return statistics.median(_per_call(cycle, cycles) for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"per call, median of {args.rounds} rounds x {args.calls} calls (microseconds)")
    for name in OPERATIONS:
        stub, mock = bench_operation(name, args.calls, args.rounds)
        print(f"  {name:<28} Stubber {stub:7.1f}   mturk_mock {mock:7.1f}   ratio {mock / stub:5.2f} (target <= 1.10)")
    activation = bench_activation(args.calls, args.rounds)
    print(f"activate + deactivate: {activation:.1f} us (target <= 60)")


if __name__ == "__main__":
    main()

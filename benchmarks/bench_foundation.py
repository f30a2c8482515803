"""Per-call cost of every implemented operation through the mock, against botocore's Stubber answering
the same operation with the same response content on the same client, and the cost of activate +
deactivate. Prints figures; it is not a pass/fail test.

    python3 benchmarks/bench_foundation.py [--calls N] [--rounds R] [--only Operation ...]

For each operation the mock answers one call first; its parsed answer (without ResponseMetadata) is what
the Stubber returns. Then both run interleaved, round after round, on one client (the Stubber is active
only during its rounds, the mock only during its own), and the median round is reported, so that a noisy
machine moves both figures alike. Rounds are timed in the process's CPU time. The mock runs with its
defaults (call log on). Operations that create state (CreateQualificationType...) get a fresh argument on
every call, on both sides.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore
from botocore.stub import Stubber

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scenarios import SCENARIOS, Scenario

from mturk_mock import MTurkMock, World, mock_mturk
from mturk_mock.pytest_plugin import make_client

TARGET = 1.10


def timed(call: Callable[[], object], calls: int) -> float:
    """Microseconds per call of ``call``, over ``calls`` calls, in CPU time of this process: the calls do no
    I/O, and other work on the machine (a shared VM's neighbours) moves CPU time less than the wall clock."""
    start = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - start) / calls * 1e6


def _timed_calls(method: Callable[..., object], arguments: list[dict[str, Any]]) -> float:
    start = time.process_time()
    for kwargs in arguments:
        method(**kwargs)
    return (time.process_time() - start) / len(arguments) * 1e6


def bench_operation(scenario: Scenario, calls: int, rounds: int) -> tuple[float, float]:
    client = make_client()
    mock = MTurkMock(state=World())  # shared state: every activation of the rounds sees what prepare made
    with mock:
        state = scenario.prepare(client, mock, 2 * rounds * calls + 2)
        sample = scenario.call(client, state, 0)
    sample.pop("ResponseMetadata")
    method = getattr(client, botocore.xform_name(scenario.operation))
    counter = itertools.count(1)
    stubber = Stubber(client)
    stub_times, mock_times = [], []
    for _ in range(rounds):
        for _ in range(calls):
            stubber.add_response(scenario.method, sample)
        arguments = [scenario.arguments(state, next(counter)) for _ in range(calls)]
        with stubber:
            stub_times.append(_timed_calls(method, arguments))
        arguments = [scenario.arguments(state, next(counter)) for _ in range(calls)]
        with mock:
            mock_times.append(_timed_calls(method, arguments))
    return statistics.median(stub_times), statistics.median(mock_times)


def bench_activation(cycles: int, rounds: int) -> float:
    def cycle() -> None:
        mock = mock_mturk()
        mock.start()
        mock.stop()

    return statistics.median(timed(cycle, cycles) for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="operations to measure (default: every implemented one)")
    args = parser.parse_args()
    print(f"per call, median of {args.rounds} rounds x {args.calls} calls (microseconds); target ratio <= {TARGET}")
    worst = 0.0
    for scenario in SCENARIOS:
        if args.only and scenario.operation not in args.only:
            continue
        stub, mock = bench_operation(scenario, args.calls, args.rounds)
        worst = max(worst, mock / stub)
        print(f"  {scenario.label:<44} Stubber {stub:7.1f}   mturk_mock {mock:7.1f}   ratio {mock / stub:5.2f}")
    print(f"worst ratio {worst:.2f} (target <= {TARGET})")
    activation = bench_activation(args.calls, args.rounds)
    print(f"activate + deactivate: {activation:.1f} us (target <= 60)")


if __name__ == "__main__":
    main()

"""Scale: 1,000,000 qualification grants over 100,000 workers and 100 types.

    python3 benchmarks/bench_scale.py [--workers 100000] [--types 100] [--per-worker 10]

Prints the time to build the state through the handle's bulk API, the memory per stored grant,
and the per-call cost of AssociateQualificationWithWorker, GetQualificationScore and a
ListWorkersWithQualificationType page deep in the list, each as a ratio to the same call on an
empty mock (both mocks measured interleaved in one process, median of several rounds).
Targets: per-call ratio <= 1.2, deep page <= 1.5x the first page, <= 400 bytes per grant.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

from mturk_mock import MTurkMock, World
from mturk_mock.pytest_plugin import make_client


def _types(client, count: int) -> list[str]:
    return [
        client.create_qualification_type(Name=f"type {index}", Description="scale", QualificationTypeStatus="Active")[
            "QualificationType"
        ]["QualificationTypeId"]
        for index in range(count)
    ]


def _rss_bytes() -> int:
    """Resident memory of this process (Linux), allocator overhead included."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def build(mock: MTurkMock, client, workers: int, types: int, per_worker: int) -> tuple[list[str], float, int]:
    """Returns type IDs, seconds to build the grants, and the resident memory they added."""
    with mock:
        type_ids = _types(client, types)
    gc.collect()
    before = _rss_bytes()
    start = time.perf_counter()
    worker_ids = [f"A{index:013d}" for index in range(workers)]
    for offset, type_id in enumerate(type_ids):
        # worker w holds types w, w+1, ..., w+per_worker-1 (mod types): each type gets workers*per_worker/types
        holders = (worker_ids[w] for k in range(per_worker) for w in range((offset - k) % types, workers, types))
        mock.grant_qualifications(type_id, ((worker, 1 + index % 100) for index, worker in enumerate(holders)))
    seconds = time.perf_counter() - start
    gc.collect()
    return type_ids, seconds, _rss_bytes() - before


def _per_call_us(function, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--types", type=int, default=100)
    parser.add_argument("--per-worker", type=int, default=10)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    # Shared worlds, so that each `with` re-activation keeps the state built before it.
    big, small = MTurkMock(state=World(), record_calls=False), MTurkMock(state=World(), record_calls=False)
    client = make_client()
    type_ids, seconds, resident = build(big, client, args.workers, args.types, args.per_worker)
    grants = args.workers * args.per_worker
    print(
        f"built {grants:,} grants over {args.workers:,} workers and {args.types} types "
        f"with grant_qualifications in {seconds:.1f} s ({grants / seconds:,.0f} grants/s)"
    )
    print(
        f"memory: {resident / grants:.0f} bytes per grant (resident memory added by the build, worker IDs "
        f"included; target <= 400)"
    )

    with small:  # just enough state for the same calls: one type, one page of 100 grants
        small_type = _types(client, 1)[0]
    small.grant_qualifications(small_type, {f"A{index:013d}": 1 for index in range(150)})
    big_type = type_ids[len(type_ids) // 2]
    granted = big.world.marketplace("sandbox").grants.listing(big_type, "Granted")
    roster_size = len(granted)
    holder = list(granted.values())[-1].worker_id  # the last one granted
    with big:
        deep_token = _token_at(client, big_type, roster_size - 200)

    def associate(type_id, worker):
        client.associate_qualification_with_worker(
            QualificationTypeId=type_id, WorkerId=worker, IntegerValue=5, SendNotification=False
        )

    def score(type_id, worker):
        client.get_qualification_score(QualificationTypeId=type_id, WorkerId=worker)

    def page(type_id, token=None):
        client.list_workers_with_qualification_type(
            QualificationTypeId=type_id, MaxResults=100, **({"NextToken": token} if token else {})
        )

    cases = {  # name: (call on the empty mock, call on the large one)
        "AssociateQualificationWithWorker": (
            lambda: associate(small_type, "A0000000000000"),
            lambda: associate(big_type, holder),
        ),
        "GetQualificationScore": (lambda: score(small_type, "A0000000000000"), lambda: score(big_type, holder)),
        "ListWorkersWithQualificationType, 100 items": (lambda: page(small_type), lambda: page(big_type, deep_token)),
        "deep page vs first page, same large mock": (lambda: page(big_type), lambda: page(big_type, deep_token)),
    }
    targets = {"deep page vs first page, same large mock": 1.5}
    timings: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in cases}
    for _ in range(args.rounds):
        for name, (on_small, on_big) in cases.items():
            with big if "same large" in name else small:
                timings[name][0].append(_per_call_us(on_small, args.calls))
            with big:
                timings[name][1].append(_per_call_us(on_big, args.calls))
    print(
        f"per call, median of {args.rounds} rounds x {args.calls} calls (microseconds); the deep page starts "
        f"at position {roster_size - 200:,} of {roster_size:,}:"
    )
    for name, (base, large) in timings.items():
        b, l_ = statistics.median(base), statistics.median(large)
        print(f"  {name:<45} {b:8.1f} -> {l_:8.1f}   ratio {l_ / b:5.2f} (target <= {targets.get(name, 1.2)})")


def _token_at(client, type_id: str, position: int) -> str:
    """A NextToken for the page starting at ``position``, reached through the API with pages of 100."""
    token, seen = None, 0
    while seen < position:
        size = min(100, position - seen)
        reply = client.list_workers_with_qualification_type(
            QualificationTypeId=type_id, MaxResults=size, **({"NextToken": token} if token else {})
        )
        token, seen = reply["NextToken"], seen + reply["NumResults"]
    return token


if __name__ == "__main__":
    main()

"""A crowd at scale: N workers, each accepting and submitting one assignment, in the model alone.

    python3 benchmarks/bench_crowd.py [--workers 10000] [--scale 100000] [--rounds 3]

The HITs are published through the model (no boto3: the figure is the model's own work), then a crowd
of N workers with ``assignments_per_worker=1`` runs until every assignment is submitted. Prints, for
three shapes of the same N assignments (one HIT of N assignments, N/10 HITs of 10, N HITs of 1), the
time to register the crowd and the time of the run, median of several rounds, and the same at
``--scale`` workers to show how it grows. Target: well under a second for 10,000 workers.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from mturk_mock import MTurkMock
from mturk_mock.model.hits import workflow

QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://example.com/task</ExternalURL><FrameHeight>0</FrameHeight>'
    "</ExternalQuestion>"
)
START = 1_800_000_000


def publish(mock: MTurkMock, hits: int, per_hit: int) -> None:
    with mock.world.session("sandbox") as (market, now):
        hit_type = workflow.register_type(
            market, "AKIABENCH", title="Label", description="Say what it is", reward="0.05",
            assignment_duration=3600, auto_approval_delay=None, keywords=None, requirements=None,
        )  # fmt: skip
        for _ in range(hits):
            workflow.create_hit(
                market, "AKIABENCH", now, hit_type, lifetime=86400, max_assignments=per_hit, question=QUESTION,
                layout_id=None, layout_parameters=None, annotation=None, token=None,
            )  # fmt: skip


def one_round(workers: int, hits: int, per_hit: int) -> tuple[float, float]:
    mock = MTurkMock(seed=1, record_calls=False)
    mock.clock.freeze(START)
    publish(mock, hits, per_hit)
    gc.collect()
    started = time.process_time()
    crowd = mock.crowd(workers, seed=2, assignments_per_worker=1, think_time=(30, 600), answers={"label": "cat"})
    registered = time.process_time()
    summary = crowd.run(hours=1)
    ran = time.process_time()
    assert summary.submitted == workers == summary.accepted, summary
    return registered - started, ran - registered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for workers in (args.workers, args.scale):
        print(f"{workers:,} workers, each accepting and submitting one assignment (median of {args.rounds}):")
        for label, hits, per_hit in (
            (f"1 HIT of {workers:,}", 1, workers),
            (f"{workers // 10:,} HITs of 10", workers // 10, 10),
            (f"{workers:,} HITs of 1", workers, 1),
        ):
            timings = [one_round(workers, hits, per_hit) for _ in range(args.rounds)]
            register = statistics.median(t[0] for t in timings)
            run = statistics.median(t[1] for t in timings)
            print(
                f"  {label:<22} register {register:6.3f} s   run {run:6.3f} s   total {register + run:6.3f} s"
                f"   {(register + run) / workers * 1e6:5.1f} us per worker"
            )


if __name__ == "__main__":
    main()

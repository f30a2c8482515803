"""Scale: the cost of HIT operations in a marketplace of 100,000 HITs against an almost empty one, and the
cost of moving the clock over them.

    python3 benchmarks/bench_hits_scale.py [--hits 100000] [--calls 1000] [--rounds 11]

The small mock holds 20 HITs, so that its listings also answer full pages with a token. Both mocks are
measured interleaved in one process, median of the rounds (target: ratio <= 1.2). The
clock part advances a frozen clock by a day over the 100,000 HITs, whose expirations are spread over a
year, and prints the time per HIT that changed: settling costs the transitions due, not the state.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench_foundation import timed

from mturk_mock import MTurkMock, World
from mturk_mock.model.hits import workflow
from mturk_mock.pytest_plugin import make_client

QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://tasks.example.org/x</ExternalURL><FrameHeight>0</FrameHeight>'
    "</ExternalQuestion>"
)
YEAR, DAY = 365 * 86400, 86400
START = 1_800_000_000


def build(hits: int) -> tuple[MTurkMock, list[str], str, float]:
    """A mock with ``hits`` HITs of one type, expiring over a year; the seconds it took to build."""
    mock = MTurkMock(state=World(seed=1))
    mock.clock.freeze(START)
    start = time.perf_counter()
    with mock.world.session("sandbox") as (market, now):
        hit_type = workflow.register_type(
            market,
            "<default>",
            title="Label",
            description="scale",
            reward="0.25",
            assignment_duration=600,
            auto_approval_delay=None,
            keywords=None,
            requirements=None,
        )
        ids = []
        for index in range(hits):
            lifetime = 30 + (index * 7919) % YEAR  # spread over a year, in no order
            hit = workflow.create_hit(
                market,
                "<default>",
                now,
                hit_type,
                lifetime=lifetime,
                max_assignments=1,
                question=QUESTION,
                layout_id=None,
                layout_parameters=None,
                annotation=None,
                token=None,
            )
            ids.append(hit.hit_id)
    return mock, ids, hit_type.type_id, time.perf_counter() - start


def _deep_token(client: Any, position: int) -> str | None:
    """A ListHITs token for a page that starts near ``position``, made by walking big pages there."""
    token = None
    walked = 0
    while walked < position:
        page = client.list_hits(MaxResults=min(100, position - walked), **({"NextToken": token} if token else {}))
        token, walked = page.get("NextToken"), walked + page["NumResults"]
        if token is None:
            break
    return token


def compare(
    calls: int, rounds: int, big: MTurkMock, small: MTurkMock, cases: dict[str, tuple[Any, Any]], size: int
) -> None:
    client = make_client()
    for name, (big_call, small_call) in cases.items():
        big_times, small_times = [], []
        for _ in range(rounds):
            # A full collection walks the 100,000 HITs: one falling inside a round would be timed as that
            # round's calls, on whichever side it fell. Collected before each round, on both sides alike.
            gc.collect()
            with small:
                small_times.append(timed(lambda call=small_call: call(client), calls))
            gc.collect()
            with big:
                big_times.append(timed(lambda call=big_call: call(client), calls))
        big_median, small_median = statistics.median(big_times), statistics.median(small_times)
        print(
            f"  {name:<44} empty {small_median:7.1f} us   {size:,} HITs {big_median:7.1f} us   ratio "
            f"{big_median / small_median:5.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hits", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    big, big_ids, big_type, seconds = build(args.hits)
    print(f"built {args.hits:,} HITs in {seconds:.1f} s ({args.hits / seconds:,.0f} HITs/s)")
    small, small_ids, small_type, _ = build(20)
    client = make_client()
    with big:
        big_token = _deep_token(client, int(args.hits * 0.9))
    with small:
        small_token = _deep_token(client, 10)

    def deep(token: str | None) -> Callable[[Any], object]:
        return lambda c: c.list_hits(MaxResults=10, **({"NextToken": token} if token else {}))

    def create_hit(c: Any) -> object:
        return c.create_hit(
            Title="Label", Description="scale", Reward="0.25", AssignmentDurationInSeconds=600,
            LifetimeInSeconds=DAY, Question=QUESTION,
        )  # fmt: skip

    def extend(hit_id: str) -> Callable[[Any], object]:
        later = itertools.count(START + 200 * DAY, 60)  # each call extends by a minute
        return lambda c: c.update_expiration_for_hit(HITId=hit_id, ExpireAt=next(later))

    print(f"per call, median of {args.rounds} rounds x {args.calls} calls (target ratio <= 1.2)")
    compare(
        args.calls,
        args.rounds,
        big,
        small,
        {
            "GetHIT": (lambda c: c.get_hit(HITId=big_ids[args.hits // 2]), lambda c: c.get_hit(HITId=small_ids[10])),
            "ListHITs, first page of 10": (deep(None), deep(None)),
            "ListHITs, page of 10 with a token": (deep(big_token), deep(small_token)),
            "CreateHIT": (create_hit, create_hit),
            "CreateHITWithHITType": (
                lambda c: c.create_hit_with_hit_type(HITTypeId=big_type, LifetimeInSeconds=DAY, Question=QUESTION),
                lambda c: c.create_hit_with_hit_type(HITTypeId=small_type, LifetimeInSeconds=DAY, Question=QUESTION),
            ),
            "UpdateExpirationForHIT": (extend(big_ids[0]), extend(small_ids[0])),  # both expire 30 s after START
            "ListReviewableHITs": (lambda c: c.list_reviewable_hits(), lambda c: c.list_reviewable_hits()),
            "GetAccountBalance": (lambda c: c.get_account_balance(), lambda c: c.get_account_balance()),
        },
        args.hits,
    )

    # The clock: a day of transitions, then a moment with none due. Moving the clock settles every
    # marketplace (so clock-driven notifications go out), so the move itself is timed.
    market = big.world.marketplace("sandbox")
    expired_before = len(market.events.of_type("HITExpired"))
    start = time.perf_counter()
    big.clock.advance(days=1)
    spent = time.perf_counter() - start
    changed = len(market.events.of_type("HITExpired")) - expired_before
    print(
        f"advancing the clock a day: {changed:,} of {args.hits:,} HITs expired; settling took "
        f"{spent * 1e3:.1f} ms, {spent / max(changed, 1) * 1e6:.1f} us per HIT that changed"
    )
    big.clock.advance(1)
    with big.world.lock:
        now = big.clock.now()
        market.settle(now)  # whatever fell due in that second
        settle = timed(lambda: market.settle(now), 1000)
    print(f"settling with nothing due: {settle:.1f} us at {args.hits:,} HITs")


if __name__ == "__main__":
    main()

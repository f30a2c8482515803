"""Random sequences of HIT operations and clock moves, through real boto3 clients, checked after every
step against a small reference of the status machine (spec H§1.4), the listings and the money (issue 12)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from mturk_mock import mock_mturk

from .helpers import HIT_TYPE, requester_client
from .samples import EXTERNAL_QUESTION

OWNERS = ("AKIAONE", "AKIATWO")
START = 1_800_000_000
PRICE = Decimal("0.30")  # the reward of 0.25 and its 20 % fee
PRICE_10 = Decimal("0.35")  # with the 20 % more for HITs of 10 or more assignments


@dataclass
class RefHIT:
    hit_id: str
    owner: str
    created: float
    expiration: float
    max_assignments: int
    reviewing: bool = False
    disposed: bool = False

    def status(self, now: float) -> str:
        if self.disposed:
            return "Disposed"
        if now < self.expiration:
            return "Assignable"  # no worker takes a slot in this machine
        return "Reviewing" if self.reviewing else "Reviewable"


@dataclass
class Reference:
    hits: dict[str, RefHIT] = field(default_factory=dict)


def _code(error: ClientError) -> str:
    return error.response.get("TurkErrorCode", error.response["Error"]["Code"]).rsplit(".", 1)[-1]


class HITMarket(RuleBasedStateMachine):
    hits = Bundle("hits")

    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_mturk(record_calls=False, marketplace="production").start()
        self.mock.clock.freeze(START)
        self.clients = {owner: requester_client(owner, "production") for owner in OWNERS}
        self.ref = Reference()

    def teardown(self) -> None:
        self.mock.stop()

    @property
    def now(self) -> float:
        return self.mock.clock.now()

    def _expect(self, call, code: str | None):
        try:
            result = call()
        except ClientError as error:
            assert code is not None and _code(error) == code, (code, error.response["Error"])
            return None
        assert code is None, f"expected {code}"
        return result

    @rule(target=hits, owner=st.sampled_from(OWNERS), lifetime=st.integers(30, 5000), count=st.integers(1, 12))
    def create(self, owner, lifetime, count):
        hit = self.clients[owner].create_hit(
            **HIT_TYPE, LifetimeInSeconds=lifetime, MaxAssignments=count, Question=EXTERNAL_QUESTION
        )["HIT"]
        self.ref.hits[hit["HITId"]] = RefHIT(hit["HITId"], owner, self.now, self.now + lifetime, count)
        return hit["HITId"]

    @rule(seconds=st.integers(0, 3000))
    def advance(self, seconds):
        self.mock.clock.advance(seconds)

    @rule(hit_id=hits, owner=st.sampled_from(OWNERS))
    def expire_now(self, hit_id, owner):
        ref = self.ref.hits[hit_id]
        code = None if ref.owner == owner and not ref.disposed else "HITDoesNotExist"
        self._expect(lambda: self.clients[owner].update_expiration_for_hit(HITId=hit_id, ExpireAt=0), code)
        if code is None and self.now < ref.expiration:
            ref.expiration = self.now

    @rule(hit_id=hits, seconds=st.integers(60, 5000))
    def extend(self, hit_id, seconds):
        ref = self.ref.hits[hit_id]
        expire_at = max(ref.expiration, self.now) + seconds
        code = "HITDoesNotExist" if ref.disposed else None
        client = self.clients[ref.owner]
        if self._expect(lambda: client.update_expiration_for_hit(HITId=hit_id, ExpireAt=expire_at), code) is not None:
            ref.expiration, ref.reviewing = expire_at, False

    @rule(hit_id=hits, count=st.integers(1, 5))
    def add_assignments(self, hit_id, count):
        ref = self.ref.hits[hit_id]
        client = self.clients[ref.owner]
        code = "HITDoesNotExist" if ref.disposed else None
        if code is None and ref.max_assignments < 10 <= ref.max_assignments + count:
            code = "InvalidMaximumAssignmentsIncrease"
        call = lambda: client.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=count)  # noqa: E731
        if self._expect(call, code) is not None:
            ref.max_assignments += count
            if self.now < ref.expiration:
                ref.reviewing = False

    @rule(hit_id=hits, revert=st.booleans())
    def review(self, hit_id, revert):
        ref = self.ref.hits[hit_id]
        status = ref.status(self.now)
        code = "HITDoesNotExist" if ref.disposed else None
        if code is None and status != ("Reviewing" if revert else "Reviewable"):
            code = "InvalidHITState"
        call = lambda: self.clients[ref.owner].update_hit_review_status(HITId=hit_id, Revert=revert)  # noqa: E731
        if self._expect(call, code) is not None:
            ref.reviewing = not revert

    @rule(hit_id=hits)
    def delete(self, hit_id):
        ref = self.ref.hits[hit_id]
        code = None if ref.status(self.now) in ("Reviewable", "Reviewing") else "InvalidHITState"
        if self._expect(lambda: self.clients[ref.owner].delete_hit(HITId=hit_id), code) is not None:
            ref.disposed = True

    @invariant()
    def hits_match(self):
        for ref in self.ref.hits.values():
            hit = self.clients[ref.owner].get_hit(HITId=ref.hit_id)["HIT"]
            assert hit["HITStatus"] == ref.status(self.now), (ref, hit["HITStatus"])
            counts = (
                hit["NumberOfAssignmentsPending"],
                hit["NumberOfAssignmentsAvailable"],
                hit["NumberOfAssignmentsCompleted"],
            )
            assert counts == (0, ref.max_assignments, 0) and sum(counts) == hit["MaxAssignments"]

    @invariant()
    def listings_match(self):
        for owner, client in self.clients.items():
            mine = sorted(
                (ref for ref in self.ref.hits.values() if ref.owner == owner and not ref.disposed),
                key=lambda ref: (ref.created, ref.hit_id),
            )
            listed, token = [], None
            while True:
                page = client.list_hits(MaxResults=3, **({"NextToken": token} if token else {}))
                if not page["NumResults"]:
                    break
                listed += [hit["HITId"] for hit in page["HITs"]]
                token = page["NextToken"]
            assert listed == [ref.hit_id for ref in mine]
            for status in ("Reviewable", "Reviewing"):
                expected = {ref.hit_id for ref in mine if ref.status(self.now) == status}
                found = client.list_reviewable_hits(Status=status, MaxResults=100)["HITs"]
                assert {hit["HITId"] for hit in found} == expected

    @invariant()
    def money_is_conserved(self):
        """Available + held = the starting balance (nothing is paid without assignments); the held money is
        exactly the open slots of the HITs that can still be filled."""
        for owner, client in self.clients.items():
            answer = client.get_account_balance()
            available, held = Decimal(answer["AvailableBalance"]), Decimal(answer.get("OnHoldBalance", "0"))
            assert available + held == Decimal("10000.00")
            expected = sum(
                ref.max_assignments * (PRICE_10 if ref.max_assignments >= 10 else PRICE)
                for ref in self.ref.hits.values()
                if ref.owner == owner and ref.status(self.now) == "Assignable"
            )
            assert held == expected


TestHITMarket = HITMarket.TestCase
TestHITMarket.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(autouse=True)
def _no_leftover_mock():
    yield
    import mturk_mock

    assert mturk_mock.current() is None

"""Money for HITs (spec H§5): fees, what creating and changing HITs holds, refusals for insufficient funds;
the sandbox balance never moves."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .helpers import create_hit, create_hit_type, request_error

MASTERS = "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH"  # production's


def _balances(client) -> tuple[str, str | None]:
    answer = client.get_account_balance()
    return answer["AvailableBalance"], answer.get("OnHoldBalance")


def test_the_sandbox_balance_never_moves(mturk_client, mturk_mock):
    create_hit(mturk_client, MaxAssignments=100, Reward="50")
    assert _balances(mturk_client) == ("10000.00", None)
    # The would-be charges are still on the books.
    assert mturk_mock.world.marketplace("sandbox").ledger.held("<default>") == Decimal("7000.00")  # 100 x 70.00


@pytest.mark.mturk_mock(marketplace="production")
@pytest.mark.parametrize(
    ("reward", "assignments", "requirements", "held"),
    [
        ("1.00", 3, [], "3.60"),  # 20 %
        ("1.00", 10, [], "14.00"),  # 20 % + 20 % for 10 or more assignments
        ("1.00", 2, [{"QualificationTypeId": MASTERS, "Comparator": "Exists"}], "2.50"),  # + 5 % for Masters
        ("0.01", 1, [], "0.02"),  # the fee is at least a cent
        ("0.52", 1, [], "0.62"),  # 0.104 rounds to 0.10
        ("0.53", 1, [], "0.64"),  # 0.106 rounds to 0.11
    ],
)
def test_creating_a_hit_holds_reward_and_fee_for_every_assignment(
    mturk_client, reward, assignments, requirements, held
):
    create_hit(mturk_client, Reward=reward, MaxAssignments=assignments, QualificationRequirements=requirements)
    assert _balances(mturk_client) == (f"{Decimal('10000.00') - Decimal(held):.2f}", held)


@pytest.mark.mturk_mock(marketplace="production")
def test_a_hit_that_cannot_be_paid_for_is_refused_and_nothing_changes(mturk_client, mturk_mock):
    mturk_mock.world.marketplace("production").balances["<default>"] = "11.99"
    request_error(
        lambda: create_hit(mturk_client, Reward="1.00", MaxAssignments=10),
        "InsufficientFunds",
        "This Requester has insufficient funds in their account to complete this transaction. Please visit "
        "https://requester.mturk.com/prepayments/new to purchase Prepaid HITs.",
    )
    assert mturk_client.list_hits()["NumResults"] == 0
    assert _balances(mturk_client) == ("11.99", None)
    create_hit(mturk_client, Reward="1.00", MaxAssignments=9)  # 9 x 1.20 = 10.80 fits
    assert _balances(mturk_client) == ("1.19", "10.80")


@pytest.mark.mturk_mock(marketplace="production")
def test_unused_slots_are_released_when_the_hit_expires_and_held_again_when_it_is_extended(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, Reward="1.00", MaxAssignments=5)["HITId"]
    assert _balances(mturk_client) == ("9994.00", "6.00")
    mturk_mock.clock.advance(3600)
    mturk_client.get_hit(HITId=hit_id)
    assert _balances(mturk_client) == ("10000.00", None)
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=mturk_mock.clock.now() + 3600)
    assert _balances(mturk_client) == ("9994.00", "6.00")
    mturk_client.update_expiration_for_hit(HITId=hit_id, ExpireAt=0)
    mturk_client.delete_hit(HITId=hit_id)
    assert _balances(mturk_client) == ("10000.00", None)


@pytest.mark.mturk_mock(marketplace="production")
def test_additional_assignments_hold_their_money_or_are_refused(mturk_client, mturk_mock):
    hit_id = create_hit(mturk_client, Reward="1.00", MaxAssignments=10)["HITId"]
    mturk_client.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=5)
    assert _balances(mturk_client) == ("9979.00", "21.00")
    mturk_mock.world.marketplace("production").balances["<default>"] = "5.00"
    request_error(
        lambda: mturk_client.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=5),
        "InsufficientFunds",
        "This Requester has insufficient funds",
    )
    assert mturk_client.get_hit(HITId=hit_id)["HIT"]["MaxAssignments"] == 15


@pytest.mark.mturk_mock(marketplace="production")
def test_a_dearer_hit_type_holds_the_difference_for_open_slots(mturk_client):
    hit_id = create_hit(mturk_client, Reward="1.00", MaxAssignments=2)["HITId"]
    mturk_client.update_hit_type_of_hit(HITId=hit_id, HITTypeId=create_hit_type(mturk_client, Reward="2.00"))
    assert _balances(mturk_client) == ("9995.20", "4.80")
    mturk_client.update_hit_type_of_hit(HITId=hit_id, HITTypeId=create_hit_type(mturk_client, Reward="0.50"))
    assert _balances(mturk_client) == ("9998.80", "1.20")

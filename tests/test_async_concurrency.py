"""Many coroutines acting on the same state through async clients, alone and beside threads with boto3
clients and other event loops: every acknowledged write is in the end state, and nothing is lost
(issue 15, part 1, requirement 3)."""

from __future__ import annotations

import asyncio
import threading

from mturk_mock import mock_mturk

from .aio_clients import INSTALLED, OTHER_FLAVOR, aio_client, sync_client

COROUTINES = 200
OWNER = "AKIACONCURRENT"


def _worker(index: int, prefix: str = "A") -> str:
    return f"{prefix}{index:013d}"


async def _all_grants(client, type_id: str, status: str = "Granted") -> dict[str, int]:
    paginator = client.get_paginator("list_workers_with_qualification_type")
    grants = {}
    async for page in paginator.paginate(
        QualificationTypeId=type_id, Status=status, PaginationConfig={"PageSize": 100}
    ):
        grants.update({q["WorkerId"]: q["IntegerValue"] for q in page["Qualifications"]})
    return grants


def test_200_coroutines_granting_on_one_type_lose_nothing():
    async def main():
        async with (
            aio_client("aiobotocore", access_key=OWNER) as client,
            aio_client(OTHER_FLAVOR, access_key=OWNER) as other,
        ):
            created = await client.create_qualification_type(
                Name="shared", Description="d", QualificationTypeStatus="Active"
            )
            type_id = created["QualificationType"]["QualificationTypeId"]

            async def grant(index: int) -> int:
                target = client if index % 2 else other  # both flavours, interleaved on one loop
                await target.associate_qualification_with_worker(
                    QualificationTypeId=type_id, WorkerId=_worker(index), IntegerValue=index, SendNotification=False
                )
                score = await target.get_qualification_score(QualificationTypeId=type_id, WorkerId=_worker(index))
                return score["Qualification"]["IntegerValue"]

            scores = await asyncio.gather(*(grant(index) for index in range(COROUTINES)))
            assert scores == list(range(COROUTINES))
            assert await _all_grants(client, type_id) == {_worker(index): index for index in range(COROUTINES)}

    with mock_mturk() as mturk:
        asyncio.run(main())
    assert len(mturk.calls_to("AssociateQualificationWithWorker")) == COROUTINES
    assert all(call.ok for call in mturk.calls)


def test_200_coroutines_overwriting_one_grant_leave_the_last_applied_value():
    async def main():
        async with aio_client(OTHER_FLAVOR, access_key=OWNER) as client:
            created = await client.create_qualification_type(
                Name="contended", Description="d", QualificationTypeStatus="Active"
            )
            type_id = created["QualificationType"]["QualificationTypeId"]
            await asyncio.gather(
                *(
                    client.associate_qualification_with_worker(
                        QualificationTypeId=type_id, WorkerId=_worker(1), IntegerValue=value, SendNotification=False
                    )
                    for value in range(COROUTINES)
                )
            )
            score = await client.get_qualification_score(QualificationTypeId=type_id, WorkerId=_worker(1))
            return score["Qualification"]["IntegerValue"]

    with mock_mturk() as mturk:
        final = asyncio.run(main())
    writes = mturk.calls_to("AssociateQualificationWithWorker")
    assert sorted(call.request["IntegerValue"] for call in writes) == list(range(COROUTINES))
    # One loop answers one call at a time, so the call log is the order in which the writes were applied.
    assert final == writes[-1].request["IntegerValue"]


def test_event_loops_threads_and_boto3_clients_share_one_state():
    """Four threads each run an event loop of 50 coroutines (both async flavours) while two threads call
    through boto3: each grants its own workers and revokes every third one."""
    loops, per_loop, sync_threads, per_thread = 4, 50, 2, 50
    errors: list[BaseException] = []

    def granted_and_revoked(prefix: str, count: int) -> tuple[dict[str, int], set[str]]:
        granted = {_worker(index, prefix): index for index in range(count) if index % 3}
        return granted, {_worker(index, prefix) for index in range(count) if not index % 3}

    async def loop_work(type_id: str, prefix: str, flavor: str) -> None:
        async with aio_client(flavor, access_key=OWNER) as client:

            async def one(index: int) -> None:
                worker = _worker(index, prefix)
                await client.associate_qualification_with_worker(
                    QualificationTypeId=type_id, WorkerId=worker, IntegerValue=index, SendNotification=False
                )
                if not index % 3:
                    await client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=worker)

            await asyncio.gather(*(one(index) for index in range(per_loop)))

    def sync_work(type_id: str, prefix: str) -> None:
        client = sync_client(access_key=OWNER)
        for index in range(per_thread):
            worker = _worker(index, prefix)
            client.associate_qualification_with_worker(
                QualificationTypeId=type_id, WorkerId=worker, IntegerValue=index, SendNotification=False
            )
            if not index % 3:
                client.disassociate_qualification_from_worker(QualificationTypeId=type_id, WorkerId=worker)

    def guarded(function, *args) -> None:
        try:
            function(*args)
        except BaseException as error:  # reported by the test
            errors.append(error)

    with mock_mturk() as mturk:
        client = sync_client(access_key=OWNER)
        type_id = client.create_qualification_type(Name="busy", Description="d", QualificationTypeStatus="Active")[
            "QualificationType"
        ]["QualificationTypeId"]
        prefixes = [f"AL{index}" for index in range(loops)] + [f"AS{index}" for index in range(sync_threads)]
        threads = [
            threading.Thread(
                target=guarded,
                args=(asyncio.run, loop_work(type_id, prefixes[index], INSTALLED[index % len(INSTALLED)])),
            )
            for index in range(loops)
        ] + [threading.Thread(target=guarded, args=(sync_work, type_id, prefix)) for prefix in prefixes[loops:]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "deadlock: threads still running"
        assert errors == []

        async def end_state():
            async with aio_client(access_key=OWNER) as reader:
                return await _all_grants(reader, type_id), await _all_grants(reader, type_id, "Revoked")

        granted, revoked = asyncio.run(end_state())
    expected_granted: dict[str, int] = {}
    expected_revoked: dict[str, int] = {}
    for prefix, count in zip(prefixes, [per_loop] * loops + [per_thread] * sync_threads, strict=True):
        grants, revokes = granted_and_revoked(prefix, count)
        expected_granted.update(grants)
        expected_revoked.update({worker: int(worker[len(prefix) :]) for worker in revokes})
    assert granted == expected_granted
    assert revoked == expected_revoked
    assert all(call.ok for call in mturk.calls)

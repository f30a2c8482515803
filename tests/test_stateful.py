"""Random sequences of qualification operations and worker actions, through real boto3 clients,
checked after every step against a small reference of the documented rules (issue 7)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from mturk_mock import WorkerError, mock_mturk_qual

from .helpers import examples, requester_client

OWNERS = ("AKIAONE", "AKIATWO")
NAMES = ("alpha", "beta", "gamma")
WORKERS = ("A1111111111111", "A2222222222222", "A3333333333333")


@dataclass
class RefType:
    type_id: str
    owner: str
    name: str
    auto_value: int | None  # auto-granted with this value, or manual (None)
    retries: bool  # RetryDelayInSeconds=0 (may request again at once) or none (once ever)
    active: bool = True
    deleted: bool = False


@dataclass
class Reference:
    types: dict[str, RefType] = field(default_factory=dict)
    grants: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # (type, worker) -> (value, status)
    pending: dict[str, tuple[str, str]] = field(default_factory=dict)  # request -> (type, worker), SubmitTime order
    requested: set[tuple[str, str]] = field(default_factory=set)  # (type, worker) that ever requested

    def live_names(self, owner: str) -> list[str]:
        return [t.name for t in self.types.values() if t.owner == owner and not t.deleted]


def _code(error: ClientError) -> str:
    return error.response.get("TurkErrorCode", error.response["Error"]["Code"]).rsplit(".", 1)[-1]


class Marketplace(RuleBasedStateMachine):
    types = Bundle("types")
    requests = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_mturk_qual(record_calls=False).start()
        self.clients = {owner: requester_client(owner) for owner in OWNERS}
        self.ref = Reference()

    def teardown(self) -> None:
        self.mock.stop()

    def _expect(self, call, code: str | None):
        """Run ``call``; it must succeed when ``code`` is None, else fail with that TurkErrorCode."""
        try:
            result = call()
        except ClientError as error:
            assert code is not None and _code(error) == code, (code, error.response["Error"])
            return None
        assert code is None, f"expected {code}"
        return result

    def _owner_code(self, type_id: str, owner: str) -> str | None:
        ref = self.ref.types[type_id]
        if ref.deleted:
            return "QualificationTypeDoesNotExist"
        return None if ref.owner == owner else "PermissionDeniedException"

    @rule(
        target=types,
        owner=st.sampled_from(OWNERS),
        name=st.sampled_from(NAMES),
        auto_value=st.one_of(st.none(), st.integers(0, 100)),
        retries=st.booleans(),
    )
    def create_type(self, owner, name, auto_value, retries):
        duplicate = name in self.ref.live_names(owner)
        params = {"Name": name, "Description": "stateful", "QualificationTypeStatus": "Active"}
        if auto_value is not None:
            params.update(AutoGranted=True, AutoGrantedValue=auto_value)
        if retries:
            params["RetryDelayInSeconds"] = 0
        reply = self._expect(
            lambda: self.clients[owner].create_qualification_type(**params),
            "QualificationTypeAlreadyExists" if duplicate else None,
        )
        if reply is None:
            return "3" * 30  # a type ID that never existed
        type_id = reply["QualificationType"]["QualificationTypeId"]
        self.ref.types[type_id] = RefType(type_id, owner, name, auto_value, retries)
        return type_id

    @rule(type_id=types, owner=st.sampled_from(OWNERS))
    def delete_type(self, type_id, owner):
        if type_id not in self.ref.types:
            return
        code = self._owner_code(type_id, owner)
        self._expect(lambda: self.clients[owner].delete_qualification_type(QualificationTypeId=type_id), code)
        if code is None:
            self.ref.types[type_id].deleted = True
            self.ref.pending = {r: tw for r, tw in self.ref.pending.items() if tw[0] != type_id}

    @rule(type_id=types, owner=st.sampled_from(OWNERS), active=st.booleans())
    def set_status(self, type_id, owner, active):
        if type_id not in self.ref.types:
            return
        code = self._owner_code(type_id, owner)
        self._expect(
            lambda: self.clients[owner].update_qualification_type(
                QualificationTypeId=type_id, QualificationTypeStatus="Active" if active else "Inactive"
            ),
            code,
        )
        if code is None:
            self.ref.types[type_id].active = active

    @rule(type_id=types, owner=st.sampled_from(OWNERS), worker=st.sampled_from(WORKERS), value=st.integers(-5, 5))
    def associate(self, type_id, owner, worker, value):
        if type_id not in self.ref.types:
            return
        code = self._owner_code(type_id, owner)
        self._expect(
            lambda: self.clients[owner].associate_qualification_with_worker(
                QualificationTypeId=type_id, WorkerId=worker, IntegerValue=value, SendNotification=False
            ),
            code,
        )
        if code is None:
            self.ref.grants[(type_id, worker)] = (value, "Granted")

    @rule(type_id=types, owner=st.sampled_from(OWNERS), worker=st.sampled_from(WORKERS))
    def disassociate(self, type_id, owner, worker):
        if type_id not in self.ref.types:
            return
        grant = self.ref.grants.get((type_id, worker))
        code = self._owner_code(type_id, owner) or (
            "QualificationDoesNotExist"
            if grant is None
            else "InvalidQualificationState"
            if grant[1] == "Revoked"
            else None
        )
        self._expect(
            lambda: self.clients[owner].disassociate_qualification_from_worker(
                QualificationTypeId=type_id, WorkerId=worker
            ),
            code,
        )
        if code is None:
            self.ref.grants[(type_id, worker)] = (grant[0], "Revoked")

    @rule(target=requests, type_id=types, worker=st.sampled_from(WORKERS))
    def worker_requests(self, type_id, worker):
        ref = self.ref.types.get(type_id)
        open_request = any(tw == (type_id, worker) for tw in self.ref.pending.values())
        allowed = (
            ref is not None
            and not ref.deleted
            and ref.active
            and not open_request
            and (ref.retries or (type_id, worker) not in self.ref.requested)
        )
        try:
            outcome = self.mock.worker(worker).request_qualification(type_id)
        except WorkerError:
            assert not allowed
            return "NOREQUEST"
        assert allowed
        self.ref.requested.add((type_id, worker))
        if ref.auto_value is not None:
            assert (outcome.status, outcome.value) == ("Granted", ref.auto_value)
            self.ref.grants[(type_id, worker)] = (ref.auto_value, "Granted")
        else:
            assert outcome.status == "Pending"
            self.ref.pending[outcome.request_id] = (type_id, worker)
        return outcome.request_id

    @rule(request_id=consumes(requests), owner=st.sampled_from(OWNERS), accept=st.booleans(), value=st.integers(0, 9))
    def decide(self, request_id, owner, accept, value):
        pending = self.ref.pending.get(request_id)
        client = self.clients[owner]
        if pending is None:
            code = (
                "QualificationRequestDoesNotExist"
                if request_id == "NOREQUEST"
                or self.mock.world.marketplace("sandbox").requests.by_id[request_id].owner != owner
                else "InvalidQualificationRequestState"
            )
        else:
            code = None if self.ref.types[pending[0]].owner == owner else "QualificationRequestDoesNotExist"
        if accept:
            self._expect(
                lambda: client.accept_qualification_request(QualificationRequestId=request_id, IntegerValue=value), code
            )
        else:
            self._expect(lambda: client.reject_qualification_request(QualificationRequestId=request_id), code)
        if code is None:
            del self.ref.pending[request_id]
            if accept:
                self.ref.grants[pending] = (value, "Granted")

    @invariant()
    def grants_match(self):
        for type_id, ref in self.ref.types.items():
            if ref.deleted:
                continue
            client = self.clients[ref.owner]
            for status in ("Granted", "Revoked"):
                pages = client.get_paginator("list_workers_with_qualification_type").paginate(
                    QualificationTypeId=type_id, Status=status, PaginationConfig={"PageSize": 2}
                )
                listed = {(q["WorkerId"], q["IntegerValue"]) for page in pages for q in page["Qualifications"]}
                expected = {(w, v) for (t, w), (v, s) in self.ref.grants.items() if t == type_id and s == status}
                assert listed == expected, (type_id, status)

    @invariant()
    def pending_requests_and_names_match(self):
        for owner, client in self.clients.items():
            listed = [
                r["QualificationRequestId"]
                for r in client.list_qualification_requests(MaxResults=100)["QualificationRequests"]
            ]
            assert listed == [r for r, (t, _) in self.ref.pending.items() if self.ref.types[t].owner == owner]
            names = [
                q["Name"]
                for q in client.list_qualification_types(
                    MustBeRequestable=True, MustBeOwnedByCaller=True, MaxResults=100
                )["QualificationTypes"]
            ]
            assert names == self.ref.live_names(owner)


TestMarketplace = Marketplace.TestCase
TestMarketplace.settings = settings(
    max_examples=examples(30), stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(autouse=True)
def _no_leftover_mock():
    yield
    import mturk_mock

    assert mturk_mock.current() is None

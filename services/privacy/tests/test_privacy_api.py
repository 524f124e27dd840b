"""The privacy service against real Kafka and PostgreSQL: the key API, erasures, deadlines,
master-key rotation."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import httpx
import jwt
import pytest
from pydantic import ValidationError

from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.contracts.topics import ERASURE, HRIS_EMPLOYEE
from careerstream.devstack.sample import auth
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest
from careerstream.privacy.config import DEV_MASTER_KEYS
from careerstream.privacy.domain.keyring import Keyring
from careerstream.privacy.service_layer import keys as key_store
from careerstream.servicekit.keys import (
    DEV_PRIVACY_SECRET,
    KEY_ENTRY_BYTES,
    KeyClient,
    PrivacySettings,
    service_token,
)

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

NEW_MASTER = "mk2:" + base64.b64encode(b"n" * 32).decode()


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("privacy", deadline_check_seconds=0.2) as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def svc_auth(
    tenant: str, *, secret: str = DEV_PRIVACY_SECRET, roles: list[str] | None = None
) -> dict[str, str]:
    token = service_token(secret, tenant=tenant, service="plans")
    if roles is not None:
        claims = jwt.decode(token, options={"verify_signature": False})
        claims["roles"] = roles
        token = jwt.encode(claims, secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


async def _hire(
    event_tap: EventTapFactory, kafka_bootstrap: str, svc: RunningService, tenant: str, *ids: str
) -> None:
    """Tell the privacy service these people exist, as the HRIS stream does."""
    from aiokafka import AIOKafkaProducer

    from careerstream.contracts.envelope import encode, make_event

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for emp in ids:
            payload = EmployeeHired(
                employee_id=emp,
                effective_date=date(2026, 1, 1),
                recorded_at=datetime.now(UTC),
                display_name=f"Person {emp}",
                details=EmploymentDetails(role_id="r1"),
            )
            ev = make_event(payload, tenant_id=tenant, source="/careerstream/hris")
            await producer.send_and_wait(HRIS_EMPLOYEE, encode(ev), key=ev.key.encode())
    finally:
        await producer.stop()
    for _ in range(300):
        n = await svc.scalar("SELECT count(*) FROM privacy.people WHERE tenant_id = $1", tenant)
        if n == len(ids):
            return
        import asyncio

        await asyncio.sleep(0.1)
    raise AssertionError("the privacy service did not learn of the hires")


async def test_keys_are_issued_once_fetched_by_kid_and_refused_to_anyone_but_services(
    svc: RunningService, tenant: str
) -> None:
    c = svc.client
    first = await c.post(
        "/v1/privacy/keys/issue", json={"employee_ids": ["E1", "E2"]}, headers=svc_auth(tenant)
    )
    assert first.status_code == 200, first.text
    again = await c.post(
        "/v1/privacy/keys/issue", json={"employee_ids": ["E2", "E1"]}, headers=svc_auth(tenant)
    )
    assert again.json() == first.json()  # the same key, not a new one
    keys = {k["employee_id"]: k for k in first.json()["keys"]}
    assert len(base64.b64decode(keys["E1"]["key"])) == 32
    fetched = await c.post(
        "/v1/privacy/keys/fetch",
        json={"kids": [keys["E1"]["kid"], "k-unknown"]},
        headers=svc_auth(tenant),
    )
    assert fetched.status_code == 200
    assert fetched.json() == {
        "keys": [{"kid": keys["E1"]["kid"], "key": keys["E1"]["key"]}],
        "gone": ["k-unknown"],
    }
    # another tenant's service cannot read this tenant's keys
    other = await c.post(
        "/v1/privacy/keys/fetch", json={"kids": [keys["E1"]["kid"]]}, headers=svc_auth("other")
    )
    assert other.json()["keys"] == []
    assert other.json()["gone"] == [keys["E1"]["kid"]]
    # people's tokens, HR's included, are not service tokens
    for role in ("employee", "manager", "hr_admin"):
        r = await c.post(
            "/v1/privacy/keys/fetch", json={"kids": ["x"]}, headers=auth(tenant, "E1", role)
        )
        assert r.status_code == 401, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await c.post(
        "/v1/privacy/keys/fetch", json={"kids": ["x"]}, headers=svc_auth(tenant, roles=["hr_admin"])
    )
    assert r.status_code == 403
    r = await c.post(
        "/v1/privacy/keys/fetch", json={"kids": ["x"]}, headers=svc_auth(tenant, secret="s" * 40)
    )
    assert r.status_code == 401
    r = await c.post("/v1/privacy/keys/issue", json={"employee_ids": []}, headers=svc_auth(tenant))
    assert r.status_code == 422
    assert "employee_ids" in r.text


async def test_the_key_client_fetches_once_and_caches(svc: RunningService, tenant: str) -> None:
    transport = httpx.ASGITransport(app=svc.app)
    client = KeyClient(PrivacySettings(url="http://privacy"), service="plans")
    client._http = httpx.AsyncClient(transport=transport, base_url="http://privacy")
    try:
        issued = await client.for_subjects(tenant, ["E1", "E2", "E1"])
        assert client.calls == 1
        again = await client.for_subjects(tenant, ["E2", "E1"])
        assert again == issued
        assert client.calls == 1
        kid = issued["E1"].kid  # type: ignore[union-attr]
        by_kid = await client.by_kids(tenant, [kid])
        assert by_kid[kid] == issued["E1"]
        assert client.calls == 1
        fresh = KeyClient(PrivacySettings(url="http://privacy"), service="metrics")
        fresh._http = client._http
        assert (await fresh.by_kids(tenant, [kid]))[kid] == issued["E1"]
        assert (await fresh.by_kids(tenant, [kid]))[kid] == issued["E1"]
        assert fresh.calls == 1
    finally:
        await client.close()


async def test_the_key_cache_keeps_to_its_memory_budget(svc: RunningService, tenant: str) -> None:
    """A budget of three keys' worth keeps the three most recently used; the oldest is asked for
    again."""
    budget = 3 * KEY_ENTRY_BYTES / 2**20
    client = KeyClient(
        PrivacySettings(url="http://privacy", cache_megabytes=budget), service="plans"
    )
    client._http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=svc.app), base_url="http://privacy"
    )
    try:
        assert client.capacity == 3
        first = await client.for_subjects(tenant, ["E1", "E2", "E3"])
        await client.for_subjects(tenant, ["E1"])  # E1 is now the most recent
        await client.for_subjects(tenant, ["E4"])  # E2, the least recent, is dropped
        assert client.calls == 2
        assert len(client._by_subject) == len(client._by_kid) == 3
        assert await client.for_subjects(tenant, ["E1", "E3", "E4"])
        assert client.calls == 2
        assert (await client.for_subjects(tenant, ["E2"]))["E2"] == first["E2"]
        assert client.calls == 3
    finally:
        await client.close()
    with pytest.raises(ValidationError, match="cache_megabytes"):
        PrivacySettings(cache_megabytes=0)


async def test_erasure_is_refused_to_all_but_the_tenants_hr_and_unknown_people_are_404(
    svc: RunningService, tenant: str, event_tap: EventTapFactory, kafka_bootstrap: str
) -> None:
    await _hire(event_tap, kafka_bootstrap, svc, tenant, "E1")
    c = svc.client
    body = {"employee_id": "E1", "reason": "the employee asked (GDPR art. 17)"}
    for who, role in (("E1", "employee"), ("M1", "manager"), ("P1", "employee")):
        r = await c.post("/v1/privacy/erasures", json=body, headers=auth(tenant, who, role))
        assert r.status_code == 403, r.text
    r = await c.post(
        "/v1/privacy/erasures", json=body, headers=auth("othertenant", "H", "hr_admin")
    )
    assert r.status_code == 404
    assert "employee_id" in r.json()["detail"]
    r = await c.post(
        "/v1/privacy/erasures",
        json={"employee_id": "NOBODY", "reason": "asked"},
        headers=auth(tenant, "H", "hr_admin"),
    )
    assert r.status_code == 404
    assert r.json()["detail"].startswith("body.employee_id")
    r = await c.post(
        "/v1/privacy/erasures", json={"employee_id": "E1"}, headers=auth(tenant, "H", "hr_admin")
    )
    assert r.status_code == 422
    assert "reason" in r.text
    for who, role in (("E1", "employee"), ("M1", "manager")):
        listed = await c.get("/v1/privacy/erasures", headers=auth(tenant, who, role))
        assert listed.status_code == 403
    r = await c.get("/v1/privacy/erasures?employee_id=%00", headers=auth(tenant, "H", "hr_admin"))
    assert r.status_code == 422
    assert "employee_id" in r.text
    r = await c.get(
        "/v1/privacy/employees/E1/accesses?limit=0", headers=auth(tenant, "H", "hr_admin")
    )
    assert r.status_code == 422
    assert "limit" in r.text
    r = await c.get("/v1/privacy/erasures/er-nope", headers=auth(tenant, "H", "hr_admin"))
    assert r.status_code == 404


async def test_an_erasure_waits_for_every_service_then_destroys_the_key(
    svc: RunningService, tenant: str, event_tap: EventTapFactory, kafka_bootstrap: str
) -> None:
    await _hire(event_tap, kafka_bootstrap, svc, tenant, "E1")
    c = svc.client
    issued = await c.post(
        "/v1/privacy/keys/issue", json={"employee_ids": ["E1"]}, headers=svc_auth(tenant)
    )
    kid = issued.json()["keys"][0]["kid"]
    hr = auth(tenant, "H", "hr_admin")
    async with event_tap(ERASURE) as tap:
        r = await c.post(
            "/v1/privacy/erasures", json={"employee_id": "E1", "reason": "asked"}, headers=hr
        )
        assert r.status_code == 202, r.text
        erasure = r.json()
        assert erasure["status"] == "in_progress"
        assert {s["service"] for s in erasure["services"]} == {
            "frameworks",
            "assessments",
            "plans",
            "mobility",
            "metrics",
            "hris",
            "notifications",
        }
        assert all(s["answered_at"] is None for s in erasure["services"])
        twice = await c.post(
            "/v1/privacy/erasures", json={"employee_id": "E1", "reason": "again"}, headers=hr
        )
        assert twice.status_code == 200
        assert twice.json()["erasure_id"] == erasure["erasure_id"]
        (requested,) = await tap.expect(
            {"type": "careerstream.privacy.erasure.requested.v1", "data": {"employee_id": "E1"}},
            tenant=tenant,
        )
        # The services answer (here, as they would, on the contract's topic).
        from aiokafka import AIOKafkaProducer

        from careerstream.contracts.envelope import encode, make_event
        from careerstream.contracts.events.privacy import ErasureAnswered

        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            services = requested["data"]["services"]
            for i, service in enumerate(services):
                ev = make_event(
                    ErasureAnswered(
                        erasure_id=erasure["erasure_id"],
                        employee_id="E1",
                        service=service,
                        deleted={"rows": i},
                        answered_at=datetime.now(UTC),
                    ),
                    tenant_id=tenant,
                    source=f"/careerstream/{service}",
                )
                await producer.send_and_wait(ERASURE, encode(ev), key=ev.key.encode())
                if i == 0:
                    await producer.send_and_wait(
                        ERASURE, encode(ev), key=ev.key.encode()
                    )  # a duplicate
                if i == len(services) - 2:
                    # one service still to answer: the key still opens
                    await _until(
                        c,
                        hr,
                        erasure["erasure_id"],
                        lambda e: (
                            sum(s["answered_at"] is not None for s in e["services"])
                            == len(services) - 1
                        ),
                    )
                    f = await c.post(
                        "/v1/privacy/keys/fetch", json={"kids": [kid]}, headers=svc_auth(tenant)
                    )
                    assert f.json()["gone"] == []
        finally:
            await producer.stop()
        (done,) = await tap.expect(
            {"type": "careerstream.privacy.erasure.completed.v1", "data": {"employee_id": "E1"}},
            tenant=tenant,
        )
        assert sorted(done["data"]["answered"]) == sorted(services)
        assert done["data"]["missing"] == []
    status = await c.get(f"/v1/privacy/erasures/{erasure['erasure_id']}", headers=hr)
    assert status.json()["status"] == "completed"
    assert not status.json()["overdue"]
    f = await c.post("/v1/privacy/keys/fetch", json={"kids": [kid]}, headers=svc_auth(tenant))
    assert f.json() == {"keys": [], "gone": [kid]}
    again = await c.post(
        "/v1/privacy/keys/issue", json={"employee_ids": ["E1"]}, headers=svc_auth(tenant)
    )
    assert again.json() == {"keys": [], "erased": ["E1"]}  # never a new key for an erased person
    assert await svc.scalar("SELECT count(*) FROM privacy.people WHERE tenant_id = $1", tenant) == 0
    assert (
        await svc.scalar(
            "SELECT count(*) FROM privacy.data_keys WHERE wrapped IS NOT NULL AND tenant_id = $1",
            tenant,
        )
        == 0
    )


async def _until(
    c: httpx.AsyncClient, hr: dict[str, str], erasure_id: str, check: object, timeout: float = 30
) -> dict[str, object]:
    import asyncio

    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = (await c.get(f"/v1/privacy/erasures/{erasure_id}", headers=hr)).json()
        if check(got):  # type: ignore[operator]
            return got  # type: ignore[no-any-return]
        assert asyncio.get_running_loop().time() < deadline, got
        await asyncio.sleep(0.1)


async def test_past_the_deadline_the_key_is_destroyed_and_the_silent_services_named(
    service_under_test: ServiceUnderTest,
    tenant: str,
    event_tap: EventTapFactory,
    kafka_bootstrap: str,
) -> None:
    async with service_under_test(
        "privacy", deadline_check_seconds=0.2, erasure_deadline_hours=0.0
    ) as svc:
        await _hire(event_tap, kafka_bootstrap, svc, tenant, "E9")
        hr = auth(tenant, "H", "hr_admin")
        async with event_tap(ERASURE) as tap:
            r = await svc.client.post(
                "/v1/privacy/erasures", json={"employee_id": "E9", "reason": "asked"}, headers=hr
            )
            assert r.status_code == 202
            (done,) = await tap.expect(
                {
                    "type": "careerstream.privacy.erasure.completed.v1",
                    "data": {"employee_id": "E9"},
                },
                tenant=tenant,
            )
        assert sorted(done["data"]["missing"]) == sorted(
            ["frameworks", "assessments", "plans", "mobility", "metrics", "hris", "notifications"]
        )
        got = await _until(
            svc.client, hr, r.json()["erasure_id"], lambda e: e["status"] == "completed"
        )
        assert got["overdue"] is True
        assert got["missing"]


async def test_rotating_the_master_key_rewraps_every_data_key(
    service_under_test: ServiceUnderTest, tenant: str
) -> None:
    async with service_under_test("privacy") as svc:
        old = await svc.client.post(
            "/v1/privacy/keys/issue",
            json={"employee_ids": ["E1", "E2", "E3"]},
            headers=svc_auth(tenant),
        )
        assert (
            await svc.scalar(
                "SELECT count(DISTINCT master_kid) FROM privacy.data_keys WHERE tenant_id = $1",
                tenant,
            )
            == 1
        )
        ring = Keyring.parse(f"{NEW_MASTER},{DEV_MASTER_KEYS}")
        assert await key_store.rewrap(svc.runtime.uow, ring, batch=2) == 3
        assert await key_store.rewrap(svc.runtime.uow, ring, batch=2) == 0
        assert (
            await svc.scalar(
                "SELECT count(*) FROM privacy.data_keys WHERE tenant_id = $1 AND master_kid = 'mk2'",
                tenant,
            )
            == 3
        )
        # Now only the new master key is configured: the same data keys come back.
        svc.app.state.keyring = Keyring.parse(NEW_MASTER)
        after = await svc.client.post(
            "/v1/privacy/keys/issue",
            json={"employee_ids": ["E1", "E2", "E3"]},
            headers=svc_auth(tenant),
        )
        assert after.json() == old.json()
        # and without it, nothing unwraps: the master key really is what protects them
        svc.app.state.keyring = Keyring.parse(DEV_MASTER_KEYS)
        r = await svc.client.post(
            "/v1/privacy/keys/issue", json={"employee_ids": ["E1"]}, headers=svc_auth(tenant)
        )
        assert r.status_code == 503  # the callers retry until the configuration is fixed
        assert "mk2" in r.json()["detail"]


async def test_a_consumer_fetches_keys_only_for_the_personal_fields_it_reads(
    svc: RunningService, tenant: str
) -> None:
    """A directory keeping no personal column (assessments, plans) never asks for a key; one
    keeping the location (mobility) asks once per batch and reads it."""
    import json as _json

    import sqlalchemy as sa

    from careerstream.contracts.envelope import encode, make_event
    from careerstream.servicekit.consumer import EventConsumer, Record
    from careerstream.servicekit.people import PeopleProjection, people_table
    from careerstream.servicekit.sealing import seal

    transport = httpx.ASGITransport(app=svc.app)
    http = httpx.AsyncClient(transport=transport, base_url="http://privacy")
    producer = KeyClient(PrivacySettings(url="http://privacy"), service="hris")
    producer._http = http
    try:
        issued = await producer.for_subjects(tenant, ["E1", "E2"])
        records = []
        for n, emp in enumerate(("E1", "E2")):
            event = _json.loads(
                encode(
                    make_event(
                        EmployeeHired(
                            employee_id=emp,
                            effective_date=date(2026, 1, 5),
                            recorded_at=datetime(2026, 1, 5, tzinfo=UTC),
                            display_name=f"Name of {emp}",
                            details=EmploymentDetails(role_id="r1", location="Lyon"),
                        ),
                        tenant_id=tenant,
                        source="/careerstream/hris",
                    )
                )
            )
            assert seal(event, issued[emp])
            value = _json.dumps(event).encode()
            records.append(Record(HRIS_EMPLOYEE, 0, n, emp.encode(), value))

        def consumer(name: str, personal: tuple[str, ...]) -> tuple[EventConsumer, KeyClient]:
            keys = KeyClient(PrivacySettings(url="http://privacy"), service=name)
            keys._http = http
            table = people_table(sa.MetaData(), personal=personal)
            handlers = PeopleProjection(table).batch_handlers()
            return EventConsumer(name, lambda: None, {}, batch_handlers=handlers, keys=keys), keys  # type: ignore[arg-type,return-value]

        plain, plain_keys = consumer("plans-people", ())
        parsed = await plain.prepare(records)
        assert plain_keys.calls == 0
        assert [p.payload.details.location for p in parsed] == [None, None]  # type: ignore[union-attr]
        assert [p.problem for p in parsed] == [None, None]

        located, located_keys = consumer("mobility-people", ("location", "performance"))
        parsed = await located.prepare(records)
        assert located_keys.calls == 1  # one call for the batch
        assert [p.payload.details.location for p in parsed] == ["Lyon", "Lyon"]  # type: ignore[union-attr]
    finally:
        await http.aclose()

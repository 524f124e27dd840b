"""The hris gateway against real Kafka and PostgreSQL: webhooks, replays, held changes, full exports."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from careerstream.contracts.topics import HRIS_EMPLOYEE, HRIS_GROUPS
from careerstream.devstack.sample import auth
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest
from careerstream.hris.domain.vendors import sign
from careerstream.hris.service_layer.gateway import release_due

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
SCHEMAS = Path(__file__).parents[3] / "contracts" / "schemas"


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("hris", import_poll_seconds=0.2) as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def _events(records: list[Any]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        envelope = json.loads(r.value)
        jsonschema.validate(
            envelope, json.loads((SCHEMAS / f"{envelope['type']}.json").read_text())
        )
        out.append(envelope)
    return out


async def _secret(c: httpx.AsyncClient, tenant: str, vendor: str) -> str:
    resp = await c.put(f"/v1/sources/{vendor}", headers=auth(tenant, "HR", "hr_admin"))
    assert resp.status_code == 200, resp.text
    return str(resp.json()["secret"])


async def _send(
    c: httpx.AsyncClient,
    tenant: str,
    vendor: str,
    secret: str,
    payload: dict[str, Any],
    *,
    now: datetime | None = None,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {
        **sign(vendor, secret, body, now or datetime.now(UTC)),
        "Content-Type": "application/json",
    }
    return await c.post(f"/v1/webhooks/{tenant}/{vendor}", content=body, headers=headers)


async def test_webhooks_of_three_vendors_become_canonical_events(
    svc: RunningService, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    hr = auth(tenant, "HR", "hr_admin")
    assert (
        await c.put("/v1/job-mappings/ENG2", json={"role_id": "eng.engineer"}, headers=hr)
    ).status_code == 200
    wd, sf, bb = [await _secret(c, tenant, v) for v in ("workday", "successfactors", "bamboohr")]
    today = datetime.now(UTC).date()
    async with event_tap(HRIS_EMPLOYEE) as tap, event_tap(HRIS_GROUPS) as groups_tap:
        hire = {
            "eventId": "wd-1",
            "eventType": "Hire",
            "effectiveDate": today.isoformat(),
            "worker": {
                "workerId": "E1",
                "name": "Ada",
                "jobProfile": {"code": "ENG2", "title": "Engineer"},
                "supervisorId": "M1",
                "organizationId": "D1",
                "demographics": {"gender": "f"},
            },
        }
        r = await _send(c, tenant, "workday", wd, hire)
        assert r.status_code == 202, r.text
        assert r.json()["outcomes"] == ["hired"]
        # The same delivery again is a replay; a stale or forged one is refused; nothing is emitted.
        assert (await _send(c, tenant, "workday", wd, hire)).status_code == 409
        stale = await _send(
            c,
            tenant,
            "workday",
            wd,
            {**hire, "eventId": "wd-2"},
            now=datetime.now(UTC) - timedelta(minutes=10),
        )
        assert stale.status_code == 401
        assert "stale" in stale.json()["detail"]
        forged = await _send(c, tenant, "workday", "not-the-secret", {**hire, "eventId": "wd-3"})
        assert forged.status_code == 401
        assert (
            await _send(c, f"{tenant}x", "workday", wd, {**hire, "eventId": "wd-4"})
        ).status_code == 401

        # SuccessFactors-style partial update; BambooHR-style: only the id and what changed.
        r = await _send(
            c,
            tenant,
            "successfactors",
            sf,
            {
                "messageId": "sf-1",
                "operation": "UPDATE",
                "userId": "E1",
                "effectiveStartDate": today.isoformat(),
                "fields": {"department": "D2"},
            },
        )
        assert r.json()["outcomes"] == ["changed"]
        r = await _send(
            c,
            tenant,
            "bamboohr",
            bb,
            {
                "employees": [
                    {
                        "id": "E1",
                        "action": "Updated",
                        "changedFields": ["location"],
                        "fields": {"location": "Lyon"},
                    }
                ]
            },
        )
        assert r.json()["outcomes"] == ["changed"]
        same = await _send(
            c,
            tenant,
            "bamboohr",
            bb,
            {
                "employees": [
                    {
                        "id": "E1",
                        "action": "Updated",
                        "changedFields": ["location"],
                        "fields": {"location": "Lyon"},
                        "effectiveDate": today.isoformat(),
                    }
                ]
            },
        )
        assert same.json()["outcomes"] == ["unchanged"]
        r = await _send(
            c,
            tenant,
            "workday",
            wd,
            {
                "eventId": "wd-5",
                "eventType": "Termination",
                "effectiveDate": today.isoformat(),
                "worker": {"workerId": "E1"},
                "termination": {"voluntary": True, "reason": "new job"},
            },
        )
        assert r.json()["outcomes"] == ["terminated"]
        events = _events(await tap.wait_for(4, tenant=tenant))
        groups = _events(await groups_tap.wait_for(1, tenant=tenant))
    assert [e["type"].split(".")[3] for e in events] == [
        "hired",
        "changed",
        "changed",
        "terminated",
    ]
    hired = events[0]["data"]
    assert hired["details"]["role_id"] == "eng.engineer"
    # Group attributes never travel with the employee: metrics alone reads them, apart.
    assert all(e["data"]["details"].get("group_attributes") is None for e in events[:3])
    assert [g["type"] for g in groups] == ["careerstream.hris.groups.recorded.v1"]
    assert groups[0]["data"]["employee_id"] == "E1"
    assert groups[0]["data"]["group_attributes"] == {"gender": "f"}
    assert events[1]["data"]["changed_fields"] == ["department_id"]
    assert events[1]["data"]["details"]["department_id"] == "D2"
    assert events[2]["data"]["changed_fields"] == ["location"]
    assert events[3]["data"]["voluntary"] is True


async def test_future_changes_are_held_until_they_take_effect(
    svc: RunningService, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    sf = await _secret(c, tenant, "successfactors")
    today = datetime.now(UTC).date()
    later = today + timedelta(days=30)
    async with event_tap(HRIS_EMPLOYEE) as tap:
        await _send(
            c,
            tenant,
            "successfactors",
            sf,
            {
                "messageId": "m1",
                "operation": "INSERT",
                "userId": "E2",
                "effectiveStartDate": today.isoformat(),
                "fields": {"department": "D1"},
            },
        )
        r = await _send(
            c,
            tenant,
            "successfactors",
            sf,
            {
                "messageId": "m2",
                "operation": "UPDATE",
                "userId": "E2",
                "effectiveStartDate": later.isoformat(),
                "fields": {"department": "D7"},
            },
        )
        assert r.json()["outcomes"] == ["held"]
        assert len(await tap.wait_for(2, tenant=tenant, timeout=3)) == 1  # only the hire
        assert await release_due(svc.runtime.uow, today=today) == 0
        assert await release_due(svc.runtime.uow, today=later) == 1
        released = _events(await tap.wait_for(1, tenant=tenant))
    assert released[0]["data"]["effective_date"] == later.isoformat()
    assert released[0]["data"]["details"]["department_id"] == "D7"


async def _wait_import(c: httpx.AsyncClient, tenant: str, import_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body: dict[str, Any] = (
            await c.get(f"/v1/imports/{import_id}", headers=auth(tenant, "HR", "hr_admin"))
        ).json()
        if body["status"] == "done":
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"import {import_id} did not finish")


async def test_full_exports_are_diffed_and_a_bad_file_emits_nothing(
    svc: RunningService, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    hr = {**auth(tenant, "HR", "hr_admin"), "Content-Type": "text/csv"}
    first = "employee_id,display_name,job_code,manager_id,department_id,group.gender\nM1,Mia,MGR,,D1,f\nE1,Ada,ENG2,M1,D1,f\nE2,Bo,ENG2,M1,D1,m\n"
    async with event_tap(HRIS_EMPLOYEE) as tap:
        started = await c.post("/v1/imports", content=first, headers=hr)
        assert started.status_code == 202, started.text
        done = await _wait_import(c, tenant, started.json()["import_id"])
        assert done["counts"] == {"hired": 3}
        assert done["done"] == done["total"] == 3
        second = "employee_id,display_name,job_code,manager_id,department_id,group.gender\nM1,Mia,MGR,,D1,f\nE1,Ada,ENG3,M1,D2,f\nE3,Cy,ENG2,M1,D1,x\n"
        done = await _wait_import(
            c, tenant, (await c.post("/v1/imports", content=second, headers=hr)).json()["import_id"]
        )
        assert done["counts"] == {"unchanged": 1, "changed": 1, "hired": 1, "terminated": 1}
        events = _events(await tap.wait_for(6, tenant=tenant))
    kinds = sorted((e["data"]["employee_id"], e["type"].split(".")[3]) for e in events)
    assert kinds == [
        ("E1", "changed"),
        ("E1", "hired"),
        ("E2", "hired"),
        ("E2", "terminated"),
        ("E3", "hired"),
        ("M1", "hired"),
    ]
    change = next(e for e in events if e["type"].endswith("changed.v1"))
    assert set(change["data"]["changed_fields"]) == {"job_code", "role_id", "department_id"}

    # A file with errors: every error by line, and nothing happens.
    before = await svc.scalar("SELECT count(*) FROM hris.outbox")
    # M1 is not in it but known (no error); a repeated id is reported on each later line, and
    # only its first line's manager is checked.
    bad = (
        "employee_id,display_name,manager_id\nE9,Nine,NOBODY\n,Blank,\nE9,Twice,\n"
        "E8,Eight,M1\nE9,Thrice,NOBODY\n"
    )
    resp = await c.post("/v1/imports", content=bad, headers=hr)
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {"line": 2, "message": "manager_id NOBODY is neither in the file nor known"},
        {"line": 3, "message": "employee_id is missing"},
        {"line": 4, "message": "employee_id E9 appears twice (first on line 2)"},
        {"line": 6, "message": "employee_id E9 appears twice (first on line 2)"},
    ]
    assert await svc.scalar("SELECT count(*) FROM hris.outbox") == before
    assert await svc.scalar("SELECT count(*) FROM hris.imports WHERE tenant_id = $1", tenant) == 2
    # Only hr_admin imports; other tenants see nothing.
    assert (
        await c.post(
            "/v1/imports",
            content=first,
            headers={**auth(tenant, "E1", "employee"), "Content-Type": "text/csv"},
        )
    ).status_code == 403
    assert (
        await c.get("/v1/people/E1", headers=auth(f"{tenant}x", "HR", "hr_admin"))
    ).status_code == 404
    assert (await c.get("/v1/people/E1", headers=auth(tenant, "HR", "hr_admin"))).json()[
        "department_id"
    ] == "D2"

"""The organisation tree through the gateway, on real Kafka and PostgreSQL: a full export and
a Workday organisation webhook publish `orgunit.changed`; a loop, an unknown parent or a
stranger as head is a 422 naming what is wrong; a pulse for a department asks its whole
subtree, and moving a unit under it asks the people in the unit."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from careerstream.contracts.topics import HRIS_ORGUNIT
from careerstream.devstack.sample import auth, import_directory
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest
from careerstream.hris.domain.vendors import sign

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]

DIRECTORY = (
    "employee_id,display_name,job_code,manager_id,department_id\n"
    "CEO,C,EXEC,,ROOT\nM1,M,MGR,CEO,ENG\nE1,A,ENG,M1,PLAT\nE2,B,ENG,M1,PLAT\n"
    "S1,S,SAL,CEO,SALES\n"
)
TREE = (
    "orgunit_id,name,parent_id,head_id\n"
    "ROOT,Acme,,CEO\nENG,Engineering,ROOT,M1\nPLAT,Platform,ENG,\nSALES,Sales,ROOT,\n"
)
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("hris", import_poll_seconds=0.2) as running:
        yield running


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


async def test_the_tree_from_an_export_and_a_webhook(
    svc: RunningService, event_tap: EventTapFactory
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    c = svc.client
    hr = auth(tenant, "HR", "hr_admin")
    await import_directory(c, tenant, DIRECTORY)

    async with event_tap(HRIS_ORGUNIT) as tap:
        put = await c.put("/v1/org-units", content=TREE, headers={**hr, **CSV})
        assert put.status_code == 200, put.text
        assert put.json() == {
            "created": 4,
            "changed": 0,
            "closed": 0,
            "unchanged": 0,
            "published": 4,
            "warnings": [],
            "units": 4,
        }
        events = await tap.expect(
            *(
                {"type": "careerstream.hris.orgunit.changed.v1", "data": {"orgunit_id": u}}
                for u in ("ROOT", "ENG", "PLAT", "SALES")
            ),
            tenant=tenant,
        )
    assert {e["data"]["orgunit_id"]: e["data"]["parent_id"] for e in events} == {
        "ROOT": None,
        "ENG": "ROOT",
        "PLAT": "ENG",
        "SALES": "ROOT",
    }
    assert events[1]["data"]["head_id"] == "M1"
    assert events[1]["subject"] == "ENG"

    # The same export again changes nothing and publishes nothing.
    again = (await c.put("/v1/org-units", content=TREE, headers={**hr, **CSV})).json()
    assert (again["unchanged"], again["published"]) == (4, 0)

    # Anyone in the tenant reads the tree (with who sits where); a subtree by `root`.
    tree = (await c.get("/v1/org-units", headers=auth(tenant, "E1"))).json()
    assert [(u["orgunit_id"], u["parent_id"], u["people"]) for u in tree] == [
        ("ENG", "ROOT", 1),
        ("PLAT", "ENG", 2),
        ("ROOT", None, 1),
        ("SALES", "ROOT", 1),
    ]
    sub = (await c.get("/v1/org-units?root=ENG", headers=hr)).json()
    assert [u["orgunit_id"] for u in sub] == ["ENG", "PLAT"]
    problem(await c.get("/v1/org-units?root=NOPE", headers=hr), 404)
    assert (await c.get("/v1/org-units", headers=auth(f"{tenant}x", "HR", "hr_admin"))).json() == []

    # Bad trees: refused whole, each problem with its line; nothing published, nothing kept.
    bad = problem(
        await c.put(
            "/v1/org-units",
            content=TREE + "ENG2,Eng two,GONE,\nLOOP1,L1,LOOP2,\nLOOP2,L2,LOOP1,\n",
            headers={**hr, **CSV},
        ),
        422,
    )
    assert [(e["line"], e["message"]) for e in bad["errors"]] == [
        (6, "parent_id GONE of ENG2 is neither in the file nor known"),
        (7, "LOOP1 would sit under itself: LOOP1 → LOOP2 → LOOP1"),
    ]
    loop = problem(
        await c.put("/v1/org-units/ENG", json={"name": "Eng", "parent_id": "PLAT"}, headers=hr),
        422,
    )
    assert loop["errors"] == [
        {"field": "parent_id", "message": "ENG would sit under itself: ENG → PLAT → ENG"}
    ]
    for body, field in (
        ({"name": ""}, "name"),
        ({"name": "x", "colour": "red"}, "colour"),
        ({"name": "x", "active": "perhaps"}, "active"),
        ({"name": "x", "parent_id": 3}, "parent_id"),
    ):
        p = problem(await c.put("/v1/org-units/NEW", json=body, headers=hr), 422)
        assert p["errors"][0]["field"] == field, p
    problem(await c.put("/v1/org-units", content="orgunit_id,name\n", headers={**hr, **CSV}), 422)
    problem(
        await c.put("/v1/org-units", content="x", headers={**hr, "Content-Type": "text/plain"}), 415
    )
    # Only HR changes the tree.
    for who in (auth(tenant, "M1", "manager"), auth(tenant, "E1")):
        problem(await c.put("/v1/org-units/NEW", json={"name": "x"}, headers=who), 403)
        problem(await c.put("/v1/org-units", content=TREE, headers={**who, **CSV}), 403)
    assert len((await c.get("/v1/org-units", headers=hr)).json()) == 4

    # A Workday organisation change moves PLAT under SALES: one event, the whole unit.
    secret = (await c.put("/v1/sources/workday", headers=hr)).json()["secret"]

    async def hook(payload: dict[str, Any]) -> httpx.Response:
        body = json.dumps(payload).encode()
        headers = {
            **sign("workday", secret, body, datetime.now(UTC)),
            "Content-Type": "application/json",
        }
        return await c.post(f"/v1/webhooks/{tenant}/workday", content=body, headers=headers)

    org = {"id": "PLAT", "name": "Platform", "superiorId": "SALES", "managerId": "E1"}
    today = datetime.now(UTC).date().isoformat()
    async with event_tap(HRIS_ORGUNIT) as tap:
        moved = await hook(
            {
                "eventId": "org-1",
                "eventType": "Organization_Change",
                "effectiveDate": today,
                "organization": org,
            }
        )
        assert moved.status_code == 202, moved.text
        assert moved.json()["outcomes"] == ["orgunit"]
        (event,) = await tap.expect(
            {"data": {"orgunit_id": "PLAT", "parent_id": "SALES", "head_id": "E1"}}, tenant=tenant
        )
    assert event["data"]["active"] is True
    # The webhook's shape is checked like the others; a loop is refused, and not remembered.
    missing = await hook(
        {"eventId": "org-2", "eventType": "Organization_Change", "effectiveDate": today}
    )
    assert missing.status_code == 422
    assert "organization" in missing.json()["detail"]
    no_worker = await hook({"eventId": "org-3", "eventType": "Hire", "effectiveDate": today})
    assert no_worker.status_code == 422
    assert "worker" in no_worker.json()["detail"]
    looped = {"id": "SALES", "name": "Sales", "superiorId": "PLAT"}
    change: dict[str, Any] = {
        "eventId": "org-4",
        "eventType": "Organization_Change",
        "effectiveDate": today,
        "organization": looped,
    }
    assert (await hook(change)).status_code == 422
    fixed = {**change, "organization": {**looped, "superiorId": "ROOT", "name": "Sales & Success"}}
    assert (await hook(fixed)).status_code == 202  # the same delivery id, now acceptable

    # A full export that leaves a unit out closes it (kept in its place: people sit in it).
    closed = (
        await c.put(
            "/v1/org-units",
            content="orgunit_id,name,parent_id,head_id\nROOT,Acme,,CEO\nENG,Engineering,ROOT,M1\n"
            "SALES,Sales & Success,ROOT,\nHELP,Help desk,ROOT,NOBODY\n",
            headers={**hr, **CSV},
        )
    ).json()
    assert (closed["created"], closed["closed"], closed["unchanged"]) == (1, 1, 3)
    # A head the gateway does not know (yet) is taken, with a warning naming the line.
    assert closed["warnings"] == [
        {"line": 5, "message": "head_id NOBODY of HELP is not a known employee (yet)"}
    ]
    plat = [
        u for u in (await c.get("/v1/org-units", headers=hr)).json() if u["orgunit_id"] == "PLAT"
    ]
    assert plat[0]["active"] is False
    assert plat[0]["parent_id"] == "SALES"


async def test_a_pulse_for_a_department_asks_its_subtree_and_whoever_a_move_brings_in(
    svc: RunningService,
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    c = svc.client
    hr = auth(tenant, "HR", "hr_admin")
    await import_directory(c, tenant, DIRECTORY)
    assert (await c.put("/v1/org-units", content=TREE, headers={**hr, **CSV})).status_code == 200
    now = datetime.now(UTC)
    created = await c.post(
        "/v1/surveys",
        json={
            "name": "Engineering pulse",
            "questions": [{"question_id": "g", "text": "Growth?", "topic": "growth"}],
            "audience": {"kind": "departments", "ids": ["ENG"]},
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
        },
        headers=hr,
    )
    assert created.status_code == 201, created.text
    sid = created.json()["survey_id"]

    async def asked(who: str) -> bool:
        mine = (await c.get("/v1/me/surveys", headers=auth(tenant, who))).json()
        return any(s["survey_id"] == sid for s in mine)

    # ENG's head and the people of PLAT, below ENG, are asked; Sales is not.
    assert [await asked(p) for p in ("M1", "E1", "E2", "S1")] == [True, True, True, False]
    # Sales moves under Engineering: its people are asked, with no change to any person.
    r = await c.put("/v1/org-units/SALES", json={"name": "Sales", "parent_id": "ENG"}, headers=hr)
    assert r.status_code == 200, r.text
    assert await asked("S1")

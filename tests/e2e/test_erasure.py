"""Erasure across the platform, each service its own process (issue: personal data).

A small company goes through the programme; then HR erases two people: one
with a finished plan, private notes and assessments, one passed over for a
role. Afterwards:

- every topic, read from the beginning by an independent Kafka client, holds
  none of their personal values in the clear, and what was sealed for them
  no longer opens (their keys are gone) while a colleague's still does;
- no service's database holds a row that names them;
- the company's figures are what they were before the erasure, and a metrics
  service replaying every topic from the beginning computes the same figures.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from careerstream.devstack.processes import Platform, eventually, platform
from careerstream.devstack.sample import auth
from careerstream.devstack.stack import Endpoints
from careerstream.devstack.story import (
    ENGINEERING_JOBS,
    rated_one_level_short,
    tenant_messages,
    workday_company,
    workday_hires,
)
from careerstream.devstack.testing import service_factory
from careerstream.servicekit.keys import DEV_PRIVACY_SECRET, service_token
from careerstream.servicekit.sealing import DataKey, open_sealed

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
ERASED = ("ERASE1", "ERASE2")


def _differences(want: Any, got: Any, at: str = "") -> list[str]:
    """Where two JSON documents differ, as `path: want != got` lines."""
    if isinstance(want, dict) and isinstance(got, dict):
        return [
            line
            for key in sorted(set(want) | set(got), key=str)
            for line in _differences(want.get(key), got.get(key), f"{at}/{key}")
        ]
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [
            line
            for i, (w, g) in enumerate(zip(want, got, strict=True))
            for line in _differences(w, g, f"{at}/{i}")
        ]
    return [] if want == got else [f"{at}: {want!r} != {got!r}"]


FIGURES = ("headline", "mobility", "development", "engagement")


def _worker(emp: str, code: str, manager: str | None) -> dict[str, Any]:
    return {
        "workerId": emp,
        "name": f"Name-of-{emp}",
        "jobProfile": {"code": code, "title": f"Title-of-{emp}"},
        "supervisorId": manager,
        "organizationId": "ENG",
        "location": f"Town-of-{emp}",
        "demographics": {"gender": f"gender-of-{emp}"},
    }


def _secrets(emp: str) -> list[str]:
    """Personal values of `emp` that must never be readable once they are erased."""
    return [
        f"Name-of-{emp}",
        f"Title-of-{emp}",
        f"Town-of-{emp}",
        f"gender-of-{emp}",
        f"evidence-of-{emp}",
        f"action-of-{emp}",
        f"checkin-notes-of-{emp}",
        f"conversation-notes-of-{emp}",
    ]


async def _company(p: Platform, tenant: str) -> None:
    """D directs M, who manages ERASE1, ERASE2 and KEEP."""
    hr = auth(tenant, "HR", "hr_admin")
    secret = await workday_company(p, hr, ENGINEERING_JOBS)
    people = (
        ("D", "DIR", None),
        ("M", "MGR", "D"),
        ("ERASE1", "ENG1", "M"),
        ("ERASE2", "ENG1", "M"),
        ("KEEP", "ENG1", "M"),
    )
    await workday_hires(p["hris"], tenant, secret, [_worker(*person) for person in people])


async def _finished_plan(p: Platform, tenant: str, emp: str) -> None:
    """Assessed (with evidence), a plan drafted, approved, checked in on, talked about, done."""
    hr, me, mgr = (
        auth(tenant, "HR", "hr_admin"),
        auth(tenant, emp, "employee"),
        auth(tenant, "M", "manager"),
    )

    async def known() -> Any:
        r = await p["assessments"].get(f"/v1/employees/{emp}/gaps", headers=hr)
        return r.status_code == 200 and r.json()["analyses"]

    await eventually(known, f"the assessments service knows {emp}")
    deadline = (datetime.now(UTC) + timedelta(days=14)).isoformat()
    cycle = await p["assessments"].post(
        "/v1/cycles", json={"name": "Erasure cycle", "deadline": deadline}, headers=hr
    )
    assert cycle.status_code == 201, cycle.text
    await rated_one_level_short(p, emp, me, mgr, evidence=f"evidence-of-{emp}")

    async def drafted() -> Any:
        plans = (await p["plans"].get(f"/v1/plans?employee_id={emp}", headers=me)).json()
        return plans[0] if plans and plans[0]["status"] == "draft" else None

    plan = await eventually(drafted, f"a draft plan for {emp}")
    pid = plan["plan_id"]
    assert (await p["plans"].post(f"/v1/plans/{pid}/approve", headers=mgr)).status_code == 200
    goals = (await p["plans"].get(f"/v1/plans/{pid}", headers=me)).json()["goals"]
    target = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    r = await p["plans"].post(
        f"/v1/goals/{goals[0]['goal_id']}/actions",
        json={
            "kind": "mentoring",
            "title": f"action-of-{emp}",
            "owner_id": emp,
            "target_date": target,
        },
        headers=me,
    )
    assert r.status_code == 201, r.text
    r = await p["plans"].post(
        f"/v1/plans/{pid}/checkins",
        json={"notes": f"checkin-notes-of-{emp}", "progress_rating": 4},
        headers=mgr,
    )
    assert r.status_code == 201, r.text
    r = await p["plans"].post(
        "/v1/conversations",
        json={
            "employee_id": emp,
            "kind": "career",
            "held_at": datetime.now(UTC).isoformat(),
            "notes": f"conversation-notes-of-{emp}",
        },
        headers=mgr,
    )
    assert r.status_code == 201, r.text
    for goal in goals:
        r = await p["plans"].post(
            f"/v1/goals/{goal['goal_id']}/complete", json={"outcome": "achieved"}, headers=mgr
        )
        assert r.status_code == 200, r.text
    got = (await p["plans"].get(f"/v1/plans/{pid}", headers=me)).json()
    assert got["outcome"] == "completed", got


async def _passed_over(p: Platform, tenant: str, emp: str, winner: str) -> None:
    mgr = auth(tenant, "M", "manager")

    async def post() -> Any:
        r = await p["mobility"].post(
            "/v1/opportunities",
            json={
                "kind": "role",
                "title": "Senior Engineer",
                "role_id": "engineering.senior-engineer",
            },
            headers=mgr,
        )
        return r if r.status_code == 201 else None

    oid = (await eventually(post, "an opportunity")).json()["opportunity_id"]
    apps = {}
    for who in (emp, winner):

        async def apply(who: str = who) -> Any:
            r = await p["mobility"].post(
                f"/v1/opportunities/{oid}/applications", headers=auth(tenant, who, "employee")
            )
            return r if r.status_code == 201 else None

        apps[who] = (await eventually(apply, f"{who} applies")).json()["application_id"]
    seen = await p["mobility"].get(f"/v1/opportunities/{oid}/candidates", headers=mgr)
    assert seen.status_code == 200, seen.text
    r = await p["mobility"].post(
        f"/v1/opportunities/{oid}/select", json={"application_id": apps[winner]}, headers=mgr
    )
    assert r.status_code == 200, r.text


async def _figures(p: Platform, tenant: str) -> dict[str, Any]:
    hr = auth(tenant, "HR", "hr_admin")
    out = {}
    for view in FIGURES:
        r = await p["metrics"].get(f"/v1/metrics/{view}", headers=hr)
        assert r.status_code == 200, r.text
        body = r.json()
        body.pop("computed_at", None)
        body.pop("as_of", None)
        out[view] = body
    return out


async def _everything_on_kafka(
    bootstrap: str, topics: list[str], tenant: str
) -> list[dict[str, Any]]:
    """Every message of the tenant on every topic, from the beginning (a client of our own)."""
    return [
        {"topic": topic, "raw": value.decode(errors="replace")}
        for topic, value in await tenant_messages(bootstrap, topics, tenant)
    ]


async def _fetch_keys(privacy: httpx.AsyncClient, tenant: str, kids: set[str]) -> dict[str, Any]:
    token = service_token(DEV_PRIVACY_SECRET, tenant=tenant, service="outsider")
    r = await privacy.post(
        "/v1/privacy/keys/fetch",
        json={"kids": sorted(kids)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _rows_naming(url: str, needles: list[str]) -> list[str]:
    """`schema.table: n` for every table of the database with rows whose text holds a needle."""
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'public') "
            "AND table_type = 'BASE TABLE'"
        )
        found = []
        for t in tables:
            name = f'"{t["table_schema"]}"."{t["table_name"]}"'
            if t["table_name"] in ("erasures", "erasure_answers", "data_keys", "inbox"):
                # The record of the erasure itself and the suppression record of the destroyed
                # key (both kept so that it is never undone: see docs/privacy.md); consumed
                # event ids.
                continue
            for needle in needles:
                n = await conn.fetchval(
                    f"SELECT count(*) FROM {name} x WHERE strpos(x::text, $1) > 0", needle
                )
                if n:
                    found.append(f"{name} holds {needle!r} in {n} row(s)")
        return found
    finally:
        await conn.close()


async def test_erasing_two_people_leaves_nothing_of_them_and_the_figures_unchanged(
    endpoints: Endpoints, platform_topics: list[str], tmp_path: Path
) -> None:
    tenant = f"erase{datetime.now(UTC).strftime('%H%M%S%f')}"
    hr = auth(tenant, "HR", "hr_admin")
    async with platform(endpoints, tmp_path, {"METRICS_ANONYMITY_THRESHOLD": "1"}) as p:
        await _company(p, tenant)
        await _finished_plan(p, tenant, "ERASE1")
        await _passed_over(p, tenant, "ERASE2", winner="KEEP")

        async def settled() -> Any:
            figures = await _figures(p, tenant)
            mob, dev = figures["mobility"], figures["development"]
            head = figures["headline"].get("figures", {})
            settled = (
                mob.get("fills"),
                dev.get("plans_ended"),
                dev.get("plan_completion_rate"),
                head.get("fills"),
                head.get("plan_completion_rate"),
            ) == (1, 1, 1.0, 1, 1.0)
            # The views are read one after another: each must show every event of the company,
            # and a second read must find them as they were (nothing still on its way).
            return figures if settled and await _figures(p, tenant) == figures else None

        before = await eventually(settled, "the metrics of the company", timeout=90)

        # Sealing is on: a colleague's personal values travel sealed, and open with her key.
        events = await _everything_on_kafka(endpoints.kafka_bootstrap, platform_topics, tenant)
        hired = [
            json.loads(e["raw"])
            for e in events
            if '"careerstream.hris.employee.hired.v1"' in e["raw"]
        ]
        keep = next(e for e in hired if e["data"]["employee_id"] == "KEEP")
        assert "Name-of-KEEP" not in json.dumps(keep)
        keys = await _fetch_keys(p["privacy"], tenant, {keep["kid"]})
        data = keep["data"]
        open_sealed(
            data, keep["id"], DataKey(keep["kid"], base64.b64decode(keys["keys"][0]["key"]))
        )
        assert data["display_name"] == "Name-of-KEEP"
        # Her group attributes are not in it: they travel apart, on the topic only metrics
        # reads, sealed with the same key.
        assert data["details"].get("group_attributes") is None
        groups = next(
            json.loads(e["raw"])
            for e in events
            if '"careerstream.hris.groups.recorded.v1"' in e["raw"]
            and json.loads(e["raw"])["data"]["employee_id"] == "KEEP"
        )
        assert "gender-of-KEEP" not in json.dumps(groups)
        opened = groups["data"]
        open_sealed(
            opened,
            groups["id"],
            DataKey(keep["kid"], base64.b64decode(keys["keys"][0]["key"])),
        )
        assert groups["kid"] == keep["kid"]
        assert opened["group_attributes"] == {"gender": "gender-of-KEEP"}

        # A subject access export: everything held about KEEP, from every service.
        export = await p["privacy"].get("/v1/privacy/employees/KEEP/export", headers=hr)
        assert export.status_code == 200, export.text
        assert "attachment" in export.headers["content-disposition"]
        doc = export.json()
        assert doc["complete"] is True
        assert set(doc["services"]) == {
            "frameworks",
            "assessments",
            "plans",
            "mobility",
            "metrics",
            "hris",
            "privacy",
            "notifications",
        }
        sections = doc["services"]
        assert sections["hris"]["records"]["people"][0]["display_name"] == "Name-of-KEEP"
        assert sections["mobility"]["records"]["applications"][0]["status"] == "selected"
        assert sections["metrics"]["records"]["employees"][0]["employee_id"] == "KEEP"
        assert sections["assessments"]["records"]["employees"][0]["manager_id"] == "M"
        assert sections["privacy"]["records"]["data_keys"][0]["destroyed_at"] is None
        assert "key" not in sections["privacy"]["records"]["data_keys"][0]
        # ERASE1's export holds their plan's private notes, and not other people's rows.
        mine = (
            await p["privacy"].get(
                "/v1/privacy/employees/ERASE1/export", headers=auth(tenant, "ERASE1", "employee")
            )
        ).json()
        notes = [c["notes"] for c in mine["services"]["plans"]["records"]["checkins"]]
        assert notes == ["checkin-notes-of-ERASE1"]
        assert "KEEP" not in json.dumps(mine["services"]["mobility"])
        for who, role, whose, status in (
            ("M", "manager", "KEEP", 403),
            ("ERASE2", "employee", "KEEP", 403),
            ("HR", "hr_admin", "NOBODY", 404),
        ):
            r = await p["privacy"].get(
                f"/v1/privacy/employees/{whose}/export", headers=auth(tenant, who, role)
            )
            assert r.status_code == status, (who, r.text)
        other = await p["privacy"].get(
            "/v1/privacy/employees/KEEP/export", headers=auth("elsewhere", "HR", "hr_admin")
        )
        assert other.status_code == 404

        # The audit trail: who has seen KEEP's data. HR sees who; KEEP sees roles and dates.
        async def trail() -> Any:
            got = (await p["privacy"].get("/v1/privacy/employees/KEEP/accesses", headers=hr)).json()
            routes = {(a["actor_id"], a["service"], a["route"]) for a in got}
            wanted = {
                ("M", "mobility", "/v1/opportunities/{opportunity_id}/candidates"),
                ("HR", "privacy", "/v1/privacy/employees/{employee_id}/export"),
            }
            return got if wanted <= routes else None

        await eventually(trail, "the audit trail of KEEP", timeout=60)
        own = await p["privacy"].get(
            "/v1/privacy/employees/KEEP/accesses", headers=auth(tenant, "KEEP", "employee")
        )
        assert own.status_code == 200
        assert own.json()
        assert all("actor_id" not in a for a in own.json())
        assert {"manager"} in [set(a["actor_roles"]) for a in own.json()]
        refused = await p["privacy"].get(
            "/v1/privacy/employees/KEEP/accesses", headers=auth(tenant, "M", "manager")
        )
        assert refused.status_code == 403

        async def erase1_seen() -> Any:
            got = (
                await p["privacy"].get("/v1/privacy/employees/ERASE1/accesses", headers=hr)
            ).json()
            seen = {(a["actor_id"], a["action"], a["route"]) for a in got}
            wanted = {
                ("ERASE1", "read", "/v1/plans/{plan_id}"),
                ("M", "write", "/v1/plans/{plan_id}/approve"),  # found by the access check
                ("M", "write", "/v1/plans/{plan_id}/checkins"),
            }
            return got if wanted <= seen else None

        await eventually(erase1_seen, "the audit trail of ERASE1", timeout=60)

        # HR erases the two while the plans service is down: the erasure waits for it.
        p.services["plans"].stop()
        erasures = {}
        for emp in ERASED:
            r = await p["privacy"].post(
                "/v1/privacy/erasures",
                json={"employee_id": emp, "reason": "the employee asked (GDPR art. 17)"},
                headers=hr,
            )
            assert r.status_code == 202, r.text
            erasures[emp] = r.json()["erasure_id"]
        for emp, eid in erasures.items():

            async def all_but_plans(eid: str = eid) -> Any:
                got = (await p["privacy"].get(f"/v1/privacy/erasures/{eid}", headers=hr)).json()
                answered = {s["service"] for s in got["services"] if s["answered_at"]}
                if len(answered) == 6:
                    return got
                raise AssertionError(f"answered: {got}")

            waiting = await eventually(all_but_plans, f"six services erasing {emp}", timeout=90)
            assert waiting["status"] == "in_progress"
            pending = [s["service"] for s in waiting["services"] if s["answered_at"] is None]
            assert pending == ["plans"]
        p.services["plans"].start()  # back: it reads the requests it missed, and answers
        await p.ready("plans")
        for emp, eid in erasures.items():

            async def completed(eid: str = eid) -> Any:
                got = (await p["privacy"].get(f"/v1/privacy/erasures/{eid}", headers=hr)).json()
                return got if got["status"] == "completed" else None

            done = await eventually(completed, f"the erasure of {emp}", timeout=90)
            assert done["missing"] == []
            assert {s["service"] for s in done["services"] if s["answered_at"]} == {
                "frameworks",
                "assessments",
                "plans",
                "mobility",
                "metrics",
                "hris",
                "notifications",
            }
        parts = {s["service"]: s for s in done["services"]}  # ERASE2's erasure
        assert parts["mobility"]["deleted"].get("applications") == 1  # their application
        # Metrics knew them as passed over (from the restricted topic), and keeps the fact.
        assert parts["metrics"]["anonymised"].get("passed_over") == 1

        # 1. Kafka: nothing of theirs in the clear; what was sealed for them never opens again.
        events = await _everything_on_kafka(endpoints.kafka_bootstrap, platform_topics, tenant)
        assert len(events) > 20
        for e in events:
            for emp in ERASED:
                for value in _secrets(emp):
                    assert value not in e["raw"], f"{value} in the clear on {e['topic']}"
        theirs = {
            (_ev := json.loads(e["raw"]))["kid"]
            for e in events
            if '"kid"' in e["raw"] and json.loads(e["raw"])["data"].get("employee_id") in ERASED
        }
        assert theirs, "no sealed event of the erased people was found"
        fetched = await _fetch_keys(p["privacy"], tenant, theirs)
        assert fetched["keys"] == []
        assert set(fetched["gone"]) == theirs
        assert (await _fetch_keys(p["privacy"], tenant, {keep["kid"]}))["keys"]

        # 2. No service's database names them.
        for name, svc in p.services.items():
            url = svc.env[f"{name.upper()}_DATABASE_URL"].replace("+asyncpg", "")
            needles = [*ERASED, *(v for emp in ERASED for v in _secrets(emp))]
            found = await _rows_naming(url, needles)
            assert found == [], f"{name}: {found}"

        privacy_db = p.services["privacy"].env["PRIVACY_DATABASE_URL"].replace("+asyncpg", "")
        conn = await asyncpg.connect(privacy_db)
        try:
            left = await conn.fetch(
                "SELECT employee_id, wrapped IS NULL AS destroyed, master_kid FROM privacy.data_keys "
                "WHERE tenant_id = $1 AND employee_id = ANY($2::text[])",
                tenant,
                list(ERASED),
            )
        finally:
            await conn.close()
        assert sorted(r["employee_id"] for r in left) == sorted(ERASED)
        assert all(r["destroyed"] and r["master_kid"] is None for r in left)

        # 3. The company's figures have not changed...
        assert await _figures(p, tenant) == before

        # ...and a metrics service that replays every topic from the beginning agrees.
        os.environ["CAREERSTREAM_PRIVACY_URL"] = p.services["privacy"].url
        try:
            start = service_factory(endpoints)
            async with start("metrics", replay=True, anonymity_threshold=1) as replay:
                # It reads the backlog of every earlier test too: wait until its groups have
                # consumed everything there is (the exact state), however long that backlog is.
                began = time.monotonic()

                async def caught_up() -> Any:
                    lag = await replay.runtime.lag.measure(timeout=10)
                    if lag and not any(lag.values()):
                        return lag
                    raise AssertionError(f"{sum(lag.values())} messages to go" if lag else lag)

                await eventually(caught_up, "the replay reading every topic", timeout=900)
                print(f"replayed every topic in {time.monotonic() - began:.0f}s")

                async def replayed() -> Any:
                    figures = {}
                    for view in FIGURES:
                        r = await replay.client.get(f"/v1/metrics/{view}", headers=hr)
                        body = r.json()
                        body.pop("computed_at", None)
                        body.pop("as_of", None)
                        figures[view] = body
                    if figures == before:
                        return figures
                    # Raised (and kept by `eventually`) so a timeout says what differs.
                    raise AssertionError(_differences(before, figures))

                await eventually(replayed, "the replayed figures", timeout=60)
        finally:
            os.environ.pop("CAREERSTREAM_PRIVACY_URL", None)
        await asyncio.sleep(0)

"""A department means its whole subtree, in every service, and moving a unit re-groups everyone
in it with no event about any person — every service its own process.

HR gives the gateway the tree (Acme > Engineering > Platform; Acme > Sales) and the
directory (Platform's people sit in Platform, not in Engineering). Then:
- an Engineering-only opportunity is open to Platform's people, not to Sales';
- the metrics of department Engineering count Platform's people;
- a cycle for Engineering assesses Platform's people;
and once Sales moves under Engineering (one `orgunit.changed`), Sales' people see the
opportunity, join the open cycle and count in Engineering's figures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from careerstream.devstack.processes import eventually, platform
from careerstream.devstack.sample import auth, import_directory
from careerstream.devstack.stack import Endpoints
from careerstream.devstack.story import map_jobs, publish_example_framework

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
DIRECTORY = (
    "employee_id,display_name,job_code,manager_id,department_id\n"
    "CEO,C,MGR,,ROOT\nM1,M,MGR,CEO,ENG\nE1,A,ENG1,M1,PLAT\nE2,B,ENG1,M1,PLAT\n"
    "S1,S,ENG1,CEO,SALES\n"
)
TREE = (
    "orgunit_id,name,parent_id,head_id\n"
    "ROOT,Acme,,CEO\nENG,Engineering,ROOT,M1\nPLAT,Platform,ENG,\nSALES,Sales,ROOT,\n"
)


async def test_a_department_is_its_subtree_and_a_move_regroups_everyone_in_it(
    endpoints: Endpoints, platform_topics: list[str], tmp_path: Path
) -> None:
    tenant = f"tree{datetime.now(UTC).strftime('%H%M%S%f')}"
    hr = auth(tenant, "HR", "hr_admin")
    async with platform(endpoints, tmp_path, {"METRICS_ANONYMITY_THRESHOLD": "1"}) as p:
        await publish_example_framework(p, hr)
        await map_jobs(
            p,
            hr,
            {"ENG1": "engineering.software-engineer", "MGR": "engineering.engineering-manager"},
        )
        tree = await p["hris"].put(
            "/v1/org-units", content=TREE, headers={**hr, "Content-Type": "text/csv"}
        )
        assert tree.status_code == 200, tree.text
        await import_directory(p["hris"], tenant, DIRECTORY)

        async def seen_by(who: str) -> set[str]:
            r = await p["mobility"].get("/v1/opportunities", headers=auth(tenant, who))
            assert r.status_code == 200, r.text
            return {o["opportunity_id"] for o in r.json()}

        async def known_to_mobility() -> Any:
            # The CEO's direct reports, as mobility knows them: S1 is known there.
            r = await p["mobility"].get(
                "/v1/me/reports/opportunities", headers=auth(tenant, "CEO", "manager")
            )
            return r.status_code == 200 and {x["employee_id"] for x in r.json()} == {"M1", "S1"}

        await eventually(known_to_mobility, "mobility knows the directory")
        posted = await p["mobility"].post(
            "/v1/opportunities",
            json={
                "kind": "role",
                "title": "Engineering only",
                "role_id": "engineering.senior-engineer",
                "visibility": "department",
                "department_id": "ENG",
            },
            headers=auth(tenant, "M1", "manager"),
        )
        assert posted.status_code == 201, posted.text
        oid = posted.json()["opportunity_id"]

        async def platform_sees_it() -> bool:
            return oid in await seen_by("E1")

        await eventually(platform_sees_it, "Platform sees Engineering's opportunity")
        assert oid not in await seen_by("S1")
        assert (
            await p["mobility"].get(f"/v1/opportunities/{oid}", headers=auth(tenant, "S1"))
        ).status_code == 404

        async def eng_headcount() -> int:
            r = await p["metrics"].get("/v1/metrics/mobility?department=ENG", headers=hr)
            assert r.status_code == 200, r.text
            return int(r.json()["headcount"])

        async def three() -> bool:
            return await eng_headcount() == 3

        await eventually(three, "Engineering's figures count M1, E1 and E2")

        deadline = (datetime.now(UTC) + timedelta(days=14)).isoformat()
        cycle = await p["assessments"].post(
            "/v1/cycles",
            json={
                "name": "Engineering",
                "deadline": deadline,
                "population": {"kind": "department", "ids": ["ENG"]},
            },
            headers=hr,
        )
        assert cycle.status_code == 201, cycle.text
        cid = cycle.json()["cycle_id"]

        async def in_cycle(who: str) -> bool:
            r = await p["assessments"].get(f"/v1/assessments?employee_id={who}", headers=hr)
            assert r.status_code == 200, r.text
            return any(a["cycle_id"] == cid for a in r.json())

        assert [await in_cycle(x) for x in ("M1", "E1", "E2", "S1")] == [True, True, True, False]

        # Sales moves under Engineering: one unit changes; nobody's record does.
        moved = await p["hris"].put(
            "/v1/org-units/SALES", json={"name": "Sales", "parent_id": "ENG"}, headers=hr
        )
        assert moved.status_code == 200, moved.text

        async def sales_sees_it() -> bool:
            return oid in await seen_by("S1")

        async def sales_in_cycle() -> bool:
            return await in_cycle("S1")

        async def four() -> bool:
            return await eng_headcount() == 4

        await eventually(sales_sees_it, "Sales sees Engineering's opportunity after the move")
        await eventually(sales_in_cycle, "Sales joins Engineering's open cycle after the move")
        await eventually(four, "Engineering's figures count Sales after the move")

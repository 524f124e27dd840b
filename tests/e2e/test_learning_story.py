"""An LMS moves a plan with nobody ticking a box, every service its own process.

Hired through the gateway (with a work e-mail address) -> assessed -> a plan with one
gap goal -> HR connects the LMS and imports its course catalogue -> the employee plans
the LMS course -> the LMS sends a LinkedIn-Learning-style completion -> the action is
done from the LMS, the goal achieved, the plan completed -> the metrics count the course
and the LMS's share of plan actions -> the person's access export holds the statement.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from careerstream.devstack.processes import eventually, platform
from careerstream.devstack.sample import auth
from careerstream.devstack.stack import Endpoints
from careerstream.devstack.story import rated_one_level_short, workday_company, workday_hires

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
COURSE = "urn:li:lyndaCourse:189800"


async def test_an_lms_completion_moves_a_plan_to_done_and_into_the_figures(
    endpoints: Endpoints, platform_topics: list[str], tmp_path: Path
) -> None:
    tenant = f"learn{datetime.now(UTC).strftime('%H%M%S%f')}"
    hr = auth(tenant, "HR", "hr_admin")
    me, mgr = auth(tenant, "E", "employee"), auth(tenant, "M", "manager")
    async with platform(endpoints, tmp_path, {"METRICS_ANONYMITY_THRESHOLD": "1"}) as p:
        secret = await workday_company(
            p,
            hr,
            {"ENG1": "engineering.software-engineer", "MGR": "engineering.engineering-manager"},
        )
        await workday_hires(
            p["hris"],
            tenant,
            secret,
            [
                {
                    "workerId": who,
                    "name": f"Name of {who}",
                    "jobProfile": {"code": code, "title": code},
                    "supervisorId": boss,
                    "organizationId": "ENG",
                    "email": f"{who.lower()}@acme.example",
                }
                for who, code, boss in (("M", "MGR", None), ("E", "ENG1", "M"))
            ],
        )

        # Assessed: the manager rates one competency a level short.
        async def known() -> Any:
            r = await p["assessments"].get("/v1/employees/E/gaps", headers=hr)
            return r.status_code == 200 and r.json()["analyses"]

        await eventually(known, "the assessments service knows E")
        deadline = (datetime.now(UTC) + timedelta(days=14)).isoformat()
        cycle = await p["assessments"].post(
            "/v1/cycles", json={"name": "Learning cycle", "deadline": deadline}, headers=hr
        )
        assert cycle.status_code == 201, cycle.text
        short = await rated_one_level_short(p, "E", me, mgr)

        async def drafted() -> Any:
            plans = (await p["plans"].get("/v1/plans?employee_id=E", headers=me)).json()
            return plans[0] if plans and plans[0]["status"] == "draft" else None

        pid = (await eventually(drafted, "a draft plan for E"))["plan_id"]
        assert (await p["plans"].post(f"/v1/plans/{pid}/approve", headers=mgr)).status_code == 200
        (goal,) = (await p["plans"].get(f"/v1/plans/{pid}", headers=me)).json()["goals"]
        assert goal["competency_id"] == short

        # HR connects the LMS and imports its catalogue (previewed first).
        creds = (
            await p["hris"].put(
                "/v1/learning-sources/linkedin", json={"name": "LinkedIn Learning"}, headers=hr
            )
        ).json()
        lms = {
            "Authorization": "Basic "
            + base64.b64encode(f"{creds['key']}:{creds['secret']}".encode()).decode(),
            "X-Experience-API-Version": "1.0.3",
        }
        csv = (
            "activity_id,title,competency_id,kind,entry_id\n"
            f"{COURSE},Learning SQL Programming,{short},course,sql-course\n"
        )
        ctype = {**hr, "Content-Type": "text/csv"}
        preview = (
            await p["plans"].post("/v1/learning/catalogue-imports", content=csv, headers=ctype)
        ).json()
        assert [(c["entry_id"], c["entry"]) for c in preview["courses"]] == [("sql-course", "new")]
        applied = await p["plans"].post(
            "/v1/learning/catalogue-imports?apply=true", content=csv, headers=ctype
        )
        assert applied.status_code == 200, applied.text

        # E plans the course; the goal's suggested steps are set aside.
        target = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
        r = await p["plans"].post(
            f"/v1/goals/{goal['goal_id']}/actions",
            json={
                "kind": "course",
                "title": "Learning SQL Programming",
                "owner_id": "E",
                "target_date": target,
                "entry_id": "sql-course",
            },
            headers=me,
        )
        assert r.status_code == 201, r.text
        course_action = r.json()["action_id"]
        for a in goal["actions"]:
            r = await p["plans"].post(
                f"/v1/actions/{a['action_id']}/status", json={"status": "cancelled"}, headers=me
            )
            assert r.status_code == 200

        # The LMS sends the completion, by e-mail address.
        statement = {
            "id": str(uuid.uuid4()),
            "actor": {"objectType": "Agent", "name": "Name of E", "mbox": "mailto:E@acme.example"},
            "verb": {
                "id": "http://adlnet.gov/expapi/verbs/completed",
                "display": {"en-US": "completed"},
            },
            "object": {
                "objectType": "Activity",
                "id": COURSE,
                "definition": {
                    "name": {"en-US": "Learning SQL Programming"},
                    "type": "http://adlnet.gov/expapi/activities/course",
                },
            },
            "result": {"completion": True, "duration": "PT1H32M"},
            "timestamp": datetime.now(UTC).isoformat(),
        }

        async def sent() -> Any:
            # The gateway knows E's address once the hire is applied (it is, by now).
            r = await p["hris"].post("/xapi/statements", json=statement, headers=lms)
            assert r.status_code == 200, r.text
            return r.json()

        assert await eventually(sent, "the LMS's statement") == [statement["id"]]

        async def completed() -> Any:
            plan = (await p["plans"].get(f"/v1/plans/{pid}", headers=me)).json()
            return plan if plan["status"] == "completed" else None

        plan = await eventually(completed, "the plan completed by the LMS", timeout=90)
        (g,) = plan["goals"]
        action = next(a for a in g["actions"] if a["action_id"] == course_action)
        assert (action["status"], action["via"], g["status"]) == ("done", "lms", "achieved")
        assert [x["statement_id"] for x in action["learning"]] == [statement["id"]]

        async def counted() -> Any:
            r = await p["metrics"].get("/v1/metrics/learning", headers=hr)
            body = r.json()
            return (
                body
                if body.get("courses_completed") == 1 and body.get("plan_actions_done") == 1
                else None
            )

        figures = await eventually(counted, "the learning figures", timeout=90)
        assert figures["plan_actions_done_through_lms"] == 1
        assert figures["lms_share_of_plan_actions_done"] == 1.0
        assert figures["courses_completed_per_employee"] == 0.5  # one course, two people
        assert figures["plan_to_lms_completion_median_days"] is not None

        async def development() -> Any:
            body = (await p["metrics"].get("/v1/metrics/development", headers=hr)).json()
            return body if body.get("plan_completion_rate") == 1.0 else None

        await eventually(development, "the plan counted as completed", timeout=90)

        # The statement is part of E's personal data: the access export holds it.
        export = await p["privacy"].get("/v1/privacy/employees/E/export", headers=hr)
        assert export.status_code == 200, export.text
        held = export.json()["services"]["hris"]["records"]["learning_statements"]
        assert [s["statement_id"] for s in held] == [statement["id"]]
        records = export.json()["services"]["plans"]["records"]["learning_records"]
        assert [r["statement_id"] for r in records] == [statement["id"]]

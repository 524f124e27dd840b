"""The platform's main job, seen whole: one person's story across every service, each its own process.

Hired through the gateway -> framework published -> self and manager
assessments -> completed -> gaps -> a plan drafted -> an opportunity posted ->
matched, applies, selected -> role.filled -> the HRIS change -> the metrics show
the internal fill, its time-to-fill and the plan.

Every request of the story carries one W3C trace context; every service exports
its spans to a receiver in the test, which shows that trace id crossing each
service's API, the outbox, Kafka and each consuming service.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from careerstream.devstack.otlp import CONSUMER, OtlpReceiver
from careerstream.devstack.processes import eventually, platform
from careerstream.devstack.sample import auth
from careerstream.devstack.stack import Endpoints
from careerstream.devstack.story import (
    ENGINEERING_JOBS,
    workday_company,
    workday_hires,
    workday_hook,
)

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


def _worker(emp: str, code: str, manager: str | None) -> dict[str, Any]:
    return {
        "workerId": emp,
        "name": emp,
        "jobProfile": {"code": code, "title": code},
        "supervisorId": manager,
        "organizationId": "ENG",
        "demographics": {"gender": "f"},
    }


async def test_the_story_of_one_person(
    endpoints: Endpoints, platform_topics: list[str], tmp_path: Path
) -> None:
    tenant = f"story{datetime.now(UTC).strftime('%H%M%S%f')}"
    hr = auth(tenant, "HR", "hr_admin")
    emp, mgr = auth(tenant, "E", "employee"), auth(tenant, "M", "manager")
    today = datetime.now(UTC).date().isoformat()
    receiver = OtlpReceiver()
    trace_id = secrets.token_hex(16)
    env = {
        "METRICS_ANONYMITY_THRESHOLD": "1",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
    }
    async with platform(endpoints, tmp_path, env) as p:
        for client in p.clients.values():
            client.headers["traceparent"] = f"00-{trace_id}-{secrets.token_hex(8)}-01"
        # Framework and HRIS set-up.
        secret = await workday_company(p, hr, ENGINEERING_JOBS)

        # Hired through the gateway.
        people = (("D", "DIR", None), ("M", "MGR", "D"), ("E", "ENG1", "M"))
        await workday_hires(p["hris"], tenant, secret, [_worker(*person) for person in people])

        # Assessments know E and E's role.
        async def e_known() -> Any:
            r = await p["assessments"].get("/v1/employees/E/gaps", headers=hr)
            return r.status_code == 200 and any(
                a["reference"] == "current" for a in r.json()["analyses"]
            )

        await eventually(e_known, "the assessments service knows E and the framework")
        deadline = (datetime.now(UTC) + timedelta(days=14)).isoformat()
        cycle = await p["assessments"].post(
            "/v1/cycles", json={"name": "Story cycle", "deadline": deadline}, headers=hr
        )
        assert cycle.status_code == 201, cycle.text
        mine = (await p["assessments"].get("/v1/assessments?employee_id=E", headers=emp)).json()
        aid = mine[0]["assessment_id"]
        required = (await p["assessments"].get(f"/v1/assessments/{aid}", headers=emp)).json()[
            "required"
        ]
        assert len(required) >= 4
        target = await p["assessments"].put(
            "/v1/employees/E/target-role",
            json={"role_id": "engineering.senior-engineer"},
            headers=emp,
        )
        assert target.status_code == 200, target.text

        def rate(level_of: Any) -> dict[str, Any]:
            return {
                "ratings": [
                    {"competency_id": c, "level": level_of(c, r)} for c, r in required.items()
                ]
            }

        assert (
            await p["assessments"].post(
                f"/v1/assessments/{aid}/submissions", json=rate(lambda c, r: r), headers=emp
            )
        ).status_code == 201
        # The manager sees one gap: the first competency one level short.
        first = sorted(required)[0]

        async def manager_rates() -> Any:
            r = await p["assessments"].post(
                f"/v1/assessments/{aid}/submissions",
                json=rate(lambda c, r: max(1, r - 1) if c == first else r),
                headers=mgr,
            )
            return r if r.status_code == 201 else None  # until assessments knows M manages E

        done = await eventually(manager_rates, "the manager's ratings")
        assert done.json() == {"rater_kind": "manager", "completed": True}

        # Gaps -> a draft plan in the plans service.
        async def plan() -> Any:
            plans = (await p["plans"].get("/v1/plans?employee_id=E", headers=emp)).json()
            return plans[0] if plans and plans[0]["status"] == "draft" else None

        drafted = await eventually(plan, "a draft plan for E")
        goals = (await p["plans"].get(f"/v1/plans/{drafted['plan_id']}", headers=emp)).json()[
            "goals"
        ]
        assert first in {g["competency_id"] for g in goals}
        assert (
            await p["plans"].post(f"/v1/plans/{drafted['plan_id']}/approve", headers=mgr)
        ).json()["status"] == "active"

        # An opportunity; E is matched, applies and is selected.
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
            return r if r.status_code == 201 else None  # until mobility knows M and the roles

        posted = await eventually(post, "an opportunity posted by M")
        oid = posted.json()["opportunity_id"]

        async def matched() -> Any:
            ranked = (
                await p["mobility"].get(f"/v1/opportunities/{oid}/candidates", headers=mgr)
            ).json()
            e = next((x for x in ranked if x["employee_id"] == "E"), None)
            return e if e and any(c["level"] > 0 for c in e["competencies"]) else None

        match = await eventually(matched, "E among the candidates, with assessed levels")
        assert match["move_kind"] == "promotion"
        application = (
            await p["mobility"].post(f"/v1/opportunities/{oid}/applications", headers=emp)
        ).json()["application_id"]
        filled = await p["mobility"].post(
            f"/v1/opportunities/{oid}/select", json={"application_id": application}, headers=mgr
        )
        assert filled.json()["move_kind"] == "promotion"

        # The HRIS records the move.
        await workday_hook(
            p["hris"],
            tenant,
            secret,
            {
                "eventId": "move-1",
                "eventType": "Job_Change",
                "effectiveDate": today,
                "worker": _worker("E", "ENG2", "M"),
            },
        )

        # The plan closes on the move; the metrics show the fill, its time-to-fill and the plan.
        async def closed() -> Any:
            got = (await p["plans"].get(f"/v1/plans/{drafted['plan_id']}", headers=emp)).json()
            return got["outcome"] == "closed_on_move"

        await eventually(closed, "the plan closed on the move")

        async def figures() -> Any:
            mob = (await p["metrics"].get("/v1/metrics/mobility", headers=hr)).json()
            dev = (await p["metrics"].get("/v1/metrics/development", headers=hr)).json()
            return (mob, dev) if mob.get("fills") == 1 and dev.get("plans_ended") == 1 else None

        mob, dev = await eventually(figures, "the metrics of the story")
        assert mob["internal_hire_rate"] == 1.0
        assert mob["promotions"] == 1
        assert mob["time_to_fill_internal_median_days"] is not None
        assert mob["time_to_fill_internal_median_days"] < 1
        assert dev["plan_completion_rate"] == 0.0  # closed on the move, not completed

        async def role_followed() -> Any:
            r = await p["assessments"].get("/v1/employees/E/gaps", headers=hr)
            current = next(a for a in r.json()["analyses"] if a["reference"] == "current")
            return current["role_id"] == "engineering.senior-engineer"

        await eventually(role_followed, "the assessments service follows E's new role")

        # One trace id followed the story through every service, across Kafka too.
        def consumed_in_trace() -> dict[str, set[str]]:
            got: dict[str, set[str]] = {}
            for span in receiver.trace(trace_id):
                if span.kind == CONSUMER:
                    got.setdefault(span.service, set()).add(
                        span.attributes.get("cloudevents.event_type", "")
                    )
            return got

        # Waits for exactly the spans it asserts on (each service's consumer spans, and the
        # metrics projection applying the gateway's hire and mobility's fill in this trace),
        # never for "some" spans: metrics may consume role.filled after the others report.
        wanted = {
            "careerstream-assessments": set(),
            "careerstream-plans": set(),
            "careerstream-mobility": set(),
            "careerstream-metrics": {
                "careerstream.hris.employee.hired.v1",
                "careerstream.mobility.role.filled.v1",
            },
        }

        async def traced() -> Any:
            got = consumed_in_trace()
            return (
                got
                if all(
                    service in got and types <= got[service] for service, types in wanted.items()
                )
                else None
            )

        await eventually(traced, f"consumer spans in the story's trace: {wanted}")
        assert {s.service for s in receiver.trace(trace_id)} >= {
            f"careerstream-{s}"
            for s in ("frameworks", "assessments", "plans", "mobility", "metrics", "hris")
        }
    receiver.close()

"""Plan use cases called directly on the plans service's own (real) database: no HTTP, no Kafka.

Each test gets a fresh copy of the migrated database; what a use case publishes
is read back from its outbox.
"""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from careerstream.contracts.envelope import make_event
from careerstream.contracts.events import plans as ev
from careerstream.contracts.events.assessments import (
    CompetencyGap,
    GapReference,
    SkillgapIdentified,
)
from careerstream.devstack.testing import ServiceDatabase
from careerstream.plans.adapters.orm import competencies, employees, outbox, settings
from careerstream.plans.service_layer import goals, plans, views
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.domain import Forbidden, NotFound

pytestmark = pytest.mark.postgres

TENANT = "acme"
EMPLOYEE = Principal(subject="e1", tenant_id=TENANT, roles=frozenset({Role.EMPLOYEE}))
MANAGER = Principal(subject="m1", tenant_id=TENANT, roles=frozenset({Role.EMPLOYEE}))
STRANGER = Principal(subject="x1", tenant_id=TENANT, roles=frozenset({Role.EMPLOYEE}))
HR = Principal(subject="hr1", tenant_id=TENANT, roles=frozenset({Role.HR_ADMIN}))

ServiceDb = Callable[[str], AbstractAsyncContextManager[ServiceDatabase]]


def _gaps(*gaps: tuple[str, int, int], at: datetime | None = None) -> SkillgapIdentified:
    return SkillgapIdentified(
        assessment_id="a1",
        employee_id="e1",
        role_id="eng-2",
        reference=GapReference.CURRENT,
        gaps=[
            CompetencyGap(competency_id=c, current=cur, required=req, gap=req - cur)
            for c, cur, req in gaps
        ],
        readiness=1.0,
        ready=all(req <= cur for _, cur, req in gaps),
        identified_at=at or datetime.now(UTC),
    )


async def _seed(db: ServiceDatabase, *, mode: str = "draft") -> None:
    async with db.uow() as u:
        await u.session.execute(
            sa.insert(employees),
            [
                {"tenant_id": TENANT, "employee_id": "m1", "manager_id": None, "field_times": {}},
                {"tenant_id": TENANT, "employee_id": "e1", "manager_id": "m1", "field_times": {}},
                {"tenant_id": TENANT, "employee_id": "x1", "manager_id": None, "field_times": {}},
            ],
        )
        await u.session.execute(
            sa.insert(competencies),
            [
                {
                    "tenant_id": TENANT,
                    "competency_id": c,
                    "framework_id": "fw",
                    "framework_version": 1,
                    "name": c.upper(),
                    "descriptors": {},
                    "scale_low": 1,
                    "scale_high": 5,
                }
                for c in ("sql", "go")
            ],
        )
        await u.session.execute(
            sa.insert(settings).values(tenant_id=TENANT, plan_mode=mode, period_months=6)
        )
        await u.commit()


async def _published(db: ServiceDatabase) -> list[str]:
    async with db.uow() as u:
        rows = await u.session.execute(sa.select(outbox.c.event_type).order_by(outbox.c.id))
        return [t.rsplit(".", 2)[-2] for (t,) in rows.all()]


async def _on_gaps(db: ServiceDatabase, payload: SkillgapIdentified) -> None:
    async with db.uow() as u:
        await plans.on_gaps(
            u, make_event(payload, tenant_id=TENANT, source="/careerstream/assessments"), payload
        )
        await u.commit()


async def test_gaps_draft_a_plan_with_a_goal_and_actions_per_gap(service_db: ServiceDb) -> None:
    async with service_db("plans") as db:
        await _seed(db)
        await _on_gaps(db, _gaps(("sql", 1, 3), ("go", 2, 2)))
        assert await _published(db) == ["created", "added"]
        async with db.uow() as u:
            [row] = await views.list_plans(u, EMPLOYEE, None, None)
            view = await views.plan_view(u, MANAGER, row.plan_id)
        assert view["status"] == "draft"
        assert view["your_part"] == "manager"
        [goal] = view["goals"]
        assert (goal["competency_id"], goal["from_level"], goal["to_level"]) == ("sql", 1, 3)
        assert len(goal["actions"]) == 2  # the top catalogue suggestions


async def test_suggest_mode_publishes_nothing_until_accepted(service_db: ServiceDb) -> None:
    async with service_db("plans") as db:
        await _seed(db, mode="suggest")
        await _on_gaps(db, _gaps(("sql", 1, 3)))
        assert await _published(db) == []
        async with db.uow() as u:
            [row] = await views.list_plans(u, EMPLOYEE, None, None)
            with pytest.raises(NotFound):
                await plans.accept(u, STRANGER, row.plan_id)
            await plans.accept(u, EMPLOYEE, row.plan_id)
            await u.commit()
        assert await _published(db) == ["created", "added"]


async def test_a_later_assessment_rebases_then_completes_the_plan(service_db: ServiceDb) -> None:
    async with service_db("plans") as db:
        await _seed(db)
        await _on_gaps(db, _gaps(("sql", 1, 3)))
        await _on_gaps(db, _gaps(("sql", 3, 3)))
        assert await _published(db) == ["created", "added", "completed", "completed"]
        async with db.uow() as u:
            summary = await views.completion_summary(u, TENANT)
        assert summary["plans"] == {"completed": 1}
        assert summary["goal_achievement_rate"] == 1.0


async def test_only_the_employee_records_progress_and_hr_never_works_on_a_plan(
    service_db: ServiceDb,
) -> None:
    async with service_db("plans") as db:
        await _seed(db)
        await _on_gaps(db, _gaps(("sql", 1, 3)))
        async with db.uow() as u:
            [row] = await views.list_plans(u, HR, None, None)
            goal_id = (await views.plan_view(u, HR, row.plan_id))["goals"][0]["goal_id"]
            with pytest.raises(Forbidden, match="managers hold check-ins"):
                await goals.progress(u, MANAGER, goal_id, 10)
            with pytest.raises(Forbidden, match="employee or their manager closes"):
                await goals.complete_goal(u, HR, goal_id, ev.GoalOutcome.ACHIEVED)
            with pytest.raises(NotFound):
                await goals.progress(u, STRANGER, goal_id, 10)
            await goals.progress(u, EMPLOYEE, goal_id, 60)
            await plans.checkin(u, MANAGER, row.plan_id, "steady", 4)
            await u.commit()
        async with db.uow() as u:
            seen_by_hr = await views.plan_view(u, HR, row.plan_id)
        assert seen_by_hr["goals"][0]["progress"] == 60
        assert [c["notes"] for c in seen_by_hr["checkins"]] == [None]  # private to the two


async def test_a_leaver_or_mover_has_no_open_plan(service_db: ServiceDb) -> None:
    async with service_db("plans") as db:
        await _seed(db)
        await _on_gaps(db, _gaps(("sql", 1, 3)))
        async with db.uow() as u:
            await plans.close_open_plans(u, TENANT, "e1", ev.PlanOutcome.CLOSED_ON_MOVE)
            await u.commit()
        async with db.uow() as u:
            [row] = await views.list_plans(u, EMPLOYEE, None, None)
            new = await plans.new_plan(u, EMPLOYEE, "e1")
            await u.commit()
        assert (row.status, row.outcome) == ("closed", "closed_on_move")
        assert new.period_start <= date.today() <= new.period_end
        assert (await _published(db))[-2:] == ["completed", "created"]

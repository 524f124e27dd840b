"""Cycle and rating use cases on the assessments service's own (real) database, no HTTP or Kafka."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from careerstream.assessments.adapters.orm import employees, frameworks, outbox, roles
from careerstream.assessments.domain.rules import RatingIn, Rule
from careerstream.assessments.service_layer import assessing, cycles
from careerstream.contracts.events import assessments as ev
from careerstream.devstack.testing import ServiceDatabase
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.domain import Forbidden, NotFound

pytestmark = pytest.mark.postgres

TENANT = "acme"
HR = Principal(tenant_id=TENANT, subject="hr1", roles=frozenset({Role.HR_ADMIN}))


def _as(who: str) -> Principal:
    return Principal(tenant_id=TENANT, subject=who, roles=frozenset({Role.EMPLOYEE}))


ServiceDb = Callable[[str], AbstractAsyncContextManager[ServiceDatabase]]


async def _seed(db: ServiceDatabase) -> None:
    people = [
        ("m1", None, "eng-3"),
        ("e1", "m1", "eng-2"),
        ("e2", "m1", "eng-2"),
        ("x1", None, None),
    ]
    async with db.uow() as u:
        await u.session.execute(
            sa.insert(employees),
            [
                {
                    "tenant_id": TENANT,
                    "employee_id": e,
                    "manager_id": m,
                    "role_id": r,
                    "department_id": "eng",
                    "field_times": {},
                }
                for e, m, r in people
            ],
        )
        await u.session.execute(
            sa.insert(frameworks).values(
                tenant_id=TENANT,
                framework_id="fw",
                version=1,
                scale_low=1,
                scale_high=5,
                competencies=[],
            )
        )
        await u.session.execute(
            sa.insert(roles),
            [
                {
                    "tenant_id": TENANT,
                    "role_id": r,
                    "framework_id": "fw",
                    "framework_version": 1,
                    "family_id": "eng",
                    "level_id": r,
                    "title": r,
                    "requirements": {"sql": 3, "go": 2},
                }
                for r in ("eng-2", "eng-3")
            ],
        )
        await u.commit()


async def _published(db: ServiceDatabase) -> list[str]:
    async with db.uow() as u:
        rows = await u.session.execute(sa.select(outbox.c.event_type).order_by(outbox.c.id))
        return [t.split(".", 2)[2].rsplit(".", 1)[0] for (t,) in rows.all()]


async def test_a_cycle_opens_for_who_can_be_assessed_and_completes_on_two_ratings(
    service_db: ServiceDb,
) -> None:
    async with service_db("assessments") as db:
        await _seed(db)
        async with db.uow() as u:
            opened = await cycles.open_cycle(
                u,
                HR,
                name="Spring",
                population=ev.Population(kind=ev.PopulationKind.ALL),
                deadline=datetime.now(UTC) + timedelta(days=7),
                rule=Rule.MANAGER,
                weights={},
            )
            await u.commit()
        assert opened.assessments == 3
        assert opened.skipped == [{"employee_id": "x1", "reason": "no role in the HRIS record"}]
        async with db.uow() as u:
            [row] = await assessing.readable(u, _as("e1"), None, "e1", None)
            ratings = [RatingIn("sql", 2), RatingIn("go", 2)]
            with pytest.raises(NotFound):
                await assessing.submit(u, _as("e2"), row.assessment_id, ratings)
            with pytest.raises(Forbidden, match="not a rater"):
                await assessing.submit(u, HR, row.assessment_id, ratings)
            assert (await assessing.submit(u, _as("e1"), row.assessment_id, ratings))[1] is False
            assert (await assessing.submit(u, _as("m1"), row.assessment_id, ratings))[1] is True
            await u.commit()
        assert await db.scalar("SELECT count(*) FROM assessments.levels") == 2
        async with db.uow() as u:
            closed = await cycles.close_cycle(u, HR, opened.cycle_id)
            await u.commit()
        assert closed == {"completed": 0, "expired": 2}
        assert await _published(db) == [
            "cycle.opened",
            "assessment.opened",
            "assessment.opened",
            "assessment.opened",
            "assessment.submitted",
            "assessment.submitted",
            "assessment.completed",
            "skillgap.identified",
            "cycle.closed",
        ]

"""Marketplace use cases on the mobility service's own (real) database: post, apply, decide."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
import sqlalchemy as sa

from careerstream.contracts.events import mobility as ev
from careerstream.devstack.testing import ServiceDatabase
from careerstream.mobility.adapters.orm import employees, outbox, roles
from careerstream.mobility.domain.opportunity import Posting
from careerstream.mobility.service_layer import applications, opportunities
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.domain import Forbidden, NotFound

pytestmark = pytest.mark.postgres

ServiceDb = Callable[[str], AbstractAsyncContextManager[ServiceDatabase]]
TENANT = "acme"
MANAGER = Principal(tenant_id=TENANT, subject="m1", roles=frozenset({Role.MANAGER}))


def _as(who: str) -> Principal:
    return Principal(tenant_id=TENANT, subject=who, roles=frozenset({Role.EMPLOYEE}))


async def _seed(db: ServiceDatabase) -> None:
    async with db.uow() as u:
        await u.session.execute(
            sa.insert(employees),
            [
                {"tenant_id": TENANT, "employee_id": e, "role_id": r, "department_id": d,
                 "manager_id": "m1" if e != "m1" else None, "field_times": {}}
                for e, r, d in [("m1", "eng-3", "eng"), ("e1", "eng-2", "eng"),
                                ("e2", "eng-2", "eng"), ("s1", "mkt-1", "sales")]
            ],
        )  # fmt: skip
        await u.session.execute(
            sa.insert(roles),
            [
                {"tenant_id": TENANT, "role_id": r, "framework_id": "fw", "framework_version": 1,
                 "family_id": f, "level_id": r, "rank": rank, "title": r,
                 "requirements": {"sql": rank + 1}, "scale_high": 5}
                for r, f, rank in [("eng-2", "eng", 2), ("eng-3", "eng", 3), ("mkt-1", "mkt", 1)]
            ],
        )  # fmt: skip
        await u.commit()


async def test_a_department_role_is_applied_for_shortlisted_and_filled_internally(
    service_db: ServiceDb,
) -> None:
    async with service_db("mobility") as db:
        await _seed(db)
        posting = Posting(
            kind=ev.OpportunityKind.ROLE, title="Senior engineer", description="",
            role_id="eng-3", family_id=None, required=None, time_share=100,
            duration_weeks=None, department_id="eng", location=None, remote=False,
            visibility=ev.VisibilityScope.DEPARTMENT, hiring_manager_id=None, closes_at=None,
        )  # fmt: skip
        async with db.uow() as u:
            with pytest.raises(Forbidden, match="posted by hr_admin or by a manager"):
                await opportunities.post(u, _as("e1"), posting)
            opp = await opportunities.post(u, MANAGER, posting)
            await u.commit()
        assert opp.required == {"sql": 4}  # the role's requirements
        async with db.uow() as u:
            with pytest.raises(NotFound):  # another department does not see it
                await applications.apply(u, _as("s1"), opp.opportunity_id, "")
            first = await applications.apply(u, _as("e1"), opp.opportunity_id, "")
            second = await applications.apply(u, _as("e2"), opp.opportunity_id, "")
            with pytest.raises(NotFound):  # not theirs, not run by them
                await applications.shortlist(u, _as("e1"), second)
            await applications.shortlist(u, MANAGER, second)
            filled = await opportunities.select(u, MANAGER, opp.opportunity_id, first)
            await u.commit()
        assert (filled.employee_id, filled.move_kind) == ("e1", ev.MoveKind.PROMOTION)
        assert [(p.employee_id, p.stage) for p in filled.passed_over] == [
            ("e2", ev.PassedOverStage.SHORTLISTED)
        ]
        async with db.uow() as u:
            rows = await u.session.execute(sa.select(outbox.c.event_type).order_by(outbox.c.id))
            published = [t.split(".")[2:4] for (t,) in rows.all()]
        assert published == [
            ["opportunity", "posted"],
            ["application", "submitted"],
            ["application", "submitted"],
            ["candidate", "shortlisted"],
            ["role", "filled"],
            ["passedover", "recorded"],
        ]

"""All SQL of the marketplace's use cases: opportunities with their applications, people,
profiles, roles and the candidate-search log.

`Opportunities` loads an opportunity whole (its applications) and saves what
changed. Reads filtered to the caller (`visible_to`, `applications_for`) are
here too. The matching index (`adapters/index.py`) and the copies of other services' data
(`adapters/profiles.py`) keep their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.events import mobility as ev
from careerstream.mobility.adapters.orm import (
    applications,
    candidate_searches,
    employees,
    opportunities,
    profiles,
    roles,
    settings,
)
from careerstream.mobility.domain.opportunity import (
    Application,
    ApplicationState,
    Opportunity,
    OpportunityState,
    PostedRole,
)
from careerstream.servicekit import people
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.db import upsert_changed
from careerstream.servicekit.domain import NotFound
from careerstream.servicekit.relation import reports_of
from careerstream.servicekit.uow import UnitOfWork

_SAVE_OPPORTUNITY = upsert_changed(opportunities, ("tenant_id", "opportunity_id"))
_SAVE_APPLICATION = upsert_changed(applications, ("tenant_id", "application_id"))

_FIELDS = (
    "title", "description", "role_id", "family_id", "level_id", "required", "time_share",
    "duration_weeks", "department_id", "location", "remote", "hiring_manager_id", "posted_at",
    "closes_at", "filled_at", "closed_at", "filled_by", "internal_fill",
)  # fmt: skip


class Opportunities:
    """The opportunities of one tenant."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    async def get(self, opportunity_id: str, *, lock: bool = False) -> Opportunity:
        """An opportunity with its applications (locked when `lock`); 404 when there is none."""
        session = self.uow.session
        stmt = sa.select(opportunities).where(
            opportunities.c.tenant_id == self.tenant,
            opportunities.c.opportunity_id == opportunity_id,
        )
        row = (await session.execute(stmt.with_for_update() if lock else stmt)).first()
        if row is None:
            raise NotFound(f"no opportunity '{opportunity_id}' among those you may see")
        apps = await session.execute(
            sa.select(applications)
            .where(
                applications.c.tenant_id == self.tenant,
                applications.c.opportunity_id == opportunity_id,
            )
            .order_by(applications.c.submitted_at, applications.c.application_id)
        )
        return Opportunity(
            opportunity_id=row.opportunity_id,
            kind=ev.OpportunityKind(row.kind),
            visibility=ev.VisibilityScope(row.visibility),
            status=OpportunityState(row.status),
            **{f: getattr(row, f) for f in _FIELDS},
            applications=[
                Application(
                    a.application_id,
                    a.employee_id,
                    ApplicationState(a.status),
                    a.note,
                    a.submitted_at,
                    a.updated_at,
                )
                for a in apps.all()
            ],
        )

    async def of_application(self, application_id: str) -> str:
        """The opportunity an application is to; 404 when the tenant has no such application."""
        found: str | None = await self.uow.session.scalar(
            sa.select(applications.c.opportunity_id).where(
                applications.c.tenant_id == self.tenant,
                applications.c.application_id == application_id,
            )
        )
        if found is None:
            raise NotFound(f"no application '{application_id}' among those you may see")
        return found

    async def save(self, opp: Opportunity) -> None:
        """Write the opportunity and each application where they changed."""
        await self.uow.session.execute(
            _SAVE_OPPORTUNITY,
            [
                {
                    "tenant_id": self.tenant,
                    "opportunity_id": opp.opportunity_id,
                    "kind": opp.kind.value,
                    "visibility": opp.visibility.value,
                    "status": opp.status.value,
                    **{f: getattr(opp, f) for f in _FIELDS},
                }
            ],
        )
        if opp.applications:
            await self.uow.session.execute(
                _SAVE_APPLICATION,
                [
                    {
                        "tenant_id": self.tenant,
                        "application_id": a.application_id,
                        "opportunity_id": opp.opportunity_id,
                        "employee_id": a.employee_id,
                        "status": a.status.value,
                        "note": a.note,
                        "submitted_at": a.submitted_at,
                        "updated_at": a.updated_at,
                    }
                    for a in opp.applications
                ],
            )

    async def visible_to(
        self, who: Principal, departments: Sequence[str], status: str | None
    ) -> list[Any]:
        """Opportunity rows `who` may see (every one for hr_admin), newest first; a
        department-only one when its department is among `departments`."""
        o = opportunities.c
        stmt = sa.select(opportunities).where(o.tenant_id == self.tenant)
        if status:
            stmt = stmt.where(o.status == status)
        if not who.has(Role.HR_ADMIN):
            stmt = stmt.where(
                sa.or_(
                    o.hiring_manager_id == who.subject,
                    o.visibility == "tenant",
                    sa.and_(o.visibility == "department", o.department_id.in_(list(departments))),
                )
            )
        return list((await self.uow.session.execute(stmt.order_by(o.posted_at.desc()))).all())

    async def applications_for(
        self, who: Principal, opportunity_id: str | None, *, runs_it: bool
    ) -> list[Any]:
        """Application rows `who` may read: of one opportunity (all of them when they run it,
        else their own), or everywhere (their own and those to what they run; all for HR)."""
        a = applications.c
        stmt = sa.select(applications).where(a.tenant_id == self.tenant)
        if opportunity_id is not None:
            stmt = stmt.where(a.opportunity_id == opportunity_id)
            if not runs_it:
                stmt = stmt.where(a.employee_id == who.subject)
        elif not who.has(Role.HR_ADMIN):
            run_by_me = sa.select(opportunities.c.opportunity_id).where(
                opportunities.c.tenant_id == self.tenant,
                opportunities.c.hiring_manager_id == who.subject,
            )
            stmt = stmt.where(sa.or_(a.employee_id == who.subject, a.opportunity_id.in_(run_by_me)))
        return list((await self.uow.session.execute(stmt.order_by(a.submitted_at))).all())


class Market:
    """What the marketplace reads about people and roles, and the candidate-search log."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    async def person(self, employee_id: str) -> Any:
        """A person's directory row, or None."""
        return await people.person(self.uow, employees, self.tenant, employee_id)

    async def roles(self) -> list[Any]:
        """Every published role's row."""
        rows = await self.uow.session.execute(
            sa.select(roles).where(roles.c.tenant_id == self.tenant)
        )
        return list(rows.all())

    @staticmethod
    def posted_role(row: Any) -> PostedRole:
        """A role row as a posting names it."""
        return PostedRole(row.role_id, row.family_id, row.level_id, dict(row.requirements))

    async def profile(self, employee_id: str) -> Any:
        """A person's marketplace profile row, or None."""
        return (
            await self.uow.session.execute(
                sa.select(profiles).where(
                    profiles.c.tenant_id == self.tenant, profiles.c.employee_id == employee_id
                )
            )
        ).first()

    async def line_of(self, manager: str) -> set[str]:
        """Everyone below `manager` in the hierarchy."""
        found = await self.uow.session.scalars(
            sa.select(employees.c.employee_id).where(
                employees.c.tenant_id == self.tenant,
                employees.c.employee_id.in_(reports_of(employees, self.tenant, manager)),
            )
        )
        return set(found.all())

    async def direct_reports(self, manager: str) -> list[Any]:
        """The manager's direct reports (active), with whether each shares their matches."""
        rows = await self.uow.session.execute(
            sa.select(
                employees.c.employee_id,
                sa.func.coalesce(profiles.c.share_matches_with_manager, False).label("shares"),
            )
            .select_from(
                employees.outerjoin(
                    profiles,
                    sa.and_(
                        profiles.c.tenant_id == employees.c.tenant_id,
                        profiles.c.employee_id == employees.c.employee_id,
                    ),
                )
            )
            .where(
                employees.c.tenant_id == self.tenant,
                employees.c.manager_id == manager,
                employees.c.active,
            )
            .order_by(employees.c.employee_id)
        )
        return list(rows.all())

    async def tell_manager_on_shortlist(self) -> bool:
        """The tenant's setting (default: yes)."""
        held: bool | None = await self.uow.session.scalar(
            sa.select(settings.c.tell_manager_on_shortlist).where(
                settings.c.tenant_id == self.tenant
            )
        )
        return True if held is None else held

    async def put_settings(self, tell_manager_on_shortlist: bool) -> None:
        """Change the tenant's settings."""
        stmt = pg_insert(settings).values(
            tenant_id=self.tenant, tell_manager_on_shortlist=tell_manager_on_shortlist
        )
        await self.uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[settings.c.tenant_id],
                set_={"tell_manager_on_shortlist": tell_manager_on_shortlist},
            )
        )

    async def approachable_and_sharing(self) -> tuple[set[str], set[str]]:
        """Who is open to being approached, and who shares their aspirations."""
        flags = await self.uow.session.execute(
            sa.select(
                profiles.c.employee_id, profiles.c.open_to_approach, profiles.c.share_aspirations
            ).where(
                profiles.c.tenant_id == self.tenant,
                sa.or_(profiles.c.open_to_approach, profiles.c.share_aspirations),
            )
        )
        rows = flags.all()
        return {e for e, open_, _ in rows if open_}, {e for e, _, shares in rows if shares}

    async def log_search(
        self, opportunity_id: str, who: Principal, shown: int, shown_in_full: int, at: datetime
    ) -> None:
        """Keep who searched for candidates, and how many they were shown (HR reads it)."""
        await self.uow.session.execute(
            sa.insert(candidate_searches).values(
                tenant_id=self.tenant,
                search_id=str(uuid.uuid4()),
                opportunity_id=opportunity_id,
                searched_by=who.subject,
                searched_at=at,
                as_hr=who.has(Role.HR_ADMIN),
                shown=shown,
                shown_in_full=shown_in_full,
            )
        )

    async def searches(
        self, *, opportunity_id: str | None, searched_by: str | None, limit: int
    ) -> list[Any]:
        """The candidate-search log, newest first."""
        c = candidate_searches.c
        stmt = sa.select(candidate_searches).where(c.tenant_id == self.tenant)
        if opportunity_id is not None:
            stmt = stmt.where(c.opportunity_id == opportunity_id)
        if searched_by is not None:
            stmt = stmt.where(c.searched_by == searched_by)
        stmt = stmt.order_by(c.searched_at.desc(), c.search_id).limit(limit)
        return list((await self.uow.session.execute(stmt)).all())

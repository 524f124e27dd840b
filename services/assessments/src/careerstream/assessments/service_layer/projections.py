"""Projections from events: published frameworks (roles, requirements, scale) and employees.

Idempotent (the inbox drops redeliveries) and tolerant of order:
- an older framework version arriving after a newer one is ignored;
- each employee field remembers when the HRIS recorded its value, and a change
  recorded earlier than the value held is ignored (a late event does not undo
  a newer one); a change for an employee not yet hired creates them.

When an employee leaves, their open assessments are cancelled. When their role
changes, an open assessment nobody has rated yet moves to the new role; one
already rated stays on the role it was rated against (the gaps against the new
role are computed from the latest levels when it completes). Their levels rows
follow them to their new department, family and manager.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.assessments.adapters.orm import (
    assessments,
    employees,
    frameworks,
    levels,
    roles,
    submissions,
)
from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.frameworks import FrameworkPublished, FrameworkRetired
from careerstream.servicekit.people import Change, PeopleProjection
from careerstream.servicekit.uow import UnitOfWork


async def on_framework_published(uow: UnitOfWork, event: Envelope, p: FrameworkPublished) -> None:
    """Hold the version's scale, competencies and roles; levels follow the new requirements."""
    tenant = event.tenantid
    s = uow.session
    held = await s.scalar(
        sa.select(frameworks.c.version)
        .where(frameworks.c.tenant_id == tenant, frameworks.c.framework_id == p.framework_id)
        .with_for_update()
    )
    if held is not None and held >= p.version:
        return  # an older (or the same) version, late
    steps = [st.level for st in p.scale.steps]
    comps = {
        c.id: {
            "name": c.name,
            "category": c.category.value,
            "family_id": c.family_id,
            "descriptors": {str(d.level): d.description for d in c.descriptors},
        }
        for c in p.competencies
    }
    stmt = pg_insert(frameworks).values(
        tenant_id=tenant,
        framework_id=p.framework_id,
        version=p.version,
        scale_low=min(steps),
        scale_high=max(steps),
        competencies=comps,
    )
    await s.execute(
        stmt.on_conflict_do_update(
            index_elements=[frameworks.c.tenant_id, frameworks.c.framework_id],
            set_={
                "version": stmt.excluded.version,
                "scale_low": stmt.excluded.scale_low,
                "scale_high": stmt.excluded.scale_high,
                "competencies": stmt.excluded.competencies,
            },
        )
    )
    await s.execute(
        sa.delete(roles).where(roles.c.tenant_id == tenant, roles.c.framework_id == p.framework_id)
    )
    if p.roles:
        await s.execute(
            sa.insert(roles),
            [
                {
                    "tenant_id": tenant,
                    "role_id": r.id,
                    "framework_id": p.framework_id,
                    "framework_version": p.version,
                    "family_id": r.family_id,
                    "level_id": r.level_id,
                    "title": r.title,
                    "requirements": {q.competency_id: q.level for q in r.requirements},
                }
                for r in p.roles
            ],
        )
    # The requirement and family of everyone's levels follow the new version.
    await s.execute(
        sa.text(
            """
            UPDATE assessments.levels l
               SET required = (r.requirements ->> l.competency_id)::smallint,
                   family_id = r.family_id
              FROM assessments.employees e
              JOIN assessments.roles r ON r.tenant_id = e.tenant_id AND r.role_id = e.role_id
             WHERE l.tenant_id = :tenant AND e.tenant_id = :tenant
               AND e.employee_id = l.employee_id AND r.framework_id = :framework
            """
        ),
        {"tenant": tenant, "framework": p.framework_id},
    )


async def on_framework_retired(uow: UnitOfWork, event: Envelope, p: FrameworkRetired) -> None:
    """Remember a retired version."""
    await uow.session.execute(
        sa.update(frameworks)
        .where(
            frameworks.c.tenant_id == event.tenantid, frameworks.c.framework_id == p.framework_id
        )
        .values(retired_versions=sa.func.array_append(frameworks.c.retired_versions, p.version))
    )


async def _follow(
    uow: UnitOfWork, tenant: str, employee_id: str, changed: dict[str, Any], before: Any
) -> None:
    """What follows a person's change: cancel a leaver's assessments, move their levels."""
    s = uow.session
    if changed.get("active") is False:
        await s.execute(
            sa.update(assessments)
            .where(
                assessments.c.tenant_id == tenant,
                assessments.c.employee_id == employee_id,
                assessments.c.status == "open",
            )
            .values(status="cancelled", cancelled_reason="the employee left")
        )
    if {"department_id", "manager_id"} & changed.keys():
        await s.execute(
            sa.update(levels)
            .where(levels.c.tenant_id == tenant, levels.c.employee_id == employee_id)
            .values({k: v for k, v in changed.items() if k in ("department_id", "manager_id")})
        )
    if "role_id" in changed:
        new_role = changed["role_id"]
        role = (
            await s.execute(
                sa.select(roles).where(roles.c.tenant_id == tenant, roles.c.role_id == new_role)
            )
        ).first()
        requirements: dict[str, int] = role.requirements if role is not None else {}
        await s.execute(
            sa.update(levels)
            .where(levels.c.tenant_id == tenant, levels.c.employee_id == employee_id)
            .values(
                family_id=role.family_id if role is not None else None,
                required=sa.case(
                    *[(levels.c.competency_id == c, lv) for c, lv in requirements.items()],
                    else_=None,
                )
                if requirements
                else None,
            )
        )
        if role is not None:
            await _move_unrated_assessments(uow, tenant, employee_id, role)


async def _move_unrated_assessments(
    uow: UnitOfWork, tenant: str, employee_id: str, role: Any
) -> None:
    s = uow.session
    fw = (
        await s.execute(
            sa.select(frameworks).where(
                frameworks.c.tenant_id == tenant, frameworks.c.framework_id == role.framework_id
            )
        )
    ).first()
    if fw is None:
        return
    rated = sa.select(submissions.c.assessment_id).where(
        submissions.c.tenant_id == tenant,
        submissions.c.assessment_id == assessments.c.assessment_id,
    )
    await s.execute(
        sa.update(assessments)
        .where(
            assessments.c.tenant_id == tenant,
            assessments.c.employee_id == employee_id,
            assessments.c.status == "open",
            ~sa.exists(rated),
        )
        .values(
            role_id=role.role_id,
            framework_id=role.framework_id,
            framework_version=role.framework_version,
            required=role.requirements,
            scale_low=fw.scale_low,
            scale_high=fw.scale_high,
        )
    )


async def _follow_many(uow: UnitOfWork, changes: Sequence[Change]) -> None:
    """A batch's changes; people new in this batch have no assessments or levels to follow."""
    for c in changes:
        if not c.new:
            await _follow(uow, c.tenant, c.employee_id, c.changed, c.before)


people = PeopleProjection(employees, on_change=_follow, on_changes=_follow_many)

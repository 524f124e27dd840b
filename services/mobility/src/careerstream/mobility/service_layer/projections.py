"""What the mobility service keeps from other services' events.

- framework.published: roles (family, level rank, requirements); an older
  version arriving late is ignored.
- HRIS people: the directory (servicekit.people); a person's profile follows
  their role and whether they are active.
- assessment.completed: the profile's levels become the calibrated ones of the
  latest completed assessment (an older assessment arriving late is ignored).

Every profile change takes the next `profile_seq`, so each process's matching
index reloads only what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.assessments import AssessmentCompleted
from careerstream.contracts.events.frameworks import FrameworkPublished
from careerstream.mobility.adapters.orm import employees, profile_seq, profiles, roles
from careerstream.servicekit.people import Change, PeopleProjection
from careerstream.servicekit.uow import UnitOfWork


async def upsert_profile(uow: UnitOfWork, tenant: str, employee_id: str, **values: Any) -> None:
    """Set these fields of a person's marketplace profile (creating it)."""
    seq = profile_seq.next_value()
    stmt = pg_insert(profiles).values(tenant_id=tenant, employee_id=employee_id, seq=seq, **values)
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[profiles.c.tenant_id, profiles.c.employee_id],
            set_={**{k: stmt.excluded[k] for k in values}, "seq": seq},
        )
    )


async def on_framework_published(uow: UnitOfWork, event: Envelope, p: FrameworkPublished) -> None:
    """Hold the roles of a framework's latest version."""
    tenant, s = event.tenantid, uow.session
    held = await s.scalar(
        sa.select(sa.func.max(roles.c.framework_version)).where(
            roles.c.tenant_id == tenant, roles.c.framework_id == p.framework_id
        )
    )
    if held is not None and held >= p.version:
        return
    await s.execute(
        sa.delete(roles).where(roles.c.tenant_id == tenant, roles.c.framework_id == p.framework_id)
    )
    levels = {(f.id, lv.id): lv for f in p.families for lv in f.levels}
    high = max(st.level for st in p.scale.steps)
    rows = [
        {
            "tenant_id": tenant,
            "role_id": r.id,
            "framework_id": p.framework_id,
            "framework_version": p.version,
            "family_id": r.family_id,
            "level_id": r.level_id,
            "rank": levels[(r.family_id, r.level_id)].rank
            if (r.family_id, r.level_id) in levels
            else 0,
            "title": r.title,
            "requirements": {q.competency_id: q.level for q in r.requirements},
            "scale_high": high,
        }
        for r in p.roles
    ]
    if rows:
        await s.execute(sa.insert(roles), rows)


async def _follow(
    uow: UnitOfWork, tenant: str, employee_id: str, changed: dict[str, Any], before: Any
) -> None:
    values = {k: changed[k] for k in ("role_id", "active") if k in changed}
    if values:
        await upsert_profile(uow, tenant, employee_id, **values)


async def _follow_many(uow: UnitOfWork, changes: Sequence[Change]) -> None:
    """A batch's role and activity changes into the profiles: one statement per shape of change."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for c in changes:  # in order: a person's later change wins
        values: dict[str, Any] = {k: c.changed[k] for k in ("role_id", "active") if k in c.changed}
        if values:
            latest.setdefault((c.tenant, c.employee_id), {}).update(values)
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for (tenant, emp), values in latest.items():
        shapes.setdefault(tuple(sorted(values)), []).append(
            {"tenant_id": tenant, "employee_id": emp, **values}
        )
    for keys, rows in shapes.items():
        stmt = pg_insert(profiles).values(seq=profile_seq.next_value())
        await uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[profiles.c.tenant_id, profiles.c.employee_id],
                set_={**{k: stmt.excluded[k] for k in keys}, "seq": stmt.excluded.seq},
            ),
            rows,
        )


people = PeopleProjection(employees, on_change=_follow, on_changes=_follow_many)


async def on_assessment_completed(uow: UnitOfWork, event: Envelope, p: AssessmentCompleted) -> None:
    """A person's latest calibrated levels become their profile's."""
    tenant = event.tenantid
    held = await uow.session.scalar(
        sa.select(profiles.c.assessed_at)
        .where(profiles.c.tenant_id == tenant, profiles.c.employee_id == p.employee_id)
        .with_for_update()
    )
    if held is not None and held > p.completed_at:
        return
    await upsert_profile(
        uow,
        tenant,
        p.employee_id,
        levels={lv.competency_id: lv.level for lv in p.levels},
        assessed_at=p.completed_at,
    )

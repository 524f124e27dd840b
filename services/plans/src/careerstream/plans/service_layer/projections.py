"""What the plans service keeps from other services' events.

- framework.published: competencies (names, descriptors, scale) and roles
  (requirements, rank and tracks, for conversation guides); an older version
  arriving late is ignored.
- HRIS people: the directory (servicekit.people). A leaver's open plan closes
  (`closed_on_termination`).
- skillgap.identified: plans are drafted, suggested or rebased (see
  service_layer.plans).
- role.filled (internal, into a role) and employee.changed (a new role_id, not
  a correction): the mover's open plan closes (`closed_on_move`) and a
  transition plan for the new role is drafted (service_layer.transitions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.frameworks import FrameworkPublished
from careerstream.contracts.events.hris import ChangeReason, EmployeeChanged
from careerstream.contracts.events.mobility import RoleFilled
from careerstream.contracts.events.plans import MoveSource, PlanOutcome
from careerstream.plans.adapters.orm import employees
from careerstream.plans.adapters.repository import Reference
from careerstream.plans.service_layer import plans as svc
from careerstream.plans.service_layer import transitions
from careerstream.servicekit.consumer import BatchHandler, reads_personal
from careerstream.servicekit.people import PeopleProjection
from careerstream.servicekit.uow import UnitOfWork


async def on_framework_published(uow: UnitOfWork, event: Envelope, p: FrameworkPublished) -> None:
    """Hold the framework's competencies and roles, unless a later version is held already."""
    reference = Reference(uow, event.tenantid)
    if await reference.framework_version(p.framework_id) >= p.version:
        return
    steps = [st.level for st in p.scale.steps]
    competency_rows = [
        {
            "competency_id": c.id,
            "name": c.name,
            "descriptors": {str(d.level): d.description for d in c.descriptors},
            "scale_low": min(steps),
            "scale_high": max(steps),
        }
        for c in p.competencies
    ]
    levels = {(f.id, lv.id): lv for f in p.families for lv in f.levels}
    rows = []
    for r in p.roles:
        level = levels.get((r.family_id, r.level_id))
        rows.append(
            {
                "role_id": r.id,
                "family_id": r.family_id,
                "title": r.title,
                "rank": level.rank if level else 0,
                "track_ids": list(level.track_ids) if level else [],
                "requirements": {q.competency_id: q.level for q in r.requirements},
            }
        )
    await reference.replace_framework(p.framework_id, p.version, competency_rows, rows)


async def _follow(
    uow: UnitOfWork, tenant: str, employee_id: str, changed: dict[str, Any], before: Any
) -> None:
    """A leaver's open plans close."""
    if changed.get("active") is False:
        await svc.close_open_plans(uow, tenant, employee_id, PlanOutcome.CLOSED_ON_TERMINATION)


people = PeopleProjection(employees, on_change=_follow)


async def _changed(uow: UnitOfWork, events: Sequence[tuple[Envelope, EmployeeChanged]]) -> None:
    """The directory's changes, and a transition for each new role (not a correction)."""
    movers = [
        (env, e)
        for env, e in events
        if "role_id" in e.changed_fields
        and e.details.role_id
        and e.reason is not ChangeReason.CORRECTION
    ]
    held: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    by_tenant: dict[str, set[str]] = {}
    for env, e in movers:
        by_tenant.setdefault(env.tenantid, set()).add(e.employee_id)
    for tenant, ids in by_tenant.items():
        rows = await uow.session.execute(
            sa.select(
                employees.c.employee_id,
                employees.c.role_id,
                employees.c.field_times["role_id"].astext,
            ).where(employees.c.tenant_id == tenant, employees.c.employee_id.in_(sorted(ids)))
        )
        for emp, role, recorded in rows.all():
            held[(tenant, emp)] = (role, recorded)
    await _directory_changed(uow, events)
    for env, e in movers:
        key = (env.tenantid, e.employee_id)
        role, recorded = held.get(key, (None, None))
        if recorded is not None and datetime.fromisoformat(recorded) > e.recorded_at:
            continue  # older than the role held: the directory ignored it too
        held[key] = (e.details.role_id, e.recorded_at.isoformat())
        if role is None or role == e.details.role_id:
            continue  # a first role is where someone starts, not a move
        person = await Reference(uow, env.tenantid).person(e.employee_id)
        await transitions.after_move(
            uow,
            env.tenantid,
            e.employee_id,
            to_role_id=str(e.details.role_id),
            from_role_id=role,
            manager_id=person.manager_id if person is not None else None,
            moved_at=datetime.combine(e.effective_date, time(0), tzinfo=UTC),
            source=MoveSource.HRIS,
        )


_people_batches = people.batch_handlers()
_directory_changed = _people_batches[EmployeeChanged]


def people_handlers() -> dict[type[Any], BatchHandler]:
    """The directory's batch handlers; a change of role also starts a transition."""
    return {**_people_batches, EmployeeChanged: reads_personal(_changed, people.personal_pointers)}


async def on_role_filled(uow: UnitOfWork, event: Envelope, p: RoleFilled) -> None:
    """An internal mover's open plan closes and a transition plan for the new role is drafted."""
    if not (p.internal and p.employee_id):
        return
    if p.to_role_id is None:  # a project or gig: the person keeps their role and plan
        return
    await transitions.after_move(
        uow,
        event.tenantid,
        p.employee_id,
        to_role_id=p.to_role_id,
        from_role_id=p.from_role_id,
        manager_id=p.hiring_manager_id,
        moved_at=p.filled_at,
        source=MoveSource.MARKETPLACE,
    )

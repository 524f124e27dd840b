"""What the plans service keeps from other services' events.

- framework.published: competencies (names, descriptors, scale) and roles
  (requirements, rank and tracks, for conversation guides); an older version
  arriving late is ignored.
- HRIS people: the directory (servicekit.people). A leaver's open plan closes
  (`closed_on_termination`).
- skillgap.identified: plans are drafted, suggested or rebased (see
  service_layer.plans).
- role.filled: the mover's open plan closes (`closed_on_move`): the new role
  has other requirements, and the next assessment against it starts the next
  plan. Its goals stay in the history as they were.
"""

from __future__ import annotations

from typing import Any

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.frameworks import FrameworkPublished
from careerstream.contracts.events.mobility import RoleFilled
from careerstream.contracts.events.plans import PlanOutcome
from careerstream.plans.adapters.orm import employees
from careerstream.plans.adapters.repository import Reference
from careerstream.plans.service_layer import plans as svc
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


async def on_role_filled(uow: UnitOfWork, event: Envelope, p: RoleFilled) -> None:
    """An internal mover's open plans close."""
    if p.internal and p.employee_id:
        await svc.close_open_plans(uow, event.tenantid, p.employee_id, PlanOutcome.CLOSED_ON_MOVE)

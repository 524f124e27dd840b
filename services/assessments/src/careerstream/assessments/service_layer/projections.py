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

from careerstream.assessments.adapters.orm import employees, org_units
from careerstream.assessments.adapters.projections import Copies
from careerstream.assessments.service_layer import cycles, results
from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.frameworks import FrameworkPublished, FrameworkRetired
from careerstream.servicekit import orgtree
from careerstream.servicekit.orgtree import Moved, OrgTreeProjection
from careerstream.servicekit.people import Change, PeopleProjection
from careerstream.servicekit.uow import UnitOfWork


async def on_framework_published(uow: UnitOfWork, event: Envelope, p: FrameworkPublished) -> None:
    """Hold the version's scale, competencies and roles; levels follow the new requirements."""
    copies = Copies(uow, event.tenantid)
    held = await copies.held_version(p.framework_id)
    if held is not None and held >= p.version:
        return  # an older (or the same) version, late
    steps = [st.level for st in p.scale.steps]
    competencies = {
        c.id: {
            "name": c.name,
            "category": c.category.value,
            "family_id": c.family_id,
            "descriptors": {str(d.level): d.description for d in c.descriptors},
        }
        for c in p.competencies
    }
    role_rows = [
        {
            "role_id": r.id,
            "family_id": r.family_id,
            "level_id": r.level_id,
            "title": r.title,
            "requirements": {q.competency_id: q.level for q in r.requirements},
        }
        for r in p.roles
    ]
    await copies.hold_framework(
        p.framework_id, p.version, (min(steps), max(steps)), competencies, role_rows
    )


async def on_framework_retired(uow: UnitOfWork, event: Envelope, p: FrameworkRetired) -> None:
    """Remember a retired version."""
    await Copies(uow, event.tenantid).retire(p.framework_id, p.version)


async def _follow(
    uow: UnitOfWork, tenant: str, employee_id: str, changed: dict[str, Any], before: Any
) -> None:
    """What follows a person's change: cancel a leaver's assessments, move their levels."""
    copies = Copies(uow, tenant)
    if changed.get("active") is False:
        await copies.cancel_open(employee_id, "the employee left")
    moved = {k: v for k, v in changed.items() if k in ("department_id", "manager_id")}
    if moved:
        await copies.move_levels(employee_id, moved)
    if "role_id" in changed:
        role = await copies.role(changed["role_id"])
        requirements: dict[str, int] = role.requirements if role is not None else {}
        await copies.relevel(
            employee_id, role.family_id if role is not None else None, requirements
        )
        if role is not None:
            await copies.move_unrated(employee_id, role)
            if before is not None and before.role_id not in (None, role.role_id):
                await results.gaps_after_move(uow, tenant, employee_id, role)


ENTERS = ("department_id", "role_id", "active")
"""Changes that may place someone in an open cycle's population."""


async def _follow_many(uow: UnitOfWork, changes: Sequence[Change]) -> None:
    """A batch's changes; people new in this batch have no assessments or levels to follow,
    but join the open cycles that cover them, as do people who moved into one."""
    entering: dict[str, set[str]] = {}
    for c in changes:
        if not c.new:
            await _follow(uow, c.tenant, c.employee_id, c.changed, c.before)
        if c.new or any(f in c.changed for f in ENTERS):
            entering.setdefault(c.tenant, set()).add(c.employee_id)
    for tenant, ids in sorted(entering.items()):
        await cycles.join_open_cycles(uow, tenant, sorted(ids))


people = PeopleProjection(employees, on_change=_follow, on_changes=_follow_many)


async def _regrouped(uow: UnitOfWork, moves: Sequence[Moved]) -> None:
    """A unit moved (or appeared) in the tree: everyone in it and below may now be in an open
    cycle's population by department. No per-person event is needed."""
    by_tenant: dict[str, list[str]] = {}
    for m in moves:
        by_tenant.setdefault(m.tenant, []).append(m.orgunit_id)
    for tenant, units in sorted(by_tenant.items()):
        inside = await uow.session.scalars(
            sa.select(employees.c.employee_id)
            .where(
                employees.c.tenant_id == tenant,
                employees.c.active,
                employees.c.department_id.in_(orgtree.subtree(org_units, tenant, units)),
            )
            .order_by(employees.c.employee_id)
        )
        await cycles.join_open_cycles(uow, tenant, list(inside.all()))


org_tree = OrgTreeProjection(org_units, on_moved=_regrouped)

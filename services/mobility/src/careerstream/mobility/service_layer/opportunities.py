"""Opportunities of the internal marketplace: posting, seeing, filling and closing.

Visibility: an open opportunity is visible to everyone in the tenant, or only
to its department when `visibility` is `department`; its hiring manager and
hr_admin always see it, and they run it (see candidates, decide). Anyone else
gets 404: they may not know it exists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from careerstream.contracts.events import mobility as ev
from careerstream.mobility.adapters.index import role_infos
from careerstream.mobility.adapters.orm import org_units
from careerstream.mobility.adapters.profiles import coverage
from careerstream.mobility.adapters.repository import Market, Opportunities
from careerstream.mobility.domain.matching import RoleInfo, move_kind
from careerstream.mobility.domain.opportunity import (
    Application,
    Opportunity,
    Posting,
    posting_problems,
)
from careerstream.servicekit import clock, orgtree
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.domain import Forbidden, Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork


def now() -> datetime:
    """The current moment, in UTC."""
    return clock.now()  # business time (servicekit.clock)


def runs(who: Principal, opp: Opportunity | Any) -> bool:
    """The hiring manager and hr_admin run an opportunity: they see candidates and decide."""
    return who.has(Role.HR_ADMIN) or opp.hiring_manager_id == who.subject


async def save(uow: UnitOfWork, repo: Opportunities, opp: Opportunity) -> None:
    """Write the opportunity and publish what it recorded, in this unit of work."""
    await repo.save(opp)
    uow.publish_all(opp.pull_events(), tenant_id=repo.tenant)


async def post(uow: UnitOfWork, who: Principal, p: Posting) -> Opportunity:
    """hr_admin, or a manager for themselves, posts an opportunity named by competencies."""
    tenant = who.tenant_id
    hiring_manager = p.hiring_manager_id or who.subject
    if not who.has(Role.HR_ADMIN):
        if not who.has(Role.MANAGER):
            raise Forbidden(
                "opportunities are posted by hr_admin or by a manager (as the hiring manager)"
            )
        if hiring_manager != who.subject:
            raise Forbidden(
                "a manager posts opportunities for themselves as hiring manager; hr_admin may name another"
            )
    market = Market(uow, tenant)
    manager = await market.person(hiring_manager)
    all_roles = await market.roles()
    row = next((r for r in all_roles if r.role_id == p.role_id), None) if p.role_id else None
    role = Market.posted_role(row) if row is not None else None
    required = p.required if p.required is not None else (dict(role.requirements) if role else {})
    required = {**required, **(p.required_skills or {})}
    problems = posting_problems(
        p,
        required=required,
        role_found=role is not None,
        manager_active=manager is not None and manager.active,
        hiring_manager=hiring_manager,
        known_competencies={c for r in all_roles for c in r.requirements},
        scale_high=max((r.scale_high for r in all_roles), default=10),
        now=now(),
        known_skills=set(await coverage(uow, tenant)),
    )
    if problems:
        raise Invalid(problems)
    opp = Opportunity.post(
        p, required=required, role=role, hiring_manager=hiring_manager, now=now()
    )
    await save(uow, Opportunities(uow, tenant), opp)
    return opp


async def visible(
    uow: UnitOfWork, who: Principal, opportunity_id: str, *, lock: bool = False
) -> Opportunity:
    """An opportunity the caller may see (404 otherwise), with its applications."""
    opp = await Opportunities(uow, who.tenant_id).get(opportunity_id, lock=lock)
    if runs(who, opp):
        return opp
    if opp.visibility is ev.VisibilityScope.DEPARTMENT:
        # A department's opportunity is open to its whole subtree.
        mine = await _departments_of(uow, who)
        if opp.department_id not in mine:
            raise NotFound(f"no opportunity '{opportunity_id}' among those you may see")
    return opp


async def list_visible(uow: UnitOfWork, who: Principal, status: str | None) -> list[Any]:
    """Opportunity rows the caller may see, newest first."""
    departments = [] if who.has(Role.HR_ADMIN) else await _departments_of(uow, who)
    return await Opportunities(uow, who.tenant_id).visible_to(who, departments, status)


async def _departments_of(uow: UnitOfWork, who: Principal) -> list[str]:
    """The caller's department and every unit above it: whose department-only
    opportunities they may see."""
    me = await Market(uow, who.tenant_id).person(who.subject)
    if me is None or me.department_id is None:
        return []
    return await orgtree.ancestors(uow, org_units, who.tenant_id, me.department_id)


async def run(uow: UnitOfWork, who: Principal, opportunity_id: str) -> Opportunity:
    """An opportunity the caller runs, locked: 404 when they may not see it, else 403."""
    opp = await visible(uow, who, opportunity_id, lock=True)
    if not runs(who, opp):
        raise Forbidden("only the hiring manager and hr_admin decide on candidates")
    return opp


async def _fill(
    uow: UnitOfWork, who: Principal, opp: Opportunity, chosen: Application | None
) -> ev.RoleFilled:
    kind, from_role = ev.MoveKind.OTHER, None
    if chosen is not None:
        person = await Market(uow, who.tenant_id).person(chosen.employee_id)
        from_role = person.role_id if person is not None else None
        infos = await role_infos(uow, who.tenant_id)
        origin: RoleInfo | None = infos.get(from_role) if from_role else None
        target = infos.get(opp.role_id) if opp.role_id else None
        if opp.kind is ev.OpportunityKind.ROLE:
            kind = ev.MoveKind(move_kind(origin, target).value)
    filled = opp.fill(chosen, from_role_id=from_role, move_kind=kind, now=now())
    await save(uow, Opportunities(uow, who.tenant_id), opp)
    return filled


async def select(
    uow: UnitOfWork, who: Principal, opportunity_id: str, application_id: str
) -> ev.RoleFilled:
    """The one running it selects an applicant: the role is filled internally."""
    opp = await run(uow, who, opportunity_id)
    return await _fill(uow, who, opp, opp.chosen(application_id))


async def fill_externally(uow: UnitOfWork, who: Principal, opportunity_id: str) -> ev.RoleFilled:
    """The one running it fills it from outside; every applicant is passed over."""
    opp = await run(uow, who, opportunity_id)
    opp.require_open()
    return await _fill(uow, who, opp, None)


async def close(uow: UnitOfWork, who: Principal, opportunity_id: str, reason: str) -> None:
    """The one running it closes it without a fill."""
    opp = await run(uow, who, opportunity_id)
    opp.close(reason, now())
    await save(uow, Opportunities(uow, who.tenant_id), opp)

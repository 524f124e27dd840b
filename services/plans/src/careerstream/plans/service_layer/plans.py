"""Plan lifecycle: each use case loads a plan, asks it to change, saves it, publishes what it recorded.

The rules themselves live in `domain/plan.py` (the `Plan` aggregate) and
`domain/rules.py`; the SQL in `adapters/repository.py`. Who may do what:

- the employee and their managers (direct or further up) start, accept and
  add goals to a plan; only a manager approves it and holds check-ins;
- HR reads plans but does not work on them;
- anyone else gets 404: they may not know the plan exists.
"""

from __future__ import annotations

import time
from datetime import date, datetime

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events import plans as ev
from careerstream.contracts.events.assessments import SkillgapIdentified
from careerstream.plans.adapters.orm import employees
from careerstream.plans.adapters.repository import Plans, Reference
from careerstream.plans.domain.evidence import Estimate, Outcomes, rank_with_evidence
from careerstream.plans.domain.plan import Plan
from careerstream.plans.domain.rules import (
    CatalogueEntry,
    GapIn,
    NewGoal,
    goals_from_gaps,
    period_for,
)
from careerstream.servicekit import clock, relation
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.domain import Conflict
from careerstream.servicekit.relation import MANAGERS, Relation
from careerstream.servicekit.uow import UnitOfWork

WORKERS = MANAGERS | {Relation.SELF}
"""The employee and their managers: those who work on a plan."""

SUGGESTED_ACTIONS = 2
"""How many catalogue entries a new goal starts with as its actions."""


def now() -> datetime:
    """The current moment, in UTC."""
    return clock.now()  # business time (servicekit.clock)


async def relation_to(uow: UnitOfWork, who: Principal, employee_id: str) -> Relation:
    """The caller's relation to an employee, from the plans service's directory."""
    return await relation.relation_to(uow, employees, who, employee_id)


async def require(
    uow: UnitOfWork, who: Principal, employee_id: str, allowed: frozenset[Relation], *, what: str
) -> Relation:
    """The caller's relation when allowed; 404 when they may not see the employee, else 403."""
    return relation.require(await relation_to(uow, who, employee_id), allowed, what=what)


async def save(uow: UnitOfWork, plans: Plans, plan: Plan) -> None:
    """Write the plan and publish the events it recorded, in this unit of work."""
    await plans.save(plan)
    uow.publish_all(plan.pull_events(), tenant_id=plans.tenant)


EVIDENCE_SECONDS = 300.0
"""How long a process keeps a tenant's evidence (what closed gaps) before reading it again."""
_evidence: dict[tuple[str, str], tuple[float, list[Outcomes]]] = {}


async def evidence(uow: UnitOfWork, tenant: str) -> list[Outcomes]:
    """The tenant's resolved goals by competency, kind and gap (kept `EVIDENCE_SECONDS`)."""
    key = (str(uow.session.get_bind().engine.url), tenant)
    held = _evidence.get(key)
    if held is not None and time.monotonic() - held[0] < EVIDENCE_SECONDS:
        return held[1]
    rows = await Reference(uow, tenant).outcomes()
    _evidence[key] = (time.monotonic(), rows)
    return rows


def forget_evidence() -> None:
    """Read the evidence again on the next suggestion (tests)."""
    _evidence.clear()


async def suggestions(
    uow: UnitOfWork, tenant: str, competency_id: str, from_level: int, to_level: int
) -> list[tuple[CatalogueEntry, Estimate]]:
    """Catalogue entries for a goal, best first, each with what closed similar gaps before
    (`evidence.rank_with_evidence`: today's rule where the evidence is thin)."""
    entries = await Reference(uow, tenant).catalogue_for(competency_id)
    outcomes = await evidence(uow, tenant)
    return rank_with_evidence(entries, competency_id, from_level, to_level, outcomes)


async def first_actions(uow: UnitOfWork, tenant: str, goal: NewGoal) -> list[CatalogueEntry]:
    """The catalogue entries a new goal starts with."""
    picks = await suggestions(uow, tenant, goal.competency_id, goal.from_level, goal.to_level)
    return [entry for entry, _estimate in picks[:SUGGESTED_ACTIONS]]


async def start(
    uow: UnitOfWork,
    tenant: str,
    employee_id: str,
    *,
    suggested: bool,
    day: date,
    assessment_id: str | None,
    transition_to_role_id: str | None = None,
) -> Plan:
    """A new plan for the period of `day` (not saved yet)."""
    _, months = await Reference(uow, tenant).settings()
    return Plan.start(
        employee_id,
        period_for(day, months),
        suggested=suggested,
        assessment_id=assessment_id,
        now=now(),
        transition_to_role_id=transition_to_role_id,
    )


async def new_plan(uow: UnitOfWork, who: Principal, employee_id: str) -> Plan:
    """A draft plan started by hand by the employee or a manager: one open plan at a time."""
    await require(uow, who, employee_id, WORKERS, what=f"employee '{employee_id}'")
    plans = Plans(uow, who.tenant_id)
    if await plans.open_plan_of(employee_id) is not None:
        raise Conflict(f"'{employee_id}' already has an open plan; one plan per period")
    plan = await start(
        uow, who.tenant_id, employee_id, suggested=False, day=date.today(), assessment_id=None
    )
    await save(uow, plans, plan)
    return plan


async def accept(uow: UnitOfWork, who: Principal, plan_id: str) -> Plan:
    """The employee or a manager accepts a suggested plan: it becomes a draft, published now."""
    plans = Plans(uow, who.tenant_id)
    plan = await plans.get(plan_id, lock=True)
    await require(uow, who, plan.employee_id, WORKERS, what=f"plan '{plan_id}'")
    plan.accept()
    await save(uow, plans, plan)
    return plan


async def approve(uow: UnitOfWork, who: Principal, plan_id: str) -> Plan:
    """A manager approves a draft plan: it becomes active."""
    plans = Plans(uow, who.tenant_id)
    plan = await plans.get(plan_id, lock=True)
    await require(uow, who, plan.employee_id, MANAGERS, what=f"plan '{plan_id}'")
    plan.approve(who.subject, now())
    await save(uow, plans, plan)
    return plan


async def checkin(uow: UnitOfWork, who: Principal, plan_id: str, notes: str, rating: int) -> str:
    """A manager records a check-in on an open plan; returns its id."""
    plans = Plans(uow, who.tenant_id)
    plan = await plans.get(plan_id, lock=True)
    await require(uow, who, plan.employee_id, MANAGERS, what=f"plan '{plan_id}'")
    held = plan.check_in(who.subject, notes, rating, now())
    await save(uow, plans, plan)
    return held.checkin_id


async def close_open_plans(
    uow: UnitOfWork, tenant: str, employee_id: str, outcome: ev.PlanOutcome
) -> None:
    """Close every open plan of someone who moved or left."""
    plans = Plans(uow, tenant)
    for plan in await plans.open_plans_of(employee_id):
        plan.close(outcome, now())
        await save(uow, plans, plan)


async def on_gaps(uow: UnitOfWork, event: Envelope, p: SkillgapIdentified) -> None:
    """Draft (or suggest) a plan from the gaps, or rebase the open plan on them."""
    tenant = event.tenantid
    reference, plans = Reference(uow, tenant), Plans(uow, tenant)
    if await reference.is_active(p.employee_id) is False:
        return  # gone: nothing to plan
    gaps = [GapIn(g.competency_id, g.current, g.required) for g in p.gaps]
    # What the analysis found of the person's levels: a transition plan starts from them.
    await reference.record_levels(
        p.employee_id, {g.competency_id: g.current for g in p.gaps}, p.identified_at
    )
    mode, months = await reference.settings()
    day = p.identified_at.date()
    plan = await plans.open_plan_of(p.employee_id)
    if plan is not None and plan.period_start < period_for(day, months)[0]:
        plan.close(ev.PlanOutcome.SUPERSEDED, now())
        await save(uow, plans, plan)
        plan = None
    if plan is None:
        new = goals_from_gaps(gaps)
        if not new:
            return
        plan = await start(
            uow,
            tenant,
            p.employee_id,
            suggested=mode == "suggest",
            day=day,
            assessment_id=p.assessment_id,
        )
        for goal in new:
            picks = await first_actions(uow, tenant, goal)
            plan.add_goal(goal, source="gap", now=now(), suggestions=picks)
    else:
        needed = plan.rebase_decision(gaps).new
        picks_for = {g.competency_id: await first_actions(uow, tenant, g) for g in needed}
        plan.rebase(gaps, picks_for, now())
    await save(uow, plans, plan)

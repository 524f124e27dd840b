"""Development plans: drafted from gaps, approved by the manager, progressed, checked in, completed.

Lifecycle of a plan: `suggested` (when the tenant's mode is `suggest`: nothing
is published until the employee or manager accepts it) -> `draft` -> `active`
(the manager approved it) -> `completed` (every goal closed) or `closed`
(the person moved or left, or a plan of a later period replaced it).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events import plans as ev
from careerstream.contracts.events.assessments import SkillgapIdentified
from careerstream.plans.adapters.orm import (
    actions,
    catalogue,
    checkins,
    competencies,
    employees,
    goals,
    plans,
    settings,
)
from careerstream.plans.domain.rules import (
    KINDS,
    CatalogueEntry,
    GapIn,
    NewGoal,
    OpenGoal,
    goals_from_gaps,
    period_for,
    rank,
    rebase,
)
from careerstream.servicekit import relation
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.errors import Conflict, Forbidden, Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork

OPEN = ("suggested", "draft", "active")


def _now() -> datetime:
    return datetime.now(UTC)


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


# -- who is who ----------------------------------------------------------------------------


async def part(uow: UnitOfWork, who: Principal, employee_id: str) -> str | None:
    """self, manager (direct or indirect) or hr; None when the caller has nothing to do with them."""
    if who.subject == employee_id:
        return "self"
    if await relation.manages(uow, employees, who.tenant_id, who.subject, employee_id):
        return "manager"
    if who.has(Role.HR_ADMIN) and await _known(uow, who.tenant_id, employee_id):
        return "hr"
    return None


async def _known(uow: UnitOfWork, tenant: str, employee_id: str) -> bool:
    """Whether the tenant's directory has this person (HR sees only their own tenant's)."""
    found = await uow.session.scalar(
        sa.select(sa.literal(True)).where(
            employees.c.tenant_id == tenant, employees.c.employee_id == employee_id
        )
    )
    return bool(found)


async def require_part(
    uow: UnitOfWork, who: Principal, employee_id: str, *allowed: str, what: str
) -> str:
    got = await part(uow, who, employee_id)
    if got is None:
        raise NotFound(f"no {what} among those you may see")
    if got not in allowed:
        raise Forbidden(
            f"only {' or '.join(a if a != 'self' else 'the employee' for a in allowed)} may do this"
        )
    return got


async def tenant_settings(uow: UnitOfWork, tenant: str) -> tuple[str, int]:
    row = (
        await uow.session.execute(sa.select(settings).where(settings.c.tenant_id == tenant))
    ).first()
    return (row.plan_mode, row.period_months) if row else ("draft", 6)


async def put_settings(uow: UnitOfWork, tenant: str, mode: str, months: int) -> None:
    period_for(date.today(), months)  # raises on a bad period
    stmt = pg_insert(settings).values(tenant_id=tenant, plan_mode=mode, period_months=months)
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[settings.c.tenant_id],
            set_={
                "plan_mode": stmt.excluded.plan_mode,
                "period_months": stmt.excluded.period_months,
            },
        )
    )


# -- plans and goals -----------------------------------------------------------------------


async def get_plan(uow: UnitOfWork, tenant: str, plan_id: str, *, lock: bool = False) -> Any:
    stmt = sa.select(plans).where(plans.c.tenant_id == tenant, plans.c.plan_id == plan_id)
    if lock:
        stmt = stmt.with_for_update()
    row = (await uow.session.execute(stmt)).first()
    if row is None:
        raise NotFound(f"no plan '{plan_id}' among those you may see")
    return row


async def open_plan(uow: UnitOfWork, tenant: str, employee_id: str) -> Any:
    return (
        await uow.session.execute(
            sa.select(plans)
            .where(
                plans.c.tenant_id == tenant,
                plans.c.employee_id == employee_id,
                plans.c.status.in_(OPEN),
            )
            .order_by(plans.c.period_start.desc())
            .limit(1)
            .with_for_update()
        )
    ).first()


def _plan_event(plan: Any) -> ev.PlanCreated:
    return ev.PlanCreated(
        plan_id=plan.plan_id,
        employee_id=plan.employee_id,
        period_start=plan.period_start,
        period_end=plan.period_end,
        status=ev.PlanStatus(plan.status),
        assessment_id=plan.assessment_id,
        created_at=plan.created_at,
    )


async def create_plan(
    uow: UnitOfWork,
    tenant: str,
    employee_id: str,
    status: str,
    day: date,
    assessment_id: str | None,
) -> Any:
    _, months = await tenant_settings(uow, tenant)
    start, end = period_for(day, months)
    plan_id = _id("plan")
    await uow.session.execute(
        sa.insert(plans).values(
            tenant_id=tenant,
            plan_id=plan_id,
            employee_id=employee_id,
            period_start=start,
            period_end=end,
            status=status,
            assessment_id=assessment_id,
            created_at=_now(),
        )
    )
    plan = await get_plan(uow, tenant, plan_id)
    if status != "suggested":
        uow.publish(_plan_event(plan), tenant_id=tenant)
    return plan


async def suggestions(
    uow: UnitOfWork, tenant: str, competency_id: str, from_level: int, to_level: int
) -> list[CatalogueEntry]:
    rows = (
        await uow.session.execute(
            sa.select(catalogue).where(catalogue.c.tenant_id.in_([tenant, "*"]))
        )
    ).all()
    name = await uow.session.scalar(
        sa.select(competencies.c.name).where(
            competencies.c.tenant_id == tenant, competencies.c.competency_id == competency_id
        )
    )
    entries = [
        CatalogueEntry(
            r.entry_id,
            r.competency_id,
            r.kind,
            r.title.replace("{competency}", (name or competency_id).lower()),
            r.min_level,
            r.max_level,
            r.effort_weeks,
        )
        for r in rows
    ]
    return rank(entries, competency_id, from_level, to_level)


async def _actions_of(uow: UnitOfWork, tenant: str, goal_id: str) -> list[ev.Action]:
    rows = (
        await uow.session.execute(
            sa.select(actions)
            .where(actions.c.tenant_id == tenant, actions.c.goal_id == goal_id)
            .order_by(actions.c.action_id)
        )
    ).all()
    return [
        ev.Action(
            action_id=a.action_id,
            kind=ev.ActionKind(a.kind),
            title=a.title,
            owner_id=a.owner_id,
            target_date=a.target_date,
        )
        for a in rows
    ]


def _goal_added(plan: Any, goal: Any, acts: list[ev.Action]) -> ev.GoalAdded:
    return ev.GoalAdded(
        plan_id=plan.plan_id,
        goal_id=goal.goal_id,
        employee_id=plan.employee_id,
        competency_id=goal.competency_id,
        from_level=goal.from_level,
        to_level=goal.to_level,
        target_date=goal.target_date,
        actions=acts,
        added_at=goal.created_at,
    )


async def add_goal(
    uow: UnitOfWork,
    tenant: str,
    plan: Any,
    new: NewGoal,
    *,
    target_date: date | None = None,
    source: str,
    suggested_actions: int = 2,
) -> Any:
    """A goal with the top suggested actions (owned by the employee, due with the goal)."""
    goal_id = _id("goal")
    due = target_date or plan.period_end
    await uow.session.execute(
        sa.insert(goals).values(
            tenant_id=tenant,
            goal_id=goal_id,
            plan_id=plan.plan_id,
            competency_id=new.competency_id,
            from_level=new.from_level,
            to_level=new.to_level,
            target_date=due,
            status="open",
            progress=0,
            source=source,
            created_at=_now(),
        )
    )
    picks = (await suggestions(uow, tenant, new.competency_id, new.from_level, new.to_level))[
        :suggested_actions
    ]
    if picks:
        await uow.session.execute(
            sa.insert(actions),
            [
                {
                    "tenant_id": tenant,
                    "action_id": _id("act"),
                    "goal_id": goal_id,
                    "kind": e.kind,
                    "title": e.title,
                    "owner_id": plan.employee_id,
                    "target_date": due,
                    "status": "planned",
                }
                for e in picks
            ],
        )
    goal = (
        await uow.session.execute(
            sa.select(goals).where(goals.c.tenant_id == tenant, goals.c.goal_id == goal_id)
        )
    ).one()
    if plan.status != "suggested":
        uow.publish(
            _goal_added(plan, goal, await _actions_of(uow, tenant, goal_id)), tenant_id=tenant
        )
    return goal


async def _close_goal(
    uow: UnitOfWork, tenant: str, plan: Any, goal: Any, outcome: ev.GoalOutcome
) -> None:
    now = _now()
    await uow.session.execute(
        sa.update(goals)
        .where(goals.c.tenant_id == tenant, goals.c.goal_id == goal.goal_id)
        .values(
            status=outcome.value,
            completed_at=now,
            progress=100 if outcome is ev.GoalOutcome.ACHIEVED else goals.c.progress,
        )
    )
    if plan.status != "suggested":
        uow.publish(
            ev.GoalCompleted(
                plan_id=plan.plan_id,
                goal_id=goal.goal_id,
                employee_id=plan.employee_id,
                competency_id=goal.competency_id,
                outcome=outcome,
                completed_at=now,
            ),
            tenant_id=tenant,
        )


async def _goal_counts(uow: UnitOfWork, tenant: str, plan_id: str) -> tuple[int, int, int]:
    rows = (
        await uow.session.execute(
            sa.select(goals.c.status, sa.func.count())
            .where(goals.c.tenant_id == tenant, goals.c.plan_id == plan_id)
            .group_by(goals.c.status)
        )
    ).all()
    by = {s: int(n) for s, n in rows}
    total = sum(n for s, n in by.items() if s != "superseded")
    return total, by.get("achieved", 0), by.get("open", 0)


async def _finish(
    uow: UnitOfWork, tenant: str, plan: Any, status: str, outcome: ev.PlanOutcome
) -> None:
    now = _now()
    total, achieved, _ = await _goal_counts(uow, tenant, plan.plan_id)
    await uow.session.execute(
        sa.update(plans)
        .where(plans.c.tenant_id == tenant, plans.c.plan_id == plan.plan_id)
        .values(status=status, outcome=outcome.value, completed_at=now)
    )
    if plan.status != "suggested":
        uow.publish(
            ev.PlanCompleted(
                plan_id=plan.plan_id,
                employee_id=plan.employee_id,
                outcome=outcome,
                goals_total=total,
                goals_achieved=achieved,
                completed_at=now,
            ),
            tenant_id=tenant,
        )


async def maybe_complete(uow: UnitOfWork, tenant: str, plan_id: str) -> bool:
    plan = await get_plan(uow, tenant, plan_id, lock=True)
    if plan.status not in ("draft", "active"):
        return False
    total, _, still_open = await _goal_counts(uow, tenant, plan_id)
    if total and not still_open:
        await _finish(uow, tenant, plan, "completed", ev.PlanOutcome.COMPLETED)
        return True
    return False


async def close_open_plans(
    uow: UnitOfWork, tenant: str, employee_id: str, outcome: ev.PlanOutcome
) -> None:
    rows = (
        await uow.session.execute(
            sa.select(plans)
            .where(
                plans.c.tenant_id == tenant,
                plans.c.employee_id == employee_id,
                plans.c.status.in_(OPEN),
            )
            .with_for_update()
        )
    ).all()
    for plan in rows:
        await _finish(uow, tenant, plan, "closed", outcome)


async def on_gaps(uow: UnitOfWork, event: Envelope, p: SkillgapIdentified) -> None:
    """Draft (or suggest) a plan from the gaps, or rebase the open plan on them."""
    tenant = event.tenantid
    active = await uow.session.scalar(
        sa.select(employees.c.active).where(
            employees.c.tenant_id == tenant, employees.c.employee_id == p.employee_id
        )
    )
    if active is False:
        return  # gone: nothing to plan
    gaps = [GapIn(g.competency_id, g.current, g.required) for g in p.gaps]
    mode, months = await tenant_settings(uow, tenant)
    day = p.identified_at.date()
    plan = await open_plan(uow, tenant, p.employee_id)
    if plan is not None and plan.period_start < period_for(day, months)[0]:
        await _finish(uow, tenant, plan, "closed", ev.PlanOutcome.SUPERSEDED)
        plan = None
    if plan is None:
        new = goals_from_gaps(gaps)
        if not new:
            return
        plan = await create_plan(
            uow,
            tenant,
            p.employee_id,
            "suggested" if mode == "suggest" else "draft",
            day,
            p.assessment_id,
        )
        for g in new:
            await add_goal(uow, tenant, plan, g, source="gap")
        return
    open_goals = (
        await uow.session.execute(
            sa.select(goals).where(
                goals.c.tenant_id == tenant,
                goals.c.plan_id == plan.plan_id,
                goals.c.status == "open",
            )
        )
    ).all()
    decision = rebase([OpenGoal(g.goal_id, g.competency_id, g.to_level) for g in open_goals], gaps)
    by_id = {g.goal_id: g for g in open_goals}
    for goal_id in decision.achieved:
        await _close_goal(uow, tenant, plan, by_id[goal_id], ev.GoalOutcome.ACHIEVED)
    for goal_id in decision.superseded:
        await _close_goal(uow, tenant, plan, by_id[goal_id], ev.GoalOutcome.SUPERSEDED)
    for g in decision.new:
        await add_goal(uow, tenant, plan, g, source="gap")
    await maybe_complete(uow, tenant, plan.plan_id)


@dataclass(frozen=True)
class GoalIn:
    competency_id: str
    to_level: int
    from_level: int
    target_date: date | None


async def _check_goal(uow: UnitOfWork, tenant: str, g: GoalIn, today: date) -> None:
    comp = (
        await uow.session.execute(
            sa.select(competencies).where(
                competencies.c.tenant_id == tenant, competencies.c.competency_id == g.competency_id
            )
        )
    ).first()
    problems = []
    if comp is None:
        problems.append(
            f"competency_id: '{g.competency_id}' is not a competency of any published framework"
        )
    elif not comp.scale_low <= g.to_level <= comp.scale_high:
        problems.append(
            f"to_level: {g.to_level} is outside the scale {comp.scale_low}-{comp.scale_high}"
        )
    if g.from_level >= g.to_level:
        problems.append(f"to_level: {g.to_level} must be above from_level {g.from_level}")
    if g.target_date is not None and g.target_date < today:
        problems.append(f"target_date: {g.target_date.isoformat()} is in the past")
    if problems:
        raise Invalid(problems)


async def add_goal_by_hand(
    uow: UnitOfWork, who: Principal, plan_id: str, g: GoalIn, source: str = "manual"
) -> Any:
    tenant = who.tenant_id
    plan = await get_plan(uow, tenant, plan_id, lock=True)
    await require_part(uow, who, plan.employee_id, "self", "manager", what=f"plan '{plan_id}'")
    if plan.status not in ("draft", "active"):
        raise Conflict(
            f"plan '{plan_id}' is {plan.status}; goals are added to a draft or active plan"
        )
    await _check_goal(uow, tenant, g, date.today())
    duplicate = await uow.session.scalar(
        sa.select(goals.c.goal_id).where(
            goals.c.tenant_id == tenant,
            goals.c.plan_id == plan_id,
            goals.c.competency_id == g.competency_id,
            goals.c.status == "open",
        )
    )
    if duplicate:
        raise Conflict(
            f"plan '{plan_id}' already has an open goal for '{g.competency_id}' ({duplicate})"
        )
    return await add_goal(
        uow,
        tenant,
        plan,
        NewGoal(g.competency_id, g.from_level, g.to_level),
        target_date=g.target_date,
        source=source,
    )


async def new_plan(uow: UnitOfWork, who: Principal, employee_id: str) -> Any:
    await require_part(uow, who, employee_id, "self", "manager", what=f"employee '{employee_id}'")
    if await open_plan(uow, who.tenant_id, employee_id) is not None:
        raise Conflict(f"'{employee_id}' already has an open plan; one plan per period")
    return await create_plan(uow, who.tenant_id, employee_id, "draft", date.today(), None)


async def accept(uow: UnitOfWork, who: Principal, plan_id: str) -> Any:
    tenant = who.tenant_id
    plan = await get_plan(uow, tenant, plan_id, lock=True)
    await require_part(uow, who, plan.employee_id, "self", "manager", what=f"plan '{plan_id}'")
    if plan.status != "suggested":
        raise Conflict(f"plan '{plan_id}' is {plan.status}; only a suggested plan is accepted")
    await uow.session.execute(
        sa.update(plans)
        .where(plans.c.tenant_id == tenant, plans.c.plan_id == plan_id)
        .values(status="draft")
    )
    plan = await get_plan(uow, tenant, plan_id)
    uow.publish(_plan_event(plan), tenant_id=tenant)
    for goal in (
        await uow.session.execute(
            sa.select(goals)
            .where(goals.c.tenant_id == tenant, goals.c.plan_id == plan_id)
            .order_by(goals.c.created_at)
        )
    ).all():
        uow.publish(
            _goal_added(plan, goal, await _actions_of(uow, tenant, goal.goal_id)), tenant_id=tenant
        )
    return plan


async def approve(uow: UnitOfWork, who: Principal, plan_id: str) -> Any:
    tenant = who.tenant_id
    plan = await get_plan(uow, tenant, plan_id, lock=True)
    await require_part(uow, who, plan.employee_id, "manager", what=f"plan '{plan_id}'")
    if plan.status != "draft":
        raise Conflict(f"plan '{plan_id}' is {plan.status}; only a draft is approved")
    now = _now()
    await uow.session.execute(
        sa.update(plans)
        .where(plans.c.tenant_id == tenant, plans.c.plan_id == plan_id)
        .values(status="active", approved_by=who.subject, approved_at=now)
    )
    uow.publish(
        ev.PlanApproved(
            plan_id=plan_id, employee_id=plan.employee_id, approved_by=who.subject, approved_at=now
        ),
        tenant_id=tenant,
    )
    return await get_plan(uow, tenant, plan_id)


async def goal_and_plan(uow: UnitOfWork, who: Principal, goal_id: str) -> tuple[Any, Any, str]:
    goal = (
        await uow.session.execute(
            sa.select(goals)
            .where(goals.c.tenant_id == who.tenant_id, goals.c.goal_id == goal_id)
            .with_for_update()
        )
    ).first()
    if goal is None:
        raise NotFound(f"no goal '{goal_id}' among those you may see")
    plan = await get_plan(uow, who.tenant_id, goal.plan_id, lock=True)
    seen_as = await part(uow, who, plan.employee_id)
    if seen_as is None:
        raise NotFound(f"no goal '{goal_id}' among those you may see")
    return goal, plan, seen_as


async def progress(uow: UnitOfWork, who: Principal, goal_id: str, value: int) -> None:
    goal, plan, seen_as = await goal_and_plan(uow, who, goal_id)
    if seen_as != "self":
        raise Forbidden("the employee records progress on their goals; managers hold check-ins")
    if goal.status != "open":
        raise Conflict(f"goal '{goal_id}' is {goal.status}; progress is recorded on open goals")
    if plan.status not in ("draft", "active"):
        raise Conflict(f"plan '{plan.plan_id}' is {plan.status}")
    now = _now()
    await uow.session.execute(
        sa.update(goals)
        .where(goals.c.tenant_id == who.tenant_id, goals.c.goal_id == goal_id)
        .values(progress=value)
    )
    uow.publish(
        ev.GoalProgressed(
            plan_id=plan.plan_id,
            goal_id=goal_id,
            employee_id=plan.employee_id,
            progress=value,
            recorded_at=now,
        ),
        tenant_id=who.tenant_id,
    )


async def complete_goal(
    uow: UnitOfWork, who: Principal, goal_id: str, outcome: ev.GoalOutcome
) -> bool:
    goal, plan, seen_as = await goal_and_plan(uow, who, goal_id)
    if seen_as not in ("self", "manager"):
        raise Forbidden("the employee or their manager closes a goal")
    if goal.status != "open":
        raise Conflict(f"goal '{goal_id}' is already {goal.status}")
    if plan.status not in ("draft", "active"):
        raise Conflict(f"plan '{plan.plan_id}' is {plan.status}")
    await _close_goal(uow, who.tenant_id, plan, goal, outcome)
    return await maybe_complete(uow, who.tenant_id, plan.plan_id)


async def add_action(
    uow: UnitOfWork,
    who: Principal,
    goal_id: str,
    kind: str,
    title: str,
    owner_id: str,
    target_date: date,
) -> str:
    goal, _plan, seen_as = await goal_and_plan(uow, who, goal_id)
    if seen_as not in ("self", "manager"):
        raise Forbidden("the employee or their manager plans actions")
    if goal.status != "open":
        raise Conflict(f"goal '{goal_id}' is {goal.status}")
    problems = []
    if kind not in KINDS:
        problems.append(f"kind: '{kind}' is not one of {', '.join(KINDS)}")
    if target_date < date.today():
        problems.append(f"target_date: {target_date.isoformat()} is in the past")
    owner = await uow.session.scalar(
        sa.select(employees.c.active).where(
            employees.c.tenant_id == who.tenant_id, employees.c.employee_id == owner_id
        )
    )
    if not owner:
        problems.append(f"owner_id: '{owner_id}' is not an active employee")
    if problems:
        raise Invalid(problems)
    action_id = _id("act")
    await uow.session.execute(
        sa.insert(actions).values(
            tenant_id=who.tenant_id,
            action_id=action_id,
            goal_id=goal_id,
            kind=kind,
            title=title,
            owner_id=owner_id,
            target_date=target_date,
            status="planned",
        )
    )
    return action_id


async def set_action_status(uow: UnitOfWork, who: Principal, action_id: str, status: str) -> None:
    row = (
        await uow.session.execute(
            sa.select(actions).where(
                actions.c.tenant_id == who.tenant_id, actions.c.action_id == action_id
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"no action '{action_id}' among those you may see")
    _goal, _plan, seen_as = await goal_and_plan(uow, who, row.goal_id)
    if seen_as not in ("self", "manager"):
        # HR reads plans; the employee and their managers work on them.
        raise Forbidden("the employee or their manager updates an action")
    await uow.session.execute(
        sa.update(actions)
        .where(actions.c.tenant_id == who.tenant_id, actions.c.action_id == action_id)
        .values(status=status)
    )


async def checkin(uow: UnitOfWork, who: Principal, plan_id: str, notes: str, rating: int) -> str:
    plan = await get_plan(uow, who.tenant_id, plan_id, lock=True)
    await require_part(uow, who, plan.employee_id, "manager", what=f"plan '{plan_id}'")
    if plan.status not in ("draft", "active"):
        raise Conflict(f"plan '{plan_id}' is {plan.status}; check-ins are held on open plans")
    checkin_id, now = _id("chk"), _now()
    await uow.session.execute(
        sa.insert(checkins).values(
            tenant_id=who.tenant_id,
            checkin_id=checkin_id,
            plan_id=plan_id,
            manager_id=who.subject,
            notes=notes,
            progress_rating=rating,
            held_at=now,
        )
    )
    uow.publish(
        ev.CheckinRecorded(
            plan_id=plan_id,
            checkin_id=checkin_id,
            employee_id=plan.employee_id,
            manager_id=who.subject,
            progress_rating=rating,
            held_at=now,
        ),
        tenant_id=who.tenant_id,
    )
    return checkin_id


async def plan_view(uow: UnitOfWork, who: Principal, plan_id: str) -> dict[str, Any]:
    tenant = who.tenant_id
    plan = await get_plan(uow, tenant, plan_id)
    seen_as = await part(uow, who, plan.employee_id)
    if seen_as is None:
        raise NotFound(f"no plan '{plan_id}' among those you may see")
    goal_rows = (
        await uow.session.execute(
            sa.select(goals)
            .where(goals.c.tenant_id == tenant, goals.c.plan_id == plan_id)
            .order_by(goals.c.created_at, goals.c.competency_id)
        )
    ).all()
    action_rows = (
        await uow.session.execute(
            sa.select(actions).where(
                actions.c.tenant_id == tenant, actions.c.goal_id.in_([g.goal_id for g in goal_rows])
            )
        )
    ).all()
    checkin_rows = (
        await uow.session.execute(
            sa.select(checkins)
            .where(checkins.c.tenant_id == tenant, checkins.c.plan_id == plan_id)
            .order_by(checkins.c.held_at)
        )
    ).all()
    return {
        "plan_id": plan.plan_id,
        "employee_id": plan.employee_id,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "status": plan.status,
        "outcome": plan.outcome,
        "assessment_id": plan.assessment_id,
        "approved_by": plan.approved_by,
        "your_part": seen_as,
        "goals": [
            {
                "goal_id": g.goal_id,
                "competency_id": g.competency_id,
                "from_level": g.from_level,
                "to_level": g.to_level,
                "target_date": g.target_date,
                "status": g.status,
                "progress": g.progress,
                "source": g.source,
                "actions": [
                    {
                        "action_id": a.action_id,
                        "kind": a.kind,
                        "title": a.title,
                        "owner_id": a.owner_id,
                        "target_date": a.target_date,
                        "status": a.status,
                    }
                    for a in action_rows
                    if a.goal_id == g.goal_id
                ],
            }
            for g in goal_rows
        ],
        "checkins": [
            {
                "checkin_id": c.checkin_id,
                "manager_id": c.manager_id,
                "progress_rating": c.progress_rating,
                "held_at": c.held_at,
                # Private to the employee and their managers: HR sees that it happened, not what was said.
                "notes": c.notes if seen_as in ("self", "manager") else None,
            }
            for c in checkin_rows
        ],
    }


async def list_plans(
    uow: UnitOfWork, who: Principal, employee_id: str | None, status: str | None
) -> list[Any]:
    stmt = sa.select(plans).where(plans.c.tenant_id == who.tenant_id)
    if employee_id:
        stmt = stmt.where(plans.c.employee_id == employee_id)
    if status:
        stmt = stmt.where(plans.c.status == status)
    if not who.has(Role.HR_ADMIN):
        stmt = stmt.where(
            sa.or_(
                plans.c.employee_id == who.subject,
                plans.c.employee_id.in_(relation.reports_of(employees, who.tenant_id, who.subject)),
            )
        )
    return list((await uow.session.execute(stmt.order_by(plans.c.created_at))).all())


async def completion_summary(uow: UnitOfWork, tenant: str) -> dict[str, Any]:
    by_status = {
        s: int(n)
        for s, n in (
            await uow.session.execute(
                sa.select(plans.c.status, sa.func.count())
                .where(plans.c.tenant_id == tenant)
                .group_by(plans.c.status)
            )
        ).all()
    }
    goal_status = {
        s: int(n)
        for s, n in (
            await uow.session.execute(
                sa.select(goals.c.status, sa.func.count())
                .where(goals.c.tenant_id == tenant)
                .group_by(goals.c.status)
            )
        ).all()
    }
    finished = by_status.get("completed", 0) + by_status.get("closed", 0)
    closed_goals = sum(n for s, n in goal_status.items() if s in ("achieved", "dropped"))
    return {
        "plans": by_status,
        "goals": goal_status,
        "plan_completion_rate": round(by_status.get("completed", 0) / finished, 4)
        if finished
        else None,
        "goal_achievement_rate": round(goal_status.get("achieved", 0) / closed_goals, 4)
        if closed_goals
        else None,
    }


def as_goal_in(
    competency_id: str, to_level: int, from_level: int, target_date: date | None
) -> GoalIn:
    return GoalIn(competency_id, to_level, from_level, target_date)


def entries_as_dicts(entries: Sequence[CatalogueEntry]) -> list[dict[str, Any]]:
    return [e.__dict__ for e in entries]

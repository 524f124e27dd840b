"""Goals and their actions: added by hand, progressed by the employee, closed, planned.

The employee records progress on their own goals; the employee and their
managers add, close and plan; HR reads; anyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from careerstream.contracts.events import plans as ev
from careerstream.plans.adapters.repository import Plans, Reference
from careerstream.plans.domain.evidence import Estimate
from careerstream.plans.domain.plan import ActionState, Goal, Plan
from careerstream.plans.domain.rules import CatalogueEntry, NewGoal, action_problems, goal_problems
from careerstream.plans.service_layer.plans import (
    WORKERS,
    first_actions,
    now,
    relation_to,
    require,
    save,
    suggestions,
)
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.domain import Forbidden, Invalid, NotFound
from careerstream.servicekit.relation import Relation
from careerstream.servicekit.uow import UnitOfWork


@dataclass(frozen=True)
class GoalIn:
    """A goal as asked for by hand."""

    competency_id: str
    to_level: int
    from_level: int
    target_date: date | None


async def check_goal(uow: UnitOfWork, tenant: str, goal: GoalIn) -> None:
    """422 listing every problem of a goal asked for by hand."""
    scale = await Reference(uow, tenant).scale_of(goal.competency_id)
    problems = goal_problems(
        goal.competency_id, goal.from_level, goal.to_level, goal.target_date, scale, date.today()
    )
    if problems:
        raise Invalid(problems)


async def add_to(
    uow: UnitOfWork, tenant: str, plan: Plan, goal: GoalIn, *, source: str, by_hand: bool
) -> Goal:
    """Add a goal with its first actions to a loaded plan (saved by the caller)."""
    new = NewGoal(goal.competency_id, goal.from_level, goal.to_level)
    picks = await first_actions(uow, tenant, new)
    add = plan.add_goal_by_hand if by_hand else plan.add_goal
    return add(new, source=source, now=now(), target_date=goal.target_date, suggestions=picks)


async def add_goal_by_hand(
    uow: UnitOfWork, who: Principal, plan_id: str, goal: GoalIn, source: str = "manual"
) -> Goal:
    """The employee or a manager adds a goal to a draft or active plan."""
    plans = Plans(uow, who.tenant_id)
    plan = await plans.get(plan_id, lock=True)
    await require(uow, who, plan.employee_id, WORKERS, what=f"plan '{plan_id}'")
    plan.require_working("; goals are added to a draft or active plan")
    await check_goal(uow, who.tenant_id, goal)
    added = await add_to(uow, who.tenant_id, plan, goal, source=source, by_hand=True)
    await save(uow, plans, plan)
    return added


async def plan_of_goal(
    uow: UnitOfWork, who: Principal, goal_id: str
) -> tuple[Plans, Plan, Relation]:
    """The plan holding a goal the caller may see (locked), and the caller's relation to its owner."""
    plans = Plans(uow, who.tenant_id)
    plan = await plans.with_goal(goal_id)
    seen_as = await relation_to(uow, who, plan.employee_id)
    if not seen_as.sees:
        raise NotFound(f"no goal '{goal_id}' among those you may see")
    return plans, plan, seen_as


async def progress(uow: UnitOfWork, who: Principal, goal_id: str, value: int) -> None:
    """The employee records progress (percent) on one of their open goals."""
    plans, plan, seen_as = await plan_of_goal(uow, who, goal_id)
    if seen_as is not Relation.SELF:
        raise Forbidden("the employee records progress on their goals; managers hold check-ins")
    plan.record_progress(goal_id, value, now())
    await save(uow, plans, plan)


async def complete_goal(
    uow: UnitOfWork, who: Principal, goal_id: str, outcome: ev.GoalOutcome
) -> bool:
    """The employee or a manager closes a goal; True when that completed the plan."""
    plans, plan, seen_as = await plan_of_goal(uow, who, goal_id)
    if seen_as not in WORKERS:
        raise Forbidden("the employee or their manager closes a goal")
    completed = plan.complete_goal(goal_id, outcome, now())
    await save(uow, plans, plan)
    return completed


async def add_action(
    uow: UnitOfWork,
    who: Principal,
    goal_id: str,
    kind: str,
    title: str,
    owner_id: str,
    target_date: date,
    *,
    entry_id: str | None = None,
) -> str:
    """The employee or a manager plans an action for an open goal (a catalogue entry, when
    `entry_id` names one); returns its id."""
    plans, plan, seen_as = await plan_of_goal(uow, who, goal_id)
    if seen_as not in WORKERS:
        raise Forbidden("the employee or their manager plans actions")
    plan.open_goal(goal_id)
    owner_active = bool(await Reference(uow, who.tenant_id).is_active(owner_id))
    problems = action_problems(kind, target_date, owner_active, owner_id, date.today())
    if entry_id is not None and await Reference(uow, who.tenant_id).entry(entry_id) is None:
        problems.append(f"entry_id: no catalogue entry '{entry_id}'")
    if problems:
        raise Invalid(problems)
    action = plan.add_action(
        goal_id,
        kind=kind,
        title=title,
        owner_id=owner_id,
        target_date=target_date,
        entry_id=entry_id,
    )
    await save(uow, plans, plan)
    return action.action_id


async def set_action_status(uow: UnitOfWork, who: Principal, action_id: str, status: str) -> None:
    """The employee or a manager moves an action to another status."""
    plans = Plans(uow, who.tenant_id)
    plan, goal_id = await plans.with_action(action_id)
    seen_as = await relation_to(uow, who, plan.employee_id)
    if not seen_as.sees:
        raise NotFound(f"no goal '{goal_id}' among those you may see")
    if seen_as not in WORKERS:
        # HR reads plans; the employee and their managers work on them.
        raise Forbidden("the employee or their manager updates an action")
    plan.set_action_status(action_id, ActionState(status), now())
    await save(uow, plans, plan)


async def suggestions_for(
    uow: UnitOfWork, who: Principal, goal_id: str
) -> tuple[list[tuple[CatalogueEntry, Estimate]], str]:
    """Catalogue entries for a goal the caller may see, best first, with their evidence; and
    the competency's name (what the evidence is told in)."""
    _, plan, _ = await plan_of_goal(uow, who, goal_id)
    goal = plan.goal(goal_id)
    ranked = await suggestions(
        uow, who.tenant_id, goal.competency_id, goal.from_level, goal.to_level
    )
    return ranked, await Reference(uow, who.tenant_id).competency_name(goal.competency_id)

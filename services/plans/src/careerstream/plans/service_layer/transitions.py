"""Transitions: when someone moves to another role, their plan moves with them.

A move is recorded by the marketplace (`role.filled`, internal) or by the HRIS
(`employee.changed` with a new `role_id`, unless the reason is `correction`).
Either way:

1. the person's open plan closes (`closed_on_move`): its goals were for the
   role they left, and stay in the history as they were;
2. a transition plan for the new role is drafted at once, from the new role's
   requirements and the person's latest known levels (`levels`, kept from
   every `skillgap.identified`): a goal for each competency where they fall
   short, with the catalogue's first actions. Competencies never rated are
   named in the event (`unknown_competencies`): the next assessment against the
   new role fills them in, and rebases the plan like any other;
3. `careerstream.plans.transition.drafted.v1` names their manager in the new
   role (the hiring manager of a fill, else the HRIS's manager), who is to
   approve the plan and hold the first career conversation.

A move recorded twice — a fill, then the HRIS giving the person that role — drafts
one transition plan: the second finds the open transition plan for that role.
"""

from __future__ import annotations

from datetime import datetime

from careerstream.contracts.events import plans as ev
from careerstream.plans.adapters.repository import Plans, Reference
from careerstream.plans.domain.rules import goals_from_gaps, transition_gaps
from careerstream.plans.service_layer.plans import first_actions, now, save, start
from careerstream.servicekit.uow import UnitOfWork


async def after_move(
    uow: UnitOfWork,
    tenant: str,
    employee_id: str,
    *,
    to_role_id: str,
    from_role_id: str | None,
    manager_id: str | None,
    moved_at: datetime,
    source: ev.MoveSource,
) -> None:
    """Close the mover's open plan and draft their transition plan (see the module)."""
    reference, plans = Reference(uow, tenant), Plans(uow, tenant)
    if await reference.is_active(employee_id) is False:
        return  # gone: nothing to plan
    open_plans = await plans.open_plans_of(employee_id)
    if any(p.transition_to_role_id == to_role_id for p in open_plans):
        return  # the same move, recorded again
    closed: str | None = None
    for plan in open_plans:
        plan.close(ev.PlanOutcome.CLOSED_ON_MOVE, now())
        await save(uow, plans, plan)
        closed = closed or plan.plan_id
    role = (await reference.roles()).get(to_role_id)
    requirements: dict[str, int] = dict(role.requirements) if role is not None else {}
    gaps, unknown = transition_gaps(requirements, await reference.levels_of(employee_id))
    plan = await start(
        uow,
        tenant,
        employee_id,
        suggested=False,
        day=moved_at.date(),
        assessment_id=None,
        transition_to_role_id=to_role_id,
    )
    for goal in goals_from_gaps(gaps):
        picks = await first_actions(uow, tenant, goal)
        plan.add_goal(goal, source="transition", now=now(), suggestions=picks)
    await save(uow, plans, plan)
    uow.publish(
        ev.TransitionPlanDrafted(
            plan_id=plan.plan_id,
            employee_id=employee_id,
            manager_id=manager_id,
            from_role_id=from_role_id,
            to_role_id=to_role_id,
            source=source,
            closed_plan_id=closed,
            goals=len(plan.goals),
            unknown_competencies=unknown,
            moved_at=moved_at,
            drafted_at=now(),
        ),
        tenant_id=tenant,
    )

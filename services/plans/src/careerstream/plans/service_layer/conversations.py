"""Career conversations (logged by managers) and the guides that prepare them.

Notes are private to the employee and their managers: HR sees that a
conversation happened, its kind and how many follow-ups were agreed, never the
notes. A follow-up can become a goal in the employee's open plan (a draft plan
is started when there is none).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from careerstream.contracts.events import plans as ev
from careerstream.plans.adapters.repository import Conversations, Plans, Reference
from careerstream.plans.domain.plan import Goal, PlanState
from careerstream.plans.domain.rules import guide
from careerstream.plans.service_layer.goals import GoalIn, add_to, check_goal
from careerstream.plans.service_layer.plans import (
    WORKERS,
    relation_to,
    require,
    save,
    start,
)
from careerstream.servicekit import errors
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.relation import MANAGERS
from careerstream.servicekit.uow import UnitOfWork


async def log(
    uow: UnitOfWork,
    who: Principal,
    employee_id: str,
    kind: ev.ConversationKind,
    held_at: datetime,
    notes: str,
    follow_ups: list[str],
) -> str:
    """A manager logs a conversation once held; returns its id."""
    await require(uow, who, employee_id, MANAGERS, what=f"employee '{employee_id}'")
    if held_at > datetime.now(UTC) + timedelta(minutes=5):
        raise errors.Invalid(
            [f"held_at: {held_at.isoformat()} is in the future; log conversations once held"]
        )
    conversation_id = f"conv-{uuid.uuid4().hex[:16]}"
    await Conversations(uow, who.tenant_id).add(
        {
            "conversation_id": conversation_id,
            "employee_id": employee_id,
            "manager_id": who.subject,
            "kind": kind.value,
            "held_at": held_at,
            "notes": notes,
            "follow_ups": [{"text": f, "goal_id": None} for f in follow_ups],
        }
    )
    uow.publish(
        ev.ConversationHeld(
            conversation_id=conversation_id,
            employee_id=employee_id,
            manager_id=who.subject,
            kind=kind,
            follow_ups=len(follow_ups),
            held_at=held_at,
        ),
        tenant_id=who.tenant_id,
    )
    return conversation_id


def _view(row: Any, private: bool) -> dict[str, Any]:
    return {
        "conversation_id": row.conversation_id,
        "employee_id": row.employee_id,
        "manager_id": row.manager_id,
        "kind": row.kind,
        "held_at": row.held_at,
        "notes": row.notes if private else None,
        "follow_ups": row.follow_ups
        if private
        else [{"text": None, "goal_id": f["goal_id"]} for f in row.follow_ups],
    }


async def list_for(uow: UnitOfWork, who: Principal, employee_id: str) -> list[dict[str, Any]]:
    """An employee's conversations as the caller may see them (notes for WORKERS only)."""
    seen_as = await relation_to(uow, who, employee_id)
    if not seen_as.sees:
        raise errors.NotFound(f"no employee '{employee_id}' among those you may see")
    rows = await Conversations(uow, who.tenant_id).of(employee_id)
    return [_view(r, seen_as in WORKERS) for r in rows]


async def follow_up_to_goal(
    uow: UnitOfWork, who: Principal, conversation_id: str, index: int, goal_in: GoalIn
) -> tuple[Goal, str]:
    """Turn an agreed follow-up into a goal of the employee's open plan (a draft is started
    when there is none; a suggestion is accepted); returns the goal and its plan's id."""
    tenant = who.tenant_id
    talks = Conversations(uow, tenant)
    row = await talks.get(conversation_id)
    await require(uow, who, row.employee_id, WORKERS, what=f"conversation '{conversation_id}'")
    if not 0 <= index < len(row.follow_ups):
        raise errors.NotFound(
            f"conversation '{conversation_id}' has {len(row.follow_ups)} follow-up(s); no number {index}"
        )
    if row.follow_ups[index]["goal_id"]:
        raise errors.Conflict(
            f"follow-up {index} is already goal '{row.follow_ups[index]['goal_id']}'"
        )
    await check_goal(uow, tenant, goal_in)
    plans = Plans(uow, tenant)
    plan = await plans.open_plan_of(row.employee_id)
    if plan is None:
        plan = await start(
            uow, tenant, row.employee_id, suggested=False, day=date.today(), assessment_id=None
        )
    if plan.status is PlanState.SUGGESTED:
        plan.accept()
    goal = await add_to(uow, tenant, plan, goal_in, source="follow_up", by_hand=False)
    await save(uow, plans, plan)
    follow_ups = [dict(f) for f in row.follow_ups]
    follow_ups[index]["goal_id"] = goal.goal_id
    await talks.set_follow_ups(conversation_id, follow_ups)
    return goal, plan.plan_id


async def guides(
    uow: UnitOfWork, tenant: str, from_role: str, to_role: str | None
) -> list[dict[str, Any]]:
    """The guide of each transition from `from_role`: to `to_role`, or to each next level on its tracks."""
    reference = Reference(uow, tenant)
    rows = await reference.roles()
    origin = rows.get(from_role)
    if origin is None:
        raise errors.NotFound(f"no role '{from_role}' in the published frameworks")
    if to_role is not None:
        if to_role not in rows:
            raise errors.NotFound(f"no role '{to_role}' in the published frameworks")
        targets = [rows[to_role]]
    else:
        targets = [
            r
            for r in rows.values()
            if r.family_id == origin.family_id
            and r.rank == origin.rank + 1
            and set(r.track_ids) & set(origin.track_ids)
        ]
        if not targets:
            raise errors.NotFound(
                f"'{from_role}' is at the top of its tracks; ask for a lateral move with to_role"
            )
    comps = await reference.competencies()
    out = []
    for target in sorted(targets, key=lambda r: r.role_id):
        if target.family_id != origin.family_id:
            kind = "lateral_move"
        elif target.rank > origin.rank:
            kind = "promotion"
        else:
            kind = "track_switch"
        items = guide(origin.requirements, target.requirements, comps, to_title=target.title)
        out.append(
            {
                "from_role_id": origin.role_id,
                "from_title": origin.title,
                "to_role_id": target.role_id,
                "to_title": target.title,
                "transition": kind,
                "opening_questions": [
                    f"What draws you to the {target.title} role?",
                    "Which parts of your current work would you want to keep, and which to leave behind?",
                    f"What would make the next six months a success on the way to {target.title}?",
                ],
                "competencies": [i.__dict__ for i in items],
            }
        )
    return out

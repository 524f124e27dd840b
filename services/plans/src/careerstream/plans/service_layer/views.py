"""What the plans API shows: plans as the caller may see them, lists, figures, settings, catalogue.

Check-in notes are private to the employee and their managers: HR sees that a
check-in happened and its rating, never what was said.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from careerstream.plans.adapters.orm import learning_records
from careerstream.plans.adapters.repository import Plans, Reference
from careerstream.plans.domain.evidence import Estimate
from careerstream.plans.domain.plan import Plan
from careerstream.plans.domain.rules import CatalogueEntry, period_for
from careerstream.plans.service_layer.plans import WORKERS, relation_to
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.domain import NotFound
from careerstream.servicekit.uow import UnitOfWork


async def plan_view(uow: UnitOfWork, who: Principal, plan_id: str) -> dict[str, Any]:
    """A plan with its goals, actions and check-ins, as the caller may see it (404 otherwise)."""
    plans = Plans(uow, who.tenant_id)
    plan = await plans.get(plan_id)
    seen_as = await relation_to(uow, who, plan.employee_id)
    if not seen_as.sees:
        raise NotFound(f"no plan '{plan_id}' among those you may see")
    private = seen_as in WORKERS
    learned = await learning_of(uow, who.tenant_id, plan)
    return {
        **_plan_fields(plan),
        "your_part": seen_as.part,
        "goals": [
            {
                "goal_id": g.goal_id,
                "competency_id": g.competency_id,
                "from_level": g.from_level,
                "to_level": g.to_level,
                "target_date": g.target_date,
                "status": g.status.value,
                "progress": g.progress,
                "source": g.source,
                "actions": [
                    {
                        "action_id": a.action_id,
                        "kind": a.kind,
                        "title": a.title,
                        "owner_id": a.owner_id,
                        "target_date": a.target_date,
                        "status": a.status.value,
                        "entry_id": a.entry_id,
                        "progress": a.progress,
                        "via": a.via.value,
                        "learning": learned.get(a.action_id, []),
                    }
                    for a in g.actions
                ],
            }
            for g in plan.goals
        ],
        "checkins": [
            {
                "checkin_id": c.checkin_id,
                "manager_id": c.manager_id,
                "progress_rating": c.progress_rating,
                "held_at": c.held_at,
                "notes": c.notes if private else None,
            }
            for c in await plans.checkins_of(plan_id)
        ],
    }


async def learning_of(uow: UnitOfWork, tenant: str, plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """The learning records that moved each action of a plan, oldest first (a failed attempt
    too: the action stays open, and the plan says why)."""
    ids = {a.action_id for g in plan.goals for a in g.actions}
    if not ids:
        return {}
    rows = await uow.session.execute(
        sa.select(learning_records)
        .where(
            learning_records.c.tenant_id == tenant,
            learning_records.c.employee_id == plan.employee_id,
            learning_records.c.applied,
            learning_records.c.actions != sa.text("'[]'::jsonb"),
        )
        .order_by(learning_records.c.occurred_at)
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows.all():
        for action_id in r.actions:
            if action_id in ids:
                out.setdefault(action_id, []).append(
                    {
                        "statement_id": r.statement_id,
                        "verb": r.verb,
                        "progress": r.progress,
                        "source_id": r.source_id,
                        "occurred_at": r.occurred_at,
                        "voided": r.voided,
                    }
                )
    return out


def _plan_fields(plan: Plan) -> dict[str, Any]:
    return {
        "plan_id": plan.plan_id,
        "employee_id": plan.employee_id,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "status": plan.status.value,
        "outcome": plan.outcome,
        "assessment_id": plan.assessment_id,
        "transition_to_role_id": plan.transition_to_role_id,
        "approved_by": plan.approved_by,
        "progress": plan.progress,
        "goals_achieved": sum(g.status.value == "achieved" for g in plan.goals),
        "goals_open": sum(g.is_open for g in plan.goals),
    }


async def list_plans(
    uow: UnitOfWork, who: Principal, employee_id: str | None, status: str | None
) -> list[Any]:
    """Plan rows the caller may read: their own, their reports', or (hr_admin) all."""
    return await Plans(uow, who.tenant_id).readable(who, employee_id, status)


async def completion_summary(uow: UnitOfWork, tenant: str) -> dict[str, Any]:
    """Plans and goals by status, the plan completion rate and the goal achievement rate."""
    by_status, goal_status = await Plans(uow, tenant).counts()
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


async def settings(uow: UnitOfWork, tenant: str) -> tuple[str, int]:
    """The tenant's (plan mode, period months)."""
    return await Reference(uow, tenant).settings()


async def put_settings(uow: UnitOfWork, tenant: str, mode: str, months: int) -> None:
    """Change the tenant's plan mode and period (the period must divide the year)."""
    period_for(date.today(), months)  # raises on a bad period
    await Reference(uow, tenant).put_settings(mode, months)


async def catalogue(uow: UnitOfWork, tenant: str) -> list[dict[str, Any]]:
    """The tenant's catalogue entries, then the seeded ones."""
    return await Reference(uow, tenant).catalogue()


async def put_entry(
    uow: UnitOfWork, tenant: str, entry_id: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Add or replace a catalogue entry of the tenant."""
    return await Reference(uow, tenant).put_entry(entry_id, values)


async def retire_entry(
    uow: UnitOfWork, who: Principal, entry_id: str, *, retire: bool
) -> dict[str, Any]:
    """Retire a catalogue entry for the tenant (no longer suggested; actions already taken
    from it stay), or put it back in use. 404 for an entry the tenant does not see."""
    reference = Reference(uow, who.tenant_id)
    if await reference.entry(entry_id) is None:
        raise NotFound(f"no catalogue entry '{entry_id}'")
    if retire:
        await reference.retire(entry_id, who.subject, datetime.now(UTC))
    else:
        await reference.reinstate(entry_id)
    found = await reference.entry(entry_id)
    assert found is not None
    return found


def entries_as_dicts(entries: list[CatalogueEntry]) -> list[dict[str, Any]]:
    """Catalogue entries as the API shows them."""
    return [e.__dict__ for e in entries]


def suggestions_as_dicts(
    ranked: list[tuple[CatalogueEntry, Estimate]], competency_name: str
) -> list[dict[str, Any]]:
    """A goal's suggested entries, each with the evidence behind its place."""
    return [
        {
            **e.__dict__,
            "evidence": {
                "basis": "evidence" if x.ranked else "rule",
                "closed": x.closed,
                "total": x.total,
                "estimate": round(x.rate, 3),
                "interval": [round(x.low, 3), round(x.high, 3)],
                "months": round(x.months, 1) if x.months is not None else None,
                "why": x.why(competency_name),
            },
        }
        for e, x in ranked
    ]

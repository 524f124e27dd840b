"""All SQL of the plans service's own data: plans with their goals, actions and check-ins.

`Plans` loads and saves the `Plan` aggregate whole (a plan has a handful of
goals): `save` writes only the rows that changed, so a plan's history keeps its
order. Reads that shape answers (lists, summaries) are here too, each filtered
to what the caller may read (`readable_by`).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.events.plans import ActionVia
from careerstream.plans.adapters.orm import (
    actions,
    catalogue,
    checkins,
    competencies,
    conversations,
    employees,
    goals,
    levels,
    plans,
    retired_entries,
    roles,
    settings,
)
from careerstream.plans.domain.evidence import Outcomes
from careerstream.plans.domain.plan import (
    OPEN,
    Action,
    ActionState,
    CheckIn,
    Goal,
    GoalState,
    Plan,
    PlanState,
)
from careerstream.plans.domain.rules import CatalogueEntry
from careerstream.servicekit.auth import Principal
from careerstream.servicekit.db import latest_version, replace_copy, upsert_changed
from careerstream.servicekit.domain import NotFound
from careerstream.servicekit.relation import readable_by
from careerstream.servicekit.uow import UnitOfWork

_SAVE_PLAN = upsert_changed(plans, ("tenant_id", "plan_id"))
_SAVE_GOAL = upsert_changed(goals, ("tenant_id", "goal_id"))
_SAVE_ACTION = upsert_changed(actions, ("tenant_id", "action_id"))


class Plans:
    """The plans of one tenant."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    # -- the aggregate -------------------------------------------------------------------------

    async def _load(self, stmt: sa.Select[Any]) -> list[Plan]:
        session = self.uow.session
        rows = (await session.execute(stmt)).all()
        if not rows:
            return []
        ids = [r.plan_id for r in rows]
        goal_rows = (
            await session.execute(
                sa.select(goals)
                .where(goals.c.tenant_id == self.tenant, goals.c.plan_id.in_(ids))
                .order_by(goals.c.created_at, goals.c.competency_id)
            )
        ).all()
        action_rows = (
            await session.execute(
                sa.select(actions).where(
                    actions.c.tenant_id == self.tenant,
                    actions.c.goal_id.in_([g.goal_id for g in goal_rows]),
                )
            )
        ).all()
        by_goal: dict[str, list[Action]] = {}
        for a in action_rows:
            by_goal.setdefault(a.goal_id, []).append(
                Action(
                    a.action_id,
                    a.kind,
                    a.title,
                    a.owner_id,
                    a.target_date,
                    ActionState(a.status),
                    entry_id=a.entry_id,
                    progress=a.progress,
                    via=ActionVia(a.via),
                    statement_id=a.statement_id,
                )
            )
        by_plan: dict[str, list[Goal]] = {}
        for g in goal_rows:
            by_plan.setdefault(g.plan_id, []).append(
                Goal(
                    goal_id=g.goal_id,
                    competency_id=g.competency_id,
                    from_level=g.from_level,
                    to_level=g.to_level,
                    target_date=g.target_date,
                    source=g.source,
                    created_at=g.created_at,
                    status=GoalState(g.status),
                    progress=g.progress,
                    completed_at=g.completed_at,
                    actions=by_goal.get(g.goal_id, []),
                )
            )
        return [
            Plan(
                plan_id=r.plan_id,
                employee_id=r.employee_id,
                period_start=r.period_start,
                period_end=r.period_end,
                status=PlanState(r.status),
                created_at=r.created_at,
                assessment_id=r.assessment_id,
                transition_to_role_id=r.transition_to_role_id,
                approved_by=r.approved_by,
                approved_at=r.approved_at,
                completed_at=r.completed_at,
                outcome=r.outcome,
                goals=by_plan.get(r.plan_id, []),
            )
            for r in rows
        ]

    async def get(self, plan_id: str, *, lock: bool = False) -> Plan:
        """A plan of the tenant (locked for the transaction when `lock`); 404 when there is none."""
        stmt = sa.select(plans).where(plans.c.tenant_id == self.tenant, plans.c.plan_id == plan_id)
        found = await self._load(stmt.with_for_update() if lock else stmt)
        if not found:
            raise NotFound(f"no plan '{plan_id}' among those you may see")
        return found[0]

    async def open_plans_of(self, employee_id: str) -> list[Plan]:
        """The employee's open plans, latest period first, locked."""
        return await self._load(
            sa.select(plans)
            .where(
                plans.c.tenant_id == self.tenant,
                plans.c.employee_id == employee_id,
                plans.c.status.in_([s.value for s in OPEN]),
            )
            .order_by(plans.c.period_start.desc())
            .with_for_update()
        )

    async def open_plan_of(self, employee_id: str) -> Plan | None:
        """The employee's open plan (the latest period's), locked; None when there is none."""
        found = await self.open_plans_of(employee_id)
        return found[0] if found else None

    async def with_goal(self, goal_id: str) -> Plan:
        """The plan that holds a goal, locked; 404 when the tenant has no such goal."""
        plan_id = await self.uow.session.scalar(
            sa.select(goals.c.plan_id).where(
                goals.c.tenant_id == self.tenant, goals.c.goal_id == goal_id
            )
        )
        if plan_id is None:
            raise NotFound(f"no goal '{goal_id}' among those you may see")
        return await self.get(plan_id, lock=True)

    async def with_action(self, action_id: str) -> tuple[Plan, str]:
        """The plan that holds an action, locked, and the action's goal; 404 when there is none."""
        goal_id = await self.uow.session.scalar(
            sa.select(actions.c.goal_id).where(
                actions.c.tenant_id == self.tenant, actions.c.action_id == action_id
            )
        )
        if goal_id is None:
            raise NotFound(f"no action '{action_id}' among those you may see")
        return await self.with_goal(goal_id), goal_id

    async def save(self, plan: Plan) -> None:
        """Write the plan, its goals and actions where they changed, and its new check-ins."""
        session, tenant = self.uow.session, self.tenant
        await session.execute(
            _SAVE_PLAN,
            [
                {
                    "tenant_id": tenant,
                    "plan_id": plan.plan_id,
                    "employee_id": plan.employee_id,
                    "period_start": plan.period_start,
                    "period_end": plan.period_end,
                    "status": plan.status.value,
                    "assessment_id": plan.assessment_id,
                    "transition_to_role_id": plan.transition_to_role_id,
                    "created_at": plan.created_at,
                    "approved_by": plan.approved_by,
                    "approved_at": plan.approved_at,
                    "completed_at": plan.completed_at,
                    "outcome": plan.outcome,
                }
            ],
        )
        if plan.goals:
            await session.execute(
                _SAVE_GOAL,
                [
                    {
                        "tenant_id": tenant,
                        "goal_id": g.goal_id,
                        "plan_id": plan.plan_id,
                        "competency_id": g.competency_id,
                        "from_level": g.from_level,
                        "to_level": g.to_level,
                        "target_date": g.target_date,
                        "status": g.status.value,
                        "progress": g.progress,
                        "source": g.source,
                        "created_at": g.created_at,
                        "completed_at": g.completed_at,
                    }
                    for g in plan.goals
                ],
            )
        all_actions = [(g, a) for g in plan.goals for a in g.actions]
        if all_actions:
            await session.execute(
                _SAVE_ACTION,
                [
                    {
                        "tenant_id": tenant,
                        "action_id": a.action_id,
                        "goal_id": g.goal_id,
                        "kind": a.kind,
                        "title": a.title,
                        "owner_id": a.owner_id,
                        "target_date": a.target_date,
                        "status": a.status.value,
                        "entry_id": a.entry_id,
                        "progress": a.progress,
                        "via": a.via.value,
                        "statement_id": a.statement_id,
                    }
                    for g, a in all_actions
                ],
            )
        if plan.new_checkins:
            await session.execute(
                sa.insert(checkins),
                [
                    {
                        "tenant_id": tenant,
                        "checkin_id": c.checkin_id,
                        "plan_id": plan.plan_id,
                        "manager_id": c.manager_id,
                        "notes": c.notes,
                        "progress_rating": c.progress_rating,
                        "held_at": c.held_at,
                    }
                    for c in plan.new_checkins
                ],
            )
            plan.new_checkins.clear()

    # -- reads ---------------------------------------------------------------------------------

    async def checkins_of(self, plan_id: str) -> list[CheckIn]:
        """A plan's check-ins, oldest first."""
        rows = (
            await self.uow.session.execute(
                sa.select(checkins)
                .where(checkins.c.tenant_id == self.tenant, checkins.c.plan_id == plan_id)
                .order_by(checkins.c.held_at)
            )
        ).all()
        return [
            CheckIn(r.checkin_id, r.manager_id, r.notes, r.progress_rating, r.held_at) for r in rows
        ]

    async def readable(
        self, who: Principal, employee_id: str | None, status: str | None
    ) -> list[Any]:
        """The plan rows `who` may read (their own, their reports', all for hr_admin), oldest first."""
        stmt = sa.select(plans).where(
            plans.c.tenant_id == self.tenant, readable_by(employees, who, plans.c.employee_id)
        )
        if employee_id:
            stmt = stmt.where(plans.c.employee_id == employee_id)
        if status:
            stmt = stmt.where(plans.c.status == status)
        return list((await self.uow.session.execute(stmt.order_by(plans.c.created_at))).all())

    async def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """How many plans and goals of the tenant are in each status."""
        out = []
        for table in (plans, goals):
            rows = await self.uow.session.execute(
                sa.select(table.c.status, sa.func.count())
                .where(table.c.tenant_id == self.tenant)
                .group_by(table.c.status)
            )
            out.append({s: int(n) for s, n in rows.all()})
        return out[0], out[1]


class Reference:
    """What the plans service holds about the tenant: settings, catalogue, frameworks, people."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    async def settings(self) -> tuple[str, int]:
        """(plan mode, period months), defaults ("draft", 6)."""
        row = (
            await self.uow.session.execute(
                sa.select(settings).where(settings.c.tenant_id == self.tenant)
            )
        ).first()
        return (row.plan_mode, row.period_months) if row else ("draft", 6)

    async def put_settings(self, mode: str, months: int) -> None:
        """Set the tenant's plan mode and period."""
        stmt = pg_insert(settings).values(
            tenant_id=self.tenant, plan_mode=mode, period_months=months
        )
        await self.uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[settings.c.tenant_id],
                set_={
                    "plan_mode": stmt.excluded.plan_mode,
                    "period_months": stmt.excluded.period_months,
                },
            )
        )

    def _retired(self) -> sa.Select[Any]:
        return sa.select(retired_entries.c.entry_id).where(
            retired_entries.c.tenant_id == self.tenant
        )

    async def catalogue(self) -> list[dict[str, Any]]:
        """The tenant's catalogue entries, then the seeded ones, each with when (and by whom)
        the tenant retired it (null while it is in use)."""
        r = retired_entries
        rows = await self.uow.session.execute(
            sa.select(catalogue, r.c.retired_at, r.c.retired_by)
            .select_from(
                catalogue.outerjoin(
                    r, sa.and_(r.c.tenant_id == self.tenant, r.c.entry_id == catalogue.c.entry_id)
                )
            )
            .where(catalogue.c.tenant_id.in_([self.tenant, "*"]))
            .order_by(catalogue.c.tenant_id.desc(), catalogue.c.entry_id)
        )
        return [dict(r._mapping) for r in rows.all()]

    async def entry(self, entry_id: str) -> dict[str, Any] | None:
        """One entry the tenant sees (its own before a seeded one of the same id), or None."""
        for row in await self.catalogue():
            if row["entry_id"] == entry_id:
                return row
        return None

    async def retire(self, entry_id: str, by: str, at: Any) -> None:
        """Retire an entry for the tenant (again: keeps the first retirement)."""
        await self.uow.session.execute(
            pg_insert(retired_entries)
            .values(tenant_id=self.tenant, entry_id=entry_id, retired_at=at, retired_by=by)
            .on_conflict_do_nothing()
        )

    async def reinstate(self, entry_id: str) -> None:
        """Put a retired entry back in use."""
        await self.uow.session.execute(
            sa.delete(retired_entries).where(
                retired_entries.c.tenant_id == self.tenant, retired_entries.c.entry_id == entry_id
            )
        )

    async def put_entry(self, entry_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Add or replace one of the tenant's catalogue entries; returns the row."""
        row = {"tenant_id": self.tenant, "entry_id": entry_id, **values}
        await self.uow.session.execute(
            sa.delete(catalogue).where(
                catalogue.c.tenant_id == self.tenant, catalogue.c.entry_id == entry_id
            )
        )
        await self.uow.session.execute(sa.insert(catalogue).values(**row))
        return row

    async def catalogue_for(self, competency_id: str) -> list[CatalogueEntry]:
        """The catalogue entries (tenant's and seeded), titles filled in with the competency's name."""
        rows = (
            await self.uow.session.execute(
                sa.select(catalogue).where(
                    catalogue.c.tenant_id.in_([self.tenant, "*"]),
                    catalogue.c.entry_id.not_in(self._retired()),
                )
            )
        ).all()
        name = await self.uow.session.scalar(
            sa.select(competencies.c.name).where(
                competencies.c.tenant_id == self.tenant,
                competencies.c.competency_id == competency_id,
            )
        )
        return [
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

    async def outcomes(self) -> list[Outcomes]:
        """The tenant's resolved goals, counted by competency, kind of action done and gap
        (see `domain/evidence.py` for what counts)."""
        rows = await self.uow.session.execute(
            sa.text(
                "SELECT g.competency_id, a.kind, g.to_level - g.from_level AS gap, "
                "count(*) AS total, count(*) FILTER (WHERE g.status = 'achieved') AS closed, "
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "
                "  g.completed_at - g.created_at) / 86400) "
                "  FILTER (WHERE g.status = 'achieved') AS median_days "
                "FROM plans.goals g "
                "JOIN plans.plans p ON p.tenant_id = g.tenant_id AND p.plan_id = g.plan_id "
                "JOIN (SELECT DISTINCT goal_id, kind FROM plans.actions "
                "      WHERE tenant_id = :t AND status = 'done') a ON a.goal_id = g.goal_id "
                "WHERE g.tenant_id = :t AND (g.status IN ('achieved', 'dropped') "
                "  OR (g.status = 'open' AND p.status IN ('completed', 'closed'))) "
                "GROUP BY 1, 2, 3"
            ),
            {"t": self.tenant},
        )
        return [
            Outcomes(
                r.competency_id,
                r.kind,
                int(r.gap),
                int(r.total),
                int(r.closed),
                float(r.median_days) if r.median_days is not None else None,
            )
            for r in rows.all()
        ]

    async def competency_name(self, competency_id: str) -> str:
        name = await self.uow.session.scalar(
            sa.select(competencies.c.name).where(
                competencies.c.tenant_id == self.tenant,
                competencies.c.competency_id == competency_id,
            )
        )
        return str(name or competency_id)

    async def scale_of(self, competency_id: str) -> tuple[int, int] | None:
        """The (low, high) scale of a published competency; None when there is none."""
        row = (
            await self.uow.session.execute(
                sa.select(competencies.c.scale_low, competencies.c.scale_high).where(
                    competencies.c.tenant_id == self.tenant,
                    competencies.c.competency_id == competency_id,
                )
            )
        ).first()
        return (row.scale_low, row.scale_high) if row else None

    async def competencies(self) -> dict[str, tuple[str, dict[int, str]]]:
        """Every published competency: id -> (name, descriptor by level)."""
        rows = await self.uow.session.execute(
            sa.select(competencies).where(competencies.c.tenant_id == self.tenant)
        )
        return {
            c.competency_id: (c.name, {int(k): v for k, v in c.descriptors.items()})
            for c in rows.all()
        }

    async def roles(self) -> dict[str, Any]:
        """Every published role's row, by id."""
        rows = await self.uow.session.execute(
            sa.select(roles).where(roles.c.tenant_id == self.tenant)
        )
        return {r.role_id: r for r in rows.all()}

    async def framework_version(self, framework_id: str) -> int:
        """The version of a framework held (0 when none is)."""
        session = self.uow.session
        held = [
            await latest_version(session, t, self.tenant, framework_id)
            for t in (roles, competencies)
        ]
        return max(h or 0 for h in held)

    async def replace_framework(
        self,
        framework_id: str,
        version: int,
        competency_rows: list[dict[str, Any]],
        role_rows: list[dict[str, Any]],
    ) -> None:
        """Hold this version's competencies and roles instead of the framework's earlier ones."""
        key = {"tenant_id": self.tenant, "framework_id": framework_id, "framework_version": version}
        for table, rows in ((competencies, competency_rows), (roles, role_rows)):
            full = [{**key, **r} for r in rows]
            await replace_copy(self.uow.session, table, self.tenant, framework_id, full)

    async def record_levels(
        self, employee_id: str, found: dict[str, int], identified_at: Any
    ) -> None:
        """Remember the person's levels an analysis found, unless a later one is held."""
        if not found:
            return
        stmt = pg_insert(levels)
        await self.uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "employee_id", "competency_id"],
                set_={"level": stmt.excluded.level, "identified_at": stmt.excluded.identified_at},
                where=levels.c.identified_at <= stmt.excluded.identified_at,
            ),
            [
                {
                    "tenant_id": self.tenant,
                    "employee_id": employee_id,
                    "competency_id": c,
                    "level": lv,
                    "identified_at": identified_at,
                }
                for c, lv in sorted(found.items())
            ],
        )

    async def levels_of(self, employee_id: str) -> dict[str, int]:
        """The person's latest known level per competency."""
        rows = await self.uow.session.execute(
            sa.select(levels.c.competency_id, levels.c.level).where(
                levels.c.tenant_id == self.tenant, levels.c.employee_id == employee_id
            )
        )
        return {c: int(lv) for c, lv in rows.all()}

    async def person(self, employee_id: str) -> Any:
        """The person's directory row (None when unknown)."""
        return (
            await self.uow.session.execute(
                sa.select(employees).where(
                    employees.c.tenant_id == self.tenant, employees.c.employee_id == employee_id
                )
            )
        ).first()

    async def is_active(self, employee_id: str) -> bool | None:
        """True or False from the directory; None when it does not know the person."""
        found: bool | None = await self.uow.session.scalar(
            sa.select(employees.c.active).where(
                employees.c.tenant_id == self.tenant, employees.c.employee_id == employee_id
            )
        )
        return found


class Conversations:
    """The career conversations of one tenant (rows: notes are shaped by the service layer)."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    async def add(self, row: dict[str, Any]) -> None:
        """Record a conversation."""
        await self.uow.session.execute(
            sa.insert(conversations).values(tenant_id=self.tenant, **row)
        )

    async def get(self, conversation_id: str) -> Any:
        """A conversation, locked; 404 when the tenant has none by that id."""
        row = (
            await self.uow.session.execute(
                sa.select(conversations)
                .where(
                    conversations.c.tenant_id == self.tenant,
                    conversations.c.conversation_id == conversation_id,
                )
                .with_for_update()
            )
        ).first()
        if row is None:
            raise NotFound(f"no conversation '{conversation_id}' among those you may see")
        return row

    async def of(self, employee_id: str) -> list[Any]:
        """An employee's conversations, oldest first."""
        rows = await self.uow.session.execute(
            sa.select(conversations)
            .where(
                conversations.c.tenant_id == self.tenant,
                conversations.c.employee_id == employee_id,
            )
            .order_by(conversations.c.held_at)
        )
        return list(rows.all())

    async def set_follow_ups(self, conversation_id: str, follow_ups: list[dict[str, Any]]) -> None:
        """Replace a conversation's follow-ups (to link one to its goal)."""
        await self.uow.session.execute(
            sa.update(conversations)
            .where(
                conversations.c.tenant_id == self.tenant,
                conversations.c.conversation_id == conversation_id,
            )
            .values(follow_ups=follow_ups)
        )

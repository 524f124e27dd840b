"""The programme's figures (see METRICS.md): mobility, development and skills.

Engagement, retention, fairness and the headline of the daily snapshot are in
`workforce.py`; who a figure counts is `scope.py`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on

from careerstream.metrics.adapters.orm import (
    applications,
    benches,
    employees,
    gap_observations,
    goals,
    learning_completions,
    opportunities,
    org_units,
    plan_actions,
    plans,
    readiness,
    role_history,
    roles,
)
from careerstream.metrics.domain import anonymity
from careerstream.metrics.domain.definitions import (
    SAME_MOVE_DAYS,
    Fill,
    Move,
    RoleRef,
    Window,
    all_moves,
    days,
    median,
    mobility,
    ratio,
    role_moves,
)
from careerstream.metrics.service_layer.scope import Filters, population
from careerstream.servicekit import orgtree, relation
from careerstream.servicekit.db import among
from careerstream.servicekit.uow import UnitOfWork


async def opportunity_rows(u: UnitOfWork, tenant: str, f: Filters) -> list[Any]:
    """The opportunities a view counts (posted by the filtered population's managers)."""
    o, r = opportunities, roles
    stmt = (
        sa.select(o, r.c.level_id, r.c.track_ids, r.c.family_id.label("role_family"))
        .select_from(
            o.outerjoin(r, sa.and_(r.c.tenant_id == o.c.tenant_id, r.c.role_id == o.c.role_id))
        )
        .where(o.c.tenant_id == tenant)
    )
    if f.department:
        stmt = stmt.where(
            o.c.department_id.in_(orgtree.subtree(org_units, tenant, [f.department], "opp_dept"))
        )
    if f.family:
        stmt = stmt.where(sa.func.coalesce(r.c.family_id, o.c.family_id) == f.family)
    if f.track:
        stmt = stmt.where(r.c.track_ids.any(f.track))
    if f.level:
        stmt = stmt.where(r.c.level_id == f.level)
    if f.manager:
        stmt = stmt.where(
            sa.or_(
                o.c.hiring_manager_id == f.manager,
                o.c.hiring_manager_id.in_(relation.reports_of(employees, tenant, f.manager)),
            )
        )
    return list((await u.session.execute(stmt)).all())


def fills_of(rows: list[Any], w: Window) -> list[Fill]:
    """The fills of those opportunities, as the definitions count them."""
    return [
        Fill(
            r.opportunity_id,
            r.posted_at,
            r.filled_at,
            bool(r.internal),
            r.mover_id,
            r.move_kind,
            r.to_role_id,
        )
        for r in rows
        if w.holds(r.filled_at) and r.posted_at is not None
    ]


async def hris_moves(u: UnitOfWork, tenant: str, w: Window) -> list[Move]:
    """The moves the HRIS recorded in the window (domain.role_moves)."""
    h = role_history
    movers = sa.select(h.c.employee_id).where(
        h.c.tenant_id == tenant,
        h.c.reason != "hired",
        h.c.effective_on >= w.start,
        h.c.effective_on < w.end,
    )
    rows = (
        await u.session.execute(
            sa.select(
                h.c.employee_id, h.c.effective_on, h.c.recorded_at, h.c.role_id, h.c.reason
            ).where(h.c.tenant_id == tenant, h.c.employee_id.in_(movers), h.c.effective_on < w.end)
        )
    ).all()
    if not rows:
        return []
    refs = {
        r.role_id: RoleRef(r.family_id, r.rank)
        for r in (
            await u.session.execute(
                sa.select(roles.c.role_id, roles.c.family_id, roles.c.rank).where(
                    roles.c.tenant_id == tenant
                )
            )
        ).all()
    }
    return [m for m in role_moves([tuple(r) for r in rows], refs) if w.holds(m.at)]


async def moves_in(u: UnitOfWork, tenant: str, w: Window) -> list[Move]:
    """Every move of the window, through the marketplace or recorded by the HRIS, each once.

    Fills up to SAME_MOVE_DAYS either side of the window are read too, so that an HRIS change
    recording a fill of the window before is not counted again in this one."""
    margin = timedelta(days=SAME_MOVE_DAYS)
    wide = Window(w.start - margin, w.end + margin)
    fills = fills_of(await opportunity_rows(u, tenant, Filters(wide)), wide)
    return [m for m in all_moves(fills, await hris_moves(u, tenant, w)) if w.holds(m.at)]


async def mobility_figures(u: UnitOfWork, tenant: str, f: Filters) -> dict[str, Any]:
    """Internal hire, promotion and lateral move rates, time to fill, applications (METRICS.md)."""
    w = f.window
    opps = await opportunity_rows(u, tenant, f)
    fills = fills_of(opps, w)
    pop = await population(u, tenant, f)
    posted = [r.opportunity_id for r in opps if w.holds(r.posted_at)]
    apps = 0
    if posted:
        apps = int(
            await u.session.scalar(
                sa.select(sa.func.count()).where(
                    applications.c.tenant_id == tenant, among(applications.c.opportunity_id, posted)
                )
            )
            or 0
        )
    # Promotions and lateral moves (through the marketplace or recorded by the HRIS) are
    # counted for the people of the population.
    moves = [m for m in await moves_in(u, tenant, w) if m.mover_id in pop]
    out: dict[str, Any] = dict(mobility(fills, len(pop), apps, len(posted)))
    promotions = sum(m.kind == "promotion" for m in moves)
    laterals = sum(m.kind == "lateral" for m in moves)
    out.update(
        headcount=len(pop),
        promotions=promotions,
        promotion_rate=ratio(promotions, len(pop)),
        lateral_moves=laterals,
        lateral_move_rate=ratio(laterals, len(pop)),
        promotions_recorded_by_hris=sum(
            m.kind == "promotion" and m.source == "hris" for m in moves
        ),
        lateral_moves_recorded_by_hris=sum(
            m.kind == "lateral" and m.source == "hris" for m in moves
        ),
    )
    out["counts"] = MOBILITY_COUNTS
    return out


MOBILITY_COUNTS = {
    "opportunities": {
        "figures": [
            "fills",
            "internal_fills",
            "internal_hire_rate",
            "time_to_fill_internal_median_days",
            "time_to_fill_internal_p90_days",
            "time_to_fill_external_median_days",
            "time_to_fill_external_p90_days",
            "postings",
            "applications_per_opportunity",
        ],
        "filtered_by": "the opportunity: its department, its role's family, track and level, "
        "its hiring manager",
    },
    "people": {
        "figures": [
            "headcount",
            "promotions",
            "promotion_rate",
            "lateral_moves",
            "lateral_move_rate",
            "promotions_recorded_by_hris",
            "lateral_moves_recorded_by_hris",
        ],
        "filtered_by": "the person: their current department, role, and manager line",
    },
}
"""Which population each mobility figure counts (METRICS.md, "Two populations")."""


async def development_figures(u: UnitOfWork, tenant: str, f: Filters) -> dict[str, Any]:
    """Plan coverage and completion, goal completion, time to close a gap (METRICS.md)."""
    w = f.window
    pop = await population(u, tenant, f)
    ids = list(pop)
    plan_rows = (
        await u.session.execute(
            sa.select(plans).where(plans.c.tenant_id == tenant, among(plans.c.employee_id, ids))
        )
    ).all()
    at_end = [p for p in pop.values() if p.employed_at(w.end - timedelta(microseconds=1))]
    active_at_end = {
        p.employee_id
        for p in plan_rows
        if p.approved_at is not None
        and p.approved_at < w.end
        and (p.completed_at is None or p.completed_at >= w.end)
    }
    ended = [p for p in plan_rows if w.holds(p.completed_at)]
    goal_rows = (
        await u.session.execute(
            sa.select(goals).where(
                goals.c.tenant_id == tenant,
                among(goals.c.employee_id, ids),
                goals.c.outcome.in_(["achieved", "dropped"]),
            )
        )
    ).all()
    closed_goals = [g for g in goal_rows if w.holds(g.completed_at)]
    return {
        "headcount_at_end": len(at_end),
        "active_plan_share": ratio(
            len(active_at_end & {p.employee_id for p in at_end}), len(at_end)
        ),
        "plans_ended": len(ended),
        "plan_completion_rate": ratio(sum(p.outcome == "completed" for p in ended), len(ended)),
        "goals_closed": len(closed_goals),
        "goal_completion_rate": ratio(
            sum(g.outcome == "achieved" for g in closed_goals), len(closed_goals)
        ),
        "time_to_close_gap_median_days": median(await _gap_closing_days(u, tenant, ids, w)),
    }


async def learning_figures(u: UnitOfWork, tenant: str, f: Filters) -> dict[str, Any]:
    """What people learned through the company's LMS, and how much of the plans it moved
    (METRICS.md, "Learning"). Voided records do not count."""
    w = f.window
    pop = await population(u, tenant, f)
    ids = list(pop)
    at_end = [p for p in pop.values() if p.employed_at(w.end - timedelta(microseconds=1))]
    completions = (
        await u.session.execute(
            sa.select(
                learning_completions.c.employee_id, learning_completions.c.completed_at
            ).where(
                learning_completions.c.tenant_id == tenant,
                among(learning_completions.c.employee_id, ids),
                sa.not_(learning_completions.c.voided),
            )
        )
    ).all()
    in_window = [c for c in completions if w.holds(c.completed_at)]
    done = (
        await u.session.execute(
            sa.select(plan_actions.c.via, plan_actions.c.done_at, plans.c.approved_at)
            .select_from(
                plan_actions.outerjoin(
                    plans,
                    sa.and_(
                        plans.c.tenant_id == plan_actions.c.tenant_id,
                        plans.c.plan_id == plan_actions.c.plan_id,
                    ),
                )
            )
            .where(
                plan_actions.c.tenant_id == tenant,
                among(plan_actions.c.employee_id, ids),
                plan_actions.c.status == "done",
            )
        )
    ).all()
    done_in_window = [a for a in done if w.holds(a.done_at)]
    via_lms = [a for a in done_in_window if a.via == "lms"]
    return {
        "headcount_at_end": len(at_end),
        "courses_completed": len(in_window),
        "people_who_completed_a_course": len({c.employee_id for c in in_window}),
        "courses_completed_per_employee": ratio(len(in_window), len(at_end)),
        "plan_actions_done": len(done_in_window),
        "plan_actions_done_through_lms": len(via_lms),
        "lms_share_of_plan_actions_done": ratio(len(via_lms), len(done_in_window)),
        "plan_to_lms_completion_median_days": median(
            [
                (a.done_at - a.approved_at).total_seconds() / 86400
                for a in via_lms
                if a.approved_at is not None and a.done_at >= a.approved_at
            ]
        ),
    }


async def _gap_closing_days(u: UnitOfWork, tenant: str, ids: list[str], w: Window) -> list[float]:
    rows = (
        await u.session.execute(
            sa.select(
                gap_observations.c.employee_id,
                gap_observations.c.competency_id,
                gap_observations.c.identified_at,
                gap_observations.c.gap,
            )
            .where(
                gap_observations.c.tenant_id == tenant,
                gap_observations.c.reference == "current",
                among(gap_observations.c.employee_id, ids),
                gap_observations.c.identified_at < w.end,
            )
            .order_by(gap_observations.c.identified_at)
        )
    ).all()
    series: dict[tuple[str, str], list[tuple[datetime, int]]] = defaultdict(list)
    for e, c, t, g in rows:
        series[(e, c)].append((t, g))
    out = []
    for obs in series.values():
        opened: datetime | None = None
        for t, g in obs:
            if g > 0 and opened is None:
                opened = t
            elif g <= 0 and opened is not None:
                if w.holds(t):
                    out.append(days(opened, t))
                opened = None
    return out


async def skills_figures(u: UnitOfWork, tenant: str, f: Filters, threshold: int) -> dict[str, Any]:
    """Gap heatmap and trend, readiness pipeline by role (METRICS.md)."""
    w = f.window
    pop = await population(u, tenant, f)
    ids = list(pop)
    g = gap_observations
    latest = (
        await u.session.execute(
            sa.select(g.c.employee_id, g.c.competency_id, g.c.gap, employees.c.manager_id)
            .ext(distinct_on(g.c.employee_id, g.c.competency_id))
            .select_from(
                g.join(
                    employees,
                    sa.and_(
                        employees.c.tenant_id == g.c.tenant_id,
                        employees.c.employee_id == g.c.employee_id,
                    ),
                )
            )
            .where(
                g.c.tenant_id == tenant,
                g.c.reference == "current",
                among(g.c.employee_id, ids),
                g.c.identified_at < w.end,
            )
            .order_by(g.c.employee_id, g.c.competency_id, g.c.identified_at.desc())
        )
    ).all()
    cells: dict[tuple[str, str], list[int]] = defaultdict(list)
    for _e, comp, gap, team in latest:
        cells[(team or "", comp)].append(max(0, gap))
    heatmap: list[dict[str, Any]] = []
    for (team, comp), gaps in sorted(cells.items()):
        if len(gaps) < threshold:
            heatmap.append(
                {
                    "team": team or None,
                    "competency_id": comp,
                    "suppressed": True,
                    "reason": f"fewer than {threshold} people",
                }
            )
        else:
            heatmap.append(
                {
                    "team": team or None,
                    "competency_id": comp,
                    "n": len(gaps),
                    "mean_gap": round(sum(gaps) / len(gaps), 3),
                }
            )
    monthly = (
        await u.session.execute(
            sa.select(
                sa.func.date_trunc("month", g.c.identified_at).label("month"),
                g.c.competency_id,
                sa.func.avg(sa.func.greatest(g.c.gap, 0)),
                sa.func.count(sa.distinct(g.c.employee_id)),
            )
            .where(
                g.c.tenant_id == tenant,
                g.c.reference == "current",
                among(g.c.employee_id, ids),
                g.c.identified_at >= w.start,
                g.c.identified_at < w.end,
            )
            .group_by(sa.text("1"), g.c.competency_id)
            .order_by(sa.text("1"), g.c.competency_id)
        )
    ).all()
    trend = [
        {
            "month": m.date().isoformat()[:7],
            "competency_id": c,
            "mean_gap": round(float(avg), 3),
            "people": int(n),
        }
        if n >= threshold
        else {"month": m.date().isoformat()[:7], "competency_id": c, "suppressed": True}
        for m, c, avg, n in monthly
    ]
    r = readiness
    ready_rows = (
        await u.session.execute(
            sa.select(r.c.employee_id, r.c.role_id, r.c.readiness, r.c.ready)
            .ext(distinct_on(r.c.employee_id, r.c.role_id))
            .where(r.c.tenant_id == tenant, among(r.c.employee_id, ids), r.c.identified_at < w.end)
            .order_by(r.c.employee_id, r.c.role_id, r.c.identified_at.desc())
        )
    ).all()
    pipeline: dict[str, dict[str, int]] = defaultdict(lambda: {"ready_now": 0, "ready_soon": 0})
    for _e, role, score, ready in ready_rows:
        if ready:
            pipeline[role]["ready_now"] += 1
        elif score >= 0.8:
            pipeline[role]["ready_soon"] += 1
    return {
        "gap_heatmap": heatmap,
        "gap_trend": trend,
        "readiness_pipeline": [
            _pipeline_row(role, counts, threshold) for role, counts in sorted(pipeline.items())
        ],
    }


def _pipeline_row(role: str, counts: dict[str, int], threshold: int) -> dict[str, Any]:
    """A role's ready-now and ready-soon counts; a count of 1 to k-1 people is suppressed."""
    row: dict[str, Any] = {"role_id": role}
    for name, n in counts.items():
        hidden = anonymity.small(n, threshold)
        row[name] = None if hidden else n
        row[f"{name}_suppressed"] = hidden
    return row


async def succession_figures(u: UnitOfWork, tenant: str, family: str | None) -> dict[str, Any]:
    """Bench strength of the critical roles (METRICS.md, "Succession"): counts of roles and
    successors from mobility's `bench.changed`, never who is on a slate."""
    b, r = benches, roles
    stmt = (
        sa.select(b, r.c.family_id)
        .select_from(
            b.outerjoin(r, sa.and_(r.c.tenant_id == b.c.tenant_id, r.c.role_id == b.c.role_id))
        )
        .where(b.c.tenant_id == tenant, b.c.critical)
        .order_by(b.c.role_id)
    )
    if family:
        stmt = stmt.where(r.c.family_id == family)
    rows = (await u.session.execute(stmt)).all()
    n = len(rows)
    covered = sum(1 for x in rows if x.ready_now > 0)
    return {
        "family": family,
        "critical_roles": n,
        "critical_roles_with_ready_now_successor": covered,
        "ready_now_coverage": round(covered / n, 4) if n else None,
        "bench_strength": round(sum(x.ready_now + x.ready_soon for x in rows) / n, 2)
        if n
        else None,
        "successors_ready_now": sum(x.ready_now for x in rows),
        "successors_ready_1_2_years": sum(x.ready_soon for x in rows),
        "nominated_share": (
            round(sum(x.nominated for x in rows) / total, 4)
            if (total := sum(x.ready_now + x.ready_soon + x.later for x in rows))
            else None
        ),
        "critical_roles_without_successor": sum(
            1 for x in rows if x.ready_now + x.ready_soon + x.later == 0
        ),
    }

"""The programme's figures (see METRICS.md): mobility, development and skills.

Engagement, retention, fairness and the headline of the daily snapshot are in
`workforce.py`; who a figure counts is `scope.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on

from careerstream.metrics.adapters.orm import (
    applications,
    benches,
    employees,
    gap_closings,
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
    mobility,
    ratio,
    role_moves,
)
from careerstream.metrics.service_layer.scope import (
    Filters,
    count_employed,
    employed_at,
    members,
    of_population,
    people,
    size,
)
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
    headcount = await size(u, tenant, f)
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
    everyone = await moves_in(u, tenant, w)
    pop = await members(u, tenant, f, (m.mover_id for m in everyone))
    moves = [m for m in everyone if m.mover_id in pop]
    out: dict[str, Any] = dict(mobility(fills, headcount, apps, len(posted)))
    promotions = sum(m.kind == "promotion" for m in moves)
    laterals = sum(m.kind == "lateral" for m in moves)
    out.update(
        headcount=headcount,
        promotions=promotions,
        promotion_rate=ratio(promotions, headcount),
        lateral_moves=laterals,
        lateral_move_rate=ratio(laterals, headcount),
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
    last = w.end - timedelta(microseconds=1)
    at_end = await count_employed(u, tenant, f, last)
    p = plans.c
    # Those employed at the window's end with a plan approved before it and not ended by then.
    active = int(
        await u.session.scalar(
            sa.select(sa.func.count(sa.distinct(p.employee_id))).where(
                p.tenant_id == tenant,
                p.approved_at < w.end,
                sa.or_(p.completed_at.is_(None), p.completed_at >= w.end),
                p.employee_id.in_(people(tenant, f).where(employed_at(last))),
            )
        )
        or 0
    )
    ended, completed = (
        await u.session.execute(
            sa.select(sa.func.count(), sa.func.count().filter(p.outcome == "completed")).where(
                p.tenant_id == tenant,
                p.completed_at >= w.start,
                p.completed_at < w.end,
                of_population(p.employee_id, tenant, f),
            )
        )
    ).one()
    g = goals.c
    closed, achieved = (
        await u.session.execute(
            sa.select(sa.func.count(), sa.func.count().filter(g.outcome == "achieved")).where(
                g.tenant_id == tenant,
                g.outcome.in_(["achieved", "dropped"]),
                g.completed_at >= w.start,
                g.completed_at < w.end,
                of_population(g.employee_id, tenant, f),
            )
        )
    ).one()
    return {
        "headcount_at_end": at_end,
        "active_plan_share": ratio(active, at_end),
        "plans_ended": ended,
        "plan_completion_rate": ratio(completed, ended),
        "goals_closed": closed,
        "goal_completion_rate": ratio(achieved, closed),
        "time_to_close_gap_median_days": await _gap_closing_median(u, tenant, f),
    }


async def learning_figures(u: UnitOfWork, tenant: str, f: Filters) -> dict[str, Any]:
    """What people learned through the company's LMS, and how much of the plans it moved
    (METRICS.md, "Learning"). Voided records do not count."""
    w = f.window
    at_end = await count_employed(u, tenant, f, w.end - timedelta(microseconds=1))
    lc = learning_completions.c
    courses, learners = (
        await u.session.execute(
            sa.select(sa.func.count(), sa.func.count(sa.distinct(lc.employee_id))).where(
                lc.tenant_id == tenant,
                sa.not_(lc.voided),
                lc.completed_at >= w.start,
                lc.completed_at < w.end,
                of_population(lc.employee_id, tenant, f),
            )
        )
    ).one()
    a, p = plan_actions.c, plans.c
    via_lms = a.via == "lms"
    lms_days = sa.extract("epoch", a.done_at - p.approved_at) / 86400
    done, through_lms, median_days = (
        await u.session.execute(
            sa.select(
                sa.func.count(),
                sa.func.count().filter(via_lms),
                sa.func.percentile_cont(0.5)
                .within_group(lms_days)
                .filter(via_lms, p.approved_at.is_not(None), a.done_at >= p.approved_at),
            )
            .select_from(
                plan_actions.outerjoin(
                    plans, sa.and_(p.tenant_id == a.tenant_id, p.plan_id == a.plan_id)
                )
            )
            .where(
                a.tenant_id == tenant,
                a.status == "done",
                a.done_at >= w.start,
                a.done_at < w.end,
                of_population(a.employee_id, tenant, f),
            )
        )
    ).one()
    return {
        "headcount_at_end": at_end,
        "courses_completed": courses,
        "people_who_completed_a_course": learners,
        "courses_completed_per_employee": ratio(courses, at_end),
        "plan_actions_done": done,
        "plan_actions_done_through_lms": through_lms,
        "lms_share_of_plan_actions_done": ratio(through_lms, done),
        "plan_to_lms_completion_median_days": _rounded(median_days),
    }


def _rounded(value: Any) -> float | None:
    """A median PostgreSQL computed, as `definitions.median` reports one."""
    return None if value is None else round(float(value), 2)


async def _gap_closing_median(u: UnitOfWork, tenant: str, f: Filters) -> float | None:
    """The median days from a gap opening to its closing, over the closings in the window
    (`definitions.gap_closings`, kept by the projection in `gap_closings`)."""
    w = f.window
    c = gap_closings.c
    value = await u.session.scalar(
        sa.select(sa.func.percentile_cont(0.5).within_group(c.days)).where(
            c.tenant_id == tenant,
            c.closed_at >= w.start,
            c.closed_at < w.end,
            of_population(c.employee_id, tenant, f),
        )
    )
    return _rounded(value)


async def skills_figures(
    u: UnitOfWork, tenant: str, f: Filters, threshold: int, teams: int | None = None
) -> dict[str, Any]:
    """Gap heatmap and trend, readiness pipeline by role (METRICS.md).

    `teams` keeps the heatmap to the teams with the largest gaps (each team ranked by its
    largest shown mean gap; suppressed cells do not rank a team): a company of a million
    people has about 100,000 teams, and a page shows tens of them."""
    w = f.window
    g = gap_observations
    # Each person's latest gap per competency, counted by their team (manager) in PostgreSQL.
    latest = (
        sa.select(g.c.competency_id, g.c.gap, employees.c.manager_id)
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
            of_population(g.c.employee_id, tenant, f),
            g.c.identified_at < w.end,
        )
        .order_by(g.c.employee_id.desc(), g.c.competency_id.desc(), g.c.identified_at.desc())
    ).subquery()
    team = sa.func.coalesce(latest.c.manager_id, "")
    cells = (
        sa.select(
            team.label("team"),
            latest.c.competency_id,
            sa.func.count().label("n"),
            sa.func.sum(sa.func.greatest(latest.c.gap, 0)).label("total"),
        )
        .group_by(team, latest.c.competency_id)
        .cte("cells")
    )
    shown = sa.case(  # a cell's mean gap as shown; none where it is suppressed
        (
            cells.c.n >= threshold,
            sa.func.round(sa.cast(cells.c.total, sa.Numeric) / cells.c.n, 3),
        )
    )
    worst = sa.select(cells.c.team, sa.func.max(shown).label("worst")).group_by(cells.c.team).cte()
    # Ranked in PostgreSQL (a million people have about 100,000 teams; the page shows tens):
    # by the largest shown mean gap, then by team id in code-point order, as `largest_gaps`.
    teams_of = sa.select(sa.func.count()).select_from(worst).scalar_subquery()
    wanted = sa.select(cells.c.team, cells.c.competency_id, cells.c.n, shown, teams_of)
    if teams is not None:
        top = (
            sa.select(worst.c.team)
            .order_by(worst.c.worst.desc().nulls_last(), worst.c.team.collate("C"))
            .limit(teams)
        )
        wanted = wanted.where(cells.c.team.in_(top))
    rows = (await u.session.execute(wanted)).all()
    teams_total = int(rows[0][4]) if rows else 0  # every team, however many are shown
    heatmap: list[dict[str, Any]] = []
    for team_id, comp, n, mean_gap, _ in sorted(rows, key=lambda c: (c[0], c[1])):
        if mean_gap is None:
            heatmap.append(
                {
                    "team": team_id or None,
                    "competency_id": comp,
                    "suppressed": True,
                    "reason": f"fewer than {threshold} people",
                }
            )
        else:
            heatmap.append(
                {
                    "team": team_id or None,
                    "competency_id": comp,
                    "n": n,
                    "mean_gap": float(mean_gap),
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
                of_population(g.c.employee_id, tenant, f),
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
    newest = (
        sa.select(r.c.role_id, r.c.readiness, r.c.ready)
        .ext(distinct_on(r.c.employee_id, r.c.role_id))
        .where(
            r.c.tenant_id == tenant,
            of_population(r.c.employee_id, tenant, f),
            r.c.identified_at < w.end,
        )
        .order_by(r.c.employee_id.desc(), r.c.role_id.desc(), r.c.identified_at.desc())
    ).subquery()
    n_ = newest.c
    pipeline: dict[str, dict[str, int]] = {}
    for role, ready_now, ready_soon in (
        await u.session.execute(
            sa.select(
                n_.role_id,
                sa.func.count().filter(n_.ready),
                sa.func.count().filter(sa.not_(n_.ready), n_.readiness >= 0.8),
            )
            .group_by(n_.role_id)
            .having(sa.func.count().filter(sa.or_(n_.ready, n_.readiness >= 0.8)) > 0)
        )
    ).all():
        pipeline[role] = {"ready_now": int(ready_now), "ready_soon": int(ready_soon)}
    return {
        "gap_heatmap": heatmap,
        "teams_total": teams_total,
        "gap_trend": trend,
        "readiness_pipeline": [
            _pipeline_row(role, counts, threshold) for role, counts in sorted(pipeline.items())
        ],
    }


def largest_gaps(cells: list[dict[str, Any]], teams: int) -> list[dict[str, Any]]:
    """The cells of the `teams` teams with the largest mean gap in any competency (ties: by
    team id; a team whose every cell is suppressed comes last), in the order given: the
    definition that `skills_figures` computes in PostgreSQL, and its tests hold it to."""
    worst: dict[str | None, float] = {}
    for c in cells:
        gap = c.get("mean_gap")
        worst[c["team"]] = max(worst.get(c["team"], -1.0), -1.0 if gap is None else gap)
    ranked = sorted(worst, key=lambda t: (-worst[t], t or ""))
    kept = set(ranked[:teams])
    return [c for c in cells if c["team"] in kept]


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

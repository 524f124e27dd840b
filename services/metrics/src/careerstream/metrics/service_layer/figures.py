"""Reading the facts for a window and a population, and computing the figures (see METRICS.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on

from careerstream.metrics.adapters.orm import (
    applications,
    conversations,
    employees,
    gap_observations,
    goals,
    opportunities,
    passed_over,
    plans,
    readiness,
    roles,
    survey_answers,
)
from careerstream.metrics.domain import anonymity
from careerstream.metrics.domain.definitions import (
    Fill,
    Person,
    Window,
    days,
    exits_within,
    median,
    mobility,
    ratio,
    retention,
)
from careerstream.servicekit import relation
from careerstream.servicekit.db import among
from careerstream.servicekit.uow import UnitOfWork


@dataclass(frozen=True)
class Filters:
    window: Window
    department: str | None = None
    family: str | None = None
    track: str | None = None
    level: str | None = None
    manager: str | None = None
    """Everyone below this manager (direct and indirect reports)."""

    def describe(self) -> dict[str, Any]:
        return {
            "from": self.window.start,
            "to": self.window.end,
            "department": self.department,
            "family": self.family,
            "track": self.track,
            "level": self.level,
            "manager": self.manager,
        }


def _dt(d: date | None) -> datetime | None:
    return datetime.combine(d, time.min, tzinfo=UTC) if d is not None else None


_populations: WeakKeyDictionary[UnitOfWork, dict[tuple[str, Filters], dict[str, Person]]] = (
    WeakKeyDictionary()
)


async def population(u: UnitOfWork, tenant: str, f: Filters) -> dict[str, Person]:
    """The people the filters select (by their current HRIS record), employed at some point in the window.

    Read once per unit of work: a view (or the headline, made of several) asks for it
    more than once, and in a large company it is the biggest read of the view.
    """
    cached = _populations.setdefault(u, {})
    key = (tenant, f)
    if key not in cached:
        cached[key] = await _read_population(u, tenant, f)
    return cached[key]


def _ceil_day(t: datetime) -> date:
    """The first day whose midnight is at or after `t`."""
    return t.date() if t.time() == time.min else t.date() + timedelta(1)


def filtered(stmt: Any, tenant: str, f: Filters) -> Any:
    """`stmt` over the people the filters select, employed at some point in the window.

    The one definition of a view's population, shared by the views and the anonymity
    rules (which count the populations around it).
    """
    e = employees.c
    stmt = stmt.select_from(
        employees.outerjoin(
            roles,
            sa.and_(roles.c.tenant_id == e.tenant_id, roles.c.role_id == e.role_id),
        )
    ).where(
        e.tenant_id == tenant,
        # Person.employed_during: hired before the window ends, not gone before it starts.
        sa.or_(e.hired_on.is_(None), e.hired_on < _ceil_day(f.window.end)),
        # Person.left_on is midnight after the last day: still there on `from` if the last
        # day is on or after it.
        sa.or_(e.left_on.is_(None), e.left_on >= f.window.start.date()),
    )
    if f.department:
        stmt = stmt.where(e.department_id == f.department)
    if f.family:
        stmt = stmt.where(roles.c.family_id == f.family)
    if f.track:
        stmt = stmt.where(roles.c.track_ids.any(f.track))
    if f.level:
        stmt = stmt.where(roles.c.level_id == f.level)
    if f.manager:
        stmt = stmt.where(e.employee_id.in_(relation.reports_of(employees, tenant, f.manager)))
    return stmt


async def _read_population(u: UnitOfWork, tenant: str, f: Filters) -> dict[str, Person]:
    e = employees.c
    stmt = filtered(
        sa.select(e.employee_id, e.hired_on, e.left_on, e.left_voluntarily, e.group_attributes),
        tenant,
        f,
    )
    out = {}
    for r in (await u.session.execute(stmt)).all():
        person = Person(
            r.employee_id,
            _dt(r.hired_on),
            _dt(r.left_on + timedelta(days=1)) if r.left_on is not None else None,
            r.left_voluntarily,
            dict(r.group_attributes or {}),
        )
        if person.employed_during(f.window):
            out[r.employee_id] = person
    return out


async def _opportunities(u: UnitOfWork, tenant: str, f: Filters) -> list[Any]:
    o, r = opportunities, roles
    stmt = (
        sa.select(o, r.c.level_id, r.c.track_ids, r.c.family_id.label("role_family"))
        .select_from(
            o.outerjoin(r, sa.and_(r.c.tenant_id == o.c.tenant_id, r.c.role_id == o.c.role_id))
        )
        .where(o.c.tenant_id == tenant)
    )
    if f.department:
        stmt = stmt.where(o.c.department_id == f.department)
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


def _fills(rows: list[Any], w: Window) -> list[Fill]:
    return [
        Fill(r.opportunity_id, r.posted_at, r.filled_at, bool(r.internal), r.mover_id, r.move_kind)
        for r in rows
        if w.holds(r.filled_at) and r.posted_at is not None
    ]


async def mobility_figures(u: UnitOfWork, tenant: str, f: Filters) -> dict[str, Any]:
    w = f.window
    opps = await _opportunities(u, tenant, f)
    fills = _fills(opps, w)
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
    # Promotions and lateral moves are counted for the people of the population.
    moves = [
        fl
        for fl in _fills(await _opportunities(u, tenant, Filters(w)), w)
        if fl.internal and fl.mover_id in pop
    ]
    out: dict[str, Any] = dict(mobility(fills, len(pop), apps, len(posted)))
    promotions = sum(m.move_kind == "promotion" for m in moves)
    laterals = sum(m.move_kind == "lateral" for m in moves)
    out.update(
        headcount=len(pop),
        promotions=promotions,
        promotion_rate=ratio(promotions, len(pop)),
        lateral_moves=laterals,
        lateral_move_rate=ratio(laterals, len(pop)),
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
        ],
        "filtered_by": "the person: their current department, role, and manager line",
    },
}
"""Which population each mobility figure counts (METRICS.md, "Two populations")."""


async def development_figures(u: UnitOfWork, tenant: str, f: Filters) -> dict[str, Any]:
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


async def engagement_figures(
    u: UnitOfWork, tenant: str, f: Filters, threshold: int
) -> dict[str, Any]:
    w = f.window
    pop = await population(u, tenant, f)
    ids = list(pop)
    held = [
        t
        for (t,) in (
            await u.session.execute(
                sa.select(conversations.c.held_at).where(
                    conversations.c.tenant_id == tenant, among(conversations.c.employee_id, ids)
                )
            )
        ).all()
        if w.holds(t)
    ]
    out: dict[str, Any] = {
        "conversations": len(held),
        "conversations_per_employee": ratio(len(held), len(pop)),
    }
    s = survey_answers
    for topic, name in (
        ("manager_confidence", "manager_confidence"),
        ("growth", "growth_sentiment"),
    ):
        rows = (
            await u.session.execute(
                sa.select(s.c.employee_id, s.c.score, s.c.scale_max).where(
                    s.c.tenant_id == tenant,
                    s.c.topic == topic,
                    among(s.c.employee_id, ids),
                    s.c.responded_at >= w.start,
                    s.c.responded_at < w.end,
                )
            )
        ).all()
        respondents = {e for e, _, _ in rows}
        if len(respondents) < threshold:
            out[name] = None
            out[f"{name}_suppressed"] = bool(rows)
            out[f"{name}_respondents"] = None if rows else 0
        else:
            out[name] = round(sum(sc / mx for _, sc, mx in rows) / len(rows), 4)
            out[f"{name}_suppressed"] = False
            out[f"{name}_respondents"] = len(respondents)
    return out


async def _cohorts(
    u: UnitOfWork, tenant: str, f: Filters
) -> tuple[
    dict[str, Person],
    list[tuple[Person, datetime]],
    list[tuple[Person, datetime]],
    list[tuple[Person, datetime]],
]:
    w = f.window
    pop = await population(u, tenant, f)
    every = _fills(await _opportunities(u, tenant, Filters(w)), w)
    promoted: dict[str, datetime] = {}
    for fl in every:
        if fl.internal and fl.move_kind == "promotion" and fl.mover_id in pop:
            promoted.setdefault(fl.mover_id, fl.filled_at)
    over: dict[str, datetime] = {}
    for e, at in (
        await u.session.execute(
            sa.select(passed_over.c.employee_id, passed_over.c.at)
            .where(passed_over.c.tenant_id == tenant)
            .order_by(passed_over.c.at)
        )
    ).all():
        if e in pop and e not in promoted and w.holds(at):
            over.setdefault(e, at)
    rest = [
        (p, w.start)
        for e, p in pop.items()
        if e not in promoted and e not in over and p.employed_at(w.start)
    ]
    return (
        pop,
        [(pop[e], t) for e, t in promoted.items()],
        [(pop[e], t) for e, t in over.items()],
        rest,
    )


async def retention_figures(
    u: UnitOfWork, tenant: str, f: Filters, threshold: int, as_of: datetime
) -> dict[str, Any]:
    _, promoted, over, rest = await _cohorts(u, tenant, f)
    out: dict[str, Any] = {"as_of": as_of}
    cohorts = {"promoted": promoted, "passed_over": over, "everyone_else": rest}
    # The cohorts add up to the population: a small one is hidden with its complement.
    hidden = anonymity.complementary({n: len(c) for n, c in cohorts.items()}, threshold)
    for name, cohort in cohorts.items():
        if name in hidden:
            entry: dict[str, Any] = {"cohort": None, "cohort_suppressed": True}
            for months in (6, 12):
                entry[f"retention_{months}m"] = None
                entry[f"retention_{months}m_suppressed"] = True
                entry[f"retention_{months}m_eligible"] = None
            entry["exits_within_12m"] = None
            entry["voluntary_exits_within_12m"] = None
            out[name] = entry
            continue
        entry = {"cohort": len(cohort), "cohort_suppressed": False}
        for months in (6, 12):
            rate, eligible = retention(cohort, as_of, months)
            if anonymity.small(eligible, threshold):
                entry[f"retention_{months}m"] = None
                entry[f"retention_{months}m_suppressed"] = True
                entry[f"retention_{months}m_eligible"] = None
            else:
                entry[f"retention_{months}m"] = rate
                entry[f"retention_{months}m_suppressed"] = False
                entry[f"retention_{months}m_eligible"] = eligible
        left, voluntary = exits_within(cohort, 12)
        entry["exits_within_12m"] = left
        entry["voluntary_exits_within_12m"] = voluntary
        out[name] = entry
    return out


async def fairness_figures(
    u: UnitOfWork, tenant: str, f: Filters, attribute: str, threshold: int
) -> dict[str, Any]:
    w = f.window
    pop = await population(u, tenant, f)
    every = [fl for fl in _fills(await _opportunities(u, tenant, Filters(w)), w) if fl.internal]
    filled_ids = [
        fl.opportunity_id for fl in _fills(await _opportunities(u, tenant, Filters(w)), w)
    ]
    applicants: dict[str, set[str]] = defaultdict(set)
    if filled_ids:
        for opp, emp in (
            await u.session.execute(
                sa.select(applications.c.opportunity_id, applications.c.employee_id).where(
                    applications.c.tenant_id == tenant,
                    among(applications.c.opportunity_id, filled_ids),
                )
            )
        ).all():
            applicants[emp].add(opp)
    groups: dict[str, list[Person]] = defaultdict(list)
    for p in pop.values():
        groups[p.groups.get(attribute, "undisclosed")].append(p)
    # The groups add up to the view's headcount: a small group is hidden with its complement.
    hidden = anonymity.complementary({g: len(m) for g, m in groups.items()}, threshold)
    out = []
    for value, members in sorted(groups.items()):
        if value in hidden:
            out.append(
                {
                    "group": value,
                    "suppressed": True,
                    "reason": f"fewer than {threshold} people"
                    if anonymity.small(len(members), threshold)
                    else "hidden with a smaller group, which the total would otherwise reveal",
                }
            )
            continue
        ids = {p.employee_id for p in members}
        promotions = sum(fl.move_kind == "promotion" and fl.mover_id in ids for fl in every)
        applied = {e for e in ids if applicants.get(e)}
        selected = {fl.mover_id for fl in every if fl.mover_id in applied}
        out.append(
            {
                "group": value,
                "suppressed": False,
                "headcount": len(members),
                "promotions": promotions,
                "promotion_rate": ratio(promotions, len(members)),
                "internal_applicants": len(applied),
                "selected": len(selected),
                "internal_fill_rate": ratio(len(selected), len(applied)),
            }
        )
    return {"attribute": attribute, "threshold": threshold, "groups": out}


async def headline(
    u: UnitOfWork, tenant: str, f: Filters, threshold: int
) -> dict[str, float | None]:
    """The figures of the daily snapshot and the CSV export."""
    m = await mobility_figures(u, tenant, f)
    d = await development_figures(u, tenant, f)
    e = await engagement_figures(u, tenant, f, threshold)
    # As /retention does: as of the window's end, or now when that is still to come.
    r = await retention_figures(u, tenant, f, threshold, min(f.window.end, datetime.now(UTC)))
    out: dict[str, float | None] = {}
    for key in (
        "headcount",
        "fills",
        "internal_hire_rate",
        "promotion_rate",
        "lateral_move_rate",
        "time_to_fill_internal_median_days",
        "time_to_fill_internal_p90_days",
        "time_to_fill_external_median_days",
        "time_to_fill_external_p90_days",
        "applications_per_opportunity",
    ):
        out[key] = m[key]
    for key in (
        "active_plan_share",
        "plan_completion_rate",
        "goal_completion_rate",
        "time_to_close_gap_median_days",
    ):
        out[key] = d[key]
    for key in ("conversations_per_employee", "manager_confidence", "growth_sentiment"):
        out[key] = e[key]
    for cohort in ("promoted", "passed_over", "everyone_else"):
        out[f"retention_12m_{cohort}"] = r[cohort]["retention_12m"]
    return out

"""The people's figures (see METRICS.md): engagement, retention of cohorts, fairness by group,
and the headline that the daily snapshot and the CSV export carry."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from careerstream.metrics.adapters.orm import (
    applications,
    conversations,
    passed_over,
    survey_answers,
)
from careerstream.metrics.domain import anonymity
from careerstream.metrics.domain.definitions import (
    Person,
    exits_within,
    ratio,
    retention,
)
from careerstream.metrics.service_layer.figures import (
    development_figures,
    fills_of,
    mobility_figures,
    moves_in,
    opportunity_rows,
)
from careerstream.metrics.service_layer.scope import Filters, population
from careerstream.servicekit.db import among
from careerstream.servicekit.uow import UnitOfWork


async def engagement_figures(
    u: UnitOfWork, tenant: str, f: Filters, threshold: int
) -> dict[str, Any]:
    """Conversations per employee, manager confidence, growth sentiment (METRICS.md)."""
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
    promoted: dict[str, datetime] = {}
    for m in sorted(await moves_in(u, tenant, w), key=lambda m: m.at):
        if m.kind == "promotion" and m.mover_id in pop:
            promoted.setdefault(m.mover_id, m.at)  # the first promotion of the window
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
    """Retention of the promoted, the passed over and everyone else (METRICS.md)."""
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
    """Promotion and internal fill rates by a group attribute, small groups suppressed."""
    w = f.window
    pop = await population(u, tenant, f)
    every = [fl for fl in fills_of(await opportunity_rows(u, tenant, Filters(w)), w) if fl.internal]
    moves = await moves_in(u, tenant, w)
    filled_ids = [
        fl.opportunity_id for fl in fills_of(await opportunity_rows(u, tenant, Filters(w)), w)
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
        promotions = sum(m.kind == "promotion" and m.mover_id in ids for m in moves)
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

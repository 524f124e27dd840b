"""The people's figures (see METRICS.md): engagement, retention of cohorts, fairness by group,
and the headline that the daily snapshot and the CSV export carry."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

from careerstream.metrics.adapters.orm import (
    applications,
    conversations,
    employees,
    passed_over,
    survey_answers,
)
from careerstream.metrics.domain import anonymity
from careerstream.metrics.domain.definitions import (
    Person,
    exits_within,
    months_later,
    ratio,
    retained,
)
from careerstream.metrics.service_layer.figures import (
    development_figures,
    fills_of,
    mobility_figures,
    moves_in,
    opportunity_rows,
)
from careerstream.metrics.service_layer.scope import (
    Filters,
    employed_at,
    filtered,
    members,
    of_population,
    size,
)
from careerstream.servicekit.db import among
from careerstream.servicekit.uow import UnitOfWork


async def engagement_figures(
    u: UnitOfWork, tenant: str, f: Filters, threshold: int
) -> dict[str, Any]:
    """Conversations per employee, manager confidence, growth sentiment (METRICS.md)."""
    w = f.window
    c = conversations.c
    held = int(
        await u.session.scalar(
            sa.select(sa.func.count()).where(
                c.tenant_id == tenant,
                c.held_at >= w.start,
                c.held_at < w.end,
                of_population(c.employee_id, tenant, f),
            )
        )
        or 0
    )
    out: dict[str, Any] = {
        "conversations": held,
        "conversations_per_employee": ratio(held, await size(u, tenant, f)),
    }
    s = survey_answers.c
    for topic, name in (
        ("manager_confidence", "manager_confidence"),
        ("growth", "growth_sentiment"),
    ):
        answered = (
            s.tenant_id == tenant,
            s.topic == topic,
            s.responded_at >= w.start,
            s.responded_at < w.end,
            of_population(s.employee_id, tenant, f),
        )
        respondents = int(
            await u.session.scalar(
                sa.select(sa.func.count(sa.distinct(s.employee_id))).where(*answered)
            )
            or 0
        )
        # The answers counted by score and scale, so that the mean is exact however many.
        scores = (
            await u.session.execute(
                sa.select(s.score, s.scale_max, sa.func.count())
                .where(*answered)
                .group_by(s.score, s.scale_max)
            )
        ).all()
        answers = sum(n for _, _, n in scores)
        if respondents < threshold:
            out[name] = None
            out[f"{name}_suppressed"] = bool(answers)
            out[f"{name}_respondents"] = None if answers else 0
        else:
            mean = sum(Fraction(sc, mx) * n for sc, mx, n in scores) / answers
            out[name] = round(float(mean), 4)
            out[f"{name}_suppressed"] = False
            out[f"{name}_respondents"] = respondents
    return out


async def _cohorts(
    u: UnitOfWork, tenant: str, f: Filters
) -> tuple[list[tuple[Person, datetime]], list[tuple[Person, datetime]]]:
    """The promoted (at their first promotion of the window) and the passed over (at the first
    time, unless promoted), read in full; everyone else is counted in PostgreSQL."""
    w = f.window
    promoted_at: dict[str, datetime] = {}
    for m in sorted(await moves_in(u, tenant, w), key=lambda m: m.at):
        if m.kind == "promotion":
            promoted_at.setdefault(m.mover_id, m.at)  # the first promotion of the window
    over_at: dict[str, datetime] = {}
    for e, at in (
        await u.session.execute(
            sa.select(passed_over.c.employee_id, passed_over.c.at)
            .where(
                passed_over.c.tenant_id == tenant,
                passed_over.c.at >= w.start,
                passed_over.c.at < w.end,
            )
            .order_by(passed_over.c.at)
        )
    ).all():
        if e not in promoted_at:
            over_at.setdefault(e, at)
    pop = await members(u, tenant, f, [*promoted_at, *over_at])
    return (
        [(pop[e], t) for e, t in promoted_at.items() if e in pop],
        [(pop[e], t) for e, t in over_at.items() if e in pop],
    )


async def _everyone_else(
    u: UnitOfWork,
    tenant: str,
    f: Filters,
    named: list[tuple[Person, datetime]],
    as_of: datetime,
) -> dict[str, Any]:
    """The cohort of everyone else of the population employed at the window's start, counted in
    PostgreSQL: the population's counts less those of the promoted and the passed over."""
    start = f.window.start
    e = employees.c
    marks = {m: months_later(start, m) for m in (6, 12)}
    # Person.left_on is midnight after the last day: gone by T when the last day is before T's day.
    stmt = filtered(
        sa.select(
            sa.func.count(),
            *(sa.func.count().filter(employed_at(t)) for t in marks.values()),
            sa.func.count().filter(e.left_on.is_not(None), e.left_on < marks[12].date()),
            sa.func.count().filter(
                e.left_on.is_not(None), e.left_on < marks[12].date(), e.left_voluntarily
            ),
        ),
        tenant,
        f,
    ).where(employed_at(start))
    total, stay6, stay12, left, voluntary = (await u.session.execute(stmt)).one()
    there = [p for p, _ in named if p.employed_at(start)]
    total -= len(there)
    stayed = {6: stay6 - sum(p.employed_at(marks[6]) for p in there)}
    stayed[12] = stay12 - sum(p.employed_at(marks[12]) for p in there)
    gone, gone_voluntarily = exits_within([(p, start) for p in there], 12)
    return {
        "cohort": total,
        "stayed": stayed,
        "eligible": {m: total if marks[m] <= as_of else 0 for m in marks},
        "exits_within_12m": left - gone,
        "voluntary_exits_within_12m": voluntary - gone_voluntarily,
    }


async def retention_figures(
    u: UnitOfWork, tenant: str, f: Filters, threshold: int, as_of: datetime
) -> dict[str, Any]:
    """Retention of the promoted, the passed over and everyone else (METRICS.md)."""
    promoted, over = await _cohorts(u, tenant, f)
    out: dict[str, Any] = {"as_of": as_of}
    cohorts = {
        "promoted": _summary(promoted, as_of),
        "passed_over": _summary(over, as_of),
        "everyone_else": await _everyone_else(u, tenant, f, promoted + over, as_of),
    }
    # The cohorts add up to the population: a small one is hidden with its complement.
    hidden = anonymity.complementary({n: c["cohort"] for n, c in cohorts.items()}, threshold)
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
        entry = {"cohort": cohort["cohort"], "cohort_suppressed": False}
        for months in (6, 12):
            eligible = cohort["eligible"][months]
            rate = ratio(cohort["stayed"][months], eligible)
            if anonymity.small(eligible, threshold):
                entry[f"retention_{months}m"] = None
                entry[f"retention_{months}m_suppressed"] = True
                entry[f"retention_{months}m_eligible"] = None
            else:
                entry[f"retention_{months}m"] = rate
                entry[f"retention_{months}m_suppressed"] = False
                entry[f"retention_{months}m_eligible"] = eligible
        entry["exits_within_12m"] = cohort["exits_within_12m"]
        entry["voluntary_exits_within_12m"] = cohort["voluntary_exits_within_12m"]
        out[name] = entry
    return out


def _summary(cohort: list[tuple[Person, datetime]], as_of: datetime) -> dict[str, Any]:
    """A named cohort's counts, as `_everyone_else` gives them for the rest."""
    stayed, eligible = {}, {}
    for months in (6, 12):
        stayed[months], eligible[months] = retained(cohort, as_of, months)
    left, voluntary = exits_within(cohort, 12)
    return {
        "cohort": len(cohort),
        "stayed": stayed,
        "eligible": eligible,
        "exits_within_12m": left,
        "voluntary_exits_within_12m": voluntary,
    }


async def fairness_figures(
    u: UnitOfWork, tenant: str, f: Filters, attribute: str, threshold: int
) -> dict[str, Any]:
    """Promotion and internal fill rates by a group attribute, small groups suppressed."""
    w = f.window
    fills = fills_of(await opportunity_rows(u, tenant, Filters(w)), w)
    every = [fl for fl in fills if fl.internal]
    moves = await moves_in(u, tenant, w)
    filled_ids = [fl.opportunity_id for fl in fills]
    e, a = employees.c, applications.c
    group = sa.func.coalesce(e.group_attributes[attribute].astext, "undisclosed")
    headcounts = {
        value: int(n)
        for value, n in (
            await u.session.execute(
                filtered(sa.select(group, sa.func.count()), tenant, f).group_by(group)
            )
        ).all()
    }
    # Applicants to the window's filled opportunities, by group, counted in PostgreSQL.
    applied: dict[str, int] = {}
    movers: set[str] = set()
    if filled_ids:
        to_filled = sa.select(a.employee_id).where(
            a.tenant_id == tenant, among(a.opportunity_id, filled_ids)
        )
        applied = {
            value: int(n)
            for value, n in (
                await u.session.execute(
                    filtered(sa.select(group, sa.func.count()), tenant, f)
                    .where(e.employee_id.in_(to_filled))
                    .group_by(group)
                )
            ).all()
        }
        movers = set(
            (
                await u.session.scalars(
                    to_filled.where(
                        among(a.employee_id, {fl.mover_id for fl in every if fl.mover_id})
                    )
                )
            ).all()
        )
    named = await members(
        u, tenant, f, {m.mover_id for m in moves if m.kind == "promotion"} | movers
    )

    def group_of(employee_id: str) -> str:
        return named[employee_id].groups.get(attribute, "undisclosed")

    promotions: dict[str, int] = defaultdict(int)
    for m in moves:
        if m.kind == "promotion" and m.mover_id in named:
            promotions[group_of(m.mover_id)] += 1
    selected: dict[str, int] = defaultdict(int)
    for mover in movers:  # applied to a filled opportunity, and filled one
        if mover in named:
            selected[group_of(mover)] += 1
    # The groups add up to the view's headcount: a small group is hidden with its complement.
    hidden = anonymity.complementary(headcounts, threshold)
    out = []
    for value, headcount in sorted(headcounts.items()):
        if value in hidden:
            out.append(
                {
                    "group": value,
                    "suppressed": True,
                    "reason": f"fewer than {threshold} people"
                    if anonymity.small(headcount, threshold)
                    else "hidden with a smaller group, which the total would otherwise reveal",
                }
            )
            continue
        out.append(
            {
                "group": value,
                "suppressed": False,
                "headcount": headcount,
                "promotions": promotions[value],
                "promotion_rate": ratio(promotions[value], headcount),
                "internal_applicants": applied.get(value, 0),
                "selected": selected[value],
                "internal_fill_rate": ratio(selected[value], applied.get(value, 0)),
            }
        )
    return {"attribute": attribute, "threshold": threshold, "groups": out}


HEADLINE_FIGURES: dict[str, tuple[str, ...]] = {
    "mobility": (
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
    ),
    "development": (
        "active_plan_share",
        "plan_completion_rate",
        "goal_completion_rate",
        "time_to_close_gap_median_days",
    ),
    "engagement": ("conversations_per_employee", "manager_confidence", "growth_sentiment"),
}
"""The headline's figures, by the view each is taken from (and retention's three cohorts)."""


def headline_of(views: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """The headline figures from the figures of the mobility, development, engagement and
    retention views over the same people and window."""
    out: dict[str, float | None] = {}
    for view, keys in HEADLINE_FIGURES.items():
        for key in keys:
            out[key] = views[view][key]
    for cohort in ("promoted", "passed_over", "everyone_else"):
        out[f"retention_12m_{cohort}"] = views["retention"][cohort]["retention_12m"]
    return out


async def headline(
    u: UnitOfWork, tenant: str, f: Filters, threshold: int, now: datetime | None = None
) -> dict[str, float | None]:
    """The figures of the daily snapshot, in one transaction (`now`: the moment retention is
    measured at when the window ends later; the current time by default). The API's headline
    view takes the same figures from the four views' kept answers (`views.py`)."""
    return headline_of(
        {
            "mobility": await mobility_figures(u, tenant, f),
            "development": await development_figures(u, tenant, f),
            "engagement": await engagement_figures(u, tenant, f, threshold),
            # As /retention does: as of the window's end, or now when that is still to come.
            "retention": await retention_figures(
                u, tenant, f, threshold, min(f.window.end, now or datetime.now(UTC))
            ),
        }
    )

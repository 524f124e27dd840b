"""Metrics views over a large tenant: every view's latency next to a bare `count(*)`.

Loads a fresh metrics database (through the service's migrations) with a tenant of
`--employees` people and the facts the views read — roles, departments, a year of
plans, goals, gap observations, readiness, conversations, survey answers,
opportunities with their applications and fills, HRIS role changes, learning
records — plus a smaller tenant beside it, by COPY (the bench is about reading).
Then it times each view as the API computes it for hr_admin over the whole
company for the default window (the last 365 days), and a bare
`SELECT count(*) FROM metrics.employees WHERE tenant_id = $1` measured in the same run.

    uv run python -m bench.metrics_views --employees 1000000

`--kept` asks each view through the API's kept answers; `--dashboard` asks every view at once
with nothing kept, as HR's dashboard does on its first load (see `_cold_dashboard`).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import create_async_engine

from careerstream.console.metrics_page import HEATMAP_TEAMS
from careerstream.devstack.testing import fresh_database, test_infrastructure
from careerstream.metrics.adapters.orm import metadata
from careerstream.metrics.bootstrap import MIGRATIONS
from careerstream.metrics.domain.definitions import Window, days, gap_closings
from careerstream.metrics.service_layer import figures, scope, views, workforce
from careerstream.servicekit.db import make_sessionmaker
from careerstream.servicekit.migrations import upgrade_to_head
from careerstream.servicekit.uow import UnitOfWork
from careerstream.servicekit.wiring import uow_factory

FAMILIES = ["eng", "data", "sales", "ops", "people"]
LEVELS = ["l1", "l2", "l3", "l4", "l5"]
COMPETENCIES = [f"c{i:02d}" for i in range(40)]
GENDERS = ["female", "male", "nonbinary", "undisclosed"]
DAY = dt.timedelta(days=1)


async def _copy(conn: asyncpg.Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        columns = [c.name for c in metadata.tables[f"metrics.{table}"].columns]
        await conn.copy_records_to_table(
            table, schema_name="metrics", records=rows, columns=columns
        )


async def load(db: str, tenant: str, n: int, seed: int, now: dt.datetime) -> int:
    """The tenant's people and a year of facts; returns the number of rows written."""
    rnd = random.Random(seed)
    conn = await asyncpg.connect(db)
    written = 0
    chunk = 200_000
    buffers: dict[str, list[tuple[Any, ...]]] = {}

    async def put(table: str, row: tuple[Any, ...]) -> None:
        nonlocal written
        rows = buffers.setdefault(table, [])
        rows.append(row)
        if len(rows) >= chunk:
            await _copy(conn, table, rows)
            written += len(rows)
            rows.clear()

    def stamp(days_back: float) -> dt.datetime:
        return now - dt.timedelta(days=days_back)

    try:
        roles = []
        for f in FAMILIES:
            for rank, lv in enumerate(LEVELS, start=1):
                role = f"{f}-{lv}"
                roles.append(role)
                await put(
                    "roles",
                    (tenant, role, "fw", 1, f, lv, rank, ["ic"] if rank < 5 else ["mgmt"], role),
                )
        departments = [f"d{i:03d}" for i in range(200)]
        await put("org_units", (tenant, "root", "Company", None, None, True, now))
        for d in departments:
            await put("org_units", (tenant, d, d, "root", None, True, now))
        managers = max(1, n // 10)
        for e in range(n):
            emp = f"E{e:07d}"
            role = roles[e % len(roles)]
            hired = (now - dt.timedelta(days=rnd.randint(30, 3650))).date()
            left = None
            voluntary = None
            if rnd.random() < 0.08:
                left = (now - dt.timedelta(days=rnd.randint(0, 400))).date()
                if left < hired:
                    left = hired
                voluntary = rnd.random() < 0.7
            groups = json.dumps({"gender": GENDERS[e % len(GENDERS)]})
            await put(
                "employees",
                (
                    tenant,
                    emp,
                    groups,
                    role,
                    f"E{e % managers:07d}" if e >= managers else None,
                    departments[e % len(departments)],
                    left is None,
                    hired,
                    left,
                    voluntary,
                    "{}",
                ),
            )
            await put(
                "role_history",
                (tenant, emp, stamp(rnd.randint(400, 4000)), stamp(4000), role, "hired"),
            )
            if rnd.random() < 0.05:  # an HRIS move this year
                at = stamp(rnd.randint(1, 360))
                await put("role_history", (tenant, emp, at, at, rnd.choice(roles), "promotion"))
            if rnd.random() < 0.3:  # a development plan
                plan = f"P{e:07d}"
                approved = stamp(rnd.randint(1, 500))
                done = approved + dt.timedelta(days=rnd.randint(30, 300))
                completed = done if done < now else None
                outcome = rnd.choice(["completed", "abandoned"]) if completed else None
                await put(
                    "plans", (tenant, plan, emp, approved, approved, completed, outcome, 2, 1)
                )
                for g in range(2):
                    closed = approved + dt.timedelta(days=rnd.randint(20, 400))
                    await put(
                        "goals",
                        (
                            tenant,
                            f"{plan}-g{g}",
                            plan,
                            emp,
                            rnd.choice(COMPETENCIES),
                            approved,
                            closed if closed < now else None,
                            rnd.choice(["achieved", "dropped"]) if closed < now else None,
                        ),
                    )
                    await put(
                        "plan_actions",
                        (
                            tenant,
                            f"{plan}-a{g}",
                            plan,
                            emp,
                            "course",
                            "done" if closed < now else "planned",
                            rnd.choice(["lms", "manual"]),
                            closed if closed < now else None,
                            approved,
                        ),
                    )
            if rnd.random() < 0.5:  # assessed: gaps on four competencies, twice
                first = rnd.randint(100, 700)
                for c in rnd.sample(COMPETENCIES, 4):
                    gap = rnd.randint(0, 3)
                    later = max(0, gap - rnd.randint(0, 2))
                    observed = [(stamp(first), gap), (stamp(first - 90), later)]
                    for at, g in observed:
                        await put(
                            "gap_observations",
                            (tenant, emp, "current", c, at, role, 3, 3 - g, g),
                        )
                    # As the projection keeps them (projections._close_gaps).
                    for opened, closed in gap_closings(observed):
                        await put(
                            "gap_closings",
                            (tenant, emp, c, closed, opened, days(opened, closed)),
                        )
                if rnd.random() < 0.4:
                    score = rnd.random()
                    await put(
                        "readiness",
                        (
                            tenant,
                            emp,
                            rnd.choice(roles),
                            stamp(first),
                            "target",
                            score,
                            score > 0.9,
                        ),
                    )
            if rnd.random() < 0.7:
                await put(
                    "conversations",
                    (
                        tenant,
                        f"C{e:07d}",
                        emp,
                        f"E{e % managers:07d}",
                        "career",
                        stamp(rnd.randint(1, 500)),
                    ),
                )
            if rnd.random() < 0.5:
                at = stamp(rnd.randint(1, 500))
                await put(
                    "survey_answers",
                    (
                        tenant,
                        f"S{e:07d}",
                        "q1",
                        emp,
                        "manager_confidence",
                        rnd.randint(1, 5),
                        5,
                        at,
                    ),
                )
                await put(
                    "survey_answers",
                    (tenant, f"S{e:07d}", "q2", emp, "growth", rnd.randint(1, 5), 5, at),
                )
            if rnd.random() < 0.3:
                await put(
                    "learning_completions",
                    (tenant, f"L{e:07d}", emp, "course-1", stamp(rnd.randint(1, 500)), False),
                )
        for o in range(max(10, n // 50)):
            posted = stamp(rnd.randint(30, 700))
            filled = posted + dt.timedelta(days=rnd.randint(10, 120))
            internal = rnd.random() < 0.4
            mover = f"E{rnd.randrange(n):07d}" if internal else None
            role = rnd.choice(roles)
            await put(
                "opportunities",
                (
                    tenant,
                    f"O{o:06d}",
                    "role",
                    role,
                    role.split("-")[0],
                    rnd.choice(departments),
                    f"E{rnd.randrange(managers):07d}",
                    posted,
                    filled if filled < now else None,
                    filled if filled < now else None,
                    internal,
                    mover,
                    None,
                    role if internal else None,
                    rnd.choice(["promotion", "lateral"]) if internal else None,
                ),
            )
            for a in range(5):
                emp = f"E{rnd.randrange(n):07d}"
                await put(
                    "applications",
                    (tenant, f"A{o:06d}-{a}", f"O{o:06d}", emp, posted, None, None),
                )
                if a == 1:
                    await put("passed_over", (tenant, f"O{o:06d}", emp, "interview", filled))
        for table, rows in buffers.items():
            await _copy(conn, table, rows)
            written += len(rows)
        await conn.execute("ANALYZE")
        return written
    finally:
        await conn.close()


async def timed(fn: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        await fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def view(
    uow: Callable[[], UnitOfWork], f: scope.Filters, name: str, teams: int | None = None
) -> Callable[[], Awaitable[object]]:
    """A view as the API computes it for hr_admin: the population's size, then the figures
    (`teams`: the skills heatmap's teams, as the dashboard asks; all by default)."""
    tenant, k = "big", 5

    async def run() -> object:
        async with uow() as u:
            size = await scope.size(u, tenant, f)
            assert size >= k
            if name == "headline":
                return await workforce.headline(u, tenant, f, k)
            if name == "mobility":
                return await figures.mobility_figures(u, tenant, f)
            if name == "development":
                return await figures.development_figures(u, tenant, f)
            if name == "learning":
                return await figures.learning_figures(u, tenant, f)
            if name == "skills":
                return await figures.skills_figures(u, tenant, f, k, teams)
            if name == "engagement":
                return await workforce.engagement_figures(u, tenant, f, k)
            if name == "retention":
                return await workforce.retention_figures(u, tenant, f, k, f.window.end)
            if name == "fairness":
                return await workforce.fairness_figures(u, tenant, f, "gender", k)
            raise ValueError(name)

    return run


VIEWS = (
    "headline",
    "mobility",
    "development",
    "learning",
    "skills",
    "engagement",
    "retention",
    "fairness",
)


def _profile_statements(engine: Any) -> None:
    """Print each statement's time (the slowest first line of SQL)."""
    from sqlalchemy import event

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("t0", []).append(time.perf_counter())

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        ms = (time.perf_counter() - conn.info["t0"].pop()) * 1000
        if ms > 20:
            print(f"    {ms:8.1f} ms  {' '.join(statement.split())[:160]}")


def question(f: scope.Filters, name: str) -> views.Question:
    """The question hr_admin's dashboard asks `name` over the big tenant for the window of `f`
    (retention measured at the window's end; skills cut to the heatmap's teams, as the
    console's `metrics_page.VIEW_PARAMS` asks)."""
    extra: dict[str, dict[str, Any]] = {
        "headline": {"now": f.window.end.isoformat()},
        "retention": {"now": f.window.end.isoformat()},
        "fairness": {"attribute": "gender"},
        "skills": {"teams": HEATMAP_TEAMS},
    }
    return views.Question("big", f, 5, extra=extra.get(name, {}))


async def _kept(
    uow: Callable[[], UnitOfWork], f: scope.Filters, names: list[str], runs: int, base: float
) -> None:
    """Each view through the API's path (service_layer/views.py): the first answer computed,
    then `runs` answers kept at the current facts, then, after a change to the facts, `runs`
    answers served while younger than the maximum age, and the background recompute."""
    policy = views.Policy(max_age=300.0)
    questions = {n: question(f, n) for n in names}
    for name, q in questions.items():
        ask = functools.partial(views.answer_json, uow, name, q, policy)
        first = await timed(ask, 1)
        ms = sorted(await timed(ask, runs))
        p95 = ms[min(len(ms) - 1, -(-95 * len(ms) // 100) - 1)]
        print(
            f"{name:<14} computed {first[0]:9.1f} ms  kept: median {statistics.median(ms):6.1f} ms"
            f"  p95 {p95:6.1f} ms  x{statistics.median(ms) / base:.2f} of baseline",
            flush=True,
        )
    # The facts change (as a projection's transaction would): answers are served while
    # younger than the maximum age, and the refresher computes them again.
    async with uow() as u:
        views.touched(u, ["big"])
        await u.commit()
    for name, q in questions.items():
        ms = sorted(await timed(functools.partial(views.answer_json, uow, name, q, policy), runs))
        p95 = ms[min(len(ms) - 1, -(-95 * len(ms) // 100) - 1)]
        print(
            f"{name:<14} after a change, served while younger than {policy.max_age:.0f} s: "
            f"median {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms",
            flush=True,
        )
    t0 = time.perf_counter()
    n = await views.refresh(uow, views.Policy(max_age=0.0), limit=len(questions))
    print(f"refresher: {n} answers computed again in {time.perf_counter() - t0:.1f} s", flush=True)


async def _cold_dashboard(
    uow: Callable[[], UnitOfWork], f: scope.Filters, conn: asyncpg.Connection, rounds: int
) -> None:
    """Every view asked at once with nothing kept, as HR's dashboard asks them on its first
    load, two ways, alternating, `rounds` times each:

    - *separately*: each view computed from the facts in its own transaction, the headline
      too (its four parts in one transaction, as the daily snapshot computes it): the
      baseline, which is how the API computed the headline before it was composed;
    - *composed*: through the API's path (`views.answer_json`), where the headline is made of
      the four views' answers, computed once for both.

    Prints the time until every view has answered, and until the headline has."""
    policy = views.Policy(max_age=300.0)

    async def timed_all(calls: dict[str, Callable[[], Awaitable[object]]]) -> dict[str, float]:
        t0 = time.perf_counter()
        done: dict[str, float] = {}

        async def one(name: str, call: Callable[[], Awaitable[object]]) -> None:
            await call()
            done[name] = (time.perf_counter() - t0) * 1000

        await asyncio.gather(*(one(n, c) for n, c in calls.items()))
        return done

    ratios = []
    for r in range(1, rounds + 1):
        results = {}
        for way in ("separately", "composed"):
            await conn.execute("DELETE FROM metrics.view_results WHERE tenant_id = 'big'")
            if way == "separately":
                calls = {n: view(uow, f, n, HEATMAP_TEAMS) for n in VIEWS}
            else:
                calls = {
                    n: functools.partial(views.answer_json, uow, n, question(f, n), policy)
                    for n in VIEWS
                }
            done = await timed_all(calls)
            results[way] = done
            print(
                f"round {r} {way:<10} every view {max(done.values()):9.1f} ms  "
                f"headline {done['headline']:9.1f} ms  "
                + "  ".join(f"{n} {ms / 1000:.1f}s" for n, ms in sorted(done.items())),
                flush=True,
            )
        ratio = max(results["composed"].values()) / max(results["separately"].values())
        ratios.append(ratio)
        print(
            f"round {r} composed / separately: every view {ratio:.2f}, headline "
            f"{results['composed']['headline'] / results['separately']['headline']:.2f}",
            flush=True,
        )
    print("every view, composed / separately per round: " + ", ".join(f"{x:.2f}" for x in ratios))


async def main(
    employees: int,
    runs: int,
    admin_url: str,
    only: list[str],
    profile: bool = False,
    kept: bool = False,
    dashboard: bool = False,
    teams: int | None = None,
) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    async with fresh_database(admin_url) as db:
        url = db.replace("postgresql://", "postgresql+asyncpg://", 1)
        await upgrade_to_head(MIGRATIONS, url, "metrics")
        t0 = time.perf_counter()
        rows = await load(db, "big", employees, seed=1, now=now)
        rows += await load(db, "other", max(100, employees // 10), seed=2, now=now)
        print(f"loaded {rows:,} rows in {time.perf_counter() - t0:.1f}s", flush=True)
        engine = create_async_engine(url)
        if profile:
            _profile_statements(engine)
        uow = uow_factory(make_sessionmaker(engine), metadata, "metrics")
        conn = await asyncpg.connect(db)
        end = dt.datetime.combine(now.date() + DAY, dt.time.min, tzinfo=dt.UTC)
        f = scope.Filters(Window(end - 365 * DAY, end))

        async def baseline() -> None:
            await conn.fetchval("SELECT count(*) FROM metrics.employees WHERE tenant_id = 'big'")

        await timed(baseline, 2)  # warm the cache
        base = await timed(baseline, runs)
        b = statistics.median(base)
        print(f"{'baseline count(*)':<14} median {b:8.1f} ms  max {max(base):8.1f} ms", flush=True)
        if dashboard:
            await _cold_dashboard(uow, f, conn, runs)
            await conn.close()
            await engine.dispose()
            return
        if kept:
            await _kept(uow, f, only or list(VIEWS), runs, b)
            await conn.close()
            await engine.dispose()
            return
        for name in only or VIEWS:
            fn = view(uow, f, name, teams)
            await timed(fn, 1)
            ms = await timed(fn, runs)
            ms.sort()
            p95 = ms[min(len(ms) - 1, -(-95 * len(ms) // 100) - 1)]
            print(
                f"{name:<14} median {statistics.median(ms):8.1f} ms  p95 {p95:8.1f} ms  "
                f"x{statistics.median(ms) / b:.1f} of baseline",
                flush=True,
            )
        await conn.close()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--view", action="append", default=[], choices=VIEWS)
    parser.add_argument("--profile", action="store_true", help="print each slow statement")
    parser.add_argument(
        "--teams", type=int, help="the skills heatmap's teams (as the dashboard's 50); all if unset"
    )
    parser.add_argument(
        "--kept",
        action="store_true",
        help="through the kept answers (services/metrics/METRICS.md, 'Kept answers')",
    )
    parser.add_argument(
        "--dashboard",
        action="store_true",
        help="every view at once with nothing kept, separately and composed (--runs rounds)",
    )
    args = parser.parse_args()
    with test_infrastructure() as ep:
        asyncio.run(
            main(
                args.employees,
                args.runs,
                ep.admin_database_url,
                args.view,
                args.profile,
                args.kept,
                args.dashboard,
                args.teams,
            )
        )

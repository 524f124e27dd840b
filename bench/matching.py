"""Top 50 candidates among 100,000 profiles with 40 competencies.

Loads a fresh mobility database (through the service's migrations) with
100,000 profiles (40 assessed competencies each, a current role, aspirations
for some) and 60 open role opportunities, then measures, in the same run:

- in process: the service's `candidates` call (index freshness check, ranking,
  explanations of the 50) — p50 and p95 over every opportunity, twice;
- through HTTP: `GET /v1/opportunities/{id}/candidates` of the mobility service
  running as its own process;
- the baseline: a straightforward SQL ranking of the same data with the same
  formula (fit, readiness, aspiration, move) in PostgreSQL;
- the memory of the profile index (arrays and Python objects, tracemalloc).

    uv run python -m bench.matching --profiles 100000 --competencies 40
    uv run python -m bench.matching --profiles 1000000 --sql-runs 5 --agree-on 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import create_async_engine

from careerstream.devstack.ports import free_port
from careerstream.devstack.testing import fresh_database, test_infrastructure
from careerstream.mobility.adapters import index as index_module
from careerstream.mobility.adapters.orm import metadata
from careerstream.mobility.bootstrap import MIGRATIONS
from careerstream.mobility.service_layer import candidates as market
from careerstream.servicekit.auth import AuthSettings, Principal, Role, mint_token
from careerstream.servicekit.db import make_sessionmaker
from careerstream.servicekit.migrations import upgrade_to_head
from careerstream.servicekit.wiring import uow_factory

TENANT = "big"
SQL_RANKING = """
WITH req AS (SELECT key AS c, value::int AS r FROM jsonb_each_text($2::jsonb)),
     tgt AS (SELECT family_id, rank FROM mobility.roles WHERE tenant_id = $1 AND role_id = $3)
SELECT p.employee_id,
       round((0.65 * sum(q.r * least(coalesce((p.levels ->> q.c)::numeric, 0) / q.r, 1)) / (SELECT sum(r) FROM req)
            + 0.15 * avg((coalesce((p.levels ->> q.c)::int, 0) >= q.r)::int)
            + 0.15 * max(CASE WHEN $3 = ANY(p.target_role_ids) THEN 1.0
                              WHEN (SELECT family_id FROM tgt) = ANY(p.target_family_ids) THEN 0.7 ELSE 0 END)
            + 0.05 * max(CASE WHEN r.role_id IS NULL THEN 0.75
                              WHEN r.family_id = (SELECT family_id FROM tgt) AND r.rank > (SELECT rank FROM tgt) THEN 0.5
                              ELSE 1.0 END))::numeric, 4) AS score
  FROM mobility.profiles p
  LEFT JOIN mobility.roles r ON r.tenant_id = p.tenant_id AND r.role_id = p.role_id
 CROSS JOIN req q
 WHERE p.tenant_id = $1 AND p.active AND p.role_id IS DISTINCT FROM $3
 GROUP BY p.employee_id
 ORDER BY score DESC, p.employee_id
 LIMIT 50
"""


async def load(db: str, n: int, comps: int, opportunities: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    conn = await asyncpg.connect(db)
    competencies = [f"competency-{i:02d}" for i in range(comps)]
    families = [f"family-{i}" for i in range(8)]
    roles = [(f"{f}.level-{k}", f, k) for f in families for k in range(1, 6)]
    try:
        await conn.executemany(
            "INSERT INTO mobility.roles VALUES ($1, $2, 'fw', 1, $3, $4, $5, $6, $7::jsonb, 5)",
            [
                (
                    TENANT,
                    rid,
                    fam,
                    f"level-{k}",
                    k,
                    rid,
                    json.dumps({c: min(5, k) for c in rnd.sample(competencies, 6)}),
                )
                for rid, fam, k in roles
            ],
        )
        rows = []
        for i in range(n):
            rid, fam, _ = rnd.choice(roles)
            levels = {c: rnd.randint(1, 5) for c in competencies}
            targets = [rnd.choice(roles)[0]] if rnd.random() < 0.2 else []
            fams = [rnd.choice(families)] if rnd.random() < 0.2 else []
            rows.append(
                (
                    TENANT,
                    f"E{i:06d}",
                    True,
                    rid,
                    json.dumps(levels),
                    datetime.now(UTC),
                    targets,
                    fams,
                    rnd.random() < 0.3,
                    False,
                    i + 1,
                )
            )
        await conn.copy_records_to_table(
            "profiles",
            schema_name="mobility",
            records=rows,
            columns=[
                "tenant_id",
                "employee_id",
                "active",
                "role_id",
                "levels",
                "assessed_at",
                "target_role_ids",
                "target_family_ids",
                "open_to_projects",
                "willing_to_relocate",
                "seq",
            ],
        )
        await conn.execute(f"SELECT setval('mobility.profile_seq', {n})")
        opp_ids = []
        for j in range(opportunities):
            rid, fam, k = rnd.choice(roles)
            required = json.loads(
                await conn.fetchval(
                    "SELECT requirements::text FROM mobility.roles WHERE role_id = $1", rid
                )
            )
            extra = {c: rnd.randint(2, 5) for c in rnd.sample(competencies, 2)}
            oid = f"opp-{j:03d}"
            opp_ids.append(oid)
            await conn.execute(
                """INSERT INTO mobility.opportunities (tenant_id, opportunity_id, kind, title, role_id, family_id,
                       level_id, required, time_share, remote, visibility, hiring_manager_id, status, posted_at)
                   VALUES ($1, $2, 'role', $2, $3, $4, $5, $6::jsonb, 100, false, 'tenant', 'HM', 'open', now())""",
                TENANT,
                oid,
                rid,
                fam,
                f"level-{k}",
                json.dumps({**required, **extra}),
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return opp_ids


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def main(
    n: int, comps: int, admin_url: str, bootstrap: str, sql_runs: int = 20, agree_on: int = 5
) -> None:
    async with fresh_database(admin_url) as db:
        url = db.replace("postgresql://", "postgresql+asyncpg://", 1)
        await upgrade_to_head(MIGRATIONS, url, "mobility")
        t0 = time.perf_counter()
        opp_ids = await load(db, n, comps, 60, seed=11)
        print(f"loaded {n:,} profiles x {comps} competencies in {time.perf_counter() - t0:.1f}s")

        engine = create_async_engine(url)
        uow = uow_factory(make_sessionmaker(engine), metadata, "mobility")
        hr = Principal(TENANT, "HR", frozenset({Role.HR_ADMIN}))
        tracemalloc.start()
        t0 = time.perf_counter()
        async with uow() as u:
            idx = await index_module.index_for(u, TENANT)
        build = time.perf_counter() - t0
        current, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        traced_build = build
        index_module.forget_all()
        t0 = time.perf_counter()
        async with uow() as u:
            idx = await index_module.index_for(u, TENANT)
        build = time.perf_counter() - t0
        print(
            f"index of {len(idx):,} built in {build:.1f}s ({traced_build:.1f}s under tracemalloc): "
            f"arrays {idx.nbytes() / 2**20:.1f} MiB, whole index with ids and aspirations {current / 2**20:.1f} MiB"
        )

        async def in_process(oid: str) -> float:
            t = time.perf_counter()
            async with uow() as u:
                ranked = await market.candidates(u, hr, oid, 50)
            assert len(ranked) == 50
            return (time.perf_counter() - t) * 1000

        await in_process(opp_ids[0])
        inproc = [await in_process(o) for o in opp_ids + opp_ids]

        conn = await asyncpg.connect(db)

        async def sql(oid: str) -> float:
            row = await conn.fetchrow(
                "SELECT required::text, role_id FROM mobility.opportunities WHERE opportunity_id = $1",
                oid,
            )
            t = time.perf_counter()
            top = await conn.fetch(SQL_RANKING, TENANT, row["required"], row["role_id"])
            assert len(top) == 50
            return (time.perf_counter() - t) * 1000

        await sql(opp_ids[0])
        sql_ms = [await sql(o) for o in opp_ids[:sql_runs]]

        # Same answers: the SQL baseline and the service agree on the top 50 of a sample of
        # opportunities (the same people; ties at the 50th by id on both sides).
        agree = []
        for oid in opp_ids[:agree_on]:
            async with uow() as u:
                ours = [c.match.employee_id for c in await market.candidates(u, hr, oid, 50)]
            row = await conn.fetchrow(
                "SELECT required::text, role_id FROM mobility.opportunities "
                "WHERE opportunity_id = $1",
                oid,
            )
            theirs = [
                r["employee_id"]
                for r in await conn.fetch(SQL_RANKING, TENANT, row["required"], row["role_id"])
            ]
            agree.append(len(set(ours) & set(theirs)))
        await conn.close()
        await engine.dispose()

        port = free_port()
        env = dict(
            os.environ,
            MOBILITY_DATABASE_URL=db,
            MOBILITY_KAFKA_BOOTSTRAP_SERVERS=bootstrap,
            MOBILITY_HTTP_PORT=str(port),
            CAREERSTREAM_LOG_LEVEL="WARNING",
        )
        proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before measuring
            [sys.executable, "-m", "careerstream.mobility", "serve", "--api-only"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        token = mint_token(AuthSettings(), tenant=TENANT, subject="HR", roles=["hr_admin"])
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ) as c:
                for _ in range(200):
                    try:
                        if (await c.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.2)
                await c.get(
                    f"/v1/opportunities/{opp_ids[0]}/candidates"
                )  # builds the process's index
                http = []
                for oid in opp_ids + opp_ids:
                    t = time.perf_counter()
                    r = await c.get(f"/v1/opportunities/{oid}/candidates?limit=50")
                    http.append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 200, r.text[:300]
                    assert len(r.json()) == 50
                rss = peak_rss_mib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

        def line(label: str, ms: list[float]) -> None:
            print(
                f"{label:<34} p50 {statistics.median(ms):7.1f} ms   p95 {p95(ms):7.1f} ms   (n={len(ms)})"
            )

        line("SQL ranking (baseline)", sql_ms)
        line("in process (service call)", inproc)
        line("HTTP endpoint (own process)", http)
        print(
            f"p95 in process = {p95(inproc) / p95(sql_ms):.3f} x SQL; HTTP = {p95(http) / p95(sql_ms):.3f} x SQL; "
            f"top-50 overlap with SQL on {len(agree)} opportunities: {agree} (of 50)"
        )
        print(
            f"peak resident memory of the API process (index built, {len(http)} requests): {rss:.0f} MiB"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--competencies", type=int, default=40)
    parser.add_argument("--sql-runs", type=int, default=20, help="baseline requests timed")
    parser.add_argument("--agree-on", type=int, default=5, help="opportunities compared with SQL")
    args = parser.parse_args()
    with test_infrastructure() as ep:
        asyncio.run(
            main(
                args.profiles,
                args.competencies,
                ep.admin_database_url,
                ep.kafka_bootstrap,
                args.sql_runs,
                args.agree_on,
            )
        )

"""The console's main pages for a 10,000-employee tenant: server time per page beside the time
of the API calls it makes.

Starts the whole platform (every service its own process) on the test Kafka and PostgreSQL,
loads a simulated company of N people through the gateway and the APIs (one month: an
assessment cycle, plans, conversations, surveys, the marketplace), starts the console, signs
in through the development sign-in as an employee with a plan, their manager and HR, and
requests each main page `--requests` times after one warm-up request.

Each answer carries `Server-Timing: app;dur=…, api;dur=…`: `app` is the console's whole
server time for the page, `api` the summed time of the service calls it made (several run
at once, so `api` can exceed `app`). The baseline in the same run is those calls: the page
costs what its slowest calls cost plus the console's own rendering.

    uv run python -m bench.console --employees 10000 --requests 30

Simulating a company through the APIs takes hours at 10,000 people on a small machine.
`--dashboard-only` measures HR's metrics dashboard alone, over a metrics database filled by
COPY with the facts `bench.metrics_views` builds (a year of plans, goals, gaps, moves, fills,
surveys and learning for N people): the first request (every view computed) and the kept
answers after it.

    uv run python -m bench.console --employees 10000 --dashboard-only
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from careerstream.console.metrics_page import HEATMAP_TEAMS, TREND_METRICS
from careerstream.devstack import kafka
from careerstream.devstack.ports import free_port
from careerstream.devstack.processes import Platform, platform
from careerstream.devstack.sample import auth
from careerstream.devstack.simulation import Simulation, Urls
from careerstream.devstack.stack import Endpoints, platform_topics
from careerstream.devstack.testing import test_infrastructure

TIMING = re.compile(r"app;dur=([\d.]+)(?:, api;dur=([\d.]+);desc=\"(\d+) calls\")?")


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


async def sign_in(url: str, tenant: str, who: str, role: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=url, timeout=120)
    page = await c.get("/signin", params={"tenant": tenant, "q": who})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    r = await c.post(
        "/signin/dev",
        data={"tenant": tenant, "employee_id": who, "role": role, "csrf_token": token.group(1)},
    )
    assert r.status_code == 303, r.text[:500]
    return c


async def measure(c: httpx.AsyncClient, path: str, n: int) -> tuple[list[float], list[float], int]:
    app, api, calls = [], [], 0
    for i in range(n + 1):
        r = await c.get(path)
        assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
        m = TIMING.search(r.headers["server-timing"])
        assert m, r.headers["server-timing"]
        if i == 0:
            continue  # warm-up
        app.append(float(m.group(1)))
        api.append(float(m.group(2) or 0))
        calls = int(m.group(3) or 0)
    return app, api, calls


def start_console(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "careerstream.console", "serve"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


async def _console(p: Platform, logs: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """The console against the platform's services, started and ready: its URL and process."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    console_env = {
        **os.environ,
        "CONSOLE_HTTP_PORT": str(port),
        **{f"CONSOLE_{k.upper()}_URL": s.url for k, s in p.services.items()},
    }
    proc = start_console(console_env, logs / "console.log")
    async with httpx.AsyncClient() as probe:
        for _ in range(300):
            try:
                if (await probe.get(f"{url}/readyz")).status_code == 200:
                    return url, proc
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"the console did not become ready; see {logs / 'console.log'}")


async def dashboard_only(ep: Endpoints, n: int, requests: int) -> None:
    """HR's metrics dashboard over N people's facts loaded by COPY (see the module's doc)."""
    from bench.metrics_views import load

    tenant = f"dash{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as logs:
        env = {"CAREERSTREAM_LOG_LEVEL": "WARNING"}
        async with platform(ep, Path(logs), env, migrated=False) as p:
            db = p.services["metrics"].env["METRICS_DATABASE_URL"]
            db = db.replace("postgresql+asyncpg://", "postgresql://", 1)
            t0 = time.perf_counter()
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            rows = await load(db, tenant, n, seed=1, now=now)
            print(f"{n:,} people's facts ({rows:,} rows) loaded in {time.perf_counter() - t0:.0f}s")
            url, proc = await _console(p, Path(logs))
            try:
                c = await sign_in(url, tenant, "HR", "hr_admin")
                c.timeout = httpx.Timeout(1800)
                print("signed in as HR; the first request computes every view ...", flush=True)
                try:
                    t0 = time.perf_counter()
                    first = await c.get("/hr/metrics")
                    wall = (time.perf_counter() - t0) * 1000
                    assert first.status_code == 200, first.text[:300]
                    m = TIMING.search(first.headers["server-timing"])
                    assert m, first.headers["server-timing"]
                    print(f"\n{n:,} employees; /hr/metrics")
                    print(
                        f"first request (every view computed): app {float(m.group(1)):.0f} ms, "
                        f"wall {wall:.0f} ms, {m.group(3)} calls"
                    )
                    app, api, _ = await measure(c, "/hr/metrics", requests)
                    print(
                        f"kept answers, {requests} requests after one more: app p50 "
                        f"{statistics.median(app):.1f} ms, p95 {p95(app):.1f} ms; "
                        f"api p95 {p95(api):.1f} ms"
                    )
                    base = await _calls_at_once(p, tenant, requests)
                    print(
                        f"baseline, the page's {len(DASHBOARD_CALLS)} calls at once straight to "
                        f"the metrics API, kept: p50 {statistics.median(base):.1f} ms, "
                        f"p95 {p95(base):.1f} ms; the page's p50 is "
                        f"{statistics.median(app) / statistics.median(base):.2f}x it"
                    )
                finally:
                    await c.aclose()
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            await _each_call(p, tenant)


DASHBOARD_CALLS: list[tuple[str, dict[str, str]]] = [
    *((f"/v1/metrics/{v}", {}) for v in ("mobility", "development")),
    ("/v1/metrics/skills", {"teams": str(HEATMAP_TEAMS)}),
    *((f"/v1/metrics/{v}", {}) for v in ("engagement", "retention")),
    ("/v1/metrics/fairness", {"attribute": "gender"}),
    *(("/v1/metrics/trends", {"metric": m, "months": "12"}) for m in TREND_METRICS),
]
"""The calls HR's dashboard makes (pages/hr.py: metrics), with no filter."""


async def _calls_at_once(p: Platform, tenant: str, requests: int) -> list[float]:
    """Wall time of the dashboard's calls made at once, straight to the metrics API, `requests`
    times after a warm-up: what the page costs without the console."""
    hr = auth(tenant, "HR", "hr_admin")
    took = []
    for i in range(requests + 1):
        t0 = time.perf_counter()
        answers = await asyncio.gather(
            *(p["metrics"].get(path, params=params, headers=hr) for path, params in DASHBOARD_CALLS)
        )
        ms = (time.perf_counter() - t0) * 1000
        for r in answers:
            assert r.status_code == 200, r.text[:300]
            r.json()
        if i:
            took.append(ms)
    return took


async def _each_call(p: Platform, tenant: str) -> None:
    """The dashboard's calls one at a time, straight to the metrics API, as new questions (a
    window ending yesterday: nothing kept for it): where the first request's time goes. Then
    each again, kept: what the page's calls cost once every answer is kept."""
    hr = auth(tenant, "HR", "hr_admin")
    to = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    print("\neach call alone (a window ending yesterday): computed, then kept")
    totals = [0.0, 0.0]
    for path, params in DASHBOARD_CALLS:
        took = []
        for i in range(2):
            t0 = time.perf_counter()
            r = await p["metrics"].get(path, params={**params, "to": to}, headers=hr, timeout=1800)
            ms = (time.perf_counter() - t0) * 1000
            assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
            totals[i] += ms
            took.append(f"{ms:9.0f} ms {len(r.content) / 1024:7.1f} KiB" if i else f"{ms:9.0f} ms")
        shown = path + ("?metric=" + params["metric"] if "metric" in params else "")
        print(f"  {shown:<52} {took[0]} {took[1]}", flush=True)
    print(f"  {'sum':<52} {totals[0]:9.0f} ms {totals[1]:9.0f} ms")


async def main(ep: Endpoints, n: int, requests: int) -> None:
    await kafka.create_platform_topics(ep.kafka_bootstrap, platform_topics(), partitions=3)
    tenant = f"con{uuid.uuid4().hex[:6]}"
    hr = auth(tenant, "HR", "hr_admin")
    with tempfile.TemporaryDirectory() as logs:
        env = {"HRIS_IMPORT_POLL_SECONDS": "0.2", "CAREERSTREAM_LOG_LEVEL": "WARNING"}
        async with platform(ep, Path(logs), env, migrated=False) as p:
            urls = Urls(**{name: svc.url for name, svc in p.services.items()})
            t0 = time.perf_counter()
            sim = Simulation(
                urls,
                ep.kafka_bootstrap,
                tenant=tenant,
                employees=n,
                months=1,
                seed=3,
                out=lambda s: print(f"  {s}", flush=True),
            )
            await sim.run()
            print(f"company of {n:,} loaded in {time.perf_counter() - t0:.0f}s", flush=True)
            plans = (
                await p["plans"].get("/v1/plans", params={"status": "active"}, headers=hr)
            ).json() or (await p["plans"].get("/v1/plans", headers=hr)).json()
            # Someone still employed, with a manager, whose plan is live: what a manager opens.
            employee = manager = ""
            for plan in plans:
                found = (
                    await p["hris"].get("/v1/people", params={"q": plan["employee_id"]}, headers=hr)
                ).json()
                row = next((r for r in found if r["employee_id"] == plan["employee_id"]), None)
                if row and row["manager_id"]:
                    employee, manager = row["employee_id"], row["manager_id"]
                    break
            assert employee, "no active employee with a manager and a plan"
            url, proc = await _console(p, Path(logs))
            try:
                pages = {
                    (employee, "employee"): ["/me", "/me/gaps", "/me/plan", "/marketplace"],
                    (manager, "manager"): ["/team", f"/team/{employee}"],
                    ("HR", "hr_admin"): [
                        "/hr",
                        "/hr/frameworks/typical-company/versions/1",
                        "/hr/cycles",
                        "/hr/metrics",
                    ],
                }
                print(
                    f"\n{n:,} employees; employee {employee}, manager {manager}; "
                    f"{requests} requests a page after one warm-up\n"
                )
                print(f"{'page':<44} {'app p50':>8} {'app p95':>8} {'api p95':>8} calls")
                for (who, role), paths in pages.items():
                    c = await sign_in(url, tenant, who, role)
                    try:
                        for path in paths:
                            if path == "/me/plan":
                                r = await c.get(path)
                                path = r.headers.get("location", path)
                            app, api, calls = await measure(c, path, requests)
                            shown = path if len(path) < 44 else path[:41] + "..."
                            print(
                                f"{shown:<44} {statistics.median(app):7.1f}ms {p95(app):7.1f}ms "
                                f"{p95(api):7.1f}ms {calls:>5}",
                                flush=True,
                            )
                    finally:
                        await c.aclose()
            finally:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--dashboard-only",
        action="store_true",
        help="HR's metrics dashboard alone, over facts loaded by COPY (no simulation)",
    )
    args = parser.parse_args()
    with test_infrastructure() as ep:
        run = dashboard_only if args.dashboard_only else main
        asyncio.run(run(ep, args.employees, args.requests))

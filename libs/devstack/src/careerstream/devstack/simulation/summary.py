"""The simulated tenant's metrics, in a few lines for the terminal."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from careerstream.devstack.simulation.client import Urls
from careerstream.devstack.simulation.company import Truth
from careerstream.servicekit.auth import AuthSettings, mint_token


async def metrics_summary(urls: Urls, tenant: str) -> str:
    """A few lines of the tenant's metrics, for the terminal."""
    token = mint_token(AuthSettings(), tenant=tenant, subject="HR", roles=["hr_admin"])
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=urls.metrics, headers=headers, timeout=30) as c:
        mob = (await c.get("/v1/metrics/mobility")).json()
        dev = (await c.get("/v1/metrics/development")).json()
        eng = (await c.get("/v1/metrics/engagement")).json()
        succ = (await c.get("/v1/metrics/succession")).json()
        ret = (await c.get("/v1/metrics/retention")).json()
        skills = (await c.get("/v1/metrics/skills")).json()
    if mob.get("suppressed"):
        return f"metrics      tenant {tenant}: no figures yet ({mob.get('reason')})"

    def pct(v: Any) -> str:
        return "-" if v is None else f"{100 * v:.0f}%"

    def num(v: Any) -> str:
        return "-" if v is None else f"{v:.2f}"

    def days(v: Any) -> str:
        return "-" if v is None else f"{v:.0f} days"

    def kept(cohort: dict[str, Any]) -> str:
        if cohort.get("retention_6m") is None:
            return f"- of {cohort.get('cohort', 0)}"
        return f"{pct(cohort['retention_6m'])} of {cohort['retention_6m_eligible']}"

    cells = [x for x in skills.get("gap_heatmap", []) if not x.get("suppressed")]
    widest = max(cells, key=lambda x: (x["mean_gap"], x["n"]), default=None)
    widest_text = (
        "-"
        if widest is None
        else f"{widest['competency_id']} in {widest['team']}'s team ({widest['mean_gap']:.2f} "
        f"levels, {widest['n']} people)"
    )
    return "\n".join(
        [
            f"metrics      tenant {tenant}, last 12 months ({urls.metrics}/v1/metrics/..., as hr_admin):",
            f"             headcount {mob['headcount']}, fills {mob['fills']}, internal hire rate {pct(mob['internal_hire_rate'])}, "
            f"promotion rate {pct(mob['promotion_rate'])}, lateral move rate {pct(mob['lateral_move_rate'])}",
            f"             time to fill (median): internal {days(mob['time_to_fill_internal_median_days'])}, external {days(mob['time_to_fill_external_median_days'])}",
            f"             active plans {pct(dev.get('active_plan_share'))}, plan completion "
            f"{pct(dev.get('plan_completion_rate'))}, goal completion {pct(dev.get('goal_completion_rate'))}, "
            f"career conversations {eng.get('conversations', 0)} "
            f"({num(eng.get('conversations_per_employee'))} per employee)",
            f"             growth sentiment {pct(eng.get('growth_sentiment'))} "
            f"({eng.get('growth_sentiment_respondents', 0)} answers), manager confidence "
            f"{pct(eng.get('manager_confidence'))} ({eng.get('manager_confidence_respondents', 0)} answers)",
            f"             still here 6 months on: promoted {kept(ret.get('promoted', {}))}, passed over "
            f"{kept(ret.get('passed_over', {}))}, everyone else {kept(ret.get('everyone_else', {}))}",
            f"             widest skills gap: {widest_text}",
            f"             critical roles {succ.get('critical_roles', 0)}, covered by a ready-now "
            f"successor {pct(succ.get('ready_now_coverage'))}, bench strength "
            f"{num(succ.get('bench_strength'))}",
        ]
    )


async def metrics_when_caught_up(
    urls: Urls, tenant: str, truth: Truth, timeout: float = 120
) -> str:
    """The tenant's metrics summary, once the metrics service has seen every fill and everyone
    still employed (the people topic may be the longer one to read)."""
    token = mint_token(AuthSettings(), tenant=tenant, subject="HR", roles=["hr_admin"])
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(
        base_url=urls.metrics, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as c:
        while time.monotonic() < deadline:
            mob = (await c.get("/v1/metrics/mobility")).json()
            people = truth.hires - truth.terminations
            if mob.get("fills", -1) >= truth.fills and mob.get("headcount", -1) >= people:
                break
            await asyncio.sleep(0.5)
    return await metrics_summary(urls, tenant)

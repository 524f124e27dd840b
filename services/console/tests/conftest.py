"""The console's browser tests: the whole platform as processes, a small company set up through
the APIs, a real OpenID provider (node-oidc-provider) and the console, driven in Chromium."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from careerstream.devstack.ports import free_port
from careerstream.devstack.processes import Platform, eventually, platform
from careerstream.devstack.sample import auth
from careerstream.devstack.simulation.company import EXAMPLE
from careerstream.devstack.stack import Endpoints

HERE = Path(__file__).parent
IDP = HERE / "idp"
AXE = IDP / "node_modules" / "axe-core" / "axe.min.js"
CLIENT_SECRET = "console-test-secret"

# employee id -> (name, job code, manager, department, gender)
PEOPLE = {
    "D1": ("Dana Director", "engineering.director-of-engineering", "", "engineering", "f"),
    "M1": ("Maya Manager", "engineering.engineering-manager", "D1", "engineering", "f"),
    "E1": ("Eli Engineer", "engineering.software-engineer", "M1", "engineering", "m"),
    "E2": ("Fay Fellow", "engineering.software-engineer", "M1", "engineering", "f"),
    "E3": ("Gus Junior", "engineering.junior-developer", "M1", "engineering", "m"),
    "H1": ("Hana People", "marketing.marketing-coordinator", "D1", "marketing", "x"),
    "D2": ("Dev Director", "engineering.director-of-engineering", "D1", "engineering", "f"),
}
ROLES = {"M1": ["manager"], "D1": ["manager"], "D2": ["manager"], "H1": ["hr_admin"]}


def chromium() -> str:
    """Debian's chromium (browsers cannot be downloaded here); CHROMIUM overrides."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (path := shutil.which(candidate)):
            return path
    # Not a skip: a missing browser must fail the run, not turn it green.
    pytest.fail("no chromium on PATH: `apt-get install chromium` (scripts/ensure-tools does)")


@dataclass
class Console:
    """The running console and what the tests need to drive it."""

    url: str
    idp: str
    tenant: str
    platform: Platform
    log: Path
    facts: dict[str, Any] = field(default_factory=dict)

    def hr(self) -> dict[str, str]:
        return auth(self.tenant, "H1", "hr_admin")


def _start(
    args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=cwd)


async def _answers(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=5) as c:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"{url} exited:\n{_tail(log)}")
            try:
                if (await c.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout}s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def _company(p: Platform, tenant: str) -> dict[str, Any]:
    """A framework, six people through the HRIS import, a completed assessment of E1 (so E1 has
    gaps and a suggested plan) and a gig M1 posts: what each role's story starts from."""
    hr = auth(tenant, "H1", "hr_admin")
    resp = await p["frameworks"].post(
        "/v1/frameworks/import?publish=true",
        content=EXAMPLE.read_bytes(),
        headers={**hr, "Content-Type": "application/yaml"},
    )
    assert resp.status_code in (200, 201), resp.text
    for code in sorted({v[1] for v in PEOPLE.values()}):
        r = await p["hris"].put(f"/v1/job-mappings/{code}", json={"role_id": code}, headers=hr)
        assert r.status_code == 200, r.text
    lines = ["employee_id,display_name,job_code,manager_id,department_id,group.gender"]
    lines += [f"{k},{n},{j},{m},{d},{g}" for k, (n, j, m, d, g) in PEOPLE.items()]
    started = await p["hris"].post(
        "/v1/imports",
        content="\n".join(lines) + "\n",
        headers={**hr, "Content-Type": "text/csv"},
    )
    assert started.status_code == 202, started.text
    import_id = started.json()["import_id"]

    async def imported() -> Any:
        s = (await p["hris"].get(f"/v1/imports/{import_id}", headers=hr)).json()
        return s if s["status"] == "done" else None

    await eventually(imported, "the HRIS import", timeout=120)

    async def known() -> bool:
        a = await p["assessments"].get("/v1/employees/E3/gaps", headers=hr)
        m = await p["mobility"].get("/v1/employees/E3/aspirations", headers=hr)
        pl = await p["plans"].get("/v1/plans", params={"employee_id": "E3"}, headers=hr)
        return (
            a.status_code == 200
            and bool(a.json()["analyses"])
            and m.status_code == 200
            and pl.status_code == 200
        )

    await eventually(known, "every service knows the people", timeout=120)
    # Plans are suggested (the employee accepts them) rather than drafted for the manager.
    r = await p["plans"].put(
        "/v1/settings", json={"plan_mode": "suggest", "period_months": 6}, headers=hr
    )
    assert r.status_code == 200, r.text
    deadline = (datetime.now(UTC) + timedelta(days=14)).isoformat()
    cycle = (
        await p["assessments"].post(
            "/v1/cycles",
            json={
                "name": "Spring review",
                "deadline": deadline,
                "population": {"kind": "department", "ids": ["engineering"]},
            },
            headers=hr,
        )
    ).json()
    rows = (
        await p["assessments"].get(
            "/v1/assessments",
            params={"cycle_id": cycle["cycle_id"], "employee_id": "E1"},
            headers=hr,
        )
    ).json()
    asm = rows[0]["assessment_id"]
    detail = (await p["assessments"].get(f"/v1/assessments/{asm}", headers=hr)).json()
    required = detail["required"]
    # Two competencies a level short of the role.
    short = sorted(c for c, lv in required.items() if lv > detail["scale"][0])[:2]
    ratings = {
        "ratings": [
            {"competency_id": c, "level": max(detail["scale"][0], lv - (1 if c in short else 0))}
            for c, lv in sorted(required.items())
        ]
    }
    for who, roles in (("E1", ()), ("M1", ("manager",))):
        r = await p["assessments"].post(
            f"/v1/assessments/{asm}/submissions", json=ratings, headers=auth(tenant, who, *roles)
        )
        assert r.status_code == 201, r.text

    async def suggested() -> Any:
        plans = (
            await p["plans"].get(
                "/v1/plans", params={"employee_id": "E1"}, headers=auth(tenant, "E1")
            )
        ).json()
        return [x for x in plans if x["status"] == "suggested"]

    plan = (await eventually(suggested, "E1's suggested plan", timeout=120))[0]
    gig = await p["mobility"].post(
        "/v1/opportunities",
        json={
            "title": "Checkout redesign gig",
            "kind": "gig",
            "description": "Two days a week on the new checkout.",
            "role_id": "engineering.senior-engineer",
            "time_share": 40,
            "duration_weeks": 8,
        },
        headers=auth(tenant, "M1", "manager"),
    )
    assert gig.status_code == 201, gig.text

    async def recommended() -> Any:
        recs = (
            await p["mobility"].get("/v1/me/recommendations", headers=auth(tenant, "E1"))
        ).json()
        return (
            recs
            if any(r["opportunity"]["opportunity_id"] == gig.json()["opportunity_id"] for r in recs)
            else None
        )

    await eventually(recommended, "the gig recommended to E1", timeout=120)
    return {
        "cycle_id": cycle["cycle_id"],
        "assessment_id": asm,
        "short": short,
        "plan_id": plan["plan_id"],
        "gig": gig.json()["opportunity_id"],
    }


@pytest.fixture(scope="module")
async def console(
    endpoints: Endpoints, platform_topics: list[str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Console]:
    if not (IDP / "node_modules" / "oidc-provider").exists():
        pytest.fail(
            "the test identity provider is not installed: `npm ci` in services/console/tests/idp "
            "(scripts/ensure-tools does)"
        )
    chromium()
    logs = tmp_path_factory.mktemp("console")
    tenant = f"con{datetime.now(UTC).strftime('%H%M%S%f')}"
    async with platform(endpoints, logs) as p:
        facts = await _company(p, tenant)
        console_port, idp_port = free_port(), free_port()
        url = f"http://127.0.0.1:{console_port}"
        idp = f"http://127.0.0.1:{idp_port}"
        accounts = logs / "accounts.json"
        accounts.write_text(
            json.dumps(
                {
                    k: {"name": n, "tid": tenant, "roles": ["employee", *ROLES.get(k, [])]}
                    for k, (n, *_rest) in PEOPLE.items()
                }
            )
        )
        idp_log = logs / "idp.log"
        node = shutil.which("node")
        assert node, "node is needed for the test identity provider"
        idp_proc = _start(
            [node, "server.mjs"],
            {
                **os.environ,
                "PORT": str(idp_port),
                "ACCOUNTS": str(accounts),
                "REDIRECT_URI": f"{url}/auth/callback",
                "CLIENT_SECRET": CLIENT_SECRET,
            },
            idp_log,
            cwd=IDP,
        )
        env = {
            **os.environ,
            "CONSOLE_HTTP_PORT": str(console_port),
            "CONSOLE_OIDC_ISSUER": idp,
            "CONSOLE_OIDC_CLIENT_ID": "careerstream-console",
            "CONSOLE_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            **{f"CONSOLE_{n.upper()}_URL": svc.url for n, svc in p.services.items()},
        }
        log = logs / "console.log"
        proc = _start([sys.executable, "-m", "careerstream.console", "serve"], env, log)
        try:
            await _answers(f"{idp}/.well-known/openid-configuration", idp_proc, idp_log)
            await _answers(f"{url}/healthz", proc, log)
            yield Console(url, idp, tenant, p, log, facts)
        finally:
            for pr in (proc, idp_proc):
                pr.terminate()
                try:
                    pr.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pr.kill()

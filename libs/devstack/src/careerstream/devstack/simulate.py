"""`careerstream simulate --employees N --months M --seed S`: a company living on the platform.

Drives the platform only through its public interfaces: the hris gateway
(a full export, then signed Workday-style webhooks for hires, moves and
leavers), pulse surveys as canonical events on the HRIS stream, and every
service's HTTP API (a framework, assessment cycles, plans and their progress,
check-ins and conversations, postings, applications and fills). The same seed
gives the same company and the same story. It returns what it did (`Truth`),
from which the expected figures follow.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from careerstream.servicekit.auth import AuthSettings, mint_token

EXAMPLE = (
    Path(__file__).resolve().parents[5]
    / "services"
    / "frameworks"
    / "examples"
    / "typical-company.yaml"
)

# Department -> (job family, director role, manager role, IC roles from junior to senior)
DEPARTMENTS = {
    "engineering": (
        "engineering",
        "engineering.director-of-engineering",
        "engineering.engineering-manager",
        [
            "engineering.junior-developer",
            "engineering.software-engineer",
            "engineering.senior-engineer",
            "engineering.staff-engineer",
        ],
    ),
    "marketing": (
        "marketing",
        "marketing.marketing-director",
        "marketing.marketing-manager",
        [
            "marketing.marketing-coordinator",
            "marketing.marketing-specialist",
            "marketing.senior-marketing-specialist",
        ],
    ),
    "customer-success": (
        "customer-success",
        "customer-success.director-of-customer-success",
        "customer-success.customer-success-manager",
        [
            "customer-success.customer-support-rep",
            "customer-success.customer-success-specialist",
            "customer-success.senior-success-manager",
        ],
    ),
    "product": (
        "product-management",
        "product-management.senior-product-manager",
        "product-management.senior-product-manager",
        ["product-management.associate-product-manager", "product-management.product-manager"],
    ),
}
SHARES = {"engineering": 0.45, "marketing": 0.25, "customer-success": 0.2, "product": 0.1}


@dataclass
class Person:
    employee_id: str
    department: str
    role_id: str
    manager_id: str | None
    gender: str
    active: bool = True


@dataclass
class Truth:
    """What the simulation did."""

    hires: int = 0
    terminations: int = 0
    internal_fills: int = 0
    external_fills: int = 0
    promotions: int = 0
    lateral_moves: int = 0
    applications: int = 0
    assessments_completed: int = 0
    plans_approved: int = 0
    conversations: int = 0
    survey_responses: int = 0
    postings: int = 0

    @property
    def fills(self) -> int:
        return self.internal_fills + self.external_fills

    def describe(self) -> str:
        return (
            f"{self.hires} hired, {self.terminations} left; {self.postings} opportunities "
            f"posted, {self.applications} applications, {self.fills} filled "
            f"({self.internal_fills} internally: {self.promotions} promotions, "
            f"{self.lateral_moves} lateral moves; {self.external_fills} externally); "
            f"{self.assessments_completed} assessments completed, {self.plans_approved} plans "
            f"approved, {self.conversations} career conversations, "
            f"{self.survey_responses} survey responses"
        )


@dataclass
class Urls:
    frameworks: str
    assessments: str
    plans: str
    mobility: str
    metrics: str
    hris: str


@dataclass
class Simulation:
    urls: Urls
    kafka_bootstrap: str
    tenant: str = "acme"
    employees: int = 200
    months: int = 3
    seed: int = 7
    out: Callable[[str], object] = print
    people: dict[str, Person] = field(default_factory=dict)
    truth: Truth = field(default_factory=Truth)
    rnd: random.Random = field(init=False)
    _secret: str = ""
    _events: int = 0

    def __post_init__(self) -> None:
        self.rnd = random.Random(self.seed)

    # -- plumbing --------------------------------------------------------------------------

    def token(self, who: str, *roles: str) -> dict[str, str]:
        t = mint_token(
            AuthSettings(), tenant=self.tenant, subject=who, roles=list(roles or ("employee",))
        )
        return {"Authorization": f"Bearer {t}"}

    @property
    def hr(self) -> dict[str, str]:
        return self.token("HR", "hr_admin")

    async def until(
        self, check: Callable[[], Awaitable[Any]], what: str, timeout: float = 120
    ) -> Any:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = await check()
                if last:
                    return last
            except httpx.TransportError as exc:  # a service restarting
                last = exc
            await asyncio.sleep(0.5)
        raise TimeoutError(f"{what}: not within {timeout}s (last: {last!r})")

    async def call(
        self,
        c: httpx.AsyncClient,
        method: str,
        path: str,
        expect: tuple[int, ...] = (200, 201, 202),
        settle: float = 60.0,
        **kw: Any,
    ) -> httpx.Response:
        """An HTTP call that rides out a service restart (retries transport errors and 5xx) and
        projections catching up (a 404 or 403 — someone the service has not heard of yet — is
        retried for `settle` seconds).

        A write carries an Idempotency-Key, the same on every retry: a service killed after
        applying it but before answering answers the retry with what it did, instead of
        applying it twice."""
        if method.upper() != "GET":
            kw["headers"] = {**kw.get("headers", {}), "Idempotency-Key": str(uuid.uuid4())}
        deadline = time.monotonic() + max(settle, 60.0)
        settle_until = time.monotonic() + settle
        while True:
            try:
                resp = await c.request(method, path, **kw)
            except httpx.TransportError:
                resp = None
            if resp is not None and resp.status_code in expect:
                return resp
            late = (
                resp is not None
                and resp.status_code in (403, 404)
                and time.monotonic() < settle_until
            )
            retry = resp is None or resp.status_code >= 500 or late
            if not retry or time.monotonic() > deadline:
                detail = "no answer" if resp is None else f"{resp.status_code} {resp.text[:400]}"
                raise RuntimeError(f"{method} {path}: {detail}")
            await asyncio.sleep(0.5)

    def _uuid(self, what: str) -> uuid.UUID:
        """A UUID (as the envelope's schema promises) fixed by tenant, seed and count, so a
        resend after a broker restart carries the same id, and another tenant's never does."""
        return uuid.uuid5(
            uuid.NAMESPACE_URL, f"careerstream-sim:{self.tenant}:{self.seed}:{what}:{self._events}"
        )

    async def hook(
        self, c: httpx.AsyncClient, event_type: str, p: Person, extra: dict[str, Any] | None = None
    ) -> None:
        from careerstream.hris.domain.vendors import sign

        self._events += 1
        payload = {
            "eventId": f"sim-{self.seed}-{self._events}",
            "eventType": event_type,
            "effectiveDate": datetime.now(UTC).date().isoformat(),
            "worker": {
                "workerId": p.employee_id,
                "name": p.employee_id,
                "jobProfile": {"code": p.role_id, "title": p.role_id},
                "supervisorId": p.manager_id,
                "organizationId": p.department,
                "demographics": {"gender": p.gender},
            },
            **(extra or {}),
        }
        body = json.dumps(payload).encode()
        for _ in range(120):
            headers = {
                **sign("workday", self._secret, body, datetime.now(UTC)),
                "Content-Type": "application/json",
            }
            try:
                resp = await c.post(
                    f"/v1/webhooks/{self.tenant}/workday", content=body, headers=headers
                )
            except httpx.TransportError:
                await asyncio.sleep(0.5)
                continue
            if resp.status_code in (202, 409):  # 409: delivered before a restart cut the answer
                return
            if resp.status_code < 500:
                raise RuntimeError(f"webhook {event_type}: {resp.status_code} {resp.text[:300]}")
            await asyncio.sleep(0.5)
        raise RuntimeError("the gateway did not come back")

    # -- the company ---------------------------------------------------------------------------

    def _company(self) -> None:
        n = 0

        def new_id() -> str:
            nonlocal n
            n += 1
            return f"P{n:05d}"

        def gender() -> str:
            return self.rnd.choices(["f", "m", "x"], weights=[48, 48, 4])[0]

        ceo = Person(new_id(), "engineering", "engineering.director-of-engineering", None, gender())
        self.people[ceo.employee_id] = ceo
        # The departments share everyone but the CEO, exactly (largest remainders), so a
        # company of N is N people (each department at least 3: a director, a manager, one IC).
        rest = max(0, self.employees - 1)
        exact = {d: rest * share for d, share in SHARES.items()}
        sizes = {d: int(x) for d, x in exact.items()}
        for d in sorted(exact, key=lambda d: exact[d] - sizes[d], reverse=True)[
            : rest - sum(sizes.values())
        ]:
            sizes[d] += 1
        for dept in SHARES:
            _family, director_role, manager_role, ics = DEPARTMENTS[dept]
            size = max(3, sizes[dept])
            director = Person(new_id(), dept, director_role, ceo.employee_id, gender())
            self.people[director.employee_id] = director
            managers = [
                Person(new_id(), dept, manager_role, director.employee_id, gender())
                for _ in range(max(1, size // 8))
            ]
            for mgr in managers:
                self.people[mgr.employee_id] = mgr
            for _ in range(size - 1 - len(managers)):
                role = self.rnd.choices(ics, weights=[3, 4, 2, 1][: len(ics)])[0]
                p = Person(new_id(), dept, role, self.rnd.choice(managers).employee_id, gender())
                self.people[p.employee_id] = p

    def _active(self, dept: str | None = None) -> list[Person]:
        return [
            p for p in self.people.values() if p.active and (dept is None or p.department == dept)
        ]

    # -- the story -----------------------------------------------------------------------------

    async def run(self) -> Truth:
        self._company()
        async with (
            httpx.AsyncClient(base_url=self.urls.frameworks, timeout=60) as fw,
            httpx.AsyncClient(base_url=self.urls.hris, timeout=60) as hris,
            httpx.AsyncClient(base_url=self.urls.assessments, timeout=60) as asm,
            httpx.AsyncClient(base_url=self.urls.plans, timeout=60) as plans,
            httpx.AsyncClient(base_url=self.urls.mobility, timeout=60) as mob,
        ):
            self.out(
                f"simulating {len(self.people)} people of '{self.tenant}' over {self.months} month(s), seed {self.seed}"
            )
            resp = await self.call(
                fw,
                "POST",
                "/v1/frameworks/import?publish=true",
                expect=(200, 201, 409),
                content=EXAMPLE.read_bytes(),
                headers={**self.hr, "Content-Type": "application/yaml"},
            )
            self._secret = (
                await self.call(hris, "PUT", "/v1/sources/workday", headers=self.hr)
            ).json()["secret"]
            roles = {r for _, d, m, ics in DEPARTMENTS.values() for r in (d, m, *ics)}
            for role in sorted(roles):
                await self.call(
                    hris, "PUT", f"/v1/job-mappings/{role}", json={"role_id": role}, headers=self.hr
                )
            await self._onboard(hris)
            await self._wait_projections(asm, mob)
            for month in range(self.months):
                self.out(
                    f"month {month + 1}: assessments, plans, conversations, surveys, marketplace, HRIS changes"
                )
                if month % 6 == 0:
                    await self._assessment_cycle(asm)
                    await self._plans(plans)
                await self._conversations(plans)
                await self._surveys()
                await self._marketplace(mob, hris)
                await self._churn(hris)
            del resp
        self.out(f"done: {self.truth.describe()}")
        return self.truth

    async def _onboard(self, hris: httpx.AsyncClient) -> None:
        lines = ["employee_id,display_name,job_code,manager_id,department_id,group.gender"]
        for p in self.people.values():
            lines.append(
                f"{p.employee_id},{p.employee_id},{p.role_id},{p.manager_id or ''},{p.department},{p.gender}"
            )
        started = await self.call(
            hris,
            "POST",
            "/v1/imports",
            content="\n".join(lines) + "\n",
            headers={**self.hr, "Content-Type": "text/csv"},
        )
        import_id = started.json()["import_id"]

        async def finished() -> Any:
            state = (
                await self.call(hris, "GET", f"/v1/imports/{import_id}", headers=self.hr)
            ).json()
            return state if state["status"] == "done" else None

        state = await self.until(finished, "the onboarding import", timeout=600)
        self.truth.hires += state["counts"].get("hired", 0)
        self.out(f"onboarded {self.truth.hires} people through the gateway's full import")

    async def _wait_projections(self, asm: httpx.AsyncClient, mob: httpx.AsyncClient) -> None:
        last = max(self.people)

        async def known() -> bool:
            a = await asm.get(f"/v1/employees/{last}/gaps", headers=self.hr)
            m = await mob.get(f"/v1/employees/{last}/aspirations", headers=self.hr)
            return a.status_code == 200 and bool(a.json()["analyses"]) and m.status_code == 200

        await self.until(known, "the services know everyone", timeout=600)

    async def _assessment_cycle(self, asm: httpx.AsyncClient) -> None:
        deadline = (datetime.now(UTC) + timedelta(days=21)).isoformat()
        cycle = (
            await self.call(
                asm,
                "POST",
                "/v1/cycles",
                json={"name": f"sim cycle {self.seed}", "deadline": deadline},
                headers=self.hr,
            )
        ).json()
        rows = (
            await self.call(
                asm, "GET", f"/v1/assessments?cycle_id={cycle['cycle_id']}", headers=self.hr
            )
        ).json()
        for row in sorted(rows, key=lambda r: r["employee_id"]):
            person = self.people.get(row["employee_id"])
            if person is None or person.manager_id is None or self.rnd.random() < 0.1:
                continue  # nobody rates these: they expire at the close
            detail = (
                await self.call(
                    asm, "GET", f"/v1/assessments/{row['assessment_id']}", headers=self.hr
                )
            ).json()
            low, high = detail["scale"]
            levels = {
                c: max(low, min(high, r + self.rnd.choice([-1, 0, 0, 1])))
                for c, r in detail["required"].items()
            }
            for who in (person.employee_id, person.manager_id):
                ratings = {
                    "ratings": [
                        {"competency_id": c, "level": lv} for c, lv in sorted(levels.items())
                    ]
                }
                await self.call(
                    asm,
                    "POST",
                    f"/v1/assessments/{row['assessment_id']}/submissions",
                    expect=(201, 409),
                    json=ratings,
                    headers=self.token(who),
                )
            self.truth.assessments_completed += 1
        await self.call(asm, "POST", f"/v1/cycles/{cycle['cycle_id']}/close", headers=self.hr)

    async def _plans(self, plans: httpx.AsyncClient) -> None:
        async def settled() -> Any:
            first = (await self.call(plans, "GET", "/v1/plans/summary", headers=self.hr)).json()
            await asyncio.sleep(2.0)
            second = (await self.call(plans, "GET", "/v1/plans/summary", headers=self.hr)).json()
            return second if first == second and second["plans"] else None

        await self.until(settled, "plans drafted from the gaps", timeout=300)
        drafts = (await self.call(plans, "GET", "/v1/plans?status=draft", headers=self.hr)).json()
        for plan in sorted(drafts, key=lambda x: x["employee_id"]):
            person = self.people.get(plan["employee_id"])
            if (
                person is None
                or not person.active
                or person.manager_id is None
                or self.rnd.random() < 0.2
            ):
                continue
            await self.call(
                plans,
                "POST",
                f"/v1/plans/{plan['plan_id']}/approve",
                expect=(200, 409),
                headers=self.token(person.manager_id),
            )
            self.truth.plans_approved += 1
            detail = (
                await self.call(
                    plans,
                    "GET",
                    f"/v1/plans/{plan['plan_id']}",
                    headers=self.token(person.employee_id),
                )
            ).json()
            for goal in detail["goals"]:
                if self.rnd.random() < 0.6:
                    await self.call(
                        plans,
                        "POST",
                        f"/v1/goals/{goal['goal_id']}/progress",
                        json={"progress": self.rnd.choice([25, 50, 75])},
                        headers=self.token(person.employee_id),
                    )
                if self.rnd.random() < 0.3:
                    await self.call(
                        plans,
                        "POST",
                        f"/v1/goals/{goal['goal_id']}/complete",
                        expect=(200, 409),
                        json={"outcome": "achieved"},
                        headers=self.token(person.employee_id),
                    )
            if self.rnd.random() < 0.5:
                await self.call(
                    plans,
                    "POST",
                    f"/v1/plans/{plan['plan_id']}/checkins",
                    expect=(201, 409),
                    json={"notes": "on track", "progress_rating": self.rnd.randint(2, 5)},
                    headers=self.token(person.manager_id),
                )

    async def _conversations(self, plans: httpx.AsyncClient) -> None:
        for p in sorted(self._active(), key=lambda x: x.employee_id):
            if p.manager_id is None or self.rnd.random() > 0.3:
                continue
            body = {
                "employee_id": p.employee_id,
                "kind": "career",
                "held_at": datetime.now(UTC).isoformat(),
                "notes": "where next?",
                "follow_ups": ["pick a stretch assignment"],
            }
            await self.call(
                plans, "POST", "/v1/conversations", json=body, headers=self.token(p.manager_id)
            )
            self.truth.conversations += 1

    async def _surveys(self) -> None:
        from aiokafka import AIOKafkaProducer
        from aiokafka.errors import KafkaError

        from careerstream.contracts.envelope import encode, make_event
        from careerstream.contracts.events.hris import SurveyAnswer, SurveyResponded, SurveyTopic

        managers = {p.manager_id for p in self._active() if p.manager_id}
        events = []
        for p in sorted(self._active(), key=lambda x: x.employee_id):
            if self.rnd.random() > 0.6:
                continue
            answers = [
                SurveyAnswer(
                    question_id="growth",
                    topic=SurveyTopic.GROWTH,
                    score=self.rnd.randint(1, 5),
                    scale_max=5,
                )
            ]
            if p.employee_id in managers:
                answers.append(
                    SurveyAnswer(
                        question_id="confidence",
                        topic=SurveyTopic.MANAGER_CONFIDENCE,
                        score=self.rnd.randint(1, 5),
                        scale_max=5,
                    )
                )
            self._events += 1
            payload = SurveyResponded(
                response_id=str(self._uuid("survey")),
                survey_id=f"pulse-{self.seed}",
                employee_id=p.employee_id,
                responded_at=datetime.now(UTC),
                answers=answers,
            )
            event = make_event(
                payload,
                tenant_id=self.tenant,
                source="/careerstream/hris",
                event_id=str(self._uuid("event")),
            )
            events.append((payload.topic, event))
        # The broker may be restarting: keep trying (the fixed event ids make a resend harmless).
        deadline = time.monotonic() + 120
        while True:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.kafka_bootstrap, acks="all", enable_idempotence=True
            )
            try:
                await producer.start()
                for topic, event in events:
                    await producer.send_and_wait(topic, encode(event), key=event.key.encode())
                break
            except KafkaError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1.0)
            finally:
                await producer.stop()
        self.truth.survey_responses += len(events)

    async def _marketplace(self, mob: httpx.AsyncClient, hris: httpx.AsyncClient) -> None:
        for dept in sorted(DEPARTMENTS):
            _family, _, manager_role, ics = DEPARTMENTS[dept]
            managers = [p for p in self._active(dept) if p.role_id == manager_role]
            if not managers or self.rnd.random() < 0.3:
                continue
            hiring = self.rnd.choice(managers)
            target_role = self.rnd.choice(ics[1:])
            posted = await self.call(
                mob,
                "POST",
                "/v1/opportunities",
                json={"kind": "role", "title": f"{target_role} ({dept})", "role_id": target_role},
                headers=self.token(hiring.employee_id, "manager"),
            )
            oid = posted.json()["opportunity_id"]
            self.truth.postings += 1
            pool = sorted(
                (
                    p
                    for p in self._active()
                    if p.role_id in ics
                    and p.role_id != target_role
                    and p.employee_id != hiring.employee_id
                ),
                key=lambda x: x.employee_id,
            )
            applicants = self.rnd.sample(pool, min(3, len(pool)))
            apps = {}
            for a in applicants:
                resp = await self.call(
                    mob,
                    "POST",
                    f"/v1/opportunities/{oid}/applications",
                    expect=(201, 409),
                    headers=self.token(a.employee_id),
                )
                if resp.status_code == 201:
                    apps[a.employee_id] = resp.json()["application_id"]
                    self.truth.applications += 1
            if apps and self.rnd.random() < 0.75:
                chosen = self.rnd.choice(sorted(apps))
                filled = (
                    await self.call(
                        mob,
                        "POST",
                        f"/v1/opportunities/{oid}/select",
                        json={"application_id": apps[chosen]},
                        headers=self.token(hiring.employee_id, "manager"),
                    )
                ).json()
                self.truth.internal_fills += 1
                if filled["move_kind"] == "promotion":
                    self.truth.promotions += 1
                elif filled["move_kind"] == "lateral":
                    self.truth.lateral_moves += 1
                mover = self.people[chosen]
                mover.role_id = target_role
                mover.department = dept
                mover.manager_id = hiring.employee_id
                await self.hook(hris, "Job_Change", mover)
            else:
                await self.call(
                    mob,
                    "POST",
                    f"/v1/opportunities/{oid}/fill-external",
                    headers=self.token(hiring.employee_id, "manager"),
                )
                self.truth.external_fills += 1

    async def _churn(self, hris: httpx.AsyncClient) -> None:
        everyone = sorted(self._active(), key=lambda x: x.employee_id)
        managers = {p.manager_id for p in everyone}
        leavers = [
            p for p in everyone if p.employee_id not in managers and self.rnd.random() < 0.01
        ]
        for p in leavers:
            p.active = False
            await self.hook(
                hris,
                "Termination",
                p,
                {"termination": {"voluntary": self.rnd.random() < 0.7, "reason": "moved on"}},
            )
            self.truth.terminations += 1
        for _ in range(max(1, len(everyone) // 100)):
            dept = self.rnd.choice(sorted(DEPARTMENTS))
            _family, _, manager_role, ics = DEPARTMENTS[dept]
            managers_here = [p for p in self._active(dept) if p.role_id == manager_role]
            if not managers_here:
                continue
            new = Person(
                f"P{len(self.people) + 1:05d}",
                dept,
                ics[0],
                self.rnd.choice(managers_here).employee_id,
                self.rnd.choice(["f", "m"]),
            )
            self.people[new.employee_id] = new
            await self.hook(hris, "Hire", new)
            self.truth.hires += 1


async def metrics_summary(urls: Urls, tenant: str) -> str:
    """A few lines of the tenant's metrics, for the terminal."""
    token = mint_token(AuthSettings(), tenant=tenant, subject="HR", roles=["hr_admin"])
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=urls.metrics, headers=headers, timeout=30) as c:
        mob = (await c.get("/v1/metrics/mobility")).json()
        dev = (await c.get("/v1/metrics/development")).json()
        eng = (await c.get("/v1/metrics/engagement")).json()
    if mob.get("suppressed"):
        return f"metrics      tenant {tenant}: no figures yet ({mob.get('reason')})"

    def pct(v: Any) -> str:
        return "-" if v is None else f"{100 * v:.0f}%"

    def num(v: Any) -> str:
        return "-" if v is None else f"{v:.2f}"

    def days(v: Any) -> str:
        return "-" if v is None else f"{v:.0f} days"

    return "\n".join(
        [
            f"metrics      tenant {tenant}, last 12 months ({urls.metrics}/v1/metrics/..., as hr_admin):",
            f"             headcount {mob['headcount']}, fills {mob['fills']}, internal hire rate {pct(mob['internal_hire_rate'])}, "
            f"promotion rate {pct(mob['promotion_rate'])}, lateral move rate {pct(mob['lateral_move_rate'])}",
            f"             time to fill (median): internal {days(mob['time_to_fill_internal_median_days'])}, external {days(mob['time_to_fill_external_median_days'])}",
            f"             active plans {pct(dev.get('active_plan_share'))}, goal completion {pct(dev.get('goal_completion_rate'))}, "
            f"career conversations {eng.get('conversations', 0)} "
            f"({num(eng.get('conversations_per_employee'))} per employee)",
        ]
    )


def urls_from_stack() -> tuple[Urls, str]:
    from careerstream.devstack.config import StackConfig
    from careerstream.devstack.stack import service_port

    cfg = StackConfig.from_env()
    base = {
        s: f"http://{cfg.host}:{service_port(cfg, s)}"
        for s in ("frameworks", "assessments", "plans", "mobility", "metrics", "hris")
    }
    return Urls(**base), cfg.kafka_bootstrap


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="careerstream simulate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--employees", type=int, default=200)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tenant", default="acme")
    args = parser.parse_args(argv)
    urls, bootstrap = urls_from_stack()
    sim = Simulation(
        urls,
        bootstrap,
        tenant=args.tenant,
        employees=args.employees,
        months=args.months,
        seed=args.seed,
    )
    truth = asyncio.run(sim.run())
    print(asyncio.run(metrics_when_caught_up(urls, args.tenant, truth)))
    return 0


async def metrics_when_caught_up(
    urls: Urls, tenant: str, truth: Truth, timeout: float = 120
) -> str:
    """The tenant's metrics summary, once the metrics service has seen every fill."""
    token = mint_token(AuthSettings(), tenant=tenant, subject="HR", roles=["hr_admin"])
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(
        base_url=urls.metrics, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as c:
        while time.monotonic() < deadline:
            mob = (await c.get("/v1/metrics/mobility")).json()
            if mob.get("fills", -1) >= truth.fills:
                break
            await asyncio.sleep(0.5)
    return await metrics_summary(urls, tenant)

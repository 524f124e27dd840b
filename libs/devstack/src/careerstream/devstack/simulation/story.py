"""The story of the simulated company, month by month (see `careerstream simulate`)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from careerstream.devstack.sample import esco_zip
from careerstream.devstack.simulation.client import PlatformClient, Urls
from careerstream.devstack.simulation.company import (
    DEPARTMENTS,
    EXAMPLE,
    MONTH_DAYS,
    TEMPLATED,
    Person,
    Truth,
    action_works,
    build_company,
)


@dataclass
class Simulation(PlatformClient):
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
    actions_rnd: random.Random = field(init=False)
    """Which actions people do and whether they work: drawn apart from `rnd`, so the rest of
    the story is what it was before actions were simulated."""
    _secret: str = ""
    _events: int = 0
    _heads: dict[str, str] = field(default_factory=dict)
    business_time: bool = True
    """Run the story on business time: the company starts `months` months ago and each
    month's steps happen on their own days (the services need the test clock)."""
    _start: datetime = field(init=False)
    _month: int = 0
    linked_skills: list[str] = field(default_factory=list)
    """Skills of the library the finance framework's competencies cover (postings require
    them)."""
    _moved: set[str] = field(default_factory=set)
    """People who changed role in this story: the HRIS promotes each person once at most,
    and never someone whose marketplace move may take effect later in business time."""

    def __post_init__(self) -> None:
        self.rnd = random.Random(self.seed)
        self.actions_rnd = random.Random(self.seed + 1)
        self._start = datetime.now(UTC) - timedelta(days=MONTH_DAYS * self.months + 7)

    def _on_after(self, start: datetime, days: float) -> None:
        """Business time moves to `days` after `start` (never past the wall clock)."""
        if self.business_time:
            self._clock = min(
                start + timedelta(days=days), datetime.now(UTC) - timedelta(minutes=1)
            )

    def _on(self, day: float) -> None:
        """Business time moves to `day` of the current month."""
        self._day(self._month, day)

    def _day(self, month: int, day: float) -> None:
        """Business time moves to `day` of `month` (never past the wall clock)."""
        if self.business_time:
            at = self._start + timedelta(days=MONTH_DAYS * month + day)
            self._clock = min(at, datetime.now(UTC) - timedelta(minutes=1))

    def _company(self) -> None:
        self.people.update(build_company(self.employees, self.rnd))

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
            self._day(0, 0)
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
            await self._from_templates(fw)
            self._secret = (
                await self.call(hris, "PUT", "/v1/sources/workday", headers=self.hr)
            ).json()["secret"]
            roles = {r for _, d, m, ics in DEPARTMENTS.values() for r in (d, m, *ics)}
            for role in sorted(roles):
                await self.call(
                    hris, "PUT", f"/v1/job-mappings/{role}", json={"role_id": role}, headers=self.hr
                )
            await self._org_tree(hris)
            await self._onboard(hris)
            await self._wait_projections(asm, mob)
            for month in range(self.months):
                self._month = month
                self._on(0)
                self.out(
                    f"month {month + 1}: assessments, plans, conversations, surveys, marketplace, HRIS changes"
                )
                if month % 6 == 0:
                    await self._assessment_cycle(asm)
                    await self._plans(plans)
                if month == 0:
                    await self._succession(mob)
                    await self._aspirations(mob)
                await self._conversations(plans)
                await self._surveys(hris)
                await self._marketplace(mob, hris)
                await self._churn(hris)
                await self._hris_promotions(hris)
                if month == 1:
                    await self._reorganise(hris)
            del resp
        self.out(f"done: {self.truth.describe()}")
        return self.truth

    async def _skills_library(self, fw: httpx.AsyncClient, draft: str) -> None:
        """HR imports the skills library (the sample in ESCO's layout), describes what
        'planning-analysis' means at the company in its own words, and accepts the two
        skills the platform reads in them as the competency's links."""
        imported = await self.call(
            fw,
            "POST",
            "/v1/skill-library/imports",
            params={"version": "1.2.0"},
            content=esco_zip(),
            headers={**self.hr, "Content-Type": "application/zip"},
        )
        self.out(f"skills library: {imported.json()['counts']['skill']['added']} skills added")
        suggested = (
            await self.call(
                fw,
                "POST",
                "/v1/skill-suggestions",
                json={
                    "text": "Builds the monthly forecast in spreadsheets, manages budgets of "
                    "cost centres and performs data analysis on the variances.",
                    "limit": 2,
                },
                headers=self.hr,
            )
        ).json()["items"]
        for item in suggested:
            await self.call(
                fw,
                "POST",
                f"{draft}/competencies/planning-analysis/skills",
                json={"uri": item["uri"]},
                headers=self.hr,
            )
            self.linked_skills.append(item["uri"])
        self.truth.skills_linked += len(suggested)

    async def _from_templates(self, fw: httpx.AsyncClient) -> None:
        """Finance starts from the platform's template: HR creates the draft, words one
        descriptor the company's way, publishes it, and reads how far it moved."""
        for framework_id, template_id in sorted(TEMPLATED.items()):
            created = await self.call(
                fw,
                "POST",
                "/v1/frameworks/from-template",
                expect=(201, 409),
                json={
                    "template_id": template_id,
                    "framework_id": framework_id,
                    "name": f"{template_id.title()} at {self.tenant}",
                },
                headers=self.hr,
            )
            if created.status_code == 201:  # a second run on the same tenant keeps the first
                draft = f"/v1/frameworks/{framework_id}/versions/1"
                await self.call(
                    fw,
                    "PUT",
                    f"{draft}/competencies/planning-analysis/descriptors/2",
                    json={
                        "description": "Builds the monthly forecast for a cost centre and "
                        "explains its variances to the budget holder."
                    },
                    headers=self.hr,
                )
                await self._skills_library(fw, draft)
                await self.call(fw, "POST", f"{draft}/publish", headers=self.hr)
            diff = await self.call(
                fw,
                "GET",
                f"/v1/frameworks/{framework_id}/versions/current/template-diff",
                params={"template_id": template_id},
                headers=self.hr,
            )
            changes = diff.json()["changes"]
            self.truth.template_changes += len(changes)
            self.out(
                f"framework '{framework_id}' from the '{template_id}' template: "
                f"{len(changes)} change(s) from it"
            )

    async def _org_tree(self, hris: httpx.AsyncClient) -> None:
        """The company's tree: each department under the company, headed by its director."""
        ceo = next(p for p in self.people.values() if p.manager_id is None)
        heads = {
            p.department: p.employee_id
            for p in self.people.values()
            if p.manager_id == ceo.employee_id
        }
        self._heads = heads
        lines = ["orgunit_id,name,parent_id,head_id", f"company,{self.tenant},,{ceo.employee_id}"]
        lines += [
            f"{d},{d.replace('-', ' ').title()},company,{heads.get(d, '')}" for d in DEPARTMENTS
        ]
        await self.call(
            hris,
            "PUT",
            "/v1/org-units",
            content="\n".join(lines) + "\n",
            headers={**self.hr, "Content-Type": "text/csv"},
        )

    async def _reorganise(self, hris: httpx.AsyncClient) -> None:
        """A reorganisation: marketing and customer success move under a new go-to-market
        unit; their people are re-grouped with no change to anyone's record."""
        self._on(20)
        await self.call(
            hris,
            "PUT",
            "/v1/org-units/go-to-market",
            json={"name": "Go to market", "parent_id": "company"},
            headers=self.hr,
        )
        for dept in ("marketing", "customer-success"):
            await self.call(
                hris,
                "PUT",
                f"/v1/org-units/{dept}",
                json={
                    "name": dept.replace("-", " ").title(),
                    "parent_id": "go-to-market",
                    "head_id": self._heads.get(dept),
                },
                headers=self.hr,
            )
            self.truth.org_moves += 1
        self.out("reorganised: marketing and customer success now sit under go-to-market")

    def _hire_date(self, p: Person) -> date:
        """When someone already there joined: weeks to eight years before the story (a
        company's people are not all new), the founders longest."""
        years = 10.0 if p.manager_id is None else self.rnd.triangular(0.1, 8.0, 1.5)
        return (self._start - timedelta(days=365 * years)).date()

    async def _onboard(self, hris: httpx.AsyncClient) -> None:
        lines = [
            "employee_id,display_name,job_code,manager_id,department_id,work_email,group.gender,"
            "performance,location,hire_date"
        ]
        for p in self.people.values():
            email = f"{p.employee_id.lower()}@{self.tenant}.example"
            lines.append(
                f"{p.employee_id},{p.employee_id},{p.role_id},{p.manager_id or ''},{p.department},"
                f"{email},{p.gender},{self.rnd.choices([1, 2, 3, 4, 5], [5, 15, 50, 22, 8])[0]},"
                f"{p.location},{self._hire_date(p).isoformat()}"
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
        self._on(1)
        deadline = (self.business_now() + timedelta(days=21)).isoformat()
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
        for i, row in enumerate(sorted(rows, key=lambda r: r["employee_id"])):
            self._on(3 + 9 * i / max(1, len(rows)))  # ratings come in over nine days
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
        self._on(14)
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
            self._on(self.rnd.uniform(15, 19))  # managers approve over a few days
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
            approved = self.business_now()
            for goal in detail["goals"]:
                self._on_after(approved, self.rnd.uniform(7, 20))
                if self.rnd.random() < 0.6:
                    await self.call(
                        plans,
                        "POST",
                        f"/v1/goals/{goal['goal_id']}/progress",
                        expect=(200, 409),  # closed already: its gap closed in a later cycle
                        json={"progress": self.rnd.choice([25, 50, 75])},
                        headers=self.token(person.employee_id),
                    )
                if self.rnd.random() < 0.4:
                    # Weeks to close a gap: the person does one action, and whether the gap
                    # closes depends on how well that kind of action works for the
                    # competency (`action_works`); otherwise the goal is dropped.
                    kind = await self._work_on(plans, person, goal)
                    self._on_after(approved, self.rnd.uniform(21, 60))
                    closes = kind is not None and self.actions_rnd.random() < action_works(
                        kind, goal["competency_id"]
                    )
                    await self.call(
                        plans,
                        "POST",
                        f"/v1/goals/{goal['goal_id']}/complete",
                        expect=(200, 409),
                        json={"outcome": "achieved" if closes else "dropped"},
                        headers=self.token(person.employee_id),
                    )
            if self.rnd.random() < 0.5:
                self._on_after(approved, 14)
                await self.call(
                    plans,
                    "POST",
                    f"/v1/plans/{plan['plan_id']}/checkins",
                    expect=(201, 409),
                    json={"notes": "on track", "progress_rating": self.rnd.randint(2, 5)},
                    headers=self.token(person.manager_id),
                )

    async def _work_on(
        self, plans: httpx.AsyncClient, person: Person, goal: dict[str, Any]
    ) -> str | None:
        """The action a person does for a goal: mostly the first one their plan suggested,
        sometimes another suggestion they pick themselves (which is how the company learns
        what else works). Its kind, or None when there was nothing to do."""
        me = self.token(person.employee_id)
        actions = goal.get("actions") or []
        if actions and self.actions_rnd.random() < 0.7:
            action = actions[0]
            kind = str(action["kind"])
            action_id = action["action_id"]
        else:
            suggested = (
                await self.call(
                    plans,
                    "GET",
                    f"/v1/goals/{goal['goal_id']}/suggestions",
                    expect=(200, 404),
                    headers=me,
                )
            ).json()
            if not isinstance(suggested, list) or not suggested:
                return None
            entry = self.actions_rnd.choice(suggested)
            added = await self.call(
                plans,
                "POST",
                f"/v1/goals/{goal['goal_id']}/actions",
                expect=(201, 409),
                json={
                    "kind": entry["kind"],
                    "title": entry["title"],
                    "owner_id": person.employee_id,
                    # Checked against today's date, not business time.
                    "target_date": (datetime.now(UTC) + timedelta(days=60)).date().isoformat(),
                    "entry_id": entry["entry_id"],
                },
                headers=me,
            )
            if added.status_code != 201:
                return None
            kind, action_id = str(entry["kind"]), added.json()["action_id"]
        done = await self.call(
            plans,
            "POST",
            f"/v1/actions/{action_id}/status",
            expect=(200, 409),
            json={"status": "done"},
            headers=me,
        )
        return kind if done.status_code == 200 else None

    async def _succession(self, mob: httpx.AsyncClient) -> None:
        """HR marks each department's manager role critical; its director nominates one or two
        people of their line, with their own judgement of readiness."""
        self._on(20)
        for dept in sorted(DEPARTMENTS):
            _family, _, manager_role, ics = DEPARTMENTS[dept]
            await self.call(
                mob,
                "PUT",
                f"/v1/critical-roles/{manager_role}",
                json={"reason": f"every {dept} team needs one"},
                headers=self.hr,
            )
            self.truth.critical_roles += 1
            director = self._heads.get(dept)
            pool = sorted(
                (p for p in self._active(dept) if p.role_id in ics[1:]),
                key=lambda x: x.employee_id,
            )
            if director is None or not pool:
                continue
            for p in self.rnd.sample(pool, min(2, len(pool))):
                await self.call(
                    mob,
                    "PUT",
                    f"/v1/critical-roles/{manager_role}/nominations/{p.employee_id}",
                    json={"readiness": self.rnd.choice(["ready_now", "ready_1_2_years", "later"])},
                    headers=self.token(director, "manager"),
                )
                self.truth.nominations += 1

    async def _aspirations(self, mob: httpx.AsyncClient) -> None:
        """About one individual contributor in four says where they want to go: the next role
        up, often projects, sometimes a move to another office; most let hiring managers
        outside their line approach them."""
        self._on(22)
        for dept in sorted(DEPARTMENTS):
            ics = DEPARTMENTS[dept][3]
            for p in sorted(self._active(dept), key=lambda x: x.employee_id):
                if p.role_id not in ics[:-1] or self.rnd.random() > 0.25:
                    continue
                await self.call(
                    mob,
                    "PUT",
                    f"/v1/employees/{p.employee_id}/aspirations",
                    expect=(200, 204),
                    json={
                        "target_role_ids": [ics[ics.index(p.role_id) + 1]],
                        "open_to_projects": self.rnd.random() < 0.5,
                        "willing_to_relocate": self.rnd.random() < 0.3,
                        "open_to_approach": self.rnd.random() < 0.7,
                    },
                    headers=self.token(p.employee_id),
                )
                self.truth.aspirations += 1

    async def _conversations(self, plans: httpx.AsyncClient) -> None:
        for p in sorted(self._active(), key=lambda x: x.employee_id):
            if p.manager_id is None or self.rnd.random() > 0.3:
                continue
            self._on(self.rnd.uniform(2, 27))
            body = {
                "employee_id": p.employee_id,
                "kind": "career",
                "held_at": self.business_now().isoformat(),
                "notes": "where next?",
                "follow_ups": ["pick a stretch assignment"],
            }
            await self.call(
                plans, "POST", "/v1/conversations", json=body, headers=self.token(p.manager_id)
            )
            self.truth.conversations += 1

    async def _surveys(self, hris: httpx.AsyncClient) -> None:
        """A monthly pulse run by the platform (the gateway's pulse surveys): growth for
        everyone, confidence in career conversations for managers; about 60% answer."""
        self._on(18)
        now = self.business_now()
        window = {
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(days=14)).isoformat(),
        }

        async def pulse(name: str, question: dict[str, str], audience: str) -> str:
            made = await self.call(
                hris,
                "POST",
                "/v1/surveys",
                expect=(201,),
                json={
                    "name": name,
                    "questions": [question],
                    "audience": {"kind": audience},
                    **window,
                },
                headers=self.hr,
            )
            return str(made.json()["survey_id"])

        growth = await pulse(
            "Growth pulse",
            {"question_id": "growth", "text": "I see a future for myself here", "topic": "growth"},
            "all",
        )
        confidence = await pulse(
            "Managers' pulse",
            {
                "question_id": "confidence",
                "text": "I feel confident holding career conversations",
                "topic": "manager_confidence",
            },
            "managers",
        )
        managers = {p.manager_id for p in self._active() if p.manager_id}
        for p in sorted(self._active(), key=lambda x: x.employee_id):
            if self.rnd.random() > 0.6:
                continue
            self._on(self.rnd.uniform(18, 25))
            me = self.token(p.employee_id)
            await self.call(
                hris,
                "POST",
                f"/v1/surveys/{growth}/responses",
                expect=(201,),
                json={"answers": {"growth": self.rnd.randint(1, 5)}},
                headers=me,
            )
            self.truth.survey_responses += 1
            if p.employee_id in managers:
                await self.call(
                    hris,
                    "POST",
                    f"/v1/surveys/{confidence}/responses",
                    expect=(201,),
                    json={"answers": {"confidence": self.rnd.randint(1, 5)}},
                    headers=me,
                )
                self.truth.survey_responses += 1

    async def _marketplace(self, mob: httpx.AsyncClient, hris: httpx.AsyncClient) -> None:
        for dept in sorted(DEPARTMENTS):
            _family, _, manager_role, ics = DEPARTMENTS[dept]
            managers = [p for p in self._active(dept) if p.role_id == manager_role]
            if not managers or self.rnd.random() < 0.3:
                continue
            hiring = self.rnd.choice(managers)
            target_role = self.rnd.choice(ics[1:])
            self._on(self.rnd.uniform(1, 10))
            posted_on = self.business_now()
            remote = self.rnd.random() < 0.3  # otherwise in the hiring manager's office
            posting: dict[str, Any] = {
                "kind": "role",
                "title": f"{target_role} ({dept})",
                "role_id": target_role,
                "location": hiring.location,
                "remote": remote,
            }
            if dept in TEMPLATED and self.linked_skills:
                # Finance asks for a library skill too, met through 'planning-analysis'.
                posting["required_skills"] = {self.linked_skills[0]: 2}
                self.truth.postings_with_skills += 1
            posted = await self.call(
                mob,
                "POST",
                "/v1/opportunities",
                json=posting,
                headers=self.token(hiring.employee_id, "manager"),
            )
            oid = posted.json()["opportunity_id"]
            self.truth.postings += 1
            pool = sorted(
                (
                    p
                    for p in self._active(dept)
                    if p.role_id in ics
                    and p.role_id != target_role
                    and p.employee_id != hiring.employee_id
                ),
                key=lambda x: x.employee_id,
            )
            # Someone from another family at the same step of their ladder often tries too:
            # chosen, theirs is a lateral move.
            step = ics.index(target_role)
            across = sorted(
                (
                    p
                    for p in self._active()
                    if p.department != dept
                    and p.role_id in DEPARTMENTS[p.department][3]
                    and DEPARTMENTS[p.department][3].index(p.role_id) == step
                ),
                key=lambda x: x.employee_id,
            )
            applicants = self.rnd.sample(pool, min(2, len(pool)))
            if across and self.rnd.random() < 0.6:
                applicants.append(self.rnd.choice(across))
            apps = {}
            for a in applicants:
                self._on_after(posted_on, self.rnd.uniform(2, 12))
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
            # Filled in two to nine weeks, as the seed guide's companies do.
            self._on_after(posted_on, self.rnd.uniform(14, 63))
            if apps and self.rnd.random() < 0.6:  # the rest go to an outside candidate
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
                self._moved.add(chosen)
                mover.role_id = target_role
                mover.department = dept
                mover.manager_id = hiring.employee_id
                if not remote:
                    mover.location = hiring.location
                await self.hook(hris, "Job_Change", mover)
            else:
                await self.call(
                    mob,
                    "POST",
                    f"/v1/opportunities/{oid}/fill-external",
                    headers=self.token(hiring.employee_id, "manager"),
                )
                self.truth.external_fills += 1

    async def _hris_promotions(self, hris: httpx.AsyncClient) -> None:
        """Most promotions happen outside the marketplace: each month the HRIS promotes an
        individual contributor or two a level up in their family (a role change, no posting)."""
        self._on(self.rnd.uniform(26, 29))
        everyone = sorted(self._active(), key=lambda x: x.employee_id)
        managers = {p.manager_id for p in everyone}
        done = 0
        for p in self.rnd.sample(everyone, len(everyone)):
            if done >= 2:
                break
            ics = DEPARTMENTS[p.department][3]
            if (
                p.employee_id in managers
                or p.role_id not in ics[:-1]
                or p.employee_id in self._moved
            ):
                continue
            self._moved.add(p.employee_id)
            p.role_id = ics[ics.index(p.role_id) + 1]
            await self.hook(hris, "Job_Change", p)
            self.truth.promotions += 1
            self.truth.hris_promotions += 1
            done += 1

    async def _churn(self, hris: httpx.AsyncClient) -> None:
        self._on(self.rnd.uniform(25, 29))
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

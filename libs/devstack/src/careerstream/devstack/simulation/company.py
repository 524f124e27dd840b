"""The simulated company: departments, roles and people, and what the story did (`Truth`)."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from pathlib import Path

EXAMPLE = (
    Path(__file__).resolve().parents[6]
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
    # Finance adopted the platform's template (`finance`) instead of writing its own.
    "finance": (
        "finance",
        "finance.financial-controller",
        "finance.finance-manager",
        [
            "finance.finance-associate",
            "finance.financial-analyst",
            "finance.senior-financial-analyst",
        ],
    ),
}
TEMPLATED = {"finance": "finance"}
"""Framework id -> the template it was created from (the rest come from the company's file)."""
OFFICES = {"Lisbon": 0.55, "Berlin": 0.3, "São Paulo": 0.15}
"""Where people work (the HRIS location), by share."""
MONTH_DAYS = 30

ACTION_KINDS = ("course", "stretch_assignment", "mentoring", "project", "rotation")
WORKS_BEST = 0.9
WORKS = 0.55


def action_works(kind: str, competency_id: str) -> float:
    """The hidden truth of the simulated company: the chance that doing an action of `kind`
    closes a gap in `competency_id`. One kind works best for each competency (which one is
    fixed by the competency's id), the others less well: the signal the plans service's
    evidence-ranked suggestions are there to find."""
    best = ACTION_KINDS[zlib.crc32(competency_id.encode()) % len(ACTION_KINDS)]
    return WORKS_BEST if kind == best else WORKS


"""A simulated month, in business days of the calendar."""

SHARES = {
    "engineering": 0.42,
    "marketing": 0.23,
    "customer-success": 0.2,
    "product": 0.1,
    "finance": 0.05,
}


@dataclass
class Person:
    employee_id: str
    department: str
    role_id: str
    manager_id: str | None
    gender: str
    active: bool = True
    location: str = "Lisbon"


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
    org_moves: int = 0
    critical_roles: int = 0
    hris_promotions: int = 0
    """Promotions the HRIS recorded with no posting (among `promotions`)."""
    nominations: int = 0
    aspirations: int = 0
    """People who stated aspirations (a target role, projects, relocation)."""
    template_changes: int = 0
    """How far the frameworks made from templates moved from them (changes in their diff)."""
    skills_linked: int = 0
    """Library skills HR accepted from the platform's suggestions as competency links."""
    postings_with_skills: int = 0
    """Postings that required a library skill as well as competencies."""

    @property
    def fills(self) -> int:
        return self.internal_fills + self.external_fills

    def describe(self) -> str:
        return (
            f"{self.hires} hired, {self.terminations} left; {self.postings} opportunities "
            f"posted, {self.applications} applications, {self.fills} filled "
            f"({self.internal_fills} internally, {self.external_fills} externally); "
            f"{self.promotions} promotions ({self.hris_promotions} recorded by the HRIS alone) "
            f"and {self.lateral_moves} lateral moves; "
            f"{self.assessments_completed} assessments completed, {self.plans_approved} plans "
            f"approved, {self.conversations} career conversations, "
            f"{self.survey_responses} survey responses, {self.aspirations} aspirations stated; "
            f"{self.org_moves} org units moved; "
            f"{self.critical_roles} critical roles with {self.nominations} successors nominated; "
            f"{len(TEMPLATED)} framework(s) from templates, {self.template_changes} change(s) "
            f"made to them; {self.skills_linked} library skills linked from suggestions, "
            f"{self.postings_with_skills} postings requiring one"
        )


def build_company(employees: int, rnd: random.Random) -> dict[str, Person]:
    """A company of exactly `employees` people: a CEO, and per department a director, managers
    (one per eight) and individual contributors, by `rnd` (the same seed, the same company)."""
    people: dict[str, Person] = {}
    n = 0

    def new_id() -> str:
        nonlocal n
        n += 1
        return f"P{n:05d}"

    def gender() -> str:
        return rnd.choices(["f", "m", "x"], weights=[48, 48, 4])[0]

    ceo = Person(new_id(), "engineering", "engineering.director-of-engineering", None, gender())
    people[ceo.employee_id] = ceo
    # The departments share everyone but the CEO, exactly (largest remainders), so a
    # company of N is N people (each department at least 3: a director, a manager, one IC).
    rest = max(0, employees - 1)
    exact = {d: rest * share for d, share in SHARES.items()}
    sizes = {d: int(x) for d, x in exact.items()}
    for d in sorted(exact, key=lambda d: exact[d] - sizes[d], reverse=True)[
        : rest - sum(sizes.values())
    ]:
        sizes[d] += 1
    # A small department still gets its three; the largest give them up, so the total holds
    # (a company smaller than three per department is as small as it can be).
    sizes = {d: max(3, n) for d, n in sizes.items()}
    while sum(sizes.values()) > rest:
        largest = max(sizes, key=lambda d: (sizes[d], d))
        if sizes[largest] <= 3:
            break
        sizes[largest] -= 1
    for dept in SHARES:
        _family, director_role, manager_role, ics = DEPARTMENTS[dept]
        size = sizes[dept]
        director = Person(new_id(), dept, director_role, ceo.employee_id, gender())
        people[director.employee_id] = director
        managers = [
            Person(new_id(), dept, manager_role, director.employee_id, gender())
            for _ in range(max(1, size // 8))
        ]
        for mgr in managers:
            people[mgr.employee_id] = mgr
        for _ in range(size - 1 - len(managers)):
            role = rnd.choices(ics, weights=[3, 4, 2, 1][: len(ics)])[0]
            p = Person(new_id(), dept, role, rnd.choice(managers).employee_id, gender())
            people[p.employee_id] = p
    offices, shares = list(OFFICES), list(OFFICES.values())
    for p in people.values():
        p.location = rnd.choices(offices, shares)[0]
    return people

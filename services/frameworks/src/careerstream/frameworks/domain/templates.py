"""Ready frameworks a company starts from: one job family each, publishable as they are.

Each template is written compactly (its tracks as level names in rank order, its
own competencies with a descriptor per level) and built into a `Framework` the
same way, so every one keeps the publishing rules:

- the four-step scale of the seed guide (Junior, Mid-level, Senior, Principal/Lead);
- company-wide competencies (strategic thinking, communication, technological
  fluency and AI collaboration, people leadership) and two of the family's own,
  each described at every level;
- a role per level; tracks share their first levels (a level named the same on
  two tracks at the same rank is one level on both) and branch above them;
- each role requires the company-wide competencies and the family's own at the
  level its rank reaches on the scale (rank 1 -> 1, the top rank -> 4); management
  levels require people leadership instead of technological fluency.

Marketing, engineering and customer success follow the seed guide's examples
track for track; the others follow the same pattern. A company adapts a template
once it is a draft of its own (`POST /v1/frameworks/from-template`), and
`GET /v1/frameworks/{id}/versions/{v}/template-diff` shows how far it has moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from careerstream.frameworks.domain import model as m

SCALE = m.Scale(
    steps=[
        m.ScaleStep(
            level=1,
            label="Junior",
            meaning="Learning the role; works on well-defined tasks with guidance.",
        ),
        m.ScaleStep(
            level=2, label="Mid-level", meaning="Works independently on the usual work of the role."
        ),
        m.ScaleStep(
            level=3,
            label="Senior",
            meaning="Handles ambiguous, complex work and raises the level of others.",
        ),
        m.ScaleStep(
            level=4,
            label="Principal / Lead",
            meaning="Sets direction beyond the team; shapes how the organisation works.",
        ),
    ]
)

Descriptors = tuple[str, str, str, str]


@dataclass(frozen=True)
class Comp:
    id: str
    name: str
    category: m.CompetencyCategory
    descriptors: Descriptors
    description: str = ""


COMPANY_WIDE = (
    Comp(
        "strategic-thinking",
        "Strategic thinking",
        m.CompetencyCategory.BEHAVIOURAL,
        (
            "Understands the team's goals and how their own work contributes to them.",
            "Connects their work to department objectives and prioritises accordingly.",
            "Develops strategies aligned with business goals and explains the trade-offs.",
            "Shapes organisational strategy and aligns several teams behind it.",
        ),
        "Seeing the bigger picture and acting on it.",
    ),
    Comp(
        "communication",
        "Communication",
        m.CompetencyCategory.BEHAVIOURAL,
        (
            "Communicates clearly with their team, in writing and in person.",
            "Adapts the message to the audience; writes clear proposals.",
            "Communicates complex ideas to senior audiences and persuades.",
            "Represents the organisation externally and sets the narrative.",
        ),
    ),
    Comp(
        "technological-fluency",
        "Technological fluency and AI collaboration",
        m.CompetencyCategory.TECHNOLOGICAL_FLUENCY,
        (
            "Uses the team's tools, including AI assistants, safely for everyday tasks.",
            "Automates routine work and judges when AI output needs checking.",
            "Redesigns workflows around new tools and coaches others in using them well.",
            "Sets the organisation's direction for adopting technology and AI responsibly.",
        ),
    ),
    Comp(
        "people-leadership",
        "People leadership",
        m.CompetencyCategory.LEADERSHIP,
        (
            "Helps newer colleagues find their feet and gives useful feedback.",
            "Leads a small team: sets clear expectations, holds regular one-to-ones and career conversations.",
            "Builds and develops a team of teams; grows leaders and handles hard conversations well.",
            "Shapes the organisation's leadership culture, structure and succession.",
        ),
    ),
)


@dataclass(frozen=True)
class Spec:
    id: str
    name: str
    description: str
    family: str
    tracks: tuple[tuple[str, m.TrackKind, tuple[str, ...]], ...]
    """(track name, kind, level names from rank 1 up)."""
    own: tuple[Comp, Comp]
    leads: tuple[str, ...] | None = None
    """The levels that lead people (default: the management tracks' levels above the shared ones)."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


T = m.CompetencyCategory.TECHNICAL
IC, MGMT, OTHER = m.TrackKind.IC, m.TrackKind.MANAGEMENT, m.TrackKind.OTHER

SPECS: tuple[Spec, ...] = (
    Spec(
        "engineering",
        "Engineering career framework",
        "Software engineering with an IC track to Principal Engineer and a management track to Director of Engineering, as in the seed guide.",
        "Engineering",
        (
            (
                "Individual contributor",
                IC,
                (
                    "Junior Developer",
                    "Software Engineer",
                    "Senior Engineer",
                    "Staff Engineer",
                    "Principal Engineer",
                ),
            ),
            (
                "Management",
                MGMT,
                (
                    "Junior Developer",
                    "Software Engineer",
                    "Team Lead",
                    "Engineering Manager",
                    "Director of Engineering",
                ),
            ),
        ),
        (
            Comp(
                "software-craft",
                "Software craft",
                T,
                (
                    "Writes working, tested code for well-defined tasks with review.",
                    "Delivers features end to end with sound tests, reviews others' code constructively.",
                    "Designs components others build on; raises the team's quality and delivery practices.",
                    "Makes the architectural decisions that span systems; mentors engineers across teams.",
                ),
            ),
            Comp(
                "system-design",
                "System design and operations",
                T,
                (
                    "Understands how their service fits in the system; follows runbooks.",
                    "Designs a service's data and interfaces; keeps it observable and on call.",
                    "Designs systems for scale and failure; leads incident reviews.",
                    "Sets technical direction and standards for the platform as a whole.",
                ),
            ),
        ),
    ),
    Spec(
        "product",
        "Product management career framework",
        "Product management with an IC track to Principal Product Manager and a management track to VP Product.",
        "Product Management",
        (
            (
                "Individual contributor",
                IC,
                (
                    "Associate Product Manager",
                    "Product Manager",
                    "Senior Product Manager",
                    "Principal Product Manager",
                ),
            ),
            (
                "Management",
                MGMT,
                (
                    "Associate Product Manager",
                    "Product Manager",
                    "Group Product Manager",
                    "Director of Product",
                    "VP Product",
                ),
            ),
        ),
        (
            Comp(
                "product-discovery",
                "Product discovery",
                T,
                (
                    "Runs customer interviews and experiments others planned; reports what was learnt.",
                    "Frames problems from evidence and validates solutions before building them.",
                    "Sets the discovery practice of a product area; kills ideas early and well.",
                    "Finds the company's next opportunities and the bets worth making on them.",
                ),
            ),
            Comp(
                "product-delivery",
                "Product delivery and outcomes",
                T,
                (
                    "Writes clear requirements and keeps a backlog in order with guidance.",
                    "Owns a roadmap for a team and ships outcomes measured against goals.",
                    "Aligns several teams on a product area's outcomes and trade-offs.",
                    "Sets product strategy and the measures the company steers by.",
                ),
            ),
        ),
    ),
    Spec(
        "design",
        "Design career framework",
        "Product design with an IC track to Principal Designer and a management track to Head of Design.",
        "Design",
        (
            (
                "Individual contributor",
                IC,
                (
                    "Junior Designer",
                    "Product Designer",
                    "Senior Product Designer",
                    "Staff Designer",
                    "Principal Designer",
                ),
            ),
            (
                "Management",
                MGMT,
                (
                    "Junior Designer",
                    "Product Designer",
                    "Design Lead",
                    "Design Manager",
                    "Head of Design",
                ),
            ),
        ),
        (
            Comp(
                "interaction-design",
                "Interaction and visual design",
                T,
                (
                    "Designs screens and flows within the design system with guidance.",
                    "Designs complete journeys that are usable, accessible and consistent.",
                    "Solves ambiguous, cross-product problems; evolves the design system.",
                    "Sets the design language and quality bar of the company.",
                ),
            ),
            Comp(
                "user-research",
                "User research",
                T,
                (
                    "Takes part in research sessions and synthesises notes.",
                    "Plans and runs research for their team's questions.",
                    "Chooses the right methods for a product area and spreads the insight.",
                    "Builds the company's research practice and its influence on strategy.",
                ),
            ),
        ),
    ),
    Spec(
        "marketing",
        "Marketing career framework",
        "Marketing from coordinator to CMO, with an IC track and a management track, as in the seed guide.",
        "Marketing",
        (
            (
                "Individual contributor",
                IC,
                (
                    "Marketing Coordinator",
                    "Marketing Specialist",
                    "Senior Marketing Specialist",
                    "Principal Marketer",
                ),
            ),
            (
                "Management",
                MGMT,
                (
                    "Marketing Coordinator",
                    "Marketing Manager",
                    "Senior Marketing Manager",
                    "Marketing Director",
                    "Chief Marketing Officer",
                ),
            ),
        ),
        (
            Comp(
                "campaign-execution",
                "Campaign and content execution",
                T,
                (
                    "Produces campaign assets and content to a brief, on time.",
                    "Plans and runs campaigns across channels end to end.",
                    "Designs integrated programmes and improves how campaigns are run.",
                    "Sets the marketing mix and the brand's voice across the company.",
                ),
            ),
            Comp(
                "marketing-analytics",
                "Marketing analytics",
                T,
                (
                    "Reports campaign figures from the team's dashboards.",
                    "Measures what works, runs A/B tests and acts on the results.",
                    "Builds attribution and forecasting that guide budget decisions.",
                    "Ties marketing investment to revenue and growth strategy.",
                ),
            ),
        ),
    ),
    Spec(
        "sales",
        "Sales career framework",
        "Sales from development representative to VP Sales, with an IC track to Principal Account Executive.",
        "Sales",
        (
            (
                "Individual contributor",
                IC,
                (
                    "Sales Development Representative",
                    "Account Executive",
                    "Senior Account Executive",
                    "Enterprise Account Executive",
                    "Principal Account Executive",
                ),
            ),
            (
                "Management",
                MGMT,
                (
                    "Sales Development Representative",
                    "Account Executive",
                    "Sales Team Lead",
                    "Sales Manager",
                    "Director of Sales",
                    "VP Sales",
                ),
            ),
        ),
        (
            Comp(
                "pipeline-building",
                "Pipeline building",
                T,
                (
                    "Prospects and qualifies leads to a defined playbook.",
                    "Builds their own pipeline and forecasts it accurately.",
                    "Opens new segments and accounts; coaches others on prospecting.",
                    "Designs the go-to-market motion and territory strategy.",
                ),
            ),
            Comp(
                "deal-execution",
                "Deal execution and negotiation",
                T,
                (
                    "Supports deals: demos, follow-ups and accurate records.",
                    "Runs deals from discovery to close and negotiates within guidelines.",
                    "Wins complex, multi-stakeholder deals and shapes pricing.",
                    "Sets deal strategy for the largest accounts and partnerships.",
                ),
            ),
        ),
    ),
    Spec(
        "customer-success",
        "Customer success career framework",
        "Customer success with a relationship track and a strategy track, as in the seed guide.",
        "Customer Success",
        (
            (
                "Relationship",
                OTHER,
                (
                    "Customer Support Representative",
                    "Customer Success Specialist",
                    "Senior Success Manager",
                    "Enterprise Success Manager",
                ),
            ),
            (
                "Strategy",
                OTHER,
                (
                    "Customer Support Representative",
                    "Success Analyst",
                    "Customer Success Manager",
                    "Director of Customer Success",
                ),
            ),
        ),
        (
            Comp(
                "relationship-management",
                "Relationship management",
                T,
                (
                    "Resolves customer requests kindly and correctly, escalating when needed.",
                    "Owns a book of accounts: onboarding, adoption and renewal conversations.",
                    "Manages strategic accounts and their executive relationships.",
                    "Sets how the company keeps and grows its most important customers.",
                ),
            ),
            Comp(
                "customer-insight",
                "Customer insight and growth",
                T,
                (
                    "Records what customers ask for and spots recurring problems.",
                    "Uses health data to act before customers churn.",
                    "Turns account insight into expansion plans and product feedback.",
                    "Shapes retention and growth strategy from the customer base.",
                ),
            ),
        ),
        leads=("Director of Customer Success",),
    ),
    Spec(
        "people",
        "People and HR career framework",
        "People operations and business partnering, with an IC track and a management track to Chief People Officer.",
        "People",
        (
            (
                "Individual contributor",
                IC,
                (
                    "People Coordinator",
                    "HR Generalist",
                    "HR Business Partner",
                    "Senior HR Business Partner",
                    "Principal People Partner",
                ),
            ),
            (
                "Management",
                MGMT,
                (
                    "People Coordinator",
                    "HR Generalist",
                    "People Operations Manager",
                    "Head of People",
                    "Chief People Officer",
                ),
            ),
        ),
        (
            Comp(
                "employee-lifecycle",
                "Employee lifecycle and policy",
                T,
                (
                    "Runs HR processes (onboarding, records, leave) accurately and in line with the law.",
                    "Advises managers on policy and employee relations cases.",
                    "Designs processes and policies for the whole lifecycle, fairly and lawfully.",
                    "Sets the company's people policy and its compliance across countries.",
                ),
            ),
            Comp(
                "talent-development",
                "Talent and career development",
                T,
                (
                    "Supports review cycles, training logistics and career conversations.",
                    "Partners with managers on development plans and internal moves.",
                    "Designs career paths, succession and the skills programme of an organisation.",
                    "Shapes the company's talent strategy and its culture of growth.",
                ),
            ),
        ),
    ),
    Spec(
        "finance",
        "Finance career framework",
        "Accounting and financial planning, with an IC track to Principal Financial Analyst and a management track to CFO.",
        "Finance",
        (
            (
                "Individual contributor",
                IC,
                (
                    "Finance Associate",
                    "Financial Analyst",
                    "Senior Financial Analyst",
                    "Principal Financial Analyst",
                ),
            ),
            (
                "Management",
                MGMT,
                (
                    "Finance Associate",
                    "Financial Analyst",
                    "Finance Manager",
                    "Financial Controller",
                    "Chief Financial Officer",
                ),
            ),
        ),
        (
            Comp(
                "accounting-reporting",
                "Accounting and reporting",
                T,
                (
                    "Books transactions and reconciles accounts accurately, on schedule.",
                    "Closes the books for an area and prepares statements others rely on.",
                    "Owns the close and reporting; improves controls and audit readiness.",
                    "Sets accounting policy and answers to auditors, board and regulators.",
                ),
            ),
            Comp(
                "planning-analysis",
                "Financial planning and analysis",
                T,
                (
                    "Maintains budget and forecast models with guidance.",
                    "Builds forecasts and business cases and explains variances.",
                    "Leads planning for a business unit and challenges its assumptions.",
                    "Sets the company's financial strategy, capital allocation and targets.",
                ),
            ),
        ),
    ),
)


def _required(rank: int, top: int) -> int:
    """The scale level a rank reaches: rank 1 -> 1, the top rank -> 4, evenly between."""
    if top <= 1:
        return 1
    return 1 + round((rank - 1) * 3 / (top - 1))


def build(spec: Spec) -> m.Framework:
    """The template as a framework (see the module for the pattern)."""
    family_id = _slug(spec.family)
    tracks: list[m.Track] = []
    levels: dict[str, tuple[str, int, list[str]]] = {}  # level id -> (name, rank, track ids)
    leading: set[str] = set()
    top = max(len(names) for _, _, names in spec.tracks)
    for track_name, kind, names in spec.tracks:
        track_id = "ic" if kind is IC else _slug(track_name)
        tracks.append(m.Track(id=track_id, name=track_name, kind=kind))
        for rank, name in enumerate(names, start=1):
            level_id = _slug(name)
            held = levels.setdefault(level_id, (name, rank, []))
            if held[1] != rank:
                raise ValueError(f"{spec.id}: level '{name}' at two ranks")
            held[2].append(track_id)
        if kind is MGMT and spec.leads is None:
            shared = {n for _, _, other in spec.tracks if other is not names for n in other}
            leading.update(_slug(n) for n in names if n not in shared)
    leading.update(_slug(n) for n in spec.leads or ())
    comps = [*COMPANY_WIDE, *spec.own]
    roles: list[m.Role] = []
    for level_id, (name, rank, _) in levels.items():
        need = _required(rank, top)
        wanted = ["strategic-thinking", "communication", *(c.id for c in spec.own)]
        wanted.append("people-leadership" if level_id in leading else "technological-fluency")
        roles.append(
            m.Role(
                id=f"{family_id}.{level_id}",
                family_id=family_id,
                level_id=level_id,
                title=name,
                requirements=[m.Requirement(competency_id=c, level=need) for c in wanted],
            )
        )
    return m.Framework(
        id=spec.id,
        name=spec.name,
        description=spec.description,
        scale=SCALE,
        families=[
            m.Family(
                id=family_id,
                name=spec.family,
                tracks=tracks,
                levels=[
                    m.Level(id=lid, name=n, rank=r, track_ids=t)
                    for lid, (n, r, t) in sorted(levels.items(), key=lambda kv: (kv[1][1], kv[0]))
                ],
            )
        ],
        competencies=[
            m.Competency(
                id=c.id,
                name=c.name,
                category=c.category,
                family_id=family_id if c in spec.own else None,
                description=c.description,
                descriptors=[
                    m.Descriptor(level=i, description=d) for i, d in enumerate(c.descriptors, 1)
                ],
            )
            for c in comps
        ],
        roles=sorted(roles, key=lambda r: r.id),
    )


@cache
def templates() -> dict[str, m.Framework]:
    """Every template, by id."""
    return {s.id: build(s) for s in SPECS}


def as_template(fw: m.Framework, template: m.Framework) -> m.Framework:
    """A company's framework with the template's id, name and description, so that a diff
    against the template shows only what the company changed in substance."""
    return fw.model_copy(
        update={"id": template.id, "name": template.name, "description": template.description}
    )

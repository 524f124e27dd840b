"""HTTP API of the mobility service (`/v1`): the internal marketplace.

Employees see the opportunities visible to them, their own applications and
their own match explanations; the hiring manager and hr_admin see candidates.
No employee ever sees another's profile or scores. What the caller may not see
is 404; what they may see but not do, 403.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from careerstream.contracts.events.mobility import OpportunityKind, RoleFilled, VisibilityScope
from careerstream.mobility.domain.matching import WEIGHTS, Match, is_skill
from careerstream.mobility.domain.opportunity import Posting
from careerstream.mobility.domain.succession import Readiness
from careerstream.mobility.service_layer import (
    applications,
    candidates,
    opportunities,
    succession,
)
from careerstream.servicekit.audit import note_subject
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.errors import unit as _unit
from careerstream.servicekit.types import Moment

router = APIRouter(prefix="/v1")
SkillUri = Annotated[str, Field(min_length=8, max_length=300, pattern=r"^https?://\S+$")]
"""A skill of the skills library, by URI, e.g. http://data.europa.eu/esco/skill/<uuid>."""


class Strict(BaseModel):
    model_config = {"extra": "forbid"}


class OpportunityIn(Strict):
    kind: OpportunityKind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    role_id: str | None = None
    """The framework role, for kind `role`; its requirements are the default `required`."""
    family_id: str | None = None
    required: dict[str, Annotated[int, Field(ge=0, le=10)]] | None = None
    """Competency -> level required. Competencies only: never degrees."""
    required_skills: dict[SkillUri, Annotated[int, Field(ge=1, le=10)]] | None = Field(
        default=None, max_length=50
    )
    """Skill of the skills library (its ESCO URI) -> level required, on the framework's scale.
    A person's level in a skill is their highest in the competencies that cover it."""
    time_share: int = Field(default=100, ge=1, le=100)
    """Percent of working time, e.g. 20 for a gig."""
    duration_weeks: int | None = Field(default=None, ge=1, le=260)
    department_id: str | None = None
    location: str | None = None
    remote: bool = False
    visibility: VisibilityScope = VisibilityScope.TENANT
    hiring_manager_id: str | None = None
    """Defaults to the caller; hr_admin may name another manager."""
    closes_at: Moment | None = None


class OpportunityOut(BaseModel):
    opportunity_id: str
    kind: str
    title: str
    description: str
    role_id: str | None
    family_id: str | None
    level_id: str | None
    required: dict[str, int]
    required_skills: dict[str, int] = {}
    """Skills of the library (by URI) required, with levels."""
    time_share: int
    duration_weeks: int | None
    department_id: str | None
    location: str | None
    remote: bool
    visibility: str
    hiring_manager_id: str
    status: str
    posted_at: datetime
    closes_at: datetime | None
    filled_at: datetime | None


def _opp(row: Any) -> OpportunityOut:
    values = {k: getattr(row, k) for k in OpportunityOut.model_fields if k != "required_skills"}
    both: dict[str, int] = dict(row.required)
    values["required"] = {k: v for k, v in both.items() if not is_skill(k)}
    values["required_skills"] = {k: v for k, v in both.items() if is_skill(k)}
    return OpportunityOut(**values)


@router.post(
    "/opportunities",
    status_code=201,
    tags=["opportunities"],
    summary="Post an opportunity (hr_admin, or a manager for themselves)",
)
async def post_opportunity(
    body: OpportunityIn, principal: CurrentPrincipal, uow: Uow, response: Response
) -> OpportunityOut:
    async with _unit(uow) as u:
        opp = await opportunities.post(u, principal, Posting(**body.model_dump()))
        opportunity_id, out = opp.opportunity_id, _opp(opp)
        await u.commit()
    response.headers["Location"] = f"/v1/opportunities/{opportunity_id}"
    return out


@router.get("/opportunities", tags=["opportunities"], summary="Opportunities visible to you")
async def list_opportunities(
    principal: CurrentPrincipal,
    uow: Uow,
    status: Literal["open", "filled", "closed"] | None = "open",
) -> list[OpportunityOut]:
    async with _unit(uow) as u:
        return [_opp(r) for r in await opportunities.list_visible(u, principal, status)]


@router.get("/opportunities/{opportunity_id}", tags=["opportunities"], summary="One opportunity")
async def get_opportunity(
    opportunity_id: str, principal: CurrentPrincipal, uow: Uow
) -> OpportunityOut:
    async with _unit(uow) as u:
        return _opp(await opportunities.visible(u, principal, opportunity_id))


class ContributionOut(BaseModel):
    competency_id: str
    """The competency, or for a required skill its URI (see `covered_by`)."""
    required: int
    level: int
    credit: float
    contribution: float
    missing: int
    covered_by: tuple[str, ...] = ()
    """For a skill: the competencies whose levels count for it (the highest is taken)."""


class MatchOut(BaseModel):
    employee_id: str
    score: float
    fit: float
    readiness: float
    aspiration: float
    aspiration_reason: str
    move: float
    move_kind: str | None
    location: float
    """1, or 0.5 when they work elsewhere and have not said they would relocate (a factor)."""
    location_reason: str
    competencies: list[ContributionOut]
    weights: dict[str, float] = WEIGHTS


def _match(m: Match) -> MatchOut:
    return MatchOut(
        employee_id=m.employee_id,
        score=m.score,
        fit=m.fit,
        readiness=m.readiness,
        aspiration=m.aspiration,
        aspiration_reason=m.aspiration_reason,
        move=m.move,
        move_kind=m.move_kind.value if m.move_kind else None,
        location=m.location,
        location_reason=m.location_reason,
        competencies=[ContributionOut(**c.__dict__) for c in m.competencies],
    )


class CandidateCompetencyOut(BaseModel):
    competency_id: str
    """The competency, or for a required skill its URI (see `covered_by`)."""
    covered_by: tuple[str, ...] = ()
    """For a skill: the competencies whose levels count for it."""
    required: int
    meets: bool
    level: int | None
    """null when the person is outside your line (you see only whether they meet it)."""
    credit: float | None
    contribution: float | None
    missing: int | None


class CandidateOut(BaseModel):
    employee_id: str
    detail: Literal["full", "summary"]
    """full: you may read this person (HR, or your own line); summary: meets / below only."""
    score: float | None
    fit: float | None
    readiness: float
    """Share of the requirements met."""
    aspiration: float | None
    aspiration_reason: str
    move: float
    move_kind: str | None
    location: float
    """1, or 0.5 when they work elsewhere and (as far as you may see) would not relocate."""
    location_reason: str
    competencies: list[CandidateCompetencyOut]
    application: str | None
    """Their application's status, if they applied."""
    weights: dict[str, float] = WEIGHTS


def _candidate(c: candidates.Candidate) -> CandidateOut:
    m, full = c.match, c.full
    return CandidateOut(
        employee_id=m.employee_id,
        detail="full" if full else "summary",
        score=m.score if full else None,
        fit=m.fit if full else None,
        readiness=m.readiness,
        aspiration=m.aspiration if c.aspirations_shown else None,
        aspiration_reason=m.aspiration_reason if c.aspirations_shown else "not shared",
        move=m.move,
        move_kind=m.move_kind.value if m.move_kind else None,
        location=m.location,
        # Whether they would relocate is an aspiration: not named when not shared.
        location_reason=(
            m.location_reason if c.aspirations_shown or m.location == 1 else "works elsewhere"
        ),
        competencies=[
            CandidateCompetencyOut(
                competency_id=x.competency_id,
                covered_by=x.covered_by,
                required=x.required,
                meets=x.missing == 0,
                level=x.level if full else None,
                credit=x.credit if full else None,
                contribution=x.contribution if full else None,
                missing=x.missing if full else None,
            )
            for x in m.competencies
        ],
        application=c.application,
    )


@router.get(
    "/opportunities/{opportunity_id}/candidates",
    tags=["matching"],
    summary="Internal candidates ranked by competency fit, explained (hiring manager, hr_admin)",
)
async def get_candidates(
    opportunity_id: str,
    principal: CurrentPrincipal,
    uow: Uow,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[CandidateOut]:
    async with _unit(uow) as u:
        ranked = await candidates.candidates(u, principal, opportunity_id, limit)
        await u.commit()  # the search is logged
    out = [_candidate(c) for c in ranked]
    note_subject(*(c.employee_id for c in out))  # each candidate shown is a personal read
    return out


class CandidateSearchOut(BaseModel):
    search_id: str
    opportunity_id: str
    searched_by: str
    searched_at: datetime
    as_hr: bool
    shown: int
    shown_in_full: int


@router.get(
    "/candidate-searches",
    tags=["matching"],
    summary="Who searched for candidates, newest first (hr_admin)",
)
async def candidate_searches(
    principal: HrAdmin,
    uow: Uow,
    opportunity_id: str | None = None,
    searched_by: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CandidateSearchOut]:
    async with _unit(uow) as u:
        rows = await candidates.candidate_searches_log(
            u,
            principal.tenant_id,
            opportunity_id=opportunity_id,
            searched_by=searched_by,
            limit=limit,
        )
    return [
        CandidateSearchOut(**{k: getattr(r, k) for k in CandidateSearchOut.model_fields})
        for r in rows
    ]


@router.get(
    "/opportunities/{opportunity_id}/my-match",
    tags=["matching"],
    summary="How you match this opportunity",
)
async def my_match(opportunity_id: str, principal: CurrentPrincipal, uow: Uow) -> MatchOut:
    async with _unit(uow) as u:
        return _match(await candidates.my_match(u, principal, opportunity_id))


class RecommendationOut(BaseModel):
    opportunity: OpportunityOut
    match: MatchOut


@router.get(
    "/me/recommendations",
    tags=["matching"],
    summary="Open opportunities for you, best first, explained",
)
async def recommendations(
    principal: CurrentPrincipal, uow: Uow, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[RecommendationOut]:
    async with _unit(uow) as u:
        pairs = await candidates.recommendations(u, principal, limit)
    return [RecommendationOut(opportunity=_opp(o), match=_match(m)) for o, m in pairs]


@router.get(
    "/me/reports/opportunities",
    tags=["matching"],
    summary="Your direct reports, and the opportunities that fit those who share them",
)
async def reports_opportunities(
    principal: CurrentPrincipal, uow: Uow, limit: Annotated[int, Query(ge=1, le=20)] = 3
) -> list[dict[str, Any]]:
    async with _unit(uow) as u:
        return await candidates.reports_opportunities(u, principal, limit)


class MarketplaceSettings(Strict):
    tell_manager_on_shortlist: bool = True
    """An applicant's current manager is told when they are shortlisted (they cannot block it)."""


@router.get("/marketplace-settings", tags=["settings"], summary="The tenant's marketplace settings")
async def get_settings(principal: CurrentPrincipal, uow: Uow) -> MarketplaceSettings:
    async with _unit(uow) as u:
        held = await applications.tell_manager_on_shortlist(u, principal.tenant_id)
    return MarketplaceSettings(tell_manager_on_shortlist=held)


@router.put(
    "/marketplace-settings", tags=["settings"], summary="Change the marketplace settings (hr_admin)"
)
async def put_settings(
    body: MarketplaceSettings, principal: HrAdmin, uow: Uow
) -> MarketplaceSettings:
    async with _unit(uow) as u:
        await applications.set_tell_manager_on_shortlist(
            u, principal.tenant_id, body.tell_manager_on_shortlist
        )
        await u.commit()
    return body


class AspirationsIn(Strict):
    target_role_ids: list[str] = []
    target_family_ids: list[str] = []
    open_to_projects: bool = False
    willing_to_relocate: bool = False
    open_to_approach: bool = False
    """Hiring managers outside your line may find you for their opportunities."""
    share_aspirations: bool = False
    """Hiring managers outside your line may see your aspirations when they find you."""
    share_matches_with_manager: bool = False
    """Your managers may see the open opportunities that fit you (for career conversations)."""


@router.put(
    "/employees/{employee_id}/aspirations", tags=["matching"], summary="Declare your aspirations"
)
async def put_aspirations(
    employee_id: str, body: AspirationsIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        await candidates.set_aspirations(
            u,
            principal,
            employee_id,
            body.target_role_ids,
            body.target_family_ids,
            body.open_to_projects,
            body.willing_to_relocate,
            body.open_to_approach,
            body.share_aspirations,
            body.share_matches_with_manager,
        )
        out = await candidates.aspirations(u, principal, employee_id)
        await u.commit()
    return out


@router.get(
    "/employees/{employee_id}/aspirations",
    tags=["matching"],
    summary="Someone's aspirations (self, managers, hr_admin)",
)
async def get_aspirations(
    employee_id: str, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        return await candidates.aspirations(u, principal, employee_id)


class ApplyIn(Strict):
    note: str = Field(default="", max_length=4000)


@router.post(
    "/opportunities/{opportunity_id}/applications",
    status_code=201,
    tags=["applications"],
    summary="Apply",
)
async def apply(
    opportunity_id: str, principal: CurrentPrincipal, uow: Uow, body: ApplyIn | None = None
) -> dict[str, str]:
    async with _unit(uow) as u:
        application_id = await applications.apply(
            u, principal, opportunity_id, (body or ApplyIn()).note
        )
        await u.commit()
    return {"application_id": application_id, "status": "submitted"}


class ApplicationOut(BaseModel):
    application_id: str
    opportunity_id: str
    employee_id: str
    status: str
    submitted_at: datetime


@router.get(
    "/applications",
    tags=["applications"],
    summary="Your applications, or those to opportunities you run",
)
async def list_applications(
    principal: CurrentPrincipal, uow: Uow, opportunity_id: str | None = None
) -> list[ApplicationOut]:
    async with _unit(uow) as u:
        rows = await applications.list_applications(u, principal, opportunity_id)
    return [ApplicationOut(**{k: getattr(r, k) for k in ApplicationOut.model_fields}) for r in rows]


@router.post(
    "/applications/{application_id}/withdraw",
    tags=["applications"],
    summary="Withdraw your application",
)
async def withdraw(application_id: str, principal: CurrentPrincipal, uow: Uow) -> dict[str, str]:
    async with _unit(uow) as u:
        await applications.withdraw(u, principal, application_id)
        await u.commit()
    return {"application_id": application_id, "status": "withdrawn"}


@router.post(
    "/applications/{application_id}/shortlist",
    tags=["applications"],
    summary="Shortlist a candidate",
)
async def shortlist(application_id: str, principal: CurrentPrincipal, uow: Uow) -> dict[str, str]:
    async with _unit(uow) as u:
        await applications.shortlist(u, principal, application_id)
        await u.commit()
    return {"application_id": application_id, "status": "shortlisted"}


class SelectIn(Strict):
    application_id: str


@router.post(
    "/opportunities/{opportunity_id}/select",
    tags=["applications"],
    summary="Select an applicant: the role is filled internally",
)
async def select(
    opportunity_id: str, body: SelectIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        filled: RoleFilled = await opportunities.select(
            u, principal, opportunity_id, body.application_id
        )
        await u.commit()
    return filled.model_dump(mode="json")


@router.post(
    "/opportunities/{opportunity_id}/fill-external",
    tags=["applications"],
    summary="Record an external hire",
)
async def fill_external(
    opportunity_id: str, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        filled = await opportunities.fill_externally(u, principal, opportunity_id)
        await u.commit()
    return filled.model_dump(mode="json")


class CloseIn(Strict):
    reason: str = Field(default="", max_length=2000)


@router.post(
    "/opportunities/{opportunity_id}/close", tags=["opportunities"], summary="Close without a fill"
)
async def close(
    opportunity_id: str, principal: CurrentPrincipal, uow: Uow, body: CloseIn | None = None
) -> dict[str, str]:
    async with _unit(uow) as u:
        await opportunities.close(u, principal, opportunity_id, (body or CloseIn()).reason)
        await u.commit()
    return {"opportunity_id": opportunity_id, "status": "closed"}


# -- succession ----------------------------------------------------------------------------


class CriticalRoleIn(Strict):
    reason: str = Field(default="", max_length=succession.NOTE_MAX)
    """Why the role is critical (e.g. 'single point of failure for payments')."""


@router.put(
    "/critical-roles/{role_id}",
    tags=["succession"],
    summary="Mark a published role as critical (hr_admin); again: update the reason",
)
async def put_critical_role(
    role_id: str, principal: CurrentPrincipal, uow: Uow, body: CriticalRoleIn | None = None
) -> dict[str, Any]:
    async with _unit(uow) as u:
        out = await succession.mark(u, principal, role_id, (body or CriticalRoleIn()).reason)
        await u.commit()
    return out


@router.delete(
    "/critical-roles/{role_id}",
    status_code=204,
    tags=["succession"],
    summary="The role is no longer critical (hr_admin): its nominations go",
)
async def delete_critical_role(role_id: str, principal: CurrentPrincipal, uow: Uow) -> Response:
    async with _unit(uow) as u:
        await succession.unmark(u, principal, role_id)
        await u.commit()
    return Response(status_code=204)


@router.get(
    "/critical-roles",
    tags=["succession"],
    summary="Bench strength: every critical role's successors by readiness (hr_admin)",
    description=(
        "With `department`, the critical roles held by people of that department's subtree. "
        "`coverage` is the share of critical roles with a successor ready now."
    ),
)
async def get_bench_strength(
    principal: CurrentPrincipal,
    uow: Uow,
    department: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
) -> dict[str, Any]:
    async with _unit(uow) as u:
        return await succession.bench_strength(u, principal, department)


@router.get(
    "/critical-roles/{role_id}/slate",
    tags=["succession"],
    summary="A critical role's successor slate (hr_admin; a manager sees their own line)",
)
async def get_slate(role_id: str, principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    async with _unit(uow) as u:
        out = await succession.role_slate(u, principal, role_id)
    note_subject(*(s["employee_id"] for s in out["successors"]))
    return out


class NominationIn(Strict):
    readiness: Readiness
    """ready_now, ready_1_2_years or later: the nominator's judgement."""
    note: str = Field(default="", max_length=succession.NOTE_MAX)
    """Why (kept here; never published)."""


@router.put(
    "/critical-roles/{role_id}/nominations/{employee_id}",
    tags=["succession"],
    summary="Nominate a successor (their managers, or hr_admin); again: update it",
)
async def put_nomination(
    role_id: str, employee_id: str, body: NominationIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        out = await succession.nominate(
            u, principal, role_id, employee_id, body.readiness, body.note
        )
        await u.commit()
    note_subject(employee_id)
    return out


@router.delete(
    "/critical-roles/{role_id}/nominations/{employee_id}",
    status_code=204,
    tags=["succession"],
    summary="Withdraw a nomination (their managers, or hr_admin)",
)
async def delete_nomination(
    role_id: str, employee_id: str, principal: CurrentPrincipal, uow: Uow
) -> Response:
    async with _unit(uow) as u:
        await succession.withdraw(u, principal, role_id, employee_id)
        await u.commit()
    return Response(status_code=204)


@router.get(
    "/employees/{employee_id}/nominations",
    tags=["succession"],
    summary="The critical roles someone is nominated for (their managers, hr_admin)",
)
async def get_nominations(
    employee_id: str, principal: CurrentPrincipal, uow: Uow
) -> list[dict[str, Any]]:
    async with _unit(uow) as u:
        out = await succession.my_nominations(u, principal, employee_id)
    note_subject(employee_id)
    return out


@router.get(
    "/talent-grid",
    tags=["succession"],
    summary="Performance x potential (hr_admin; a manager for their own line)",
    description=(
        "Performance is the HRIS's latest rating; potential how close calibrated levels are "
        "to the next level up in the person's family (MOBILITY.md, 'Talent grid'). People "
        "with no levels, no rating, or at the top of their family are counted, not placed."
    ),
)
async def get_talent_grid(
    principal: CurrentPrincipal,
    uow: Uow,
    department: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
) -> dict[str, Any]:
    async with _unit(uow) as u:
        out = await succession.talent_grid(u, principal, department)
    note_subject(*(e for cell in out["cells"] for e in cell["employee_ids"]))
    return out

"""HTTP API of the assessments service (`/v1`).

- hr_admin opens and closes cycles, reads everything in the tenant, calibrates;
- the employee rates themselves and reads their own assessment and results;
- a manager rates their direct reports and reads their whole reporting line;
- a peer rates only what they were asked and sees nobody else's ratings.
What the caller may not see is 404 (never 403); a caller who may see it but
not do it gets 403.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from careerstream.assessments.domain.rules import RatingIn, Rule
from careerstream.assessments.service_layer import assessing, cycles, results
from careerstream.assessments.service_layer.matrix import GroupBy, largest_gaps, skills_matrix
from careerstream.contracts.events.assessments import Population, PopulationKind
from careerstream.servicekit import errors
from careerstream.servicekit.audit import note_subject
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.errors import unit as _unit
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.types import Moment
from careerstream.servicekit.uow import UnitOfWork

router = APIRouter(prefix="/v1")


# -- cycles --------------------------------------------------------------------------------


class CycleIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=200)
    population: Population = Population(kind=PopulationKind.ALL)
    """Everyone, or some departments or job families."""
    deadline: Moment
    rule: Rule = Rule.MANAGER
    """How ratings become the calibrated level: manager (default) or weighted_mean."""
    weights: dict[str, float] = {}
    """For weighted_mean: weights of self, manager and peer (default 0.2, 0.5, 0.3)."""


class CycleOut(BaseModel):
    cycle_id: str
    name: str
    population: dict[str, Any]
    deadline: datetime
    rule: str
    weights: dict[str, float]
    status: str
    opened_at: datetime
    closed_at: datetime | None
    progress: dict[str, int]
    """Assessments by status: open, completed, cancelled, expired."""


class OpenedOut(CycleOut):
    skipped: list[dict[str, str]]
    """People of the population who could not be assessed, and why."""


async def _cycle_out(u: UnitOfWork, tenant: str, cycle_id: str) -> CycleOut:
    c, progress = await cycles.progress(u, tenant, cycle_id)
    return CycleOut(
        cycle_id=c.cycle_id,
        name=c.name,
        population=c.population.model_dump(mode="json"),
        deadline=c.deadline,
        rule=c.rule.value,
        weights=c.weights,
        status=c.status.value,
        opened_at=c.opened_at,
        closed_at=c.closed_at,
        progress=progress,
    )


@router.post("/cycles", status_code=201, tags=["cycles"], summary="Open an assessment cycle")
async def open_cycle(body: CycleIn, principal: HrAdmin, uow: Uow, response: Response) -> OpenedOut:
    async with _unit(uow) as u:
        opened = await cycles.open_cycle(
            u,
            principal,
            name=body.name,
            population=body.population,
            deadline=body.deadline,
            rule=body.rule,
            weights=body.weights,
        )
        out = await _cycle_out(u, principal.tenant_id, opened.cycle_id)
        await u.commit()
    response.headers["Location"] = f"/v1/cycles/{opened.cycle_id}"
    return OpenedOut(**out.model_dump(), skipped=opened.skipped)


@router.get("/cycles", tags=["cycles"], summary="List cycles")
async def list_cycles(principal: CurrentPrincipal, uow: Uow) -> list[CycleOut]:
    async with _unit(uow) as u:
        ids = await cycles.cycle_ids(u, principal.tenant_id)
        return [await _cycle_out(u, principal.tenant_id, i) for i in ids]


@router.get("/cycles/{cycle_id}", tags=["cycles"], summary="A cycle and its progress")
async def get_cycle(cycle_id: str, principal: CurrentPrincipal, uow: Uow) -> CycleOut:
    async with _unit(uow) as u:
        return await _cycle_out(u, principal.tenant_id, cycle_id)


class ClosedOut(CycleOut):
    closed: dict[str, int]
    """What closing did: assessments completed with the ratings they had, and expired ones."""


@router.post("/cycles/{cycle_id}/close", tags=["cycles"], summary="Close a cycle")
async def close_cycle(cycle_id: str, principal: HrAdmin, uow: Uow) -> ClosedOut:
    async with _unit(uow) as u:
        closed = await cycles.close_cycle(u, principal, cycle_id)
        out = await _cycle_out(u, principal.tenant_id, cycle_id)
        await u.commit()
    return ClosedOut(**out.model_dump(), closed=closed)


# -- assessments ---------------------------------------------------------------------------


class RatingOut(BaseModel):
    competency_id: str
    level: int
    evidence: str | None = None


class SubmissionOut(BaseModel):
    rater_id: str
    rater_kind: str
    ratings: list[RatingOut]
    submitted_at: datetime


class ResultOut(BaseModel):
    competency_id: str
    level: int
    source: Literal["rule", "calibrated"]
    reason: str | None = None


class AssessmentOut(BaseModel):
    assessment_id: str
    cycle_id: str
    employee_id: str
    role_id: str
    framework_id: str
    framework_version: int
    status: str
    required: dict[str, int]
    """The competencies to rate and the level the role requires."""
    scale: tuple[int, int]
    peers: list[str]
    your_part: str
    """How you see it: hr, manager, self or peer."""
    submitted_by: list[str]
    """Rater kinds that have submitted (a peer sees only their own)."""
    submissions: list[SubmissionOut]
    """The ratings you may see: peers see only theirs; the employee sees theirs."""
    results: list[ResultOut]
    """Calibrated levels once completed (not shown to peers)."""


async def _assessment_out(u: UnitOfWork, principal: Principal, assessment_id: str) -> AssessmentOut:
    a, part = await assessing.visible_assessment(u, principal, assessment_id)
    subs = a.submissions
    if part in ("self", "peer"):
        shown = [s for s in subs if s.rater_id == principal.subject]
    else:
        shown = subs
    kinds = sorted({s.rater_kind.value for s in shown})
    res = []
    if part != "peer" and a.status.value == "completed":
        res = sorted(a.results.values(), key=lambda r: r.competency_id)
    return AssessmentOut(
        assessment_id=a.assessment_id,
        cycle_id=a.cycle_id,
        employee_id=a.employee_id,
        role_id=a.role_id,
        framework_id=a.framework_id,
        framework_version=a.framework_version,
        status=a.status.value,
        required=a.required,
        scale=a.scale,
        peers=a.peers if part != "peer" else [principal.subject],
        your_part=part,
        submitted_by=kinds,
        submissions=[
            SubmissionOut(
                rater_id=s.rater_id,
                rater_kind=s.rater_kind.value,
                ratings=[RatingOut(**r) for r in s.ratings],
                submitted_at=s.submitted_at,
            )
            for s in shown
        ],
        results=[
            ResultOut(
                competency_id=r.competency_id, level=r.level, source=r.source.value, reason=r.reason
            )
            for r in res
        ],
    )


class AssessmentSummary(BaseModel):
    assessment_id: str
    cycle_id: str
    employee_id: str
    role_id: str
    status: str


@router.get(
    "/assessments", tags=["assessments"], summary="Assessments you take part in or may read"
)
async def list_assessments(
    principal: CurrentPrincipal,
    uow: Uow,
    cycle_id: str | None = None,
    employee_id: str | None = None,
    status: Literal["open", "completed", "cancelled", "expired"] | None = None,
) -> list[AssessmentSummary]:
    async with _unit(uow) as u:
        rows = await assessing.readable(u, principal, cycle_id, employee_id, status)
    note_subject(*(r.employee_id for r in rows))
    return [
        AssessmentSummary(
            assessment_id=r.assessment_id,
            cycle_id=r.cycle_id,
            employee_id=r.employee_id,
            role_id=r.role_id,
            status=r.status,
        )
        for r in rows
    ]


@router.get(
    "/assessments/{assessment_id}",
    tags=["assessments"],
    summary="One assessment, as you may see it",
)
async def get_assessment(
    assessment_id: str, principal: CurrentPrincipal, uow: Uow
) -> AssessmentOut:
    async with _unit(uow) as u:
        out = await _assessment_out(u, principal, assessment_id)
    note_subject(out.employee_id)
    return out


class PeersIn(BaseModel):
    model_config = {"extra": "forbid"}
    peer_ids: list[str] = Field(min_length=1, max_length=20)


@router.post("/assessments/{assessment_id}/peers", tags=["assessments"], summary="Nominate peers")
async def nominate_peers(
    assessment_id: str, body: PeersIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, list[str]]:
    async with _unit(uow) as u:
        peers = await assessing.nominate_peers(u, principal, assessment_id, body.peer_ids)
        await u.commit()
    return {"peers": peers}


class RatingInModel(BaseModel):
    model_config = {"extra": "forbid"}
    competency_id: str
    level: int = Field(ge=0, le=10)
    evidence: str | None = Field(default=None, max_length=4000)


class SubmissionIn(BaseModel):
    model_config = {"extra": "forbid"}
    ratings: list[RatingInModel] = Field(min_length=1)
    """One rating per competency the role requires."""


class SubmittedOut(BaseModel):
    rater_kind: str
    completed: bool
    """True when this submission completed the assessment."""


@router.post(
    "/assessments/{assessment_id}/submissions",
    status_code=201,
    tags=["assessments"],
    summary="Submit your ratings (as self, manager or peer: decided by who you are)",
)
async def submit(
    assessment_id: str, body: SubmissionIn, principal: CurrentPrincipal, uow: Uow
) -> SubmittedOut:
    async with _unit(uow) as u:
        kind, completed = await assessing.submit(
            u,
            principal,
            assessment_id,
            [RatingIn(r.competency_id, r.level, r.evidence) for r in body.ratings],
        )
        await u.commit()
    return SubmittedOut(rater_kind=kind.value, completed=completed)


class CalibrationIn(BaseModel):
    model_config = {"extra": "forbid"}
    competency_id: str
    level: int = Field(ge=0, le=10)
    reason: str = Field(min_length=1, max_length=2000)


@router.post(
    "/assessments/{assessment_id}/calibrations",
    tags=["assessments"],
    summary="Set a calibrated level by hand, with the reason (hr_admin)",
)
async def calibrate(
    assessment_id: str, body: CalibrationIn, principal: HrAdmin, uow: Uow
) -> AssessmentOut:
    async with _unit(uow) as u:
        await assessing.calibrate_level(
            u, principal, assessment_id, body.competency_id, body.level, body.reason
        )
        out = await _assessment_out(u, principal, assessment_id)
        await u.commit()
    return out


# -- people: target roles and gaps ---------------------------------------------------------


class TargetIn(BaseModel):
    model_config = {"extra": "forbid"}
    role_id: str | None
    """The role the employee aims for; null to clear it."""


@router.put(
    "/employees/{employee_id}/target-role",
    tags=["gaps"],
    summary="Declare the role an employee aims for (the employee, their managers or HR)",
)
async def put_target_role(
    employee_id: str, body: TargetIn, principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with _unit(uow) as u:
        analysis = await results.set_target_role(u, principal, employee_id, body.role_id)
        await u.commit()
    return {
        "employee_id": employee_id,
        "target_role_id": body.role_id,
        "readiness": analysis.readiness if analysis else None,
        "ready": analysis.ready if analysis else None,
    }


@router.get(
    "/employees/{employee_id}/gaps",
    tags=["gaps"],
    summary="Gaps against the current role, the target role and any role asked for",
)
async def get_gaps(
    employee_id: str,
    principal: CurrentPrincipal,
    uow: Uow,
    role_id: Annotated[list[str], Query(description="more roles to compare with")] = [],  # noqa: B006
) -> dict[str, Any]:
    async with _unit(uow) as u:
        return await results.gaps(u, principal, employee_id, role_id)


# -- the skills matrix ---------------------------------------------------------------------


@router.get(
    "/skills-matrix",
    tags=["skills matrix"],
    summary="Groups x competencies: level distribution, mean level and mean gap (heatmap data)",
)
async def get_matrix(
    principal: CurrentPrincipal,
    uow: Uow,
    group_by: GroupBy = GroupBy.DEPARTMENT,
    # A plain array (not "array or null"): repeated query values are read the same either
    # way, and a schema with a null branch makes generated "invalid" lists that are valid.
    group_id: Annotated[list[str], Query(description="only these groups")] = [],  # noqa: B006
    largest: Annotated[int, Query(ge=0, le=100, description="also rank the N largest gaps")] = 10,
) -> dict[str, Any]:
    async with _unit(uow) as u:
        if not principal.has(Role.HR_ADMIN):
            # Managers read the teams in their own reporting line, and nothing wider.
            if group_by is not GroupBy.TEAM or not group_id:
                raise Problem(
                    403,
                    "Forbidden",
                    "only hr_admin reads the matrix of departments, families or the tenant; "
                    "a manager asks for group_by=team&group_id=<themselves or a manager below them>",
                )
            for gid in group_id:
                if gid != principal.subject and not await assessing.manages(
                    u, principal.tenant_id, principal.subject, gid
                ):
                    raise errors.NotFound(f"no team '{gid}' in your reporting line")
        groups = await skills_matrix(u, principal.tenant_id, group_by, group_id or None)
    return {
        "group_by": group_by.value,
        "groups": [
            {
                "group_id": g,
                "competencies": [
                    c.as_dict() for c in sorted(cells.values(), key=lambda c: c.competency_id)
                ],
            }
            for g, cells in sorted(groups.items(), key=lambda kv: str(kv[0]))
        ],
        "largest_gaps": largest_gaps(groups, largest),
    }

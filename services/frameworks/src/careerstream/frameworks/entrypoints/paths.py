"""The frameworks API's career paths: next steps from a role, and a family's path graph."""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

from fastapi import APIRouter

from careerstream.frameworks.domain.paths import family_graph, next_steps
from careerstream.frameworks.entrypoints.common import SlugPath, VersionRef, sees_drafts
from careerstream.frameworks.entrypoints.schemas import (
    EdgeOut,
    GraphOut,
    GrowthOut,
    NextStepsOut,
    NodeOut,
    StepOut,
)
from careerstream.frameworks.service_layer import versions as svc
from careerstream.servicekit.deps import CurrentPrincipal, Uow
from careerstream.servicekit.errors import unit
from careerstream.servicekit.problems import Problem

router = APIRouter(prefix="/v1", tags=["frameworks"])


# -- career paths --------------------------------------------------------------------------


@router.get(
    "/frameworks/{framework_id}/versions/{version}/roles/{role_id}/next-steps",
    summary="Career paths from a role: vertical, track switches and lateral moves, with what must grow",
)
async def role_next_steps(
    framework_id: SlugPath,
    version: VersionRef,
    role_id: SlugPath,
    principal: CurrentPrincipal,
    uow: Uow,
) -> NextStepsOut:
    async with unit(uow) as u:
        info = await svc.get_version(
            u, principal.tenant_id, framework_id, version, include_drafts=sees_drafts(principal)
        )
    fw = info.document
    role = fw.role(role_id)
    if role is None:
        raise Problem(404, "Not found", f"version {info.version} has no role '{role_id}'")
    names = {c.id: c.name for c in fw.competencies}
    return NextStepsOut(
        framework_id=framework_id,
        version=info.version,
        role_id=role.id,
        title=role.title,
        steps=[
            StepOut(
                kind=s.kind.value,
                to_role_id=s.to_role_id,
                to_title=s.to_title,
                to_family_id=s.to_family_id,
                to_level_id=s.to_level_id,
                track_id=s.track_id,
                via=s.via,
                total_growth=s.total_growth,
                grow=[
                    GrowthOut(
                        competency_id=g.competency_id,
                        competency=names.get(g.competency_id, g.competency_id),
                        from_level=g.from_level,
                        to_level=g.to_level,
                        gap=g.gap,
                    )
                    for g in s.grow
                ],
                carry_over=s.carry_over,
            )
            for s in next_steps(fw, role.id)
        ],
    )


@router.get(
    "/frameworks/{framework_id}/versions/{version}/families/{family_id}/graph",
    summary="The path graph of a job family: roles as nodes, next steps as edges",
)
async def graph(
    framework_id: SlugPath,
    version: VersionRef,
    family_id: SlugPath,
    principal: CurrentPrincipal,
    uow: Uow,
) -> GraphOut:
    async with unit(uow) as u:
        info = await svc.get_version(
            u, principal.tenant_id, framework_id, version, include_drafts=sees_drafts(principal)
        )
    try:
        nodes, edges = family_graph(info.document, family_id)
    except KeyError as exc:
        raise Problem(
            404, "Not found", f"version {info.version} has no family '{family_id}'"
        ) from exc
    return GraphOut(
        framework_id=framework_id,
        version=info.version,
        family_id=family_id,
        nodes=[NodeOut(**n.__dict__) for n in nodes],
        edges=[EdgeOut(**{**e.__dict__, "kind": e.kind.value}) for e in edges],
    )

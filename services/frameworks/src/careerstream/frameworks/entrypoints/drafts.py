"""The frameworks API's item-by-item draft editing (`/v1/frameworks/{id}/versions/{draft}/…`).

Each route parses, authorises (hr_admin) and applies one operation of
`domain/editing.py` to the draft; the draft checks the result.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from careerstream.frameworks.domain import editing
from careerstream.frameworks.domain import model as m
from careerstream.frameworks.entrypoints.common import (
    Draft,
    IfMatch,
    SlugPath,
    edit,
    if_match_revision,
    resolve,
    version_out,
)
from careerstream.frameworks.entrypoints.schemas import (
    CompetencyIn,
    DescriptorIn,
    DraftedRequirementOut,
    DraftedRole,
    FamilyIn,
    FromOccupationIn,
    LateralPathIn,
    LevelIn,
    RequirementIn,
    RoleIn,
    SkillLinkIn,
    SkillRef,
    TrackIn,
    VersionWithDocument,
)
from careerstream.frameworks.service_layer import versions as svc
from careerstream.servicekit.deps import HrAdmin, Uow
from careerstream.servicekit.errors import unit

SkillUriQuery = Annotated[
    str,
    Query(
        min_length=8,
        max_length=300,
        pattern=r"^https?://\S+$",
        description="the skill's URI in the skills library, e.g. "
        "http://data.europa.eu/esco/skill/<uuid>",
    ),
]

router = APIRouter(prefix="/v1", tags=["frameworks"])


@router.put(
    "/frameworks/{framework_id}/versions/{version}/scale",
    tags=["drafts"],
    summary="Set the proficiency scale",
)
async def put_scale(
    framework_id: SlugPath,
    version: Draft,
    body: m.Scale,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    return await edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: editing.set_scale(fw, body),
        if_match,
        response,
    )


@router.put(
    "/frameworks/{framework_id}/versions/{version}/families/{family_id}",
    tags=["drafts"],
    summary="Create or rename a job family",
)
async def put_family(
    framework_id: SlugPath,
    version: Draft,
    family_id: SlugPath,
    body: FamilyIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.put_family(fw, family_id, body.name, body.description)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}/families/{family_id}",
    tags=["drafts"],
    summary="Remove a job family",
)
async def delete_family(
    framework_id: SlugPath,
    version: Draft,
    family_id: SlugPath,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    return await edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: editing.remove_family(fw, family_id),
        if_match,
        response,
    )


@router.put(
    "/frameworks/{framework_id}/versions/{version}/families/{family_id}/tracks/{track_id}",
    tags=["drafts"],
    summary="Create or change a track",
)
async def put_track(
    framework_id: SlugPath,
    version: Draft,
    family_id: SlugPath,
    track_id: SlugPath,
    body: TrackIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.put_track(fw, family_id, m.Track(id=track_id, **body.model_dump()))

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}/families/{family_id}/tracks/{track_id}",
    tags=["drafts"],
    summary="Remove a track",
)
async def delete_track(
    framework_id: SlugPath,
    version: Draft,
    family_id: SlugPath,
    track_id: SlugPath,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.remove_track(fw, family_id, track_id)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.put(
    "/frameworks/{framework_id}/versions/{version}/families/{family_id}/levels/{level_id}",
    tags=["drafts"],
    summary="Create or change a level",
)
async def put_level(
    framework_id: SlugPath,
    version: Draft,
    family_id: SlugPath,
    level_id: SlugPath,
    body: LevelIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.put_level(fw, family_id, m.Level(id=level_id, **body.model_dump()))

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}/families/{family_id}/levels/{level_id}",
    tags=["drafts"],
    summary="Remove a level",
)
async def delete_level(
    framework_id: SlugPath,
    version: Draft,
    family_id: SlugPath,
    level_id: SlugPath,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.remove_level(fw, family_id, level_id)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.put(
    "/frameworks/{framework_id}/versions/{version}/competencies/{competency_id}",
    tags=["drafts"],
    summary="Create or change a competency",
)
async def put_competency(
    framework_id: SlugPath,
    version: Draft,
    competency_id: SlugPath,
    body: CompetencyIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        fields = body.model_dump(exclude={"descriptors", "skills"})
        return editing.put_competency(fw, competency_id, fields, body.descriptors, body.skills)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}/competencies/{competency_id}",
    tags=["drafts"],
    summary="Remove a competency",
)
async def delete_competency(
    framework_id: SlugPath,
    version: Draft,
    competency_id: SlugPath,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    return await edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: editing.remove_competency(fw, competency_id),
        if_match,
        response,
    )


@router.put(
    "/frameworks/{framework_id}/versions/{version}/competencies/{competency_id}/descriptors/{level}",
    tags=["drafts"],
    summary="Describe a competency at a level",
)
async def put_descriptor(
    framework_id: SlugPath,
    version: Draft,
    competency_id: SlugPath,
    level: Annotated[int, Path(ge=0, le=10)],
    body: DescriptorIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.put_descriptor(fw, competency_id, level, body.description)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}/competencies/{competency_id}/descriptors/{level}",
    tags=["drafts"],
    summary="Remove a descriptor",
)
async def delete_descriptor(
    framework_id: SlugPath,
    version: Draft,
    competency_id: SlugPath,
    level: Annotated[int, Path(ge=0, le=10)],
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.remove_descriptor(fw, competency_id, level)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.post(
    "/frameworks/{framework_id}/versions/{version}/competencies/{competency_id}/skills",
    tags=["drafts"],
    summary="Link a competency to a skill of the skills library",
    description="The competency covers the skill: matching counts a person's level in the "
    "competency for it. The library must hold the skill; its label is filled in.",
)
async def post_skill_link(
    framework_id: SlugPath,
    version: Draft,
    competency_id: SlugPath,
    body: SkillLinkIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.link_skill(fw, competency_id, body.uri)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}/competencies/{competency_id}/skills",
    tags=["drafts"],
    summary="Unlink a skill from a competency",
)
async def delete_skill_link(
    framework_id: SlugPath,
    version: Draft,
    competency_id: SlugPath,
    uri: SkillUriQuery,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.unlink_skill(fw, competency_id, uri)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.post(
    "/frameworks/{framework_id}/versions/{version}/roles/{role_id}/from-occupation",
    tags=["drafts"],
    status_code=201,
    summary="Draft a role from an occupation's essential skills",
    description="A new role whose core competencies meet the occupation's essential skills: "
    "competencies that already cover a skill are used, and a competency is made from each "
    "other skill (linked to it, described at the required level from the scale). At most "
    "`limit` competencies, skills the framework already covers first, then skills before "
    "knowledge, the most specific first; the skills left out are listed.",
)
async def post_role_from_occupation(
    framework_id: SlugPath,
    version: Draft,
    role_id: SlugPath,
    body: FromOccupationIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> DraftedRole:
    async with unit(uow) as u:
        number = await resolve(u, principal, framework_id, version)
        info, drafted, label = await svc.draft_from_occupation(
            u,
            principal.tenant_id,
            framework_id,
            number,
            role_id,
            svc.FromOccupation(
                body.occupation_uri,
                body.family_id,
                body.level_id,
                body.title,
                body.level,
                body.limit,
            ),
            if_match=if_match_revision(if_match),
        )
        await u.commit()
    return DraftedRole(
        occupation=SkillRef(uri=body.occupation_uri, label=label),
        requirements=[
            DraftedRequirementOut(
                competency_id=r.competency_id, level=r.level, skills=r.skills, created=r.created
            )
            for r in drafted.requirements
        ],
        left_out=[SkillRef(uri=s.uri, label=s.label) for s in drafted.left_out],
        version=version_out(info, response),
    )


@router.put(
    "/frameworks/{framework_id}/versions/{version}/roles/{role_id}",
    tags=["drafts"],
    summary="Create or change a role",
)
async def put_role(
    framework_id: SlugPath,
    version: Draft,
    role_id: SlugPath,
    body: RoleIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        fields = body.model_dump(exclude={"requirements"})
        return editing.put_role(fw, role_id, fields, body.requirements)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}/roles/{role_id}",
    tags=["drafts"],
    summary="Remove a role",
)
async def delete_role(
    framework_id: SlugPath,
    version: Draft,
    role_id: SlugPath,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    return await edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: editing.remove_role(fw, role_id),
        if_match,
        response,
    )


@router.put(
    "/frameworks/{framework_id}/versions/{version}/roles/{role_id}/requirements/{competency_id}",
    tags=["drafts"],
    summary="Require a competency at a level",
)
async def put_requirement(
    framework_id: SlugPath,
    version: Draft,
    role_id: SlugPath,
    competency_id: SlugPath,
    body: RequirementIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.put_requirement(fw, role_id, competency_id, body.level)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}/roles/{role_id}/requirements/{competency_id}",
    tags=["drafts"],
    summary="Stop requiring a competency",
)
async def delete_requirement(
    framework_id: SlugPath,
    version: Draft,
    role_id: SlugPath,
    competency_id: SlugPath,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.remove_requirement(fw, role_id, competency_id)

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.put(
    "/frameworks/{framework_id}/versions/{version}/lateral-paths/{path_id}",
    tags=["drafts"],
    summary="Create or change a lateral path",
)
async def put_lateral_path(
    framework_id: SlugPath,
    version: Draft,
    path_id: SlugPath,
    body: LateralPathIn,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    def change(fw: m.Framework) -> m.Framework:
        return editing.put_lateral_path(fw, m.LateralPath(id=path_id, **body.model_dump()))

    return await edit(uow, principal, framework_id, version, change, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}/lateral-paths/{path_id}",
    tags=["drafts"],
    summary="Remove a lateral path",
)
async def delete_lateral_path(
    framework_id: SlugPath,
    version: Draft,
    path_id: SlugPath,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    return await edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: editing.remove_lateral_path(fw, path_id),
        if_match,
        response,
    )

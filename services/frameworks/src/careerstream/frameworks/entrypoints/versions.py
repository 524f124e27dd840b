"""The frameworks API's versions (`/v1/frameworks`): create, import, read, export, draft,
publish, retire, diff."""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.
import dataclasses
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request, Response

from careerstream.frameworks.adapters import files, parsing
from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.diff import diff
from careerstream.frameworks.domain.version import FrameworkVersion
from careerstream.frameworks.entrypoints.common import (
    VERSION_PATTERN,
    IfMatch,
    SlugPath,
    VersionRef,
    edit,
    if_match_revision,
    resolve,
    sees_drafts,
    version_out,
)
from careerstream.frameworks.entrypoints.schemas import (
    ChangeOut,
    DiffOut,
    FrameworkSummary,
    ImportResult,
    NewFramework,
    RetireIn,
    VersionOut,
    VersionWithDocument,
)
from careerstream.frameworks.service_layer import versions as svc
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.edge import body_limit, raw_body
from careerstream.servicekit.errors import unit
from careerstream.servicekit.problems import Problem

router = APIRouter(prefix="/v1", tags=["frameworks"])


# -- frameworks and versions ---------------------------------------------------------------


@router.get("/frameworks", summary="List the tenant's frameworks and their versions")
async def list_frameworks(principal: CurrentPrincipal, uow: Uow) -> list[FrameworkSummary]:
    async with unit(uow) as u:
        infos = await svc.list_versions(
            u, principal.tenant_id, None, include_drafts=sees_drafts(principal)
        )
    by_id: dict[str, list[FrameworkVersion]] = {}
    for info in infos:
        by_id.setdefault(info.framework_id, []).append(info)
    return [
        FrameworkSummary(
            framework_id=fid,
            name=vs[-1].name,
            current_version=max((v.version for v in vs if v.status == "published"), default=None),
            versions=[VersionOut(**v.summary()) for v in vs],
        )
        for fid, vs in sorted(by_id.items())
    ]


@router.post("/frameworks", status_code=201, summary="Create a framework (its draft version 1)")
async def create_framework(
    body: NewFramework, principal: HrAdmin, uow: Uow, response: Response
) -> VersionWithDocument:
    fw = m.Framework(id=body.id, name=body.name, description=body.description, scale=body.scale)
    async with unit(uow) as u:
        info = await svc.create_framework(u, principal.tenant_id, fw, principal.subject)
        await u.commit()
    response.headers["Location"] = f"/v1/frameworks/{fw.id}/versions/{info.version}"
    return version_out(info, response)


@router.post(
    "/frameworks/import",
    status_code=201,
    responses={
        200: {
            "model": ImportResult,
            "description": "The file is the latest version already: nothing changed",
        }
    },
    summary="Import a framework file (YAML or JSON) as the draft",
    description=(
        "Send the file as the body with Content-Type application/yaml (or text/yaml) or "
        "application/json. Every problem is reported at once, with its path and line. "
        "With ?publish=true the draft is also published."
    ),
    openapi_extra=raw_body(
        {
            "application/yaml": {"schema": {"type": "string"}},
            "text/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
        max_bytes=parsing.MAX_BYTES,
    ),
)
async def import_framework(
    request: Request,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    publish: Annotated[bool, Query(description="publish the imported draft")] = False,
    replace: Annotated[
        bool,
        Query(
            description="replace the framework's draft with the file when they differ "
            "(without it such an import is refused with 409 and the differences)"
        ),
    ] = False,
) -> ImportResult:
    # The edge has checked the media type (415) and the size (413).
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt: files.Format = "json" if ctype.endswith("json") else "yaml"
    try:
        fw = files.load(await request.body(), fmt)
    except files.FrameworkFileInvalid as exc:
        raise Problem(
            422,
            "Invalid framework file",
            str(exc),
            errors=[e.as_dict() for e in exc.errors],
        ) from exc
    async with unit(uow) as u:
        try:
            info, outcome = await svc.import_framework(
                u, principal.tenant_id, fw, principal.subject, replace=replace
            )
        except svc.DraftWouldBeReplaced as exc:
            raise Problem(
                409,
                "The draft differs from the file",
                str(exc),
                errors=[
                    {
                        "field": "query.replace",
                        "message": "send replace=true to overwrite the draft",
                        "received": False,
                    }
                ],
                draft_version=exc.draft.version,
                changes=[dataclasses.asdict(c) for c in exc.changes[:100]],
                more_changes=max(0, len(exc.changes) - 100),
            ) from exc
        if publish and info.status == "draft":
            info = await svc.publish(u, principal.tenant_id, fw.id, info.version, principal.subject)
        await u.commit()
    if outcome == "unchanged":
        response.status_code = 200
    response.headers["Location"] = f"/v1/frameworks/{fw.id}/versions/{info.version}"
    return ImportResult(**version_out(info, response).model_dump(), outcome=outcome)


@router.get("/frameworks/{framework_id}/versions", summary="List the versions of a framework")
async def list_versions(
    framework_id: SlugPath, principal: CurrentPrincipal, uow: Uow
) -> list[VersionOut]:
    async with unit(uow) as u:
        infos = await svc.list_versions(
            u, principal.tenant_id, framework_id, include_drafts=sees_drafts(principal)
        )
    if not infos:
        raise Problem(404, "Not found", f"framework '{framework_id}' does not exist")
    return [VersionOut(**i.summary()) for i in infos]


@router.get("/frameworks/{framework_id}/versions/{version}", summary="Get a version, whole")
async def get_version(
    framework_id: SlugPath,
    version: VersionRef,
    principal: CurrentPrincipal,
    uow: Uow,
    response: Response,
) -> VersionWithDocument:
    async with unit(uow) as u:
        info = await svc.get_version(
            u, principal.tenant_id, framework_id, version, include_drafts=sees_drafts(principal)
        )
    return version_out(info, response)


@router.get(
    "/frameworks/{framework_id}/versions/{version}/export",
    summary="Export a version as a framework file (YAML or JSON)",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}, "application/json": {}}}},
)
async def export_version(
    framework_id: SlugPath,
    version: VersionRef,
    principal: CurrentPrincipal,
    uow: Uow,
    format: Annotated[Literal["yaml", "json"], Query()] = "yaml",
) -> Response:
    async with unit(uow) as u:
        info = await svc.get_version(
            u, principal.tenant_id, framework_id, version, include_drafts=sees_drafts(principal)
        )
    header = (
        f"careerstream framework '{framework_id}', version {info.version} ({info.status}).\n"
        "Format: services/frameworks/FRAMEWORKS_AS_CODE.md"
    )
    text = files.dump(info.document, format, header=header)
    media = "application/json" if format == "json" else "application/yaml"
    filename = f"{framework_id}-v{info.version}.{format}"
    return Response(
        text,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/frameworks/{framework_id}/drafts",
    status_code=201,
    summary="Start a new draft from the latest version",
)
async def new_draft(
    framework_id: SlugPath, principal: HrAdmin, uow: Uow, response: Response
) -> VersionWithDocument:
    async with unit(uow) as u:
        info = await svc.new_draft(u, principal.tenant_id, framework_id, principal.subject)
        await u.commit()
    response.headers["Location"] = f"/v1/frameworks/{framework_id}/versions/{info.version}"
    return version_out(info, response)


@router.put(
    "/frameworks/{framework_id}/versions/{version}",
    summary="Replace the whole draft document",
    openapi_extra=body_limit(parsing.MAX_BYTES),
)
async def replace_draft(
    framework_id: SlugPath,
    version: VersionRef,
    document: m.Framework,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    return await edit(uow, principal, framework_id, version, lambda _: document, if_match, response)


@router.delete(
    "/frameworks/{framework_id}/versions/{version}", status_code=204, summary="Delete a draft"
)
async def delete_draft(
    framework_id: SlugPath, version: VersionRef, principal: HrAdmin, uow: Uow
) -> Response:
    async with unit(uow) as u:
        number = await resolve(u, principal, framework_id, version)
        await svc.delete_draft(u, principal.tenant_id, framework_id, number)
        await u.commit()
    return Response(status_code=204)


@router.post(
    "/frameworks/{framework_id}/versions/{version}/publish",
    summary="Publish a draft (all rules are checked; framework.published is emitted)",
)
async def publish(
    framework_id: SlugPath,
    version: VersionRef,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    if_match: IfMatch = None,
) -> VersionWithDocument:
    async with unit(uow) as u:
        number = await resolve(u, principal, framework_id, version)
        info = await svc.publish(
            u,
            principal.tenant_id,
            framework_id,
            number,
            principal.subject,
            if_match=if_match_revision(if_match),
        )
        await u.commit()
    return version_out(info, response)


@router.post(
    "/frameworks/{framework_id}/versions/{version}/retire",
    summary="Retire a published version (framework.retired is emitted)",
)
async def retire(
    framework_id: SlugPath,
    version: VersionRef,
    principal: HrAdmin,
    uow: Uow,
    response: Response,
    body: Annotated[RetireIn | None, Body()] = None,
) -> VersionWithDocument:
    async with unit(uow) as u:
        number = await resolve(u, principal, framework_id, version)
        info = await svc.retire(
            u, principal.tenant_id, framework_id, number, (body or RetireIn()).reason
        )
        await u.commit()
    return version_out(info, response)


@router.get("/frameworks/{framework_id}/diff", summary="What changed between two versions")
async def diff_versions(
    framework_id: SlugPath,
    principal: CurrentPrincipal,
    uow: Uow,
    from_: Annotated[str, Query(alias="from", pattern=VERSION_PATTERN)],
    to: Annotated[str, Query(pattern=VERSION_PATTERN)],
) -> DiffOut:
    async with unit(uow) as u:
        a = await svc.get_version(
            u, principal.tenant_id, framework_id, from_, include_drafts=sees_drafts(principal)
        )
        b = await svc.get_version(
            u, principal.tenant_id, framework_id, to, include_drafts=sees_drafts(principal)
        )
    return DiffOut(
        framework_id=framework_id,
        from_version=a.version,
        to_version=b.version,
        changes=[ChangeOut(**c.__dict__) for c in diff(a.document, b.document)],
    )

"""HTTP API of the frameworks service (`/v1`): drafts, publication, versions, diffs, career paths.

hr_admin writes and sees drafts; everyone in the tenant reads published and
retired versions; other tenants see nothing (404, never 403). `{version}` is a
number, `current` (the latest published version) or `draft`.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from careerstream.frameworks.adapters import files, parsing
from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.diff import diff
from careerstream.frameworks.domain.paths import family_graph, next_steps
from careerstream.frameworks.service_layer import versions as svc
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.edge import body_limit, raw_body
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.uow import UnitOfWork, UowFactory

router = APIRouter(prefix="/v1", tags=["frameworks"])

VERSION_PATTERN = r"^([1-9][0-9]{0,8}|current|draft)$"
"""A version number (below 2^31, as stored), 'current' or 'draft'."""
VersionRef = Annotated[
    str,
    Path(
        pattern=VERSION_PATTERN,
        description="a version number (1 to 999999999), 'current' or 'draft'",
    ),
]
IfMatch = Annotated[
    str | None,
    Header(description="the draft's revision (its ETag) you edited; 412 if it changed since"),
]
SlugPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=128)]


# -- plumbing ------------------------------------------------------------------------------


@asynccontextmanager
async def _unit(uow: UowFactory) -> AsyncIterator[UnitOfWork]:
    """A unit of work whose domain errors become problem+json responses."""
    try:
        async with uow() as u:
            yield u
    except svc.NotFound as exc:
        raise Problem(404, "Not found", str(exc)) from exc
    except svc.Conflict as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    except svc.PreconditionFailed as exc:
        raise Problem(412, "Precondition failed", str(exc)) from exc
    except svc.Invalid as exc:
        title = "Not ready to publish" if exc.publishing else "Invalid framework"
        raise Problem(
            422,
            title,
            f"{len(exc.issues)} problem(s): " + str(exc),
            errors=[i.as_dict() for i in exc.issues],
        ) from exc
    except IntegrityError as exc:
        raise Problem(
            409, "Conflict", "someone else changed this framework at the same time; try again"
        ) from exc


def _drafts(principal: Principal) -> bool:
    return principal.has(Role.HR_ADMIN)


def _if_match(value: str | None) -> int | None:
    if value is None or value == "*":
        return None
    revision = value.strip().removeprefix("W/").strip('"')
    if not revision.isascii() or not revision.isdigit() or len(revision) > 9:
        raise Problem(
            400, "Bad If-Match", f"expected a revision number (an ETag), got {value[:40]!r}"
        )
    return int(revision)


class VersionOut(BaseModel):
    framework_id: str
    version: int
    status: Literal["draft", "published", "retired"]
    name: str
    revision: int
    """Changes with every edit; send it back as If-Match to edit safely."""
    created_at: datetime
    updated_at: datetime
    created_by: str
    published_at: datetime | None
    published_by: str | None
    retired_at: datetime | None
    retired_reason: str | None


class VersionWithDocument(VersionOut):
    document: m.Framework


def _out(info: svc.VersionInfo, response: Response | None = None) -> VersionWithDocument:
    if response is not None:
        response.headers["ETag"] = f'"{info.revision}"'
    return VersionWithDocument(**info.summary(), document=info.document)


# -- frameworks and versions ---------------------------------------------------------------


class FrameworkSummary(BaseModel):
    framework_id: str
    name: str
    current_version: int | None
    """The latest published version, if any."""
    versions: list[VersionOut]


@router.get("/frameworks", summary="List the tenant's frameworks and their versions")
async def list_frameworks(principal: CurrentPrincipal, uow: Uow) -> list[FrameworkSummary]:
    async with _unit(uow) as u:
        infos = await svc.list_versions(
            u, principal.tenant_id, None, include_drafts=_drafts(principal)
        )
    by_id: dict[str, list[svc.VersionInfo]] = {}
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


class NewFramework(BaseModel):
    id: m.Slug
    name: m.Name
    description: str = ""
    scale: m.Scale = Field(default_factory=m.default_scale)
    """Defaults to a five-step scale (Foundational to Expert)."""


@router.post("/frameworks", status_code=201, summary="Create a framework (its draft version 1)")
async def create_framework(
    body: NewFramework, principal: HrAdmin, uow: Uow, response: Response
) -> VersionWithDocument:
    fw = m.Framework(id=body.id, name=body.name, description=body.description, scale=body.scale)
    async with _unit(uow) as u:
        info = await svc.create_framework(u, principal.tenant_id, fw, principal.subject)
        await u.commit()
    response.headers["Location"] = f"/v1/frameworks/{fw.id}/versions/{info.version}"
    return _out(info, response)


class ImportResult(VersionWithDocument):
    outcome: Literal["created", "new-draft", "replaced-draft", "unchanged"]
    """A new framework, a new draft of an existing one, its draft replaced, or nothing
    (`unchanged`, answered 200): the file is the latest version already."""


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
    async with _unit(uow) as u:
        info, outcome = await svc.import_framework(u, principal.tenant_id, fw, principal.subject)
        if publish and info.status == "draft":
            info = await svc.publish(u, principal.tenant_id, fw.id, info.version, principal.subject)
        await u.commit()
    if outcome == "unchanged":
        response.status_code = 200
    response.headers["Location"] = f"/v1/frameworks/{fw.id}/versions/{info.version}"
    return ImportResult(**_out(info, response).model_dump(), outcome=outcome)


@router.get("/frameworks/{framework_id}/versions", summary="List the versions of a framework")
async def list_versions(
    framework_id: SlugPath, principal: CurrentPrincipal, uow: Uow
) -> list[VersionOut]:
    async with _unit(uow) as u:
        infos = await svc.list_versions(
            u, principal.tenant_id, framework_id, include_drafts=_drafts(principal)
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
    async with _unit(uow) as u:
        info = await svc.get_version(
            u, principal.tenant_id, framework_id, version, include_drafts=_drafts(principal)
        )
    return _out(info, response)


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
    async with _unit(uow) as u:
        info = await svc.get_version(
            u, principal.tenant_id, framework_id, version, include_drafts=_drafts(principal)
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
    async with _unit(uow) as u:
        info = await svc.new_draft(u, principal.tenant_id, framework_id, principal.subject)
        await u.commit()
    response.headers["Location"] = f"/v1/frameworks/{framework_id}/versions/{info.version}"
    return _out(info, response)


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
    return await _edit(
        uow, principal, framework_id, version, lambda _: document, if_match, response
    )


@router.delete(
    "/frameworks/{framework_id}/versions/{version}", status_code=204, summary="Delete a draft"
)
async def delete_draft(
    framework_id: SlugPath, version: VersionRef, principal: HrAdmin, uow: Uow
) -> Response:
    async with _unit(uow) as u:
        number = await _resolve(u, principal, framework_id, version)
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
    async with _unit(uow) as u:
        number = await _resolve(u, principal, framework_id, version)
        info = await svc.publish(
            u,
            principal.tenant_id,
            framework_id,
            number,
            principal.subject,
            if_match=_if_match(if_match),
        )
        await u.commit()
    return _out(info, response)


class RetireIn(BaseModel):
    reason: str = Field(default="", max_length=2000)


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
    async with _unit(uow) as u:
        number = await _resolve(u, principal, framework_id, version)
        info = await svc.retire(
            u, principal.tenant_id, framework_id, number, (body or RetireIn()).reason
        )
        await u.commit()
    return _out(info, response)


class ChangeOut(BaseModel):
    change: Literal["added", "removed", "changed"]
    path: str
    before: Any = None
    after: Any = None


class DiffOut(BaseModel):
    framework_id: str
    from_version: int
    to_version: int
    changes: list[ChangeOut]


@router.get("/frameworks/{framework_id}/diff", summary="What changed between two versions")
async def diff_versions(
    framework_id: SlugPath,
    principal: CurrentPrincipal,
    uow: Uow,
    from_: Annotated[str, Query(alias="from", pattern=VERSION_PATTERN)],
    to: Annotated[str, Query(pattern=VERSION_PATTERN)],
) -> DiffOut:
    async with _unit(uow) as u:
        a = await svc.get_version(
            u, principal.tenant_id, framework_id, from_, include_drafts=_drafts(principal)
        )
        b = await svc.get_version(
            u, principal.tenant_id, framework_id, to, include_drafts=_drafts(principal)
        )
    return DiffOut(
        framework_id=framework_id,
        from_version=a.version,
        to_version=b.version,
        changes=[ChangeOut(**c.__dict__) for c in diff(a.document, b.document)],
    )


# -- career paths --------------------------------------------------------------------------


class GrowthOut(BaseModel):
    competency_id: str
    competency: str
    from_level: int
    to_level: int
    gap: int


class StepOut(BaseModel):
    kind: Literal["vertical", "track_switch", "lateral"]
    to_role_id: str
    to_title: str
    to_family_id: str
    to_level_id: str
    track_id: str | None
    via: str
    total_growth: int
    """Sum of the gaps: a rough size of the step."""
    grow: list[GrowthOut]
    carry_over: list[str]


class NextStepsOut(BaseModel):
    framework_id: str
    version: int
    role_id: str
    title: str
    steps: list[StepOut]


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
    async with _unit(uow) as u:
        info = await svc.get_version(
            u, principal.tenant_id, framework_id, version, include_drafts=_drafts(principal)
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


class NodeOut(BaseModel):
    role_id: str
    title: str
    level_id: str
    rank: int
    track_ids: list[str]


class EdgeOut(BaseModel):
    from_role_id: str
    to_role_id: str
    kind: Literal["vertical", "track_switch", "lateral"]
    track_id: str | None
    total_growth: int
    to_family_id: str


class GraphOut(BaseModel):
    framework_id: str
    version: int
    family_id: str
    nodes: list[NodeOut]
    edges: list[EdgeOut]


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
    async with _unit(uow) as u:
        info = await svc.get_version(
            u, principal.tenant_id, framework_id, version, include_drafts=_drafts(principal)
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


# -- editing a draft, item by item ---------------------------------------------------------


async def _resolve(u: UnitOfWork, principal: Principal, framework_id: str, ref: str) -> int:
    if ref.isdigit():
        return int(ref)
    info = await svc.get_version(u, principal.tenant_id, framework_id, ref, include_drafts=True)
    return info.version


async def _edit(
    uow: UowFactory,
    principal: Principal,
    framework_id: str,
    version: str,
    change: Callable[[m.Framework], m.Framework],
    if_match: str | None,
    response: Response,
) -> VersionWithDocument:
    async with _unit(uow) as u:
        number = await _resolve(u, principal, framework_id, version)
        info = await svc.edit_draft(
            u, principal.tenant_id, framework_id, number, change, if_match=_if_match(if_match)
        )
        await u.commit()
    return _out(info, response)


def _upsert(items: list[Any], item: Any, key: str = "id") -> list[Any]:
    value = getattr(item, key)
    out = [item if getattr(i, key) == value else i for i in items]
    return out if any(getattr(i, key) == value for i in items) else [*items, item]


def _remove(items: list[Any], value: Any, what: str, key: str = "id") -> list[Any]:
    out = [i for i in items if getattr(i, key) != value]
    if len(out) == len(items):
        raise svc.NotFound(f"there is no {what} '{value}'")
    return out


def _family(fw: m.Framework, family_id: str) -> m.Family:
    family = fw.family(family_id)
    if family is None:
        raise svc.NotFound(f"there is no family '{family_id}'; create it first")
    return family


def _with_family(fw: m.Framework, family: m.Family) -> m.Framework:
    return fw.model_copy(update={"families": _upsert(fw.families, family)})


def _competency(fw: m.Framework, competency_id: str) -> m.Competency:
    comp = fw.competency(competency_id)
    if comp is None:
        raise svc.NotFound(f"there is no competency '{competency_id}'; create it first")
    return comp


def _role(fw: m.Framework, role_id: str) -> m.Role:
    role = fw.role(role_id)
    if role is None:
        raise svc.NotFound(f"there is no role '{role_id}'; create it first")
    return role


Draft = Annotated[
    str,
    Path(pattern=r"^([1-9][0-9]{0,8}|draft)$", description="the draft's number, or 'draft'"),
]


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
    return await _edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: fw.model_copy(update={"scale": body}),
        if_match,
        response,
    )


class FamilyIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: m.Name
    description: str = ""


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
        old = fw.family(family_id)
        new = (old or m.Family(id=family_id, name=body.name)).model_copy(update=body.model_dump())
        return _with_family(fw, new)

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


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
    return await _edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: fw.model_copy(update={"families": _remove(fw.families, family_id, "family")}),
        if_match,
        response,
    )


class TrackIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: m.Name
    kind: m.TrackKind = m.TrackKind.OTHER


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
        family = _family(fw, family_id)
        track = m.Track(id=track_id, **body.model_dump())
        return _with_family(fw, family.model_copy(update={"tracks": _upsert(family.tracks, track)}))

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


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
        family = _family(fw, family_id)
        return _with_family(
            fw,
            family.model_copy(
                update={
                    "tracks": _remove(family.tracks, track_id, f"track in family '{family_id}'")
                }
            ),
        )

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


class LevelIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: m.Name
    rank: int = Field(ge=1, le=50)
    track_ids: list[m.Slug] = Field(min_length=1)


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
        family = _family(fw, family_id)
        level = m.Level(id=level_id, **body.model_dump())
        return _with_family(fw, family.model_copy(update={"levels": _upsert(family.levels, level)}))

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


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
        family = _family(fw, family_id)
        return _with_family(
            fw,
            family.model_copy(
                update={
                    "levels": _remove(family.levels, level_id, f"level in family '{family_id}'")
                }
            ),
        )

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


class CompetencyIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: m.Name
    category: m.CompetencyCategory
    family_id: m.Slug | None = None
    description: str = ""
    descriptors: list[m.Descriptor] | None = None
    """Omit to keep the existing descriptors."""


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
        old = fw.competency(competency_id)
        fields = body.model_dump(exclude={"descriptors"})
        descriptors = (
            body.descriptors if body.descriptors is not None else (old.descriptors if old else [])
        )
        comp = m.Competency(id=competency_id, descriptors=descriptors, **fields)
        return fw.model_copy(update={"competencies": _upsert(fw.competencies, comp)})

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


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
    return await _edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: fw.model_copy(
            update={"competencies": _remove(fw.competencies, competency_id, "competency")}
        ),
        if_match,
        response,
    )


class DescriptorIn(BaseModel):
    model_config = {"extra": "forbid"}
    description: str = Field(min_length=1)


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
        comp = _competency(fw, competency_id)
        desc = m.Descriptor(level=level, description=body.description)
        comp = comp.model_copy(
            update={
                "descriptors": sorted(
                    _upsert(comp.descriptors, desc, "level"), key=lambda d: d.level
                )
            }
        )
        return fw.model_copy(update={"competencies": _upsert(fw.competencies, comp)})

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


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
        comp = _competency(fw, competency_id)
        comp = comp.model_copy(
            update={
                "descriptors": _remove(
                    comp.descriptors, level, f"descriptor of '{competency_id}' at level", "level"
                )
            }
        )
        return fw.model_copy(update={"competencies": _upsert(fw.competencies, comp)})

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


class RoleIn(BaseModel):
    model_config = {"extra": "forbid"}
    family_id: m.Slug
    level_id: m.Slug
    title: m.Name
    summary: str = ""
    requirements: list[m.Requirement] | None = None
    """Omit to keep the existing requirements."""


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
        old = fw.role(role_id)
        reqs = (
            body.requirements
            if body.requirements is not None
            else (old.requirements if old else [])
        )
        role = m.Role(id=role_id, requirements=reqs, **body.model_dump(exclude={"requirements"}))
        return fw.model_copy(update={"roles": _upsert(fw.roles, role)})

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


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
    return await _edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: fw.model_copy(update={"roles": _remove(fw.roles, role_id, "role")}),
        if_match,
        response,
    )


class RequirementIn(BaseModel):
    model_config = {"extra": "forbid"}
    level: m.Proficiency


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
        role = _role(fw, role_id)
        req = m.Requirement(competency_id=competency_id, level=body.level)
        role = role.model_copy(
            update={"requirements": _upsert(role.requirements, req, "competency_id")}
        )
        return fw.model_copy(update={"roles": _upsert(fw.roles, role)})

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


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
        role = _role(fw, role_id)
        role = role.model_copy(
            update={
                "requirements": _remove(
                    role.requirements,
                    competency_id,
                    f"requirement of role '{role_id}' for",
                    "competency_id",
                )
            }
        )
        return fw.model_copy(update={"roles": _upsert(fw.roles, role)})

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


class LateralPathIn(BaseModel):
    model_config = {"extra": "forbid"}
    from_role_id: m.Slug
    to_role_id: m.Slug
    via: str = ""
    carry_over: list[m.Slug] = []
    to_build: list[m.Delta] = []


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
        path = m.LateralPath(id=path_id, **body.model_dump())
        return fw.model_copy(update={"lateral_paths": _upsert(fw.lateral_paths, path)})

    return await _edit(uow, principal, framework_id, version, change, if_match, response)


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
    return await _edit(
        uow,
        principal,
        framework_id,
        version,
        lambda fw: fw.model_copy(
            update={"lateral_paths": _remove(fw.lateral_paths, path_id, "lateral path")}
        ),
        if_match,
        response,
    )

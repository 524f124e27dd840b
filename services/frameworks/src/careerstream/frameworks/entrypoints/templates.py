"""Framework templates (`/v1/templates`): ready frameworks to start from, a company's own
framework made from one, and how far a framework has moved from its template."""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.diff import diff
from careerstream.frameworks.domain.templates import as_template, templates
from careerstream.frameworks.entrypoints.common import (
    SlugPath,
    VersionRef,
    sees_drafts,
    version_out,
)
from careerstream.frameworks.entrypoints.schemas import ChangeOut, VersionWithDocument
from careerstream.frameworks.service_layer import versions as svc
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.errors import unit
from careerstream.servicekit.problems import Problem

router = APIRouter(prefix="/v1", tags=["templates"])

TemplatePath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]


class TemplateTrack(BaseModel):
    track_id: str
    name: str
    levels: list[str]
    """Level names, from the entry level up."""


class TemplateSummary(BaseModel):
    template_id: str
    name: str
    description: str
    family: str
    tracks: list[TemplateTrack]
    roles: int
    competencies: int


class FromTemplate(BaseModel):
    template_id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")
    """A template of `GET /v1/templates`."""
    framework_id: m.Slug
    """The id of the company's new framework."""
    name: m.Name | None = None
    """Its name (the template's by default)."""


class TemplateDiff(BaseModel):
    framework_id: str
    version: int
    template_id: str
    changes: list[ChangeOut]
    """What the framework changed, added or removed compared with the template (its id, name
    and description aside)."""


def _summary(fw: m.Framework) -> TemplateSummary:
    family = fw.families[0]
    by_rank = sorted(family.levels, key=lambda lv: lv.rank)
    return TemplateSummary(
        template_id=fw.id,
        name=fw.name,
        description=fw.description,
        family=family.name,
        tracks=[
            TemplateTrack(
                track_id=t.id,
                name=t.name,
                levels=[lv.name for lv in by_rank if t.id in lv.track_ids],
            )
            for t in family.tracks
        ],
        roles=len(fw.roles),
        competencies=len(fw.competencies),
    )


def _template(template_id: str, field: str) -> m.Framework:
    found = templates().get(template_id)
    if found is None:
        known = ", ".join(sorted(templates()))
        message = f"no template '{template_id}'; the templates are {known}"
        status = 404 if field.startswith("path") else 422
        raise Problem(
            status,
            "Unknown template" if status == 404 else "Invalid request",
            message,
            errors=[{"field": field, "message": message, "received": template_id}],
        )
    return found


@router.get("/templates", summary="The ready frameworks a company can start from")
async def list_templates(principal: CurrentPrincipal) -> list[TemplateSummary]:
    return [_summary(fw) for _, fw in sorted(templates().items())]


@router.get("/templates/{template_id}", summary="One template, whole (a framework document)")
async def get_template(template_id: TemplatePath, principal: CurrentPrincipal) -> dict[str, Any]:
    return {
        **_summary(_template(template_id, "path.template_id")).model_dump(),
        "document": _template(template_id, "path.template_id").model_dump(mode="json"),
    }


@router.post(
    "/frameworks/from-template",
    status_code=201,
    summary="Create a framework from a template (its draft version 1, ready to adapt and publish)",
)
async def create_from_template(
    body: FromTemplate, principal: HrAdmin, uow: Uow, response: Response
) -> VersionWithDocument:
    template = _template(body.template_id, "body.template_id")
    fw = template.model_copy(update={"id": body.framework_id, "name": body.name or template.name})
    async with unit(uow) as u:
        info = await svc.create_framework(u, principal.tenant_id, fw, principal.subject)
        await u.commit()
    response.headers["Location"] = f"/v1/frameworks/{fw.id}/versions/{info.version}"
    return version_out(info, response)


@router.get(
    "/frameworks/{framework_id}/versions/{version}/template-diff",
    summary="What a framework version changed compared with a template",
)
async def template_diff(
    framework_id: SlugPath,
    version: VersionRef,
    principal: CurrentPrincipal,
    uow: Uow,
    template_id: Annotated[
        str, Query(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$", description="a template")
    ],
) -> TemplateDiff:
    template = _template(template_id, "query.template_id")
    async with unit(uow) as u:
        info = await svc.get_version(
            u, principal.tenant_id, framework_id, version, include_drafts=sees_drafts(principal)
        )
    changes = diff(template, as_template(info.document, template))
    return TemplateDiff(
        framework_id=framework_id,
        version=info.version,
        template_id=template_id,
        changes=[ChangeOut(**c.__dict__) for c in changes],
    )

"""HTTP API of the hris gateway (`/v1`): vendor webhooks, full exports, job mappings, secrets.

Webhooks are authenticated by their HMAC signature (the tenant's secret for
that vendor), not by a bearer token; the directory answers anyone for their own
reports and record; everything else needs hr_admin.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from careerstream.hris.domain import exports, orgunits, vendors
from careerstream.hris.service_layer import gateway
from careerstream.hris.service_layer import orgunits as orgunit_service
from careerstream.servicekit.auth import TENANT_PATTERN, Role
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.edge import raw_body
from careerstream.servicekit.problems import Problem

router = APIRouter(prefix="/v1")
Vendor = Literal["workday", "successfactors", "bamboohr"]


@router.put(
    "/sources/{vendor}",
    tags=["webhooks"],
    summary="Issue a new webhook secret for a vendor (shown once)",
)
async def new_secret(vendor: Vendor, principal: HrAdmin, uow: Uow) -> dict[str, str]:
    async with uow() as u:
        secret = await gateway.new_secret(u, principal.tenant_id, vendor)
        await u.commit()
    return {
        "vendor": vendor,
        "secret": secret,
        "webhook_url": f"/v1/webhooks/{principal.tenant_id}/{vendor}",
        "note": "configure the vendor with this secret; it is not shown again (issue a new one to rotate)",
    }


WEBHOOK_MAX_BYTES = 1024 * 1024
EXPORT_MAX_BYTES = 128 * 1024 * 1024
TenantPath = Annotated[str, Path(pattern=TENANT_PATTERN, max_length=64)]


@router.post(
    "/webhooks/{tenant_id}/{vendor}",
    status_code=202,
    tags=["webhooks"],
    summary="Receive a vendor notification (HMAC-signed; see domain/vendors.py for each style)",
    description=(
        "Authenticated by the signature alone: a request whose signature cannot be verified "
        "is answered 401 alike whether or not the tenant has a secret for the vendor, so "
        "the answer tells an outsider nothing about which tenants exist."
    ),
    openapi_extra=raw_body(
        {"application/json": {"schema": {"type": "object"}}}, max_bytes=WEBHOOK_MAX_BYTES
    ),
)
async def webhook(
    tenant_id: TenantPath, vendor: Vendor, request: Request, uow: Uow
) -> dict[str, Any]:
    body = await request.body()  # at most WEBHOOK_MAX_BYTES: the edge stops reading beyond
    async with uow() as u:
        secret = await gateway.secret_for(u, tenant_id, vendor)
        try:
            if secret is None:
                raise vendors.Rejected(401, vendors.UNVERIFIED)
            vendors.verify(vendor, secret, request.headers, body, datetime.now(UTC))
            try:
                payload = json.loads(body)
            except ValueError as exc:
                raise vendors.Rejected(422, f"the body is not JSON: {exc}") from exc
            delivery, notes = vendors.read_all(vendor, payload)
        except vendors.Rejected as exc:
            raise Problem(exc.status, "Rejected", str(exc)) from exc
        delivery = delivery or hashlib.sha256(body).hexdigest()
        if not await gateway.first_delivery(u, tenant_id, vendor, delivery):
            raise Problem(409, "Replayed", f"delivery {delivery} was already received")
        outcomes = []
        for n in notes:
            if isinstance(n, orgunits.Unit):
                try:
                    await orgunit_service.put(u, tenant_id, [(1, n)], full=False)
                except exports.ExportInvalid as exc:
                    raise Problem(422, "Rejected", str(exc)) from exc
                outcomes.append("orgunit")
            else:
                outcomes.append(await gateway.apply(u, tenant_id, n, source=vendor))
        await u.commit()
    return {"delivery_id": delivery, "outcomes": outcomes}


class MappingIn(BaseModel):
    model_config = {"extra": "forbid"}
    role_id: str = Field(min_length=1)


@router.put(
    "/job-mappings/{job_code}",
    tags=["mappings"],
    summary="Map an HRIS job code to a framework role",
)
async def put_mapping(
    job_code: str, body: MappingIn, principal: HrAdmin, uow: Uow
) -> dict[str, str]:
    async with uow() as u:
        await gateway.put_mapping(u, principal.tenant_id, job_code, body.role_id)
        await u.commit()
    return {"job_code": job_code, "role_id": body.role_id}


@router.get("/job-mappings", tags=["mappings"], summary="The tenant's job code mappings")
async def get_mappings(principal: HrAdmin, uow: Uow) -> dict[str, str]:
    async with uow() as u:
        return await gateway.mappings(u, principal.tenant_id)


@router.post(
    "/imports",
    status_code=202,
    tags=["imports"],
    summary="Import a full export (CSV or JSON): diffed against what the gateway knows, applied in the background",
    openapi_extra=raw_body(
        {
            "text/csv": {"schema": {"type": "string"}},
            "application/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array"}},
        },
        max_bytes=EXPORT_MAX_BYTES,
    ),
)
async def start_import(
    request: Request, principal: HrAdmin, uow: Uow, response: Response
) -> dict[str, Any]:
    # The edge has checked the media type (415) and the size (413).
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = "json" if ctype.endswith("json") else "csv"
    body = await request.body()
    async with uow() as u:
        try:
            import_id, total = await gateway.start_import(u, principal.tenant_id, body, fmt)
        except exports.ExportInvalid as exc:  # nothing is committed
            raise Problem(
                422, "Invalid export", str(exc), errors=[e.as_dict() for e in exc.errors]
            ) from exc
        await u.commit()
    response.headers["Location"] = f"/v1/imports/{import_id}"
    return {"import_id": import_id, "total": total, "status": "pending"}


@router.get(
    "/imports/{import_id}", tags=["imports"], summary="An import's progress and what it did"
)
async def get_import(import_id: str, principal: HrAdmin, uow: Uow) -> dict[str, Any]:
    async with uow() as u:
        status = await gateway.import_status(u, principal.tenant_id, import_id)
    if status is None:
        raise Problem(404, "Not found", f"no import '{import_id}'")
    return status


class DirectoryEntry(BaseModel):
    """One active person as the directory shows them."""

    employee_id: str
    display_name: str | None
    job_title: str | None
    job_code: str | None
    role_id: str | None = Field(description="the framework role the job code maps to, if mapped")
    manager_id: str | None
    department_id: str | None


@router.get(
    "/people",
    tags=["directory"],
    summary="The directory: your reports, direct and indirect, or (hr_admin) everyone",
    description=(
        "Active people in employee-id order, a page at a time (`after` = the last id of the "
        "previous page). HR reads everyone, or one manager's reports with `manager`; anyone "
        "else reads their own reports (none for someone who manages nobody). `direct=true` "
        "keeps the direct reports only (of `manager`, or yours). `q` matches the start of an "
        "employee id or any part of a name."
    ),
)
async def list_people(
    principal: CurrentPrincipal,
    uow: Uow,
    q: Annotated[str | None, Query(max_length=100)] = None,
    manager: Annotated[str | None, Query(max_length=128)] = None,
    after: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    direct: Annotated[
        bool, Query(description="direct reports only (of `manager`, or yours)")
    ] = False,
) -> list[DirectoryEntry]:
    if principal.has(Role.HR_ADMIN):
        under = manager
        if direct and manager is None:
            message = "direct reports of whom? give `manager` with `direct=true`"
            raise Problem(
                422,
                "Invalid request",
                f"query.direct: {message}",
                errors=[{"field": "query.direct", "message": message, "received": True}],
            )
    elif manager in (None, principal.employee_id):
        under = principal.employee_id
    else:
        raise Problem(
            403,
            "Forbidden",
            "only hr_admin reads another manager's reports; leave out `manager` for your own",
        )
    async with uow() as u:
        rows = await gateway.directory(
            u, principal.tenant_id, under=under, query=q, limit=limit, after=after, direct=direct
        )
    return [DirectoryEntry(**r) for r in rows]


@router.get(
    "/people/{employee_id}",
    tags=["imports"],
    summary="The gateway's current record of a person (yourself, or anyone for hr_admin)",
)
async def get_person(employee_id: str, principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    if not principal.has(Role.HR_ADMIN) and employee_id != principal.employee_id:
        raise Problem(403, "Forbidden", "only hr_admin reads someone else's record")
    async with uow() as u:
        person = await gateway.person(u, principal.tenant_id, employee_id)
    if person is None:
        raise Problem(404, "Not found", f"no employee '{employee_id}'")
    return person


# -- the organisation tree -----------------------------------------------------------------

ORG_EXPORT_MAX_BYTES = 32 * 1024 * 1024
UnitPath = Annotated[str, Path(min_length=1, max_length=128)]


class OrgUnitIn(BaseModel):
    """One unit, as `PUT /v1/org-units/{orgunit_id}` takes it (the whole unit, not a patch)."""

    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=orgunits.MAX_TEXT)
    parent_id: str | None = Field(default=None, min_length=1, max_length=128)
    head_id: str | None = Field(default=None, min_length=1, max_length=128)
    active: bool = True


class OrgUnitOut(BaseModel):
    orgunit_id: str
    name: str
    parent_id: str | None
    head_id: str | None
    active: bool
    people: int = Field(description="active people who sit in this unit itself (not below it)")


def _invalid_tree(exc: exports.ExportInvalid) -> Problem:
    return Problem(422, "Invalid org units", str(exc), errors=[e.as_dict() for e in exc.errors])


@router.put(
    "/org-units",
    tags=["org units"],
    summary="Replace the organisation tree with a full export (CSV or JSON); units left out are closed",
    description=(
        "Columns: orgunit_id, name, parent_id, head_id, active. Checked whole: an unknown "
        "parent, a head who is not a known employee or a unit that would sit under itself "
        "refuses the file, with each problem's line. Publishes `orgunit.changed` for each unit "
        "that changed, parents first; moving a unit re-groups everyone in it everywhere."
    ),
    openapi_extra=raw_body(
        {
            "text/csv": {"schema": {"type": "string"}},
            "application/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array"}},
        },
        max_bytes=ORG_EXPORT_MAX_BYTES,
    ),
)
async def put_org_units(request: Request, principal: HrAdmin, uow: Uow) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = "json" if ctype.endswith("json") else "csv"
    body = await request.body()
    async with uow() as u:
        try:
            units = orgunits.parse(body, fmt)
            done = await orgunit_service.put(u, principal.tenant_id, units, full=True)
        except exports.ExportInvalid as exc:
            raise _invalid_tree(exc) from exc
        await u.commit()
    return done


@router.put(
    "/org-units/{orgunit_id}",
    tags=["org units"],
    summary="Create, rename, move, re-head or close one unit",
)
async def put_org_unit(
    orgunit_id: UnitPath, body: OrgUnitIn, principal: HrAdmin, uow: Uow
) -> dict[str, Any]:
    unit = orgunits.Unit(orgunit_id, body.name.strip(), body.parent_id, body.head_id, body.active)
    async with uow() as u:
        try:
            done = await orgunit_service.put(u, principal.tenant_id, [(1, unit)], full=False)
        except exports.ExportInvalid as exc:
            problem = _invalid_tree(exc)
            problem.extra["errors"] = [
                {"field": _field_of(e.message), "message": e.message} for e in exc.errors
            ]
            raise problem from exc
        await u.commit()
    return {**unit.as_dict(), "published": done["published"]}


def _field_of(message: str) -> str:
    if message.startswith("head_id"):
        return "head_id"
    if message.startswith("parent_id") or "own parent" in message or "under itself" in message:
        return "parent_id"
    return ""


@router.get(
    "/org-units",
    tags=["org units"],
    summary="The organisation tree (or the part under `root`), for anyone in the tenant",
)
async def get_org_units(
    principal: CurrentPrincipal,
    uow: Uow,
    root: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
) -> list[OrgUnitOut]:
    async with uow() as u:
        rows = await orgunit_service.tree(u, principal.tenant_id, root=root)
    if root is not None and not rows:
        raise Problem(404, "Not found", f"no org unit '{root}'")
    return [OrgUnitOut(**r) for r in rows]

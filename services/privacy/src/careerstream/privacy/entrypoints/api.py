"""HTTP API of the privacy service (`/v1/privacy`).

- `/keys/issue`, `/keys/fetch`: the platform's services only (a token signed with
  the services' secret, role `service`); they seal and open personal fields.
- `/erasures`: HR admins of the tenant ask for an erasure and follow it.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from careerstream.contracts.base import Id
from careerstream.privacy.domain.keyring import KeyringError
from careerstream.privacy.service_layer import erasures, trail
from careerstream.privacy.service_layer import keys as key_store
from careerstream.servicekit.auth import AuthError, AuthSettings, Principal, Role, TokenVerifier
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.keys import AUDIENCE, ISSUER, service_token
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.types import Moment

router = APIRouter(prefix="/v1/privacy")


_bearer = HTTPBearer(auto_error=False)
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="careerstream-privacy"'}


def _caller(*roles: Role) -> Any:
    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        return await _verified(request, credentials, roles)

    return check


async def _verified(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    roles: tuple[Role, ...],
) -> Principal:
    """A token signed with the services' secret, holding one of `roles`."""
    verifier: TokenVerifier = request.app.state.service_verifier
    if credentials is None:
        raise Problem(401, "Authentication required", "send a service token", headers=_CHALLENGE)
    try:
        principal = verifier.verify(credentials.credentials)
    except AuthError as exc:
        raise Problem(401, "Invalid token", str(exc), headers=_CHALLENGE) from exc
    if not principal.has(*roles):
        raise Problem(
            403,
            "Forbidden",
            "this needs a token with the role " + " or ".join(r.value for r in roles),
        )
    return principal


ServiceCaller = Annotated[Principal, Depends(_caller(Role.SERVICE))]
"""The platform's own services: they may create keys (to seal) and fetch them."""
KeyReader = Annotated[Principal, Depends(_caller(Role.SERVICE, Role.KEY_READER))]
"""Services and outside consumers given a reader token: they may only fetch keys (to open)."""


def service_verifier(secret: str) -> TokenVerifier:
    """Verifies the services' tokens: their own secret, issuer and audience."""
    return TokenVerifier(
        AuthSettings(hs256_secret=secret, issuer=ISSUER, audience=AUDIENCE, jwks_url=None)
    )


def _misconfigured(exc: KeyringError) -> Problem:
    """A master key missing from the configuration: the callers retry (503) until it is fixed."""
    return Problem(503, "Data keys unavailable", str(exc), headers={"Retry-After": "30"})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IssueRequest(Strict):
    employee_ids: list[Id] = Field(min_length=1, max_length=1000)
    """The people whose keys are wanted (created when missing)."""


class IssuedKey(Strict):
    employee_id: str
    kid: str
    key: str
    """The 256-bit data key, base64."""


class IssueAnswer(Strict):
    keys: list[IssuedKey]
    erased: list[str]
    """People erased: nothing about them may be sealed any more (publish the erased form)."""


class FetchRequest(Strict):
    kids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=1000
    )


class FetchedKey(Strict):
    kid: str
    key: str


class FetchAnswer(Strict):
    keys: list[FetchedKey]
    gone: list[str]
    """Keys destroyed by an erasure (or never issued in this tenant): read the erased form."""


@router.post(
    "/keys/issue",
    tags=["keys"],
    summary="Data keys of people, created when missing (platform services only)",
)
async def issue(
    body: IssueRequest, caller: ServiceCaller, uow: Uow, request: Request
) -> IssueAnswer:
    async with uow() as u:
        try:
            keys, erased = await key_store.issue_keys(
                u, request.app.state.keyring, caller.tenant_id, body.employee_ids, datetime.now(UTC)
            )
        except KeyringError as exc:
            raise _misconfigured(exc) from exc
        await u.commit()
    return IssueAnswer(
        keys=[
            IssuedKey(employee_id=e, kid=k, key=base64.b64encode(s).decode()) for e, k, s in keys
        ],
        erased=erased,
    )


@router.post(
    "/keys/fetch",
    tags=["keys"],
    summary="Data keys by kid (platform services and key readers)",
    response_model=FetchAnswer,
)
async def fetch(body: FetchRequest, caller: KeyReader, uow: Uow, request: Request) -> Response:
    async with uow() as u:
        try:
            keys, gone = await key_store.fetch_keys(
                u, request.app.state.keyring, caller.tenant_id, body.kids
            )
        except KeyringError as exc:
            raise _misconfigured(exc) from exc
    # On every consumer's path when a key is not cached: built directly, not model by model.
    answer = {
        "keys": [{"kid": k, "key": base64.b64encode(s).decode()} for k, s in keys],
        "gone": gone,
    }
    return Response(json.dumps(answer, separators=(",", ":")), media_type="application/json")


class ErasureRequest(Strict):
    employee_id: Id
    """Whom to erase."""
    reason: str = Field(min_length=3, max_length=2000)
    """Why (kept with the erasure's record): e.g. the person's request under GDPR art. 17."""


class ServiceProgress(Strict):
    service: str
    answered_at: datetime | None
    deleted: dict[str, int]
    anonymised: dict[str, int]


class ErasureStatus(Strict):
    erasure_id: str
    employee_id: str
    reason: str
    requested_by: str
    requested_at: datetime
    deadline: datetime
    status: str
    """in_progress, or completed (the key is destroyed)."""
    overdue: bool
    """The deadline passed before every service answered."""
    completed_at: datetime | None
    services: list[ServiceProgress]
    """Each service's part: answered or still pending."""
    missing: list[str]
    """Services that had not answered when the key was destroyed at the deadline."""


def _status(view: erasures.ErasureView) -> ErasureStatus:
    r = view.row
    answers = {a.service: a for a in view.answers}
    now = datetime.now(UTC)
    services = [
        ServiceProgress(
            service=s,
            answered_at=answers[s].answered_at if s in answers else None,
            deleted=answers[s].deleted if s in answers else {},
            anonymised=answers[s].anonymised if s in answers else {},
        )
        for s in sorted(set(r.services) | set(answers))
    ]
    return ErasureStatus(
        erasure_id=r.erasure_id,
        employee_id=r.employee_id,
        reason=r.reason,
        requested_by=r.requested_by,
        requested_at=r.requested_at,
        deadline=r.deadline,
        status=r.status,
        overdue=bool(r.missing) or (r.status != "completed" and r.deadline <= now),
        completed_at=r.completed_at,
        services=services,
        missing=list(r.missing),
    )


@router.post(
    "/erasures",
    status_code=202,
    tags=["erasures"],
    summary="Erase an employee everywhere (HR admin); 200 with the same erasure when asked again",
    responses={200: {"description": "already asked: the erasure under way or done"}},
)
async def request_erasure(
    body: ErasureRequest, principal: HrAdmin, uow: Uow, request: Request, response: Response
) -> ErasureStatus:
    settings = request.app.state.runtime.settings
    async with uow() as u:
        try:
            erasure_id, created = await erasures.request_erasure(
                u,
                tenant=principal.tenant_id,
                employee_id=body.employee_id,
                reason=body.reason,
                requested_by=principal.employee_id,
                participants=settings.participant_list,
                deadline=timedelta(hours=settings.erasure_deadline_hours),
                now=datetime.now(UTC),
            )
        except erasures.UnknownEmployee as exc:
            raise Problem(
                404,
                "Unknown employee",
                f"body.employee_id: no employee {body.employee_id!r} in this tenant",
            ) from exc
        await u.commit()
        view = await erasures.get_erasure(u, principal.tenant_id, erasure_id)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/privacy/erasures/{erasure_id}"
    return _status(view)


ErasureId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


@router.get(
    "/erasures/{erasure_id}", tags=["erasures"], summary="An erasure's progress, per service"
)
async def get_erasure(erasure_id: ErasureId, principal: HrAdmin, uow: Uow) -> ErasureStatus:
    async with uow() as u:
        try:
            view = await erasures.get_erasure(u, principal.tenant_id, erasure_id)
        except erasures.UnknownErasure as exc:
            raise Problem(
                404, "Unknown erasure", f"no erasure {erasure_id!r} in this tenant"
            ) from exc
    return _status(view)


@router.get("/erasures", tags=["erasures"], summary="Erasures of the tenant (HR admin)")
async def list_erasures(
    principal: HrAdmin,
    uow: Uow,
    employee_id: Annotated[
        str | None, Query(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")
    ] = None,
) -> list[dict[str, Any]]:
    async with uow() as u:
        rows = await erasures.list_erasures(u, principal.tenant_id, employee_id)
    return [
        {
            "erasure_id": r.erasure_id,
            "employee_id": r.employee_id,
            "status": r.status,
            "requested_at": r.requested_at,
            "completed_at": r.completed_at,
        }
        for r in rows
    ]


@router.get(
    "/employees/{employee_id}/export",
    tags=["exports"],
    summary="Everything held about a person, from every service (HR admin, or the person)",
    description=(
        "A subject access export (GDPR art. 15): one JSON document with a section per service, "
        "each listing the person's own records by table and the tables that merely mention them "
        "(counted, not shown: those rows are other people's data). A service that cannot be "
        "reached is named in its section and `complete` is false."
    ),
)
async def export_employee(
    employee_id: Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")],
    principal: CurrentPrincipal,
    uow: Uow,
    request: Request,
) -> Response:
    if not (principal.has(Role.HR_ADMIN) or principal.employee_id == employee_id):
        raise Problem(403, "Forbidden", "an export is for HR admins, or for the person themself")
    tenant = principal.tenant_id
    async with uow() as u:
        if not await erasures.known(u, tenant, employee_id):
            raise Problem(404, "Unknown employee", f"no employee {employee_id!r} in this tenant")
        own = await erasures.own_part(u, tenant, employee_id)
    settings = request.app.state.runtime.settings
    token = service_token(settings.service_secret, tenant=tenant, service="privacy")
    targets = settings.export_targets

    async def part(name: str, url: str) -> tuple[str, dict[str, Any]]:
        try:
            async with httpx.AsyncClient(timeout=settings.export_timeout_seconds) as client:
                resp = await client.get(
                    f"{url}/v1/privacy/export/{quote(employee_id, safe='')}",
                    headers={"Authorization": f"Bearer {token}"},
                )
        except httpx.HTTPError as exc:
            return name, {"error": f"unreachable: {type(exc).__name__}"}
        if resp.status_code != 200:
            return name, {"error": f"answered {resp.status_code}"}
        body: dict[str, Any] = resp.json()
        return name, body

    parts = dict(await asyncio.gather(*(part(n, u) for n, u in sorted(targets.items()))))
    missing = sorted(set(settings.participant_list) - set(targets))
    for name in missing:
        parts[name] = {"error": "no export address configured (PRIVACY_EXPORT_URLS)"}
    parts["privacy"] = own
    document = {
        "employee_id": employee_id,
        "tenant": tenant,
        "generated_at": datetime.now(UTC).isoformat(),
        "requested_by": principal.employee_id,
        "complete": all("error" not in p for p in parts.values()),
        "services": dict(sorted(parts.items())),
    }
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False, default=str),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="export-{quote(employee_id, safe="")}.json"'
        },
    )


@router.get(
    "/employees/{employee_id}/accesses",
    tags=["audit"],
    summary="Who has seen or changed this person's career data (HR admin, or the person)",
    description=(
        "Newest first. HR admins see who (the caller's id); the person sees the callers' "
        "roles, the service, the route and when, not who. Records older than "
        "`PRIVACY_ACCESS_RETENTION_DAYS` are gone."
    ),
)
async def list_accesses(
    employee_id: Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")],
    principal: CurrentPrincipal,
    uow: Uow,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    before: Annotated[Moment | None, Query(description="only records before this time")] = None,
) -> list[dict[str, Any]]:
    hr = principal.has(Role.HR_ADMIN)
    if not (hr or principal.employee_id == employee_id):
        raise Problem(403, "Forbidden", "the trail is for HR admins, or for the person themself")
    async with uow() as u:
        rows = await trail.accesses(u, principal.tenant_id, employee_id, limit=limit, before=before)
    out = []
    for r in rows:
        item: dict[str, Any] = {
            "at": r.at,
            "action": r.action,
            "actor_roles": r.actor_roles,
            "service": r.service,
            "method": r.method,
            "route": r.route,
        }
        if hr:
            item["actor_id"] = r.actor_id
        out.append(item)
    return out

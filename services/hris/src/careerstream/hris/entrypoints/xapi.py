"""Learning records in: the part of the xAPI REST interface an LMS uses to send statements.

`/xapi/statements` (POST a statement or a list, PUT one by `statementId`, GET one back or
the source's latest) and `/xapi/about`, authenticated by the source's Basic credentials
(`PUT /v1/learning-sources/{source_id}`, hr_admin). Every request but `/about` carries
`X-Experience-API-Version` (1.0.x or 2.0.x). docs/learning-records.md says how to connect
an LMS.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from careerstream.hris.domain import xapi
from careerstream.hris.service_layer import learning
from careerstream.servicekit.deps import HrAdmin, Uow
from careerstream.servicekit.edge import raw_body
from careerstream.servicekit.errors import unit
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.uow import UnitOfWork

router = APIRouter(prefix="/xapi", tags=["learning records (xAPI)"])
sources_router = APIRouter(prefix="/v1", tags=["learning records (xAPI)"])

STATEMENTS_MAX_BYTES = 8 * 1024 * 1024
MAX_BATCH = 1000
VERSION_HEADER = "X-Experience-API-Version"
CHALLENGE = {"WWW-Authenticate": 'Basic realm="careerstream xAPI"'}
SourcePath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]


def _version(request: Request) -> str:
    """The version to answer with, after checking the request's (400 when missing or unknown)."""
    asked = request.headers.get(VERSION_HEADER)
    if asked is None:
        raise Problem(
            400,
            "Missing xAPI version",
            f"every request carries the {VERSION_HEADER} header (1.0.3 or 2.0.0)",
            errors=[{"field": VERSION_HEADER, "message": "is required"}],
        )
    if not xapi.SUPPORTED_VERSIONS.match(asked.strip()):
        raise Problem(
            400,
            "Unsupported xAPI version",
            f"{VERSION_HEADER} {asked!r} is not one this LRS speaks (1.0.x or 2.0.x)",
            errors=[{"field": VERSION_HEADER, "message": "must be 1.0.x or 2.0.x"}],
        )
    return "2.0.0" if asked.strip().startswith("2") else "1.0.3"


async def _source(request: Request, u: UnitOfWork) -> learning.Source:
    """The source the request's credentials are (401 otherwise), read in the request's own
    unit of work: one transaction per request."""
    source = await learning.authenticate(u, request.headers.get("authorization"))
    if source is None:
        raise Problem(
            401,
            "Unauthorized",
            "send the source's key and secret as HTTP Basic credentials "
            "(PUT /v1/learning-sources/{source_id} issues them)",
            headers=CHALLENGE,
        )
    return source


def _statements(body: bytes, *, single: bool) -> list[Any]:
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise Problem(400, "Invalid statement", f"the body is not JSON: {exc}") from exc
    if isinstance(parsed, list):
        if single:
            raise Problem(
                400,
                "Invalid statement",
                "PUT takes one statement; POST takes a list",
                errors=[{"field": "<body>", "message": "must be one statement, not a list"}],
            )
        if not parsed:
            raise Problem(
                400,
                "Invalid statement",
                "the list holds no statement",
                errors=[{"field": "statements", "message": "must not be empty"}],
            )
        if len(parsed) > MAX_BATCH:
            raise Problem(
                413,
                "Too many statements",
                f"{len(parsed)} statements in one request; send at most {MAX_BATCH}",
            )
        problems = xapi.batch_problems(parsed)
        statements = parsed
    else:
        problems = xapi.problems(parsed)
        statements = [parsed]
    if problems:
        shown = "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise Problem(
            400,
            "Invalid statement",
            shown + more,
            errors=[p.as_dict() for p in problems[:100]],
        )
    return statements


@router.get("/about", summary="The xAPI versions this LRS speaks (no credentials needed)")
async def about(response: Response) -> dict[str, list[str]]:
    response.headers[VERSION_HEADER] = "1.0.3"
    return {"version": ["1.0.3", "2.0.0"]}


_BODY = raw_body(
    {"application/json": {"schema": {"type": ["object", "array"]}}},
    max_bytes=STATEMENTS_MAX_BYTES,
)


@router.post(
    "/statements",
    summary="Store statements (one, or a list): their ids in order",
    description=(
        "All or nothing. A statement id stored before with the same content is accepted "
        "again and does nothing; with other content it is refused (409). Each invalid "
        "statement is answered 400 naming every problem by its JSON path."
    ),
    openapi_extra=_BODY,
)
async def post_statements(request: Request, response: Response, uow: Uow) -> list[str]:
    async with unit(uow) as u:
        source = await _source(request, u)
        response.headers[VERSION_HEADER] = _version(request)
        statements = _statements(await request.body(), single=False)
        ids = await learning.record(u, source, statements)
        await u.commit()
    return ids


@router.put(
    "/statements",
    status_code=204,
    summary="Store one statement under the id given",
    openapi_extra=_BODY,
)
async def put_statement(
    request: Request,
    uow: Uow,
    statementId: Annotated[str, Query(min_length=36, max_length=36)],
) -> Response:
    async with unit(uow) as u:
        source = await _source(request, u)
        version = _version(request)
        await _put(request, u, source, statementId)
        await u.commit()
    return Response(status_code=204, headers={VERSION_HEADER: version})


async def _put(request: Request, u: UnitOfWork, source: learning.Source, statementId: str) -> None:
    if not xapi.is_uuid(statementId):
        raise Problem(
            400,
            "Invalid statement",
            f"statementId {statementId!r} is not a UUID",
            errors=[{"field": "statementId", "message": "must be a UUID"}],
        )
    [statement] = _statements(await request.body(), single=True)
    given = statement.get("id")
    if given is not None and str(given).lower() != statementId.lower():
        raise Problem(
            400,
            "Invalid statement",
            "the statement's id differs from statementId",
            errors=[{"field": "statement.id", "message": f"must be {statementId} (statementId)"}],
        )
    statement["id"] = statementId.lower()
    await learning.record(u, source, [statement])


@router.get(
    "/statements",
    summary="One statement by statementId (or a voided one by voidedStatementId), or the source's latest",
)
async def get_statements(
    request: Request,
    response: Response,
    uow: Uow,
    statementId: Annotated[str | None, Query(min_length=36, max_length=36)] = None,
    voidedStatementId: Annotated[str | None, Query(min_length=36, max_length=36)] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=0, le=100)] = 100,
) -> Any:
    async with unit(uow) as u:
        source = await _source(request, u)
        response.headers[VERSION_HEADER] = _version(request)
        if statementId is not None and voidedStatementId is not None:
            raise Problem(
                400,
                "Invalid query",
                "ask for statementId or voidedStatementId, not both",
                errors=[{"field": "voidedStatementId", "message": "not with statementId"}],
            )
        wanted = statementId or voidedStatementId
        if wanted is not None:
            found = await learning.statement(
                u, source.tenant_id, wanted, voided=voidedStatementId is not None
            )
            if found is None:
                raise Problem(404, "Not found", f"no statement {wanted}")
            return found
        rows = await learning.recent(u, source, since, limit or 100)
    return {"statements": rows, "more": ""}


class SourceIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=200)
    """What HR calls the LMS, e.g. 'Moodle' (shown as the authority of its statements)."""
    identifier: Literal["email", "employee_id"] = "email"
    """How a statement's actor maps to an employee: by work e-mail address (`mbox`, or an
    account name that is an address), or by an account whose name is the HRIS employee id."""
    home_page: str | None = Field(default=None, min_length=1, max_length=500)
    """With `employee_id`: only accounts of this homePage map (e.g. the LMS's URL)."""


@sources_router.put(
    "/learning-sources/{source_id}",
    summary="Connect an LMS: issue its xAPI credentials (the secret is shown once) (hr_admin)",
)
async def put_source(
    source_id: SourcePath, body: SourceIn, principal: HrAdmin, uow: Uow
) -> dict[str, Any]:
    async with unit(uow) as u:
        creds = await learning.put_source(
            u,
            principal.tenant_id,
            source_id,
            name=body.name,
            identifier=body.identifier,
            home_page=body.home_page,
        )
        await u.commit()
    return {
        "source_id": source_id,
        "endpoint": "/xapi/",
        **creds,
        "note": "configure the LMS's LRS with this endpoint, key and secret (HTTP Basic); "
        "the secret is not shown again (PUT again to issue new ones)",
    }


@sources_router.get(
    "/learning-sources",
    summary="The LMSs connected, with how many statements each sent and how many name nobody known (hr_admin)",
)
async def list_sources(principal: HrAdmin, uow: Uow) -> list[dict[str, Any]]:
    async with unit(uow) as u:
        return await learning.sources(u, principal.tenant_id)

"""The skills library's API: import ESCO (hr_admin), search and read it (everyone in the tenant).

`POST /v1/skill-library/imports?version=1.2.0` takes ESCO's CSV download as it comes (the
ZIP, Content-Type application/zip); `GET /v1/skills?q=` and `GET /v1/occupations?q=` search
labels, synonyms and descriptions; `GET /v1/skills/{uri}` and `GET /v1/occupations/{uri}`
answer one concept, by its ESCO URI (URL-encoded or not).
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from careerstream.frameworks.domain import esco
from careerstream.frameworks.service_layer import skills, suggest
from careerstream.servicekit.deps import CurrentPrincipal, HrAdmin, Uow
from careerstream.servicekit.domain import Invalid
from careerstream.servicekit.edge import raw_body
from careerstream.servicekit.errors import unit
from careerstream.servicekit.problems import Problem

router = APIRouter(prefix="/v1", tags=["skills library"])

MAX_ZIP = 200 * 1024 * 1024
"""ESCO's full download in every language is about 120 MB; one language about 10 MB."""

Version = Annotated[
    str,
    Query(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]*$",
        description="the version imported, as ESCO names it (e.g. 1.2.0)",
    ),
]
Lang = Annotated[
    str,
    Query(
        pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$",
        description="the language to search and answer in (a language the library holds)",
    ),
]
SearchText = Annotated[
    str,
    Query(
        min_length=2,
        max_length=200,
        pattern=r"\w",
        description="words to find in labels, synonyms and descriptions (typos tolerated)",
    ),
]
Limit = Annotated[int, Query(ge=1, le=100, description="how many results (at most 100)")]
Uri = Annotated[
    str,
    Path(
        min_length=11,
        max_length=300,
        pattern=r"^https?://\S+$",
        description="the concept's ESCO URI, e.g. http://data.europa.eu/esco/skill/<uuid>",
    ),
]


@router.post(
    "/skill-library/imports",
    status_code=201,
    summary="Import ESCO's CSV download as the skills library (hr_admin)",
    description=(
        "Send ESCO's CSV download (a ZIP holding skills_<lang>.csv, skillGroups_<lang>.csv, "
        "occupations_<lang>.csv, occupationSkillRelations_<lang>.csv and "
        "broaderRelationsSkillPillar_<lang>.csv, in one language or several) as the body. "
        "The library becomes that version: the answer reports what was added, changed and "
        "withdrawn (withdrawn concepts are kept and still readable). Every problem of the "
        "files is reported at once, with file and line, and nothing is imported then."
    ),
    openapi_extra=raw_body(
        {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        max_bytes=MAX_ZIP,
    ),
)
async def import_library(
    request: Request, version: Version, principal: HrAdmin, uow: Uow
) -> dict[str, Any]:
    try:
        library = esco.read(esco.files_of_zip(await request.body()))
    except Invalid as exc:
        raise Problem(422, "Invalid ESCO download", exc.detail, errors=exc.errors) from exc
    async with unit(uow) as u:
        report = await skills.import_library(u, principal, library, version)
        await u.commit()
    return report


@router.get("/skill-library", summary="The skills library: version, languages, sizes, attribution")
async def get_library(principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    async with unit(uow) as u:
        return await skills.library_info(u, principal.tenant_id)


@router.get(
    "/skill-library/imports/{number}",
    summary="One import's report: what it added, changed and withdrew",
)
async def get_import(
    number: Annotated[int, Path(ge=1, le=2**31 - 1)], principal: CurrentPrincipal, uow: Uow
) -> dict[str, Any]:
    async with unit(uow) as u:
        return await skills.import_report(u, principal.tenant_id, number)


async def _search(
    uow: Uow, tenant: str, q: str, lang: str, kinds: tuple[str, ...], limit: int
) -> dict[str, Any]:
    async with unit(uow) as u:
        # The library row alone (not library_info's counts): this runs on every search.
        languages = (await skills.library_row(u, tenant)).languages
        if lang not in languages:
            raise Invalid([f"lang: the library holds {', '.join(languages)}, not {lang!r}"])
        items = await skills.search(u, tenant, q, lang=lang, kinds=kinds, limit=limit)
    return {"query": q, "lang": lang, "items": items, "attribution": esco.ATTRIBUTION}


@router.get("/skills", summary="Search the skills library by label, synonym or description")
async def search_skills(
    q: SearchText,
    principal: CurrentPrincipal,
    uow: Uow,
    lang: Lang = "en",
    groups: Annotated[bool, Query(description="include skill groups")] = False,
    limit: Limit = 20,
) -> dict[str, Any]:
    kinds = ("skill", "group") if groups else ("skill",)
    return await _search(uow, principal.tenant_id, q, lang, kinds, limit)


class SuggestIn(BaseModel):
    model_config = {"extra": "forbid"}
    text: str = Field(min_length=1, max_length=suggest.TEXT_MAX)
    """A job description, an opportunity's description, a person's account of their work."""
    lang: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
    """The text's language (one the library holds)."""
    limit: int = Field(default=10, ge=1, le=50)
    exclude: list[str] = Field(default=[], max_length=500)
    """Skills not to suggest (those already linked or required), by URI."""


@router.post(
    "/skill-suggestions",
    summary="Suggest library skills a text names, each with its score and evidence",
    description="Reads the text and answers the library's skills it names, best first, each "
    "with the label and the text's words that matched, whether they stand together, and the "
    "skills under the same broader group also found. Changes nothing: a person accepts a "
    "skill by linking it to a competency or requiring it of an opportunity.",
)
async def suggest_skills(body: SuggestIn, principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    async with unit(uow) as u:
        languages = (await skills.library_row(u, principal.tenant_id)).languages
        if body.lang not in languages:
            raise Invalid([f"lang: the library holds {', '.join(languages)}, not {body.lang!r}"])
        return await suggest.suggest(
            u,
            principal.tenant_id,
            body.text,
            lang=body.lang,
            limit=body.limit,
            exclude=set(body.exclude),
        )


@router.get("/occupations", summary="Search the library's occupations by title or synonym")
async def search_occupations(
    q: SearchText,
    principal: CurrentPrincipal,
    uow: Uow,
    lang: Lang = "en",
    limit: Limit = 20,
) -> dict[str, Any]:
    return await _search(uow, principal.tenant_id, q, lang, ("occupation",), limit)


@router.get(
    "/skills/{uri:path}",
    summary="One skill or group: labels, broader and narrower skills, occupations needing it",
)
async def get_skill(uri: Uri, principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    async with unit(uow) as u:
        return await skills.concept(u, principal.tenant_id, uri, "skill")


@router.get(
    "/occupations/{uri:path}",
    summary="One occupation: labels and its essential and optional skills",
)
async def get_occupation(uri: Uri, principal: CurrentPrincipal, uow: Uow) -> dict[str, Any]:
    async with unit(uow) as u:
        return await skills.concept(u, principal.tenant_id, uri, "occupation")

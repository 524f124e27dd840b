"""What the frameworks API's routers share: path parameters, If-Match, drafts' visibility, answers.

hr_admin writes and sees drafts; everyone in the tenant reads published and
retired versions; other tenants see nothing (404, never 403). `{version}` is a
number, `current` (the latest published version) or `draft`.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at runtime.

from collections.abc import Callable
from typing import Annotated

from fastapi import Header, Path, Response

from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.version import FrameworkVersion
from careerstream.frameworks.entrypoints.schemas import VersionWithDocument
from careerstream.frameworks.service_layer import versions as svc
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.errors import unit
from careerstream.servicekit.problems import Problem
from careerstream.servicekit.uow import UnitOfWork, UowFactory

VERSION_PATTERN = r"^([1-9][0-9]{0,8}|current|draft)$"
"""A version number (below 2^31, as stored), 'current' or 'draft'."""
VersionRef = Annotated[
    str,
    Path(
        pattern=VERSION_PATTERN,
        description="a version number (1 to 999999999), 'current' or 'draft'",
    ),
]
Draft = Annotated[
    str,
    Path(pattern=r"^([1-9][0-9]{0,8}|draft)$", description="the draft's number, or 'draft'"),
]
IfMatch = Annotated[
    str | None,
    Header(description="the draft's revision (its ETag) you edited; 412 if it changed since"),
]
SlugPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=128)]


def sees_drafts(principal: Principal) -> bool:
    """Drafts are hr_admin's."""
    return principal.has(Role.HR_ADMIN)


def if_match_revision(value: str | None) -> int | None:
    """The revision an If-Match names (None for none or `*`); 400 when it names none."""
    if value is None or value == "*":
        return None
    revision = value.strip().removeprefix("W/").strip('"')
    if not revision.isascii() or not revision.isdigit() or len(revision) > 9:
        raise Problem(
            400, "Bad If-Match", f"expected a revision number (an ETag), got {value[:40]!r}"
        )
    return int(revision)


def version_out(info: FrameworkVersion, response: Response | None = None) -> VersionWithDocument:
    """A version as answered, its revision as the ETag."""
    if response is not None:
        response.headers["ETag"] = f'"{info.revision}"'
    return VersionWithDocument(**info.summary(), document=info.document)


async def resolve(u: UnitOfWork, principal: Principal, framework_id: str, ref: str) -> int:
    """The number of the version `ref` names (a number, `current` or `draft`)."""
    if ref.isdigit():
        return int(ref)
    info = await svc.get_version(u, principal.tenant_id, framework_id, ref, include_drafts=True)
    return info.version


async def edit(
    uow: UowFactory,
    principal: Principal,
    framework_id: str,
    version: str,
    change: Callable[[m.Framework], m.Framework],
    if_match: str | None,
    response: Response,
) -> VersionWithDocument:
    """Apply one change to a draft and answer the draft as it now is."""
    async with unit(uow) as u:
        number = await resolve(u, principal, framework_id, version)
        info = await svc.edit_draft(
            u,
            principal.tenant_id,
            framework_id,
            number,
            change,
            if_match=if_match_revision(if_match),
        )
        await u.commit()
    return version_out(info, response)

"""Commands and queries on framework versions. The unit of work is the only thing that commits.

A framework has versions: at most one draft (edited), published ones (never
change again) and retired ones (kept, readable, no longer current). The current
version is the latest published one. Every edit of a draft is checked against
the integrity rules; publication against all rules, and it publishes the whole
version as `framework.published` through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from careerstream.contracts.events.frameworks import FrameworkPublished, FrameworkRetired
from careerstream.frameworks.adapters.orm import versions
from careerstream.frameworks.domain.model import Framework
from careerstream.frameworks.domain.paths import complete_lateral_path
from careerstream.frameworks.domain.rules import Issue, validate
from careerstream.servicekit.uow import UnitOfWork


class NotFound(LookupError):
    pass


class Conflict(RuntimeError):
    pass


class PreconditionFailed(RuntimeError):
    pass


class Invalid(ValueError):
    def __init__(self, issues: list[Issue], *, publishing: bool = False) -> None:
        self.issues = issues
        self.publishing = publishing
        super().__init__("; ".join(f"{i.path}: {i.message}" for i in issues[:5]))


@dataclass(frozen=True)
class VersionInfo:
    framework_id: str
    version: int
    status: str
    name: str
    revision: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    published_at: datetime | None
    published_by: str | None
    retired_at: datetime | None
    retired_reason: str | None
    document: Framework

    def summary(self) -> dict[str, Any]:
        return {
            "framework_id": self.framework_id,
            "version": self.version,
            "status": self.status,
            "name": self.name,
            "revision": self.revision,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "created_by": self.created_by,
            "published_at": self.published_at,
            "published_by": self.published_by,
            "retired_at": self.retired_at,
            "retired_reason": self.retired_reason,
        }


def _info(row: Any) -> VersionInfo:
    return VersionInfo(
        framework_id=row.framework_id,
        version=row.version,
        status=row.status,
        name=row.name,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        published_at=row.published_at,
        published_by=row.published_by,
        retired_at=row.retired_at,
        retired_reason=row.retired_reason,
        document=Framework.model_validate(row.document),
    )


def _now() -> datetime:
    return datetime.now(UTC)


# -- queries -------------------------------------------------------------------------------


def _visible(include_drafts: bool) -> sa.ColumnElement[bool]:
    return sa.true() if include_drafts else versions.c.status != "draft"


async def list_versions(
    uow: UnitOfWork, tenant: str, framework_id: str | None, *, include_drafts: bool
) -> list[VersionInfo]:
    stmt = (
        sa.select(versions)
        .where(versions.c.tenant_id == tenant, _visible(include_drafts))
        .order_by(versions.c.framework_id, versions.c.version)
    )
    if framework_id is not None:
        stmt = stmt.where(versions.c.framework_id == framework_id)
    return [_info(r) for r in (await uow.session.execute(stmt)).all()]


async def get_version(
    uow: UnitOfWork,
    tenant: str,
    framework_id: str,
    version: int | str,
    *,
    include_drafts: bool,
    for_update: bool = False,
) -> VersionInfo:
    """`version` is a number, `current` (latest published) or `draft`."""
    stmt = sa.select(versions).where(
        versions.c.tenant_id == tenant,
        versions.c.framework_id == framework_id,
        _visible(include_drafts),
    )
    if version == "current":
        stmt = stmt.where(versions.c.status == "published").order_by(versions.c.version.desc())
    elif version == "draft":
        stmt = stmt.where(versions.c.status == "draft")
    else:
        stmt = stmt.where(versions.c.version == int(version))
    if for_update:
        stmt = stmt.with_for_update()
    row = (await uow.session.execute(stmt.limit(1))).first()
    if row is None:
        what = {"current": "no published version", "draft": "no draft"}.get(
            str(version), f"no version {version}"
        )
        raise NotFound(f"framework '{framework_id}' has {what}")
    return _info(row)


async def _latest(uow: UnitOfWork, tenant: str, framework_id: str) -> int:
    latest = await uow.session.scalar(
        sa.select(sa.func.max(versions.c.version)).where(
            versions.c.tenant_id == tenant, versions.c.framework_id == framework_id
        )
    )
    return int(latest or 0)


# -- commands ------------------------------------------------------------------------------


async def _insert_draft(
    uow: UnitOfWork, tenant: str, fw: Framework, version: int, actor: str
) -> VersionInfo:
    now = _now()
    await uow.session.execute(
        sa.insert(versions).values(
            tenant_id=tenant,
            framework_id=fw.id,
            version=version,
            status="draft",
            name=fw.name,
            document=fw.model_dump(mode="json"),
            revision=1,
            created_at=now,
            updated_at=now,
            created_by=actor,
        )
    )
    return await get_version(uow, tenant, fw.id, version, include_drafts=True)


def _require_valid(fw: Framework, *, publishing: bool = False) -> None:
    issues = validate(fw, publishing=publishing)
    if issues:
        raise Invalid(issues, publishing=publishing)


async def create_framework(uow: UnitOfWork, tenant: str, fw: Framework, actor: str) -> VersionInfo:
    """A new framework with its first draft (version 1)."""
    _require_valid(fw)
    if await _latest(uow, tenant, fw.id):
        raise Conflict(f"framework '{fw.id}' exists; edit its draft or start a new one")
    return await _insert_draft(uow, tenant, fw, 1, actor)


async def import_framework(
    uow: UnitOfWork, tenant: str, fw: Framework, actor: str
) -> tuple[VersionInfo, str]:
    """Load a framework file as the draft: a new framework, a new draft, the draft replaced, or
    nothing at all when the file is the latest version already ("unchanged")."""
    _require_valid(fw)
    latest = await _latest(uow, tenant, fw.id)
    if not latest:
        return await _insert_draft(uow, tenant, fw, 1, actor), "created"
    try:
        draft = await get_version(uow, tenant, fw.id, "draft", include_drafts=True, for_update=True)
    except NotFound:
        current = await get_version(uow, tenant, fw.id, latest, include_drafts=True)
        if current.document == fw:
            return current, "unchanged"
        return await _insert_draft(uow, tenant, fw, latest + 1, actor), "new-draft"
    if draft.document == fw:
        return draft, "unchanged"
    return await _save_draft(uow, tenant, draft, fw), "replaced-draft"


async def new_draft(uow: UnitOfWork, tenant: str, framework_id: str, actor: str) -> VersionInfo:
    """Start a draft from the latest version (published or retired)."""
    latest = await _latest(uow, tenant, framework_id)
    if not latest:
        raise NotFound(f"framework '{framework_id}' does not exist")
    base = await get_version(uow, tenant, framework_id, latest, include_drafts=True)
    if base.status == "draft":
        raise Conflict(
            f"framework '{framework_id}' already has a draft (version {base.version}); edit it, "
            "publish it or delete it first"
        )
    return await _insert_draft(uow, tenant, base.document, latest + 1, actor)


async def _save_draft(
    uow: UnitOfWork, tenant: str, draft: VersionInfo, fw: Framework
) -> VersionInfo:
    await uow.session.execute(
        sa.update(versions)
        .where(
            versions.c.tenant_id == tenant,
            versions.c.framework_id == draft.framework_id,
            versions.c.version == draft.version,
        )
        .values(
            document=fw.model_dump(mode="json"),
            name=fw.name,
            revision=draft.revision + 1,
            updated_at=_now(),
        )
    )
    return await get_version(uow, tenant, draft.framework_id, draft.version, include_drafts=True)


def _editable(info: VersionInfo, if_match: int | None) -> None:
    if info.status != "draft":
        raise Conflict(
            f"version {info.version} of framework '{info.framework_id}' is {info.status} and "
            f"never changes; start a new draft with POST /v1/frameworks/{info.framework_id}/drafts"
        )
    if if_match is not None and if_match != info.revision:
        raise PreconditionFailed(
            f"the draft is at revision {info.revision}, not {if_match}: someone else changed it; "
            "read it again and reapply your change"
        )


async def edit_draft(
    uow: UnitOfWork,
    tenant: str,
    framework_id: str,
    version: int,
    change: Callable[[Framework], Framework],
    *,
    if_match: int | None = None,
) -> VersionInfo:
    """Apply `change` to the draft, keep it only if the framework stays consistent."""
    info = await get_version(
        uow, tenant, framework_id, version, include_drafts=True, for_update=True
    )
    _editable(info, if_match)
    changed = change(info.document)
    if changed.id != framework_id:
        raise Conflict(f"the document is framework '{changed.id}', not '{framework_id}'")
    changed = Framework.model_validate(changed.model_dump())  # re-check field constraints
    _require_valid(changed)
    return await _save_draft(uow, tenant, info, changed)


async def delete_draft(uow: UnitOfWork, tenant: str, framework_id: str, version: int) -> None:
    info = await get_version(
        uow, tenant, framework_id, version, include_drafts=True, for_update=True
    )
    if info.status != "draft":
        raise Conflict(f"version {version} is {info.status}; only a draft can be deleted")
    await uow.session.execute(
        sa.delete(versions).where(
            versions.c.tenant_id == tenant,
            versions.c.framework_id == framework_id,
            versions.c.version == version,
        )
    )


def snapshot_event(fw: Framework, version: int, published_at: datetime) -> FrameworkPublished:
    doc = fw.model_dump(mode="json")
    return FrameworkPublished.model_validate(
        {**doc, "framework_id": fw.id, "version": version, "published_at": published_at}
    )


async def publish(
    uow: UnitOfWork,
    tenant: str,
    framework_id: str,
    version: int,
    actor: str,
    *,
    if_match: int | None = None,
) -> VersionInfo:
    info = await get_version(
        uow, tenant, framework_id, version, include_drafts=True, for_update=True
    )
    _editable(info, if_match)
    fw = info.document
    _require_valid(fw, publishing=True)
    fw = fw.model_copy(
        update={"lateral_paths": [complete_lateral_path(fw, p) for p in fw.lateral_paths]}
    )
    now = _now()
    await uow.session.execute(
        sa.update(versions)
        .where(
            versions.c.tenant_id == tenant,
            versions.c.framework_id == framework_id,
            versions.c.version == version,
        )
        .values(
            status="published",
            document=fw.model_dump(mode="json"),
            revision=info.revision + 1,
            updated_at=now,
            published_at=now,
            published_by=actor,
        )
    )
    uow.publish(snapshot_event(fw, version, now), tenant_id=tenant)
    return await get_version(uow, tenant, framework_id, version, include_drafts=True)


async def retire(
    uow: UnitOfWork, tenant: str, framework_id: str, version: int, reason: str
) -> VersionInfo:
    info = await get_version(
        uow, tenant, framework_id, version, include_drafts=True, for_update=True
    )
    if info.status != "published":
        raise Conflict(
            f"version {version} of framework '{framework_id}' is {info.status}; only a published "
            "version can be retired"
        )
    now = _now()
    await uow.session.execute(
        sa.update(versions)
        .where(
            versions.c.tenant_id == tenant,
            versions.c.framework_id == framework_id,
            versions.c.version == version,
        )
        .values(
            status="retired",
            revision=info.revision + 1,
            updated_at=now,
            retired_at=now,
            retired_reason=reason,
        )
    )
    uow.publish(
        FrameworkRetired(framework_id=framework_id, version=version, retired_at=now, reason=reason),
        tenant_id=tenant,
    )
    return await get_version(uow, tenant, framework_id, version, include_drafts=True)

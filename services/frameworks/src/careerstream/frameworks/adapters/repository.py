"""All SQL of the frameworks service: framework versions, loaded and saved whole.

Drafts are visible only to those who edit them (`include_drafts`); other
callers read published and retired versions. A version is named by its
number, `current` (the latest published one) or `draft`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from careerstream.frameworks.adapters.orm import versions
from careerstream.frameworks.domain.model import Framework
from careerstream.frameworks.domain.version import FrameworkVersion, VersionStatus
from careerstream.servicekit.domain import NotFound
from careerstream.servicekit.uow import UnitOfWork


def _version(row: Any) -> FrameworkVersion:
    return FrameworkVersion(
        framework_id=row.framework_id,
        version=row.version,
        status=VersionStatus(row.status),
        name=row.name,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        document=Framework.model_validate(row.document),
        published_at=row.published_at,
        published_by=row.published_by,
        retired_at=row.retired_at,
        retired_reason=row.retired_reason,
    )


def _row(v: FrameworkVersion) -> dict[str, Any]:
    return {**v.summary(), "document": v.document.model_dump(mode="json")}


class Versions:
    """The framework versions of one tenant."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    def _visible(self, include_drafts: bool) -> sa.ColumnElement[bool]:
        return sa.true() if include_drafts else versions.c.status != "draft"

    def _key(self, framework_id: str, version: int) -> sa.ColumnElement[bool]:
        return sa.and_(
            versions.c.tenant_id == self.tenant,
            versions.c.framework_id == framework_id,
            versions.c.version == version,
        )

    async def list(
        self, framework_id: str | None, *, include_drafts: bool
    ) -> list[FrameworkVersion]:
        """Every version (of one framework, or of all), by framework then number."""
        stmt = (
            sa.select(versions)
            .where(versions.c.tenant_id == self.tenant, self._visible(include_drafts))
            .order_by(versions.c.framework_id, versions.c.version)
        )
        if framework_id is not None:
            stmt = stmt.where(versions.c.framework_id == framework_id)
        return [_version(r) for r in (await self.uow.session.execute(stmt)).all()]

    async def get(
        self, framework_id: str, version: int | str, *, include_drafts: bool, lock: bool = False
    ) -> FrameworkVersion:
        """A version by number, `current` or `draft` (locked when `lock`); 404 when none."""
        stmt = sa.select(versions).where(
            versions.c.tenant_id == self.tenant,
            versions.c.framework_id == framework_id,
            self._visible(include_drafts),
        )
        if version == "current":
            stmt = stmt.where(versions.c.status == "published").order_by(versions.c.version.desc())
        elif version == "draft":
            stmt = stmt.where(versions.c.status == "draft")
        else:
            stmt = stmt.where(versions.c.version == int(version))
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.uow.session.execute(stmt.limit(1))).first()
        if row is None:
            what = {"current": "no published version", "draft": "no draft"}.get(
                str(version), f"no version {version}"
            )
            raise NotFound(f"framework '{framework_id}' has {what}")
        return _version(row)

    async def latest_number(self, framework_id: str) -> int:
        """The highest version number of a framework (0 when it does not exist)."""
        latest = await self.uow.session.scalar(
            sa.select(sa.func.max(versions.c.version)).where(
                versions.c.tenant_id == self.tenant, versions.c.framework_id == framework_id
            )
        )
        return int(latest or 0)

    async def add(self, version: FrameworkVersion) -> None:
        """Insert a new version."""
        await self.uow.session.execute(
            sa.insert(versions).values(tenant_id=self.tenant, **_row(version))
        )

    async def save(self, version: FrameworkVersion) -> None:
        """Write a changed version."""
        await self.uow.session.execute(
            sa.update(versions)
            .where(self._key(version.framework_id, version.version))
            .values(**_row(version))
        )

    async def delete(self, version: FrameworkVersion) -> None:
        """Delete a version (a draft)."""
        await self.uow.session.execute(
            sa.delete(versions).where(self._key(version.framework_id, version.version))
        )

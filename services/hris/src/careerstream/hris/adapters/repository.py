"""The SQL of the gateway's notifications and settings: sources, deliveries, job mappings, the
people it knows, notifications held for later, and imports' progress."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.hris.adapters.orm import (
    deliveries,
    imports,
    job_mappings,
    people,
    scheduled,
    sources,
)
from careerstream.hris.domain.directory import Person
from careerstream.hris.domain.records import Notification, Record
from careerstream.servicekit.db import among
from careerstream.servicekit.uow import UnitOfWork

_upsert = pg_insert(people)
_SAVE_PEOPLE = _upsert.on_conflict_do_update(
    index_elements=[people.c.tenant_id, people.c.employee_id],
    set_={
        c.name: _upsert.excluded[c.name]
        for c in people.columns
        if c.name not in ("tenant_id", "employee_id")
    },
)


def record_of(row: Any) -> Record:
    """A people row as the domain's record."""
    return Record(
        row.employee_id,
        row.display_name,
        row.job_code,
        row.job_title,
        row.manager_id,
        row.department_id,
        row.location,
        dict(row.groups or {}),
    )


class Gateway:
    """What the gateway keeps for one tenant."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    async def secret_for(self, vendor: str) -> str | None:
        """The shared secret of a vendor's webhooks, if the source is set up."""
        value: str | None = await self.uow.session.scalar(
            sa.select(sources.c.secret).where(
                sources.c.tenant_id == self.tenant, sources.c.vendor == vendor
            )
        )
        return value

    async def new_secret(self, vendor: str, now: datetime) -> str:
        """Set up (or rotate) a vendor source; returns its new secret."""
        secret = secrets.token_urlsafe(32)
        stmt = pg_insert(sources).values(
            tenant_id=self.tenant, vendor=vendor, secret=secret, created_at=now
        )
        await self.uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[sources.c.tenant_id, sources.c.vendor],
                set_={"secret": stmt.excluded.secret, "created_at": stmt.excluded.created_at},
            )
        )
        return secret

    async def first_delivery(self, vendor: str, delivery_id: str, now: datetime) -> bool:
        """Remember a delivery; False when it was delivered before (a vendor retry)."""
        inserted = await self.uow.session.execute(
            pg_insert(deliveries)
            .values(tenant_id=self.tenant, vendor=vendor, delivery_id=delivery_id, received_at=now)
            .on_conflict_do_nothing()
            .returning(deliveries.c.delivery_id)
        )
        return inserted.first() is not None

    async def put_mapping(self, job_code: str, role_id: str) -> None:
        """Map a job code to a framework role."""
        stmt = pg_insert(job_mappings).values(
            tenant_id=self.tenant, job_code=job_code, role_id=role_id
        )
        await self.uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[job_mappings.c.tenant_id, job_mappings.c.job_code],
                set_={"role_id": role_id},
            )
        )

    async def mappings(self) -> dict[str, str]:
        """Every job code mapping of the tenant."""
        rows = await self.uow.session.execute(
            sa.select(job_mappings).where(job_mappings.c.tenant_id == self.tenant)
        )
        return {r.job_code: r.role_id for r in rows.all()}

    async def roles_of(self, codes: set[str]) -> dict[str, str]:
        """The framework roles of these job codes (unmapped codes are left out)."""
        if not codes:
            return {}
        rows = await self.uow.session.execute(
            sa.select(job_mappings.c.job_code, job_mappings.c.role_id).where(
                job_mappings.c.tenant_id == self.tenant,
                job_mappings.c.job_code.in_(sorted(codes)),
            )
        )
        return {code: role for code, role in rows}

    async def hold(self, held: Sequence[Notification], source: str, now: datetime) -> None:
        """Keep notifications until the day they take effect."""
        if held:
            await self.uow.session.execute(
                sa.insert(scheduled),
                [
                    {
                        "tenant_id": self.tenant,
                        "due": n.effective_date,
                        "notification": n.as_dict(),
                        "source": source,
                        "created_at": now,
                    }
                    for n in held
                ],
            )

    async def lock_people(self, ids: Sequence[str]) -> dict[str, Person]:
        """The people of `ids` the gateway knows, locked in id order."""
        if not ids:
            return {}
        rows = await self.uow.session.execute(
            sa.select(people)
            .where(people.c.tenant_id == self.tenant, among(people.c.employee_id, ids))
            .order_by(people.c.employee_id)
            .with_for_update()
        )
        return {r.employee_id: Person(record_of(r), r.active, r.hired_on) for r in rows}

    async def save_people(self, changed: Sequence[Person], now: datetime) -> None:
        """Write the people a batch changed."""
        if changed:
            await self.uow.session.execute(
                _SAVE_PEOPLE,
                [
                    {
                        "tenant_id": self.tenant,
                        "employee_id": p.record.employee_id,
                        **p.record.as_dict(),
                        "active": p.active,
                        "hired_on": p.hired_on,
                        "updated_at": now,
                    }
                    for p in changed
                ],
            )

    async def person(self, employee_id: str) -> dict[str, Any] | None:
        """The gateway's current record of a person, or None."""
        row = (
            await self.uow.session.execute(
                sa.select(people).where(
                    people.c.tenant_id == self.tenant, people.c.employee_id == employee_id
                )
            )
        ).first()
        return {k: v for k, v in row._mapping.items() if k != "tenant_id"} if row else None

    async def import_status(self, import_id: str) -> dict[str, Any] | None:
        """An import's progress and what it did, or None."""
        i = imports.c
        row = (
            await self.uow.session.execute(
                sa.select(
                    i.import_id, i.status, i.total, i.done, i.counts, i.created_at, i.finished_at
                ).where(i.tenant_id == self.tenant, i.import_id == import_id)
            )
        ).first()
        return dict(row._mapping) if row else None

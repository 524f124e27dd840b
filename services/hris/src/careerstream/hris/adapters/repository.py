"""The SQL of the gateway's notifications and settings: sources, deliveries, job mappings, the
people it knows, notifications held for later, and imports' progress."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.hris.adapters.orm import (
    deliveries,
    import_rows,
    imports,
    job_mappings,
    people,
    scheduled,
    sources,
)
from careerstream.hris.domain.directory import Person
from careerstream.hris.domain.exports import LineError, Row, twice, unknown_manager
from careerstream.hris.domain.records import Notification, Record
from careerstream.servicekit.db import among, copy_records
from careerstream.servicekit.uow import UnitOfWork

LEASE = sa.text("interval '60 seconds'")
"""How long a replica holds an import it runs before another may take it over."""

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
        row.work_email,
        row.performance,
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
                sa.select(people, job_mappings.c.role_id)
                .outerjoin(
                    job_mappings,
                    sa.and_(
                        job_mappings.c.tenant_id == people.c.tenant_id,
                        job_mappings.c.job_code == people.c.job_code,
                    ),
                )
                .where(people.c.tenant_id == self.tenant, people.c.employee_id == employee_id)
            )
        ).first()
        return {k: v for k, v in row._mapping.items() if k != "tenant_id"} if row else None

    async def directory(
        self,
        *,
        under: str | None,
        query: str | None,
        limit: int,
        after: str | None,
        direct: bool = False,
    ) -> list[dict[str, Any]]:
        """Active people by employee id: everyone, or (`under`) the reports of one manager,
        direct and indirect (`direct`: direct only); `query` matches the start of an id or
        any part of a name."""
        p = people.c
        cols = (
            p.employee_id,
            p.display_name,
            p.job_title,
            p.job_code,
            job_mappings.c.role_id,
            p.manager_id,
            p.department_id,
        )
        if under is not None and direct:
            scope: sa.ColumnElement[bool] = p.manager_id == under
        elif under is not None:
            tree = (
                sa.select(p.employee_id)
                .where(p.tenant_id == self.tenant, p.manager_id == under)
                .cte("tree", recursive=True)
            )
            tree = tree.union(
                sa.select(p.employee_id).where(
                    p.tenant_id == self.tenant, p.manager_id == tree.c.employee_id
                )
            )
            scope = p.employee_id.in_(sa.select(tree.c.employee_id))
        else:
            scope = sa.true()
        stmt = (
            sa.select(*cols)
            .outerjoin(
                job_mappings,
                sa.and_(
                    job_mappings.c.tenant_id == p.tenant_id, job_mappings.c.job_code == p.job_code
                ),
            )
            .where(p.tenant_id == self.tenant, p.active, scope)
            .order_by(p.employee_id)
            .limit(limit)
        )
        if after is not None:
            stmt = stmt.where(p.employee_id > after)
        if query:
            like = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(
                sa.or_(
                    p.employee_id.ilike(f"{like}%", escape="\\"),
                    p.display_name.ilike(f"%{like}%", escape="\\"),
                )
            )
        rows = await self.uow.session.execute(stmt)
        return [dict(r._mapping) for r in rows]

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

    async def known_ids(self) -> set[str]:
        """Every employee id the gateway knows for the tenant."""
        found = await self.uow.session.scalars(
            sa.select(people.c.employee_id).where(people.c.tenant_id == self.tenant)
        )
        return set(found.all())

    async def active_among(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are employed now."""
        found = await self.uow.session.scalars(
            sa.select(people.c.employee_id).where(
                people.c.tenant_id == self.tenant, people.c.active, among(people.c.employee_id, ids)
            )
        )
        return set(found.all())

    async def new_import(self, now: datetime) -> str:
        """Record a pending import with no rows yet; returns its id."""
        import_id = f"imp-{uuid.uuid4().hex[:12]}"
        await self.uow.session.execute(
            sa.insert(imports).values(
                tenant_id=self.tenant,
                import_id=import_id,
                status="pending",
                total=0,
                done=0,
                counts={},
                created_at=now,
            )
        )
        return import_id

    async def add_import_rows(self, import_id: str, rows: Sequence[Row]) -> None:
        """Add rows to an import (one binary COPY)."""
        await copy_records(
            self.uow.session,
            import_rows.name,
            ("tenant_id", "import_id", "line", "employee_id", "record", "hire_date"),
            [
                (
                    self.tenant,
                    import_id,
                    r.line,
                    r.record.employee_id,
                    json.dumps(r.record.as_dict()),
                    r.hire_date,
                )
                for r in rows
            ],
            schema=import_rows.schema,
        )

    async def import_id_errors(self, import_id: str) -> list[LineError]:
        """What `exports.Checked(track_ids=False)` leaves to the database, for an import's rows:
        an employee id repeated (each line after its first), and a manager named on the first
        line of an id who is neither in the file nor known to the gateway."""
        r = import_rows.c
        mine = (r.tenant_id == self.tenant, r.import_id == import_id)
        first = sa.func.min(r.line).over(partition_by=r.employee_id).label("first")
        lines = sa.select(r.line, r.employee_id, first).where(*mine).subquery()
        repeated = await self.uow.session.execute(
            sa.select(lines.c.line, lines.c.employee_id, lines.c.first).where(
                lines.c.line > lines.c.first
            )
        )
        errors = [twice(line, emp, first) for line, emp, first in repeated]
        firsts = (
            sa.select(r.line, r.employee_id, r.record["manager_id"].astext.label("manager_id"))
            .where(*mine)
            .ext(distinct_on(r.employee_id))
            .order_by(r.employee_id, r.line)
            .subquery()
        )
        listed = import_rows.alias("listed")
        unknown = await self.uow.session.execute(
            sa.select(firsts.c.line, firsts.c.manager_id).where(
                firsts.c.manager_id.is_not(None),
                firsts.c.manager_id != firsts.c.employee_id,
                ~sa.exists().where(
                    listed.c.tenant_id == self.tenant,
                    listed.c.import_id == import_id,
                    listed.c.employee_id == firsts.c.manager_id,
                ),
                ~sa.exists().where(
                    people.c.tenant_id == self.tenant, people.c.employee_id == firsts.c.manager_id
                ),
            )
        )
        errors += [unknown_manager(line, manager) for line, manager in unknown]
        return errors

    async def import_total(self, import_id: str, total: int) -> None:
        """Record how many rows an import has (once they are all added)."""
        await self.uow.session.execute(
            sa.update(imports)
            .where(imports.c.tenant_id == self.tenant, imports.c.import_id == import_id)
            .values(total=total)
        )

    async def import_job(self, import_id: str) -> Any:
        """An import's row: its progress and counts."""
        return (
            await self.uow.session.execute(
                sa.select(imports).where(
                    imports.c.tenant_id == self.tenant, imports.c.import_id == import_id
                )
            )
        ).one()

    async def import_chunk(self, import_id: str, after_line: int, limit: int) -> list[Any]:
        """The next `limit` rows of an import after `after_line`, in file order."""
        r = import_rows.c
        return list(
            await self.uow.session.execute(
                sa.select(r.line, r.employee_id, r.record, r.hire_date)
                .where(r.tenant_id == self.tenant, r.import_id == import_id, r.line > after_line)
                .order_by(r.line)
                .limit(limit)
            )
        )

    async def absent_from_import(self, import_id: str, after_id: str, limit: int) -> list[str]:
        """Up to `limit` people employed now (by id, after `after_id`) whom the import omits."""
        p, r = people.c, import_rows.c
        found = await self.uow.session.scalars(
            sa.select(p.employee_id)
            .where(
                p.tenant_id == self.tenant,
                p.active,
                p.employee_id > after_id,
                ~sa.exists().where(
                    r.tenant_id == self.tenant,
                    r.import_id == import_id,
                    r.employee_id == p.employee_id,
                ),
            )
            .order_by(p.employee_id)
            .limit(limit)
        )
        return list(found.all())

    async def import_progress(
        self, import_id: str, done: int, counts: dict[str, int], after_line: int
    ) -> None:
        """Record how far an import is (`after_line`: the last line applied), and renew its
        lease."""
        await self.uow.session.execute(
            sa.update(imports)
            .where(imports.c.tenant_id == self.tenant, imports.c.import_id == import_id)
            .values(
                done=done,
                counts=counts,
                after_line=after_line,
                status="running",
                claimed_until=sa.func.now() + LEASE,
            )
        )

    async def import_done(self, import_id: str, counts: dict[str, int], now: datetime) -> None:
        """Mark an import finished, with what it did, and let its rows go."""
        await self.uow.session.execute(
            sa.update(imports)
            .where(imports.c.tenant_id == self.tenant, imports.c.import_id == import_id)
            .values(counts=counts, status="done", finished_at=now)
        )
        await self.uow.session.execute(
            sa.delete(import_rows).where(
                import_rows.c.tenant_id == self.tenant, import_rows.c.import_id == import_id
            )
        )


async def claim_import(uow: UnitOfWork) -> tuple[str, str] | None:
    """Take a pending import, or one whose runner's lease ran out: (tenant, import id)."""
    pending = (
        await uow.session.execute(
            sa.update(imports)
            .where(
                sa.or_(
                    imports.c.status == "pending",
                    sa.and_(imports.c.status == "running", imports.c.claimed_until < sa.func.now()),
                )
            )
            .values(status="running", claimed_until=sa.func.now() + LEASE)
            .returning(imports.c.tenant_id, imports.c.import_id)
        )
    ).first()
    return (pending.tenant_id, pending.import_id) if pending is not None else None


async def take_due(uow: UnitOfWork, today: date, limit: int) -> list[tuple[int, str, Notification]]:
    """Held notifications due by `today`, oldest first, locked (others' locked ones skipped):
    (id, tenant, notification)."""
    rows = await uow.session.execute(
        sa.select(scheduled)
        .where(scheduled.c.due <= today)
        .order_by(scheduled.c.due, scheduled.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [(r.id, r.tenant_id, Notification.from_dict(r.notification)) for r in rows.all()]


async def forget_held(uow: UnitOfWork, ids: Sequence[int]) -> None:
    """Delete held notifications once applied."""
    await uow.session.execute(sa.delete(scheduled).where(among(scheduled.c.id, ids)))

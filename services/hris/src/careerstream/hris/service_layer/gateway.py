"""From vendor notifications and full exports to canonical HRIS events, through the outbox.

A notification effective today or earlier is applied at once: merged into the
person's record, and the difference published (employee.hired, .changed with
exactly the fields that changed, or .terminated). One effective in the future
is held in `scheduled` and applied the day it takes effect. The job code maps
to a framework role through `job_mappings` (unmapped codes leave the role out).
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.events import hris as ev
from careerstream.hris.adapters.orm import (
    deliveries,
    imports,
    job_mappings,
    people,
    scheduled,
    sources,
)
from careerstream.hris.domain.exports import Row
from careerstream.hris.domain.records import DETAIL_OF, Kind, Notification, Record, changes
from careerstream.servicekit.uow import UnitOfWork, UowFactory

log = logging.getLogger(__name__)


LEASE = sa.text("interval '60 seconds'")


def _now() -> datetime:
    return datetime.now(UTC)


async def secret_for(uow: UnitOfWork, tenant: str, vendor: str) -> str | None:
    value: str | None = await uow.session.scalar(
        sa.select(sources.c.secret).where(sources.c.tenant_id == tenant, sources.c.vendor == vendor)
    )
    return value


async def new_secret(uow: UnitOfWork, tenant: str, vendor: str) -> str:
    secret = secrets.token_urlsafe(32)
    stmt = pg_insert(sources).values(
        tenant_id=tenant, vendor=vendor, secret=secret, created_at=_now()
    )
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[sources.c.tenant_id, sources.c.vendor],
            set_={"secret": stmt.excluded.secret, "created_at": stmt.excluded.created_at},
        )
    )
    return secret


async def first_delivery(uow: UnitOfWork, tenant: str, vendor: str, delivery_id: str) -> bool:
    inserted = await uow.session.execute(
        pg_insert(deliveries)
        .values(tenant_id=tenant, vendor=vendor, delivery_id=delivery_id, received_at=_now())
        .on_conflict_do_nothing()
        .returning(deliveries.c.delivery_id)
    )
    return inserted.first() is not None


async def _role_of(uow: UnitOfWork, tenant: str, job_code: str | None) -> str | None:
    if job_code is None:
        return None
    role: str | None = await uow.session.scalar(
        sa.select(job_mappings.c.role_id).where(
            job_mappings.c.tenant_id == tenant, job_mappings.c.job_code == job_code
        )
    )
    return role


def _record(row: Any) -> Record:
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


async def _details(
    uow: UnitOfWork, tenant: str, r: Record, fields: list[str] | None = None
) -> tuple[ev.EmploymentDetails, list[str]]:
    """Canonical details of `r` (only `fields` when given) and the names of the detail fields."""
    values: dict[str, Any] = {}
    names: list[str] = []
    for f in fields if fields is not None else list(DETAIL_OF):
        if f not in DETAIL_OF:
            continue
        detail = DETAIL_OF[f]
        value = getattr(r, f)
        values[detail] = (value or None) if f == "groups" else value
        names.append(detail)
        if f == "job_code":
            values["role_id"] = await _role_of(uow, tenant, r.job_code)
            names.append("role_id")
    return ev.EmploymentDetails(**values), names


async def apply(
    uow: UnitOfWork, tenant: str, n: Notification, *, source: str, today: date | None = None
) -> str:
    """Apply (or hold) one notification; returns hired, changed, terminated, unchanged or held."""
    today = today or _now().date()
    if n.effective_date > today:
        await uow.session.execute(
            sa.insert(scheduled).values(
                tenant_id=tenant,
                due=n.effective_date,
                notification=n.as_dict(),
                source=source,
                created_at=_now(),
            )
        )
        return "held"
    row = (
        await uow.session.execute(
            sa.select(people)
            .where(people.c.tenant_id == tenant, people.c.employee_id == n.employee_id)
            .with_for_update()
        )
    ).first()
    now = _now()
    if n.kind is Kind.TERMINATE:
        if row is None or not row.active:
            return "unchanged"
        await uow.session.execute(
            sa.update(people)
            .where(people.c.tenant_id == tenant, people.c.employee_id == n.employee_id)
            .values(active=False, updated_at=now)
        )
        uow.publish(
            ev.EmployeeTerminated(
                employee_id=n.employee_id,
                effective_date=n.effective_date,
                recorded_at=now,
                voluntary=bool(n.voluntary),
                reason=n.reason,
            ),
            tenant_id=tenant,
        )
        return "terminated"
    old = _record(row) if row is not None else Record(n.employee_id)
    new = old.merged(n.values)
    if row is None or not row.active:
        await _save(uow, tenant, new, active=True, hired_on=n.effective_date, insert=row is None)
        details, _ = await _details(uow, tenant, new)
        uow.publish(
            ev.EmployeeHired(
                employee_id=n.employee_id,
                effective_date=n.effective_date,
                recorded_at=now,
                display_name=new.display_name,
                details=details,
            ),
            tenant_id=tenant,
        )
        return "hired"
    changed = changes(old, new)
    if not changed:
        return "unchanged"
    await _save(uow, tenant, new, active=True, hired_on=row.hired_on, insert=False)
    details, names = await _details(uow, tenant, new, [f for f in changed if f in DETAIL_OF])
    if names:
        uow.publish(
            ev.EmployeeChanged(
                employee_id=n.employee_id,
                effective_date=n.effective_date,
                recorded_at=now,
                changed_fields=names,
                details=details,
            ),
            tenant_id=tenant,
        )
    return "changed"


async def _save(
    uow: UnitOfWork, tenant: str, r: Record, *, active: bool, hired_on: date | None, insert: bool
) -> None:
    values = {**r.as_dict(), "active": active, "hired_on": hired_on, "updated_at": _now()}
    if insert:
        await uow.session.execute(
            sa.insert(people).values(tenant_id=tenant, employee_id=r.employee_id, **values)
        )
    else:
        await uow.session.execute(
            sa.update(people)
            .where(people.c.tenant_id == tenant, people.c.employee_id == r.employee_id)
            .values(**values)
        )


# -- what is held ------------------------------------------------------------------------------


async def release_due(uow_factory: UowFactory, today: date | None = None, limit: int = 500) -> int:
    """Apply the held notifications that take effect today or earlier (oldest first)."""
    today = today or _now().date()
    released = 0
    while True:
        async with uow_factory() as uow:
            rows = (
                await uow.session.execute(
                    sa.select(scheduled)
                    .where(scheduled.c.due <= today)
                    .order_by(scheduled.c.due, scheduled.c.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return released
            for r in rows:
                await apply(
                    uow,
                    r.tenant_id,
                    Notification.from_dict(r.notification),
                    source=r.source,
                    today=today,
                )
            await uow.session.execute(
                sa.delete(scheduled).where(scheduled.c.id.in_([r.id for r in rows]))
            )
            await uow.commit()
            released += len(rows)


def releaser(
    uow_factory: UowFactory, every_seconds: float
) -> Callable[[Any], Coroutine[Any, Any, None]]:
    import asyncio
    import contextlib

    async def job(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                n = await release_due(uow_factory)
                if n:
                    log.info("released %d held notification(s)", n)
            except Exception as exc:
                log.warning("releasing held notifications failed: %r", exc)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), every_seconds)

    return job


# -- full exports --------------------------------------------------------------------------


async def known_ids(uow: UnitOfWork, tenant: str) -> set[str]:
    return set(
        (
            await uow.session.scalars(
                sa.select(people.c.employee_id).where(people.c.tenant_id == tenant)
            )
        ).all()
    )


async def start_import(uow: UnitOfWork, tenant: str, rows: list[Row]) -> str:
    import_id = f"imp-{uuid.uuid4().hex[:12]}"
    await uow.session.execute(
        sa.insert(imports).values(
            tenant_id=tenant,
            import_id=import_id,
            status="pending",
            rows=[
                {
                    "line": r.line,
                    "record": r.record.as_dict() | {"employee_id": r.record.employee_id},
                    "hire_date": r.hire_date.isoformat() if r.hire_date else None,
                }
                for r in rows
            ],
            total=len(rows),
            done=0,
            counts={},
            created_at=_now(),
        )
    )
    return import_id


async def run_import(
    uow_factory: UowFactory, tenant: str, import_id: str, chunk: int = 1000
) -> dict[str, int]:
    """Apply an import chunk by chunk (each chunk commits its events and its progress together),
    then terminate whoever is active and absent from the file. Resumable after a crash."""
    async with uow_factory() as uow:
        job = (
            await uow.session.execute(
                sa.select(imports).where(
                    imports.c.tenant_id == tenant, imports.c.import_id == import_id
                )
            )
        ).one()
    rows: list[dict[str, Any]] = job.rows
    counts: dict[str, int] = dict(job.counts or {})
    done = job.done
    today = _now().date()
    while done < len(rows):
        async with uow_factory() as uow:
            for item in rows[done : done + chunk]:
                rec = item["record"]
                hire = date.fromisoformat(item["hire_date"]) if item.get("hire_date") else None
                values = {k: v for k, v in rec.items() if k != "employee_id"}
                exists = await uow.session.scalar(
                    sa.select(people.c.active).where(
                        people.c.tenant_id == tenant, people.c.employee_id == rec["employee_id"]
                    )
                )
                kind = Kind.CHANGE if exists else Kind.HIRE
                effective = hire if kind is Kind.HIRE and hire is not None else today
                outcome = await apply(
                    uow,
                    tenant,
                    Notification(kind, rec["employee_id"], effective, values),
                    source=f"import:{import_id}",
                    today=today,
                )
                counts[outcome] = counts.get(outcome, 0) + 1
            done = min(len(rows), done + chunk)
            await uow.session.execute(
                sa.update(imports)
                .where(imports.c.tenant_id == tenant, imports.c.import_id == import_id)
                .values(
                    done=done, counts=counts, status="running", claimed_until=sa.func.now() + LEASE
                )
            )
            await uow.commit()
    async with uow_factory() as uow:
        present = [item["record"]["employee_id"] for item in rows]
        leavers = (
            await uow.session.scalars(
                sa.select(people.c.employee_id).where(
                    people.c.tenant_id == tenant,
                    people.c.active,
                    people.c.employee_id.not_in(present),
                )
            )
        ).all()
        for emp in leavers:
            outcome = await apply(
                uow,
                tenant,
                Notification(
                    Kind.TERMINATE,
                    emp,
                    today,
                    voluntary=False,
                    reason="absent from the full export",
                ),
                source=f"import:{import_id}",
                today=today,
            )
            counts[outcome] = counts.get(outcome, 0) + 1
        await uow.session.execute(
            sa.update(imports)
            .where(imports.c.tenant_id == tenant, imports.c.import_id == import_id)
            .values(counts=counts, status="done", finished_at=_now())
        )
        await uow.commit()
    return counts


def importer(
    uow_factory: UowFactory, every_seconds: float
) -> Callable[[Any], Coroutine[Any, Any, None]]:
    """A background job: run pending (or interrupted) imports to the end."""
    import asyncio
    import contextlib

    async def job(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                async with uow_factory() as uow:
                    # A lease: a replica that dies mid-import leaves it to another after a minute.
                    pending = (
                        await uow.session.execute(
                            sa.update(imports)
                            .where(
                                sa.or_(
                                    imports.c.status == "pending",
                                    sa.and_(
                                        imports.c.status == "running",
                                        imports.c.claimed_until < sa.func.now(),
                                    ),
                                )
                            )
                            .values(status="running", claimed_until=sa.func.now() + LEASE)
                            .returning(imports.c.tenant_id, imports.c.import_id)
                        )
                    ).first()
                    await uow.commit()
                if pending is not None:
                    await run_import(uow_factory, pending.tenant_id, pending.import_id)
                    continue
            except Exception as exc:
                log.warning("import round failed: %r", exc)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), every_seconds)

    return job

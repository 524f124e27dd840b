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
from collections.abc import Sequence
from dataclasses import dataclass
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
from careerstream.servicekit import periodic
from careerstream.servicekit.db import among
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


async def _roles_of(uow: UnitOfWork, tenant: str, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = await uow.session.execute(
        sa.select(job_mappings.c.job_code, job_mappings.c.role_id).where(
            job_mappings.c.tenant_id == tenant, job_mappings.c.job_code.in_(sorted(codes))
        )
    )
    return {code: role for code, role in rows}


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


def _details(
    r: Record, roles: dict[str, str], fields: list[str] | None = None
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
            values["role_id"] = roles.get(r.job_code) if r.job_code else None
            names.append("role_id")
    return ev.EmploymentDetails(**values), names


@dataclass
class _Person:
    record: Record
    active: bool
    hired_on: date | None
    dirty: bool = False


_upsert = pg_insert(people)
_save_people = _upsert.on_conflict_do_update(
    index_elements=[people.c.tenant_id, people.c.employee_id],
    set_={
        c.name: _upsert.excluded[c.name]
        for c in people.columns
        if c.name not in ("tenant_id", "employee_id")
    },
)


async def apply(
    uow: UnitOfWork, tenant: str, n: Notification, *, source: str, today: date | None = None
) -> str:
    """Apply (or hold) one notification; returns hired, changed, terminated, unchanged or held."""
    return (await apply_many(uow, tenant, [n], source=source, today=today))[0]


async def apply_many(
    uow: UnitOfWork,
    tenant: str,
    notifications: Sequence[Notification],
    *,
    source: str,
    today: date | None = None,
) -> list[str]:
    """Apply (or hold) notifications in order, in a few statements whatever their number.

    Returns each one's outcome: hired, changed, terminated, unchanged or held. The
    people concerned are read (and locked) at once, the notifications are applied
    to them in memory in order (a later one sees an earlier one's effect), then the
    rows are written at once and the events published in the same order.
    """
    today = today or _now().date()
    now = _now()
    held = [n for n in notifications if n.effective_date > today]
    if held:
        await uow.session.execute(
            sa.insert(scheduled),
            [
                {
                    "tenant_id": tenant,
                    "due": n.effective_date,
                    "notification": n.as_dict(),
                    "source": source,
                    "created_at": now,
                }
                for n in held
            ],
        )
    ids = sorted({n.employee_id for n in notifications if n.effective_date <= today})
    state: dict[str, _Person] = {}
    if ids:
        rows = await uow.session.execute(
            sa.select(people)
            .where(people.c.tenant_id == tenant, among(people.c.employee_id, ids))
            .order_by(people.c.employee_id)
            .with_for_update()
        )
        state = {r.employee_id: _Person(_record(r), r.active, r.hired_on) for r in rows}

    outcomes: list[str] = []
    # (outcome, notification, record after, changed fields) of each applied notification
    applied: list[tuple[str, Notification, Record, list[str]]] = []
    for n in notifications:
        if n.effective_date > today:
            outcomes.append("held")
            continue
        person = state.get(n.employee_id)
        if n.kind is Kind.TERMINATE:
            if person is None or not person.active:
                outcomes.append("unchanged")
                continue
            person.active, person.dirty = False, True
            outcomes.append("terminated")
            applied.append(("terminated", n, person.record, []))
            continue
        old = person.record if person is not None else Record(n.employee_id)
        new = old.merged(n.values)
        if person is None or not person.active:
            state[n.employee_id] = _Person(new, True, n.effective_date, dirty=True)
            outcomes.append("hired")
            applied.append(("hired", n, new, []))
            continue
        changed = changes(old, new)
        if not changed:
            outcomes.append("unchanged")
            continue
        person.record, person.dirty = new, True
        outcomes.append("changed")
        applied.append(("changed", n, new, [f for f in changed if f in DETAIL_OF]))

    dirty = [p for p in state.values() if p.dirty]
    if dirty:
        await uow.session.execute(
            _save_people,
            [
                {
                    "tenant_id": tenant,
                    "employee_id": p.record.employee_id,
                    **p.record.as_dict(),
                    "active": p.active,
                    "hired_on": p.hired_on,
                    "updated_at": now,
                }
                for p in dirty
            ],
        )
    roles = await _roles_of(
        uow,
        tenant,
        {r.job_code for kind, _, r, _ in applied if kind != "terminated" and r.job_code},
    )
    for kind, n, r, fields in applied:
        if kind == "terminated":
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
        elif kind == "hired":
            details, _ = _details(r, roles)
            uow.publish(
                ev.EmployeeHired(
                    employee_id=n.employee_id,
                    effective_date=n.effective_date,
                    recorded_at=now,
                    display_name=r.display_name,
                    details=details,
                ),
                tenant_id=tenant,
            )
        else:
            details, names = _details(r, roles, fields)
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
    return outcomes


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
            by_tenant: dict[str, list[Notification]] = {}
            for r in rows:  # in due order; tenants are independent of one another
                by_tenant.setdefault(r.tenant_id, []).append(Notification.from_dict(r.notification))
            for tenant, notifications in by_tenant.items():
                await apply_many(uow, tenant, notifications, source="scheduled", today=today)
            await uow.session.execute(
                sa.delete(scheduled).where(among(scheduled.c.id, [r.id for r in rows]))
            )
            await uow.commit()
            released += len(rows)


def releaser(uow_factory: UowFactory, every_seconds: float) -> periodic.Job:
    """A background job: apply held notifications as they fall due."""

    async def round_() -> None:
        n = await release_due(uow_factory)
        if n:
            log.info("released %d held notification(s)", n)

    return periodic.every(every_seconds, round_, name="releasing held notifications", log=log)


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
            items = rows[done : done + chunk]
            active = set(
                (
                    await uow.session.scalars(
                        sa.select(people.c.employee_id).where(
                            people.c.tenant_id == tenant,
                            people.c.active,
                            among(
                                people.c.employee_id, [i["record"]["employee_id"] for i in items]
                            ),
                        )
                    )
                ).all()
            )
            notifications = []
            for item in items:
                rec = item["record"]
                hire = date.fromisoformat(item["hire_date"]) if item.get("hire_date") else None
                values = {k: v for k, v in rec.items() if k != "employee_id"}
                kind = Kind.CHANGE if rec["employee_id"] in active else Kind.HIRE
                effective = hire if kind is Kind.HIRE and hire is not None else today
                notifications.append(Notification(kind, rec["employee_id"], effective, values))
            for outcome in await apply_many(
                uow, tenant, notifications, source=f"import:{import_id}", today=today
            ):
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
        present = {item["record"]["employee_id"] for item in rows}
        active_now = (
            await uow.session.scalars(
                sa.select(people.c.employee_id)
                .where(people.c.tenant_id == tenant, people.c.active)
                .order_by(people.c.employee_id)
            )
        ).all()
        # In memory, not `NOT IN (...)`: a large company's ids exceed a statement's parameters.
        leavers = [emp for emp in active_now if emp not in present]
        gone = [
            Notification(
                Kind.TERMINATE, emp, today, voluntary=False, reason="absent from the full export"
            )
            for emp in leavers
        ]
        for outcome in await apply_many(
            uow, tenant, gone, source=f"import:{import_id}", today=today
        ):
            counts[outcome] = counts.get(outcome, 0) + 1
        await uow.session.execute(
            sa.update(imports)
            .where(imports.c.tenant_id == tenant, imports.c.import_id == import_id)
            .values(counts=counts, status="done", finished_at=_now())
        )
        await uow.commit()
    return counts


def importer(uow_factory: UowFactory, every_seconds: float) -> periodic.Job:
    """A background job: run pending (or interrupted) imports to the end."""

    async def round_() -> bool:
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
        if pending is None:
            return False
        await run_import(uow_factory, pending.tenant_id, pending.import_id)
        return True

    return periodic.every(every_seconds, round_, name="import", log=log)

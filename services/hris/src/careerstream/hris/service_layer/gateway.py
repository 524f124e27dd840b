"""From vendor notifications and full exports to canonical HRIS events, through the outbox.

A notification effective today or earlier is applied at once: merged into the
person's record, and the difference published (employee.hired, .changed with
exactly the fields that changed, or .terminated). One effective in the future
is held in `scheduled` and applied the day it takes effect. The job code maps
to a framework role through `job_mappings` (unmapped codes leave the role out).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from careerstream.hris.adapters.repository import Gateway, claim_import, forget_held, take_due
from careerstream.hris.domain import exports
from careerstream.hris.domain.directory import decide, events, job_codes
from careerstream.hris.domain.exports import Row
from careerstream.hris.domain.records import Kind, Notification
from careerstream.hris.service_layer import surveys
from careerstream.servicekit import clock, periodic
from careerstream.servicekit.uow import UnitOfWork, UowFactory

log = logging.getLogger(__name__)


def _now() -> datetime:
    return clock.now()  # business time (servicekit.clock)


async def secret_for(uow: UnitOfWork, tenant: str, vendor: str) -> str | None:
    """The shared secret of a vendor's webhooks, if the source is set up."""
    return await Gateway(uow, tenant).secret_for(vendor)


async def new_secret(uow: UnitOfWork, tenant: str, vendor: str) -> str:
    """Set up (or rotate) a vendor source; returns its new secret."""
    return await Gateway(uow, tenant).new_secret(vendor, _now())


async def first_delivery(uow: UnitOfWork, tenant: str, vendor: str, delivery_id: str) -> bool:
    """Remember a delivery; False when it was delivered before (a vendor retry)."""
    return await Gateway(uow, tenant).first_delivery(vendor, delivery_id, _now())


async def put_mapping(uow: UnitOfWork, tenant: str, job_code: str, role_id: str) -> None:
    """Map an HRIS job code to a framework role (later events carry the role)."""
    await Gateway(uow, tenant).put_mapping(job_code, role_id)


async def mappings(uow: UnitOfWork, tenant: str) -> dict[str, str]:
    """The tenant's job code mappings."""
    return await Gateway(uow, tenant).mappings()


async def import_status(uow: UnitOfWork, tenant: str, import_id: str) -> dict[str, Any] | None:
    """An import's progress and what it did, or None."""
    return await Gateway(uow, tenant).import_status(import_id)


async def person(uow: UnitOfWork, tenant: str, employee_id: str) -> dict[str, Any] | None:
    """The gateway's current record of a person, or None."""
    return await Gateway(uow, tenant).person(employee_id)


async def directory(
    uow: UnitOfWork,
    tenant: str,
    *,
    under: str | None,
    query: str | None,
    limit: int,
    after: str | None,
    direct: bool = False,
) -> list[dict[str, Any]]:
    """Active people, all of them or the reports (direct and indirect, or `direct` only) of
    `under`."""
    return await Gateway(uow, tenant).directory(
        under=under, query=query, limit=limit, after=after, direct=direct
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
    gateway = Gateway(uow, tenant)
    await gateway.hold([n for n in notifications if n.effective_date > today], source, now)
    state = await gateway.lock_people(
        sorted({n.employee_id for n in notifications if n.effective_date <= today})
    )
    outcomes, applied = decide(notifications, state, today)
    await gateway.save_people([p for p in state.values() if p.dirty], now)
    roles = await gateway.roles_of(job_codes(applied))
    uow.publish_all(events(applied, roles, now), tenant_id=tenant)
    # Joiners, and people moved into a pulse's department or role, are asked too.
    moved = [
        n.employee_id
        for n, o in zip(notifications, outcomes, strict=True)
        if o.value in ("hired", "changed")
    ]
    await surveys.invite_newcomers(uow, tenant, moved)
    return [o.value for o in outcomes]


# -- what is held ------------------------------------------------------------------------------


async def release_due(uow_factory: UowFactory, today: date | None = None, limit: int = 500) -> int:
    """Apply the held notifications that take effect today or earlier (oldest first)."""
    today = today or _now().date()
    released = 0
    while True:
        async with uow_factory() as uow:
            due = await take_due(uow, today, limit)
            if not due:
                return released
            by_tenant: dict[str, list[Notification]] = {}
            for _, tenant, n in due:  # in due order; tenants are independent of one another
                by_tenant.setdefault(tenant, []).append(n)
            for tenant, notifications in by_tenant.items():
                await apply_many(uow, tenant, notifications, source="scheduled", today=today)
            await forget_held(uow, [i for i, _, _ in due])
            await uow.commit()
            released += len(due)


def releaser(uow_factory: UowFactory, every_seconds: float) -> periodic.Job:
    """A background job: apply held notifications as they fall due."""

    async def round_() -> None:
        n = await release_due(uow_factory)
        if n:
            log.info("released %d held notification(s)", n)

    return periodic.every(every_seconds, round_, name="releasing held notifications", log=log)


# -- full exports --------------------------------------------------------------------------


COPY_ROWS = 5000
"""Rows of an export written at a time while it is read."""


async def start_import(
    uow: UnitOfWork, tenant: str, body: str | bytes, fmt: str
) -> tuple[str, int]:
    """Read and check a full export row by row, writing its rows as a pending import in this
    transaction; returns (import id, rows). Raises `exports.ExportInvalid` (every error by
    line) and then the caller rolls back: nothing of a bad file is kept."""
    gateway = Gateway(uow, tenant)
    checked = exports.Checked(body, fmt, track_ids=False)  # the ids are checked in SQL
    import_id = await gateway.new_import(_now())
    batch: list[Row] = []
    for row in checked:
        batch.append(row)
        if len(batch) == COPY_ROWS:
            await gateway.add_import_rows(import_id, batch)
            batch.clear()
    if batch:
        await gateway.add_import_rows(import_id, batch)
    errors = checked.finish_with(await gateway.import_id_errors(import_id))
    if errors:
        raise exports.ExportInvalid(errors)
    await gateway.import_total(import_id, checked.rows)
    return import_id, checked.rows


async def run_import(
    uow_factory: UowFactory, tenant: str, import_id: str, chunk: int = 1000
) -> dict[str, int]:
    """Apply an import chunk by chunk (each chunk commits its events and its progress together),
    then terminate whoever is active and absent from the file, a chunk at a time too. Resumable
    after a crash; the rows are read a chunk at a time, and let go when it is done.

    Under the test clock the import happens at the business time it was submitted at, as the
    request that submitted it did (servicekit.clock)."""
    async with uow_factory() as uow:
        job = await Gateway(uow, tenant).import_job(import_id)
    with clock.at(job.created_at):
        return await _run_import(uow_factory, tenant, import_id, job, chunk)


async def _run_import(
    uow_factory: UowFactory, tenant: str, import_id: str, job: Any, chunk: int
) -> dict[str, int]:
    counts: dict[str, int] = dict(job.counts or {})
    done = job.done
    today = _now().date()
    source = f"import:{import_id}"
    after = job.after_line
    while True:
        async with uow_factory() as uow:
            gateway = Gateway(uow, tenant)
            items = await gateway.import_chunk(import_id, after, chunk)
            if not items:
                break
            active = await gateway.active_among([i.employee_id for i in items])
            notifications = []
            for item in items:
                kind = Kind.CHANGE if item.employee_id in active else Kind.HIRE
                hire = item.hire_date
                effective = hire if kind is Kind.HIRE and hire is not None else today
                notifications.append(Notification(kind, item.employee_id, effective, item.record))
            for outcome in await apply_many(uow, tenant, notifications, source=source, today=today):
                counts[outcome] = counts.get(outcome, 0) + 1
            done += len(items)
            after = items[-1].line
            await gateway.import_progress(import_id, done, counts, after)
            await uow.commit()
    last = ""
    while True:  # whoever is employed and absent from the file leaves
        async with uow_factory() as uow:
            gateway = Gateway(uow, tenant)
            leavers = await gateway.absent_from_import(import_id, last, chunk)
            if not leavers:
                await gateway.import_done(import_id, counts, _now())
                await uow.commit()
                return counts
            gone = [
                Notification(
                    Kind.TERMINATE,
                    emp,
                    today,
                    voluntary=False,
                    reason="absent from the full export",
                )
                for emp in leavers
            ]
            for outcome in await apply_many(uow, tenant, gone, source=source, today=today):
                counts[outcome] = counts.get(outcome, 0) + 1
            last = leavers[-1]
            await gateway.import_progress(import_id, done, counts, after)
            await uow.commit()


def importer(uow_factory: UowFactory, every_seconds: float) -> periodic.Job:
    """A background job: run pending (or interrupted) imports to the end."""

    async def round_() -> bool:
        async with uow_factory() as uow:
            # A lease: a replica that dies mid-import leaves it to another after a minute.
            pending = await claim_import(uow)
            await uow.commit()
        if pending is None:
            return False
        await run_import(uow_factory, *pending)
        return True

    return periodic.every(every_seconds, round_, name="import", log=log)

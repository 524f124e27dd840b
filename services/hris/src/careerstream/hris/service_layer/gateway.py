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


async def known_ids(uow: UnitOfWork, tenant: str) -> set[str]:
    """Every employee id the gateway knows for the tenant."""
    return await Gateway(uow, tenant).known_ids()


async def start_import(uow: UnitOfWork, tenant: str, rows: list[Row]) -> str:
    """Record a parsed full export as a pending import; returns its id."""
    return await Gateway(uow, tenant).start_import(rows, _now())


async def run_import(
    uow_factory: UowFactory, tenant: str, import_id: str, chunk: int = 1000
) -> dict[str, int]:
    """Apply an import chunk by chunk (each chunk commits its events and its progress together),
    then terminate whoever is active and absent from the file. Resumable after a crash.

    Under the test clock the import happens at the business time it was submitted at, as the
    request that submitted it did (servicekit.clock)."""
    async with uow_factory() as uow:
        job = await Gateway(uow, tenant).import_job(import_id)
    with clock.at(job.created_at):
        return await _run_import(uow_factory, tenant, import_id, job, chunk)


async def _run_import(
    uow_factory: UowFactory, tenant: str, import_id: str, job: Any, chunk: int
) -> dict[str, int]:
    rows: list[dict[str, Any]] = job.rows
    counts: dict[str, int] = dict(job.counts or {})
    done = job.done
    today = _now().date()
    while done < len(rows):
        async with uow_factory() as uow:
            items = rows[done : done + chunk]
            gateway = Gateway(uow, tenant)
            active = await gateway.active_among([i["record"]["employee_id"] for i in items])
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
            await gateway.import_progress(import_id, done, counts)
            await uow.commit()
    async with uow_factory() as uow:
        present = {item["record"]["employee_id"] for item in rows}
        active_now = await Gateway(uow, tenant).active_ids()
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
        await Gateway(uow, tenant).import_done(import_id, counts, _now())
        await uow.commit()
    return counts


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

"""The daily snapshot: each tenant's headline figures for the trailing year, once a day.

Every replica may try; the `snapshots` row (tenant, day) decides who publishes,
so there is exactly one `snapshot.taken` per tenant and day.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.events.metrics import SnapshotTaken
from careerstream.metrics.adapters.orm import employees, snapshots
from careerstream.metrics.domain.definitions import Window
from careerstream.metrics.service_layer.scope import Filters
from careerstream.metrics.service_layer.workforce import headline
from careerstream.servicekit import periodic
from careerstream.servicekit.uow import UowFactory

log = logging.getLogger(__name__)
WINDOW_DAYS = 365


async def take(uow: UowFactory, tenant: str, day: date, threshold: int) -> bool:
    """Snapshot `tenant` for `day` (figures up to the end of that day); False if one exists."""
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    f = Filters(Window(end - timedelta(days=WINDOW_DAYS), end))
    async with uow() as u:
        figures = await headline(u, tenant, f, threshold)
        now = datetime.now(UTC)
        inserted = await u.session.execute(
            pg_insert(snapshots)
            .values(tenant_id=tenant, day=day, figures=figures, taken_at=now)
            .on_conflict_do_nothing()
            .returning(snapshots.c.day)
        )
        if inserted.first() is None:
            return False
        u.publish(
            SnapshotTaken(
                snapshot_id=f"{tenant}:{day.isoformat()}",
                day=day,
                window_days=WINDOW_DAYS,
                figures=figures,
                taken_at=now,
            ),
            tenant_id=tenant,
        )
        await u.commit()
    return True


async def take_all(uow: UowFactory, day: date, threshold: int) -> int:
    """Snapshot `day` for every tenant that has none yet; returns how many were taken."""
    async with uow() as u:
        tenants = list((await u.session.scalars(sa.select(employees.c.tenant_id).distinct())).all())
    taken = 0
    for tenant in sorted(tenants):
        taken += await take(uow, tenant, day, threshold)
    return taken


def daily(uow: UowFactory, threshold: int, every_seconds: float) -> periodic.Job:
    """A background job: snapshot yesterday (a complete day) for every tenant, checking hourly."""

    async def round_() -> None:
        day = datetime.now(UTC).date() - timedelta(days=1)
        n = await take_all(uow, day, threshold)
        if n:
            log.info("took %d snapshot(s) for %s", n, day)

    return periodic.every(every_seconds, round_, name="snapshot", log=log)

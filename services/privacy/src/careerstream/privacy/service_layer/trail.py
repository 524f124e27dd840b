"""The audit trail of personal reads and writes: kept, read, and expired."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.privacy import (
    AccessRecorded,
)
from careerstream.privacy.adapters.orm import (
    access_log,
    erasures,
)
from careerstream.servicekit.uow import UnitOfWork, UowFactory

log = logging.getLogger(__name__)


# -- the audit trail ---------------------------------------------------------------------


async def on_access_batches(
    uow: UnitOfWork, batch: Sequence[tuple[Envelope, AccessRecorded]]
) -> None:
    """Keep the services' access records (one insert for a whole batch of batches)."""
    rows = [
        {
            "tenant_id": envelope.tenantid,
            "subject_id": r.subject_id,
            "actor_id": r.actor_id,
            "actor_roles": r.actor_roles,
            "action": r.action.value,
            "service": payload.service,
            "method": r.method,
            "route": r.route,
            "at": r.at,
        }
        for envelope, payload in batch
        for r in payload.records
    ]
    if not rows:
        return
    # Records that arrive after a person's erasure completed (a read just before it, flushed
    # late) must not bring them back: drop those about them, unname those by them.
    ids = sorted({r["subject_id"] for r in rows} | {r["actor_id"] for r in rows})
    erased = {
        (t, e)
        for t, e in (
            await uow.session.execute(
                sa.select(erasures.c.tenant_id, erasures.c.employee_id).where(
                    erasures.c.status == "completed",
                    erasures.c.employee_id == sa.any_(sa.cast(sa.literal(ids), ARRAY(sa.Text))),
                )
            )
        ).all()
    }
    if erased:
        rows = [r for r in rows if (r["tenant_id"], r["subject_id"]) not in erased]
        for r in rows:
            if (r["tenant_id"], r["actor_id"]) in erased:
                r["actor_id"] = "erased"
    if rows:
        await uow.session.execute(sa.insert(access_log), rows)


async def accesses(
    uow: UnitOfWork, tenant: str, subject: str, *, limit: int, before: datetime | None
) -> list[Any]:
    q = sa.select(access_log).where(
        access_log.c.tenant_id == tenant, access_log.c.subject_id == subject
    )
    if before is not None:
        q = q.where(access_log.c.at < before)
    return list((await uow.session.execute(q.order_by(access_log.c.at.desc()).limit(limit))).all())


async def expire_accesses(uow_factory: UowFactory, days: float, batch: int = 10_000) -> int:
    """Delete access records older than the retention period; returns how many."""
    async with uow_factory() as uow:
        result = await uow.session.execute(
            sa.text(
                "DELETE FROM privacy.access_log WHERE id IN (SELECT id FROM privacy.access_log "
                "WHERE at < now() - make_interval(secs => :secs) LIMIT :n)"
            ),
            {"secs": days * 86400, "n": batch},
        )
        await uow.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

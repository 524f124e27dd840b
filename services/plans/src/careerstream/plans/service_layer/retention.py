"""Retention of private notes: the notes of check-ins on plans that ended long ago expire, and
so do the notes of career conversations held long ago.

A check-in's notes are private to the employee and their managers, and useful while the
plan runs. `PLANS_NOTES_RETENTION_DAYS` after a plan ended (completed, or closed by a move,
a termination or a newer plan) they are emptied; the check-in itself (who, when, the rating)
stays, so the plan's history and the metrics do not change. 0 keeps notes forever.

A career conversation's notes are emptied `PLANS_CONVERSATION_NOTES_RETENTION_DAYS` after it
was held; that it was held, its kind and its follow-ups (which became goals) stay.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from careerstream.plans.adapters.orm import checkins, conversations, plans
from careerstream.servicekit.uow import UowFactory

BATCH = 5000


async def expire_notes(uow_factory: UowFactory, days: float, now: datetime) -> int:
    """Empty the notes of check-ins on plans that ended more than `days` ago; returns how many
    (at most `BATCH` per call: the job calls again at once while there is more)."""
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    ended = (
        sa.select(plans.c.plan_id)
        .where(
            plans.c.tenant_id == checkins.c.tenant_id,
            plans.c.plan_id == checkins.c.plan_id,
            plans.c.completed_at.is_not(None),
            plans.c.completed_at < cutoff,
        )
        .exists()
    )
    due = (
        sa.select(checkins.c.tenant_id, checkins.c.checkin_id)
        .where(checkins.c.notes != "", ended)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
        .subquery()
    )
    async with uow_factory() as uow:
        result = await uow.session.execute(
            sa.update(checkins)
            .where(
                checkins.c.tenant_id == due.c.tenant_id,
                checkins.c.checkin_id == due.c.checkin_id,
            )
            .values(notes="")
        )
        await uow.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def expire_conversation_notes(uow_factory: UowFactory, days: float, now: datetime) -> int:
    """Empty the notes of career conversations held more than `days` ago; returns how many
    (at most `BATCH` per call)."""
    if days <= 0:
        return 0
    c = conversations.c
    due = (
        sa.select(c.tenant_id, c.conversation_id)
        .where(c.notes != "", c.held_at < now - timedelta(days=days))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
        .subquery()
    )
    async with uow_factory() as uow:
        result = await uow.session.execute(
            sa.update(conversations)
            .where(c.tenant_id == due.c.tenant_id, c.conversation_id == due.c.conversation_id)
            .values(notes="")
        )
        await uow.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

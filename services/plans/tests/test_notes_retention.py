"""Private notes of check-ins on plans that ended long ago expire; everything else stays."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careerstream.devstack.testing import ServiceDatabase
from careerstream.plans.adapters.orm import checkins, conversations, plans
from careerstream.plans.service_layer.retention import expire_conversation_notes, expire_notes

pytestmark = [pytest.mark.postgres]
NOW = datetime(2026, 11, 30, tzinfo=UTC)


async def test_notes_of_long_ended_plans_are_emptied(
    service_db: Callable[[str], AbstractAsyncContextManager[ServiceDatabase]],
) -> None:
    ended = {
        "P-old": NOW - timedelta(days=800),  # ended long ago: notes expire
        "P-recent": NOW - timedelta(days=100),  # ended recently: kept
        "P-open": None,  # still running: kept
    }
    async with service_db("plans") as db:
        async with db.uow() as u:
            for pid, completed in ended.items():
                await u.session.execute(
                    sa.insert(plans).values(
                        tenant_id="acme",
                        plan_id=pid,
                        employee_id=f"E-{pid}",
                        period_start=date(2024, 1, 1),
                        period_end=date(2024, 12, 31),
                        status="completed" if completed else "active",
                        created_at=NOW - timedelta(days=900),
                        completed_at=completed,
                        outcome="completed" if completed else None,
                    )
                )
                await u.session.execute(
                    sa.insert(checkins).values(
                        tenant_id="acme",
                        checkin_id=f"C-{pid}",
                        plan_id=pid,
                        manager_id="M",
                        notes=f"private words about {pid}",
                        progress_rating=3,
                        held_at=NOW - timedelta(days=850),
                    )
                )
            await u.commit()
        assert await expire_notes(db.uow, 0, NOW) == 0  # 0: kept forever
        assert await expire_notes(db.uow, 730, NOW) == 1
        assert await expire_notes(db.uow, 730, NOW) == 0  # nothing left to do
        async with db.uow() as u:
            rows = dict(
                (await u.session.execute(sa.select(checkins.c.plan_id, checkins.c.notes))).all()
            )
        assert rows == {
            "P-old": "",
            "P-recent": "private words about P-recent",
            "P-open": "private words about P-open",
        }


async def test_notes_of_conversations_held_long_ago_are_emptied(
    service_db: Callable[[str], AbstractAsyncContextManager[ServiceDatabase]],
) -> None:
    held = {"V-old": NOW - timedelta(days=800), "V-recent": NOW - timedelta(days=30)}
    async with service_db("plans") as db:
        async with db.uow() as u:
            for cid, at in held.items():
                await u.session.execute(
                    sa.insert(conversations).values(
                        tenant_id="acme",
                        conversation_id=cid,
                        employee_id="E",
                        manager_id="M",
                        kind="career",
                        held_at=at,
                        notes=f"what was said in {cid}",
                        follow_ups=[{"text": "shadow the on-call lead", "goal_id": None}],
                    )
                )
            await u.commit()
        assert await expire_conversation_notes(db.uow, 0, NOW) == 0  # 0: kept forever
        assert await expire_conversation_notes(db.uow, 730, NOW) == 1
        assert await expire_conversation_notes(db.uow, 730, NOW) == 0
        async with db.uow() as u:
            rows = {
                r.conversation_id: (r.notes, r.kind, r.follow_ups)
                for r in await u.session.execute(sa.select(conversations))
            }
        follow_ups = [{"text": "shadow the on-call lead", "goal_id": None}]
        assert rows == {
            "V-old": ("", "career", follow_ups),  # that it was held, and what came of it, stay
            "V-recent": ("what was said in V-recent", "career", follow_ups),
        }

"""Private notes of check-ins on plans that ended long ago expire; everything else stays."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from careerstream.devstack.testing import ServiceDatabase
from careerstream.plans.adapters.orm import checkins, plans
from careerstream.plans.service_layer.retention import expire_notes

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

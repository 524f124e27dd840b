"""The gateway applies notifications on its own (real) database: events out, the future held."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from careerstream.devstack.testing import ServiceDatabase
from careerstream.hris.adapters.orm import outbox
from careerstream.hris.domain.records import Kind, Notification
from careerstream.hris.service_layer import gateway

pytestmark = pytest.mark.postgres

ServiceDb = Callable[[str], AbstractAsyncContextManager[ServiceDatabase]]
TODAY = date(2026, 5, 4)


async def _published(db: ServiceDatabase) -> list[str]:
    async with db.uow() as u:
        rows = await u.session.execute(sa.select(outbox.c.event_type).order_by(outbox.c.id))
        return [t.split(".")[3] for (t,) in rows.all()]


async def test_hires_changes_and_leavers_publish_in_order_and_the_future_waits(
    service_db: ServiceDb,
) -> None:
    async with service_db("hris") as db:
        async with db.uow() as u:
            await gateway.put_mapping(u, "acme", "J1", "eng-2")
            outcomes = await gateway.apply_many(
                u,
                "acme",
                [
                    Notification(Kind.HIRE, "e1", TODAY, {"job_code": "J1", "manager_id": "m1"}),
                    Notification(Kind.CHANGE, "e1", TODAY, {"manager_id": "m2"}),
                    Notification(Kind.CHANGE, "e1", TODAY, {"manager_id": "m2"}),
                    Notification(Kind.TERMINATE, "e2", TODAY),
                    Notification(Kind.HIRE, "e3", TODAY + timedelta(days=30), {"job_code": "J1"}),
                ],
                source="test",
                today=TODAY,
            )
            await u.commit()
        assert outcomes == ["hired", "changed", "unchanged", "unchanged", "held"]
        assert await _published(db) == ["hired", "changed"]
        async with db.uow() as u:
            person = await gateway.person(u, "acme", "e1")
        assert person is not None
        assert (person["manager_id"], person["active"]) == ("m2", True)
        assert await db.scalar("SELECT count(*) FROM hris.scheduled") == 1

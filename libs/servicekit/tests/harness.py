"""A minimal service for exercising the runtime: one schema, one effects table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.hris import EmployeeHired, EmploymentDetails
from careerstream.servicekit.db import make_sessionmaker, service_metadata
from careerstream.servicekit.runtime_tables import install_runtime_tables
from careerstream.servicekit.uow import UnitOfWork, UowFactory
from careerstream.servicekit.wiring import uow_factory

SCHEMA = "kit"
metadata = service_metadata(SCHEMA)
effects = sa.Table(
    "effects",
    metadata,
    sa.Column("event_id", sa.Text, nullable=False),
    sa.Column("employee_id", sa.Text, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
)


def async_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def setup_schema(database_url: str) -> None:
    engine = create_async_engine(async_url(database_url))
    async with engine.begin() as conn:
        await conn.run_sync(install_runtime_tables, SCHEMA)
        await conn.run_sync(metadata.create_all)
    await engine.dispose()


def build_uow(database_url: str) -> tuple[AsyncEngine, UowFactory]:
    engine = create_async_engine(async_url(database_url), pool_size=5)
    return engine, uow_factory(make_sessionmaker(engine), metadata, "kit")


def hired(employee: str, seq: int) -> EmployeeHired:
    return EmployeeHired(
        employee_id=employee,
        effective_date=date(2026, 1, 1),
        recorded_at=datetime.now(UTC),
        display_name=str(seq),
        details=EmploymentDetails(department_id="D1"),
    )


async def record_effect(uow: UnitOfWork, event: Envelope, payload: EmployeeHired) -> None:
    if payload.employee_id == "BOOM":
        raise RuntimeError("this handler cannot cope with BOOM")
    await uow.session.execute(
        sa.insert(effects).values(
            event_id=event.id, employee_id=payload.employee_id, seq=int(payload.display_name or 0)
        )
    )

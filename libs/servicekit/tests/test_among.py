"""`among(column, values)`: any number of values in one parameter (IN stops at 32,767)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from careerstream.servicekit.db import among

pytestmark = [pytest.mark.postgres]


async def test_a_whole_large_company_in_one_parameter(database_url: str) -> None:
    md = sa.MetaData()
    people = sa.Table("people", md, sa.Column("employee_id", sa.Text, primary_key=True))
    engine = create_async_engine(database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    ids = [f"E{i:06d}" for i in range(40_000)]
    try:
        async with engine.begin() as conn:
            await conn.run_sync(md.create_all)
            await conn.execute(sa.insert(people), [{"employee_id": e} for e in ids[::2]])
        async with engine.connect() as conn:
            got = await conn.scalar(
                sa.select(sa.func.count()).where(among(people.c.employee_id, ids))
            )
            assert got == 20_000
            assert (
                await conn.scalar(sa.select(sa.func.count()).where(among(people.c.employee_id, [])))
                == 0
            )
            # What `among` replaces: one parameter per value, refused past 32,767.
            with pytest.raises(DBAPIError, match="32767"):
                await conn.scalar(sa.select(sa.func.count()).where(people.c.employee_id.in_(ids)))
    finally:
        await engine.dispose()

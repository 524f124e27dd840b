"""A database created by an older servicekit gets the runtime tables a newer one needs at start-up."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from careerstream.servicekit.migrations import upgrade_to_head

pytestmark = [pytest.mark.postgres]
MIGRATIONS = str(Path(__file__).parent / "kit_migrations")


async def test_missing_runtime_tables_are_added_at_start_up(database_url: str) -> None:
    url = database_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    await upgrade_to_head(MIGRATIONS, url, "kit")
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("DROP TABLE kit.outbox_relay")  # as created before the table existed
        await upgrade_to_head(MIGRATIONS, url, "kit")
        assert await conn.fetchval("SELECT to_regclass('kit.outbox_relay') IS NOT NULL")
        await upgrade_to_head(MIGRATIONS, url, "kit")  # and again: nothing to do, no error
        assert await conn.fetchval("SELECT count(*) FROM kit.outbox_lane") == 16
    finally:
        await conn.close()

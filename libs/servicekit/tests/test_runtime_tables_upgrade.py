"""A database created by an older servicekit gets the runtime tables a newer one needs at start-up."""

from __future__ import annotations

import asyncio
import sys
import time
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


async def test_processes_starting_together_on_a_new_database_migrate_once(
    database_url: str,
) -> None:
    """An API-only and a consumers-only process (or replicas) start at the same moment on an
    empty database: none fails on creating the schema, and the migrations apply once."""
    url = database_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    # Each process imports first, then waits for the same instant: they reach the schema
    # together, as processes started by one `up` or one rollout do.
    script = (
        "import asyncio, sys, time\n"
        "from careerstream.servicekit.migrations import upgrade_to_head\n"
        "time.sleep(max(0.0, float(sys.argv[3]) - time.time()))\n"
        "asyncio.run(upgrade_to_head(sys.argv[1], sys.argv[2], 'kit'))\n"
    )
    start_at = str(time.time() + 4)
    # Processes, as in production (Alembic's context is one per process, not per thread).
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            script,
            MIGRATIONS,
            url,
            start_at,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        for _ in range(6)
    ]
    outputs = await asyncio.gather(*(asyncio.wait_for(p.communicate(), 120) for p in procs))
    for p, (out, _) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, out.decode(errors="replace")[-3000:]
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM kit.alembic_version") == 1
        assert await conn.fetchval("SELECT count(*) FROM kit.outbox_lane") == 16
    finally:
        await conn.close()

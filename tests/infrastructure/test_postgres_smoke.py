"""The database is real: round trips, and one service cannot read another's data."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
import pytest

from careerstream.devstack.postgres import (
    ensure_service_database,
    service_database,
    service_password,
    service_role,
)
from careerstream.devstack.testing import with_database

pytestmark = pytest.mark.postgres


async def test_asyncpg_round_trip(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("CREATE TABLE t (id uuid PRIMARY KEY, body jsonb NOT NULL)")
        key = uuid.uuid4()
        await conn.execute("INSERT INTO t VALUES ($1, $2)", key, '{"level": 3}')
        assert await conn.fetchval("SELECT body->>'level' FROM t WHERE id = $1", key) == "3"
        version = await conn.fetchval("SHOW server_version_num")
        assert int(version) >= 140000
    finally:
        await conn.close()


async def test_a_service_role_cannot_open_another_services_database(
    admin_database_url: str,
) -> None:
    a, b = f"smoke_a_{uuid.uuid4().hex[:8]}", f"smoke_b_{uuid.uuid4().hex[:8]}"
    await ensure_service_database(admin_database_url, a)
    await ensure_service_database(admin_database_url, b)
    await ensure_service_database(admin_database_url, a)  # twice is harmless

    def url(as_service: str, of_service: str) -> str:
        base = admin_database_url.split("@", 1)[1].rsplit("/", 1)[0]
        return (
            f"postgresql://{service_role(as_service)}:{service_password(as_service)}@{base}/"
            f"{service_database(of_service)}"
        )

    try:
        own = await asyncpg.connect(url(a, a))
        await own.execute("CREATE TABLE secret (x int)")
        await own.close()
        with pytest.raises(
            asyncpg.InsufficientPrivilegeError, match="permission denied for database"
        ):
            await asyncpg.connect(url(b, a))
    finally:
        admin = await asyncpg.connect(admin_database_url)
        try:
            for s in (a, b):
                await admin.execute(f"DROP DATABASE IF EXISTS {service_database(s)} WITH (FORCE)")
                await admin.execute(f"DROP ROLE IF EXISTS {service_role(s)}")
        finally:
            await admin.close()
    assert with_database("postgresql://u@h:1/x", "y") == "postgresql://u@h:1/y"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to another user")
def test_postgres_starts_from_a_private_checkout(tmp_path: Path) -> None:
    """As root in a checkout whose parent is 0700 (what `mktemp -d` makes): the server's user
    cannot enter it, so its data, its log and its working directory must all be elsewhere."""
    import shutil

    from careerstream.devstack.config import StackConfig
    from careerstream.devstack.ports import free_port
    from careerstream.devstack.postgres import LocalPostgres

    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    cfg = StackConfig(home=private / "checkout" / ".local" / "stack", postgres_port=free_port())
    pg = LocalPostgres(cfg, durable=False)
    assert not str(pg.data_dir).startswith(str(private))
    assert not str(pg.log_file).startswith(str(private))
    try:
        pg.start()
        assert pg.is_running()
        assert pg.log_file.exists()
    finally:
        pg.stop()
        shutil.rmtree(pg.data_dir, ignore_errors=True)
        pg.log_file.unlink(missing_ok=True)

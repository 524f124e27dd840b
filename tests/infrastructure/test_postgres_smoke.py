"""The database is real: round trips, and one service cannot read another's data."""

from __future__ import annotations

import uuid

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

"""Async engine and sessions on asyncpg."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, MetaData, Table, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from careerstream.servicekit.settings import ServiceSettings

#: Constraint names that are stable across migrations (see alembic's naming docs).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> MetaData:
    """The MetaData of one service: every table in the service's own schema."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
"""Every statement planned for its own parameters. The driver prepares statements, and
after five executions PostgreSQL may keep a generic plan chosen while a table was small:
during an onboarding a directory grows from nothing to a million rows before autovacuum
analyses it, and a sequential scan chosen at a hundred rows (`employee_id = ANY($ids)`
over every row) took a quarter of a second per batch at 30,000, and grew. Planning each
execution costs a fraction of a millisecond."""


def make_engine(settings: ServiceSettings) -> AsyncEngine:
    """The service's async engine, its pool sized by the settings."""
    return create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        connect_args={"server_settings": SERVER_SETTINGS},
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit and flush only when asked."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def among(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """`column = ANY(:values)`: one array parameter however many values.

    Use it instead of `column.in_(values)` where the values may be many (every
    employee of a large company): `IN` binds one parameter per value, a statement
    takes at most 32,767, and PostgreSQL plans a long list slowly.
    """
    return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(column.type)))


def upsert_changed(table: Table, keys: Sequence[str]) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE every other column, only on rows where one of them
    differs: saving an aggregate whole rewrites only what changed (and keeps rows in place)."""
    stmt = pg_insert(table)
    rest = [c for c in table.columns if c.name not in keys]
    return stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c.name: stmt.excluded[c.name] for c in rest},
        where=tuple_(*rest).is_distinct_from(tuple_(*(stmt.excluded[c.name] for c in rest))),
    )


async def latest_version(
    session: Any, table: Table, tenant: str, framework_id: str, column: str = "framework_version"
) -> int | None:
    """The highest framework version a service's copy holds (None when it holds none): a copy
    of a published framework ignores an older version that arrives late."""
    held: int | None = await session.scalar(
        sa.select(sa.func.max(table.c[column])).where(
            table.c.tenant_id == tenant, table.c.framework_id == framework_id
        )
    )
    return held


async def replace_copy(
    session: Any, table: Table, tenant: str, framework_id: str, rows: Sequence[dict[str, Any]]
) -> None:
    """A service's copy of one framework's rows (roles, competencies) replaced by `rows`."""
    await session.execute(
        sa.delete(table).where(table.c.tenant_id == tenant, table.c.framework_id == framework_id)
    )
    if rows:
        await session.execute(sa.insert(table), list(rows))


async def copy_records(
    session: AsyncSession,
    table: str,
    columns: Sequence[str],
    records: Iterable[Sequence[Any]],
    *,
    schema: str | None = None,
) -> None:
    """Write records with asyncpg's binary COPY, in the session's transaction (begun here if no
    statement has begun it yet). JSON columns take text (`json.dumps`)."""
    conn = await session.connection()
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    if not driver.is_in_transaction():
        # SQLAlchemy begins the database transaction at its first statement.
        await session.execute(sa.text("SELECT 1"))
    await driver.copy_records_to_table(
        table, schema_name=schema, columns=list(columns), records=records
    )

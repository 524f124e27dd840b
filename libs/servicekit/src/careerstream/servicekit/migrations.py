"""Alembic, driven from code: each service's `migrations/env.py` is three lines.

Migrations run at service start-up (after the database answers) and from
`python -m careerstream.<service> migrate`. Each service keeps its version
table in its own schema, so services never see each other's history.
"""

from __future__ import annotations

import asyncio

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def alembic_config(script_location: str, database_url: str, schema: str) -> Config:
    """An Alembic configuration for a service's migrations, database and schema."""
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["schema"] = schema
    return cfg


async def upgrade_to_head(script_location: str, database_url: str, schema: str) -> None:
    """Apply every migration not yet applied (safe to call from several replicas at once), then
    bring the runtime tables (outbox, lanes, relays, inbox) to what this servicekit expects.

    The runtime tables belong to servicekit, not to the service: a service's baseline creates
    them, and every start-up adds what a newer servicekit added (idempotently), so a database
    created by an older version keeps working."""
    cfg = alembic_config(script_location, database_url, schema)
    await asyncio.to_thread(command.upgrade, cfg, "head")
    from careerstream.servicekit.runtime_tables import install_runtime_tables

    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": f"runtime:{schema}"}
            )
            await conn.run_sync(install_runtime_tables, schema)
    finally:
        await engine.dispose()


def _do_run(connection: Connection, metadata: MetaData, schema: str) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        # Autogenerate compares with the service's own schema, and nothing else.
        include_schemas=True,
        include_name=lambda name, type_, parent: name == schema if type_ == "schema" else True,
        compare_type=True,
    )
    with context.begin_transaction():
        # Replicas starting together must not migrate at once.
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
        context.run_migrations()


async def _run_online(url: str, metadata: MetaData, schema: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            # Under the migration lock too: two processes' `CREATE SCHEMA IF NOT EXISTS` at
            # the same moment can both miss the schema and one fails on the catalogue's unique
            # index (an API-only and a consumers-only process of one service start together).
            await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        async with engine.connect() as conn:
            await conn.run_sync(_do_run, metadata, schema)
            await conn.commit()
    finally:
        await engine.dispose()


def run_env(metadata: MetaData) -> None:
    """The body of every service's alembic env.py."""
    cfg = context.config
    schema = str(cfg.attributes.get("schema") or metadata.schema)
    url = cfg.get_main_option("sqlalchemy.url")
    assert url is not None, "sqlalchemy.url is not set"
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=metadata, version_table_schema=schema, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, metadata, schema))

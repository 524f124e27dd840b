"""Helpers a service's bootstrap uses to wire the runtime tables into its unit of work."""

from __future__ import annotations

from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from careerstream.servicekit.runtime_tables import define_runtime_tables
from careerstream.servicekit.uow import UnitOfWork, UowFactory


def runtime_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    """outbox, outbox_lane and inbox of this service's metadata (defined once per metadata)."""
    schema = metadata.schema
    names = [f"{schema}.{n}" if schema else n for n in ("outbox", "outbox_lane", "inbox")]
    if all(n in metadata.tables for n in names):
        t = metadata.tables
        return t[names[0]], t[names[1]], t[names[2]]
    return define_runtime_tables(metadata)


def uow_factory(
    sessionmaker: async_sessionmaker[AsyncSession], metadata: MetaData, service: str
) -> UowFactory:
    """A factory of the service's units of work, with its outbox and inbox."""
    outbox, _, inbox = runtime_tables(metadata)
    source = f"/careerstream/{service}"

    def make() -> UnitOfWork:
        return UnitOfWork(sessionmaker, outbox, inbox, source)

    return make

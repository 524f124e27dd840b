"""The organisation tree a service keeps: late changes never undo newer ones, a department is
its subtree, a unit nobody described is its own subtree, and a loop cannot make a query spin."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from careerstream.contracts.envelope import make_event
from careerstream.contracts.events.hris import OrgUnitChanged
from careerstream.servicekit import orgtree
from careerstream.servicekit.db import make_sessionmaker, service_metadata
from careerstream.servicekit.orgtree import Moved, OrgTreeProjection, orgunits_table
from careerstream.servicekit.runtime_tables import install_runtime_tables
from careerstream.servicekit.wiring import uow_factory

pytestmark = [pytest.mark.postgres]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def unit(uid: str, parent: str | None, minute: int, name: str | None = None) -> OrgUnitChanged:
    return OrgUnitChanged(
        orgunit_id=uid,
        name=name or uid,
        parent_id=parent,
        effective_date=date(2026, 1, 1),
        recorded_at=T0 + timedelta(minutes=minute),
    )


async def test_the_tree_its_subtrees_and_moves(database_url: str) -> None:
    schema = f"tree_{uuid.uuid4().hex[:8]}"
    md = service_metadata(schema)
    table = orgunits_table(md)
    engine = create_async_engine(database_url.replace("postgresql://", "postgresql+asyncpg://", 1))
    async with engine.begin() as conn:
        await conn.run_sync(install_runtime_tables, schema)
        await conn.run_sync(md.create_all)
    moves: list[Moved] = []

    async def on_moved(u: object, m: Sequence[Moved]) -> None:
        moves.extend(m)

    handle = OrgTreeProjection(table, on_moved=on_moved).batch_handlers()[OrgUnitChanged]
    uow = uow_factory(make_sessionmaker(engine), md, schema)

    async def apply(*events: OrgUnitChanged, tenant: str = "acme") -> None:
        async with uow() as u:
            await handle(
                u,
                [(make_event(p, tenant_id=tenant, source="/careerstream/test"), p) for p in events],
            )
            await u.commit()

    async def below(root: str, tenant: str = "acme") -> list[str]:
        async with uow() as u:
            return await orgtree.expand(u, table, tenant, [root])

    async def above(leaf: str) -> list[str]:
        async with uow() as u:
            return await orgtree.ancestors(u, table, "acme", leaf)

    try:
        await apply(
            unit("ROOT", None, 1),
            unit("ENG", "ROOT", 1),
            unit("PLAT", "ENG", 1),
            unit("DATA", "PLAT", 1),
            unit("SALES", "ROOT", 1),
        )
        assert [m.orgunit_id for m in moves if m.new] == ["DATA", "ENG", "PLAT", "ROOT", "SALES"]
        assert await below("ENG") == ["DATA", "ENG", "PLAT"]
        assert await below("ROOT") == ["DATA", "ENG", "PLAT", "ROOT", "SALES"]
        assert await above("DATA") == ["DATA", "PLAT", "ENG", "ROOT"]
        # A unit nobody described is its own subtree (and has no units above).
        assert await below("UNKNOWN") == ["UNKNOWN"]
        assert await above("UNKNOWN") == ["UNKNOWN"]
        # Other tenants' trees are apart.
        await apply(unit("ENG", None, 1), unit("X", "ENG", 1), tenant="other")
        assert await below("ENG") == ["DATA", "ENG", "PLAT"]
        assert await below("ENG", "other") == ["ENG", "X"]

        # A move re-groups the whole subtree with one row; the mover is reported once.
        moves.clear()
        await apply(unit("PLAT", "SALES", 5))
        assert [(m.orgunit_id, m.parent_before, m.parent_now) for m in moves] == [
            ("PLAT", "ENG", "SALES")
        ]
        assert await below("SALES") == ["DATA", "PLAT", "SALES"]
        assert await below("ENG") == ["ENG"]

        # A change recorded before the one held is ignored, within a batch and across them.
        moves.clear()
        await apply(unit("PLAT", "ENG", 3))
        await apply(unit("DATA", "ROOT", 9, "Data"), unit("DATA", "ENG", 7))
        assert moves == [Moved("acme", "DATA", "PLAT", "ROOT", False)]
        assert await below("SALES") == ["PLAT", "SALES"]
        async with uow() as u:
            names = {r["orgunit_id"]: r["name"] for r in await orgtree.units(u, table, "acme")}
        assert names["DATA"] == "Data"

        # A loop someone else produced cannot make the queries spin.
        await apply(unit("ROOT", "DATA", 20))
        assert await below("ROOT") == ["DATA", "ENG", "PLAT", "ROOT", "SALES"]
        assert set(await above("ROOT")) == {"ROOT", "DATA"}
    finally:
        await engine.dispose()

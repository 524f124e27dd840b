"""The organisation tree every service that groups people keeps from `orgunit.changed`.

A department in careerstream means the department and every unit below it,
wherever people are grouped (cycle populations, skills matrices, metrics
filters, opportunity visibility). Each service keeps the tree in its own
schema — one row per unit with its parent — and asks for a unit's subtree at
query time with a recursive query. People keep only the id of the unit they
sit in, so moving a unit under another re-groups everyone in it by changing
one row: no per-person event is needed.

- A change recorded earlier than the one a unit holds is ignored (late or
  replayed events never undo newer ones).
- A unit nobody described yet is its own subtree, so grouping by a department
  id works before (or without) an org tree from the HRIS.
- The gateway refuses a move that would put a unit under itself; the subtree
  query also stops at a repeated unit, so a cycle produced by someone else
  cannot make it loop.
- A closed unit keeps its place in the tree (people may still sit in it
  until the HRIS moves them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.envelope import Envelope
from careerstream.contracts.events.hris import OrgUnitChanged
from careerstream.servicekit.consumer import BatchHandler
from careerstream.servicekit.uow import UnitOfWork


def orgunits_table(metadata: sa.MetaData, name: str = "org_units") -> sa.Table:
    """The tree: one row per unit of each tenant."""
    return sa.Table(
        name,
        metadata,
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("orgunit_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("parent_id", sa.Text),
        sa.Column("head_id", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index(f"ix_{name}_parent", "tenant_id", "parent_id"),
    )


@dataclass(frozen=True)
class Moved:
    """A unit whose place in the tree changed (or that appeared)."""

    tenant: str
    orgunit_id: str
    parent_before: str | None
    parent_now: str | None
    new: bool


OnMoved = Callable[[UnitOfWork, Sequence[Moved]], Awaitable[None]]
"""`async def on_moved(uow, moves)`: called in the same transaction, e.g. to re-group people."""


class OrgTreeProjection:
    """Keeps `table` from `OrgUnitChanged`, a batch at a time."""

    def __init__(self, table: sa.Table, on_moved: OnMoved | None = None) -> None:
        self.table = table
        self.on_moved = on_moved
        ins = pg_insert(table)
        self._upsert = ins.on_conflict_do_update(
            index_elements=[table.c.tenant_id, table.c.orgunit_id],
            set_={
                c: ins.excluded[c]
                for c in ("name", "parent_id", "head_id", "active", "recorded_at")
            },
            where=table.c.recorded_at <= ins.excluded.recorded_at,
        )

    def batch_handlers(self) -> dict[type[Any], BatchHandler]:
        async def handle(uow: UnitOfWork, events: Sequence[tuple[Envelope, Any]]) -> None:
            await self.apply_many(uow, [(e.tenantid, p) for e, p in events])

        return {OrgUnitChanged: handle}

    async def apply_many(
        self, uow: UnitOfWork, items: Sequence[tuple[str, OrgUnitChanged]]
    ) -> None:
        """Apply (tenant, event) pairs in order; a change older than the held one is ignored."""
        t = self.table
        latest: dict[tuple[str, str], OrgUnitChanged] = {}
        for tenant, p in items:  # in order: within a batch, the latest recorded wins
            key = (tenant, p.orgunit_id)
            held = latest.get(key)
            if held is None or held.recorded_at <= p.recorded_at:
                latest[key] = p
        before: dict[tuple[str, str], Any] = {}
        by_tenant: dict[str, list[str]] = {}
        for tenant, unit in sorted(latest):
            by_tenant.setdefault(tenant, []).append(unit)
        for tenant, units in by_tenant.items():
            rows = await uow.session.execute(
                sa.select(t.c.orgunit_id, t.c.parent_id, t.c.recorded_at)
                .where(t.c.tenant_id == tenant, t.c.orgunit_id.in_(units))
                .order_by(t.c.orgunit_id)
                .with_for_update()
            )
            for r in rows:
                before[(tenant, r.orgunit_id)] = r
        await uow.session.execute(
            self._upsert,
            [
                {
                    "tenant_id": tenant,
                    "orgunit_id": p.orgunit_id,
                    "name": p.name,
                    "parent_id": p.parent_id,
                    "head_id": p.head_id,
                    "active": p.active,
                    "recorded_at": p.recorded_at,
                }
                for (tenant, _), p in sorted(latest.items())
            ],
        )
        if self.on_moved is None:
            return
        moves = []
        for (tenant, unit), p in sorted(latest.items()):
            old = before.get((tenant, unit))
            if old is None:
                moves.append(Moved(tenant, unit, None, p.parent_id, True))
            elif old.recorded_at <= p.recorded_at and old.parent_id != p.parent_id:
                moves.append(Moved(tenant, unit, old.parent_id, p.parent_id, False))
        if moves:
            await self.on_moved(uow, moves)


def subtree(
    table: sa.Table, tenant: str, roots: Sequence[str], name: str = "subtree"
) -> sa.Select[Any]:
    """The ids of `roots` and of every unit below them, as a subquery for `IN (...)`.

    `UNION` (not `UNION ALL`) drops a unit seen before, so a cycle ends the walk. `name`
    names the recursive query: two subtrees in one statement need two names.
    """
    t = table
    top = sa.select(
        sa.func.unnest(sa.bindparam(None, list(roots), type_=ARRAY(sa.Text))).label("unit_id")
    )
    tree = top.cte(name, recursive=True, nesting=True)
    below = sa.select(t.c.orgunit_id).where(
        t.c.tenant_id == tenant, t.c.parent_id == tree.c.unit_id
    )
    tree = tree.union(below)
    return sa.select(tree.c.unit_id)


async def expand(uow: UnitOfWork, table: sa.Table, tenant: str, roots: Sequence[str]) -> list[str]:
    """`roots` and every unit below them, as a list (a unit not in the tree is its own subtree)."""
    if not roots:
        return []
    found = await uow.session.scalars(subtree(table, tenant, roots))
    return sorted(set(found.all()))


async def ancestors(uow: UnitOfWork, table: sa.Table, tenant: str, unit: str) -> list[str]:
    """`unit` and every unit above it, nearest first (a unit not in the tree: itself only)."""
    t = table
    up = sa.select(sa.literal(unit).label("unit_id"), sa.literal(0).label("depth")).cte(
        f"{t.name}_up", recursive=True
    )
    parent = sa.select(t.c.parent_id, (up.c.depth + 1)).where(
        t.c.tenant_id == tenant,
        t.c.orgunit_id == up.c.unit_id,
        t.c.parent_id.is_not(None),
        up.c.depth < 1000,
    )
    up = up.union(parent)
    rows = (
        await uow.session.execute(sa.select(up.c.unit_id, up.c.depth).order_by(up.c.depth))
    ).all()
    seen: list[str] = []
    for r in rows:
        if r.unit_id not in seen:
            seen.append(r.unit_id)
    return seen


async def units(uow: UnitOfWork, table: sa.Table, tenant: str) -> list[dict[str, Any]]:
    """The tenant's units as the service holds them, in id order."""
    t = table
    rows = await uow.session.execute(
        sa.select(t.c.orgunit_id, t.c.name, t.c.parent_id, t.c.head_id, t.c.active)
        .where(t.c.tenant_id == tenant)
        .order_by(t.c.orgunit_id)
    )
    return [dict(r._mapping) for r in rows]

"""The organisation tree: kept from exports and webhooks, published as `orgunit.changed`.

Every write takes the tenant's tree lock, reads the whole tree, merges what
came in (`domain.orgunits.merge`: a full export closes the units it leaves
out; a loop or an unknown parent refuses the whole change), writes the units
that changed and publishes one `orgunit.changed` each, parents first, through
the outbox. People moved into a pulse's audience by a unit's move are invited
to it, as a person moved by the HRIS would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.events.hris import OrgUnitChanged
from careerstream.hris.adapters.orm import org_units, people
from careerstream.hris.adapters.repository import Gateway
from careerstream.hris.domain.orgunits import Outcome, Unit, merge
from careerstream.hris.service_layer import surveys
from careerstream.servicekit import clock, orgtree
from careerstream.servicekit.uow import UnitOfWork


def _now() -> datetime:
    return clock.now()  # business time (servicekit.clock)


async def _tree(uow: UnitOfWork, tenant: str) -> dict[str, Unit]:
    # One writer per tenant tree at a time: a merge checks loops over the whole tree.
    await uow.session.execute(
        sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"org_units:{tenant}")))
    )
    t = org_units.c
    rows = await uow.session.execute(
        sa.select(t.orgunit_id, t.name, t.parent_id, t.head_id, t.active).where(
            t.tenant_id == tenant
        )
    )
    return {
        r.orgunit_id: Unit(r.orgunit_id, r.name, r.parent_id, r.head_id, r.active) for r in rows
    }


async def put(
    uow: UnitOfWork,
    tenant: str,
    incoming: Sequence[tuple[int, Unit]],
    *,
    full: bool,
    today: Any = None,
) -> dict[str, Any]:
    """Merge units into the tenant's tree (all of it when `full`) and publish what changed.

    Raises `exports.ExportInvalid` (each problem with its line) and changes nothing then.
    """
    now = _now()
    known = await _tree(uow, tenant)
    outcome: Outcome = merge(known, incoming, await Gateway(uow, tenant).known_ids(), full=full)
    if outcome.changed:
        ins = pg_insert(org_units)
        await uow.session.execute(
            ins.on_conflict_do_update(
                index_elements=[org_units.c.tenant_id, org_units.c.orgunit_id],
                set_={
                    c: ins.excluded[c]
                    for c in ("name", "parent_id", "head_id", "active", "recorded_at")
                },
            ),
            [{"tenant_id": tenant, **u.as_dict(), "recorded_at": now} for u in outcome.changed],
        )
        uow.publish_all(
            [
                OrgUnitChanged(
                    orgunit_id=u.orgunit_id,
                    name=u.name,
                    parent_id=u.parent_id,
                    head_id=u.head_id,
                    active=u.active,
                    effective_date=today or now.date(),
                    recorded_at=now,
                )
                for u in outcome.changed
            ],
            tenant_id=tenant,
        )
        moved = [
            u.orgunit_id
            for u in outcome.changed
            if u.orgunit_id not in known or known[u.orgunit_id].parent_id != u.parent_id
        ]
        if moved:
            under = orgtree.subtree(org_units, tenant, moved)
            regrouped = await uow.session.scalars(
                sa.select(people.c.employee_id).where(
                    people.c.tenant_id == tenant, people.c.active, people.c.department_id.in_(under)
                )
            )
            await surveys.invite_newcomers(uow, tenant, list(regrouped.all()))
    return {
        **outcome.counts,
        "published": len(outcome.changed),
        "warnings": [w.as_dict() for w in outcome.warnings],
        "units": len(known | {u.orgunit_id: u for _, u in incoming}),
    }


async def tree(uow: UnitOfWork, tenant: str, *, root: str | None = None) -> list[dict[str, Any]]:
    """The tenant's units (or those under `root`, itself included), in id order, each with
    the number of active people sitting in it directly."""
    t = org_units.c
    stmt = sa.select(t.orgunit_id, t.name, t.parent_id, t.head_id, t.active).where(
        t.tenant_id == tenant
    )
    if root is not None:
        stmt = stmt.where(t.orgunit_id.in_(orgtree.subtree(org_units, tenant, [root])))
    rows = (await uow.session.execute(stmt.order_by(t.orgunit_id))).all()
    counts: dict[str | None, int] = dict(
        (
            await uow.session.execute(
                sa.select(people.c.department_id, sa.func.count())
                .where(people.c.tenant_id == tenant, people.c.active)
                .group_by(people.c.department_id)
            )
        ).all()
    )
    return [{**dict(r._mapping), "people": counts.get(r.orgunit_id, 0)} for r in rows]

"""Data keys: issued to the services that seal, fetched by those that open, re-wrapped on
master-key rotation."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.privacy.adapters.orm import (
    data_keys,
)
from careerstream.privacy.domain.keyring import Keyring, aad
from careerstream.servicekit.sealing import new_key_secret
from careerstream.servicekit.uow import UnitOfWork, UowFactory

log = logging.getLogger(__name__)


# -- keys --------------------------------------------------------------------------------


async def issue_keys(
    uow: UnitOfWork, ring: Keyring, tenant: str, employee_ids: Sequence[str], now: datetime
) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """Each person's (employee, kid, key), created when missing; and those erased (no key)."""
    ids = sorted(set(employee_ids))
    rows = await _key_rows(uow, tenant, data_keys.c.employee_id, ids)
    missing = [e for e in ids if e not in rows]
    if missing:
        new = []
        for emp in missing:
            kid = "k" + uuid.uuid4().hex
            master, wrapped = ring.wrap(new_key_secret(), aad(tenant, emp, kid))
            new.append(
                {
                    "tenant_id": tenant,
                    "employee_id": emp,
                    "kid": kid,
                    "master_kid": master,
                    "wrapped": wrapped,
                    "created_at": now,
                }
            )
        # Two replicas may create one person's key at once: the first wins, both read it back.
        await uow.session.execute(pg_insert(data_keys).on_conflict_do_nothing(), new)
        rows.update(await _key_rows(uow, tenant, data_keys.c.employee_id, missing))
    keys: list[tuple[str, str, bytes]] = []
    erased: list[str] = []
    for emp in ids:
        row = rows[emp]
        if row.wrapped is None:
            erased.append(emp)
        else:
            secret = ring.unwrap(row.master_kid, row.wrapped, aad(tenant, emp, row.kid))
            keys.append((emp, row.kid, secret))
    return keys, erased


async def fetch_keys(
    uow: UnitOfWork, ring: Keyring, tenant: str, kids: Sequence[str]
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The keys named (kid, key); kids destroyed or unknown in this tenant are gone."""
    ids = sorted(set(kids))
    result = await uow.session.execute(
        sa.text(
            "SELECT kid, employee_id, master_kid, wrapped FROM privacy.data_keys "
            "WHERE tenant_id = :tenant AND kid = ANY(CAST(:kids AS text[])) "
            "AND wrapped IS NOT NULL"
        ),
        {"tenant": tenant, "kids": ids},
    )
    keys = [
        (kid, ring.unwrap(master, wrapped, aad(tenant, emp, kid)))
        for kid, emp, master, wrapped in result
    ]
    found = {k for k, _ in keys}
    return keys, [k for k in ids if k not in found]


async def _key_rows(
    uow: UnitOfWork, tenant: str, column: sa.Column[Any], values: Sequence[str]
) -> dict[str, Any]:
    if not values:
        return {}
    # One statement whatever the number of values (an IN list would be prepared anew per size).
    result = await uow.session.execute(
        sa.select(data_keys).where(
            data_keys.c.tenant_id == tenant,
            column == sa.any_(sa.cast(sa.literal(list(values), ARRAY(sa.Text)), ARRAY(sa.Text))),
        )
    )
    return {getattr(r, column.name): r for r in result}


async def rewrap(uow_factory: UowFactory, ring: Keyring, batch: int) -> int:
    """Re-wrap data keys held under older master keys with the current one; returns how many."""
    done = 0
    while True:
        async with uow_factory() as uow:
            rows = (
                await uow.session.execute(
                    sa.select(data_keys)
                    .where(
                        data_keys.c.wrapped.is_not(None),
                        data_keys.c.master_kid != ring.current,
                    )
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for r in rows:
                secret = ring.unwrap(
                    r.master_kid, r.wrapped, aad(r.tenant_id, r.employee_id, r.kid)
                )
                master, wrapped = ring.wrap(secret, aad(r.tenant_id, r.employee_id, r.kid))
                await uow.session.execute(
                    sa.update(data_keys)
                    .where(data_keys.c.tenant_id == r.tenant_id, data_keys.c.kid == r.kid)
                    .values(master_kid=master, wrapped=wrapped)
                )
            await uow.commit()
        done += len(rows)
        if len(rows) < batch:
            return done

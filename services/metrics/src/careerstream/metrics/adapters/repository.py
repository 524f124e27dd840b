"""The SQL that keeps the metrics service's facts from other services' events.

Facts are merged: an event sets the columns it knows and leaves the others, so
events of one thing arriving in any order build the same row. The figures read
the facts through `service_layer/scope.py` and the figure modules, which are
the queries of METRICS.md's definitions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.metrics.adapters.orm import opportunities, roles
from careerstream.servicekit.db import latest_version, replace_copy
from careerstream.servicekit.uow import UnitOfWork


async def merge(
    uow: UnitOfWork, table: sa.Table, keys: dict[str, Any], values: dict[str, Any]
) -> None:
    """Insert the row, or set `values` on the existing one (other columns untouched)."""
    stmt = pg_insert(table).values(**keys, **values)
    if values:
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c[k] for k in keys], set_={k: stmt.excluded[k] for k in values}
        )
    else:
        stmt = stmt.on_conflict_do_nothing()
    await uow.session.execute(stmt)


async def held_role_version(uow: UnitOfWork, tenant: str, framework_id: str) -> int | None:
    """The framework version whose roles are held, if any."""
    return await latest_version(uow.session, roles, tenant, framework_id)


async def replace_roles(
    uow: UnitOfWork, tenant: str, framework_id: str, rows: list[dict[str, Any]]
) -> None:
    """Hold these roles of a framework instead of its earlier ones."""
    await replace_copy(uow.session, roles, tenant, framework_id, rows)


async def posted_at_if_missing(
    uow: UnitOfWork, tenant: str, opportunity_id: str, posted_at: datetime
) -> None:
    """Give an opportunity its posting time when the posting has not been seen yet."""
    await uow.session.execute(
        sa.update(opportunities)
        .where(
            opportunities.c.tenant_id == tenant,
            opportunities.c.opportunity_id == opportunity_id,
            opportunities.c.posted_at.is_(None),
        )
        .values(posted_at=posted_at)
    )

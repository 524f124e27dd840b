"""The SQL of the marketplace's copies: profiles (role, activity, levels, aspirations) and roles.

Every profile write takes the next `profile_seq`, so each process's matching
index (`adapters/index.py`) reloads only what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.mobility.adapters.orm import profile_seq, profiles, roles, skill_coverage
from careerstream.servicekit.db import latest_version, replace_copy
from careerstream.servicekit.uow import UnitOfWork


async def upsert_profile(uow: UnitOfWork, tenant: str, employee_id: str, **values: Any) -> None:
    """Set these fields of a person's marketplace profile (creating it)."""
    seq = profile_seq.next_value()
    stmt = pg_insert(profiles).values(tenant_id=tenant, employee_id=employee_id, seq=seq, **values)
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[profiles.c.tenant_id, profiles.c.employee_id],
            set_={**{k: stmt.excluded[k] for k in values}, "seq": seq},
        )
    )


async def upsert_profiles(
    uow: UnitOfWork, keys: Sequence[str], rows: Sequence[dict[str, Any]]
) -> None:
    """Set the same fields (`keys`) of many profiles (creating them), in one statement."""
    stmt = pg_insert(profiles).values(seq=profile_seq.next_value())
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[profiles.c.tenant_id, profiles.c.employee_id],
            set_={**{k: stmt.excluded[k] for k in keys}, "seq": stmt.excluded.seq},
        ),
        list(rows),
    )


async def assessed_at(uow: UnitOfWork, tenant: str, employee_id: str) -> datetime | None:
    """When the levels a profile holds were assessed (the profile locked), if ever."""
    held: datetime | None = await uow.session.scalar(
        sa.select(profiles.c.assessed_at)
        .where(profiles.c.tenant_id == tenant, profiles.c.employee_id == employee_id)
        .with_for_update()
    )
    return held


async def held_role_version(uow: UnitOfWork, tenant: str, framework_id: str) -> int | None:
    """The framework version whose roles are held, if any."""
    return await latest_version(uow.session, roles, tenant, framework_id)


async def replace_roles(
    uow: UnitOfWork, tenant: str, framework_id: str, rows: list[dict[str, Any]]
) -> None:
    """Hold these roles of a framework instead of its earlier ones."""
    await replace_copy(uow.session, roles, tenant, framework_id, rows)


async def replace_coverage(
    uow: UnitOfWork, tenant: str, framework_id: str, rows: list[dict[str, Any]]
) -> None:
    """Hold which competencies of a framework cover which skills, instead of the earlier."""
    await replace_copy(uow.session, skill_coverage, tenant, framework_id, rows)


async def coverage(uow: UnitOfWork, tenant: str) -> dict[str, tuple[str, ...]]:
    """Skill URI -> the competencies of every held framework that cover it."""
    out: dict[str, set[str]] = {}
    rows = await uow.session.execute(
        sa.select(skill_coverage.c.skill_uri, skill_coverage.c.competency_ids).where(
            skill_coverage.c.tenant_id == tenant
        )
    )
    for uri, ids in rows.all():
        out.setdefault(uri, set()).update(ids)
    return {uri: tuple(sorted(ids)) for uri, ids in out.items()}

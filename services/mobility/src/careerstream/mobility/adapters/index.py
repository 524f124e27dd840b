"""Each process keeps one matching index per (database, tenant), caught up from the database.

Before every ranking the index reads the profiles whose sequence number is
above the last one it saw (usually none), so every replica ranks on committed
data without any messaging between replicas. When the tenant's roles change
(a framework published) the index is rebuilt, since ranks and families may
have moved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from careerstream.mobility.adapters.orm import profiles, roles
from careerstream.mobility.domain.matching import (
    Profile,
    ProfileIndex,
    RoleInfo,
    Target,
    is_skill,
)
from careerstream.servicekit.uow import UnitOfWork


@dataclass
class _Entry:
    index: ProfileIndex = field(default_factory=ProfileIndex)
    last_seq: int = 0
    roles_mark: tuple[Any, ...] = ()
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


_cache: dict[tuple[str, str], _Entry] = {}


async def role_infos(uow: UnitOfWork, tenant: str) -> dict[str, RoleInfo]:
    """Every published role's family and rank, for move kinds."""
    rows = await uow.session.execute(
        sa.select(roles.c.role_id, roles.c.family_id, roles.c.rank).where(
            roles.c.tenant_id == tenant
        )
    )
    return {r: RoleInfo(r, f, k) for r, f, k in rows.all()}


async def index_for(uow: UnitOfWork, tenant: str) -> ProfileIndex:
    """The tenant's matching index, rebuilt when profiles or roles changed."""
    bind = uow.session.get_bind()
    key = (str(bind.engine.url), tenant)
    entry = _cache.setdefault(key, _Entry())
    async with entry.lock:
        mark = tuple(
            (
                await uow.session.execute(
                    sa.select(
                        sa.func.count(), sa.func.coalesce(sa.func.sum(roles.c.framework_version), 0)
                    ).where(roles.c.tenant_id == tenant)
                )
            ).one()
        )
        if mark != entry.roles_mark or entry.last_seq == 0:
            entry.index, entry.last_seq = await _build(uow, tenant)
            entry.roles_mark = mark
        rows = (
            await uow.session.execute(
                sa.select(profiles)
                .where(profiles.c.tenant_id == tenant, profiles.c.seq > entry.last_seq)
                .order_by(profiles.c.seq)
            )
        ).all()
        if rows:
            infos = await role_infos(uow, tenant)
            for r in rows:
                entry.index.upsert(to_profile(r, infos))
            entry.last_seq = rows[-1].seq
        return entry.index


BUILD_CHUNK = 50_000
"""Profiles read per query while building: the peak memory of a build stays that of the
index plus one chunk, however large the tenant."""

_PROFILES = """
SELECT employee_id, active, role_id, target_role_ids, target_family_ids, open_to_projects,
       location, willing_to_relocate, seq,
       (SELECT decode(string_agg(lpad(to_hex(least(greatest(
                  round(coalesce((p.levels ->> u.c)::real, 0))::int, 0), 255)), 2, '0'),
                  '' ORDER BY u.o), 'hex')
          FROM unnest($2::text[]) WITH ORDINALITY AS u(c, o)) AS lv
  FROM mobility.profiles p
 WHERE tenant_id = $1 AND seq > $3
 ORDER BY seq
 LIMIT $4"""
"""One chunk of a tenant's profiles; each person's levels as one byte per competency."""


async def _build(uow: UnitOfWork, tenant: str) -> tuple[ProfileIndex, int]:
    """The whole tenant in chunks of BUILD_CHUNK profiles, levels as bytes (no Python number
    per level: a million people x 40 competencies would be 40 million objects)."""
    columns = list(
        (
            await uow.session.scalars(
                sa.text(
                    "SELECT DISTINCT jsonb_object_keys(levels) AS c FROM mobility.profiles "
                    "WHERE tenant_id = :t ORDER BY c"
                ),
                {"t": tenant},
            )
        ).all()
    )
    infos = await role_infos(uow, tenant)
    driver = await (await uow.session.connection()).get_raw_connection()
    conn = driver.driver_connection
    assert conn is not None
    ids: list[str] = []
    levels: list[bytes] = []
    active: list[bool] = []
    roles: list[RoleInfo | None] = []
    aspirations: list[tuple[frozenset[str], frozenset[str]]] = []
    projects: list[bool] = []
    locations: list[str | None] = []
    relocate: list[bool] = []
    none: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
    seq = 0
    while True:
        rows = await conn.fetch(_PROFILES, tenant, columns, seq, BUILD_CHUNK)
        for r in rows:
            ids.append(r["employee_id"])
            levels.append(r["lv"] or b"")
            active.append(r["active"])
            roles.append(infos.get(r["role_id"]) if r["role_id"] else None)
            wanted_roles, wanted_families = r["target_role_ids"], r["target_family_ids"]
            aspirations.append(
                (frozenset(wanted_roles), frozenset(wanted_families))
                if wanted_roles or wanted_families
                else none
            )
            projects.append(r["open_to_projects"])
            locations.append(r["location"])
            relocate.append(r["willing_to_relocate"])
        if len(rows) < BUILD_CHUNK:
            break
        seq = int(rows[-1]["seq"])
    if rows:
        seq = int(rows[-1]["seq"])
    if not ids:
        return ProfileIndex(), 0
    matrix = np.frombuffer(b"".join(levels), dtype=np.uint8).reshape(len(ids), len(columns))
    del levels
    index = ProfileIndex.bulk(
        ids, columns, matrix, active, roles, aspirations, projects, locations, relocate
    )
    return index, seq


def to_target(
    opp: Any, infos: dict[str, RoleInfo], covers: Mapping[str, tuple[str, ...]] | None = None
) -> Target:
    """What an opportunity asks for, as the matcher reads it (`covers`: which competencies
    count for each skill, from `profiles.coverage`)."""
    role = infos.get(opp.role_id) if opp.role_id else None
    required = dict(opp.required)
    return Target(
        opp.opportunity_id,
        str(opp.kind),
        required,
        role,
        opp.family_id,
        opp.location,
        bool(opp.remote),
        {k: (covers or {}).get(k, ()) for k in required if is_skill(k)},
    )


def to_profile(r: Any, infos: dict[str, RoleInfo]) -> Profile:
    """A profile row as the matcher reads it."""
    return Profile(
        employee_id=r.employee_id,
        active=r.active,
        role=infos.get(r.role_id) if r.role_id else None,
        levels={k: int(v) for k, v in (r.levels or {}).items()},
        target_roles=frozenset(r.target_role_ids or ()),
        target_families=frozenset(r.target_family_ids or ()),
        open_to_projects=r.open_to_projects,
        location=r.location,
        willing_to_relocate=r.willing_to_relocate,
    )


def forget_all() -> None:
    """Drop every cached index (tests, and a process that lost track of its database)."""
    _cache.clear()

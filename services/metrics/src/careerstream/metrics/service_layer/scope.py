"""Which people and which window a figure describes: the filters, and the population they select.

`filtered` is the one definition of a view's population, shared by the
figures and the anonymity rules. The figures join it in PostgreSQL (`people`,
`of_population`) and read in full only the few people a figure names (`members`):
a view over a million people must not read a million rows into Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from weakref import WeakKeyDictionary

import sqlalchemy as sa

from careerstream.metrics.adapters.orm import (
    employees,
    org_units,
    roles,
)
from careerstream.metrics.domain.definitions import (
    Person,
    Window,
)
from careerstream.servicekit import orgtree, relation
from careerstream.servicekit.db import among
from careerstream.servicekit.uow import UnitOfWork


@dataclass(frozen=True)
class Filters:
    """The window and the groups a view asks about."""

    window: Window
    department: str | None = None
    family: str | None = None
    track: str | None = None
    level: str | None = None
    manager: str | None = None
    """Everyone below this manager (direct and indirect reports)."""

    def describe(self) -> dict[str, Any]:
        """The filters as the API echoes them."""
        return {
            "from": self.window.start,
            "to": self.window.end,
            "department": self.department,
            "family": self.family,
            "track": self.track,
            "level": self.level,
            "manager": self.manager,
        }


def _dt(d: date | None) -> datetime | None:
    return datetime.combine(d, time.min, tzinfo=UTC) if d is not None else None


_sizes: WeakKeyDictionary[UnitOfWork, dict[tuple[str, Filters], int]] = WeakKeyDictionary()


def people(tenant: str, f: Filters) -> Any:
    """The ids of the people the filters select (by their current HRIS record), employed at
    some point in the window: a subquery, so that a view over a million people joins them in
    PostgreSQL instead of reading them."""
    return filtered(sa.select(employees.c.employee_id), tenant, f)


def of_population(column: Any, tenant: str, f: Filters) -> Any:
    """`column` is the id of someone of the population."""
    return column.in_(people(tenant, f))


async def size(u: UnitOfWork, tenant: str, f: Filters) -> int:
    """How many people the filters select; counted once per unit of work (a view, or the
    headline made of several, asks more than once)."""
    cached = _sizes.setdefault(u, {})
    key = (tenant, f)
    if key not in cached:
        cached[key] = int(
            await u.session.scalar(filtered(sa.select(sa.func.count()), tenant, f)) or 0
        )
    return cached[key]


def employed_at(t: datetime) -> Any:
    """The directory row's person is employed at the instant `t` (`Person.employed_at`: from the
    start of the first day to midnight after the last)."""
    e = employees.c
    return sa.and_(
        sa.or_(e.hired_on.is_(None), e.hired_on <= t.date()),
        sa.or_(e.left_on.is_(None), e.left_on >= t.date()),
    )


async def count_employed(u: UnitOfWork, tenant: str, f: Filters, t: datetime) -> int:
    """How many of the population are employed at `t`."""
    stmt = filtered(sa.select(sa.func.count()), tenant, f).where(employed_at(t))
    return int(await u.session.scalar(stmt) or 0)


async def members(u: UnitOfWork, tenant: str, f: Filters, ids: Iterable[str]) -> dict[str, Person]:
    """Those of `ids` who are of the population, read in full (a few: movers, cohorts)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    e = employees.c
    stmt = filtered(
        sa.select(e.employee_id, e.hired_on, e.left_on, e.left_voluntarily, e.group_attributes),
        tenant,
        f,
    ).where(among(e.employee_id, wanted))
    out = {}
    for r in (await u.session.execute(stmt)).all():
        out[r.employee_id] = Person(
            r.employee_id,
            _dt(r.hired_on),
            _dt(r.left_on + timedelta(days=1)) if r.left_on is not None else None,
            r.left_voluntarily,
            dict(r.group_attributes or {}),
        )
    return out


def _ceil_day(t: datetime) -> date:
    """The first day whose midnight is at or after `t`."""
    return t.date() if t.time() == time.min else t.date() + timedelta(1)


def filtered(stmt: Any, tenant: str, f: Filters) -> Any:
    """`stmt` over the people the filters select, employed at some point in the window.

    The one definition of a view's population, shared by the views and the anonymity
    rules (which count the populations around it).
    """
    e = employees.c
    stmt = stmt.select_from(
        employees.outerjoin(
            roles,
            sa.and_(roles.c.tenant_id == e.tenant_id, roles.c.role_id == e.role_id),
        )
    ).where(
        e.tenant_id == tenant,
        # Person.employed_during: hired before the window ends, not gone before it starts.
        sa.or_(e.hired_on.is_(None), e.hired_on < _ceil_day(f.window.end)),
        # Person.left_on is midnight after the last day: still there on `from` if the last
        # day is on or after it.
        sa.or_(e.left_on.is_(None), e.left_on >= f.window.start.date()),
    )
    if f.department:
        # A department is its whole subtree.
        stmt = stmt.where(
            e.department_id.in_(orgtree.subtree(org_units, tenant, [f.department], "in_dept"))
        )
    if f.family:
        stmt = stmt.where(roles.c.family_id == f.family)
    if f.track:
        stmt = stmt.where(roles.c.track_ids.any(f.track))
    if f.level:
        stmt = stmt.where(roles.c.level_id == f.level)
    if f.manager:
        stmt = stmt.where(e.employee_id.in_(relation.reports_of(employees, tenant, f.manager)))
    return stmt

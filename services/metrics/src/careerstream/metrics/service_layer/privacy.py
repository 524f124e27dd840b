"""The differencing rule (METRICS.md, "Anonymity", rule 3): which requestable populations
contain the one asked for, and whether one of them differs from it by 1 to k-1 people.

The populations next to `f`, each containing `f`'s, that the same caller can also request
(hr_admin: any; a manager: those within their own line):

- `f` with one of its filters removed;
- `f` with `department=D` replaced by the unit above D (a department holds its subtree);
- `f` with `manager=M` replaced by M's own manager (M's whole team plus M and their
  peers' teams);
- `f` with `manager=M` replaced by a department, job family or level that every person
  of `f` shares (a department is often one manager's organisation plus its head).

Every longer chain of such steps passes through one of them, and a population equal to
`f` is followed one step further, so a pair of requestable populations nested this way
that differs by fewer than k people always suppresses the smaller one. The larger one
(the tenant, a director's organisation) stays readable: it is the figure people need, and
the smaller one is where the few people would be singled out.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa

from careerstream.metrics.adapters.orm import employees, org_units, roles
from careerstream.metrics.domain.anonymity import differs_too_little
from careerstream.metrics.service_layer.scope import Filters, filtered
from careerstream.servicekit import relation
from careerstream.servicekit.uow import UnitOfWork

_DIMENSIONS = ("department", "family", "track", "level", "manager")


async def population_size(u: UnitOfWork, tenant: str, f: Filters) -> int:
    """How many people the filters select."""
    stmt = filtered(sa.select(sa.func.count()), tenant, f)
    return int(await u.session.scalar(stmt) or 0)


async def _manager_of(u: UnitOfWork, tenant: str, employee_id: str) -> str | None:
    value: str | None = await u.session.scalar(
        sa.select(employees.c.manager_id).where(
            employees.c.tenant_id == tenant, employees.c.employee_id == employee_id
        )
    )
    return value


async def _shared(u: UnitOfWork, tenant: str, f: Filters) -> dict[str, str]:
    """The department, family and level every person of `f` has, where they all share one."""
    e, r = employees.c, roles.c
    stmt = filtered(
        sa.select(
            sa.func.count(sa.distinct(sa.func.coalesce(e.department_id, ""))),
            sa.func.min(e.department_id),
            sa.func.count(sa.distinct(sa.func.coalesce(r.family_id, ""))),
            sa.func.min(r.family_id),
            sa.func.count(sa.distinct(sa.func.coalesce(r.level_id, ""))),
            sa.func.min(r.level_id),
        ),
        tenant,
        f,
    )
    row = (await u.session.execute(stmt)).one()
    out = {}
    for i, name in enumerate(("department", "family", "level")):
        distinct, value = row[2 * i], row[2 * i + 1]
        if distinct == 1 and value:
            out[name] = value
    return out


async def _around(u: UnitOfWork, tenant: str, f: Filters) -> list[Filters]:
    out = [
        dataclasses.replace(f, **{d: None})  # type: ignore[arg-type]
        for d in _DIMENSIONS
        if getattr(f, d) is not None
    ]
    if f.department is not None:
        # A department holds its subtree: the unit above holds it and more.
        parent = await u.session.scalar(
            sa.select(org_units.c.parent_id).where(
                org_units.c.tenant_id == tenant, org_units.c.orgunit_id == f.department
            )
        )
        if parent is not None:
            out.append(dataclasses.replace(f, department=parent))
    if f.manager is not None:
        above = await _manager_of(u, tenant, f.manager)
        if above is not None:
            out.append(dataclasses.replace(f, manager=above))
        for dim, value in (await _shared(u, tenant, f)).items():
            if getattr(f, dim) is None:
                out.append(dataclasses.replace(f, manager=None, **{dim: value}))  # type: ignore[arg-type]
    return out


def describe(f: Filters) -> str:
    """The filters in words, for a suppression's reason."""
    given = [f"{d}={getattr(f, d)}" for d in _DIMENSIONS if getattr(f, d) is not None]
    return ", ".join(given) or "the whole tenant"


async def _requestable(u: UnitOfWork, tenant: str, viewer: str | None, f: Filters) -> bool:
    """Whether the viewer may ask for `f` (hr_admin: anything; a manager: their own line)."""
    if viewer is None:
        return True
    if f.manager is None:
        return False
    return f.manager == viewer or await relation.manages(u, employees, tenant, viewer, f.manager)


async def differencing(
    u: UnitOfWork,
    tenant: str,
    f: Filters,
    size: int,
    k: int,
    *,
    viewer: str | None,
    depth: int = 3,
) -> str | None:
    """Why the population of `f` (of `size` people) must be suppressed, or None.

    `viewer` is the manager asking (who may request their own line only), or None for
    hr_admin (who may request any population of the tenant).
    """
    if k <= 1 or depth == 0:
        return None
    for other in await _around(u, tenant, f):
        if not await _requestable(u, tenant, viewer, other):
            continue
        n = await population_size(u, tenant, other)
        if differs_too_little(n, size, k):
            return (
                f"the population of {describe(other)} holds this one and {n - size} more "
                f"{'person' if n - size == 1 else 'people'} (fewer than {k}): figures of both "
                "would reveal them"
            )
        if n == size:
            why = await differencing(u, tenant, other, size, k, viewer=viewer, depth=depth - 1)
            if why is not None:
                return why
    return None


def suppressed_view(base: dict[str, Any], reason: str) -> dict[str, Any]:
    """A view that shows no figures, and why."""
    return {**base, "suppressed": True, "reason": reason}

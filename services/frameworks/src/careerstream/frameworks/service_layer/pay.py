"""Pay bands: HR sets them per level and location; employees see their own and next
levels' when the tenant allows it. Never published, never exported with a framework."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.frameworks.adapters.orm import employees, pay_bands, pay_settings
from careerstream.frameworks.adapters.repository import Versions
from careerstream.frameworks.domain.model import Framework
from careerstream.frameworks.domain.pay import (
    ANYWHERE,
    Band,
    band_problems,
    level_problems,
    own_and_next,
)
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.domain import Forbidden, Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork


async def _latest(uow: UnitOfWork, tenant: str, framework_id: str) -> Framework:
    """The framework's latest version (a draft included): bands may be set before publishing."""
    repo = Versions(uow, tenant)
    latest = await repo.latest_number(framework_id)
    if not latest:
        raise NotFound(f"framework '{framework_id}' does not exist")
    return (await repo.get(framework_id, latest, include_drafts=True)).document


def _row(r: Any) -> dict[str, Any]:
    return {
        "framework_id": r.framework_id,
        "family_id": r.family_id,
        "level_id": r.level_id,
        "location": r.location,
        "currency": r.currency,
        "minimum": float(r.minimum),
        "midpoint": float(r.midpoint),
        "maximum": float(r.maximum),
        "updated_at": r.updated_at,
        "updated_by": r.updated_by,
    }


async def put_band(
    uow: UnitOfWork,
    who: Principal,
    framework_id: str,
    family_id: str,
    level_id: str,
    location: str,
    band: Band,
) -> dict[str, Any]:
    """Set a level's band at a location (HR)."""
    fw = await _latest(uow, who.tenant_id, framework_id)
    problems = level_problems(fw, family_id, level_id) + band_problems(band)
    if problems:
        raise Invalid(problems)
    values = {
        "currency": band.currency,
        "minimum": band.minimum,
        "midpoint": band.midpoint,
        "maximum": band.maximum,
        "updated_at": datetime.now(UTC),
        "updated_by": who.subject,
    }
    stmt = pg_insert(pay_bands).values(
        tenant_id=who.tenant_id,
        framework_id=framework_id,
        family_id=family_id,
        level_id=level_id,
        location=location,
        **values,
    )
    row = (
        await uow.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "framework_id", "family_id", "level_id", "location"],
                set_=values,
            ).returning(pay_bands)
        )
    ).one()
    return _row(row)


async def delete_band(
    uow: UnitOfWork, who: Principal, framework_id: str, family_id: str, level_id: str, location: str
) -> None:
    """Remove a band (HR); 404 when there is none."""
    result = await uow.session.execute(
        sa.delete(pay_bands).where(
            pay_bands.c.tenant_id == who.tenant_id,
            pay_bands.c.framework_id == framework_id,
            pay_bands.c.family_id == family_id,
            pay_bands.c.level_id == level_id,
            pay_bands.c.location == location,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"no band for '{family_id}/{level_id}' at '{location}' in '{framework_id}'")


async def bands(uow: UnitOfWork, who: Principal, framework_id: str) -> list[dict[str, Any]]:
    """Every band of a framework (HR)."""
    await _latest(uow, who.tenant_id, framework_id)
    rows = await uow.session.execute(
        sa.select(pay_bands)
        .where(pay_bands.c.tenant_id == who.tenant_id, pay_bands.c.framework_id == framework_id)
        .order_by(pay_bands.c.family_id, pay_bands.c.level_id, pay_bands.c.location)
    )
    return [_row(r) for r in rows.all()]


async def employees_see_bands(uow: UnitOfWork, tenant: str) -> bool:
    """The tenant's setting (default: no, HR only)."""
    held: bool | None = await uow.session.scalar(
        sa.select(pay_settings.c.employees_see_bands).where(pay_settings.c.tenant_id == tenant)
    )
    return bool(held)


async def set_employees_see_bands(uow: UnitOfWork, tenant: str, value: bool) -> None:
    stmt = pg_insert(pay_settings).values(tenant_id=tenant, employees_see_bands=value)
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id"], set_={"employees_see_bands": value}
        )
    )


async def my_bands(uow: UnitOfWork, who: Principal) -> dict[str, Any]:
    """The bands of the caller's level and of the levels one rank above it on its tracks, at
    their location (else `*`), when the tenant lets employees see them."""
    tenant = who.tenant_id
    if not who.has(Role.HR_ADMIN) and not await employees_see_bands(uow, tenant):
        raise Forbidden("pay bands are visible to HR only in this company")
    me = (
        await uow.session.execute(
            sa.select(employees.c.role_id, employees.c.location).where(
                employees.c.tenant_id == tenant, employees.c.employee_id == who.subject
            )
        )
    ).first()
    if me is None or me.role_id is None:
        raise NotFound("the HRIS has not given you a role yet")
    repo = Versions(uow, tenant)
    for info in reversed(await repo.list(None, include_drafts=False)):  # newest first
        if info.status != "published":
            continue
        found = own_and_next(info.document, me.role_id)
        if not found:
            continue
        out = []
        for family_id, level in found:
            rows = {
                r.location: r
                for r in (
                    await uow.session.execute(
                        sa.select(pay_bands).where(
                            pay_bands.c.tenant_id == tenant,
                            pay_bands.c.framework_id == info.framework_id,
                            pay_bands.c.family_id == family_id,
                            pay_bands.c.level_id == level.id,
                            pay_bands.c.location.in_([me.location or ANYWHERE, ANYWHERE]),
                        )
                    )
                ).all()
            }
            row = rows.get(me.location or ANYWHERE) or rows.get(ANYWHERE)
            out.append(
                {
                    "level_id": level.id,
                    "level": level.name,
                    "rank": level.rank,
                    "yours": level is found[0][1],
                    "band": _row(row) if row is not None else None,
                }
            )
        return {"role_id": me.role_id, "framework_id": info.framework_id, "levels": out}
    raise NotFound(f"your role '{me.role_id}' is in no published framework")


def to_band(currency: str, minimum: Decimal, midpoint: Decimal, maximum: Decimal) -> Band:
    return Band(currency, minimum, midpoint, maximum)

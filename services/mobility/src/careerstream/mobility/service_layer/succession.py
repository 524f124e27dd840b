"""Succession: critical roles, nominations, slates and bench strength (MOBILITY.md, "Succession").

HR marks framework roles as critical. A person's managers (any level above them) or HR
nominate successors with a readiness; the matching index supplies everyone else whose
calibrated levels make them ready now or soon. Slates name people, so only HR reads them
(a manager reads the entries of their own line). Each time a bench may have moved — a role
marked or unmarked, a nomination given or withdrawn, someone's levels assessed — it is
counted again and, when the counts changed, published as `bench.changed`
(counts only) for the metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.contracts.events.mobility import BenchChanged
from careerstream.mobility.adapters.index import index_for, role_infos
from careerstream.mobility.adapters.orm import (
    benches,
    critical_roles,
    employees,
    nominations,
    org_units,
    profiles,
    roles,
)
from careerstream.mobility.adapters.repository import Market
from careerstream.mobility.domain.grid import by_rank, grid, place
from careerstream.mobility.domain.matching import Profile, Target
from careerstream.mobility.domain.succession import Bench, Readiness, Successor, bench, slate
from careerstream.mobility.service_layer.opportunities import now
from careerstream.servicekit import orgtree, relation
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.domain import Forbidden, Invalid, NotFound
from careerstream.servicekit.uow import UnitOfWork

CANDIDATES = 25
"""How many best-matched people are weighed for a slate besides the nominees."""
NOTE_MAX = 1000


def _hr(who: Principal) -> None:
    if not who.has(Role.HR_ADMIN):
        raise Forbidden("only hr_admin manages critical roles and reads bench strength")


async def _role(uow: UnitOfWork, tenant: str, role_id: str) -> Any:
    return (
        await uow.session.execute(
            sa.select(roles).where(roles.c.tenant_id == tenant, roles.c.role_id == role_id)
        )
    ).first()


async def _critical(uow: UnitOfWork, tenant: str, role_id: str) -> Any:
    row = (
        await uow.session.execute(
            sa.select(critical_roles).where(
                critical_roles.c.tenant_id == tenant, critical_roles.c.role_id == role_id
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"'{role_id}' is not a critical role")
    return row


async def mark(uow: UnitOfWork, who: Principal, role_id: str, reason: str) -> dict[str, Any]:
    """Mark a published role as critical (HR); marking it again updates the reason."""
    _hr(who)
    if len(reason) > NOTE_MAX:
        raise Invalid([f"reason: longer than {NOTE_MAX} characters"])
    if await _role(uow, who.tenant_id, role_id) is None:
        raise Invalid([f"role_id: '{role_id}' is not a role of a published framework"])
    at = now()
    ins = pg_insert(critical_roles).values(
        tenant_id=who.tenant_id, role_id=role_id, reason=reason, marked_by=who.subject, marked_at=at
    )
    await uow.session.execute(
        ins.on_conflict_do_update(
            index_elements=[critical_roles.c.tenant_id, critical_roles.c.role_id],
            set_={"reason": ins.excluded.reason},
        )
    )
    await recount(uow, who.tenant_id, [role_id])
    return {"role_id": role_id, "reason": reason, "critical": True}


async def unmark(uow: UnitOfWork, who: Principal, role_id: str) -> None:
    """The role is no longer critical: its nominations go, and its bench is published as zero."""
    _hr(who)
    await _critical(uow, who.tenant_id, role_id)
    for table in (nominations, critical_roles):
        await uow.session.execute(
            sa.delete(table).where(table.c.tenant_id == who.tenant_id, table.c.role_id == role_id)
        )
    await recount(uow, who.tenant_id, [role_id])


async def _may_nominate(uow: UnitOfWork, who: Principal, employee_id: str) -> None:
    if who.has(Role.HR_ADMIN):
        return
    if employee_id == who.subject:
        raise Forbidden("a manager or hr_admin nominates you; you cannot nominate yourself")
    if not await relation.manages(uow, employees, who.tenant_id, who.subject, employee_id):
        raise NotFound(f"no employee '{employee_id}' in your line")


async def nominate(
    uow: UnitOfWork,
    who: Principal,
    role_id: str,
    employee_id: str,
    readiness: Readiness,
    note: str,
) -> dict[str, Any]:
    """Nominate someone of the caller's line (any for HR) as a successor; again: updates it."""
    await _may_nominate(uow, who, employee_id)
    await _critical(uow, who.tenant_id, role_id)
    person = await Market(uow, who.tenant_id).person(employee_id)
    if person is None or not person.active:
        raise NotFound(f"no active employee '{employee_id}'")
    if person.role_id == role_id:
        raise Invalid([f"employee_id: {employee_id} holds {role_id} already"])
    if len(note) > NOTE_MAX:
        raise Invalid([f"note: longer than {NOTE_MAX} characters"])
    at = now()
    ins = pg_insert(nominations).values(
        tenant_id=who.tenant_id,
        role_id=role_id,
        employee_id=employee_id,
        readiness=readiness.value,
        note=note,
        nominated_by=who.subject,
        nominated_at=at,
    )
    await uow.session.execute(
        ins.on_conflict_do_update(
            index_elements=[
                nominations.c.tenant_id,
                nominations.c.role_id,
                nominations.c.employee_id,
            ],
            set_={
                c: ins.excluded[c] for c in ("readiness", "note", "nominated_by", "nominated_at")
            },
        )
    )
    await recount(uow, who.tenant_id, [role_id])
    return {
        "role_id": role_id,
        "employee_id": employee_id,
        "readiness": readiness.value,
        "note": note,
        "nominated_by": who.subject,
        "nominated_at": at,
    }


async def withdraw(uow: UnitOfWork, who: Principal, role_id: str, employee_id: str) -> None:
    """Withdraw a nomination (the person's managers, or HR)."""
    await _may_nominate(uow, who, employee_id)
    gone = await uow.session.execute(
        sa.delete(nominations)
        .where(
            nominations.c.tenant_id == who.tenant_id,
            nominations.c.role_id == role_id,
            nominations.c.employee_id == employee_id,
        )
        .returning(nominations.c.employee_id)
    )
    if gone.first() is None:
        raise NotFound(f"{employee_id} is not nominated for '{role_id}'")
    await recount(uow, who.tenant_id, [role_id])


async def _slate(uow: UnitOfWork, tenant: str, role_id: str) -> tuple[list[Successor], set[str]]:
    role = await _role(uow, tenant, role_id)
    held = await uow.session.scalars(
        sa.select(employees.c.employee_id).where(
            employees.c.tenant_id == tenant, employees.c.active, employees.c.role_id == role_id
        )
    )
    incumbents = set(held.all())
    rows = await uow.session.execute(
        sa.select(nominations.c.employee_id, nominations.c.readiness, nominations.c.nominated_by)
        .select_from(
            nominations.join(
                employees,
                sa.and_(
                    employees.c.tenant_id == nominations.c.tenant_id,
                    employees.c.employee_id == nominations.c.employee_id,
                ),
            )
        )
        .where(
            nominations.c.tenant_id == tenant,
            nominations.c.role_id == role_id,
            employees.c.active,
        )
    )
    nominated = {e: (Readiness(r), by) for e, r, by in rows.all()}
    if role is None:  # the framework dropped the role: nominees only, on the evidence of none
        return slate([], nominated, incumbents), incumbents
    info = (await role_infos(uow, tenant)).get(role_id)
    target = Target(f"role:{role_id}", "role", dict(role.requirements), info, role.family_id)
    index = await index_for(uow, tenant)
    best = index.top(target, CANDIDATES, exclude=sorted(incumbents))
    seen = {m.employee_id for m in best}
    among = [e for e in nominated if e not in seen]
    if among:
        best += index.top(target, len(among), among=index.mask(among))
    return slate(best, nominated, incumbents), incumbents


async def recount(uow: UnitOfWork, tenant: str, role_ids: Sequence[str]) -> int:
    """Count the benches of `role_ids` again; publish those that changed. Returns how many."""
    critical = set(
        (
            await uow.session.scalars(
                sa.select(critical_roles.c.role_id).where(
                    critical_roles.c.tenant_id == tenant, critical_roles.c.role_id.in_(role_ids)
                )
            )
        ).all()
    )
    held = {
        r.role_id: dict(r.counts)
        for r in await uow.session.execute(
            sa.select(benches.c.role_id, benches.c.counts)
            .where(benches.c.tenant_id == tenant, benches.c.role_id.in_(role_ids))
            .with_for_update()
        )
    }
    published = 0
    at = now()
    for role_id in sorted(set(role_ids)):
        if role_id in critical:
            successors, incumbents = await _slate(uow, tenant, role_id)
            b = bench(successors)
            counts = {
                "critical": True,
                "ready_now": b.ready_now,
                "ready_soon": b.ready_soon,
                "later": b.later,
                "nominated": b.nominated,
                "incumbents": len(incumbents),
            }
        elif role_id in held:
            counts = {k: 0 for k in ("ready_now", "ready_soon", "later", "nominated", "incumbents")}
            counts["critical"] = False
        else:
            continue  # never critical: nothing to say
        if held.get(role_id) == counts:
            continue
        ins = pg_insert(benches).values(
            tenant_id=tenant, role_id=role_id, counts=counts, published_at=at
        )
        await uow.session.execute(
            ins.on_conflict_do_update(
                index_elements=[benches.c.tenant_id, benches.c.role_id],
                set_={"counts": ins.excluded.counts, "published_at": ins.excluded.published_at},
            )
        )
        uow.publish(BenchChanged(role_id=role_id, changed_at=at, **counts), tenant_id=tenant)
        published += 1
    return published


async def recount_all(uow: UnitOfWork, tenant: str) -> int:
    """Every critical role's bench (after someone's levels changed)."""
    ids = (
        await uow.session.scalars(
            sa.select(critical_roles.c.role_id).where(critical_roles.c.tenant_id == tenant)
        )
    ).all()
    return await recount(uow, tenant, list(ids)) if ids else 0


def _entry(s: Successor, full: bool) -> dict[str, Any]:
    return {
        "employee_id": s.employee_id,
        "readiness": s.readiness.value,
        "assessed_readiness": s.assessed.value,
        "nominated_readiness": s.nominated.value if s.nominated else None,
        "nominated_by": s.nominated_by,
        "score": s.score if full else None,
        "levels_short": s.levels_short if full and s.levels_short >= 0 else None,
    }


async def role_slate(uow: UnitOfWork, who: Principal, role_id: str) -> dict[str, Any]:
    """A critical role's slate: HR reads all of it; a manager, the entries of their own line."""
    crit = await _critical(uow, who.tenant_id, role_id)
    successors, incumbents = await _slate(uow, who.tenant_id, role_id)
    if not who.has(Role.HR_ADMIN):
        if not who.has(Role.MANAGER):
            raise Forbidden("only hr_admin and managers (for their own line) read slates")
        line = await Market(uow, who.tenant_id).line_of(who.subject)
        successors = [s for s in successors if s.employee_id in line]
    b = bench(successors)
    notes = {
        e: (n, by)
        for e, n, by in (
            await uow.session.execute(
                sa.select(
                    nominations.c.employee_id, nominations.c.note, nominations.c.nominated_by
                ).where(nominations.c.tenant_id == who.tenant_id, nominations.c.role_id == role_id)
            )
        ).all()
    }
    return {
        "role_id": role_id,
        "reason": crit.reason,
        "incumbents": sorted(incumbents) if who.has(Role.HR_ADMIN) else None,
        "bench": {
            "ready_now": b.ready_now,
            "ready_1_2_years": b.ready_soon,
            "later": b.later,
            "nominated": b.nominated,
            "covered": b.covered,
        },
        "successors": [
            {**_entry(s, True), "note": notes.get(s.employee_id, ("", None))[0] or None}
            for s in successors
        ],
    }


async def bench_strength(uow: UnitOfWork, who: Principal, department: str | None) -> dict[str, Any]:
    """Every critical role's bench (HR): or those held by people of `department`'s subtree."""
    _hr(who)
    tenant = who.tenant_id
    rows = (
        await uow.session.execute(
            sa.select(critical_roles.c.role_id, critical_roles.c.reason)
            .where(critical_roles.c.tenant_id == tenant)
            .order_by(critical_roles.c.role_id)
        )
    ).all()
    if department is not None:
        held_here = set(
            (
                await uow.session.scalars(
                    sa.select(employees.c.role_id).where(
                        employees.c.tenant_id == tenant,
                        employees.c.active,
                        employees.c.department_id.in_(
                            orgtree.subtree(org_units, tenant, [department])
                        ),
                    )
                )
            ).all()
        )
        rows = [r for r in rows if r.role_id in held_here]
    out = []
    for r in rows:
        successors, incumbents = await _slate(uow, tenant, r.role_id)
        b: Bench = bench(successors)
        out.append(
            {
                "role_id": r.role_id,
                "reason": r.reason,
                "incumbents": len(incumbents),
                "ready_now": b.ready_now,
                "ready_1_2_years": b.ready_soon,
                "later": b.later,
                "nominated": b.nominated,
                "covered": b.covered,
            }
        )
    covered = sum(1 for x in out if x["covered"])
    return {
        "department": department,
        "critical_roles": len(out),
        "covered_ready_now": covered,
        "coverage": round(covered / len(out), 4) if out else None,
        "bench_strength": (
            round(sum(x["ready_now"] + x["ready_1_2_years"] for x in out) / len(out), 2)
            if out
            else None
        ),
        "roles": out,
    }


async def my_nominations(uow: UnitOfWork, who: Principal, employee_id: str) -> list[dict[str, Any]]:
    """The critical roles someone is nominated for: HR, and their managers; never the person
    (a slate is a confidential plan, as in every succession programme)."""
    if not who.has(Role.HR_ADMIN) and (
        employee_id == who.subject
        or not await relation.manages(uow, employees, who.tenant_id, who.subject, employee_id)
    ):
        raise NotFound(f"no employee '{employee_id}' in your line")
    rows = await uow.session.execute(
        sa.select(nominations)
        .where(nominations.c.tenant_id == who.tenant_id, nominations.c.employee_id == employee_id)
        .order_by(nominations.c.role_id)
    )
    return [
        {
            "role_id": r.role_id,
            "readiness": r.readiness,
            "note": r.note or None,
            "nominated_by": r.nominated_by,
            "nominated_at": r.nominated_at,
        }
        for r in rows
    ]


async def talent_grid(uow: UnitOfWork, who: Principal, department: str | None) -> dict[str, Any]:
    """The performance x potential grid (`domain/grid.py`): HR for everyone (or a department's
    subtree), a manager for their own line; employees never."""
    tenant = who.tenant_id
    e, p = employees.c, profiles.c
    stmt = (
        sa.select(e.employee_id, e.performance, p.role_id, p.levels, p.active)
        .select_from(
            employees.outerjoin(
                profiles, sa.and_(p.tenant_id == e.tenant_id, p.employee_id == e.employee_id)
            )
        )
        .where(e.tenant_id == tenant, e.active)
        .order_by(e.employee_id)
    )
    if not who.has(Role.HR_ADMIN):
        if not who.has(Role.MANAGER):
            raise Forbidden("only hr_admin and managers (for their own line) read the talent grid")
        stmt = stmt.where(e.employee_id.in_(relation.reports_of(employees, tenant, who.subject)))
    if department is not None:
        stmt = stmt.where(e.department_id.in_(orgtree.subtree(org_units, tenant, [department])))
    rows = (await uow.session.execute(stmt)).all()
    infos = await role_infos(uow, tenant)
    requirements = {
        r.role_id: dict(r.requirements)
        for r in await uow.session.execute(
            sa.select(roles.c.role_id, roles.c.requirements).where(roles.c.tenant_id == tenant)
        )
    }
    ranks = by_rank(infos.values())
    placements = [
        place(
            Profile(
                employee_id=r.employee_id,
                active=True,
                role=infos.get(r.role_id) if r.role_id else None,
                levels={k: int(v) for k, v in (r.levels or {}).items()},
            ),
            r.performance,
            ranks,
            requirements,
        )
        for r in rows
    ]
    cells = grid(placements)
    left_out: dict[str, int] = {"unassessed": 0, "unrated": 0, "top_of_family": 0}
    for x in placements:
        if x.why_not is not None:
            left_out[x.why_not] += 1
    return {
        "department": department,
        "people": len(placements),
        "placed": sum(len(v) for v in cells.values()),
        "not_placed": left_out,
        "cells": [
            {
                "performance": perf.value,
                "potential": pot.value,
                "count": len(ids),
                "employee_ids": ids,
            }
            for (perf, pot), ids in cells.items()
        ],
    }

"""All SQL of the assessments service's use cases: cycles, assessments, people and levels.

`Assessments` loads an assessment whole (its submissions and results) and
saves what changed. `People` reads the directory and the published roles the
service keeps from other services' events, and records each person's latest
calibrated levels (which the skills matrix rolls up by trigger).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from careerstream.assessments.adapters.orm import (
    assessments,
    cycles,
    employees,
    frameworks,
    levels,
    org_units,
    results,
    roles,
    submissions,
)
from careerstream.assessments.domain.assessment import (
    Assessment,
    AssessmentState,
    Cycle,
    CycleState,
    Rated,
    Result,
    ResultSource,
)
from careerstream.assessments.domain.rules import RaterKind, Rule
from careerstream.contracts.events import assessments as ev
from careerstream.servicekit import orgtree, people
from careerstream.servicekit.auth import Principal, Role
from careerstream.servicekit.db import upsert_changed
from careerstream.servicekit.domain import NotFound
from careerstream.servicekit.relation import reports_of
from careerstream.servicekit.uow import UnitOfWork

_SAVE_RESULT = upsert_changed(results, ("tenant_id", "assessment_id", "competency_id"))
_SAVE_LEVEL = upsert_changed(levels, ("tenant_id", "employee_id", "competency_id"))


class Cycles:
    """The assessment cycles of one tenant."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    async def get(self, cycle_id: str, *, lock: bool = False) -> Cycle:
        """A cycle (locked when `lock`); 404 when the tenant has none by that id."""
        stmt = sa.select(cycles).where(
            cycles.c.tenant_id == self.tenant, cycles.c.cycle_id == cycle_id
        )
        row = (await self.uow.session.execute(stmt.with_for_update() if lock else stmt)).first()
        if row is None:
            raise NotFound(f"no cycle '{cycle_id}'")
        return Cycle(
            cycle_id=row.cycle_id,
            name=row.name,
            population=ev.Population.model_validate(row.population),
            deadline=row.deadline,
            rule=Rule(row.rule),
            weights=dict(row.weights),
            status=CycleState(row.status),
            opened_at=row.opened_at,
            opened_by=row.opened_by,
            closed_at=row.closed_at,
        )

    async def add(self, cycle: Cycle) -> None:
        """Insert a new cycle."""
        await self.uow.session.execute(
            sa.insert(cycles).values(
                tenant_id=self.tenant,
                cycle_id=cycle.cycle_id,
                name=cycle.name,
                population=cycle.population.model_dump(mode="json"),
                deadline=cycle.deadline,
                rule=cycle.rule.value,
                weights=cycle.weights,
                status=cycle.status.value,
                opened_at=cycle.opened_at,
                opened_by=cycle.opened_by,
            )
        )

    async def open_now(self, at: datetime) -> list[tuple[str, ev.Population, datetime]]:
        """(cycle id, population, deadline) of every cycle open and not past its deadline."""
        rows = await self.uow.session.execute(
            sa.select(cycles.c.cycle_id, cycles.c.population, cycles.c.deadline).where(
                cycles.c.tenant_id == self.tenant,
                cycles.c.status == CycleState.OPEN.value,
                cycles.c.deadline > at,
            )
        )
        return [(c, ev.Population.model_validate(p), d) for c, p, d in rows.all()]

    async def save(self, cycle: Cycle) -> None:
        """Write a cycle's status."""
        await self.uow.session.execute(
            sa.update(cycles)
            .where(cycles.c.tenant_id == self.tenant, cycles.c.cycle_id == cycle.cycle_id)
            .values(status=cycle.status.value, closed_at=cycle.closed_at)
        )

    async def ids_newest_first(self) -> list[str]:
        """Every cycle's id, the latest opened first."""
        found = await self.uow.session.scalars(
            sa.select(cycles.c.cycle_id)
            .where(cycles.c.tenant_id == self.tenant)
            .order_by(cycles.c.opened_at.desc())
        )
        return list(found.all())

    async def progress(self, cycle_id: str) -> dict[str, int]:
        """How many of the cycle's assessments are in each status."""
        rows = await self.uow.session.execute(
            sa.select(assessments.c.status, sa.func.count())
            .where(assessments.c.tenant_id == self.tenant, assessments.c.cycle_id == cycle_id)
            .group_by(assessments.c.status)
        )
        return {status: int(n) for status, n in rows.all()}


def _assessment(row: Any, subs: Sequence[Any], res: Sequence[Any]) -> Assessment:
    return Assessment(
        assessment_id=row.assessment_id,
        cycle_id=row.cycle_id,
        employee_id=row.employee_id,
        role_id=row.role_id,
        framework_id=row.framework_id,
        framework_version=row.framework_version,
        required=dict(row.required),
        scale=(row.scale_low, row.scale_high),
        created_at=row.created_at,
        status=AssessmentState(row.status),
        peers=list(row.peers),
        completed_at=row.completed_at,
        submissions=[
            Rated(s.rater_id, RaterKind(s.rater_kind), list(s.ratings), s.submitted_at)
            for s in subs
        ],
        results={
            r.competency_id: Result(
                r.competency_id,
                r.level,
                ResultSource(r.source),
                r.reason,
                r.calibrated_by,
                r.calibrated_at,
            )
            for r in res
        },
    )


class Assessments:
    """The assessments of one tenant."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    async def _load(self, stmt: sa.Select[Any]) -> list[Assessment]:
        session = self.uow.session
        rows = (await session.execute(stmt)).all()
        if not rows:
            return []
        ids = [r.assessment_id for r in rows]
        subs: dict[str, list[Any]] = {}
        for s in await session.execute(
            sa.select(submissions)
            .where(submissions.c.tenant_id == self.tenant, submissions.c.assessment_id.in_(ids))
            .order_by(submissions.c.submitted_at)
        ):
            subs.setdefault(s.assessment_id, []).append(s)
        res: dict[str, list[Any]] = {}
        for r in await session.execute(
            sa.select(results).where(
                results.c.tenant_id == self.tenant, results.c.assessment_id.in_(ids)
            )
        ):
            res.setdefault(r.assessment_id, []).append(r)
        return [
            _assessment(r, subs.get(r.assessment_id, []), res.get(r.assessment_id, []))
            for r in rows
        ]

    async def get(self, assessment_id: str, *, lock: bool = False) -> Assessment:
        """An assessment whole (locked when `lock`); 404 when the tenant has none by that id."""
        stmt = sa.select(assessments).where(
            assessments.c.tenant_id == self.tenant, assessments.c.assessment_id == assessment_id
        )
        found = await self._load(stmt.with_for_update() if lock else stmt)
        if not found:
            raise NotFound(f"no assessment '{assessment_id}'")
        return found[0]

    async def open_in(self, cycle_id: str) -> list[Assessment]:
        """The cycle's open assessments, locked."""
        return await self._load(
            sa.select(assessments)
            .where(
                assessments.c.tenant_id == self.tenant,
                assessments.c.cycle_id == cycle_id,
                assessments.c.status == AssessmentState.OPEN.value,
            )
            .with_for_update()
        )

    async def newest_completed(self, employee_id: str) -> str | None:
        """The id of the person's latest completed assessment (it sets their current levels)."""
        found: str | None = await self.uow.session.scalar(
            sa.select(assessments.c.assessment_id)
            .where(
                assessments.c.tenant_id == self.tenant,
                assessments.c.employee_id == employee_id,
                assessments.c.status == AssessmentState.COMPLETED.value,
            )
            .order_by(assessments.c.completed_at.desc())
            .limit(1)
        )
        return found

    async def held_in(
        self, cycle_ids: Sequence[str], employee_ids: Sequence[str]
    ) -> set[tuple[str, str]]:
        """(cycle, employee) pairs among these that have an assessment, whatever its status."""
        rows = await self.uow.session.execute(
            sa.select(assessments.c.cycle_id, assessments.c.employee_id).where(
                assessments.c.tenant_id == self.tenant,
                assessments.c.cycle_id.in_(list(cycle_ids)),
                assessments.c.employee_id.in_(list(employee_ids)),
            )
        )
        return {(c, e) for c, e in rows.all()}

    async def add_many(self, new: Sequence[Assessment]) -> None:
        """Insert new assessments."""
        if not new:
            return
        await self.uow.session.execute(
            sa.insert(assessments),
            [
                {
                    "tenant_id": self.tenant,
                    "assessment_id": a.assessment_id,
                    "cycle_id": a.cycle_id,
                    "employee_id": a.employee_id,
                    "role_id": a.role_id,
                    "framework_id": a.framework_id,
                    "framework_version": a.framework_version,
                    "required": a.required,
                    "scale_low": a.scale[0],
                    "scale_high": a.scale[1],
                    "status": a.status.value,
                    "peers": a.peers,
                    "created_at": a.created_at,
                }
                for a in new
            ],
        )

    async def save(self, a: Assessment) -> None:
        """Write status, peers and completion, new submissions, and results that changed."""
        session, tenant = self.uow.session, self.tenant
        await session.execute(
            sa.update(assessments)
            .where(
                assessments.c.tenant_id == tenant, assessments.c.assessment_id == a.assessment_id
            )
            .values(status=a.status.value, peers=a.peers, completed_at=a.completed_at)
        )
        held = set(
            (
                await session.scalars(
                    sa.select(submissions.c.rater_id).where(
                        submissions.c.tenant_id == tenant,
                        submissions.c.assessment_id == a.assessment_id,
                    )
                )
            ).all()
        )
        new = [s for s in a.submissions if s.rater_id not in held]
        if new:
            await session.execute(
                sa.insert(submissions),
                [
                    {
                        "tenant_id": tenant,
                        "assessment_id": a.assessment_id,
                        "rater_id": s.rater_id,
                        "rater_kind": s.rater_kind.value,
                        "ratings": s.ratings,
                        "submitted_at": s.submitted_at,
                    }
                    for s in new
                ],
            )
        if a.results:
            await session.execute(
                _SAVE_RESULT,
                [
                    {
                        "tenant_id": tenant,
                        "assessment_id": a.assessment_id,
                        "competency_id": r.competency_id,
                        "level": r.level,
                        "source": r.source.value,
                        "reason": r.reason,
                        "calibrated_by": r.calibrated_by,
                        "calibrated_at": r.calibrated_at,
                    }
                    for r in a.results.values()
                ],
            )

    async def readable(
        self, who: Principal, cycle_id: str | None, employee_id: str | None, status: str | None
    ) -> list[Any]:
        """Assessment rows `who` takes part in or may read (all of the tenant for hr_admin)."""
        stmt = sa.select(assessments).where(assessments.c.tenant_id == self.tenant)
        if cycle_id:
            stmt = stmt.where(assessments.c.cycle_id == cycle_id)
        if employee_id:
            stmt = stmt.where(assessments.c.employee_id == employee_id)
        if status:
            stmt = stmt.where(assessments.c.status == status)
        if not who.has(Role.HR_ADMIN):
            stmt = stmt.where(
                sa.or_(
                    assessments.c.employee_id == who.subject,
                    sa.literal(who.subject) == sa.any_(assessments.c.peers),
                    assessments.c.employee_id.in_(reports_of(employees, self.tenant, who.subject)),
                )
            )
        order = stmt.order_by(assessments.c.created_at, assessments.c.employee_id)
        return list((await self.uow.session.execute(order)).all())


class People:
    """The directory, the published roles and the latest levels, as this service keeps them."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    async def person(self, employee_id: str) -> Any:
        """A person's directory row, or None."""
        return await people.person(self.uow, employees, self.tenant, employee_id)

    async def manager_of(self, employee_id: str) -> str | None:
        """The person's current manager."""
        manager: str | None = await self.uow.session.scalar(
            sa.select(employees.c.manager_id).where(
                employees.c.tenant_id == self.tenant, employees.c.employee_id == employee_id
            )
        )
        return manager

    async def active_among(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are active employees."""
        found = await self.uow.session.scalars(
            sa.select(employees.c.employee_id).where(
                employees.c.tenant_id == self.tenant,
                employees.c.employee_id.in_(list(ids)),
                employees.c.active,
            )
        )
        return set(found.all())

    async def set_target_role(self, employee_id: str, role_id: str | None) -> None:
        """Declare (or clear) the role a person aims for."""
        await self.uow.session.execute(
            sa.update(employees)
            .where(employees.c.tenant_id == self.tenant, employees.c.employee_id == employee_id)
            .values(target_role_id=role_id)
        )

    async def role(self, role_id: str | None) -> Any:
        """A published role's row, or None."""
        if role_id is None:
            return None
        return (
            await self.uow.session.execute(
                sa.select(roles).where(roles.c.tenant_id == self.tenant, roles.c.role_id == role_id)
            )
        ).first()

    async def requirements(self, role_id: str) -> dict[str, int] | None:
        """A published role's required levels, or None when no framework has the role."""
        req: dict[str, int] | None = await self.uow.session.scalar(
            sa.select(roles.c.requirements).where(
                roles.c.tenant_id == self.tenant, roles.c.role_id == role_id
            )
        )
        return req

    async def latest_levels(self, employee_id: str) -> dict[str, int]:
        """The person's latest calibrated level per competency."""
        rows = await self.uow.session.execute(
            sa.select(levels.c.competency_id, levels.c.level).where(
                levels.c.tenant_id == self.tenant, levels.c.employee_id == employee_id
            )
        )
        return {c: int(lv) for c, lv in rows.all()}

    async def record_levels(self, a: Assessment, person: Any, role: Any, now: datetime) -> None:
        """The assessment's levels become the person's latest, with the groups they are in."""
        if not a.results:
            return
        required_now: dict[str, int] = role.requirements if role is not None else {}
        await self.uow.session.execute(
            _SAVE_LEVEL,
            [
                {
                    "tenant_id": self.tenant,
                    "employee_id": a.employee_id,
                    "competency_id": r.competency_id,
                    "level": r.level,
                    "required": required_now.get(r.competency_id),
                    "department_id": person.department_id,
                    "family_id": role.family_id if role is not None else None,
                    "manager_id": person.manager_id,
                    "assessment_id": a.assessment_id,
                    "assessed_at": now,
                }
                for r in sorted(a.results.values(), key=lambda r: r.competency_id)
            ],
        )

    async def population(
        self, population: ev.Population, among: Sequence[str] | None = None
    ) -> list[Any]:
        """The active people of a population (only those `among` when given), with their
        role's framework and scale (None where the role or its framework is unknown), by
        employee id."""
        query = (
            sa.select(
                employees.c.employee_id,
                employees.c.role_id,
                roles.c.framework_id,
                roles.c.framework_version,
                roles.c.requirements,
                roles.c.family_id,
                frameworks.c.scale_low,
                frameworks.c.scale_high,
            )
            .select_from(employees)
            .outerjoin(
                roles,
                sa.and_(roles.c.tenant_id == self.tenant, roles.c.role_id == employees.c.role_id),
            )
            .outerjoin(
                frameworks,
                sa.and_(
                    frameworks.c.tenant_id == self.tenant,
                    frameworks.c.framework_id == roles.c.framework_id,
                ),
            )
            .where(employees.c.tenant_id == self.tenant, employees.c.active)
            .order_by(employees.c.employee_id)
        )
        if population.kind is ev.PopulationKind.DEPARTMENT:
            # A department is its whole subtree.
            query = query.where(
                employees.c.department_id.in_(
                    orgtree.subtree(org_units, self.tenant, list(population.ids))
                )
            )
        elif population.kind is ev.PopulationKind.FAMILY:
            query = query.where(roles.c.family_id.in_(population.ids))
        if among is not None:
            query = query.where(employees.c.employee_id.in_(list(among)))
        return list((await self.uow.session.execute(query)).all())


async def matrix_rows(
    uow: UnitOfWork, tenant: str, dim: str, group_ids: Sequence[str] | None
) -> list[Any]:
    """The rolled-up matrix cells of a grouping, by group and competency: (group, competency,
    levels, counts per level, n, level sum, gap sum, n required); only `group_ids` when given."""
    if dim == "department":
        return await _department_rows(uow, tenant, group_ids)
    where = ""
    params: dict[str, Any] = {"t": tenant, "dim": dim}
    if group_ids is not None:
        where = " AND group_id = ANY(:ids)"
        params["ids"] = list(group_ids)
    rows = await uow.session.execute(
        sa.text(
            f"""
            SELECT NULLIF(group_id, '') AS grp, competency_id,
                   array_agg(level ORDER BY level), array_agg(n ORDER BY level),
                   sum(n), sum(level * n), sum(gap_sum), sum(n_required)
              FROM assessments.matrix_cells
             WHERE tenant_id = :t AND dim = :dim AND n > 0{where}
             GROUP BY 1, 2
            """
        ),
        params,
    )
    return list(rows.all())


async def _department_rows(
    uow: UnitOfWork, tenant: str, group_ids: Sequence[str] | None
) -> list[Any]:
    """Matrix rows by department, each department counting its whole subtree: the cells of
    every unit below it are added to its own. Without `group_ids`, every department that
    holds assessed people or is in the tree."""
    roots = (
        "SELECT unnest(CAST(:ids AS text[]))"
        if group_ids is not None
        else """SELECT group_id FROM assessments.matrix_cells
                 WHERE tenant_id = :t AND dim = 'department' AND group_id <> ''
                UNION SELECT orgunit_id FROM assessments.org_units WHERE tenant_id = :t"""
    )
    params: dict[str, Any] = {"t": tenant}
    if group_ids is not None:
        params["ids"] = list(group_ids)
    rows = await uow.session.execute(
        sa.text(
            f"""
            WITH RECURSIVE tree(root, unit_id) AS (
                SELECT r, r FROM ({roots}) AS roots(r)
                UNION
                SELECT tree.root, u.orgunit_id
                  FROM assessments.org_units u JOIN tree ON u.parent_id = tree.unit_id
                 WHERE u.tenant_id = :t
            ), per_level AS (
                SELECT tree.root, c.competency_id, c.level, sum(c.n) AS n,
                       sum(c.gap_sum) AS gap_sum, sum(c.n_required) AS n_required
                  FROM assessments.matrix_cells c JOIN tree ON c.group_id = tree.unit_id
                 WHERE c.tenant_id = :t AND c.dim = 'department' AND c.n > 0
                 GROUP BY 1, 2, 3
            )
            SELECT root AS grp, competency_id,
                   array_agg(level ORDER BY level), array_agg(n ORDER BY level),
                   sum(n), sum(level * n), sum(gap_sum), sum(n_required)
              FROM per_level
             GROUP BY 1, 2
            """
        ),
        params,
    )
    return list(rows.all())

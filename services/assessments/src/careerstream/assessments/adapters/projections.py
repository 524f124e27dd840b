"""The SQL that keeps the assessments service's copies of other services' data: frameworks and
roles, and what follows a person's HRIS change (their assessments and levels)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from careerstream.assessments.adapters.orm import (
    assessments,
    frameworks,
    levels,
    roles,
    submissions,
)
from careerstream.servicekit.uow import UnitOfWork


class Copies:
    """One tenant's copies."""

    def __init__(self, uow: UnitOfWork, tenant: str) -> None:
        self.uow, self.tenant = uow, tenant

    async def held_version(self, framework_id: str) -> int | None:
        """The version of a framework held, locked; None when none is."""
        held: int | None = await self.uow.session.scalar(
            sa.select(frameworks.c.version)
            .where(frameworks.c.tenant_id == self.tenant, frameworks.c.framework_id == framework_id)
            .with_for_update()
        )
        return held

    async def hold_framework(
        self,
        framework_id: str,
        version: int,
        scale: tuple[int, int],
        competencies: dict[str, Any],
        role_rows: list[dict[str, Any]],
    ) -> None:
        """Hold a version's scale, competencies and roles instead of the earlier ones; the
        requirement and family of everyone's levels follow the new version."""
        session, tenant = self.uow.session, self.tenant
        stmt = pg_insert(frameworks).values(
            tenant_id=tenant,
            framework_id=framework_id,
            version=version,
            scale_low=scale[0],
            scale_high=scale[1],
            competencies=competencies,
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[frameworks.c.tenant_id, frameworks.c.framework_id],
                set_={
                    c: stmt.excluded[c]
                    for c in ("version", "scale_low", "scale_high", "competencies")
                },
            )
        )
        await session.execute(
            sa.delete(roles).where(
                roles.c.tenant_id == tenant, roles.c.framework_id == framework_id
            )
        )
        if role_rows:
            await session.execute(
                sa.insert(roles),
                [
                    {"tenant_id": tenant, "framework_id": framework_id,
                     "framework_version": version, **r}
                    for r in role_rows
                ],
            )  # fmt: skip
        await session.execute(
            sa.text(
                """
                UPDATE assessments.levels l
                   SET required = (r.requirements ->> l.competency_id)::smallint,
                       family_id = r.family_id
                  FROM assessments.employees e
                  JOIN assessments.roles r ON r.tenant_id = e.tenant_id AND r.role_id = e.role_id
                 WHERE l.tenant_id = :tenant AND e.tenant_id = :tenant
                   AND e.employee_id = l.employee_id AND r.framework_id = :framework
                """
            ),
            {"tenant": tenant, "framework": framework_id},
        )

    async def retire(self, framework_id: str, version: int) -> None:
        """Remember a retired version."""
        await self.uow.session.execute(
            sa.update(frameworks)
            .where(frameworks.c.tenant_id == self.tenant, frameworks.c.framework_id == framework_id)
            .values(retired_versions=sa.func.array_append(frameworks.c.retired_versions, version))
        )

    async def cancel_open(self, employee_id: str, reason: str) -> None:
        """Cancel a person's open assessments."""
        await self.uow.session.execute(
            sa.update(assessments)
            .where(
                assessments.c.tenant_id == self.tenant,
                assessments.c.employee_id == employee_id,
                assessments.c.status == "open",
            )
            .values(status="cancelled", cancelled_reason=reason)
        )

    async def move_levels(self, employee_id: str, values: dict[str, Any]) -> None:
        """Set group columns (department, manager) on a person's levels."""
        await self.uow.session.execute(
            sa.update(levels)
            .where(levels.c.tenant_id == self.tenant, levels.c.employee_id == employee_id)
            .values(values)
        )

    async def role(self, role_id: str) -> Any:
        """A held role's row, or None."""
        return (
            await self.uow.session.execute(
                sa.select(roles).where(roles.c.tenant_id == self.tenant, roles.c.role_id == role_id)
            )
        ).first()

    async def relevel(
        self, employee_id: str, family_id: str | None, requirements: dict[str, int]
    ) -> None:
        """A person's levels against the requirements of their new role."""
        required = (
            sa.case(
                *[(levels.c.competency_id == c, lv) for c, lv in requirements.items()],
                else_=None,
            )
            if requirements
            else None
        )
        await self.move_levels(employee_id, {"family_id": family_id, "required": required})

    async def move_unrated(self, employee_id: str, role: Any) -> None:
        """A person's open assessments nobody has rated yet move to their new role."""
        session, tenant = self.uow.session, self.tenant
        fw = (
            await session.execute(
                sa.select(frameworks).where(
                    frameworks.c.tenant_id == tenant, frameworks.c.framework_id == role.framework_id
                )
            )
        ).first()
        if fw is None:
            return
        rated = sa.select(submissions.c.assessment_id).where(
            submissions.c.tenant_id == tenant,
            submissions.c.assessment_id == assessments.c.assessment_id,
        )
        await session.execute(
            sa.update(assessments)
            .where(
                assessments.c.tenant_id == tenant,
                assessments.c.employee_id == employee_id,
                assessments.c.status == "open",
                ~sa.exists(rated),
            )
            .values(
                role_id=role.role_id,
                framework_id=role.framework_id,
                framework_version=role.framework_version,
                required=role.requirements,
                scale_low=fw.scale_low,
                scale_high=fw.scale_high,
            )
        )

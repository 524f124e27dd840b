"""The skills matrix: groups of people x competencies, the distribution of levels and the mean gap.

For each group (a team — a manager's direct reports —, a department, a job
family, or the whole tenant) and competency, from each person's latest
calibrated level:
- `n`: people assessed on it; `distribution`: how many at each level;
- `mean_level`;
- `mean_gap`: over the people whose current role requires the competency, the
  mean shortfall `max(0, required - level)` (0 = everyone meets it);
  `n_required` is how many that is.
`largest_gaps` ranks (group, competency) cells by mean gap: where development
effort is most needed (a marketing team strong in creative strategy and weak in
data analysis shows data analysis at the top).

One aggregate query over the `levels` table (one row per person and
competency, kept current as people move), grouped in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from careerstream.servicekit.uow import UnitOfWork


class GroupBy(StrEnum):
    TEAM = "team"
    DEPARTMENT = "department"
    FAMILY = "family"
    TENANT = "tenant"


_COLUMN = {
    GroupBy.TEAM: "manager_id",
    GroupBy.DEPARTMENT: "department_id",
    GroupBy.FAMILY: "family_id",
    GroupBy.TENANT: "NULL::text",
}


@dataclass
class Cell:
    competency_id: str
    n: int = 0
    distribution: dict[int, int] = field(default_factory=dict)
    level_sum: int = 0
    gap_sum: int = 0
    n_required: int = 0

    @property
    def mean_level(self) -> float:
        return round(self.level_sum / self.n, 3) if self.n else 0.0

    @property
    def mean_gap(self) -> float:
        return round(self.gap_sum / self.n_required, 3) if self.n_required else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "competency_id": self.competency_id,
            "n": self.n,
            "distribution": {str(k): v for k, v in sorted(self.distribution.items())},
            "mean_level": self.mean_level,
            "mean_gap": self.mean_gap,
            "n_required": self.n_required,
        }


async def skills_matrix(
    uow: UnitOfWork, tenant: str, group_by: GroupBy, group_ids: list[str] | None = None
) -> dict[str | None, dict[str, Cell]]:
    column = _COLUMN[group_by]
    where = ""
    params: dict[str, Any] = {"t": tenant}
    if group_ids is not None and group_by is not GroupBy.TENANT:
        where = f" AND {column} = ANY(:ids)"
        params["ids"] = group_ids
    rows = await uow.session.execute(
        sa.text(
            f"""
            SELECT {column} AS grp, competency_id, level, count(*) AS n,
                   coalesce(sum(greatest(required - level, 0)) FILTER (WHERE required IS NOT NULL), 0) AS gap_sum,
                   count(*) FILTER (WHERE required IS NOT NULL) AS n_required
              FROM assessments.levels
             WHERE tenant_id = :t{where}
             GROUP BY 1, 2, 3
            """
        ),
        params,
    )
    groups: dict[str | None, dict[str, Cell]] = {}
    for grp, comp, level, n, gap_sum, n_required in rows.all():
        cell = groups.setdefault(grp, {}).setdefault(comp, Cell(comp))
        cell.n += n
        cell.distribution[int(level)] = cell.distribution.get(int(level), 0) + n
        cell.level_sum += int(level) * n
        cell.gap_sum += int(gap_sum)
        cell.n_required += int(n_required)
    return groups


def largest_gaps(groups: dict[str | None, dict[str, Cell]], limit: int) -> list[dict[str, Any]]:
    cells = [
        {"group_id": g, **c.as_dict()}
        for g, comps in groups.items()
        for c in comps.values()
        if c.n_required
    ]
    cells.sort(
        key=lambda c: (-c["mean_gap"], -c["n_required"], str(c["group_id"]), c["competency_id"])
    )
    return cells[:limit]

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

Read from `matrix_cells`, which statement triggers on `levels` (one row per
person and competency, kept current as people move) keep up to date in the
same transaction: the matrix costs a few thousand rows, whatever the headcount.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from careerstream.assessments.adapters.repository import matrix_rows
from careerstream.servicekit.uow import UnitOfWork


class GroupBy(StrEnum):
    """How the skills matrix groups people."""

    TEAM = "team"
    DEPARTMENT = "department"
    FAMILY = "family"
    TENANT = "tenant"


@dataclass
class Cell:
    """One group and competency: how many people at each level, and their gaps."""

    competency_id: str
    n: int = 0
    distribution: dict[int, int] = field(default_factory=dict)
    level_sum: int = 0
    gap_sum: int = 0
    n_required: int = 0

    @property
    def mean_level(self) -> float:
        """The mean level of the people counted."""
        return round(self.level_sum / self.n, 3) if self.n else 0.0

    @property
    def mean_gap(self) -> float:
        """The mean gap of those whose role requires the competency."""
        return round(self.gap_sum / self.n_required, 3) if self.n_required else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The cell as the API shows it."""
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
    """The matrix by group and competency, from the rolled-up cells."""
    ids = group_ids if group_by is not GroupBy.TENANT else None
    rows = await matrix_rows(uow, tenant, group_by.value, ids)
    groups: dict[str | None, dict[str, Cell]] = {}
    for grp, comp, lvls, counts, n, level_sum, gap_sum, n_required in rows:
        groups.setdefault(grp, {})[comp] = Cell(
            comp,
            n=int(n),
            distribution=dict(zip(lvls, counts, strict=True)),
            level_sum=int(level_sum),
            gap_sum=int(gap_sum),
            n_required=int(n_required),
        )
    return groups


def largest_gaps(groups: dict[str | None, dict[str, Cell]], limit: int) -> list[dict[str, Any]]:
    """The `n` largest mean gaps across the matrix, largest first."""
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

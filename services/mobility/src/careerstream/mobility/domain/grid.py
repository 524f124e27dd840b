"""The performance x potential grid (the "nine box") for succession talks (no I/O).

- **Performance** is the HRIS's latest rating (low, medium, high), as the gateway
  publishes it (`employee.changed`, `performance`); the platform does not rate anyone.
- **Potential** is what the platform can show evidence for: how close a person's
  calibrated levels already are to the next level up in their job family — the fit
  (`domain/matching.py`: weighted partial credit) against the best-fitting role one rank
  above their own:

      high     fit >= 0.9
      medium   fit >= 0.7
      low      below

People with no calibrated levels are `unassessed`, people with no rating `unrated`, and
people whose role is the top of its family `top_of_family`: none is placed in a box
rather than guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from careerstream.mobility.domain.matching import Profile, RoleInfo, Target, explain

HIGH_FIT = 0.9
MEDIUM_FIT = 0.7


class Band(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def band_of(fit: float) -> Band:
    if fit >= HIGH_FIT:
        return Band.HIGH
    if fit >= MEDIUM_FIT:
        return Band.MEDIUM
    return Band.LOW


@dataclass(frozen=True)
class Placement:
    employee_id: str
    performance: Band | None
    potential: Band | None
    next_role: str | None
    fit: float | None
    why_not: str | None
    """unassessed, unrated or top_of_family when the person is not in a box."""


def by_rank(roles: Iterable[RoleInfo]) -> dict[tuple[str, int], list[RoleInfo]]:
    """Roles by (family, rank), in id order: read once, looked up for everyone placed."""
    out: dict[tuple[str, int], list[RoleInfo]] = {}
    for r in sorted(roles, key=lambda r: r.role_id):
        out.setdefault((r.family_id, r.rank), []).append(r)
    return out


def place(
    p: Profile,
    performance: str | None,
    ranks: Mapping[tuple[str, int], list[RoleInfo]],
    requirements: Mapping[str, Mapping[str, int]],
) -> Placement:
    """Where one person sits in the grid, or why they are not placed (`ranks`: `by_rank`)."""
    perf = Band(performance) if performance in {b.value for b in Band} else None
    if not p.levels:
        return Placement(p.employee_id, perf, None, None, None, "unassessed")
    if p.role is None:
        return Placement(p.employee_id, perf, None, None, None, "unassessed")
    above = [
        r for r in ranks.get((p.role.family_id, p.role.rank + 1), ()) if r.role_id in requirements
    ]
    if not above:
        return Placement(p.employee_id, perf, None, None, None, "top_of_family")
    best_fit, best_role = max(
        (
            explain(p, Target(f"role:{r.role_id}", "role", dict(requirements[r.role_id]), r)).fit,
            r.role_id,
        )
        for r in above
    )
    potential = band_of(best_fit)
    return Placement(
        p.employee_id, perf, potential, best_role, best_fit, None if perf else "unrated"
    )


def grid(placements: Iterable[Placement]) -> dict[tuple[Band, Band], list[str]]:
    """(performance, potential) -> the people placed there, by id."""
    out: dict[tuple[Band, Band], list[str]] = {(a, b): [] for a in Band for b in Band}
    for x in placements:
        if x.performance is not None and x.potential is not None:
            out[(x.performance, x.potential)].append(x.employee_id)
    for ids in out.values():
        ids.sort()
    return out

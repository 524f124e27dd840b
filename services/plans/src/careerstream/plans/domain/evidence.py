"""Development actions ranked by what closed similar gaps before, in the same company.

**Evidence.** A goal is evidence once it is resolved:
- its gap **closed**: achieved (a later assessment showed the level, or the person and
  their manager closed it as achieved);
- it **did not close**: dropped, or still open when its plan ended.
A superseded goal is neither (the requirement moved while the person grew). A resolved goal
counts for each *kind* of action done on it (a course and a mentoring both done: one
outcome for each).

**Similar gaps.** For a goal in competency c with a gap of g levels, the evidence is the
resolved goals in c whose gap was g - 1 to g + 1.

**The estimate** of a kind k, for c: the share of those goals that closed, shrunk toward
what k achieved for similar gaps in every competency (which is itself shrunk toward the
share of all similar goals that closed), each prior weighing as `PRIOR` goals:

    rate_k   = (closed_k + PRIOR x rate_all) / (n_k + PRIOR)        over all competencies
    rate_kc  = (closed_kc + PRIOR x rate_k) / (n_kc + PRIOR)        in c

with an 80% interval (Wilson's, on n_kc + PRIOR goals) and the median time the closed ones
took. Little evidence leaves an estimate near its prior, and a wide interval.

**Ranking.** Where no kind has at least `MIN_EVIDENCE` similar goals in c (thin
evidence), today's rule (`rules.rank`) decides alone. Otherwise entries go by their
estimate, ties by the rule: a kind with little evidence of its own stands at its prior (what
it achieved elsewhere, or what all actions achieve), so a kind that clearly failed here
falls below one not yet tried, and one that clearly worked rises above it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from careerstream.plans.domain.rules import CatalogueEntry, rank

PRIOR = 4.0
"""How many goals a prior weighs as."""
MIN_EVIDENCE = 5
"""Similar resolved goals a kind needs in a competency before its estimate ranks."""
Z80 = 1.2816
"""The normal quantile of an 80% two-sided interval."""


@dataclass(frozen=True)
class Outcomes:
    """Resolved goals of one competency, gap and kind: how many, how many closed, and the
    median days the closed ones took (None when none closed)."""

    competency_id: str
    kind: str
    gap: int
    total: int
    closed: int
    median_days: float | None = None


@dataclass(frozen=True)
class Estimate:
    kind: str
    competency_id: str
    gap: int
    closed: int
    total: int
    rate: float
    """The estimated share of similar gaps this kind closes in the competency."""
    low: float
    high: float
    """The 80% interval."""
    months: float | None
    """Median months the closed ones took."""
    ranked: bool
    """Enough evidence to rank by (`MIN_EVIDENCE`)."""

    def why(self, competency_name: str) -> str:
        """What the estimate rests on, in words a person reads."""
        if not self.total:
            return f"no {_plural(self.kind)} for a gap like this in {competency_name} yet"
        people = "person" if self.total == 1 else "people"
        took = f" in about {self.months:.0f} months" if self.months and self.closed else ""
        levels = "level" if self.gap == 1 else "levels"
        return (
            f"closed a gap of about {self.gap} {levels} in {competency_name} for "
            f"{self.closed} of {self.total} {people}{took}"
        )


def _plural(kind: str) -> str:
    return kind.replace("_", " ") + "s"


def wilson(rate: float, n: float) -> tuple[float, float]:
    if n <= 0:
        return 0.0, 1.0
    z2 = Z80 * Z80
    centre = (rate + z2 / (2 * n)) / (1 + z2 / n)
    spread = Z80 * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - spread), min(1.0, centre + spread)


def estimates(
    outcomes: Iterable[Outcomes], competency_id: str, gap: int, kinds: Iterable[str]
) -> dict[str, Estimate]:
    """Each kind's estimate for a gap of `gap` levels in `competency_id`."""
    similar = [o for o in outcomes if abs(o.gap - gap) <= 1]
    all_total = sum(o.total for o in similar)
    all_closed = sum(o.closed for o in similar)
    rate_all = (all_closed + 1) / (all_total + 2)
    out: dict[str, Estimate] = {}
    for kind in kinds:
        of_kind = [o for o in similar if o.kind == kind]
        n_k = sum(o.total for o in of_kind)
        rate_k = (sum(o.closed for o in of_kind) + PRIOR * rate_all) / (n_k + PRIOR)
        here = [o for o in of_kind if o.competency_id == competency_id]
        n = sum(o.total for o in here)
        closed = sum(o.closed for o in here)
        rate = (closed + PRIOR * rate_k) / (n + PRIOR)
        low, high = wilson(rate, n + PRIOR)
        days = [(o.median_days, o.closed) for o in here if o.median_days is not None and o.closed]
        months = _weighted_median(days) / 30.4 if days else None
        out[kind] = Estimate(
            kind, competency_id, gap, closed, n, rate, low, high, months, n >= MIN_EVIDENCE
        )
    return out


def _weighted_median(values: Sequence[tuple[float, int]]) -> float:
    ordered = sorted(values)
    half = sum(w for _v, w in ordered) / 2
    seen = 0
    for value, weight in ordered:
        seen += weight
        if seen >= half:
            return value
    return ordered[-1][0]


def rank_with_evidence(
    entries: Sequence[CatalogueEntry],
    competency_id: str,
    from_level: int,
    to_level: int,
    outcomes: Iterable[Outcomes],
) -> list[tuple[CatalogueEntry, Estimate]]:
    """The entries that fit a goal, best first (see the module), each with its estimate."""
    by_rule = rank(entries, competency_id, from_level, to_level)
    est = estimates(list(outcomes), competency_id, to_level - from_level, {e.kind for e in by_rule})
    if not by_rule or not any(e.ranked for e in est.values()):
        return [(e, est[e.kind]) for e in by_rule]
    position = {e.entry_id: i for i, e in enumerate(by_rule)}

    return [
        (e, est[e.kind])
        for e in sorted(by_rule, key=lambda e: (-est[e.kind].rate, position[e.entry_id]))
    ]

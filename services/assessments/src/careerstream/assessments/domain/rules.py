"""Assessment rules without I/O: who rates as what, valid ratings, calibration, gaps, readiness.

Calibration (per cycle):
- `manager` (default): the manager's rating is the calibrated level. When the
  manager did not rate by the time the cycle closed, the mean of the ratings
  there are (self and peers), rounded half up.
- `weighted_mean`: peers are averaged first; then self, manager and the peer
  mean are weighted (default 0.2 / 0.5 / 0.3); weights of raters who did not
  rate are left out and the rest rescaled; rounded half up.
HR may then set any level by hand, with a reason that is kept.

Gaps against a role: for each competency the role requires, `gap = required -
current` (current is the latest calibrated level, 0 when never assessed).
Readiness = sum(min(current, required)) / sum(required): the share of the
required proficiency the person has (1.0 = meets every requirement); `ready`
is true when no gap is positive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

DEFAULT_WEIGHTS: dict[str, float] = {"self": 0.2, "manager": 0.5, "peer": 0.3}


class RaterKind(StrEnum):
    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"


class Rule(StrEnum):
    MANAGER = "manager"
    WEIGHTED_MEAN = "weighted_mean"


class RatingError(ValueError):
    """Ratings that cannot be accepted; `problems` names each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class RatingIn:
    competency_id: str
    level: int
    evidence: str | None = None


def check_ratings(
    ratings: Sequence[RatingIn], required: Mapping[str, int], scale: tuple[int, int]
) -> None:
    """Exactly one rating per required competency, each on the scale."""
    low, high = scale
    problems: list[str] = []
    seen: set[str] = set()
    for i, r in enumerate(ratings):
        if r.competency_id in seen:
            problems.append(f"ratings[{i}]: '{r.competency_id}' is rated twice")
        seen.add(r.competency_id)
        if r.competency_id not in required:
            problems.append(
                f"ratings[{i}]: the role does not require '{r.competency_id}' "
                f"(it requires {', '.join(sorted(required))})"
            )
        if not low <= r.level <= high:
            problems.append(
                f"ratings[{i}]: level {r.level} for '{r.competency_id}' is outside the scale {low}-{high}"
            )
    missing = sorted(set(required) - seen)
    if missing:
        problems.append(f"missing ratings for {', '.join(missing)}")
    if problems:
        raise RatingError(problems)


def round_half_up(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Submission:
    rater_id: str
    kind: RaterKind
    ratings: Mapping[str, int]
    """competency -> level"""


def calibrate(
    competencies: Sequence[str],
    submissions: Sequence[Submission],
    rule: Rule,
    weights: Mapping[str, float] | None = None,
) -> dict[str, int]:
    """The calibrated level per competency (competencies nobody rated are left out)."""
    out: dict[str, int] = {}
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    for comp in competencies:
        by_kind: dict[RaterKind, list[int]] = {}
        for s in submissions:
            if comp in s.ratings:
                by_kind.setdefault(s.kind, []).append(s.ratings[comp])
        if not by_kind:
            continue
        if rule is Rule.MANAGER and RaterKind.MANAGER in by_kind:
            out[comp] = by_kind[RaterKind.MANAGER][0]
            continue
        if rule is Rule.MANAGER:
            values = [v for vs in by_kind.values() for v in vs]
            out[comp] = round_half_up(sum(values) / len(values))
            continue
        total = weight = 0.0
        for kind, values in by_kind.items():
            k = w.get(kind.value, 0.0)
            total += k * (sum(values) / len(values))
            weight += k
        if weight <= 0:
            values = [v for vs in by_kind.values() for v in vs]
            out[comp] = round_half_up(sum(values) / len(values))
        else:
            out[comp] = round_half_up(total / weight)
    return out


@dataclass(frozen=True)
class Gap:
    competency_id: str
    required: int
    current: int

    @property
    def gap(self) -> int:
        return self.required - self.current


@dataclass(frozen=True)
class GapAnalysis:
    role_id: str
    gaps: list[Gap]

    @property
    def readiness(self) -> float:
        need = sum(g.required for g in self.gaps)
        if need == 0:
            return 1.0
        return round(sum(min(g.current, g.required) for g in self.gaps) / need, 4)

    @property
    def ready(self) -> bool:
        return all(g.gap <= 0 for g in self.gaps)


def analyse(role_id: str, required: Mapping[str, int], levels: Mapping[str, int]) -> GapAnalysis:
    return GapAnalysis(
        role_id,
        [Gap(c, req, levels.get(c, 0)) for c, req in sorted(required.items())],
    )


def rater_kind(
    rater: str, employee: str, manager: str | None, peers: Sequence[str]
) -> RaterKind | None:
    """What `rater` is to the assessment of `employee`, or None when they have no part in it."""
    if rater == employee:
        return RaterKind.SELF
    if manager is not None and rater == manager:
        return RaterKind.MANAGER
    if rater in peers:
        return RaterKind.PEER
    return None

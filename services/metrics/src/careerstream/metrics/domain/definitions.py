"""The programme's figures, defined once, as pure functions over event facts (no I/O).

Every definition is documented in services/metrics/METRICS.md; the tests compute
the same figures independently from a synthetic history.
"""

from __future__ import annotations

import calendar
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

DAY = timedelta(days=1)


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def median(values: Sequence[float]) -> float | None:
    return round(float(statistics.median(values)), 2) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(q * 100) * len(ordered) // 100))  # ceil(q * n)
    return round(float(ordered[rank - 1]), 2)


def days(a: datetime, b: datetime) -> float:
    return (b - a) / DAY


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def holds(self, t: datetime | None) -> bool:
        return t is not None and self.start <= t < self.end


@dataclass(frozen=True)
class Person:
    employee_id: str
    hired_on: datetime | None
    """The start of the first day of employment."""
    left_on: datetime | None
    """The end of employment: midnight after the last day (a termination's effective date is
    the last day worked, so the person is employed through all of it)."""
    left_voluntarily: bool | None
    groups: dict[str, str]

    def employed_at(self, t: datetime) -> bool:
        return (self.hired_on is None or self.hired_on <= t) and (
            self.left_on is None or t < self.left_on
        )

    def employed_during(self, w: Window) -> bool:
        return (self.hired_on is None or self.hired_on < w.end) and (
            self.left_on is None or self.left_on > w.start
        )


@dataclass(frozen=True)
class Fill:
    opportunity_id: str
    posted_at: datetime
    filled_at: datetime
    internal: bool
    mover_id: str | None
    move_kind: str | None
    to_role_id: str | None = None


# -- moves: through the marketplace and recorded by the HRIS -------------------------------

SAME_MOVE_DAYS = 90
"""An HRIS role change into the role a person was selected for through the marketplace,
within this many days of the fill, records that same move: it is counted once, as the fill."""

NOT_A_MOVE = frozenset({"correction"})
"""HRIS change reasons that fix a record rather than move a person."""


@dataclass(frozen=True)
class RoleRef:
    """Where a role sits: its job family and the rank of its level."""

    family_id: str
    rank: int


@dataclass(frozen=True)
class Move:
    mover_id: str
    at: datetime
    kind: str
    """promotion, lateral or other (a step down, or a role the framework does not know)."""
    source: str
    """marketplace (role.filled) or hris (employee.changed)."""
    to_role_id: str | None


def hris_move_kind(origin: RoleRef | None, target: RoleRef | None, reason: str | None) -> str:
    """The kind of an HRIS role change (METRICS.md, "Moves").

    The vendor's reason decides when it says `promotion` or `lateral_move`. Otherwise the
    roles do: a higher level in the same family is a promotion; the same level in the same
    family (another track), or another family within one level, is a lateral move; another
    family two or more levels up is a promotion; anything lower, or a role the framework
    does not know, is `other`.
    """
    if reason == "promotion":
        return "promotion"
    if reason == "lateral_move":
        return "lateral"
    if origin is None or target is None:
        return "other"
    step = target.rank - origin.rank
    if origin.family_id == target.family_id:
        return "promotion" if step > 0 else "lateral" if step == 0 else "other"
    if abs(step) <= 1:
        return "lateral"
    return "promotion" if step > 0 else "other"


def role_moves(
    history: Iterable[tuple[str, datetime, datetime, str | None, str | None]],
    roles: Mapping[str, RoleRef],
) -> list[Move]:
    """Moves from the roles the HRIS gave people: (employee, effective, recorded, role, reason).

    Each person's roles are read in effective order (then recorded order); a role that
    differs from the one before is a move, unless the change is a correction. The first
    role known of a person (at hire, or their first change) is where they start."""
    by_person: dict[str, list[tuple[datetime, datetime, str | None, str | None]]] = {}
    for emp, effective, recorded, role, reason in history:
        by_person.setdefault(emp, []).append((effective, recorded, role, reason))
    out: list[Move] = []
    for emp, steps in by_person.items():
        steps.sort(key=lambda s: (s[0], s[1]))
        held = steps[0][2]
        for effective, _, role, reason in steps[1:]:
            if role is None or role == held:
                continue
            if reason not in NOT_A_MOVE and held is not None:
                kind = hris_move_kind(roles.get(held), roles.get(role), reason)
                out.append(Move(emp, effective, kind, "hris", role))
            held = role
    return out


def all_moves(fills: Iterable[Fill], hris: Iterable[Move]) -> list[Move]:
    """Internal fills and HRIS moves as one list, each move once (SAME_MOVE_DAYS)."""
    out = [
        Move(f.mover_id, f.filled_at, f.move_kind or "other", "marketplace", f.to_role_id)
        for f in fills
        if f.internal and f.mover_id is not None
    ]
    window = timedelta(days=SAME_MOVE_DAYS)
    fills_of_person: dict[tuple[str, str | None], list[datetime]] = {}
    for m in out:
        fills_of_person.setdefault((m.mover_id, m.to_role_id), []).append(m.at)
    for m in hris:
        seen = fills_of_person.get((m.mover_id, m.to_role_id), [])
        if not any(abs(m.at - at) <= window for at in seen):
            out.append(m)
    return out


def mobility(
    fills: Iterable[Fill], headcount: int, applications: int, postings: int
) -> dict[str, float | None]:
    fills = list(fills)
    internal = [f for f in fills if f.internal]
    external = [f for f in fills if not f.internal]
    tti = [days(f.posted_at, f.filled_at) for f in internal]
    tte = [days(f.posted_at, f.filled_at) for f in external]
    return {
        "fills": len(fills),
        "internal_fills": len(internal),
        "internal_hire_rate": ratio(len(internal), len(fills)),
        "promotions": sum(f.move_kind == "promotion" for f in internal),
        "promotion_rate": ratio(sum(f.move_kind == "promotion" for f in internal), headcount),
        "lateral_moves": sum(f.move_kind == "lateral" for f in internal),
        "lateral_move_rate": ratio(sum(f.move_kind == "lateral" for f in internal), headcount),
        "time_to_fill_internal_median_days": median(tti),
        "time_to_fill_internal_p90_days": percentile(tti, 0.9),
        "time_to_fill_external_median_days": median(tte),
        "time_to_fill_external_p90_days": percentile(tte, 0.9),
        "postings": postings,
        "applications_per_opportunity": ratio(applications, postings),
    }


def gap_closings(series: Iterable[tuple[datetime, int]]) -> list[tuple[datetime, datetime]]:
    """(opened, closed) for each gap a series of observations (time, gap) shows closing: it opens
    at a positive gap after none (or at the first observation) and closes at the next
    observation with none (METRICS.md, "time to close a gap")."""
    out = []
    opened: datetime | None = None
    for t, gap in sorted(series):
        if gap > 0 and opened is None:
            opened = t
        elif gap <= 0 and opened is not None:
            out.append((opened, t))
            opened = None
    return out


def months_later(t: datetime, months: int) -> datetime:
    """`t` plus calendar months, as METRICS.md defines them: the same day of the month and
    time of day, `months` later (31 January plus one month: the last day of February)."""
    index = t.month - 1 + months
    year, month = t.year + index // 12, index % 12 + 1
    day = min(t.day, calendar.monthrange(year, month)[1])
    return t.replace(year=year, month=month, day=day)


def retained(
    cohort: Iterable[tuple[Person, datetime]], as_of: datetime, months: int
) -> tuple[int, int]:
    """(still employed `months` after their reference date, eligible): the eligible are those of
    a cohort (person, reference date) whose reference date is at least that long before `as_of`."""
    eligible = [(p, t) for p, t in cohort if months_later(t, months) <= as_of]
    return sum(p.employed_at(months_later(t, months)) for p, t in eligible), len(eligible)


def retention(
    cohort: Iterable[tuple[Person, datetime]], as_of: datetime, months: int
) -> tuple[float | None, int]:
    """Share of a cohort (person, reference date) still employed `months` later, among those whose
    reference date is at least that long before `as_of`; and how many that is."""
    stayed, eligible = retained(cohort, as_of, months)
    return ratio(stayed, eligible), eligible


def exits_within(cohort: Iterable[tuple[Person, datetime]], months: int) -> tuple[int, int]:
    """(leavers within `months` of their reference date, of whom voluntary): employed at the
    reference date, no longer `months` later."""
    left = [
        p for p, t in cohort if p.left_on is not None and t < p.left_on <= months_later(t, months)
    ]
    return len(left), sum(bool(p.left_voluntarily) for p in left)

"""Succession for critical roles: how ready each successor is, slates and bench strength (no I/O).

A successor's **assessed readiness** for a role comes from their calibrated levels
against the role's requirements (the match's competencies, `domain/matching.py`):

    ready_now          every requirement met
    ready_1_2_years    at most two levels short in all, and no competency more than one
                       level short (a development plan's reach)
    later              anything further

A manager (of the person, directly or not) or HR may **nominate** someone with a
readiness of their own judgement: what assessments do not see (a project that is
nearly done, a move already agreed). A slate shows both; the nomination's readiness
is the one that counts, since someone answers for it, and the assessed one stays
beside it as evidence.

A role's **slate** is everyone nominated for it plus the best-matched people whose
assessed readiness is ready now or in one to two years (never its incumbents).
Its **bench** counts the slate by readiness; a role is **covered** when someone on
it is ready now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from careerstream.mobility.domain.matching import Match


class Readiness(StrEnum):
    READY_NOW = "ready_now"
    READY_SOON = "ready_1_2_years"
    LATER = "later"


ORDER = {Readiness.READY_NOW: 0, Readiness.READY_SOON: 1, Readiness.LATER: 2}


def assessed(match: Match) -> Readiness:
    """Readiness from calibrated levels against the role's requirements."""
    short = [c.missing for c in match.competencies]
    if not short or sum(short) == 0:
        return Readiness.READY_NOW if short else Readiness.LATER
    if sum(short) <= 2 and max(short) <= 1:
        return Readiness.READY_SOON
    return Readiness.LATER


@dataclass(frozen=True)
class Successor:
    employee_id: str
    assessed: Readiness
    score: float
    levels_short: int
    """Levels short of the role's requirements, in all."""
    nominated: Readiness | None = None
    nominated_by: str | None = None

    @property
    def readiness(self) -> Readiness:
        """The readiness that counts: the nomination's, else the assessed one."""
        return self.nominated or self.assessed


def slate(
    matches: Iterable[Match],
    nominations: dict[str, tuple[Readiness, str]],
    incumbents: set[str],
) -> list[Successor]:
    """The slate: nominees, and assessed candidates ready now or soon; best first.

    `matches` are the role's ranked matches (nominees among them when they have a
    profile); `nominations` maps a nominee to (readiness, nominated by)."""
    out: dict[str, Successor] = {}
    for m in matches:
        if m.employee_id in incumbents:
            continue
        nominated = nominations.get(m.employee_id)
        ready = assessed(m)
        if nominated is None and ready is Readiness.LATER:
            continue
        out[m.employee_id] = Successor(
            m.employee_id,
            ready,
            m.score,
            sum(c.missing for c in m.competencies),
            nominated[0] if nominated else None,
            nominated[1] if nominated else None,
        )
    for emp, (ready, by) in nominations.items():
        if emp not in out and emp not in incumbents:
            # Nominated, but with no assessed levels yet: later, by the evidence.
            out[emp] = Successor(emp, Readiness.LATER, 0.0, -1, ready, by)
    return sorted(out.values(), key=lambda s: (ORDER[s.readiness], -s.score, s.employee_id))


@dataclass(frozen=True)
class Bench:
    ready_now: int = 0
    ready_soon: int = 0
    later: int = 0
    nominated: int = 0

    @property
    def covered(self) -> bool:
        """Someone is ready to step in now."""
        return self.ready_now > 0


def bench(successors: Iterable[Successor]) -> Bench:
    """A slate counted by the readiness that counts."""
    counts = {r: 0 for r in Readiness}
    nominated = 0
    for s in successors:
        counts[s.readiness] += 1
        nominated += s.nominated is not None
    return Bench(
        counts[Readiness.READY_NOW],
        counts[Readiness.READY_SOON],
        counts[Readiness.LATER],
        nominated,
    )

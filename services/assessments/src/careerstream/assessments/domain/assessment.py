"""Assessment cycles and assessments: the aggregates that guard ratings, completion and calibration.

A **cycle** is open until HR closes it. It assesses a population against the
roles they hold, with a calibration rule and rater weights.

An **assessment** (one person in one cycle) is `open` until it is `completed`,
`expired` (its cycle closed before anyone rated) or `cancelled` (the person
left). It completes when the employee and their manager have both submitted
(peers are optional), or when its cycle closes with at least one submission.
Completion computes the calibrated levels with the cycle's rule; HR may then
calibrate a level by hand, with the reason, which is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from careerstream.assessments.domain.rules import (
    GapAnalysis,
    RaterKind,
    RatingError,
    RatingIn,
    Rule,
    Submission,
    calibrate,
    check_ratings,
)
from careerstream.contracts.events import assessments as ev
from careerstream.servicekit.domain import Aggregate, Conflict, Invalid

RATER_KINDS = ("self", "manager", "peer")


class CycleState(StrEnum):
    """A cycle takes ratings while open."""

    OPEN = "open"
    CLOSED = "closed"


class AssessmentState(StrEnum):
    """Where an assessment is (see the module)."""

    OPEN = "open"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class ResultSource(StrEnum):
    """Where a calibrated level came from."""

    RULE = "rule"
    CALIBRATED = "calibrated"


class Cycle(Aggregate):
    """One assessment cycle of a tenant."""

    def __init__(
        self,
        *,
        cycle_id: str,
        name: str,
        population: ev.Population,
        deadline: datetime,
        rule: Rule,
        weights: dict[str, float],
        status: CycleState,
        opened_at: datetime,
        opened_by: str,
        closed_at: datetime | None = None,
    ) -> None:
        super().__init__()
        self.cycle_id, self.name, self.population = cycle_id, name, population
        self.deadline, self.rule, self.weights = deadline, rule, weights
        self.status, self.opened_at, self.opened_by = status, opened_at, opened_by
        self.closed_at = closed_at

    @classmethod
    def open(
        cls,
        *,
        name: str,
        population: ev.Population,
        deadline: datetime,
        rule: Rule,
        weights: dict[str, float],
        opened_by: str,
        now: datetime,
    ) -> Cycle:
        """A new open cycle: the deadline ahead, a named population, known rater kinds."""
        if deadline <= now:
            raise Invalid([f"deadline: {deadline.isoformat()} is in the past"])
        if population.kind is not ev.PopulationKind.ALL and not population.ids:
            raise Invalid([f"population.ids: name at least one {population.kind.value}"])
        bad = [k for k in weights if k not in RATER_KINDS]
        if bad:
            raise Invalid(
                [f"weights: unknown rater kind(s) {', '.join(bad)}; use self, manager, peer"]
            )
        cycle = cls(
            cycle_id=f"cyc-{uuid.uuid4().hex[:12]}",
            name=name,
            population=population,
            deadline=deadline,
            rule=rule,
            weights=weights,
            status=CycleState.OPEN,
            opened_at=now,
            opened_by=opened_by,
        )
        cycle.record(
            ev.CycleOpened(
                cycle_id=cycle.cycle_id,
                name=name,
                population=population,
                opened_at=now,
                deadline=deadline,
                rule=ev.CalibrationRule(rule.value),
                weights=weights,
            )
        )
        return cycle

    def close(self, now: datetime) -> None:
        """No more ratings; the caller completes or expires the open assessments first."""
        if self.status is not CycleState.OPEN:
            raise Conflict(f"cycle '{self.cycle_id}' is already closed")
        self.status, self.closed_at = CycleState.CLOSED, now
        self.record(ev.CycleClosed(cycle_id=self.cycle_id, closed_at=now))


@dataclass(frozen=True)
class Rated:
    """One rater's submitted ratings."""

    rater_id: str
    rater_kind: RaterKind
    ratings: list[dict[str, Any]]
    """[{competency_id, level, evidence}]"""
    submitted_at: datetime


@dataclass
class Result:
    """A calibrated level of one competency."""

    competency_id: str
    level: int
    source: ResultSource = ResultSource.RULE
    reason: str | None = None
    calibrated_by: str | None = None
    calibrated_at: datetime | None = None


@dataclass(eq=False)
class Assessment(Aggregate):
    """One person's assessment in one cycle, against the role they held when it opened."""

    assessment_id: str
    cycle_id: str
    employee_id: str
    role_id: str
    framework_id: str
    framework_version: int
    required: dict[str, int]
    """The competencies to rate and the level the role requires."""
    scale: tuple[int, int]
    created_at: datetime
    status: AssessmentState = AssessmentState.OPEN
    peers: list[str] = field(default_factory=list)
    completed_at: datetime | None = None
    submissions: list[Rated] = field(default_factory=list)
    """Oldest first."""
    results: dict[str, Result] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Aggregate.__init__(self)

    @classmethod
    def create(
        cls,
        cycle_id: str,
        employee_id: str,
        role: Mapping[str, Any],
        scale: tuple[int, int],
        now: datetime,
    ) -> Assessment:
        """An open assessment of `employee_id` against `role` (role_id, framework_id,
        framework_version, requirements)."""
        return cls(
            assessment_id=f"asm-{uuid.uuid4().hex[:16]}",
            cycle_id=cycle_id,
            employee_id=employee_id,
            role_id=role["role_id"],
            framework_id=role["framework_id"],
            framework_version=role["framework_version"],
            required=dict(role["requirements"]),
            scale=scale,
            created_at=now,
        )

    def _require_open(self, what: str) -> None:
        if self.status is not AssessmentState.OPEN:
            raise Conflict(f"assessment '{self.assessment_id}' is {self.status.value}; {what}")

    def add_peers(
        self, peer_ids: Sequence[str], manager: str | None, active: Collection[str]
    ) -> list[str]:
        """Nominate peers (active employees, not the employee or their manager); returns all."""
        self._require_open("peers can no longer be added")
        problems = [
            f"peer_ids[{i}]: '{pid}' already rates as self or manager"
            for i, pid in enumerate(peer_ids)
            if pid in (self.employee_id, manager)
        ]
        problems += [
            f"peer_ids[{i}]: '{pid}' is not an active employee"
            for i, pid in enumerate(peer_ids)
            if pid not in active
        ]
        if problems:
            raise Invalid(problems)
        self.peers = list(dict.fromkeys([*self.peers, *peer_ids]))
        return self.peers

    def submit(
        self,
        rater_id: str,
        kind: RaterKind,
        ratings: Sequence[RatingIn],
        cycle: Cycle,
        now: datetime,
    ) -> bool:
        """Record one rater's ratings, once; True when the employee and manager have both rated."""
        if cycle.status is not CycleState.OPEN:
            closed = cycle.closed_at.isoformat() if cycle.closed_at else "an earlier time"
            raise Conflict(f"cycle '{self.cycle_id}' closed at {closed}; no more ratings")
        self._require_open("no more ratings")
        try:
            check_ratings(ratings, self.required, self.scale)
        except RatingError as exc:
            raise Invalid(exc.problems) from exc
        if any(s.rater_id == rater_id for s in self.submissions):
            raise Conflict(
                f"you already submitted your ratings for assessment '{self.assessment_id}'"
            )
        rated = Rated(
            rater_id,
            kind,
            [
                {"competency_id": r.competency_id, "level": r.level, "evidence": r.evidence}
                for r in ratings
            ],
            now,
        )
        self.submissions.append(rated)
        self.record(
            ev.AssessmentSubmitted(
                assessment_id=self.assessment_id,
                cycle_id=self.cycle_id,
                employee_id=self.employee_id,
                rater_id=rater_id,
                rater_kind=ev.RaterKind(kind.value),
                ratings=[
                    ev.Rating(competency_id=r.competency_id, level=r.level, evidence=r.evidence)
                    for r in ratings
                ],
                submitted_at=now,
            )
        )
        return {RaterKind.SELF, RaterKind.MANAGER} <= {s.rater_kind for s in self.submissions}

    def complete(self, cycle: Cycle, now: datetime) -> bool:
        """Calibrate the levels with the cycle's rule; False (nothing changes) when nobody rated."""
        if not self.submissions:
            return False
        levels = calibrate(
            list(self.required),
            [
                Submission(
                    s.rater_id,
                    s.rater_kind,
                    {r["competency_id"]: r["level"] for r in s.ratings},
                )
                for s in self.submissions
            ],
            cycle.rule,
            cycle.weights,
        )
        self.results = {c: Result(c, lv) for c, lv in levels.items()}
        self.status, self.completed_at = AssessmentState.COMPLETED, now
        return True

    def expire(self) -> None:
        """Its cycle closed before anyone rated."""
        self.status = AssessmentState.EXPIRED

    def calibrate(
        self, competency_id: str, level: int, reason: str, by: str, now: datetime
    ) -> None:
        """HR sets a completed assessment's level by hand, saying why."""
        if self.status is not AssessmentState.COMPLETED:
            raise Conflict(
                f"assessment '{self.assessment_id}' is {self.status.value}; only a completed "
                "one is calibrated"
            )
        low, high = self.scale
        if competency_id not in self.required:
            raise Invalid([f"competency_id: the role does not require '{competency_id}'"])
        if not low <= level <= high:
            raise Invalid([f"level: {level} is outside the scale {low}-{high}"])
        if not reason.strip():
            raise Invalid(["reason: say why the level is calibrated (it is kept)"])
        self.results[competency_id] = Result(
            competency_id, level, ResultSource.CALIBRATED, reason, by, now
        )

    def levels(self) -> dict[str, int]:
        """The calibrated level per competency."""
        return {c: r.level for c, r in self.results.items()}

    def completed_event(self) -> ev.AssessmentCompleted:
        """The completion as consumers receive it: levels by competency, raters oldest first."""
        assert self.completed_at is not None
        return ev.AssessmentCompleted(
            assessment_id=self.assessment_id,
            cycle_id=self.cycle_id,
            employee_id=self.employee_id,
            role_id=self.role_id,
            framework_id=self.framework_id,
            framework_version=self.framework_version,
            levels=[
                ev.CalibratedLevel(
                    competency_id=r.competency_id,
                    level=r.level,
                    source=ev.LevelSource(r.source.value),
                    calibration_reason=r.reason,
                )
                for r in sorted(self.results.values(), key=lambda r: r.competency_id)
            ],
            raters=[
                ev.Rater(rater_id=s.rater_id, kind=ev.RaterKind(s.rater_kind.value))
                for s in self.submissions
            ],
            completed_at=self.completed_at,
        )


def gaps_event(
    employee_id: str,
    assessment_id: str,
    reference: ev.GapReference,
    analysis: GapAnalysis,
    now: datetime,
) -> ev.SkillgapIdentified:
    """A gap analysis as consumers receive it."""
    return ev.SkillgapIdentified(
        employee_id=employee_id,
        assessment_id=assessment_id,
        reference=reference,
        role_id=analysis.role_id,
        gaps=[
            ev.CompetencyGap(
                competency_id=g.competency_id, required=g.required, current=g.current, gap=g.gap
            )
            for g in analysis.gaps
        ],
        readiness=analysis.readiness,
        ready=analysis.ready,
        identified_at=now,
    )

"""Events of the assessments service: cycles, assessments, calibrated levels and skills gaps."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from careerstream.contracts import topics
from careerstream.contracts.base import (
    ContractModel,
    EventPayload,
    Id,
    PersonalPayload,
    ProficiencyLevel,
)
from careerstream.contracts.personal import personal


class PopulationKind(StrEnum):
    ALL = "all"
    DEPARTMENT = "department"
    FAMILY = "family"


class Population(ContractModel):
    kind: PopulationKind
    """Everyone, or the employees of some departments or job families."""
    ids: list[Id] = []
    """The departments or families (empty for `all`)."""


class CalibrationRule(StrEnum):
    MANAGER = "manager"
    """The manager's rating is the calibrated level."""
    WEIGHTED_MEAN = "weighted_mean"
    """A weighted mean of self, manager and mean peer ratings, rounded half up."""


class CycleOpened(EventPayload):
    """HR opened an assessment cycle for a population."""

    event_type = "careerstream.assessments.cycle.opened.v1"
    topic = topics.ASSESSMENT_CYCLE
    aggregate_field = "cycle_id"

    cycle_id: Id
    """The cycle."""
    name: str
    """Its name, e.g. '2026 H2 skills review'."""
    population: Population
    """Who is assessed."""
    opened_at: datetime
    """When it opened."""
    deadline: datetime
    """When ratings are due."""
    rule: CalibrationRule = CalibrationRule.MANAGER
    """How ratings become a calibrated level."""
    weights: dict[str, float] = {}
    """Weights per rater kind for `weighted_mean` (self, manager, peer)."""


class CycleClosed(EventPayload):
    """An assessment cycle closed; open assessments complete with the ratings they have."""

    event_type = "careerstream.assessments.cycle.closed.v1"
    topic = topics.ASSESSMENT_CYCLE
    aggregate_field = "cycle_id"

    cycle_id: Id
    """The cycle."""
    closed_at: datetime
    """When it closed; no rating is accepted after this."""


class RaterKind(StrEnum):
    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"


class Rating(ContractModel):
    competency_id: Id
    """The competency rated."""
    level: ProficiencyLevel
    """The level given, on the framework's scale."""
    evidence: str | None = personal(default=None)
    """What the rater bases the rating on."""


class AssessmentOpened(EventPayload):
    """An employee has an assessment to complete: the cycle opened with them in its population,
    or they joined it later (hired or moved into it). The employee rates themselves and their
    manager rates them; both are asked to by the notifications service."""

    event_type = "careerstream.assessments.assessment.opened.v1"
    topic = topics.ASSESSMENT
    aggregate_field = "assessment_id"

    assessment_id: Id
    """The assessment of one employee in one cycle."""
    cycle_id: Id
    """The cycle."""
    employee_id: Id
    """Who is assessed."""
    role_id: Id
    """The role they are assessed against."""
    deadline: datetime
    """When the cycle's ratings are due."""
    opened_at: datetime
    """When the assessment was opened."""


class PeersNominated(EventPayload):
    """Peers were asked to rate an employee's assessment."""

    event_type = "careerstream.assessments.peers.nominated.v1"
    topic = topics.ASSESSMENT
    aggregate_field = "assessment_id"

    assessment_id: Id
    """The assessment."""
    cycle_id: Id
    """The cycle."""
    employee_id: Id
    """Who is assessed."""
    peer_ids: list[Id] = Field(min_length=1)
    """The peers newly asked to rate (those asked before are not repeated)."""
    nominated_by: Id
    """Who nominated them (the employee, their manager or HR)."""
    nominated_at: datetime
    """When."""


class AssessmentSubmitted(PersonalPayload):
    """One rater (self, manager or peer) submitted their ratings."""

    event_type = "careerstream.assessments.assessment.submitted.v1"
    topic = topics.ASSESSMENT
    aggregate_field = "assessment_id"

    assessment_id: Id
    """The assessment of one employee in one cycle."""
    cycle_id: Id
    """The cycle."""
    employee_id: Id
    """Who is assessed."""
    rater_id: Id
    """Who rated."""
    rater_kind: RaterKind
    """Self, manager or peer."""
    ratings: list[Rating] = Field(min_length=1)
    """One rating per competency the role requires."""
    submitted_at: datetime
    """When the ratings were submitted."""


class LevelSource(StrEnum):
    RULE = "rule"
    """Computed by the cycle's calibration rule."""
    CALIBRATED = "calibrated"
    """Set by HR in calibration, with a reason."""


class CalibratedLevel(ContractModel):
    competency_id: Id
    """The competency."""
    level: ProficiencyLevel
    """The calibrated level."""
    source: LevelSource = LevelSource.RULE
    """Whether the rule or HR set it."""
    calibration_reason: str | None = personal(default=None)
    """HR's reason, when HR set it."""


class Rater(ContractModel):
    rater_id: Id
    """Who rated."""
    kind: RaterKind
    """Self, manager or peer."""


class AssessmentCompleted(PersonalPayload):
    """An assessment completed: the calibrated level per competency."""

    event_type = "careerstream.assessments.assessment.completed.v1"
    topic = topics.ASSESSMENT
    aggregate_field = "assessment_id"

    assessment_id: Id
    """The assessment."""
    cycle_id: Id
    """The cycle."""
    employee_id: Id
    """Who was assessed."""
    role_id: Id
    """The role the employee held when assessed."""
    framework_id: Id
    """The framework the levels refer to."""
    framework_version: int = Field(ge=1)
    """The framework version the levels refer to."""
    levels: list[CalibratedLevel]
    """The calibrated level per competency."""
    raters: list[Rater]
    """Who contributed ratings."""
    completed_at: datetime
    """When the assessment completed."""


class GapReference(StrEnum):
    CURRENT = "current"
    """Against the role the employee holds."""
    TARGET = "target"
    """Against the role the employee aims for."""


class CompetencyGap(ContractModel):
    competency_id: Id
    """The competency."""
    required: ProficiencyLevel
    """The level the reference role requires."""
    current: ProficiencyLevel
    """The employee's calibrated level (0 when never assessed)."""
    gap: int
    """required - current; zero or negative means no gap."""


class SkillgapIdentified(EventPayload):
    """The gaps between an employee's calibrated levels and a role's requirements."""

    event_type = "careerstream.assessments.skillgap.identified.v1"
    topic = topics.SKILLGAP
    aggregate_field = "employee_id"

    employee_id: Id
    """Whose gaps these are."""
    assessment_id: Id
    """The completed assessment they come from."""
    reference: GapReference
    """Against the current or the target role."""
    role_id: Id
    """The reference role."""
    gaps: list[CompetencyGap]
    """One entry per competency the reference role requires."""
    readiness: float = Field(ge=0, le=1)
    """Share of the required proficiency the employee has (1.0 = meets every requirement)."""
    ready: bool
    """True when no competency has a positive gap."""
    identified_at: datetime
    """When the analysis ran."""

"""Events of the mobility service: opportunities, applications and fills."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from careerstream.contracts import topics
from careerstream.contracts.base import ContractModel, EventPayload, Id, ProficiencyLevel


class OpportunityKind(StrEnum):
    ROLE = "role"
    PROJECT = "project"
    GIG = "gig"
    ROTATION = "rotation"
    MENTORSHIP = "mentorship"


class VisibilityScope(StrEnum):
    TENANT = "tenant"
    DEPARTMENT = "department"


class RequiredCompetency(ContractModel):
    competency_id: Id
    """The competency."""
    level: ProficiencyLevel
    """The level required. Opportunities require competencies, never degrees."""


class RequiredSkill(ContractModel):
    skill_uri: str
    """The skill, by its URI in the tenant's skills library (ESCO's)."""
    level: ProficiencyLevel
    """The level required, on the framework's scale; a person's level in a skill is their
    highest in the competencies that cover it."""


class OpportunityPosted(EventPayload):
    """An opportunity was posted on the internal marketplace."""

    event_type = "careerstream.mobility.opportunity.posted.v1"
    topic = topics.OPPORTUNITY
    aggregate_field = "opportunity_id"

    opportunity_id: Id
    """The opportunity."""
    kind: OpportunityKind
    """Role, project, gig, rotation or mentorship."""
    title: str
    """Its title."""
    role_id: Id | None = None
    """For a role: the framework role."""
    family_id: Id | None = None
    """The job family, when there is one."""
    level_id: Id | None = None
    """The level, when there is one."""
    required: list[RequiredCompetency]
    """Required competencies with levels."""
    required_skills: list[RequiredSkill] = []
    """Required skills of the skills library, with levels."""
    time_share: int = Field(ge=1, le=100, default=100)
    """Percent of working time (e.g. 20 for a gig)."""
    duration_weeks: int | None = Field(ge=1, default=None)
    """For projects, gigs and rotations: how long."""
    department_id: Id | None = None
    """The department that offers it."""
    location: str | None = None
    """Where, or null."""
    remote: bool = False
    """True when it can be done remotely."""
    visibility: VisibilityScope = VisibilityScope.TENANT
    """Who can see it: the whole tenant or one department."""
    hiring_manager_id: Id
    """Who decides."""
    posted_at: datetime
    """When it was posted."""
    closes_at: datetime | None = None
    """When applications close."""


class ApplicationSubmitted(EventPayload):
    """An employee applied to an opportunity."""

    event_type = "careerstream.mobility.application.submitted.v1"
    topic = topics.APPLICATION
    aggregate_field = "application_id"

    application_id: Id
    """The application."""
    opportunity_id: Id
    """What was applied for."""
    employee_id: Id
    """Who applied."""
    submitted_at: datetime
    """When."""


class ApplicationWithdrawn(EventPayload):
    """An employee withdrew an application."""

    event_type = "careerstream.mobility.application.withdrawn.v1"
    topic = topics.APPLICATION
    aggregate_field = "application_id"

    application_id: Id
    """The application."""
    opportunity_id: Id
    """What it was for."""
    employee_id: Id
    """Who withdrew."""
    withdrawn_at: datetime
    """When."""


class CandidateShortlisted(EventPayload):
    """The hiring manager shortlisted an applicant."""

    event_type = "careerstream.mobility.candidate.shortlisted.v1"
    topic = topics.APPLICATION
    aggregate_field = "application_id"

    application_id: Id
    """The application."""
    opportunity_id: Id
    """What it is for."""
    employee_id: Id
    """Who was shortlisted."""
    current_manager_id: Id | None = None
    """Their current manager, to be told (unless the tenant turned it off): a manager hears of
    it from the platform, not from the grapevine, and cannot block it."""
    shortlisted_at: datetime
    """When."""


class MoveKind(StrEnum):
    PROMOTION = "promotion"
    """To a higher level."""
    LATERAL = "lateral"
    """To the same level in another track or family."""
    OTHER = "other"
    """Anything else (a step down, a project, an external hire)."""


class PassedOverStage(StrEnum):
    APPLIED = "applied"
    SHORTLISTED = "shortlisted"


class PassedOver(ContractModel):
    employee_id: Id
    """An internal candidate who was not selected."""
    stage: PassedOverStage
    """How far they got."""


class RoleFilled(EventPayload):
    """An opportunity was filled, internally or externally."""

    event_type = "careerstream.mobility.role.filled.v1"
    topic = topics.OPPORTUNITY
    aggregate_field = "opportunity_id"

    opportunity_id: Id
    """The opportunity filled."""
    internal: bool
    """True when an employee was selected, false for an external hire."""
    employee_id: Id | None = None
    """The mover (null for an external hire not yet in the HRIS)."""
    hiring_manager_id: Id | None = None
    """Who the mover reports to in the new role (the opportunity's hiring manager)."""
    from_role_id: Id | None = None
    """The mover's role before (null for an external hire)."""
    to_role_id: Id | None = None
    """The role moved into (null for projects and gigs without a role)."""
    move_kind: MoveKind
    """Promotion, lateral or other, derived from levels and tracks."""
    passed_over: list[PassedOver] = []
    """No longer filled (empty): who was passed over is personal and travels only on the
    restricted topic `careerstream.mobility.passedover.v1` (`passedover.recorded`), to the
    services allowed to read it. Events published before the change may still carry ids."""
    passed_over_count: int = Field(ge=0, default=0)
    """How many internal candidates applied and were not selected."""
    posted_at: datetime
    """When the opportunity was posted."""
    filled_at: datetime
    """When it was filled."""


class OpportunityClosed(EventPayload):
    """An opportunity closed without being filled."""

    event_type = "careerstream.mobility.opportunity.closed.v1"
    topic = topics.OPPORTUNITY
    aggregate_field = "opportunity_id"

    opportunity_id: Id
    """The opportunity."""
    closed_at: datetime
    """When it closed without a fill."""
    reason: str = ""
    """Why."""


class CandidatesPassedOver(EventPayload):
    """Who was passed over when an opportunity was filled (restricted: metrics reads it for the
    retention of those passed over; no other subscriber is granted the topic)."""

    event_type = "careerstream.mobility.passedover.recorded.v1"
    topic = topics.PASSED_OVER
    aggregate_field = "opportunity_id"

    opportunity_id: Id
    """The opportunity filled."""
    passed_over: list[PassedOver] = Field(min_length=1)
    """Internal candidates who applied and were not selected, with how far they got."""
    filled_at: datetime
    """When it was filled."""


class OpportunityMatched(EventPayload):
    """People whose skills and stated aspirations fit a newly posted opportunity (restricted:
    who aims for what is theirs; only the notifications service reads it, to tell them)."""

    event_type = "careerstream.mobility.opportunity.matched.v1"
    topic = topics.MATCH
    aggregate_field = "opportunity_id"

    opportunity_id: Id
    """The opportunity posted."""
    title: str
    """Its title."""
    employee_ids: list[Id] = Field(min_length=1)
    """Who fits it: a match score at or above `threshold`, an aspiration it fits (the role or
    family they aim for, or a project, gig, rotation or mentorship for someone open to
    projects), and allowed to see it. Best first, at most the service's limit."""
    threshold: float = Field(ge=0, le=1)
    """The lowest match score told."""
    matched_at: datetime
    """When the match was computed."""


class BenchChanged(EventPayload):
    """A critical role's bench: how many successors are ready now, in one to two years, or
    later (nominations and calibrated levels together; MOBILITY.md, "Succession"). Counts
    only: who is on a slate never leaves the mobility service."""

    event_type = "careerstream.mobility.bench.changed.v1"
    topic = topics.BENCH
    aggregate_field = "role_id"

    role_id: Id
    """The framework role."""
    critical: bool
    """False once HR no longer counts the role as critical (its bench is then zero)."""
    ready_now: int = Field(ge=0)
    """Successors ready to step in now."""
    ready_soon: int = Field(ge=0)
    """Successors ready in one to two years."""
    later: int = Field(ge=0)
    """Nominated successors further away."""
    nominated: int = Field(ge=0)
    """How many of them a manager or HR nominated."""
    incumbents: int = Field(ge=0)
    """Active people who hold the role now."""
    changed_at: datetime
    """When the bench was counted."""

"""The canonical people stream: what the HRIS says about employees, org units and surveys.

Produced by the hris gateway from vendor payloads, or directly by customers
who run Kafka. Every event carries when it takes effect and when it was recorded.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from careerstream.contracts import topics
from careerstream.contracts.base import ContractModel, EventPayload, Id, PersonalPayload
from careerstream.contracts.personal import personal


class Performance(StrEnum):
    """The latest performance rating, as the HRIS holds it, on three steps."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class EmploymentDetails(ContractModel):
    """Where an employee sits. In `employee.changed` only the changed fields are set."""

    role_id: Id | None = None
    """The framework role the employee holds, when the HRIS job maps to one."""
    job_code: str | None = None
    """The HRIS job code."""
    job_title: str | None = personal(default=None)
    """The HRIS job title."""
    manager_id: Id | None = None
    """The employee id of the direct manager (null for the top of the hierarchy)."""
    department_id: Id | None = None
    """The org unit the employee belongs to."""
    location: str | None = personal(default=None)
    """Work location, e.g. a city or 'remote'."""
    group_attributes: dict[str, str] | None = personal(default=None)
    """Attributes used only for fairness reporting (e.g. gender, age band), as the HRIS names them.
    The gateway no longer sets them here: they travel in `groups.recorded` on a topic only
    metrics reads. Kept for customers who produce their own HRIS events, and for history."""
    work_email: str | None = personal(default=None)
    """The work e-mail address the platform's notifications go to."""
    performance: Performance | None = personal(default=None)
    """The latest performance rating from the HRIS's reviews (for succession's performance x
    potential grid only)."""


class EmployeeHired(PersonalPayload):
    """An employee joined the company."""

    event_type = "careerstream.hris.employee.hired.v1"
    topic = topics.HRIS_EMPLOYEE
    aggregate_field = "employee_id"

    employee_id: Id
    """The employee's id in the HRIS."""
    effective_date: date
    """The first day of employment."""
    recorded_at: datetime
    """When the HRIS recorded the hire."""
    display_name: str | None = personal(default=None)
    """Name to show to those allowed to see the person."""
    details: EmploymentDetails
    """Role, manager, department, location and group attributes at hire."""


class ChangeReason(StrEnum):
    PROMOTION = "promotion"
    LATERAL_MOVE = "lateral_move"
    MANAGER_CHANGE = "manager_change"
    REORGANISATION = "reorganisation"
    CORRECTION = "correction"
    OTHER = "other"


class EmployeeChanged(PersonalPayload):
    """Something about an employee changed: role, level, manager, department, location or group attributes."""

    event_type = "careerstream.hris.employee.changed.v1"
    topic = topics.HRIS_EMPLOYEE
    aggregate_field = "employee_id"

    employee_id: Id
    """The employee's id in the HRIS."""
    effective_date: date
    """The day the change takes effect (may be in the past: a late correction)."""
    recorded_at: datetime
    """When the HRIS recorded the change."""
    changed_fields: list[str] = Field(min_length=1)
    """Names of the fields of `details` that changed."""
    details: EmploymentDetails
    """The new values of the changed fields."""
    reason: ChangeReason = ChangeReason.OTHER
    """Why, when the HRIS says."""


class EmployeeTerminated(PersonalPayload):
    """An employee left the company."""

    event_type = "careerstream.hris.employee.terminated.v1"
    topic = topics.HRIS_EMPLOYEE
    aggregate_field = "employee_id"

    employee_id: Id
    """The employee's id in the HRIS."""
    effective_date: date
    """The last day of employment."""
    recorded_at: datetime
    """When the HRIS recorded the termination."""
    voluntary: bool
    """True when the employee chose to leave."""
    reason: str | None = personal(default=None)
    """The HRIS reason code or text."""


class GroupsRecorded(PersonalPayload):
    """An employee's group attributes as the HRIS now holds them (restricted: metrics reads them
    for the fairness views; no other subscriber is granted the topic)."""

    event_type = "careerstream.hris.groups.recorded.v1"
    topic = topics.HRIS_GROUPS
    aggregate_field = "employee_id"

    employee_id: Id
    """The employee's id in the HRIS."""
    effective_date: date
    """When they take effect."""
    recorded_at: datetime
    """When the HRIS recorded them: a record older than the one held is ignored."""
    group_attributes: dict[str, str] | None = personal(default=None)
    """All of them (not only what changed), as the HRIS names them; null: none any more."""


class OrgUnitChanged(EventPayload):
    """An org unit was created, renamed, moved, given a new head or closed."""

    event_type = "careerstream.hris.orgunit.changed.v1"
    topic = topics.HRIS_ORGUNIT
    aggregate_field = "orgunit_id"

    orgunit_id: Id
    """The org unit's id in the HRIS."""
    name: str
    """Its name."""
    parent_id: Id | None = None
    """The unit above it (null at the top)."""
    head_id: Id | None = None
    """The employee id of the unit's head."""
    active: bool = True
    """False once the unit is closed."""
    effective_date: date
    """When the change takes effect."""
    recorded_at: datetime
    """When the HRIS recorded it."""


class SurveyTopic(StrEnum):
    GROWTH = "growth"
    """The respondent sees a future for themselves here."""
    MANAGER_CONFIDENCE = "manager_confidence"
    """A manager's confidence in holding career conversations."""
    CAREER_CONVERSATIONS = "career_conversations"
    """An employee's view of the career conversations they had."""
    ENGAGEMENT = "engagement"
    OTHER = "other"


class SurveyAnswer(ContractModel):
    question_id: Id
    """The question's id in the survey tool."""
    topic: SurveyTopic
    """What the question measures."""
    score: int = Field(ge=0)
    """The answer on the question's scale."""
    scale_max: int = Field(ge=1)
    """The top of the question's scale (e.g. 5)."""


class SurveyResponded(EventPayload):
    """One pulse survey response (restricted: metrics reads it for the engagement figures)."""

    event_type = "careerstream.hris.survey.responded.v1"
    topic = topics.HRIS_SURVEY
    aggregate_field = "response_id"

    response_id: Id
    """The response's id."""
    survey_id: Id
    """The survey (one pulse) it answers."""
    employee_id: Id
    """Who answered; metrics only ever report groups above the anonymity threshold."""
    responded_at: datetime
    """When the answer was given."""
    answers: list[SurveyAnswer] = Field(min_length=1)
    """The answers."""

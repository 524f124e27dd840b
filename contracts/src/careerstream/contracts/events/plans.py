"""Events of the plans service: development plans, goals, check-ins and career conversations.

Private notes (check-in and conversation notes) never leave the service.
"""

from __future__ import annotations

from datetime import date, datetime
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


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"


class PlanCreated(EventPayload):
    """A development plan was created (as a draft from gaps, or by hand)."""

    event_type = "careerstream.plans.plan.created.v1"
    topic = topics.PLAN
    aggregate_field = "plan_id"

    plan_id: Id
    """The plan."""
    employee_id: Id
    """Whose plan it is."""
    period_start: date
    """First day of the plan's period."""
    period_end: date
    """Last day of the plan's period."""
    status: PlanStatus
    """Draft until the manager approves it."""
    assessment_id: Id | None = None
    """The assessment whose gaps it was drafted from, if any."""
    transition_to_role_id: Id | None = None
    """Set on a transition plan: the role the person moved into, which the plan prepares them for."""
    created_at: datetime
    """When it was created."""


class PlanApproved(EventPayload):
    """The employee's manager approved a draft plan: it is now active."""

    event_type = "careerstream.plans.plan.approved.v1"
    topic = topics.PLAN
    aggregate_field = "plan_id"

    plan_id: Id
    """The plan."""
    employee_id: Id
    """Whose plan it is."""
    approved_by: Id
    """The manager who approved it."""
    approved_at: datetime
    """When."""


class ActionKind(StrEnum):
    COURSE = "course"
    STRETCH_ASSIGNMENT = "stretch_assignment"
    MENTORING = "mentoring"
    PROJECT = "project"
    ROTATION = "rotation"


class Action(ContractModel):
    action_id: Id
    """The action."""
    kind: ActionKind
    """Course, stretch assignment, mentoring, cross-functional project or rotation."""
    title: str = personal()
    """What to do."""
    owner_id: Id
    """Who is responsible for it."""
    target_date: date
    """When it should be done."""


class GoalAdded(PersonalPayload):
    """A goal tied to a competency gap was added to a plan."""

    event_type = "careerstream.plans.goal.added.v1"
    topic = topics.PLAN
    aggregate_field = "plan_id"

    plan_id: Id
    """The plan."""
    goal_id: Id
    """The goal."""
    employee_id: Id
    """Whose plan it is."""
    competency_id: Id
    """The competency whose gap the goal closes."""
    from_level: ProficiencyLevel
    """The level the employee has."""
    to_level: ProficiencyLevel
    """The level the goal aims for."""
    target_date: date
    """When the goal should be reached."""
    actions: list[Action] = []
    """How the goal is to be reached."""
    added_at: datetime
    """When it was added."""


class GoalProgressed(EventPayload):
    """The employee recorded progress on a goal."""

    event_type = "careerstream.plans.goal.progressed.v1"
    topic = topics.PLAN
    aggregate_field = "plan_id"

    plan_id: Id
    """The plan."""
    goal_id: Id
    """The goal."""
    employee_id: Id
    """Whose plan it is."""
    progress: int = Field(ge=0, le=100)
    """Percent of the goal done, as the employee reports it."""
    recorded_at: datetime
    """When progress was recorded."""


class GoalOutcome(StrEnum):
    ACHIEVED = "achieved"
    DROPPED = "dropped"
    SUPERSEDED = "superseded"


class GoalCompleted(EventPayload):
    """A goal ended: achieved, dropped, or superseded."""

    event_type = "careerstream.plans.goal.completed.v1"
    topic = topics.PLAN
    aggregate_field = "plan_id"

    plan_id: Id
    """The plan."""
    goal_id: Id
    """The goal."""
    employee_id: Id
    """Whose plan it is."""
    competency_id: Id
    """The competency of the goal."""
    outcome: GoalOutcome
    """Achieved, dropped, or superseded by a new assessment."""
    completed_at: datetime
    """When it completed."""


class CheckinRecorded(EventPayload):
    """A manager check-in on a plan was recorded (its notes stay private)."""

    event_type = "careerstream.plans.checkin.recorded.v1"
    topic = topics.PLAN
    aggregate_field = "plan_id"

    plan_id: Id
    """The plan."""
    checkin_id: Id
    """The check-in."""
    employee_id: Id
    """Whose plan it is."""
    manager_id: Id
    """The manager who held it."""
    progress_rating: int = Field(ge=1, le=5)
    """The manager's view of progress, 1 (off track) to 5 (ahead)."""
    held_at: datetime
    """When it was held."""


class PlanOutcome(StrEnum):
    COMPLETED = "completed"
    CLOSED_ON_MOVE = "closed_on_move"
    CLOSED_ON_TERMINATION = "closed_on_termination"
    SUPERSEDED = "superseded"


class PlanCompleted(EventPayload):
    """A plan ended: completed, or closed by a move, a termination or a newer plan."""

    event_type = "careerstream.plans.plan.completed.v1"
    topic = topics.PLAN
    aggregate_field = "plan_id"

    plan_id: Id
    """The plan."""
    employee_id: Id
    """Whose plan it was."""
    outcome: PlanOutcome
    """Why it ended."""
    goals_total: int = Field(ge=0)
    """How many goals it had."""
    goals_achieved: int = Field(ge=0)
    """How many were achieved."""
    completed_at: datetime
    """When it ended."""


class ConversationKind(StrEnum):
    CAREER = "career"
    DEVELOPMENT = "development"
    PROMOTION = "promotion"
    LATERAL_MOVE = "lateral_move"
    OTHER = "other"


class ConversationHeld(EventPayload):
    """A manager held a career conversation. Its notes stay private to the two of them."""

    event_type = "careerstream.plans.conversation.held.v1"
    topic = topics.CONVERSATION
    aggregate_field = "conversation_id"

    conversation_id: Id
    """The conversation."""
    employee_id: Id
    """With whom."""
    manager_id: Id
    """The manager who held it."""
    kind: ConversationKind
    """What it was about."""
    follow_ups: int = Field(ge=0, default=0)
    """How many follow-ups were agreed."""
    held_at: datetime
    """When it was held."""


class MoveSource(StrEnum):
    MARKETPLACE = "marketplace"
    """Selected for an opportunity (`role.filled`)."""
    HRIS = "hris"
    """The HRIS gave the person another role (`employee.changed`)."""


class TransitionPlanDrafted(EventPayload):
    """Someone moved to another role: their open plan closed, and a plan for the new role was
    drafted from its gaps. Their manager in the new role is named, to be told."""

    event_type = "careerstream.plans.transition.drafted.v1"
    topic = topics.PLAN
    aggregate_field = "plan_id"

    plan_id: Id
    """The transition plan (a draft, awaiting the manager's approval)."""
    employee_id: Id
    """Who moved."""
    manager_id: Id | None = None
    """Their manager in the new role (the hiring manager of a fill, else the HRIS's manager)."""
    from_role_id: Id | None = None
    """The role they left, when known."""
    to_role_id: Id
    """The role they moved into."""
    source: MoveSource
    """What recorded the move."""
    closed_plan_id: Id | None = None
    """The plan the move closed (`closed_on_move`), if they had one open."""
    goals: int = Field(ge=0)
    """Goals drafted from the new role's gaps."""
    unknown_competencies: list[Id] = []
    """Competencies the new role requires at which the person's level is not known yet (no
    assessment has rated them): the next assessment against the new role fills them in."""
    moved_at: datetime
    """When the move took effect."""
    drafted_at: datetime
    """When the plan was drafted."""


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class ActionVia(StrEnum):
    HAND = "hand"
    """The employee or a manager set it."""
    LMS = "lms"
    """A learning record from the company's LMS set it (`learning_statement_id` names it)."""


class ActionUpdated(EventPayload):
    """An action of a plan changed status or progress: by hand, or from a learning record."""

    event_type = "careerstream.plans.action.updated.v1"
    topic = topics.PLAN
    aggregate_field = "plan_id"

    plan_id: Id
    """The plan."""
    goal_id: Id
    """The goal the action serves."""
    action_id: Id
    """The action."""
    employee_id: Id
    """Whose plan it is."""
    kind: ActionKind
    """Course, stretch assignment, mentoring, project or rotation."""
    entry_id: Id | None = None
    """The catalogue entry the action is, when it is one."""
    status: ActionStatus
    """Where the action stands now."""
    progress: int = Field(ge=0, le=100)
    """Percent done (100 when done)."""
    via: ActionVia
    """What changed it."""
    learning_statement_id: Id | None = None
    """The learning record that changed it (`via` lms)."""
    learning_source_id: Id | None = None
    """The LMS that sent that record."""
    failed_attempt: bool = False
    """The learning record was a failed attempt: the action stays open."""
    updated_at: datetime
    """When it changed."""

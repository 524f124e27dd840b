"""Every event type of the contract, by its CloudEvents `type`."""

from __future__ import annotations

from careerstream.contracts.base import EventPayload
from careerstream.contracts.events import (
    assessments,
    frameworks,
    hris,
    learning,
    metrics,
    mobility,
    plans,
    privacy,
)
from careerstream.contracts.topics import ALL_TOPICS

_ALL: tuple[type[EventPayload], ...] = (
    frameworks.FrameworkPublished,
    frameworks.FrameworkRetired,
    frameworks.SkillChanged,
    frameworks.SkillLibraryImported,
    hris.EmployeeHired,
    hris.EmployeeChanged,
    hris.EmployeeTerminated,
    hris.OrgUnitChanged,
    hris.GroupsRecorded,
    hris.SurveyResponded,
    assessments.CycleOpened,
    assessments.CycleClosed,
    assessments.AssessmentOpened,
    assessments.PeersNominated,
    assessments.AssessmentSubmitted,
    assessments.AssessmentCompleted,
    assessments.SkillgapIdentified,
    plans.PlanCreated,
    plans.PlanApproved,
    plans.GoalAdded,
    plans.GoalProgressed,
    plans.GoalCompleted,
    plans.CheckinRecorded,
    plans.PlanCompleted,
    plans.TransitionPlanDrafted,
    plans.ConversationHeld,
    plans.ActionUpdated,
    mobility.OpportunityPosted,
    mobility.ApplicationSubmitted,
    mobility.ApplicationWithdrawn,
    mobility.CandidateShortlisted,
    mobility.RoleFilled,
    mobility.OpportunityClosed,
    mobility.CandidatesPassedOver,
    mobility.OpportunityMatched,
    mobility.BenchChanged,
    learning.LearningCompleted,
    learning.LearningProgressed,
    learning.LearningVoided,
    metrics.SnapshotTaken,
    privacy.ErasureRequested,
    privacy.ErasureAnswered,
    privacy.ErasureCompleted,
    privacy.AccessRecorded,
)

EVENT_TYPES: dict[str, type[EventPayload]] = {m.event_type: m for m in _ALL}

assert len(EVENT_TYPES) == len(_ALL), "two payload models share an event type"
assert all(m.topic in ALL_TOPICS for m in _ALL), "an event type names an unknown topic"


def model_for(event_type: str) -> type[EventPayload] | None:
    """The payload model of `event_type`, or None for a type this version does not know."""
    return EVENT_TYPES.get(event_type)


def types_on(topic: str) -> list[str]:
    return [t for t, m in EVENT_TYPES.items() if m.topic == topic]

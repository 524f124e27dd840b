"""Events of the frameworks service: published and retired framework versions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from careerstream.contracts import topics
from careerstream.contracts.base import ContractModel, EventPayload, Id, ProficiencyLevel


class TrackKind(StrEnum):
    """What a track is for: individual contribution, people management, or another path."""

    IC = "ic"
    MANAGEMENT = "management"
    OTHER = "other"


class CompetencyCategory(StrEnum):
    BEHAVIOURAL = "behavioural"
    TECHNICAL = "technical"
    LEADERSHIP = "leadership"
    TECHNOLOGICAL_FLUENCY = "technological_fluency"


class ScaleStep(ContractModel):
    level: ProficiencyLevel
    """The number of this step on the scale (1 is the lowest in most scales)."""
    label: str
    """Short name of the step, e.g. 'Foundational'."""
    meaning: str = ""
    """What this step means, in the framework's words."""


class ProficiencyScale(ContractModel):
    steps: list[ScaleStep] = Field(min_length=2)
    """The steps of the scale, lowest first."""


class Track(ContractModel):
    id: Id
    """Stable identifier of the track within its family."""
    name: str
    """Display name, e.g. 'Individual contributor' or 'Relationship'."""
    kind: TrackKind
    """IC, management, or another named path."""


class Level(ContractModel):
    id: Id
    """Stable identifier of the level within its family."""
    name: str
    """Display name, e.g. 'Senior Engineer'."""
    rank: int = Field(ge=1)
    """Position on its tracks: 1 is the entry level, each step up adds one."""
    track_ids: list[Id] = Field(min_length=1)
    """The tracks this level belongs to. Levels shared by several tracks are where they branch from."""


class JobFamily(ContractModel):
    id: Id
    """Stable identifier of the family, e.g. 'engineering'."""
    name: str
    """Display name, e.g. 'Engineering'."""
    description: str = ""
    """What the family does."""
    tracks: list[Track]
    """The career tracks of this family."""
    levels: list[Level]
    """Every level of every track of this family."""


class RoleRequirement(ContractModel):
    competency_id: Id
    """The competency required."""
    level: ProficiencyLevel
    """The proficiency the role requires, on the framework's scale."""


class Role(ContractModel):
    id: Id
    """Stable identifier of the role, e.g. 'engineering.senior-engineer'."""
    family_id: Id
    """The job family of the role."""
    level_id: Id
    """The level of the role within its family."""
    title: str
    """The role's title."""
    summary: str = ""
    """What the role is about."""
    requirements: list[RoleRequirement]
    """The core competencies of the role (typically 4 to 6) with the level each requires."""


class LevelDescriptor(ContractModel):
    level: ProficiencyLevel
    """The proficiency level described."""
    description: str
    """What success looks like at this level."""


class Competency(ContractModel):
    id: Id
    """Stable identifier, e.g. 'strategic-thinking'."""
    name: str
    """Display name."""
    category: CompetencyCategory
    """Behavioural, technical, leadership or technological fluency (including AI collaboration)."""
    family_id: Id | None = None
    """The job family it is specific to, or null when it is company-wide."""
    description: str = ""
    """What the competency covers."""
    descriptors: list[LevelDescriptor]
    """A descriptor per proficiency level."""


class CompetencyDelta(ContractModel):
    competency_id: Id
    """The competency that must grow."""
    from_level: ProficiencyLevel
    """Required level in the origin role (0 when the origin does not require it)."""
    to_level: ProficiencyLevel
    """Required level in the destination role."""


class LateralPath(ContractModel):
    id: Id
    """Stable identifier of the path."""
    from_role_id: Id
    """Where the move starts."""
    to_role_id: Id
    """Where the move leads, in another family."""
    via: str = ""
    """How the move is usually made, e.g. 'rotation'."""
    carry_over: list[Id] = []
    """Competencies that carry over from the origin role."""
    to_build: list[CompetencyDelta] = []
    """Competencies to build, with the levels involved."""


class FrameworkPublished(EventPayload):
    """A framework version was published: the full snapshot, so consumers need nothing else."""

    event_type = "careerstream.frameworks.framework.published.v1"
    topic = topics.FRAMEWORK
    aggregate_field = "framework_id"

    framework_id: Id
    """The framework (stable across versions)."""
    version: int = Field(ge=1)
    """The version number, increasing by one per publication."""
    name: str
    """Display name of the framework."""
    published_at: datetime
    """When the version was published."""
    scale: ProficiencyScale
    """The proficiency scale every level and requirement refers to."""
    families: list[JobFamily]
    """Job families with their tracks and levels."""
    competencies: list[Competency]
    """Every competency with its per-level descriptors."""
    roles: list[Role]
    """Every role with its requirements."""
    lateral_paths: list[LateralPath] = []
    """Moves between roles of different families."""


class FrameworkRetired(EventPayload):
    """A published framework version was retired; it stays readable but is no longer current."""

    event_type = "careerstream.frameworks.framework.retired.v1"
    topic = topics.FRAMEWORK
    aggregate_field = "framework_id"

    framework_id: Id
    """The framework."""
    version: int = Field(ge=1)
    """The version retired."""
    retired_at: datetime
    """When it was retired."""
    reason: str = ""
    """Why, in HR's words."""

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


class LinkedSkill(ContractModel):
    uri: str
    """The skill's URI in the tenant's skills library (ESCO's), as in `skill.changed`."""
    label: str = ""
    """Its preferred label when the framework was saved."""


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
    skills: list[LinkedSkill] = []
    """The skills of the skills library it covers: a person's level in the competency counts
    for each of them."""


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


class SkillLabels(ContractModel):
    preferred: str
    """The skill's name in this language."""
    alternative: list[str] = []
    """Synonyms and other names it goes by."""
    description: str = ""
    """What the skill is, in the library's words."""


class SkillChanged(EventPayload):
    """A skill (or skill group) of the tenant's skills library was added, changed or withdrawn
    by an import: its whole current state, so a consumer keeps the latest per skill."""

    event_type = "careerstream.frameworks.skill.changed.v1"
    topic = topics.SKILL
    aggregate_field = "skill_uri"

    skill_uri: Id
    """The skill's identifier: its ESCO URI, e.g. http://data.europa.eu/esco/skill/<uuid>."""
    kind: str
    """`skill`, or `group` (a node of the skills hierarchy)."""
    skill_type: str = ""
    """`skill` (ESCO's skill/competence), `knowledge` or `language`; empty for a group."""
    reuse_level: str = ""
    """`transversal`, `cross-sector`, `sector-specific` or `occupation-specific` (or empty)."""
    status: str
    """`released`, or `withdrawn`: the latest import no longer holds it (kept, never deleted)."""
    labels: dict[str, SkillLabels]
    """Language code (e.g. `en`) -> the skill's names and description in that language."""
    broader: list[Id] = []
    """The skills or groups it sits under."""
    library_version: str
    """The library version (e.g. ESCO `1.2.0`) that last changed it."""
    changed_at: datetime
    """When the import changed it."""


class SkillLibraryImported(EventPayload):
    """A tenant imported a version of its skills library: what the import added, changed and
    withdrew (the skills themselves follow as `skill.changed` events)."""

    event_type = "careerstream.frameworks.skilllibrary.imported.v1"
    topic = topics.SKILL
    aggregate_field = "library_id"

    library_id: Id
    """`esco`: the library imported."""
    version: str
    """The version imported, as the importer named it."""
    languages: list[str]
    """The languages its labels are in."""
    import_number: int = Field(ge=1)
    """1 for the tenant's first import, one more for each one after it."""
    added: int = Field(ge=0)
    """Skills and groups added (or back after being withdrawn)."""
    changed: int = Field(ge=0)
    """Skills and groups whose labels, type, level or place in the hierarchy changed."""
    withdrawn: int = Field(ge=0)
    """Skills and groups the version no longer holds (kept, with status withdrawn)."""
    unchanged: int = Field(ge=0)
    """Skills and groups as they were."""
    imported_at: datetime
    """When the import finished."""

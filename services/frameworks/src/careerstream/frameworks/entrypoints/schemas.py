"""Request and response bodies of the frameworks API."""

# No `from __future__ import annotations`: pydantic reads the annotations at runtime.

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from careerstream.frameworks.domain import model as m


class VersionOut(BaseModel):
    framework_id: str
    version: int
    status: Literal["draft", "published", "retired"]
    name: str
    revision: int
    """Changes with every edit; send it back as If-Match to edit safely."""
    created_at: datetime
    updated_at: datetime
    created_by: str
    published_at: datetime | None
    published_by: str | None
    retired_at: datetime | None
    retired_reason: str | None


class VersionWithDocument(VersionOut):
    document: m.Framework


class FrameworkSummary(BaseModel):
    framework_id: str
    name: str
    current_version: int | None
    """The latest published version, if any."""
    versions: list[VersionOut]


class NewFramework(BaseModel):
    id: m.Slug
    name: m.Name
    description: str = ""
    scale: m.Scale = Field(default_factory=m.default_scale)
    """Defaults to a five-step scale (Foundational to Expert)."""


class ImportResult(VersionWithDocument):
    outcome: Literal["created", "new-draft", "replaced-draft", "unchanged"]
    """A new framework, a new draft of an existing one, its draft replaced, or nothing
    (`unchanged`, answered 200): the file is the latest version already."""


class RetireIn(BaseModel):
    reason: str = Field(default="", max_length=2000)


class ChangeOut(BaseModel):
    change: Literal["added", "removed", "changed"]
    path: str
    before: Any = None
    after: Any = None


class DiffOut(BaseModel):
    framework_id: str
    from_version: int
    to_version: int
    changes: list[ChangeOut]


class GrowthOut(BaseModel):
    competency_id: str
    competency: str
    from_level: int
    to_level: int
    gap: int


class StepOut(BaseModel):
    kind: Literal["vertical", "track_switch", "lateral"]
    to_role_id: str
    to_title: str
    to_family_id: str
    to_level_id: str
    track_id: str | None
    via: str
    total_growth: int
    """Sum of the gaps: a rough size of the step."""
    grow: list[GrowthOut]
    carry_over: list[str]


class NextStepsOut(BaseModel):
    framework_id: str
    version: int
    role_id: str
    title: str
    steps: list[StepOut]


class NodeOut(BaseModel):
    role_id: str
    title: str
    level_id: str
    rank: int
    track_ids: list[str]


class EdgeOut(BaseModel):
    from_role_id: str
    to_role_id: str
    kind: Literal["vertical", "track_switch", "lateral"]
    track_id: str | None
    total_growth: int
    to_family_id: str


class GraphOut(BaseModel):
    framework_id: str
    version: int
    family_id: str
    nodes: list[NodeOut]
    edges: list[EdgeOut]


class FamilyIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: m.Name
    description: str = ""


class TrackIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: m.Name
    kind: m.TrackKind = m.TrackKind.OTHER


class LevelIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: m.Name
    rank: int = Field(ge=1, le=50)
    track_ids: list[m.Slug] = Field(min_length=1)


class CompetencyIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: m.Name
    category: m.CompetencyCategory
    family_id: m.Slug | None = None
    description: str = ""
    descriptors: list[m.Descriptor] | None = None
    """Omit to keep the existing descriptors."""
    skills: list[m.SkillLink] | None = Field(default=None, max_length=100)
    """The skills of the skills library it covers; omit to keep the existing links."""


class DescriptorIn(BaseModel):
    model_config = {"extra": "forbid"}
    description: str = Field(min_length=1)


class RoleIn(BaseModel):
    model_config = {"extra": "forbid"}
    family_id: m.Slug
    level_id: m.Slug
    title: m.Name
    summary: str = ""
    requirements: list[m.Requirement] | None = None
    """Omit to keep the existing requirements."""


class RequirementIn(BaseModel):
    model_config = {"extra": "forbid"}
    level: m.Proficiency


class LateralPathIn(BaseModel):
    model_config = {"extra": "forbid"}
    from_role_id: m.Slug
    to_role_id: m.Slug
    via: str = ""
    carry_over: list[m.Slug] = []
    to_build: list[m.Delta] = []


class SkillLinkIn(BaseModel):
    model_config = {"extra": "forbid"}
    uri: m.SkillUri
    """The skill of the skills library, e.g. http://data.europa.eu/esco/skill/<uuid>."""


class FromOccupationIn(BaseModel):
    model_config = {"extra": "forbid"}
    occupation_uri: m.SkillUri
    """The occupation of the skills library, e.g. http://data.europa.eu/esco/occupation/<uuid>."""
    family_id: m.Slug
    level_id: m.Slug
    """A level of the family."""
    title: m.Name | None = None
    """The role's title; the occupation's label when omitted."""
    level: m.Proficiency = 3
    """The proficiency each core competency is required at."""
    limit: int = Field(default=6, ge=1, le=20)
    """At most this many core competencies (a published role has 4 to 6)."""


class SkillRef(BaseModel):
    uri: str
    label: str


class DraftedRequirementOut(BaseModel):
    competency_id: str
    level: int
    skills: list[str]
    """The occupation's essential skills this competency meets."""
    created: bool
    """A competency made from the skill by this call (rewrite its descriptor)."""


class DraftedRole(BaseModel):
    occupation: SkillRef
    requirements: list[DraftedRequirementOut]
    left_out: list[SkillRef]
    """Essential skills beyond the limit: swap one in by hand if it matters more."""
    version: VersionWithDocument

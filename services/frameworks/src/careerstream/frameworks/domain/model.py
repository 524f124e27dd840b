"""A framework version as one document: scale, families, tracks, levels, competencies, roles, paths.

This is also the "frameworks as code" file format (YAML or JSON): the same
fields, validated strictly (an unknown field is an error, so a typo is caught).
Its JSON Schema is `services/frameworks/framework.schema.json`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^[a-z0-9][a-z0-9._-]*$"),
]
"""Identifiers: lower case letters, digits, '.', '_' and '-' (stable across versions)."""
Proficiency = Annotated[int, Field(ge=0, le=10)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class TrackKind(StrEnum):
    IC = "ic"
    MANAGEMENT = "management"
    OTHER = "other"


class CompetencyCategory(StrEnum):
    BEHAVIOURAL = "behavioural"
    TECHNICAL = "technical"
    LEADERSHIP = "leadership"
    TECHNOLOGICAL_FLUENCY = "technological_fluency"


class ScaleStep(Strict):
    level: Proficiency
    """The number of the step (consecutive, lowest first)."""
    label: Name
    """Short name of the step, e.g. 'Foundational'."""
    meaning: str = ""
    """What the step means."""


class Scale(Strict):
    steps: list[ScaleStep] = Field(min_length=2)
    """The proficiency steps, lowest first."""

    @property
    def lowest(self) -> int:
        return min(s.level for s in self.steps)

    @property
    def highest(self) -> int:
        return max(s.level for s in self.steps)


def default_scale() -> Scale:
    labels = [
        ("Foundational", "Learning the basics; needs guidance."),
        ("Developing", "Applies it in familiar situations with some support."),
        ("Proficient", "Applies it independently and reliably."),
        ("Advanced", "Handles complex situations; guides others."),
        ("Expert", "Shapes how the organisation does it."),
    ]
    return Scale(
        steps=[ScaleStep(level=i + 1, label=lab, meaning=m) for i, (lab, m) in enumerate(labels)]
    )


class Track(Strict):
    id: Slug
    """Unique within the family, e.g. 'ic' or 'management'."""
    name: Name
    """Display name, e.g. 'Individual contributor'."""
    kind: TrackKind = TrackKind.OTHER
    """ic, management or other (named paths such as Relationship and Strategy)."""


class Level(Strict):
    id: Slug
    """Unique within the family, e.g. 'senior-engineer'."""
    name: Name
    """Display name."""
    rank: int = Field(ge=1, le=50)
    """Position on its tracks: 1 is the entry level; each step up adds one, without gaps."""
    track_ids: list[Slug] = Field(min_length=1)
    """The tracks this level is on. A level on several tracks is shared; tracks share their first levels and branch above them."""


class Family(Strict):
    id: Slug
    """Unique in the framework, e.g. 'engineering'."""
    name: Name
    """Display name, e.g. 'Engineering'."""
    description: str = ""
    tracks: list[Track] = []
    """The career tracks of the family."""
    levels: list[Level] = []
    """Every level of every track of the family."""


class Descriptor(Strict):
    level: Proficiency
    """The proficiency level described."""
    description: str = Field(min_length=1)
    """What success looks like at this level."""


SkillUri = Annotated[str, Field(min_length=8, max_length=300, pattern=r"^https?://[^\s]+$")]
"""A skill of the company's skills library, by its URI (ESCO's, e.g.
http://data.europa.eu/esco/skill/<uuid>)."""


class SkillLink(Strict):
    uri: SkillUri
    """The skill of the skills library the competency covers."""
    label: str = Field(default="", max_length=500)
    """The skill's preferred label, filled from the library when the link is saved."""


class Competency(Strict):
    id: Slug
    """Unique in the framework, e.g. 'strategic-thinking'."""
    name: Name
    category: CompetencyCategory
    """behavioural, technical, leadership or technological_fluency (including AI collaboration)."""
    family_id: Slug | None = None
    """The family it is specific to; omitted when company-wide."""
    description: str = ""
    descriptors: list[Descriptor] = []
    """One descriptor per proficiency level it is used at."""
    skills: list[SkillLink] = Field(default=[], max_length=100)
    """The skills of the skills library (ESCO) this competency covers: matching counts a
    person's level in the competency for each of them."""


class Requirement(Strict):
    competency_id: Slug
    """The competency required."""
    level: Proficiency
    """The proficiency required, on the framework's scale."""


class Role(Strict):
    id: Slug
    """Unique in the framework, e.g. 'engineering.senior-engineer'."""
    family_id: Slug
    level_id: Slug
    """A level of the role's family."""
    title: Name
    summary: str = ""
    requirements: list[Requirement] = []
    """The core competencies of the role (4 to 6 when published)."""


class Delta(Strict):
    competency_id: Slug
    from_level: Proficiency
    """Required in the origin role (0 when not required there)."""
    to_level: Proficiency
    """Required in the destination role."""


class LateralPath(Strict):
    id: Slug
    from_role_id: Slug
    to_role_id: Slug
    """A role of another family."""
    via: str = ""
    """How the move is usually made, e.g. 'rotation'."""
    carry_over: list[Slug] = []
    """Competencies that carry over (derived from the roles' requirements when omitted)."""
    to_build: list[Delta] = []
    """Competencies to build (derived from the roles' requirements when omitted)."""


class Framework(Strict):
    """One version of a framework."""

    id: Slug
    """The framework, stable across versions, e.g. 'acme-careers'."""
    name: Name
    description: str = ""
    scale: Scale = Field(default_factory=default_scale)
    families: list[Family] = []
    competencies: list[Competency] = []
    roles: list[Role] = []
    lateral_paths: list[LateralPath] = []

    # -- lookups ---------------------------------------------------------------------------

    def family(self, family_id: str) -> Family | None:
        return next((f for f in self.families if f.id == family_id), None)

    def competency(self, competency_id: str) -> Competency | None:
        return next((c for c in self.competencies if c.id == competency_id), None)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def level_of(self, role: Role) -> Level | None:
        family = self.family(role.family_id)
        if family is None:
            return None
        return next((lv for lv in family.levels if lv.id == role.level_id), None)

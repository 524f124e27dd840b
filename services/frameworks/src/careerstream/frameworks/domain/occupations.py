"""Drafting a role from an occupation of the skills library: its essential skills become the
role's core competencies.

Each essential skill is met by a competency that already covers it (links it) or, when none
does, by a new competency made from the skill: named by its label, described by its
description, linked to it, and described at the required level by the scale's meaning of
that level (a starting point for HR to rewrite). A role's core is 4 to 6 competencies, and
an occupation has a dozen to forty essential skills, so at most `limit` competencies are
taken, in this order:

1. skills a competency of the framework already covers (the company's own words first);
2. skills and competences before knowledge (what someone does before what they know);
3. the most specific first: occupation-specific, sector-specific, cross-sector, then
   transversal skills (what tells this occupation from others);
4. by label.

The essential skills left out are reported, so HR can swap one in by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.editing import upsert

REUSE_ORDER = {
    "occupation-specific": 0,
    "sector-specific": 1,
    "cross-sector": 2,
    "transversal": 3,
}
DEFAULT_LIMIT = 6


@dataclass(frozen=True)
class LibrarySkill:
    uri: str
    label: str
    description: str = ""
    skill_type: str = ""
    """ESCO's 'skill/competence' or 'knowledge'."""
    reuse_level: str = ""


@dataclass(frozen=True)
class DraftedRequirement:
    competency_id: str
    level: int
    skills: list[str]
    """The essential skills of the occupation this competency meets."""
    created: bool
    """A new competency, made from the skill."""


@dataclass
class Drafted:
    framework: m.Framework
    requirements: list[DraftedRequirement] = field(default_factory=list)
    left_out: list[LibrarySkill] = field(default_factory=list)


def _slug(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")
    return (slug or "skill")[:100]


def _priority(skill: LibrarySkill, covered: bool) -> tuple[int, int, int, str]:
    return (
        0 if covered else 1,
        1 if skill.skill_type == "knowledge" else 0,
        REUSE_ORDER.get(skill.reuse_level, 2),
        skill.label.casefold(),
    )


def _described_level(comp: m.Competency, wanted: int) -> int:
    """The level to require of an existing competency: `wanted` when it is described there,
    else the nearest described level below it, else the nearest above (a requirement must
    name a described level)."""
    levels = sorted(d.level for d in comp.descriptors)
    if not levels or wanted in levels:
        return wanted
    below = [lv for lv in levels if lv < wanted]
    return below[-1] if below else levels[0]


def _new_competency(
    fw: m.Framework, skill: LibrarySkill, family_id: str, level: int, taken: set[str]
) -> m.Competency:
    base = _slug(skill.label)
    cid, n = base, 2
    while cid in taken:
        cid, n = f"{base}-{n}", n + 1
    names = {c.name.casefold() for c in fw.competencies}
    name = (skill.label[:1].upper() + skill.label[1:])[:200] or cid
    if name.casefold() in names:
        name = f"{name[:190]} (ESCO)"
    step = next((s for s in fw.scale.steps if s.level == level), None)
    meaning = step.meaning if step and step.meaning else (step.label if step else "")
    descriptor = f"{name}: {meaning}" if meaning else name
    transversal = skill.reuse_level == "transversal"
    return m.Competency(
        id=cid,
        name=name,
        category=m.CompetencyCategory.BEHAVIOURAL
        if transversal
        else m.CompetencyCategory.TECHNICAL,
        family_id=None if transversal else family_id,
        description=skill.description[:5000],
        descriptors=[m.Descriptor(level=level, description=descriptor)],
        skills=[m.SkillLink(uri=skill.uri, label=skill.label)],
    )


def draft_role(
    fw: m.Framework,
    role_id: str,
    *,
    family_id: str,
    level_id: str,
    title: str,
    summary: str,
    essential: list[LibrarySkill],
    level: int,
    limit: int = DEFAULT_LIMIT,
) -> Drafted:
    """`fw` with a new role `role_id` requiring, at `level`, a competency for each of the
    occupation's first `limit` essential skills (see the module's order)."""
    covering: dict[str, m.Competency] = {}
    for existing in fw.competencies:
        for link in existing.skills:
            covering.setdefault(link.uri, existing)
    ranked = sorted(essential, key=lambda s: _priority(s, s.uri in covering))
    taken = {c.id for c in fw.competencies}
    chosen: dict[str, DraftedRequirement] = {}
    out = fw
    left_out: list[LibrarySkill] = []
    for skill in ranked:
        comp = covering.get(skill.uri)
        if comp is not None and comp.id in chosen:
            chosen[comp.id].skills.append(skill.uri)  # one competency meets several skills
            continue
        if len(chosen) >= limit:
            left_out.append(skill)
            continue
        if comp is not None:
            chosen[comp.id] = DraftedRequirement(
                comp.id, _described_level(comp, level), [skill.uri], created=False
            )
            continue
        new = _new_competency(out, skill, family_id, level, taken)
        taken.add(new.id)
        out = out.model_copy(update={"competencies": upsert(out.competencies, new)})
        chosen[new.id] = DraftedRequirement(new.id, level, [skill.uri], created=True)
    role = m.Role(
        id=role_id,
        family_id=family_id,
        level_id=level_id,
        title=title,
        summary=summary,
        requirements=[
            m.Requirement(competency_id=r.competency_id, level=r.level) for r in chosen.values()
        ],
    )
    out = out.model_copy(update={"roles": upsert(out.roles, role)})
    return Drafted(out, list(chosen.values()), left_out)

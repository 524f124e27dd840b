"""Editing a draft item by item: each operation takes a framework and returns the changed one.

"put" creates or replaces the item with that id (keeping its place in the
list); "remove" takes it out, or raises `NotFound` naming what was missing.
Operations inside a family, competency or role need that parent to exist. The
integrity rules are checked on the result, by the draft (`FrameworkVersion.edit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from careerstream.frameworks.domain import model as m
from careerstream.servicekit.domain import NotFound

T = TypeVar("T")


def upsert(items: Sequence[T], item: T, key: str = "id") -> list[T]:
    """`items` with `item` in place of the one with its key, or appended."""
    value = getattr(item, key)
    out = [item if getattr(i, key) == value else i for i in items]
    return out if any(getattr(i, key) == value for i in items) else [*items, item]


def remove(items: Sequence[T], value: Any, what: str, key: str = "id") -> list[T]:
    """`items` without the one whose key is `value`; `NotFound` naming `what` when absent."""
    out = [i for i in items if getattr(i, key) != value]
    if len(out) == len(items):
        raise NotFound(f"there is no {what} '{value}'")
    return out


def _family(fw: m.Framework, family_id: str) -> m.Family:
    family = fw.family(family_id)
    if family is None:
        raise NotFound(f"there is no family '{family_id}'; create it first")
    return family


def _competency(fw: m.Framework, competency_id: str) -> m.Competency:
    comp = fw.competency(competency_id)
    if comp is None:
        raise NotFound(f"there is no competency '{competency_id}'; create it first")
    return comp


def _role(fw: m.Framework, role_id: str) -> m.Role:
    role = fw.role(role_id)
    if role is None:
        raise NotFound(f"there is no role '{role_id}'; create it first")
    return role


def _with_family(fw: m.Framework, family: m.Family) -> m.Framework:
    return fw.model_copy(update={"families": upsert(fw.families, family)})


def _with_competency(fw: m.Framework, comp: m.Competency) -> m.Framework:
    return fw.model_copy(update={"competencies": upsert(fw.competencies, comp)})


def _with_role(fw: m.Framework, role: m.Role) -> m.Framework:
    return fw.model_copy(update={"roles": upsert(fw.roles, role)})


def set_scale(fw: m.Framework, scale: m.Scale) -> m.Framework:
    """The proficiency scale replaced."""
    return fw.model_copy(update={"scale": scale})


def put_family(fw: m.Framework, family_id: str, name: str, description: str) -> m.Framework:
    """A job family created, or renamed and redescribed (its tracks and levels kept)."""
    old = fw.family(family_id) or m.Family(id=family_id, name=name)
    return _with_family(fw, old.model_copy(update={"name": name, "description": description}))


def remove_family(fw: m.Framework, family_id: str) -> m.Framework:
    """A job family taken out."""
    return fw.model_copy(update={"families": remove(fw.families, family_id, "family")})


def put_track(fw: m.Framework, family_id: str, track: m.Track) -> m.Framework:
    """A track of a family created or changed."""
    family = _family(fw, family_id)
    return _with_family(fw, family.model_copy(update={"tracks": upsert(family.tracks, track)}))


def remove_track(fw: m.Framework, family_id: str, track_id: str) -> m.Framework:
    """A track of a family taken out."""
    family = _family(fw, family_id)
    tracks = remove(family.tracks, track_id, f"track in family '{family_id}'")
    return _with_family(fw, family.model_copy(update={"tracks": tracks}))


def put_level(fw: m.Framework, family_id: str, level: m.Level) -> m.Framework:
    """A level of a family created or changed."""
    family = _family(fw, family_id)
    return _with_family(fw, family.model_copy(update={"levels": upsert(family.levels, level)}))


def remove_level(fw: m.Framework, family_id: str, level_id: str) -> m.Framework:
    """A level of a family taken out."""
    family = _family(fw, family_id)
    levels = remove(family.levels, level_id, f"level in family '{family_id}'")
    return _with_family(fw, family.model_copy(update={"levels": levels}))


def put_competency(
    fw: m.Framework,
    competency_id: str,
    fields: dict[str, Any],
    descriptors: list[m.Descriptor] | None,
    skills: list[m.SkillLink] | None = None,
) -> m.Framework:
    """A competency created or changed; `descriptors` or `skills` None keeps the existing ones."""
    old = fw.competency(competency_id)
    kept = descriptors if descriptors is not None else (old.descriptors if old else [])
    links = skills if skills is not None else (old.skills if old else [])
    return _with_competency(
        fw, m.Competency(id=competency_id, descriptors=kept, skills=links, **fields)
    )


def remove_competency(fw: m.Framework, competency_id: str) -> m.Framework:
    """A competency taken out."""
    comps = remove(fw.competencies, competency_id, "competency")
    return fw.model_copy(update={"competencies": comps})


def put_descriptor(
    fw: m.Framework, competency_id: str, level: int, description: str
) -> m.Framework:
    """What a competency looks like at a level, set (descriptors stay in level order)."""
    comp = _competency(fw, competency_id)
    desc = m.Descriptor(level=level, description=description)
    ordered = sorted(upsert(comp.descriptors, desc, "level"), key=lambda d: d.level)
    return _with_competency(fw, comp.model_copy(update={"descriptors": ordered}))


def remove_descriptor(fw: m.Framework, competency_id: str, level: int) -> m.Framework:
    """A competency's descriptor at a level taken out."""
    comp = _competency(fw, competency_id)
    kept = remove(comp.descriptors, level, f"descriptor of '{competency_id}' at level", "level")
    return _with_competency(fw, comp.model_copy(update={"descriptors": kept}))


def link_skill(fw: m.Framework, competency_id: str, uri: str) -> m.Framework:
    """A competency covers a skill of the library (a link already there is kept as it is)."""
    comp = _competency(fw, competency_id)
    if any(link.uri == uri for link in comp.skills):
        return fw
    links = [*comp.skills, m.SkillLink(uri=uri)]
    return _with_competency(fw, comp.model_copy(update={"skills": links}))


def unlink_skill(fw: m.Framework, competency_id: str, uri: str) -> m.Framework:
    """A competency stops covering a skill."""
    comp = _competency(fw, competency_id)
    links = remove(comp.skills, uri, f"link of competency '{competency_id}' to skill", "uri")
    return _with_competency(fw, comp.model_copy(update={"skills": links}))


def put_role(
    fw: m.Framework,
    role_id: str,
    fields: dict[str, Any],
    requirements: list[m.Requirement] | None,
) -> m.Framework:
    """A role created or changed; `requirements` None keeps the existing ones."""
    old = fw.role(role_id)
    kept = requirements if requirements is not None else (old.requirements if old else [])
    return _with_role(fw, m.Role(id=role_id, requirements=kept, **fields))


def remove_role(fw: m.Framework, role_id: str) -> m.Framework:
    """A role taken out."""
    return fw.model_copy(update={"roles": remove(fw.roles, role_id, "role")})


def put_requirement(fw: m.Framework, role_id: str, competency_id: str, level: int) -> m.Framework:
    """A role requires a competency at a level."""
    role = _role(fw, role_id)
    req = m.Requirement(competency_id=competency_id, level=level)
    reqs = upsert(role.requirements, req, "competency_id")
    return _with_role(fw, role.model_copy(update={"requirements": reqs}))


def remove_requirement(fw: m.Framework, role_id: str, competency_id: str) -> m.Framework:
    """A role stops requiring a competency."""
    role = _role(fw, role_id)
    reqs = remove(
        role.requirements, competency_id, f"requirement of role '{role_id}' for", "competency_id"
    )
    return _with_role(fw, role.model_copy(update={"requirements": reqs}))


def put_lateral_path(fw: m.Framework, path: m.LateralPath) -> m.Framework:
    """A lateral path created or changed."""
    return fw.model_copy(update={"lateral_paths": upsert(fw.lateral_paths, path)})


def remove_lateral_path(fw: m.Framework, path_id: str) -> m.Framework:
    """A lateral path taken out."""
    paths = remove(fw.lateral_paths, path_id, "lateral path")
    return fw.model_copy(update={"lateral_paths": paths})

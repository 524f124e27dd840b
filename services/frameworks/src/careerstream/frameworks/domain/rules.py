"""The rules a framework must keep, checked all at once; each problem names its item.

Two sets:
- integrity (`validate(fw)`): checked on every edit of a draft, so a draft is
  never inconsistent: duplicate ids or names, references to things that do not
  exist, levels out of order (gaps, two levels at one rank, tracks that share
  levels other than their first ones), descriptors and requirements outside
  the scale, a role requiring a competency without a descriptor for that level, a
  competency linking one skill twice (whether the skills exist in the library is
  checked by the service, which holds the library: `service_layer/links.py`);
- completeness (`validate(fw, publishing=True)`): also checked before
  publication: every family has tracks and levels, every track has levels,
  every role has 4 to 6 core competencies.

Levels are ordered by `rank` on each track. With ranks, an order "with a cycle"
would be two levels claiming the same position, which is refused as such.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from careerstream.frameworks.domain.model import Family, Framework, Role

Loc = tuple[str | int, ...]

MIN_CORE, MAX_CORE = 4, 6


@dataclass(frozen=True)
class Issue:
    loc: Loc
    """Where, as a path into the document: ("roles", 3, "requirements", 1, "level")."""
    message: str
    """What is wrong, naming the item."""

    @property
    def path(self) -> str:
        return format_loc(self.loc)

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


def format_loc(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("["):
            out += part
        else:
            out += f".{part}" if out else part
    return out or "<document>"


class FrameworkInvalid(ValueError):
    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("; ".join(f"{i.path}: {i.message}" for i in issues[:5]))


def _duplicates(values: Iterable[str]) -> set[str]:
    return {v for v, n in Counter(values).items() if n > 1}


def validate(fw: Framework, *, publishing: bool = False) -> list[Issue]:
    issues: list[Issue] = []
    add = issues.append

    # The scale: consecutive steps with distinct labels.
    steps = [s.level for s in fw.scale.steps]
    for i, step in enumerate(fw.scale.steps):
        if i and step.level != fw.scale.steps[i - 1].level + 1:
            add(
                Issue(
                    ("scale", "steps", i, "level"),
                    f"scale step '{step.label}' is level {step.level}; after level "
                    f"{fw.scale.steps[i - 1].level} the next step must be {fw.scale.steps[i - 1].level + 1}",
                )
            )
    for label in _duplicates(s.label.casefold() for s in fw.scale.steps):
        add(Issue(("scale", "steps"), f"two scale steps are labelled '{label}'"))
    low, high = min(steps), max(steps)

    # Families, tracks, levels.
    for dup in _duplicates(f.id for f in fw.families):
        add(Issue(("families",), f"duplicate family id '{dup}'"))
    for dup in _duplicates(f.name.casefold() for f in fw.families):
        add(Issue(("families",), f"duplicate family name '{dup}'"))
    for fi, family in enumerate(fw.families):
        issues += _family_issues(fi, family, publishing)

    # Competencies and descriptors.
    for dup in _duplicates(c.id for c in fw.competencies):
        add(Issue(("competencies",), f"duplicate competency id '{dup}'"))
    for dup in _duplicates(c.name.casefold() for c in fw.competencies):
        add(Issue(("competencies",), f"duplicate competency name '{dup}'"))
    family_ids = {f.id for f in fw.families}
    for ci, comp in enumerate(fw.competencies):
        loc: Loc = ("competencies", ci)
        if comp.family_id is not None and comp.family_id not in family_ids:
            add(
                Issue(
                    (*loc, "family_id"),
                    f"competency '{comp.id}' belongs to family '{comp.family_id}', which does not exist",
                )
            )
        for dup in _duplicates(str(d.level) for d in comp.descriptors):
            add(
                Issue(
                    (*loc, "descriptors"),
                    f"competency '{comp.id}' has two descriptors for level {dup}",
                )
            )
        for dup in _duplicates(link.uri for link in comp.skills):
            add(
                Issue(
                    (*loc, "skills"),
                    f"competency '{comp.id}' links skill {dup} twice",
                )
            )
        for di, desc in enumerate(comp.descriptors):
            if not low <= desc.level <= high:
                add(
                    Issue(
                        (*loc, "descriptors", di, "level"),
                        f"competency '{comp.id}' describes level {desc.level}, outside the scale {low}-{high}",
                    )
                )

    # Roles and requirements.
    for dup in _duplicates(r.id for r in fw.roles):
        add(Issue(("roles",), f"duplicate role id '{dup}'"))
    titles: dict[str, list[str]] = defaultdict(list)
    for role in fw.roles:
        titles[role.family_id].append(role.title.casefold())
    for family_id, names in titles.items():
        for dup in _duplicates(names):
            add(Issue(("roles",), f"two roles of family '{family_id}' are titled '{dup}'"))
    for ri, role in enumerate(fw.roles):
        issues += _role_issues(fw, ri, role, low, high, publishing)

    # Lateral paths.
    for dup in _duplicates(p.id for p in fw.lateral_paths):
        add(Issue(("lateral_paths",), f"duplicate lateral path id '{dup}'"))
    for pi, path in enumerate(fw.lateral_paths):
        loc = ("lateral_paths", pi)
        origin, dest = fw.role(path.from_role_id), fw.role(path.to_role_id)
        if origin is None:
            add(
                Issue(
                    (*loc, "from_role_id"),
                    f"lateral path '{path.id}' starts at role '{path.from_role_id}', which does not exist",
                )
            )
        if dest is None:
            add(
                Issue(
                    (*loc, "to_role_id"),
                    f"lateral path '{path.id}' leads to role '{path.to_role_id}', which does not exist",
                )
            )
        if origin and dest and origin.family_id == dest.family_id:
            add(
                Issue(
                    (*loc, "to_role_id"),
                    f"lateral path '{path.id}' stays in family '{origin.family_id}'; a lateral path "
                    "leads to another family (moves within a family follow its tracks)",
                )
            )
        for i, cid in enumerate(path.carry_over):
            if fw.competency(cid) is None:
                add(
                    Issue(
                        (*loc, "carry_over", i),
                        f"lateral path '{path.id}' carries over '{cid}', which is not a competency",
                    )
                )
        for i, delta in enumerate(path.to_build):
            if fw.competency(delta.competency_id) is None:
                add(
                    Issue(
                        (*loc, "to_build", i, "competency_id"),
                        f"lateral path '{path.id}' builds '{delta.competency_id}', which is not a competency",
                    )
                )
            if delta.to_level > high:
                add(
                    Issue(
                        (*loc, "to_build", i, "to_level"),
                        f"lateral path '{path.id}': level {delta.to_level} is above the scale ({high})",
                    )
                )
    return issues


def _family_issues(fi: int, family: Family, publishing: bool) -> list[Issue]:
    issues: list[Issue] = []
    add = issues.append
    floc: Loc = ("families", fi)
    for dup in _duplicates(t.id for t in family.tracks):
        add(Issue((*floc, "tracks"), f"family '{family.id}' has two tracks with id '{dup}'"))
    for dup in _duplicates(t.name.casefold() for t in family.tracks):
        add(Issue((*floc, "tracks"), f"family '{family.id}' has two tracks named '{dup}'"))
    for dup in _duplicates(lv.id for lv in family.levels):
        add(Issue((*floc, "levels"), f"family '{family.id}' has two levels with id '{dup}'"))
    for dup in _duplicates(lv.name.casefold() for lv in family.levels):
        add(Issue((*floc, "levels"), f"family '{family.id}' has two levels named '{dup}'"))
    track_ids = {t.id for t in family.tracks}
    on_track: dict[str, list[tuple[int, int, str]]] = defaultdict(
        list
    )  # track -> (rank, index, id)
    for li, level in enumerate(family.levels):
        for ti, tid in enumerate(level.track_ids):
            if tid not in track_ids:
                add(
                    Issue(
                        (*floc, "levels", li, "track_ids", ti),
                        f"level '{level.id}' of family '{family.id}' is on track '{tid}', which does not exist",
                    )
                )
            else:
                on_track[tid].append((level.rank, li, level.id))
    for tid, entries in on_track.items():
        ranks = Counter(rank for rank, _, _ in entries)
        for rank, n in sorted(ranks.items()):
            if n > 1:
                names = ", ".join(f"'{lid}'" for r, _, lid in entries if r == rank)
                add(
                    Issue(
                        (*floc, "levels"),
                        f"track '{tid}' of family '{family.id}' has {names} all at rank {rank}: "
                        "the order of its levels is ambiguous",
                    )
                )
        top = max(ranks)
        missing = [r for r in range(1, top + 1) if r not in ranks]
        if missing:
            add(
                Issue(
                    (*floc, "levels"),
                    f"track '{tid}' of family '{family.id}' has a gap: no level at rank "
                    f"{', '.join(map(str, missing))} (ranks go 1, 2, 3, ... without gaps)",
                )
            )
    # Tracks share only their first levels: below a shared level, everything is shared too.
    for li, level in enumerate(family.levels):
        shared = [t for t in level.track_ids if t in track_ids]
        if len(shared) < 2:
            continue
        for other in family.levels:
            below = other.rank < level.rank and any(t in other.track_ids for t in shared)
            if below and not all(t in other.track_ids for t in shared):
                add(
                    Issue(
                        (*floc, "levels", li, "track_ids"),
                        f"level '{level.id}' is shared by tracks {', '.join(shared)} but level "
                        f"'{other.id}' below it is not: tracks share their first levels, then branch",
                    )
                )
                break
    if publishing:
        if not family.tracks:
            add(Issue((*floc, "tracks"), f"family '{family.id}' has no tracks"))
        for ti, track in enumerate(family.tracks):
            if track.id not in on_track:
                add(
                    Issue(
                        (*floc, "tracks", ti),
                        f"track '{track.id}' of family '{family.id}' has no levels",
                    )
                )
    return issues


def _role_issues(
    fw: Framework, ri: int, role: Role, low: int, high: int, publishing: bool
) -> list[Issue]:
    issues: list[Issue] = []
    add = issues.append
    loc: Loc = ("roles", ri)
    family = fw.family(role.family_id)
    if family is None:
        add(
            Issue(
                (*loc, "family_id"),
                f"role '{role.id}' is in family '{role.family_id}', which does not exist",
            )
        )
    elif fw.level_of(role) is None:
        add(
            Issue(
                (*loc, "level_id"),
                f"role '{role.id}' is at level '{role.level_id}', which family '{family.id}' does not have",
            )
        )
    for dup in _duplicates(r.competency_id for r in role.requirements):
        add(Issue((*loc, "requirements"), f"role '{role.id}' requires '{dup}' twice"))
    for qi, req in enumerate(role.requirements):
        qloc: Loc = (*loc, "requirements", qi)
        comp = fw.competency(req.competency_id)
        if comp is None:
            add(
                Issue(
                    (*qloc, "competency_id"),
                    f"role '{role.id}' requires '{req.competency_id}', which is not a competency",
                )
            )
            continue
        if comp.family_id is not None and comp.family_id != role.family_id:
            add(
                Issue(
                    (*qloc, "competency_id"),
                    f"role '{role.id}' of family '{role.family_id}' requires '{comp.id}', which is "
                    f"specific to family '{comp.family_id}'",
                )
            )
        if req.level > high or req.level < low:
            add(
                Issue(
                    (*qloc, "level"),
                    f"role '{role.id}' requires '{comp.id}' at level {req.level}, outside the scale {low}-{high}",
                )
            )
        elif req.level not in {d.level for d in comp.descriptors}:
            add(
                Issue(
                    (*qloc, "level"),
                    f"role '{role.id}' requires '{comp.id}' at level {req.level}, but '{comp.id}' has "
                    f"no descriptor for level {req.level}: say what success looks like there first",
                )
            )
    if publishing and not MIN_CORE <= len(role.requirements) <= MAX_CORE:
        add(
            Issue(
                (*loc, "requirements"),
                f"role '{role.id}' has {len(role.requirements)} core competencies; a role has "
                f"{MIN_CORE} to {MAX_CORE}",
            )
        )
    return issues


def check(fw: Framework, *, publishing: bool = False) -> None:
    """Raise FrameworkInvalid with every issue, if there is any."""
    issues = validate(fw, publishing=publishing)
    if issues:
        raise FrameworkInvalid(issues)

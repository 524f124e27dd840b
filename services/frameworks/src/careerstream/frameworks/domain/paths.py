"""Career paths: from a role, the next steps and what must grow; a family's path graph.

Next steps from a role at rank r of family F:
- **vertical**: on each track the role's level is on, the roles at rank r+1 of that
  track. Where tracks branch (a level shared by the IC and management tracks),
  each branch is a separate step.
- **track switch**: on the other tracks of F that the level is not on, the roles at
  rank r (a move across, e.g. Senior Engineer to Team Lead) and at rank r+1.
- **lateral**: the framework's lateral paths from the role, to other families.

Each step carries the competency deltas: for each competency the destination
requires, the level required now (0 if the origin does not require it), the
level required there and the growth (`to - from`, never negative); plus what
carries over (required by both, at a level the origin already meets).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from careerstream.frameworks.domain.model import Delta, Framework, LateralPath, Level, Role


class StepKind(StrEnum):
    VERTICAL = "vertical"
    TRACK_SWITCH = "track_switch"
    LATERAL = "lateral"


@dataclass(frozen=True)
class Growth:
    competency_id: str
    from_level: int
    to_level: int

    @property
    def gap(self) -> int:
        return max(0, self.to_level - self.from_level)


@dataclass(frozen=True)
class Step:
    kind: StepKind
    to_role_id: str
    to_title: str
    to_family_id: str
    to_level_id: str
    track_id: str | None
    via: str = ""
    grow: list[Growth] = field(default_factory=list)
    """Competencies the destination requires above what the origin requires."""
    carry_over: list[str] = field(default_factory=list)
    """Competencies the destination requires at a level the origin already requires."""

    @property
    def total_growth(self) -> int:
        return sum(g.gap for g in self.grow)


def deltas(origin: Role, dest: Role) -> tuple[list[Growth], list[str]]:
    have = {r.competency_id: r.level for r in origin.requirements}
    grow: list[Growth] = []
    carry: list[str] = []
    for req in dest.requirements:
        now = have.get(req.competency_id, 0)
        if req.level > now:
            grow.append(Growth(req.competency_id, now, req.level))
        else:
            carry.append(req.competency_id)
    return grow, carry


def _step(kind: StepKind, origin: Role, dest: Role, track: str | None, via: str = "") -> Step:
    grow, carry = deltas(origin, dest)
    return Step(kind, dest.id, dest.title, dest.family_id, dest.level_id, track, via, grow, carry)


def next_steps(fw: Framework, role_id: str) -> list[Step]:
    origin = fw.role(role_id)
    if origin is None:
        raise KeyError(role_id)
    family = fw.family(origin.family_id)
    level = fw.level_of(origin)
    steps: list[Step] = []
    if family is not None and level is not None:
        roles_at: dict[str, list[Role]] = {}
        for r in fw.roles:
            if r.family_id == family.id:
                roles_at.setdefault(r.level_id, []).append(r)

        def levels(track: str, rank: int) -> list[Level]:
            return [lv for lv in family.levels if track in lv.track_ids and lv.rank == rank]

        seen: set[str] = set()
        for track in level.track_ids:
            for lv in levels(track, level.rank + 1):
                for dest in roles_at.get(lv.id, []):
                    if dest.id not in seen:
                        seen.add(dest.id)
                        steps.append(_step(StepKind.VERTICAL, origin, dest, track))
        for other in family.tracks:
            if other.id in level.track_ids:
                continue
            for rank in (level.rank, level.rank + 1):
                for lv in levels(other.id, rank):
                    for dest in roles_at.get(lv.id, []):
                        if dest.id not in seen:
                            seen.add(dest.id)
                            steps.append(_step(StepKind.TRACK_SWITCH, origin, dest, other.id))
    for path in fw.lateral_paths:
        if path.from_role_id == role_id:
            target = fw.role(path.to_role_id)
            if target is not None:
                steps.append(_step(StepKind.LATERAL, origin, target, None, path.via))
    return steps


@dataclass(frozen=True)
class Node:
    role_id: str
    title: str
    level_id: str
    rank: int
    track_ids: list[str]


@dataclass(frozen=True)
class Edge:
    from_role_id: str
    to_role_id: str
    kind: StepKind
    track_id: str | None
    total_growth: int
    to_family_id: str


def family_graph(fw: Framework, family_id: str) -> tuple[list[Node], list[Edge]]:
    """Every role of the family as a node; every next step from them as an edge (lateral ones may leave the family)."""
    family = fw.family(family_id)
    if family is None:
        raise KeyError(family_id)
    nodes: list[Node] = []
    edges: list[Edge] = []
    for role in fw.roles:
        if role.family_id != family_id:
            continue
        level = fw.level_of(role)
        if level is None:
            continue
        nodes.append(Node(role.id, role.title, level.id, level.rank, list(level.track_ids)))
        for s in next_steps(fw, role.id):
            edges.append(
                Edge(role.id, s.to_role_id, s.kind, s.track_id, s.total_growth, s.to_family_id)
            )
    nodes.sort(key=lambda n: (n.rank, n.role_id))
    return nodes, edges


def complete_lateral_path(fw: Framework, path: LateralPath) -> LateralPath:
    """Fill in `carry_over` and `to_build` from the roles' requirements when they are omitted."""
    if path.carry_over or path.to_build:
        return path
    origin, dest = fw.role(path.from_role_id), fw.role(path.to_role_id)
    if origin is None or dest is None:
        return path
    grow, carry = deltas(origin, dest)
    return path.model_copy(
        update={
            "carry_over": carry,
            "to_build": [
                Delta(competency_id=g.competency_id, from_level=g.from_level, to_level=g.to_level)
                for g in grow
            ],
        }
    )

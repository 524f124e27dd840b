"""Competency-based matching: deterministic, explainable, blind to protected attributes.

A person's profile holds only what the matching may use: their assessed
competency levels, their current role (family, rank), their aspirations and
whether they are active. Degrees, demographics and the HRIS group attributes
are never in it.

For an opportunity requiring competencies c with levels r_c:

    credit_c    = min(level_c / r_c, 1)        partial credit; unassessed = 0
    fit         = sum(r_c * credit_c) / sum(r_c)   harder requirements weigh more
    readiness   = share of the requirements fully met (level_c >= r_c)
    aspiration  = 1.0 the person aims for this role
                  0.7 they aim for this job family
                  0.5 a project, gig, rotation or mentorship, and they are open to projects
                  0   otherwise
    move        = 1.0 for a promotion or a lateral move (lateral moves count as
                  much as promotions), 0.5 for a step down, 0.75 when unknown;
                  1.0 for opportunities that are not roles

    location    = 1.0 the opportunity is remote or names no place, the person works
                  there, their place is unknown, or they are willing to relocate
                  0.5 they work elsewhere and have not said they would relocate

    score = (0.65 fit + 0.15 readiness + 0.15 aspiration + 0.05 move) x location

Places compare without regard to case, accents or spacing ("São Paulo" is "sao
paulo"). The location is a factor, not a fifth term: where no move is needed
every score is what the four terms make it, and someone who would have to
move is still found, ranked below those who would not.

Ties are broken by employee id. Every score comes with its explanation: the
contribution of each competency, what is missing, and the other three terms.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import numpy.typing as npt

_NONE: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
WEIGHTS = {"fit": 0.65, "readiness": 0.15, "aspiration": 0.15, "move": 0.05}
PROJECT_KINDS = {"project", "gig", "rotation", "mentorship"}
RELOCATION = 0.5
"""The location factor of someone who works elsewhere and has not said they would relocate."""


def place(location: str | None) -> str:
    """A place as compared: case, accents and spacing left out ('' when there is none)."""
    if not location:
        return ""
    decomposed = unicodedata.normalize("NFKD", location)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


class MoveKind(StrEnum):
    PROMOTION = "promotion"
    LATERAL = "lateral"
    OTHER = "other"


@dataclass(frozen=True)
class RoleInfo:
    role_id: str
    family_id: str
    rank: int


def move_kind(origin: RoleInfo | None, target: RoleInfo | None) -> MoveKind:
    """Promotion: up a level in the same family. Lateral: the same level, or another
    family. Other: a step down, or when either role is unknown."""
    if origin is None or target is None:
        return MoveKind.OTHER
    if origin.family_id != target.family_id:
        return MoveKind.LATERAL
    if target.rank > origin.rank:
        return MoveKind.PROMOTION
    if target.rank == origin.rank:
        return MoveKind.LATERAL
    return MoveKind.OTHER


@dataclass(frozen=True)
class Profile:
    employee_id: str
    active: bool
    role: RoleInfo | None
    levels: Mapping[str, int]
    target_roles: frozenset[str] = frozenset()
    target_families: frozenset[str] = frozenset()
    open_to_projects: bool = False
    location: str | None = None
    willing_to_relocate: bool = False


@dataclass(frozen=True)
class Target:
    """What the matching needs of an opportunity."""

    opportunity_id: str
    kind: str
    required: Mapping[str, int]
    role: RoleInfo | None = None
    family_id: str | None = None
    location: str | None = None
    remote: bool = False

    @property
    def onsite(self) -> str:
        """The place someone must work from ('' when anywhere will do)."""
        return "" if self.remote else place(self.location)


@dataclass(frozen=True)
class Contribution:
    competency_id: str
    required: int
    level: int
    credit: float
    contribution: float
    """Points of the score this competency brings."""
    missing: int
    """Levels short of the requirement (0 when met)."""


@dataclass(frozen=True)
class Match:
    employee_id: str
    score: float
    fit: float
    readiness: float
    aspiration: float
    aspiration_reason: str
    move: float
    move_kind: MoveKind | None
    competencies: list[Contribution] = field(default_factory=list)
    location: float = 1.0
    location_reason: str = "no location needed"


def _aspiration(p: Profile, t: Target) -> tuple[float, str]:
    if t.role is not None and t.role.role_id in p.target_roles:
        return 1.0, "aims for this role"
    family = t.role.family_id if t.role else t.family_id
    if family is not None and family in p.target_families:
        return 0.7, "aims for this job family"
    if t.kind in PROJECT_KINDS and p.open_to_projects:
        return 0.5, "open to projects"
    return 0.0, "no stated aspiration"


def _location(p: Profile, t: Target) -> tuple[float, str]:
    onsite = t.onsite
    if not onsite:
        return 1.0, "remote" if t.remote else "no location needed"
    here = place(p.location)
    if not here:
        return 1.0, "location unknown"
    if here == onsite:
        return 1.0, "works there"
    if p.willing_to_relocate:
        return 1.0, "willing to relocate"
    return RELOCATION, "works elsewhere and has not said they would relocate"


def _move(p: Profile, t: Target) -> tuple[float, MoveKind | None]:
    if t.kind != "role" or t.role is None:
        return 1.0, None
    if p.role is None:
        return 0.75, MoveKind.OTHER
    kind = move_kind(p.role, t.role)
    return (0.5 if kind is MoveKind.OTHER else 1.0), kind


def explain(p: Profile, t: Target) -> Match:
    """The score of one person for one opportunity, with every term shown (the reference formula)."""
    total = sum(t.required.values()) or 1
    contributions = []
    fit = 0.0
    met = 0
    for c, r in sorted(t.required.items()):
        level = p.levels.get(c, 0)
        credit = min(level / r, 1.0) if r > 0 else 1.0
        fit += r * credit / total
        met += level >= r
        contributions.append(
            Contribution(
                c,
                r,
                level,
                round(credit, 4),
                round(WEIGHTS["fit"] * r * credit / total, 4),
                max(0, r - level),
            )
        )
    readiness = met / len(t.required) if t.required else 1.0
    aspiration, reason = _aspiration(p, t)
    move, kind = _move(p, t)
    location, where = _location(p, t)
    score = (
        WEIGHTS["fit"] * fit
        + WEIGHTS["readiness"] * readiness
        + WEIGHTS["aspiration"] * aspiration
        + WEIGHTS["move"] * move
    ) * location
    return Match(
        p.employee_id,
        round(score, 4),
        round(fit, 4),
        round(readiness, 4),
        aspiration,
        reason,
        move,
        kind,
        contributions,
        location,
        where,
    )


def best_for(p: Profile, targets: Sequence[Target], limit: int) -> list[tuple[int, Match]]:
    """The `limit` targets that fit one person best, as (position in `targets`, explained
    match), best first, ties by opportunity id: what sorting `explain(p, t)` of every target
    gives, with the terms computed for all targets at once and only the best explained."""
    n = len(targets)
    if n == 0 or limit <= 0:
        return []
    owner: list[int] = []
    required: list[float] = []
    have: list[float] = []
    for i, t in enumerate(targets):
        for c, r in t.required.items():
            owner.append(i)
            required.append(r)
            have.append(p.levels.get(c, 0))
    o = np.array(owner, dtype=np.int64)
    r_ = np.array(required, dtype=np.float64)
    h = np.array(have, dtype=np.float64)
    positive = r_ > 0
    credit = np.where(positive, np.minimum(h / np.where(positive, r_, 1.0), 1.0), 1.0)
    total = np.bincount(o, weights=r_, minlength=n)
    fit = np.bincount(o, weights=r_ * credit, minlength=n) / np.where(total == 0, 1.0, total)
    counts = np.bincount(o, minlength=n)
    met = np.bincount(o, weights=(h >= r_).astype(np.float64), minlength=n)
    readiness = np.where(counts == 0, 1.0, met / np.maximum(counts, 1))
    rest = np.array(
        [
            WEIGHTS["aspiration"] * _aspiration(p, t)[0] + WEIGHTS["move"] * _move(p, t)[0]
            for t in targets
        ]
    )
    factor = np.array([_location(p, t)[0] for t in targets])
    score = (WEIGHTS["fit"] * fit + WEIGHTS["readiness"] * readiness + rest) * factor
    k = min(limit, n)
    # The best k by these scores, and anything within rounding of the k-th: explained
    # exactly, then ordered as the reference orders them.
    kth = np.partition(score, n - k)[n - k]
    chosen = np.nonzero(score >= kth - 1e-6)[0]
    explained = [(int(i), explain(p, targets[int(i)])) for i in chosen]
    explained.sort(key=lambda pair: (-pair[1].score, targets[pair[0]].opportunity_id))
    return explained[:k]


class ProfileIndex:
    """All profiles of one tenant as arrays, for ranking everyone against an opportunity at once.

    Levels are a float32 matrix (people x competencies); aspirations are
    inverted lists (role or family -> row numbers). Memory is about
    4 bytes x people x competencies plus the ids (see bench/RESULTS.md).
    """

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.ids: list[str] = []
        self.columns: dict[str, int] = {}
        self.levels: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self.active: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self.rank: npt.NDArray[np.int16] = np.zeros(0, dtype=np.int16)
        self.family: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self.role: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self.open_to_projects: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self.place: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        """Where each person works (a code of `place(location)`; 0 unknown)."""
        self.relocate: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self.codes: dict[str, int] = {"": 0}
        self.names: list[str] = [""]
        self.by_target_role: dict[str, set[int]] = {}
        self.by_target_family: dict[str, set[int]] = {}
        self.aspirations: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        """Only the rows that state any aspiration (most people do not)."""
        self._order: npt.NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def nbytes(self) -> int:
        arrays = (
            self.levels,
            self.active,
            self.rank,
            self.family,
            self.role,
            self.open_to_projects,
            self.place,
            self.relocate,
        )
        return int(sum(a.nbytes for a in arrays))

    def _code(self, value: str | None) -> int:
        if not value:
            return 0
        code = self.codes.get(value)
        if code is None:
            code = self.codes[value] = len(self.names)
            self.names.append(value)
        return code

    def _grow(self, rows: int, cols: int) -> None:
        r0, c0 = self.levels.shape
        if rows <= r0 and cols <= c0:
            return
        new_r = max(rows, r0 * 2 if rows > r0 else r0, 16)
        new_c = max(cols, c0 + 8 if cols > c0 else c0)
        levels = np.zeros((new_r, new_c), dtype=np.float32)
        levels[:r0, :c0] = self.levels
        self.levels = levels
        if new_r > r0:
            extra = new_r - r0
            self.active = np.concatenate([self.active, np.zeros(extra, dtype=bool)])
            self.rank = np.concatenate([self.rank, np.full(extra, -1, dtype=np.int16)])
            self.family = np.concatenate([self.family, np.zeros(extra, dtype=np.int32)])
            self.role = np.concatenate([self.role, np.zeros(extra, dtype=np.int32)])
            self.open_to_projects = np.concatenate(
                [self.open_to_projects, np.zeros(extra, dtype=bool)]
            )
            self.place = np.concatenate([self.place, np.zeros(extra, dtype=np.int32)])
            self.relocate = np.concatenate([self.relocate, np.zeros(extra, dtype=bool)])

    def upsert(self, p: Profile) -> None:
        row = self.rows.get(p.employee_id)
        if row is None:
            row = len(self.ids)
            self.rows[p.employee_id] = row
            self.ids.append(p.employee_id)
            self._order = None
        else:
            old_roles, old_families = self.aspirations.get(row, _NONE)
            for r in old_roles:
                self.by_target_role.get(r, set()).discard(row)
            for f in old_families:
                self.by_target_family.get(f, set()).discard(row)
        for c in p.levels:
            self.columns.setdefault(c, len(self.columns))
        self._grow(row + 1, len(self.columns))
        self.levels[row, :] = 0
        for c, lv in p.levels.items():
            self.levels[row, self.columns[c]] = lv
        self.active[row] = p.active
        self.rank[row] = p.role.rank if p.role else -1
        self.family[row] = self._code(p.role.family_id if p.role else None)
        self.role[row] = self._code(p.role.role_id if p.role else None)
        self.open_to_projects[row] = p.open_to_projects
        self.place[row] = self._code(place(p.location))
        self.relocate[row] = p.willing_to_relocate
        for r in p.target_roles:
            self.by_target_role.setdefault(r, set()).add(row)
        for f in p.target_families:
            self.by_target_family.setdefault(f, set()).add(row)
        if p.target_roles or p.target_families:
            self.aspirations[row] = (p.target_roles, p.target_families)
        else:
            self.aspirations.pop(row, None)

    @classmethod
    def bulk(
        cls,
        ids: list[str],
        columns: list[str],
        levels: npt.NDArray[np.float32],
        active: list[bool],
        roles: list[RoleInfo | None],
        aspirations: list[tuple[frozenset[str], frozenset[str]]],
        open_to_projects: list[bool],
        locations: list[str | None] | None = None,
        willing_to_relocate: list[bool] | None = None,
    ) -> ProfileIndex:
        """Build the index of a whole tenant at once (what `upsert` would give, faster)."""
        index = cls()
        n = len(ids)
        index.ids = list(ids)
        index.rows = {e: i for i, e in enumerate(ids)}
        index.columns = {c: i for i, c in enumerate(columns)}
        index.levels = np.ascontiguousarray(levels, dtype=np.float32).reshape(n, len(columns))
        index.active = np.array(active, dtype=bool)
        index.rank = np.array([r.rank if r else -1 for r in roles], dtype=np.int16)
        index.family = np.array(
            [index._code(r.family_id) if r else 0 for r in roles], dtype=np.int32
        )
        index.role = np.array([index._code(r.role_id) if r else 0 for r in roles], dtype=np.int32)
        index.open_to_projects = np.array(open_to_projects, dtype=bool)
        index.place = np.array(
            [index._code(place(x)) for x in (locations or [None] * n)], dtype=np.int32
        )
        index.relocate = np.array(willing_to_relocate or [False] * n, dtype=bool)
        for row, (target_roles, target_families) in enumerate(aspirations):
            if not (target_roles or target_families):
                continue
            index.aspirations[row] = (target_roles, target_families)
            for r in target_roles:
                index.by_target_role.setdefault(r, set()).add(row)
            for f in target_families:
                index.by_target_family.setdefault(f, set()).add(row)
        return index

    def profile(self, row: int, required: Iterable[str] = ()) -> Profile:
        """A person's profile back from the arrays (levels of `required` competencies only)."""
        role_code = int(self.role[row])
        role = None
        if role_code:
            role = RoleInfo(
                self.names[role_code], self.names[int(self.family[row])], int(self.rank[row])
            )
        levels = {}
        for c in required:
            col = self.columns.get(c)
            if col is not None and self.levels[row, col] > 0:
                levels[c] = int(self.levels[row, col])
        target_roles, target_families = self.aspirations.get(row, _NONE)
        return Profile(
            self.ids[row],
            bool(self.active[row]),
            role,
            levels,
            target_roles,
            target_families,
            bool(self.open_to_projects[row]),
            self.names[int(self.place[row])] or None,
            bool(self.relocate[row]),
        )

    def _id_order(self) -> npt.NDArray[np.int64]:
        if self._order is None or len(self._order) != len(self.ids):
            order = np.argsort(np.array(self.ids, dtype=object), kind="stable")
            ranks = np.empty(len(self.ids), dtype=np.int64)
            ranks[order] = np.arange(len(self.ids))
            self._order = ranks
        return self._order

    def mask(self, employee_ids: Iterable[str]) -> npt.NDArray[np.bool_]:
        """A row mask of these people (those not in the index are left out)."""
        out = np.zeros(len(self.ids), dtype=bool)
        rows = [r for r in map(self.rows.get, employee_ids) if r is not None]
        out[rows] = True
        return out

    def top(
        self,
        t: Target,
        limit: int,
        exclude: Iterable[str] = (),
        *,
        among: npt.NDArray[np.bool_] | None = None,
        private: npt.NDArray[np.bool_] | None = None,
    ) -> list[Match]:
        """The `limit` best candidates, best first, each explained.

        `among`: only these rows may be found (None: everyone). `private`: rows whose
        aspirations the asker may not see, so they neither rank nor explain them.
        """
        n = len(self.ids)
        if n == 0:
            return []
        total = float(sum(t.required.values())) or 1.0
        fit = np.zeros(n, dtype=np.float64)
        met = np.zeros(n, dtype=np.float64)
        for c, r in t.required.items():
            col = self.columns.get(c)
            if col is None or r <= 0:
                met += 1.0 if r <= 0 else 0.0
                fit += (r / total) if r <= 0 else 0.0
                continue
            have = self.levels[:n, col]
            fit += (r / total) * np.minimum(have / r, 1.0)
            met += have >= r
        readiness = met / len(t.required) if t.required else np.ones(n, dtype=np.float64)
        aspiration = np.zeros(n, dtype=np.float64)
        if t.kind in PROJECT_KINDS:
            aspiration[self.open_to_projects[:n]] = 0.5
        family = t.role.family_id if t.role else t.family_id
        if family is not None:
            rows = list(self.by_target_family.get(family, ()))
            aspiration[rows] = 0.7
        if t.role is not None:
            rows = list(self.by_target_role.get(t.role.role_id, ()))
            aspiration[rows] = 1.0
        if private is not None:
            aspiration[private[:n]] = 0.0
        if t.kind == "role" and t.role is not None:
            same = self.family[:n] == self.codes.get(t.role.family_id, -1)
            down = same & (self.rank[:n] > t.role.rank)
            move = np.where(self.rank[:n] < 0, 0.75, np.where(down, 0.5, 1.0))
        else:
            move = np.ones(n, dtype=np.float64)
        score = (
            WEIGHTS["fit"] * fit
            + WEIGHTS["readiness"] * readiness
            + WEIGHTS["aspiration"] * aspiration
            + WEIGHTS["move"] * move
        )
        onsite = t.onsite
        if onsite:
            willing = self.relocate[:n]
            if private is not None:
                willing = willing & ~private[:n]  # what the asker may not see does not count
            here = self.place[:n]
            away = (here != 0) & (here != self.codes.get(onsite, -1)) & ~willing
            score = np.where(away, score * RELOCATION, score)
        score = np.round(score, 4)
        score[~self.active[:n]] = -1.0
        if t.role is not None:
            score[self.role[:n] == self.codes.get(t.role.role_id, -1)] = -1.0  # already in the role
        for e in exclude:
            row = self.rows.get(e)
            if row is not None:
                score[row] = -1.0
        if among is not None:
            score[~among[:n]] = -1.0
        k = min(limit, n)
        if k <= 0:
            return []
        threshold = np.partition(score, n - k)[n - k]
        candidates = np.nonzero(score >= threshold)[0]
        candidates = candidates[score[candidates] >= 0]
        order = np.lexsort((self._id_order()[candidates], -score[candidates]))
        chosen = candidates[order][:k]
        out = []
        for i in chosen:
            p = self.profile(int(i), t.required)
            if private is not None and private[i]:
                p = replace(p, target_roles=frozenset(), target_families=frozenset())
                p = replace(p, open_to_projects=False, willing_to_relocate=False)
            out.append(explain(p, t))
        return out

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

An opportunity may require skills of the skills library (ESCO) as well as
competencies, each by its URI. A person's level in a skill is their highest level
in the competencies that cover it (the frameworks link competencies to skills), so
one assessment serves both; a skill no competency covers counts as unassessed.

Ties are broken by employee id. Every score comes with its explanation: the
contribution of each competency and skill, what is missing, and the other three
terms.
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
LEVEL_MAX = 255
"""Levels are kept in a byte; proficiency scales are far shorter."""
"""The location factor of someone who works elsewhere and has not said they would relocate."""


def is_skill(key: str) -> bool:
    """A requirement names a skill of the library by URI, a competency by its id (a slug)."""
    return "://" in key


def level_in(levels: Mapping[str, int], sources: Iterable[str]) -> int:
    """A person's level for a requirement read from `sources` (the highest; 0 when none)."""
    return max((levels.get(c, 0) for c in sources), default=0)


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
    covers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """For each required skill (by URI): the competencies whose levels count for it."""

    def sources(self, key: str) -> tuple[str, ...]:
        """What a requirement is read from: a competency itself, or a skill's competencies."""
        if is_skill(key):
            return self.covers.get(key, ())
        return (key,)

    def needed(self) -> set[str]:
        """Every competency a score of this target reads."""
        return {c for key in self.required for c in self.sources(key)}

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
    covered_by: tuple[str, ...] = ()
    """For a skill: the competencies whose levels count for it."""


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
        level = level_in(p.levels, t.sources(c))
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
                t.sources(c) if is_skill(c) else (),
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
            have.append(level_in(p.levels, t.sources(c)))
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


def _score(
    credited: npt.NDArray[np.int64],
    met: npt.NDArray[np.int64],
    aspiration: npt.NDArray[np.int64],
    move: npt.NDArray[np.int64],
    away: npt.NDArray[np.int64],
    fixed: int,
    total: int,
    requirements: int,
) -> npt.NDArray[np.float64]:
    """The reference formula over the integers a score depends on (see `ProfileIndex._terms`)."""
    fit = (credited + fixed) / total
    readiness = met / requirements if requirements else np.ones(len(met))
    score = (
        WEIGHTS["fit"] * fit
        + WEIGHTS["readiness"] * readiness
        + WEIGHTS["aspiration"] * _ASPIRATION[aspiration]
        + WEIGHTS["move"] * _MOVE[move]
    ) * _LOCATION[away]
    rounded: npt.NDArray[np.float64] = np.round(score, 4)
    return rounded


_ASPIRATION = np.array([0.0, 0.5, 0.7, 1.0])
_MOVE = np.array([1.0, 0.75, 0.5])
_LOCATION = np.array([1.0, RELOCATION])
TABLE_MAX = 1 << 22
"""The most score combinations tabulated; beyond, each person is scored on their own."""


class ProfileIndex:
    """All profiles of one tenant as arrays, for ranking everyone against an opportunity at once.

    Levels are a uint8 matrix stored by competency (competencies x people), so the column
    an opportunity requires is one contiguous run of bytes; aspirations are inverted lists
    (role or family -> row numbers), each person's pair of sets shared with everyone who
    states the same. Memory is about 1 byte x people x competencies plus the ids (see
    bench/RESULTS.md).

    Ranking (`top`) reduces each person to the few integers the score depends on (levels
    credited, requirements met, which aspiration, which move, whether they would have to
    move), scores each distinct combination once with the reference formula, and counts
    people per combination: the work per person is a handful of byte and integer passes.
    """

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.ids: list[str] = []
        self.columns: dict[str, int] = {}
        self.levels: npt.NDArray[np.uint8] = np.zeros((0, 0), dtype=np.uint8)
        """Competencies x people (row = competency column, column = person row)."""
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
        self._shared: dict[
            tuple[frozenset[str], frozenset[str]], tuple[frozenset[str], frozenset[str]]
        ] = {}
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

    def _intern(
        self, pair: tuple[frozenset[str], frozenset[str]]
    ) -> tuple[frozenset[str], frozenset[str]]:
        """One object per distinct pair of aspirations (a million people state a few dozen)."""
        return self._shared.setdefault(pair, pair)

    def _grow(self, rows: int, cols: int) -> None:
        c0, r0 = self.levels.shape
        if rows <= r0 and cols <= c0:
            return
        new_r = max(rows, r0 * 2 if rows > r0 else r0, 16)
        new_c = max(cols, c0 + 8 if cols > c0 else c0)
        levels = np.zeros((new_c, new_r), dtype=np.uint8)
        levels[:c0, :r0] = self.levels
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
        self.levels[:, row] = 0
        for c, lv in p.levels.items():
            self.levels[self.columns[c], row] = min(max(lv, 0), LEVEL_MAX)
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
            self.aspirations[row] = self._intern((p.target_roles, p.target_families))
        else:
            self.aspirations.pop(row, None)

    @classmethod
    def bulk(
        cls,
        ids: list[str],
        columns: list[str],
        levels: npt.ArrayLike,
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
        by_person = np.asarray(levels).reshape(n, len(columns))
        index.levels = np.ascontiguousarray(np.clip(by_person, 0, LEVEL_MAX).astype(np.uint8).T)
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
            index.aspirations[row] = index._intern((target_roles, target_families))
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
            if col is not None and self.levels[col, row] > 0:
                levels[c] = int(self.levels[col, row])
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

    def _terms(
        self, t: Target, private: npt.NDArray[np.bool_] | None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """Each person's combination of the integers the score depends on (a key), and the
        score of every possible key (the reference formula, rounded as `explain` rounds)."""
        n = len(self.ids)
        required = list(t.required.items())
        total = sum(r for _c, r in required) or 1
        credited = np.zeros(n, dtype=np.int64)  # sum over requirements of min(level, required)
        met = np.zeros(n, dtype=np.int64)
        fixed = 0  # what requirements of 0 or less bring everyone alike
        for c, r in required:
            if r <= 0:
                fixed += r
                met += 1
                continue
            cols = [self.columns[x] for x in t.sources(c) if x in self.columns]
            if not cols:
                continue  # nobody has it: no credit, not met
            have = self.levels[cols[0], :n] if len(cols) == 1 else self.levels[cols, :n].max(0)
            credited += np.minimum(have, min(r, LEVEL_MAX))
            met += have >= r
        aspiration = np.zeros(n, dtype=np.int64)  # 0 none, 1 projects, 2 family, 3 role
        if t.kind in PROJECT_KINDS:
            aspiration[self.open_to_projects[:n]] = 1
        family = t.role.family_id if t.role else t.family_id
        if family is not None:
            aspiration[list(self.by_target_family.get(family, ()))] = 2
        if t.role is not None:
            aspiration[list(self.by_target_role.get(t.role.role_id, ()))] = 3
        if private is not None:
            aspiration[private[:n]] = 0
        move = np.zeros(n, dtype=np.int64)  # 0 -> 1.0, 1 -> 0.75 (no role), 2 -> 0.5 (down)
        if t.kind == "role" and t.role is not None:
            same = self.family[:n] == self.codes.get(t.role.family_id, -1)
            move[same & (self.rank[:n] > t.role.rank)] = 2
            move[self.rank[:n] < 0] = 1
        away = np.zeros(n, dtype=np.int64)
        onsite = t.onsite
        if onsite:
            willing = self.relocate[:n]
            if private is not None:
                willing = willing & ~private[:n]  # what the asker may not see does not count
            here = self.place[:n]
            away[(here != 0) & (here != self.codes.get(onsite, -1)) & ~willing] = 1
        levels_span = sum(min(r, LEVEL_MAX) for _c, r in required if r > 0) + 1
        met_span = len(required) + 1
        size = levels_span * met_span * 24
        if size > TABLE_MAX:  # absurdly many requirements: score each person instead
            table, key = np.unique(
                _score(credited, met, aspiration, move, away, fixed, total, len(required)),
                return_inverse=True,
            )
            return key.astype(np.int64), table
        key = (((credited * met_span + met) * 4 + aspiration) * 3 + move) * 2 + away
        # Every key's score, as `explain` computes it for a person with those integers.
        k = np.arange(size, dtype=np.int64)
        k_away, k = k % 2, k // 2
        k_move, k = k % 3, k // 3
        k_asp, k = k % 4, k // 4
        k_met, k_credit = k % met_span, k // met_span
        return key, _score(k_credit, k_met, k_asp, k_move, k_away, fixed, total, len(required))

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
        k = min(limit, n)
        if k <= 0:
            return []
        key, table = self._terms(t, private)
        eligible = self.active[:n].copy()
        if t.role is not None:
            eligible &= self.role[:n] != self.codes.get(t.role.role_id, -1)  # already in it
        for e in exclude:
            row = self.rows.get(e)
            if row is not None:
                eligible[row] = False
        if among is not None:
            eligible &= among[:n]
        # How many people hold each combination, best combinations first, down to the k-th
        # person: everyone scoring above that is in, and the ties at it go by id.
        counts = np.bincount(key[eligible], minlength=len(table))
        present = np.flatnonzero(counts)
        if len(present) == 0:
            return []
        best = present[np.argsort(-table[present], kind="stable")]
        reached = np.cumsum(counts[best])
        cut = float(table[best[min(int(np.searchsorted(reached, k)), len(best) - 1)]])
        above = np.flatnonzero(eligible & (table > cut)[key])
        tied = np.flatnonzero(eligible & (table == cut)[key])
        room = k - len(above)
        if 0 < room < len(tied):
            ids = self._id_order()[tied]
            tied = tied[np.argpartition(ids, room - 1)[:room]]
        chosen = np.concatenate([above, tied[: max(room, 0)]])
        order = np.lexsort((self._id_order()[chosen], -table[key[chosen]]))
        chosen = chosen[order][:k]
        out = []
        for i in chosen:
            p = self.profile(int(i), t.needed())
            if private is not None and private[i]:
                p = replace(p, target_roles=frozenset(), target_families=frozenset())
                p = replace(p, open_to_projects=False, willing_to_relocate=False)
            out.append(explain(p, t))
        return out

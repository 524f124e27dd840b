"""Matching without I/O: the formula, its explanation, the index against the reference."""

from __future__ import annotations

import random

import pytest

from careerstream.mobility.domain import matching
from careerstream.mobility.domain.matching import (
    MoveKind,
    Profile,
    ProfileIndex,
    RoleInfo,
    Target,
    best_for,
    explain,
    move_kind,
    place,
)

SENIOR = RoleInfo("eng.senior", "eng", 2)
ENGINEER = RoleInfo("eng.engineer", "eng", 1)
STAFF = RoleInfo("eng.staff", "eng", 3)
PM = RoleInfo("pm.pm", "pm", 2)
SKILL = "http://data.europa.eu/esco/skill/7030d79d-8f1d-5578-8f7a-4055625291d0"
OTHER = "http://data.europa.eu/esco/skill/96c0e73a-6b4b-5631-8d1b-36c1495f4cef"


def test_a_skill_counts_the_highest_level_of_the_competencies_covering_it() -> None:
    p = Profile("E1", True, ENGINEER, {"craft": 2, "python": 4})
    t = Target(
        "o1",
        "role",
        {"craft": 3, SKILL: 4, OTHER: 2},
        SENIOR,
        covers={SKILL: ("craft", "python"), OTHER: ()},
    )
    m = explain(p, t)
    by = {c.competency_id: c for c in m.competencies}
    assert by[SKILL].level == 4
    assert by[SKILL].missing == 0
    assert by[SKILL].covered_by == ("craft", "python")
    assert by[OTHER].level == 0  # no competency covers it: unassessed
    assert by["craft"].covered_by == ()
    # fit = (3 x 2/3 + 4 x 1 + 2 x 0) / 9; readiness = 1/3
    assert m.fit == round((2 + 4) / 9, 4)
    assert m.readiness == round(1 / 3, 4)
    index = ProfileIndex()
    index.upsert(p)
    assert index.top(t, 1) == [m]


def test_move_kinds() -> None:
    assert move_kind(ENGINEER, SENIOR) is MoveKind.PROMOTION
    assert move_kind(SENIOR, PM) is MoveKind.LATERAL  # another family
    assert (
        move_kind(SENIOR, RoleInfo("eng.lead", "eng", 2)) is MoveKind.LATERAL
    )  # same level, other track
    assert move_kind(STAFF, SENIOR) is MoveKind.OTHER
    assert move_kind(None, SENIOR) is MoveKind.OTHER


def test_the_score_is_explained_term_by_term() -> None:
    p = Profile(
        "E1", True, ENGINEER, {"craft": 3, "design": 1}, target_roles=frozenset({"eng.senior"})
    )
    t = Target("o1", "role", {"craft": 3, "design": 2, "ownership": 3}, SENIOR)
    m = explain(p, t)
    # fit = (3*1 + 2*0.5 + 3*0) / 8 = 0.5 ; readiness 1/3 ; aspiration 1 ; promotion 1
    assert m.fit == 0.5
    assert m.readiness == round(1 / 3, 4)
    assert (m.aspiration, m.aspiration_reason) == (1.0, "aims for this role")
    assert m.move_kind is MoveKind.PROMOTION
    assert m.score == round(0.65 * 0.5 + 0.15 / 3 + 0.15 + 0.05, 4)
    by = {c.competency_id: c for c in m.competencies}
    assert by["design"].missing == 1
    assert by["ownership"].contribution == 0
    assert abs(sum(c.contribution for c in m.competencies) - 0.65 * m.fit) < 1e-3


def test_lateral_moves_count_as_much_as_promotions() -> None:
    t = Target("o1", "role", {"craft": 3}, SENIOR)
    promoted = explain(Profile("A", True, ENGINEER, {"craft": 3}), t)
    lateral = explain(Profile("B", True, RoleInfo("pm.pm", "pm", 2), {"craft": 3}), t)
    assert promoted.score == lateral.score


def _random_profiles(n: int, seed: int) -> list[Profile]:
    rnd = random.Random(seed)
    comps = [f"c{i}" for i in range(12)]
    roles = [ENGINEER, SENIOR, STAFF, PM, None]
    out = []
    for i in range(n):
        levels = {c: rnd.randint(0, 5) for c in rnd.sample(comps, rnd.randint(0, 12))}
        out.append(
            Profile(
                f"E{i:04d}",
                rnd.random() > 0.05,
                rnd.choice(roles),
                levels,
                target_roles=frozenset(rnd.sample(["eng.senior", "pm.pm"], rnd.randint(0, 1))),
                target_families=frozenset(rnd.sample(["eng", "pm"], rnd.randint(0, 1))),
                open_to_projects=rnd.random() > 0.5,
                location=rnd.choice(PLACES),
                willing_to_relocate=rnd.random() > 0.7,
            )
        )
    return out


PLACES = ["Berlin", " berlin", "São Paulo", "Sao  Paulo", "Lisbon", None]


@pytest.mark.parametrize("tabulated", [True, False])
def test_the_index_ranks_like_the_reference_formula(
    tabulated: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not tabulated:  # the path for opportunities with absurdly many requirements
        monkeypatch.setattr(matching, "TABLE_MAX", 0)
    profiles = _random_profiles(600, seed=3)
    index = ProfileIndex()
    for p in profiles:
        index.upsert(p)
    for t in (
        Target("o1", "role", {"c1": 3, "c2": 4, "c5": 2}, SENIOR),
        Target("o2", "gig", {"c7": 2, "c8": 5}, None, "pm"),
        Target("o3", "role", {"c0": 1, "c3": 3, "c4": 3, "c9": 4, "c11": 2}, PM),
        Target("o4", "role", {"c1": 3, "c2": 4}, SENIOR, location="BERLIN"),
        Target("o5", "project", {"c3": 2}, None, "eng", location="são paulo"),
        Target("o6", "role", {"c1": 3}, PM, location="Berlin", remote=True),
        Target("o7", "role", {"c1": 3}, PM, location="Reykjavík"),  # nobody works there
        # Skills of the library, read from the competencies covering them.
        Target("o8", "role", {"c1": 2, SKILL: 4}, SENIOR, covers={SKILL: ("c2", "c3", "c9")}),
        Target("o9", "gig", {SKILL: 3, OTHER: 2}, None, "pm", covers={SKILL: ("c4",)}),
    ):
        got = index.top(t, 25, exclude=["E0001"])
        reference = sorted(
            (
                explain(p, t)
                for p in profiles
                if p.active and p.employee_id != "E0001" and (t.role is None or p.role != t.role)
            ),
            key=lambda m: (-m.score, m.employee_id),
        )[:25]
        assert [m.employee_id for m in got] == [m.employee_id for m in reference]
        assert [m.score for m in got] == sorted((m.score for m in got), reverse=True)


def test_updates_replace_a_profile() -> None:
    index = ProfileIndex()
    index.upsert(Profile("Z", True, ENGINEER, {"craft": 2}, target_roles=frozenset({"eng.senior"})))
    index.upsert(Profile("B", True, ENGINEER, {"craft": 2}))
    t = Target("o", "role", {"craft": 3}, SENIOR)
    assert [m.employee_id for m in index.top(t, 2)] == ["Z", "B"]  # Z's aspiration counts
    index.upsert(Profile("Z", True, ENGINEER, {"craft": 2}))  # aspiration dropped: a tie, by id
    assert [m.employee_id for m in index.top(t, 2)] == ["B", "Z"]
    index.upsert(Profile("B", False, ENGINEER, {"craft": 2}))  # left
    assert [m.employee_id for m in index.top(t, 2)] == ["Z"]
    index.upsert(Profile("C", True, ENGINEER, {"brand-new": 4}))  # a new competency column
    assert len(index) == 3


def test_a_bulk_built_index_ranks_like_one_built_by_upserts() -> None:
    import numpy as np

    profiles = _random_profiles(300, seed=5)
    one_by_one = ProfileIndex()
    for p in profiles:
        one_by_one.upsert(p)
    columns = sorted({c for p in profiles for c in p.levels})
    levels = np.array([[p.levels.get(c, 0) for c in columns] for p in profiles], dtype=np.float32)
    bulk = ProfileIndex.bulk(
        [p.employee_id for p in profiles],
        columns,
        levels,
        [p.active for p in profiles],
        [p.role for p in profiles],
        [(p.target_roles, p.target_families) for p in profiles],
        [p.open_to_projects for p in profiles],
        [p.location for p in profiles],
        [p.willing_to_relocate for p in profiles],
    )
    t = Target("o", "role", {"c1": 3, "c4": 2, "c6": 5}, SENIOR)
    assert bulk.top(t, 30) == one_by_one.top(t, 30)
    onsite = Target("o", "role", {"c1": 3, "c4": 2, "c6": 5}, SENIOR, location="Lisbon")
    assert bulk.top(onsite, 30) == one_by_one.top(onsite, 30)
    bulk.upsert(
        Profile(
            "E0000",
            True,
            ENGINEER,
            {"c1": 5, "c4": 5, "c6": 5},
            target_roles=frozenset({"eng.senior"}),
        )
    )
    assert bulk.top(t, 1)[0].employee_id == "E0000"


def test_places_compare_without_case_accents_or_spacing() -> None:
    assert place(" São  Paulo ") == place("sao paulo") == "sao paulo"
    assert place("Zürich") == place("ZURICH")
    assert place(None) == place("") == place("   ") == ""
    assert place("Berlin") != place("Bern")


def test_someone_who_would_have_to_move_ranks_at_half_unless_they_would_relocate() -> None:
    onsite = Target("o", "role", {"craft": 3}, SENIOR, location="Lisbon")
    levels = {"craft": 3}
    here = explain(Profile("A", True, ENGINEER, levels, location="lisbon"), onsite)
    # fit 1, readiness 1, no aspiration, a promotion: 0.65 + 0.15 + 0 + 0.05
    assert (here.score, here.location, here.location_reason) == (0.85, 1.0, "works there")
    away = explain(Profile("B", True, ENGINEER, levels, location="Porto"), onsite)
    assert (away.score, away.location) == (round(0.85 * 0.5, 4), 0.5)
    assert away.location_reason == "works elsewhere and has not said they would relocate"
    willing = Profile("C", True, ENGINEER, levels, location="Porto", willing_to_relocate=True)
    assert (explain(willing, onsite).score, explain(willing, onsite).location_reason) == (
        0.85,
        "willing to relocate",
    )
    unknown = explain(Profile("D", True, ENGINEER, levels), onsite)
    assert (unknown.score, unknown.location_reason) == (0.85, "location unknown")
    remote = Target("o", "role", {"craft": 3}, SENIOR, location="Lisbon", remote=True)
    assert explain(Profile("B", True, ENGINEER, levels, location="Porto"), remote).score == 0.85
    # Where no place is named, the location changes nothing: the four terms as before.
    anywhere = Target("o", "role", {"craft": 3}, SENIOR)
    assert explain(Profile("B", True, ENGINEER, levels, location="Porto"), anywhere).score == 0.85


def test_a_willingness_the_asker_may_not_see_does_not_count() -> None:
    index = ProfileIndex()
    index.upsert(Profile("A", True, ENGINEER, {"craft": 3}, location="Porto"))
    index.upsert(
        Profile("B", True, ENGINEER, {"craft": 3}, location="Porto", willing_to_relocate=True)
    )
    onsite = Target("o", "role", {"craft": 3}, SENIOR, location="Lisbon")
    assert [(m.employee_id, m.score) for m in index.top(onsite, 2)] == [
        ("B", 0.85),
        ("A", 0.425),
    ]
    private = index.mask(["B"])
    seen = index.top(onsite, 2, private=private)
    assert [(m.employee_id, m.score) for m in seen] == [("A", 0.425), ("B", 0.425)]
    assert seen[1].location_reason == "works elsewhere and has not said they would relocate"
    index.upsert(Profile("A", True, ENGINEER, {"craft": 3}, location="Lisbon"))  # moved there
    assert index.top(onsite, 1)[0].employee_id == "A"


def test_an_employees_best_opportunities_are_those_the_reference_formula_ranks_first() -> None:
    rnd = random.Random(8)
    comps = [f"c{i}" for i in range(12)]
    roles = [ENGINEER, SENIOR, STAFF, PM, None]
    targets = []
    for j in range(400):
        role = rnd.choice(roles)
        kind = "role" if role is not None else rnd.choice(["project", "gig", "rotation"])
        required = {c: rnd.randint(0, 5) for c in rnd.sample(comps, rnd.randint(0, 6))}
        covers = {}
        if rnd.random() < 0.3:
            required[SKILL] = rnd.randint(1, 5)
            covers[SKILL] = tuple(rnd.sample(comps, rnd.randint(0, 3)))
        targets.append(
            Target(
                f"o{j % 150:03d}-{j}",  # ids share prefixes; several score the same
                kind,
                required,
                role,
                role.family_id if role else rnd.choice(["eng", "pm", None]),
                location=rnd.choice(PLACES),
                remote=rnd.random() < 0.2,
                covers=covers,
            )
        )
    for person in _random_profiles(30, seed=9):
        for limit in (1, 10, 500):
            got = best_for(person, targets, limit)
            reference = sorted(
                ((i, explain(person, t)) for i, t in enumerate(targets)),
                key=lambda pair: (-pair[1].score, targets[pair[0]].opportunity_id),
            )[:limit]
            assert got == reference
    assert best_for(_random_profiles(1, seed=1)[0], [], 10) == []


def test_ties_at_the_cut_go_by_id_and_nobody_ineligible_slips_in() -> None:
    index = ProfileIndex()
    # 500 people alike, in a shuffled order of ids; a better one; some who may not be found.
    ids = [f"T{i:04d}" for i in range(500)]
    random.Random(1).shuffle(ids)
    for e in ids:
        index.upsert(Profile(e, True, ENGINEER, {"craft": 2}))
    index.upsert(Profile("BEST", True, ENGINEER, {"craft": 5}))
    index.upsert(Profile("A-LEFT", False, ENGINEER, {"craft": 5}))
    index.upsert(Profile("A-ALREADY", True, SENIOR, {"craft": 5}))
    t = Target("o", "role", {"craft": 3}, SENIOR)
    got = [m.employee_id for m in index.top(t, 20, exclude=["T0000"])]
    assert got == ["BEST", *[f"T{i:04d}" for i in range(1, 20)]]
    assert [m.employee_id for m in index.top(t, 3, among=index.mask(["T0400", "T0007"]))] == [
        "T0007",
        "T0400",
    ]
    assert index.top(t, 5, among=index.mask([])) == []

"""The frameworks domain without I/O: the shipped example, every rule, paths, diffs, files."""

from __future__ import annotations

from pathlib import Path

import pytest

from careerstream.frameworks.adapters.files import FrameworkFileInvalid, dump, load
from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.diff import diff
from careerstream.frameworks.domain.paths import (
    StepKind,
    complete_lateral_path,
    family_graph,
    next_steps,
)
from careerstream.frameworks.domain.rules import validate

EXAMPLE = Path(__file__).parents[2] / "examples" / "typical-company.yaml"


@pytest.fixture(scope="module")
def example() -> m.Framework:
    return load(EXAMPLE.read_text())


def _messages(fw: m.Framework, *, publishing: bool = False) -> list[str]:
    return [f"{i.path}: {i.message}" for i in validate(fw, publishing=publishing)]


def _with(fw: m.Framework, **update: object) -> m.Framework:
    return m.Framework.model_validate({**fw.model_dump(), **update})


# -- the shipped example ------------------------------------------------------------------


def test_shipped_example_is_complete_and_publishable(example: m.Framework) -> None:
    assert validate(example, publishing=True) == []
    assert {f.id for f in example.families} == {
        "marketing",
        "engineering",
        "customer-success",
        "product-management",
    }
    eng = example.family("engineering")
    assert eng is not None
    ic = sorted((lv.rank, lv.name) for lv in eng.levels if "ic" in lv.track_ids)
    mgmt = sorted((lv.rank, lv.name) for lv in eng.levels if "management" in lv.track_ids)
    assert [n for _, n in ic] == [
        "Junior Developer",
        "Software Engineer",
        "Senior Engineer",
        "Staff Engineer",
        "Principal Engineer",
    ]
    assert [n for _, n in mgmt] == [
        "Junior Developer",
        "Software Engineer",
        "Team Lead",
        "Engineering Manager",
        "Director of Engineering",
    ]
    cs = example.family("customer-success")
    assert cs is not None
    assert {t.name for t in cs.tracks} == {"Relationship", "Strategy"}
    strategic = example.competency("strategic-thinking")
    assert strategic is not None
    assert [d.description.split()[0] for d in strategic.descriptors] == [
        "Understands",
        "Connects",
        "Develops",
        "Shapes",
    ]
    assert all(4 <= len(r.requirements) <= 6 for r in example.roles)
    assert [p.id for p in example.lateral_paths] == ["engineering-to-product"]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_files_round_trip_losslessly(example: m.Framework, fmt: str) -> None:
    text = dump(example, fmt)  # type: ignore[arg-type]
    assert load(text, fmt) == example  # type: ignore[arg-type]
    assert dump(load(text, fmt), fmt) == text  # type: ignore[arg-type]


# -- every rule names the offending item ---------------------------------------------------


def test_a_gap_in_the_level_order_is_refused(example: m.Framework) -> None:
    doc = example.model_dump()
    eng = next(f for f in doc["families"] if f["id"] == "engineering")
    staff = next(lv for lv in eng["levels"] if lv["id"] == "staff-engineer")
    staff["rank"] = 6  # rank 4 of the IC track is now empty
    msgs = _messages(m.Framework.model_validate(doc))
    assert any(
        "track 'ic' of family 'engineering' has a gap: no level at rank 4" in x for x in msgs
    ), msgs


def test_two_levels_at_one_rank_is_an_ambiguous_order(example: m.Framework) -> None:
    doc = example.model_dump()
    eng = next(f for f in doc["families"] if f["id"] == "engineering")
    next(lv for lv in eng["levels"] if lv["id"] == "staff-engineer")["rank"] = 3
    msgs = _messages(m.Framework.model_validate(doc))
    assert any("'senior-engineer', 'staff-engineer' all at rank 3" in x for x in msgs), msgs


def test_tracks_share_only_their_first_levels(example: m.Framework) -> None:
    doc = example.model_dump()
    eng = next(f for f in doc["families"] if f["id"] == "engineering")
    next(lv for lv in eng["levels"] if lv["id"] == "junior-developer")["track_ids"] = ["ic"]
    msgs = _messages(m.Framework.model_validate(doc))
    assert any(
        "level 'software-engineer' is shared by tracks ic, management but level 'junior-developer'"
        in x
        for x in msgs
    ), msgs


def test_a_requirement_without_a_descriptor_for_its_level(example: m.Framework) -> None:
    doc = example.model_dump()
    comp = next(c for c in doc["competencies"] if c["id"] == "system-design")
    comp["descriptors"] = [d for d in comp["descriptors"] if d["level"] != 3]
    msgs = _messages(m.Framework.model_validate(doc))
    assert any(
        x.startswith("roles[")
        and "role 'engineering.senior-engineer' requires 'system-design' at level 3, but 'system-design' has no descriptor for level 3"
        in x
        for x in msgs
    ), msgs


def test_a_requirement_above_the_scale(example: m.Framework) -> None:
    doc = example.model_dump()
    role = next(r for r in doc["roles"] if r["id"] == "engineering.staff-engineer")
    role["requirements"][0]["level"] = 5
    msgs = _messages(m.Framework.model_validate(doc))
    assert any(
        "at level 5, outside the scale 1-4" in x and "engineering.staff-engineer" in x for x in msgs
    ), msgs


def test_duplicate_names_and_ids(example: m.Framework) -> None:
    doc = example.model_dump()
    doc["competencies"].append({**doc["competencies"][0], "id": "strategy-2"})  # same name
    doc["families"].append({**doc["families"][0]})  # same id and name
    msgs = _messages(m.Framework.model_validate(doc))
    assert "competencies: duplicate competency name 'strategic thinking'" in msgs
    assert "families: duplicate family id 'marketing'" in msgs
    assert "families: duplicate family name 'marketing'" in msgs


def test_references_to_things_that_do_not_exist(example: m.Framework) -> None:
    doc = example.model_dump()
    doc["roles"].append(
        {
            "id": "engineering.ghost",
            "family_id": "engineering",
            "level_id": "wizard",
            "title": "Ghost",
            "requirements": [{"competency_id": "telepathy", "level": 2}],
        }
    )
    doc["roles"].append({"id": "nowhere.x", "family_id": "nowhere", "level_id": "x", "title": "X"})
    doc["lateral_paths"].append(
        {"id": "p2", "from_role_id": "engineering.ghost", "to_role_id": "sales.rep"}
    )
    eng = next(f for f in doc["families"] if f["id"] == "engineering")
    eng["levels"][0]["track_ids"].append("research")
    msgs = _messages(m.Framework.model_validate(doc))
    expected = [
        "role 'engineering.ghost' is at level 'wizard', which family 'engineering' does not have",
        "role 'engineering.ghost' requires 'telepathy', which is not a competency",
        "role 'nowhere.x' is in family 'nowhere', which does not exist",
        "lateral path 'p2' leads to role 'sales.rep', which does not exist",
        "is on track 'research', which does not exist",
    ]
    for text in expected:
        assert any(text in x for x in msgs), (text, msgs)


def test_family_specific_competencies_stay_in_their_family(example: m.Framework) -> None:
    doc = example.model_dump()
    role = next(r for r in doc["roles"] if r["id"] == "marketing.marketing-specialist")
    role["requirements"][0] = {"competency_id": "system-design", "level": 2}
    msgs = _messages(m.Framework.model_validate(doc))
    assert any("which is specific to family 'engineering'" in x for x in msgs), msgs


def test_publishing_needs_four_to_six_core_competencies(example: m.Framework) -> None:
    doc = example.model_dump()
    role = next(r for r in doc["roles"] if r["id"] == "engineering.staff-engineer")
    role["requirements"] = role["requirements"][:3]
    fw = m.Framework.model_validate(doc)
    assert _messages(fw) == []  # fine in a draft
    assert any(
        "has 3 core competencies; a role has 4 to 6" in x for x in _messages(fw, publishing=True)
    )


def test_all_problems_of_a_file_are_reported_at_once_with_their_lines() -> None:
    text = """\
id: acme
name: Acme
families:
  - id: eng
    name: Engineering
    tracks:
      - {id: ic, name: IC, kind: ic}
    levels:
      - {id: l1, name: One, rank: 1, track_ids: [ic]}
      - {id: l3, name: Three, rank: 3, track_ids: [ic]}
competencies:
  - id: craft
    name: Craft
    category: technical
    descriptors:
      - {level: 1, description: Does it}
roles:
  - id: eng.one
    family_id: eng
    level_id: l1
    title: One
    requirements:
      - {competency_id: craft, level: 2}
      - {competency_id: magic, level: 1}
"""
    with pytest.raises(FrameworkFileInvalid) as caught:
        load(text)
    errors = {(e.line, e.message) for e in caught.value.errors}
    assert any(line == 8 and "gap: no level at rank 2" in msg for line, msg in errors), errors
    assert any(line == 23 and "no descriptor for level 2" in msg for line, msg in errors), errors
    assert any(
        line == 24 and "'magic', which is not a competency" in msg for line, msg in errors
    ), errors


def test_malformed_files_name_the_field_and_line() -> None:
    with pytest.raises(FrameworkFileInvalid) as caught:
        load("id: acme\nname: Acme\nfamilies:\n  - id: eng\n    nmae: Engineering\n")
    errors = [(e.path, e.line, e.message) for e in caught.value.errors]
    assert ("families[0].nmae", 5, "Extra inputs are not permitted") in errors
    assert any(p == "families[0].name" and msg == "Field required" for p, _, msg in errors)
    with pytest.raises(FrameworkFileInvalid, match="line 2"):
        load("id: acme\n  name: [unclosed\n")
    with pytest.raises(FrameworkFileInvalid, match="not valid JSON"):
        load("{", "json")


# -- career paths --------------------------------------------------------------------------


def test_next_steps_branch_where_the_tracks_do(example: m.Framework) -> None:
    steps = {(s.kind, s.to_role_id) for s in next_steps(example, "engineering.software-engineer")}
    assert (StepKind.VERTICAL, "engineering.senior-engineer") in steps
    assert (StepKind.VERTICAL, "engineering.team-lead") in steps


def test_next_steps_of_a_senior_engineer_with_what_must_grow(example: m.Framework) -> None:
    steps = {s.to_role_id: s for s in next_steps(example, "engineering.senior-engineer")}
    assert steps["engineering.staff-engineer"].kind is StepKind.VERTICAL
    assert steps["engineering.team-lead"].kind is StepKind.TRACK_SWITCH
    assert steps["engineering.engineering-manager"].kind is StepKind.TRACK_SWITCH
    lateral = steps["product-management.product-manager"]
    assert lateral.kind is StepKind.LATERAL
    assert lateral.via == "rotation"
    grow = {g.competency_id: (g.from_level, g.to_level, g.gap) for g in lateral.grow}
    assert grow["product-sense"] == (0, 3, 3)
    assert grow["communication"] == (0, 3, 3)
    assert "collaboration" in lateral.carry_over
    to_lead = {g.competency_id: g.gap for g in steps["engineering.team-lead"].grow}
    assert to_lead["people-leadership"] == 2


def test_the_top_of_a_track_has_no_vertical_step(example: m.Framework) -> None:
    steps = next_steps(example, "engineering.principal-engineer")
    assert all(s.kind is not StepKind.VERTICAL for s in steps)


def test_family_graph(example: m.Framework) -> None:
    nodes, edges = family_graph(example, "engineering")
    assert len(nodes) == 8  # 2 shared levels + 3 IC + 3 management
    assert nodes[0].role_id == "engineering.junior-developer"
    assert ("engineering.senior-engineer", "product-management.product-manager") in {
        (e.from_role_id, e.to_role_id) for e in edges
    }


def test_lateral_paths_are_completed_from_the_roles(example: m.Framework) -> None:
    path = complete_lateral_path(example, example.lateral_paths[0])
    assert "collaboration" in path.carry_over
    assert {d.competency_id for d in path.to_build} >= {"product-sense", "communication"}


# -- diffs ---------------------------------------------------------------------------------


def test_diff_names_what_changed(example: m.Framework) -> None:
    doc = example.model_dump()
    role = next(r for r in doc["roles"] if r["id"] == "engineering.staff-engineer")
    role["title"] = "Staff Software Engineer"
    req = next(q for q in role["requirements"] if q["competency_id"] == "collaboration")
    req["level"] = 3
    doc["roles"] = [r for r in doc["roles"] if r["id"] != "marketing.principal-marketer"]
    doc["roles"].reverse()  # order alone is not a change
    changes = {(c.change, c.path) for c in diff(example, m.Framework.model_validate(doc))}
    assert changes == {
        ("changed", "roles[engineering.staff-engineer].title"),
        ("changed", "roles[engineering.staff-engineer].requirements[collaboration].level"),
        ("removed", "roles[marketing.principal-marketer]"),
    }


def test_the_committed_file_schema_is_current() -> None:
    import json

    from careerstream.frameworks.schema import schema

    committed = json.loads((Path(__file__).parents[2] / "framework.schema.json").read_text())
    assert committed == schema(), (
        "framework.schema.json is stale: regenerate it with "
        "`uv run python -m careerstream.frameworks.schema`"
    )

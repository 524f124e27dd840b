"""Drafting a role from an occupation's essential skills: the pure rule."""

from __future__ import annotations

from careerstream.frameworks.domain import model as m
from careerstream.frameworks.domain.diff import diff
from careerstream.frameworks.domain.occupations import LibrarySkill, draft_role
from careerstream.frameworks.domain.rules import validate

S = "http://data.europa.eu/esco/skill/"


def framework() -> m.Framework:
    return m.Framework(
        id="acme",
        name="Acme",
        families=[
            m.Family(
                id="engineering",
                name="Engineering",
                tracks=[m.Track(id="ic", name="IC", kind=m.TrackKind.IC)],
                levels=[m.Level(id="senior", name="Senior", rank=1, track_ids=["ic"])],
            )
        ],
        competencies=[
            m.Competency(
                id="craft",
                name="Craft",
                category=m.CompetencyCategory.TECHNICAL,
                descriptors=[m.Descriptor(level=2, description="craft at 2")],
                skills=[m.SkillLink(uri=S + "python"), m.SkillLink(uri=S + "sql")],
            )
        ],
    )


ESSENTIAL = [
    LibrarySkill(S + "sql", "SQL", "", "knowledge", "sector-specific"),
    LibrarySkill(S + "teams", "work in teams", "", "skill/competence", "transversal"),
    LibrarySkill(
        S + "docs", "provide technical documentation", "", "skill/competence", "cross-sector"
    ),
    LibrarySkill(
        S + "debug", "debug software", "Find defects.", "skill/competence", "sector-specific"
    ),
    LibrarySkill(S + "python", "Python", "", "knowledge", "sector-specific"),
    LibrarySkill(S + "ml", "machine learning", "", "knowledge", "sector-specific"),
    LibrarySkill(S + "craft", "craft", "", "skill/competence", "occupation-specific"),
]


def test_covered_skills_first_then_skills_before_knowledge_most_specific_first() -> None:
    drafted = draft_role(
        framework(),
        "eng.dev",
        family_id="engineering",
        level_id="senior",
        title="Developer",
        summary="Writes software.",
        essential=ESSENTIAL,
        level=3,
        limit=4,
    )
    reqs = drafted.requirements
    # 'craft' covers Python and SQL: one requirement meets both, at its described level (2).
    assert reqs[0].competency_id == "craft"
    assert reqs[0].created is False
    assert sorted(reqs[0].skills) == [S + "python", S + "sql"]
    assert reqs[0].level == 2
    # Then the occupation-specific skill, then sector-specific, then cross-sector.
    assert [r.competency_id for r in reqs[1:]] == [
        "craft-2",  # 'craft' is taken: the new id is made unique, the name too
        "debug-software",
        "provide-technical-documentation",
    ]
    assert all(r.created and r.level == 3 for r in reqs[1:])
    assert [s.label for s in drafted.left_out] == ["work in teams", "machine learning"]
    fw = drafted.framework
    made = fw.competency("debug-software")
    assert made is not None
    assert made.skills == [m.SkillLink(uri=S + "debug", label="debug software")]
    assert made.description == "Find defects."
    assert made.family_id == "engineering"
    assert made.descriptors[0].level == 3
    assert "Applies it independently" in made.descriptors[0].description
    twin = fw.competency("craft-2")
    assert twin is not None
    assert twin.name == "Craft (ESCO)"
    role = fw.role("eng.dev")
    assert role is not None
    assert len(role.requirements) == 4
    assert validate(fw) == []  # the draft keeps every integrity rule


def test_transversal_skills_become_company_wide_behavioural_competencies() -> None:
    drafted = draft_role(
        framework(),
        "eng.dev",
        family_id="engineering",
        level_id="senior",
        title="Developer",
        summary="",
        essential=[ESSENTIAL[1]],
        level=3,
    )
    teams = drafted.framework.competency("work-in-teams")
    assert teams is not None
    assert teams.category is m.CompetencyCategory.BEHAVIOURAL
    assert teams.family_id is None


def test_a_link_twice_is_refused_and_link_changes_show_in_the_diff() -> None:
    fw = framework()
    comp = fw.competencies[0]
    twice = fw.model_copy(
        update={
            "competencies": [
                comp.model_copy(update={"skills": [*comp.skills, m.SkillLink(uri=S + "sql")]})
            ]
        }
    )
    assert any("links skill" in i.message and "twice" in i.message for i in validate(twice))
    relinked = fw.model_copy(
        update={
            "competencies": [
                comp.model_copy(
                    update={"skills": [m.SkillLink(uri=S + "sql"), m.SkillLink(uri=S + "java")]}
                )
            ]
        }
    )
    changes = {(c.change, c.path) for c in diff(fw, relinked)}
    assert changes == {
        ("removed", f"competencies[craft].skills[{S}python]"),
        ("added", f"competencies[craft].skills[{S}java]"),
    }

"""Plan rules without I/O."""

from __future__ import annotations

from datetime import date

import pytest

from careerstream.plans.domain.rules import (
    CatalogueEntry,
    GapIn,
    NewGoal,
    OpenGoal,
    goals_from_gaps,
    guide,
    period_for,
    rank,
    rebase,
)


def test_periods_align_on_the_year() -> None:
    assert period_for(date(2026, 11, 25)) == (date(2026, 7, 1), date(2026, 12, 31))
    assert period_for(date(2026, 2, 1)) == (date(2026, 1, 1), date(2026, 6, 30))
    assert period_for(date(2026, 5, 5), 3) == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_for(date(2026, 5, 5), 12) == (date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(ValueError, match="divide the year"):
        period_for(date(2026, 5, 5), 5)


def test_positive_gaps_become_goals() -> None:
    assert goals_from_gaps([GapIn("craft", 2, 4), GapIn("design", 3, 3), GapIn("x", 4, 2)]) == [
        NewGoal("craft", 2, 4)
    ]


def test_rebase_achieves_supersedes_and_adds() -> None:
    open_goals = [
        OpenGoal("g1", "craft", 3),
        OpenGoal("g2", "design", 3),
        OpenGoal("g3", "ownership", 4),
    ]
    decision = rebase(
        open_goals,
        [
            GapIn("craft", 3, 3),
            GapIn("design", 2, 4),
            GapIn("ownership", 3, 4),
            GapIn("leadership", 1, 3),
        ],
    )
    assert decision.achieved == ["g1"]  # craft now at 3
    assert decision.superseded == ["g2"]  # design now needs 4
    assert decision.new == [NewGoal("design", 2, 4), NewGoal("leadership", 1, 3)]


def _entry(eid: str, comp: str, kind: str, lo: int, hi: int, weeks: int) -> CatalogueEntry:
    return CatalogueEntry(eid, comp, kind, eid, lo, hi, weeks)


def test_suggestions_are_ranked_by_fit_kind_and_effort() -> None:
    entries = [
        _entry("generic-course", "*", "course", 1, 4, 4),
        _entry("craft-course", "craft", "course", 3, 4, 6),
        _entry("generic-stretch", "*", "stretch_assignment", 2, 5, 8),
        _entry("craft-mentoring", "craft", "mentoring", 2, 5, 12),
        _entry("too-low", "craft", "course", 1, 2, 1),
        _entry("other", "design", "course", 1, 5, 1),
    ]
    big_gap = [e.entry_id for e in rank(entries, "craft", 1, 3)]
    assert big_gap == ["craft-course", "craft-mentoring", "generic-course", "generic-stretch"]
    small_gap = [e.entry_id for e in rank(entries, "craft", 2, 3)]
    assert small_gap == ["craft-mentoring", "craft-course", "generic-stretch", "generic-course"]


def test_a_guide_names_what_changes_and_asks_about_it() -> None:
    comps = {
        "strategic-thinking": (
            "Strategic thinking",
            {
                2: "Connects work to department objectives",
                3: "Develops strategies aligned with business goals",
            },
        ),
        "leadership": ("Leadership", {2: "Leads a small team"}),
        "craft": ("Craft", {3: "Designs systems"}),
    }
    items = guide(
        {"strategic-thinking": 2, "craft": 3},
        {"strategic-thinking": 3, "craft": 3, "leadership": 2},
        comps,
        to_title="Team Lead",
    )
    assert [(i.competency_id, i.change) for i in items] == [
        ("leadership", "new"),
        ("strategic-thinking", "grow"),
        ("craft", "same"),
    ]
    grow = items[1]
    assert grow.now == "Connects work to department objectives"
    assert grow.then == "Develops strategies aligned with business goals"
    assert "Develops strategies aligned with business goals" in grow.questions[0]

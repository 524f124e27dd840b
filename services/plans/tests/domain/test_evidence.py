"""Development actions ranked by evidence: the pure rule."""

from __future__ import annotations

import pytest

from careerstream.plans.domain.evidence import (
    MIN_EVIDENCE,
    Outcomes,
    estimates,
    rank_with_evidence,
    wilson,
)
from careerstream.plans.domain.rules import CatalogueEntry, rank

ENTRIES = [
    CatalogueEntry("course", "*", "course", "Foundations course", 1, 2, 4),
    CatalogueEntry("stretch", "*", "stretch_assignment", "Stretch assignment", 2, 5, 8),
    CatalogueEntry("project", "*", "project", "Cross-functional project", 2, 5, 12),
    CatalogueEntry("mentoring", "*", "mentoring", "Mentoring", 2, 5, 12),
]


def test_thin_evidence_leaves_todays_rule_in_charge() -> None:
    few = [Outcomes("craft", "course", 1, MIN_EVIDENCE - 1, MIN_EVIDENCE - 1, 60.0)]
    ranked = rank_with_evidence(ENTRIES, "craft", 1, 2, few)
    assert [e for e, _x in ranked] == rank(ENTRIES, "craft", 1, 2)
    course = next(x for e, x in ranked if e.entry_id == "course")
    assert course.ranked is False
    assert course.closed == MIN_EVIDENCE - 1


def test_what_closed_gaps_here_ranks_first_and_says_why() -> None:
    outcomes = [
        Outcomes("craft", "course", 1, 19, 14, 122.0),
        Outcomes("craft", "stretch_assignment", 1, 12, 2, 200.0),
        Outcomes("craft", "course", 4, 30, 0),  # a gap unlike this one: not evidence
        Outcomes("design", "project", 1, 40, 25, 90.0),  # another competency: the prior
    ]
    ranked = rank_with_evidence(ENTRIES, "craft", 1, 2, outcomes)
    order = [e.entry_id for e, _x in ranked]
    # The rule (gap 1: practice first) puts the stretch assignment first; the evidence moves
    # the course up, the project (which worked elsewhere) next, the stretch assignment down.
    assert rank(ENTRIES, "craft", 1, 2)[0].entry_id == "stretch"
    assert order == ["course", "project", "mentoring", "stretch"]
    course = ranked[0][1]
    assert (course.closed, course.total, course.ranked) == (14, 19, True)
    assert (
        course.why("Craft")
        == "closed a gap of about 1 level in Craft for 14 of 19 people in about 4 months"
    )
    assert course.low < course.rate < course.high
    project = ranked[1][1]
    assert project.ranked is False
    assert project.why("Craft") == "no projects for a gap like this in Craft yet"


def test_estimates_shrink_toward_the_kind_and_the_company() -> None:
    one = [Outcomes("craft", "course", 2, 1, 1, 30.0)]
    est = estimates(one, "craft", 2, ["course", "rotation"])
    # One success of one is not a 100% course: it is pulled toward what is known.
    assert 0.5 < est["course"].rate < 0.8
    assert est["rotation"].total == 0
    assert est["rotation"].rate == pytest.approx(2 / 3)  # the company's (1 + 1) / (1 + 2)
    wide = est["course"].high - est["course"].low
    many = estimates([Outcomes("craft", "course", 2, 100, 100, 30.0)], "craft", 2, ["course"])
    assert many["course"].high - many["course"].low < wide


def test_wilson_interval() -> None:
    low, high = wilson(0.5, 100)
    assert low == pytest.approx(0.437, abs=0.002)
    assert high == pytest.approx(0.563, abs=0.002)
    assert wilson(0.5, 0) == (0.0, 1.0)

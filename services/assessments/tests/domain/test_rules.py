"""Assessment rules without I/O."""

from __future__ import annotations

import pytest

from careerstream.assessments.domain.rules import (
    RaterKind,
    RatingError,
    RatingIn,
    Rule,
    Submission,
    analyse,
    calibrate,
    check_ratings,
    rater_kind,
    round_half_up,
)

REQUIRED = {"craft": 3, "design": 3, "collaboration": 2, "ownership": 3}


def test_valid_ratings_pass() -> None:
    check_ratings([RatingIn(c, 2) for c in REQUIRED], REQUIRED, (1, 5))


def test_every_bad_rating_is_named() -> None:
    with pytest.raises(RatingError) as caught:
        check_ratings(
            [
                RatingIn("craft", 6),
                RatingIn("craft", 2),
                RatingIn("telepathy", 1),
                RatingIn("design", 0),
            ],
            REQUIRED,
            (1, 5),
        )
    problems = caught.value.problems
    assert "ratings[0]: level 6 for 'craft' is outside the scale 1-5" in problems
    assert "ratings[1]: 'craft' is rated twice" in problems
    assert any(p.startswith("ratings[2]: the role does not require 'telepathy'") for p in problems)
    assert "ratings[3]: level 0 for 'design' is outside the scale 1-5" in problems
    assert "missing ratings for collaboration, ownership" in problems


def test_manager_rule_takes_the_manager_and_falls_back_to_the_mean() -> None:
    subs = [
        Submission("E1", RaterKind.SELF, {"craft": 4, "design": 2}),
        Submission("M", RaterKind.MANAGER, {"craft": 3}),
        Submission("P", RaterKind.PEER, {"craft": 5, "design": 3}),
    ]
    assert calibrate(["craft", "design", "ownership"], subs, Rule.MANAGER) == {
        "craft": 3,  # the manager's
        "design": 3,  # no manager rating: mean of 2 and 3 = 2.5, half up
    }


def test_weighted_mean_rescales_missing_raters() -> None:
    subs = [
        Submission("E1", RaterKind.SELF, {"craft": 4}),
        Submission("M", RaterKind.MANAGER, {"craft": 2}),
        Submission("P1", RaterKind.PEER, {"craft": 3}),
        Submission("P2", RaterKind.PEER, {"craft": 5}),
    ]
    # 0.2*4 + 0.5*2 + 0.3*4 = 3.0
    assert calibrate(["craft"], subs, Rule.WEIGHTED_MEAN) == {"craft": 3}
    # self and manager only, weights 0.2 and 0.5 rescaled: (0.8 + 1.0) / 0.7 = 2.57 -> 3
    assert calibrate(["craft"], subs[:2], Rule.WEIGHTED_MEAN) == {"craft": 3}
    assert calibrate(["craft"], subs[:2], Rule.WEIGHTED_MEAN, {"self": 0, "manager": 1}) == {
        "craft": 2
    }


def test_rounding_is_half_up() -> None:
    assert [round_half_up(x) for x in (2.5, 3.5, 2.49, 0.5)] == [3, 4, 2, 1]


def test_gaps_and_readiness() -> None:
    a = analyse("eng.senior", REQUIRED, {"craft": 4, "design": 2, "collaboration": 2})
    gaps = {g.competency_id: g.gap for g in a.gaps}
    assert gaps == {"craft": -1, "design": 1, "collaboration": 0, "ownership": 3}
    # min(4,3) + 2 + 2 + 0 = 7 of 11
    assert a.readiness == round(7 / 11, 4)
    assert not a.ready
    assert analyse("r", {"craft": 2}, {"craft": 2}).ready


def test_rater_kinds() -> None:
    assert rater_kind("E1", "E1", "M", ["P"]) is RaterKind.SELF
    assert rater_kind("M", "E1", "M", ["P"]) is RaterKind.MANAGER
    assert rater_kind("P", "E1", "M", ["P"]) is RaterKind.PEER
    assert rater_kind("X", "E1", "M", ["P"]) is None

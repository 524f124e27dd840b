"""Cycles and assessments guard ratings, completion and calibration (no I/O)."""

from datetime import UTC, datetime, timedelta

import pytest

from careerstream.assessments.domain.assessment import (
    Assessment,
    AssessmentState,
    Cycle,
    CycleState,
    ResultSource,
)
from careerstream.assessments.domain.rules import RaterKind, RatingIn, Rule
from careerstream.contracts.events import assessments as ev
from careerstream.servicekit.domain import Conflict, Invalid

NOW = datetime(2026, 4, 1, 9, tzinfo=UTC)
EVERYONE = ev.Population(kind=ev.PopulationKind.ALL)
ROLE = {
    "role_id": "eng-2",
    "framework_id": "fw",
    "framework_version": 1,
    "requirements": {"sql": 3, "go": 2},
}


def _cycle(rule: Rule = Rule.MANAGER) -> Cycle:
    cycle = Cycle.open(
        name="Spring",
        population=EVERYONE,
        deadline=NOW + timedelta(days=14),
        rule=rule,
        weights={},
        opened_by="hr1",
        now=NOW,
    )
    cycle.pull_events()
    return cycle


def _ratings(sql: int, go: int) -> list[RatingIn]:
    return [RatingIn("sql", sql), RatingIn("go", go)]


def test_a_cycle_needs_a_future_deadline_named_groups_and_known_raters() -> None:
    with pytest.raises(Invalid, match="deadline"):
        Cycle.open(
            name="x",
            population=EVERYONE,
            deadline=NOW,
            rule=Rule.MANAGER,
            weights={},
            opened_by="hr1",
            now=NOW,
        )
    with pytest.raises(Invalid, match=r"population\.ids"):
        Cycle.open(
            name="x",
            population=ev.Population(kind=ev.PopulationKind.DEPARTMENT),
            deadline=NOW + timedelta(days=1),
            rule=Rule.MANAGER,
            weights={},
            opened_by="hr1",
            now=NOW,
        )
    with pytest.raises(Invalid, match="unknown rater kind"):
        Cycle.open(
            name="x",
            population=EVERYONE,
            deadline=NOW + timedelta(days=1),
            rule=Rule.WEIGHTED_MEAN,
            weights={"boss": 1.0},
            opened_by="hr1",
            now=NOW,
        )


def test_self_and_manager_ratings_complete_with_the_managers_levels() -> None:
    cycle = _cycle()
    a = Assessment.create(cycle.cycle_id, "e1", ROLE, (1, 5), NOW)
    assert a.submit("e1", RaterKind.SELF, _ratings(4, 2), cycle, NOW) is False
    with pytest.raises(Conflict, match="already submitted"):
        a.submit("e1", RaterKind.SELF, _ratings(4, 2), cycle, NOW)
    assert a.submit("m1", RaterKind.MANAGER, _ratings(3, 1), cycle, NOW) is True
    assert a.complete(cycle, NOW) is True
    assert a.status is AssessmentState.COMPLETED
    assert a.levels() == {"sql": 3, "go": 1}
    assert [type(e).__name__ for e in a.pull_events()] == ["AssessmentSubmitted"] * 2
    done = a.completed_event()
    assert [r.kind for r in done.raters] == [ev.RaterKind.SELF, ev.RaterKind.MANAGER]
    assert [lv.competency_id for lv in done.levels] == ["go", "sql"]


def test_ratings_are_checked_and_a_closed_cycle_takes_none() -> None:
    cycle = _cycle()
    a = Assessment.create(cycle.cycle_id, "e1", ROLE, (1, 5), NOW)
    with pytest.raises(Invalid, match="missing ratings for go"):
        a.submit("e1", RaterKind.SELF, [RatingIn("sql", 3)], cycle, NOW)
    cycle.close(NOW)
    assert cycle.status is CycleState.CLOSED
    with pytest.raises(Conflict, match="no more ratings"):
        a.submit("e1", RaterKind.SELF, _ratings(3, 2), cycle, NOW)
    with pytest.raises(Conflict, match="already closed"):
        cycle.close(NOW)


def test_nobody_rated_means_nothing_to_complete() -> None:
    cycle = _cycle()
    a = Assessment.create(cycle.cycle_id, "e1", ROLE, (1, 5), NOW)
    assert a.complete(cycle, NOW) is False
    a.expire()
    with pytest.raises(Conflict, match="is expired; peers can no longer be added"):
        a.add_peers(["p1"], "m1", {"p1"})


def test_peers_are_active_and_not_already_raters() -> None:
    a = Assessment.create("c1", "e1", ROLE, (1, 5), NOW)
    with pytest.raises(Invalid) as caught:
        a.add_peers(["e1", "gone"], "m1", {"e1"})
    assert caught.value.problems == [
        "peer_ids[0]: 'e1' already rates as self or manager",
        "peer_ids[1]: 'gone' is not an active employee",
    ]
    assert a.add_peers(["p1", "p2", "p1"], "m1", {"p1", "p2"}) == ["p1", "p2"]


def test_calibration_is_by_hand_with_a_reason_on_completed_assessments() -> None:
    cycle = _cycle()
    a = Assessment.create(cycle.cycle_id, "e1", ROLE, (1, 5), NOW)
    with pytest.raises(Conflict, match="only a completed one is calibrated"):
        a.calibrate("sql", 4, "demo", "hr1", NOW)
    a.submit("m1", RaterKind.MANAGER, _ratings(3, 1), cycle, NOW)
    a.complete(cycle, NOW)
    with pytest.raises(Invalid, match="outside the scale 1-5"):
        a.calibrate("sql", 9, "demo", "hr1", NOW)
    with pytest.raises(Invalid, match="say why"):
        a.calibrate("sql", 4, "  ", "hr1", NOW)
    a.calibrate("sql", 4, "led the migration", "hr1", NOW)
    assert a.results["sql"].source is ResultSource.CALIBRATED
    [sql] = [lv for lv in a.completed_event().levels if lv.competency_id == "sql"]
    assert (sql.level, sql.calibration_reason) == (4, "led the migration")

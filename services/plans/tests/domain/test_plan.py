"""The Plan aggregate guards every transition and records the events it causes (no I/O)."""

from datetime import UTC, date, datetime

import pytest

from careerstream.contracts.events import plans as ev
from careerstream.plans.domain.plan import GoalState, Plan, PlanState
from careerstream.plans.domain.rules import CatalogueEntry, GapIn, NewGoal
from careerstream.servicekit.domain import Conflict, NotFound

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
PERIOD = (date(2026, 1, 1), date(2026, 6, 30))
COURSE = CatalogueEntry("c1", "*", "course", "A course", 0, 5, 2)


def _types(plan: Plan) -> list[str]:
    return [type(e).__name__ for e in plan.pull_events()]


def _draft(*goals: NewGoal) -> Plan:
    plan = Plan.start("e1", PERIOD, suggested=False, assessment_id=None, now=NOW)
    for g in goals:
        plan.add_goal(g, source="gap", now=NOW, suggestions=[COURSE])
    plan.pull_events()
    return plan


def test_a_draft_announces_itself_and_each_goal_with_its_actions() -> None:
    plan = Plan.start("e1", PERIOD, suggested=False, assessment_id="a1", now=NOW)
    goal = plan.add_goal(NewGoal("sql", 1, 3), source="gap", now=NOW, suggestions=[COURSE])
    events = plan.pull_events()
    assert [type(e) for e in events] == [ev.PlanCreated, ev.GoalAdded]
    added = events[1]
    assert isinstance(added, ev.GoalAdded)
    assert added.target_date == PERIOD[1] == goal.target_date
    assert [(a.kind, a.owner_id) for a in added.actions] == [("course", "e1")]
    assert plan.pull_events() == []  # pulled once


def test_a_suggestion_is_quiet_until_accepted_then_announces_everything() -> None:
    plan = Plan.start("e1", PERIOD, suggested=True, assessment_id=None, now=NOW)
    plan.add_goal(NewGoal("sql", 1, 3), source="gap", now=NOW)
    plan.add_goal(NewGoal("go", 0, 2), source="gap", now=NOW)
    assert plan.pull_events() == []
    with pytest.raises(Conflict, match="only a draft is approved"):
        plan.approve("m1", NOW)
    plan.accept()
    assert plan.status is PlanState.DRAFT
    assert _types(plan) == ["PlanCreated", "GoalAdded", "GoalAdded"]
    with pytest.raises(Conflict, match="only a suggested plan is accepted"):
        plan.accept()


def test_approval_makes_a_draft_active_once() -> None:
    plan = _draft(NewGoal("sql", 1, 3))
    plan.approve("m1", NOW)
    assert (plan.status, plan.approved_by) == (PlanState.ACTIVE, "m1")
    assert _types(plan) == ["PlanApproved"]
    with pytest.raises(Conflict, match="is active; only a draft is approved"):
        plan.approve("m1", NOW)


def test_closing_the_last_open_goal_completes_the_plan_counting_goals() -> None:
    plan = _draft(NewGoal("sql", 1, 3), NewGoal("go", 0, 2))
    first, second = plan.goals
    assert plan.complete_goal(first.goal_id, ev.GoalOutcome.DROPPED, NOW) is False
    assert plan.complete_goal(second.goal_id, ev.GoalOutcome.ACHIEVED, NOW) is True
    assert second.progress == 100
    assert plan.status is PlanState.COMPLETED
    events = plan.pull_events()
    assert [type(e).__name__ for e in events] == ["GoalCompleted", "GoalCompleted", "PlanCompleted"]
    done = events[-1]
    assert isinstance(done, ev.PlanCompleted)
    assert (done.goals_total, done.goals_achieved) == (2, 1)
    with pytest.raises(Conflict, match="already dropped"):
        plan.complete_goal(first.goal_id, ev.GoalOutcome.ACHIEVED, NOW)


def test_progress_only_on_open_goals_of_working_plans() -> None:
    plan = _draft(NewGoal("sql", 1, 3), NewGoal("go", 0, 2))
    goal = plan.goals[0]
    plan.record_progress(goal.goal_id, 40, NOW)
    assert goal.progress == 40
    assert _types(plan) == ["GoalProgressed"]
    plan.close(ev.PlanOutcome.CLOSED_ON_MOVE, NOW)
    with pytest.raises(Conflict, match="is closed"):
        plan.record_progress(goal.goal_id, 50, NOW)
    with pytest.raises(NotFound):
        plan.record_progress("goal-none", 50, NOW)


def test_one_open_goal_per_competency_by_hand() -> None:
    plan = _draft(NewGoal("sql", 1, 3))
    with pytest.raises(Conflict, match="already has an open goal for 'sql'"):
        plan.add_goal_by_hand(
            NewGoal("sql", 1, 4), source="manual", now=NOW, target_date=None, suggestions=()
        )
    plan.add_goal_by_hand(
        NewGoal("go", 0, 2), source="manual", now=NOW, target_date=None, suggestions=()
    )
    assert [g.competency_id for g in plan.goals] == ["sql", "go"]


def test_rebase_achieves_supersedes_and_adds_then_completes_when_nothing_is_left() -> None:
    plan = _draft(NewGoal("sql", 1, 3), NewGoal("go", 0, 2))
    sql, go = plan.goals
    plan.rebase([GapIn("sql", 3, 3), GapIn("go", 1, 4)], {"go": [COURSE]}, NOW)
    assert sql.status is GoalState.ACHIEVED
    assert go.status is GoalState.SUPERSEDED
    new = plan.goals[-1]
    assert (new.competency_id, new.from_level, new.to_level) == ("go", 1, 4)
    assert plan.status is PlanState.DRAFT  # the new goal is open
    plan.rebase([GapIn("go", 4, 4)], {}, NOW)
    assert plan.status.value == "completed"
    assert plan.pull_events()[-1] == ev.PlanCompleted(
        plan_id=plan.plan_id,
        employee_id="e1",
        outcome=ev.PlanOutcome.COMPLETED,
        goals_total=2,  # superseded goals are not counted
        goals_achieved=2,
        completed_at=NOW,
    )


def test_check_ins_only_on_working_plans() -> None:
    plan = _draft(NewGoal("sql", 1, 3))
    plan.check_in("m1", "good start", 4, NOW)
    assert len(plan.new_checkins) == 1
    assert _types(plan) == ["CheckinRecorded"]
    plan.close(ev.PlanOutcome.CLOSED_ON_TERMINATION, NOW)
    with pytest.raises(Conflict, match="check-ins are held on open plans"):
        plan.check_in("m1", "too late", 3, NOW)


def test_actions_are_planned_on_open_goals_only() -> None:
    plan = _draft(NewGoal("sql", 1, 3))
    goal = plan.goals[0]
    action = plan.add_action(
        goal.goal_id, kind="mentoring", title="Pair", owner_id="e1", target_date=PERIOD[1]
    )
    assert plan.action(action.action_id) == (goal, action)
    plan.complete_goal(goal.goal_id, ev.GoalOutcome.DROPPED, NOW)
    with pytest.raises(Conflict, match="is dropped"):
        plan.add_action(
            goal.goal_id, kind="course", title="Late", owner_id="e1", target_date=PERIOD[1]
        )


def test_a_plans_progress_rolls_up_from_the_goals_that_still_count() -> None:
    plan = _draft(NewGoal("sql", 1, 3), NewGoal("go", 0, 2), NewGoal("k8s", 0, 2))
    assert plan.progress == 0
    sql, go, k8s = plan.goals
    plan.record_progress(sql.goal_id, 40, NOW)
    plan.record_progress(go.goal_id, 50, NOW)
    assert plan.progress == 30  # (40 + 50 + 0) / 3
    plan.complete_goal(k8s.goal_id, ev.GoalOutcome.DROPPED, NOW)
    assert plan.progress == 45  # a dropped goal no longer counts
    plan.complete_goal(go.goal_id, ev.GoalOutcome.ACHIEVED, NOW)
    assert plan.progress == 70  # (40 + 100) / 2
    assert _draft().progress is None

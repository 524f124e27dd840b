"""The development plan aggregate: a plan, its goals and their actions, guarded as one.

Lifecycle of a plan: `suggested` (the tenant's mode is `suggest`: nothing is
published until the employee or manager accepts it) -> `draft` -> `active`
(the manager approved it) -> `completed` (every goal closed) or `closed` (the
person moved or left, or a plan of a later period replaced it).

A goal is `open` until it is `achieved`, `dropped` or `superseded` (a later
assessment asks for more). Progress is recorded on open goals of a draft or
active plan. A plan with goals, none of them open, completes itself.

Every change records the contract event it causes (`pull_events`), except
while the plan is a suggestion: accepting it records its creation and each of
its goals at once, as if they had just been made.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from careerstream.contracts.base import EventPayload
from careerstream.contracts.events import plans as ev
from careerstream.plans.domain.rules import (
    CatalogueEntry,
    GapIn,
    LearningRecord,
    NewGoal,
    OpenGoal,
    Rebase,
    learning_effect,
    rebase,
)
from careerstream.servicekit.domain import Aggregate, Conflict, NotFound


class PlanState(StrEnum):
    """Where a plan is in its lifecycle (see the module)."""

    SUGGESTED = "suggested"
    DRAFT = "draft"
    ACTIVE = "active"
    COMPLETED = "completed"
    CLOSED = "closed"


OPEN = (PlanState.SUGGESTED, PlanState.DRAFT, PlanState.ACTIVE)
"""A plan in one of these is the employee's plan of its period."""

WORKING = (PlanState.DRAFT, PlanState.ACTIVE)
"""A plan in one of these is worked on: goals, progress, actions, check-ins."""


class GoalState(StrEnum):
    """An open goal, or how it closed (the contract's `GoalOutcome`)."""

    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"
    SUPERSEDED = "superseded"


class ActionState(StrEnum):
    """Where an action stands; any state may follow any other."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


def new_id(prefix: str) -> str:
    """A fresh identifier: `plan-…`, `goal-…`, `act-…`, `chk-…`."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


@dataclass
class Action:
    """One step towards a goal: a course, an assignment, a mentor, a project, a rotation."""

    action_id: str
    kind: str
    title: str
    owner_id: str
    target_date: date
    status: ActionState = ActionState.PLANNED
    entry_id: str | None = None
    """The catalogue entry it is, when it is one (a learning record finds it by that)."""
    progress: int = 0
    """Percent done: 100 when done; a learning record's `progressed` moves it."""
    via: ev.ActionVia = ev.ActionVia.HAND
    """What last changed it."""
    statement_id: str | None = None
    """The learning record that last changed it (`via` lms)."""

    def as_event(self) -> ev.Action:
        """The action as events carry it."""
        return ev.Action(
            action_id=self.action_id,
            kind=ev.ActionKind(self.kind),
            title=self.title,
            owner_id=self.owner_id,
            target_date=self.target_date,
        )


@dataclass
class Goal:
    """A competency to grow, from one level to another, by a date."""

    goal_id: str
    competency_id: str
    from_level: int
    to_level: int
    target_date: date
    source: str
    created_at: datetime
    status: GoalState = GoalState.OPEN
    progress: int = 0
    completed_at: datetime | None = None
    actions: list[Action] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """Not achieved, dropped or superseded yet."""
        return self.status is GoalState.OPEN


@dataclass(frozen=True)
class CheckIn:
    """A manager's check-in on a plan; the notes are private to the employee and their managers."""

    checkin_id: str
    manager_id: str
    notes: str
    progress_rating: int
    held_at: datetime


class Plan(Aggregate):
    """One employee's development plan for one period (see the module for its rules)."""

    def __init__(
        self,
        *,
        plan_id: str,
        employee_id: str,
        period_start: date,
        period_end: date,
        status: PlanState,
        created_at: datetime,
        assessment_id: str | None = None,
        transition_to_role_id: str | None = None,
        approved_by: str | None = None,
        approved_at: datetime | None = None,
        completed_at: datetime | None = None,
        outcome: str | None = None,
        goals: Sequence[Goal] = (),
    ) -> None:
        super().__init__()
        self.plan_id = plan_id
        self.employee_id = employee_id
        self.period_start = period_start
        self.period_end = period_end
        self.status = status
        self.created_at = created_at
        self.assessment_id = assessment_id
        self.transition_to_role_id = transition_to_role_id
        """Set on a transition plan: the role the person moved into."""
        self.approved_by = approved_by
        self.approved_at = approved_at
        self.completed_at = completed_at
        self.outcome = outcome
        self.goals = list(goals)
        self.new_checkins: list[CheckIn] = []

    # -- starting ------------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        employee_id: str,
        period: tuple[date, date],
        *,
        suggested: bool,
        assessment_id: str | None,
        now: datetime,
        transition_to_role_id: str | None = None,
    ) -> Plan:
        """A new plan for the period: a draft, or a suggestion that stays quiet until accepted.

        `transition_to_role_id`: a transition plan, for the role someone moved into."""
        plan = cls(
            plan_id=new_id("plan"),
            employee_id=employee_id,
            period_start=period[0],
            period_end=period[1],
            status=PlanState.SUGGESTED if suggested else PlanState.DRAFT,
            created_at=now,
            assessment_id=assessment_id,
            transition_to_role_id=transition_to_role_id,
        )
        if not suggested:
            plan.record(plan._created())
        return plan

    @property
    def is_open(self) -> bool:
        """Suggested, draft or active: the plan of its period."""
        return self.status in OPEN

    @property
    def progress(self) -> int | None:
        """The plan's progress from its goals' (0-100): the mean over the goals that still
        count — open or achieved (an achieved goal is 100); a dropped or superseded goal no
        longer counts. None when no goal counts."""
        counted = [
            g.progress for g in self.goals if g.status in (GoalState.OPEN, GoalState.ACHIEVED)
        ]
        return round(sum(counted) / len(counted)) if counted else None

    def _announce(self, event: EventPayload) -> None:
        if self.status is not PlanState.SUGGESTED:
            self.record(event)

    def _created(self) -> ev.PlanCreated:
        return ev.PlanCreated(
            plan_id=self.plan_id,
            employee_id=self.employee_id,
            period_start=self.period_start,
            period_end=self.period_end,
            status=ev.PlanStatus(self.status.value),
            assessment_id=self.assessment_id,
            transition_to_role_id=self.transition_to_role_id,
            created_at=self.created_at,
        )

    def _goal_added(self, goal: Goal) -> ev.GoalAdded:
        return ev.GoalAdded(
            plan_id=self.plan_id,
            goal_id=goal.goal_id,
            employee_id=self.employee_id,
            competency_id=goal.competency_id,
            from_level=goal.from_level,
            to_level=goal.to_level,
            target_date=goal.target_date,
            actions=[a.as_event() for a in sorted(goal.actions, key=lambda a: a.action_id)],
            added_at=goal.created_at,
        )

    def require_working(self, what: str) -> None:
        """409 unless the plan is a draft or active; `what` ends the message."""
        if self.status not in WORKING:
            raise Conflict(f"plan '{self.plan_id}' is {self.status.value}{what}")

    # -- the lifecycle -------------------------------------------------------------------------

    def accept(self) -> None:
        """A suggestion becomes a draft; its creation and goals are published now."""
        if self.status is not PlanState.SUGGESTED:
            raise Conflict(
                f"plan '{self.plan_id}' is {self.status.value}; only a suggested plan is accepted"
            )
        self.status = PlanState.DRAFT
        self.record(self._created())
        for goal in sorted(self.goals, key=lambda g: g.created_at):
            self.record(self._goal_added(goal))

    def approve(self, manager_id: str, now: datetime) -> None:
        """The manager approves a draft: it becomes active."""
        if self.status is not PlanState.DRAFT:
            raise Conflict(
                f"plan '{self.plan_id}' is {self.status.value}; only a draft is approved"
            )
        self.status, self.approved_by, self.approved_at = PlanState.ACTIVE, manager_id, now
        self.record(
            ev.PlanApproved(
                plan_id=self.plan_id,
                employee_id=self.employee_id,
                approved_by=manager_id,
                approved_at=now,
            )
        )

    def finish(self, status: PlanState, outcome: ev.PlanOutcome, now: datetime) -> None:
        """Complete or close the plan, counting its goals (superseded ones aside)."""
        counted = [g for g in self.goals if g.status is not GoalState.SUPERSEDED]
        self.status, self.outcome, self.completed_at = status, outcome.value, now
        self._announce(
            ev.PlanCompleted(
                plan_id=self.plan_id,
                employee_id=self.employee_id,
                outcome=outcome,
                goals_total=len(counted),
                goals_achieved=sum(g.status is GoalState.ACHIEVED for g in counted),
                completed_at=now,
            )
        )

    def close(self, outcome: ev.PlanOutcome, now: datetime) -> None:
        """Close an open plan without completing it (a move, a leaver, a later period)."""
        self.finish(PlanState.CLOSED, outcome, now)

    def complete_if_done(self, now: datetime) -> bool:
        """Complete a draft or active plan that has goals, none of them open; True if it did."""
        if self.status not in WORKING:
            return False
        counted = [g for g in self.goals if g.status is not GoalState.SUPERSEDED]
        if counted and not any(g.is_open for g in counted):
            self.finish(PlanState.COMPLETED, ev.PlanOutcome.COMPLETED, now)
            return True
        return False

    # -- goals ---------------------------------------------------------------------------------

    def goal(self, goal_id: str) -> Goal:
        """One of the plan's goals."""
        for g in self.goals:
            if g.goal_id == goal_id:
                return g
        raise NotFound(f"no goal '{goal_id}' among those you may see")

    def open_goal_for(self, competency_id: str) -> Goal | None:
        """The open goal for a competency, if there is one."""
        return next((g for g in self.goals if g.is_open and g.competency_id == competency_id), None)

    def add_goal(
        self,
        new: NewGoal,
        *,
        source: str,
        now: datetime,
        target_date: date | None = None,
        suggestions: Sequence[CatalogueEntry] = (),
    ) -> Goal:
        """A goal due by `target_date` (default: the end of the period), with the suggested
        catalogue entries as its first actions, owned by the employee and due with the goal."""
        due = target_date or self.period_end
        goal = Goal(
            goal_id=new_id("goal"),
            competency_id=new.competency_id,
            from_level=new.from_level,
            to_level=new.to_level,
            target_date=due,
            source=source,
            created_at=now,
            actions=[
                Action(new_id("act"), e.kind, e.title, self.employee_id, due, entry_id=e.entry_id)
                for e in suggestions
            ],
        )
        self.goals.append(goal)
        self._announce(self._goal_added(goal))
        return goal

    def add_goal_by_hand(
        self,
        new: NewGoal,
        *,
        source: str,
        now: datetime,
        target_date: date | None,
        suggestions: Sequence[CatalogueEntry],
    ) -> Goal:
        """A goal the employee or manager adds: to a draft or active plan, one open per competency."""
        self.require_working("; goals are added to a draft or active plan")
        duplicate = self.open_goal_for(new.competency_id)
        if duplicate is not None:
            raise Conflict(
                f"plan '{self.plan_id}' already has an open goal for "
                f"'{new.competency_id}' ({duplicate.goal_id})"
            )
        return self.add_goal(
            new, source=source, now=now, target_date=target_date, suggestions=suggestions
        )

    def close_goal(self, goal_id: str, outcome: ev.GoalOutcome, now: datetime) -> None:
        """Close an open goal: achieved (progress 100), dropped or superseded."""
        goal = self.goal(goal_id)
        goal.status, goal.completed_at = GoalState(outcome.value), now
        if outcome is ev.GoalOutcome.ACHIEVED:
            goal.progress = 100
        self._announce(
            ev.GoalCompleted(
                plan_id=self.plan_id,
                goal_id=goal.goal_id,
                employee_id=self.employee_id,
                competency_id=goal.competency_id,
                outcome=outcome,
                completed_at=now,
            )
        )

    def complete_goal(self, goal_id: str, outcome: ev.GoalOutcome, now: datetime) -> bool:
        """The employee or manager closes a goal; True when that completed the plan."""
        goal = self.goal(goal_id)
        if not goal.is_open:
            raise Conflict(f"goal '{goal_id}' is already {goal.status.value}")
        self.require_working("")
        self.close_goal(goal_id, outcome, now)
        return self.complete_if_done(now)

    def record_progress(self, goal_id: str, value: int, now: datetime) -> None:
        """Progress (percent) on an open goal of a draft or active plan."""
        goal = self.goal(goal_id)
        if not goal.is_open:
            raise Conflict(
                f"goal '{goal_id}' is {goal.status.value}; progress is recorded on open goals"
            )
        self.require_working("")
        goal.progress = value
        self.record(
            ev.GoalProgressed(
                plan_id=self.plan_id,
                goal_id=goal_id,
                employee_id=self.employee_id,
                progress=value,
                recorded_at=now,
            )
        )

    def open_goal(self, goal_id: str) -> Goal:
        """One of the plan's goals, which must be open."""
        goal = self.goal(goal_id)
        if not goal.is_open:
            raise Conflict(f"goal '{goal_id}' is {goal.status.value}")
        return goal

    def add_action(
        self,
        goal_id: str,
        *,
        kind: str,
        title: str,
        owner_id: str,
        target_date: date,
        entry_id: str | None = None,
    ) -> Action:
        """A planned action for an open goal (`rules.action_problems` checked its fields)."""
        action = Action(new_id("act"), kind, title, owner_id, target_date, entry_id=entry_id)
        self.open_goal(goal_id).actions.append(action)
        return action

    def action(self, action_id: str) -> tuple[Goal, Action]:
        """One of the plan's actions, and its goal."""
        for goal in self.goals:
            for action in goal.actions:
                if action.action_id == action_id:
                    return goal, action
        raise NotFound(f"no action '{action_id}' among those you may see")

    def set_action_status(self, action_id: str, status: ActionState, now: datetime) -> None:
        """Move an action to any state (an action is a note to self, not a workflow)."""
        goal, action = self.action(action_id)
        action.status, action.via, action.statement_id = status, ev.ActionVia.HAND, None
        if status is ActionState.DONE:
            action.progress = 100
        self._action_updated(goal, action, now)

    def _action_updated(
        self,
        goal: Goal,
        action: Action,
        now: datetime,
        *,
        source: str | None = None,
        failed: bool = False,
    ) -> None:
        self._announce(
            ev.ActionUpdated(
                plan_id=self.plan_id,
                goal_id=goal.goal_id,
                action_id=action.action_id,
                employee_id=self.employee_id,
                kind=ev.ActionKind(action.kind),
                entry_id=action.entry_id,
                status=ev.ActionStatus(action.status.value),
                progress=action.progress,
                via=action.via,
                learning_statement_id=action.statement_id
                if action.via is ev.ActionVia.LMS
                else None,
                learning_source_id=source,
                failed_attempt=failed,
                updated_at=now,
            )
        )

    def apply_learning(self, entry_id: str, record: LearningRecord, now: datetime) -> list[str]:
        """A learning record for a catalogue entry: each open action of an open goal that is
        that entry moves (see `rules.learning_effect`); a goal whose every action is then done
        is achieved, and the plan completes when no goal is left open. Returns the actions
        moved. Only a draft or active plan moves."""
        if self.status not in WORKING:
            return []
        moved: list[str] = []
        for goal in [g for g in self.goals if g.is_open]:
            before = len(moved)
            for action in goal.actions:
                if action.entry_id != entry_id or action.status in (
                    ActionState.DONE,
                    ActionState.CANCELLED,
                ):
                    continue
                status, progress = learning_effect(action.status.value, action.progress, record)
                action.status, action.progress = ActionState(status), progress
                action.via, action.statement_id = ev.ActionVia.LMS, record.statement_id
                self._action_updated(
                    goal, action, now, source=record.source_id, failed=record.verb == "failed"
                )
                moved.append(action.action_id)
            if len(moved) > before:
                self._roll_up(goal, now)
        self.complete_if_done(now)
        return moved

    def undo_learning(
        self, action_id: str, remaining: Sequence[LearningRecord], now: datetime
    ) -> bool:
        """A learning record that moved an action was voided: the action is what the records
        left say (planned when none). An achieved goal stays achieved. True when it changed."""
        goal, action = self.action(action_id)
        if action.via is not ev.ActionVia.LMS:
            return False  # set by hand since: the hand's word stands
        status, progress = ActionState.PLANNED.value, 0
        for r in remaining:
            status, progress = learning_effect(status, progress, r)
        action.status, action.progress = ActionState(status), progress
        action.statement_id = remaining[-1].statement_id if remaining else None
        self._action_updated(goal, action, now)
        if goal.is_open:
            self._roll_up(goal, now)
        return True

    def _roll_up(self, goal: Goal, now: datetime) -> None:
        """A goal's progress is at least the mean of its actions' (cancelled ones left out);
        with every action done, the goal is achieved."""
        counted = [a for a in goal.actions if a.status is not ActionState.CANCELLED]
        if not counted or not goal.is_open:
            return
        if all(a.status is ActionState.DONE for a in counted):
            self.close_goal(goal.goal_id, ev.GoalOutcome.ACHIEVED, now)
            return
        rolled = round(sum(a.progress for a in counted) / len(counted))
        if rolled > goal.progress:
            goal.progress = rolled
            self._announce(
                ev.GoalProgressed(
                    plan_id=self.plan_id,
                    goal_id=goal.goal_id,
                    employee_id=self.employee_id,
                    progress=rolled,
                    recorded_at=now,
                )
            )

    def rebase(
        self,
        gaps: Sequence[GapIn],
        suggestions: Mapping[str, Sequence[CatalogueEntry]],
        now: datetime,
    ) -> None:
        """Meet a new assessment's gaps (see `rules.rebase`), then complete the plan if done.

        `suggestions` holds the catalogue entries for each competency that gets a new goal."""
        decision = self.rebase_decision(gaps)
        for goal_id in decision.achieved:
            self.close_goal(goal_id, ev.GoalOutcome.ACHIEVED, now)
        for goal_id in decision.superseded:
            self.close_goal(goal_id, ev.GoalOutcome.SUPERSEDED, now)
        for new in decision.new:
            self.add_goal(
                new, source="gap", now=now, suggestions=suggestions.get(new.competency_id, ())
            )
        self.complete_if_done(now)

    def rebase_decision(self, gaps: Sequence[GapIn]) -> Rebase:
        """What meeting these gaps would do to the open goals (nothing changes yet)."""
        open_goals = [
            OpenGoal(g.goal_id, g.competency_id, g.to_level) for g in self.goals if g.is_open
        ]
        return rebase(open_goals, gaps)

    # -- check-ins -----------------------------------------------------------------------------

    def check_in(self, manager_id: str, notes: str, rating: int, now: datetime) -> CheckIn:
        """A manager's check-in on a draft or active plan."""
        self.require_working("; check-ins are held on open plans")
        checkin = CheckIn(new_id("chk"), manager_id, notes, rating, now)
        self.new_checkins.append(checkin)
        self.record(
            ev.CheckinRecorded(
                plan_id=self.plan_id,
                checkin_id=checkin.checkin_id,
                employee_id=self.employee_id,
                manager_id=manager_id,
                progress_rating=rating,
                held_at=now,
            )
        )
        return checkin

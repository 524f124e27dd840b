"""Development plan rules without I/O: periods, goals from gaps, rebasing, suggestions, guides.

**Periods.** Plans run for a period of `period_months` (default 6) aligned on
the calendar year: with 6, January-June and July-December. One plan per
employee per period is open (suggested, draft or active) at a time.

**Goals from gaps.** Each positive gap becomes a goal: the competency, from the
current level to the required one.

**Rebasing** (a new assessment's gaps meet an open plan), per competency of
the gaps:
- an open goal whose target the person now meets is *achieved*;
- an open goal whose target is now below what is required is *superseded* by a
  new goal to the higher level;
- a positive gap without an open goal becomes a new goal.

**Suggestions** for a goal (competency c, from f to t, gap t - f), from the
catalogue (the tenant's entries and the seeded ones):
1. only entries for c or for any competency (`*`) whose level band contains t;
2. entries for c before generic ones;
3. by kind, for the size of the gap: a gap of 2 or more starts with learning
   (course, mentoring, stretch assignment, project, rotation); a gap of 1
   starts with practice (stretch assignment, project, mentoring, course,
   rotation);
4. less effort first, then by title.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

KINDS = ("course", "stretch_assignment", "mentoring", "project", "rotation")
_LEARN_FIRST = ("course", "mentoring", "stretch_assignment", "project", "rotation")
_PRACTICE_FIRST = ("stretch_assignment", "project", "mentoring", "course", "rotation")


def period_for(day: date, months: int = 6) -> tuple[date, date]:
    """The first and last day of the period of `months` that contains `day`."""
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValueError("period_months must divide the year: 1, 2, 3, 4, 6 or 12")
    first = ((day.month - 1) // months) * months + 1
    start = date(day.year, first, 1)
    end_month = first + months
    end = date(day.year + 1, 1, 1) if end_month > 12 else date(day.year, end_month, 1)
    return start, date.fromordinal(end.toordinal() - 1)


@dataclass(frozen=True)
class GapIn:
    competency_id: str
    current: int
    required: int

    @property
    def gap(self) -> int:
        return self.required - self.current


@dataclass(frozen=True)
class OpenGoal:
    goal_id: str
    competency_id: str
    to_level: int


@dataclass(frozen=True)
class NewGoal:
    competency_id: str
    from_level: int
    to_level: int


@dataclass(frozen=True)
class Rebase:
    achieved: list[str]
    superseded: list[str]
    new: list[NewGoal]


def goal_problems(
    competency_id: str,
    from_level: int,
    to_level: int,
    target_date: date | None,
    scale: tuple[int, int] | None,
    today: date,
) -> list[str]:
    """What is wrong with a goal added by hand (empty when nothing is); `scale` is the
    competency's (low, high), None when no published framework has it."""
    problems = []
    if scale is None:
        problems.append(
            f"competency_id: '{competency_id}' is not a competency of any published framework"
        )
    elif not scale[0] <= to_level <= scale[1]:
        problems.append(f"to_level: {to_level} is outside the scale {scale[0]}-{scale[1]}")
    if from_level >= to_level:
        problems.append(f"to_level: {to_level} must be above from_level {from_level}")
    if target_date is not None and target_date < today:
        problems.append(f"target_date: {target_date.isoformat()} is in the past")
    return problems


def action_problems(
    kind: str, target_date: date, owner_active: bool, owner_id: str, today: date
) -> list[str]:
    """What is wrong with an action planned by hand (empty when nothing is)."""
    problems = []
    if kind not in KINDS:
        problems.append(f"kind: '{kind}' is not one of {', '.join(KINDS)}")
    if target_date < today:
        problems.append(f"target_date: {target_date.isoformat()} is in the past")
    if not owner_active:
        problems.append(f"owner_id: '{owner_id}' is not an active employee")
    return problems


def goals_from_gaps(gaps: Sequence[GapIn]) -> list[NewGoal]:
    """A goal for each positive gap: from the current level to the required one."""
    return [NewGoal(g.competency_id, g.current, g.required) for g in gaps if g.gap > 0]


def transition_gaps(
    requirements: Mapping[str, int], known: Mapping[str, int]
) -> tuple[list[GapIn], list[str]]:
    """A new role's gaps for someone who moved into it, from their latest known levels; and
    the competencies it requires at which their level is not known yet (never rated)."""
    gaps = [GapIn(c, known[c], req) for c, req in sorted(requirements.items()) if c in known]
    return gaps, sorted(c for c in requirements if c not in known)


def rebase(open_goals: Sequence[OpenGoal], gaps: Sequence[GapIn]) -> Rebase:
    """Which open goals the gaps achieve or supersede, and which new goals they need."""
    by_comp = {g.competency_id: g for g in open_goals}
    achieved: list[str] = []
    superseded: list[str] = []
    new: list[NewGoal] = []
    for gap in gaps:
        goal = by_comp.get(gap.competency_id)
        if goal is not None and gap.current >= goal.to_level:
            achieved.append(goal.goal_id)
            goal = None
        elif goal is not None and gap.required > goal.to_level:
            superseded.append(goal.goal_id)
            goal = None
        if goal is None and gap.gap > 0:
            new.append(NewGoal(gap.competency_id, gap.current, gap.required))
    return Rebase(achieved, superseded, new)


@dataclass(frozen=True)
class CatalogueEntry:
    entry_id: str
    competency_id: str
    """A competency id, or '*' for any competency."""
    kind: str
    title: str
    min_level: int
    max_level: int
    effort_weeks: int


def rank(
    entries: Sequence[CatalogueEntry], competency_id: str, from_level: int, to_level: int
) -> list[CatalogueEntry]:
    """The catalogue entries that fit a goal, best first (see the module)."""
    order = _LEARN_FIRST if to_level - from_level >= 2 else _PRACTICE_FIRST
    fitting = [
        e
        for e in entries
        if e.competency_id in (competency_id, "*") and e.min_level <= to_level <= e.max_level
    ]
    return sorted(
        fitting,
        key=lambda e: (
            e.competency_id != competency_id,
            order.index(e.kind) if e.kind in order else len(order),
            e.effort_weeks,
            e.title,
        ),
    )


@dataclass(frozen=True)
class GuideItem:
    competency_id: str
    competency: str
    from_level: int
    to_level: int
    change: str
    """grow (required higher there), new (not required now), same."""
    now: str
    """What success looks like at the level required now."""
    then: str
    """What success looks like at the level required there."""
    questions: list[str]


def guide(
    required_now: Mapping[str, int],
    required_then: Mapping[str, int],
    competencies: Mapping[str, tuple[str, Mapping[int, str]]],
    *,
    to_title: str,
) -> list[GuideItem]:
    """What changes in each competency from one role to another, and what to ask about it."""
    items: list[GuideItem] = []
    for comp_id, then_level in sorted(required_then.items(), key=lambda kv: kv[0]):
        name, descriptors = competencies.get(comp_id, (comp_id, {}))
        now_level = required_now.get(comp_id, 0)
        change = "new" if now_level == 0 else ("grow" if then_level > now_level else "same")
        then_text = descriptors.get(then_level, "")
        now_text = (
            descriptors.get(now_level, "") if now_level else "(not required in the current role)"
        )
        if change == "same":
            questions = [
                f"How will you keep {name.lower()} at this level as a {to_title}?",
            ]
        else:
            questions = [
                f"Where have you already worked like this: \u201c{then_text}\u201d?",
                f"What is the biggest difference for you between today's {name.lower()} and that?",
                f"Which assignment in the next months would let you practise {name.lower()} at that level?",
                "Who could mentor you on it, and how will we know you are there?",
            ]
        items.append(
            GuideItem(comp_id, name, now_level, then_level, change, now_text, then_text, questions)
        )
    return sorted(
        items, key=lambda i: ({"new": 0, "grow": 1, "same": 2}[i.change], i.competency_id)
    )


@dataclass(frozen=True)
class LearningRecord:
    """What the LMS said someone did with a catalogue entry (from a `learning.*` event)."""

    statement_id: str
    source_id: str
    verb: str
    """completed, passed, failed, progressed or attempted."""
    progress: int | None = None


def learning_effect(status: str, progress: int, record: LearningRecord) -> tuple[str, int]:
    """An action's status and progress after a learning record: completed or passed is done
    (100); progressed is in progress, at the record's progress if that is further; attempted
    and failed start it (a failed attempt leaves it open, as it was)."""
    if record.verb in ("completed", "passed"):
        return "done", 100
    if record.verb == "progressed":
        return "in_progress", max(progress, record.progress or 0)
    return ("in_progress" if status == "planned" else status), progress

"""Applying vendor notifications to the people the gateway knows: the hire / change / terminate
decision, and the canonical events it causes. No I/O.

In order, a later notification seeing an earlier one's effect:
- a termination of someone active ends their employment (of anyone else: unchanged);
- anything else of someone unknown or gone hires them, their record merged with it;
- of someone active it changes the fields that differ (none: unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from careerstream.contracts.base import EventPayload
from careerstream.contracts.events import hris as ev
from careerstream.hris.domain.records import DETAIL_OF, Kind, Notification, Record, changes


class Outcome(StrEnum):
    """What one notification did."""

    HIRED = "hired"
    CHANGED = "changed"
    TERMINATED = "terminated"
    UNCHANGED = "unchanged"
    HELD = "held"


@dataclass
class Person:
    """Someone the gateway knows: their merged record and whether they are employed."""

    record: Record
    active: bool
    hired_on: date | None
    dirty: bool = False
    """Changed by this batch: to be written."""


@dataclass(frozen=True)
class Applied:
    """A notification that changed someone: what it did, and the record after it."""

    outcome: Outcome
    notification: Notification
    record: Record
    fields: list[str]
    """For a change: the record fields that changed and are employment details."""


def decide(
    notifications: Sequence[Notification], people: dict[str, Person], today: date
) -> tuple[list[Outcome], list[Applied]]:
    """Apply `notifications` in order to `people` (updated in place, hires added); returns each
    one's outcome and, in order, those that changed someone. One effective after `today` is held."""
    outcomes: list[Outcome] = []
    applied: list[Applied] = []
    for n in notifications:
        if n.effective_date > today:
            outcomes.append(Outcome.HELD)
            continue
        person = people.get(n.employee_id)
        if n.kind is Kind.TERMINATE:
            if person is None or not person.active:
                outcomes.append(Outcome.UNCHANGED)
                continue
            person.active, person.dirty = False, True
            outcomes.append(Outcome.TERMINATED)
            applied.append(Applied(Outcome.TERMINATED, n, person.record, []))
            continue
        old = person.record if person is not None else Record(n.employee_id)
        new = old.merged(n.values)
        if person is None or not person.active:
            people[n.employee_id] = Person(new, True, n.effective_date, dirty=True)
            outcomes.append(Outcome.HIRED)
            applied.append(Applied(Outcome.HIRED, n, new, []))
            continue
        changed = changes(old, new)
        if not changed:
            outcomes.append(Outcome.UNCHANGED)
            continue
        person.record, person.dirty = new, True
        outcomes.append(Outcome.CHANGED)
        applied.append(Applied(Outcome.CHANGED, n, new, [f for f in changed if f in DETAIL_OF]))
    return outcomes, applied


def job_codes(applied: Sequence[Applied]) -> set[str]:
    """The job codes whose framework roles the events need."""
    return {
        a.record.job_code
        for a in applied
        if a.outcome is not Outcome.TERMINATED and a.record.job_code
    }


RESTRICTED_FIELDS = frozenset({"groups"})
"""Record fields that never travel in `employee.*`: group attributes go to metrics alone, in
`groups.recorded` on their own topic."""


def details(
    r: Record, roles: Mapping[str, str], fields: list[str] | None = None
) -> tuple[ev.EmploymentDetails, list[str]]:
    """Canonical details of `r` (only `fields` when given) and the names of the detail fields;
    the job code brings its mapped role (none when unmapped). Group attributes are left out."""
    values: dict[str, Any] = {}
    names: list[str] = []
    for f in fields if fields is not None else list(DETAIL_OF):
        if f not in DETAIL_OF or f in RESTRICTED_FIELDS:
            continue
        detail = DETAIL_OF[f]
        value = getattr(r, f)
        values[detail] = value
        names.append(detail)
        if f == "job_code":
            values["role_id"] = roles.get(r.job_code) if r.job_code else None
            names.append("role_id")
    return ev.EmploymentDetails(**values), names


def _groups(n: Notification, r: Record, recorded_at: datetime) -> ev.GroupsRecorded:
    return ev.GroupsRecorded(
        employee_id=n.employee_id,
        effective_date=n.effective_date,
        recorded_at=recorded_at,
        group_attributes=dict(r.groups) or None,
    )


def events(
    applied: Sequence[Applied], roles: Mapping[str, str], recorded_at: datetime
) -> list[EventPayload]:
    """The canonical events of what was applied, in order (a change of no detail field has none).

    Group attributes go out on their own, in `groups.recorded` (a topic only metrics reads):
    after a hire that names any, and after any change of them."""
    out: list[EventPayload] = []
    for a in applied:
        n, r = a.notification, a.record
        if a.outcome is Outcome.TERMINATED:
            out.append(
                ev.EmployeeTerminated(
                    employee_id=n.employee_id,
                    effective_date=n.effective_date,
                    recorded_at=recorded_at,
                    voluntary=bool(n.voluntary),
                    reason=n.reason,
                )
            )
        elif a.outcome is Outcome.HIRED:
            out.append(
                ev.EmployeeHired(
                    employee_id=n.employee_id,
                    effective_date=n.effective_date,
                    recorded_at=recorded_at,
                    display_name=r.display_name,
                    details=details(r, roles)[0],
                )
            )
            if r.groups:
                out.append(_groups(n, r, recorded_at))
        else:
            changed, names = details(r, roles, a.fields)
            if names:
                out.append(
                    ev.EmployeeChanged(
                        employee_id=n.employee_id,
                        effective_date=n.effective_date,
                        recorded_at=recorded_at,
                        changed_fields=names,
                        details=changed,
                    )
                )
            if "groups" in a.fields:
                out.append(_groups(n, r, recorded_at))
    return out

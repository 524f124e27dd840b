"""The hire / change / terminate decision and the events it causes (no I/O)."""

from datetime import UTC, date, datetime

from careerstream.contracts.events import hris as ev
from careerstream.hris.domain.directory import Outcome, Person, decide, events, job_codes
from careerstream.hris.domain.records import Kind, Notification, Record

TODAY = date(2026, 5, 4)
AT = datetime(2026, 5, 4, 9, tzinfo=UTC)


def test_in_order_each_notification_sees_the_one_before() -> None:
    people = {"e1": Person(Record("e1", job_code="J1", manager_id="m1"), True, date(2020, 1, 1))}
    notes = [
        Notification(Kind.CHANGE, "e1", TODAY, {"manager_id": "m2"}),
        Notification(Kind.CHANGE, "e1", TODAY, {"manager_id": "m2"}),  # nothing new now
        Notification(Kind.TERMINATE, "e1", TODAY, voluntary=True),
        Notification(Kind.TERMINATE, "e1", TODAY),  # already gone
        Notification(Kind.CHANGE, "e2", TODAY, {"job_code": "J2"}),  # unknown: a hire
        Notification(Kind.HIRE, "e3", date(2026, 6, 1), {"job_code": "J2"}),  # future: held
    ]
    outcomes, applied = decide(notes, people, TODAY)
    assert outcomes == [
        Outcome.CHANGED,
        Outcome.UNCHANGED,
        Outcome.TERMINATED,
        Outcome.UNCHANGED,
        Outcome.HIRED,
        Outcome.HELD,
    ]
    assert people["e1"].active is False
    assert people["e2"].hired_on == TODAY
    assert all(p.dirty for p in people.values())
    assert job_codes(applied) == {"J1", "J2"}


def test_events_carry_the_mapped_role_and_only_changed_detail_fields() -> None:
    people = {"e1": Person(Record("e1", job_code="J1", manager_id="m1"), True, None)}
    _, applied = decide(
        [
            Notification(Kind.CHANGE, "e1", TODAY, {"job_code": "J2"}),
            Notification(Kind.HIRE, "e2", TODAY, {"job_code": "J9", "display_name": "Ada"}),
        ],
        people,
        TODAY,
    )
    changed, hired = events(applied, {"J2": "eng-3"}, AT)
    assert isinstance(changed, ev.EmployeeChanged)
    assert changed.changed_fields == ["job_code", "role_id"]
    assert changed.details.role_id == "eng-3"
    assert isinstance(hired, ev.EmployeeHired)
    assert hired.details.role_id is None  # J9 is not mapped
    assert hired.display_name == "Ada"

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


def test_group_attributes_travel_apart_on_the_topic_only_metrics_reads() -> None:
    people = {"e1": Person(Record("e1", job_code="J1", groups={"gender": "f"}), True, None)}
    _, applied = decide(
        [
            Notification(Kind.HIRE, "e2", TODAY, {"job_code": "J1", "groups": {"gender": "m"}}),
            Notification(Kind.CHANGE, "e1", TODAY, {"groups": {"age_band": "30-39"}}),
            Notification(Kind.CHANGE, "e1", TODAY, {"job_code": "J2", "groups": {"gender": "x"}}),
            Notification(Kind.HIRE, "e3", TODAY, {"job_code": "J1"}),  # names none
        ],
        people,
        TODAY,
    )
    out = events(applied, {"J1": "eng-2", "J2": "eng-3"}, AT)
    assert [type(e).__name__ for e in out] == [
        "EmployeeHired",
        "GroupsRecorded",
        "GroupsRecorded",  # only the groups changed: no employee.changed at all
        "EmployeeChanged",
        "GroupsRecorded",
        "EmployeeHired",
    ]
    employee = [e for e in out if not isinstance(e, ev.GroupsRecorded)]
    assert all(e.details.group_attributes is None for e in employee)  # type: ignore[attr-defined]
    assert out[3].changed_fields == ["job_code", "role_id"]  # type: ignore[attr-defined]
    groups = [e for e in out if isinstance(e, ev.GroupsRecorded)]
    assert [(g.employee_id, g.group_attributes) for g in groups] == [
        ("e2", {"gender": "m"}),
        ("e1", {"gender": "f", "age_band": "30-39"}),  # all of them, merged
        ("e1", {"gender": "x", "age_band": "30-39"}),
    ]
    assert all(g.recorded_at == AT and g.effective_date == TODAY for g in groups)
    assert ev.GroupsRecorded.topic not in {ev.EmployeeHired.topic, ev.EmployeeChanged.topic}

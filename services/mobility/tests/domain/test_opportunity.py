"""An opportunity guards its applications, shortlist, fill and closing (no I/O)."""

from datetime import UTC, datetime, timedelta

import pytest

from careerstream.contracts.events import mobility as ev
from careerstream.mobility.domain.opportunity import (
    ApplicationState,
    Opportunity,
    OpportunityState,
    Posting,
    posting_problems,
)
from careerstream.servicekit.domain import Conflict, Forbidden, Invalid

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)


def _posting(**change: object) -> Posting:
    fields: dict[str, object] = {
        "kind": ev.OpportunityKind.PROJECT,
        "title": "Data pipeline",
        "description": "",
        "role_id": None,
        "family_id": None,
        "required": {"sql": 3},
        "time_share": 20,
        "duration_weeks": 8,
        "department_id": None,
        "location": None,
        "remote": True,
        "visibility": ev.VisibilityScope.TENANT,
        "hiring_manager_id": None,
        "closes_at": None,
    }
    return Posting(**{**fields, **change})  # type: ignore[arg-type]


def _open() -> Opportunity:
    opp = Opportunity.post(_posting(), required={"sql": 3}, role=None, hiring_manager="m1", now=NOW)
    opp.pull_events()
    return opp


def test_a_posting_names_competencies_not_degrees_and_every_problem_at_once() -> None:
    problems = posting_problems(
        _posting(
            kind=ev.OpportunityKind.GIG,
            duration_weeks=None,
            visibility=ev.VisibilityScope.DEPARTMENT,
            closes_at=NOW - timedelta(days=1),
        ),
        required={"sql": 9, "latin": 2},
        role_found=False,
        manager_active=True,
        hiring_manager="m1",
        known_competencies={"sql"},
        scale_high=5,
        now=NOW,
    )
    assert problems == [
        "required.latin: not a competency of any published role",
        "required.sql: level 9 is outside the scale 1-5",
        "department_id: a department-only opportunity names its department",
        f"closes_at: {(NOW - timedelta(days=1)).isoformat()} is in the past",
        "duration_weeks: a project or gig says how long it lasts",
    ]


def test_one_live_application_per_person_never_by_the_hiring_manager() -> None:
    opp = _open()
    app = opp.apply("e1", "keen", active=True, now=NOW)
    with pytest.raises(Conflict, match=f"already applied \\({app.application_id}\\)"):
        opp.apply("e1", "again", active=True, now=NOW)
    with pytest.raises(Conflict, match="hiring manager"):
        opp.apply("m1", "", active=True, now=NOW)
    with pytest.raises(Forbidden, match="only active employees"):
        opp.apply("gone", "", active=False, now=NOW)
    opp.withdraw(app.application_id, NOW)
    with pytest.raises(Conflict, match="is withdrawn; it cannot be withdrawn"):
        opp.withdraw(app.application_id, NOW)
    opp.apply("e1", "back again", active=True, now=NOW)  # a withdrawn one is not live
    assert [type(e).__name__ for e in opp.pull_events()] == [
        "ApplicationSubmitted",
        "ApplicationWithdrawn",
        "ApplicationSubmitted",
    ]


def test_a_fill_names_who_was_passed_over_and_how_far_they_got() -> None:
    opp = _open()
    a = opp.apply("e1", "", active=True, now=NOW)
    b = opp.apply("e2", "", active=True, now=NOW)
    c = opp.apply("e3", "", active=True, now=NOW)
    opp.withdraw(c.application_id, NOW)
    opp.shortlist(b.application_id, NOW)
    with pytest.raises(Conflict, match="only a submitted one is shortlisted"):
        opp.shortlist(b.application_id, NOW)
    with pytest.raises(Invalid, match="select someone who applied"):
        opp.chosen("app-nobody")
    filled = opp.fill(
        opp.chosen(a.application_id), from_role_id="r1", move_kind=ev.MoveKind.OTHER, now=NOW
    )
    assert filled.internal
    assert filled.employee_id == "e1"
    assert [(p.employee_id, p.stage) for p in filled.passed_over] == [
        ("e2", ev.PassedOverStage.SHORTLISTED)
    ]
    assert [x.status for x in opp.applications] == [
        ApplicationState.SELECTED,
        ApplicationState.NOT_SELECTED,
        ApplicationState.WITHDRAWN,
    ]
    assert opp.status is OpportunityState.FILLED
    with pytest.raises(Conflict, match="is filled"):
        opp.close("too late", NOW)

"""The metrics service against real Kafka and PostgreSQL.

A synthetic year of events goes in through Kafka; every expected figure below
is worked out by hand from that history (in the comments), not by the code
under test. Then: suppression of small groups, access rules, tenant isolation,
the daily snapshot, and a replay that rebuilds the projections to the same
figures while the live consumers run.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from careerstream.contracts.envelope import decode
from careerstream.contracts.events import hris as h
from careerstream.contracts.events import mobility as m
from careerstream.contracts.events import plans as p
from careerstream.contracts.topics import METRICS_SNAPSHOT
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, gaps, wait_until
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest
from careerstream.metrics.service_layer.figures import largest_gaps

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
THRESHOLD = 3
WINDOW = "from=2025-01-01&to=2026-01-01"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("metrics", anonymity_threshold=THRESHOLD) as running:
        yield running


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def _hire(
    emp: str, manager: str | None, dept: str, gender: str, on: str = "2024-01-01"
) -> h.EmployeeHired:
    return h.EmployeeHired(
        employee_id=emp,
        effective_date=date.fromisoformat(on),
        recorded_at=at(on),
        display_name=emp,
        details=h.EmploymentDetails(
            role_id="eng.engineer",
            manager_id=manager,
            department_id=dept,
            group_attributes={"gender": gender},
        ),
    )


def _leave(emp: str, on: str, voluntary: bool) -> h.EmployeeTerminated:
    return h.EmployeeTerminated(
        employee_id=emp,
        effective_date=date.fromisoformat(on),
        recorded_at=at(on),
        voluntary=voluntary,
    )


def _post(oid: str, on: str, dept: str = "D1") -> m.OpportunityPosted:
    return m.OpportunityPosted(
        opportunity_id=oid,
        kind=m.OpportunityKind.ROLE,
        title=oid,
        role_id="eng.senior",
        family_id="eng",
        required=[m.RequiredCompetency(competency_id="craft", level=3)],
        department_id=dept,
        hiring_manager_id="M",
        posted_at=at(on),
    )


def _fill(
    oid: str,
    posted: str,
    filled: str,
    mover: str | None,
    kind: str,
    passed: Sequence[tuple[str, str]] = (),
) -> m.RoleFilled:
    return m.RoleFilled(
        opportunity_id=oid,
        internal=mover is not None,
        employee_id=mover,
        from_role_id="eng.engineer" if mover else None,
        to_role_id="eng.senior",
        move_kind=m.MoveKind(kind),
        passed_over=[m.PassedOver(employee_id=e, stage=m.PassedOverStage(s)) for e, s in passed],
        posted_at=at(posted),
        filled_at=at(filled),
    )


def _apply(oid: str, emp: str, on: str) -> m.ApplicationSubmitted:
    return m.ApplicationSubmitted(
        application_id=f"{oid}-{emp}", opportunity_id=oid, employee_id=emp, submitted_at=at(on)
    )


def history() -> list[Any]:
    """17 people employed in 2025 (M, N, A1-A8, B1-B6, H1); L0 left in 2024."""
    people = [
        _hire("M", None, "D1", "m"),
        _hire("N", "M", "D2", "m"),
        *[_hire(f"A{i}", "M", "D1", "f" if i <= 4 else "m") for i in range(1, 9)],
        *[_hire(f"B{i}", "N", "D2", "f" if i <= 4 else "x") for i in range(1, 7)],
        _hire("H1", "M", "D1", "f", on="2025-06-01"),
        _hire("L0", "M", "D1", "f", on="2023-01-01"),
        _leave("L0", "2024-06-30", True),
        _leave("A1", "2025-06-30", True),
        _leave("A4", "2025-07-15", True),
        _leave("B3", "2025-11-01", False),
        _leave("A8", "2025-03-01", False),
    ]
    mobility = [
        _post("O1", "2025-02-01"),
        _apply("O1", "A1", "2025-02-02"),
        _apply("O1", "A2", "2025-02-03"),
        _apply("O1", "A3", "2025-02-04"),
        m.ApplicationWithdrawn(
            application_id="O1-A3",
            opportunity_id="O1",
            employee_id="A3",
            withdrawn_at=at("2025-02-10"),
        ),
        _fill("O1", "2025-02-01", "2025-02-21", "A1", "promotion", [("A2", "shortlisted")]),
        _post("O2", "2025-03-01", dept="D2"),
        _apply("O2", "B1", "2025-03-02"),
        _apply("O2", "A4", "2025-03-03"),
        _fill("O2", "2025-03-01", "2025-04-10", "B1", "lateral", [("A4", "applied")]),
        _post("O3", "2025-04-01"),
        _apply("O3", "A5", "2025-04-02"),
        _fill("O3", "2025-04-01", "2025-05-01", None, "other", [("A5", "applied")]),
        _post("O4", "2025-05-01"),
        _apply("O4", "A5", "2025-05-02"),
        _fill("O4", "2025-05-01", "2025-05-11", "A5", "promotion"),
        _post("O5", "2025-06-01"),
        _fill("O5", "2025-06-01", "2025-08-30", None, "other"),
        _post("O6", "2025-07-01", dept="D2"),
        _apply("O6", "B2", "2025-07-02"),
        _apply("O6", "B3", "2025-07-03"),
        _fill("O6", "2025-07-01", "2025-09-29", "B2", "promotion", [("B3", "shortlisted")]),
        _post("O7", "2025-08-01"),
        _apply("O7", "A6", "2025-08-02"),
        m.OpportunityClosed(opportunity_id="O7", closed_at=at("2025-09-01")),
        # O8: the fill is announced before the posting (out of order).
        _fill("O8", "2025-10-01", "2025-10-21", "A2", "promotion"),
        _apply("O8", "A2", "2025-10-02"),
        _post("O8", "2025-10-01"),
        _post("O9", "2024-12-01"),
        _fill("O9", "2024-12-01", "2025-01-15", "A7", "lateral"),
    ]

    def plan(pid: str, emp: str, created: str) -> p.PlanCreated:
        return p.PlanCreated(
            plan_id=pid,
            employee_id=emp,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            status=p.PlanStatus.DRAFT,
            created_at=at(created),
        )

    def approve(pid: str, emp: str, on: str) -> p.PlanApproved:
        return p.PlanApproved(plan_id=pid, employee_id=emp, approved_by="M", approved_at=at(on))

    def done(
        pid: str, emp: str, on: str, outcome: str, total: int, achieved: int
    ) -> p.PlanCompleted:
        return p.PlanCompleted(
            plan_id=pid,
            employee_id=emp,
            outcome=p.PlanOutcome(outcome),
            goals_total=total,
            goals_achieved=achieved,
            completed_at=at(on),
        )

    def goal(gid: str, pid: str, emp: str, on: str, outcome: str) -> p.GoalCompleted:
        return p.GoalCompleted(
            plan_id=pid,
            goal_id=gid,
            employee_id=emp,
            competency_id="craft",
            outcome=p.GoalOutcome(outcome),
            completed_at=at(on),
        )

    def talk(cid: str, emp: str, on: str) -> p.ConversationHeld:
        return p.ConversationHeld(
            conversation_id=cid,
            employee_id=emp,
            manager_id="M",
            kind=p.ConversationKind.CAREER,
            held_at=at(on),
        )

    development = [
        plan("P1", "A3", "2025-02-01"),
        approve("P1", "A3", "2025-02-05"),
        done("P1", "A3", "2025-08-01", "completed", 2, 2),
        plan("P2", "A6", "2025-03-01"),
        approve("P2", "A6", "2025-03-03"),
        plan("P3", "B4", "2025-04-01"),
        approve("P3", "B4", "2025-04-02"),
        done("P3", "B4", "2025-07-01", "closed_on_move", 1, 0),
        plan("P4", "B5", "2025-05-01"),
        approve("P5", "A7", "2025-06-01"),
        done("P5", "A7", "2026-02-01", "completed", 1, 1),
        goal("G1", "P1", "A3", "2025-06-01", "achieved"),
        goal("G2", "P1", "A3", "2025-07-01", "achieved"),
        goal("G3", "P2", "A6", "2025-05-01", "dropped"),
        goal("G4", "P3", "B4", "2025-06-15", "superseded"),
        goal("G5", "P5", "A7", "2026-01-15", "achieved"),
        talk("C0", "A3", "2024-11-01"),
        talk("C1", "A3", "2025-03-01"),
        talk("C2", "A3", "2025-09-01"),
        talk("C3", "A6", "2025-04-01"),
        talk("C4", "B4", "2025-05-01"),
        talk("C5", "H1", "2025-07-01"),
    ]

    def answer(rid: str, emp: str, topic: str, score: int, top: int, on: str) -> h.SurveyResponded:
        return h.SurveyResponded(
            response_id=rid,
            survey_id="pulse-1",
            employee_id=emp,
            responded_at=at(on),
            answers=[
                h.SurveyAnswer(
                    question_id="q1", topic=h.SurveyTopic(topic), score=score, scale_max=top
                )
            ],
        )

    surveys = [
        answer("R1", "M", "manager_confidence", 4, 5, "2025-06-01"),
        answer("R2", "N", "manager_confidence", 3, 5, "2025-06-01"),
        answer("R3", "A6", "manager_confidence", 2, 4, "2025-06-02"),
        answer("R4", "A3", "growth", 4, 5, "2025-06-02"),
        answer("R5", "B4", "growth", 2, 5, "2025-06-03"),
    ]
    skills = [
        gaps("A3", "eng.engineer", {"craft": (1, 2)}, at=at("2025-01-10")),
        gaps("A3", "eng.engineer", {"craft": (2, 2)}, at=at("2025-03-11")),
        gaps("A6", "eng.engineer", {"design": (0, 2)}, at=at("2025-02-01")),
        gaps("A6", "eng.engineer", {"design": (1, 2)}, at=at("2025-04-01")),
        gaps("A6", "eng.engineer", {"design": (2, 2)}, at=at("2025-05-01")),
        gaps("B4", "eng.engineer", {"craft": (1, 2)}, at=at("2025-03-01")),
        gaps("B4", "eng.engineer", {"craft": (1, 2)}, at=at("2025-06-01")),
        gaps("A5", "eng.engineer", {"craft": (0, 2)}, at=at("2025-05-05")),
        gaps("A7", "eng.engineer", {"craft": (1, 2)}, at=at("2025-06-06")),
        gaps("H1", "eng.senior", {"craft": (4, 5)}, reference="target", at=at("2025-07-01")),
    ]
    return [framework(), *people, *mobility, *development, *surveys, *skills]


async def _load(svc: RunningService, emit: Emit, tenant: str) -> None:
    await emit(*history(), tenant=tenant)
    checks = [
        (
            "SELECT count(*) FROM metrics.employees WHERE tenant_id = $1 AND field_times ? 'role_id'",
            18,
        ),
        ("SELECT count(*) FROM metrics.employees WHERE tenant_id = $1 AND NOT active", 5),
        ("SELECT count(*) FROM metrics.opportunities WHERE tenant_id = $1 AND kind IS NOT NULL", 9),
        (
            "SELECT count(*) FROM metrics.opportunities WHERE tenant_id = $1 AND filled_at IS NOT NULL",
            8,
        ),
        ("SELECT count(*) FROM metrics.applications WHERE tenant_id = $1", 11),
        ("SELECT count(*) FROM metrics.goals WHERE tenant_id = $1", 5),
        ("SELECT count(*) FROM metrics.plans WHERE tenant_id = $1 AND approved_at IS NOT NULL", 4),
        ("SELECT count(*) FROM metrics.plans WHERE tenant_id = $1 AND completed_at IS NOT NULL", 3),
        ("SELECT count(*) FROM metrics.conversations WHERE tenant_id = $1", 6),
        ("SELECT count(*) FROM metrics.survey_answers WHERE tenant_id = $1", 5),
        ("SELECT count(*) FROM metrics.gap_observations WHERE tenant_id = $1", 10),
        ("SELECT count(*) FROM metrics.roles WHERE tenant_id = $1", 3),
        ("SELECT count(*) FROM metrics.passed_over WHERE tenant_id = $1", 4),
    ]
    for sql, want in checks:
        await wait_until(svc, sql, tenant, want=want)


async def _get(c: httpx.AsyncClient, path: str, headers: dict[str, str]) -> dict[str, Any]:
    resp = await c.get(path, headers=headers)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def test_figures_from_a_synthetic_year(
    svc: RunningService, emit: Emit, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    await _load(svc, emit, tenant)
    hr = auth(tenant, "HR", "hr_admin")

    mob = await _get(c, f"/v1/metrics/mobility?{WINDOW}", hr)
    # Fills in 2025: O1 O2 O3 O4 O5 O6 O8 O9; internal O1 O2 O4 O6 O8 O9.
    assert mob["headcount"] == 17
    # Each figure says which population it counts: opportunities or people.
    assert "fills" in mob["counts"]["opportunities"]["figures"]
    assert "promotion_rate" in mob["counts"]["people"]["figures"]
    counted = mob["counts"]["opportunities"]["figures"] + mob["counts"]["people"]["figures"]
    envelope = {"counts", "filters", "anonymity_threshold", "suppressed", "computed_at"}
    assert sorted(counted) == sorted(k for k in mob if k not in envelope)
    assert mob["fills"] == 8
    assert mob["internal_hire_rate"] == 0.75
    # Promotions A1 A5 B2 A2; lateral B1 A7; of 17 people.
    assert mob["promotions"] == 4
    assert mob["promotion_rate"] == round(4 / 17, 4)
    assert mob["lateral_move_rate"] == round(2 / 17, 4)
    # Internal days to fill 20, 40, 10, 90, 20, 45; external 30, 90.
    assert mob["time_to_fill_internal_median_days"] == 30.0
    assert mob["time_to_fill_internal_p90_days"] == 90.0
    assert mob["time_to_fill_external_median_days"] == 60.0
    assert mob["time_to_fill_external_p90_days"] == 90.0
    # Postings in 2025: O1-O8; 11 applications to them.
    assert mob["postings"] == 8
    assert mob["applications_per_opportunity"] == round(11 / 8, 4)

    dev = await _get(c, f"/v1/metrics/development?{WINDOW}", hr)
    # 13 still employed at the end; P2 (A6) and P5 (A7) active then.
    assert dev["headcount_at_end"] == 13
    assert dev["active_plan_share"] == round(2 / 13, 4)
    # Ended in 2025: P1 completed, P3 closed on a move.
    assert dev["plan_completion_rate"] == 0.5
    # Goals closed in 2025: G1, G2 achieved, G3 dropped (G4 superseded, G5 in 2026).
    assert dev["goal_completion_rate"] == round(2 / 3, 4)
    # Gaps closed: A3 craft in 60 days, A6 design in 89.
    assert dev["time_to_close_gap_median_days"] == 74.5

    eng = await _get(c, f"/v1/metrics/engagement?{WINDOW}", hr)
    assert eng["conversations"] == 5
    assert eng["conversations_per_employee"] == round(5 / 17, 4)
    assert eng["manager_confidence"] == round((4 / 5 + 3 / 5 + 2 / 4) / 3, 4)
    assert eng["growth_sentiment"] is None  # 2 respondents: fewer than 3
    assert eng["growth_sentiment_suppressed"] is True

    ret = await _get(c, f"/v1/metrics/retention?{WINDOW}", hr)
    # Passed over: A4 (O2) and B3 (O6), A2 and A5 were promoted later: 2 < 3, suppressed.
    # The cohorts add up to the population, so the smallest other one is suppressed with it:
    # promoted A1 A5 B2 A2 (4). Together they hold 6 >= 3.
    for cohort in ("passed_over", "promoted"):
        assert ret[cohort]["cohort"] is None
        assert ret[cohort]["cohort_suppressed"] is True
        assert ret[cohort]["retention_6m"] is None
        assert ret[cohort]["exits_within_12m"] is None
    # Everyone else employed on 1 January: 10 people; A8 left in March.
    other = ret["everyone_else"]
    assert other["cohort"] == 10
    assert other["cohort_suppressed"] is False
    assert other["retention_6m"] == 0.9
    assert other["retention_12m"] == 0.9
    assert other["exits_within_12m"] == 1
    assert other["voluntary_exits_within_12m"] == 0

    fair = await _get(c, f"/v1/metrics/fairness?{WINDOW}&attribute=gender", hr)
    groups = {g["group"]: g for g in fair["groups"]}
    assert groups["x"] == {"group": "x", "suppressed": True, "reason": "fewer than 3 people"}
    # x (B5, B6) is hidden; the headcount (17) less f (9) would give it back with m shown,
    # so m (A5-A8, M, N = 6), the smallest group left, is hidden with it.
    assert groups["m"]["suppressed"] is True
    assert "headcount" not in groups["m"]
    assert "hidden with a smaller group" in groups["m"]["reason"]
    # f: A1-A4, B1-B4, H1 = 9; promoted A1 B2 A2; applicants A1 A2 A3 B1 A4 B2 B3, selected A1 B1 B2 A2.
    assert groups["f"]["headcount"] == 9
    assert groups["f"]["promotion_rate"] == round(3 / 9, 4)
    assert groups["f"]["internal_fill_rate"] == round(4 / 7, 4)

    sk = await _get(c, f"/v1/metrics/skills?{WINDOW}", hr)
    cells = {(x["team"], x["competency_id"]): x for x in sk["gap_heatmap"]}
    # Team M craft, latest gaps: A3 0, A5 2, A7 1.
    assert cells[("M", "craft")] == {"team": "M", "competency_id": "craft", "n": 3, "mean_gap": 1.0}
    assert cells[("M", "design")]["suppressed"] is True
    assert cells[("N", "craft")]["suppressed"] is True
    assert sk["teams_total"] == len({x["team"] for x in sk["gap_heatmap"]}) >= 2
    # The team with the largest shown gap alone: M (N's cells are all suppressed).
    top = await _get(c, f"/v1/metrics/skills?{WINDOW}&teams=1", hr)
    assert {x["team"] for x in top["gap_heatmap"]} == {"M"}
    assert top["gap_heatmap"] == [x for x in sk["gap_heatmap"] if x["team"] == "M"]
    assert top["teams_total"] == sk["teams_total"]
    # PostgreSQL ranks the teams as the definition does (`largest_gaps`), for every cut.
    for n in range(1, sk["teams_total"] + 2):
        cut = await _get(c, f"/v1/metrics/skills?{WINDOW}&teams={n}", hr)
        assert cut["gap_heatmap"] == largest_gaps(sk["gap_heatmap"], n), n
    bad = await c.get(f"/v1/metrics/skills?{WINDOW}&teams=0", headers=hr)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "teams" in bad.text
    # Ready now for eng.engineer: 2 people; ready soon for eng.senior: 1 (both under 3).
    assert sk["readiness_pipeline"] == [
        {
            "role_id": "eng.engineer",
            "ready_now": None,
            "ready_now_suppressed": True,
            "ready_soon": 0,
            "ready_soon_suppressed": False,
        },
        {
            "role_id": "eng.senior",
            "ready_now": 0,
            "ready_now_suppressed": False,
            "ready_soon": None,
            "ready_soon_suppressed": True,
        },
    ]

    # Filters: department D2 (N, B1-B6: 7 people); a department with nobody is suppressed.
    d2 = await _get(c, f"/v1/metrics/mobility?{WINDOW}&department=D2", hr)
    assert d2["headcount"] == 7
    assert d2["fills"] == 2  # O2 and O6 were D2's postings
    assert d2["promotions"] == 1  # B2
    empty = await _get(c, f"/v1/metrics/mobility?{WINDOW}&department=D9", hr)
    assert empty["suppressed"] is True
    assert "internal_hire_rate" not in empty

    # Monthly trend and CSV.
    trend = await _get(
        c, "/v1/metrics/trends?metric=internal_hire_rate&months=12&to=2026-01-01", hr
    )
    by_month = {x["month"]: x["value"] for x in trend["points"]}
    assert by_month["2025-05"] == 0.5  # O3 external, O4 internal
    assert by_month["2025-08"] == 0.0  # O5 external
    csv = await c.get(f"/v1/metrics/export.csv?{WINDOW}", headers=hr)
    assert csv.headers["content-type"].startswith("text/csv")
    assert "internal_hire_rate,0.75,2025-01-01,2026-01-01," in csv.text

    # The daily snapshot: once per tenant and day, published through the outbox.
    from careerstream.metrics.service_layer.snapshots import take

    async with event_tap(METRICS_SNAPSHOT) as tap:
        assert await take(svc.runtime.uow, tenant, date(2025, 12, 31), THRESHOLD) is True
        assert await take(svc.runtime.uow, tenant, date(2025, 12, 31), THRESHOLD) is False
        records = await tap.wait_for(1, tenant=tenant)
    snapshot = decode(records[0].value)
    assert snapshot.data["snapshot_id"] == f"{tenant}:2025-12-31"
    assert snapshot.data["figures"]["internal_hire_rate"] == 0.75
    # The headline view, made of the four views' kept answers, says what the snapshot's one
    # transaction computed over the same year.
    head = await _get(c, f"/v1/metrics/headline?{WINDOW}", hr)
    assert head["suppressed"] is False
    assert head["figures"] == snapshot.data["figures"]


async def test_who_may_read_metrics(svc: RunningService, emit: Emit, tenant: str) -> None:
    c = svc.client
    await _load(svc, emit, tenant)
    resp = await c.get(f"/v1/metrics/mobility?{WINDOW}", headers=auth(tenant, "A3"))
    assert resp.status_code == 403
    # A manager reads their own line only.
    mine = await _get(
        c, f"/v1/metrics/development?{WINDOW}&manager=N", auth(tenant, "N", "manager")
    )
    assert mine["headcount_at_end"] == 5  # B1, B2, B4, B5, B6
    above = await c.get(
        f"/v1/metrics/development?{WINDOW}&manager=M", headers=auth(tenant, "N", "manager")
    )
    assert above.status_code == 403
    below = await _get(
        c, f"/v1/metrics/development?{WINDOW}&manager=N", auth(tenant, "M", "manager")
    )
    assert below["headcount_at_end"] == 5
    assert (
        await c.get(f"/v1/metrics/development?{WINDOW}", headers=auth(tenant, "M", "manager"))
    ).status_code == 403
    assert (await c.get(f"/v1/metrics/mobility?{WINDOW}")).status_code == 401
    bad = await c.get(
        "/v1/metrics/mobility?from=2026-01-01&to=2025-01-01", headers=auth(tenant, "HR", "hr_admin")
    )
    assert bad.status_code == 422
    # Another tenant sees nothing of this one.
    other = await _get(c, f"/v1/metrics/mobility?{WINDOW}", auth(f"{tenant}x", "HR", "hr_admin"))
    assert other["suppressed"] is True


async def test_replay_rebuilds_the_same_figures(
    svc: RunningService, emit: Emit, tenant: str
) -> None:
    from careerstream.metrics.service_layer.replay import replay

    c = svc.client
    await _load(svc, emit, tenant)
    hr = auth(tenant, "HR", "hr_admin")
    paths = [
        f"/v1/metrics/mobility?{WINDOW}",
        f"/v1/metrics/development?{WINDOW}",
        f"/v1/metrics/engagement?{WINDOW}",
        f"/v1/metrics/retention?{WINDOW}",
        f"/v1/metrics/fairness?{WINDOW}&attribute=gender",
        f"/v1/metrics/skills?{WINDOW}",
    ]
    live = [await _get(c, path, hr) for path in paths]
    before = await svc.scalar(
        "SELECT count(*) FROM metrics.opportunities WHERE tenant_id = $1", tenant
    )
    lines: list[str] = []
    settings = svc.runtime.settings
    progress = await replay(
        settings.database_url, settings.kafka_bootstrap_servers, out=lines.append
    )
    assert progress.applied > 0
    assert progress.done == progress.total
    assert any("%" in line for line in lines)  # progress was shown
    assert (
        await svc.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'metrics_replay'") == 0
    )
    assert (
        await svc.scalar("SELECT count(*) FROM metrics.opportunities WHERE tenant_id = $1", tenant)
        == before
    )
    replayed = [await _get(c, path, hr) for path in paths]
    # Computed again from the rebuilt tables (not the answers kept before), and the same.
    times = [
        (v.pop("computed_at"), r.pop("computed_at")) for r, v in zip(replayed, live, strict=True)
    ]
    assert all(after > before for before, after in times), [t for t in times if t[1] <= t[0]]
    assert replayed == live
    # The live consumers keep working on the swapped-in tables.
    await emit(_post("O10", "2025-12-01"), tenant=tenant)
    await wait_until(
        svc,
        "SELECT count(*) FROM metrics.opportunities WHERE tenant_id = $1",
        tenant,
        want=before + 1,
    )

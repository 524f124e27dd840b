"""Succession on real Kafka and PostgreSQL: HR marks a critical role, managers nominate people
of their own line, slates weigh nominations and calibrated levels, bench strength counts them,
and every change of a bench goes out as counts only — never who is on a slate."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from careerstream.contracts.events.hris import EmployeeChanged, EmploymentDetails, Performance
from careerstream.contracts.topics import BENCH as BENCH_TOPIC
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, completed, framework, hired, wait_until
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest
from careerstream.mobility.domain.grid import Band, by_rank, grid, place
from careerstream.mobility.domain.matching import Contribution, Match, Profile, RoleInfo
from careerstream.mobility.domain.succession import Readiness, assessed, bench, slate

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
BENCH = "careerstream.mobility.bench.changed.v1"
SENIOR = {"craft": 4, "design": 3, "collaboration": 3, "ownership": 3}


def _match(emp: str, missing: list[int], score: float = 0.5) -> Match:
    comps = [Contribution(f"c{i}", 3, 3 - m, 1.0, 0.1, m) for i, m in enumerate(missing)]
    return Match(emp, score, 0.5, 0.5, 0.0, "", 1.0, None, comps)


def test_readiness_slates_and_benches_without_io() -> None:
    assert assessed(_match("a", [0, 0])) is Readiness.READY_NOW
    assert assessed(_match("b", [1, 1])) is Readiness.READY_SOON
    assert assessed(_match("c", [2])) is Readiness.LATER  # one competency two levels short
    assert assessed(_match("d", [1, 1, 1])) is Readiness.LATER
    assert assessed(_match("e", [])) is Readiness.LATER  # a role that requires nothing known
    matches = [
        _match("a", [0], 0.9),
        _match("b", [1], 0.8),
        _match("c", [3], 0.7),
        _match("inc", [0], 0.95),
    ]
    nominated = {"c": (Readiness.READY_SOON, "M"), "n": (Readiness.READY_NOW, "HR")}
    out = slate(matches, nominated, incumbents={"inc"})
    # The nomination's readiness counts; an unassessed nominee is 'later' by the evidence.
    assert [(s.employee_id, s.readiness, s.assessed) for s in out] == [
        ("a", Readiness.READY_NOW, Readiness.READY_NOW),
        ("n", Readiness.READY_NOW, Readiness.LATER),
        ("b", Readiness.READY_SOON, Readiness.READY_SOON),
        ("c", Readiness.READY_SOON, Readiness.LATER),
    ]
    b = bench(out)
    assert (b.ready_now, b.ready_soon, b.later, b.nominated, b.covered) == (2, 2, 0, 2, True)


def test_the_grid_places_people_on_evidence_and_leaves_out_the_rest() -> None:
    roles = {
        "eng.engineer": RoleInfo("eng.engineer", "eng", 1),
        "eng.senior": RoleInfo("eng.senior", "eng", 2),
        "eng.staff": RoleInfo("eng.staff", "eng", 3),
        "eng.manager": RoleInfo("eng.manager", "eng", 2),
    }
    ranks = by_rank(roles.values())
    needs = {
        "eng.senior": {"craft": 4, "design": 3},
        "eng.staff": {"craft": 5, "design": 5},
        "eng.manager": {"leadership": 3},
    }

    def person(emp: str, role: str, levels: dict[str, int]) -> Profile:
        return Profile(emp, True, roles[role], levels)

    # Senior: fit (4*1 + 3*1)/7 = 1.0 -> high; manager would be 0 -> the best one counts.
    a = place(person("A", "eng.engineer", {"craft": 4, "design": 3}), "high", ranks, needs)
    assert (a.potential, a.next_role, a.fit) == (Band.HIGH, "eng.senior", 1.0)
    # Senior: (4*0.75 + 3*(2/3))/7 = 5/7 = 0.714 -> medium.
    b = place(person("B", "eng.engineer", {"craft": 3, "design": 2}), "medium", ranks, needs)
    assert (b.potential, b.performance) == (Band.MEDIUM, Band.MEDIUM)
    c = place(person("C", "eng.engineer", {"craft": 1, "design": 1}), "high", ranks, needs)
    assert c.potential is Band.LOW
    assert place(person("D", "eng.engineer", {}), "high", ranks, needs).why_not == "unassessed"
    assert place(person("E", "eng.engineer", {"craft": 4}), None, ranks, needs).why_not == "unrated"
    top = place(person("F", "eng.staff", {"craft": 5}), "low", ranks, needs)
    assert top.why_not == "top_of_family"
    cells = grid([a, b, c, top])
    assert cells[(Band.HIGH, Band.HIGH)] == ["A"]
    assert cells[(Band.MEDIUM, Band.MEDIUM)] == ["B"]
    assert cells[(Band.HIGH, Band.LOW)] == ["C"]
    assert sum(len(v) for v in cells.values()) == 3


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("mobility") as running:
        yield running


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


async def test_critical_roles_nominations_slates_and_bench_strength(
    svc: RunningService, emit: Emit, event_tap: EventTapFactory
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    # D -> M -> A (meets Senior), B (a level short twice), C (further); D -> S (a Senior);
    # D -> HM -> X (another line).
    await emit(
        framework(),
        hired("D", "eng.lead", None),
        hired("M", "eng.lead", "D"),
        hired("A", "eng.engineer", "M"),
        hired("B", "eng.engineer", "M"),
        hired("C", "eng.engineer", "M"),
        hired("S", "eng.senior", "D"),
        hired("HM", "eng.lead", "D", dept="D2"),
        hired("X", "eng.engineer", "HM", dept="D2"),
        completed("A", "eng.engineer", SENIOR),
        completed("B", "eng.engineer", {**SENIOR, "craft": 3, "design": 2}),
        completed(
            "C", "eng.engineer", {"craft": 2, "design": 2, "collaboration": 2, "ownership": 2}
        ),
        completed("S", "eng.senior", SENIOR),
        completed(
            "X", "eng.engineer", {"craft": 1, "design": 1, "collaboration": 1, "ownership": 1}
        ),
        tenant=tenant,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.profiles WHERE tenant_id = $1 AND levels <> '{}'",
        tenant,
        want=5,
    )
    await wait_until(
        svc, "SELECT count(*) FROM mobility.roles WHERE tenant_id = $1", tenant, want=3
    )
    c = svc.client
    hr, m, hm = (
        auth(tenant, "HR", "hr_admin"),
        auth(tenant, "M", "manager"),
        auth(tenant, "HM", "manager"),
    )
    base = "/v1/critical-roles/eng.senior"

    # Only HR marks a role critical, and only a published one.
    for who in (m, auth(tenant, "A")):
        problem(await c.put(base, json={"reason": "x"}, headers=who), 403)
    bad = problem(await c.put("/v1/critical-roles/eng.wizard", json={}, headers=hr), 422)
    assert bad["errors"][0]["field"] == "role_id"
    too_long = problem(await c.put(base, json={"reason": "x" * 1001}, headers=hr), 422)
    assert too_long["errors"][0]["field"] == "reason"

    async with event_tap(BENCH_TOPIC) as tap:
        marked = await c.put(base, json={"reason": "the platform's only seniors"}, headers=hr)
        assert marked.status_code == 200, marked.text
        (first,) = await tap.expect(
            {"type": BENCH, "data": {"role_id": "eng.senior", "critical": True}}, tenant=tenant
        )
    assert {
        k: first["data"][k] for k in ("ready_now", "ready_soon", "later", "nominated", "incumbents")
    } == {
        "ready_now": 1,  # A
        "ready_soon": 1,  # B
        "later": 0,
        "nominated": 0,
        "incumbents": 1,  # S
    }

    # Nominations: a manager for their own line, never oneself, only for critical roles.
    nom = f"{base}/nominations"
    for path, body, who, status, field in (
        (f"{nom}/C", {"readiness": "soonish"}, m, 422, "readiness"),
        (f"{nom}/C", {"readiness": "later", "extra": 1}, m, 422, "extra"),
        (f"{nom}/C", {"readiness": "later", "note": "n" * 1001}, m, 422, "note"),
        (f"{nom}/S", {"readiness": "ready_now"}, hr, 422, "employee_id"),
        (f"{nom}/X", {"readiness": "later"}, m, 404, None),
        (f"{nom}/C", {"readiness": "later"}, auth(tenant, "C", "manager"), 403, None),
        (f"{nom}/GHOST", {"readiness": "later"}, hr, 404, None),
        ("/v1/critical-roles/eng.lead/nominations/C", {"readiness": "later"}, m, 404, None),
    ):
        p = problem(await c.put(path, json=body, headers=who), status)
        if field is not None:
            assert p["errors"][0]["field"] == field, p
    async with event_tap(BENCH_TOPIC) as tap:
        given = await c.put(
            f"{nom}/C",
            json={"readiness": "ready_1_2_years", "note": "leads the billing rewrite"},
            headers=m,
        )
        assert given.status_code == 200, given.text
        (after,) = await tap.expect(
            {"type": BENCH, "data": {"role_id": "eng.senior", "nominated": 1}}, tenant=tenant
        )
    assert (after["data"]["ready_now"], after["data"]["ready_soon"]) == (1, 2)
    assert "leads the billing" not in json.dumps(after)  # counts only: no names, no notes

    # The slate: HR sees all of it; a manager their own line; an employee nothing.
    full = (await c.get(f"{base}/slate", headers=hr)).json()
    assert [
        (s["employee_id"], s["readiness"], s["assessed_readiness"]) for s in full["successors"]
    ] == [
        ("A", "ready_now", "ready_now"),
        ("B", "ready_1_2_years", "ready_1_2_years"),
        ("C", "ready_1_2_years", "later"),
    ]
    assert full["successors"][2]["nominated_by"] == "M"
    assert full["successors"][2]["note"] == "leads the billing rewrite"
    assert full["incumbents"] == ["S"]
    assert full["bench"] == {
        "ready_now": 1,
        "ready_1_2_years": 2,
        "later": 0,
        "nominated": 1,
        "covered": True,
    }
    mine = (await c.get(f"{base}/slate", headers=m)).json()
    assert [s["employee_id"] for s in mine["successors"]] == ["A", "B", "C"]
    assert mine["incumbents"] is None
    assert (await c.get(f"{base}/slate", headers=hm)).json()["successors"] == []
    problem(await c.get(f"{base}/slate", headers=auth(tenant, "A")), 403)
    problem(await c.get("/v1/critical-roles/eng.lead/slate", headers=hr), 404)
    # Another tenant's HR sees nothing of this one and cannot nominate into it; a skip-level
    # manager reads the nominations of their whole line.
    other_hr = auth(f"{tenant}x", "HR", "hr_admin")
    problem(await c.get(f"{base}/slate", headers=other_hr), 404)
    problem(await c.put(f"{nom}/A", json={"readiness": "ready_now"}, headers=other_hr), 404)
    assert (await c.get("/v1/critical-roles", headers=other_hr)).json()["critical_roles"] == 0
    skip = await c.get("/v1/employees/C/nominations", headers=auth(tenant, "D", "manager"))
    assert skip.status_code == 200, skip.text

    # Who is nominated for what: their managers and HR, not the person.
    assert [
        n["role_id"] for n in (await c.get("/v1/employees/C/nominations", headers=m)).json()
    ] == ["eng.senior"]
    problem(await c.get("/v1/employees/C/nominations", headers=auth(tenant, "C")), 404)
    problem(await c.get("/v1/employees/C/nominations", headers=hm), 404)

    # Bench strength: HR only; by department, the critical roles held there.
    strength = (await c.get("/v1/critical-roles", headers=hr)).json()
    assert (strength["critical_roles"], strength["coverage"], strength["bench_strength"]) == (
        1,
        1.0,
        3.0,
    )
    assert (await c.get("/v1/critical-roles?department=D1", headers=hr)).json()[
        "critical_roles"
    ] == 1
    assert (await c.get("/v1/critical-roles?department=D2", headers=hr)).json()[
        "critical_roles"
    ] == 0
    problem(await c.get("/v1/critical-roles", headers=m), 403)

    # New calibrated levels move B up the bench, with no one touching the slate.
    async with event_tap(BENCH_TOPIC) as tap:
        await emit(completed("B", "eng.engineer", SENIOR, assessment_id="asm-B2"), tenant=tenant)
        await tap.expect(
            {"type": BENCH, "data": {"role_id": "eng.senior", "ready_now": 2}}, tenant=tenant
        )

    # Withdrawn: C, short by the evidence, leaves the slate.
    async with event_tap(BENCH_TOPIC) as tap:
        assert (await c.delete(f"{nom}/C", headers=m)).status_code == 204
        await tap.expect(
            {"type": BENCH, "data": {"role_id": "eng.senior", "nominated": 0, "ready_soon": 0}},
            tenant=tenant,
        )
    problem(await c.delete(f"{nom}/C", headers=m), 404)

    # No longer critical: the bench goes to zero, nominations with it.
    async with event_tap(BENCH_TOPIC) as tap:
        assert (await c.delete(base, headers=hr)).status_code == 204
        await tap.expect(
            {"type": BENCH, "data": {"role_id": "eng.senior", "critical": False, "ready_now": 0}},
            tenant=tenant,
        )
    problem(await c.delete(base, headers=hr), 404)
    assert (await c.get("/v1/critical-roles", headers=hr)).json()["critical_roles"] == 0


def _rated(emp: str, performance: Performance) -> EmployeeChanged:
    from datetime import UTC, date, datetime

    return EmployeeChanged(
        employee_id=emp,
        effective_date=date(2026, 1, 1),
        recorded_at=datetime.now(UTC),
        changed_fields=["performance"],
        details=EmploymentDetails(performance=performance),
    )


async def test_the_talent_grid_from_hris_ratings_and_calibrated_levels(
    svc: RunningService, emit: Emit
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    await emit(
        framework(),
        hired("D", "eng.lead", None),
        hired("M", "eng.lead", "D"),
        hired("A", "eng.engineer", "M"),
        hired("B", "eng.engineer", "M"),
        hired("C", "eng.engineer", "M"),
        hired("X", "eng.engineer", "D", dept="D2"),
        completed("A", "eng.engineer", SENIOR),
        completed(
            "B", "eng.engineer", {"craft": 2, "design": 1, "collaboration": 1, "ownership": 1}
        ),
        completed("X", "eng.engineer", SENIOR),
        completed(
            "M", "eng.lead", {"craft": 3, "collaboration": 3, "ownership": 3, "leadership": 3}
        ),
        _rated("A", Performance.HIGH),
        _rated("B", Performance.HIGH),
        _rated("C", Performance.LOW),
        tenant=tenant,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.employees WHERE tenant_id = $1 AND performance IS NOT NULL",
        tenant,
        want=3,
    )
    await wait_until(
        svc,
        "SELECT count(*) FROM mobility.profiles WHERE tenant_id = $1 AND levels <> '{}'",
        tenant,
        want=4,
    )
    await wait_until(
        svc, "SELECT count(*) FROM mobility.roles WHERE tenant_id = $1", tenant, want=3
    )
    c = svc.client

    def box(got: dict[str, Any], perf: str, pot: str) -> list[str]:
        (cell,) = [x for x in got["cells"] if (x["performance"], x["potential"]) == (perf, pot)]
        return list(cell["employee_ids"])

    hr = (await c.get("/v1/talent-grid", headers=auth(tenant, "HR", "hr_admin"))).json()
    assert box(hr, "high", "high") == ["A"]  # meets Senior already
    assert box(hr, "high", "low") == ["B"]
    # C and D have no levels; X no rating; M leads (the top of the family): counted only.
    assert hr["not_placed"] == {"unassessed": 2, "unrated": 1, "top_of_family": 1}
    assert (hr["people"], hr["placed"]) == (6, 2)
    line = (await c.get("/v1/talent-grid", headers=auth(tenant, "M", "manager"))).json()
    assert line["people"] == 3  # A, B, C
    d2 = (
        await c.get("/v1/talent-grid?department=D2", headers=auth(tenant, "HR", "hr_admin"))
    ).json()
    assert d2["people"] == 1
    problem(await c.get("/v1/talent-grid", headers=auth(tenant, "A")), 403)
    # A skip-level manager reads the whole line below; another tenant's HR, nobody here.
    d = (await c.get("/v1/talent-grid", headers=auth(tenant, "D", "manager"))).json()
    assert d["people"] == 5
    other = (await c.get("/v1/talent-grid", headers=auth(f"{tenant}x", "HR", "hr_admin"))).json()
    assert (other["people"], other["placed"]) == (0, 0)
    long = "/v1/talent-grid?department=" + "x" * 200
    problem(await c.get(long, headers=auth(tenant, "HR", "hr_admin")), 422)

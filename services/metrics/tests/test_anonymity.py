"""Anonymity beyond the threshold: complements and differences between populations.

The probe this guards against: a director asked for engagement with manager=<self>
(7 respondents) and manager=<a report> (6 respondents); the populations differ by one
person, whose answer follows by subtraction.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from careerstream.contracts.events import hris as h
from careerstream.devstack.pytest_plugin import Emit
from careerstream.devstack.sample import auth, framework, wait_until
from careerstream.devstack.testing import RunningService, ServiceUnderTest
from careerstream.metrics.domain.anonymity import complementary, differs_too_little, small

K = 5
WINDOW = "from=2025-01-01&to=2026-01-01"


def test_small_groups_and_their_complements() -> None:
    assert small(1, K)
    assert small(4, K)
    assert not small(0, K)
    assert not small(5, K)
    # 8 people: 6 and 2. Hiding the 2 alone leaves them as 8 - 6: the 6 go too.
    assert complementary({"f": 6, "m": 2}, K) == {"f", "m"}
    # The smallest group still shown is hidden first, until the hidden hold K or more.
    assert complementary({"a": 2, "b": 2, "c": 9, "d": 7}, K) == {"a", "b", "d"}
    assert complementary({"a": 2, "b": 3, "c": 9}, K) == {"a", "b"}
    assert complementary({"a": 9, "b": 7}, K) == set()
    assert complementary({"a": 1}, K) == {"a"}  # nothing left to hide it among
    assert differs_too_little(7, 6, K)
    assert not differs_too_little(11, 6, K)
    assert not differs_too_little(6, 6, K)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def _hire(emp: str, manager: str | None, dept: str) -> h.EmployeeHired:
    return h.EmployeeHired(
        employee_id=emp,
        effective_date=date(2024, 1, 1),
        recorded_at=at("2024-01-01"),
        display_name=emp,
        details=h.EmploymentDetails(role_id="eng.engineer", manager_id=manager, department_id=dept),
    )


def _growth(emp: str, score: int) -> h.SurveyResponded:
    return h.SurveyResponded(
        response_id=str(uuid.uuid4()),
        survey_id="pulse-1",
        employee_id=emp,
        responded_at=at("2025-06-01"),
        answers=[
            h.SurveyAnswer(question_id="q1", topic=h.SurveyTopic.GROWTH, score=score, scale_max=5)
        ],
    )


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test("metrics", anonymity_threshold=K) as running:
        yield running


async def _get(c: httpx.AsyncClient, path: str, headers: dict[str, str]) -> dict[str, Any]:
    resp = await c.get(path, headers=headers)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


@pytest.mark.postgres
@pytest.mark.kafka
async def test_a_director_cannot_single_out_one_answer_by_difference(
    svc: RunningService, emit: Emit
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    # CEO -> D (director) -> R (manager) -> E1..E6; D's line: R and E1..E6 (7); R's: 6.
    # CEO is in department X; everyone else in S. Another team of 6 under CEO: O1..O6 in X.
    people = [
        _hire("CEO", None, "X"),
        _hire("D", "CEO", "S"),
        _hire("R", "D", "S"),
        *[_hire(f"E{i}", "R", "S") for i in range(1, 7)],
        *[_hire(f"O{i}", "CEO", "X") for i in range(1, 7)],
    ]
    answers = [_growth("R", 1), *[_growth(f"E{i}", 5) for i in range(1, 7)]]
    answers += [_growth(f"O{i}", 3) for i in range(1, 7)]
    await emit(framework(), *people, *answers, tenant=tenant)
    await wait_until(
        svc, "SELECT count(*) FROM metrics.employees WHERE tenant_id = $1", tenant, want=15
    )
    await wait_until(
        svc, "SELECT count(*) FROM metrics.survey_answers WHERE tenant_id = $1", tenant, want=13
    )
    c = svc.client
    director, manager, hr = (
        auth(tenant, "D", "manager"),
        auth(tenant, "R", "manager"),
        auth(tenant, "HR", "hr_admin"),
    )

    whole = await _get(c, f"/v1/metrics/engagement?{WINDOW}&manager=D", director)
    assert whole["suppressed"] is False
    assert whole["growth_sentiment_respondents"] == 7
    assert whole["growth_sentiment"] == round((1 / 5 + 6 * 5 / 5) / 7, 4)

    # The director's view holds R's team and one more person (R): R's team is withheld from
    # the director, and from HR, who may ask for both.
    for who in (director, hr):
        team = await _get(c, f"/v1/metrics/engagement?{WINDOW}&manager=R", who)
        assert team["suppressed"] is True, team
        assert "growth_sentiment" not in team
        assert "manager=D" in team["reason"]
        assert "1 more person" in team["reason"]
        trend = await _get(
            c,
            "/v1/metrics/trends?metric=conversations_per_employee&months=2&to=2025-07-01&manager=R",
            who,
        )
        assert all(p["suppressed"] for p in trend["points"])
        csv = await c.get(f"/v1/metrics/export.csv?{WINDOW}&manager=R", headers=who)
        assert csv.text.splitlines()[1].startswith("suppressed,")
    # R cannot ask for D's line, so R's own view reveals nothing R could subtract from.
    own = await _get(c, f"/v1/metrics/engagement?{WINDOW}&manager=R", manager)
    assert own["suppressed"] is False
    assert own["growth_sentiment_respondents"] == 6

    # Department S is D's line and D: HR may ask for both, so D's line is withheld from HR,
    # but not from D, who cannot ask for department S.
    assert (await _get(c, f"/v1/metrics/engagement?{WINDOW}&manager=D", hr))["suppressed"]
    dept = await _get(c, f"/v1/metrics/engagement?{WINDOW}&department=S", hr)
    assert dept["suppressed"] is False
    assert dept["growth_sentiment_respondents"] == 7  # D did not answer
    # The whole tenant (14 people) is always readable by HR: it contains no other population.
    assert (await _get(c, f"/v1/metrics/engagement?{WINDOW}", hr))["suppressed"] is False


def _unit(uid: str, parent: str | None) -> h.OrgUnitChanged:
    return h.OrgUnitChanged(
        orgunit_id=uid,
        name=uid,
        parent_id=parent,
        effective_date=date(2024, 1, 1),
        recorded_at=at("2024-01-01"),
    )


@pytest.mark.postgres
@pytest.mark.kafka
async def test_a_department_holds_its_subtree_and_a_child_unit_cannot_be_subtracted(
    svc: RunningService, emit: Emit
) -> None:
    """Department P holds its child unit C (six people) and two people of its own: C's
    figures are withheld from HR, who may ask for P, since P minus C would give the two."""
    tenant = f"t{uuid.uuid4().hex[:10]}"
    people = [
        _hire("CEO", None, "X"),
        _hire("P1", "CEO", "P"),
        _hire("P2", "P1", "P"),
        *[_hire(f"C{i}", "P1", "C") for i in range(1, 7)],
        *[_hire(f"O{i}", "CEO", "X") for i in range(1, 7)],
    ]
    answers = [_growth("P2", 1), *[_growth(f"C{i}", 5) for i in range(1, 7)]]
    await emit(
        framework(),
        _unit("X", None),
        _unit("P", "X"),
        _unit("C", "P"),
        *people,
        *answers,
        tenant=tenant,
    )
    await wait_until(
        svc, "SELECT count(*) FROM metrics.employees WHERE tenant_id = $1", tenant, want=15
    )
    await wait_until(
        svc, "SELECT count(*) FROM metrics.org_units WHERE tenant_id = $1", tenant, want=3
    )
    await wait_until(
        svc, "SELECT count(*) FROM metrics.survey_answers WHERE tenant_id = $1", tenant, want=7
    )
    hr = auth(tenant, "HR", "hr_admin")
    c = svc.client
    p = await _get(c, f"/v1/metrics/engagement?{WINDOW}&department=P", hr)
    assert p["suppressed"] is False
    assert p["growth_sentiment_respondents"] == 7  # C's six and P2
    child = await _get(c, f"/v1/metrics/engagement?{WINDOW}&department=C", hr)
    assert child["suppressed"] is True
    assert "department=P" in child["reason"]
    assert "2 more people" in child["reason"]
    # X holds everyone: P's eight are fifteen minus seven, not fewer than K.
    whole = await _get(c, f"/v1/metrics/mobility?{WINDOW}&department=X", hr)
    assert whole["headcount"] == 15

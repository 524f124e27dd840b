"""Pulse surveys on real Kafka and PostgreSQL: HR defines a pulse for an audience, people
answer once within the window, scores go out as `survey.responded`, and small groups'
results are suppressed."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from careerstream.contracts.topics import HRIS_SURVEY
from careerstream.devstack.sample import auth, import_directory
from careerstream.devstack.testing import EventTapFactory, RunningService, ServiceUnderTest
from careerstream.hris.domain.surveys import (
    Audience,
    AudienceKind,
    Person,
    Question,
    answer_problems,
    in_audience,
    results,
)

THRESHOLD = 3
# M1 manages E1-E3 (D1); M2 manages E4, E5 (D2); M1 and M2 report to CEO.
DIRECTORY = (
    "employee_id,display_name,job_code,manager_id,department_id\n"
    "CEO,C,EXEC,,D0\nM1,M,MGR,CEO,D1\nM2,N,MGR,CEO,D2\n"
    "E1,A,ENG,M1,D1\nE2,B,ENG,M1,D1\nE3,C,ENG,M1,D1\nE4,D,ENG,M2,D2\nE5,E,ENG,M2,D2\n"
)


def test_audiences_answers_and_suppression_without_io() -> None:
    people = [Person("M", "D1", "mgr", True), Person("E", "D2", "eng", False)]
    assert [p.employee_id for p in people if in_audience(p, Audience(AudienceKind.MANAGERS))] == [
        "M"
    ]
    assert [
        p.employee_id for p in people if in_audience(p, Audience(AudienceKind.ROLES, ("eng",)))
    ] == ["E"]
    qs = [Question("q1", "?", "growth", 5), Question("q2", "?", "engagement", 3)]
    assert answer_problems(qs, {"q1": 6, "x": 1}) == [
        "answers.x: not a question of this pulse",
        "answers.q1: 6 is outside 1-5",
        "answers.q2: not answered",
    ]
    n, out = results(qs, [{"q1": 5, "q2": 3}, {"q1": 3, "q2": 1}], threshold=2)
    assert n == 2
    assert (out[0].mean, out[0].distribution) == (0.8, {1: 0, 2: 0, 3: 1, 4: 0, 5: 1})
    _, hidden = results(qs, [{"q1": 5, "q2": 3}], threshold=2)
    assert all(q.suppressed and q.mean is None for q in hidden)


@pytest.fixture
async def svc(service_under_test: ServiceUnderTest) -> AsyncIterator[RunningService]:
    async with service_under_test(
        "hris", import_poll_seconds=0.2, survey_anonymity_threshold=THRESHOLD
    ) as running:
        yield running


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


async def _directory(c: httpx.AsyncClient, tenant: str) -> None:
    await import_directory(c, tenant, DIRECTORY)


def pulse(**over: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "name": "Q3 pulse",
        "questions": [
            {"question_id": "growth", "text": "I see a future for myself here", "topic": "growth"},
            {
                "question_id": "talks",
                "text": "My career conversations help",
                "topic": "career_conversations",
                "scale_max": 4,
            },
        ],
        "audience": {"kind": "all"},
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
    }
    return {**body, **over}


@pytest.mark.postgres
@pytest.mark.kafka
async def test_a_pulse_from_definition_to_suppressed_results(
    svc: RunningService, event_tap: EventTapFactory
) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    c = svc.client
    hr = auth(tenant, "HR", "hr_admin")
    await _directory(c, tenant)

    # Bad pulses: every problem named; only HR defines them.
    now = datetime.now(UTC)
    bad = problem(
        await c.post(
            "/v1/surveys",
            json=pulse(
                audience={"kind": "departments"},
                closes_at=(now - timedelta(days=1)).isoformat(),
            ),
            headers=hr,
        ),
        422,
    )
    text = json.dumps(bad)
    assert "audience.ids: name the departments" in text
    assert "closes_at: the window must close after it opens" in text
    twice = pulse()
    twice["questions"] = [twice["questions"][0], twice["questions"][0]]
    assert "used twice" in json.dumps(
        problem(await c.post("/v1/surveys", json=twice, headers=hr), 422)
    )
    problem(await c.post("/v1/surveys", json=pulse(), headers=auth(tenant, "M1", "manager")), 403)
    nobody = pulse(audience={"kind": "departments", "ids": ["D9"]})
    assert "nobody active" in json.dumps(
        problem(await c.post("/v1/surveys", json=nobody, headers=hr), 422)
    )

    everyone = await c.post("/v1/surveys", json=pulse(), headers=hr)
    assert everyone.status_code == 201, everyone.text
    assert (everyone.json()["invited"], everyone.json()["status"]) == (8, "open")
    managers = await c.post(
        "/v1/surveys",
        json=pulse(
            name="Managers",
            audience={"kind": "managers"},
            questions=[
                {
                    "question_id": "confidence",
                    "text": "I am confident in career conversations",
                    "topic": "manager_confidence",
                }
            ],
        ),
        headers=hr,
    )
    assert managers.json()["invited"] == 3  # CEO, M1, M2
    sid, mid = everyone.json()["survey_id"], managers.json()["survey_id"]

    # E1 sees one pulse; M1 sees two.
    assert [
        s["survey_id"] for s in (await c.get("/v1/me/surveys", headers=auth(tenant, "E1"))).json()
    ] == [sid]
    assert len((await c.get("/v1/me/surveys", headers=auth(tenant, "M1", "manager"))).json()) == 2

    # Answers: every question once, on its scale; once only; only the invited.
    e1 = auth(tenant, "E1")
    wrong = problem(
        await c.post(f"/v1/surveys/{sid}/responses", json={"answers": {"growth": 9}}, headers=e1),
        422,
    )
    assert "answers.talks: not answered" in json.dumps(wrong)
    assert "answers.growth: 9 is outside 1-5" in json.dumps(wrong)
    problem(
        await c.post(
            f"/v1/surveys/{mid}/responses", json={"answers": {"confidence": 3}}, headers=e1
        ),
        404,
    )
    problem(
        await c.post(
            f"/v1/surveys/{sid}/responses",
            json={"answers": {"growth": 4, "talks": 3}},
            headers=auth(f"{tenant}x", "E1"),
        ),
        404,
    )
    async with event_tap(HRIS_SURVEY) as tap:
        ok = await c.post(
            f"/v1/surveys/{sid}/responses", json={"answers": {"growth": 4, "talks": 3}}, headers=e1
        )
        assert ok.status_code == 201, ok.text
        (event,) = await tap.expect(
            {"type": "careerstream.hris.survey.responded.v1", "data": {"employee_id": "E1"}},
            tenant=tenant,
        )
    assert event["data"]["survey_id"] == sid
    assert {
        (a["question_id"], a["score"], a["scale_max"], a["topic"]) for a in event["data"]["answers"]
    } == {
        ("growth", 4, 5, "growth"),
        ("talks", 3, 4, "career_conversations"),
    }
    assert "text" not in json.dumps(event["data"])  # no question text, no free text
    problem(
        await c.post(
            f"/v1/surveys/{sid}/responses", json={"answers": {"growth": 4, "talks": 3}}, headers=e1
        ),
        409,
    )
    assert (await c.get("/v1/me/surveys", headers=e1)).json() == []

    # Two answers: below the threshold, nothing is shown.
    await c.post(
        f"/v1/surveys/{sid}/responses",
        json={"answers": {"growth": 2, "talks": 1}},
        headers=auth(tenant, "E2"),
    )
    early = (await c.get(f"/v1/surveys/{sid}/results", headers=hr)).json()
    assert early["suppressed"] is True
    assert early["respondents"] is None
    assert all(q["mean"] is None for q in early["questions"])
    # A third (from D2): the whole pulse shows; D1 alone (two) and D2 alone (one) do not.
    await c.post(
        f"/v1/surveys/{sid}/responses",
        json={"answers": {"growth": 5, "talks": 4}},
        headers=auth(tenant, "E4"),
    )
    shown = (await c.get(f"/v1/surveys/{sid}/results", headers=hr)).json()
    assert shown["respondents"] == 3
    growth = next(q for q in shown["questions"] if q["question_id"] == "growth")
    assert growth["mean"] == round((4 + 2 + 5) / 3 / 5, 4)
    assert growth["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert (await c.get(f"/v1/surveys/{sid}/results?department=D1", headers=hr)).json()[
        "suppressed"
    ] is True
    problem(await c.get(f"/v1/surveys/{sid}/results", headers=auth(tenant, "M1", "manager")), 403)
    problem(await c.get("/v1/surveys/nope/results", headers=hr), 404)
    listed = {s["survey_id"]: s for s in (await c.get("/v1/surveys", headers=hr)).json()}
    assert (listed[sid]["invited"], listed[sid]["answered"]) == (8, 3)

    # A pulse that has not opened yet, or has closed, takes no answers.
    later = pulse(
        opens_at=(datetime.now(UTC) + timedelta(days=1)).isoformat(),
        closes_at=(datetime.now(UTC) + timedelta(days=2)).isoformat(),
    )
    lid = (await c.post("/v1/surveys", json=later, headers=hr)).json()["survey_id"]
    assert (
        "opens at"
        in problem(
            await c.post(
                f"/v1/surveys/{lid}/responses",
                json={"answers": {"growth": 4, "talks": 3}},
                headers=e1,
            ),
            409,
        )["detail"]
    )


@pytest.mark.postgres
@pytest.mark.kafka
async def test_people_who_join_or_move_into_an_audience_are_asked_too(svc: RunningService) -> None:
    tenant = f"t{uuid.uuid4().hex[:10]}"
    c = svc.client
    hr = auth(tenant, "HR", "hr_admin")
    await _directory(c, tenant)
    d1 = await c.post(
        "/v1/surveys", json=pulse(audience={"kind": "departments", "ids": ["D1"]}), headers=hr
    )
    assert d1.status_code == 201, d1.text
    sid = d1.json()["survey_id"]
    assert d1.json()["invited"] == 4  # M1, E1, E2, E3

    # E6 joins D1, E7 joins D2, and E4 moves from D2 to D1 (a full export: everyone listed).
    later = (
        DIRECTORY.replace("E4,D,ENG,M2,D2", "E4,D,ENG,M1,D1") + "E6,F,ENG,M1,D1\nE7,G,ENG,M2,D2\n"
    )
    await import_directory(c, tenant, later)

    def asked(who: str) -> Any:
        return c.get("/v1/me/surveys", headers=auth(tenant, who))

    assert sid in [s["survey_id"] for s in (await asked("E6")).json()]
    assert sid in [s["survey_id"] for s in (await asked("E4")).json()]
    assert (await asked("E7")).json() == []  # D2: not in the audience
    listed = {s["survey_id"]: s for s in (await c.get("/v1/surveys", headers=hr)).json()}
    assert listed[sid]["invited"] == 6
    # E6 answers like anyone asked.
    ok = await c.post(
        f"/v1/surveys/{sid}/responses",
        json={"answers": {"growth": 4, "talks": 3}},
        headers=auth(tenant, "E6"),
    )
    assert ok.status_code == 201, ok.text

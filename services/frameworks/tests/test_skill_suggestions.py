"""Skills from text, on real PostgreSQL: what a job description or a person's own words name,
each suggestion with its evidence; nothing is applied."""

from __future__ import annotations

from typing import Any

import pytest

from careerstream.devstack.testing import RunningService

from .test_skill_library import PYTHON, ZIP, S, auth, download, problem

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
SQL = S + "96c0e73a-6b4b-5631-8d1b-36c1495f4cef"
REVIEW = S + "f9bc5454-75ac-5106-bb49-91f69f6f3d90"
DEBUG = S + "51eba626-94fd-5328-9562-fb49cc9e8189"
FEEDBACK = S + "b3baff81-c536-5998-8f65-1b1013526c04"
TEAMS = S + "38f6b137-e390-5f9c-a5d9-42023ca14e6a"

JOB = (
    "We are looking for a backend developer. Every day you write Python and SQL, review code "
    "written by colleagues and debug software running in production. You work in teams and "
    "give constructive feedback. A driving licence is a plus."
)


async def test_a_job_description_names_its_skills(svc: RunningService, tenant: str) -> None:
    c = svc.client
    hr, emp = auth(tenant, "hr_admin"), auth(tenant, "employee")
    no_library = await c.post("/v1/skill-suggestions", json={"text": JOB}, headers=emp)
    problem(no_library, 404)
    imported = await c.post(
        "/v1/skill-library/imports",
        params={"version": "1.2.0"},
        content=download(),
        headers={**hr, **ZIP},
    )
    assert imported.status_code == 201, imported.text

    resp = await c.post("/v1/skill-suggestions", json={"text": JOB}, headers=emp)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    assert "ESCO" in body["attribution"]
    items = {i["uri"]: i for i in body["items"]}
    for uri in (PYTHON, SQL, REVIEW, DEBUG, FEEDBACK, TEAMS):
        assert uri in items, (uri, [i["label"] for i in body["items"]])
    top6 = {i["uri"] for i in body["items"][:6]}
    assert top6 == {PYTHON, SQL, REVIEW, DEBUG, FEEDBACK, TEAMS}
    review = items[REVIEW]
    assert review["matched_label"] == "review code"
    assert review["matched_words"] == ["code", "review"]
    assert review["phrase"] is True
    assert items[PYTHON]["matched_words"] == ["Python"]
    # Python and SQL sit under the same group: each is found with the other.
    assert "SQL" in items[PYTHON]["siblings_found"]
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)

    # Scattered words count for less than the same words together.
    scattered = await c.post(
        "/v1/skill-suggestions",
        json={"text": "I review budgets; my code is tidy.", "limit": 50},
        headers=emp,
    )
    together = await c.post(
        "/v1/skill-suggestions", json={"text": "I review code.", "limit": 50}, headers=emp
    )

    def score(resp: Any, uri: str) -> float:
        found = [i["score"] for i in resp.json()["items"] if i["uri"] == uri]
        return found[0] if found else 0.0

    assert 0 < score(scattered, REVIEW) < score(together, REVIEW)

    # Already linked skills can be left out; German text in German.
    without = await c.post(
        "/v1/skill-suggestions", json={"text": JOB, "exclude": [PYTHON]}, headers=emp
    )
    assert PYTHON not in {i["uri"] for i in without.json()["items"]}
    german = await c.post(
        "/v1/skill-suggestions",
        json={"text": "Sie programmieren in Python und schreiben SQL-Abfragen.", "lang": "de"},
        headers=emp,
    )
    assert german.status_code == 200, german.text
    assert {PYTHON, SQL} <= {i["uri"] for i in german.json()["items"][:3]}
    nothing = await c.post("/v1/skill-suggestions", json={"text": "!!! ..."}, headers=emp)
    assert nothing.json()["items"] == []

    # Bad input names its field.
    for bad, field in (
        ({"text": ""}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"text": JOB, "limit": 0}, "limit"),
        ({"text": JOB, "lang": "english"}, "lang"),
        ({"text": JOB, "surprise": 1}, "surprise"),
    ):
        got = problem(await c.post("/v1/skill-suggestions", json=bad, headers=emp), 422)
        assert field in str(got["errors"]), (bad, got)
    french = problem(
        await c.post("/v1/skill-suggestions", json={"text": JOB, "lang": "fr"}, headers=emp), 422
    )
    assert "the library holds de, en" in french["detail"]
    assert (await c.post("/v1/skill-suggestions", json={"text": JOB})).status_code == 401

    # A suggestion changes nothing: the library is as it was.
    info = (await c.get("/v1/skill-library", headers=emp)).json()
    assert info["imports"] == 1

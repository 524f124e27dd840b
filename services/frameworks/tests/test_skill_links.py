"""Competencies linked to the skills library, on real PostgreSQL and Kafka: links checked and
labelled, a role drafted from an occupation, link changes in the diff and the published
event, and a re-import that withdraws a linked skill naming the frameworks it touches."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from careerstream.contracts.envelope import decode
from careerstream.contracts.topics import FRAMEWORK
from careerstream.devstack.testing import EventTapFactory, RunningService

from .test_skill_library import PYTHON, ZIP, S, auth, download, problem

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
SQL = S + "96c0e73a-6b4b-5631-8d1b-36c1495f4cef"
JAVA = S + "3195565d-beef-5208-a946-ec6a3885dbd5"
DEVELOPER = "http://data.europa.eu/esco/occupation/c7613bb3-0252-5b44-9664-8d8c50ec3feb"
BASE = "/v1/frameworks/acme/versions/draft"


def without_sql(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "96c0e73a" not in line) + "\n"


async def framework(c: httpx.AsyncClient, hr: dict[str, str]) -> None:
    r = await c.post("/v1/frameworks", json={"id": "acme", "name": "Acme"}, headers=hr)
    assert r.status_code == 201, r.text
    steps = [
        ("/families/engineering", {"name": "Engineering"}),
        ("/families/engineering/tracks/ic", {"name": "IC", "kind": "ic"}),
        ("/families/engineering/levels/senior", {"name": "Senior", "rank": 1, "track_ids": ["ic"]}),
        (
            "/competencies/craft",
            {
                "name": "Craft",
                "category": "technical",
                "descriptors": [{"level": n, "description": f"craft at {n}"} for n in range(1, 6)],
            },
        ),
    ]
    for path, body in steps:
        r = await c.put(BASE + path, json=body, headers=hr)
        assert r.status_code == 200, r.text


def link(uri: str, competency: str = "craft") -> str:
    return f"{BASE}/competencies/{competency}/skills?uri={quote(uri, safe='')}"


async def add_link(
    c: httpx.AsyncClient, uri: str, headers: dict[str, str], competency: str = "craft"
) -> httpx.Response:
    return await c.post(
        f"{BASE}/competencies/{competency}/skills", json={"uri": uri}, headers=headers
    )


async def test_link_draft_from_an_occupation_publish_diff_and_withdraw(
    svc: RunningService, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    hr, emp = auth(tenant, "hr_admin"), auth(tenant, "employee")
    await framework(c, hr)

    # Without a library, a link names what is missing.
    none = problem(await add_link(c, PYTHON, hr), 422)
    assert "no skills library" in none["detail"]
    imported = await c.post(
        "/v1/skill-library/imports",
        params={"version": "1.1.0"},
        content=download(),
        headers={**hr, **ZIP},
    )
    assert imported.status_code == 201, imported.text

    # A link gets the skill's label; an unknown URI or an occupation is refused by path.
    assert (await add_link(c, PYTHON, emp)).status_code == 403
    linked = await add_link(c, PYTHON, hr)
    assert linked.status_code == 200, linked.text
    craft = linked.json()["document"]["competencies"][0]
    assert craft["skills"] == [{"uri": PYTHON, "label": "Python (computer programming)"}]
    unknown = problem(await add_link(c, S + "no-such-skill", hr), 422)
    assert unknown["errors"][0]["path"] == "competencies[0].skills[1].uri"
    assert "not in the skills library" in unknown["errors"][0]["message"]
    occupation = problem(await add_link(c, DEVELOPER, hr), 422)
    assert "which is an occupation" in occupation["detail"]
    not_uri = await c.post(BASE + "/competencies/craft/skills", json={"uri": "x"}, headers=hr)
    assert "uri" in str(problem(not_uri, 422)["errors"])
    twice = await c.put(
        BASE + "/competencies/craft",
        json={
            "name": "Craft",
            "category": "technical",
            "skills": [{"uri": PYTHON}, {"uri": PYTHON}],
        },
        headers=hr,
    )
    assert "twice" in problem(twice, 422)["detail"]
    # Unlinking what is not linked names it.
    assert problem(await c.delete(link(JAVA), headers=hr), 404)

    # A role from the occupation: 'craft' covers Python; the rest are made from the skills.
    ask = {
        "occupation_uri": DEVELOPER,
        "family_id": "engineering",
        "level_id": "senior",
        "level": 3,
        "limit": 4,
    }
    drafted = await c.post(BASE + "/roles/eng.dev/from-occupation", json=ask, headers=hr)
    assert drafted.status_code == 201, drafted.text
    body = drafted.json()
    assert body["occupation"] == {"uri": DEVELOPER, "label": "software developer"}
    assert [(r["competency_id"], r["created"]) for r in body["requirements"]] == [
        ("craft", False),
        ("debug-software", True),
        ("develop-software-prototype", True),
        ("review-code", True),
    ]
    assert [s["label"] for s in body["left_out"]] == ["provide technical documentation", "SQL"]
    role = next(r for r in body["version"]["document"]["roles"] if r["id"] == "eng.dev")
    assert role["title"] == "Software developer"
    assert role["summary"].startswith("Software developers")
    again = await c.post(BASE + "/roles/eng.dev/from-occupation", json=ask, headers=hr)
    assert "exists" in problem(again, 409)["detail"]
    missing = {**ask, "occupation_uri": "http://data.europa.eu/esco/occupation/nope"}
    problem(await c.post(BASE + "/roles/x/from-occupation", json=missing, headers=hr), 404)
    bad = problem(
        await c.post(BASE + "/roles/x/from-occupation", json={**ask, "level": 11}, headers=hr),
        422,
    )
    assert "level" in str(bad["errors"])
    forbidden = await c.post(BASE + "/roles/x/from-occupation", json=ask, headers=emp)
    assert forbidden.status_code == 403

    # Published: the event carries each competency's skills.
    async with event_tap(FRAMEWORK) as tap:
        published = await c.post("/v1/frameworks/acme/versions/1/publish", headers=hr)
        assert published.status_code == 200, published.text
        records = await tap.wait_for(1, tenant=tenant)
    data = decode(records[0].value).data
    skills = {c["id"]: c["skills"] for c in data["competencies"]}
    assert skills["craft"] == [{"uri": PYTHON, "label": "Python (computer programming)"}]
    assert skills["debug-software"][0]["label"] == "debug software"

    # A new draft links SQL instead of Python: the diff says so.
    assert (await c.post("/v1/frameworks/acme/drafts", headers=hr)).status_code == 201
    assert (await c.delete(link(PYTHON), headers=hr)).status_code == 200
    assert (await add_link(c, SQL, hr)).status_code == 200
    d = await c.get("/v1/frameworks/acme/diff", params={"from": 1, "to": "draft"}, headers=hr)
    changes = {(ch["change"], ch["path"]) for ch in d.json()["changes"]}
    assert changes == {
        ("removed", f"competencies[craft].skills[{PYTHON}]"),
        ("added", f"competencies[craft].skills[{SQL}]"),
    }

    # ESCO withdraws SQL: the re-import names the draft that links it.
    edit = {name: without_sql for name in ("skills_en.csv", "skills_de.csv")}
    edit |= {
        f"{kind}_{lang}.csv": without_sql
        for kind in ("occupationSkillRelations", "broaderRelationsSkillPillar")
        for lang in ("en", "de")
    }
    again_import = await c.post(
        "/v1/skill-library/imports",
        params={"version": "1.2.0"},
        content=download(edit),
        headers={**hr, **ZIP},
    )
    assert again_import.status_code == 201, again_import.text
    report: dict[str, Any] = again_import.json()
    assert report["frameworks_using_withdrawn"] == [
        {
            "framework_id": "acme",
            "version": 2,
            "status": "draft",
            "competency_id": "craft",
            "skill_uri": SQL,
            "label": "SQL",
        }
    ]
    # The draft still edits (the link it had stays), but cannot link it anew or publish it.
    rename = await c.put(
        BASE + "/families/engineering", json={"name": "Software engineering"}, headers=hr
    )
    assert rename.status_code == 200, rename.text
    anew = problem(await add_link(c, SQL, hr, "debug-software"), 422)
    assert "withdrew in version 1.2.0" in anew["detail"]
    refused = problem(await c.post("/v1/frameworks/acme/versions/2/publish", headers=hr), 422)
    assert refused["title"] == "Not ready to publish"
    assert "competencies[0].skills[0].uri" in str(refused["errors"])
    assert (await c.delete(link(SQL), headers=hr)).status_code == 200
    ok = await c.post("/v1/frameworks/acme/versions/2/publish", headers=hr)
    assert ok.status_code == 200, ok.text

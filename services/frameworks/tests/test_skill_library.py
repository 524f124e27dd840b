"""The skills library on real PostgreSQL and Kafka: importing ESCO's download, re-importing
a new version (what changed is reported, nothing disappears), searching by label, synonym,
typo and language, reading a concept, and the events an import publishes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from careerstream.contracts.envelope import decode
from careerstream.contracts.topics import SKILL
from careerstream.devstack.sample import ESCO_SAMPLE, esco_zip
from careerstream.devstack.testing import EventTapFactory, RunningService
from careerstream.servicekit.auth import AuthSettings, mint_token

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
FIXTURE = ESCO_SAMPLE
S = "http://data.europa.eu/esco/skill/"
PYTHON = S + "7030d79d-8f1d-5578-8f7a-4055625291d0"
ZIP = {"Content-Type": "application/zip"}


def auth(tenant: str, *roles: str) -> dict[str, str]:
    token = mint_token(AuthSettings(), tenant=tenant, subject="HR1", roles=list(roles))
    return {"Authorization": f"Bearer {token}"}


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    return body


def download(edit: dict[str, Any] | None = None) -> bytes:
    """The sample library as ESCO ships it (a ZIP), each file passed through `edit[name]`."""
    return esco_zip(edit)


async def search(
    c: httpx.AsyncClient, h: dict[str, str], q: str, **params: Any
) -> list[dict[str, Any]]:
    resp = await c.get("/v1/skills", params={"q": q, **params}, headers=h)
    assert resp.status_code == 200, resp.text
    items: list[dict[str, Any]] = resp.json()["items"]
    return items


async def test_import_search_read_and_reimport(
    svc: RunningService, tenant: str, event_tap: EventTapFactory
) -> None:
    c = svc.client
    hr, emp = auth(tenant, "hr_admin"), auth(tenant, "employee")
    assert (await c.get("/v1/skill-library", headers=emp)).status_code == 404

    async with event_tap(SKILL) as tap:
        first = await c.post(
            "/v1/skill-library/imports",
            params={"version": "1.1.0"},
            content=download(),
            headers={**hr, **ZIP},
        )
        assert first.status_code == 201, first.text
        report = first.json()
        assert report["import_number"] == 1
        assert report["languages"] == ["de", "en"]
        assert report["counts"]["skill"] == {
            "added": 32,
            "changed": 0,
            "withdrawn": 0,
            "unchanged": 0,
        }
        assert report["counts"]["group"]["added"] == 5
        assert report["counts"]["occupation"]["added"] == 2
        assert report["relations"] == {"total": 20, "added": 20, "changed": 0, "removed": 0}
        # Every skill and group, then the report: one event each, keyed by tenant and skill.
        records = await tap.wait_for(38, tenant=tenant)
    events = [decode(r.value) for r in records]
    types = [e.type for e in events]
    assert types.count("careerstream.frameworks.skill.changed.v1") == 37
    assert types.count("careerstream.frameworks.skilllibrary.imported.v1") == 1
    python_event = next(e for e in events if e.subject == PYTHON)
    assert records[events.index(python_event)].key == f"{tenant}:{PYTHON}".encode()
    assert python_event.data["labels"]["de"]["preferred"] == "Python (Computerprogrammierung)"
    assert python_event.data["status"] == "released"

    info = (await c.get("/v1/skill-library", headers=emp)).json()
    assert (info["version"], info["skills"], info["groups"], info["occupations"]) == (
        "1.1.0",
        32,
        5,
        2,
    )
    assert "ESCO classification of the European Commission" in info["attribution"]

    # Search: a preferred label, a synonym, a typo (a hidden label and trigrams), a stem.
    assert (await search(c, emp, "Python"))[0]["uri"] == PYTHON
    law = await search(c, emp, "employment law")
    assert law[0]["label"] == "labour legislation"
    assert law[0]["matched_label"] == "employment law"
    assert law[0]["matched_words"] == ["employment", "law"]
    assert (await search(c, emp, "pyhton"))[0]["uri"] == PYTHON
    assert (await search(c, emp, "debuging sofware"))[0]["label"] == "debug software"
    typo = await search(c, emp, "debuging sofware")
    assert "software" in typo[0]["spelling"]["sofware"]
    assert typo[0]["all_words"] is True
    assert (await search(c, emp, "coaching employees"))[0]["label"] == "coach employees"
    # No skill holds every word: those whose labels hold some, saying so.
    some = await search(c, emp, "python negotiation")
    assert {i["label"] for i in some} >= {"Python (computer programming)", "negotiate agreements"}
    assert not any(i["all_words"] for i in some)
    # German: stemmed in German, answered in German.
    german = await search(c, emp, "Softwarefehler", lang="de")
    assert german[0]["label"] == "Software debuggen"
    # Groups only when asked for.
    assert all(i["kind"] == "skill" for i in await search(c, emp, "computer programming"))
    assert (await search(c, emp, "computer programming", groups="true"))[0]["kind"] == "group"

    occupations = await c.get("/v1/occupations", params={"q": "programmer"}, headers=emp)
    dev = occupations.json()["items"][0]
    assert dev["label"] == "software developer"
    occupation = (await c.get(f"/v1/occupations/{quote(dev['uri'], safe='')}", headers=emp)).json()
    assert len(occupation["skills"]["essential"]) == 6
    assert {"uri": PYTHON, "label": "Python (computer programming)"} in occupation["skills"][
        "essential"
    ]
    assert occupation["code"] == "2512.4"

    # One skill, by its URI encoded or not.
    for path in (f"/v1/skills/{quote(PYTHON, safe='')}", f"/v1/skills/{PYTHON}"):
        skill = await c.get(path, headers=emp)
        assert skill.status_code == 200, skill.text
    skill = skill.json()
    assert skill["labels"]["en"]["alternative"] == ["Python programming", "Python"]
    assert [b["label"] for b in skill["broader"]] == ["computer programming"]
    assert [o["label"] for o in skill["occupations"]["essential"]] == ["software developer"]
    group = (await c.get(f"/v1/skills/{skill['broader'][0]['uri']}", headers=emp)).json()
    assert "Python (computer programming)" in [n["label"] for n in group["narrower"]]

    # A new version: SQL withdrawn, Python gains a synonym, one skill new.
    sql_line = next(
        line for line in (FIXTURE / "skills_en.csv").read_text().splitlines() if ",SQL," in line
    )
    sql_uri = sql_line.split(",")[1]

    def v2_en(text: str) -> str:
        text = text.replace(sql_line + "\n", "")
        text = text.replace(
            '"Python programming\nPython"', '"Python programming\nPython\nPython 3"'
        )
        return text + (
            f"KnowledgeSkillCompetence,{S}prompt-engineering,skill/competence,cross-sector,"
            "write prompts for generative AI,prompt engineering,,released,,,,,"
            "Instruct generative AI models with prompts.\n"
        )

    def without_sql(text: str) -> str:
        return "\n".join(line for line in text.splitlines() if sql_uri not in line) + "\n"

    edits = {
        "skills_en.csv": v2_en,
        "skills_de.csv": without_sql,
        "occupationSkillRelations_en.csv": without_sql,
        "occupationSkillRelations_de.csv": without_sql,
        "broaderRelationsSkillPillar_en.csv": without_sql,
        "broaderRelationsSkillPillar_de.csv": without_sql,
    }
    async with event_tap(SKILL) as tap:
        second = await c.post(
            "/v1/skill-library/imports",
            params={"version": "1.2.0"},
            content=download(edits),
            headers={**hr, **ZIP},
        )
        assert second.status_code == 201, second.text
        withdrawn_event, changed_event, _ = await tap.expect(
            {"subject": sql_uri, "data": {"status": "withdrawn"}},
            {"subject": PYTHON, "data": {"library_version": "1.2.0"}},
            {
                "type": "careerstream.frameworks.skilllibrary.imported.v1",
                "data": {"import_number": 2},
            },
            tenant=tenant,
        )
    assert withdrawn_event["data"]["labels"]["en"]["preferred"] == "SQL"
    assert "Python 3" in changed_event["data"]["labels"]["en"]["alternative"]
    assert withdrawn_event["data"]["labels"]["en"]["preferred"] == "SQL"
    assert "Python 3" in changed_event["data"]["labels"]["en"]["alternative"]
    report = second.json()
    assert report["counts"]["skill"] == {"added": 1, "changed": 1, "withdrawn": 1, "unchanged": 30}
    assert report["listed"]["withdrawn"] == [{"uri": sql_uri, "kind": "skill", "label": "SQL"}]
    assert report["listed"]["changed"] == [
        {"uri": PYTHON, "kind": "skill", "label": "Python (computer programming)"}
    ]
    assert report["relations"] == {"total": 19, "added": 0, "changed": 0, "removed": 1}
    assert (await c.get("/v1/skill-library/imports/2", headers=emp)).json() == report
    # Withdrawn: not found by search, still readable, saying so.
    assert all(i["uri"] != sql_uri for i in await search(c, emp, "SQL"))
    gone = (await c.get(f"/v1/skills/{sql_uri}", headers=emp)).json()
    assert (gone["status"], gone["withdrawn_in"], gone["added_in"]) == (
        "withdrawn",
        "1.2.0",
        "1.1.0",
    )
    assert (await search(c, emp, "Python 3"))[0]["uri"] == PYTHON
    assert (await search(c, emp, "prompt engineering"))[0]["uri"] == S + "prompt-engineering"

    # Back to 1.1.0: SQL returns (added again), the new skill is withdrawn.
    third = (
        await c.post(
            "/v1/skill-library/imports",
            params={"version": "1.1.0"},
            content=download(),
            headers={**hr, **ZIP},
        )
    ).json()
    assert third["counts"]["skill"] == {"added": 1, "changed": 1, "withdrawn": 1, "unchanged": 30}
    assert (await search(c, emp, "SQL"))[0]["uri"] == sql_uri
    back = (await c.get(f"/v1/skills/{sql_uri}", headers=emp)).json()
    assert (back["status"], back["withdrawn_in"], back["added_in"]) == ("released", None, "1.1.0")


async def test_who_may_do_what_and_bad_input(svc: RunningService, tenant: str) -> None:
    c = svc.client
    hr, emp, mgr = auth(tenant, "hr_admin"), auth(tenant, "employee"), auth(tenant, "manager")
    other = auth(tenant + "x", "hr_admin")
    url = "/v1/skill-library/imports"
    params = {"version": "1.2.0"}
    for who in (emp, mgr):
        problem(await c.post(url, params=params, content=download(), headers={**who, **ZIP}), 403)
    problem(await c.post(url, params=params, content=download(), headers=ZIP), 401)
    assert (
        await c.post(url, params=params, content=download(), headers={**hr, **ZIP})
    ).status_code == 201
    # Another company has no library, and cannot see this one's.
    problem(await c.get("/v1/skill-library", headers=other), 404)
    problem(await c.get(f"/v1/skills/{PYTHON}", headers=other), 404)
    problem(await c.get("/v1/skills", params={"q": "python"}, headers=other), 404)

    # The body: a ZIP, not JSON; a readable one; ESCO's files in it, each right.
    problem(await c.post(url, params=params, json={}, headers=hr), 415)
    body = problem(
        await c.post(url, params=params, content=b"PK\x03\x04junk", headers={**hr, **ZIP}), 422
    )
    assert body["errors"][0]["field"] == "body"
    body = problem(
        await c.post(
            url,
            params=params,
            content=download({"skills_de.csv": lambda t: t.replace("knowledge,", "wisdom,", 1)}),
            headers={**hr, **ZIP},
        ),
        422,
    )
    assert body["title"] == "Invalid ESCO download"
    assert body["errors"][0]["file"].endswith("skills_de.csv")
    assert (body["errors"][0]["line"], body["errors"][0]["field"]) == (2, "skillType")
    # Nothing of a refused import was kept.
    assert (await c.get("/v1/skill-library", headers=emp)).json()["imports"] == 1

    # The version, the query, the language and the URI are checked, naming the parameter.
    for bad in ({}, {"version": ""}, {"version": "1.2 beta"}, {"version": "x" * 41}):
        body = problem(
            await c.post(url, params=bad, content=download(), headers={**hr, **ZIP}), 422
        )
        assert "version" in str(body)
    for q in ("", "a", "  ", "%%%", "x" * 201):
        assert "q" in str(problem(await c.get("/v1/skills", params={"q": q}, headers=emp), 422))
    body = problem(
        await c.get("/v1/skills", params={"q": "python", "lang": "fr"}, headers=emp), 422
    )
    assert body["errors"][0]["field"] == "lang"
    problem(await c.get("/v1/skills", params={"q": "python", "lang": "english"}, headers=emp), 422)
    problem(await c.get("/v1/skills", params={"q": "python", "limit": 0}, headers=emp), 422)
    problem(await c.get("/v1/skills", params={"q": "python", "limit": 101}, headers=emp), 422)
    problem(await c.get("/v1/skills/not-a-uri", headers=emp), 422)
    problem(await c.get(f"/v1/skills/{S}missing", headers=emp), 404)
    # An occupation is not a skill, nor a skill an occupation.
    problem(await c.get(f"/v1/occupations/{PYTHON}", headers=emp), 404)
    problem(await c.get("/v1/skill-library/imports/7", headers=emp), 404)
    problem(await c.get("/v1/skill-library/imports/0", headers=emp), 422)
    # Hostile query text is just text.
    for q in ("'; DROP TABLE skills; --", "python & | ! <->", "(((", "\u202e\u0000x"):
        resp = await c.get("/v1/skills", params={"q": q}, headers=emp)
        assert resp.status_code in (200, 422), resp.text
